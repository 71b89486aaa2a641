//! The health state machine: one pure function
//! `(state, observation, now, policy) → (state, transitions)`.
//!
//! Lifecycle and health are two axes. Auth rejections flip at once; transient
//! failures need a streak (hysteresis); recovery emits its own transition.
//!
//! # The rules (what [`apply`] does)
//! - A `Disconnected` connection absorbs every observation: nothing changes.
//! - `AuthRejected` (401) → `needs_reconnect` at once ([`TransitionKind::ReauthorizationRequired`]).
//!   `PermissionMissing` (403) → `needs_reconnect` with the permission reason (same kind).
//!   While `needs_reconnect`, only `Success` (→ `Recovered`) or `Reconnected` clear it.
//! - `TransientFailure` never means `needs_reconnect`. One blip changes nothing
//!   but the streak; `offline_after_failures` in a row → `offline`.
//!   *Flaky rule*: a failure that follows a success, when the previous failure
//!   was less than `flaky_window` ago and in the current state (two separate
//!   failures with a success between them, since the last health change),
//!   → `degraded` ("failing some checks"). A degraded connection only
//!   recovers on a fast success with no failure in the last `flaky_window`.
//! - `RateLimited` (429) is not an outage and not a failure of the connection:
//!   it changes nothing (the streaks are neither counted nor reset). The
//!   monitor records it in the check history and backs off.
//! - `Success` → `healthy`; slow successes (`latency ≥ slow_threshold_ms`)
//!   `degraded_after_slow` in a row → `degraded`. From `offline`,
//!   `needs_reconnect`, `degraded` or `expiring` back to a good state emits
//!   `Recovered` (exactly once). `unknown → healthy` (the first check) is quiet:
//!   no transition.
//! - Expiry: when the connection is otherwise healthy (or unknown), a token
//!   that expires within `expiry_warning` makes it `expiring`; an expired token
//!   stays `expiring` with "expired" wording (the next 401 flips it). Reminders
//!   (`Expiring` transitions) fire once per stage: at `expiry_warning`
//!   (14 days), 7 days, 1 day and on expiry. `Tick` re-evaluates expiry only.
//! - `Reconnected` → `healthy` (or `expiring` if the new token is near its end),
//!   streaks reset, new expiry, always a `Reconnected` transition.
//! - `Disconnected` → lifecycle `disconnected`, health `unknown` (no longer
//!   checked). `Deactivated`/`Reactivated` toggle `inactive`/`connected` and
//!   keep the health.
//! - `since` changes only when `health` changes.
//!
//! # Times in reasons
//! Reasons are stored and sent (CLI, webhooks), so they cannot follow the
//! viewer's time zone. They name times in UTC, explicitly: "4 Dec at 10:42 UTC".
//! The UI shows `since`/`lastSuccess` in local time next to the reason.

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

impl Lifecycle {
    /// The stable snake_case name (as serialised).
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Pending => "pending",
            Lifecycle::Connected => "connected",
            Lifecycle::Disconnected => "disconnected",
            Lifecycle::Inactive => "inactive",
        }
    }
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

impl Health {
    /// Every value, best first.
    pub const ALL: [Health; 6] = [
        Health::Healthy,
        Health::Unknown,
        Health::Expiring,
        Health::Degraded,
        Health::Offline,
        Health::NeedsReconnect,
    ];

    /// The stable snake_case name (as serialised).
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Healthy => "healthy",
            Health::Unknown => "unknown",
            Health::Expiring => "expiring",
            Health::Degraded => "degraded",
            Health::Offline => "offline",
            Health::NeedsReconnect => "needs_reconnect",
        }
    }
}

/// The worst health of a set (the tray colour, the banner), `None` when empty.
pub fn worst(healths: impl IntoIterator<Item = Health>) -> Option<Health> {
    healths.into_iter().max()
}

/// The UI's short word for a health, without naming the system
/// (use [`label_for`] where the system's name is known).
pub fn label(health: Health) -> &'static str {
    match health {
        Health::Healthy => "Working",
        Health::Degraded => "Slow",
        Health::Offline => "Can't reach the system",
        Health::NeedsReconnect => "Needs you",
        Health::Expiring => "Expires soon",
        Health::Unknown => "Not checked yet",
    }
}

/// The UI's short word for a health, naming the system: "Can't reach Fergus".
pub fn label_for(health: Health, system_name: &str) -> String {
    match health {
        Health::Offline => format!("Can't reach {system_name}"),
        other => label(other).to_string(),
    }
}

/// The UI's word for a lifecycle.
pub fn lifecycle_label(lifecycle: Lifecycle) -> &'static str {
    match lifecycle {
        Lifecycle::Pending => "Connecting…",
        Lifecycle::Connected => "Connected",
        Lifecycle::Disconnected => "Disconnected",
        Lifecycle::Inactive => "Paused (out of credits)",
    }
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
    #[ts(type = "number | null")]
    pub last_latency_ms: Option<u64>,
    /// When the token stops working (created + lifetime), if known.
    pub token_expires_at: Option<DateTime<Utc>>,
    /// The first transient failure of the current streak ("no answer since …").
    /// `None` when the streak is 0.
    #[serde(default)]
    pub failing_since: Option<DateTime<Utc>>,
    /// The last expiry reminder stage announced, in days before expiry
    /// (e.g. 14, 7, 1; 0 = "expired"), so each reminder fires once.
    /// Reset by `Reconnected`. Must be persisted with the rest of the state.
    #[serde(default)]
    pub expiry_reminder_days: Option<u32>,
}

/// What a check (or any use of the connection) found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Observation {
    /// The system answered an authenticated request successfully.
    Success {
        latency_ms: u64,
    },
    /// 401 / revoked / expired token.
    AuthRejected {
        detail: String,
    },
    /// 403: the token's user lacks the rights.
    PermissionMissing {
        detail: String,
    },
    /// 5xx, timeout, DNS, refused, reset, unexpected body: says nothing about
    /// the credentials.
    TransientFailure {
        code: patchbay_connectors::ErrorCode,
        detail: String,
    },
    /// 429: the company's shared budget is spent. Never a credential failure.
    RateLimited {
        retry_after_secs: Option<u64>,
    },
    /// The clock moved (no request): re-evaluate expiry.
    Tick,
    /// A new secret passed validation (reconnect).
    Reconnected {
        token_expires_at: Option<DateTime<Utc>>,
    },
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

impl TransitionKind {
    /// The stable snake_case name (as serialised).
    pub fn as_str(self) -> &'static str {
        match self {
            TransitionKind::ReauthorizationRequired => "reauthorization_required",
            TransitionKind::Offline => "offline",
            TransitionKind::Degraded => "degraded",
            TransitionKind::Recovered => "recovered",
            TransitionKind::Expiring => "expiring",
            TransitionKind::Reconnected => "reconnected",
            TransitionKind::Disconnected => "disconnected",
            TransitionKind::Deactivated => "deactivated",
            TransitionKind::Reactivated => "reactivated",
        }
    }
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
    /// Two separate transient failures (with a success between them) less
    /// than this apart make the connection `degraded`; a degraded connection
    /// recovers only once its last failure is this old (default 30 minutes).
    pub flaky_window: Duration,
}

impl Default for HealthPolicy {
    fn default() -> Self {
        Self {
            offline_after_failures: 3,
            slow_threshold_ms: 3_000,
            degraded_after_slow: 3,
            expiry_warning: Duration::days(14),
            system_name: "Fergus".to_string(),
            flaky_window: Duration::minutes(30),
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
            failing_since: None,
            expiry_reminder_days: None,
        }
    }
}

/// "4 Dec at 10:42 UTC": stable, and explicit about the zone.
pub fn format_moment(at: DateTime<Utc>) -> String {
    at.format("%-d %b at %H:%M UTC").to_string()
}

/// Plain-words reasons. Public so the UI, CLI and tests share one wording.
pub mod reasons {
    use super::format_moment;
    use chrono::{DateTime, Utc};

    pub fn healthy(system: &str) -> String {
        format!("{system} is answering normally.")
    }

    /// The reconnect itself (activity log, webhook, notification); the next
    /// check's reason is plain `healthy` again.
    pub fn reconnected(system: &str) -> String {
        format!("Reconnected with a new token. {system} is answering normally.")
    }

    pub fn auth_rejected(system: &str, at: DateTime<Utc>) -> String {
        format!(
            "{system} stopped accepting the access token on {}. Reconnect to fix it.",
            format_moment(at)
        )
    }

    pub fn permission_missing(system: &str, at: DateTime<Utc>) -> String {
        format!(
            "Since {}, the {system} user behind this token is no longer an Admin or Full User, \
             so Patchbay can't read what it needs. Reconnect with a token from an Admin or \
             Full User to fix it.",
            format_moment(at)
        )
    }

    pub fn offline(system: &str, failing_since: Option<DateTime<Utc>>) -> String {
        match failing_since {
            Some(at) => format!(
                "No answer from {system} since {}. Usually {system} or the internet — \
                 nothing to fix on your side yet.",
                format_moment(at)
            ),
            None => format!(
                "No answer from {system}. Usually {system} or the internet — \
                 nothing to fix on your side yet."
            ),
        }
    }

    pub fn slow(system: &str, latency_ms: u64) -> String {
        let tenths = (latency_ms + 50) / 100;
        format!(
            "{system} is answering slowly ({}.{} s). We'll keep an eye on it.",
            tenths / 10,
            tenths % 10
        )
    }

    pub fn flaky(system: &str) -> String {
        format!(
            "{system} is failing some checks. Usually {system} or the internet — \
             we'll keep an eye on it."
        )
    }

    /// `expires_at` still ahead: "expires in 6 days"; passed: "expired on …".
    pub fn expiring(system: &str, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> String {
        let remaining = expires_at - now;
        if remaining <= chrono::Duration::zero() {
            return format!(
                "The {system} token expired on {}. Renew it now, it takes a minute.",
                format_moment(expires_at)
            );
        }
        let when = match remaining.num_days() {
            0 => "within a day".to_string(),
            1 => "in 1 day".to_string(),
            n => format!("in {n} days"),
        };
        format!("The {system} token expires {when}. Renew it now, it takes a minute.")
    }

    pub fn disconnected(at: DateTime<Utc>) -> String {
        format!(
            "Disconnected on {}. Patchbay no longer checks it; its history is kept.",
            format_moment(at)
        )
    }

    pub fn deactivated() -> String {
        "Paused: the plan's credits are used up. Patchbay stops checking it until credits \
         are free again."
            .to_string()
    }

    pub fn reactivated() -> String {
        "Resumed: credits are available again.".to_string()
    }
}

/// Which expiry reminder stage `now` is in, if the token is within the
/// warning window: 0 = expired, 1 = last day, 7 = last week, otherwise the
/// warning window itself in days (at least 8, so stages stay ordered).
fn expiry_stage(
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    policy: &HealthPolicy,
) -> Option<u32> {
    let remaining = expires_at? - now;
    if remaining > policy.expiry_warning {
        return None;
    }
    Some(if remaining <= Duration::zero() {
        0
    } else if remaining <= Duration::days(1) {
        1
    } else if remaining <= Duration::days(7) {
        7
    } else {
        u32::try_from(policy.expiry_warning.num_days())
            .unwrap_or(u32::MAX)
            .max(8)
    })
}

fn failed_recently(
    last_failure: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    policy: &HealthPolicy,
) -> bool {
    last_failure.is_some_and(|at| now - at < policy.flaky_window)
}

/// The transition kind for a health change, `None` for the quiet first check.
fn kind_for(from: Health, to: Health) -> Option<TransitionKind> {
    let was_bad = matches!(from, Health::Offline | Health::NeedsReconnect);
    match to {
        Health::NeedsReconnect => Some(TransitionKind::ReauthorizationRequired),
        Health::Offline => Some(TransitionKind::Offline),
        Health::Degraded if was_bad => Some(TransitionKind::Recovered),
        Health::Degraded => Some(TransitionKind::Degraded),
        Health::Expiring if was_bad || from == Health::Degraded => Some(TransitionKind::Recovered),
        Health::Expiring => Some(TransitionKind::Expiring),
        Health::Healthy if from == Health::Unknown => None,
        Health::Healthy => Some(TransitionKind::Recovered),
        Health::Unknown => None,
    }
}

/// The one transition function. Pure: no I/O, no clock, no randomness.
pub fn apply(
    state: &HealthState,
    observation: &Observation,
    now: DateTime<Utc>,
    policy: &HealthPolicy,
) -> (HealthState, Vec<Transition>) {
    if state.lifecycle == Lifecycle::Disconnected {
        return (state.clone(), Vec::new());
    }
    let system = policy.system_name.as_str();
    let mut next = state.clone();

    let (base, base_reason, explicit) = match observation {
        Observation::Disconnected => {
            next.lifecycle = Lifecycle::Disconnected;
            next.health = Health::Unknown;
            next.reason = reasons::disconnected(now);
            if state.health != Health::Unknown {
                next.since = now;
            }
            next.failure_streak = 0;
            next.slow_streak = 0;
            next.failing_since = None;
            let transition = Transition {
                kind: TransitionKind::Disconnected,
                from: state.health,
                to: Health::Unknown,
                reason: next.reason.clone(),
                at: now,
            };
            return (next, vec![transition]);
        }
        Observation::Deactivated | Observation::Reactivated => {
            let (wanted_from, to, kind, reason) = match observation {
                Observation::Deactivated => (
                    None,
                    Lifecycle::Inactive,
                    TransitionKind::Deactivated,
                    reasons::deactivated(),
                ),
                _ => (
                    Some(Lifecycle::Inactive),
                    Lifecycle::Connected,
                    TransitionKind::Reactivated,
                    reasons::reactivated(),
                ),
            };
            let applies = match wanted_from {
                Some(from) => state.lifecycle == from,
                None => state.lifecycle != to,
            };
            if !applies {
                return (next, Vec::new());
            }
            next.lifecycle = to;
            let transition = Transition {
                kind,
                from: state.health,
                to: state.health,
                reason,
                at: now,
            };
            return (next, vec![transition]);
        }
        Observation::Reconnected { token_expires_at } => {
            if next.lifecycle == Lifecycle::Pending {
                next.lifecycle = Lifecycle::Connected;
            }
            next.token_expires_at = *token_expires_at;
            next.failure_streak = 0;
            next.slow_streak = 0;
            next.failing_since = None;
            next.last_success = Some(now);
            next.expiry_reminder_days = None;
            (
                Health::Healthy,
                reasons::reconnected(system),
                Some(TransitionKind::Reconnected),
            )
        }
        Observation::AuthRejected { .. } | Observation::PermissionMissing { .. } => {
            next.last_failure = Some(now);
            next.failure_streak = 0;
            next.slow_streak = 0;
            next.failing_since = None;
            // Keep the moment it first stopped working while it stays broken.
            let at = if state.health == Health::NeedsReconnect {
                state.since
            } else {
                now
            };
            let reason = match observation {
                Observation::AuthRejected { .. } => reasons::auth_rejected(system, at),
                _ => reasons::permission_missing(system, at),
            };
            (Health::NeedsReconnect, reason, None)
        }
        Observation::TransientFailure { .. } => {
            let previous_streak = state.failure_streak;
            let previous_failure = state.last_failure;
            next.last_failure = Some(now);
            next.failure_streak = previous_streak.saturating_add(1);
            next.failing_since = match state.failing_since {
                Some(at) if previous_streak > 0 => Some(at),
                _ => Some(now),
            };
            // The previous failure counts only if it happened in the current
            // state: after a recovery (or a reconnect), one blip is nothing.
            let success_between = match (state.last_success, previous_failure) {
                (Some(success), Some(failure)) => success > failure && failure >= state.since,
                _ => false,
            };
            if state.health == Health::NeedsReconnect {
                (Health::NeedsReconnect, state.reason.clone(), None)
            } else if next.failure_streak >= policy.offline_after_failures.max(1) {
                (
                    Health::Offline,
                    reasons::offline(system, next.failing_since),
                    None,
                )
            } else if state.health == Health::Offline {
                (Health::Offline, state.reason.clone(), None)
            } else if previous_streak == 0
                && success_between
                && failed_recently(previous_failure, now, policy)
            {
                (Health::Degraded, reasons::flaky(system), None)
            } else {
                (state.health, state.reason.clone(), None)
            }
        }
        Observation::Success { latency_ms } => {
            let previous_failure = state.last_failure;
            next.last_success = Some(now);
            next.last_latency_ms = Some(*latency_ms);
            next.failure_streak = 0;
            next.failing_since = None;
            let slow = *latency_ms >= policy.slow_threshold_ms;
            next.slow_streak = if slow {
                state.slow_streak.saturating_add(1)
            } else {
                0
            };
            if slow && next.slow_streak >= policy.degraded_after_slow.max(1) {
                (Health::Degraded, reasons::slow(system, *latency_ms), None)
            } else if state.health == Health::Degraded
                && failed_recently(previous_failure, now, policy)
            {
                (Health::Degraded, state.reason.clone(), None)
            } else {
                (Health::Healthy, reasons::healthy(system), None)
            }
        }
        Observation::RateLimited { .. } | Observation::Tick => {
            (state.health, state.reason.clone(), None)
        }
    };

    // Expiry overlays a connection that is otherwise healthy (or unchecked).
    let stage = expiry_stage(next.token_expires_at, now, policy);
    let (health, reason) = match (base, stage, next.token_expires_at) {
        (Health::Healthy | Health::Unknown | Health::Expiring, Some(_), Some(expires_at)) => {
            (Health::Expiring, reasons::expiring(system, expires_at, now))
        }
        (Health::Expiring, _, _) => (Health::Healthy, reasons::healthy(system)),
        _ => (base, base_reason),
    };

    if health != state.health {
        next.since = now;
    }
    next.health = health;
    next.reason = reason;

    let mut transitions = Vec::new();
    let kind = match explicit {
        Some(kind) => Some(kind),
        None if health != state.health => kind_for(state.health, health),
        None => None,
    };
    if let Some(kind) = kind {
        transitions.push(Transition {
            kind,
            from: state.health,
            to: health,
            reason: next.reason.clone(),
            at: now,
        });
    }

    // Expiry reminders: once per stage.
    if let (Health::Expiring, Some(stage)) = (health, stage) {
        let announced = next.expiry_reminder_days.is_some_and(|done| done <= stage);
        if !announced {
            let already = matches!(
                kind,
                Some(TransitionKind::Expiring | TransitionKind::Reconnected)
            );
            if !already {
                transitions.push(Transition {
                    kind: TransitionKind::Expiring,
                    from: health,
                    to: health,
                    reason: next.reason.clone(),
                    at: now,
                });
            }
            next.expiry_reminder_days = Some(stage);
        }
    }

    (next, transitions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use patchbay_connectors::ErrorCode;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, 10, 42, 0)
            .single()
            .unwrap_or_default()
    }

    fn policy() -> HealthPolicy {
        HealthPolicy::default()
    }

    fn fast() -> Observation {
        Observation::Success { latency_ms: 120 }
    }

    fn slow() -> Observation {
        Observation::Success { latency_ms: 4_200 }
    }

    fn auth() -> Observation {
        Observation::AuthRejected {
            detail: "GET /company → 401".into(),
        }
    }

    fn forbidden() -> Observation {
        Observation::PermissionMissing {
            detail: "GET /company → 403".into(),
        }
    }

    fn blip() -> Observation {
        Observation::TransientFailure {
            code: ErrorCode::ServiceDown,
            detail: "503".into(),
        }
    }

    fn limited() -> Observation {
        Observation::RateLimited {
            retry_after_secs: Some(40),
        }
    }

    /// Feed observations one minute apart starting at `start`; collect all transitions.
    fn run(
        state: &HealthState,
        start: DateTime<Utc>,
        observations: &[Observation],
    ) -> (HealthState, Vec<Transition>) {
        let mut state = state.clone();
        let mut all = Vec::new();
        for (i, observation) in observations.iter().enumerate() {
            let now = start + Duration::minutes(i as i64);
            let (next, transitions) = apply(&state, observation, now, &policy());
            state = next;
            all.extend(transitions);
        }
        (state, all)
    }

    fn kinds(transitions: &[Transition]) -> Vec<TransitionKind> {
        transitions.iter().map(|t| t.kind).collect()
    }

    /// A plausible state for each health, reached through the machine itself
    /// where possible so the fields are consistent.
    fn state_in(health: Health, lifecycle: Lifecycle) -> HealthState {
        let fresh = HealthState::new_connected(t0() - Duration::hours(2), None);
        let start = t0() - Duration::hours(1);
        let mut state = match health {
            Health::Unknown => fresh,
            Health::Healthy => run(&fresh, start, &[fast()]).0,
            Health::Degraded => run(&fresh, start, &[slow(), slow(), slow()]).0,
            Health::Offline => run(&fresh, start, &[fast(), blip(), blip(), blip()]).0,
            Health::NeedsReconnect => run(&fresh, start, &[fast(), auth()]).0,
            Health::Expiring => {
                let near = HealthState::new_connected(start, Some(t0() + Duration::days(6)));
                run(&near, start, &[fast()]).0
            }
        };
        assert_eq!(state.health, health, "fixture for {health:?}");
        state.lifecycle = lifecycle;
        state
    }

    fn all_observations() -> Vec<Observation> {
        vec![
            fast(),
            slow(),
            auth(),
            forbidden(),
            blip(),
            Observation::TransientFailure {
                code: ErrorCode::Unreachable,
                detail: "timeout".into(),
            },
            limited(),
            Observation::RateLimited {
                retry_after_secs: None,
            },
            Observation::Tick,
            Observation::Reconnected {
                token_expires_at: None,
            },
            Observation::Reconnected {
                token_expires_at: Some(t0() + Duration::days(3)),
            },
            Observation::Disconnected,
            Observation::Deactivated,
            Observation::Reactivated,
        ]
    }

    const LIFECYCLES: [Lifecycle; 4] = [
        Lifecycle::Pending,
        Lifecycle::Connected,
        Lifecycle::Inactive,
        Lifecycle::Disconnected,
    ];

    #[test]
    fn every_health_times_every_observation_keeps_the_invariants() {
        let mut pairs = 0;
        for lifecycle in LIFECYCLES {
            for health in Health::ALL {
                let state = state_in(health, lifecycle);
                for observation in all_observations() {
                    pairs += 1;
                    let ctx = format!("{lifecycle:?} × {health:?} × {observation:?}");
                    let (next, transitions) = apply(&state, &observation, t0(), &policy());

                    // Disconnected absorbs everything.
                    if lifecycle == Lifecycle::Disconnected {
                        assert_eq!(next, state, "{ctx}");
                        assert!(transitions.is_empty(), "{ctx}");
                        continue;
                    }
                    // Auth and permission failures always flip to needs_reconnect.
                    if matches!(
                        observation,
                        Observation::AuthRejected { .. } | Observation::PermissionMissing { .. }
                    ) {
                        assert_eq!(next.health, Health::NeedsReconnect, "{ctx}");
                        let flipped = health != Health::NeedsReconnect;
                        assert_eq!(
                            kinds(&transitions),
                            if flipped {
                                vec![TransitionKind::ReauthorizationRequired]
                            } else {
                                vec![]
                            },
                            "{ctx}"
                        );
                    }
                    // Transient failures and 429s never cause needs_reconnect,
                    // nor clear it.
                    if matches!(
                        observation,
                        Observation::TransientFailure { .. } | Observation::RateLimited { .. }
                    ) {
                        assert_eq!(
                            next.health == Health::NeedsReconnect,
                            health == Health::NeedsReconnect,
                            "{ctx}"
                        );
                        assert!(
                            transitions
                                .iter()
                                .all(|t| t.kind != TransitionKind::ReauthorizationRequired),
                            "{ctx}"
                        );
                    }
                    // 429 and Tick change nothing here (no expiry in these fixtures
                    // except `Expiring`, whose stage is already announced).
                    if matches!(
                        observation,
                        Observation::RateLimited { .. } | Observation::Tick
                    ) {
                        assert_eq!(next.health, health, "{ctx}");
                        assert!(transitions.is_empty(), "{ctx}");
                        assert_eq!(next.failure_streak, state.failure_streak, "{ctx}");
                    }
                    // Success clears everything bad except a still-recent flaky/slow state.
                    if observation == fast() {
                        assert!(
                            matches!(next.health, Health::Healthy | Health::Expiring),
                            "{ctx}: {:?}",
                            next.health
                        );
                        let recovered = matches!(
                            health,
                            Health::Offline | Health::NeedsReconnect | Health::Degraded
                        );
                        assert_eq!(
                            kinds(&transitions),
                            if recovered {
                                vec![TransitionKind::Recovered]
                            } else {
                                vec![]
                            },
                            "{ctx}"
                        );
                        assert_eq!(next.failure_streak, 0, "{ctx}");
                    }
                    if let Observation::Reconnected { .. } = observation {
                        assert_eq!(transitions.len(), 1, "{ctx}");
                        assert_eq!(transitions[0].kind, TransitionKind::Reconnected, "{ctx}");
                        assert!(
                            matches!(next.health, Health::Healthy | Health::Expiring),
                            "{ctx}"
                        );
                        assert_eq!(next.failure_streak, 0, "{ctx}");
                        assert_ne!(next.lifecycle, Lifecycle::Pending, "{ctx}");
                    }
                    if observation == Observation::Disconnected {
                        assert_eq!(next.lifecycle, Lifecycle::Disconnected, "{ctx}");
                        assert_eq!(
                            kinds(&transitions),
                            vec![TransitionKind::Disconnected],
                            "{ctx}"
                        );
                    }
                    if observation == Observation::Deactivated {
                        assert_eq!(next.lifecycle, Lifecycle::Inactive, "{ctx}");
                        assert_eq!(next.health, health, "{ctx}");
                        assert_eq!(
                            transitions.len(),
                            usize::from(lifecycle != Lifecycle::Inactive),
                            "{ctx}"
                        );
                    }
                    if observation == Observation::Reactivated {
                        let expected = if lifecycle == Lifecycle::Inactive {
                            Lifecycle::Connected
                        } else {
                            lifecycle
                        };
                        assert_eq!(next.lifecycle, expected, "{ctx}");
                        assert_eq!(next.health, health, "{ctx}");
                    }

                    // General invariants.
                    assert!(!next.reason.trim().is_empty(), "{ctx}");
                    assert_eq!(
                        next.since != state.since,
                        next.health != health,
                        "{ctx}: since moves iff health changes"
                    );
                    if let Some(first) = transitions.first() {
                        assert_eq!(first.from, health, "{ctx}");
                        assert_eq!(first.at, t0(), "{ctx}");
                    }
                    if let Some(last) = transitions.last() {
                        assert_eq!(last.to, next.health, "{ctx}");
                    }
                    let health_changed = next.health != health;
                    let quiet_first_check =
                        health == Health::Unknown && next.health == Health::Healthy;
                    if health_changed && !quiet_first_check {
                        assert!(
                            !transitions.is_empty(),
                            "{ctx}: health changed without a transition"
                        );
                    }
                    for t in &transitions {
                        assert!(!t.reason.trim().is_empty(), "{ctx}");
                        assert!(
                            !t.reason.contains("401") && !t.reason.contains("403"),
                            "{ctx}: detail leaked into reason"
                        );
                    }
                    // Applying is pure: same input, same output.
                    assert_eq!(
                        apply(&state, &observation, t0(), &policy()),
                        (next, transitions),
                        "{ctx}"
                    );
                }
            }
        }
        assert_eq!(pairs, 4 * 6 * 14);
    }

    #[test]
    fn one_blip_is_nothing_three_are_offline_and_recovery_fires_once() {
        let healthy = state_in(Health::Healthy, Lifecycle::Connected);
        let start = t0();
        let (after_two, transitions) = run(&healthy, start, &[blip(), blip()]);
        assert_eq!(after_two.health, Health::Healthy);
        assert_eq!(after_two.failure_streak, 2);
        assert!(transitions.is_empty());
        assert_eq!(after_two.since, healthy.since);
        assert_eq!(after_two.last_failure, Some(start + Duration::minutes(1)));

        let (offline, transitions) =
            apply(&after_two, &blip(), start + Duration::minutes(2), &policy());
        assert_eq!(offline.health, Health::Offline);
        assert_eq!(kinds(&transitions), vec![TransitionKind::Offline]);
        assert_eq!(transitions[0].from, Health::Healthy);
        assert_eq!(offline.since, start + Duration::minutes(2));
        assert_eq!(
            offline.reason,
            "No answer from Fergus since 4 Dec at 10:42 UTC. Usually Fergus or the internet — nothing to fix on your side yet."
        );

        // More failures: still offline, no new event, same reason and since.
        let (still, transitions) = run(
            &offline,
            start + Duration::minutes(3),
            &[blip(), blip(), blip()],
        );
        assert_eq!(still.health, Health::Offline);
        assert!(transitions.is_empty());
        assert_eq!(still.since, offline.since);
        assert_eq!(still.reason, offline.reason);
        assert_eq!(still.failure_streak, 6);

        // Back: exactly one Recovered, then quiet.
        let (back, transitions) = run(
            &still,
            start + Duration::minutes(10),
            &[fast(), fast(), fast()],
        );
        assert_eq!(back.health, Health::Healthy);
        assert_eq!(kinds(&transitions), vec![TransitionKind::Recovered]);
        assert_eq!(transitions[0].from, Health::Offline);
        assert_eq!(back.failure_streak, 0);
        assert_eq!(back.failing_since, None);
        assert_eq!(back.since, start + Duration::minutes(10));
        assert_eq!(back.reason, "Fergus is answering normally.");
    }

    #[test]
    fn a_success_resets_the_failure_streak() {
        let healthy = state_in(Health::Healthy, Lifecycle::Connected);
        // Failures an hour apart (outside the flaky window) with successes between.
        let mut state = healthy;
        let mut events = Vec::new();
        for hour in 0..4 {
            let at = t0() + Duration::hours(hour);
            for (offset, observation) in [blip(), blip(), fast()].iter().enumerate() {
                let (next, transitions) = apply(
                    &state,
                    observation,
                    at + Duration::minutes(offset as i64 * 20),
                    &policy(),
                );
                state = next;
                events.extend(transitions);
            }
        }
        assert_eq!(state.health, Health::Healthy);
        assert!(events.is_empty(), "{events:?}");
    }

    #[test]
    fn rate_limits_never_count_toward_offline() {
        let healthy = state_in(Health::Healthy, Lifecycle::Connected);
        let (state, transitions) = run(
            &healthy,
            t0(),
            &[limited(), limited(), limited(), limited(), limited()],
        );
        assert_eq!(state.health, Health::Healthy);
        assert_eq!(state.failure_streak, 0);
        assert!(transitions.is_empty());
        // Interleaved with two blips: still no offline (429s are not counted).
        let (state, transitions) = run(&healthy, t0(), &[blip(), limited(), blip(), limited()]);
        assert_eq!(state.health, Health::Healthy);
        assert_eq!(state.failure_streak, 2);
        assert!(transitions.is_empty());
    }

    #[test]
    fn auth_rejection_flips_at_once_with_the_reason_and_survives_outages() {
        let healthy = state_in(Health::Healthy, Lifecycle::Connected);
        let (broken, transitions) = apply(&healthy, &auth(), t0(), &policy());
        assert_eq!(broken.health, Health::NeedsReconnect);
        assert_eq!(
            kinds(&transitions),
            vec![TransitionKind::ReauthorizationRequired]
        );
        assert_eq!(
            broken.reason,
            "Fergus stopped accepting the access token on 4 Dec at 10:42 UTC. Reconnect to fix it."
        );
        assert_eq!(transitions[0].reason, broken.reason);
        assert_eq!(broken.last_failure, Some(t0()));

        // Outage while broken: stays needs_reconnect, no events.
        let (still, transitions) = run(
            &broken,
            t0() + Duration::minutes(1),
            &[blip(), blip(), blip(), blip(), limited(), Observation::Tick],
        );
        assert_eq!(still.health, Health::NeedsReconnect);
        assert!(transitions.is_empty());
        assert_eq!(still.reason, broken.reason);
        assert_eq!(still.since, broken.since);

        // Another 401 later: no new event, reason still names the first moment.
        let (again, transitions) = apply(&still, &auth(), t0() + Duration::hours(3), &policy());
        assert!(transitions.is_empty());
        assert_eq!(again.reason, broken.reason);

        // The token works again: recovered, once.
        let (fixed, transitions) = run(&again, t0() + Duration::hours(4), &[fast(), fast()]);
        assert_eq!(fixed.health, Health::Healthy);
        assert_eq!(kinds(&transitions), vec![TransitionKind::Recovered]);
        assert_eq!(transitions[0].from, Health::NeedsReconnect);
    }

    #[test]
    fn offline_then_auth_rejected_is_needs_reconnect() {
        let offline = state_in(Health::Offline, Lifecycle::Connected);
        let (next, transitions) = apply(&offline, &auth(), t0(), &policy());
        assert_eq!(next.health, Health::NeedsReconnect);
        assert_eq!(
            kinds(&transitions),
            vec![TransitionKind::ReauthorizationRequired]
        );
        assert_eq!(transitions[0].from, Health::Offline);
        assert_eq!(next.failure_streak, 0);
    }

    #[test]
    fn permission_missing_has_the_permission_reason() {
        let healthy = state_in(Health::Healthy, Lifecycle::Connected);
        let (next, transitions) = apply(&healthy, &forbidden(), t0(), &policy());
        assert_eq!(next.health, Health::NeedsReconnect);
        assert_eq!(
            kinds(&transitions),
            vec![TransitionKind::ReauthorizationRequired]
        );
        assert!(
            next.reason
                .contains("the Fergus user behind this token is no longer an Admin or Full User"),
            "{}",
            next.reason
        );
        assert!(next.reason.contains("4 Dec at 10:42 UTC"));
        assert!(next.reason.contains("Reconnect"));
    }

    #[test]
    fn slow_answers_make_degraded_after_the_streak_and_a_fast_one_recovers() {
        let healthy = state_in(Health::Healthy, Lifecycle::Connected);
        let (two, transitions) = run(&healthy, t0(), &[slow(), slow()]);
        assert_eq!(two.health, Health::Healthy);
        assert!(transitions.is_empty());
        assert_eq!(two.slow_streak, 2);
        let (three, transitions) = apply(&two, &slow(), t0() + Duration::minutes(2), &policy());
        assert_eq!(three.health, Health::Degraded);
        assert_eq!(kinds(&transitions), vec![TransitionKind::Degraded]);
        assert_eq!(
            three.reason,
            "Fergus is answering slowly (4.2 s). We'll keep an eye on it."
        );
        assert_eq!(three.last_latency_ms, Some(4_200));
        // Slower still: same health, reason follows the latency, no event.
        let (slower, transitions) = apply(
            &three,
            &Observation::Success { latency_ms: 9_960 },
            t0() + Duration::minutes(3),
            &policy(),
        );
        assert!(transitions.is_empty());
        assert_eq!(
            slower.reason,
            "Fergus is answering slowly (10.0 s). We'll keep an eye on it."
        );
        assert_eq!(slower.since, three.since);
        let (fine, transitions) = apply(&slower, &fast(), t0() + Duration::minutes(4), &policy());
        assert_eq!(fine.health, Health::Healthy);
        assert_eq!(kinds(&transitions), vec![TransitionKind::Recovered]);
        assert_eq!(fine.slow_streak, 0);
    }

    #[test]
    fn exactly_the_threshold_latency_counts_as_slow() {
        let healthy = state_in(Health::Healthy, Lifecycle::Connected);
        let at = Observation::Success { latency_ms: 3_000 };
        let below = Observation::Success { latency_ms: 2_999 };
        let (state, _) = run(&healthy, t0(), &[at.clone(), at.clone(), at]);
        assert_eq!(state.health, Health::Degraded);
        let (state, _) = run(&healthy, t0(), &[below.clone(), below.clone(), below]);
        assert_eq!(state.health, Health::Healthy);
    }

    #[test]
    fn flaky_failures_make_degraded_and_recovery_waits_for_the_window() {
        let healthy = state_in(Health::Healthy, Lifecycle::Connected);
        // One blip, a success, another blip 10 minutes after the first → degraded.
        let (state, transitions) = apply(&healthy, &blip(), t0(), &policy());
        assert!(transitions.is_empty());
        let (state, transitions) = apply(&state, &fast(), t0() + Duration::minutes(5), &policy());
        assert!(transitions.is_empty());
        assert_eq!(state.health, Health::Healthy);
        let (degraded, transitions) =
            apply(&state, &blip(), t0() + Duration::minutes(10), &policy());
        assert_eq!(degraded.health, Health::Degraded);
        assert_eq!(kinds(&transitions), vec![TransitionKind::Degraded]);
        assert_eq!(
            degraded.reason,
            "Fergus is failing some checks. Usually Fergus or the internet — we'll keep an eye on it."
        );
        // A success soon after: still degraded (last failure is recent).
        let (state, transitions) =
            apply(&degraded, &fast(), t0() + Duration::minutes(15), &policy());
        assert_eq!(state.health, Health::Degraded);
        assert!(transitions.is_empty());
        // A success once the window has passed since the last failure: recovered.
        let (state, transitions) = apply(&state, &fast(), t0() + Duration::minutes(40), &policy());
        assert_eq!(state.health, Health::Healthy);
        assert_eq!(kinds(&transitions), vec![TransitionKind::Recovered]);

        // Two failures far apart are not flaky.
        let (state, _) = apply(&healthy, &blip(), t0(), &policy());
        let (state, _) = apply(&state, &fast(), t0() + Duration::minutes(5), &policy());
        let (state, transitions) = apply(&state, &blip(), t0() + Duration::minutes(45), &policy());
        assert_eq!(state.health, Health::Healthy);
        assert!(transitions.is_empty());
    }

    #[test]
    fn after_a_recovery_or_a_reconnect_one_blip_is_still_nothing() {
        let offline = state_in(Health::Offline, Lifecycle::Connected);
        let (back, _) = apply(&offline, &fast(), t0(), &policy());
        assert_eq!(back.health, Health::Healthy);
        let (blip_after, transitions) =
            apply(&back, &blip(), t0() + Duration::minutes(5), &policy());
        assert_eq!(blip_after.health, Health::Healthy);
        assert!(transitions.is_empty());
        // A second separate blip after that is flaky again.
        let (state, _) = apply(&blip_after, &fast(), t0() + Duration::minutes(6), &policy());
        let (state, transitions) = apply(&state, &blip(), t0() + Duration::minutes(7), &policy());
        assert_eq!(state.health, Health::Degraded);
        assert_eq!(kinds(&transitions), vec![TransitionKind::Degraded]);

        let broken = state_in(Health::NeedsReconnect, Lifecycle::Connected);
        let (fixed, _) = apply(
            &broken,
            &Observation::Reconnected {
                token_expires_at: None,
            },
            t0(),
            &policy(),
        );
        let (state, transitions) = apply(&fixed, &blip(), t0() + Duration::minutes(2), &policy());
        assert_eq!(state.health, Health::Healthy);
        assert!(transitions.is_empty());
    }

    #[test]
    fn a_degraded_connection_going_down_is_offline_and_coming_back_is_recovered() {
        let degraded = state_in(Health::Degraded, Lifecycle::Connected);
        let (offline, transitions) = run(&degraded, t0(), &[blip(), blip(), blip()]);
        assert_eq!(offline.health, Health::Offline);
        assert_eq!(kinds(&transitions), vec![TransitionKind::Offline]);
        // Back but slow (the slow streak was kept): recovered into degraded.
        let (back, transitions) = apply(&offline, &slow(), t0() + Duration::minutes(5), &policy());
        assert_eq!(back.health, Health::Degraded);
        assert_eq!(kinds(&transitions), vec![TransitionKind::Recovered]);
        assert_eq!(transitions[0].to, Health::Degraded);
    }

    #[test]
    fn first_check_is_quiet_and_first_failure_streak_goes_offline() {
        let fresh = HealthState::new_connected(t0(), None);
        let (checked, transitions) = apply(&fresh, &fast(), t0() + Duration::seconds(5), &policy());
        assert_eq!(checked.health, Health::Healthy);
        assert!(transitions.is_empty());
        assert_eq!(checked.since, t0() + Duration::seconds(5));
        assert_eq!(checked.last_success, Some(t0() + Duration::seconds(5)));
        assert_eq!(checked.last_latency_ms, Some(120));

        let (down, transitions) = run(&fresh, t0(), &[blip(), blip(), blip()]);
        assert_eq!(down.health, Health::Offline);
        assert_eq!(kinds(&transitions), vec![TransitionKind::Offline]);
        assert_eq!(transitions[0].from, Health::Unknown);
    }

    fn expiring_at(days: i64) -> HealthState {
        // Healthy, token created long ago, expiring `days` after t0().
        let mut state = HealthState::new_connected(
            t0() - Duration::days(300),
            Some(t0() + Duration::days(days)),
        );
        state.health = Health::Healthy;
        state.reason = reasons::healthy("Fergus");
        state.last_success = Some(t0() - Duration::minutes(5));
        state
    }

    #[test]
    fn expiry_thresholds_fourteen_days_exactly_thirteen_and_one_second_more() {
        // 14 days + 1 s: not yet.
        let state = expiring_at(14);
        let (next, transitions) = apply(
            &state,
            &Observation::Tick,
            t0() - Duration::seconds(1),
            &policy(),
        );
        assert_eq!(next.health, Health::Healthy);
        assert!(transitions.is_empty());
        // Exactly 14 days: expiring, one reminder.
        let (next, transitions) = apply(&state, &Observation::Tick, t0(), &policy());
        assert_eq!(next.health, Health::Expiring);
        assert_eq!(kinds(&transitions), vec![TransitionKind::Expiring]);
        assert_eq!(transitions[0].from, Health::Healthy);
        assert_eq!(
            next.reason,
            "The Fergus token expires in 14 days. Renew it now, it takes a minute."
        );
        assert_eq!(next.expiry_reminder_days, Some(14));
        assert_eq!(next.since, t0());
        // 13 days: still expiring, no second reminder, wording follows.
        let (later, transitions) = apply(
            &next,
            &Observation::Tick,
            t0() + Duration::days(1),
            &policy(),
        );
        assert_eq!(later.health, Health::Expiring);
        assert!(transitions.is_empty());
        assert_eq!(
            later.reason,
            "The Fergus token expires in 13 days. Renew it now, it takes a minute."
        );
        assert_eq!(later.since, next.since);
    }

    #[test]
    fn expiry_reminders_fire_once_at_14_7_1_days_and_on_expiry() {
        let mut state = expiring_at(20);
        let mut reminders = Vec::new();
        // Hourly ticks with a check every hour, for 22 days.
        for hour in 0..(22 * 24) {
            let now = t0() + Duration::hours(hour);
            let observation = if hour % 2 == 0 {
                Observation::Tick
            } else {
                fast()
            };
            let (next, transitions) = apply(&state, &observation, now, &policy());
            for t in &transitions {
                assert_eq!(t.kind, TransitionKind::Expiring, "{t:?}");
                reminders.push((now, t.reason.clone()));
            }
            state = next;
        }
        let expires = t0() + Duration::days(20);
        let moments: Vec<_> = reminders.iter().map(|(at, _)| *at).collect();
        assert_eq!(
            moments,
            vec![
                expires - Duration::days(14),
                expires - Duration::days(7),
                expires - Duration::days(1),
                expires,
            ]
        );
        assert_eq!(
            reminders[1].1,
            "The Fergus token expires in 7 days. Renew it now, it takes a minute."
        );
        assert_eq!(
            reminders[2].1,
            "The Fergus token expires in 1 day. Renew it now, it takes a minute."
        );
        assert_eq!(
            reminders[3].1,
            "The Fergus token expired on 24 Dec at 10:42 UTC. Renew it now, it takes a minute."
        );
        // Expired but never rejected: still expiring (the next 401 flips it).
        assert_eq!(state.health, Health::Expiring);
        let (rejected, transitions) =
            apply(&state, &auth(), expires + Duration::days(3), &policy());
        assert_eq!(rejected.health, Health::NeedsReconnect);
        assert_eq!(
            kinds(&transitions),
            vec![TransitionKind::ReauthorizationRequired]
        );
    }

    #[test]
    fn the_last_day_reads_within_a_day() {
        let state = expiring_at(0);
        let (next, _) = apply(
            &state,
            &Observation::Tick,
            t0() - Duration::hours(5),
            &policy(),
        );
        assert_eq!(
            next.reason,
            "The Fergus token expires within a day. Renew it now, it takes a minute."
        );
    }

    #[test]
    fn expiry_does_not_mask_worse_health_and_shows_after_recovery() {
        let mut offline = state_in(Health::Offline, Lifecycle::Connected);
        offline.token_expires_at = Some(t0() + Duration::days(6));
        let (still, transitions) = apply(&offline, &Observation::Tick, t0(), &policy());
        assert_eq!(still.health, Health::Offline);
        assert!(transitions.is_empty());
        let (back, transitions) = apply(&still, &fast(), t0() + Duration::minutes(1), &policy());
        assert_eq!(back.health, Health::Expiring);
        assert_eq!(
            kinds(&transitions),
            vec![TransitionKind::Recovered, TransitionKind::Expiring]
        );
        assert_eq!(transitions[0].from, Health::Offline);
        assert_eq!(transitions[0].to, Health::Expiring);
        assert_eq!(back.expiry_reminder_days, Some(7));
        // Degraded stays degraded while expiring.
        let mut degraded = state_in(Health::Degraded, Lifecycle::Connected);
        degraded.token_expires_at = Some(t0() + Duration::days(6));
        let (still, _) = apply(&degraded, &slow(), t0(), &policy());
        assert_eq!(still.health, Health::Degraded);
    }

    #[test]
    fn an_unchecked_connection_with_a_near_expiry_warns_on_the_first_tick() {
        let fresh = HealthState::new_connected(t0(), Some(t0() + Duration::days(10)));
        let (next, transitions) = apply(&fresh, &Observation::Tick, t0(), &policy());
        assert_eq!(next.health, Health::Expiring);
        assert_eq!(kinds(&transitions), vec![TransitionKind::Expiring]);
        assert_eq!(transitions[0].from, Health::Unknown);
    }

    #[test]
    fn reconnect_resets_everything_and_keeps_expiry_news() {
        let broken = state_in(Health::NeedsReconnect, Lifecycle::Connected);
        let new_expiry = t0() + Duration::days(365);
        let (fixed, transitions) = apply(
            &broken,
            &Observation::Reconnected {
                token_expires_at: Some(new_expiry),
            },
            t0(),
            &policy(),
        );
        assert_eq!(fixed.health, Health::Healthy);
        assert_eq!(fixed.lifecycle, Lifecycle::Connected);
        assert_eq!(fixed.token_expires_at, Some(new_expiry));
        assert_eq!(fixed.failure_streak, 0);
        assert_eq!(fixed.slow_streak, 0);
        assert_eq!(fixed.last_success, Some(t0()));
        assert_eq!(fixed.since, t0());
        assert_eq!(kinds(&transitions), vec![TransitionKind::Reconnected]);
        assert_eq!(transitions[0].from, Health::NeedsReconnect);
        assert_eq!(transitions[0].to, Health::Healthy);
        // The activity log names the reconnect, not just "answering normally".
        assert_eq!(
            transitions[0].reason,
            "Reconnected with a new token. Fergus is answering normally."
        );
        // The next good check is plain "working" again.
        let (checked, _) = apply(&fixed, &fast(), t0() + Duration::minutes(5), &policy());
        assert_eq!(checked.reason, "Fergus is answering normally.");

        // Renewing an expiring token: Reconnected, healthy, reminders reset.
        let expiring = apply(&expiring_at(6), &Observation::Tick, t0(), &policy()).0;
        assert_eq!(expiring.expiry_reminder_days, Some(7));
        let (renewed, transitions) = apply(
            &expiring,
            &Observation::Reconnected {
                token_expires_at: Some(new_expiry),
            },
            t0(),
            &policy(),
        );
        assert_eq!(renewed.health, Health::Healthy);
        assert_eq!(renewed.expiry_reminder_days, None);
        assert_eq!(kinds(&transitions), vec![TransitionKind::Reconnected]);

        // Reconnecting a healthy one keeps `since`.
        let healthy = state_in(Health::Healthy, Lifecycle::Connected);
        let (same, transitions) = apply(
            &healthy,
            &Observation::Reconnected {
                token_expires_at: None,
            },
            t0(),
            &policy(),
        );
        assert_eq!(same.since, healthy.since);
        assert_eq!(kinds(&transitions), vec![TransitionKind::Reconnected]);
    }

    #[test]
    fn disconnect_is_final_and_keeps_nothing_alive() {
        let broken = state_in(Health::NeedsReconnect, Lifecycle::Connected);
        let (gone, transitions) = apply(&broken, &Observation::Disconnected, t0(), &policy());
        assert_eq!(gone.lifecycle, Lifecycle::Disconnected);
        assert_eq!(gone.health, Health::Unknown);
        assert_eq!(gone.reason, "Disconnected on 4 Dec at 10:42 UTC. Patchbay no longer checks it; its history is kept.");
        assert_eq!(kinds(&transitions), vec![TransitionKind::Disconnected]);
        assert_eq!(transitions[0].from, Health::NeedsReconnect);
        for observation in all_observations() {
            let (after, transitions) =
                apply(&gone, &observation, t0() + Duration::days(1), &policy());
            assert_eq!(after, gone);
            assert!(transitions.is_empty());
        }
    }

    #[test]
    fn credits_pause_and_resume_keep_health() {
        let healthy = state_in(Health::Healthy, Lifecycle::Connected);
        let (paused, transitions) = apply(&healthy, &Observation::Deactivated, t0(), &policy());
        assert_eq!(paused.lifecycle, Lifecycle::Inactive);
        assert_eq!(paused.health, Health::Healthy);
        assert_eq!(kinds(&transitions), vec![TransitionKind::Deactivated]);
        let (again, transitions) = apply(&paused, &Observation::Deactivated, t0(), &policy());
        assert_eq!(again, paused);
        assert!(transitions.is_empty());
        let (resumed, transitions) = apply(&paused, &Observation::Reactivated, t0(), &policy());
        assert_eq!(resumed.lifecycle, Lifecycle::Connected);
        assert_eq!(kinds(&transitions), vec![TransitionKind::Reactivated]);
        let (same, transitions) = apply(&resumed, &Observation::Reactivated, t0(), &policy());
        assert_eq!(same, resumed);
        assert!(transitions.is_empty());
    }

    #[test]
    fn the_system_name_is_used_in_reasons() {
        let policy = HealthPolicy {
            system_name: "simPRO".into(),
            ..HealthPolicy::default()
        };
        let healthy = state_in(Health::Healthy, Lifecycle::Connected);
        let (next, _) = apply(&healthy, &auth(), t0(), &policy);
        assert!(next.reason.starts_with("simPRO stopped accepting"));
        assert_eq!(label_for(Health::Offline, "simPRO"), "Can't reach simPRO");
    }

    #[test]
    fn worst_and_labels() {
        assert_eq!(worst([]), None);
        assert_eq!(
            worst([Health::Healthy, Health::Unknown]),
            Some(Health::Unknown)
        );
        assert_eq!(
            worst([Health::Expiring, Health::Healthy, Health::Degraded]),
            Some(Health::Degraded)
        );
        assert_eq!(worst(Health::ALL), Some(Health::NeedsReconnect));
        assert_eq!(
            worst([Health::Offline, Health::Expiring]),
            Some(Health::Offline)
        );
        assert_eq!(label(Health::Healthy), "Working");
        assert_eq!(label(Health::Degraded), "Slow");
        assert_eq!(label(Health::NeedsReconnect), "Needs you");
        assert_eq!(label(Health::Expiring), "Expires soon");
        assert_eq!(label(Health::Unknown), "Not checked yet");
        assert_eq!(label_for(Health::Offline, "Fergus"), "Can't reach Fergus");
        assert_eq!(label_for(Health::Healthy, "Fergus"), "Working");
        assert_eq!(
            lifecycle_label(Lifecycle::Inactive),
            "Paused (out of credits)"
        );
        for health in Health::ALL {
            let json = serde_json::to_string(&health).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", health.as_str()));
        }
    }

    #[test]
    fn old_stored_states_without_the_new_fields_still_load() {
        let json = r#"{"lifecycle":"connected","health":"healthy","reason":"x","since":"2026-12-04T10:42:00Z",
            "lastSuccess":null,"lastFailure":null,"failureStreak":0,"slowStreak":0,"lastLatencyMs":null,"tokenExpiresAt":null}"#;
        let state: HealthState = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(state.failing_since, None);
        assert_eq!(state.expiry_reminder_days, None);
    }
}
