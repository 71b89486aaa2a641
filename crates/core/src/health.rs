//! The health state machine: one pure function
//! `(state, observation, now, policy) → (state, transitions)`.
//!
//! Lifecycle and health are two axes. Auth rejections flip at once; transient
//! failures need a streak (hysteresis); recovery emits its own transition.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Lifecycle {
    /// Being validated by the wizard; never stored as such once saved.
    Pending,
    Connected,
    Disconnected,
    /// Out of credits: kept, not checked.
    Inactive,
}

/// How a connection is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Health {
    // Ordered from best to worst, so `max()` over a set gives the worst.
    Healthy,
    Unknown,
    Expiring,
    Degraded,
    Offline,
    NeedsReconnect,
}

/// Everything the state machine knows about one connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HealthState {
    pub lifecycle: Lifecycle,
    pub health: Health,
    /// One plain sentence: why the connection is in this state.
    pub reason: String,
    /// When `health` last changed.
    pub since: DateTime<Utc>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_failure: Option<DateTime<Utc>>,
    /// Transient failures in a row (reset by any success).
    pub failure_streak: u32,
    /// Slow successes in a row (reset by a fast success).
    pub slow_streak: u32,
    pub last_latency_ms: Option<u64>,
    /// When the token stops working (created + lifetime), if known.
    pub token_expires_at: Option<DateTime<Utc>>,
}

/// What a check (or any use of the connection) found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Observation {
    /// The system answered an authenticated request successfully.
    Success { latency_ms: u64 },
    /// 401 / revoked / expired token.
    AuthRejected { detail: String },
    /// 403: the token's user lacks the rights.
    PermissionMissing { detail: String },
    /// 5xx, timeout, DNS, refused, reset, unexpected body: says nothing about
    /// the credentials.
    TransientFailure { code: patchbay_connectors::ErrorCode, detail: String },
    /// 429: the company's shared budget is spent. Never a credential failure.
    RateLimited { retry_after_secs: Option<u64> },
    /// The clock moved (no request): re-evaluate expiry.
    Tick,
    /// A new secret passed validation (reconnect).
    Reconnected { token_expires_at: Option<DateTime<Utc>> },
    Disconnected,
    /// Credits ran out / came back.
    Deactivated,
    Reactivated,
}

/// Why the state machine emitted a transition — also the webhook event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TransitionKind {
    ReauthorizationRequired,
    Offline,
    Degraded,
    Recovered,
    Expiring,
    Reconnected,
    Disconnected,
    Deactivated,
    Reactivated,
}

/// One change of state, to store in history and publish.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Transition {
    pub kind: TransitionKind,
    pub from: Health,
    pub to: Health,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// Tunables of the state machine.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthPolicy {
    /// Transient failures in a row before `offline` (default 3).
    pub offline_after_failures: u32,
    /// A success slower than this counts as slow (default 3 s).
    pub slow_threshold_ms: u64,
    /// Slow successes in a row before `degraded` (default 3).
    pub degraded_after_slow: u32,
    /// Go `expiring` this long before the token expires (default 14 days).
    pub expiry_warning: Duration,
    /// The system's display name, for reasons ("Fergus stopped accepting …").
    pub system_name: String,
}

impl Default for HealthPolicy {
    fn default() -> Self {
        Self {
            offline_after_failures: 3,
            slow_threshold_ms: 3_000,
            degraded_after_slow: 3,
            expiry_warning: Duration::days(14),
            system_name: "Fergus".to_string(),
        }
    }
}

impl HealthState {
    /// A freshly connected connection that has not been checked yet.
    pub fn new_connected(now: DateTime<Utc>, token_expires_at: Option<DateTime<Utc>>) -> Self {
        Self {
            lifecycle: Lifecycle::Connected,
            health: Health::Unknown,
            reason: "Not checked yet. First check in a moment.".to_string(),
            since: now,
            last_success: None,
            last_failure: None,
            failure_streak: 0,
            slow_streak: 0,
            last_latency_ms: None,
            token_expires_at,
        }
    }
}

/// The one transition function. Pure: no I/O, no clock, no randomness.
pub fn apply(
    state: &HealthState,
    observation: &Observation,
    now: DateTime<Utc>,
    policy: &HealthPolicy,
) -> (HealthState, Vec<Transition>) {
    // PLACEHOLDER — being written by the state-machine engineer.
    let _ = (observation, now, policy);
    (state.clone(), Vec::new())
}
