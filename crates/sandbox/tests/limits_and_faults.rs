//! Per-company rate budget, every fault mode (global and company-scoped) and
//! the request statistics.

mod common;

use std::time::Duration;

use common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn rate_budget_is_per_company_and_shared_by_its_tokens() {
    let sb = start(30).await;
    let answer = control(&sb, "/rate-limit", json!({"perMinute": 5, "enabled": true})).await;
    assert_eq!(answer, json!({"perMinute": 5, "enabled": true}));
    let token = sb.demo().token.clone();
    for expected_remaining in (0..5).rev() {
        let response = get(&sb, &token, "/company").await;
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers();
        assert_eq!(headers["x-ratelimit-limit"], "5");
        assert_eq!(
            headers["x-ratelimit-remaining"],
            expected_remaining.to_string().as_str()
        );
        let reset: u64 = headers["x-ratelimit-reset"]
            .to_str()
            .unwrap_or("")
            .parse()
            .expect("reset secs");
        assert!((1..=60).contains(&reset));
    }
    let response = get(&sb, &token, "/jobs").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap_or("")
        .parse()
        .expect("retry-after secs");
    assert!((1..=60).contains(&retry));
    assert_eq!(response.headers()["x-ratelimit-remaining"], "0");
    let body: serde_json::Value = response.json().await.expect("json");
    assert_fastify(&body, 429);

    // A second user's token of the same company shares the budget.
    let full_user = demo_users(&sb)
        .await
        .into_iter()
        .find(|u| u["role"] == "full_user")
        .expect("a full user");
    let second = control(&sb, "/tokens", json!({"userId": full_user["userId"]})).await;
    let second = second["token"].as_str().expect("token").to_owned();
    assert_eq!(
        get(&sb, &second, "/company").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );

    // Another company has its own budget.
    let other = control(
        &sb,
        "/companies",
        json!({"name": "Other", "jobs": 5, "seed": 2}),
    )
    .await;
    let other = other["token"].as_str().expect("token").to_owned();
    assert_eq!(get(&sb, &other, "/company").await.status(), StatusCode::OK);

    // Turning the limit off lifts it (and drops the headers).
    control(&sb, "/rate-limit", json!({"enabled": false})).await;
    let response = get(&sb, &token, "/company").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get("x-ratelimit-limit").is_none());
    sb.shutdown().await;
}

#[tokio::test]
async fn outage_is_global_or_company_scoped_and_controls_keep_working() {
    let sb = start(10).await;
    let token = sb.demo().token.clone();
    let other = control(
        &sb,
        "/companies",
        json!({"name": "Other", "jobs": 5, "seed": 2}),
    )
    .await;
    let other_token = other["token"].as_str().expect("token").to_owned();

    control(&sb, "/faults", json!({"mode": "outage503"})).await;
    for path in ["/company", "/version", "/jobs"] {
        let (status, body) = get_json(&sb, &token, path).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_fastify(&body, 503);
    }
    assert_eq!(
        client()
            .get(sb.settings_page_url())
            .send()
            .await
            .expect("page")
            .status(),
        StatusCode::OK
    );
    control(&sb, "/faults", json!({"mode": "none"})).await;
    assert_eq!(get(&sb, &token, "/company").await.status(), StatusCode::OK);

    let scoped = control(
        &sb,
        "/faults",
        json!({"mode": "outage503", "companyId": sb.demo().company_id}),
    )
    .await;
    assert_eq!(scoped["companyId"], sb.demo().company_id);
    assert_eq!(
        get(&sb, &token, "/company").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        get(&sb, &other_token, "/company").await.status(),
        StatusCode::OK
    );
    control(
        &sb,
        "/faults",
        json!({"mode": "none", "companyId": sb.demo().company_id}),
    )
    .await;
    assert_eq!(get(&sb, &token, "/company").await.status(), StatusCode::OK);

    let response = client()
        .post(format!("{}/_sandbox/faults", sb.base_url()))
        .json(&json!({"mode": "meteor"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    sb.shutdown().await;
}

#[tokio::test]
async fn timeout_holds_the_request_without_answering() {
    let sb = start(10).await;
    control(
        &sb,
        "/faults",
        json!({"mode": "timeout", "latencyMs": 30000}),
    )
    .await;
    let quick = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let error = quick
        .get(format!("{}/company", sb.base_url()))
        .bearer_auth(&sb.demo().token)
        .send()
        .await
        .expect_err("the sandbox must not answer");
    assert!(error.is_timeout(), "{error}");
    control(&sb, "/faults", json!({"mode": "none"})).await;
    assert_eq!(
        get(&sb, &sb.demo().token, "/company").await.status(),
        StatusCode::OK
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn reset_drops_the_connection() {
    let sb = start(10).await;
    control(&sb, "/faults", json!({"mode": "reset"})).await;
    let error = client()
        .get(format!("{}/company", sb.base_url()))
        .bearer_auth(&sb.demo().token)
        .send()
        .await
        .expect_err("the connection must drop");
    assert!(!error.is_timeout(), "{error}");
    assert!(error.status().is_none(), "no HTTP status: {error}");
    control(&sb, "/faults", json!({"mode": "none"})).await;
    assert_eq!(
        get(&sb, &sb.demo().token, "/company").await.status(),
        StatusCode::OK
    );
    let stats = control_get(&sb, "/stats").await;
    let company = &stats["companies"][sb.demo().company_id.to_string()];
    assert_eq!(company["byStatus"]["reset"], 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn slow_delays_answers() {
    let sb = start(10).await;
    control(&sb, "/faults", json!({"mode": "slow", "latencyMs": 3000})).await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .expect("client");
    let error = impatient
        .get(format!("{}/company", sb.base_url()))
        .bearer_auth(&sb.demo().token)
        .send()
        .await
        .expect_err("too slow for a 200 ms client");
    assert!(error.is_timeout());
    control(&sb, "/faults", json!({"mode": "slow", "latencyMs": 50})).await;
    assert_eq!(
        get(&sb, &sb.demo().token, "/company").await.status(),
        StatusCode::OK
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn flaky_fails_a_share_of_requests() {
    let sb = start(10).await;
    no_rate_limit(&sb).await;
    let token = sb.demo().token.clone();
    control(&sb, "/faults", json!({"mode": "flaky", "failRate": 1.0})).await;
    for _ in 0..10 {
        assert_eq!(
            get(&sb, &token, "/company").await.status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }
    control(&sb, "/faults", json!({"mode": "flaky", "failRate": 0.0})).await;
    for _ in 0..10 {
        assert_eq!(get(&sb, &token, "/company").await.status(), StatusCode::OK);
    }
    control(&sb, "/faults", json!({"mode": "flaky", "failRate": 0.5})).await;
    let (mut ok, mut failed) = (0, 0);
    for _ in 0..200 {
        match get(&sb, &token, "/company").await.status() {
            StatusCode::OK => ok += 1,
            StatusCode::SERVICE_UNAVAILABLE => failed += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert!(ok > 0 && failed > 0, "ok {ok}, failed {failed}");
    sb.shutdown().await;
}

#[tokio::test]
async fn stats_count_requests_per_company_route_and_status() {
    let sb = start(10).await;
    let token = sb.demo().token.clone();
    get(&sb, &token, "/company").await;
    control(&sb, "/reset-stats", json!({})).await;
    for _ in 0..3 {
        assert_eq!(get(&sb, &token, "/jobs").await.status(), StatusCode::OK);
    }
    get(&sb, &token, "/jobs/10000").await;
    get(&sb, &token, "/jobs/1").await;
    get(&sb, &token, "/nowhere").await;
    get(&sb, "fergPAT_nope", "/company").await;
    let stats = control_get(&sb, "/stats").await;
    let company = &stats["companies"][sb.demo().company_id.to_string()];
    assert_eq!(company["companyId"], sb.demo().company_id);
    assert_eq!(company["total"], 6);
    assert_eq!(company["byRoute"]["GET /jobs"], 3);
    assert_eq!(company["byRoute"]["GET /jobs/{id}"], 2);
    assert_eq!(company["byRoute"]["unmatched"], 1);
    assert_eq!(company["byStatus"]["200"], 4);
    assert_eq!(company["byStatus"]["404"], 2);
    assert_eq!(company["byRouteStatus"]["GET /jobs/{id}"]["404"], 1);
    assert_eq!(stats["anonymous"]["byStatus"]["401"], 1);
    assert_eq!(stats["total"], 7);
    // Controls are not counted.
    let again = control_get(&sb, "/stats").await;
    assert_eq!(again["total"], 7);
    sb.shutdown().await;
}
