//! The Fergus connector against a tiny canned HTTP server on loopback: answers
//! the sandbox does not give on purpose (a server echoing the token, HTML where
//! JSON belongs, a 500 with a validation body, a redirect-following client).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use patchbay_connectors::{
    Connector, CreateOutcome, Credentials, ErrorCode, FergusConnector, ListQuery, Secret,
};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const TOKEN: &str = "fergPAT_cafe1234-beef-5678-canned-3f9a";

/// One canned answer: status line, extra headers, body.
#[derive(Clone)]
struct Canned {
    status: &'static str,
    headers: Vec<(String, String)>,
    body: String,
}

fn json_answer(status: &'static str, body: serde_json::Value) -> Canned {
    Canned {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string(),
    }
}

type Route = Arc<dyn Fn(&str, &str) -> Canned + Send + Sync>;

/// Serve `route(method, path_and_query)` on 127.0.0.1:0; returns the base URL
/// and the request heads seen (for header assertions).
async fn serve(route: Route) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen_in_task = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let route = route.clone();
            let seen = seen_in_task.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    // Read one request: head, then Content-Length bytes.
                    let head_end = loop {
                        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                            break i + 4;
                        }
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    };
                    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
                    let length = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    while buffer.len() < head_end + length {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    }
                    buffer.drain(..head_end + length);
                    let mut parts = head.split_whitespace();
                    let method = parts.next().unwrap_or("").to_string();
                    let target = parts.next().unwrap_or("").to_string();
                    seen.lock().expect("lock").push(head.clone());
                    let answer = route(&method, &target);
                    let mut response = format!(
                        "HTTP/1.1 {}\r\ncontent-length: {}\r\n",
                        answer.status,
                        answer.body.len()
                    );
                    for (k, v) in &answer.headers {
                        response.push_str(&format!("{k}: {v}\r\n"));
                    }
                    response.push_str("\r\n");
                    response.push_str(&answer.body);
                    if stream.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (format!("http://{addr}"), seen)
}

fn creds(base: &str) -> Credentials {
    Credentials {
        api_url: base.to_string(),
        secret: Secret::new(TOKEN),
        fields: BTreeMap::new(),
    }
}

fn connector() -> FergusConnector {
    FergusConnector::new(FergusConnector::default_client())
}

fn assert_no_token(text: &str) {
    assert!(!text.contains("cafe1234"), "token leaked: {text}");
}

#[tokio::test]
async fn a_server_echoing_the_token_never_gets_it_into_an_error() {
    let route: Route = Arc::new(|_, _| {
        json_answer(
            "401 Unauthorized",
            json!({"statusCode": 401, "error": "Unauthorized",
                   "message": format!("Bearer {TOKEN} is not valid")}),
        )
    });
    let (base, _) = serve(route).await;
    let e = connector().sign_in(&creds(&base)).await.expect_err("401");
    assert_eq!(e.code, ErrorCode::AuthRejected);
    assert!(e.detail.contains("HTTP 401"));
    assert!(e.detail.contains("GET /company"));
    assert_no_token(&e.detail);
    assert_no_token(&e.to_string());
    assert_no_token(&format!("{e:?}"));
}

#[tokio::test]
async fn headers_follow_the_fergus_rules() {
    let route: Route = Arc::new(|method, target| match (method, target) {
        ("GET", "/version") => json_answer("200 OK", json!({"message": "1.2.3"})),
        ("GET", "/company") => json_answer(
            "200 OK",
            json!({"result": "success", "data": {"id": 9, "name": "Canned Co"}}),
        ),
        ("POST", "/customers") => json_answer(
            "201 Created",
            json!({"result": "success", "data": {"id": 5, "customerFullName": "A"}}),
        ),
        _ => json_answer("404 Not Found", json!({"message": "nope"})),
    });
    let (base, seen) = serve(route).await;
    let connector = connector();
    let c = creds(&base);
    let info = connector.reach(&c).await.expect("reach");
    assert_eq!(info.version.as_deref(), Some("1.2.3"));
    let account = connector.sign_in(&c).await.expect("sign in");
    assert_eq!(account.account_id, "9");
    assert_eq!(account.account_name, "Canned Co");
    let created = connector
        .create(
            &c,
            "customers",
            &json!({"customerFullName": "A", "mainContact": {"firstName": "B"}}),
        )
        .await
        .expect("create");
    assert!(matches!(created, CreateOutcome::Created(r) if r.id == "5"));

    let heads = seen.lock().expect("lock").clone();
    assert_eq!(heads.len(), 3);
    let lower: Vec<String> = heads.iter().map(|h| h.to_ascii_lowercase()).collect();
    // /version goes without the token: the address is not known to be Fergus yet.
    assert!(!lower[0].contains("authorization"));
    assert!(lower[1].contains(&format!(
        "authorization: bearer {}",
        TOKEN.to_ascii_lowercase()
    )));
    for head in &lower {
        assert!(head.contains("accept: application/json"));
        assert!(head.contains("user-agent: patchbay/"));
    }
    // Content-Type only when a body is sent.
    assert!(!lower[0].contains("content-type"));
    assert!(!lower[1].contains("content-type"));
    assert!(lower[2].contains("content-type: application/json"));
}

#[tokio::test]
async fn html_where_json_belongs_is_unexpected() {
    let route: Route = Arc::new(|_, _| Canned {
        status: "200 OK",
        headers: vec![("content-type".into(), "text/html".into())],
        body: "<html><body>Welcome to nginx!</body></html>".into(),
    });
    let (base, _) = serve(route).await;
    let connector = connector();
    let c = creds(&base);
    let e = connector.reach(&c).await.expect_err("not fergus");
    assert_eq!(e.code, ErrorCode::UnexpectedResponse);
    assert!(e.detail.contains("does not look like the Fergus API"));
    let e = connector.sign_in(&c).await.expect_err("not json");
    assert_eq!(e.code, ErrorCode::UnexpectedResponse);
    let e = connector
        .list(&c, "jobs", &ListQuery::default())
        .await
        .expect_err("not json");
    assert_eq!(e.code, ErrorCode::UnexpectedResponse);
    assert!(e.is_transient());
}

#[tokio::test]
async fn service_down_keeps_retry_after() {
    let route: Route = Arc::new(|_, _| Canned {
        status: "503 Service Unavailable",
        headers: vec![("retry-after".into(), "120".into())],
        body: "upstream down".into(),
    });
    let (base, _) = serve(route).await;
    let outcome = connector().probe(&creds(&base)).await;
    let e = outcome.result.expect_err("503");
    assert_eq!(e.code, ErrorCode::ServiceDown);
    assert_eq!(e.retry_after_secs, Some(120));
}

#[tokio::test]
async fn a_500_with_a_validation_body_on_create_is_validation() {
    let route: Route = Arc::new(|_, _| {
        json_answer(
            "500 Internal Server Error",
            json!({"statusCode": 500, "message": "Validation Failed: [\"siteId does not exist\"]"}),
        )
    });
    let (base, _) = serve(route).await;
    let job = json!({"jobType": "Quote", "title": "x", "isDraft": false,
        "description": "d", "customerId": 1, "siteId": 999});
    let e = connector()
        .create(&creds(&base), "jobs", &job)
        .await
        .expect_err("validation");
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    assert_eq!(e.problems, ["siteId does not exist"]);
}

#[tokio::test]
async fn duplicates_are_found_with_either_kind_of_client() {
    let route: Route = Arc::new(|method, target| match (method, target) {
        ("POST", "/customers") => Canned {
            status: "303 See Other",
            headers: vec![("location".into(), "/customers/42".into())],
            body: String::new(),
        },
        ("GET", "/customers/42") => json_answer(
            "200 OK",
            json!({"result": "success", "data": {"id": 42, "customerFullName": "Existing Ltd"}}),
        ),
        _ => json_answer("404 Not Found", json!({"message": "nope"})),
    });
    let (base, seen) = serve(route).await;
    let body = json!({"customerFullName": "Existing Ltd", "mainContact": {"firstName": "E"}});

    // Patchbay's own client does not follow redirects: the connector does.
    let outcome = connector()
        .create(&creds(&base), "customers", &body)
        .await
        .expect("duplicate");
    assert!(
        matches!(&outcome, CreateOutcome::AlreadyExists(r) if r.id == "42" && r.title == "Existing Ltd"),
        "{outcome:?}"
    );
    // The follow-up GET carries the token but no body and no Content-Type.
    let heads = seen.lock().expect("lock").clone();
    let follow = heads.last().expect("a GET").to_ascii_lowercase();
    assert!(follow.starts_with("get /customers/42"));
    assert!(follow.contains("authorization: bearer"));
    assert!(!follow.contains("content-type"));

    // A client that follows redirects by itself lands on the record.
    let following = FergusConnector::new(reqwest::Client::new());
    let outcome = following
        .create(&creds(&base), "customers", &body)
        .await
        .expect("duplicate");
    assert!(
        matches!(&outcome, CreateOutcome::AlreadyExists(r) if r.id == "42"),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_redirect_to_another_server_is_not_followed() {
    let route: Route = Arc::new(|_, _| Canned {
        status: "303 See Other",
        headers: vec![("location".into(), "http://127.0.0.2:1/customers/42".into())],
        body: String::new(),
    });
    let (base, seen) = serve(route).await;
    let body = json!({"customerFullName": "X", "mainContact": {"firstName": "Y"}});
    let e = connector()
        .create(&creds(&base), "customers", &body)
        .await
        .expect_err("foreign redirect");
    assert_eq!(e.code, ErrorCode::UnexpectedResponse);
    assert_eq!(seen.lock().expect("lock").len(), 1);
}

#[tokio::test]
async fn a_next_link_that_does_not_advance_is_an_error_not_a_loop() {
    let route: Route = Arc::new(|_, _| {
        json_answer(
            "200 OK",
            json!({"result": "success", "data": [{"id": 1, "jobNo": 1}],
                   "paging": {"perPage": 1, "pageCount": 3,
                              "links": {"next": "/jobs?pageCursor=0&pageSize=1"}}}),
        )
    });
    let (base, _) = serve(route).await;
    let e = connector()
        .list(&creds(&base), "jobs", &ListQuery::default())
        .await
        .expect_err("stuck");
    assert_eq!(e.code, ErrorCode::UnexpectedResponse);
}

/// A TLS server whose certificate nobody trusts (self-signed, test-only
/// fixture): the connector must say `tls_untrusted`, not "unreachable".
#[tokio::test]
async fn an_untrusted_certificate_is_tls_untrusted() {
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use tokio_rustls::rustls::ServerConfig;

    let cert =
        CertificateDer::from_pem_slice(include_bytes!("fixtures/untrusted-selfsigned.cert.pem"))
            .expect("fixture certificate");
    let key =
        PrivateKeyDer::from_pem_slice(include_bytes!("fixtures/untrusted-selfsigned.key.pem"))
            .expect("fixture key");
    let config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // The handshake fails on the client side; nothing to serve.
                let _ = acceptor.accept(stream).await;
            });
        }
    });

    let c = creds(&format!("https://localhost:{port}"));
    let e = connector().reach(&c).await.expect_err("untrusted");
    assert_eq!(e.code, ErrorCode::TlsUntrusted, "{}", e.detail);
    assert!(!e.is_transient());
    let e = connector().probe(&c).await.result.expect_err("untrusted");
    assert_eq!(e.code, ErrorCode::TlsUntrusted);
    assert_no_token(&e.detail);
}
