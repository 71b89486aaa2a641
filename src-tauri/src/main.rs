//! Patchbay's desktop shell: a thin Tauri 2 layer over the `patchbay-core` facade.
//!
//! - `commands`: one Tauri command per user action, each a one-liner over `Patchbay`.
//! - `events`: forwards every `EngineEvent` to the UI as `engine-event`, feeds the tray and
//!   the notifier.
//! - `notices`: which health transitions become OS notifications, and grouping of bursts.
//! - `tray`: the tray icon whose picture and tooltip show the worst health.
//! - `csv_export`: the activity log as a CSV file.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod csv_export;
mod engine;
mod events;
mod notices;
mod tray;

use std::time::Instant;

use tauri::{Manager, WindowEvent};
use tauri_plugin_notification::NotificationExt;

use crate::engine::Engine;

/// Label of the one window (tauri.conf.json, capabilities/default.json).
pub const MAIN_WINDOW: &str = "main";

/// Shows, unminimises and focuses the main window (tray "Open", second launch).
pub fn show_main_window(app: &tauri::AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

fn main() {
    let started = Instant::now();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PATCHBAY_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,patchbay=info")),
        )
        .with_writer(std::io::stderr)
        .init();

    let result = tauri::Builder::default()
        // Must be first: a second launch hands over to the running app, which shows its window.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            show_main_window(app)
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .manage(commands::LaunchTime(started))
        .setup(|app| {
            let engine = Engine::start();
            app.manage(engine);
            tray::create(app.handle());
            // Before the first notification: only those shown while a handler exists report clicks.
            let handle = app.handle().clone();
            app.notification()
                .on_action(move |performed| notices::on_action(&handle, performed))?;
            events::spawn_forwarder(app.handle());
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window keeps Patchbay watching from the tray; "Quit" in the tray exits.
            if let WindowEvent::CloseRequested { api, .. } = event {
                if window.label() == MAIN_WINDOW && !engine::close_exits() {
                    api.prevent_close();
                    let _ = window.hide();
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::list_systems,
            commands::list_connections,
            commands::get_connection,
            commands::connect,
            commands::reconnect,
            commands::disconnect,
            commands::rename_connection,
            commands::check_now,
            commands::check_all,
            commands::connection_history,
            commands::list_events,
            commands::export_events_csv,
            commands::entity_counts,
            commands::browse,
            commands::get_record,
            commands::create_record,
            commands::get_credits,
            commands::get_settings,
            commands::update_settings,
            commands::open_settings_page,
            commands::add_webhook,
            commands::list_webhooks,
            commands::remove_webhook,
            commands::set_webhook_enabled,
            commands::reveal_webhook_secret,
            commands::test_webhook,
            commands::webhook_deliveries,
            commands::retry_delivery,
            commands::shown_notifications,
            commands::tray_status,
            commands::ui_ready,
        ])
        .build(tauri::generate_context!());

    match result {
        Ok(app) => app.run(|app, event| {
            if let tauri::RunEvent::ExitRequested { .. } = event {
                // Stops the monitor and the webhook worker after the work in flight (idempotent).
                tauri::async_runtime::block_on(app.state::<Engine>().stop_background());
            }
        }),
        Err(error) => {
            eprintln!("Patchbay could not start its window: {error}");
            std::process::exit(1);
        }
    }
}
