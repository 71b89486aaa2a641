//! Contract tests: the Fergus connector against the Fergus sandbox over real
//! HTTP on loopback. Every test starts its own sandbox on an ephemeral port,
//! so tests run in parallel and never share state.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use patchbay_connectors::{
    Connector, ConnectorError, CreateOutcome, Credentials, ErrorCode, FergusConnector, ListQuery,
    Record, Secret, UnreachableCause,
};
use patchbay_sandbox::{Sandbox, SandboxOptions};
use serde_json::{json, Value};

// ---------------------------------------------------------------- helpers

// `..Default::default()` keeps this compiling when the sandbox adds options.
#[allow(clippy::needless_update)]
async fn sandbox_with(jobs: usize, rate_limit: bool) -> Sandbox {
    Sandbox::start(SandboxOptions {
        port: 0,
        seed: 42,
        demo_jobs: jobs as _,
        rate_limit_per_minute: 100,
        rate_limit_enabled: rate_limit,
        ..Default::default()
    })
    .await
    .expect("sandbox starts")
}

async fn sandbox() -> Sandbox {
    sandbox_with(40, false).await
}

fn connector() -> FergusConnector {
    FergusConnector::new(FergusConnector::default_client())
}

fn creds_for(api_url: &str, token: &str) -> Credentials {
    Credentials {
        api_url: api_url.to_string(),
        secret: Secret::new(token),
        fields: BTreeMap::new(),
    }
}

fn demo_creds(sandbox: &Sandbox) -> Credentials {
    creds_for(&sandbox.base_url(), &sandbox.demo().token)
}

/// Call a sandbox control endpoint; the answer's JSON (or null).
async fn control(sandbox: &Sandbox, method: reqwest::Method, path: &str, body: Value) -> Value {
    let url = format!("{}{}", sandbox.base_url().trim_end_matches('/'), path);
    let mut request = reqwest::Client::new().request(method, &url);
    if !body.is_null() {
        request = request.json(&body);
    }
    let response = request.send().await.expect("control request");
    let status = response.status();
    let text = response.text().await.expect("control body");
    assert!(status.is_success(), "{path} → {status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn post(sandbox: &Sandbox, path: &str, body: Value) -> Value {
    control(sandbox, reqwest::Method::POST, path, body).await
}

/// A new company with `jobs` jobs: (company id, user id, token).
async fn new_company(
    sandbox: &Sandbox,
    name: &str,
    jobs: u64,
    seed: u64,
) -> (String, String, String) {
    let answer = post(
        sandbox,
        "/_sandbox/companies",
        json!({"name": name, "jobs": jobs, "seed": seed}),
    )
    .await;
    let text = |key: &str| match &answer[key] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("{key} missing in {other:?} / {answer}"),
    };
    (text("companyId"), text("userId"), text("token"))
}

async fn set_fault(sandbox: &Sandbox, mode: &str) {
    post(
        sandbox,
        "/_sandbox/faults",
        json!({"mode": mode, "latencyMs": 0, "failRate": 1.0}),
    )
    .await;
}

/// Every record of `entity`, following the cursor to the end.
async fn list_all(
    connector: &FergusConnector,
    credentials: &Credentials,
    entity: &str,
    page_size: u32,
) -> (Vec<Record>, usize) {
    let mut records = Vec::new();
    let mut pages = 0;
    let mut query = ListQuery {
        page_size: Some(page_size),
        ..Default::default()
    };
    loop {
        let page = connector
            .list(credentials, entity, &query)
            .await
            .unwrap_or_else(|e| panic!("list {entity}: {e:?}"));
        pages += 1;
        assert!(pages <= 10_000, "paging does not end");
        records.extend(page.records);
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(cursor),
            None => break,
        }
    }
    (records, pages)
}

/// The token must never show in anything an error can print.
fn assert_token_absent(error: &ConnectorError, token: &str) {
    let token_tail = &token[token.len().saturating_sub(12)..];
    for text in [
        error.to_string(),
        format!("{error:?}"),
        error.detail.clone(),
        error.problems.join(" "),
    ] {
        assert!(!text.contains(token), "token leaked: {text}");
        assert!(!text.contains(token_tail), "token tail leaked: {text}");
    }
}

fn field_text(record: &Record, key: &str) -> Option<String> {
    match record.fields.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

// ---------------------------------------------------------------- connect steps

#[tokio::test]
async fn reach_sign_in_and_access_to_every_entity_type() {
    let sandbox = sandbox().await;
    let connector = connector();
    let credentials = demo_creds(&sandbox);

    let server = connector.reach(&credentials).await.expect("reach");
    assert!(server.version.as_deref().is_some_and(|v| !v.is_empty()));

    let account = connector.sign_in(&credentials).await.expect("sign in");
    assert_eq!(account.account_id, sandbox.demo().company_id.to_string());
    assert_eq!(account.account_name, sandbox.demo().name.to_string());

    for spec in &connector.descriptor().entity_types {
        let report = connector
            .check_access(&credentials, &spec.key)
            .await
            .unwrap_or_else(|e| panic!("access to {}: {e:?}", spec.key));
        assert_eq!(report.entity, spec.key);
    }
    let jobs = connector
        .check_access(&credentials, "jobs")
        .await
        .expect("jobs");
    assert!(jobs.count.is_some_and(|n| n >= 1), "{jobs:?}");

    // A probe is exactly one request.
    let before = control(
        &sandbox,
        reqwest::Method::GET,
        "/_sandbox/stats",
        Value::Null,
    )
    .await;
    let probe = connector.probe(&credentials).await;
    let after = control(
        &sandbox,
        reqwest::Method::GET,
        "/_sandbox/stats",
        Value::Null,
    )
    .await;
    let account = probe.result.expect("probe succeeds");
    assert_eq!(account.account_id, sandbox.demo().company_id.to_string());
    let total = |stats: &Value| stats["total"].as_u64().expect("stats total");
    assert_eq!(total(&after) - total(&before), 1, "{before} → {after}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn every_entity_type_lists_and_gets() {
    let sandbox = sandbox().await;
    let connector = connector();
    let credentials = demo_creds(&sandbox);
    for spec in &connector.descriptor().entity_types {
        let page = connector
            .list(
                &credentials,
                &spec.key,
                &ListQuery {
                    page_size: Some(5),
                    ..Default::default()
                },
            )
            .await
            .unwrap_or_else(|e| panic!("list {}: {e:?}", spec.key));
        assert!(page.records.len() <= 5, "{}", spec.key);
        if let Some(first) = page.records.first() {
            assert!(!first.title.is_empty());
            if matches!(spec.key.as_str(), "timeEntries" | "notes") {
                let e = connector
                    .get(&credentials, &spec.key, &first.id)
                    .await
                    .expect_err("list-only type");
                assert_eq!(e.code, ErrorCode::Unsupported);
                continue;
            }
            let again = connector
                .get(&credentials, &spec.key, &first.id)
                .await
                .unwrap_or_else(|e| panic!("get {} {}: {e:?}", spec.key, first.id));
            assert_eq!(again.id, first.id, "{}", spec.key);
            assert_eq!(again.fields, first.fields, "{}", spec.key);
        }
    }
    // The core types of a seeded company are never empty.
    for entity in ["jobs", "customers", "sites", "users"] {
        let page = connector
            .list(&credentials, entity, &ListQuery::default())
            .await
            .expect("list");
        assert!(!page.records.is_empty(), "{entity} is empty");
    }
    let job = &connector
        .list(&credentials, "jobs", &ListQuery::default())
        .await
        .expect("jobs")
        .records[0];
    assert!(job.title.starts_with("Job-"), "{}", job.title);

    let missing = connector
        .get(&credentials, "jobs", "987654321")
        .await
        .expect_err("no such job");
    assert_eq!(missing.code, ErrorCode::NotFound);
    assert_eq!(missing.status, Some(404));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_address_that_is_not_fergus_is_unexpected() {
    let sandbox = sandbox().await;
    let credentials = creds_for(
        &format!("{}/not-fergus", sandbox.base_url().trim_end_matches('/')),
        &sandbox.demo().token,
    );
    let e = connector()
        .reach(&credentials)
        .await
        .expect_err("not fergus");
    assert_eq!(e.code, ErrorCode::UnexpectedResponse);
    assert!(
        e.detail.contains("does not look like the Fergus API"),
        "{}",
        e.detail
    );
    assert_token_absent(&e, &sandbox.demo().token);
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------- paging

#[tokio::test]
async fn paging_reaches_every_job() {
    let sandbox = sandbox().await;
    let (_, _, token) = new_company(&sandbox, "Big Jobs Ltd", 2500, 7).await;
    let credentials = creds_for(&sandbox.base_url(), &token);
    let connector = connector();

    let (jobs, pages) = list_all(&connector, &credentials, "jobs", 500).await;
    let ids: HashSet<_> = jobs.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids.len(), jobs.len(), "a job came twice");
    // Every seeded job is readable (drafts never appear in reads).
    let drafts = jobs
        .iter()
        .filter(|r| r.fields.get("isDraft") == Some(&Value::Bool(true)))
        .count();
    assert_eq!(drafts, 0);
    assert_eq!(jobs.len(), 2500);
    assert_eq!(pages, 5);

    // A draft is never read back: the count stays at the non-draft jobs.
    let draft = json!({"jobType": "Quote", "title": "Draft only", "isDraft": true});
    connector
        .create(&credentials, "jobs", &draft)
        .await
        .expect("draft");
    let (again, _) = list_all(&connector, &credentials, "jobs", 500).await;
    assert_eq!(again.len(), 2500);

    let first = connector
        .list(
            &credentials,
            "jobs",
            &ListQuery {
                page_size: Some(500),
                ..Default::default()
            },
        )
        .await
        .expect("first page");
    assert_eq!(first.next_cursor.as_deref(), Some("500"));
    assert!(first.total.is_some_and(|t| t >= 2500), "{:?}", first.total);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn repeated_cursor_bug_gives_the_same_results() {
    let sandbox = sandbox().await;
    let (_, _, token) = new_company(&sandbox, "Cursor Bug Ltd", 230, 11).await;
    let credentials = creds_for(&sandbox.base_url(), &token);
    let connector = connector();

    let (clean, _) = list_all(&connector, &credentials, "jobs", 37).await;
    post(&sandbox, "/_sandbox/cursor-bug", json!({"enabled": true})).await;
    // The bug is really on: a raw page repeats `pageCursor` in its links.
    let raw: Value = reqwest::Client::new()
        .get(format!(
            "{}/jobs?pageCursor=37&pageSize=37",
            sandbox.base_url().trim_end_matches('/')
        ))
        .bearer_auth(&token)
        .send()
        .await
        .expect("raw page")
        .json()
        .await
        .expect("raw json");
    let links = raw["paging"]["links"].to_string();
    assert!(
        links.matches("pageCursor").count() > 3,
        "bug not visible: {links}"
    );
    let (buggy, _) = list_all(&connector, &credentials, "jobs", 37).await;
    post(&sandbox, "/_sandbox/cursor-bug", json!({"enabled": false})).await;

    let ids = |records: &[Record]| records.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    assert_eq!(clean.len(), 230);
    assert_eq!(ids(&clean), ids(&buggy));
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------- search and sort

#[tokio::test]
async fn search_finds_a_known_customer_and_job() {
    let sandbox = sandbox().await;
    let connector = connector();
    let credentials = demo_creds(&sandbox);

    let (customers, _) = list_all(&connector, &credentials, "customers", 500).await;
    let target = customers.last().expect("customers");
    let name = field_text(target, "customerFullName").expect("name");
    let found = connector
        .list(
            &credentials,
            "customers",
            &ListQuery {
                search: Some(name.clone()),
                ..Default::default()
            },
        )
        .await
        .expect("search");
    assert!(
        found.records.iter().any(|r| r.id == target.id),
        "{name} not found"
    );
    assert!(
        found.records.len() < customers.len(),
        "search did not narrow"
    );

    let (jobs, _) = list_all(&connector, &credentials, "jobs", 500).await;
    let job = &jobs[jobs.len() / 2];
    let description = field_text(job, "description").expect("description");
    let found = connector
        .list(
            &credentials,
            "jobs",
            &ListQuery {
                search: Some(description.clone()),
                ..Default::default()
            },
        )
        .await
        .expect("search jobs");
    assert!(
        found.records.iter().any(|r| r.id == job.id),
        "{description} not found"
    );

    let nothing = connector
        .list(
            &credentials,
            "customers",
            &ListQuery {
                search: Some("zzqx-no-such-customer-qxzz".into()),
                ..Default::default()
            },
        )
        .await
        .expect("empty search");
    assert!(nothing.records.is_empty());
    assert_eq!(nothing.next_cursor, None);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn sort_orders_jobs_by_number_both_ways() {
    let sandbox = sandbox().await;
    let connector = connector();
    let credentials = demo_creds(&sandbox);
    let numbers = |records: &[Record]| {
        records
            .iter()
            .map(|r| {
                field_text(r, "jobNo")
                    .and_then(|n| n.trim_start_matches("Job-").parse::<i64>().ok())
                    .expect("numeric jobNo")
            })
            .collect::<Vec<_>>()
    };
    let query = |descending| ListQuery {
        page_size: Some(500),
        sort_field: Some("jobNo".into()),
        sort_descending: descending,
        ..Default::default()
    };
    let asc = numbers(
        &connector
            .list(&credentials, "jobs", &query(false))
            .await
            .expect("asc")
            .records,
    );
    let desc = numbers(
        &connector
            .list(&credentials, "jobs", &query(true))
            .await
            .expect("desc")
            .records,
    );
    assert!(asc.len() > 2);
    assert!(asc.windows(2).all(|w| w[0] < w[1]), "{asc:?}");
    let mut reversed = desc.clone();
    reversed.reverse();
    assert_eq!(asc, reversed);
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------- credentials

#[tokio::test]
async fn a_revoked_token_is_rejected() {
    let sandbox = sandbox().await;
    let connector = connector();
    let credentials = demo_creds(&sandbox);
    let token = sandbox.demo().token.to_string();
    connector.sign_in(&credentials).await.expect("works before");

    post(&sandbox, "/_sandbox/tokens/revoke", json!({"token": token})).await;
    let e = connector.sign_in(&credentials).await.expect_err("revoked");
    assert_eq!(e.code, ErrorCode::AuthRejected);
    assert_eq!(e.status, Some(401));
    assert!(!e.is_transient());
    assert_token_absent(&e, &token);
    let probe = connector.probe(&credentials).await;
    let e = probe.result.expect_err("probe sees it");
    assert_eq!(e.code, ErrorCode::AuthRejected);
    let e = connector
        .list(&credentials, "jobs", &ListQuery::default())
        .await
        .expect_err("list sees it");
    assert_eq!(e.code, ErrorCode::AuthRejected);
    // Reaching the server needs no token and still works.
    connector.reach(&credentials).await.expect("reach");

    // A garbage token is rejected the same way.
    let garbage = creds_for(&sandbox.base_url(), "fergPAT_00000000-not-a-real-token");
    let e = connector.sign_in(&garbage).await.expect_err("garbage");
    assert_eq!(e.code, ErrorCode::AuthRejected);
    assert_token_absent(&e, "fergPAT_00000000-not-a-real-token");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_new_token_replaces_the_old_one() {
    let sandbox = sandbox().await;
    let connector = connector();
    let old = demo_creds(&sandbox);
    let answer = post(
        &sandbox,
        "/_sandbox/tokens",
        json!({"userId": sandbox.demo().user_id}),
    )
    .await;
    let new_token = answer["token"].as_str().expect("token").to_string();
    let new = creds_for(&sandbox.base_url(), &new_token);
    let account = connector.sign_in(&new).await.expect("new token works");
    assert_eq!(account.account_id, sandbox.demo().company_id.to_string());
    let e = connector.sign_in(&old).await.expect_err("old one replaced");
    assert_eq!(e.code, ErrorCode::AuthRejected);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_downgraded_user_lacks_permission() {
    let sandbox = sandbox().await;
    let connector = connector();
    let credentials = demo_creds(&sandbox);
    let path = format!("/_sandbox/users/{}/role", sandbox.demo().user_id);
    post(&sandbox, &path, json!({"role": "tradesman"})).await;
    let e = connector
        .probe(&credentials)
        .await
        .result
        .expect_err("downgraded");
    assert_eq!(e.code, ErrorCode::PermissionMissing);
    assert_eq!(e.status, Some(403));
    assert!(!e.is_transient());
    assert_token_absent(&e, &sandbox.demo().token);
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------- rate limit

#[tokio::test]
async fn rate_limit_headers_are_read_and_429_says_when_to_retry() {
    let sandbox = sandbox_with(10, true).await;
    let connector = connector();
    let credentials = demo_creds(&sandbox);

    let first = connector.probe(&credentials).await;
    first.result.expect("probe");
    let rate = first.rate.expect("x-ratelimit headers");
    assert_eq!(rate.limit, 100);
    assert!(rate.remaining < 100);
    let second = connector.probe(&credentials).await;
    assert!(second.rate.expect("headers").remaining < rate.remaining);

    post(
        &sandbox,
        "/_sandbox/rate-limit",
        json!({"perMinute": 3, "enabled": true}),
    )
    .await;
    let mut limited = None;
    for _ in 0..10 {
        let outcome = connector.probe(&credentials).await;
        if let Err(e) = outcome.result {
            limited = Some(e);
            break;
        }
    }
    let e = limited.expect("a 429 within 10 requests");
    assert_eq!(e.code, ErrorCode::RateLimited);
    assert_eq!(e.status, Some(429));
    assert!(e.retry_after_secs.is_some_and(|s| s > 0), "{e:?}");
    assert!(e.is_transient());
    assert_token_absent(&e, &sandbox.demo().token);
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------- faults

#[tokio::test]
async fn an_outage_is_service_down() {
    let sandbox = sandbox().await;
    let connector = connector();
    let credentials = demo_creds(&sandbox);
    set_fault(&sandbox, "outage503").await;
    let e = connector.sign_in(&credentials).await.expect_err("outage");
    assert_eq!(e.code, ErrorCode::ServiceDown);
    assert_eq!(e.status, Some(503));
    assert!(e.is_transient());
    assert_token_absent(&e, &sandbox.demo().token);
    let e = connector
        .probe(&credentials)
        .await
        .result
        .expect_err("probe");
    assert_eq!(e.code, ErrorCode::ServiceDown);
    set_fault(&sandbox, "none").await;
    connector.sign_in(&credentials).await.expect("recovered");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn slow_and_flaky_answers_are_never_about_credentials() {
    let sandbox = sandbox().await;
    let connector = connector();
    let credentials = demo_creds(&sandbox);

    post(
        &sandbox,
        "/_sandbox/faults",
        json!({"mode": "slow", "latencyMs": 200}),
    )
    .await;
    let outcome = connector.probe(&credentials).await;
    outcome.result.expect("slow still works");
    assert!(outcome.latency_ms >= 200, "latency {}", outcome.latency_ms);

    let flaky = |rate: f64| json!({"mode": "flaky", "latencyMs": 0, "failRate": rate});
    post(&sandbox, "/_sandbox/faults", flaky(1.0)).await;
    let e = connector
        .probe(&credentials)
        .await
        .result
        .expect_err("always fails");
    assert_eq!(e.code, ErrorCode::ServiceDown);
    post(&sandbox, "/_sandbox/faults", flaky(0.0)).await;
    connector
        .probe(&credentials)
        .await
        .result
        .expect("never fails");
    post(&sandbox, "/_sandbox/faults", flaky(0.5)).await;
    for _ in 0..20 {
        if let Err(e) = connector.probe(&credentials).await.result {
            assert_eq!(e.code, ErrorCode::ServiceDown);
            assert!(e.is_transient());
        }
    }
    set_fault(&sandbox, "none").await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_hanging_server_is_a_timeout() {
    let sandbox = sandbox().await;
    let connector = FergusConnector::new(FergusConnector::client_with_timeouts(
        Duration::from_secs(2),
        Duration::from_millis(500),
    ));
    let credentials = demo_creds(&sandbox);
    set_fault(&sandbox, "timeout").await;
    let e = connector.sign_in(&credentials).await.expect_err("timeout");
    assert_eq!(e.code, ErrorCode::Unreachable);
    assert_eq!(e.unreachable, Some(UnreachableCause::Timeout));
    assert!(e.is_transient());
    assert_token_absent(&e, &sandbox.demo().token);
    let outcome = connector.probe(&credentials).await;
    assert_eq!(
        outcome.result.expect_err("probe").unreachable,
        Some(UnreachableCause::Timeout)
    );
    set_fault(&sandbox, "none").await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_dropped_connection_is_a_reset() {
    let sandbox = sandbox().await;
    let connector = connector();
    let credentials = demo_creds(&sandbox);
    set_fault(&sandbox, "reset").await;
    let e = connector.sign_in(&credentials).await.expect_err("reset");
    assert_eq!(e.code, ErrorCode::Unreachable);
    assert_eq!(e.unreachable, Some(UnreachableCause::Reset), "{}", e.detail);
    assert_token_absent(&e, &sandbox.demo().token);
    set_fault(&sandbox, "none").await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_closed_port_is_refused() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let credentials = creds_for(
        &format!("http://127.0.0.1:{port}"),
        "fergPAT_abcdef12-3456-closed",
    );
    let connector = connector();
    let e = connector.reach(&credentials).await.expect_err("refused");
    assert_eq!(e.code, ErrorCode::Unreachable);
    assert_eq!(
        e.unreachable,
        Some(UnreachableCause::Refused),
        "{}",
        e.detail
    );
    let e = connector
        .probe(&credentials)
        .await
        .result
        .expect_err("probe");
    assert_eq!(e.unreachable, Some(UnreachableCause::Refused));
    assert_token_absent(&e, "fergPAT_abcdef12-3456-closed");
}

#[tokio::test]
async fn an_unknown_host_is_dns() {
    let credentials = creds_for("http://nonexistent.invalid", "fergPAT_abcdef12-3456-dnsdns");
    let e = connector().reach(&credentials).await.expect_err("dns");
    assert_eq!(e.code, ErrorCode::Unreachable);
    assert_eq!(e.unreachable, Some(UnreachableCause::Dns), "{}", e.detail);
}

#[tokio::test]
async fn a_malformed_address_is_invalid() {
    let connector = connector();
    for bad in [
        "not a url",
        "ftp://api.fergus.com",
        "https://",
        "api.fergus.com",
    ] {
        let credentials = creds_for(bad, "fergPAT_abcdef12-3456-badurl");
        let e = connector.reach(&credentials).await.expect_err(bad);
        assert_eq!(e.code, ErrorCode::AddressInvalid, "{bad}");
        let e = connector.sign_in(&credentials).await.expect_err(bad);
        assert_eq!(e.code, ErrorCode::AddressInvalid, "{bad}");
        assert_token_absent(&e, "fergPAT_abcdef12-3456-badurl");
    }
}

// ---------------------------------------------------------------- create

#[tokio::test]
async fn create_customer_then_duplicate_is_already_exists() {
    let sandbox = sandbox().await;
    let connector = connector();
    let credentials = demo_creds(&sandbox);
    let customer = json!({
        "customerFullName": "Patchbay Test Plumbing Ltd",
        "mainContact": {"firstName": "Hemi", "lastName": "Walker",
            "contactItems": [{"contactType": "email", "contactValue": "hemi@example.co.nz"}]},
        "physicalAddress": {"address1": "5 Tui Street", "addressCity": "Hamilton", "addressPostcode": "3204"}
    });
    let created = match connector
        .create(&credentials, "customers", &customer)
        .await
        .expect("create")
    {
        CreateOutcome::Created(record) => record,
        other => panic!("expected Created, got {other:?}"),
    };
    assert_eq!(created.title, "Patchbay Test Plumbing Ltd");

    match connector
        .create(&credentials, "customers", &customer)
        .await
        .expect("duplicate")
    {
        CreateOutcome::AlreadyExists(existing) => {
            assert_eq!(existing.id, created.id);
            assert_eq!(
                field_text(&existing, "customerFullName").as_deref(),
                Some("Patchbay Test Plumbing Ltd")
            );
        }
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    let fetched = connector
        .get(&credentials, "customers", &created.id)
        .await
        .expect("get");
    assert_eq!(fetched.id, created.id);

    let e = connector
        .create(
            &credentials,
            "customers",
            &json!({"customerFullName": "No Contact Ltd"}),
        )
        .await
        .expect_err("missing contact");
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    assert!(!e.problems.is_empty());
    assert_token_absent(&e, &sandbox.demo().token);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn create_draft_and_real_jobs() {
    let sandbox = sandbox().await;
    let connector = connector();
    let credentials = demo_creds(&sandbox);

    let draft = json!({"jobType": "Quote", "title": "Leaking tap (draft)", "isDraft": true});
    match connector
        .create(&credentials, "jobs", &draft)
        .await
        .expect("draft")
    {
        CreateOutcome::Created(record) => assert!(!record.id.is_empty()),
        other => panic!("expected Created, got {other:?}"),
    }

    let customer = connector
        .list(
            &credentials,
            "customers",
            &ListQuery {
                page_size: Some(1),
                ..Default::default()
            },
        )
        .await
        .expect("customers")
        .records
        .remove(0);
    let site = connector
        .list(
            &credentials,
            "sites",
            &ListQuery {
                page_size: Some(1),
                ..Default::default()
            },
        )
        .await
        .expect("sites")
        .records
        .remove(0);
    let customer_id: i64 = customer.id.parse().expect("integer id");
    let site_id: i64 = site.id.parse().expect("integer id");
    let job = json!({"jobType": "Charge Up", "title": "Replace hot water cylinder",
        "isDraft": false, "description": "Replace hot water cylinder",
        "customerId": customer_id, "siteId": site_id});
    let created = match connector
        .create(&credentials, "jobs", &job)
        .await
        .expect("job")
    {
        CreateOutcome::Created(record) => record,
        other => panic!("expected Created, got {other:?}"),
    };
    assert!(
        created.title.contains("Replace hot water cylinder"),
        "{}",
        created.title
    );
    let fetched = connector
        .get(&credentials, "jobs", &created.id)
        .await
        .expect("readable");
    assert_eq!(fetched.id, created.id);

    let incomplete = json!({"jobType": "Quote", "title": "Missing bits", "isDraft": false});
    let e = connector
        .create(&credentials, "jobs", &incomplete)
        .await
        .expect_err("validation");
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    assert!(matches!(e.status, Some(400 | 409 | 422)), "{e:?}");
    assert_eq!(
        e.problems,
        ["A job that is not a draft needs a description, a customer and a site."]
    );
    assert_token_absent(&e, &sandbox.demo().token);
    sandbox.shutdown().await;
}
