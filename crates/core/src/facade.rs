//! THE facade: one method per user action. The desktop app's commands and
//! the CLI's subcommands are one-liners over [`Patchbay`].

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::Rng;
use sqlx::SqliteConnection;
use tokio::sync::broadcast;

use crate::clock::{Clock, SystemClock};
use crate::connectors::{
    AccountInfo, Catalog, Connector, ConnectorError, CreateOutcome, Credentials, ErrorCode,
    ListQuery, ProbeOutcome, Record, RecordPage, SystemDescriptor,
};
use crate::error::{AppError, AppErrorCode};
use crate::health::{
    self, Health, HealthPolicy, HealthState, Lifecycle, Observation, Transition, TransitionKind,
};
use crate::mapping::{self, app_error};
use crate::model::*;
use crate::secrets::{CachedSecrets, OsKeyring, SecretStore};
use crate::store::{enum_text, CheckWrite, ConnectionRow, NewEvent, Store};
use crate::validate;

/// How the engine is set up. Tests pass a temp dir, their own keyring
/// service and clock.
#[derive(Clone)]
pub struct PatchbayOptions {
    pub data_dir: PathBuf,
    pub secrets: Arc<dyn SecretStore>,
    pub clock: Arc<dyn Clock>,
    /// The HTTP client connectors use (default: the connector's own).
    pub http: Option<reqwest::Client>,
}

impl std::fmt::Debug for PatchbayOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PatchbayOptions")
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

impl PatchbayOptions {
    /// Data dir = `$PATCHBAY_DATA_DIR` or the OS app-data dir
    /// (`~/.local/share/patchbay` on Linux); the OS keyring under service
    /// "patchbay" (`$PATCHBAY_KEYRING_SERVICE` overrides); the system clock.
    pub fn from_env() -> Result<Self, AppError> {
        let data_dir =
            match std::env::var_os("PATCHBAY_DATA_DIR") {
                Some(dir) if !dir.is_empty() => PathBuf::from(dir),
                _ => dirs::data_dir()
                    .map(|d| d.join("patchbay"))
                    .ok_or_else(|| {
                        AppError::new(
                    AppErrorCode::StorageFailed,
                    "Patchbay couldn't find a folder to keep its data in.",
                )
                .hint("Set PATCHBAY_DATA_DIR to a folder Patchbay may write to, then try again.")
                    })?,
            };
        let service = std::env::var("PATCHBAY_KEYRING_SERVICE")
            .ok()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "patchbay".to_string());
        Ok(Self {
            data_dir,
            secrets: Arc::new(OsKeyring::new(service)),
            clock: Arc::new(SystemClock),
            http: None,
        })
    }
}

/// One stored change, handed to every [`TransitionSink`] inside the
/// transaction that writes it.
#[derive(Debug, Clone)]
pub struct ConnectionChange {
    /// The activity-log line just inserted. `event.kind` is the webhook-style
    /// name: `connection.created`, `connection.reauthorization_required`,
    /// `connection.reconnected`, `connection.offline`, `connection.degraded`,
    /// `connection.recovered`, `connection.expiring`, `connection.disconnected`,
    /// `connection.deactivated`, `connection.reactivated`, `connection.renamed`.
    pub event: AuditEvent,
    /// The connection as it is after the change.
    pub connection: ConnectionView,
    /// Set when the change is a health transition.
    pub transition: Option<Transition>,
}

/// Writes something in the SAME transaction as a connection change (the
/// webhooks outbox). An error rolls the whole change back.
#[async_trait]
pub trait TransitionSink: Send + Sync {
    async fn record(
        &self,
        conn: &mut SqliteConnection,
        change: &ConnectionChange,
    ) -> Result<(), AppError>;
}

/// The engine. Cheap to clone; no global state.
#[derive(Clone)]
pub struct Patchbay {
    pub(crate) inner: Arc<Inner>,
    actor: Actor,
}

pub(crate) struct Inner {
    pub(crate) store: Store,
    pub(crate) secrets: CachedSecrets,
    pub(crate) clock: Arc<dyn Clock>,
    catalog: Catalog,
    /// The catalog's descriptors, read once.
    systems: Vec<SystemDescriptor>,
    events: broadcast::Sender<EngineEvent>,
    sinks: RwLock<Vec<Arc<dyn TransitionSink>>>,
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Pokes the monitor when connections or settings change.
    pub(crate) wake: tokio::sync::Notify,
    /// Webhook delivery (HTTP client, worker wake-ups); its outbox sink is in `sinks`.
    pub(crate) webhooks: Arc<crate::webhooks::WebhookRuntime>,
}

/// What a check found, for the monitor's schedule.
pub(crate) struct CheckResult {
    pub(crate) view: ConnectionView,
}

/// A monitor check with no transition, waiting for the sweep's batch
/// writer. Holds the connection's lock until it is dropped.
pub(crate) struct RoutineCheck {
    write: CheckWrite,
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl RoutineCheck {
    pub(crate) fn connection_id(&self) -> &str {
        &self.write.row.id
    }
}

/// A change waiting to be written.
struct Pending {
    kind: String,
    summary: String,
    data: serde_json::Value,
    transition: Option<Transition>,
}

const EVENT_CAPACITY: usize = 4096;

fn not_found(connection_id: &str) -> AppError {
    AppError::new(
        AppErrorCode::NotFound,
        "There's no connection with this id.",
    )
    .hint("It may have been removed. Refresh the list, or run `patchbay list` to see the ids.")
    .detail(format!("connection id {:?}", truncate(connection_id, 80)))
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max).collect();
        cut.push('…');
        cut
    }
}

fn not_connected(row: &ConnectionRow) -> AppError {
    AppError::new(
        AppErrorCode::InvalidInput,
        format!("\"{}\" is disconnected.", row.name),
    )
    .hint("Connect it again (reconnect with a token) to use it.")
}

/// The observation a connector failure means for the state machine.
pub(crate) fn observation_for(error: &ConnectorError) -> Observation {
    match error.code {
        ErrorCode::AuthRejected => Observation::AuthRejected {
            detail: error.detail.clone(),
        },
        ErrorCode::PermissionMissing => Observation::PermissionMissing {
            detail: error.detail.clone(),
        },
        ErrorCode::RateLimited => Observation::RateLimited {
            retry_after_secs: error.retry_after_secs,
        },
        code => Observation::TransientFailure {
            code,
            detail: error.detail.clone(),
        },
    }
}

fn transition_kind_text(kind: TransitionKind) -> String {
    format!("connection.{}", enum_text(&kind))
}

fn token_expiry(created: Option<NaiveDate>, system: &SystemDescriptor) -> Option<DateTime<Utc>> {
    let days = system.token_lifetime_days?;
    let created = created?.and_hms_opt(0, 0, 0)?.and_utc();
    created.checked_add_signed(Duration::days(i64::from(days)))
}

/// The next check: the interval ±10 %, doubled when the company's rate
/// budget is below 20 %, and never before `Retry-After`.
pub(crate) fn next_check_delay(interval_secs: u32, probe: Option<&ProbeOutcome>) -> Duration {
    let interval_ms = i64::from(interval_secs.max(1)) * 1000;
    let jitter = rand::thread_rng().gen_range(-0.1..=0.1);
    let mut delay_ms = interval_ms + (interval_ms as f64 * jitter) as i64;
    if let Some(probe) = probe {
        if let Some(rate) = probe.rate {
            if rate.limit > 0 && u64::from(rate.remaining) * 5 < u64::from(rate.limit) {
                delay_ms *= 2;
            }
        }
        if let Err(error) = &probe.result {
            if let Some(secs) = error.retry_after_secs {
                let secs = i64::try_from(secs.min(86_400)).unwrap_or(86_400);
                delay_ms = delay_ms.max(secs * 1000);
            }
        }
    }
    Duration::milliseconds(delay_ms.max(1000))
}

impl Patchbay {
    /// Open the engine: the database in `data_dir` (created and migrated),
    /// the standard catalog of systems. `PATCHBAY_FERGUS_API_URL` (generally
    /// `PATCHBAY_<SYSTEM>_API_URL`) replaces a system's default API address.
    pub async fn open(options: PatchbayOptions) -> Result<Patchbay, AppError> {
        let http = options
            .http
            .clone()
            .unwrap_or_else(crate::connectors::fergus::FergusConnector::default_client);
        let mut catalog = Catalog::standard(http);
        // `make run` points the wizard at the practice Fergus (the sandbox)
        // so it works with no account: PATCHBAY_<SYSTEM>_API_URL.
        for system in catalog.systems() {
            let var = format!(
                "PATCHBAY_{}_API_URL",
                system.id.to_uppercase().replace('-', "_")
            );
            if let Some(address) = std::env::var(&var).ok().filter(|a| !a.trim().is_empty()) {
                catalog = catalog.with_default_address(&system.id, &address);
            }
        }
        Self::open_with_catalog(options, catalog).await
    }

    /// Like [`Patchbay::open`] with a given catalog (tests use fake systems).
    pub async fn open_with_catalog(
        options: PatchbayOptions,
        catalog: Catalog,
    ) -> Result<Patchbay, AppError> {
        let store = Store::open(&options.data_dir).await?;
        let (events, _) = broadcast::channel(EVENT_CAPACITY);
        tracing::info!(data_dir = %options.data_dir.display(), "patchbay engine opened");
        let webhooks = Arc::new(crate::webhooks::WebhookRuntime::new());
        Ok(Patchbay {
            inner: Arc::new(Inner {
                store,
                secrets: CachedSecrets::new(options.secrets),
                clock: options.clock,
                systems: catalog.systems(),
                catalog,
                events,
                sinks: RwLock::new(vec![crate::webhooks::outbox_sink(&webhooks)]),
                locks: Mutex::new(HashMap::new()),
                wake: tokio::sync::Notify::new(),
                webhooks,
            }),
            actor: Actor::You,
        })
    }

    /// The same engine, recording `actor` in the activity log (the CLI uses
    /// `Actor::Cli`).
    pub fn with_actor(&self, actor: Actor) -> Patchbay {
        Patchbay {
            inner: self.inner.clone(),
            actor,
        }
    }

    /// The database (for modules with their own tables, e.g. webhooks).
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        self.inner.clock.clone()
    }

    /// Register something that writes inside every change's transaction.
    pub fn add_transition_sink(&self, sink: Arc<dyn TransitionSink>) {
        let mut sinks = self.inner.sinks.write().unwrap_or_else(|e| e.into_inner());
        sinks.push(sink);
    }

    pub fn systems(&self) -> Vec<SystemDescriptor> {
        self.inner.systems.clone()
    }

    /// The page where a system's credentials are made, before a connection
    /// exists: the real page for the system's default address, otherwise the
    /// same path on the address typed in (the practice Fergus).
    pub fn settings_page_url(
        &self,
        system_id: &str,
        api_url: Option<&str>,
    ) -> Result<String, AppError> {
        let descriptor = self.descriptor(system_id)?;
        Ok(match api_url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(api_url) => settings_page_url(&descriptor, api_url),
            None => descriptor.guidance.settings_url,
        })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.inner.events.subscribe()
    }

    // ---------------------------------------------------------------- helpers

    fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    fn publish(&self, event: EngineEvent) {
        // No subscribers is fine.
        let _ = self.inner.events.send(event);
    }

    fn progress(
        &self,
        attempt_id: &str,
        step: ConnectStep,
        status: StepStatus,
        label: impl Into<String>,
        entity: Option<&str>,
        error: Option<&AppError>,
    ) {
        self.publish(EngineEvent::ConnectProgress {
            attempt_id: attempt_id.to_string(),
            step,
            status,
            label: label.into(),
            entity: entity.map(str::to_string),
            error: error.cloned(),
        });
    }

    /// Report the "Saving…" step as running; the returned function reports
    /// it failed with an error and hands the error back (for `map_err`).
    fn start_save_step<'a>(
        &'a self,
        attempt_id: &'a str,
    ) -> impl Fn(AppError) -> AppError + Copy + 'a {
        const LABEL: &str = "Saving…";
        self.progress(
            attempt_id,
            ConnectStep::Save,
            StepStatus::Running,
            LABEL,
            None,
            None,
        );
        move |error: AppError| {
            self.progress(
                attempt_id,
                ConnectStep::Save,
                StepStatus::Failed,
                LABEL,
                None,
                Some(&error),
            );
            error
        }
    }

    fn descriptor_ref(&self, system_id: &str) -> Option<&SystemDescriptor> {
        self.inner.systems.iter().find(|d| d.id == system_id)
    }

    fn descriptor(&self, system_id: &str) -> Result<SystemDescriptor, AppError> {
        self.descriptor_ref(system_id).cloned().ok_or_else(|| {
            AppError::new(
                AppErrorCode::InvalidInput,
                "Patchbay doesn't know this system.",
            )
            .hint("Pick a system from the list (`patchbay systems` shows them).")
            .detail(format!("system {:?}", truncate(system_id, 80)))
        })
    }

    fn connector(
        &self,
        system_id: &str,
    ) -> Result<(Arc<dyn Connector>, SystemDescriptor), AppError> {
        let descriptor = self.descriptor(system_id)?;
        match self.inner.catalog.get(system_id) {
            Some(connector) if descriptor.available => Ok((connector, descriptor)),
            _ => Err(AppError::new(
                AppErrorCode::SystemUnavailable,
                format!("{} can't be connected yet.", descriptor.name),
            )
            .hint("It is coming soon. Pick another system for now.")),
        }
    }

    fn policy(descriptor: &SystemDescriptor) -> HealthPolicy {
        HealthPolicy {
            system_name: descriptor.name.clone(),
            ..HealthPolicy::default()
        }
    }

    async fn lock(&self, connection_id: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.inner.locks.lock().unwrap_or_else(|e| e.into_inner());
            locks
                .entry(connection_id.to_string())
                .or_insert_with(|| Arc::new(tokio::sync::Mutex::new(())))
                .clone()
        };
        lock.lock_owned().await
    }

    async fn row(&self, connection_id: &str) -> Result<ConnectionRow, AppError> {
        self.inner
            .store
            .connection(connection_id)
            .await?
            .ok_or_else(|| not_found(connection_id))
    }

    fn view(&self, row: &ConnectionRow) -> Result<ConnectionView, AppError> {
        let state = row.state()?;
        let descriptor = self.descriptor_ref(&row.system);
        let system_name = descriptor
            .map(|d| d.name.clone())
            .unwrap_or_else(|| row.system.clone());
        let settings_page_url = descriptor
            .map(|d| settings_page_url(d, &row.api_url))
            .unwrap_or_default();
        Ok(ConnectionView {
            id: row.id.clone(),
            name: row.name.clone(),
            system: row.system.clone(),
            system_name,
            account_id: row.account_id.clone(),
            account_name: row.account_name.clone(),
            api_url: row.api_url.clone(),
            lifecycle: state.lifecycle,
            health: state.health,
            reason: state.reason,
            since: state.since,
            last_success: state.last_success,
            last_failure: state.last_failure,
            last_latency_ms: state.last_latency_ms,
            next_check: row.next_check_at,
            masked_secret: row.masked_secret.clone(),
            token_created: row.token_created,
            token_expires_at: state.token_expires_at,
            created_at: row.created_at,
            credit_cost: u32::try_from(row.credit_cost).unwrap_or(0),
            readable_entities: row.readable_entities(),
            settings_page_url,
        })
    }

    async fn credentials(&self, row: &ConnectionRow) -> Result<Option<Credentials>, AppError> {
        let secret = self.inner.secrets.get(&row.id).await?;
        Ok(secret.map(|secret| Credentials {
            api_url: row.api_url.clone(),
            secret,
            fields: Default::default(),
        }))
    }

    /// Credentials for using a connection (browse, create …): connected, with
    /// its secret in the store.
    async fn usable(
        &self,
        connection_id: &str,
    ) -> Result<
        (
            ConnectionRow,
            Arc<dyn Connector>,
            SystemDescriptor,
            Credentials,
        ),
        AppError,
    > {
        let row = self.row(connection_id).await?;
        if row.lifecycle()? == Lifecycle::Disconnected {
            return Err(not_connected(&row));
        }
        let (connector, descriptor) = self.connector(&row.system)?;
        let credentials = self.credentials(&row).await?.ok_or_else(|| {
            AppError::new(
                AppErrorCode::AuthRejected,
                format!("Patchbay no longer has the token for \"{}\".", row.name),
            )
            .hint("Reconnect with a new token.")
        })?;
        Ok((row, connector, descriptor, credentials))
    }

    async fn credits_used(&self) -> Result<u32, AppError> {
        self.inner.store.credits_used().await
    }

    /// Write a connection (insert or update) with its health check, activity
    /// lines and sink records in ONE transaction, then publish.
    async fn commit(
        &self,
        row: &ConnectionRow,
        insert: bool,
        check: Option<HealthCheckRecord>,
        changes: Vec<Pending>,
        actor: Actor,
    ) -> Result<ConnectionView, AppError> {
        let view = self.view(row)?;
        let sinks: Vec<Arc<dyn TransitionSink>> = self
            .inner
            .sinks
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut tx = self.inner.store.begin().await?;
        if insert {
            Store::insert_connection(&mut tx, row).await?;
        } else {
            Store::update_connection(&mut tx, row).await?;
        }
        if let Some(check) = &check {
            Store::insert_check(&mut tx, check).await?;
        }
        let now = row.updated_at;
        let mut transitions = Vec::new();
        for change in changes {
            let event = Store::insert_event(
                &mut tx,
                &NewEvent {
                    at: change.transition.as_ref().map(|t| t.at).unwrap_or(now),
                    actor,
                    connection_id: Some(row.id.clone()),
                    kind: change.kind,
                    summary: change.summary,
                    data: change.data,
                },
            )
            .await?;
            let stored = ConnectionChange {
                event,
                connection: view.clone(),
                transition: change.transition.clone(),
            };
            for sink in &sinks {
                sink.record(&mut tx, &stored).await?;
            }
            if let Some(t) = change.transition {
                transitions.push(t);
            }
        }
        tx.commit().await.map_err(crate::store::storage_error)?;
        for transition in transitions {
            tracing::info!(
                connection_id = %row.id,
                kind = ?transition.kind,
                from = ?transition.from,
                to = ?transition.to,
                "health transition"
            );
            self.publish(EngineEvent::HealthTransition {
                connection_id: row.id.clone(),
                name: row.name.clone(),
                system: row.system.clone(),
                transition,
            });
        }
        self.publish(EngineEvent::ConnectionChanged {
            connection: view.clone(),
        });
        Ok(view)
    }

    /// Append an activity line outside any connection change.
    pub(crate) async fn log_event(
        &self,
        connection_id: Option<&str>,
        kind: &str,
        summary: String,
        data: serde_json::Value,
    ) -> Result<(), AppError> {
        let mut tx = self.inner.store.begin().await?;
        Store::insert_event(
            &mut tx,
            &NewEvent {
                at: self.now(),
                actor: self.actor,
                connection_id: connection_id.map(str::to_string),
                kind: kind.to_string(),
                summary,
                data,
            },
        )
        .await?;
        tx.commit().await.map_err(crate::store::storage_error)
    }

    /// Record a failed connect/reconnect in the activity log (best effort).
    async fn log_failure(&self, connection_id: Option<&str>, what: &str, error: &AppError) {
        let data = serde_json::json!({ "code": error.code, "message": error.message });
        if let Err(e) = self
            .log_event(
                connection_id,
                "connection.connect_failed",
                format!("{what} failed: {}", error.message),
                data,
            )
            .await
        {
            tracing::warn!(code = ?e.code, "could not record a failed attempt");
        }
    }

    fn transitions_to_changes(transitions: Vec<Transition>) -> Vec<Pending> {
        transitions
            .into_iter()
            .map(|t| Pending {
                kind: transition_kind_text(t.kind),
                summary: t.reason.clone(),
                data: serde_json::to_value(&t).unwrap_or_default(),
                transition: Some(t),
            })
            .collect()
    }

    /// Feed observations through the state machine, in order.
    fn apply_all(
        state: &HealthState,
        observations: &[Observation],
        now: DateTime<Utc>,
        policy: &HealthPolicy,
    ) -> (HealthState, Vec<Transition>) {
        let mut state = state.clone();
        let mut transitions = Vec::new();
        for observation in observations {
            let (next, mut emitted) = health::apply(&state, observation, now, policy);
            state = next;
            transitions.append(&mut emitted);
        }
        (state, transitions)
    }

    // -------------------------------------------------- step-by-step validation

    /// Reach → sign in → check access per entity type, with progress events.
    async fn validate_live(
        &self,
        attempt_id: &str,
        connector: &dyn Connector,
        descriptor: &SystemDescriptor,
        credentials: &Credentials,
        expected_account: Option<(&ConnectionRow, bool)>,
    ) -> Result<Validated, AppError> {
        let name = &descriptor.name;
        let fail = |step: ConnectStep, label: String, entity: Option<&str>, error: AppError| {
            self.progress(
                attempt_id,
                step,
                StepStatus::Failed,
                label,
                entity,
                Some(&error),
            );
            error
        };

        let label = format!("Reaching {name}…");
        self.progress(
            attempt_id,
            ConnectStep::Reach,
            StepStatus::Running,
            &label,
            None,
            None,
        );
        let server = match connector.reach(credentials).await {
            Ok(server) => server,
            Err(e) => {
                return Err(fail(
                    ConnectStep::Reach,
                    label,
                    None,
                    app_error(&e, descriptor),
                ))
            }
        };
        self.progress(
            attempt_id,
            ConnectStep::Reach,
            StepStatus::Passed,
            &label,
            None,
            None,
        );

        let label = "Signing in…".to_string();
        self.progress(
            attempt_id,
            ConnectStep::SignIn,
            StepStatus::Running,
            &label,
            None,
            None,
        );
        let account = match connector.sign_in(credentials).await {
            Ok(account) => account,
            Err(e) => {
                return Err(fail(
                    ConnectStep::SignIn,
                    label,
                    None,
                    app_error(&e, descriptor),
                ))
            }
        };
        if let Some((row, allow_different)) = expected_account {
            if account.account_id != row.account_id && !allow_different {
                let error = AppError::new(
                    AppErrorCode::DifferentAccount,
                    format!(
                        "This token belongs to a different {name} company ({}) than this connection ({}).",
                        account.account_name, row.account_name
                    ),
                )
                .hint(format!(
                    "Generate the token while signed in to {} in {name}. If you really mean to switch this connection to {}, confirm the change.",
                    row.account_name, account.account_name
                ))
                .detail(format!(
                    "expected account {}, token belongs to account {}",
                    row.account_id, account.account_id
                ));
                return Err(fail(ConnectStep::SignIn, label, None, error));
            }
        }
        self.progress(
            attempt_id,
            ConnectStep::SignIn,
            StepStatus::Passed,
            format!("Signed in to {}", account.account_name),
            None,
            None,
        );

        let mut readable = Vec::new();
        for spec in &descriptor.entity_types {
            let label = format!("Checking access to {}…", spec.label.to_lowercase());
            let entity = Some(spec.key.as_str());
            self.progress(
                attempt_id,
                ConnectStep::CheckAccess,
                StepStatus::Running,
                &label,
                entity,
                None,
            );
            match connector.check_access(credentials, &spec.key).await {
                Ok(_) => {
                    readable.push(spec.key.clone());
                    self.progress(
                        attempt_id,
                        ConnectStep::CheckAccess,
                        StepStatus::Passed,
                        &label,
                        entity,
                        None,
                    );
                }
                Err(e)
                    if !spec.required_for_connect
                        && matches!(
                            e.code,
                            ErrorCode::PermissionMissing
                                | ErrorCode::NotFound
                                | ErrorCode::Unsupported
                        ) =>
                {
                    let error = app_error(&e, descriptor);
                    self.progress(
                        attempt_id,
                        ConnectStep::CheckAccess,
                        StepStatus::Skipped,
                        format!("This token can't read {}", spec.label.to_lowercase()),
                        entity,
                        Some(&error),
                    );
                }
                Err(e) => {
                    return Err(fail(
                        ConnectStep::CheckAccess,
                        label,
                        entity,
                        app_error(&e, descriptor),
                    ));
                }
            }
        }
        Ok(Validated {
            account,
            readable,
            latency_ms: server.latency_ms,
        })
    }

    /// Input checks that need no network, reported as the "check the
    /// details" step.
    fn check_inputs(
        &self,
        attempt_id: &str,
        checks: impl FnOnce() -> Result<String, AppError>,
    ) -> Result<String, AppError> {
        let label = "Checking the details…";
        self.progress(
            attempt_id,
            ConnectStep::CheckAddress,
            StepStatus::Running,
            label,
            None,
            None,
        );
        match checks() {
            Ok(url) => {
                self.progress(
                    attempt_id,
                    ConnectStep::CheckAddress,
                    StepStatus::Passed,
                    label,
                    None,
                    None,
                );
                Ok(url)
            }
            Err(error) => {
                self.progress(
                    attempt_id,
                    ConnectStep::CheckAddress,
                    StepStatus::Failed,
                    label,
                    None,
                    Some(&error),
                );
                Err(error)
            }
        }
    }

    // ---------------------------------------------------------------- actions

    /// Connect a new account, step by step (see [`EngineEvent::ConnectProgress`]).
    /// Nothing is saved unless every required step passes.
    pub async fn connect(&self, request: ConnectRequest) -> Result<ConnectionView, AppError> {
        let attempt_id = request
            .attempt_id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let result = self.connect_steps(&attempt_id, &request).await;
        if let Err(error) = &result {
            self.log_failure(None, "Connecting", error).await;
        }
        result
    }

    async fn connect_steps(
        &self,
        attempt_id: &str,
        request: &ConnectRequest,
    ) -> Result<ConnectionView, AppError> {
        let settings = self.inner.store.settings().await?;
        let used = self.credits_used().await?;
        let mut checked: Option<(String, Arc<dyn Connector>, SystemDescriptor)> = None;
        let api_url = self.check_inputs(attempt_id, || {
            let name = validate::connection_name(&request.name)?;
            let (connector, descriptor) = self.connector(request.system.trim())?;
            let raw_url = match &request.api_url {
                Some(url) if !url.trim().is_empty() => url.clone(),
                _ => mapping::default_api_url(&descriptor)
                    .unwrap_or_default()
                    .to_string(),
            };
            let api_url = validate::api_url(&raw_url, &descriptor)?;
            validate::token(&request.token, &descriptor)?;
            let summary = validate::credit_summary(used, settings.credits_allowance);
            validate::credits_for(descriptor.credit_cost, &summary, &descriptor.name)?;
            checked = Some((name, connector, descriptor));
            Ok(api_url)
        })?;
        let Some((name, connector, descriptor)) = checked else {
            return Err(AppError::new(
                AppErrorCode::Internal,
                "The details could not be checked.",
            ));
        };
        let credentials = Credentials {
            api_url: api_url.clone(),
            secret: request.token.clone(),
            fields: Default::default(),
        };
        let validated = self
            .validate_live(
                attempt_id,
                connector.as_ref(),
                &descriptor,
                &credentials,
                None,
            )
            .await?;

        let fail_save = self.start_save_step(attempt_id);
        if !request.allow_duplicate {
            let existing = self
                .inner
                .store
                .connection_for_account(&descriptor.id, &validated.account.account_id)
                .await
                .map_err(fail_save)?;
            if let Some((other_id, other_name)) = existing {
                return Err(fail_save(
                    AppError::new(
                        AppErrorCode::DuplicateConnection,
                        format!(
                            "{} is already connected as \"{}\".",
                            validated.account.account_name, other_name
                        ),
                    )
                    .hint("Use the existing connection (reconnect it if it needs a new token), or confirm that you want a second connection to the same company.")
                    .detail(format!("existing connection {other_id}")),
                ));
            }
        }

        let now = self.now();
        let id = uuid::Uuid::new_v4().to_string();
        let token_created = request.token_created.unwrap_or_else(|| now.date_naive());
        let expires = token_expiry(Some(token_created), &descriptor);
        let state = HealthState {
            lifecycle: Lifecycle::Connected,
            health: Health::Healthy,
            reason: health::reasons::healthy(&descriptor.name),
            since: now,
            last_success: Some(now),
            last_failure: None,
            failure_streak: 0,
            slow_streak: 0,
            last_latency_ms: Some(validated.latency_ms),
            token_expires_at: expires,
            failing_since: None,
            expiry_reminder_days: None,
        };
        let policy = Self::policy(&descriptor);
        let (state, transitions) = Self::apply_all(&state, &[Observation::Tick], now, &policy);
        let mut row = ConnectionRow {
            id: id.clone(),
            name: name.clone(),
            system: descriptor.id.clone(),
            api_url,
            account_id: validated.account.account_id.clone(),
            account_name: validated.account.account_name.clone(),
            credit_cost: i64::from(descriptor.credit_cost),
            lifecycle: String::new(),
            health: String::new(),
            reason: String::new(),
            since: now,
            last_success: None,
            last_failure: None,
            failure_streak: 0,
            slow_streak: 0,
            last_latency_ms: None,
            failing_since: None,
            expiry_reminder_days: None,
            token_created: Some(token_created),
            token_expires_at: None,
            masked_secret: request.token.masked(),
            readable_entities: serde_json::to_string(&validated.readable)
                .unwrap_or_else(|_| "[]".into()),
            created_at: now,
            updated_at: now,
            next_check_at: Some(now + next_check_delay(settings.check_interval_secs, None)),
        };
        row.set_state(&state);

        // The secret first: if the store is locked nothing else is written.
        self.inner
            .secrets
            .set(&id, &request.token)
            .await
            .map_err(fail_save)?;
        let mut changes = vec![Pending {
            kind: "connection.created".to_string(),
            summary: format!(
                "Connected \"{}\" to {} ({}).",
                name, descriptor.name, validated.account.account_name
            ),
            data: serde_json::json!({
                "system": descriptor.id,
                "accountId": validated.account.account_id,
                "accountName": validated.account.account_name,
                "readableEntities": validated.readable,
                "maskedSecret": row.masked_secret,
            }),
            transition: None,
        }];
        changes.extend(Self::transitions_to_changes(transitions));
        let check = HealthCheckRecord {
            connection_id: id.clone(),
            at: now,
            outcome: "success".to_string(),
            latency_ms: Some(validated.latency_ms),
            detail: Some("validated while connecting".to_string()),
            health: state.health,
        };
        let view = match self
            .commit(&row, true, Some(check), changes, self.actor)
            .await
        {
            Ok(view) => view,
            Err(error) => {
                // No half-writes: take the secret back out of the store.
                if let Err(cleanup) = self.inner.secrets.delete(&id).await {
                    tracing::warn!(code = ?cleanup.code, connection_id = %id, "could not remove the secret after a failed save");
                }
                return Err(fail_save(error));
            }
        };
        self.progress(
            attempt_id,
            ConnectStep::Save,
            StepStatus::Passed,
            format!("Connected to {}", validated.account.account_name),
            None,
            None,
        );
        tracing::info!(connection_id = %id, system = %descriptor.id, "connection created");
        self.inner.wake.notify_one();
        Ok(view)
    }

    /// Give an existing connection a new token. Keeps its id, name, history
    /// and settings; the secret is replaced only after the new one passes.
    pub async fn reconnect(&self, request: ReconnectRequest) -> Result<ConnectionView, AppError> {
        let attempt_id = request
            .attempt_id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let result = self.reconnect_steps(&attempt_id, &request).await;
        if let Err(error) = &result {
            if error.code != AppErrorCode::NotFound {
                self.log_failure(Some(&request.connection_id), "Reconnecting", error)
                    .await;
            }
        }
        result
    }

    async fn reconnect_steps(
        &self,
        attempt_id: &str,
        request: &ReconnectRequest,
    ) -> Result<ConnectionView, AppError> {
        let _guard = self.lock(&request.connection_id).await;
        let row = self.row(&request.connection_id).await?;
        let settings = self.inner.store.settings().await?;
        let used = self.credits_used().await?;
        let was_disconnected = row.lifecycle()? == Lifecycle::Disconnected;
        let mut checked = None;
        self.check_inputs(attempt_id, || {
            let (connector, descriptor) = self.connector(&row.system)?;
            validate::token(&request.token, &descriptor)?;
            if was_disconnected {
                let summary = validate::credit_summary(used, settings.credits_allowance);
                validate::credits_for(descriptor.credit_cost, &summary, &descriptor.name)?;
            }
            checked = Some((connector, descriptor));
            Ok(row.api_url.clone())
        })?;
        let Some((connector, descriptor)) = checked else {
            return Err(AppError::new(
                AppErrorCode::Internal,
                "The details could not be checked.",
            ));
        };
        let credentials = Credentials {
            api_url: row.api_url.clone(),
            secret: request.token.clone(),
            fields: Default::default(),
        };
        let validated = self
            .validate_live(
                attempt_id,
                connector.as_ref(),
                &descriptor,
                &credentials,
                Some((&row, request.allow_different_account)),
            )
            .await?;

        let fail_save = self.start_save_step(attempt_id);
        let now = self.now();
        let token_created = request.token_created.unwrap_or_else(|| now.date_naive());
        let expires = token_expiry(Some(token_created), &descriptor);
        let policy = Self::policy(&descriptor);
        let state = row.state()?;
        let (mut state, transitions) = Self::apply_all(
            &state,
            &[
                Observation::Reconnected {
                    token_expires_at: expires,
                },
                Observation::Success {
                    latency_ms: validated.latency_ms,
                },
                Observation::Tick,
            ],
            now,
            &policy,
        );
        // A paused connection stays paused (it has no credits); anything
        // else is connected again.
        let was_inactive = row.lifecycle()? == Lifecycle::Inactive;
        state.lifecycle = if was_inactive {
            Lifecycle::Inactive
        } else {
            Lifecycle::Connected
        };
        state.token_expires_at = expires;
        let mut updated = row.clone();
        updated.set_state(&state);
        updated.account_id = validated.account.account_id.clone();
        updated.account_name = validated.account.account_name.clone();
        updated.masked_secret = request.token.masked();
        updated.token_created = Some(token_created);
        updated.readable_entities =
            serde_json::to_string(&validated.readable).unwrap_or_else(|_| "[]".into());
        updated.updated_at = now;
        updated.next_check_at =
            (!was_inactive).then(|| now + next_check_delay(settings.check_interval_secs, None));

        let previous = self.inner.secrets.get(&row.id).await.ok().flatten();
        self.inner
            .secrets
            .set(&row.id, &request.token)
            .await
            .map_err(fail_save)?;
        let mut changes = Self::transitions_to_changes(transitions);
        if !changes.iter().any(|c| {
            c.transition
                .as_ref()
                .is_some_and(|t| t.kind == TransitionKind::Reconnected)
        }) {
            changes.insert(
                0,
                Pending {
                    kind: "connection.reconnected".to_string(),
                    summary: format!("Reconnected \"{}\" with a new token.", row.name),
                    data: serde_json::json!({
                        "accountId": validated.account.account_id,
                        "accountName": validated.account.account_name,
                        "maskedSecret": updated.masked_secret,
                        "accountChanged": validated.account.account_id != row.account_id,
                    }),
                    transition: None,
                },
            );
        }
        let check = HealthCheckRecord {
            connection_id: row.id.clone(),
            at: now,
            outcome: "success".to_string(),
            latency_ms: Some(validated.latency_ms),
            detail: Some("validated while reconnecting".to_string()),
            health: state.health,
        };
        let view = match self
            .commit(&updated, false, Some(check), changes, self.actor)
            .await
        {
            Ok(view) => view,
            Err(error) => {
                let restored = match &previous {
                    Some(old) => self.inner.secrets.set(&row.id, old).await,
                    None => self.inner.secrets.delete(&row.id).await,
                };
                if let Err(e) = restored {
                    tracing::warn!(code = ?e.code, connection_id = %row.id, "could not restore the previous secret");
                }
                return Err(fail_save(error));
            }
        };
        self.progress(
            attempt_id,
            ConnectStep::Save,
            StepStatus::Passed,
            format!("Reconnected to {}", validated.account.account_name),
            None,
            None,
        );
        self.inner.wake.notify_one();
        Ok(view)
    }

    /// Remove the secret from the credential store, stop checks, free the
    /// credits. History is kept.
    pub async fn disconnect(&self, connection_id: &str) -> Result<ConnectionView, AppError> {
        let _guard = self.lock(connection_id).await;
        let row = self.row(connection_id).await?;
        // The secret goes first: if the store is locked, nothing changes.
        self.inner.secrets.delete(&row.id).await?;
        if row.lifecycle()? == Lifecycle::Disconnected {
            return self.view(&row);
        }
        let now = self.now();
        let policy = self
            .descriptor(&row.system)
            .map(|d| Self::policy(&d))
            .unwrap_or_default();
        let (mut state, transitions) =
            Self::apply_all(&row.state()?, &[Observation::Disconnected], now, &policy);
        state.lifecycle = Lifecycle::Disconnected;
        let mut updated = row.clone();
        updated.set_state(&state);
        updated.updated_at = now;
        updated.next_check_at = None;
        let mut changes = Self::transitions_to_changes(transitions);
        if !changes.iter().any(|c| {
            c.transition
                .as_ref()
                .is_some_and(|t| t.kind == TransitionKind::Disconnected)
        }) {
            changes.insert(
                0,
                Pending {
                    kind: "connection.disconnected".to_string(),
                    summary: format!(
                        "Disconnected \"{}\". Its token was removed from this computer.",
                        row.name
                    ),
                    data: serde_json::json!({ "creditsFreed": row.credit_cost }),
                    transition: None,
                },
            );
        }
        let view = self
            .commit(&updated, false, None, changes, self.actor)
            .await?;
        tracing::info!(connection_id = %row.id, "connection disconnected");
        drop(_guard);
        // Freed credits may resume a paused connection.
        if let Err(e) = self.rebalance_credits().await {
            tracing::warn!(code = ?e.code, "could not resume paused connections");
        }
        Ok(view)
    }

    pub async fn rename(
        &self,
        connection_id: &str,
        name: &str,
    ) -> Result<ConnectionView, AppError> {
        let name = validate::connection_name(name)?;
        let _guard = self.lock(connection_id).await;
        let row = self.row(connection_id).await?;
        if row.name == name {
            return self.view(&row);
        }
        let mut updated = row.clone();
        updated.name = name.clone();
        updated.updated_at = self.now();
        let changes = vec![Pending {
            kind: "connection.renamed".to_string(),
            summary: format!("Renamed \"{}\" to \"{}\".", row.name, name),
            data: serde_json::json!({ "from": row.name, "to": name }),
            transition: None,
        }];
        self.commit(&updated, false, None, changes, self.actor)
            .await
    }

    pub async fn list_connections(&self) -> Result<Vec<ConnectionView>, AppError> {
        let rows = self.inner.store.connections().await?;
        rows.iter().map(|row| self.view(row)).collect()
    }

    pub async fn connection(&self, connection_id: &str) -> Result<ConnectionView, AppError> {
        let row = self.row(connection_id).await?;
        self.view(&row)
    }

    /// Check one connection now (one probe request).
    pub async fn check_now(&self, connection_id: &str) -> Result<ConnectionView, AppError> {
        let result = self.check(connection_id, self.actor).await?;
        Ok(result.view)
    }

    /// Check every connected connection now, a few at a time.
    pub async fn check_all(&self) -> Result<Vec<ConnectionView>, AppError> {
        use futures::StreamExt;
        let rows = self.inner.store.connections().await?;
        let ids: Vec<String> = rows
            .iter()
            .filter(|r| r.lifecycle == enum_text(&Lifecycle::Connected))
            .map(|r| r.id.clone())
            .collect();
        let actor = self.actor;
        let results: Vec<(String, Result<CheckResult, AppError>)> = futures::stream::iter(ids)
            .map(|id| async move {
                let result = self.check(&id, actor).await;
                (id, result)
            })
            .buffered(crate::monitor::DEFAULT_CONCURRENCY)
            .collect()
            .await;
        // One check that cannot run (a locked keyring, say) does not hide the
        // others: its connection is returned as it was. Only when none could
        // run is the error returned.
        let mut views = Vec::with_capacity(results.len());
        let mut first_error = None;
        let mut any_ran = results.is_empty();
        for (id, result) in results {
            match result {
                Ok(checked) => {
                    any_ran = true;
                    views.push(checked.view);
                }
                Err(error) => {
                    tracing::warn!(code = ?error.code, connection_id = %id, "check could not run");
                    if let Ok(view) = self.connection(&id).await {
                        views.push(view);
                    }
                    first_error.get_or_insert(error);
                }
            }
        }
        match first_error {
            Some(error) if !any_ran => Err(error),
            _ => Ok(views),
        }
    }

    /// One health check: probe, feed the state machine, store, publish.
    pub(crate) async fn check(
        &self,
        connection_id: &str,
        actor: Actor,
    ) -> Result<CheckResult, AppError> {
        self.check_with(connection_id, actor, None).await
    }

    /// A check scheduling the next one `interval_override` seconds out
    /// (instead of the stored setting) — `patchbay watch --interval`.
    pub(crate) async fn check_with(
        &self,
        connection_id: &str,
        actor: Actor,
        interval_override: Option<u32>,
    ) -> Result<CheckResult, AppError> {
        let _guard = self.lock(connection_id).await;
        let row = self.row(connection_id).await?;
        match row.lifecycle()? {
            Lifecycle::Connected => {}
            Lifecycle::Disconnected => return Err(not_connected(&row)),
            Lifecycle::Inactive | Lifecycle::Pending => {
                return Err(AppError::new(
                    AppErrorCode::InvalidInput,
                    format!("\"{}\" is paused, so it isn't checked.", row.name),
                )
                .hint("Free some credits (disconnect a connection you don't use) to resume it."));
            }
        }
        let (connector, descriptor) = self.connector(&row.system)?;
        let interval = match interval_override {
            Some(secs) => secs,
            None => self.inner.store.settings().await?.check_interval_secs,
        };
        let (observation, probe) = self.probe(connector.as_ref(), &row).await?;
        let now = self.now();
        let (updated, check, transitions) = Self::observe(
            &row,
            &descriptor,
            &observation,
            probe.as_ref(),
            now,
            interval,
        )?;
        let mut changes = Self::transitions_to_changes(transitions);
        if actor != Actor::Monitor {
            changes.insert(
                0,
                Pending {
                    kind: "connection.checked".to_string(),
                    summary: format!("Checked \"{}\" now.", row.name),
                    data: serde_json::json!({ "outcome": check.outcome }),
                    transition: None,
                },
            );
        }
        let view = self
            .commit(&updated, false, Some(check), changes, actor)
            .await?;
        Ok(CheckResult { view })
    }

    /// One probe request (or "no token" when the secret is gone).
    async fn probe(
        &self,
        connector: &dyn Connector,
        row: &ConnectionRow,
    ) -> Result<(Observation, Option<ProbeOutcome>), AppError> {
        Ok(match self.credentials(row).await? {
            Some(credentials) => {
                let probe = connector.probe(&credentials).await;
                let observation = match &probe.result {
                    Ok(_) => Observation::Success {
                        latency_ms: probe.latency_ms,
                    },
                    Err(e) => observation_for(e),
                };
                (observation, Some(probe))
            }
            None => (
                Observation::AuthRejected {
                    detail: "no token for this connection in the password store".to_string(),
                },
                None,
            ),
        })
    }

    /// Feed a check's observation through the state machine: the row after
    /// it (next check `interval_secs` out), its history line, transitions.
    fn observe(
        row: &ConnectionRow,
        descriptor: &SystemDescriptor,
        observation: &Observation,
        probe: Option<&ProbeOutcome>,
        now: DateTime<Utc>,
        interval_secs: u32,
    ) -> Result<(ConnectionRow, HealthCheckRecord, Vec<Transition>), AppError> {
        let policy = Self::policy(descriptor);
        let (state, transitions) = Self::apply_all(
            &row.state()?,
            &[observation.clone(), Observation::Tick],
            now,
            &policy,
        );
        let mut updated = row.clone();
        updated.set_state(&state);
        updated.updated_at = now;
        updated.next_check_at = Some(now + next_check_delay(interval_secs, probe));
        let (outcome, detail) = match (observation, probe.map(|p| &p.result)) {
            (Observation::Success { .. }, _) => ("success".to_string(), None),
            (_, Some(Err(e))) => (mapping::code_text(e.code), Some(e.detail.clone())),
            _ => (
                "auth_rejected".to_string(),
                Some("no token in the password store".to_string()),
            ),
        };
        let check = HealthCheckRecord {
            connection_id: row.id.clone(),
            at: now,
            outcome,
            latency_ms: probe.map(|p| p.latency_ms),
            detail,
            health: state.health,
        };
        Ok((updated, check, transitions))
    }

    /// The monitor's check of a row its sweep read (one probe, no re-read).
    ///
    /// Holds the connection's lock from before the probe until the result is
    /// stored, so a check never races a reconnect or disconnect. A routine
    /// result (no transition) comes back as a [`RoutineCheck`] for the
    /// sweep's batch writer, still holding the lock. A transition takes the
    /// transactional path with the sinks at once — if the row changed since
    /// the sweep read it, the check runs again from the stored row.
    pub(crate) async fn monitor_check(
        &self,
        row: ConnectionRow,
        interval_secs: u32,
    ) -> Result<Option<RoutineCheck>, AppError> {
        let guard = self.lock(&row.id).await;
        let (connector, descriptor) = self.connector(&row.system)?;
        let (observation, probe) = self.probe(connector.as_ref(), &row).await?;
        let now = self.now();
        let (updated, check, transitions) = Self::observe(
            &row,
            &descriptor,
            &observation,
            probe.as_ref(),
            now,
            interval_secs,
        )?;
        if transitions.is_empty() {
            return Ok(Some(RoutineCheck {
                write: CheckWrite {
                    row: updated,
                    was_updated_at: row.updated_at,
                    check,
                },
                _guard: guard,
            }));
        }
        let current = self.inner.store.connection(&row.id).await?;
        if current.as_ref() != Some(&row) {
            drop(guard);
            self.check_with(&row.id, Actor::Monitor, Some(interval_secs))
                .await?;
            return Ok(None);
        }
        let changes = Self::transitions_to_changes(transitions);
        self.commit(&updated, false, Some(check), changes, Actor::Monitor)
            .await?;
        Ok(None)
    }

    /// Store a batch of routine checks in one transaction, release their
    /// locks and publish each connection's change. Returns the ids whose row
    /// changed since the sweep read it (nothing was written for those).
    pub(crate) async fn store_routine_checks(
        &self,
        checks: Vec<RoutineCheck>,
    ) -> Result<Vec<String>, AppError> {
        let writes: Vec<CheckWrite> = checks.iter().map(|c| c.write.clone()).collect();
        let written = self.inner.store.write_checks(&writes).await;
        drop(checks);
        let written: std::collections::HashSet<String> = written?.into_iter().collect();
        let mut stale = Vec::new();
        for write in writes {
            if written.contains(&write.row.id) {
                self.publish(EngineEvent::ConnectionChanged {
                    connection: self.view(&write.row)?,
                });
            } else {
                stale.push(write.row.id);
            }
        }
        Ok(stale)
    }

    /// Detect on use: a call that the system refused for the credentials
    /// flips the connection at once.
    async fn detect_on_use(&self, connection_id: &str, what: &str, error: &ConnectorError) {
        if !matches!(
            error.code,
            ErrorCode::AuthRejected | ErrorCode::PermissionMissing
        ) {
            return;
        }
        let observation = observation_for(error);
        let outcome = async {
            let _guard = self.lock(connection_id).await;
            let row = self.row(connection_id).await?;
            if row.lifecycle()? != Lifecycle::Connected {
                return Ok(());
            }
            let descriptor = self.descriptor(&row.system)?;
            let now = self.now();
            let (state, transitions) = Self::apply_all(
                &row.state()?,
                &[observation],
                now,
                &Self::policy(&descriptor),
            );
            let mut updated = row.clone();
            updated.set_state(&state);
            updated.updated_at = now;
            let check = HealthCheckRecord {
                connection_id: row.id.clone(),
                at: now,
                outcome: mapping::code_text(error.code),
                latency_ms: None,
                detail: Some(format!("detected while {what}: {}", error.detail)),
                health: state.health,
            };
            let changes = Self::transitions_to_changes(transitions);
            self.commit(&updated, false, Some(check), changes, Actor::System)
                .await
                .map(|_| ())
        }
        .await;
        if let Err(e) = outcome {
            tracing::warn!(code = ?e.code, connection_id, "could not record a failure detected on use");
        }
    }

    /// Each entity type the system offers, with a count where the API tells.
    pub async fn entity_counts(&self, connection_id: &str) -> Result<Vec<EntityCount>, AppError> {
        let (row, connector, descriptor, credentials) = self.usable(connection_id).await?;
        let readable = row.readable_entities();
        let mut counts = Vec::new();
        for spec in &descriptor.entity_types {
            let count = if readable.contains(&spec.key) {
                match connector.check_access(&credentials, &spec.key).await {
                    Ok(report) => report.count,
                    Err(e) => {
                        self.detect_on_use(&row.id, "counting records", &e).await;
                        if matches!(e.code, ErrorCode::AuthRejected) {
                            return Err(app_error(&e, &descriptor));
                        }
                        None
                    }
                }
            } else {
                None
            };
            counts.push(EntityCount {
                entity: spec.key.clone(),
                label: spec.label.clone(),
                count,
            });
        }
        Ok(counts)
    }

    fn entity_spec<'a>(
        descriptor: &'a SystemDescriptor,
        entity: &str,
    ) -> Result<&'a crate::connectors::EntityTypeSpec, AppError> {
        descriptor
            .entity_types
            .iter()
            .find(|e| e.key == entity)
            .ok_or_else(|| {
                let offered: Vec<&str> = descriptor
                    .entity_types
                    .iter()
                    .map(|e| e.key.as_str())
                    .collect();
                AppError::new(
                    AppErrorCode::InvalidInput,
                    format!("{} doesn't offer this kind of record.", descriptor.name),
                )
                .hint(format!("Pick one of: {}.", offered.join(", ")))
                .detail(format!("entity {:?}", truncate(entity, 80)))
            })
    }

    /// One page of records.
    pub async fn browse(
        &self,
        connection_id: &str,
        entity: &str,
        query: ListQuery,
    ) -> Result<RecordPage, AppError> {
        let (row, connector, descriptor, credentials) = self.usable(connection_id).await?;
        Self::entity_spec(&descriptor, entity)?;
        match connector.list(&credentials, entity, &query).await {
            Ok(page) => Ok(page),
            Err(e) => {
                self.detect_on_use(&row.id, "browsing", &e).await;
                Err(app_error(&e, &descriptor))
            }
        }
    }

    pub async fn record(
        &self,
        connection_id: &str,
        entity: &str,
        record_id: &str,
    ) -> Result<Record, AppError> {
        let (row, connector, descriptor, credentials) = self.usable(connection_id).await?;
        Self::entity_spec(&descriptor, entity)?;
        match connector.get(&credentials, entity, record_id).await {
            Ok(record) => Ok(record),
            Err(e) => {
                self.detect_on_use(&row.id, "reading a record", &e).await;
                Err(app_error(&e, &descriptor))
            }
        }
    }

    pub async fn create_record(
        &self,
        connection_id: &str,
        entity: &str,
        data: serde_json::Value,
    ) -> Result<CreateOutcome, AppError> {
        let (row, connector, descriptor, credentials) = self.usable(connection_id).await?;
        let spec = Self::entity_spec(&descriptor, entity)?;
        if !spec.creatable {
            return Err(AppError::new(
                AppErrorCode::InvalidInput,
                format!(
                    "Patchbay can't create {} in {}.",
                    spec.label.to_lowercase(),
                    descriptor.name
                ),
            )
            .hint("Pick a kind of record that can be created (customers or jobs)."));
        }
        if !data.is_object() {
            return Err(AppError::new(
                AppErrorCode::InvalidInput,
                "The record's details must be a set of fields (a JSON object).",
            )
            .hint("For example: {\"customerFullName\": \"Jane Doe\", \"mainContact\": {\"firstName\": \"Jane\"}}"));
        }
        match connector.create(&credentials, entity, &data).await {
            Ok(outcome) => {
                let (verb, record) = match &outcome {
                    CreateOutcome::Created(r) => ("Created", r),
                    CreateOutcome::AlreadyExists(r) => ("Found existing", r),
                };
                let summary = format!(
                    "{verb} {} \"{}\" in {}.",
                    spec.singular.to_lowercase(),
                    record.title,
                    row.name
                );
                let data =
                    serde_json::json!({ "entity": entity, "recordId": record.id, "outcome": verb });
                if let Err(e) = self
                    .log_event(Some(&row.id), "record.created", summary, data)
                    .await
                {
                    tracing::warn!(code = ?e.code, "could not record a created record");
                }
                Ok(outcome)
            }
            Err(e) => {
                self.detect_on_use(&row.id, "creating a record", &e).await;
                Err(app_error(&e, &descriptor))
            }
        }
    }

    pub async fn history(
        &self,
        connection_id: &str,
        limit: u32,
    ) -> Result<Vec<HealthCheckRecord>, AppError> {
        self.row(connection_id).await?;
        self.inner
            .store
            .history(connection_id, limit.clamp(1, 10_000))
            .await
    }

    pub async fn events(&self, filter: EventFilter) -> Result<Vec<AuditEvent>, AppError> {
        self.inner.store.events(&filter).await
    }

    pub async fn credits(&self) -> Result<CreditSummary, AppError> {
        let settings = self.inner.store.settings().await?;
        let used = self.credits_used().await?;
        Ok(validate::credit_summary(used, settings.credits_allowance))
    }

    pub async fn settings(&self) -> Result<Settings, AppError> {
        self.inner.store.settings().await
    }

    /// Check interval 10 s … 1 day; allowance 0 … 10,000.
    pub async fn update_settings(&self, settings: Settings) -> Result<Settings, AppError> {
        if !(10..=86_400).contains(&settings.check_interval_secs) {
            return Err(AppError::new(
                AppErrorCode::InvalidInput,
                "The check interval must be between 10 seconds and 1 day.",
            )
            .hint("The default, 300 seconds (5 minutes), suits most offices."));
        }
        if settings.credits_allowance > 10_000 {
            return Err(AppError::new(
                AppErrorCode::InvalidInput,
                "The credit allowance must be at most 10,000.",
            )
            .hint("Use the number of credits your plan includes."));
        }
        let before = self.inner.store.settings().await?;
        let mut tx = self.inner.store.begin().await?;
        Store::save_settings(&mut tx, &settings).await?;
        Store::insert_event(
            &mut tx,
            &NewEvent {
                at: self.now(),
                actor: self.actor,
                connection_id: None,
                kind: "settings.updated".to_string(),
                summary: "Changed the settings.".to_string(),
                data: serde_json::json!({ "before": before, "after": settings }),
            },
        )
        .await?;
        tx.commit().await.map_err(crate::store::storage_error)?;
        self.rebalance_credits().await?;
        self.inner.wake.notify_one();
        Ok(settings)
    }

    /// Keep the connected connections within the credit allowance: pause the
    /// newest ones when it is exceeded (lifecycle `inactive`), resume paused
    /// ones, oldest first, when credits are free again.
    async fn rebalance_credits(&self) -> Result<(), AppError> {
        let allowance = self.inner.store.settings().await?.credits_allowance;
        let rows = self.inner.store.connections().await?;
        let connected = enum_text(&Lifecycle::Connected);
        let inactive = enum_text(&Lifecycle::Inactive);
        let cost = |r: &ConnectionRow| u32::try_from(r.credit_cost).unwrap_or(0);
        let mut used: u32 = rows
            .iter()
            .filter(|r| r.lifecycle == connected)
            .map(cost)
            .fold(0, u32::saturating_add);
        // Newest first to pause; oldest first to resume (rows are oldest first).
        for row in rows.iter().rev().filter(|r| r.lifecycle == connected) {
            if used <= allowance {
                break;
            }
            self.set_active(&row.id, false).await?;
            used = used.saturating_sub(cost(row));
        }
        for row in rows.iter().filter(|r| r.lifecycle == inactive) {
            if used.saturating_add(cost(row)) > allowance {
                continue;
            }
            self.set_active(&row.id, true).await?;
            used = used.saturating_add(cost(row));
        }
        Ok(())
    }

    async fn set_active(&self, connection_id: &str, active: bool) -> Result<(), AppError> {
        let _guard = self.lock(connection_id).await;
        let row = self.row(connection_id).await?;
        let now = self.now();
        let policy = self
            .descriptor(&row.system)
            .map(|d| Self::policy(&d))
            .unwrap_or_default();
        let observation = if active {
            Observation::Reactivated
        } else {
            Observation::Deactivated
        };
        let (mut state, transitions) = Self::apply_all(&row.state()?, &[observation], now, &policy);
        state.lifecycle = if active {
            Lifecycle::Connected
        } else {
            Lifecycle::Inactive
        };
        let mut updated = row.clone();
        updated.set_state(&state);
        updated.updated_at = now;
        updated.next_check_at = active.then_some(now);
        let kind = if active {
            TransitionKind::Reactivated
        } else {
            TransitionKind::Deactivated
        };
        let mut changes = Self::transitions_to_changes(transitions);
        if !changes
            .iter()
            .any(|c| c.transition.as_ref().is_some_and(|t| t.kind == kind))
        {
            let summary = if active {
                format!("Resumed \"{}\": credits are available again.", row.name)
            } else {
                format!("Paused \"{}\": the plan's credits are used up.", row.name)
            };
            changes.insert(
                0,
                Pending {
                    kind: transition_kind_text(kind),
                    summary,
                    data: serde_json::json!({ "creditCost": row.credit_cost }),
                    transition: None,
                },
            );
        }
        self.commit(&updated, false, None, changes, Actor::System)
            .await?;
        Ok(())
    }

    /// Ask the monitor to look at the clock again now (after the computer
    /// wakes from sleep, or in tests after moving a manual clock).
    pub fn wake_monitor(&self) {
        self.inner.wake.notify_one();
    }

    /// Start the health monitor in the background (see [`crate::monitor`]).
    pub fn start_monitor(&self) -> crate::monitor::MonitorHandle {
        crate::monitor::start(self.clone(), crate::monitor::MonitorOptions::default())
    }

    /// Like [`Patchbay::start_monitor`] with explicit options.
    pub fn start_monitor_with(
        &self,
        options: crate::monitor::MonitorOptions,
    ) -> crate::monitor::MonitorHandle {
        crate::monitor::start(self.clone(), options)
    }
}

struct Validated {
    account: AccountInfo,
    readable: Vec<String>,
    latency_ms: u64,
}

/// Where the user manages tokens: the real settings page for the default
/// address, otherwise the settings path on the given server (the sandbox).
fn settings_page_url(descriptor: &SystemDescriptor, api_url: &str) -> String {
    let default = mapping::default_api_url(descriptor).map(|u| u.trim_end_matches('/'));
    if default.is_none_or(|d| d == api_url.trim_end_matches('/')) {
        return descriptor.guidance.settings_url.clone();
    }
    match url::Url::parse(api_url).and_then(|base| base.join(&descriptor.guidance.settings_path)) {
        Ok(url) => url.to_string(),
        Err(_) => descriptor.guidance.settings_url.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::{AccountInfo, RateBudget};

    fn probe(
        result: Result<AccountInfo, ConnectorError>,
        rate: Option<RateBudget>,
    ) -> ProbeOutcome {
        ProbeOutcome {
            result,
            latency_ms: 10,
            rate,
        }
    }

    fn ok() -> Result<AccountInfo, ConnectorError> {
        Ok(AccountInfo {
            account_id: "1".into(),
            account_name: "A".into(),
        })
    }

    #[test]
    fn the_next_check_is_the_interval_with_ten_percent_jitter() {
        for _ in 0..200 {
            let d = next_check_delay(300, None).num_milliseconds();
            assert!((270_000..=330_000).contains(&d), "{d}");
        }
    }

    #[test]
    fn a_low_budget_doubles_the_delay_and_retry_after_is_a_floor() {
        let low = RateBudget {
            limit: 100,
            remaining: 19,
            reset_secs: 30,
        };
        let fine = RateBudget {
            limit: 100,
            remaining: 20,
            reset_secs: 30,
        };
        for _ in 0..100 {
            let d = next_check_delay(300, Some(&probe(ok(), Some(low)))).num_milliseconds();
            assert!((540_000..=660_000).contains(&d), "{d}");
            let d = next_check_delay(300, Some(&probe(ok(), Some(fine)))).num_milliseconds();
            assert!((270_000..=330_000).contains(&d), "{d}");
        }
        let mut limited = ConnectorError::new(ErrorCode::RateLimited, "429");
        limited.retry_after_secs = Some(900);
        let d = next_check_delay(300, Some(&probe(Err(limited.clone()), None)));
        assert_eq!(d.num_seconds(), 900);
        limited.retry_after_secs = Some(5);
        let d = next_check_delay(300, Some(&probe(Err(limited), None))).num_seconds();
        assert!(
            d >= 270,
            "a short Retry-After does not bring the check forward"
        );
        assert!(next_check_delay(0, None).num_milliseconds() >= 1000);
    }

    #[test]
    fn every_connector_failure_maps_to_the_right_observation() {
        let e = |code| ConnectorError::new(code, "x");
        assert!(matches!(
            observation_for(&e(ErrorCode::AuthRejected)),
            Observation::AuthRejected { .. }
        ));
        assert!(matches!(
            observation_for(&e(ErrorCode::PermissionMissing)),
            Observation::PermissionMissing { .. }
        ));
        assert!(matches!(
            observation_for(&e(ErrorCode::RateLimited)),
            Observation::RateLimited { .. }
        ));
        for code in [
            ErrorCode::Unreachable,
            ErrorCode::ServiceDown,
            ErrorCode::UnexpectedResponse,
            ErrorCode::TlsUntrusted,
            ErrorCode::NotFound,
        ] {
            assert!(matches!(
                observation_for(&e(code)),
                Observation::TransientFailure { .. }
            ));
        }
    }
}
