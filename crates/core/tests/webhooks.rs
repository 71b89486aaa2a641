//! Webhooks end to end: the engine, the real Secret Service, the Fergus
//! sandbox and an in-process receiver on 127.0.0.1:0 that verifies every
//! signature (Standard Webhooks) and counts deliveries per `webhook-id`.
//!
//!     scripts/with-keyring.sh cargo test -p patchbay-core --test webhooks
//!
//! Retries run on a manual clock (`deliver_due_webhooks` after moving time
//! on), never on sleeps.

mod common;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use common::*;
use patchbay_core::connectors::fergus::FergusConnector;
use patchbay_core::health::Health;
use patchbay_core::webhooks::signing;
use patchbay_core::*;
use serde_json::{json, Value};

/// One request the receiver saw.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    body: String,
    headers: String,
    verified: bool,
    answered: u16,
}

/// A local webhook receiver: verifies with the endpoint's secret against
/// the engine's clock, answers from a script (then 200).
struct HookReceiver {
    secret: Mutex<Option<String>>,
    clock: Arc<dyn Clock>,
    script: Mutex<VecDeque<(u16, Option<String>)>>,
    seen: Mutex<Vec<Received>>,
}

impl HookReceiver {
    fn seen(&self) -> Vec<Received> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Successful deliveries per webhook-id.
    fn delivered_per_id(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for r in self
            .seen()
            .iter()
            .filter(|r| (200..300).contains(&r.answered))
        {
            *counts.entry(r.id.clone()).or_insert(0) += 1;
        }
        counts
    }

    fn delivered_bodies(&self) -> Vec<Value> {
        self.seen()
            .iter()
            .filter(|r| (200..300).contains(&r.answered))
            .map(|r| serde_json::from_str(&r.body).unwrap_or(Value::Null))
            .collect()
    }
}

async fn hook(
    State(receiver): State<Arc<HookReceiver>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let secret = receiver
        .secret
        .lock()
        .ok()
        .and_then(|s| s.clone())
        .unwrap_or_default();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let verified = signing::verify(
        &secret,
        header,
        &body,
        receiver.clock.now(),
        signing::DEFAULT_TOLERANCE_SECS,
    )
    .is_ok();
    let (status, retry_after) = receiver
        .script
        .lock()
        .ok()
        .and_then(|mut s| s.pop_front())
        .unwrap_or((200, None));
    let all_headers = format!("{headers:?}");
    if let Ok(mut seen) = receiver.seen.lock() {
        seen.push(Received {
            id: header("webhook-id").unwrap_or_default().to_string(),
            body: String::from_utf8_lossy(&body).into_owned(),
            headers: all_headers,
            verified,
            answered: status,
        });
    }
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (code, format!("answered {status}")).into_response();
    if let Some(value) = retry_after.and_then(|v| v.parse().ok()) {
        response.headers_mut().insert("retry-after", value);
    }
    response
}

async fn receiver(
    clock: Arc<dyn Clock>,
    script: Vec<(u16, Option<&str>)>,
) -> (Arc<HookReceiver>, String) {
    let receiver = Arc::new(HookReceiver {
        secret: Mutex::new(None),
        clock,
        script: Mutex::new(
            script
                .into_iter()
                .map(|(s, r)| (s, r.map(str::to_string)))
                .collect(),
        ),
        seen: Mutex::new(Vec::new()),
    });
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(hook))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind receiver");
    let addr = listener.local_addr().expect("receiver address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (receiver, format!("http://{addr}/hook"))
}

async fn add_endpoint(
    engine: &Patchbay,
    receiver: &HookReceiver,
    url: &str,
    events: Option<Vec<&str>>,
) -> CreatedWebhook {
    let created = engine
        .add_webhook(WebhookInput {
            url: url.to_string(),
            description: Some("test receiver".into()),
            event_types: events.map(|e| e.into_iter().map(str::to_string).collect()),
        })
        .await
        .expect("endpoint added");
    if let Ok(mut secret) = receiver.secret.lock() {
        *secret = Some(created.signing_secret.clone());
    }
    created
}

/// Run delivery passes until `done` holds (bounded; passes are cheap).
/// With a manual clock, time moves 10 s per pass (so retries come due).
async fn deliver_until(
    engine: &Patchbay,
    clock: Option<&ManualClock>,
    mut done: impl FnMut() -> bool,
) {
    for _ in 0..200 {
        engine.deliver_due_webhooks().await.expect("delivery pass");
        if done() {
            return;
        }
        match clock {
            Some(clock) => clock.advance(Duration::seconds(10)),
            None => tokio::time::sleep(StdDuration::from_millis(10)).await,
        }
    }
    panic!("deliveries did not complete");
}

fn manual_clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(Utc::now()))
}

#[tokio::test]
async fn a_revoke_delivers_exactly_one_signed_reauthorization_required() {
    let w = world().await;
    let (rx, url) = receiver(w.engine.clock(), vec![]).await;
    let endpoint = add_endpoint(&w.engine, &rx, &url, None).await;
    let view = w.connect_demo().await;
    w.control("tokens/revoke", json!({"token": w.sandbox.demo().token}))
        .await;

    // The worker delivers promptly on its own.
    let worker = w.engine.start_webhook_worker();
    let after = w.engine.check_now(&view.id).await.expect("check runs");
    assert_eq!(after.health, Health::NeedsReconnect);
    // Checking again while still revoked: no second alert.
    let again = w.engine.check_now(&view.id).await.expect("check runs");
    assert_eq!(again.health, Health::NeedsReconnect);

    let deadline = tokio::time::Instant::now() + StdDuration::from_secs(20);
    while rx.delivered_bodies().len() < 2 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    worker.stop().await;

    let seen = rx.seen();
    assert!(
        seen.iter().all(|r| r.verified),
        "every signature verifies: {seen:?}"
    );
    let bodies = rx.delivered_bodies();
    let types: Vec<&str> = bodies.iter().filter_map(|b| b["type"].as_str()).collect();
    assert_eq!(
        types.iter().filter(|t| **t == "connection.created").count(),
        1,
        "{types:?}"
    );
    let reauth: Vec<&Value> = bodies
        .iter()
        .filter(|b| b["type"] == "connection.reauthorization_required")
        .collect();
    assert_eq!(reauth.len(), 1, "{types:?}");
    let data = &reauth[0]["data"];
    assert_eq!(data["connectionId"], view.id.as_str());
    assert_eq!(data["health"], "needs_reconnect");
    assert_eq!(data["previousHealth"], "healthy");
    assert_eq!(data["system"], "fergus");
    assert!(data["reason"]
        .as_str()
        .unwrap_or_default()
        .contains("stopped accepting the access token"));
    assert!(rx.delivered_per_id().values().all(|n| *n == 1));

    // The delivery log shows both as delivered, attempt by attempt.
    let log = w
        .engine
        .webhook_deliveries(Some(&endpoint.endpoint.id), 10)
        .await
        .expect("deliveries");
    assert_eq!(log.len(), 2);
    for d in &log {
        assert_eq!(d.status, DeliveryStatus::Delivered, "{d:?}");
        assert_eq!(d.attempts, 1);
        assert_eq!(d.log.len(), 1);
        assert_eq!(d.log[0].status_code, Some(200));
        assert_eq!(d.log[0].response_excerpt.as_deref(), Some("answered 200"));
        assert!(rx.delivered_per_id().contains_key(&d.message_id));
    }
    w.finish().await;
}

#[tokio::test]
async fn a_failing_receiver_gets_the_same_id_until_it_answers_and_retry_after_is_honoured() {
    let clock = manual_clock();
    let w = world_with_clock(clock.clone()).await;
    let (rx, url) = receiver(
        clock.clone(),
        vec![(500, None), (502, None), (429, Some("7200")), (200, None)],
    )
    .await;
    let endpoint = add_endpoint(&w.engine, &rx, &url, None).await;
    let queued = w
        .engine
        .test_webhook(&endpoint.endpoint.id)
        .await
        .expect("test queued");
    assert_eq!(queued.status, DeliveryStatus::Pending);

    // Attempt 1: immediately → 500.
    assert_eq!(
        w.engine
            .deliver_due_webhooks()
            .await
            .expect("pass")
            .attempted,
        1
    );
    // Not due again before 5 s.
    assert_eq!(
        w.engine
            .deliver_due_webhooks()
            .await
            .expect("pass")
            .attempted,
        0
    );
    clock.advance(Duration::seconds(6));
    // Attempt 2 → 502; the next is 5 min later.
    assert_eq!(
        w.engine
            .deliver_due_webhooks()
            .await
            .expect("pass")
            .attempted,
        1
    );
    clock.advance(Duration::minutes(4));
    assert_eq!(
        w.engine
            .deliver_due_webhooks()
            .await
            .expect("pass")
            .attempted,
        0
    );
    clock.advance(Duration::minutes(2));
    // Attempt 3 → 429 Retry-After 2 h (the schedule says 30 min).
    assert_eq!(
        w.engine
            .deliver_due_webhooks()
            .await
            .expect("pass")
            .attempted,
        1
    );
    let waiting = w
        .engine
        .webhook_delivery(&queued.message_id)
        .await
        .expect("delivery");
    let last = waiting.last_attempt_at.expect("attempted");
    let next = waiting.next_attempt_at.expect("scheduled");
    assert!(
        next - last > Duration::hours(2) - Duration::seconds(1)
            && next - last < Duration::hours(2) + Duration::seconds(5),
        "Retry-After honoured (ms precision): {last} → {next}"
    );
    clock.advance(Duration::minutes(31));
    assert_eq!(
        w.engine
            .deliver_due_webhooks()
            .await
            .expect("pass")
            .attempted,
        0
    );
    clock.advance(Duration::minutes(90));
    // Attempt 4 → 200.
    assert_eq!(
        w.engine
            .deliver_due_webhooks()
            .await
            .expect("pass")
            .delivered,
        1
    );
    clock.advance(Duration::days(2));
    assert_eq!(
        w.engine
            .deliver_due_webhooks()
            .await
            .expect("pass")
            .attempted,
        0
    );

    let seen = rx.seen();
    assert_eq!(seen.len(), 4);
    assert!(seen.iter().all(|r| r.verified), "{seen:?}");
    assert!(
        seen.iter().all(|r| r.id == queued.message_id),
        "one id on every attempt"
    );
    assert!(
        seen.iter().all(|r| r.body == seen[0].body),
        "the same body on every attempt"
    );
    assert_eq!(rx.delivered_per_id().get(&queued.message_id), Some(&1));

    let done = w
        .engine
        .webhook_delivery(&queued.message_id)
        .await
        .expect("delivery");
    assert_eq!(done.status, DeliveryStatus::Delivered);
    assert_eq!(done.attempts, 4);
    let codes: Vec<Option<u16>> = done.log.iter().map(|a| a.status_code).collect();
    assert_eq!(codes, vec![Some(500), Some(502), Some(429), Some(200)]);
    assert!(done.log[0]
        .error
        .as_deref()
        .unwrap_or_default()
        .contains("500"));
    // A delivered message is not retried.
    assert!(w.engine.retry_delivery(&queued.message_id).await.is_err());
    w.finish().await;
}

#[tokio::test]
async fn after_all_attempts_a_message_fails_and_a_manual_retry_sends_it_under_the_same_id() {
    let clock = manual_clock();
    let w = world_with_clock(clock.clone()).await;
    let (rx, url) = receiver(clock.clone(), vec![(503, None); 8]).await;
    let endpoint = add_endpoint(&w.engine, &rx, &url, None).await;
    let queued = w
        .engine
        .test_webhook(&endpoint.endpoint.id)
        .await
        .expect("test queued");
    for _ in 0..8 {
        assert_eq!(
            w.engine
                .deliver_due_webhooks()
                .await
                .expect("pass")
                .attempted,
            1
        );
        clock.advance(Duration::hours(11));
    }
    let failed = w
        .engine
        .webhook_delivery(&queued.message_id)
        .await
        .expect("delivery");
    assert_eq!(failed.status, DeliveryStatus::Failed);
    assert_eq!(failed.attempts, 8);
    assert_eq!(failed.next_attempt_at, None);
    assert_eq!(
        w.engine
            .deliver_due_webhooks()
            .await
            .expect("pass")
            .attempted,
        0
    );

    let retried = w
        .engine
        .retry_delivery(&queued.message_id)
        .await
        .expect("retry");
    assert_eq!(retried.status, DeliveryStatus::Pending);
    assert_eq!(
        w.engine
            .deliver_due_webhooks()
            .await
            .expect("pass")
            .delivered,
        1
    );
    let seen = rx.seen();
    assert_eq!(seen.len(), 9);
    assert!(seen.iter().all(|r| r.id == queued.message_id && r.verified));
    w.finish().await;
}

#[tokio::test]
async fn finished_messages_are_pruned_after_thirty_days_pending_ones_never() {
    let clock = manual_clock();
    let w = world_with_clock(clock.clone()).await;
    let (rx, url) = receiver(clock.clone(), vec![]).await;
    let endpoint = add_endpoint(&w.engine, &rx, &url, None).await;
    let delivered = w
        .engine
        .test_webhook(&endpoint.endpoint.id)
        .await
        .expect("queued");
    w.engine.deliver_due_webhooks().await.expect("pass");
    w.engine
        .set_webhook_enabled(&endpoint.endpoint.id, false)
        .await
        .expect("off");
    // Queued while off: stays pending however old it gets.
    let waiting = w.engine.test_webhook(&endpoint.endpoint.id).await;
    assert!(
        waiting.is_err(),
        "a turned-off endpoint refuses test events"
    );
    w.engine
        .set_webhook_enabled(&endpoint.endpoint.id, true)
        .await
        .expect("on");
    let pending = w
        .engine
        .test_webhook(&endpoint.endpoint.id)
        .await
        .expect("queued");
    clock.advance(Duration::days(29));
    assert_eq!(w.engine.prune_webhook_log().await.expect("prune"), 0);
    clock.advance(Duration::days(2));
    w.engine
        .set_webhook_enabled(&endpoint.endpoint.id, false)
        .await
        .expect("off");
    assert_eq!(w.engine.prune_webhook_log().await.expect("prune"), 1);
    let left: Vec<String> = w
        .engine
        .webhook_deliveries(None, 10)
        .await
        .expect("log")
        .into_iter()
        .map(|d| d.message_id)
        .collect();
    assert_eq!(left, vec![pending.message_id]);
    assert!(w
        .engine
        .webhook_delivery(&delivered.message_id)
        .await
        .is_err());
    w.finish().await;
}

#[tokio::test]
async fn gone_disables_the_endpoint_and_fails_its_waiting_messages() {
    let clock = manual_clock();
    let w = world_with_clock(clock.clone()).await;
    let (rx, url) = receiver(clock.clone(), vec![(410, None), (410, None)]).await;
    let endpoint = add_endpoint(&w.engine, &rx, &url, None).await;
    let first = w
        .engine
        .test_webhook(&endpoint.endpoint.id)
        .await
        .expect("queued");
    let second = w
        .engine
        .test_webhook(&endpoint.endpoint.id)
        .await
        .expect("queued");
    w.engine.deliver_due_webhooks().await.expect("pass");

    let now_off = w
        .engine
        .webhook(&endpoint.endpoint.id)
        .await
        .expect("endpoint");
    assert!(!now_off.enabled);
    assert!(now_off
        .disabled_reason
        .as_deref()
        .unwrap_or_default()
        .contains("410"));
    for id in [&first.message_id, &second.message_id] {
        let d = w.engine.webhook_delivery(id).await.expect("delivery");
        assert_eq!(d.status, DeliveryStatus::Failed, "{d:?}");
    }
    // Nothing more goes out, and new events skip it.
    clock.advance(Duration::days(1));
    assert_eq!(
        w.engine
            .deliver_due_webhooks()
            .await
            .expect("pass")
            .attempted,
        0
    );
    let error = w
        .engine
        .test_webhook(&endpoint.endpoint.id)
        .await
        .expect_err("disabled");
    assert_eq!(error.code, AppErrorCode::InvalidInput);
    w.connect_demo().await;
    assert_eq!(
        w.engine
            .webhook_deliveries(Some(&endpoint.endpoint.id), 10)
            .await
            .expect("log")
            .len(),
        2
    );
    // Turning it on again works (and clears the reason).
    let on = w
        .engine
        .set_webhook_enabled(&endpoint.endpoint.id, true)
        .await
        .expect("enable");
    assert!(on.enabled);
    assert_eq!(on.disabled_reason, None);
    assert!(rx.seen().len() <= 2);
    w.finish().await;
}

#[tokio::test]
async fn a_restart_between_enqueue_and_delivery_delivers_after_it_under_the_same_ids() {
    let w = world().await;
    let (rx, url) = receiver(w.engine.clock(), vec![]).await;
    add_endpoint(
        &w.engine,
        &rx,
        &url,
        Some(vec![
            "connection.reauthorization_required",
            "connection.created",
        ]),
    )
    .await;
    let view = w.connect_demo().await;
    w.control("tokens/revoke", json!({"token": w.sandbox.demo().token}))
        .await;
    w.engine.check_now(&view.id).await.expect("check runs");
    let queued: Vec<String> = w
        .engine
        .webhook_deliveries(None, 10)
        .await
        .expect("deliveries")
        .into_iter()
        .map(|d| {
            assert_eq!(d.status, DeliveryStatus::Pending);
            d.message_id
        })
        .collect();
    assert_eq!(queued.len(), 2);
    assert!(rx.seen().is_empty());

    // "Restart": drop the engine, open a new one on the same data dir.
    let World {
        engine,
        sandbox,
        service,
        dir,
        control,
    } = w;
    engine.store().close().await;
    drop(engine);
    let engine = Patchbay::open(PatchbayOptions {
        data_dir: dir.path().to_path_buf(),
        secrets: Arc::new(OsKeyring::new(service.clone())),
        clock: Arc::new(SystemClock),
        http: Some(FergusConnector::client_with_timeouts(
            StdDuration::from_secs(2),
            StdDuration::from_secs(5),
        )),
    })
    .await
    .expect("engine reopens");
    deliver_until(&engine, None, || rx.delivered_bodies().len() >= 2).await;
    let per_id = rx.delivered_per_id();
    let mut ids: Vec<&String> = per_id.keys().collect();
    ids.sort();
    let mut expected: Vec<&String> = queued.iter().collect();
    expected.sort();
    assert_eq!(
        ids, expected,
        "delivered under the ids written before the restart"
    );
    assert!(per_id.values().all(|n| *n == 1));
    assert!(rx.seen().iter().all(|r| r.verified));
    let w = World {
        engine,
        sandbox,
        service,
        dir,
        control,
    };
    w.finish().await;
}

#[tokio::test]
async fn nothing_secret_reaches_a_webhook_body_the_delivery_log_or_the_database() {
    let clock = manual_clock();
    let w = world_with_clock(clock.clone()).await;
    let (rx, url) = receiver(clock.clone(), vec![(500, None)]).await;
    let endpoint = add_endpoint(&w.engine, &rx, &url, None).await;
    // A second company with its own, unique token.
    let (token, _) = w.new_company("Leak Test Electrical").await;
    let view = w
        .engine
        .connect(w.request("Leak test", &token))
        .await
        .expect("connects");
    w.engine
        .test_webhook(&endpoint.endpoint.id)
        .await
        .expect("test");
    w.control("tokens/revoke", json!({"token": token})).await;
    w.engine.check_now(&view.id).await.expect("check runs");
    w.engine.disconnect(&view.id).await.expect("disconnect");
    deliver_until(&w.engine, Some(&clock), || rx.delivered_bodies().len() >= 4).await;

    let signing_secret = endpoint.signing_secret.clone();
    let signing_key = signing_secret.trim_start_matches("whsec_").to_string();
    let planted = [
        token.as_str(),
        signing_secret.as_str(),
        signing_key.as_str(),
    ];

    let mut haystacks: Vec<(String, String)> = Vec::new();
    for r in rx.seen() {
        haystacks.push((format!("body {}", r.id), r.body.clone()));
        haystacks.push((format!("headers {}", r.id), r.headers.clone()));
    }
    let log = w.engine.webhook_deliveries(None, 100).await.expect("log");
    haystacks.push((
        "delivery log".into(),
        serde_json::to_string(&log).unwrap_or_default(),
    ));
    haystacks.push((
        "endpoints".into(),
        serde_json::to_string(&w.engine.list_webhooks().await.expect("list")).unwrap_or_default(),
    ));
    haystacks.push(("endpoint debug".into(), format!("{endpoint:?}")));
    let db = w.engine.store().path().to_path_buf();
    for suffix in ["", "-wal", "-shm"] {
        let path = std::path::PathBuf::from(format!("{}{suffix}", db.display()));
        if let Ok(bytes) = std::fs::read(&path) {
            haystacks.push((
                path.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
    let types: Vec<Value> = rx
        .delivered_bodies()
        .iter()
        .map(|b| b["type"].clone())
        .collect();
    assert!(
        types.contains(&json!("connection.disconnected")),
        "{types:?}"
    );
    for (name, text) in &haystacks {
        for secret in planted {
            assert!(
                !text.contains(secret),
                "a planted secret leaked into {name}"
            );
        }
    }
    // The masked form is the most that goes out.
    assert!(rx
        .delivered_bodies()
        .iter()
        .any(|b| b["data"]["maskedSecret"]
            .as_str()
            .is_some_and(|m| m.contains('…'))));
    assert_eq!(
        w.engine
            .reveal_webhook_secret(&endpoint.endpoint.id)
            .await
            .expect("reveal"),
        signing_secret
    );
    w.engine
        .remove_webhook(&endpoint.endpoint.id)
        .await
        .expect("remove");
    let audit: Vec<String> = w
        .engine
        .events(EventFilter::default())
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    for kind in [
        "webhook.added",
        "webhook.secret_revealed",
        "webhook.removed",
    ] {
        assert!(audit.iter().any(|k| k == kind), "{kind} in {audit:?}");
    }
    assert!(
        keyring::Entry::new(&w.service, &format!("webhook:{}", endpoint.endpoint.id))
            .and_then(|e| e.get_password())
            .is_err()
    );
    w.finish().await;
}

#[tokio::test]
async fn bad_endpoint_input_is_refused_in_plain_words_and_nothing_is_saved() {
    let w = world().await;
    for (url, events) in [
        ("http://example.com/hook", None),
        ("ftp://example.com/", None),
        ("", None),
        ("not a url", None),
        (
            "https://example.com/hook",
            Some(vec!["connection.exploded".to_string()]),
        ),
    ] {
        let error = w
            .engine
            .add_webhook(WebhookInput {
                url: url.into(),
                description: None,
                event_types: events,
            })
            .await
            .expect_err("refused");
        assert!(
            matches!(
                error.code,
                AppErrorCode::WebhookUrlInvalid | AppErrorCode::InvalidInput
            ),
            "{url:?}: {error:?}"
        );
        assert!(error.hint.is_some());
    }
    assert!(w.engine.list_webhooks().await.expect("list").is_empty());
    for id in ["nope", "", "ep_\u{202e}x"] {
        assert_eq!(
            w.engine.remove_webhook(id).await.map_err(|e| e.code),
            Err(AppErrorCode::NotFound)
        );
        assert_eq!(
            w.engine.test_webhook(id).await.map_err(|e| e.code),
            Err(AppErrorCode::NotFound)
        );
        assert_eq!(
            w.engine.retry_delivery(id).await.map_err(|e| e.code),
            Err(AppErrorCode::NotFound)
        );
    }
    w.finish().await;
}
