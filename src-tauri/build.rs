//! Tauri build step. Every app command is listed here so it gets an `allow-<command>`
//! permission; `capabilities/default.json` grants exactly these to the main window.

const COMMANDS: &[&str] = &[
    "list_systems",
    "list_connections",
    "get_connection",
    "connect",
    "reconnect",
    "disconnect",
    "rename_connection",
    "check_now",
    "check_all",
    "connection_history",
    "list_events",
    "export_events_csv",
    "entity_counts",
    "browse",
    "get_record",
    "create_record",
    "get_credits",
    "get_settings",
    "update_settings",
    "open_settings_page",
    "add_webhook",
    "list_webhooks",
    "remove_webhook",
    "set_webhook_enabled",
    "reveal_webhook_secret",
    "test_webhook",
    "webhook_deliveries",
    "retry_delivery",
    "shown_notifications",
    "tray_status",
    "ui_ready",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        // build scripts report failure by panicking; this is the documented pattern.
        panic!("tauri build step failed: {error:#}");
    }
}
