//! The shapes that cross to the UI and the CLI: requests, views, events.
//! Every type here derives `serde` (camelCase) and `ts_rs::TS`; requests that
//! carry a secret are `Deserialize` only.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::connectors::Secret;
use crate::error::AppError;
use crate::health::{Health, Lifecycle, Transition};

/// The wizard's "Connect" button.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectRequest {
    /// System id from the catalog ("fergus").
    pub system: String,
    /// What the office calls this connection ("Fergus — Smith Plumbing").
    pub name: String,
    /// Overrides the system's default API address (the sandbox, on-prem).
    #[serde(default)]
    pub api_url: Option<String>,
    /// The access token. Never serialised back; Debug shows it masked.
    #[ts(type = "string")]
    pub token: Secret,
    /// When the token was generated (default: today) — for expiry warnings.
    #[serde(default)]
    pub token_created: Option<NaiveDate>,
    /// Connect even if another connection already uses this account.
    #[serde(default)]
    pub allow_duplicate: bool,
    /// Tags this attempt's `ConnectProgress` events (a new id when absent).
    #[serde(default)]
    pub attempt_id: Option<String>,
}

/// "Reconnect": a new secret for an existing connection.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReconnectRequest {
    pub connection_id: String,
    #[ts(type = "string")]
    pub token: Secret,
    #[serde(default)]
    pub token_created: Option<NaiveDate>,
    /// Accept a token that belongs to a different account than before.
    #[serde(default)]
    pub allow_different_account: bool,
    #[serde(default)]
    pub attempt_id: Option<String>,
}

/// One connection as the status board shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionView {
    pub id: String,
    pub name: String,
    /// System id ("fergus").
    pub system: String,
    /// System display name ("Fergus").
    pub system_name: String,
    pub account_id: String,
    pub account_name: String,
    pub api_url: String,
    pub lifecycle: Lifecycle,
    pub health: Health,
    /// One plain sentence: why the connection is in this state.
    pub reason: String,
    /// When `health` last changed.
    pub since: DateTime<Utc>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_failure: Option<DateTime<Utc>>,
    #[ts(type = "number | null")]
    pub last_latency_ms: Option<u64>,
    /// When the monitor checks next (None when not monitored).
    pub next_check: Option<DateTime<Utc>>,
    /// `fergPAT_…3f9a`: the most of the secret ever shown.
    pub masked_secret: String,
    pub token_created: Option<NaiveDate>,
    pub token_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Credits this connection costs while connected.
    pub credit_cost: u32,
    /// Entity types this connection can read ("jobs", "customers", …).
    pub readable_entities: Vec<String>,
    /// Where the user manages these credentials in the system's web app.
    pub settings_page_url: String,
}

/// One step of the connect/reconnect validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ConnectStep {
    CheckAddress,
    Reach,
    SignIn,
    CheckAccess,
    Save,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum StepStatus {
    Running,
    Passed,
    Failed,
    Skipped,
}

/// Everything the engine announces. Subscribe with `Patchbay::subscribe`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export)]
pub enum EngineEvent {
    /// One step of a connect or reconnect attempt.
    #[serde(rename_all = "camelCase")]
    ConnectProgress {
        attempt_id: String,
        step: ConnectStep,
        status: StepStatus,
        /// "Reaching Fergus…", "Checking access to jobs…".
        label: String,
        /// The entity type of a `checkAccess` step.
        entity: Option<String>,
        error: Option<AppError>,
    },
    /// A connection changed (check, rename, reconnect, disconnect, connect).
    #[serde(rename_all = "camelCase")]
    ConnectionChanged { connection: ConnectionView },
    /// The health state machine moved.
    #[serde(rename_all = "camelCase")]
    HealthTransition {
        connection_id: String,
        name: String,
        system: String,
        transition: Transition,
    },
}

/// One health check, for the history view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HealthCheckRecord {
    pub connection_id: String,
    pub at: DateTime<Utc>,
    /// "success", or an error code ("auth_rejected", "service_down", …).
    pub outcome: String,
    #[ts(type = "number | null")]
    pub latency_ms: Option<u64>,
    /// Technical text; never a secret.
    pub detail: Option<String>,
    /// The health after this check.
    pub health: Health,
}

/// One line of the append-only activity log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AuditEvent {
    #[ts(type = "number")]
    pub id: i64,
    pub at: DateTime<Utc>,
    /// "you", "monitor", "cli" or "system".
    pub actor: String,
    pub connection_id: Option<String>,
    /// "connection.created", "health.offline", "settings.updated", …
    pub kind: String,
    /// One plain sentence.
    pub summary: String,
    #[ts(type = "unknown")]
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct EventFilter {
    #[serde(default)]
    pub connection_id: Option<String>,
    /// Newest first; default 200.
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct EntityCount {
    pub entity: String,
    pub label: String,
    /// None when unknown or not readable.
    #[ts(type = "number | null")]
    pub count: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CreditSummary {
    pub used: u32,
    pub allowance: u32,
    pub available: u32,
}

/// A field missing from the input keeps its default, so an older client that does not
/// know the per-kind switches still saves its settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct Settings {
    /// Seconds between health checks (default 300).
    pub check_interval_secs: u32,
    /// The plan's credit allowance (default 10).
    pub credits_allowance: u32,
    /// Desktop notifications at all (the master switch; default on). The in-app banner and
    /// the tray colour do not depend on it.
    pub notifications_enabled: bool,
    /// Notify when a connection needs reconnecting (default on).
    pub notify_needs_reconnect: bool,
    /// Notify when a system can't be reached (default on).
    pub notify_offline: bool,
    /// Notify when an access token is about to expire: 14, 7 and 1 day(s) before (default on).
    pub notify_expiring: bool,
    /// Notify when a connection is working again (default on).
    pub notify_back_online: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            check_interval_secs: 300,
            credits_allowance: 10,
            notifications_enabled: true,
            notify_needs_reconnect: true,
            notify_offline: true,
            notify_expiring: true,
            notify_back_online: true,
        }
    }
}

/// Who did something, for the activity log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Actor {
    /// The person at the desktop app.
    You,
    /// The background health monitor.
    Monitor,
    /// The `patchbay` command line.
    Cli,
    /// Patchbay itself (start-up, migrations, detect-on-use).
    System,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::You => "you",
            Actor::Monitor => "monitor",
            Actor::Cli => "cli",
            Actor::System => "system",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::Credentials;

    const TOKEN: &str = "fergPAT_6f1c2d3e-4a5b-4c7d-8e9f-0a1b2c3d4e5f";

    #[test]
    fn settings_speak_camel_case_and_missing_switches_stay_on() {
        let json = serde_json::to_value(Settings::default())
            .unwrap_or_else(|e| panic!("settings serialise: {e}"));
        for key in [
            "notificationsEnabled",
            "notifyNeedsReconnect",
            "notifyOffline",
            "notifyExpiring",
            "notifyBackOnline",
        ] {
            assert_eq!(json[key], serde_json::Value::Bool(true), "{key}");
        }
        // An older client that knows only the master switch.
        let old: Settings = serde_json::from_value(serde_json::json!({
            "checkIntervalSecs": 60,
            "creditsAllowance": 3,
            "notificationsEnabled": false,
        }))
        .unwrap_or_else(|e| panic!("old settings parse: {e}"));
        assert_eq!(
            old,
            Settings {
                check_interval_secs: 60,
                credits_allowance: 3,
                notifications_enabled: false,
                ..Settings::default()
            }
        );
    }

    #[test]
    fn debug_of_requests_and_credentials_never_shows_the_token() {
        let connect: ConnectRequest = serde_json::from_value(serde_json::json!({
            "system": "fergus",
            "name": "Office",
            "token": TOKEN,
        }))
        .unwrap_or_else(|e| panic!("request parses: {e}"));
        let reconnect: ReconnectRequest = serde_json::from_value(serde_json::json!({
            "connectionId": "c1",
            "token": TOKEN,
        }))
        .unwrap_or_else(|e| panic!("request parses: {e}"));
        let credentials = Credentials {
            api_url: "https://api.fergus.com".into(),
            secret: Secret::new(TOKEN),
            fields: Default::default(),
        };
        let distinctive = &TOKEN[8..];
        for text in [
            format!("{connect:?}"),
            format!("{connect:#?}"),
            format!("{reconnect:?}"),
            format!("{credentials:?}"),
        ] {
            assert!(!text.contains(distinctive), "{text}");
            assert!(text.contains("fergPAT_…4e5f"), "masked form shown: {text}");
        }
    }
}
