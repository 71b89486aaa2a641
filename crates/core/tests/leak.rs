//! The leak test, in its own process so its log capture is the global
//! subscriber: plant unique secrets, run the scenarios, then scan the
//! database files, logs, events and errors for them.
//!
//!     scripts/with-keyring.sh cargo test -p patchbay-core --test leak

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use patchbay_core::*;
use serde_json::json;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Plant unique secrets, run the scenarios, then look for them everywhere
/// Patchbay writes or says anything: zero hits.
#[tokio::test]
async fn no_secret_leaks_into_the_database_logs_events_or_errors() {
    let logs = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let w = world().await;
    let mut rx = w.engine.subscribe();
    let mut planted: Vec<String> = vec![w.sandbox.demo().token.clone()];
    let mut said: Vec<String> = Vec::new();
    let record_error = |e: &AppError, said: &mut Vec<String>| {
        said.push(serde_json::to_string(e).unwrap_or_default());
        said.push(format!("{e:?} {e}"));
    };

    // A made-up token that fails to connect.
    let fake = format!("fergPAT_{}", uuid::Uuid::new_v4());
    planted.push(fake.clone());
    let e = w
        .engine
        .connect(w.request("Fake", &fake))
        .await
        .expect_err("unknown token");
    record_error(&e, &mut said);
    // A malformed one (spaces) — the validation error must not echo it.
    let spaced = format!("fergPAT_{} x", uuid::Uuid::new_v4());
    planted.push(spaced.clone());
    let e = w
        .engine
        .connect(w.request("Spaced", &spaced))
        .await
        .expect_err("bad shape");
    record_error(&e, &mut said);

    let view = w.connect_demo().await;
    w.engine.check_now(&view.id).await.expect("check");
    w.engine
        .browse(&view.id, "jobs", ListQuery::default())
        .await
        .expect("browse");
    w.control("tokens/revoke", json!({"token": w.sandbox.demo().token}))
        .await;
    let e = w
        .engine
        .browse(&view.id, "jobs", ListQuery::default())
        .await
        .expect_err("revoked");
    record_error(&e, &mut said);
    w.engine.check_now(&view.id).await.expect("check");

    let issued = w
        .control("tokens", json!({"userId": w.sandbox.demo().user_id}))
        .await;
    let new_token = issued["token"].as_str().expect("token").to_string();
    planted.push(new_token.clone());
    let (other, _) = w.new_company("Leak Test Ltd").await;
    planted.push(other.clone());
    let reconnect = |token: &str| ReconnectRequest {
        connection_id: view.id.clone(),
        token: Secret::new(token),
        token_created: None,
        allow_different_account: false,
        attempt_id: None,
    };
    let e = w
        .engine
        .reconnect(reconnect(&other))
        .await
        .expect_err("other company");
    record_error(&e, &mut said);
    w.engine
        .reconnect(reconnect(&new_token))
        .await
        .expect("reconnects");
    w.control("faults", json!({"mode": "outage503"})).await;
    for _ in 0..3 {
        w.engine.check_now(&view.id).await.expect("check");
    }
    w.control("faults", json!({"mode": "none"})).await;
    w.engine.check_now(&view.id).await.expect("check");
    w.engine.entity_counts(&view.id).await.expect("counts");
    let monitor = w.engine.start_monitor();
    monitor.stop().await;
    w.engine.disconnect(&view.id).await.expect("disconnects");

    for event in drain(&mut rx) {
        said.push(serde_json::to_string(&event).unwrap_or_default());
        said.push(format!("{event:?}"));
    }
    for view in w.engine.list_connections().await.expect("list") {
        said.push(serde_json::to_string(&view).unwrap_or_default());
    }
    for event in w
        .engine
        .events(EventFilter::default())
        .await
        .expect("events")
    {
        said.push(serde_json::to_string(&event).unwrap_or_default());
    }
    for check in w.engine.history(&view.id, 1000).await.expect("history") {
        said.push(serde_json::to_string(&check).unwrap_or_default());
    }
    said.push(String::from_utf8_lossy(&logs.0.lock().expect("logs")).to_string());
    let captured = said.last().cloned().unwrap_or_default();
    assert!(
        captured.contains("health transition"),
        "logs were captured: {}",
        &captured[..captured.len().min(3000)]
    );

    let mut files = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let path = w.dir.path().join(format!("patchbay.db{suffix}"));
        if let Ok(bytes) = std::fs::read(&path) {
            files.push((path.display().to_string(), bytes));
        }
    }
    assert!(!files.is_empty());
    for secret in &planted {
        // The distinctive part (after the common prefix).
        let needle = secret.trim_start_matches("fergPAT_");
        let needle = &needle[..needle.len().min(24)];
        for text in &said {
            assert!(
                !text.contains(needle),
                "secret leaked into: {}",
                &text[..text.len().min(300)]
            );
        }
        for (name, bytes) in &files {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "secret leaked into {name}"
            );
        }
    }
    w.finish().await;
}
