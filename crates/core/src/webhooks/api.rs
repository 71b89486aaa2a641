//! The webhook actions of the facade (Settings → Alerts, `patchbay webhooks`).

use crate::connectors::Secret;
use crate::error::{AppError, AppErrorCode};
use crate::facade::Patchbay;

use super::outbox::{self, NewMessage};
use super::worker::{self, WebhookWorkerHandle, WebhookWorkerOptions};
use super::{
    mask_signing_secret, payload, secret_key_name, signing, truncate, validate_event_types,
    validate_webhook_url, CreatedWebhook, DeliveryPass, WebhookDelivery, WebhookEndpoint,
    WebhookInput,
};

fn endpoint_not_found(id: &str) -> AppError {
    AppError::new(AppErrorCode::NotFound, "There's no webhook endpoint with this id.")
        .hint("It may have been removed. Run `patchbay webhooks list` (or refresh Settings → Alerts) to see the ids.")
        .detail(format!("endpoint id {:?}", truncate(id, 80)))
}

fn message_not_found(id: &str) -> AppError {
    AppError::new(
        AppErrorCode::NotFound,
        "There's no webhook delivery with this id.",
    )
    .hint("Run `patchbay webhooks deliveries` to see the message ids (they start with msg_).")
    .detail(format!("message id {:?}", truncate(id, 80)))
}

impl Patchbay {
    /// An activity-log line for a webhook action (best effort: the action
    /// itself already happened).
    async fn log_webhook(&self, kind: &str, summary: String, endpoint_id: &str) {
        let data = serde_json::json!({ "endpointId": endpoint_id });
        if let Err(e) = self.log_event(None, kind, summary, data).await {
            tracing::warn!(code = ?e.code, kind, "could not record a webhook action");
        }
    }

    /// Add an endpoint. Its signing secret goes to the OS credential store
    /// and is returned this once (see [`Patchbay::reveal_webhook_secret`]).
    pub async fn add_webhook(&self, input: WebhookInput) -> Result<CreatedWebhook, AppError> {
        let url = validate_webhook_url(&input.url)?;
        let event_types = validate_event_types(input.event_types)?;
        let description = input.description.unwrap_or_default().trim().to_string();
        if description.chars().count() > 500 {
            return Err(AppError::new(
                AppErrorCode::InvalidInput,
                "The description is too long (500 characters at most).",
            )
            .hint("Shorten it to a few words that say where the alerts go."));
        }
        let secret = signing::generate_secret();
        let endpoint = WebhookEndpoint {
            id: outbox::new_endpoint_id(),
            url: url.to_string(),
            description,
            event_types,
            enabled: true,
            disabled_reason: None,
            masked_secret: mask_signing_secret(&secret),
            created_at: self.clock().now(),
        };
        // The secret first: no endpoint without its secret.
        self.inner
            .secrets
            .set(&secret_key_name(&endpoint.id), &Secret::new(secret.clone()))
            .await?;
        if let Err(e) = outbox::insert_endpoint(self.store().pool(), &endpoint).await {
            if let Err(cleanup) = self
                .inner
                .secrets
                .delete(&secret_key_name(&endpoint.id))
                .await
            {
                tracing::warn!(code = ?cleanup.code, "could not remove the secret of an endpoint that was not saved");
            }
            return Err(e);
        }
        tracing::info!(endpoint_id = %endpoint.id, "webhook endpoint added");
        self.log_webhook(
            "webhook.added",
            format!("Webhook endpoint added: {}", endpoint.url),
            &endpoint.id,
        )
        .await;
        Ok(CreatedWebhook {
            endpoint,
            signing_secret: secret,
        })
    }

    pub async fn list_webhooks(&self) -> Result<Vec<WebhookEndpoint>, AppError> {
        outbox::endpoints(self.store().pool()).await
    }

    pub async fn webhook(&self, endpoint_id: &str) -> Result<WebhookEndpoint, AppError> {
        outbox::endpoint(self.store().pool(), endpoint_id)
            .await?
            .ok_or_else(|| endpoint_not_found(endpoint_id))
    }

    /// Remove an endpoint, its outbox and delivery log, and its secret.
    pub async fn remove_webhook(&self, endpoint_id: &str) -> Result<(), AppError> {
        if !outbox::delete_endpoint(self.store().pool(), endpoint_id).await? {
            return Err(endpoint_not_found(endpoint_id));
        }
        self.inner
            .secrets
            .delete(&secret_key_name(endpoint_id))
            .await?;
        tracing::info!(endpoint_id = %endpoint_id, "webhook endpoint removed");
        self.log_webhook(
            "webhook.removed",
            "Webhook endpoint removed.".to_string(),
            endpoint_id,
        )
        .await;
        Ok(())
    }

    /// Turn an endpoint on or off. Turning it on clears the reason Patchbay
    /// turned it off, and its waiting messages go out again.
    pub async fn set_webhook_enabled(
        &self,
        endpoint_id: &str,
        enabled: bool,
    ) -> Result<WebhookEndpoint, AppError> {
        let now = self.clock().now();
        let reason = (!enabled).then_some("Turned off by you.");
        if !outbox::set_enabled(self.store().pool(), endpoint_id, enabled, reason, now).await? {
            return Err(endpoint_not_found(endpoint_id));
        }
        if enabled {
            self.inner.webhooks.wake.notify_one();
        }
        let (kind, summary) = if enabled {
            ("webhook.enabled", "Webhook endpoint turned on.")
        } else {
            ("webhook.disabled", "Webhook endpoint turned off.")
        };
        self.log_webhook(kind, summary.to_string(), endpoint_id)
            .await;
        self.webhook(endpoint_id).await
    }

    /// The signing secret, on explicit request ("Reveal").
    pub async fn reveal_webhook_secret(&self, endpoint_id: &str) -> Result<String, AppError> {
        self.webhook(endpoint_id).await?;
        let secret = self.signing_secret(endpoint_id).await?;
        self.log_webhook(
            "webhook.secret_revealed",
            "Webhook signing secret shown.".to_string(),
            endpoint_id,
        )
        .await;
        Ok(secret)
    }

    /// Queue a `webhook.test` message for this endpoint ("Send test event").
    pub async fn test_webhook(&self, endpoint_id: &str) -> Result<WebhookDelivery, AppError> {
        let endpoint = self.webhook(endpoint_id).await?;
        if !endpoint.enabled {
            return Err(AppError::new(
                AppErrorCode::InvalidInput,
                "This endpoint is turned off, so the test event would not go out.",
            )
            .hint("Turn it on first, then send the test event."));
        }
        let now = self.clock().now();
        let body = payload::test_event(now, endpoint_id).to_string();
        let id = outbox::new_message_id();
        let mut tx = self.store().begin().await?;
        outbox::insert_message(
            &mut tx,
            &NewMessage {
                id: id.clone(),
                endpoint_id,
                event_type: payload::TEST,
                connection_id: None,
                payload: &body,
                created_at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(crate::store::storage_error)?;
        self.inner.webhooks.wake.notify_one();
        outbox::delivery(self.store().pool(), &id)
            .await?
            .ok_or_else(|| message_not_found(&id))
    }

    /// Recent messages (newest first) with their attempts; all endpoints when
    /// `endpoint_id` is `None`.
    pub async fn webhook_deliveries(
        &self,
        endpoint_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<WebhookDelivery>, AppError> {
        if let Some(id) = endpoint_id {
            self.webhook(id).await?;
        }
        outbox::deliveries(self.store().pool(), endpoint_id, limit).await
    }

    pub async fn webhook_delivery(&self, message_id: &str) -> Result<WebhookDelivery, AppError> {
        outbox::delivery(self.store().pool(), message_id)
            .await?
            .ok_or_else(|| message_not_found(message_id))
    }

    /// Send a message again now, under the same id. A failed message gets
    /// one more attempt; a delivered one is left alone.
    pub async fn retry_delivery(&self, message_id: &str) -> Result<WebhookDelivery, AppError> {
        let current = self.webhook_delivery(message_id).await?;
        if current.status == super::DeliveryStatus::Delivered {
            return Err(AppError::new(
                AppErrorCode::InvalidInput,
                "This message was already delivered.",
            )
            .hint("Use \"Send test event\" to check the endpoint again."));
        }
        let now = self.clock().now();
        outbox::retry_now(self.store().pool(), message_id, now, worker::max_attempts()).await?;
        self.inner.webhooks.wake.notify_one();
        self.webhook_delivery(message_id).await
    }

    /// One delivery pass now: every due message gets an attempt. The worker
    /// runs this in a loop; tests and benchmarks call it directly (with a
    /// manual clock, after moving time on).
    pub async fn deliver_due_webhooks(&self) -> Result<DeliveryPass, AppError> {
        self.deliver_due_with(&WebhookWorkerOptions::default())
            .await
    }

    /// Forget delivered and failed messages older than
    /// [`super::DELIVERY_LOG_DAYS`] (the worker does this hourly). Returns
    /// how many were removed.
    pub async fn prune_webhook_log(&self) -> Result<u64, AppError> {
        let before = self.clock().now() - chrono::Duration::days(super::DELIVERY_LOG_DAYS);
        outbox::prune(self.store().pool(), before).await
    }

    /// Start the delivery worker (the desktop app and `patchbay watch`).
    pub fn start_webhook_worker(&self) -> WebhookWorkerHandle {
        worker::start(self.clone(), WebhookWorkerOptions::default())
    }

    pub fn start_webhook_worker_with(&self, options: WebhookWorkerOptions) -> WebhookWorkerHandle {
        worker::start(self.clone(), options)
    }
}
