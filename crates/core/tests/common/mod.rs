//! Shared set-up for the scenario tests: the Fergus sandbox in-process, a
//! temp data dir and the REAL Secret Service under a unique service name.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration as StdDuration;

use patchbay_core::connectors::fergus::FergusConnector;
use patchbay_core::health::TransitionKind;
use patchbay_core::*;
use patchbay_sandbox::{Sandbox, SandboxOptions};
use serde_json::{json, Value};
use tokio::sync::broadcast::Receiver;

pub struct World {
    pub engine: Patchbay,
    pub sandbox: Sandbox,
    pub service: String,
    pub dir: tempfile::TempDir,
    pub control: reqwest::Client,
}

pub fn keyring_present() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "these scenarios use the real Secret Service: run them through scripts/with-keyring.sh"
    );
}

pub async fn world() -> World {
    world_with_clock(Arc::new(SystemClock)).await
}

pub async fn world_with_clock(clock: Arc<dyn Clock>) -> World {
    keyring_present();
    let sandbox = Sandbox::start(SandboxOptions {
        port: 0,
        demo_jobs: 30,
        ..Default::default()
    })
    .await
    .expect("sandbox starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let service = format!("patchbay-test-{}", uuid::Uuid::new_v4());
    let engine = Patchbay::open(PatchbayOptions {
        data_dir: dir.path().to_path_buf(),
        secrets: Arc::new(OsKeyring::new(service.clone())),
        clock,
        http: Some(FergusConnector::client_with_timeouts(
            StdDuration::from_secs(2),
            StdDuration::from_secs(5),
        )),
    })
    .await
    .expect("engine opens");
    World {
        engine,
        sandbox,
        service,
        dir,
        control: reqwest::Client::new(),
    }
}

impl World {
    pub async fn control(&self, path: &str, body: Value) -> Value {
        let response = self
            .control
            .post(format!("{}/_sandbox/{path}", self.sandbox.base_url()))
            .json(&body)
            .send()
            .await
            .expect("sandbox control answers");
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.expect("control JSON")
    }

    pub fn request(&self, name: &str, token: &str) -> ConnectRequest {
        ConnectRequest {
            system: "fergus".into(),
            name: name.into(),
            api_url: Some(self.sandbox.base_url()),
            token: Secret::new(token),
            token_created: None,
            allow_duplicate: false,
            attempt_id: None,
        }
    }

    pub async fn connect_demo(&self) -> ConnectionView {
        let token = self.sandbox.demo().token.clone();
        self.engine
            .connect(self.request("Tui office", &token))
            .await
            .expect("demo company connects")
    }

    /// The keyring entry, read straight from the Secret Service.
    pub fn keyring_entry(&self, connection_id: &str) -> Result<String, keyring::Error> {
        keyring::Entry::new(&self.service, connection_id)?.get_password()
    }

    pub async fn new_company(&self, name: &str) -> (String, i64) {
        let created = self
            .control("companies", json!({"name": name, "jobs": 5, "seed": 3}))
            .await;
        (
            created["token"].as_str().unwrap_or_default().to_string(),
            created["userId"].as_i64().unwrap_or_default(),
        )
    }

    pub async fn finish(self) {
        // Leave nothing behind in the test keyring.
        for c in self.engine.list_connections().await.unwrap_or_default() {
            if let Ok(entry) = keyring::Entry::new(&self.service, &c.id) {
                let _ = entry.delete_credential();
            }
        }
        self.sandbox.shutdown().await;
    }
}

pub fn drain(rx: &mut Receiver<EngineEvent>) -> Vec<EngineEvent> {
    let mut out = Vec::new();
    while let Ok(e) = rx.try_recv() {
        out.push(e);
    }
    out
}

pub fn transitions(events: &[EngineEvent]) -> Vec<TransitionKind> {
    events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::HealthTransition { transition, .. } => Some(transition.kind),
            _ => None,
        })
        .collect()
}
