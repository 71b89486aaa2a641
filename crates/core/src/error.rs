//! The error every user-facing action returns: a stable `code`, a plain-words
//! `message`, a `hint` with the next step, and technical `detail` for the
//! "Technical details" toggle. Never contains a secret.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Stable identifiers the UI and scripts branch on. Never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AppErrorCode {
    AddressInvalid,
    Unreachable,
    TlsUntrusted,
    AuthRejected,
    PermissionMissing,
    RateLimited,
    ServiceDown,
    UnexpectedResponse,
    CreditsExhausted,
    KeyringUnavailable,
    NotFound,
    /// The system refused a write: see `problems`.
    ValidationFailed,
    /// Bad input from the user or a script (empty name, garbage token …).
    InvalidInput,
    /// Another connection already uses this account.
    DuplicateConnection,
    /// A reconnect token belongs to another account/company.
    DifferentAccount,
    /// The system is listed but cannot be connected yet.
    SystemUnavailable,
    /// The local database could not be read or written.
    StorageFailed,
    /// A webhook endpoint address is not acceptable.
    WebhookUrlInvalid,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
#[error("{message}")]
pub struct AppError {
    pub code: AppErrorCode,
    /// What happened, in plain words.
    pub message: String,
    /// What to do next, in plain words.
    pub hint: Option<String>,
    /// Technical text (status, address, body excerpt). Never a secret.
    pub detail: Option<String>,
    /// Per-problem messages for `validation_failed`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// Seconds until a retry makes sense (`rate_limited`, `service_down`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

impl AppError {
    pub fn new(code: AppErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            hint: None,
            detail: None,
            problems: Vec::new(),
            retry_after_secs: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}
