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
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::facade::Patchbay;
use crate::health::Lifecycle;
use crate::model::Actor;
use crate::store::enum_text;

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

/// Check everything due now; return how long to wait for the next one.
async fn sweep(
    engine: &Patchbay,
    options: &MonitorOptions,
    concurrency: usize,
    now: DateTime<Utc>,
    check_all: bool,
) -> Result<(StdDuration, usize), crate::AppError> {
    let connected = enum_text(&Lifecycle::Connected);
    let rows = engine.inner.store.connections().await?;
    let due: Vec<String> = rows
        .iter()
        .filter(|r| r.lifecycle == connected)
        .filter(|r| check_all || r.next_check_at.is_none_or(|at| at <= now))
        .map(|r| r.id.clone())
        .collect();
    let checked = due.len();
    if !due.is_empty() {
        tracing::debug!(due = due.len(), "running health checks");
        futures::stream::iter(due)
            .for_each_concurrent(concurrency, |id| {
                let engine = engine.clone();
                let interval = options.interval_secs;
                async move {
                    if let Err(e) = engine.check_with(&id, Actor::Monitor, interval).await {
                        tracing::warn!(code = ?e.code, connection_id = %id, "health check failed to run");
                        // Keep the schedule moving (a locked keyring must not
                        // make the monitor spin on this connection).
                        let secs = match interval {
                            Some(secs) => secs,
                            None => engine.settings().await.map(|s| s.check_interval_secs).unwrap_or(300),
                        };
                        let next = engine.inner.clock.now() + crate::facade::next_check_delay(secs, None);
                        if let Err(e) = engine.inner.store.set_next_check(&id, Some(next)).await {
                            tracing::warn!(code = ?e.code, connection_id = %id, "could not reschedule a check");
                        }
                    }
                }
            })
            .await;
    }
    // Sleep until the earliest next check (or MAX_NAP).
    let now = engine.inner.clock.now();
    let rows = engine.inner.store.connections().await?;
    let earliest = rows
        .iter()
        .filter(|r| r.lifecycle == connected)
        .filter_map(|r| r.next_check_at)
        .min();
    let nap = match earliest {
        Some(at) => (at - now).to_std().unwrap_or(StdDuration::ZERO),
        None => MAX_NAP,
    };
    // Never spin: at least a short pause between sweeps.
    Ok((nap.clamp(MIN_NAP, MAX_NAP), checked))
}
