//! Errors a connector reports. Each carries a stable [`ErrorCode`] the engine
//! turns into plain words, and a technical `detail` that never contains a secret.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Stable identifiers the UI and scripts branch on. Never rename a variant's
/// serialised form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    AddressInvalid,
    Unreachable,
    TlsUntrusted,
    AuthRejected,
    PermissionMissing,
    RateLimited,
    ServiceDown,
    UnexpectedResponse,
    ValidationFailed,
    NotFound,
    Unsupported,
}

/// Which way a server could not be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum UnreachableCause {
    /// The name did not resolve (typo, no internet, DNS down).
    Dns,
    /// Nothing listening / connection refused.
    Refused,
    /// No answer in time.
    Timeout,
    /// The connection was cut mid-request.
    Reset,
    /// Anything else at the transport level.
    Other,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{code:?}: {detail}")]
pub struct ConnectorError {
    pub code: ErrorCode,
    /// Technical text for the "Technical details" toggle: method, path, status,
    /// a short excerpt of the body. Never a secret.
    pub detail: String,
    /// HTTP status, when there was a response.
    pub status: Option<u16>,
    /// Set for `Unreachable`.
    pub unreachable: Option<UnreachableCause>,
    /// Seconds to wait, from `Retry-After` (for `RateLimited`, sometimes `ServiceDown`).
    pub retry_after_secs: Option<u64>,
    /// For `ValidationFailed`: the system's own messages, one per problem,
    /// already in plain words where the connector could manage it.
    pub problems: Vec<String>,
}

impl ConnectorError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            status: None,
            unreachable: None,
            retry_after_secs: None,
            problems: Vec::new(),
        }
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// True for failures that say nothing about the credentials: the engine must
    /// never turn these into "needs reconnect".
    pub fn is_transient(&self) -> bool {
        matches!(
            self.code,
            ErrorCode::Unreachable
                | ErrorCode::ServiceDown
                | ErrorCode::RateLimited
                | ErrorCode::UnexpectedResponse
        )
    }
}
