//! Data shapes shared by every connector.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::error::ConnectorError;

/// Where a system runs. On-premises installs cost double credits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Hosting {
    Cloud,
    OnPremises,
}

/// A system described by data: the catalog entry and the wizard's form.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SystemDescriptor {
    /// Stable id: "fergus".
    pub id: String,
    /// Display name: "Fergus".
    pub name: String,
    /// One plain sentence: what the system is.
    pub summary: String,
    /// "Job management", "Accounting", …
    pub category: String,
    pub hosting: Hosting,
    /// Credits one connection costs (cloud 1, on-premises 2).
    pub credit_cost: u32,
    /// The fields the wizard asks for, in order.
    pub fields: Vec<FieldSpec>,
    /// Where to find the credentials, step by step.
    pub guidance: Guidance,
    /// What a connection can read (and maybe create).
    pub entity_types: Vec<EntityTypeSpec>,
    /// Tokens expire this many days after they were created (Fergus: 365).
    pub token_lifetime_days: Option<u32>,
    /// Whether this system can be connected today (false = "coming soon").
    pub available: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FieldSpec {
    /// Stable key: "apiUrl", "token".
    pub key: String,
    /// Plain-words label: "Access token".
    pub label: String,
    /// An example value the UI shows as placeholder.
    pub example: String,
    /// One line of help under the field.
    pub help: String,
    /// Secret fields go to the OS credential store and are never shown again.
    pub secret: bool,
    pub required: bool,
    /// A regular expression (JavaScript- and Rust-compatible) the value must match.
    pub pattern: Option<String>,
    /// Plain-words message when `pattern` does not match.
    pub pattern_message: Option<String>,
    /// Pre-filled value ("https://api.fergus.com").
    pub default_value: Option<String>,
    /// Advanced fields are folded away by default (e.g. the API address).
    pub advanced: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Guidance {
    /// Numbered steps, in the system's own words for its menus.
    pub steps: Vec<String>,
    /// Rules worth knowing ("shown only once", "expires after 365 days", …).
    pub notes: Vec<String>,
    /// The system's settings page for these credentials, relative to the
    /// account's web address (the engine resolves it, e.g. for the sandbox).
    pub settings_path: String,
    /// The settings page on the real system.
    pub settings_url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct EntityTypeSpec {
    /// Stable key: "jobs", "customers", "sites", "quotes", "invoices", …
    pub key: String,
    /// Plain words, plural: "Jobs".
    pub label: String,
    /// Plain words, singular: "Job".
    pub singular: String,
    /// Whether `ListQuery::search` works for this type.
    pub searchable: bool,
    /// Whether Patchbay can create records of this type.
    pub creatable: bool,
    /// Whether this type is checked while connecting (required = connect fails
    /// without read access).
    pub required_for_connect: bool,
    /// Fields the list view can sort by (API field names).
    pub sortable_fields: Vec<String>,
    /// The columns a table shows first: (API field path, label). Dotted paths
    /// reach into objects ("customer.customerFullName").
    pub columns: Vec<ColumnSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ColumnSpec {
    pub path: String,
    pub label: String,
}

/// A secret held in memory only; zeroed on drop; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }
    /// The raw value, for the Authorization header and the credential store only.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// `fergPAT_…3f9a`: the most of a secret anything may ever show.
    pub fn masked(&self) -> String {
        mask_secret(&self.0)
    }
}

/// Secrets arrive from the UI and scripts (deserialised) but are never
/// serialised back out: `Secret` deliberately does not implement `Serialize`.
/// In ts-rs types, mark a `Secret` field `#[ts(type = "string")]`.
impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.masked())
    }
}

/// Mask a secret for display: its prefix up to the first `_` (if short) and
/// its last four characters. Short or prefix-less secrets show only `…` and
/// the last four (never more than a quarter of the value).
pub fn mask_secret(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < 12 {
        return "…".to_string();
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    let prefix: String = match value.find('_') {
        Some(i) if i <= 10 => value[..=i].to_string(),
        _ => String::new(),
    };
    format!("{prefix}…{tail}")
}

/// What a connector needs to talk to one account.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The API address ("https://api.fergus.com", or the sandbox's).
    pub api_url: String,
    pub secret: Secret,
    /// Other non-secret fields from the wizard, by `FieldSpec::key`.
    pub fields: BTreeMap<String, String>,
}

/// Answer of the "reach" step.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ServerInfo {
    pub version: Option<String>,
    pub latency_ms: u64,
}

/// Answer of the "sign in" step: which account the credentials belong to.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AccountInfo {
    /// Stable id of the account (Fergus: the company id) — used to detect a
    /// second connection to the same company and a reconnect to another one.
    pub account_id: String,
    /// "Smith Plumbing Ltd".
    pub account_name: String,
}

/// Answer of one "check access to …" step.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AccessReport {
    pub entity: String,
    /// Record count when the API tells it (Fergus: pageCount × perPage is an
    /// estimate; None when unknown).
    pub count: Option<u64>,
}

/// Rate-limit headers seen on a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RateBudget {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window resets.
    pub reset_secs: u32,
}

/// Result of a health probe: data for the engine's state machine.
#[derive(Debug, Clone)]
pub struct ProbeOutcome {
    /// `Ok(account)` when the probe succeeded.
    pub result: Result<AccountInfo, ConnectorError>,
    pub latency_ms: u64,
    pub rate: Option<RateBudget>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ListQuery {
    /// Opaque cursor from the previous page; None for the first page.
    pub cursor: Option<String>,
    /// Records per page (connector clamps to what the system allows).
    pub page_size: Option<u32>,
    pub search: Option<String>,
    pub sort_field: Option<String>,
    pub sort_descending: bool,
}

/// One record, as the system returned it, plus a few derived display values.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Record {
    pub id: String,
    /// A one-line title ("Job-500 · Replace hot water cylinder").
    pub title: String,
    /// Every field exactly as the API returned it (unknown fields kept).
    #[ts(type = "{ [key in string]?: unknown }")]
    pub fields: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RecordPage {
    pub records: Vec<Record>,
    /// Cursor for the next page; None on the last page.
    pub next_cursor: Option<String>,
    /// Total when the API tells it (or an estimate from page counts).
    pub total: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "outcome", content = "record")]
#[ts(export)]
pub enum CreateOutcome {
    Created(Record),
    /// The system said this record exists already (Fergus: 303 + Location).
    AlreadyExists(Record),
}

/// Convenience for connectors: a health probe that failed before any response.
impl ProbeOutcome {
    pub fn failed(error: ConnectorError, latency_ms: u64) -> Self {
        Self {
            result: Err(error),
            latency_ms,
            rate: None,
        }
    }
}
