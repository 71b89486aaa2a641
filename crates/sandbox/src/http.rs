//! Response builders (Fastify-style error bodies), query-string parsing and a
//! small JSON-body validator that words its errors the way Fastify/AJV does.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use percent_encoding::{percent_decode, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
use serde_json::Value;

pub type Body = Full<Bytes>;
pub type Resp = Response<Body>;

pub fn bytes_response(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Resp {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

pub fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Resp {
    match serde_json::to_vec(value) {
        Ok(body) => bytes_response(status, "application/json; charset=utf-8", body),
        Err(_) => fastify_error(
            500,
            "Internal Server Error",
            "Could not serialise the response",
        ),
    }
}

/// `{"statusCode":N,"error":"...","message":"..."}`
pub fn fastify_error(status: u16, error: &str, message: &str) -> Resp {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json(
        code,
        &serde_json::json!({"statusCode": status, "error": error, "message": message}),
    )
}

/// `{"error":"Bad Request","message":"...","statusCode":400}`
pub fn bad_request(message: &str) -> Resp {
    json(
        StatusCode::BAD_REQUEST,
        &serde_json::json!({"error": "Bad Request", "message": message, "statusCode": 400}),
    )
}

/// `400 {"error":"Bad Request","message":"Validation Failed: [\"...\"]","statusCode":400}`
pub fn validation_failed(errors: &[String]) -> Resp {
    let list = serde_json::to_string(errors).unwrap_or_else(|_| "[]".to_owned());
    bad_request(&format!("Validation Failed: {list}"))
}

pub fn route_not_found(method: &str, path: &str) -> Resp {
    json(
        StatusCode::NOT_FOUND,
        &serde_json::json!({
            "message": format!("Route {method}:{path} not found"),
            "error": "Not Found",
            "statusCode": 404,
        }),
    )
}

pub fn record_not_found(kind: &str, id: i64) -> Resp {
    fastify_error(404, "Not Found", &format!("{kind} {id} not found"))
}

pub fn forbidden() -> Resp {
    json(
        StatusCode::FORBIDDEN,
        &serde_json::json!({"message": "Forbidden"}),
    )
}

pub fn unauthorized(message: &str) -> Resp {
    fastify_error(401, "Unauthorized", message)
}

pub fn unsupported_media_type(content_type: &str) -> Resp {
    json(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        &serde_json::json!({
            "error": "FastifyError",
            "message": format!("Unsupported Media Type: {content_type}"),
            "statusCode": 415,
        }),
    )
}

pub fn service_unavailable() -> Resp {
    fastify_error(503, "Service Unavailable", "Service Unavailable")
}

/// `{"result":"success","data":{...}}`
pub fn single<T: Serialize>(record: &T) -> Resp {
    #[derive(Serialize)]
    struct Envelope<'a, T> {
        result: &'static str,
        data: &'a T,
    }
    json(
        StatusCode::OK,
        &Envelope {
            result: "success",
            data: record,
        },
    )
}

pub fn see_other(location: &str, message: &str) -> Resp {
    let mut response = json(
        StatusCode::SEE_OTHER,
        &serde_json::json!({"statusCode": 303, "message": message, "location": location}),
    );
    if let Ok(value) = HeaderValue::from_str(location) {
        response
            .headers_mut()
            .insert(hyper::header::LOCATION, value);
    }
    response
}

/// Characters escaped when a query value is written back into a paging link.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

pub fn encode_query_value(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// A decoded query string; repeated keys keep every occurrence, `get` answers the last.
#[derive(Debug, Default)]
pub struct Query {
    pub pairs: Vec<(String, String)>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct QueryNotUtf8;

impl Query {
    pub fn parse(raw: Option<&str>) -> Result<Query, QueryNotUtf8> {
        let mut pairs = Vec::new();
        let Some(raw) = raw else {
            return Ok(Query { pairs });
        };
        for part in raw.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            pairs.push((decode(key)?, decode(value)?));
        }
        Ok(Query { pairs })
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// An optional integer parameter; a non-integer adds a Fastify-style error.
    pub fn int(&self, key: &str, errors: &mut Vec<String>) -> Option<i64> {
        let value = self.get(key)?;
        match value.trim().parse::<i64>() {
            Ok(number) => Some(number),
            Err(_) => {
                errors.push(format!("querystring/{key} must be integer"));
                None
            }
        }
    }

    /// Non-paging parameters re-encoded, each prefixed by `&` (for paging links).
    pub fn passthrough(&self) -> String {
        let mut out = String::new();
        for (key, value) in &self.pairs {
            if key == "pageCursor" || key == "pageSize" {
                continue;
            }
            out.push('&');
            out.push_str(&encode_query_value(key));
            out.push('=');
            out.push_str(&encode_query_value(value));
        }
        out
    }
}

fn decode(text: &str) -> Result<String, QueryNotUtf8> {
    let spaced = text.replace('+', " ");
    let bytes: Vec<u8> = percent_decode(spaced.as_bytes()).collect();
    String::from_utf8(bytes).map_err(|_| QueryNotUtf8)
}

/// A JSON-body schema field.
pub struct Field {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
}

pub enum Ty {
    Str,
    Int,
    Bool,
    Num,
    Obj(&'static [Field]),
    ArrOf(&'static [Field]),
    /// An object whose keys are not checked.
    AnyObj,
}

pub const fn req(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: true,
    }
}

pub const fn opt(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: false,
    }
}

/// Validate `value` as an object of `fields` (no additional properties). Errors
/// read like AJV's: `body/customerFullName must be string`.
pub fn validate(value: &Value, fields: &[Field], path: &str, errors: &mut Vec<String>) {
    let Some(object) = value.as_object() else {
        errors.push(format!("{path} must be object"));
        return;
    };
    for key in object.keys() {
        if !fields.iter().any(|f| f.name == key) {
            errors.push(format!(
                "{path} must NOT have additional properties ('{key}')"
            ));
        }
    }
    for field in fields {
        let here = format!("{path}/{}", field.name);
        match object.get(field.name) {
            None => {
                if field.required {
                    errors.push(format!(
                        "{path} must have required property '{}'",
                        field.name
                    ));
                }
            }
            Some(Value::Null) if !field.required => {}
            Some(inner) => check_type(inner, &field.ty, &here, errors),
        }
    }
}

fn check_type(value: &Value, ty: &Ty, path: &str, errors: &mut Vec<String>) {
    match ty {
        Ty::Str if !value.is_string() => errors.push(format!("{path} must be string")),
        Ty::Int if !(value.is_i64() || value.is_u64()) => {
            errors.push(format!("{path} must be integer"))
        }
        Ty::Bool if !value.is_boolean() => errors.push(format!("{path} must be boolean")),
        Ty::Num if !value.is_number() => errors.push(format!("{path} must be number")),
        Ty::Obj(fields) => validate(value, fields, path, errors),
        Ty::AnyObj if !value.is_object() => errors.push(format!("{path} must be object")),
        Ty::ArrOf(fields) => match value.as_array() {
            Some(items) => {
                for (index, item) in items.iter().enumerate() {
                    validate(item, fields, &format!("{path}/{index}"), errors);
                }
            }
            None => errors.push(format!("{path} must be array")),
        },
        _ => {}
    }
}

pub fn str_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

pub fn int_field(value: &Value, key: &str) -> Option<i64> {
    value.get(key).and_then(Value::as_i64)
}

pub fn bool_field(value: &Value, key: &str) -> Option<bool> {
    value.get(key).and_then(Value::as_bool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_takes_last_occurrence_and_rejects_bad_utf8() {
        let query = Query::parse(Some("pageCursor=0&pageSize=10&pageCursor=10&q=a+b%20c"))
            .unwrap_or_default();
        assert_eq!(query.get("pageCursor"), Some("10"));
        assert_eq!(query.get("q"), Some("a b c"));
        assert_eq!(query.passthrough(), "&q=a%20b%20c");
        assert_eq!(Query::parse(Some("x=%FF%FE")).err(), Some(QueryNotUtf8));
    }

    const PERSON: &[Field] = &[req("firstName", Ty::Str), opt("lastName", Ty::Str)];
    const BODY: &[Field] = &[
        req("name", Ty::Str),
        opt("count", Ty::Int),
        opt("person", Ty::Obj(PERSON)),
    ];

    #[test]
    fn validation_words_errors_like_ajv() {
        let mut errors = Vec::new();
        validate(
            &serde_json::json!({"count": "x", "extra": 1, "person": {"lastName": 3}}),
            BODY,
            "body",
            &mut errors,
        );
        assert!(errors.contains(&"body must NOT have additional properties ('extra')".to_owned()));
        assert!(errors.contains(&"body must have required property 'name'".to_owned()));
        assert!(errors.contains(&"body/count must be integer".to_owned()));
        assert!(errors.contains(&"body/person must have required property 'firstName'".to_owned()));
        assert!(errors.contains(&"body/person/lastName must be string".to_owned()));
        let mut none = Vec::new();
        validate(&serde_json::json!({"name": "ok"}), BODY, "body", &mut none);
        assert!(none.is_empty());
    }
}
