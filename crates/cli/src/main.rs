//! `patchbay`: the Patchbay engine, headless. Every subcommand is a one-liner
//! over the core facade. Secrets are read from stdin or a hidden prompt —
//! never from the command line.

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Parser, Subcommand};
use patchbay_core::health;
use patchbay_core::{
    Actor, AppError, AppErrorCode, ConnectRequest, ConnectStep, ConnectionView, CreateOutcome,
    EngineEvent, EventFilter, ListQuery, Patchbay, PatchbayOptions, ReconnectRequest, Secret,
    StepStatus,
};
use serde::Serialize;

/// `println!` that ignores a closed pipe (`patchbay list | head`) instead of
/// panicking. Every line of normal output goes through it.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod webhooks_cmd;

#[derive(Debug, Parser)]
#[command(
    name = "patchbay",
    version,
    about = "Connect business systems, watch their health, fix them — from the command line."
)]
struct Cli {
    /// Machine-readable output (JSON); errors as {code,message,hint} on stderr.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The systems Patchbay can connect to.
    Systems,
    /// Connect an account. The token is read from stdin (or a hidden prompt).
    Connect {
        /// System id, e.g. "fergus".
        system: String,
        /// A name you'll recognise, e.g. "Fergus — Smith Plumbing".
        #[arg(long)]
        name: String,
        /// The API address (default: the system's own).
        #[arg(long)]
        api_url: Option<String>,
        /// When the token was generated, YYYY-MM-DD (default: today).
        #[arg(long)]
        token_created: Option<String>,
        /// Connect even if this company is already connected.
        #[arg(long)]
        allow_duplicate: bool,
    },
    /// Every connection and its health.
    List,
    /// Check connections now.
    Check {
        /// The connection id.
        id: Option<String>,
        /// Check every connected connection.
        #[arg(long, conflicts_with = "id")]
        all: bool,
    },
    /// Run the health monitor in the foreground; one line per transition.
    Watch {
        /// Seconds between checks (default: the stored setting).
        #[arg(long)]
        interval: Option<u32>,
    },
    /// Give a connection a new token (read from stdin or a hidden prompt).
    Reconnect {
        id: String,
        /// When the new token was generated, YYYY-MM-DD (default: today).
        #[arg(long)]
        token_created: Option<String>,
        /// Accept a token of a different company than before.
        #[arg(long)]
        allow_different_account: bool,
    },
    /// Disconnect: remove the token from this computer, free the credits.
    Disconnect { id: String },
    /// Rename a connection.
    Rename { id: String, name: String },
    /// One page of records of an entity type.
    Browse {
        id: String,
        /// jobs, customers, sites, quotes, invoices, …
        entity: String,
        #[arg(long)]
        search: Option<String>,
        /// Records per page.
        #[arg(long)]
        limit: Option<u32>,
        /// The cursor printed after the previous page.
        #[arg(long)]
        cursor: Option<String>,
    },
    /// Create a customer or a job.
    Create {
        id: String,
        /// customer or job
        entity: String,
        /// The record's fields as JSON.
        #[arg(long)]
        data: String,
    },
    /// The activity log, newest first.
    Events {
        #[arg(long)]
        connection: Option<String>,
        #[arg(long)]
        limit: Option<u32>,
    },
    /// Credits used and available.
    Credits,
    /// Show or change the settings.
    Settings {
        /// Seconds between health checks.
        #[arg(long)]
        check_interval: Option<u32>,
        /// The plan's credit allowance.
        #[arg(long)]
        credits: Option<u32>,
        /// Desktop notifications on/off.
        #[arg(long)]
        notifications: Option<bool>,
    },
    /// Webhook endpoints: add, list, remove, test, deliveries, retry.
    Webhooks {
        #[command(subcommand)]
        command: webhooks_cmd::WebhooksCommand,
    },
}

fn main() -> ExitCode {
    let json = std::env::args_os().any(|a| a == "--json");
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            if json {
                let error = AppError::new(AppErrorCode::InvalidInput, first_line(&e.to_string()))
                    .hint("Run `patchbay --help` to see the commands and their options.");
                print_error(&error, true);
            } else {
                let _ = e.print();
            }
            return ExitCode::from(2);
        }
    };
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let error = AppError::new(AppErrorCode::Internal, "Patchbay couldn't start.")
                .detail(e.to_string());
            print_error(&error, cli.json);
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli.command, cli.json)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            print_error(&error, cli.json);
            ExitCode::from(exit_code(error.code))
        }
    }
}

fn first_line(text: &str) -> String {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("The command line could not be read.")
        .trim_start_matches("error: ")
        .to_string()
}

/// Logs go to stderr only when asked for (`RUST_LOG=info`). Secrets are
/// never logged by the engine.
fn init_tracing() {
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .try_init();
    }
}

/// 2 for problems the user can fix with other input; 1 for everything else.
fn exit_code(code: AppErrorCode) -> u8 {
    match code {
        AppErrorCode::InvalidInput
        | AppErrorCode::AddressInvalid
        | AppErrorCode::NotFound
        | AppErrorCode::AuthRejected
        | AppErrorCode::PermissionMissing
        | AppErrorCode::DuplicateConnection
        | AppErrorCode::DifferentAccount
        | AppErrorCode::CreditsExhausted
        | AppErrorCode::ValidationFailed
        | AppErrorCode::SystemUnavailable
        | AppErrorCode::WebhookUrlInvalid => 2,
        _ => 1,
    }
}

fn print_error(error: &AppError, json: bool) {
    let mut stderr = std::io::stderr().lock();
    if json {
        let _ = writeln!(
            stderr,
            "{}",
            serde_json::to_string(error).unwrap_or_else(|_| "{\"code\":\"internal\"}".into())
        );
        return;
    }
    let _ = writeln!(stderr, "{}", error.message);
    for problem in &error.problems {
        let _ = writeln!(stderr, "  - {problem}");
    }
    if let Some(hint) = &error.hint {
        let _ = writeln!(stderr, "What to do: {hint}");
    }
    if let Some(detail) = &error.detail {
        let _ = writeln!(stderr, "Technical details: {detail}");
    }
}

pub(crate) fn print_json<T: Serialize>(value: &T) -> Result<(), AppError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| {
        AppError::new(AppErrorCode::Internal, "Could not format the output.").detail(e.to_string())
    })?;
    say!("{text}");
    Ok(())
}

fn parse_date(text: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
    match text {
        None => Ok(None),
        Some(t) => NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map(Some).map_err(|_| {
            AppError::new(AppErrorCode::InvalidInput, "The token date must look like 2026-12-04.")
                .hint("Give the day the token was generated as YYYY-MM-DD, or leave it out for today.")
        }),
    }
}

/// The token: all of stdin when piped, else a hidden prompt. Only trailing
/// line breaks are removed; the engine checks the rest.
fn read_token(system_name: &str) -> Result<Secret, AppError> {
    let unreadable = |e: std::io::Error| {
        AppError::new(AppErrorCode::InvalidInput, "The token could not be read.")
            .hint("Pipe the token on stdin, e.g. `patchbay connect fergus --name X < token.txt`.")
            .detail(e.kind().to_string())
    };
    let stdin = std::io::stdin();
    let raw = if stdin.is_terminal() {
        rpassword::prompt_password(format!("{system_name} access token (input hidden): "))
            .map_err(unreadable)?
    } else {
        let mut bytes = Vec::new();
        stdin
            .lock()
            .take(64 * 1024)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        String::from_utf8(bytes).map_err(|_| {
            AppError::new(
                AppErrorCode::InvalidInput,
                "The token contains characters that aren't text.",
            )
            .hint("Copy the token again from the system and paste only the token.")
        })?
    };
    Ok(Secret::new(raw.trim_end_matches(['\r', '\n']).to_string()))
}

fn system_name(engine: &Patchbay, system: &str) -> String {
    engine
        .systems()
        .into_iter()
        .find(|s| s.id == system)
        .map(|s| s.name)
        .unwrap_or_else(|| "System".to_string())
}

fn when(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| "-".to_string())
}

fn print_connection_line(c: &ConnectionView) {
    say!(
        "{}  {}  {}  {} · {}  {}  (last success {}, next check {}, token {})",
        c.id,
        c.name,
        c.system_name,
        health::lifecycle_label(c.lifecycle),
        health::label_for(c.health, &c.system_name),
        c.reason,
        when(c.last_success),
        when(c.next_check),
        c.masked_secret
    );
}

/// Print connect/reconnect progress to stderr as it happens (human mode).
fn follow_progress(engine: &Patchbay) -> tokio::task::JoinHandle<()> {
    let mut events = engine.subscribe();
    tokio::spawn(async move {
        while let Ok(event) = events.recv().await {
            if let EngineEvent::ConnectProgress {
                step,
                status,
                label,
                error,
                ..
            } = event
            {
                let mark = match status {
                    StepStatus::Running => continue,
                    StepStatus::Passed => "✓",
                    StepStatus::Failed => "✗",
                    StepStatus::Skipped => "–",
                };
                eprintln!("{label} {mark}");
                if let (StepStatus::Skipped, Some(e)) = (status, error) {
                    eprintln!("  {}", e.message);
                }
                if step == ConnectStep::Save && status != StepStatus::Running {
                    break;
                }
            }
        }
    })
}

async fn run(command: Command, json: bool) -> Result<(), AppError> {
    let engine = Patchbay::open(PatchbayOptions::from_env()?)
        .await?
        .with_actor(Actor::Cli);
    match command {
        Command::Systems => {
            let systems = engine.systems();
            if json {
                return print_json(&systems);
            }
            for s in systems {
                say!(
                    "{}  {}  {}  {:?}  {} credit(s)  {}",
                    s.id,
                    s.name,
                    s.category,
                    s.hosting,
                    s.credit_cost,
                    if s.available {
                        "available"
                    } else {
                        "coming soon"
                    }
                );
            }
            Ok(())
        }
        Command::Connect {
            system,
            name,
            api_url,
            token_created,
            allow_duplicate,
        } => {
            let token_created = parse_date(token_created.as_deref())?;
            let token = read_token(&system_name(&engine, &system))?;
            let progress = (!json).then(|| follow_progress(&engine));
            let result = engine
                .connect(ConnectRequest {
                    system,
                    name,
                    api_url,
                    token,
                    token_created,
                    allow_duplicate,
                    attempt_id: None,
                })
                .await;
            if let Some(p) = progress {
                p.abort();
            }
            let view = result?;
            if json {
                return print_json(&view);
            }
            say!(
                "Connected \"{}\" to {} ({}). id: {}",
                view.name,
                view.system_name,
                view.account_name,
                view.id
            );
            say!("Can read: {}", view.readable_entities.join(", "));
            say!(
                "Token: {} (expires {})",
                view.masked_secret,
                when(view.token_expires_at)
            );
            Ok(())
        }
        Command::List => {
            let list = engine.list_connections().await?;
            if json {
                return print_json(&list);
            }
            if list.is_empty() {
                say!("No connections yet. Connect one with `patchbay connect fergus --name NAME`.");
            }
            list.iter().for_each(print_connection_line);
            Ok(())
        }
        Command::Check { id, all } => {
            let views = match (id, all) {
                (_, true) => engine.check_all().await?,
                (Some(id), false) => vec![engine.check_now(&id).await?],
                (None, false) => {
                    return Err(AppError::new(
                        AppErrorCode::InvalidInput,
                        "Say which connection to check.",
                    )
                    .hint("Give a connection id, or --all to check every connection."))
                }
            };
            if json {
                return print_json(&views);
            }
            views.iter().for_each(print_connection_line);
            Ok(())
        }
        Command::Watch { interval } => watch(&engine, interval, json).await,
        Command::Webhooks { command } => webhooks_cmd::run(&engine, command, json).await,
        Command::Reconnect {
            id,
            token_created,
            allow_different_account,
        } => {
            let token_created = parse_date(token_created.as_deref())?;
            let current = engine.connection(&id).await?;
            let token = read_token(&current.system_name)?;
            let progress = (!json).then(|| follow_progress(&engine));
            let result = engine
                .reconnect(ReconnectRequest {
                    connection_id: id,
                    token,
                    token_created,
                    allow_different_account,
                    attempt_id: None,
                })
                .await;
            if let Some(p) = progress {
                p.abort();
            }
            let view = result?;
            if json {
                return print_json(&view);
            }
            say!(
                "Reconnected \"{}\" ({}). {}: {}",
                view.name,
                view.account_name,
                health::label_for(view.health, &view.system_name),
                view.reason
            );
            Ok(())
        }
        Command::Disconnect { id } => {
            let view = engine.disconnect(&id).await?;
            if json {
                return print_json(&view);
            }
            say!(
                "Disconnected \"{}\". Its token was removed from this computer; {} credit(s) freed.",
                view.name, view.credit_cost
            );
            Ok(())
        }
        Command::Rename { id, name } => {
            let view = engine.rename(&id, &name).await?;
            if json {
                return print_json(&view);
            }
            say!("Renamed to \"{}\".", view.name);
            Ok(())
        }
        Command::Browse {
            id,
            entity,
            search,
            limit,
            cursor,
        } => {
            let page = engine
                .browse(
                    &id,
                    &entity,
                    ListQuery {
                        cursor,
                        page_size: limit,
                        search,
                        ..ListQuery::default()
                    },
                )
                .await?;
            if json {
                return print_json(&page);
            }
            for record in &page.records {
                say!("{}  {}", record.id, record.title);
            }
            if let Some(total) = page.total {
                say!("({} shown, about {total} in all)", page.records.len());
            }
            if let Some(next) = &page.next_cursor {
                say!("More: --cursor {next}");
            }
            Ok(())
        }
        Command::Create { id, entity, data } => {
            let entity =
                match entity.as_str() {
                    "customer" | "customers" => "customers",
                    "job" | "jobs" => "jobs",
                    _ => return Err(AppError::new(
                        AppErrorCode::InvalidInput,
                        "Patchbay can create a customer or a job.",
                    )
                    .hint(
                        "Use `patchbay create ID customer --data '{…}'` or `… job --data '{…}'`.",
                    )),
                };
            let data: serde_json::Value = serde_json::from_str(&data).map_err(|e| {
                AppError::new(AppErrorCode::InvalidInput, "The --data value isn't valid JSON.")
                    .hint("Give the fields as a JSON object, e.g. --data '{\"customerFullName\":\"Jane Doe\",\"mainContact\":{\"firstName\":\"Jane\"}}'.")
                    .detail(e.to_string())
            })?;
            let outcome = engine.create_record(&id, entity, data).await?;
            if json {
                return print_json(&outcome);
            }
            match outcome {
                CreateOutcome::Created(r) => say!("Created {}  {}", r.id, r.title),
                CreateOutcome::AlreadyExists(r) => {
                    say!("Already exists: {}  {}", r.id, r.title)
                }
            }
            Ok(())
        }
        Command::Events { connection, limit } => {
            let events = engine
                .events(EventFilter {
                    connection_id: connection,
                    limit,
                })
                .await?;
            if json {
                return print_json(&events);
            }
            for e in events {
                say!(
                    "{}  {:<7}  {:<36}  {}  {}",
                    e.at.format("%Y-%m-%d %H:%M:%S"),
                    e.actor,
                    e.connection_id.as_deref().unwrap_or("-"),
                    e.kind,
                    e.summary
                );
            }
            Ok(())
        }
        Command::Credits => {
            let credits = engine.credits().await?;
            if json {
                return print_json(&credits);
            }
            say!(
                "Credits: {} used of {}, {} available.",
                credits.used,
                credits.allowance,
                credits.available
            );
            Ok(())
        }
        Command::Settings {
            check_interval,
            credits,
            notifications,
        } => {
            let mut settings = engine.settings().await?;
            if check_interval.is_some() || credits.is_some() || notifications.is_some() {
                settings.check_interval_secs =
                    check_interval.unwrap_or(settings.check_interval_secs);
                settings.credits_allowance = credits.unwrap_or(settings.credits_allowance);
                settings.notifications_enabled =
                    notifications.unwrap_or(settings.notifications_enabled);
                settings = engine.update_settings(settings).await?;
            }
            if json {
                return print_json(&settings);
            }
            say!("Check interval: {} s", settings.check_interval_secs);
            say!("Credit allowance: {}", settings.credits_allowance);
            say!(
                "Notifications: {}",
                if settings.notifications_enabled {
                    "on"
                } else {
                    "off"
                }
            );
            Ok(())
        }
    }
}

/// The monitor in the foreground until Ctrl-C / SIGTERM.
async fn watch(engine: &Patchbay, interval: Option<u32>, json: bool) -> Result<(), AppError> {
    if let Some(secs) = interval {
        if !(1..=86_400).contains(&secs) {
            return Err(AppError::new(
                AppErrorCode::InvalidInput,
                "The interval must be between 1 second and 1 day.",
            )
            .hint("For example: patchbay watch --interval 60"));
        }
    }
    let mut events = engine.subscribe();
    let monitor = engine.start_monitor_with(patchbay_core::MonitorOptions {
        interval_secs: interval,
        ..Default::default()
    });
    let webhook_worker = engine.start_webhook_worker();
    if !json {
        eprintln!("Watching connections. Press Ctrl-C to stop.");
    }
    let stop = shutdown_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            event = events.recv() => match event {
                Ok(EngineEvent::HealthTransition { connection_id, name, system, transition }) => {
                    if json {
                        let line = serde_json::json!({
                            "connectionId": connection_id,
                            "name": name,
                            "system": system,
                            "transition": transition,
                        });
                        say!("{line}");
                    } else {
                        say!(
                            "{}  {} ({})  {} → {}  {}",
                            transition.at.format("%Y-%m-%d %H:%M:%S"),
                            name,
                            connection_id,
                            health::label(transition.from),
                            health::label(transition.to),
                            transition.reason
                        );
                    }
                    let _ = std::io::stdout().flush();
                }
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            },
        }
    }
    monitor.stop().await;
    webhook_worker.stop().await;
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
