//! Forwards every engine event to the UI as the `engine-event` Tauri event, and tells the
//! tray and the notifier about changes. The UI never polls.

use std::collections::HashMap;

use patchbay_core::EngineEvent;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::broadcast::error::RecvError;

use crate::engine::Engine;
use crate::notices::{Candidate, Notifier};
use crate::tray::TrayRefresh;

/// The one event name the UI listens to (payload: `EngineEvent`).
pub const ENGINE_EVENT: &str = "engine-event";

pub fn spawn_forwarder(app: &AppHandle) {
    let engine = app.state::<Engine>();
    let Ok(patchbay) = engine.get() else { return };
    let mut events = patchbay.subscribe();
    let system_names: HashMap<String, String> = patchbay
        .systems()
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let notifier = Notifier::spawn(app);
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => {
                    if let Err(error) = app.emit(ENGINE_EVENT, &event) {
                        tracing::warn!(%error, "engine event not delivered to the window");
                    }
                    match event {
                        EngineEvent::ConnectionChanged { .. } => {
                            app.state::<TrayRefresh>().request()
                        }
                        EngineEvent::HealthTransition {
                            connection_id,
                            name,
                            system,
                            transition,
                        } => {
                            app.state::<TrayRefresh>().request();
                            notifier.offer(Candidate {
                                connection_id,
                                name,
                                system_name: system_names.get(&system).cloned().unwrap_or(system),
                                kind: transition.kind,
                                from: transition.from,
                                reason: transition.reason,
                                at: transition.at,
                                token_expires_at: None,
                            });
                        }
                        EngineEvent::ConnectProgress { .. } => {}
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    // The window missed some changes: send the current state of every connection.
                    tracing::warn!(missed, "engine events lagged; resending connections");
                    resend_connections(&app).await;
                    app.state::<TrayRefresh>().request();
                }
                Err(RecvError::Closed) => break,
            }
        }
    });
}

async fn resend_connections(app: &AppHandle) {
    let engine = app.state::<Engine>();
    let Ok(patchbay) = engine.get() else { return };
    let Ok(connections) = patchbay.list_connections().await else {
        return;
    };
    for connection in connections {
        let _ = app.emit(ENGINE_EVENT, EngineEvent::ConnectionChanged { connection });
    }
}
