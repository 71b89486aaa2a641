//! The health monitor: checks every connected connection on the interval
//! from the settings (±10 % jitter per connection), a bounded number at a
//! time, catching up at start on overdue checks.
//!
//! Budget-aware: a check is ONE probe request; `Retry-After` pushes the next
//! check out; a company whose rate budget is below 20 % gets half the checks.
//! Time comes from the engine's [`crate::clock::Clock`] and tokio's timers, so
//! tests run on paused time.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::facade::{Patchbay, RoutineCheck};
use crate::model::Actor;

/// The shortest pause between two sweeps.
pub const MIN_NAP: StdDuration = StdDuration::from_millis(200);

/// Checks running at once by default.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// The longest the monitor sleeps before looking at the wall clock again
/// (so a laptop that slept catches up soon after waking).
pub const MAX_NAP: StdDuration = StdDuration::from_secs(30);

#[derive(Debug, Clone)]
pub struct MonitorOptions {
    /// Checks running at once.
    pub concurrency: usize,
    /// Overrides the interval from the settings (the CLI's `watch --interval`).
    pub interval_secs: Option<u32>,
}

impl Default for MonitorOptions {
    fn default() -> Self {
        Self {
            concurrency: DEFAULT_CONCURRENCY,
            interval_secs: None,
        }
    }
}

/// What the last sweep did (tests and diagnostics wait on this).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepReport {
    /// Sweeps finished since the monitor started.
    pub count: u64,
    /// The clock time the sweep used to decide what was due.
    pub at: Option<DateTime<Utc>>,
    /// Checks it ran.
    pub checked: usize,
    /// Checks run by every sweep since the monitor started (a waiter that
    /// misses a report still sees the running total).
    pub total_checked: u64,
}

/// A running monitor. Dropping it leaves the task running until the
/// engine's runtime ends; call [`MonitorHandle::stop`] to stop it cleanly.
#[derive(Debug)]
pub struct MonitorHandle {
    stop: watch::Sender<bool>,
    sweeps: watch::Receiver<SweepReport>,
    task: JoinHandle<()>,
}

impl MonitorHandle {
    /// Stop after the checks in flight finish, and wait for that.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            tracing::warn!(error = %e, "monitor task ended abnormally");
        }
    }

    pub fn is_running(&self) -> bool {
        !self.task.is_finished()
    }

    /// Follow the sweeps as they finish.
    pub fn sweeps(&self) -> watch::Receiver<SweepReport> {
        self.sweeps.clone()
    }
}

pub(crate) fn start(engine: Patchbay, options: MonitorOptions) -> MonitorHandle {
    let (stop, stopped) = watch::channel(false);
    let (report, sweeps) = watch::channel(SweepReport {
        count: 0,
        at: None,
        checked: 0,
        total_checked: 0,
    });
    let task = tokio::spawn(run(engine, options, stopped, report));
    MonitorHandle { stop, sweeps, task }
}

async fn run(
    engine: Patchbay,
    options: MonitorOptions,
    mut stopped: watch::Receiver<bool>,
    report: watch::Sender<SweepReport>,
) {
    let engine = engine.with_actor(Actor::Monitor);
    let concurrency = options.concurrency.max(1);
    tracing::info!(concurrency, "health monitor started");
    // With an interval override (`patchbay watch --interval`), the first
    // sweep checks everything: the stored schedule used the old interval.
    let mut check_all = options.interval_secs.is_some();
    loop {
        if *stopped.borrow() {
            break;
        }
        let now = engine.inner.clock.now();
        let swept = sweep(&engine, &options, concurrency, now, check_all).await;
        check_all = false;
        let (nap, checked) = match swept {
            Ok(done) => done,
            Err(e) => {
                tracing::warn!(code = ?e.code, "health monitor sweep failed");
                (MAX_NAP, 0)
            }
        };
        report.send_modify(|r| {
            r.count += 1;
            r.at = Some(now);
            r.checked = checked;
            r.total_checked += checked as u64;
        });
        tokio::select! {
            _ = tokio::time::sleep(nap) => {}
            _ = engine.inner.wake.notified() => {}
            changed = stopped.changed() => {
                if changed.is_err() || *stopped.borrow() {
                    break;
                }
            }
        }
    }
    tracing::info!("health monitor stopped");
}

/// Routine check results stored per transaction, at most.
pub const WRITE_BATCH: usize = 200;

/// Check everything due now; return how long to wait for the next one.
///
/// Probes run `concurrency` at a time; routine results (no transition) flow
/// to one writer that stores whatever is ready (up to [`WRITE_BATCH`]) in one
/// transaction. A transition is stored at once by its own check, with the
/// transition sinks, in its own transaction.
async fn sweep(
    engine: &Patchbay,
    options: &MonitorOptions,
    concurrency: usize,
    now: DateTime<Utc>,
    check_all: bool,
) -> Result<(StdDuration, usize), crate::AppError> {
    let interval = match options.interval_secs {
        Some(secs) => secs,
        None => engine.settings().await?.check_interval_secs,
    };
    let due = engine
        .inner
        .store
        .due_connections((!check_all).then_some(now))
        .await?;
    let checked = due.len();
    if !due.is_empty() {
        tracing::debug!(due = due.len(), "running health checks");
        let (results, mut ready) = mpsc::unbounded_channel::<RoutineCheck>();
        let probes = async move {
            futures::stream::iter(due)
                .for_each_concurrent(concurrency, |row| {
                    let results = results.clone();
                    async move {
                        let id = row.id.clone();
                        match engine.monitor_check(row, interval).await {
                            Ok(Some(routine)) => {
                                // The writer outlives the probes.
                                let _ = results.send(routine);
                            }
                            Ok(None) => {}
                            Err(e) => reschedule(engine, &id, interval, &e).await,
                        }
                    }
                })
                .await;
        };
        // Its own task, so storing a batch overlaps the next probes.
        let writer = tokio::spawn({
            let engine = engine.clone();
            async move {
                let engine = &engine;
                let mut batch = Vec::with_capacity(WRITE_BATCH);
                while ready.recv_many(&mut batch, WRITE_BATCH).await > 0 {
                    let checks = std::mem::replace(&mut batch, Vec::with_capacity(WRITE_BATCH));
                    let ids: Vec<String> = checks
                        .iter()
                        .map(|c| c.connection_id().to_string())
                        .collect();
                    match engine.store_routine_checks(checks).await {
                        Ok(stale) => {
                            // Changed since the sweep read it: check it afresh.
                            for id in stale {
                                if let Err(e) =
                                    engine.check_with(&id, Actor::Monitor, Some(interval)).await
                                {
                                    reschedule(engine, &id, interval, &e).await;
                                }
                            }
                        }
                        Err(e) => {
                            for id in ids {
                                reschedule(engine, &id, interval, &e).await;
                            }
                        }
                    }
                }
            }
        });
        probes.await;
        if let Err(e) = writer.await {
            tracing::warn!(error = %e, "health monitor writer ended abnormally");
        }
    }
    // Sleep until the earliest next check (or MAX_NAP).
    let now = engine.inner.clock.now();
    let nap = match engine.inner.store.earliest_check().await {
        Ok(Some(at)) => (at - now).to_std().unwrap_or(StdDuration::ZERO),
        Ok(None) => MAX_NAP,
        // The checks ran and are stored: still report them.
        Err(e) => {
            tracing::warn!(code = ?e.code, "health monitor could not find the next check");
            MAX_NAP
        }
    };
    // Never spin: at least a short pause between sweeps.
    Ok((nap.clamp(MIN_NAP, MAX_NAP), checked))
}

/// A check that could not run (a locked keyring, say) or be stored: keep the
/// schedule moving so the monitor does not spin on this connection.
async fn reschedule(engine: &Patchbay, id: &str, interval_secs: u32, error: &crate::AppError) {
    tracing::warn!(code = ?error.code, connection_id = %id, "health check failed to run");
    let next = engine.inner.clock.now() + crate::facade::next_check_delay(interval_secs, None);
    if let Err(e) = engine.inner.store.set_next_check(id, Some(next)).await {
        tracing::warn!(code = ?e.code, connection_id = %id, "could not reschedule a check");
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use crate::health::Health;
    use crate::model::HealthCheckRecord;
    use crate::store::{CheckWrite, ConnectionRow, Store};

    fn at(secs: i64, nanos: u32) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc
            .timestamp_opt(1_796_000_000 + secs, nanos)
            .single()
            .unwrap_or_default()
    }

    fn row(id: &str, next_check_at: Option<chrono::DateTime<chrono::Utc>>) -> ConnectionRow {
        ConnectionRow {
            id: id.into(),
            name: id.into(),
            system: "fergus".into(),
            api_url: "http://127.0.0.1:1".into(),
            account_id: id.into(),
            account_name: id.into(),
            credit_cost: 1,
            lifecycle: "connected".into(),
            health: "healthy".into(),
            reason: "Working".into(),
            since: at(0, 0),
            last_success: None,
            last_failure: None,
            failure_streak: 0,
            slow_streak: 0,
            last_latency_ms: None,
            failing_since: None,
            expiry_reminder_days: None,
            token_created: None,
            token_expires_at: None,
            masked_secret: "fergPAT_…abcd".into(),
            readable_entities: "[]".into(),
            created_at: at(0, 0),
            updated_at: at(0, 123_000_000),
            next_check_at,
        }
    }

    fn routine(before: &ConnectionRow, now: chrono::DateTime<chrono::Utc>) -> CheckWrite {
        let mut after = before.clone();
        after.last_success = Some(now);
        after.last_latency_ms = Some(12);
        after.updated_at = now;
        after.next_check_at = Some(now + Duration::seconds(300));
        CheckWrite {
            row: after,
            was_updated_at: before.updated_at,
            check: HealthCheckRecord {
                connection_id: before.id.clone(),
                at: now,
                outcome: "success".into(),
                latency_ms: Some(12),
                detail: None,
                health: Health::Healthy,
            },
        }
    }

    async fn store_with(rows: &[ConnectionRow]) -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).await.expect("open store");
        let mut tx = store.begin().await.expect("begin");
        for row in rows {
            Store::insert_connection(&mut tx, row)
                .await
                .expect("insert");
        }
        tx.commit().await.expect("commit");
        (store, dir)
    }

    #[tokio::test]
    async fn the_due_query_compares_stored_times_in_time_order() {
        let rows = [
            row("never", None),
            row("whole-second", Some(at(100, 0))),
            row("just-after", Some(at(100, 500_000))),
            row("later", Some(at(101, 0))),
        ];
        let (store, _dir) = store_with(&rows).await;
        let due = |now| {
            let store = store.clone();
            async move {
                let due = store.due_connections(now).await.expect("due");
                let mut ids = due.into_iter().map(|r| r.id).collect::<Vec<_>>();
                ids.sort();
                ids
            }
        };
        assert_eq!(due(Some(at(99, 999_999_999))).await, ["never"]);
        assert_eq!(due(Some(at(100, 0))).await, ["never", "whole-second"]);
        assert_eq!(
            due(Some(at(100, 500_000))).await,
            ["just-after", "never", "whole-second"]
        );
        assert_eq!(due(None).await.len(), 4);
        assert_eq!(store.earliest_check().await.expect("min"), Some(at(100, 0)));
    }

    #[tokio::test]
    async fn a_batch_never_overwrites_a_connection_changed_since_the_sweep_read_it() {
        let read = [
            row("kept", None),
            row("reconnected", None),
            row("gone", None),
        ];
        let (store, _dir) = store_with(&read).await;
        // After the sweep read them: one reconnected, one disconnected.
        let mut tx = store.begin().await.expect("begin");
        let mut reconnected = read[1].clone();
        reconnected.updated_at = at(50, 0);
        reconnected.masked_secret = "fergPAT_…wxyz".into();
        Store::update_connection(&mut tx, &reconnected)
            .await
            .expect("update");
        let mut gone = read[2].clone();
        gone.lifecycle = "disconnected".into();
        Store::update_connection(&mut tx, &gone)
            .await
            .expect("update");
        tx.commit().await.expect("commit");

        let now = at(60, 0);
        let writes: Vec<CheckWrite> = read.iter().map(|r| routine(r, now)).collect();
        let written = store.write_checks(&writes).await.expect("write");
        assert_eq!(written, ["kept"]);

        let kept = store.connection("kept").await.expect("read").expect("row");
        assert_eq!(kept, writes[0].row, "every written column reads back");
        assert_eq!(store.history("kept", 10).await.expect("history").len(), 1);
        assert_eq!(
            store.connection("reconnected").await.expect("read"),
            Some(reconnected)
        );
        assert!(store
            .history("reconnected", 10)
            .await
            .expect("h")
            .is_empty());
        assert_eq!(store.connection("gone").await.expect("read"), Some(gone));
        assert!(store.history("gone", 10).await.expect("h").is_empty());
    }
}
