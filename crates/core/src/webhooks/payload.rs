//! What a webhook says: the event types and the JSON body.
//!
//! `{"type": "connection.offline", "timestamp": "2026-12-04T10:42:00.000Z",
//!   "data": {connectionId, name, system, systemName, accountName, lifecycle,
//!   health, previousHealth, reason, since, lastSuccess, maskedSecret}}`
//!
//! The body is built from a whitelist of fields, never by serialising a
//! whole engine type, so nothing secret can slip in: the most of a token it
//! carries is the masked form (`fergPAT_…3f9a`).

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::health::{Health, TransitionKind};
use crate::model::ConnectionView;

pub const CONNECTION_CREATED: &str = "connection.created";
pub const REAUTHORIZATION_REQUIRED: &str = "connection.reauthorization_required";
pub const RECONNECTED: &str = "connection.reconnected";
pub const OFFLINE: &str = "connection.offline";
pub const DEGRADED: &str = "connection.degraded";
pub const RECOVERED: &str = "connection.recovered";
pub const EXPIRING: &str = "connection.expiring";
pub const DISCONNECTED: &str = "connection.disconnected";
pub const TEST: &str = "webhook.test";

/// Every event type an endpoint can subscribe to.
pub const EVENT_TYPES: [&str; 9] = [
    CONNECTION_CREATED,
    REAUTHORIZATION_REQUIRED,
    RECONNECTED,
    OFFLINE,
    DEGRADED,
    RECOVERED,
    EXPIRING,
    DISCONNECTED,
    TEST,
];

/// The webhook event type of a health transition (`None` for the ones that
/// are not announced: credits pause/resume).
pub fn event_type_for(kind: TransitionKind) -> Option<&'static str> {
    match kind {
        TransitionKind::ReauthorizationRequired => Some(REAUTHORIZATION_REQUIRED),
        TransitionKind::Offline => Some(OFFLINE),
        TransitionKind::Degraded => Some(DEGRADED),
        TransitionKind::Recovered => Some(RECOVERED),
        TransitionKind::Expiring => Some(EXPIRING),
        TransitionKind::Reconnected => Some(RECONNECTED),
        TransitionKind::Disconnected => Some(DISCONNECTED),
        TransitionKind::Deactivated | TransitionKind::Reactivated => None,
    }
}

/// The known event type equal to `name`, if any.
pub fn known_event_type(name: &str) -> Option<&'static str> {
    EVENT_TYPES.iter().copied().find(|t| *t == name)
}

pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The body for a connection event.
pub fn connection_event(
    event_type: &str,
    at: DateTime<Utc>,
    connection: &ConnectionView,
    previous_health: Option<Health>,
) -> Value {
    json!({
        "type": event_type,
        "timestamp": rfc3339(at),
        "data": {
            "connectionId": connection.id,
            "name": connection.name,
            "system": connection.system,
            "systemName": connection.system_name,
            "accountName": connection.account_name,
            "lifecycle": connection.lifecycle.as_str(),
            "health": connection.health.as_str(),
            "previousHealth": previous_health.map(Health::as_str),
            "reason": connection.reason,
            "since": rfc3339(connection.since),
            "lastSuccess": connection.last_success.map(rfc3339),
            "tokenExpiresAt": connection.token_expires_at.map(rfc3339),
            "maskedSecret": connection.masked_secret,
        }
    })
}

/// The body of "Send test event".
pub fn test_event(at: DateTime<Utc>, endpoint_id: &str) -> Value {
    json!({
        "type": TEST,
        "timestamp": rfc3339(at),
        "data": {
            "endpointId": endpoint_id,
            "message": "This is a test event from Patchbay. If you can read it, this endpoint receives Patchbay's alerts.",
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::Lifecycle;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, 10, 42, 0)
            .single()
            .unwrap_or_default()
    }

    fn view() -> ConnectionView {
        ConnectionView {
            id: "c-1".into(),
            name: "Smith Plumbing".into(),
            system: "fergus".into(),
            system_name: "Fergus".into(),
            account_id: "acct-9".into(),
            account_name: "Smith Plumbing Ltd".into(),
            api_url: "https://user:planted-password@api.fergus.com/?token=planted-query-token".into(),
            lifecycle: Lifecycle::Connected,
            health: Health::NeedsReconnect,
            reason: "Fergus stopped accepting the access token on 4 Dec at 10:42 UTC. Reconnect to fix it.".into(),
            since: t0(),
            last_success: Some(t0()),
            last_failure: Some(t0()),
            last_latency_ms: Some(120),
            next_check: None,
            masked_secret: "fergPAT_…3f9a".into(),
            token_created: None,
            token_expires_at: None,
            created_at: t0(),
            credit_cost: 1,
            readable_entities: vec!["jobs".into()],
            settings_page_url: "https://app.fergus.com/settings".into(),
        }
    }

    #[test]
    fn every_announced_transition_has_a_known_event_type() {
        for kind in [
            TransitionKind::ReauthorizationRequired,
            TransitionKind::Offline,
            TransitionKind::Degraded,
            TransitionKind::Recovered,
            TransitionKind::Expiring,
            TransitionKind::Reconnected,
            TransitionKind::Disconnected,
        ] {
            let event_type = event_type_for(kind).unwrap_or_default();
            assert_eq!(known_event_type(event_type), Some(event_type));
            assert_eq!(event_type, format!("connection.{}", kind.as_str()));
        }
        assert_eq!(event_type_for(TransitionKind::Deactivated), None);
        assert_eq!(known_event_type("connection.renamed"), None);
    }

    #[test]
    fn the_body_has_exactly_the_whitelisted_fields_and_no_secret() {
        let body = connection_event(
            REAUTHORIZATION_REQUIRED,
            t0(),
            &view(),
            Some(Health::Healthy),
        );
        assert_eq!(body["type"], "connection.reauthorization_required");
        assert_eq!(body["timestamp"], "2026-12-04T10:42:00.000Z");
        let data = body["data"].as_object().cloned().unwrap_or_default();
        let mut keys: Vec<&str> = data.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "accountName",
                "connectionId",
                "health",
                "lastSuccess",
                "lifecycle",
                "maskedSecret",
                "name",
                "previousHealth",
                "reason",
                "since",
                "system",
                "systemName",
                "tokenExpiresAt",
            ]
        );
        assert_eq!(data["health"], "needs_reconnect");
        assert_eq!(data["previousHealth"], "healthy");
        assert_eq!(data["lifecycle"], "connected");
        assert_eq!(data["maskedSecret"], "fergPAT_…3f9a");
        let text = body.to_string();
        for planted in [
            "planted-password",
            "planted-query-token",
            "api_url",
            "apiUrl",
        ] {
            assert!(!text.contains(planted), "{planted} leaked: {text}");
        }
    }

    #[test]
    fn the_test_event_names_the_endpoint() {
        let body = test_event(t0(), "ep_1");
        assert_eq!(body["type"], TEST);
        assert_eq!(body["data"]["endpointId"], "ep_1");
    }
}
