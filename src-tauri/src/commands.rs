//! One Tauri command per user action, each a one-liner over the `Patchbay` facade.
//! Arguments arrive camelCase from the UI (`connectionId`); every command returns
//! `Result<T, AppError>`, so the UI's promise rejects with the AppError object.
//! Each name is also listed in build.rs (permission `allow-<name>`) and granted in
//! capabilities/default.json.

use std::time::Instant;

use patchbay_core::{
    AppError, AppErrorCode, AuditEvent, ConnectRequest, ConnectionView, CreateOutcome,
    CreatedWebhook, CreditSummary, EntityCount, EventFilter, HealthCheckRecord, ListQuery,
    ReconnectRequest, Record, RecordPage, Settings, SystemDescriptor, WebhookDelivery,
    WebhookEndpoint, WebhookInput,
};
use tauri::State;
use tauri_plugin_opener::OpenerExt;

use crate::engine::Engine;
use crate::notices::ShownNotification;

type Reply<T> = Result<T, AppError>;

/// When the process started, for `ui_ready` (start-up time).
pub struct LaunchTime(pub Instant);

#[tauri::command]
pub fn list_systems(engine: State<'_, Engine>) -> Reply<Vec<SystemDescriptor>> {
    Ok(engine.get()?.systems())
}

#[tauri::command]
pub async fn list_connections(engine: State<'_, Engine>) -> Reply<Vec<ConnectionView>> {
    engine.get()?.list_connections().await
}

#[tauri::command]
pub async fn get_connection(
    engine: State<'_, Engine>,
    connection_id: String,
) -> Reply<ConnectionView> {
    engine.get()?.connection(&connection_id).await
}

#[tauri::command]
pub async fn connect(engine: State<'_, Engine>, request: ConnectRequest) -> Reply<ConnectionView> {
    engine.get()?.connect(request).await
}

#[tauri::command]
pub async fn reconnect(
    engine: State<'_, Engine>,
    request: ReconnectRequest,
) -> Reply<ConnectionView> {
    engine.get()?.reconnect(request).await
}

#[tauri::command]
pub async fn disconnect(engine: State<'_, Engine>, connection_id: String) -> Reply<ConnectionView> {
    engine.get()?.disconnect(&connection_id).await
}

#[tauri::command]
pub async fn rename_connection(
    engine: State<'_, Engine>,
    connection_id: String,
    name: String,
) -> Reply<ConnectionView> {
    engine.get()?.rename(&connection_id, &name).await
}

#[tauri::command]
pub async fn check_now(engine: State<'_, Engine>, connection_id: String) -> Reply<ConnectionView> {
    engine.get()?.check_now(&connection_id).await
}

#[tauri::command]
pub async fn check_all(engine: State<'_, Engine>) -> Reply<Vec<ConnectionView>> {
    engine.get()?.check_all().await
}

#[tauri::command]
pub async fn connection_history(
    engine: State<'_, Engine>,
    connection_id: String,
    limit: u32,
) -> Reply<Vec<HealthCheckRecord>> {
    engine.get()?.history(&connection_id, limit).await
}

#[tauri::command]
pub async fn list_events(engine: State<'_, Engine>, filter: EventFilter) -> Reply<Vec<AuditEvent>> {
    engine.get()?.events(filter).await
}

/// Writes the filtered activity log as CSV (Downloads, else the data folder); returns the path.
#[tauri::command]
pub async fn export_events_csv(engine: State<'_, Engine>, filter: EventFilter) -> Reply<String> {
    let events = engine.get()?.events(filter).await?;
    let dir = crate::csv_export::export_dir(engine.data_dir());
    let path = crate::csv_export::write(&dir, &events, chrono::Utc::now())?;
    Ok(path.display().to_string())
}

#[tauri::command]
pub async fn entity_counts(
    engine: State<'_, Engine>,
    connection_id: String,
) -> Reply<Vec<EntityCount>> {
    engine.get()?.entity_counts(&connection_id).await
}

#[tauri::command]
pub async fn browse(
    engine: State<'_, Engine>,
    connection_id: String,
    entity: String,
    query: ListQuery,
) -> Reply<RecordPage> {
    engine.get()?.browse(&connection_id, &entity, query).await
}

#[tauri::command]
pub async fn get_record(
    engine: State<'_, Engine>,
    connection_id: String,
    entity: String,
    record_id: String,
) -> Reply<Record> {
    engine
        .get()?
        .record(&connection_id, &entity, &record_id)
        .await
}

#[tauri::command]
pub async fn create_record(
    engine: State<'_, Engine>,
    connection_id: String,
    entity: String,
    data: serde_json::Value,
) -> Reply<CreateOutcome> {
    engine
        .get()?
        .create_record(&connection_id, &entity, data)
        .await
}

#[tauri::command]
pub async fn get_credits(engine: State<'_, Engine>) -> Reply<CreditSummary> {
    engine.get()?.credits().await
}

#[tauri::command]
pub async fn get_settings(engine: State<'_, Engine>) -> Reply<Settings> {
    engine.get()?.settings().await
}

#[tauri::command]
pub async fn update_settings(engine: State<'_, Engine>, settings: Settings) -> Reply<Settings> {
    engine.get()?.update_settings(settings).await
}

/// Adds an alert endpoint; the reply carries its signing secret this once.
#[tauri::command]
pub async fn add_webhook(engine: State<'_, Engine>, input: WebhookInput) -> Reply<CreatedWebhook> {
    engine.get()?.add_webhook(input).await
}

#[tauri::command]
pub async fn list_webhooks(engine: State<'_, Engine>) -> Reply<Vec<WebhookEndpoint>> {
    engine.get()?.list_webhooks().await
}

#[tauri::command]
pub async fn remove_webhook(engine: State<'_, Engine>, endpoint_id: String) -> Reply<()> {
    engine.get()?.remove_webhook(&endpoint_id).await
}

#[tauri::command]
pub async fn set_webhook_enabled(
    engine: State<'_, Engine>,
    endpoint_id: String,
    enabled: bool,
) -> Reply<WebhookEndpoint> {
    engine
        .get()?
        .set_webhook_enabled(&endpoint_id, enabled)
        .await
}

#[tauri::command]
pub async fn reveal_webhook_secret(
    engine: State<'_, Engine>,
    endpoint_id: String,
) -> Reply<String> {
    engine.get()?.reveal_webhook_secret(&endpoint_id).await
}

/// Queues a `webhook.test` message; the delivery worker sends it within moments.
#[tauri::command]
pub async fn test_webhook(
    engine: State<'_, Engine>,
    endpoint_id: String,
) -> Reply<WebhookDelivery> {
    engine.get()?.test_webhook(&endpoint_id).await
}

/// Newest first; every endpoint's when `endpointId` is null.
#[tauri::command]
pub async fn webhook_deliveries(
    engine: State<'_, Engine>,
    endpoint_id: Option<String>,
    limit: u32,
) -> Reply<Vec<WebhookDelivery>> {
    engine
        .get()?
        .webhook_deliveries(endpoint_id.as_deref(), limit)
        .await
}

#[tauri::command]
pub async fn retry_delivery(
    engine: State<'_, Engine>,
    message_id: String,
) -> Reply<WebhookDelivery> {
    engine.get()?.retry_delivery(&message_id).await
}

/// Opens the system's credentials page in the default browser: the connection's own page
/// when `connectionId` is given, else the page for `systemId` at `apiUrl` (the sandbox).
#[tauri::command]
pub async fn open_settings_page(
    app: tauri::AppHandle,
    engine: State<'_, Engine>,
    connection_id: Option<String>,
    system_id: String,
    api_url: Option<String>,
) -> Reply<()> {
    let patchbay = engine.get()?;
    let url = match connection_id {
        Some(id) => patchbay.connection(&id).await?.settings_page_url,
        None => patchbay.settings_page_url(&system_id, api_url.as_deref())?,
    };
    open_in_browser(&app, &url)
}

/// What the app has shown as OS notifications since it started (tests and diagnostics).
#[tauri::command]
pub fn shown_notifications(engine: State<'_, Engine>) -> Vec<ShownNotification> {
    engine.shown()
}

/// What the tray icon shows now: its level and tooltip (tests and diagnostics).
#[tauri::command]
pub fn tray_status(tray: State<'_, crate::tray::TrayRefresh>) -> crate::tray::TrayStatus {
    tray.status()
}

/// The UI calls this once the first screen has its data; prints a start-up marker for
/// `scripts/bench-app.sh` and returns the milliseconds since the process started.
#[tauri::command]
pub fn ui_ready(launched: State<'_, LaunchTime>) -> u64 {
    let millis = u64::try_from(launched.0.elapsed().as_millis()).unwrap_or(u64::MAX);
    eprintln!("PATCHBAY_UI_READY ms={millis}");
    millis
}

fn open_in_browser(app: &tauri::AppHandle, url: &str) -> Reply<()> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(AppError::new(
            AppErrorCode::InvalidInput,
            "That page address is not a web address.",
        )
        .detail(url.to_string()));
    }
    app.opener().open_url(url, None::<&str>).map_err(|error| {
        AppError::new(
            AppErrorCode::Internal,
            "Patchbay couldn't open your web browser.",
        )
        .hint(format!("Open this address in your browser yourself: {url}"))
        .detail(error.to_string())
    })
}
