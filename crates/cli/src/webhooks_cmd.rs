//! `patchbay webhooks …`: endpoints, test events, the delivery log.

use crate::print_json;
use clap::Subcommand;
use patchbay_core::{
    AppError, DeliveryStatus, Patchbay, WebhookDelivery, WebhookEndpoint, WebhookInput,
};

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Add an endpoint. Prints its id and signing secret (shown this once).
    Add {
        /// Where to send alerts: https://…, or http://localhost… for this computer.
        #[arg(long)]
        url: String,
        /// Event types to send, comma-separated (default: all).
        #[arg(long, value_delimiter = ',')]
        events: Option<Vec<String>>,
        /// A few words on where the alerts go.
        #[arg(long)]
        description: Option<String>,
    },
    /// The configured endpoints.
    List,
    /// Remove an endpoint, its delivery log and its signing secret.
    Remove { id: String },
    /// Turn an endpoint on (its waiting messages go out again).
    Enable { id: String },
    /// Turn an endpoint off.
    Disable { id: String },
    /// Send a `webhook.test` event to an endpoint now.
    Test { id: String },
    /// Recent deliveries (of one endpoint, or all), newest first.
    Deliveries {
        /// The endpoint id.
        id: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Send a failed or waiting message again now, under the same id.
    Retry { message_id: String },
    /// Show an endpoint's signing secret.
    Reveal { id: String },
}

fn endpoint_line(endpoint: &WebhookEndpoint) -> String {
    let state = if endpoint.enabled {
        "on".to_string()
    } else {
        match &endpoint.disabled_reason {
            Some(reason) => format!("off — {reason}"),
            None => "off".to_string(),
        }
    };
    let events = match &endpoint.event_types {
        Some(list) => list.join(","),
        None => "all events".to_string(),
    };
    let mut line = format!(
        "{}  {}  [{}]  {}  secret {}",
        endpoint.id, endpoint.url, state, events, endpoint.masked_secret
    );
    if !endpoint.description.is_empty() {
        line.push_str(&format!("  \"{}\"", endpoint.description));
    }
    line
}

fn delivery_line(delivery: &WebhookDelivery) -> String {
    let mut line = format!(
        "{}  {}  {}  {}  attempts {}",
        delivery.created_at.format("%Y-%m-%d %H:%M:%S"),
        delivery.message_id,
        delivery.event_type,
        delivery.status.as_str(),
        delivery.attempts
    );
    if let Some(code) = delivery.last_status_code {
        line.push_str(&format!("  last HTTP {code}"));
    }
    if delivery.status != DeliveryStatus::Delivered {
        if let Some(error) = &delivery.last_error {
            line.push_str(&format!("  ({error})"));
        }
    }
    if let Some(next) = delivery.next_attempt_at {
        line.push_str(&format!("  next try {}", next.format("%Y-%m-%d %H:%M:%S")));
    }
    line
}

/// Attempt due messages now (so `test`/`retry` answer without `watch`
/// running), then show where `message_id` stands.
async fn deliver_now(engine: &Patchbay, message_id: &str) -> Result<WebhookDelivery, AppError> {
    engine.deliver_due_webhooks().await?;
    engine.webhook_delivery(message_id).await
}

pub async fn run(engine: &Patchbay, command: WebhooksCommand, json: bool) -> Result<(), AppError> {
    match command {
        WebhooksCommand::Add {
            url,
            events,
            description,
        } => {
            let created = engine
                .add_webhook(WebhookInput {
                    url,
                    description,
                    event_types: events,
                })
                .await?;
            if json {
                return print_json(&created);
            }
            say!("Added {}", endpoint_line(&created.endpoint));
            say!("id: {}", created.endpoint.id);
            say!("signing secret: {}", created.signing_secret);
            say!(
                "Keep the secret with the receiver: it verifies each alert's webhook-signature with it \
                 (Standard Webhooks). `patchbay webhooks reveal {}` shows it again.",
                created.endpoint.id
            );
            Ok(())
        }
        WebhooksCommand::List => {
            let endpoints = engine.list_webhooks().await?;
            if json {
                return print_json(&endpoints);
            }
            if endpoints.is_empty() {
                say!("No webhook endpoints yet. Add one: patchbay webhooks add --url https://…");
            }
            for endpoint in &endpoints {
                say!("{}", endpoint_line(endpoint));
            }
            Ok(())
        }
        WebhooksCommand::Remove { id } => {
            engine.remove_webhook(&id).await?;
            if json {
                return print_json(&serde_json::json!({ "removed": id }));
            }
            say!("Removed {id}.");
            Ok(())
        }
        WebhooksCommand::Enable { id } => {
            let endpoint = engine.set_webhook_enabled(&id, true).await?;
            if json {
                return print_json(&endpoint);
            }
            say!("{}", endpoint_line(&endpoint));
            Ok(())
        }
        WebhooksCommand::Disable { id } => {
            let endpoint = engine.set_webhook_enabled(&id, false).await?;
            if json {
                return print_json(&endpoint);
            }
            say!("{}", endpoint_line(&endpoint));
            Ok(())
        }
        WebhooksCommand::Test { id } => {
            let queued = engine.test_webhook(&id).await?;
            let delivery = deliver_now(engine, &queued.message_id).await?;
            if json {
                return print_json(&delivery);
            }
            say!("{}", delivery_line(&delivery));
            match delivery.status {
                DeliveryStatus::Delivered => say!("The test event arrived."),
                _ => say!(
                    "The test event did not arrive yet; Patchbay keeps trying (`patchbay watch` sends the retries)."
                ),
            }
            Ok(())
        }
        WebhooksCommand::Deliveries { id, limit } => {
            let deliveries = engine.webhook_deliveries(id.as_deref(), limit).await?;
            if json {
                return print_json(&deliveries);
            }
            if deliveries.is_empty() {
                say!("No deliveries yet.");
            }
            for delivery in &deliveries {
                say!("{}", delivery_line(delivery));
            }
            Ok(())
        }
        WebhooksCommand::Retry { message_id } => {
            engine.retry_delivery(&message_id).await?;
            let delivery = deliver_now(engine, &message_id).await?;
            if json {
                return print_json(&delivery);
            }
            say!("{}", delivery_line(&delivery));
            Ok(())
        }
        WebhooksCommand::Reveal { id } => {
            let secret = engine.reveal_webhook_secret(&id).await?;
            if json {
                return print_json(&serde_json::json!({ "id": id, "signingSecret": secret }));
            }
            say!("{secret}");
            Ok(())
        }
    }
}
