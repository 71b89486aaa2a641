//! The local database: SQLite through sqlx (WAL, 5 s busy timeout, foreign
//! keys, embedded migrations). No secret is ever written here.
//!
//! Queries are `sqlx::query!` macros, checked at compile time against the
//! offline data committed in `.sqlx/` (see `scripts/sqlx-prepare.sh`).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::error::{AppError, AppErrorCode};
use crate::health::{Health, HealthState, Lifecycle};
use crate::model::{Actor, AuditEvent, EventFilter, HealthCheckRecord, Settings};

/// The database file inside the data dir.
pub const DB_FILE: &str = "patchbay.db";

/// `storage_failed` for any database error. sqlx errors never carry bound
/// values, so the detail cannot contain data we wrote.
pub(crate) fn storage_error(error: impl std::fmt::Display) -> AppError {
    AppError::new(
        AppErrorCode::StorageFailed,
        "Patchbay couldn't read or write its local data.",
    )
    .hint(
        "Check the disk has free space and Patchbay's data folder can be written, then try again.",
    )
    .detail(error.to_string())
}

/// Encode a snake_case serde enum as its text form.
pub(crate) fn enum_text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

pub(crate) fn parse_enum<T: DeserializeOwned>(text: &str) -> Result<T, AppError> {
    serde_json::from_value(serde_json::Value::String(text.to_string()))
        .map_err(|_| storage_error(format!("unknown stored value {text:?}")))
}

/// One row of `connections`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConnectionRow {
    pub id: String,
    pub name: String,
    pub system: String,
    pub api_url: String,
    pub account_id: String,
    pub account_name: String,
    pub credit_cost: i64,
    pub lifecycle: String,
    pub health: String,
    pub reason: String,
    pub since: DateTime<Utc>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_failure: Option<DateTime<Utc>>,
    pub failure_streak: i64,
    pub slow_streak: i64,
    pub last_latency_ms: Option<i64>,
    pub failing_since: Option<DateTime<Utc>>,
    pub expiry_reminder_days: Option<i64>,
    pub token_created: Option<NaiveDate>,
    pub token_expires_at: Option<DateTime<Utc>>,
    pub masked_secret: String,
    pub readable_entities: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub next_check_at: Option<DateTime<Utc>>,
}

impl ConnectionRow {
    pub(crate) fn lifecycle(&self) -> Result<Lifecycle, AppError> {
        parse_enum(&self.lifecycle)
    }

    pub(crate) fn state(&self) -> Result<HealthState, AppError> {
        Ok(HealthState {
            lifecycle: parse_enum(&self.lifecycle)?,
            health: parse_enum::<Health>(&self.health)?,
            reason: self.reason.clone(),
            since: self.since,
            last_success: self.last_success,
            last_failure: self.last_failure,
            failure_streak: u32::try_from(self.failure_streak).unwrap_or(0),
            slow_streak: u32::try_from(self.slow_streak).unwrap_or(0),
            last_latency_ms: self.last_latency_ms.and_then(|v| u64::try_from(v).ok()),
            token_expires_at: self.token_expires_at,
            failing_since: self.failing_since,
            expiry_reminder_days: self
                .expiry_reminder_days
                .and_then(|v| u32::try_from(v).ok()),
        })
    }

    pub(crate) fn set_state(&mut self, state: &HealthState) {
        self.lifecycle = enum_text(&state.lifecycle);
        self.health = enum_text(&state.health);
        self.reason = state.reason.clone();
        self.since = state.since;
        self.last_success = state.last_success;
        self.last_failure = state.last_failure;
        self.failure_streak = i64::from(state.failure_streak);
        self.slow_streak = i64::from(state.slow_streak);
        self.last_latency_ms = state.last_latency_ms.and_then(|v| i64::try_from(v).ok());
        self.token_expires_at = state.token_expires_at;
        self.failing_since = state.failing_since;
        self.expiry_reminder_days = state.expiry_reminder_days.map(i64::from);
    }

    pub(crate) fn readable_entities(&self) -> Vec<String> {
        serde_json::from_str(&self.readable_entities).unwrap_or_default()
    }
}

/// A stored time as sqlx writes it (RFC 3339, UTC, `+00:00`), so rows
/// written through JSON read back and compare like the others.
fn time_text(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// One routine monitor check for [`Store::write_checks`].
#[derive(Debug, Clone)]
pub(crate) struct CheckWrite {
    /// The connection after the check.
    pub row: ConnectionRow,
    /// `updated_at` of the row the check started from.
    pub was_updated_at: DateTime<Utc>,
    /// The history line.
    pub check: HealthCheckRecord,
}

impl CheckWrite {
    fn update_json(&self) -> serde_json::Value {
        let row = &self.row;
        let time = |at: &Option<DateTime<Utc>>| at.as_ref().map(time_text);
        serde_json::json!({
            "id": row.id,
            "was_updated_at": time_text(&self.was_updated_at),
            "masked_secret": row.masked_secret,
            "lifecycle": row.lifecycle,
            "health": row.health,
            "reason": row.reason,
            "since": time_text(&row.since),
            "last_success": time(&row.last_success),
            "last_failure": time(&row.last_failure),
            "failure_streak": row.failure_streak,
            "slow_streak": row.slow_streak,
            "last_latency_ms": row.last_latency_ms,
            "failing_since": time(&row.failing_since),
            "expiry_reminder_days": row.expiry_reminder_days,
            "token_expires_at": time(&row.token_expires_at),
            "updated_at": time_text(&row.updated_at),
            "next_check_at": time(&row.next_check_at),
        })
    }

    fn history_json(&self) -> serde_json::Value {
        let check = &self.check;
        serde_json::json!({
            "connection_id": check.connection_id,
            "at": time_text(&check.at),
            "outcome": check.outcome,
            "latency_ms": check.latency_ms.and_then(|v| i64::try_from(v).ok()),
            "detail": check.detail,
            "health": enum_text(&check.health),
        })
    }
}

/// A new line for the activity log.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub connection_id: Option<String>,
    pub kind: String,
    pub summary: String,
    pub data: serde_json::Value,
}

/// The database. Cheap to clone (a pool).
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

impl Store {
    /// Open (creating if needed) `<data_dir>/patchbay.db` and migrate it.
    pub async fn open(data_dir: &Path) -> Result<Store, AppError> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            storage_error(format!(
                "cannot create data folder {}: {e}",
                data_dir.display()
            ))
        })?;
        let path = data_dir.join(DB_FILE);
        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(storage_error)?
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            // A local file needs no liveness ping before every acquire.
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(storage_error)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(storage_error)?;
        Ok(Store { pool, path })
    }

    /// The pool, for modules that own their own tables (webhooks).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The database file (its `-wal` and `-shm` companions sit next to it).
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub async fn begin(&self) -> Result<Transaction<'static, Sqlite>, AppError> {
        self.pool.begin().await.map_err(storage_error)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) async fn insert_connection(
        conn: &mut SqliteConnection,
        row: &ConnectionRow,
    ) -> Result<(), AppError> {
        sqlx::query!(
            "INSERT INTO connections (id, name, system, api_url, account_id, account_name, credit_cost, \
             lifecycle, health, reason, since, last_success, last_failure, failure_streak, slow_streak, \
             last_latency_ms, failing_since, expiry_reminder_days, token_created, token_expires_at, \
             masked_secret, readable_entities, created_at, updated_at, next_check_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row.id,
            row.name,
            row.system,
            row.api_url,
            row.account_id,
            row.account_name,
            row.credit_cost,
            row.lifecycle,
            row.health,
            row.reason,
            row.since,
            row.last_success,
            row.last_failure,
            row.failure_streak,
            row.slow_streak,
            row.last_latency_ms,
            row.failing_since,
            row.expiry_reminder_days,
            row.token_created,
            row.token_expires_at,
            row.masked_secret,
            row.readable_entities,
            row.created_at,
            row.updated_at,
            row.next_check_at,
        )
        .execute(conn)
        .await
        .map_err(storage_error)?;
        Ok(())
    }

    /// Write every mutable column of a connection.
    pub(crate) async fn update_connection(
        conn: &mut SqliteConnection,
        row: &ConnectionRow,
    ) -> Result<(), AppError> {
        let result = sqlx::query!(
            "UPDATE connections SET name = ?, api_url = ?, account_id = ?, account_name = ?, \
             credit_cost = ?, lifecycle = ?, health = ?, reason = ?, since = ?, last_success = ?, \
             last_failure = ?, failure_streak = ?, slow_streak = ?, last_latency_ms = ?, \
             failing_since = ?, expiry_reminder_days = ?, token_created = ?, token_expires_at = ?, \
             masked_secret = ?, readable_entities = ?, updated_at = ?, next_check_at = ? WHERE id = ?",
            row.name,
            row.api_url,
            row.account_id,
            row.account_name,
            row.credit_cost,
            row.lifecycle,
            row.health,
            row.reason,
            row.since,
            row.last_success,
            row.last_failure,
            row.failure_streak,
            row.slow_streak,
            row.last_latency_ms,
            row.failing_since,
            row.expiry_reminder_days,
            row.token_created,
            row.token_expires_at,
            row.masked_secret,
            row.readable_entities,
            row.updated_at,
            row.next_check_at,
            row.id,
        )
        .execute(conn)
        .await
        .map_err(storage_error)?;
        if result.rows_affected() == 0 {
            return Err(storage_error(format!("connection {} vanished", row.id)));
        }
        Ok(())
    }

    pub(crate) async fn connection(&self, id: &str) -> Result<Option<ConnectionRow>, AppError> {
        sqlx::query_as!(
            ConnectionRow,
            r#"SELECT id, name, system, api_url, account_id, account_name, credit_cost, lifecycle, health, reason,
                since AS "since: DateTime<Utc>",
                last_success AS "last_success: DateTime<Utc>",
                last_failure AS "last_failure: DateTime<Utc>",
                failure_streak, slow_streak, last_latency_ms,
                failing_since AS "failing_since: DateTime<Utc>",
                expiry_reminder_days,
                token_created AS "token_created: NaiveDate",
                token_expires_at AS "token_expires_at: DateTime<Utc>",
                masked_secret, readable_entities,
                created_at AS "created_at: DateTime<Utc>",
                updated_at AS "updated_at: DateTime<Utc>",
                next_check_at AS "next_check_at: DateTime<Utc>"
            FROM connections WHERE id = ?"#,
            id
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(storage_error)
    }

    pub(crate) async fn connections(&self) -> Result<Vec<ConnectionRow>, AppError> {
        sqlx::query_as!(
            ConnectionRow,
            r#"SELECT id, name, system, api_url, account_id, account_name, credit_cost, lifecycle, health, reason,
                since AS "since: DateTime<Utc>",
                last_success AS "last_success: DateTime<Utc>",
                last_failure AS "last_failure: DateTime<Utc>",
                failure_streak, slow_streak, last_latency_ms,
                failing_since AS "failing_since: DateTime<Utc>",
                expiry_reminder_days,
                token_created AS "token_created: NaiveDate",
                token_expires_at AS "token_expires_at: DateTime<Utc>",
                masked_secret, readable_entities,
                created_at AS "created_at: DateTime<Utc>",
                updated_at AS "updated_at: DateTime<Utc>",
                next_check_at AS "next_check_at: DateTime<Utc>"
            FROM connections ORDER BY created_at, id"#
        )
        .fetch_all(&self.pool)
        .await
        .map_err(storage_error)
    }

    /// Connected connections due a check at `now` (never checked, or their
    /// next check at or before `now`); every connected one when `now` is None.
    pub(crate) async fn due_connections(
        &self,
        now: Option<DateTime<Utc>>,
    ) -> Result<Vec<ConnectionRow>, AppError> {
        sqlx::query_as!(
            ConnectionRow,
            r#"SELECT id, name, system, api_url, account_id, account_name, credit_cost, lifecycle, health, reason,
                since AS "since: DateTime<Utc>",
                last_success AS "last_success: DateTime<Utc>",
                last_failure AS "last_failure: DateTime<Utc>",
                failure_streak, slow_streak, last_latency_ms,
                failing_since AS "failing_since: DateTime<Utc>",
                expiry_reminder_days,
                token_created AS "token_created: NaiveDate",
                token_expires_at AS "token_expires_at: DateTime<Utc>",
                masked_secret, readable_entities,
                created_at AS "created_at: DateTime<Utc>",
                updated_at AS "updated_at: DateTime<Utc>",
                next_check_at AS "next_check_at: DateTime<Utc>"
            FROM connections
            WHERE lifecycle = 'connected'
              AND (?1 IS NULL OR next_check_at IS NULL OR next_check_at <= ?1)
            ORDER BY created_at, id"#,
            now
        )
        .fetch_all(&self.pool)
        .await
        .map_err(storage_error)
    }

    /// The earliest next check of any connected connection.
    pub(crate) async fn earliest_check(&self) -> Result<Option<DateTime<Utc>>, AppError> {
        sqlx::query_scalar!(
            r#"SELECT MIN(next_check_at) AS "earliest: DateTime<Utc>" FROM connections
            WHERE lifecycle = 'connected'"#
        )
        .fetch_one(&self.pool)
        .await
        .map_err(storage_error)
    }

    /// Write a batch of routine monitor checks (no transition) in ONE
    /// transaction: each connection's state columns and schedule, and one
    /// `health_checks` row per check. A connection is written only while it
    /// is still connected and unchanged since the sweep read it (same
    /// `updated_at` and masked token); returns the ids written.
    pub(crate) async fn write_checks(
        &self,
        checks: &[CheckWrite],
    ) -> Result<Vec<String>, AppError> {
        if checks.is_empty() {
            return Ok(Vec::new());
        }
        let updates =
            serde_json::Value::Array(checks.iter().map(CheckWrite::update_json).collect());
        let updates = serde_json::to_string(&updates).map_err(storage_error)?;
        let mut tx = self.begin().await?;
        // `+lifecycle` keeps the planner off the (lifecycle, next_check_at)
        // index so it walks the batch and finds each row by id, instead of
        // scanning the batch once per connected row.
        let written = sqlx::query_scalar!(
            r#"UPDATE connections SET
                lifecycle = u.value ->> 'lifecycle',
                health = u.value ->> 'health',
                reason = u.value ->> 'reason',
                since = u.value ->> 'since',
                last_success = u.value ->> 'last_success',
                last_failure = u.value ->> 'last_failure',
                failure_streak = u.value ->> 'failure_streak',
                slow_streak = u.value ->> 'slow_streak',
                last_latency_ms = u.value ->> 'last_latency_ms',
                failing_since = u.value ->> 'failing_since',
                expiry_reminder_days = u.value ->> 'expiry_reminder_days',
                token_expires_at = u.value ->> 'token_expires_at',
                updated_at = u.value ->> 'updated_at',
                next_check_at = u.value ->> 'next_check_at'
            FROM json_each(?1) AS u
            WHERE connections.id = u.value ->> 'id'
              AND +connections.lifecycle = 'connected'
              AND connections.updated_at = u.value ->> 'was_updated_at'
              AND connections.masked_secret = u.value ->> 'masked_secret'
            RETURNING connections.id AS "id!: String""#,
            updates
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(storage_error)?;
        let written_ids: std::collections::HashSet<&str> =
            written.iter().map(String::as_str).collect();
        let history: Vec<serde_json::Value> = checks
            .iter()
            .filter(|c| written_ids.contains(c.row.id.as_str()))
            .map(CheckWrite::history_json)
            .collect();
        let history = serde_json::to_string(&history).map_err(storage_error)?;
        sqlx::query!(
            r#"INSERT INTO health_checks (connection_id, at, outcome, latency_ms, detail, health)
            SELECT h.value ->> 'connection_id', h.value ->> 'at', h.value ->> 'outcome',
                h.value ->> 'latency_ms', h.value ->> 'detail', h.value ->> 'health'
            FROM json_each(?1) AS h ORDER BY h.key"#,
            history
        )
        .execute(&mut *tx)
        .await
        .map_err(storage_error)?;
        tx.commit().await.map_err(storage_error)?;
        Ok(written)
    }

    /// Credits in use: the cost of every connected (or pending) connection.
    pub(crate) async fn credits_used(&self) -> Result<u32, AppError> {
        let used = sqlx::query_scalar!(
            r#"SELECT COALESCE(SUM(credit_cost), 0) AS "used!: i64" FROM connections
            WHERE lifecycle IN ('connected', 'pending')"#
        )
        .fetch_one(&self.pool)
        .await
        .map_err(storage_error)?;
        Ok(u32::try_from(used.max(0)).unwrap_or(u32::MAX))
    }

    /// A live (not disconnected) connection to this account, if any.
    pub(crate) async fn connection_for_account(
        &self,
        system: &str,
        account_id: &str,
    ) -> Result<Option<(String, String)>, AppError> {
        let row = sqlx::query!(
            "SELECT id, name FROM connections \
             WHERE system = ? AND account_id = ? AND lifecycle != 'disconnected' \
             ORDER BY created_at LIMIT 1",
            system,
            account_id
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(storage_error)?;
        Ok(row.map(|r| (r.id, r.name)))
    }

    /// Move a connection's next check (the monitor, after a check that could
    /// not run).
    pub(crate) async fn set_next_check(
        &self,
        id: &str,
        next_check_at: Option<DateTime<Utc>>,
    ) -> Result<(), AppError> {
        sqlx::query!(
            "UPDATE connections SET next_check_at = ? WHERE id = ?",
            next_check_at,
            id
        )
        .execute(&self.pool)
        .await
        .map_err(storage_error)?;
        Ok(())
    }

    pub(crate) async fn insert_check(
        conn: &mut SqliteConnection,
        check: &HealthCheckRecord,
    ) -> Result<(), AppError> {
        let latency_ms = check.latency_ms.and_then(|v| i64::try_from(v).ok());
        let health = enum_text(&check.health);
        sqlx::query!(
            "INSERT INTO health_checks (connection_id, at, outcome, latency_ms, detail, health) \
             VALUES (?, ?, ?, ?, ?, ?)",
            check.connection_id,
            check.at,
            check.outcome,
            latency_ms,
            check.detail,
            health,
        )
        .execute(conn)
        .await
        .map_err(storage_error)?;
        Ok(())
    }

    pub(crate) async fn history(
        &self,
        connection_id: &str,
        limit: u32,
    ) -> Result<Vec<HealthCheckRecord>, AppError> {
        let limit = i64::from(limit);
        let rows = sqlx::query!(
            r#"SELECT connection_id, at AS "at: DateTime<Utc>", outcome, latency_ms, detail, health
            FROM health_checks WHERE connection_id = ? ORDER BY id DESC LIMIT ?"#,
            connection_id,
            limit,
        )
        .fetch_all(&self.pool)
        .await
        .map_err(storage_error)?;
        rows.into_iter()
            .map(|row| {
                Ok(HealthCheckRecord {
                    connection_id: row.connection_id,
                    at: row.at,
                    outcome: row.outcome,
                    latency_ms: row.latency_ms.and_then(|v| u64::try_from(v).ok()),
                    detail: row.detail,
                    health: parse_enum(&row.health)?,
                })
            })
            .collect()
    }

    /// Append one line to the activity log (inside the caller's transaction).
    pub async fn insert_event(
        conn: &mut SqliteConnection,
        event: &NewEvent,
    ) -> Result<AuditEvent, AppError> {
        let data = serde_json::to_string(&event.data).map_err(storage_error)?;
        let actor = event.actor.as_str();
        let result = sqlx::query!(
            "INSERT INTO events (at, actor, connection_id, kind, summary, data) VALUES (?, ?, ?, ?, ?, ?)",
            event.at,
            actor,
            event.connection_id,
            event.kind,
            event.summary,
            data,
        )
        .execute(conn)
        .await
        .map_err(storage_error)?;
        Ok(AuditEvent {
            id: result.last_insert_rowid(),
            at: event.at,
            actor: actor.to_string(),
            connection_id: event.connection_id.clone(),
            kind: event.kind.clone(),
            summary: event.summary.clone(),
            data: event.data.clone(),
        })
    }

    pub(crate) async fn events(&self, filter: &EventFilter) -> Result<Vec<AuditEvent>, AppError> {
        let limit = i64::from(filter.limit.unwrap_or(200).clamp(1, 10_000));
        let connection_id = filter.connection_id.as_deref();
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: i64", at AS "at: DateTime<Utc>", actor, connection_id, kind, summary, data
            FROM events WHERE (?1 IS NULL OR connection_id = ?1) ORDER BY id DESC LIMIT ?2"#,
            connection_id,
            limit,
        )
        .fetch_all(&self.pool)
        .await
        .map_err(storage_error)?;
        Ok(rows
            .into_iter()
            .map(|row| AuditEvent {
                id: row.id,
                at: row.at,
                actor: row.actor,
                connection_id: row.connection_id,
                kind: row.kind,
                summary: row.summary,
                data: serde_json::from_str(&row.data).unwrap_or(serde_json::Value::Null),
            })
            .collect())
    }

    pub(crate) async fn settings(&self) -> Result<Settings, AppError> {
        let rows = sqlx::query!("SELECT key, value FROM settings")
            .fetch_all(&self.pool)
            .await
            .map_err(storage_error)?;
        let mut settings = Settings::default();
        for row in rows {
            let value: serde_json::Value =
                serde_json::from_str(&row.value).unwrap_or(serde_json::Value::Null);
            match row.key.as_str() {
                "check_interval_secs" => {
                    if let Some(v) = value.as_u64().and_then(|v| u32::try_from(v).ok()) {
                        settings.check_interval_secs = v;
                    }
                }
                "credits_allowance" => {
                    if let Some(v) = value.as_u64().and_then(|v| u32::try_from(v).ok()) {
                        settings.credits_allowance = v;
                    }
                }
                "notifications_enabled" => {
                    if let Some(v) = value.as_bool() {
                        settings.notifications_enabled = v;
                    }
                }
                "notify_needs_reconnect" => {
                    if let Some(v) = value.as_bool() {
                        settings.notify_needs_reconnect = v;
                    }
                }
                "notify_offline" => {
                    if let Some(v) = value.as_bool() {
                        settings.notify_offline = v;
                    }
                }
                "notify_expiring" => {
                    if let Some(v) = value.as_bool() {
                        settings.notify_expiring = v;
                    }
                }
                "notify_back_online" => {
                    if let Some(v) = value.as_bool() {
                        settings.notify_back_online = v;
                    }
                }
                _ => {}
            }
        }
        Ok(settings)
    }

    pub(crate) async fn save_settings(
        conn: &mut SqliteConnection,
        settings: &Settings,
    ) -> Result<(), AppError> {
        let pairs = [
            (
                "check_interval_secs",
                settings.check_interval_secs.to_string(),
            ),
            ("credits_allowance", settings.credits_allowance.to_string()),
            (
                "notifications_enabled",
                settings.notifications_enabled.to_string(),
            ),
            (
                "notify_needs_reconnect",
                settings.notify_needs_reconnect.to_string(),
            ),
            ("notify_offline", settings.notify_offline.to_string()),
            ("notify_expiring", settings.notify_expiring.to_string()),
            (
                "notify_back_online",
                settings.notify_back_online.to_string(),
            ),
        ];
        for (key, value) in pairs {
            sqlx::query!(
                "INSERT INTO settings (key, value) VALUES (?, ?) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                key,
                value,
            )
            .execute(&mut *conn)
            .await
            .map_err(storage_error)?;
        }
        Ok(())
    }
}
