//! `/_sandbox/...` control routes: JSON in and out (camelCase), no auth,
//! loopback peers only (checked by the server before we get here).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::data::USER_ROLES;
use crate::http::{self, Resp};
use crate::server::MAX_BODY_BYTES;
use crate::state::{lock, read, write, FaultMode, FaultSpec, State, Stats};

/// Most jobs a company created through the controls may have.
pub const MAX_COMPANY_JOBS: usize = 1_000_000;
/// Furthest the sandbox clock may be moved, in days, either way.
pub const MAX_CLOCK_OFFSET_DAYS: i64 = 36_500;
/// Longest `latencyMs` a fault may use (one hour).
pub const MAX_FAULT_LATENCY_MS: u64 = 3_600_000;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateCompany {
    name: Option<String>,
    jobs: Option<usize>,
    seed: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct IssueToken {
    user_id: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RevokeToken {
    token: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetRole {
    role: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AdvanceClock {
    #[serde(default)]
    advance_days: i64,
    #[serde(default)]
    reset: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetFaults {
    mode: String,
    latency_ms: Option<u64>,
    fail_rate: Option<f64>,
    company_id: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetRateLimit {
    per_minute: Option<u32>,
    enabled: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetCursorBug {
    enabled: bool,
}

pub async fn handle(state: &Arc<State>, request: Request<Incoming>) -> Resp {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let bytes: Bytes = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return http::fastify_error(413, "Payload Too Large", "Request body is too large")
        }
    };
    let segments: Vec<&str> = path.split('/').skip(2).collect();
    let method = parts.method.clone();
    match (method, segments.as_slice()) {
        (Method::GET, ["companies"]) => list_companies(state),
        (Method::POST, ["companies"]) => match parse::<CreateCompany>(&bytes) {
            Ok(input) => create_company(state, input).await,
            Err(response) => response,
        },
        (Method::POST, ["tokens"]) => match parse::<IssueToken>(&bytes) {
            Ok(input) => issue_token(state, input.user_id),
            Err(response) => response,
        },
        (Method::POST, ["tokens", "revoke"]) => match parse::<RevokeToken>(&bytes) {
            Ok(input) => {
                let revoked = state.revoke_token(&input.token);
                ok(json!({"revoked": revoked}))
            }
            Err(response) => response,
        },
        (Method::POST, ["users", id, "role"]) => {
            match (id.parse::<i64>(), parse::<SetRole>(&bytes)) {
                (Ok(id), Ok(input)) => set_role(state, id, &input.role),
                (Err(_), _) => http::bad_request("user id must be an integer"),
                (_, Err(response)) => response,
            }
        }
        (Method::DELETE, ["users", id]) => match id.parse::<i64>() {
            Ok(id) => delete_user(state, id),
            Err(_) => http::bad_request("user id must be an integer"),
        },
        (Method::GET, ["clock"]) => clock_json(state),
        (Method::POST, ["clock"]) => match parse::<AdvanceClock>(&bytes) {
            Ok(input) => {
                if input.reset {
                    state.clock_offset_secs.store(0, Ordering::Relaxed);
                }
                // Keep sandbox time within a century either way (chrono's range is finite).
                let limit = MAX_CLOCK_OFFSET_DAYS * 86_400;
                let seconds = input
                    .advance_days
                    .clamp(-MAX_CLOCK_OFFSET_DAYS, MAX_CLOCK_OFFSET_DAYS)
                    * 86_400;
                let current = state.clock_offset_secs.load(Ordering::Relaxed);
                let next = current.saturating_add(seconds).clamp(-limit, limit);
                state.clock_offset_secs.store(next, Ordering::Relaxed);
                clock_json(state)
            }
            Err(response) => response,
        },
        (Method::POST, ["faults"]) => match parse::<SetFaults>(&bytes) {
            Ok(input) => set_faults(state, input),
            Err(response) => response,
        },
        (Method::POST, ["rate-limit"]) => match parse::<SetRateLimit>(&bytes) {
            Ok(input) => set_rate_limit(state, input),
            Err(response) => response,
        },
        (Method::POST, ["cursor-bug"]) => match parse::<SetCursorBug>(&bytes) {
            Ok(input) => {
                state.cursor_bug.store(input.enabled, Ordering::Relaxed);
                ok(json!({"enabled": input.enabled}))
            }
            Err(response) => response,
        },
        (Method::GET, ["stats"]) => stats(state),
        (Method::POST, ["reset-stats"]) => {
            *lock(&state.anonymous_stats) = Stats::default();
            for company in read(&state.companies).values() {
                *lock(&company.stats) = Stats::default();
            }
            ok(json!({"reset": true}))
        }
        (method, _) => http::route_not_found(method.as_str(), &path),
    }
}

fn ok(value: Value) -> Resp {
    http::json(StatusCode::OK, &value)
}

/// An empty body counts as `{}`; bad JSON or unknown fields → Fastify-style 400.
fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Resp> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    serde_json::from_slice(bytes)
        .map_err(|error| http::bad_request(&format!("Invalid control body: {error}")))
}

fn list_companies(state: &State) -> Resp {
    let companies = read(&state.companies);
    let mut ids: Vec<i64> = companies.keys().copied().collect();
    ids.sort_unstable();
    let mut list = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(company) = companies.get(&id) else {
            continue;
        };
        let data = read(&company.data);
        let users: Vec<Value> = data
            .set
            .users
            .iter()
            .filter(|u| !u.deleted)
            .map(|u| {
                let token = state.token_info(u.id);
                json!({
                    "userId": u.id,
                    "firstName": u.first_name,
                    "lastName": u.last_name,
                    "email": u.email,
                    "role": u.user_type,
                    "status": u.status,
                    "mayUseApi": crate::data::role_may_use_api(&u.user_type),
                    "hasActiveToken": token.is_some(),
                })
            })
            .collect();
        list.push(json!({
            "companyId": company.id,
            "name": company.name,
            "country": data.set.company.country,
            "jobs": data.set.jobs.len(),
            "users": users,
        }));
    }
    ok(json!({"companies": list}))
}

async fn create_company(state: &Arc<State>, input: CreateCompany) -> Resp {
    let jobs = input.jobs.unwrap_or(200);
    if jobs > MAX_COMPANY_JOBS {
        return http::bad_request(&format!("jobs must be <= {MAX_COMPANY_JOBS}"));
    }
    let seed = input.seed.unwrap_or(7);
    let name = input
        .name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("Sandbox Trades {seed}"));
    let worker_state = state.clone();
    let created =
        tokio::task::spawn_blocking(move || worker_state.create_company(&name, jobs, seed)).await;
    match created {
        Ok(company) => ok(json!({
            "companyId": company.company_id,
            "userId": company.user_id,
            "token": company.token,
            "name": company.name,
        })),
        Err(_) => http::fastify_error(500, "Internal Server Error", "Company generation failed"),
    }
}

fn issue_token(state: &State, user_id: i64) -> Resp {
    match state.issue_token(user_id) {
        Ok(token) => {
            let info = state.token_info(user_id);
            ok(json!({
                "token": token,
                "userId": user_id,
                "companyId": info.map(|i| i.company_id),
                "issuedAt": info.map(|i| i.issued_at),
                "expiresAt": info.and_then(|i| i.issued_at.checked_add_signed(chrono::Duration::days(crate::state::TOKEN_LIFETIME_DAYS))),
            }))
        }
        Err(_) => http::fastify_error(404, "Not Found", &format!("User {user_id} not found")),
    }
}

fn user_company(state: &State, user_id: i64) -> Option<Arc<crate::state::Company>> {
    let company_id = *read(&state.auth).user_company.get(&user_id)?;
    state.company(company_id)
}

fn set_role(state: &State, user_id: i64, role: &str) -> Resp {
    if !USER_ROLES.contains(&role) {
        return http::bad_request(&format!("role must be one of: {}", USER_ROLES.join(", ")));
    }
    let Some(company) = user_company(state, user_id) else {
        return http::fastify_error(404, "Not Found", &format!("User {user_id} not found"));
    };
    let mut data = write(&company.data);
    match data
        .set
        .users
        .iter_mut()
        .find(|u| u.id == user_id && !u.deleted)
    {
        Some(user) => {
            user.user_type = role.to_owned();
            ok(
                json!({"userId": user_id, "role": role, "mayUseApi": crate::data::role_may_use_api(role)}),
            )
        }
        None => http::fastify_error(404, "Not Found", &format!("User {user_id} not found")),
    }
}

fn delete_user(state: &State, user_id: i64) -> Resp {
    let Some(company) = user_company(state, user_id) else {
        return http::fastify_error(404, "Not Found", &format!("User {user_id} not found"));
    };
    {
        let mut data = write(&company.data);
        match data
            .set
            .users
            .iter_mut()
            .find(|u| u.id == user_id && !u.deleted)
        {
            Some(user) => {
                user.deleted = true;
                user.status = "disabled".to_owned();
            }
            None => {
                return http::fastify_error(404, "Not Found", &format!("User {user_id} not found"))
            }
        }
    }
    let token = read(&state.auth).current.get(&user_id).cloned();
    if let Some(token) = token {
        state.revoke_token(&token);
    }
    ok(json!({"userId": user_id, "deleted": true}))
}

fn clock_json(state: &State) -> Resp {
    let offset = state.clock_offset_secs.load(Ordering::Relaxed);
    ok(json!({
        "now": state.now(),
        "offsetDays": offset / 86_400,
    }))
}

fn set_faults(state: &State, input: SetFaults) -> Resp {
    let Some(mode) = FaultMode::parse(&input.mode) else {
        return http::bad_request(
            "mode must be one of: none, outage503, timeout, reset, slow, flaky",
        );
    };
    let fail_rate = input.fail_rate.unwrap_or(0.5);
    if !(0.0..=1.0).contains(&fail_rate) {
        return http::bad_request("failRate must be between 0.0 and 1.0");
    }
    if let Some(id) = input.company_id {
        if state.company(id).is_none() {
            return http::fastify_error(404, "Not Found", &format!("Company {id} not found"));
        }
    }
    let spec = FaultSpec {
        mode,
        latency_ms: input.latency_ms.unwrap_or(0).min(MAX_FAULT_LATENCY_MS),
        fail_rate,
    };
    state.set_fault(input.company_id, spec);
    ok(json!({
        "mode": input.mode,
        "latencyMs": spec.latency_ms,
        "failRate": spec.fail_rate,
        "companyId": input.company_id,
    }))
}

fn set_rate_limit(state: &State, input: SetRateLimit) -> Resp {
    if let Some(per_minute) = input.per_minute {
        if per_minute == 0 {
            return http::bad_request("perMinute must be >= 1");
        }
        state.rate_per_minute.store(per_minute, Ordering::Relaxed);
    }
    if let Some(enabled) = input.enabled {
        state.rate_enabled.store(enabled, Ordering::Relaxed);
    }
    // A changed budget starts a fresh window everywhere.
    for company in read(&state.companies).values() {
        company.reset_rate();
    }
    ok(json!({
        "perMinute": state.rate_per_minute.load(Ordering::Relaxed),
        "enabled": state.rate_enabled.load(Ordering::Relaxed),
    }))
}

fn stats(state: &State) -> Resp {
    let mut all = Stats::default();
    let mut companies = serde_json::Map::new();
    let list: Vec<Arc<crate::state::Company>> = read(&state.companies).values().cloned().collect();
    for company in list {
        let stats = lock(&company.stats);
        let mut entry = stats.to_json();
        if let Some(object) = entry.as_object_mut() {
            object.insert("companyId".to_owned(), json!(company.id));
            object.insert("name".to_owned(), json!(company.name));
        }
        companies.insert(company.id.to_string(), entry);
        merge(&mut all, &stats);
    }
    let anonymous = lock(&state.anonymous_stats);
    merge(&mut all, &anonymous);
    let mut out = all.to_json();
    if let Some(object) = out.as_object_mut() {
        object.insert("companies".to_owned(), Value::Object(companies));
        object.insert("anonymous".to_owned(), anonymous.to_json());
    }
    ok(out)
}

fn merge(into: &mut Stats, from: &Stats) {
    into.total += from.total;
    for (key, count) in &from.counts {
        *into.counts.entry(*key).or_insert(0) += count;
    }
}
