//! The facade and the monitor against a scripted fake system (no network),
//! an in-memory secret store and a manual clock. The real Fergus sandbox and
//! the real Secret Service are in `scenarios.rs`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use patchbay_core::connectors::{
    AccessReport, AccountInfo, Catalog, Connector, ConnectorError, CreateOutcome, Credentials,
    EntityTypeSpec, ErrorCode, FieldSpec, Guidance, Hosting, ListQuery, ProbeOutcome, RateBudget,
    Record, RecordPage, ServerInfo, SystemDescriptor,
};
use patchbay_core::health::{Health, Lifecycle};
use patchbay_core::*;
use tokio::sync::broadcast::Receiver;

/// How the fake system answers.
#[derive(Debug, Clone)]
enum Mode {
    Ok,
    AuthRejected,
    Forbidden,
    Down,
    RateLimited(u64),
    LowBudget,
}

struct FakeState {
    mode: Mode,
    /// token → (account id, account name)
    accounts: BTreeMap<String, (String, String)>,
    probes: Vec<(String, DateTime<Utc>)>,
    network_calls: usize,
}

struct Fake {
    descriptor: SystemDescriptor,
    clock: Arc<ManualClock>,
    state: Mutex<FakeState>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

fn descriptor() -> SystemDescriptor {
    let entity = |key: &str, required: bool| EntityTypeSpec {
        key: key.into(),
        label: format!("{}{}", key[..1].to_uppercase(), &key[1..]),
        singular: key.trim_end_matches('s').into(),
        searchable: true,
        creatable: key == "customers",
        required_for_connect: required,
        sortable_fields: vec![],
        columns: vec![],
    };
    SystemDescriptor {
        id: "fake".into(),
        name: "Fakeus".into(),
        summary: "A scripted system for tests".into(),
        category: "Job management".into(),
        hosting: Hosting::Cloud,
        credit_cost: 1,
        fields: vec![
            FieldSpec {
                key: "apiUrl".into(),
                label: "API address".into(),
                example: "https://api.fake.test".into(),
                help: String::new(),
                secret: false,
                required: false,
                pattern: None,
                pattern_message: None,
                default_value: Some("https://api.fake.test".into()),
                advanced: true,
            },
            FieldSpec {
                key: "token".into(),
                label: "Access token".into(),
                example: "fakePAT_…".into(),
                help: String::new(),
                secret: true,
                required: true,
                pattern: Some("^fakePAT_[A-Za-z0-9-]{8,}$".into()),
                pattern_message: Some("A Fakeus token starts with fakePAT_.".into()),
                default_value: None,
                advanced: false,
            },
        ],
        guidance: Guidance {
            steps: vec![],
            notes: vec![],
            settings_path: "/settings/api".into(),
            settings_url: "https://app.fake.test/settings/api".into(),
        },
        entity_types: vec![
            entity("jobs", true),
            entity("customers", true),
            entity("invoices", false),
        ],
        token_lifetime_days: Some(365),
        available: true,
    }
}

impl Fake {
    fn new(clock: Arc<ManualClock>) -> Arc<Fake> {
        Arc::new(Fake {
            descriptor: descriptor(),
            clock,
            state: Mutex::new(FakeState {
                mode: Mode::Ok,
                accounts: BTreeMap::new(),
                probes: Vec::new(),
                network_calls: 0,
            }),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        })
    }

    fn add_token(&self, token: &str, account: &str) {
        self.state.lock().unwrap().accounts.insert(
            token.to_string(),
            (account.to_string(), format!("{account} Plumbing Ltd")),
        );
    }

    fn set_mode(&self, mode: Mode) {
        self.state.lock().unwrap().mode = mode;
    }

    fn probes(&self) -> Vec<(String, DateTime<Utc>)> {
        self.state.lock().unwrap().probes.clone()
    }

    fn network_calls(&self) -> usize {
        self.state.lock().unwrap().network_calls
    }

    fn answer(&self, credentials: &Credentials) -> Result<AccountInfo, ConnectorError> {
        let mut state = self.state.lock().unwrap();
        state.network_calls += 1;
        let account = state.accounts.get(credentials.secret.expose()).cloned();
        let Some((account_id, account_name)) = account else {
            return Err(
                ConnectorError::new(ErrorCode::AuthRejected, "GET /company → HTTP 401")
                    .with_status(401),
            );
        };
        match state.mode {
            Mode::Ok | Mode::LowBudget => Ok(AccountInfo {
                account_id,
                account_name,
            }),
            Mode::AuthRejected => Err(ConnectorError::new(
                ErrorCode::AuthRejected,
                "GET /company → HTTP 401",
            )
            .with_status(401)),
            Mode::Forbidden => Err(ConnectorError::new(
                ErrorCode::PermissionMissing,
                "GET /company → HTTP 403",
            )
            .with_status(403)),
            Mode::Down => Err(ConnectorError::new(
                ErrorCode::ServiceDown,
                "GET /company → HTTP 503",
            )
            .with_status(503)),
            Mode::RateLimited(secs) => {
                let mut e = ConnectorError::new(ErrorCode::RateLimited, "GET /company → HTTP 429")
                    .with_status(429);
                e.retry_after_secs = Some(secs);
                Err(e)
            }
        }
    }
}

#[async_trait]
impl Connector for Fake {
    fn descriptor(&self) -> &SystemDescriptor {
        &self.descriptor
    }
    async fn reach(&self, _credentials: &Credentials) -> Result<ServerInfo, ConnectorError> {
        self.state.lock().unwrap().network_calls += 1;
        Ok(ServerInfo {
            version: Some("1.0".into()),
            latency_ms: 12,
        })
    }
    async fn sign_in(&self, credentials: &Credentials) -> Result<AccountInfo, ConnectorError> {
        self.answer(credentials)
    }
    async fn check_access(
        &self,
        credentials: &Credentials,
        entity: &str,
    ) -> Result<AccessReport, ConnectorError> {
        self.answer(credentials)?;
        if entity == "invoices" {
            return Err(ConnectorError::new(
                ErrorCode::PermissionMissing,
                "GET /customerInvoices → HTTP 403",
            ));
        }
        Ok(AccessReport {
            entity: entity.into(),
            count: Some(42),
        })
    }
    async fn probe(&self, credentials: &Credentials) -> ProbeOutcome {
        let now = self.clock.now();
        let running = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(running, Ordering::SeqCst);
        for _ in 0..5 {
            tokio::task::yield_now().await;
        }
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        let result = self.answer(credentials);
        let mode = self.state.lock().unwrap().mode.clone();
        self.state
            .lock()
            .unwrap()
            .probes
            .push((credentials.secret.masked(), now));
        let rate = match mode {
            Mode::LowBudget => Some(RateBudget {
                limit: 100,
                remaining: 10,
                reset_secs: 30,
            }),
            _ => Some(RateBudget {
                limit: 100,
                remaining: 99,
                reset_secs: 60,
            }),
        };
        ProbeOutcome {
            result,
            latency_ms: 20,
            rate,
        }
    }
    async fn list(
        &self,
        credentials: &Credentials,
        entity: &str,
        _query: &ListQuery,
    ) -> Result<RecordPage, ConnectorError> {
        self.answer(credentials)?;
        let mut fields = serde_json::Map::new();
        fields.insert("id".into(), 1.into());
        Ok(RecordPage {
            records: vec![Record {
                id: "1".into(),
                title: format!("{entity} 1"),
                fields,
            }],
            next_cursor: None,
            total: Some(1),
        })
    }
    async fn get(
        &self,
        credentials: &Credentials,
        _entity: &str,
        id: &str,
    ) -> Result<Record, ConnectorError> {
        self.answer(credentials)?;
        Ok(Record {
            id: id.into(),
            title: id.into(),
            fields: Default::default(),
        })
    }
    async fn create(
        &self,
        credentials: &Credentials,
        _entity: &str,
        data: &serde_json::Value,
    ) -> Result<CreateOutcome, ConnectorError> {
        self.answer(credentials)?;
        let fields = data.as_object().cloned().unwrap_or_default();
        Ok(CreateOutcome::Created(Record {
            id: "7".into(),
            title: "new".into(),
            fields,
        }))
    }
}

struct Harness {
    engine: Patchbay,
    fake: Arc<Fake>,
    clock: Arc<ManualClock>,
    secrets: Arc<InMemorySecrets>,
    _dir: tempfile::TempDir,
}

fn start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-04T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

async fn harness() -> Harness {
    harness_with(Arc::new(InMemorySecrets::new())).await
}

async fn harness_with(secrets: Arc<InMemorySecrets>) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(start_time()));
    let fake = Fake::new(clock.clone());
    fake.add_token("fakePAT_alpha-0001", "A");
    fake.add_token("fakePAT_alpha-0002", "A");
    fake.add_token("fakePAT_bravo-0001", "B");
    let engine = Patchbay::open_with_catalog(
        PatchbayOptions {
            data_dir: dir.path().to_path_buf(),
            secrets: secrets.clone(),
            clock: clock.clone(),
            http: None,
        },
        Catalog::new(vec![fake.clone() as Arc<dyn Connector>]),
    )
    .await
    .unwrap();
    Harness {
        engine,
        fake,
        clock,
        secrets,
        _dir: dir,
    }
}

fn request(name: &str, token: &str) -> ConnectRequest {
    ConnectRequest {
        system: "fake".into(),
        name: name.into(),
        api_url: None,
        token: Secret::new(token),
        token_created: None,
        allow_duplicate: false,
        attempt_id: Some("attempt-1".into()),
    }
}

fn drain(rx: &mut Receiver<EngineEvent>) -> Vec<EngineEvent> {
    let mut out = Vec::new();
    while let Ok(e) = rx.try_recv() {
        out.push(e);
    }
    out
}

#[tokio::test]
async fn connect_reports_each_step_in_order_and_saves_a_healthy_connection() {
    let h = harness().await;
    let mut rx = h.engine.subscribe();
    let view = h
        .engine
        .connect(request("  Smith  ", "fakePAT_alpha-0001"))
        .await
        .unwrap();
    assert_eq!(view.name, "Smith");
    assert_eq!(view.health, Health::Healthy);
    assert_eq!(view.lifecycle, Lifecycle::Connected);
    assert_eq!(view.account_id, "A");
    assert_eq!(view.masked_secret, "fakePAT_…0001");
    assert_eq!(view.readable_entities, vec!["jobs", "customers"]);
    assert_eq!(view.last_success, Some(start_time()));
    assert_eq!(view.settings_page_url, "https://app.fake.test/settings/api");
    assert!(view.next_check.is_some());
    assert_eq!(h.secrets.len(), 1);

    let steps: Vec<(ConnectStep, StepStatus, Option<String>)> = drain(&mut rx)
        .into_iter()
        .filter_map(|e| match e {
            EngineEvent::ConnectProgress {
                step,
                status,
                entity,
                attempt_id,
                ..
            } => {
                assert_eq!(attempt_id, "attempt-1");
                Some((step, status, entity))
            }
            _ => None,
        })
        .collect();
    use ConnectStep::*;
    use StepStatus::*;
    let e = |s: &str| Some(s.to_string());
    assert_eq!(
        steps,
        vec![
            (CheckAddress, Running, None),
            (CheckAddress, Passed, None),
            (Reach, Running, None),
            (Reach, Passed, None),
            (SignIn, Running, None),
            (SignIn, Passed, None),
            (CheckAccess, Running, e("jobs")),
            (CheckAccess, Passed, e("jobs")),
            (CheckAccess, Running, e("customers")),
            (CheckAccess, Passed, e("customers")),
            (CheckAccess, Running, e("invoices")),
            (CheckAccess, Skipped, e("invoices")),
            (Save, Running, None),
            (Save, Passed, None),
        ]
    );
    let events = h.engine.events(EventFilter::default()).await.unwrap();
    assert_eq!(events[0].kind, "connection.created");
    assert_eq!(events[0].actor, "you");
    assert_eq!(h.engine.history(&view.id, 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn bad_input_fails_before_any_network_and_writes_nothing() {
    let h = harness().await;
    let cases: Vec<(ConnectRequest, AppErrorCode)> = vec![
        (
            request("", "fakePAT_alpha-0001"),
            AppErrorCode::InvalidInput,
        ),
        (
            request(&"n".repeat(500), "fakePAT_alpha-0001"),
            AppErrorCode::InvalidInput,
        ),
        (request("x", ""), AppErrorCode::InvalidInput),
        (request("x", "garbage token"), AppErrorCode::InvalidInput),
        (
            request("x", "fergPAT_wrong-system"),
            AppErrorCode::InvalidInput,
        ),
        (
            request("x", &format!("fakePAT_{}", "a".repeat(10_000))),
            AppErrorCode::InvalidInput,
        ),
        (
            ConnectRequest {
                api_url: Some("not a url".into()),
                ..request("x", "fakePAT_alpha-0001")
            },
            AppErrorCode::AddressInvalid,
        ),
        (
            ConnectRequest {
                api_url: Some("ftp://api.fake.test".into()),
                ..request("x", "fakePAT_alpha-0001")
            },
            AppErrorCode::AddressInvalid,
        ),
        (
            ConnectRequest {
                system: "nope".into(),
                ..request("x", "fakePAT_alpha-0001")
            },
            AppErrorCode::InvalidInput,
        ),
    ];
    for (req, code) in cases {
        let error = h.engine.connect(req).await.unwrap_err();
        assert_eq!(error.code, code, "{error:?}");
        assert!(error.hint.is_some());
    }
    assert_eq!(h.fake.network_calls(), 0);
    assert!(h.engine.list_connections().await.unwrap().is_empty());
    assert!(h.secrets.is_empty());
}

#[tokio::test]
async fn wrong_token_is_auth_rejected_in_plain_words() {
    let h = harness().await;
    let error = h
        .engine
        .connect(request("x", "fakePAT_unknown-999"))
        .await
        .unwrap_err();
    assert_eq!(error.code, AppErrorCode::AuthRejected);
    assert!(error.message.contains("This token was not accepted"));
    assert!(h.engine.list_connections().await.unwrap().is_empty());
    assert!(h.secrets.is_empty());
    let events = h.engine.events(EventFilter::default()).await.unwrap();
    assert_eq!(events[0].kind, "connection.connect_failed");
}

#[tokio::test]
async fn credits_run_out_before_any_network_and_come_back_on_disconnect() {
    let h = harness().await;
    let mut settings = h.engine.settings().await.unwrap();
    assert_eq!(settings, Settings::default());
    settings.credits_allowance = 1;
    h.engine.update_settings(settings).await.unwrap();
    let first = h
        .engine
        .connect(request("A", "fakePAT_alpha-0001"))
        .await
        .unwrap();
    assert_eq!(
        h.engine.credits().await.unwrap(),
        CreditSummary {
            used: 1,
            allowance: 1,
            available: 0
        }
    );
    let calls = h.fake.network_calls();
    let error = h
        .engine
        .connect(request("B", "fakePAT_bravo-0001"))
        .await
        .unwrap_err();
    assert_eq!(error.code, AppErrorCode::CreditsExhausted);
    assert_eq!(
        h.fake.network_calls(),
        calls,
        "no request before the credit check"
    );

    let gone = h.engine.disconnect(&first.id).await.unwrap();
    assert_eq!(gone.lifecycle, Lifecycle::Disconnected);
    assert!(gone.next_check.is_none());
    assert!(h.secrets.is_empty());
    assert_eq!(h.engine.credits().await.unwrap().available, 1);
    h.engine
        .connect(request("B", "fakePAT_bravo-0001"))
        .await
        .unwrap();
    // History is kept.
    assert!(!h.engine.history(&first.id, 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_smaller_allowance_pauses_the_newest_and_freed_credits_resume_it() {
    let h = harness().await;
    let a = h
        .engine
        .connect(request("A", "fakePAT_alpha-0001"))
        .await
        .unwrap();
    h.clock.advance(Duration::minutes(1));
    let b = h
        .engine
        .connect(request("B", "fakePAT_bravo-0001"))
        .await
        .unwrap();
    let mut settings = h.engine.settings().await.unwrap();
    settings.credits_allowance = 1;
    h.engine.update_settings(settings.clone()).await.unwrap();
    let paused = h.engine.connection(&b.id).await.unwrap();
    assert_eq!(paused.lifecycle, Lifecycle::Inactive);
    assert!(paused.next_check.is_none());
    assert_eq!(
        h.engine.connection(&a.id).await.unwrap().lifecycle,
        Lifecycle::Connected
    );
    assert_eq!(h.engine.credits().await.unwrap().used, 1);
    assert_eq!(
        h.engine.check_now(&b.id).await.unwrap_err().code,
        AppErrorCode::InvalidInput
    );

    h.engine.disconnect(&a.id).await.unwrap();
    let resumed = h.engine.connection(&b.id).await.unwrap();
    assert_eq!(resumed.lifecycle, Lifecycle::Connected);
    assert_eq!(h.engine.credits().await.unwrap().used, 1);
    let kinds: Vec<String> = h
        .engine
        .events(EventFilter {
            connection_id: Some(b.id.clone()),
            limit: None,
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(
        kinds.contains(&"connection.deactivated".to_string()),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"connection.reactivated".to_string()),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn a_second_connection_to_the_same_account_is_refused_unless_allowed() {
    let h = harness().await;
    h.engine
        .connect(request("A", "fakePAT_alpha-0001"))
        .await
        .unwrap();
    let error = h
        .engine
        .connect(request("A again", "fakePAT_alpha-0002"))
        .await
        .unwrap_err();
    assert_eq!(error.code, AppErrorCode::DuplicateConnection);
    assert_eq!(h.secrets.len(), 1);
    let mut allowed = request("A again", "fakePAT_alpha-0002");
    allowed.allow_duplicate = true;
    h.engine.connect(allowed).await.unwrap();
    assert_eq!(h.engine.list_connections().await.unwrap().len(), 2);
}

struct FailingStore;

#[async_trait]
impl SecretStore for FailingStore {
    async fn set(&self, _: &str, _: &Secret) -> Result<(), AppError> {
        Err(patchbay_core::secrets::keyring_unavailable(
            "collection is locked",
        ))
    }
    async fn get(&self, _: &str) -> Result<Option<Secret>, AppError> {
        Err(patchbay_core::secrets::keyring_unavailable(
            "collection is locked",
        ))
    }
    async fn delete(&self, _: &str) -> Result<(), AppError> {
        Err(patchbay_core::secrets::keyring_unavailable(
            "collection is locked",
        ))
    }
}

#[tokio::test]
async fn a_locked_keyring_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(start_time()));
    let fake = Fake::new(clock.clone());
    fake.add_token("fakePAT_alpha-0001", "A");
    let engine = Patchbay::open_with_catalog(
        PatchbayOptions {
            data_dir: dir.path().to_path_buf(),
            secrets: Arc::new(FailingStore),
            clock,
            http: None,
        },
        Catalog::new(vec![fake as Arc<dyn Connector>]),
    )
    .await
    .unwrap();
    let error = engine
        .connect(request("A", "fakePAT_alpha-0001"))
        .await
        .unwrap_err();
    assert_eq!(error.code, AppErrorCode::KeyringUnavailable);
    assert_eq!(
        error.hint.as_deref(),
        Some(patchbay_core::secrets::KEYRING_HINT)
    );
    assert!(engine.list_connections().await.unwrap().is_empty());
    assert_eq!(engine.credits().await.unwrap().used, 0);
}

struct FailingSink;

#[async_trait]
impl TransitionSink for FailingSink {
    async fn record(
        &self,
        _: &mut sqlx::SqliteConnection,
        _: &ConnectionChange,
    ) -> Result<(), AppError> {
        Err(AppError::new(AppErrorCode::StorageFailed, "outbox full"))
    }
}

#[tokio::test]
async fn a_failed_database_write_takes_the_secret_back_out() {
    let h = harness().await;
    h.engine.add_transition_sink(Arc::new(FailingSink));
    let error = h
        .engine
        .connect(request("A", "fakePAT_alpha-0001"))
        .await
        .unwrap_err();
    assert_eq!(error.code, AppErrorCode::StorageFailed);
    assert!(
        h.secrets.is_empty(),
        "no half-writes: the keyring entry is removed"
    );
    assert!(h.engine.list_connections().await.unwrap().is_empty());
}

#[derive(Default)]
struct RecordingSink(Mutex<Vec<String>>);

#[async_trait]
impl TransitionSink for RecordingSink {
    async fn record(
        &self,
        conn: &mut sqlx::SqliteConnection,
        change: &ConnectionChange,
    ) -> Result<(), AppError> {
        // Runs inside the transaction: the change's own event row is visible.
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE id = ?")
            .bind(change.event.id)
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| AppError::new(AppErrorCode::StorageFailed, e.to_string()))?;
        assert_eq!(n, 1);
        self.0.lock().unwrap().push(change.event.kind.clone());
        Ok(())
    }
}

#[tokio::test]
async fn checks_feed_the_state_machine_store_history_and_publish_transitions() {
    let h = harness().await;
    let sink = Arc::new(RecordingSink::default());
    h.engine.add_transition_sink(sink.clone());
    let view = h
        .engine
        .connect(request("A", "fakePAT_alpha-0001"))
        .await
        .unwrap();
    let mut rx = h.engine.subscribe();

    h.fake.set_mode(Mode::Down);
    for _ in 0..3 {
        h.clock.advance(Duration::minutes(5));
        let v = h.engine.check_now(&view.id).await.unwrap();
        assert_ne!(
            v.health,
            Health::NeedsReconnect,
            "an outage is never a credential failure"
        );
    }
    let offline = h.engine.connection(&view.id).await.unwrap();
    assert_eq!(offline.health, Health::Offline);
    h.fake.set_mode(Mode::Ok);
    h.clock.advance(Duration::minutes(5));
    let back = h.engine.check_now(&view.id).await.unwrap();
    assert_eq!(back.health, Health::Healthy);

    let kinds: Vec<String> = drain(&mut rx)
        .into_iter()
        .filter_map(|e| match e {
            EngineEvent::HealthTransition {
                transition,
                connection_id,
                ..
            } => {
                assert_eq!(connection_id, view.id);
                Some(format!("{:?}", transition.kind))
            }
            _ => None,
        })
        .collect();
    assert_eq!(kinds, vec!["Offline", "Recovered"]);
    assert_eq!(h.engine.history(&view.id, 100).await.unwrap().len(), 5);
    let recorded = sink.0.lock().unwrap().clone();
    assert!(
        recorded.contains(&"connection.offline".to_string()),
        "{recorded:?}"
    );
    assert!(
        recorded.contains(&"connection.recovered".to_string()),
        "{recorded:?}"
    );

    h.fake.set_mode(Mode::AuthRejected);
    let v = h.engine.check_now(&view.id).await.unwrap();
    assert_eq!(v.health, Health::NeedsReconnect, "401 flips at once");
}

#[tokio::test]
async fn a_refused_call_while_browsing_flips_the_connection_at_once() {
    let h = harness().await;
    let view = h
        .engine
        .connect(request("A", "fakePAT_alpha-0001"))
        .await
        .unwrap();
    let page = h
        .engine
        .browse(&view.id, "jobs", ListQuery::default())
        .await
        .unwrap();
    assert_eq!(page.records.len(), 1);
    h.fake.set_mode(Mode::Forbidden);
    let error = h
        .engine
        .browse(&view.id, "jobs", ListQuery::default())
        .await
        .unwrap_err();
    assert_eq!(error.code, AppErrorCode::PermissionMissing);
    let after = h.engine.connection(&view.id).await.unwrap();
    assert_eq!(after.health, Health::NeedsReconnect);
    assert!(
        after.reason.contains("Admin or Full User"),
        "{}",
        after.reason
    );
    let error = h
        .engine
        .browse(&view.id, "nonsense", ListQuery::default())
        .await
        .unwrap_err();
    assert_eq!(error.code, AppErrorCode::InvalidInput);
    let error = h
        .engine
        .browse("no-such-id", "jobs", ListQuery::default())
        .await
        .unwrap_err();
    assert_eq!(error.code, AppErrorCode::NotFound);
}

#[tokio::test]
async fn reconnect_keeps_the_id_and_refuses_another_company_unless_confirmed() {
    let h = harness().await;
    let view = h
        .engine
        .connect(request("A", "fakePAT_alpha-0001"))
        .await
        .unwrap();
    h.fake.set_mode(Mode::AuthRejected);
    h.engine.check_now(&view.id).await.unwrap();
    h.fake.set_mode(Mode::Ok);

    let other = ReconnectRequest {
        connection_id: view.id.clone(),
        token: Secret::new("fakePAT_bravo-0001"),
        token_created: None,
        allow_different_account: false,
        attempt_id: None,
    };
    let error = h.engine.reconnect(other.clone()).await.unwrap_err();
    assert_eq!(error.code, AppErrorCode::DifferentAccount);
    assert_eq!(
        h.engine.connection(&view.id).await.unwrap().masked_secret,
        "fakePAT_…0001"
    );

    let same = ReconnectRequest {
        token: Secret::new("fakePAT_alpha-0002"),
        ..other.clone()
    };
    let fixed = h.engine.reconnect(same).await.unwrap();
    assert_eq!(fixed.id, view.id);
    assert_eq!(fixed.name, "A");
    assert_eq!(fixed.health, Health::Healthy);
    assert_eq!(fixed.masked_secret, "fakePAT_…0002");
    assert!(h.engine.history(&view.id, 10).await.unwrap().len() >= 3);

    let switched = h
        .engine
        .reconnect(ReconnectRequest {
            allow_different_account: true,
            ..other
        })
        .await
        .unwrap();
    assert_eq!(switched.account_id, "B");
}

#[tokio::test]
async fn rename_and_create_are_logged_and_validated() {
    let h = harness().await;
    let view = h
        .engine
        .connect(request("A", "fakePAT_alpha-0001"))
        .await
        .unwrap();
    assert_eq!(
        h.engine.rename(&view.id, " Office ").await.unwrap().name,
        "Office"
    );
    assert_eq!(
        h.engine.rename(&view.id, "").await.unwrap_err().code,
        AppErrorCode::InvalidInput
    );
    let created = h
        .engine
        .create_record(
            &view.id,
            "customers",
            serde_json::json!({"customerFullName": "Jane"}),
        )
        .await
        .unwrap();
    assert!(matches!(created, CreateOutcome::Created(_)));
    let error = h
        .engine
        .create_record(&view.id, "jobs", serde_json::json!({}))
        .await
        .unwrap_err();
    assert_eq!(
        error.code,
        AppErrorCode::InvalidInput,
        "jobs are not creatable in the fake"
    );
    let error = h
        .engine
        .create_record(&view.id, "customers", serde_json::json!([1]))
        .await
        .unwrap_err();
    assert_eq!(error.code, AppErrorCode::InvalidInput);
    let kinds: Vec<String> = h
        .engine
        .events(EventFilter {
            connection_id: Some(view.id.clone()),
            limit: None,
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.contains(&"connection.renamed".to_string()));
    assert!(kinds.contains(&"record.created".to_string()));
    let counts = h.engine.entity_counts(&view.id).await.unwrap();
    assert_eq!(counts.len(), 3);
    assert_eq!(counts[0].count, Some(42));
    assert_eq!(counts[2].count, None, "invoices are not readable");
}

#[tokio::test]
async fn a_token_near_its_365_day_end_is_expiring() {
    let h = harness().await;
    let mut req = request("A", "fakePAT_alpha-0001");
    req.token_created = Some((start_time() - Duration::days(352)).date_naive());
    let view = h.engine.connect(req).await.unwrap();
    assert_eq!(view.health, Health::Expiring, "{}", view.reason);
    assert!(view.token_expires_at.is_some());
}

#[test]
fn debug_output_never_shows_a_token() {
    let token = "fakePAT_0b1e6c2a-5d7f-4e3a-9c1b-2f8d7e6a5b4c";
    let req = request("A", token);
    assert!(!format!("{req:?}").contains(token));
    let creds = Credentials {
        api_url: "https://x".into(),
        secret: Secret::new(token),
        fields: Default::default(),
    };
    assert!(!format!("{creds:?}").contains(token));
    let re = ReconnectRequest {
        connection_id: "c".into(),
        token: Secret::new(token),
        token_created: None,
        allow_different_account: false,
        attempt_id: None,
    };
    assert!(!format!("{re:?}").contains(token));
}

// ------------------------------------------------------------------ monitor

/// Wait (bounded) until the monitor has finished a sweep that saw `at`.
async fn sweep_seen(monitor: &MonitorHandle, at: DateTime<Utc>) -> SweepReport {
    let mut sweeps = monitor.sweeps();
    let deadline = tokio::time::Instant::now() + StdDuration::from_secs(10);
    loop {
        {
            let report = sweeps.borrow_and_update();
            if report.at.is_some_and(|seen| seen >= at) {
                return report.clone();
            }
        }
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        assert!(!left.is_zero(), "monitor did not sweep at {at}");
        let _ = tokio::time::timeout(left, sweeps.changed()).await;
    }
}

/// Move the manual clock to `start + secs` and let the monitor look.
async fn at(h: &Harness, monitor: &MonitorHandle, secs: i64) -> SweepReport {
    let when = start_time() + Duration::seconds(secs);
    h.clock.set(when);
    h.engine.wake_monitor();
    sweep_seen(monitor, when).await
}

#[tokio::test]
async fn the_monitor_checks_on_the_interval_with_jitter() {
    let h = harness().await;
    h.engine
        .connect(request("A", "fakePAT_alpha-0001"))
        .await
        .unwrap();
    let monitor = h.engine.start_monitor();
    at(&h, &monitor, 0).await;
    assert_eq!(h.fake.probes().len(), 0, "just validated: not due yet");
    at(&h, &monitor, 269).await;
    assert_eq!(h.fake.probes().len(), 0, "not before interval − 10 %");
    at(&h, &monitor, 331).await;
    assert_eq!(h.fake.probes().len(), 1, "by interval + 10 %");
    at(&h, &monitor, 331 + 269).await;
    assert_eq!(h.fake.probes().len(), 1);
    at(&h, &monitor, 331 + 331).await;
    assert_eq!(h.fake.probes().len(), 2);
    monitor.stop().await;
}

#[tokio::test]
async fn the_monitor_catches_up_at_start_on_overdue_checks() {
    let h = harness().await;
    for (name, token) in [("A", "fakePAT_alpha-0001"), ("B", "fakePAT_bravo-0001")] {
        h.engine.connect(request(name, token)).await.unwrap();
    }
    // The laptop was closed for a week.
    h.clock.advance(Duration::days(7));
    let monitor = h.engine.start_monitor();
    // The first sweep, at start, sees both overdue. (A later sweep may
    // already have run and found nothing due, so count probes, not reports.)
    sweep_seen(&monitor, h.clock.now()).await;
    assert_eq!(h.fake.probes().len(), 2);
    monitor.stop().await;
}

#[tokio::test]
async fn the_monitor_honours_retry_after_and_backs_off_on_a_low_budget() {
    let h = harness().await;
    h.engine
        .connect(request("A", "fakePAT_alpha-0001"))
        .await
        .unwrap();
    let monitor = h.engine.start_monitor();
    h.fake.set_mode(Mode::RateLimited(900));
    at(&h, &monitor, 331).await;
    assert_eq!(h.fake.probes().len(), 1);
    let view = &h.engine.list_connections().await.unwrap()[0];
    assert_ne!(
        view.health,
        Health::NeedsReconnect,
        "429 is never a credential failure"
    );
    h.fake.set_mode(Mode::LowBudget);
    at(&h, &monitor, 331 + 600).await;
    assert_eq!(h.fake.probes().len(), 1, "Retry-After: 900 s is honoured");
    at(&h, &monitor, 331 + 900).await;
    assert_eq!(h.fake.probes().len(), 2);
    // Budget below 20 %: the next check waits twice the interval.
    at(&h, &monitor, 331 + 900 + 500).await;
    assert_eq!(h.fake.probes().len(), 2, "low budget doubles the delay");
    at(&h, &monitor, 331 + 900 + 661).await;
    assert_eq!(h.fake.probes().len(), 3);
    monitor.stop().await;
}

#[tokio::test]
async fn the_monitor_bounds_concurrency_and_stops_cleanly() {
    let h = harness().await;
    let mut settings = h.engine.settings().await.unwrap();
    settings.credits_allowance = 100;
    h.engine.update_settings(settings).await.unwrap();
    for i in 0..24 {
        let token = format!("fakePAT_bulk-{i:04}");
        h.fake.add_token(&token, &format!("C{i}"));
        h.engine
            .connect(request(&format!("C{i}"), &token))
            .await
            .unwrap();
    }
    h.clock.advance(Duration::hours(1));
    let monitor = h.engine.start_monitor_with(MonitorOptions {
        concurrency: 4,
        interval_secs: None,
    });
    sweep_seen(&monitor, h.clock.now()).await;
    assert_eq!(h.fake.probes().len(), 24);
    assert!(h.fake.max_in_flight.load(Ordering::SeqCst) <= 4);
    monitor.stop().await;
    // Stopped: moving time on does nothing.
    h.clock.advance(Duration::hours(1));
    h.engine.wake_monitor();
    tokio::task::yield_now().await;
    assert_eq!(h.fake.probes().len(), 24);
}

#[tokio::test]
async fn a_sweep_stores_a_history_row_and_publishes_a_change_for_every_check() {
    let h = harness().await;
    let mut settings = h.engine.settings().await.unwrap();
    settings.credits_allowance = 100;
    h.engine.update_settings(settings).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..30 {
        let token = format!("fakePAT_sweep-{i:04}");
        h.fake.add_token(&token, &format!("S{i}"));
        let view = h
            .engine
            .connect(request(&format!("S{i}"), &token))
            .await
            .unwrap();
        ids.push(view.id);
    }
    let mut before = BTreeMap::new();
    for id in &ids {
        before.insert(id.clone(), h.engine.history(id, 1000).await.unwrap().len());
    }
    h.clock.advance(Duration::hours(1));
    let checked_at = h.clock.now();
    let mut rx = h.engine.subscribe();
    let monitor = h.engine.start_monitor_with(MonitorOptions {
        concurrency: 4,
        interval_secs: None,
    });
    sweep_seen(&monitor, checked_at).await;
    monitor.stop().await;
    assert_eq!(h.fake.probes().len(), 30);

    let changed: Vec<ConnectionView> = drain(&mut rx)
        .into_iter()
        .filter_map(|e| match e {
            EngineEvent::ConnectionChanged { connection } => Some(connection),
            _ => None,
        })
        .collect();
    for id in &ids {
        let history = h.engine.history(id, 1000).await.unwrap();
        assert_eq!(history.len(), before[id] + 1, "one history row per check");
        assert_eq!(history[0].outcome, "success");
        assert_eq!(history[0].at, checked_at);
        assert_eq!(history[0].health, Health::Healthy);
        let view = h.engine.connection(id).await.unwrap();
        assert_eq!(view.last_success, Some(checked_at));
        let next = view.next_check.expect("a next check is scheduled");
        assert!(next >= checked_at + Duration::seconds(270));
        assert!(next <= checked_at + Duration::seconds(330));
        let published: Vec<&ConnectionView> = changed.iter().filter(|c| &c.id == id).collect();
        assert_eq!(published.len(), 1, "one ConnectionChanged per check");
        assert_eq!(published[0], &view, "the published view is the stored one");
    }

    // A sweep where every check is a transition: each takes the
    // transactional path, still with its history row and events.
    h.fake.set_mode(Mode::AuthRejected);
    h.clock.advance(Duration::hours(1));
    let rejected_at = h.clock.now();
    let monitor = h.engine.start_monitor();
    sweep_seen(&monitor, rejected_at).await;
    monitor.stop().await;
    let events = drain(&mut rx);
    for id in &ids {
        let history = h.engine.history(id, 1000).await.unwrap();
        assert_eq!(history.len(), before[id] + 2);
        assert_eq!(history[0].health, Health::NeedsReconnect);
        let view = h.engine.connection(id).await.unwrap();
        assert_eq!(view.health, Health::NeedsReconnect);
        assert!(events.iter().any(|e| matches!(
            e,
            EngineEvent::HealthTransition { connection_id, .. } if connection_id == id
        )));
        assert!(events.iter().any(|e| matches!(
            e,
            EngineEvent::ConnectionChanged { connection } if &connection.id == id
        )));
    }
}
