//! The HTTP server: hyper HTTP/1.1 connections on a loopback listener, the
//! Fergus request pipeline (faults → rate limit → route → auth → role →
//! handler) and the statistics.
//!
//! hyper is used directly (it is what axum runs on) because the `reset` fault
//! must drop a connection without answering, which a service error does.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use rand::Rng;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::api;
use crate::controls;
use crate::http::{self, Query, Resp};
use crate::page;
use crate::state::{lock, AuthOutcome, Company, FaultMode, State, STATUS_RESET, STATUS_TIMEOUT};

/// Largest request body accepted (bigger → 413).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// How long the `timeout` fault holds a request when no `latencyMs` is given.
pub const DEFAULT_TIMEOUT_HOLD_MS: u64 = 60_000;
/// Delay of the `slow` fault when no `latencyMs` is given.
pub const DEFAULT_SLOW_MS: u64 = 2_000;

/// Returned by the service to make hyper drop the connection without a response.
#[derive(Debug)]
pub struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose (sandbox fault)")
    }
}

impl std::error::Error for DropConnection {}

pub fn is_loopback(peer: &SocketAddr) -> bool {
    match peer.ip() {
        std::net::IpAddr::V4(ip) => ip.is_loopback(),
        std::net::IpAddr::V6(ip) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

pub async fn serve(listener: TcpListener, state: Arc<State>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => break,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(_) => {
                // Too many open files and the like: back off briefly.
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        let mut conn_shutdown = shutdown.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let state = state.clone();
                async move { handle(state, peer, request).await }
            });
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(30))
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                _ = conn_shutdown.changed() => {}
            }
        });
    }
}

async fn handle(
    state: Arc<State>,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> Result<Resp, DropConnection> {
    let path = request.uri().path();
    if path == "/_sandbox" || path.starts_with("/_sandbox/") {
        if !is_loopback(&peer) {
            return Ok(http::forbidden());
        }
        return Ok(controls::handle(&state, request).await);
    }
    if path == page::SETTINGS_PATH && request.method() == Method::GET {
        return Ok(page::settings_page());
    }
    fergus(state, request).await
}

/// What a route handler gets.
pub struct Call<'a> {
    pub state: &'a State,
    pub company: &'a Company,
    pub user_id: i64,
    pub query: &'a Query,
    pub body: Option<Value>,
    /// The path segment where the route has `{id}` (validated by the handler).
    pub id: Option<&'a str>,
    pub sub_id: Option<&'a str>,
}

async fn fergus(state: Arc<State>, request: Request<Incoming>) -> Result<Resp, DropConnection> {
    let (parts, body) = request.into_parts();
    let auth = state.authenticate(parts.headers.get(AUTHORIZATION).map(HeaderValue::as_bytes));
    let company = match &auth {
        AuthOutcome::Valid { company, .. } => Some(company.clone()),
        _ => None,
    };
    let route = api::match_route(&parts.method, parts.uri.path());
    let label = route.map(|r| r.label).unwrap_or("unmatched");

    // Faults first: a broken service answers nothing else.
    let fault = state.fault_for(company.as_ref().map(|c| c.id));
    match fault.mode {
        FaultMode::None => {}
        FaultMode::Reset => {
            record(&state, company.as_deref(), label, STATUS_RESET);
            return Err(DropConnection);
        }
        FaultMode::Timeout => {
            record(&state, company.as_deref(), label, STATUS_TIMEOUT);
            let hold = if fault.latency_ms > 0 {
                fault.latency_ms
            } else {
                DEFAULT_TIMEOUT_HOLD_MS
            };
            tokio::time::sleep(Duration::from_millis(hold)).await;
            return Err(DropConnection);
        }
        FaultMode::Outage503 => {
            return Ok(finish(
                &state,
                company.as_deref(),
                label,
                http::service_unavailable(),
                None,
            ));
        }
        FaultMode::Slow => {
            let delay = if fault.latency_ms > 0 {
                fault.latency_ms
            } else {
                DEFAULT_SLOW_MS
            };
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        FaultMode::Flaky => {
            if fault.latency_ms > 0 {
                tokio::time::sleep(Duration::from_millis(fault.latency_ms)).await;
            }
            let fails = rand::thread_rng().gen_bool(fault.fail_rate.clamp(0.0, 1.0));
            if fails {
                return Ok(finish(
                    &state,
                    company.as_deref(),
                    label,
                    http::service_unavailable(),
                    None,
                ));
            }
        }
    }

    // The company's shared rate budget.
    let mut rate = None;
    if let Some(company) = &company {
        if state.rate_enabled.load(Ordering::Relaxed) {
            let decision = company.take_rate(state.rate_per_minute.load(Ordering::Relaxed));
            if !decision.allowed {
                let mut response = http::fastify_error(
                    429,
                    "Too Many Requests",
                    &format!(
                        "Rate limit exceeded, retry in {} seconds",
                        decision.reset_secs
                    ),
                );
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(decision.reset_secs));
                return Ok(finish(
                    &state,
                    Some(company),
                    label,
                    response,
                    Some(&decision),
                ));
            }
            rate = Some(decision);
        }
    }
    let response = answer(&state, route, &auth, parts, body).await;
    Ok(finish(
        &state,
        company.as_deref(),
        label,
        response,
        rate.as_ref(),
    ))
}

async fn answer(
    state: &State,
    route: Option<api::Route>,
    auth: &AuthOutcome,
    parts: hyper::http::request::Parts,
    body: Incoming,
) -> Resp {
    let Some(route) = route else {
        return http::route_not_found(parts.method.as_str(), parts.uri.path());
    };
    if route.kind == api::Kind::Version {
        return http::json(
            StatusCode::OK,
            &serde_json::json!({"message": crate::state::FERGUS_VERSION}),
        );
    }
    let (company, user_id) = match auth {
        AuthOutcome::Missing => return http::unauthorized("Authorization header is missing"),
        AuthOutcome::Invalid => return http::unauthorized("Invalid access token"),
        AuthOutcome::Expired => return http::unauthorized("Access token has expired"),
        AuthOutcome::Valid {
            may_use_api: false, ..
        } => return http::forbidden(),
        AuthOutcome::Valid {
            company, user_id, ..
        } => (company, *user_id),
    };
    let query = match Query::parse(parts.uri.query()) {
        Ok(query) => query,
        Err(_) => return http::bad_request("querystring must be valid UTF-8"),
    };
    let body = if parts.method == Method::GET || parts.method == Method::HEAD {
        None
    } else {
        match read_body(&parts.headers, body).await {
            Ok(body) => body,
            Err(response) => return response,
        }
    };
    let path = parts.uri.path();
    let call = Call {
        state,
        company,
        user_id,
        query: &query,
        body,
        id: route.id_segment.and_then(|i| path.split('/').nth(i)),
        sub_id: route.sub_id_segment.and_then(|i| path.split('/').nth(i)),
    };
    api::dispatch(route.kind, route.label, call)
}

/// Read and parse a JSON body the way Fastify does. `Ok(None)` = no body.
async fn read_body(headers: &hyper::HeaderMap, body: Incoming) -> Result<Option<Value>, Resp> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let bytes: Bytes = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Err(http::fastify_error(
                413,
                "Payload Too Large",
                "Request body is too large",
            ))
        }
    };
    let is_json = content_type.as_deref().is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
    });
    if bytes.is_empty() {
        if is_json {
            return Err(http::bad_request(
                "Body cannot be empty when content-type is set to 'application/json'",
            ));
        }
        return Ok(None);
    }
    if !is_json {
        return Err(http::unsupported_media_type(
            content_type.as_deref().unwrap_or("undefined"),
        ));
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(value) => Ok(Some(value)),
        Err(error) => {
            let detail = if std::str::from_utf8(&bytes).is_err() {
                "body is not valid UTF-8".to_owned()
            } else {
                error.to_string()
            };
            Err(http::fastify_error(
                400,
                "Bad Request",
                &format!("Body is not valid JSON: {detail}"),
            ))
        }
    }
}

fn finish(
    state: &State,
    company: Option<&Company>,
    label: &'static str,
    mut response: Resp,
    rate: Option<&crate::state::RateDecision>,
) -> Resp {
    if let Some(rate) = rate {
        let headers = response.headers_mut();
        headers.insert("x-ratelimit-limit", HeaderValue::from(rate.limit));
        headers.insert("x-ratelimit-remaining", HeaderValue::from(rate.remaining));
        headers.insert("x-ratelimit-reset", HeaderValue::from(rate.reset_secs));
    }
    record(state, company, label, response.status().as_u16());
    response
}

fn record(state: &State, company: Option<&Company>, label: &'static str, status: u16) {
    match company {
        Some(company) => lock(&company.stats).record(label, status),
        None => lock(&state.anonymous_stats).record(label, status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_guard_accepts_only_loopback_peers() {
        let ok: [SocketAddr; 4] = [
            "127.0.0.1:5000"
                .parse()
                .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0))),
            "127.8.9.10:1"
                .parse()
                .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0))),
            "[::1]:80"
                .parse()
                .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0))),
            "[::ffff:127.0.0.1]:80"
                .parse()
                .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0))),
        ];
        for peer in ok {
            assert!(is_loopback(&peer), "{peer}");
        }
        let refused = [
            "10.0.0.5:80",
            "192.168.1.2:1",
            "[2001:db8::1]:80",
            "0.0.0.0:1",
            "[::ffff:10.0.0.1]:80",
        ];
        for peer in refused {
            let peer: SocketAddr = match peer.parse() {
                Ok(p) => p,
                Err(_) => panic!("bad test address {peer}"),
            };
            assert!(!is_loopback(&peer), "{peer}");
        }
    }
}
