//! Shared sandbox state: companies and their data, tokens, clock, faults, rate
//! budgets and request statistics.
//!
//! The hot path (an authenticated GET) takes only read locks on global maps;
//! write locks are per company (its rate window and its statistics).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;

use chrono::{Duration, Utc};
use serde::Serialize;

use crate::data::{self, Dataset, GenerateOptions, Job, Time};

pub const TOKEN_PREFIX: &str = "fergPAT_";
pub const TOKEN_LIFETIME_DAYS: i64 = 365;
pub const FERGUS_VERSION: &str = "2.134.0";

pub fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One company's records plus what the API created since.
pub struct CompanyData {
    pub set: Dataset,
    /// Draft jobs: stored, never shown by any read.
    pub drafts: Vec<Job>,
    pub deleted_customers: usize,
}

impl CompanyData {
    pub fn user_role(&self, user_id: i64) -> Option<(&str, bool)> {
        let users = &self.set.users;
        let index = users.binary_search_by_key(&user_id, |u| u.id).ok()?;
        let user = &users[index];
        Some((user.user_type.as_str(), user.deleted))
    }
}

#[derive(Default)]
pub struct Stats {
    pub total: u64,
    /// (route label, status label) -> count
    pub counts: HashMap<(&'static str, u16), u64>,
}

/// Status codes used in the statistics for requests that got no answer.
pub const STATUS_RESET: u16 = 0;
pub const STATUS_TIMEOUT: u16 = 1;

impl Stats {
    pub fn record(&mut self, route: &'static str, status: u16) {
        self.total += 1;
        *self.counts.entry((route, status)).or_insert(0) += 1;
    }

    pub fn to_json(&self) -> serde_json::Value {
        let mut by_route: BTreeMap<&str, u64> = BTreeMap::new();
        let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_route_status: BTreeMap<&str, BTreeMap<String, u64>> = BTreeMap::new();
        for ((route, status), count) in &self.counts {
            *by_route.entry(route).or_insert(0) += count;
            *by_status.entry(status_label(*status)).or_insert(0) += count;
            *by_route_status
                .entry(route)
                .or_default()
                .entry(status_label(*status))
                .or_insert(0) += count;
        }
        serde_json::json!({
            "total": self.total,
            "byRoute": by_route,
            "byStatus": by_status,
            "byRouteStatus": by_route_status,
        })
    }
}

pub fn status_label(status: u16) -> String {
    match status {
        STATUS_RESET => "reset".to_owned(),
        STATUS_TIMEOUT => "timeout".to_owned(),
        other => other.to_string(),
    }
}

pub struct RateWindow {
    started: Instant,
    used: u32,
}

pub struct RateDecision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    pub reset_secs: u64,
}

pub struct Company {
    pub id: i64,
    pub name: String,
    pub data: RwLock<CompanyData>,
    rate: Mutex<RateWindow>,
    pub stats: Mutex<Stats>,
}

impl Company {
    /// Fixed one-minute window per company, shared by all its tokens.
    pub fn take_rate(&self, limit: u32) -> RateDecision {
        let mut window = lock(&self.rate);
        let now = Instant::now();
        let elapsed = now.duration_since(window.started);
        if elapsed.as_secs() >= 60 {
            window.started = now;
            window.used = 0;
        }
        let left = 60u64.saturating_sub(now.duration_since(window.started).as_secs());
        let reset_secs = left.max(1);
        if window.used >= limit {
            return RateDecision {
                allowed: false,
                limit,
                remaining: 0,
                reset_secs,
            };
        }
        window.used += 1;
        RateDecision {
            allowed: true,
            limit,
            remaining: limit - window.used,
            reset_secs,
        }
    }

    pub fn reset_rate(&self) {
        let mut window = lock(&self.rate);
        window.started = Instant::now();
        window.used = 0;
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FaultMode {
    None,
    Outage503,
    Timeout,
    Reset,
    Slow,
    Flaky,
}

impl FaultMode {
    pub fn parse(text: &str) -> Option<FaultMode> {
        Some(match text {
            "none" => FaultMode::None,
            "outage503" => FaultMode::Outage503,
            "timeout" => FaultMode::Timeout,
            "reset" => FaultMode::Reset,
            "slow" => FaultMode::Slow,
            "flaky" => FaultMode::Flaky,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultSpec {
    pub mode: FaultMode,
    pub latency_ms: u64,
    pub fail_rate: f64,
}

impl FaultSpec {
    pub const NONE: FaultSpec = FaultSpec {
        mode: FaultMode::None,
        latency_ms: 0,
        fail_rate: 0.0,
    };
}

pub struct Faults {
    pub global: FaultSpec,
    pub by_company: HashMap<i64, FaultSpec>,
}

#[derive(Clone, Copy)]
pub struct TokenEntry {
    pub user_id: i64,
    pub company_id: i64,
    pub issued_at: Time,
    pub revoked: bool,
}

#[derive(Default)]
pub struct AuthBook {
    pub tokens: HashMap<String, TokenEntry>,
    /// user id -> that user's one active token
    pub current: HashMap<i64, String>,
    /// user id -> company id
    pub user_company: HashMap<i64, i64>,
}

pub struct State {
    pub companies: RwLock<HashMap<i64, Arc<Company>>>,
    pub auth: RwLock<AuthBook>,
    pub clock_offset_secs: AtomicI64,
    pub faults: RwLock<Faults>,
    pub faults_active: AtomicBool,
    pub rate_per_minute: AtomicU32,
    pub rate_enabled: AtomicBool,
    pub cursor_bug: AtomicBool,
    next_company_id: AtomicI64,
    next_user_id: AtomicI64,
    pub anonymous_stats: Mutex<Stats>,
    /// "Today" for generated data (midnight UTC of the day the sandbox started).
    pub anchor: Time,
}

pub enum AuthOutcome {
    Missing,
    Invalid,
    Expired,
    Valid {
        company: Arc<Company>,
        user_id: i64,
        /// Admin or Full User (others get 403 on everything but /version).
        may_use_api: bool,
    },
}

pub struct NewCompany {
    pub company_id: i64,
    pub user_id: i64,
    pub token: String,
    pub name: String,
}

#[derive(Debug)]
pub enum TokenIssueError {
    UnknownUser,
}

impl State {
    pub fn new(rate_per_minute: u32, rate_enabled: bool) -> State {
        let now = Utc::now();
        let anchor = now
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map(|naive| naive.and_utc())
            .unwrap_or(now);
        State {
            companies: RwLock::new(HashMap::new()),
            auth: RwLock::new(AuthBook::default()),
            clock_offset_secs: AtomicI64::new(0),
            faults: RwLock::new(Faults {
                global: FaultSpec::NONE,
                by_company: HashMap::new(),
            }),
            faults_active: AtomicBool::new(false),
            rate_per_minute: AtomicU32::new(rate_per_minute),
            rate_enabled: AtomicBool::new(rate_enabled),
            cursor_bug: AtomicBool::new(false),
            next_company_id: AtomicI64::new(1001),
            next_user_id: AtomicI64::new(5001),
            anonymous_stats: Mutex::new(Stats::default()),
            anchor,
        }
    }

    /// Sandbox time: the real clock shifted by `/_sandbox/clock`.
    pub fn now(&self) -> Time {
        let now = Utc::now();
        now.checked_add_signed(Duration::seconds(
            self.clock_offset_secs.load(Ordering::Relaxed),
        ))
        .unwrap_or(now)
    }

    pub fn company(&self, id: i64) -> Option<Arc<Company>> {
        read(&self.companies).get(&id).cloned()
    }

    /// Generate a company's data (can take a while: call from a blocking thread).
    pub fn create_company(&self, name: &str, jobs: usize, seed: u64) -> NewCompany {
        let company_id = self.next_company_id.fetch_add(1, Ordering::Relaxed);
        let first_user_id = self.next_user_id.fetch_add(100, Ordering::Relaxed);
        let set = data::generate(&GenerateOptions {
            seed,
            jobs,
            anchor: self.anchor,
            company_id,
            company_name: name.to_owned(),
            first_user_id,
        });
        let admin_id = set.users.first().map(|u| u.id).unwrap_or(first_user_id);
        let user_ids: Vec<i64> = set.users.iter().map(|u| u.id).collect();
        let company = Arc::new(Company {
            id: company_id,
            name: name.to_owned(),
            data: RwLock::new(CompanyData {
                set,
                drafts: Vec::new(),
                deleted_customers: 0,
            }),
            rate: Mutex::new(RateWindow {
                started: Instant::now(),
                used: 0,
            }),
            stats: Mutex::new(Stats::default()),
        });
        {
            let mut auth = write(&self.auth);
            for id in user_ids {
                auth.user_company.insert(id, company_id);
            }
        }
        write(&self.companies).insert(company_id, company);
        let token = self.issue_token(admin_id).unwrap_or_default();
        NewCompany {
            company_id,
            user_id: admin_id,
            token,
            name: name.to_owned(),
        }
    }

    /// A fresh token for the user; the user's previous token stops working.
    pub fn issue_token(&self, user_id: i64) -> Result<String, TokenIssueError> {
        let company_id = {
            let auth = read(&self.auth);
            *auth
                .user_company
                .get(&user_id)
                .ok_or(TokenIssueError::UnknownUser)?
        };
        let company = self
            .company(company_id)
            .ok_or(TokenIssueError::UnknownUser)?;
        if let Some((_, true)) | None = read(&company.data).user_role(user_id) {
            return Err(TokenIssueError::UnknownUser);
        }
        let token = format!("{TOKEN_PREFIX}{}", uuid::Uuid::new_v4());
        let mut auth = write(&self.auth);
        if let Some(old) = auth.current.remove(&user_id) {
            if let Some(entry) = auth.tokens.get_mut(&old) {
                entry.revoked = true;
            }
        }
        auth.tokens.insert(
            token.clone(),
            TokenEntry {
                user_id,
                company_id,
                issued_at: self.now(),
                revoked: false,
            },
        );
        auth.current.insert(user_id, token.clone());
        Ok(token)
    }

    pub fn revoke_token(&self, token: &str) -> bool {
        let mut auth = write(&self.auth);
        let Some(entry) = auth.tokens.get_mut(token) else {
            return false;
        };
        let was_active = !entry.revoked;
        entry.revoked = true;
        let user_id = entry.user_id;
        if auth.current.get(&user_id).map(String::as_str) == Some(token) {
            auth.current.remove(&user_id);
        }
        was_active
    }

    pub fn token_info(&self, user_id: i64) -> Option<TokenEntry> {
        let auth = read(&self.auth);
        let token = auth.current.get(&user_id)?;
        auth.tokens.get(token).copied()
    }

    pub fn authenticate(&self, header: Option<&[u8]>) -> AuthOutcome {
        let Some(raw) = header else {
            return AuthOutcome::Missing;
        };
        let Ok(text) = std::str::from_utf8(raw) else {
            return AuthOutcome::Invalid;
        };
        let text = text.trim();
        let token = match text.split_once(' ') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
            _ => return AuthOutcome::Invalid,
        };
        if !token.starts_with(TOKEN_PREFIX) {
            return AuthOutcome::Invalid;
        }
        let entry = match read(&self.auth).tokens.get(token) {
            Some(entry) => *entry,
            None => return AuthOutcome::Invalid,
        };
        if entry.revoked {
            return AuthOutcome::Invalid;
        }
        let expires = entry
            .issued_at
            .checked_add_signed(Duration::days(TOKEN_LIFETIME_DAYS))
            .unwrap_or(entry.issued_at);
        if self.now() >= expires {
            return AuthOutcome::Expired;
        }
        let Some(company) = self.company(entry.company_id) else {
            return AuthOutcome::Invalid;
        };
        let may_use_api = match read(&company.data).user_role(entry.user_id) {
            Some((_, true)) | None => return AuthOutcome::Invalid,
            Some((role, false)) => data::role_may_use_api(role),
        };
        AuthOutcome::Valid {
            company,
            user_id: entry.user_id,
            may_use_api,
        }
    }

    pub fn fault_for(&self, company_id: Option<i64>) -> FaultSpec {
        if !self.faults_active.load(Ordering::Relaxed) {
            return FaultSpec::NONE;
        }
        let faults = read(&self.faults);
        if let Some(spec) = company_id.and_then(|id| faults.by_company.get(&id)) {
            return *spec;
        }
        faults.global
    }

    pub fn set_fault(&self, company_id: Option<i64>, spec: FaultSpec) {
        let mut faults = write(&self.faults);
        match company_id {
            Some(id) if spec.mode == FaultMode::None => {
                faults.by_company.remove(&id);
            }
            Some(id) => {
                faults.by_company.insert(id, spec);
            }
            None => faults.global = spec,
        }
        let active = faults.global.mode != FaultMode::None || !faults.by_company.is_empty();
        self.faults_active.store(active, Ordering::Relaxed);
    }
}
