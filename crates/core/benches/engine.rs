//! `cargo bench -p patchbay-core --bench engine`
//!
//! Prints one `name: value` line per figure (context lines start with `# `):
//!
//! - `health_sweep_2000_ratio`: one monitor sweep over 2,000 Fergus
//!   connections (2,000 sandbox companies) ÷ a bare reqwest loop doing the
//!   same 2,000 `GET /company` requests with the same tokens at the same
//!   concurrency, in the same run. The bare loop runs before, between and
//!   after two monitor sweeps; the figure is best monitor ÷ best bare loop.
//!   Goal ≤ 1.25.
//! - `detect_needs_reconnect_p99_s`: 20 connections, monitor interval 10 s on
//!   the system clock; each token is revoked at a seeded random moment over
//!   10 s; the time from the revoke to the `ReauthorizationRequired`
//!   transition on `subscribe()`. Goal ≤ interval + 2 s = 12.
//! - `health_budget_share`: requests the monitor spends per company per
//!   minute at the default interval (300 s) ÷ the company's budget (100 a
//!   minute), MEASURED by the sandbox's request counters over 60 simulated
//!   minutes (manual clock, 10 s steps). Goal ≤ 0.01.
//!
//! Set-up uses `InMemorySecrets`: the monitor reads secrets from the engine's
//! in-memory cache either way (the OS keyring is read at most once per
//! connection per run), and keyring writes at ~30 ms each would make
//! connecting 2,000 connections take a minute. The sandbox rate limit is off
//! for the 2,000-connection figure (set-up makes ~7 requests per company)
//! and on (the default 100 a minute) for the budget figure.
//!
//! Everything runs in-process on 127.0.0.1 and stops by itself; nothing here
//! asserts a time.
//!
//! Knobs: `-- sweep` (any word) runs only the figures whose names contain it;
//! `PATCHBAY_BENCH_DIAG=1` adds `# diag:` lines timing the SQL a check runs
//! (per check, grouped, multi-row, with and without sqlx's ping on acquire);
//! `PATCHBAY_BENCH_EXTRA_SWEEPS=N` runs N more monitor sweeps after the
//! figure, to attach a profiler (`perf record -g -p PID`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, DurationRound, Utc};
use futures::{StreamExt, TryStreamExt};
use patchbay_core::connectors::fergus::FergusConnector;
use patchbay_core::health::TransitionKind;
use patchbay_core::monitor::DEFAULT_CONCURRENCY;
use patchbay_core::*;
use patchbay_sandbox::{Sandbox, SandboxOptions};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use tokio::sync::{broadcast, watch};

type Fallible<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Connections in the sweep figure.
const SWEEP_CONNECTIONS: usize = 2_000;
/// Added API latency for the sweep's context line.
const SLOW_API_MS: u64 = 20;
/// Set-up requests in flight at once (company creation, connects).
const SETUP_CONCURRENCY: usize = 16;

/// Connections in the detection figure, and its monitor interval.
const DETECT_CONNECTIONS: usize = 20;
const DETECT_INTERVAL_SECS: u32 = 10;
/// Revokes are spread over this window.
const DETECT_SPREAD: StdDuration = StdDuration::from_secs(10);
/// The detection run stops after this, detected or not.
const DETECT_BOUND: StdDuration = StdDuration::from_secs(40);
const DETECT_SEED: u64 = 20_261_204;

/// Connections and simulated time in the budget figure.
const BUDGET_CONNECTIONS: usize = 50;
const BUDGET_MINUTES: i64 = 60;
const BUDGET_STEP_SECS: i64 = 10;
/// A Fergus company's budget: requests a minute.
const COMPANY_BUDGET_PER_MINUTE: f64 = 100.0;

fn main() {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("bench: cannot build a runtime: {error}");
            std::process::exit(1);
        }
    };
    // `cargo bench -p patchbay-core --bench engine -- sweep` runs only the
    // figures whose names contain "sweep".
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let mut failed = false;
    runtime.block_on(async {
        let figures: [(&str, StdDuration); 3] = [
            ("health_sweep_2000_ratio", StdDuration::from_secs(150)),
            ("detect_needs_reconnect_p99_s", StdDuration::from_secs(60)),
            ("health_budget_share", StdDuration::from_secs(60)),
        ];
        for (name, bound) in figures {
            if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
                continue;
            }
            let run = async {
                match name {
                    "health_sweep_2000_ratio" => sweep_ratio().await,
                    "detect_needs_reconnect_p99_s" => detect_p99().await,
                    _ => budget_share().await,
                }
            };
            match tokio::time::timeout(bound, run).await {
                Ok(Ok(value)) => println!("{name}: {value:.4}"),
                Ok(Err(error)) => {
                    eprintln!("bench: {name} failed: {error}");
                    failed = true;
                }
                Err(_) => {
                    eprintln!("bench: {name} did not finish within {}s", bound.as_secs());
                    failed = true;
                }
            }
        }
    });
    // Background tasks (sandbox servers, monitors) end with the runtime.
    runtime.shutdown_timeout(StdDuration::from_secs(2));
    if failed {
        std::process::exit(1);
    }
}

// ------------------------------------------------------------------ set-up

struct Bench {
    sandbox: Sandbox,
    engine: Patchbay,
    control: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Bench {
    async fn start(rate_limit_enabled: bool, clock: Arc<dyn Clock>) -> Fallible<Bench> {
        let sandbox = Sandbox::start(SandboxOptions {
            port: 0,
            demo_jobs: 5,
            rate_limit_enabled,
            ..Default::default()
        })
        .await?;
        let dir = tempfile::tempdir()?;
        let engine = Patchbay::open(PatchbayOptions {
            data_dir: dir.path().to_path_buf(),
            secrets: Arc::new(InMemorySecrets::new()),
            clock,
            http: None,
        })
        .await?;
        let settings = engine.settings().await?;
        engine
            .update_settings(Settings {
                credits_allowance: 10_000,
                ..settings
            })
            .await?;
        Ok(Bench {
            sandbox,
            engine,
            control: reqwest::Client::new(),
            _dir: dir,
        })
    }

    async fn control(&self, path: &str, body: Value) -> Fallible<Value> {
        let response = self
            .control
            .post(format!("{}/_sandbox/{path}", self.sandbox.base_url()))
            .json(&body)
            .send()
            .await?
            .error_for_status()?;
        Ok(response.json().await?)
    }

    async fn stats(&self) -> Fallible<Value> {
        let response = self
            .control
            .get(format!("{}/_sandbox/stats", self.sandbox.base_url()))
            .send()
            .await?
            .error_for_status()?;
        Ok(response.json().await?)
    }

    /// `count` new sandbox companies (no jobs); their admins' tokens.
    async fn companies(&self, count: usize) -> Fallible<Vec<String>> {
        futures::stream::iter(0..count)
            .map(|i| async move {
                let created = self
                    .control(
                        "companies",
                        json!({"name": format!("Bench Trades {i}"), "jobs": 0, "seed": i}),
                    )
                    .await?;
                created["token"]
                    .as_str()
                    .map(str::to_string)
                    .ok_or_else(|| "the sandbox gave no token".into())
            })
            .buffered(SETUP_CONCURRENCY)
            .try_collect()
            .await
    }

    /// Connect each token through the facade (the full step-by-step
    /// validation); the connection ids in the tokens' order.
    async fn connect_all(&self, tokens: &[String]) -> Fallible<Vec<String>> {
        let base = self.sandbox.base_url();
        futures::stream::iter(tokens.iter().enumerate())
            .map(|(i, token)| {
                let request = ConnectRequest {
                    system: "fergus".into(),
                    name: format!("Bench {i}"),
                    api_url: Some(base.clone()),
                    token: Secret::new(token.as_str()),
                    token_created: None,
                    allow_duplicate: false,
                    attempt_id: None,
                };
                async move { Ok(self.engine.connect(request).await?.id) }
            })
            .buffered(SETUP_CONCURRENCY)
            .try_collect()
            .await
    }

    async fn finish(self) {
        self.engine.store().close().await;
        self.sandbox.shutdown().await;
    }
}

async fn wait_for_sweep(
    sweeps: &mut watch::Receiver<SweepReport>,
    limit: StdDuration,
    done: impl FnMut(&SweepReport) -> bool,
) -> Fallible<SweepReport> {
    match tokio::time::timeout(limit, sweeps.wait_for(done)).await {
        Ok(Ok(report)) => Ok(report.clone()),
        Ok(Err(_)) => Err("the monitor stopped".into()),
        Err(_) => Err(format!("no matching sweep within {}s", limit.as_secs()).into()),
    }
}

fn secs(d: StdDuration) -> f64 {
    d.as_secs_f64()
}

/// CPU seconds this process has used (all threads: engine, sandbox, SQLite
/// workers), from /proc on Linux; `None` elsewhere. Ticks are 1/100 s.
fn cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the ")" that ends the command name; utime and stime are
    // the 14th and 15th fields of the whole line.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Wall time and CPU time of one run.
#[derive(Clone, Copy)]
struct Timed {
    wall: StdDuration,
    cpu: Option<f64>,
}

impl Timed {
    fn text(&self) -> String {
        match self.cpu {
            Some(cpu) => format!("{:.3}s (cpu {cpu:.2}s)", secs(self.wall)),
            None => format!("{:.3}s", secs(self.wall)),
        }
    }
}

async fn timed<F: std::future::Future<Output = Fallible<StdDuration>>>(run: F) -> Fallible<Timed> {
    let cpu_before = cpu_secs();
    let wall = run.await?;
    let cpu = cpu_before.zip(cpu_secs()).map(|(a, b)| b - a);
    Ok(Timed { wall, cpu })
}

// ------------------------------------------------------ health_sweep_2000_ratio

/// The same requests as the monitor's check (`GET /company` with the bearer
/// token), on a client built like the connector's, `concurrency` at a time.
async fn bare_loop(
    client: &reqwest::Client,
    base: &str,
    tokens: &[String],
    concurrency: usize,
) -> Fallible<StdDuration> {
    let url = format!("{base}/company");
    let started = Instant::now();
    let ok: usize = futures::stream::iter(tokens)
        .map(|token| {
            let request = client
                .get(&url)
                .header(reqwest::header::ACCEPT, "application/json")
                .bearer_auth(token);
            async move {
                let response = request.send().await?;
                let success = response.status().is_success();
                let _body = response.bytes().await?;
                Ok::<usize, reqwest::Error>(usize::from(success))
            }
        })
        .buffer_unordered(concurrency)
        .try_fold(0, |sum, one| async move { Ok(sum + one) })
        .await?;
    let elapsed = started.elapsed();
    if ok != tokens.len() {
        return Err(format!("bare loop: {ok} of {} requests succeeded", tokens.len()).into());
    }
    Ok(elapsed)
}

/// One monitor sweep over everything: from start until the first sweep
/// reports all connections checked.
async fn monitor_sweep(engine: &Patchbay, expected: usize) -> Fallible<StdDuration> {
    let started = Instant::now();
    let monitor = engine.start_monitor_with(MonitorOptions {
        concurrency: DEFAULT_CONCURRENCY,
        // An interval override makes the first sweep check everything.
        interval_secs: Some(300),
    });
    let mut sweeps = monitor.sweeps();
    // The running total, not the last report: a wake-up left over from an
    // earlier monitor can add an empty second sweep before this task looks.
    let report = wait_for_sweep(&mut sweeps, StdDuration::from_secs(60), |r| {
        r.count >= 1 && r.total_checked >= expected as u64
    })
    .await;
    let elapsed = started.elapsed();
    monitor.stop().await;
    let report = report?;
    if report.total_checked != expected as u64 {
        return Err(format!(
            "the monitor checked {} of {expected} connections",
            report.total_checked
        )
        .into());
    }
    Ok(elapsed)
}

async fn sweep_ratio() -> Fallible<f64> {
    let bench = Bench::start(false, Arc::new(SystemClock)).await?;
    let setup = Instant::now();
    let tokens = bench.companies(SWEEP_CONNECTIONS).await?;
    let companies_took = setup.elapsed();
    let connect = Instant::now();
    let ids = bench.connect_all(&tokens).await?;
    println!(
        "# sweep set-up: {} companies in {:.1}s, {} connects in {:.1}s (concurrency {SETUP_CONCURRENCY})",
        tokens.len(),
        secs(companies_took),
        ids.len(),
        secs(connect.elapsed())
    );

    let base = bench.sandbox.base_url();
    let client = FergusConnector::default_client();
    let engine = &bench.engine;
    let bare_run = || bare_loop(&client, &base, &tokens, DEFAULT_CONCURRENCY);
    let mut bare = Vec::new();
    let mut monitor = Vec::new();
    bare.push(timed(bare_run()).await?);
    bench.control("reset-stats", json!({})).await?;
    monitor.push(timed(monitor_sweep(engine, ids.len())).await?);
    let stats = bench.stats().await?;
    bare.push(timed(bare_run()).await?);
    monitor.push(timed(monitor_sweep(engine, ids.len())).await?);
    bare.push(timed(bare_run()).await?);

    let list = |times: &[Timed]| times.iter().map(Timed::text).collect::<Vec<_>>().join(", ");
    println!(
        "# sweep: {} connections, concurrency {DEFAULT_CONCURRENCY}; requests in the first monitor sweep: {} ({})",
        ids.len(),
        stats["total"],
        stats["byRoute"]
    );
    println!(
        "# sweep bare loop (before, between, after): {}",
        list(&bare)
    );
    println!("# sweep monitor (first, second): {}", list(&monitor));
    let best_bare = bare.iter().map(|t| t.wall).min().unwrap_or_default();
    let best_monitor = monitor.iter().map(|t| t.wall).min().unwrap_or_default();
    println!(
        "# sweep best: monitor {:.3}s, bare {:.3}s ({:.0} checks/s vs {:.0} requests/s)",
        secs(best_monitor),
        secs(best_bare),
        ids.len() as f64 / secs(best_monitor).max(1e-9),
        ids.len() as f64 / secs(best_bare).max(1e-9)
    );
    // Context: the same comparison when every API answer takes 20 ms (closer
    // to a real API than loopback), where the engine's own cost hides.
    bench
        .control("faults", json!({"mode": "slow", "latencyMs": SLOW_API_MS}))
        .await?;
    let slow_bare = timed(bare_run()).await?;
    let slow_monitor = timed(monitor_sweep(engine, ids.len())).await?;
    bench.control("faults", json!({"mode": "none"})).await?;
    println!(
        "# sweep with {SLOW_API_MS} ms API latency: monitor {}, bare {}, ratio {:.3}",
        slow_monitor.text(),
        slow_bare.text(),
        secs(slow_monitor.wall) / secs(slow_bare.wall).max(1e-9)
    );
    if std::env::var_os("PATCHBAY_BENCH_DIAG").is_some() {
        diagnose(&bench, &ids).await?;
    }
    // For profiling (`perf record -p`): more sweeps after the figure.
    let extra: usize = std::env::var("PATCHBAY_BENCH_EXTRA_SWEEPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    for _ in 0..extra.min(100) {
        let run = timed(monitor_sweep(engine, ids.len())).await?;
        println!("# sweep extra monitor run: {}", run.text());
    }
    bench.finish().await;
    if best_bare.is_zero() {
        return Err("the bare loop took no time".into());
    }
    Ok(secs(best_monitor) / secs(best_bare))
}

/// Where a check's time goes outside the HTTP request: the SQL a check runs
/// (`PATCHBAY_BENCH_DIAG=1`), replayed on the engine's own pool and on a pool
/// opened like it but without sqlx's ping before every acquire.
async fn diagnose(bench: &Bench, ids: &[String]) -> Fallible<()> {
    let path = bench.engine.store().path().to_path_buf();
    let wal = path.with_extension("db-wal");
    let wal_mb = || {
        std::fs::metadata(&wal)
            .map(|m| m.len() as f64 / 1e6)
            .unwrap_or(0.0)
    };
    println!("# diag: wal {:.1} MB", wal_mb());
    let unpinged = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(4)
        .test_before_acquire(false)
        .connect_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&path)
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(StdDuration::from_secs(5))
                .foreign_keys(true),
        )
        .await?;
    let pools = [
        ("engine pool", bench.engine.store().pool().clone()),
        ("pool, test_before_acquire(false)", unpinged.clone()),
    ];
    for (pool_name, pool) in &pools {
        for concurrency in [DEFAULT_CONCURRENCY, 1] {
            for (label, which) in [
                ("row read", 0u8),
                ("settings read", 1),
                ("update+insert transaction", 2),
            ] {
                let started = Instant::now();
                let cpu = cpu_secs();
                futures::stream::iter(ids.iter())
                    .map(|id| async move {
                        let now = Utc::now();
                        match which {
                            0 => {
                                sqlx::query("SELECT * FROM connections WHERE id = ?")
                                    .bind(id)
                                    .fetch_optional(pool)
                                    .await?;
                            }
                            1 => {
                                sqlx::query("SELECT key, value FROM settings")
                                    .fetch_all(pool)
                                    .await?;
                            }
                            _ => {
                                let mut tx = pool.begin().await?;
                                update_and_insert(&mut tx, &[id.as_str()], now).await?;
                                tx.commit().await?;
                            }
                        }
                        Ok::<(), sqlx::Error>(())
                    })
                    .buffer_unordered(concurrency)
                    .try_collect::<Vec<()>>()
                    .await?;
                let cpu = cpu.zip(cpu_secs()).map(|(a, b)| b - a).unwrap_or(0.0);
                println!(
                    "# diag: {pool_name}: {label} x{} at concurrency {concurrency}: {:.3}s (cpu {cpu:.2}s)",
                    ids.len(),
                    secs(started.elapsed())
                );
            }
        }
    }

    // The same writes grouped, 100 checks per transaction: statement by
    // statement, then as one multi-row INSERT and one UPDATE … FROM (VALUES …).
    for multi_row in [false, true] {
        let started = Instant::now();
        let cpu = cpu_secs();
        for chunk in ids.chunks(100) {
            let chunk: Vec<&str> = chunk.iter().map(String::as_str).collect();
            let now = Utc::now();
            let mut tx = unpinged.begin().await?;
            if multi_row {
                update_and_insert(&mut tx, &chunk, now).await?;
            } else {
                for id in &chunk {
                    update_and_insert(&mut tx, &[id], now).await?;
                }
            }
            tx.commit().await?;
        }
        let cpu = cpu.zip(cpu_secs()).map(|(a, b)| b - a).unwrap_or(0.0);
        println!(
            "# diag: update+insert x{}, 100 per transaction{}: {:.3}s (cpu {cpu:.2}s)",
            ids.len(),
            if multi_row {
                ", multi-row statements"
            } else {
                ""
            },
            secs(started.elapsed())
        );
    }

    let pool = bench.engine.store().pool();
    let started = Instant::now();
    let due =
        sqlx::query("SELECT id, next_check_at FROM connections WHERE lifecycle = 'connected'")
            .fetch_all(pool)
            .await?;
    println!(
        "# diag: narrow due scan (id, next_check_at; {} rows): {:.3}s",
        due.len(),
        secs(started.elapsed())
    );
    let started = Instant::now();
    let rows = sqlx::query("SELECT * FROM connections ORDER BY created_at, id")
        .fetch_all(pool)
        .await?;
    println!(
        "# diag: full connections scan ({} rows): {:.3}s; wal {:.1} MB",
        rows.len(),
        secs(started.elapsed()),
        wal_mb()
    );
    unpinged.close().await;
    Ok(())
}

/// What a healthy check writes for each connection (the columns that move,
/// plus its history row), as one UPDATE and one INSERT however many ids.
async fn update_and_insert(
    tx: &mut sqlx::SqliteConnection,
    ids: &[&str],
    now: chrono::DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let tuples = vec!["(?, ?)"; ids.len()].join(", ");
    let checks = vec!["(?, ?, 'success', 1, NULL, 'healthy')"; ids.len()].join(", ");
    let update = format!(
        "UPDATE connections SET updated_at = v.column2, next_check_at = v.column2, \
         last_success = v.column2, last_latency_ms = 1 \
         FROM (VALUES {tuples}) AS v WHERE connections.id = v.column1"
    );
    let insert = format!(
        "INSERT INTO health_checks (connection_id, at, outcome, latency_ms, detail, health) VALUES {checks}"
    );
    let mut query = sqlx::query(&update);
    for id in ids {
        query = query.bind(*id).bind(now);
    }
    query.execute(&mut *tx).await?;
    let mut query = sqlx::query(&insert);
    for id in ids {
        query = query.bind(*id).bind(now);
    }
    query.execute(&mut *tx).await?;
    Ok(())
}

// ------------------------------------------------- detect_needs_reconnect_p99_s

async fn detect_p99() -> Fallible<f64> {
    let bench = Bench::start(true, Arc::new(SystemClock)).await?;
    let tokens = bench.companies(DETECT_CONNECTIONS).await?;
    let ids = bench.connect_all(&tokens).await?;
    let mut events = bench.engine.subscribe();
    let monitor = bench.engine.start_monitor_with(MonitorOptions {
        interval_secs: Some(DETECT_INTERVAL_SECS),
        ..Default::default()
    });
    let mut sweeps = monitor.sweeps();
    wait_for_sweep(&mut sweeps, StdDuration::from_secs(10), |r| r.count >= 1).await?;

    // Seeded random revoke moments over the spread, in time order.
    let mut rng = StdRng::seed_from_u64(DETECT_SEED);
    let spread_ms = u64::try_from(DETECT_SPREAD.as_millis()).unwrap_or(10_000);
    let mut schedule: Vec<(StdDuration, usize)> = (0..ids.len())
        .map(|i| (StdDuration::from_millis(rng.gen_range(0..spread_ms)), i))
        .collect();
    schedule.sort();

    let started = Instant::now();
    let deadline = started + DETECT_BOUND;
    let revoker = {
        let control = bench.control.clone();
        let url = format!("{}/_sandbox/tokens/revoke", bench.sandbox.base_url());
        let tokens = tokens.clone();
        tokio::spawn(async move {
            let mut revoked: Vec<(usize, Instant)> = Vec::new();
            for (offset, i) in schedule {
                tokio::time::sleep_until((started + offset).into()).await;
                let at = Instant::now();
                let answer = control
                    .post(&url)
                    .json(&json!({"token": tokens[i]}))
                    .send()
                    .await
                    .and_then(|r| r.error_for_status());
                if answer.is_ok() {
                    revoked.push((i, at));
                }
            }
            revoked
        })
    };

    let index: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut detected: HashMap<usize, Instant> = HashMap::new();
    while detected.len() < ids.len() {
        let next = tokio::time::timeout_at(deadline.into(), events.recv()).await;
        match next {
            Err(_) => break,
            Ok(Err(broadcast::error::RecvError::Closed)) => break,
            Ok(Err(broadcast::error::RecvError::Lagged(_))) => continue,
            Ok(Ok(EngineEvent::HealthTransition {
                connection_id,
                transition,
                ..
            })) if transition.kind == TransitionKind::ReauthorizationRequired => {
                if let Some(i) = index.get(connection_id.as_str()) {
                    detected.entry(*i).or_insert_with(Instant::now);
                }
            }
            Ok(Ok(_)) => {}
        }
    }
    let revoked = revoker.await?;
    monitor.stop().await;
    bench.finish().await;
    if revoked.len() != ids.len() {
        return Err(format!(
            "only {} of {} revokes went through",
            revoked.len(),
            ids.len()
        )
        .into());
    }

    // A connection not detected by the deadline counts as detected AT the
    // deadline (a lower bound), so a miss can only make the figure worse.
    let mut missed = 0;
    let mut latencies: Vec<f64> = revoked
        .iter()
        .map(|(i, at)| match detected.get(i) {
            Some(seen) => secs(seen.saturating_duration_since(*at)),
            None => {
                missed += 1;
                secs(deadline.saturating_duration_since(*at))
            }
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    let rank = |p: f64| {
        let n = latencies.len();
        let k = ((p * n as f64).ceil() as usize).clamp(1, n);
        latencies[k - 1]
    };
    println!(
        "# detect: n {}, interval {DETECT_INTERVAL_SECS}s, revokes over {}s, p50 {:.3}s, min {:.3}s, max {:.3}s, missed {missed}",
        latencies.len(),
        DETECT_SPREAD.as_secs(),
        rank(0.50),
        latencies.first().copied().unwrap_or_default(),
        latencies.last().copied().unwrap_or_default(),
    );
    Ok(rank(0.99))
}

// ---------------------------------------------------------- health_budget_share

async fn budget_share() -> Fallible<f64> {
    let start = Utc::now().duration_trunc(Duration::seconds(1))?;
    let clock = Arc::new(ManualClock::new(start));
    let bench = Bench::start(true, clock.clone()).await?;
    let interval = bench.engine.settings().await?.check_interval_secs;
    let tokens = bench.companies(BUDGET_CONNECTIONS).await?;
    let ids = bench.connect_all(&tokens).await?;
    let monitor = bench.engine.start_monitor();
    let mut sweeps = monitor.sweeps();
    wait_for_sweep(&mut sweeps, StdDuration::from_secs(10), |r| r.count >= 1).await?;
    bench.control("reset-stats", json!({})).await?;
    let first_count = sweeps.borrow().count;

    let steps = BUDGET_MINUTES * 60 / BUDGET_STEP_SECS;
    for _ in 0..steps {
        clock.advance(Duration::seconds(BUDGET_STEP_SECS));
        let target = clock.now();
        bench.engine.wake_monitor();
        // A sweep that read the clock after the step.
        wait_for_sweep(&mut sweeps, StdDuration::from_secs(10), |r| {
            r.at.is_some_and(|at| at >= target)
        })
        .await?;
    }
    let sweeps_run = sweeps.borrow().count - first_count;
    monitor.stop().await;
    let stats = bench.stats().await?;
    // The engine's own record of the checks it ran in the simulated hour.
    let mut checked = 0;
    for id in &ids {
        let history = bench.engine.history(id, 1_000).await?;
        checked += history.iter().filter(|c| c.at > start).count();
    }
    bench.finish().await;

    let requests = stats["total"]
        .as_f64()
        .ok_or("the sandbox stats have no total")?;
    let per_company_minute = requests / BUDGET_CONNECTIONS as f64 / BUDGET_MINUTES as f64;
    println!(
        "# budget: interval {interval}s, {BUDGET_CONNECTIONS} companies, {BUDGET_MINUTES} simulated minutes in {BUDGET_STEP_SECS}s steps, {sweeps_run} sweeps"
    );
    println!(
        "# budget: API requests {requests} ({}), checks in the engine's history {checked}",
        stats["byRoute"]
    );
    println!(
        "# budget: {per_company_minute:.4} requests per company per minute of {COMPANY_BUDGET_PER_MINUTE} allowed"
    );
    Ok(per_company_minute / COMPANY_BUDGET_PER_MINUTE)
}
