//! `kill -9` of `patchbay watch` in the middle of a webhook delivery: after
//! a restart the alert arrives, once, under the id it was written with.
//! Real binary, real Secret Service, the Fergus sandbox and a verifying
//! receiver in-process on loopback:
//!
//!     scripts/with-keyring.sh cargo test -p patchbay-cli --test webhooks_kill

use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use patchbay_core::webhooks::signing;
use patchbay_sandbox::{Sandbox, SandboxOptions};
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, Command};

#[derive(Default)]
struct Hooks {
    secret: Mutex<String>,
    /// While set, requests are held open (the delivery is "in flight").
    hang: AtomicBool,
    /// (webhook-id, signature verified, answered 2xx, body)
    seen: Mutex<Vec<(String, bool, bool, String)>>,
}

impl Hooks {
    fn seen(&self) -> Vec<(String, bool, bool, String)> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

async fn hook(State(hooks): State<Arc<Hooks>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let secret = hooks.secret.lock().map(|s| s.clone()).unwrap_or_default();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let verified = signing::verify(&secret, header, &body, chrono::Utc::now(), 300).is_ok();
    let id = header("webhook-id").unwrap_or_default().to_string();
    let text = String::from_utf8_lossy(&body).into_owned();
    let index = {
        let mut seen = hooks.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.push((id, verified, false, text));
        seen.len() - 1
    };
    // Hold the request while asked to (bounded: the sender times out at 15 s).
    for _ in 0..200 {
        if !hooks.hang.load(Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if hooks.hang.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    if let Ok(mut seen) = hooks.seen.lock() {
        if let Some(entry) = seen.get_mut(index) {
            entry.2 = true;
        }
    }
    StatusCode::OK
}

struct Env {
    sandbox: Sandbox,
    dir: tempfile::TempDir,
    service: String,
}

impl Env {
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_patchbay"));
        command
            .args(args)
            .env("PATCHBAY_DATA_DIR", self.dir.path())
            .env("PATCHBAY_KEYRING_SERVICE", &self.service)
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    async fn run(&self, args: &[&str], stdin: &str) -> Value {
        let mut child = self.command(args).spawn().expect("patchbay runs");
        if let Some(mut input) = child.stdin.take() {
            input.write_all(stdin.as_bytes()).await.expect("stdin");
        }
        let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("patchbay finishes")
            .expect("output");
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap_or(Value::Null)
    }

    fn watch(&self) -> Child {
        self.command(&["watch", "--interval", "1", "--json"])
            .spawn()
            .expect("watch starts")
    }
}

async fn wait_for(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn kill_9_mid_delivery_then_restart_delivers_once_under_the_same_id() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "run through scripts/with-keyring.sh"
    );
    let sandbox = Sandbox::start(SandboxOptions {
        port: 0,
        demo_jobs: 10,
        ..Default::default()
    })
    .await
    .expect("sandbox starts");
    let env = Env {
        sandbox,
        dir: tempfile::tempdir().expect("temp dir"),
        service: format!("patchbay-cli-webhooks-{}", uuid::Uuid::new_v4()),
    };

    let hooks = Arc::new(Hooks::default());
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(hook))
        .with_state(hooks.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let created = env
        .run(
            &[
                "webhooks",
                "add",
                "--url",
                &url,
                "--events",
                "connection.reauthorization_required",
                "--json",
            ],
            "",
        )
        .await;
    let endpoint_id = created["endpoint"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let secret = created["signingSecret"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(secret.starts_with("whsec_"), "{created}");
    if let Ok(mut s) = hooks.secret.lock() {
        *s = secret.clone();
    }

    let token = env.sandbox.demo().token.clone();
    let base = env.sandbox.base_url();
    let view = env
        .run(
            &[
                "connect",
                "fergus",
                "--name",
                "Tui office",
                "--api-url",
                &base,
                "--json",
            ],
            &format!("{token}\n"),
        )
        .await;
    let connection_id = view["id"].as_str().unwrap_or_default().to_string();

    // Revoke; the watch process notices, writes the alert, starts sending it —
    // and the receiver holds the request open.
    hooks.hang.store(true, Ordering::SeqCst);
    reqwest::Client::new()
        .post(format!("{base}/_sandbox/tokens/revoke"))
        .json(&json!({ "token": token }))
        .send()
        .await
        .expect("revoke");
    let mut watch = env.watch();
    wait_for("the first attempt to arrive", 30, || {
        !hooks.seen().is_empty()
    })
    .await;

    // kill -9 mid-delivery.
    watch.kill().await.expect("SIGKILL");
    let _ = watch.wait().await;
    let first_id = hooks.seen()[0].0.clone();
    assert!(first_id.starts_with("msg_"), "{first_id}");

    // Restart: the message is still there, pending, under the same id.
    hooks.hang.store(false, Ordering::SeqCst);
    let log = env
        .run(&["webhooks", "deliveries", &endpoint_id, "--json"], "")
        .await;
    let messages = log.as_array().cloned().unwrap_or_default();
    assert_eq!(messages.len(), 1, "{log}");
    assert_eq!(messages[0]["messageId"], first_id.as_str());
    assert_eq!(messages[0]["status"], "pending");

    let mut watch = env.watch();
    wait_for("delivery after the restart", 90, || {
        hooks.seen().iter().any(|(_, _, ok, _)| *ok)
    })
    .await;
    // Let a few more worker passes run: nothing else may arrive.
    tokio::time::sleep(Duration::from_secs(2)).await;
    watch.kill().await.expect("stop watch");
    let _ = watch.wait().await;

    let seen = hooks.seen();
    assert!(
        seen.iter().all(|(id, _, _, _)| *id == first_id),
        "one id: {seen:?}"
    );
    assert!(
        seen.iter().all(|(_, verified, _, _)| *verified),
        "signatures verify"
    );
    assert_eq!(
        seen.iter().filter(|(_, _, ok, _)| *ok).count(),
        1,
        "delivered once"
    );
    let body: Value = serde_json::from_str(&seen[0].3).unwrap_or(Value::Null);
    assert_eq!(body["type"], "connection.reauthorization_required");
    assert_eq!(body["data"]["connectionId"], connection_id.as_str());

    let log = env.run(&["webhooks", "deliveries", "--json"], "").await;
    assert_eq!(log[0]["status"], "delivered", "{log}");
    assert_eq!(log[0]["messageId"], first_id.as_str());
    for (_, _, _, body) in &seen {
        assert!(!body.contains(token.trim_start_matches("fergPAT_")));
        assert!(!body.contains(&secret));
    }

    let _ = env.run(&["webhooks", "remove", &endpoint_id], "").await;
    let _ = env.run(&["disconnect", &connection_id], "").await;
    env.sandbox.shutdown().await;
}
