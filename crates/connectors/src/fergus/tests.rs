use std::collections::BTreeMap;

use serde_json::json;

use super::validation::{known_problems, server_messages};
use super::*;
use crate::model::Secret;

const TOKEN: &str = "fergPAT_0d9c8b7a-6f5e-4d3c-2b1a-unit-test-3f9a";

fn creds(api_url: &str) -> Credentials {
    Credentials {
        api_url: api_url.to_string(),
        secret: Secret::new(TOKEN),
        fields: BTreeMap::new(),
    }
}

#[test]
fn api_base_accepts_http_and_https_and_defaults_when_empty() {
    let base = FergusConnector::api_base(&creds("https://api.fergus.com/")).expect("valid");
    assert_eq!(base.as_str(), "https://api.fergus.com/");
    let base = FergusConnector::api_base(&creds("  http://127.0.0.1:8080  ")).expect("valid");
    assert_eq!(base.port(), Some(8080));
    let base = FergusConnector::api_base(&creds("")).expect("default");
    assert_eq!(base.as_str(), "https://api.fergus.com/");
}

#[test]
fn api_base_rejects_bad_addresses() {
    for bad in [
        "api.fergus.com",
        "ftp://api.fergus.com",
        "file:///etc/passwd",
        "https://",
        "http://user:pw@api.fergus.com",
        "https://api.fergus.com/?x=1",
        "not a url at all",
        "javascript:alert(1)",
    ] {
        let e = FergusConnector::api_base(&creds(bad)).expect_err(bad);
        assert_eq!(e.code, ErrorCode::AddressInvalid, "{bad}");
        assert!(!e.detail.contains("pw"), "{bad}");
    }
}

#[test]
fn endpoint_keeps_a_base_path_and_encodes_the_query() {
    let base = Url::parse("http://127.0.0.1:9/api/").expect("url");
    let url = FergusConnector::endpoint(
        &base,
        "/jobs/quotes",
        &[
            ("pageSize", "1".into()),
            ("filterSearchText", "Smith & Sons".into()),
        ],
    );
    assert_eq!(
        url.as_str(),
        "http://127.0.0.1:9/api/jobs/quotes?pageSize=1&filterSearchText=Smith+%26+Sons"
    );
    let base = Url::parse("https://api.fergus.com").expect("url");
    let url = FergusConnector::endpoint(&base, "/version", &[]);
    assert_eq!(url.as_str(), "https://api.fergus.com/version");
    assert_eq!(FergusConnector::context(&Method::GET, &url), "GET /version");
}

#[test]
fn authorization_is_sensitive_and_odd_tokens_are_rejected_without_echo() {
    let value = FergusConnector::authorization(&creds("https://api.fergus.com")).expect("header");
    assert!(value.is_sensitive());
    assert!(!format!("{value:?}").contains("unit-test"));

    let mut c = creds("https://api.fergus.com");
    c.secret = Secret::new("fergPAT_abc\ndef-ghijkl");
    let e = FergusConnector::authorization(&c).expect_err("newline");
    assert_eq!(e.code, ErrorCode::AuthRejected);
    assert!(!e.detail.contains("abc"));
    c.secret = Secret::new("   ");
    assert_eq!(
        FergusConnector::authorization(&c).expect_err("empty").code,
        ErrorCode::AuthRejected
    );
}

#[test]
fn ids_are_checked_before_they_reach_a_path() {
    assert!(valid_id("1234"));
    assert!(valid_id("abc-12_x"));
    assert!(!valid_id(""));
    assert!(!valid_id("../company"));
    assert!(!valid_id("1?x=1"));
    assert!(!valid_id(&"9".repeat(65)));
}

#[test]
fn non_draft_job_without_details_is_explained_plainly() {
    let data = json!({"jobType": "Quote", "title": "Fix tap", "isDraft": false});
    let problems = known_problems(EntityKind::Jobs, data.as_object().expect("object"));
    assert_eq!(
        problems,
        ["A job that is not a draft needs a description, a customer and a site."]
    );
    let draft = json!({"jobType": "Quote", "title": "Fix tap"});
    assert!(known_problems(EntityKind::Jobs, draft.as_object().expect("object")).is_empty());
    let complete = json!({"jobType": "Charge Up", "title": "Fix tap", "isDraft": false,
        "description": "Dripping tap", "customerId": 5, "siteId": 6});
    assert!(known_problems(EntityKind::Jobs, complete.as_object().expect("object")).is_empty());
    let bad_type = json!({"jobType": "Emergency", "title": "x"});
    assert_eq!(
        known_problems(EntityKind::Jobs, bad_type.as_object().expect("object")),
        ["A job's type must be Quote, Estimate or Charge Up."]
    );
}

#[test]
fn customer_rules_are_plain() {
    let empty = json!({});
    assert_eq!(
        known_problems(EntityKind::Customers, empty.as_object().expect("object")),
        [
            "A customer needs a name.",
            "A customer needs a main contact with a first name."
        ]
    );
    let ok = json!({"customerFullName": "Kiri Smith", "mainContact": {"firstName": "Kiri"}});
    assert!(known_problems(EntityKind::Customers, ok.as_object().expect("object")).is_empty());
}

#[test]
fn server_messages_read_fastify_bodies() {
    let body = br#"{"error":"Bad Request","message":"Validation Failed: [\"siteId is required\",{\"message\":\"customerId is required\"}]","statusCode":400}"#;
    assert_eq!(
        server_messages(body),
        ["siteId is required", "customerId is required"]
    );
    let body =
        br#"{"statusCode":422,"message":"Validation Failed: description must not be empty"}"#;
    assert_eq!(server_messages(body), ["description must not be empty"]);
    let body = br#"{"errors":[{"message":"bad"},"worse"],"message":"Conflict"}"#;
    assert_eq!(server_messages(body), ["bad", "worse", "Conflict"]);
    assert_eq!(server_messages(b"plain text"), ["plain text"]);
    assert!(server_messages(b"").is_empty());
}

#[test]
fn problems_prefer_known_rules_and_redact_server_text() {
    let data = json!({"jobType": "Quote", "title": "x", "isDraft": false});
    let problems = validation::problems(
        EntityKind::Jobs,
        data.as_object().expect("object"),
        br#"{"message":"nope"}"#,
        Some(TOKEN),
    );
    assert_eq!(
        problems,
        ["A job that is not a draft needs a description, a customer and a site."]
    );
    let ok = json!({"customerFullName": "A", "mainContact": {"firstName": "B"}});
    let body = format!(r#"{{"message":"token {TOKEN} cannot create"}}"#);
    let problems = validation::problems(
        EntityKind::Customers,
        ok.as_object().expect("object"),
        body.as_bytes(),
        Some(TOKEN),
    );
    assert_eq!(problems.len(), 1);
    assert!(!problems[0].contains(TOKEN));
}

#[test]
fn debug_output_never_shows_the_token() {
    let c = creds("https://api.fergus.com");
    let text = format!("{c:?}");
    assert!(!text.contains("unit-test"), "{text}");
    assert!(text.contains("fergPAT_…3f9a"));
}

#[test]
fn same_origin_location_only() {
    let base = Url::parse("http://127.0.0.1:9000").expect("url");
    let mut headers = HeaderMap::new();
    headers.insert(LOCATION, HeaderValue::from_static("/customers/42"));
    assert_eq!(
        FergusConnector::same_origin_location(&base, &headers).map(|u| u.to_string()),
        Some("http://127.0.0.1:9000/customers/42".to_string())
    );
    headers.insert(
        LOCATION,
        HeaderValue::from_static("http://evil.example/customers/42"),
    );
    assert_eq!(FergusConnector::same_origin_location(&base, &headers), None);
    headers.insert(
        LOCATION,
        HeaderValue::from_static("http://127.0.0.1:9001/customers/42"),
    );
    assert_eq!(FergusConnector::same_origin_location(&base, &headers), None);
}

#[tokio::test]
async fn bad_address_fails_every_call_without_a_request() {
    let connector = FergusConnector::new(FergusConnector::default_client());
    let c = creds("ftp://example.invalid");
    assert_eq!(
        connector.check_address(&c).expect_err("format").code,
        ErrorCode::AddressInvalid
    );
    assert!(connector
        .check_address(&creds("http://127.0.0.1:1"))
        .is_ok());
    assert_eq!(
        connector.reach(&c).await.expect_err("reach").code,
        ErrorCode::AddressInvalid
    );
    assert_eq!(
        connector.sign_in(&c).await.expect_err("sign in").code,
        ErrorCode::AddressInvalid
    );
    let probe = connector.probe(&c).await;
    assert_eq!(
        probe.result.expect_err("probe").code,
        ErrorCode::AddressInvalid
    );
    assert_eq!(
        connector
            .check_access(&c, "jobs")
            .await
            .expect_err("access")
            .code,
        ErrorCode::AddressInvalid
    );
}

#[tokio::test]
async fn unknown_entities_and_bad_queries_are_refused_before_any_request() {
    let connector = FergusConnector::new(FergusConnector::default_client());
    // A closed address: any request would fail as unreachable, not as below.
    let c = creds("http://127.0.0.1:9");
    let e = connector
        .check_access(&c, "widgets")
        .await
        .expect_err("unknown");
    assert_eq!(e.code, ErrorCode::Unsupported);
    let e = connector
        .list(
            &c,
            "sites",
            &ListQuery {
                search: Some("x".into()),
                ..Default::default()
            },
        )
        .await
        .expect_err("not searchable");
    assert_eq!(e.code, ErrorCode::Unsupported);
    let e = connector
        .list(
            &c,
            "jobs",
            &ListQuery {
                sort_field: Some("colour".into()),
                ..Default::default()
            },
        )
        .await
        .expect_err("not sortable");
    assert_eq!(e.code, ErrorCode::Unsupported);
    let e = connector
        .list(
            &c,
            "jobs",
            &ListQuery {
                cursor: Some("abc".into()),
                ..Default::default()
            },
        )
        .await
        .expect_err("bad cursor");
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    let e = connector
        .get(&c, "jobs", "../company")
        .await
        .expect_err("bad id");
    assert_eq!(e.code, ErrorCode::NotFound);
    let e = connector
        .create(&c, "invoices", &json!({}))
        .await
        .expect_err("read-only");
    assert_eq!(e.code, ErrorCode::Unsupported);
    let e = connector
        .create(&c, "jobs", &json!([1]))
        .await
        .expect_err("not object");
    assert_eq!(e.code, ErrorCode::ValidationFailed);
}

#[tokio::test]
async fn a_token_pasted_into_the_address_never_shows_in_the_error() {
    let connector = FergusConnector::new(FergusConnector::default_client());
    for address in [
        TOKEN.to_string(),
        format!("https://{TOKEN}"),
        format!("ftp://x/{TOKEN}"),
    ] {
        let c = creds(&address);
        let e = match connector.check_address(&c) {
            Err(e) => e,
            Ok(()) => connector.reach(&c).await.expect_err("cannot work"),
        };
        for text in [e.detail.clone(), e.to_string(), format!("{e:?}")] {
            assert!(!text.contains("unit-test"), "{address}: {text}");
        }
    }
}
