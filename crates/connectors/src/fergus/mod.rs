//! The Fergus connector (personal access token).
//!
//! Speaks the Fergus public API as described in `shared/reference/fergus.md`:
//! `Authorization: Bearer fergPAT_…`, `Accept: application/json`, a
//! `{result, data, paging}` envelope, integer-offset paging through
//! `paging.links.next`, 100 requests a minute per company.

mod descriptor;
mod entities;
mod paging;
pub mod records;

use std::time::{Duration, Instant};

use async_trait::async_trait;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value};
use url::Url;

pub use descriptor::{descriptor, DEFAULT_API_URL, SYSTEM_ID, TOKEN_PATTERN, URL_PATTERN};
pub use entities::EntityKind;

use crate::error::{ConnectorError, ErrorCode};
use crate::http::{self, redact};
use crate::model::{
    AccessReport, AccountInfo, CreateOutcome, Credentials, ListQuery, ProbeOutcome, RateBudget,
    Record, RecordPage, ServerInfo, SystemDescriptor,
};
use crate::Connector;
use paging::{page_cursor_from_link, parse_cursor, Envelope};
use records::{to_record, value_as_text, Company};

/// Records per page when the caller does not say.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// The most records per page Patchbay asks for (Fergus documents no maximum).
pub const MAX_PAGE_SIZE: u32 = 1000;

/// The detail Patchbay gives when an address answers but is not Fergus.
const NOT_FERGUS: &str = "this address does not look like the Fergus API";

/// The Fergus connector. Stateless apart from its HTTP client; cheap to clone.
#[derive(Clone)]
pub struct FergusConnector {
    http: reqwest::Client,
    descriptor: SystemDescriptor,
}

impl std::fmt::Debug for FergusConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FergusConnector").finish_non_exhaustive()
    }
}

/// One HTTP answer, read to the end.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
    latency_ms: u64,
    /// The URL that finally answered (differs from the request's when the
    /// client followed a redirect).
    url: Url,
}

impl FergusConnector {
    /// A connector over `http`. Use [`FergusConnector::default_client`] unless
    /// a test needs other timeouts. A client that does not follow redirects is
    /// best (Fergus answers a duplicate customer with `303 See Other`); one that
    /// does is handled too.
    pub fn new(http: reqwest::Client) -> Self {
        Self {
            http,
            descriptor: descriptor::descriptor(),
        }
    }

    /// The HTTP client Patchbay uses for Fergus: rustls, connect timeout 5 s,
    /// request timeout 15 s, `User-Agent: Patchbay/<version>`, pooled
    /// connections, no automatic redirects.
    pub fn default_client() -> reqwest::Client {
        Self::client_with_timeouts(Duration::from_secs(5), Duration::from_secs(15))
    }

    /// Like [`FergusConnector::default_client`] with other timeouts (tests use
    /// short ones).
    pub fn client_with_timeouts(connect: Duration, request: Duration) -> reqwest::Client {
        let builder = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(connect)
            .timeout(request)
            .user_agent(concat!("Patchbay/", env!("CARGO_PKG_VERSION")))
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(64)
            .tcp_keepalive(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none());
        match builder.build() {
            Ok(client) => client,
            Err(error) => {
                // Only fails when the TLS backend cannot start; fall back to
                // reqwest's defaults rather than panic.
                tracing::warn!(%error, "could not build the HTTP client; using defaults");
                reqwest::Client::default()
            }
        }
    }

    /// The API address from the credentials: trimmed, checked, without a
    /// trailing slash. An empty address means Fergus's own.
    pub fn api_base(credentials: &Credentials) -> Result<Url, ConnectorError> {
        let raw = credentials.api_url.trim();
        let raw = if raw.is_empty() { DEFAULT_API_URL } else { raw };
        let invalid = |why: &str| {
            ConnectorError::new(
                ErrorCode::AddressInvalid,
                format!("{why}: {}", http::body_excerpt(raw.as_bytes())),
            )
        };
        let url = Url::parse(raw).map_err(|e| invalid(&format!("not a web address ({e})")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("the address must start with https:// or http://"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(invalid("the address has no server name"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ConnectorError::new(
                ErrorCode::AddressInvalid,
                "the address must not contain a user name or password",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("the address must not contain ? or #"));
        }
        Ok(url)
    }

    /// `base` + `/jobs/quotes` + query.
    fn endpoint(base: &Url, path: &str, query: &[(&str, String)]) -> Url {
        let mut url = base.clone();
        let joined = format!("{}{}", base.path().trim_end_matches('/'), path);
        url.set_path(&joined);
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (key, value) in query {
                pairs.append_pair(key, value);
            }
        }
        url
    }

    /// "GET /jobs?pageSize=1" — what the technical details name.
    fn context(method: &Method, url: &Url) -> String {
        match url.query() {
            Some(q) => format!("{method} {}?{q}", url.path()),
            None => format!("{method} {}", url.path()),
        }
    }

    fn authorization(credentials: &Credentials) -> Result<HeaderValue, ConnectorError> {
        let token = credentials.secret.expose().trim();
        if token.is_empty() {
            return Err(ConnectorError::new(
                ErrorCode::AuthRejected,
                "no access token was given",
            ));
        }
        let mut value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
            ConnectorError::new(
                ErrorCode::AuthRejected,
                "the access token contains characters that cannot be sent (spaces, line breaks or non-ASCII characters)",
            )
        })?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// Send one request and read the whole answer. Transport failures become
    /// errors; every HTTP status comes back as a [`Reply`].
    async fn send(
        &self,
        credentials: &Credentials,
        method: Method,
        url: Url,
        body: Option<&Value>,
        authenticated: bool,
    ) -> Result<Reply, ConnectorError> {
        let secret = Some(credentials.secret.expose());
        let context = Self::context(&method, &url);
        let mut request = self
            .http
            .request(method.clone(), url.clone())
            .header(ACCEPT, "application/json");
        if authenticated {
            request = request.header(AUTHORIZATION, Self::authorization(credentials)?);
        }
        if let Some(body) = body {
            // `.json` sets Content-Type; requests without a body never carry it.
            request = request.json(body);
        }
        let started = Instant::now();
        let response = request
            .send()
            .await
            .map_err(|e| http::transport_error(&context, &e, secret))?;
        let status = response.status();
        let headers = response.headers().clone();
        let final_url = response.url().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| http::transport_error(&context, &e, secret))?;
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        tracing::debug!(
            method = %method,
            path = url.path(),
            status = status.as_u16(),
            latency_ms,
            "fergus request"
        );
        Ok(Reply {
            status,
            headers,
            body: body.to_vec(),
            latency_ms,
            url: final_url,
        })
    }

    /// The reply if it is a success, else the mapped error.
    fn success(
        reply: Reply,
        context: &str,
        credentials: &Credentials,
    ) -> Result<Reply, ConnectorError> {
        if reply.status.is_success() {
            Ok(reply)
        } else {
            Err(http::status_error(
                context,
                reply.status,
                &reply.headers,
                &reply.body,
                Some(credentials.secret.expose()),
            ))
        }
    }

    fn unexpected(
        context: &str,
        why: &str,
        reply: &Reply,
        credentials: &Credentials,
    ) -> ConnectorError {
        ConnectorError::new(
            ErrorCode::UnexpectedResponse,
            redact(
                &format!(
                    "{context} → HTTP {}: {why}: {}",
                    reply.status.as_u16(),
                    http::body_excerpt(&reply.body)
                ),
                Some(credentials.secret.expose()),
            ),
        )
        .with_status(reply.status.as_u16())
    }

    fn json(
        context: &str,
        reply: &Reply,
        credentials: &Credentials,
    ) -> Result<Value, ConnectorError> {
        serde_json::from_slice(&reply.body)
            .map_err(|_| Self::unexpected(context, "the answer is not JSON", reply, credentials))
    }

    /// `data` of the envelope when it is an object, or the body itself when a
    /// single record came unwrapped.
    fn single_object(
        context: &str,
        reply: &Reply,
        credentials: &Credentials,
    ) -> Result<Value, ConnectorError> {
        let body = Self::json(context, reply, credentials)?;
        match body {
            Value::Object(mut object) => match object.remove("data") {
                Some(data @ Value::Object(_)) => Ok(data),
                Some(_) => Err(Self::unexpected(
                    context,
                    "`data` is not one record",
                    reply,
                    credentials,
                )),
                None => Ok(Value::Object(object)),
            },
            _ => Err(Self::unexpected(
                context,
                "the answer is not a JSON object",
                reply,
                credentials,
            )),
        }
    }

    fn kind(entity: &str) -> Result<EntityKind, ConnectorError> {
        EntityKind::from_key(entity).ok_or_else(|| {
            ConnectorError::new(
                ErrorCode::Unsupported,
                format!(
                    "Fergus has no entity type {:?} (known: {})",
                    http::body_excerpt(entity.as_bytes()),
                    EntityKind::ALL.map(EntityKind::key).join(", ")
                ),
            )
        })
    }

    /// GET /company with the token: which company the token belongs to.
    async fn company(
        &self,
        credentials: &Credentials,
    ) -> (Result<AccountInfo, ConnectorError>, u64, Option<RateBudget>) {
        let base = match Self::api_base(credentials) {
            Ok(base) => base,
            Err(e) => return (Err(e), 0, None),
        };
        let url = Self::endpoint(&base, "/company", &[]);
        let context = Self::context(&Method::GET, &url);
        let started = Instant::now();
        let reply = match self.send(credentials, Method::GET, url, None, true).await {
            Ok(reply) => reply,
            Err(e) => {
                let latency = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                return (Err(e), latency, None);
            }
        };
        let latency = reply.latency_ms;
        let rate = http::rate_budget(&reply.headers);
        let result = Self::success(reply, &context, credentials).and_then(|reply| {
            let data = Self::single_object(&context, &reply, credentials)?;
            let company = Company::from_value(&data).ok_or_else(|| {
                Self::unexpected(
                    &context,
                    "no company id and name in the answer",
                    &reply,
                    credentials,
                )
            })?;
            Ok(AccountInfo {
                account_id: company.id,
                account_name: company.name,
            })
        });
        (result, latency, rate)
    }

    /// GET a record by its API path (used for `get` and to follow a 303).
    async fn fetch_record(
        &self,
        credentials: &Credentials,
        kind: EntityKind,
        url: Url,
    ) -> Result<Record, ConnectorError> {
        let context = Self::context(&Method::GET, &url);
        let reply = self.send(credentials, Method::GET, url, None, true).await?;
        let reply = Self::success(reply, &context, credentials)?;
        let data = Self::single_object(&context, &reply, credentials)?;
        to_record(kind, data)
    }

    /// Where a `Location` header points, if it is on the same server as the
    /// API (the token is never sent anywhere else).
    fn same_origin_location(base: &Url, headers: &HeaderMap) -> Option<Url> {
        let location = headers.get(LOCATION)?.to_str().ok()?;
        let target = base.join(location).ok()?;
        (target.origin() == base.origin()).then_some(target)
    }
}

/// Only digits, letters, `-` and `_`: Fergus ids are integers; anything else
/// cannot name a record and must not reach the path.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The trait methods' bodies; the trait impl below wraps each so that no
/// error leaves the connector with the token in it, whatever path made it.
impl FergusConnector {
    async fn reach_inner(&self, credentials: &Credentials) -> Result<ServerInfo, ConnectorError> {
        let base = Self::api_base(credentials)?;
        let url = Self::endpoint(&base, "/version", &[]);
        let context = Self::context(&Method::GET, &url);
        // No token here: the address is not known to be Fergus yet.
        let reply = self
            .send(credentials, Method::GET, url, None, false)
            .await?;
        let not_fergus = |reply: &Reply| Self::unexpected(&context, NOT_FERGUS, reply, credentials);
        if matches!(reply.status.as_u16(), 404 | 405 | 410) {
            return Err(not_fergus(&reply));
        }
        let reply = Self::success(reply, &context, credentials)?;
        let body: Value = serde_json::from_slice(&reply.body).map_err(|_| not_fergus(&reply))?;
        let version = ["message", "version"]
            .iter()
            .find_map(|k| body.get(*k).and_then(value_as_text))
            .or_else(|| {
                let data = body.get("data")?;
                ["message", "version"]
                    .iter()
                    .find_map(|k| data.get(*k).and_then(value_as_text))
            })
            .ok_or_else(|| not_fergus(&reply))?;
        Ok(ServerInfo {
            version: Some(version),
            latency_ms: reply.latency_ms,
        })
    }

    async fn sign_in_inner(
        &self,
        credentials: &Credentials,
    ) -> Result<AccountInfo, ConnectorError> {
        self.company(credentials).await.0
    }

    async fn check_access_inner(
        &self,
        credentials: &Credentials,
        entity: &str,
    ) -> Result<AccessReport, ConnectorError> {
        let kind = Self::kind(entity)?;
        let base = Self::api_base(credentials)?;
        let url = Self::endpoint(&base, kind.path(), &[("pageSize", "1".to_string())]);
        let context = Self::context(&Method::GET, &url);
        let reply = self.send(credentials, Method::GET, url, None, true).await?;
        let reply = Self::success(reply, &context, credentials)?;
        let envelope: Envelope = serde_json::from_slice(&reply.body).map_err(|_| {
            Self::unexpected(
                &context,
                "the answer is not a Fergus list",
                &reply,
                credentials,
            )
        })?;
        if !matches!(envelope.data, Some(Value::Array(_))) {
            return Err(Self::unexpected(
                &context,
                "the answer has no list of records",
                &reply,
                credentials,
            ));
        }
        Ok(AccessReport {
            entity: kind.key().to_string(),
            count: envelope.paging.as_ref().and_then(|p| p.total()),
        })
    }

    async fn probe_inner(&self, credentials: &Credentials) -> ProbeOutcome {
        let (result, latency_ms, rate) = self.company(credentials).await;
        ProbeOutcome {
            result,
            latency_ms,
            rate,
        }
    }

    async fn list_inner(
        &self,
        credentials: &Credentials,
        entity: &str,
        query: &ListQuery,
    ) -> Result<RecordPage, ConnectorError> {
        let kind = Self::kind(entity)?;
        let base = Self::api_base(credentials)?;
        let offset = match query.cursor.as_deref() {
            None => 0,
            Some(cursor) => parse_cursor(cursor).ok_or_else(|| {
                let mut e = ConnectorError::new(
                    ErrorCode::ValidationFailed,
                    format!(
                        "not a Fergus page cursor: {}",
                        http::body_excerpt(cursor.as_bytes())
                    ),
                );
                e.problems = vec![
                    "The page position is not valid. Start again from the first page.".to_string(),
                ];
                e
            })?,
        };
        let page_size = query
            .page_size
            .unwrap_or(DEFAULT_PAGE_SIZE)
            .clamp(1, MAX_PAGE_SIZE);
        let mut params: Vec<(&str, String)> = vec![
            ("pageSize", page_size.to_string()),
            ("pageCursor", offset.to_string()),
        ];
        if let Some(search) = query
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            if !kind.searchable() {
                return Err(ConnectorError::new(
                    ErrorCode::Unsupported,
                    format!("Fergus cannot search {}", kind.key()),
                ));
            }
            params.push(("filterSearchText", search.to_string()));
        }
        if let Some(field) = query.sort_field.as_deref().filter(|s| !s.is_empty()) {
            if !kind.sortable_fields().contains(&field) {
                return Err(ConnectorError::new(
                    ErrorCode::Unsupported,
                    format!(
                        "Fergus cannot sort {} by {:?} (sortable: {})",
                        kind.key(),
                        http::body_excerpt(field.as_bytes()),
                        kind.sortable_fields().join(", ")
                    ),
                ));
            }
            params.push(("sortField", field.to_string()));
            let order = if query.sort_descending { "desc" } else { "asc" };
            params.push(("sortOrder", order.to_string()));
        }
        let url = Self::endpoint(&base, kind.path(), &params);
        let context = Self::context(&Method::GET, &url);
        let reply = self.send(credentials, Method::GET, url, None, true).await?;
        let reply = Self::success(reply, &context, credentials)?;
        let envelope: Envelope = serde_json::from_slice(&reply.body).map_err(|_| {
            Self::unexpected(
                &context,
                "the answer is not a Fergus list",
                &reply,
                credentials,
            )
        })?;
        let Some(Value::Array(items)) = envelope.data else {
            return Err(Self::unexpected(
                &context,
                "the answer has no list of records",
                &reply,
                credentials,
            ));
        };
        let count = items.len() as u64;
        let records = items
            .into_iter()
            .map(|item| to_record(kind, item))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|mut e| {
                e.detail = redact(
                    &format!("{context}: {}", e.detail),
                    Some(credentials.secret.expose()),
                );
                e
            })?;
        let paging = envelope.paging.unwrap_or_default();
        let next_cursor = match paging.next_link() {
            None => None,
            Some(_) if count == 0 => None,
            Some(link) => {
                // The last `pageCursor` of the link (Fergus sometimes repeats it);
                // if the link has none, the offset after this page.
                let next = page_cursor_from_link(link).unwrap_or(offset + count);
                if next <= offset {
                    return Err(Self::unexpected(
                        &context,
                        "the next-page link does not move forward",
                        &reply,
                        credentials,
                    ));
                }
                Some(next.to_string())
            }
        };
        Ok(RecordPage {
            records,
            next_cursor,
            total: paging.total(),
        })
    }

    async fn get_inner(
        &self,
        credentials: &Credentials,
        entity: &str,
        id: &str,
    ) -> Result<Record, ConnectorError> {
        let kind = Self::kind(entity)?;
        if !kind.gettable() {
            return Err(ConnectorError::new(
                ErrorCode::Unsupported,
                format!(
                    "Fergus cannot fetch one {} by id; list them instead",
                    kind.key()
                ),
            ));
        }
        let base = Self::api_base(credentials)?;
        let id = id.trim();
        if !valid_id(id) {
            return Err(ConnectorError::new(
                ErrorCode::NotFound,
                format!(
                    "not a Fergus record id: {:?}",
                    http::body_excerpt(id.as_bytes())
                ),
            ));
        }
        let url = Self::endpoint(&base, &format!("{}/{id}", kind.path()), &[]);
        self.fetch_record(credentials, kind, url).await
    }

    async fn create_inner(
        &self,
        credentials: &Credentials,
        entity: &str,
        data: &Value,
    ) -> Result<CreateOutcome, ConnectorError> {
        let kind = Self::kind(entity)?;
        if !kind.creatable() {
            return Err(ConnectorError::new(
                ErrorCode::Unsupported,
                format!("Patchbay cannot create {} in Fergus", kind.key()),
            ));
        }
        let Some(object) = data.as_object() else {
            return Err(validation::failed(
                "the record to create is not a JSON object",
                vec![
                    "The details must be given as a set of named fields (a JSON object)."
                        .to_string(),
                ],
            ));
        };
        let base = Self::api_base(credentials)?;
        let url = Self::endpoint(&base, kind.path(), &[]);
        let context = Self::context(&Method::POST, &url);
        let reply = self
            .send(credentials, Method::POST, url.clone(), Some(data), true)
            .await?;
        let secret = Some(credentials.secret.expose());

        // Duplicate: 303 See Other → the existing record.
        if reply.status.is_redirection() {
            let Some(target) = Self::same_origin_location(&base, &reply.headers) else {
                return Err(Self::unexpected(
                    &context,
                    "a redirect without a usable Location on this server",
                    &reply,
                    credentials,
                ));
            };
            let existing = self.fetch_record(credentials, kind, target).await?;
            return Ok(CreateOutcome::AlreadyExists(existing));
        }
        if reply.status.is_success() {
            // A client that follows redirects by itself lands on the existing record.
            let redirected = reply.url.path() != url.path();
            let record = match Self::single_object(&context, &reply, credentials) {
                Ok(value) => to_record(kind, value)?,
                Err(e) => match Self::same_origin_location(&base, &reply.headers) {
                    Some(target) => self.fetch_record(credentials, kind, target).await?,
                    None => return Err(e),
                },
            };
            return Ok(if redirected {
                CreateOutcome::AlreadyExists(record)
            } else {
                CreateOutcome::Created(record)
            });
        }
        let server_says_validation = matches!(reply.status.as_u16(), 400 | 409 | 422)
            || (reply.status.is_server_error()
                && String::from_utf8_lossy(&reply.body)
                    .to_ascii_lowercase()
                    .contains("validation"));
        if server_says_validation {
            let detail = redact(
                &format!(
                    "{context} → HTTP {}: {}",
                    reply.status.as_u16(),
                    http::body_excerpt(&reply.body)
                ),
                secret,
            );
            let problems = validation::problems(kind, object, &reply.body, secret);
            return Err(validation::failed(detail, problems).with_status(reply.status.as_u16()));
        }
        Err(http::status_error(
            &context,
            reply.status,
            &reply.headers,
            &reply.body,
            secret,
        ))
    }
}

/// Mask the token (and anything token-shaped) in an error's texts.
fn scrub(mut error: ConnectorError, credentials: &Credentials) -> ConnectorError {
    let secret = Some(credentials.secret.expose());
    error.detail = redact(&error.detail, secret);
    error.problems = error.problems.iter().map(|p| redact(p, secret)).collect();
    error
}

#[async_trait]
impl Connector for FergusConnector {
    fn descriptor(&self) -> &SystemDescriptor {
        &self.descriptor
    }

    fn check_address(&self, credentials: &Credentials) -> Result<(), ConnectorError> {
        Self::api_base(credentials)
            .map(|_| ())
            .map_err(|e| scrub(e, credentials))
    }

    async fn reach(&self, credentials: &Credentials) -> Result<ServerInfo, ConnectorError> {
        self.reach_inner(credentials)
            .await
            .map_err(|e| scrub(e, credentials))
    }

    async fn sign_in(&self, credentials: &Credentials) -> Result<AccountInfo, ConnectorError> {
        self.sign_in_inner(credentials)
            .await
            .map_err(|e| scrub(e, credentials))
    }

    async fn check_access(
        &self,
        credentials: &Credentials,
        entity: &str,
    ) -> Result<AccessReport, ConnectorError> {
        self.check_access_inner(credentials, entity)
            .await
            .map_err(|e| scrub(e, credentials))
    }

    async fn probe(&self, credentials: &Credentials) -> ProbeOutcome {
        let mut outcome = self.probe_inner(credentials).await;
        outcome.result = outcome.result.map_err(|e| scrub(e, credentials));
        outcome
    }

    async fn list(
        &self,
        credentials: &Credentials,
        entity: &str,
        query: &ListQuery,
    ) -> Result<RecordPage, ConnectorError> {
        self.list_inner(credentials, entity, query)
            .await
            .map_err(|e| scrub(e, credentials))
    }

    async fn get(
        &self,
        credentials: &Credentials,
        entity: &str,
        id: &str,
    ) -> Result<Record, ConnectorError> {
        self.get_inner(credentials, entity, id)
            .await
            .map_err(|e| scrub(e, credentials))
    }

    async fn create(
        &self,
        credentials: &Credentials,
        entity: &str,
        data: &Value,
    ) -> Result<CreateOutcome, ConnectorError> {
        self.create_inner(credentials, entity, data)
            .await
            .map_err(|e| scrub(e, credentials))
    }
}

/// Fergus's validation failures, in plain words.
mod validation {
    use super::*;

    pub(super) fn failed(detail: impl Into<String>, problems: Vec<String>) -> ConnectorError {
        let mut e = ConnectorError::new(ErrorCode::ValidationFailed, detail);
        e.problems = problems;
        e
    }

    fn text(object: &Map<String, Value>, key: &str) -> Option<String> {
        object.get(key).and_then(value_as_text)
    }

    /// What is wrong with `object`, by Fergus's documented rules, in plain
    /// words. Empty when the rules see nothing wrong.
    pub(crate) fn known_problems(kind: EntityKind, object: &Map<String, Value>) -> Vec<String> {
        let mut problems = Vec::new();
        match kind {
            EntityKind::Customers => {
                if text(object, "customerFullName").is_none() {
                    problems.push("A customer needs a name.".to_string());
                }
                let first_name = object
                    .get("mainContact")
                    .and_then(Value::as_object)
                    .and_then(|c| text(c, "firstName"));
                if first_name.is_none() {
                    problems.push("A customer needs a main contact with a first name.".to_string());
                }
            }
            EntityKind::Jobs => {
                match text(object, "jobType").as_deref() {
                    Some("Quote" | "Estimate" | "Charge Up") => {}
                    Some(_) => problems
                        .push("A job's type must be Quote, Estimate or Charge Up.".to_string()),
                    None => problems
                        .push("A job needs a type: Quote, Estimate or Charge Up.".to_string()),
                }
                if text(object, "title").is_none() {
                    problems.push("A job needs a title.".to_string());
                }
                let is_draft = object
                    .get("isDraft")
                    .and_then(Value::as_bool)
                    .unwrap_or(true);
                if !is_draft
                    && ["description", "customerId", "siteId"]
                        .iter()
                        .any(|k| text(object, k).is_none())
                {
                    problems.push(
                        "A job that is not a draft needs a description, a customer and a site."
                            .to_string(),
                    );
                }
            }
            _ => {}
        }
        problems
    }

    /// The server's own messages from a Fastify-style body
    /// (`{"message":"Validation Failed: [...]"}`, `errors: [...]`).
    pub(crate) fn server_messages(body: &[u8]) -> Vec<String> {
        let Ok(value) = serde_json::from_slice::<Value>(body) else {
            let text = http::body_excerpt(body);
            return if text.trim().is_empty() {
                Vec::new()
            } else {
                vec![text]
            };
        };
        let mut messages = Vec::new();
        let mut push = |m: &str| {
            let m = m.trim();
            if !m.is_empty() && !messages.iter().any(|x: &String| x == m) {
                messages.push(m.chars().take(200).collect::<String>());
            }
        };
        for key in ["errors", "details", "problems"] {
            if let Some(Value::Array(items)) = value.get(key) {
                for item in items {
                    match item {
                        Value::String(s) => push(s),
                        other => {
                            if let Some(m) = other.get("message").and_then(Value::as_str) {
                                push(m);
                            }
                        }
                    }
                }
            }
        }
        if let Some(message) = value.get("message").and_then(Value::as_str) {
            let rest = message
                .strip_prefix("Validation Failed:")
                .or_else(|| message.strip_prefix("Validation failed:"))
                .unwrap_or(message)
                .trim();
            match serde_json::from_str::<Value>(rest) {
                Ok(Value::Array(items)) => {
                    for item in items {
                        match &item {
                            Value::String(s) => push(s),
                            other => {
                                if let Some(m) = other.get("message").and_then(Value::as_str) {
                                    push(m);
                                }
                            }
                        }
                    }
                }
                _ => push(rest),
            }
        }
        messages
    }

    /// Plain-words problems for a rejected create: our own reading of the
    /// rules first; the server's messages when our rules see nothing.
    pub(super) fn problems(
        kind: EntityKind,
        object: &Map<String, Value>,
        body: &[u8],
        secret: Option<&str>,
    ) -> Vec<String> {
        let known = known_problems(kind, object);
        if !known.is_empty() {
            return known;
        }
        let from_server: Vec<String> = server_messages(body)
            .into_iter()
            .map(|m| redact(&m, secret))
            .collect();
        if from_server.is_empty() {
            vec![format!(
                "Fergus did not accept this {}.",
                kind.singular().to_lowercase()
            )]
        } else {
            from_server
        }
    }
}

#[cfg(test)]
mod tests;
