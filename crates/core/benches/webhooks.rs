//! `cargo bench -p patchbay-core --bench webhooks`
//!
//! Prints one `name: value` line per figure (context lines start with `# `):
//!
//! - `webhook_throughput_per_s`: 2,000 queued messages delivered to a local
//!   200-OK receiver (which verifies every signature) by the delivery passes
//!   the worker runs (claim, sign, POST, log each attempt). Goal ≥ 500.
//! - `webhook_alert_latency_p99_ms`: with the worker running, health
//!   transitions caused by real checks against the Fergus sandbox (outage →
//!   offline, back → recovered); the time from the transition (its stored
//!   timestamp) to the receiver getting the signed alert. Goal < 250.
//!
//! Secrets come from `InMemorySecrets` (the worker reads the signing secret
//! from the engine's in-memory cache either way). Everything runs in-process
//! on 127.0.0.1 and stops by itself; nothing here asserts a time.

use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use patchbay_core::connectors::fergus::FergusConnector;
use patchbay_core::webhooks::signing;
use patchbay_core::*;
use patchbay_sandbox::{Sandbox, SandboxOptions};
use serde_json::{json, Value};

type Fallible<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const THROUGHPUT_MESSAGES: usize = 2_000;
const LATENCY_CYCLES: usize = 60;

#[derive(Default)]
struct Receiver {
    secret: Mutex<String>,
    delivered: Mutex<usize>,
    bad_signatures: Mutex<usize>,
    /// Transition → receipt, for connection events.
    latencies_ms: Mutex<Vec<f64>>,
}

async fn hook(State(rx): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let received = Utc::now();
    let secret = rx.secret.lock().map(|s| s.clone()).unwrap_or_default();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if signing::verify(&secret, header, &body, received, 300).is_err() {
        if let Ok(mut bad) = rx.bad_signatures.lock() {
            *bad += 1;
        }
    }
    if let Ok(mut n) = rx.delivered.lock() {
        *n += 1;
    }
    if let Ok(value) = serde_json::from_slice::<Value>(&body) {
        let is_connection = value["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("connection."));
        let at = value["timestamp"]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
        if let (true, Some(at)) = (is_connection, at) {
            let ms = (received - at.with_timezone(&Utc))
                .num_microseconds()
                .unwrap_or(0) as f64
                / 1000.0;
            if let Ok(mut l) = rx.latencies_ms.lock() {
                l.push(ms);
            }
        }
    }
    StatusCode::OK
}

async fn start_receiver() -> Fallible<(Arc<Receiver>, String)> {
    let rx = Arc::new(Receiver::default());
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(hook))
        .with_state(rx.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((rx, url))
}

async fn engine(dir: &std::path::Path) -> Fallible<Patchbay> {
    Ok(Patchbay::open(PatchbayOptions {
        data_dir: dir.to_path_buf(),
        secrets: Arc::new(InMemorySecrets::new()),
        clock: Arc::new(SystemClock),
        http: Some(FergusConnector::client_with_timeouts(
            StdDuration::from_secs(2),
            StdDuration::from_secs(5),
        )),
    })
    .await?)
}

async fn add(engine: &Patchbay, rx: &Receiver, url: &str) -> Fallible<String> {
    let created = engine
        .add_webhook(WebhookInput {
            url: url.to_string(),
            description: Some("bench".into()),
            event_types: None,
        })
        .await?;
    if let Ok(mut s) = rx.secret.lock() {
        *s = created.signing_secret.clone();
    }
    Ok(created.endpoint.id)
}

async fn throughput() -> Fallible<f64> {
    let dir = tempfile::tempdir()?;
    let engine = engine(dir.path()).await?;
    let (rx, url) = start_receiver().await?;
    let endpoint = add(&engine, &rx, &url).await?;
    for _ in 0..THROUGHPUT_MESSAGES {
        engine.test_webhook(&endpoint).await?;
    }
    let started = Instant::now();
    let mut delivered = 0usize;
    while delivered < THROUGHPUT_MESSAGES {
        let pass = engine.deliver_due_webhooks().await?;
        if pass.attempted == 0 {
            break;
        }
        delivered += pass.delivered as usize;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let received = rx.delivered.lock().map(|n| *n).unwrap_or(0);
    let bad = rx.bad_signatures.lock().map(|n| *n).unwrap_or(0);
    println!("# throughput: {delivered} delivered ({received} received, {bad} bad signatures) in {elapsed:.2} s");
    Ok(delivered as f64 / elapsed.max(1e-9))
}

async fn control(client: &reqwest::Client, base: &str, mode: &str) -> Fallible<()> {
    client
        .post(format!("{base}/_sandbox/faults"))
        .json(&json!({ "mode": mode }))
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}

async fn alert_latency() -> Fallible<(f64, f64, usize)> {
    let sandbox = Sandbox::start(SandboxOptions {
        port: 0,
        demo_jobs: 10,
        rate_limit_enabled: false,
        ..Default::default()
    })
    .await?;
    let dir = tempfile::tempdir()?;
    let engine = engine(dir.path()).await?;
    let (rx, url) = start_receiver().await?;
    add(&engine, &rx, &url).await?;
    let view = engine
        .connect(ConnectRequest {
            system: "fergus".into(),
            name: "Bench office".into(),
            api_url: Some(sandbox.base_url()),
            token: Secret::new(sandbox.demo().token.clone()),
            token_created: None,
            allow_duplicate: false,
            attempt_id: None,
        })
        .await?;
    let worker = engine.start_webhook_worker();
    let client = reqwest::Client::new();
    let base = sandbox.base_url();
    for _ in 0..LATENCY_CYCLES {
        control(&client, &base, "outage503").await?;
        for _ in 0..3 {
            engine.check_now(&view.id).await?;
        }
        control(&client, &base, "none").await?;
        engine.check_now(&view.id).await?;
    }
    // Let the last alerts arrive (bounded).
    let expected = 1 + LATENCY_CYCLES * 2; // connection.created + offline/recovered pairs
    let deadline = Instant::now() + StdDuration::from_secs(10);
    while rx.latencies_ms.lock().map(|l| l.len()).unwrap_or(0) < expected
        && Instant::now() < deadline
    {
        tokio::time::sleep(StdDuration::from_millis(10)).await;
    }
    worker.stop().await;
    sandbox.shutdown().await;
    let mut latencies = rx
        .latencies_ms
        .lock()
        .map(|l| l.clone())
        .unwrap_or_default();
    // The connection.created alert was written before the worker started.
    if !latencies.is_empty() {
        latencies.remove(0);
    }
    latencies.sort_by(|a, b| a.total_cmp(b));
    let pick = |q: f64| -> f64 {
        if latencies.is_empty() {
            return f64::NAN;
        }
        let index = ((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1);
        latencies[index.min(latencies.len() - 1)]
    };
    Ok((pick(0.5), pick(0.99), latencies.len()))
}

fn main() -> Fallible<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let per_s = throughput().await?;
        println!("webhook_throughput_per_s: {per_s:.0}");
        let (p50, p99, n) = alert_latency().await?;
        println!("# alert latency over {n} transitions: p50 {p50:.1} ms");
        println!("webhook_alert_latency_p99_ms: {p99:.1}");
        Ok(())
    })
}
