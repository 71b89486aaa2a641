//! The delivery worker: takes due messages from the outbox, signs and POSTs
//! them, logs every attempt and schedules the next one. Everything it knows
//! is in the database, so it resumes after a restart or a `kill -9`.

use std::collections::HashMap;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::outbox::{self, AttemptRecord, Claimed};
use super::schedule::{self, MAX_ATTEMPTS};
use super::{signing, DeliveryPass, DeliveryStatus, WebhookAttempt, RESPONSE_EXCERPT_BYTES};
use crate::error::AppError;
use crate::facade::Patchbay;
use crate::secrets::keyring_unavailable;

/// How long a claimed message is reserved for its attempt (the 15 s timeout
/// plus room). After a crash it becomes due again this long after the claim.
pub const CLAIM_LEASE: StdDuration = StdDuration::from_secs(30);

/// How often the worker forgets old finished messages.
const PRUNE_EVERY: StdDuration = StdDuration::from_secs(3600);

#[derive(Debug, Clone)]
pub struct WebhookWorkerOptions {
    /// Attempts in flight at once.
    pub concurrency: usize,
    /// Messages claimed per pass.
    pub batch: u32,
    /// The longest the worker waits before looking at the outbox again
    /// (catches messages written by another process, e.g. `patchbay check`).
    pub poll: StdDuration,
}

impl Default for WebhookWorkerOptions {
    fn default() -> Self {
        Self {
            concurrency: 32,
            batch: 128,
            poll: StdDuration::from_secs(1),
        }
    }
}

/// A running delivery worker.
#[derive(Debug)]
pub struct WebhookWorkerHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl WebhookWorkerHandle {
    /// Stop after the attempts in flight finish, and wait for that.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            tracing::warn!(error = %e, "webhook worker ended abnormally");
        }
    }

    pub fn is_running(&self) -> bool {
        !self.task.is_finished()
    }
}

pub(crate) fn start(engine: Patchbay, options: WebhookWorkerOptions) -> WebhookWorkerHandle {
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(run(engine, options, stopped));
    WebhookWorkerHandle { stop, task }
}

async fn run(engine: Patchbay, options: WebhookWorkerOptions, mut stopped: watch::Receiver<bool>) {
    let runtime = engine.inner.webhooks.clone();
    let mut events = engine.subscribe();
    let mut events_open = true;
    tracing::info!("webhook delivery worker started");
    let mut pruned_at: Option<Instant> = None;
    loop {
        if *stopped.borrow() {
            break;
        }
        if pruned_at.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
            pruned_at = Some(Instant::now());
            if let Err(e) = engine.prune_webhook_log().await {
                tracing::warn!(code = ?e.code, "could not prune the webhook delivery log");
            }
        }
        let seen = runtime.enqueued();
        let pass = match engine.deliver_due_with(&options).await {
            Ok(pass) => pass,
            Err(e) => {
                tracing::warn!(code = ?e.code, detail = ?e.detail, "webhook delivery pass failed");
                DeliveryPass::default()
            }
        };
        if pass.attempted >= options.batch {
            continue; // more are due right now
        }
        let nap = match outbox::next_due(engine.store().pool()).await {
            Ok(Some(due)) => (due - engine.clock().now())
                .to_std()
                .unwrap_or(StdDuration::ZERO)
                .min(options.poll),
            _ => options.poll,
        };
        if nap.is_zero() {
            tokio::task::yield_now().await;
            continue;
        }
        let sleep = tokio::time::sleep(nap);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = &mut sleep => break,
                _ = stopped.changed() => break,
                _ = runtime.wake.notified() => break,
                event = events.recv(), if events_open => match event {
                    // Engine events are published after their commit: if
                    // the outbox grew meanwhile, deliver now.
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        if runtime.enqueued() != seen {
                            break;
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => events_open = false,
                },
            }
        }
    }
    tracing::info!("webhook delivery worker stopped");
}

impl Patchbay {
    pub(crate) async fn deliver_due_with(
        &self,
        options: &WebhookWorkerOptions,
    ) -> Result<DeliveryPass, AppError> {
        let now = self.clock().now();
        let lease = Duration::from_std(CLAIM_LEASE).unwrap_or_else(|_| Duration::seconds(30));
        let claimed =
            outbox::claim_due(self.store().pool(), now, now + lease, options.batch.max(1)).await?;
        if claimed.is_empty() {
            return Ok(DeliveryPass::default());
        }
        let urls: HashMap<String, String> = outbox::endpoints(self.store().pool())
            .await?
            .into_iter()
            .map(|e| (e.id, e.url))
            .collect();
        let attempted = u32::try_from(claimed.len()).unwrap_or(u32::MAX);
        let outcomes: Vec<Result<bool, AppError>> = futures::stream::iter(claimed)
            .map(|message| {
                let url = urls.get(&message.endpoint_id).cloned();
                async move { self.attempt(message, url).await }
            })
            .buffer_unordered(options.concurrency.max(1))
            .collect()
            .await;
        let mut delivered = 0;
        for outcome in outcomes {
            match outcome {
                Ok(true) => delivered += 1,
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(code = ?e.code, detail = ?e.detail, "could not record a webhook attempt")
                }
            }
        }
        Ok(DeliveryPass {
            attempted,
            delivered,
        })
    }

    /// One attempt of one message; returns whether it was delivered.
    async fn attempt(&self, message: Claimed, url: Option<String>) -> Result<bool, AppError> {
        let runtime = self.inner.webhooks.clone();
        let started_at = self.clock().now();
        let started = Instant::now();
        let attempts = message.attempts.saturating_add(1);
        let outcome = match url {
            None => Outcome::error("the endpoint was removed"),
            Some(url) => match self.signing_secret(&message.endpoint_id).await {
                Err(e) => Outcome::error(format!("signing secret unavailable: {}", e.message)),
                Ok(secret) => send(&runtime.http, &url, &secret, &message, started_at).await,
            },
        };
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let finished_at =
            started_at + Duration::milliseconds(i64::try_from(latency_ms).unwrap_or(0));
        let delivered = outcome.status.is_some_and(|s| (200..300).contains(&s));
        let gone = outcome.status == Some(410);
        let (status, next_attempt_at) = if delivered {
            (DeliveryStatus::Delivered, None)
        } else if gone {
            (DeliveryStatus::Failed, None)
        } else {
            match schedule::next_attempt_at(attempts, finished_at, outcome.retry_after) {
                Some(next) => (DeliveryStatus::Pending, Some(next)),
                None => (DeliveryStatus::Failed, None),
            }
        };
        let record = AttemptRecord {
            message_id: message.id.clone(),
            endpoint_id: message.endpoint_id.clone(),
            attempt: WebhookAttempt {
                at: started_at,
                status_code: outcome.status,
                latency_ms,
                response_excerpt: outcome.excerpt,
                error: outcome.error,
            },
            attempts,
            status,
            next_attempt_at,
            disable_endpoint: gone.then(|| {
                "The receiver answered 410 Gone (it no longer wants these alerts), so Patchbay turned this endpoint off."
                    .to_string()
            }),
        };
        outbox::record_attempt(self.store().pool(), &record).await?;
        tracing::debug!(
            message_id = %message.id,
            endpoint_id = %message.endpoint_id,
            status = ?record.attempt.status_code,
            attempts,
            outcome = status.as_str(),
            "webhook attempt"
        );
        Ok(delivered)
    }

    pub(crate) async fn signing_secret(&self, endpoint_id: &str) -> Result<String, AppError> {
        let secret = self
            .inner
            .secrets
            .get(&super::secret_key_name(endpoint_id))
            .await?
            .ok_or_else(|| keyring_unavailable("no signing secret stored for this endpoint"))?;
        Ok(secret.expose().to_string())
    }
}

struct Outcome {
    status: Option<u16>,
    excerpt: Option<String>,
    error: Option<String>,
    retry_after: Option<Duration>,
}

impl Outcome {
    fn error(text: impl Into<String>) -> Self {
        Self {
            status: None,
            excerpt: None,
            error: Some(text.into()),
            retry_after: None,
        }
    }
}

async fn send(
    http: &reqwest::Client,
    url: &str,
    secret: &str,
    message: &Claimed,
    at: DateTime<Utc>,
) -> Outcome {
    let body = message.payload.as_bytes();
    let headers = match signing::headers(secret, &message.id, at, body) {
        Ok(headers) => headers,
        Err(e) => return Outcome::error(format!("could not sign: {e}")),
    };
    let mut request = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(message.payload.clone());
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let mut response = match request.send().await {
        Ok(response) => response,
        Err(e) => return Outcome::error(transport_error(&e)),
    };
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| schedule::parse_retry_after(v, at));
    let mut excerpt: Vec<u8> = Vec::new();
    let mut read_error = None;
    while excerpt.len() < RESPONSE_EXCERPT_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => {
                read_error = Some(transport_error(&e));
                break;
            }
        }
    }
    let excerpt = excerpt_text(&excerpt);
    let error = if (200..300).contains(&status) {
        None
    } else {
        Some(read_error.unwrap_or_else(|| format!("the receiver answered HTTP {status}")))
    };
    Outcome {
        status: Some(status),
        excerpt: (!excerpt.is_empty()).then_some(excerpt),
        error,
        retry_after,
    }
}

/// The first 1 KB of a body as text (cut on a character boundary).
pub(crate) fn excerpt_text(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(RESPONSE_EXCERPT_BYTES)];
    let text = String::from_utf8_lossy(cut);
    let mut text = text.into_owned();
    while text.len() > RESPONSE_EXCERPT_BYTES {
        text.pop();
    }
    text
}

fn transport_error(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "no answer within 15 s"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_redirect() {
        "the receiver redirected (not followed)"
    } else {
        "the request failed"
    };
    let mut detail = String::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        detail.push_str(": ");
        detail.push_str(&cause.to_string());
        source = cause.source();
    }
    super::truncate(&format!("{kind}{detail}"), 300)
}

pub(crate) const fn max_attempts() -> u32 {
    MAX_ATTEMPTS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_stop_at_one_kilobyte_on_a_character_boundary() {
        assert_eq!(excerpt_text(b"ok"), "ok");
        let long = "é".repeat(2000);
        let text = excerpt_text(long.as_bytes());
        assert!(text.len() <= RESPONSE_EXCERPT_BYTES);
        assert!(text.len() >= RESPONSE_EXCERPT_BYTES - 4);
        assert!(text.chars().all(|c| c == 'é' || c == '\u{FFFD}'));
    }
}
