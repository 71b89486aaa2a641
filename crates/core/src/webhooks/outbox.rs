//! The webhook tables: endpoints, the outbox (messages) and the delivery log
//! (attempts). Plain `sqlx::query` with binds, like the rest of the store.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{Row, SqliteConnection, SqlitePool};

use super::payload::{self, known_event_type};
use super::{DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookRuntime};
use crate::error::AppError;
use crate::facade::{ConnectionChange, TransitionSink};
use crate::store::storage_error;

pub(crate) fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn from_millis(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp_millis(ms)
}

pub(crate) fn new_message_id() -> String {
    format!("msg_{}", uuid::Uuid::new_v4().simple())
}

pub(crate) fn new_endpoint_id() -> String {
    format!("ep_{}", uuid::Uuid::new_v4().simple())
}

fn endpoint_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<WebhookEndpoint, AppError> {
    let event_types: Option<String> = row.try_get("event_types").map_err(storage_error)?;
    let enabled: i64 = row.try_get("enabled").map_err(storage_error)?;
    Ok(WebhookEndpoint {
        id: row.try_get("id").map_err(storage_error)?,
        url: row.try_get("url").map_err(storage_error)?,
        description: row.try_get("description").map_err(storage_error)?,
        event_types: event_types.and_then(|json| serde_json::from_str(&json).ok()),
        enabled: enabled != 0,
        disabled_reason: row.try_get("disabled_reason").map_err(storage_error)?,
        masked_secret: row.try_get("masked_secret").map_err(storage_error)?,
        created_at: row.try_get("created_at").map_err(storage_error)?,
    })
}

const ENDPOINT_COLUMNS: &str =
    "id, url, description, event_types, enabled, disabled_reason, masked_secret, created_at";

pub(crate) async fn insert_endpoint(
    pool: &SqlitePool,
    endpoint: &WebhookEndpoint,
) -> Result<(), AppError> {
    let event_types = match &endpoint.event_types {
        Some(list) => Some(serde_json::to_string(list).map_err(storage_error)?),
        None => None,
    };
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, url, description, event_types, enabled, disabled_reason, \
         masked_secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&endpoint.id)
    .bind(&endpoint.url)
    .bind(&endpoint.description)
    .bind(event_types)
    .bind(i64::from(endpoint.enabled))
    .bind(&endpoint.disabled_reason)
    .bind(&endpoint.masked_secret)
    .bind(endpoint.created_at)
    .bind(endpoint.created_at)
    .execute(pool)
    .await
    .map_err(storage_error)?;
    Ok(())
}

pub(crate) async fn endpoints(pool: &SqlitePool) -> Result<Vec<WebhookEndpoint>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints ORDER BY created_at, id"
    ))
    .fetch_all(pool)
    .await
    .map_err(storage_error)?;
    rows.iter().map(endpoint_from_row).collect()
}

pub(crate) async fn endpoint(
    pool: &SqlitePool,
    id: &str,
) -> Result<Option<WebhookEndpoint>, AppError> {
    let row = sqlx::query(&format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = ?"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(storage_error)?;
    row.as_ref().map(endpoint_from_row).transpose()
}

pub(crate) async fn delete_endpoint(pool: &SqlitePool, id: &str) -> Result<bool, AppError> {
    let result = sqlx::query("DELETE FROM webhook_endpoints WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await
        .map_err(storage_error)?;
    Ok(result.rows_affected() > 0)
}

pub(crate) async fn set_enabled(
    pool: &SqlitePool,
    id: &str,
    enabled: bool,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let result = sqlx::query(
        "UPDATE webhook_endpoints SET enabled = ?, disabled_reason = ?, updated_at = ? WHERE id = ?",
    )
    .bind(i64::from(enabled))
    .bind(reason)
    .bind(now)
    .bind(id)
    .execute(pool)
    .await
    .map_err(storage_error)?;
    Ok(result.rows_affected() > 0)
}

/// A new outbox row (inside the caller's transaction).
pub(crate) struct NewMessage<'a> {
    pub(crate) id: String,
    pub(crate) endpoint_id: &'a str,
    pub(crate) event_type: &'a str,
    pub(crate) connection_id: Option<&'a str>,
    pub(crate) payload: &'a str,
    pub(crate) created_at: DateTime<Utc>,
}

pub(crate) async fn insert_message(
    conn: &mut SqliteConnection,
    message: &NewMessage<'_>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO webhook_messages (id, endpoint_id, event_type, connection_id, payload, created_at, \
         status, attempts, next_attempt_ms) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?)",
    )
    .bind(&message.id)
    .bind(message.endpoint_id)
    .bind(message.event_type)
    .bind(message.connection_id)
    .bind(message.payload)
    .bind(message.created_at)
    .bind(millis(message.created_at))
    .execute(conn)
    .await
    .map_err(storage_error)?;
    Ok(())
}

/// The outbox sink: one row per enabled endpoint that wants this event type.
pub(crate) struct OutboxSink {
    pub(crate) runtime: Arc<WebhookRuntime>,
}

#[async_trait]
impl TransitionSink for OutboxSink {
    async fn record(
        &self,
        conn: &mut SqliteConnection,
        change: &ConnectionChange,
    ) -> Result<(), AppError> {
        let Some(event_type) = known_event_type(&change.event.kind) else {
            return Ok(());
        };
        if event_type == payload::TEST {
            return Ok(());
        }
        let rows = sqlx::query("SELECT id, event_types FROM webhook_endpoints WHERE enabled = 1")
            .fetch_all(&mut *conn)
            .await
            .map_err(storage_error)?;
        let mut body: Option<String> = None;
        for row in rows {
            let id: String = row.try_get("id").map_err(storage_error)?;
            let event_types: Option<String> = row.try_get("event_types").map_err(storage_error)?;
            let wanted = match event_types
                .and_then(|json| serde_json::from_str::<Vec<String>>(&json).ok())
            {
                Some(list) => list.iter().any(|t| t == event_type),
                None => true,
            };
            if !wanted {
                continue;
            }
            let body = body.get_or_insert_with(|| {
                payload::connection_event(
                    event_type,
                    change.event.at,
                    &change.connection,
                    change.transition.as_ref().map(|t| t.from),
                )
                .to_string()
            });
            insert_message(
                conn,
                &NewMessage {
                    id: new_message_id(),
                    endpoint_id: &id,
                    event_type,
                    connection_id: Some(&change.connection.id),
                    payload: body,
                    created_at: change.event.at,
                },
            )
            .await?;
            self.runtime.enqueued.fetch_add(1, Ordering::AcqRel);
        }
        Ok(())
    }
}

/// A message claimed for one attempt.
pub(crate) struct Claimed {
    pub(crate) id: String,
    pub(crate) endpoint_id: String,
    pub(crate) payload: String,
    pub(crate) attempts: u32,
}

/// Atomically take up to `limit` due messages (of enabled endpoints) by
/// pushing their next attempt to `lease_until`: another worker (another
/// process) won't take them meanwhile, and a crash mid-attempt only delays
/// them to `lease_until` — same id, never lost.
pub(crate) async fn claim_due(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<Claimed>, AppError> {
    let rows = sqlx::query(
        "UPDATE webhook_messages SET next_attempt_ms = ?1 WHERE id IN ( \
             SELECT m.id FROM webhook_messages m JOIN webhook_endpoints e ON e.id = m.endpoint_id \
             WHERE m.status = 'pending' AND e.enabled = 1 AND m.next_attempt_ms <= ?2 \
             ORDER BY m.next_attempt_ms LIMIT ?3) \
         RETURNING id, endpoint_id, payload, attempts",
    )
    .bind(millis(lease_until))
    .bind(millis(now))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(storage_error)?;
    rows.iter()
        .map(|row| {
            let attempts: i64 = row.try_get("attempts").map_err(storage_error)?;
            Ok(Claimed {
                id: row.try_get("id").map_err(storage_error)?,
                endpoint_id: row.try_get("endpoint_id").map_err(storage_error)?,
                payload: row.try_get("payload").map_err(storage_error)?,
                attempts: u32::try_from(attempts).unwrap_or(0),
            })
        })
        .collect()
}

/// The earliest next attempt of any deliverable message.
pub(crate) async fn next_due(pool: &SqlitePool) -> Result<Option<DateTime<Utc>>, AppError> {
    let row = sqlx::query(
        "SELECT MIN(m.next_attempt_ms) AS due FROM webhook_messages m \
         JOIN webhook_endpoints e ON e.id = m.endpoint_id \
         WHERE m.status = 'pending' AND e.enabled = 1",
    )
    .fetch_one(pool)
    .await
    .map_err(storage_error)?;
    let due: Option<i64> = row.try_get("due").map_err(storage_error)?;
    Ok(due.and_then(from_millis))
}

/// The outcome of one attempt, to record.
pub(crate) struct AttemptRecord {
    pub(crate) message_id: String,
    pub(crate) endpoint_id: String,
    pub(crate) attempt: WebhookAttempt,
    /// Attempts made including this one.
    pub(crate) attempts: u32,
    pub(crate) status: DeliveryStatus,
    pub(crate) next_attempt_at: Option<DateTime<Utc>>,
    /// The receiver said 410 Gone: turn the endpoint off with this reason.
    pub(crate) disable_endpoint: Option<String>,
}

/// Write the attempt to the log and move the message on, in one transaction.
pub(crate) async fn record_attempt(
    pool: &SqlitePool,
    record: &AttemptRecord,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await.map_err(storage_error)?;
    let a = &record.attempt;
    sqlx::query(
        "INSERT INTO webhook_attempts (message_id, at, status_code, latency_ms, response_excerpt, error) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&record.message_id)
    .bind(a.at)
    .bind(a.status_code.map(i64::from))
    .bind(i64::try_from(a.latency_ms).unwrap_or(i64::MAX))
    .bind(&a.response_excerpt)
    .bind(&a.error)
    .execute(&mut *tx)
    .await
    .map_err(storage_error)?;
    sqlx::query(
        "UPDATE webhook_messages SET status = ?, attempts = ?, next_attempt_ms = ?, last_attempt_at = ?, \
         last_status = ?, last_error = ? WHERE id = ?",
    )
    .bind(record.status.as_str())
    .bind(i64::from(record.attempts))
    .bind(record.next_attempt_at.map(millis))
    .bind(a.at)
    .bind(a.status_code.map(i64::from))
    .bind(&a.error)
    .bind(&record.message_id)
    .execute(&mut *tx)
    .await
    .map_err(storage_error)?;
    if let Some(reason) = &record.disable_endpoint {
        sqlx::query(
            "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ?, updated_at = ? WHERE id = ?",
        )
        .bind(reason)
        .bind(a.at)
        .bind(&record.endpoint_id)
        .execute(&mut *tx)
        .await
        .map_err(storage_error)?;
        sqlx::query(
            "UPDATE webhook_messages SET status = 'failed', next_attempt_ms = NULL, last_error = ? \
             WHERE endpoint_id = ? AND status = 'pending'",
        )
        .bind(reason)
        .bind(&record.endpoint_id)
        .execute(&mut *tx)
        .await
        .map_err(storage_error)?;
    }
    tx.commit().await.map_err(storage_error)
}

const MESSAGE_COLUMNS: &str =
    "id, endpoint_id, event_type, connection_id, payload, created_at, status, \
     attempts, next_attempt_ms, last_attempt_at, last_status, last_error";

fn delivery_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<WebhookDelivery, AppError> {
    let status: String = row.try_get("status").map_err(storage_error)?;
    let attempts: i64 = row.try_get("attempts").map_err(storage_error)?;
    let next: Option<i64> = row.try_get("next_attempt_ms").map_err(storage_error)?;
    let last_status: Option<i64> = row.try_get("last_status").map_err(storage_error)?;
    let payload: String = row.try_get("payload").map_err(storage_error)?;
    let status = DeliveryStatus::parse(&status);
    Ok(WebhookDelivery {
        message_id: row.try_get("id").map_err(storage_error)?,
        endpoint_id: row.try_get("endpoint_id").map_err(storage_error)?,
        event_type: row.try_get("event_type").map_err(storage_error)?,
        connection_id: row.try_get("connection_id").map_err(storage_error)?,
        created_at: row.try_get("created_at").map_err(storage_error)?,
        status,
        attempts: u32::try_from(attempts).unwrap_or(0),
        next_attempt_at: if status == DeliveryStatus::Pending {
            next.and_then(from_millis)
        } else {
            None
        },
        last_attempt_at: row.try_get("last_attempt_at").map_err(storage_error)?,
        last_status_code: last_status.and_then(|s| u16::try_from(s).ok()),
        last_error: row.try_get("last_error").map_err(storage_error)?,
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
        log: Vec::new(),
    })
}

async fn attempts_of(pool: &SqlitePool, message_id: &str) -> Result<Vec<WebhookAttempt>, AppError> {
    let rows = sqlx::query(
        "SELECT at, status_code, latency_ms, response_excerpt, error FROM webhook_attempts \
         WHERE message_id = ? ORDER BY id",
    )
    .bind(message_id)
    .fetch_all(pool)
    .await
    .map_err(storage_error)?;
    rows.iter()
        .map(|row| {
            let status: Option<i64> = row.try_get("status_code").map_err(storage_error)?;
            let latency: i64 = row.try_get("latency_ms").map_err(storage_error)?;
            Ok(WebhookAttempt {
                at: row.try_get("at").map_err(storage_error)?,
                status_code: status.and_then(|s| u16::try_from(s).ok()),
                latency_ms: u64::try_from(latency).unwrap_or(0),
                response_excerpt: row.try_get("response_excerpt").map_err(storage_error)?,
                error: row.try_get("error").map_err(storage_error)?,
            })
        })
        .collect()
}

/// Messages, newest first, each with its attempts.
pub(crate) async fn deliveries(
    pool: &SqlitePool,
    endpoint_id: Option<&str>,
    limit: u32,
) -> Result<Vec<WebhookDelivery>, AppError> {
    let limit = i64::from(limit.clamp(1, 10_000));
    let rows = match endpoint_id {
        Some(id) => {
            sqlx::query(&format!(
                "SELECT {MESSAGE_COLUMNS} FROM webhook_messages WHERE endpoint_id = ? \
                 ORDER BY created_at DESC, rowid DESC LIMIT ?"
            ))
            .bind(id)
            .bind(limit)
            .fetch_all(pool)
            .await
        }
        None => {
            sqlx::query(&format!(
                "SELECT {MESSAGE_COLUMNS} FROM webhook_messages ORDER BY created_at DESC, rowid DESC LIMIT ?"
            ))
            .bind(limit)
            .fetch_all(pool)
            .await
        }
    }
    .map_err(storage_error)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut delivery = delivery_from_row(row)?;
        delivery.log = attempts_of(pool, &delivery.message_id).await?;
        out.push(delivery);
    }
    Ok(out)
}

pub(crate) async fn delivery(
    pool: &SqlitePool,
    message_id: &str,
) -> Result<Option<WebhookDelivery>, AppError> {
    let row = sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM webhook_messages WHERE id = ?"
    ))
    .bind(message_id)
    .fetch_optional(pool)
    .await
    .map_err(storage_error)?;
    match row {
        Some(row) => {
            let mut delivery = delivery_from_row(&row)?;
            delivery.log = attempts_of(pool, &delivery.message_id).await?;
            Ok(Some(delivery))
        }
        None => Ok(None),
    }
}

/// Make a message due now. A failed one gets one more attempt.
pub(crate) async fn retry_now(
    pool: &SqlitePool,
    message_id: &str,
    now: DateTime<Utc>,
    max_attempts: u32,
) -> Result<bool, AppError> {
    let result = sqlx::query(
        "UPDATE webhook_messages SET status = 'pending', next_attempt_ms = ?, \
         attempts = MIN(attempts, ?) WHERE id = ? AND status != 'delivered'",
    )
    .bind(millis(now))
    .bind(i64::from(max_attempts.saturating_sub(1)))
    .bind(message_id)
    .execute(pool)
    .await
    .map_err(storage_error)?;
    Ok(result.rows_affected() > 0)
}

/// Forget finished (delivered or failed) messages created before `before`,
/// with their attempts. Pending ones are never pruned.
pub(crate) async fn prune(pool: &SqlitePool, before: DateTime<Utc>) -> Result<u64, AppError> {
    let result =
        sqlx::query("DELETE FROM webhook_messages WHERE status != 'pending' AND created_at < ?")
            .bind(before)
            .execute(pool)
            .await
            .map_err(storage_error)?;
    Ok(result.rows_affected())
}
