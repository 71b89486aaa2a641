//! Tokens: missing/unknown/revoked/expired, one token per user, downgrade and
//! removal of the user, and the loopback-only controls.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn demo_token_works_and_version_needs_no_token() {
    let sb = start(50).await;
    assert!(sb.base_url().starts_with("http://127.0.0.1:"));
    assert!(!sb.base_url().ends_with('/'));
    assert!(sb.demo().token.starts_with("fergPAT_"));
    assert_eq!(sb.demo().token.len(), "fergPAT_".len() + 36);
    let (status, body) = get_json(&sb, "", "/version").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["message"].is_string());
    assert!(body.get("result").is_none(), "version is not wrapped");
    let (status, body) = get_json(&sb, &sb.demo().token, "/company").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["result"], "success");
    assert_eq!(body["data"]["name"], sb.demo().name);
    assert_eq!(body["data"]["tax"]["type"], "GST");
    assert_eq!(body["data"]["tax"]["rate"], 15, "seed 7 is a NZ company");
    let (status, body, _) = send_json(
        &sb,
        reqwest::Method::POST,
        &sb.demo().token,
        "/disconnect",
        &json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["result"], "success");
    sb.shutdown().await;
}

#[tokio::test]
async fn missing_unknown_malformed_and_revoked_tokens_get_401() {
    let sb = start(20).await;
    let url = format!("{}/company", sb.base_url());
    let response = client().get(&url).send().await.expect("request");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_fastify(&body, 401);
    assert_eq!(body["error"], "Unauthorized");

    for bad in [
        "fergPAT_00000000-0000-0000-0000-000000000000",
        "not-a-fergus-token",
    ] {
        let (status, body) = get_json(&sb, bad, "/company").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{bad}");
        assert_fastify(&body, 401);
    }
    let response = client()
        .get(&url)
        .header("Authorization", format!("Basic {}", sb.demo().token))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let answer = control(&sb, "/tokens/revoke", json!({"token": sb.demo().token})).await;
    assert_eq!(answer["revoked"], true);
    let (status, body) = get_json(&sb, &sb.demo().token, "/company").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_fastify(&body, 401);
    // Revoking again changes nothing.
    let answer = control(&sb, "/tokens/revoke", json!({"token": sb.demo().token})).await;
    assert_eq!(answer["revoked"], false);
    sb.shutdown().await;
}

#[tokio::test]
async fn tokens_expire_after_365_days_of_sandbox_time() {
    let sb = start(20).await;
    let token = sb.demo().token.clone();
    let clock = control(&sb, "/clock", json!({"advanceDays": 364})).await;
    assert_eq!(clock["offsetDays"], 364);
    assert_eq!(get(&sb, &token, "/company").await.status(), StatusCode::OK);
    control(&sb, "/clock", json!({"advanceDays": 1})).await;
    let (status, body) = get_json(&sb, &token, "/company").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_fastify(&body, 401);
    assert!(body["message"].as_str().unwrap_or("").contains("expired"));
    // A token issued now is good for another year.
    let fresh = control(&sb, "/tokens", json!({"userId": sb.demo().user_id})).await;
    let fresh = fresh["token"].as_str().expect("token").to_owned();
    assert_eq!(get(&sb, &fresh, "/company").await.status(), StatusCode::OK);
    sb.shutdown().await;
}

#[tokio::test]
async fn one_active_token_per_user() {
    let sb = start(20).await;
    let old = sb.demo().token.clone();
    let issued = control(&sb, "/tokens", json!({"userId": sb.demo().user_id})).await;
    let new = issued["token"].as_str().expect("token").to_owned();
    assert_ne!(new, old);
    assert!(new.starts_with("fergPAT_"));
    assert_eq!(issued["companyId"], sb.demo().company_id);
    assert_eq!(
        get(&sb, &old, "/company").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(get(&sb, &new, "/company").await.status(), StatusCode::OK);
    // Unknown user → 404 from the control.
    let response = client()
        .post(format!("{}/_sandbox/tokens", sb.base_url()))
        .json(&json!({"userId": 42}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    sb.shutdown().await;
}

#[tokio::test]
async fn downgraded_user_gets_403_except_on_version() {
    let sb = start(20).await;
    let token = sb.demo().token.clone();
    let user = sb.demo().user_id;
    let answer = control(
        &sb,
        &format!("/users/{user}/role"),
        json!({"role": "tradesman"}),
    )
    .await;
    assert_eq!(answer["role"], "tradesman");
    for path in ["/company", "/jobs", "/customers", "/nope"] {
        let response = get(&sb, &token, path).await;
        if path == "/nope" {
            assert_eq!(response.status(), StatusCode::NOT_FOUND);
            continue;
        }
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body, json!({"message": "Forbidden"}));
    }
    assert_eq!(get(&sb, &token, "/version").await.status(), StatusCode::OK);
    control(
        &sb,
        &format!("/users/{user}/role"),
        json!({"role": "full_user"}),
    )
    .await;
    assert_eq!(get(&sb, &token, "/company").await.status(), StatusCode::OK);
    // Unknown roles are refused by the control.
    let response = client()
        .post(format!("{}/_sandbox/users/{user}/role", sb.base_url()))
        .json(&json!({"role": "overlord"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    sb.shutdown().await;
}

#[tokio::test]
async fn removed_user_gets_401_and_disappears_from_users() {
    let sb = start(20).await;
    let token = sb.demo().token.clone();
    let user = sb.demo().user_id;
    let response = client()
        .delete(format!("{}/_sandbox/users/{user}", sb.base_url()))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        get(&sb, &token, "/company").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(demo_users(&sb).await.iter().all(|u| u["userId"] != user));
    sb.shutdown().await;
}

#[tokio::test]
async fn tokens_only_see_their_own_company() {
    let sb = start(30).await;
    let other = control(
        &sb,
        "/companies",
        json!({"name": "Other Co", "jobs": 30, "seed": 3}),
    )
    .await;
    let other_token = other["token"].as_str().expect("token");
    assert_ne!(other["companyId"], sb.demo().company_id);
    let (_, mine) = get_json(&sb, &sb.demo().token, "/company").await;
    let (_, theirs) = get_json(&sb, other_token, "/company").await;
    assert_eq!(mine["data"]["id"], sb.demo().company_id);
    assert_eq!(theirs["data"]["id"], other["companyId"]);
    assert_eq!(theirs["data"]["name"], "Other Co");
    assert_eq!(
        theirs["data"]["tax"]["rate"], 10,
        "seed 3 is an Australian company"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn practice_settings_page_is_served() {
    let sb = start(10).await;
    assert_eq!(
        sb.settings_page_url(),
        format!("{}/settings/integrations/fergus-api", sb.base_url())
    );
    let response = client()
        .get(sb.settings_page_url())
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .to_owned();
    assert!(content_type.starts_with("text/html"));
    let html = response.text().await.expect("text");
    assert!(html.contains("Generate PAT"));
    assert!(html.contains("not real Fergus"));
    assert!(html.contains("only once"));
    let companies = control_get(&sb, "/companies").await;
    assert_eq!(companies["companies"][0]["name"], sb.demo().name);
    sb.shutdown().await;
}
