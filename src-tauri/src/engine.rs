//! The one engine the app runs: a `Patchbay` opened at start-up, its health monitor, its
//! webhook delivery worker, and the record of notifications shown. Managed as Tauri state; no globals.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use patchbay_core::{
    AppError, MonitorHandle, MonitorOptions, Patchbay, PatchbayOptions, WebhookWorkerHandle,
};

use crate::notices::ShownNotification;

pub struct Engine {
    /// The engine, or why it could not be opened (every command then returns that error,
    /// so the window can say what is wrong instead of never appearing).
    patchbay: Result<Patchbay, AppError>,
    /// Where the engine keeps its data (exports fall back to a folder in here).
    data_dir: PathBuf,
    monitor: Mutex<Option<MonitorHandle>>,
    /// Sends the alert webhooks waiting in the outbox (and resumes them after a restart).
    webhooks: Mutex<Option<WebhookWorkerHandle>>,
    shown: Mutex<Vec<ShownNotification>>,
}

impl Engine {
    /// Opens the engine (`PATCHBAY_DATA_DIR` overrides the data folder), starts the monitor
    /// (`PATCHBAY_CHECK_INTERVAL_SECS` overrides the check interval from Settings) and the
    /// webhook delivery worker.
    pub fn start() -> Engine {
        tauri::async_runtime::block_on(async {
            let (opened, data_dir) = match PatchbayOptions::from_env() {
                Ok(options) => {
                    let data_dir = options.data_dir.clone();
                    (Patchbay::open(options).await, data_dir)
                }
                Err(error) => (Err(error), std::env::temp_dir()),
            };
            let (monitor, webhooks) = match &opened {
                Ok(patchbay) => (
                    Some(patchbay.start_monitor_with(MonitorOptions {
                        interval_secs: interval_override(),
                        ..MonitorOptions::default()
                    })),
                    Some(patchbay.start_webhook_worker()),
                ),
                Err(error) => {
                    tracing::error!(code = ?error.code, message = %error.message, "engine did not open");
                    (None, None)
                }
            };
            Engine {
                patchbay: opened,
                data_dir,
                monitor: Mutex::new(monitor),
                webhooks: Mutex::new(webhooks),
                shown: Mutex::new(Vec::new()),
            }
        })
    }

    pub fn get(&self) -> Result<&Patchbay, AppError> {
        self.patchbay.as_ref().map_err(Clone::clone)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Stops the monitor after the checks in flight, then the webhook worker after the
    /// deliveries in flight (what is still waiting stays in the outbox for the next start).
    /// Safe to call more than once.
    pub async fn stop_background(&self) {
        let monitor = self
            .monitor
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(handle) = monitor {
            handle.stop().await;
            tracing::info!("monitor stopped");
        }
        let webhooks = self
            .webhooks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(handle) = webhooks {
            handle.stop().await;
            tracing::info!("webhook worker stopped");
        }
    }

    pub fn record_shown(&self, notification: ShownNotification) {
        self.shown
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(notification);
    }

    pub fn shown(&self) -> Vec<ShownNotification> {
        self.shown.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

fn interval_override() -> Option<u32> {
    std::env::var("PATCHBAY_CHECK_INTERVAL_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|secs| *secs > 0)
}

/// `PATCHBAY_EXIT_ON_CLOSE=1` makes closing the window quit the app instead of hiding it in
/// the tray (for sessions without a tray, e.g. automated runs).
pub fn close_exits() -> bool {
    std::env::var("PATCHBAY_EXIT_ON_CLOSE").is_ok_and(|v| v == "1")
}
