//! Shared helpers for the sandbox contract tests (real HTTP over loopback).
#![allow(dead_code)]

use patchbay_sandbox::{Sandbox, SandboxOptions};
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;

pub async fn start(jobs: usize) -> Sandbox {
    start_with(SandboxOptions {
        port: 0,
        demo_jobs: jobs,
        ..SandboxOptions::default()
    })
    .await
}

pub async fn start_with(options: SandboxOptions) -> Sandbox {
    Sandbox::start(options).await.expect("sandbox starts")
}

/// A client that does not follow redirects (303 is asserted as such).
pub fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub async fn get(sb: &Sandbox, token: &str, path: &str) -> Response {
    client()
        .get(format!("{}{path}", sb.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

pub async fn get_json(sb: &Sandbox, token: &str, path: &str) -> (StatusCode, Value) {
    let response = get(sb, token, path).await;
    let status = response.status();
    let body = response.json::<Value>().await.expect("json body");
    (status, body)
}

pub async fn send_json(
    sb: &Sandbox,
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: &Value,
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let response = client()
        .request(method, format!("{}{path}", sb.base_url()))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body, headers)
}

/// POST a control and return its JSON answer (asserting 200).
pub async fn control(sb: &Sandbox, path: &str, body: Value) -> Value {
    let response = client()
        .post(format!("{}/_sandbox{path}", sb.base_url()))
        .json(&body)
        .send()
        .await
        .expect("control request");
    assert_eq!(response.status(), StatusCode::OK, "control {path}");
    response.json().await.expect("control json")
}

pub async fn control_get(sb: &Sandbox, path: &str) -> Value {
    let response = client()
        .get(format!("{}/_sandbox{path}", sb.base_url()))
        .send()
        .await
        .expect("control request");
    assert_eq!(response.status(), StatusCode::OK, "control {path}");
    response.json().await.expect("control json")
}

pub async fn no_rate_limit(sb: &Sandbox) {
    control(sb, "/rate-limit", serde_json::json!({"enabled": false})).await;
}

/// Users of the demo company as listed by GET /_sandbox/companies.
pub async fn demo_users(sb: &Sandbox) -> Vec<Value> {
    let companies = control_get(sb, "/companies").await;
    companies["companies"]
        .as_array()
        .expect("companies")
        .iter()
        .find(|c| c["companyId"] == sb.demo().company_id)
        .expect("demo company listed")["users"]
        .as_array()
        .expect("users")
        .clone()
}

pub fn assert_fastify(body: &Value, status: u16) {
    assert_eq!(body["statusCode"], status, "{body}");
    assert!(body["error"].is_string(), "{body}");
    assert!(body["message"].is_string(), "{body}");
}
