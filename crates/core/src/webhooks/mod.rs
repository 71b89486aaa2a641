//! Outbound webhooks: signed with Standard Webhooks, written to a durable
//! outbox in the same transaction as the change that causes them, delivered
//! at least once (same `webhook-id` on every retry) by a worker that resumes
//! from the database after a restart or a crash.
//!
//! - [`signing`]: the Standard Webhooks scheme (sign, verify, secrets);
//! - [`schedule`]: when to retry (pure);
//! - [`payload`]: event types and bodies (whitelisted fields, no secret);
//! - `outbox`: the tables; `worker`: delivery; `api`: the facade methods.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use ts_rs::TS;

use crate::error::{AppError, AppErrorCode};
use crate::facade::TransitionSink;

mod api;
mod outbox;
pub mod payload;
pub mod schedule;
pub mod signing;
mod worker;

pub use worker::{WebhookWorkerHandle, WebhookWorkerOptions};

/// Each attempt waits this long for an answer.
pub const DELIVERY_TIMEOUT: StdDuration = StdDuration::from_secs(15);
/// The most of a response body kept in the delivery log.
pub const RESPONSE_EXCERPT_BYTES: usize = 1024;
/// Finished messages (and their attempts) are kept this long.
pub const DELIVERY_LOG_DAYS: i64 = 30;

/// What the user enters to add an endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WebhookInput {
    pub url: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Which event types to send; `None` = all of them.
    #[serde(default)]
    pub event_types: Option<Vec<String>>,
}

/// One configured endpoint (no secret in it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WebhookEndpoint {
    /// `ep_…`
    pub id: String,
    pub url: String,
    pub description: String,
    /// `None` = every event type.
    pub event_types: Option<Vec<String>>,
    pub enabled: bool,
    /// Why Patchbay turned it off (e.g. the receiver answered 410 Gone).
    pub disabled_reason: Option<String>,
    /// `whsec_…AbCd`: the most of the signing secret ever shown in a list.
    pub masked_secret: String,
    pub created_at: DateTime<Utc>,
}

/// An endpoint just added, with its signing secret — shown this once.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CreatedWebhook {
    pub endpoint: WebhookEndpoint,
    /// `whsec_…` — the receiver verifies signatures with it.
    pub signing_secret: String,
}

impl std::fmt::Debug for CreatedWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedWebhook")
            .field("endpoint", &self.endpoint)
            .field("signing_secret", &self.endpoint.masked_secret)
            .finish()
    }
}

/// Where a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    Delivered,
    /// All attempts used, or the endpoint is gone (410).
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    fn parse(text: &str) -> DeliveryStatus {
        match text {
            "delivered" => DeliveryStatus::Delivered,
            "failed" => DeliveryStatus::Failed,
            _ => DeliveryStatus::Pending,
        }
    }
}

/// One attempt, for the delivery log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WebhookAttempt {
    pub at: DateTime<Utc>,
    /// The receiver's HTTP status (None when there was no answer).
    pub status_code: Option<u16>,
    #[ts(type = "number")]
    pub latency_ms: u64,
    /// The first 1 KB of the receiver's answer.
    pub response_excerpt: Option<String>,
    /// What went wrong, in short technical words.
    pub error: Option<String>,
}

/// One message (one event for one endpoint) with its attempts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WebhookDelivery {
    /// `msg_…`: the `webhook-id` of every attempt.
    pub message_id: String,
    pub endpoint_id: String,
    pub event_type: String,
    pub connection_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<u16>,
    pub last_error: Option<String>,
    /// The exact body sent.
    #[ts(type = "unknown")]
    pub payload: serde_json::Value,
    /// Attempts, oldest first.
    pub log: Vec<WebhookAttempt>,
}

/// What one delivery pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeliveryPass {
    /// Messages attempted.
    pub attempted: u32,
    pub delivered: u32,
}

/// The webhook machinery one engine shares: the HTTP client and the
/// worker's wake-up signals. Created by `Patchbay::open`.
pub(crate) struct WebhookRuntime {
    pub(crate) http: reqwest::Client,
    /// Poked after this process commits a message (test, retry).
    pub(crate) wake: Notify,
    /// Bumped by the outbox sink inside a transaction; the worker compares it
    /// after each engine event (published after commit) to know whether a
    /// pass is worth running.
    pub(crate) enqueued: AtomicU64,
}

impl WebhookRuntime {
    pub(crate) fn new() -> Self {
        let http = reqwest::Client::builder()
            .timeout(DELIVERY_TIMEOUT)
            .connect_timeout(DELIVERY_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Patchbay-Webhooks/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(32)
            .build()
            .unwrap_or_default();
        Self {
            http,
            wake: Notify::new(),
            enqueued: AtomicU64::new(0),
        }
    }

    pub(crate) fn enqueued(&self) -> u64 {
        self.enqueued.load(Ordering::Acquire)
    }
}

/// The sink the engine registers at open: writes one outbox row per
/// enabled, subscribed endpoint inside the change's transaction.
pub(crate) fn outbox_sink(runtime: &Arc<WebhookRuntime>) -> Arc<dyn TransitionSink> {
    Arc::new(outbox::OutboxSink {
        runtime: runtime.clone(),
    })
}

/// The keyring entry name of an endpoint's signing secret.
pub(crate) fn secret_key_name(endpoint_id: &str) -> String {
    format!("webhook:{endpoint_id}")
}

/// `whsec_…AbCd`.
pub(crate) fn mask_signing_secret(secret: &str) -> String {
    let tail: String = {
        let chars: Vec<char> = secret.chars().collect();
        let start = chars.len().saturating_sub(4);
        chars
            .get(start..)
            .map(|c| c.iter().collect())
            .unwrap_or_default()
    };
    format!("{}…{tail}", signing::SECRET_PREFIX)
}

fn url_invalid(message: &str, hint: &str) -> AppError {
    AppError::new(AppErrorCode::WebhookUrlInvalid, message).hint(hint)
}

const URL_EXAMPLE_HINT: &str =
    "It should look like https://example.com/hooks/patchbay — copy it from the tool that receives the alerts.";

/// Accept `https://…`, or `http://…` only for this computer (localhost,
/// 127.0.0.0/8, [::1]).
pub fn validate_webhook_url(raw: &str) -> Result<url::Url, AppError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(url_invalid(
            "Enter the address that should receive the alerts.",
            URL_EXAMPLE_HINT,
        ));
    }
    if text.len() > 2048 {
        return Err(url_invalid(
            "That address is too long to be a webhook address.",
            URL_EXAMPLE_HINT,
        ));
    }
    let url = url::Url::parse(text).map_err(|e| {
        url_invalid(
            "This isn't a web address Patchbay can send alerts to.",
            URL_EXAMPLE_HINT,
        )
        .detail(format!("could not parse the address: {e}"))
    })?;
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => {
            return Err(url_invalid(
                "This address has no server name in it.",
                URL_EXAMPLE_HINT,
            ))
        }
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(url_invalid(
            "Alerts can only go to a secure (https://) address.",
            "Use the receiver's https:// address. Plain http:// is only allowed for this computer (localhost).",
        )
        .detail(format!("scheme http, host {}", url.host_str().unwrap_or_default()))),
        other => Err(url_invalid(
            "Patchbay can only send alerts to web (https://) addresses.",
            URL_EXAMPLE_HINT,
        )
        .detail(format!("scheme {other:?}"))),
    }
}

/// Check and normalise the chosen event types (`None` = all).
pub fn validate_event_types(
    event_types: Option<Vec<String>>,
) -> Result<Option<Vec<String>>, AppError> {
    let Some(list) = event_types else {
        return Ok(None);
    };
    let mut chosen: Vec<String> = Vec::new();
    for name in list {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        let known = payload::known_event_type(name).ok_or_else(|| {
            AppError::new(
                AppErrorCode::InvalidInput,
                format!(
                    "Patchbay doesn't send an event called \"{}\".",
                    truncate(name, 60)
                ),
            )
            .hint(format!("Pick from: {}.", payload::EVENT_TYPES.join(", ")))
        })?;
        if !chosen.iter().any(|c| c == known) {
            chosen.push(known.to_string());
        }
    }
    if chosen.is_empty() {
        return Err(AppError::new(
            AppErrorCode::InvalidInput,
            "Pick at least one event type for this endpoint.",
        )
        .hint("Leave the choice out to receive every event type."));
    }
    Ok(Some(chosen))
}

pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_this_computer() {
        for ok in [
            "https://hooks.example.com/patchbay",
            "https://example.com:8443/x?y=1",
            "http://localhost:8080/hook",
            "http://127.0.0.1:5000/",
            "http://127.8.9.10/",
            "http://[::1]:9000/hook",
            "http://api.localhost/hook",
            "  https://example.com/padded  ",
        ] {
            assert!(validate_webhook_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "   ",
            "example.com/hook",
            "http://example.com/hook",
            "http://192.168.1.10/hook",
            "http://10.0.0.1/",
            "ftp://example.com/",
            "javascript:alert(1)",
            "https://",
            "http://[::2]/",
            "not a url at all",
        ] {
            let error = validate_webhook_url(bad).err();
            assert_eq!(
                error.as_ref().map(|e| e.code),
                Some(AppErrorCode::WebhookUrlInvalid),
                "{bad:?}"
            );
            assert!(error.is_some_and(|e| e.hint.is_some()), "{bad:?}");
        }
        let long = format!("https://example.com/{}", "a".repeat(3000));
        assert!(validate_webhook_url(&long).is_err());
        let plain = validate_webhook_url("http://example.com/hook")
            .err()
            .unwrap_or_else(|| AppError::new(AppErrorCode::Internal, ""));
        assert!(plain.message.contains("secure"), "{}", plain.message);
    }

    #[test]
    fn event_types_are_checked_and_deduplicated() {
        assert_eq!(validate_event_types(None), Ok(None));
        assert_eq!(
            validate_event_types(Some(vec![
                "connection.offline".into(),
                " connection.offline ".into(),
                "connection.recovered".into()
            ])),
            Ok(Some(vec![
                "connection.offline".to_string(),
                "connection.recovered".to_string()
            ]))
        );
        assert_eq!(
            validate_event_types(Some(vec!["connection.exploded".into()])).map_err(|e| e.code),
            Err(AppErrorCode::InvalidInput)
        );
        assert_eq!(
            validate_event_types(Some(vec![" ".into()])).map_err(|e| e.code),
            Err(AppErrorCode::InvalidInput)
        );
    }

    #[test]
    fn masks_and_debug_never_show_the_secret() {
        let secret = signing::generate_secret();
        let masked = mask_signing_secret(&secret);
        assert!(masked.starts_with("whsec_…"));
        assert_eq!(masked.chars().count(), "whsec_…".chars().count() + 4);
        assert!(!masked.contains(&secret[6..20]));
        let created = CreatedWebhook {
            endpoint: WebhookEndpoint {
                id: "ep_1".into(),
                url: "https://example.com".into(),
                description: String::new(),
                event_types: None,
                enabled: true,
                disabled_reason: None,
                masked_secret: masked,
                created_at: Utc::now(),
            },
            signing_secret: secret.clone(),
        };
        assert!(!format!("{created:?}").contains(&secret));
    }
}
