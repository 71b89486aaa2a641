//! The tray icon: its picture and tooltip show the worst health of the connections
//! ("All 3 connections healthy", "1 connection needs you, 2 offline"); its menu opens the
//! window, checks everything now, fixes the first connection that needs you, or quits.

use patchbay_core::health::{Health, Lifecycle};
use patchbay_core::ConnectionView;
use serde::Serialize;
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::Notify;

use crate::engine::Engine;

const TRAY_ID: &str = "patchbay";
const MENU_OPEN: &str = "open";
const MENU_CHECK_ALL: &str = "check-all";
const MENU_QUIT: &str = "quit";
const MENU_FIX_PREFIX: &str = "fix:";

/// The tray picture: colour AND shape differ, so it never relies on colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrayLevel {
    /// Green circle with a check.
    Healthy,
    /// Amber triangle with "!": degraded or expiring.
    Attention,
    /// Red octagon with "!": needs you or offline.
    Problem,
    /// Grey circle with a bar: no connections, or not checked yet.
    Unknown,
}

impl TrayLevel {
    fn icon(self) -> &'static [u8] {
        match self {
            TrayLevel::Healthy => include_bytes!("../../icons/tray/healthy.png"),
            TrayLevel::Attention => include_bytes!("../../icons/tray/attention.png"),
            TrayLevel::Problem => include_bytes!("../../icons/tray/problem.png"),
            TrayLevel::Unknown => include_bytes!("../../icons/tray/unknown.png"),
        }
    }
}

/// What the tray shows, computed from the connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraySummary {
    pub level: TrayLevel,
    pub text: String,
    /// The first connection that needs the user (id, name), for a "Fix …" menu item.
    pub fix: Option<(String, String)>,
}

/// What the tray shows now (the `tray_status` command, for tests and diagnostics).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrayStatus {
    pub level: TrayLevel,
    pub tooltip: String,
    /// Whether a tray icon exists on this desktop.
    pub visible: bool,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Summarises the monitored connections (disconnected ones are not watched, so not counted).
pub fn summarise(connections: &[ConnectionView]) -> TraySummary {
    let watched: Vec<&ConnectionView> = connections
        .iter()
        .filter(|c| c.lifecycle != Lifecycle::Disconnected)
        .collect();
    let fix = watched
        .iter()
        .find(|c| c.health == Health::NeedsReconnect)
        .map(|c| (c.id.clone(), c.name.clone()));
    let Some(worst) = patchbay_core::health::worst(watched.iter().map(|c| c.health)) else {
        return TraySummary {
            level: TrayLevel::Unknown,
            text: "No connections yet".to_string(),
            fix,
        };
    };
    let count = |health: Health| watched.iter().filter(|c| c.health == health).count();
    let level = match worst {
        Health::Healthy => TrayLevel::Healthy,
        Health::Unknown => TrayLevel::Unknown,
        Health::Expiring | Health::Degraded => TrayLevel::Attention,
        Health::Offline | Health::NeedsReconnect => TrayLevel::Problem,
    };
    if worst == Health::Healthy {
        let text = match watched.len() {
            1 => "Your connection is healthy".to_string(),
            n => format!("All {n} connections healthy"),
        };
        return TraySummary { level, text, fix };
    }
    // Worst first: "1 connection needs you, 2 offline, 1 expiring soon".
    let mut parts = Vec::new();
    for (health, one, many) in [
        (Health::NeedsReconnect, "needs you", "need you"),
        (Health::Offline, "offline", "offline"),
        (Health::Degraded, "slow", "slow"),
        (Health::Expiring, "expiring soon", "expiring soon"),
        (Health::Unknown, "not checked yet", "not checked yet"),
    ] {
        let n = count(health);
        if n == 0 {
            continue;
        }
        let words = if n == 1 { one } else { many };
        if parts.is_empty() {
            parts.push(format!(
                "{} {words}",
                plural(n, "connection", "connections")
            ));
        } else {
            parts.push(format!("{n} {words}"));
        }
    }
    TraySummary {
        level,
        text: parts.join(", "),
        fix,
    }
}

/// Wakes the refresher (several changes in quick succession cause one refresh) and keeps
/// what the tray shows now.
pub struct TrayRefresh {
    wake: Notify,
    shown: std::sync::Mutex<TrayStatus>,
}

impl TrayRefresh {
    pub fn request(&self) {
        self.wake.notify_one();
    }

    pub fn status(&self) -> TrayStatus {
        self.shown.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set_status(&self, status: TrayStatus) {
        *self.shown.lock().unwrap_or_else(|e| e.into_inner()) = status;
    }
}

fn build_menu(app: &AppHandle, summary: &TraySummary) -> tauri::Result<Menu<tauri::Wry>> {
    let status = MenuItem::with_id(app, "status", &summary.text, false, None::<&str>)?;
    let open = MenuItem::with_id(app, MENU_OPEN, "Open Patchbay", true, None::<&str>)?;
    let check = MenuItem::with_id(app, MENU_CHECK_ALL, "Check all now", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, MENU_QUIT, "Quit Patchbay", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&status, &separator, &open, &check])?;
    if let Some((id, name)) = &summary.fix {
        let fix = MenuItem::with_id(
            app,
            format!("{MENU_FIX_PREFIX}{id}"),
            format!("Reconnect {name}…"),
            true,
            None::<&str>,
        )?;
        menu.append(&fix)?;
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&quit)?;
    Ok(menu)
}

fn on_menu(app: &AppHandle, id: &str) {
    match id {
        MENU_OPEN => crate::show_main_window(app),
        MENU_CHECK_ALL => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let engine = app.state::<Engine>();
                if let Ok(patchbay) = engine.get() {
                    if let Err(error) = patchbay.check_all().await {
                        tracing::warn!(code = ?error.code, "check all from the tray failed");
                    }
                }
            });
        }
        // ExitRequested (main.rs) stops the monitor cleanly before the process ends.
        MENU_QUIT => app.exit(0),
        other => {
            if let Some(connection_id) = other.strip_prefix(MENU_FIX_PREFIX) {
                crate::show_main_window(app);
                let _ = app.emit(
                    "open-reconnect",
                    serde_json::json!({ "connectionId": connection_id }),
                );
            }
        }
    }
}

/// Creates the tray icon and the task that keeps it up to date. A desktop without a tray
/// still gets the window (the failure is logged).
pub fn create(app: &AppHandle) {
    let initial = summarise(&[]);
    let refresh = TrayRefresh {
        wake: Notify::new(),
        shown: std::sync::Mutex::new(TrayStatus {
            level: initial.level,
            tooltip: initial.text.clone(),
            visible: false,
        }),
    };
    refresh.request();
    app.manage(refresh);
    let built = Image::from_bytes(initial.level.icon()).and_then(|icon| {
        TrayIconBuilder::with_id(TRAY_ID)
            .icon(icon)
            .tooltip("Patchbay")
            .menu(&build_menu(app, &initial)?)
            .on_menu_event(|app, event| on_menu(app, event.id().as_ref()))
            .build(app)
    });
    let tray = match built {
        Ok(tray) => tray,
        Err(error) => {
            tracing::warn!(%error, "no tray icon on this desktop");
            return;
        }
    };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            app.state::<TrayRefresh>().wake.notified().await;
            // Let a burst of changes (a monitor sweep) settle into one refresh.
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            update(&app, &tray).await;
        }
    });
}

async fn update(app: &AppHandle, tray: &TrayIcon) {
    let engine = app.state::<Engine>();
    let connections = match engine.get() {
        Ok(patchbay) => patchbay.list_connections().await.unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let summary = summarise(&connections);
    let result = Image::from_bytes(summary.level.icon())
        .and_then(|icon| tray.set_icon(Some(icon)))
        .and_then(|()| tray.set_tooltip(Some(&summary.text)))
        .and_then(|()| build_menu(app, &summary))
        .and_then(|menu| tray.set_menu(Some(menu)));
    if let Err(error) = result {
        tracing::warn!(%error, "tray not updated");
        return;
    }
    app.state::<TrayRefresh>().set_status(TrayStatus {
        level: summary.level,
        tooltip: summary.text,
        visible: true,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn connection(id: &str, lifecycle: Lifecycle, health: Health) -> ConnectionView {
        ConnectionView {
            id: id.to_string(),
            name: format!("Site {id}"),
            system: "fergus".to_string(),
            system_name: "Fergus".to_string(),
            account_id: "1".to_string(),
            account_name: "Smith Plumbing".to_string(),
            api_url: "http://127.0.0.1:1".to_string(),
            lifecycle,
            health,
            reason: String::new(),
            since: Utc::now(),
            last_success: None,
            last_failure: None,
            last_latency_ms: None,
            next_check: None,
            masked_secret: "fergPAT_…abcd".to_string(),
            token_created: None,
            token_expires_at: None,
            created_at: Utc::now(),
            credit_cost: 1,
            readable_entities: Vec::new(),
            settings_page_url: String::new(),
        }
    }

    #[test]
    fn no_connections_is_grey() {
        let summary = summarise(&[]);
        assert_eq!(summary.level, TrayLevel::Unknown);
        assert_eq!(summary.text, "No connections yet");
    }

    #[test]
    fn all_healthy_is_green() {
        let all: Vec<_> = ["a", "b", "c"]
            .iter()
            .map(|id| connection(id, Lifecycle::Connected, Health::Healthy))
            .collect();
        let summary = summarise(&all);
        assert_eq!(summary.level, TrayLevel::Healthy);
        assert_eq!(summary.text, "All 3 connections healthy");
        assert_eq!(summary.fix, None);
    }

    #[test]
    fn needs_you_is_red_and_offers_a_fix() {
        let all = vec![
            connection("a", Lifecycle::Connected, Health::Healthy),
            connection("b", Lifecycle::Connected, Health::NeedsReconnect),
            connection("c", Lifecycle::Connected, Health::Offline),
            connection("d", Lifecycle::Connected, Health::Offline),
        ];
        let summary = summarise(&all);
        assert_eq!(summary.level, TrayLevel::Problem);
        assert_eq!(summary.text, "1 connection needs you, 2 offline");
        assert_eq!(summary.fix, Some(("b".to_string(), "Site b".to_string())));
    }

    #[test]
    fn expiring_is_amber() {
        let all = vec![
            connection("a", Lifecycle::Connected, Health::Expiring),
            connection("b", Lifecycle::Connected, Health::Expiring),
        ];
        let summary = summarise(&all);
        assert_eq!(summary.level, TrayLevel::Attention);
        assert_eq!(summary.text, "2 connections expiring soon");
    }

    #[test]
    fn disconnected_connections_are_not_counted() {
        let all = vec![
            connection("a", Lifecycle::Connected, Health::Healthy),
            connection("b", Lifecycle::Disconnected, Health::Unknown),
        ];
        assert_eq!(summarise(&all).text, "Your connection is healthy");
    }
}
