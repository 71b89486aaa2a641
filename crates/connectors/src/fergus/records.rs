//! Typed Fergus records. Every struct keeps the fields it does not know in
//! `extra`, so nothing the API sends is lost; the engine shows
//! [`Record::fields`](crate::Record) (the raw object) and uses these types for
//! titles and for checks.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::entities::EntityKind;
use crate::error::{ConnectorError, ErrorCode};
use crate::model::Record;

/// An id, number or text, as text. Numbers and strings are accepted because
/// Fergus uses integer ids but some responses quote them.
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(value_as_text(&Value::deserialize(d)?))
}

/// A number that may arrive as a number or as numeric text.
fn lenient_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    })
}

/// A flag that may arrive as a bool, 0/1 or "true"/"false".
fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => Some(b),
        Value::Number(n) => n.as_i64().map(|i| i != 0),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Some(true),
            "false" | "0" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    })
}

/// Text of a scalar JSON value; `None` for null, empty text, objects, arrays.
pub(crate) fn value_as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn join_non_empty<'a>(parts: impl IntoIterator<Item = Option<&'a str>>, sep: &str) -> String {
    parts
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(sep)
}

/// `{href, rel, type}` on every record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    #[serde(default)]
    pub href: Option<String>,
    #[serde(default)]
    pub rel: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A postal or physical address. Fergus uses two field-name sets
/// (`address1, addressSuburb, addressCity, addressRegion, addressPostcode,
/// addressCountry` and `city, state, postalCode, country`); both are read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawAddress", rename_all = "camelCase")]
pub struct Address {
    #[serde(rename = "address1")]
    pub line1: Option<String>,
    #[serde(rename = "address2")]
    pub line2: Option<String>,
    #[serde(rename = "addressSuburb")]
    pub suburb: Option<String>,
    #[serde(rename = "addressCity")]
    pub city: Option<String>,
    #[serde(rename = "addressRegion")]
    pub region: Option<String>,
    #[serde(rename = "addressPostcode")]
    pub postcode: Option<String>,
    #[serde(rename = "addressCountry")]
    pub country: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAddress {
    #[serde(default, deserialize_with = "lenient_string")]
    address1: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    address2: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    address_suburb: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    suburb: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    address_city: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    city: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    address_region: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    state: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    region: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    address_postcode: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    postal_code: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    postcode: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    address_country: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    country: Option<String>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

impl From<RawAddress> for Address {
    fn from(raw: RawAddress) -> Self {
        Self {
            line1: raw.address1,
            line2: raw.address2,
            suburb: raw.address_suburb.or(raw.suburb),
            city: raw.address_city.or(raw.city),
            region: raw.address_region.or(raw.state).or(raw.region),
            postcode: raw.address_postcode.or(raw.postal_code).or(raw.postcode),
            country: raw.address_country.or(raw.country),
            extra: raw.extra,
        }
    }
}

impl Address {
    /// "12 Queen Street, Ponsonby, Auckland 1011".
    pub fn one_line(&self) -> String {
        let city_postcode = join_non_empty([self.city.as_deref(), self.postcode.as_deref()], " ");
        join_non_empty(
            [
                self.line1.as_deref(),
                self.line2.as_deref(),
                self.suburb.as_deref(),
                Some(city_postcode.as_str()),
            ],
            ", ",
        )
    }

    pub fn is_empty(&self) -> bool {
        self.one_line().is_empty() && self.region.is_none() && self.country.is_none()
    }
}

/// A person: a customer's main contact, a site's default contact, a contact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub last_name: Option<String>,
    #[serde(default)]
    pub contact_items: Option<Vec<Value>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Contact {
    pub fn full_name(&self) -> String {
        join_non_empty([self.first_name.as_deref(), self.last_name.as_deref()], " ")
    }
}

/// `customer {id, customerFullName}` inside a job.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerRef {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub customer_full_name: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `siteAddress {id, name}` inside a job.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteRef {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub job_no: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub long_description: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub title: Option<String>,
    /// `Quote`, `Estimate` or `Charge Up`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub job_type: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: Option<String>,
    #[serde(default)]
    pub customer: Option<CustomerRef>,
    #[serde(default)]
    pub site_address: Option<SiteRef>,
    #[serde(default)]
    pub main_contact: Option<Value>,
    #[serde(default)]
    pub active_quote: Option<Value>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub on_hold: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub archived: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_draft: Option<bool>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub created_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub last_modified: Option<String>,
    #[serde(default)]
    pub links: Option<Vec<Link>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Job {
    /// "Job-500" (Fergus's own way of showing a job number).
    pub fn number_label(&self) -> Option<String> {
        let no = self.job_no.as_deref()?;
        if no.to_ascii_lowercase().starts_with("job") {
            Some(no.to_string())
        } else {
            Some(format!("Job-{no}"))
        }
    }

    /// "Job-500 · Replace hot water cylinder".
    pub fn title(&self) -> String {
        let what = self
            .description
            .as_deref()
            .or(self.title.as_deref())
            .map(|d| first_line(d, 80));
        let number = self
            .number_label()
            .or_else(|| self.id.as_ref().map(|id| format!("Job {id}")));
        match (number, what) {
            (Some(n), Some(w)) => format!("{n} · {w}"),
            (Some(n), None) => n,
            (None, Some(w)) => w,
            (None, None) => "Job".to_string(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub customer_full_name: Option<String>,
    #[serde(default)]
    pub main_contact: Option<Contact>,
    #[serde(default)]
    pub physical_address: Option<Address>,
    #[serde(default)]
    pub postal_address: Option<Address>,
    #[serde(default)]
    pub billing_contact: Option<Value>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub created_at: Option<String>,
    #[serde(default)]
    pub links: Option<Vec<Link>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Customer {
    pub fn title(&self) -> String {
        self.customer_full_name
            .clone()
            .or_else(|| {
                let name = self.main_contact.as_ref()?.full_name();
                (!name.is_empty()).then_some(name)
            })
            .or_else(|| self.id.as_ref().map(|id| format!("Customer {id}")))
            .unwrap_or_else(|| "Customer".to_string())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Site {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    #[serde(default)]
    pub default_contact: Option<Contact>,
    /// On reads.
    #[serde(default)]
    pub physical_address: Option<Address>,
    /// On writes (and in some responses).
    #[serde(default)]
    pub site_address: Option<Address>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_archived: Option<bool>,
    #[serde(default)]
    pub links: Option<Vec<Link>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Site {
    pub fn address(&self) -> Option<&Address> {
        self.physical_address
            .as_ref()
            .filter(|a| !a.is_empty())
            .or(self.site_address.as_ref())
    }

    pub fn title(&self) -> String {
        let address = self.address().map(Address::one_line).unwrap_or_default();
        match self.name.as_deref() {
            Some(name) if !address.is_empty() && name != address => format!("{name} · {address}"),
            Some(name) => name.to_string(),
            None if !address.is_empty() => address,
            None => self
                .id
                .as_ref()
                .map(|id| format!("Site {id}"))
                .unwrap_or_else(|| "Site".to_string()),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteLineItem {
    #[serde(default, deserialize_with = "lenient_string")]
    pub item_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_number")]
    pub item_quantity: Option<f64>,
    #[serde(default, deserialize_with = "lenient_number")]
    pub item_price: Option<f64>,
    #[serde(default, deserialize_with = "lenient_number")]
    pub item_cost: Option<f64>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_labour: Option<bool>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub sales_account_id: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteSection {
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    #[serde(default)]
    pub line_items: Option<Vec<QuoteLineItem>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub job_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub version_number: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub quote_date: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub due_date: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_sent: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_accepted: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_superseded: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_locked: Option<bool>,
    #[serde(default)]
    pub sections: Option<Vec<QuoteSection>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Quote {
    /// "Quote 12 (v2) · Bathroom renovation".
    pub fn title(&self) -> String {
        let mut head = self
            .id
            .as_ref()
            .map(|id| format!("Quote {id}"))
            .unwrap_or_else(|| "Quote".to_string());
        if let Some(v) = &self.version_number {
            head.push_str(&format!(" (v{v})"));
        }
        match self.title.as_deref() {
            Some(t) => format!("{head} · {}", first_line(t, 80)),
            None => head,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerInvoice {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub job_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub customer_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub invoice_number: Option<String>,
    #[serde(default, deserialize_with = "lenient_number")]
    pub subtotal: Option<f64>,
    #[serde(default, deserialize_with = "lenient_number")]
    pub tax_value: Option<f64>,
    #[serde(default, deserialize_with = "lenient_number")]
    pub tax_rate: Option<f64>,
    /// Draft, To Be Approved, Sent, Queried, Final, Voided.
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub due_date: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub paid_at: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl CustomerInvoice {
    /// "Invoice INV-1042 · Sent".
    pub fn title(&self) -> String {
        let head = match (&self.invoice_number, &self.id) {
            (Some(n), _) => format!("Invoice {n}"),
            (None, Some(id)) => format!("Invoice {id}"),
            (None, None) => "Invoice".to_string(),
        };
        match &self.status {
            Some(s) => format!("{head} · {s}"),
            None => head,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub email: Option<String>,
    /// full_user, tradesman, apprentice, …
    #[serde(default, deserialize_with = "lenient_string")]
    pub user_type: Option<String>,
    /// active, disabled, invited.
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl User {
    pub fn title(&self) -> String {
        let name = join_non_empty([self.first_name.as_deref(), self.last_name.as_deref()], " ");
        if !name.is_empty() {
            name
        } else if let Some(email) = &self.email {
            email.clone()
        } else {
            self.id
                .as_ref()
                .map(|id| format!("User {id}"))
                .unwrap_or_else(|| "User".to_string())
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeEntry {
    #[serde(default, deserialize_with = "lenient_string")]
    pub time_entry_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub job_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub job_no: Option<String>,
    /// "YYYY-MM-DD HH:MM".
    #[serde(default, deserialize_with = "lenient_string")]
    pub start_time: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub end_time: Option<String>,
    /// Hours.
    #[serde(default, deserialize_with = "lenient_number")]
    pub paid_duration: Option<f64>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_locked: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl TimeEntry {
    /// "Job-500 · 2026-12-01 08:00 – 12:00 · 4 h".
    pub fn title(&self) -> String {
        let job = self.job_no.as_deref().map(|n| {
            if n.to_ascii_lowercase().starts_with("job") {
                n.to_string()
            } else {
                format!("Job-{n}")
            }
        });
        let end = self.end_time.as_deref().map(|end| {
            // Same day: show only the time of the end.
            match (self.start_time.as_deref(), end.split_once(' ')) {
                (Some(start), Some((day, time))) if start.starts_with(day) => time.to_string(),
                _ => end.to_string(),
            }
        });
        let span = join_non_empty([self.start_time.as_deref(), end.as_deref()], " – ");
        let hours = self.paid_duration.map(|h| format!("{h} h"));
        let title = join_non_empty(
            [job.as_deref(), Some(span.as_str()), hours.as_deref()],
            " · ",
        );
        if title.is_empty() {
            "Time entry".to_string()
        } else {
            title
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Enquiry {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    /// TODO, CONTACTED, JOBCREATED, REJECTED.
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub customer_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub created_at: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Enquiry {
    pub fn title(&self) -> String {
        let what = self
            .title
            .as_deref()
            .or(self.description.as_deref())
            .map(|t| first_line(t, 80));
        let who = self.customer_name.as_deref();
        let title = join_non_empty([who, what.as_deref()], " · ");
        if !title.is_empty() {
            title
        } else {
            self.id
                .as_ref()
                .map(|id| format!("Enquiry {id}"))
                .unwrap_or_else(|| "Enquiry".to_string())
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub text: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub entity_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub entity_id: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Note {
    pub fn title(&self) -> String {
        if let Some(text) = &self.text {
            return first_line(text, 80);
        }
        match (&self.entity_name, &self.entity_id) {
            (Some(name), Some(id)) => format!("Note on {name} {id}"),
            _ => self
                .id
                .as_ref()
                .map(|id| format!("Note {id}"))
                .unwrap_or_else(|| "Note".to_string()),
        }
    }
}

/// The company a token belongs to (`GET /company`).
#[derive(Debug, Clone, PartialEq)]
pub struct Company {
    pub id: String,
    pub name: String,
}

impl Company {
    /// Reads `id`/`companyId` and `name`/`companyName`/`companyFullName`.
    pub fn from_value(value: &Value) -> Option<Self> {
        let object = value.as_object()?;
        let pick = |keys: &[&str]| {
            keys.iter()
                .find_map(|k| object.get(*k).and_then(value_as_text))
        };
        Some(Self {
            id: pick(&["id", "companyId"])?,
            name: pick(&["name", "companyName", "companyFullName", "tradingName"])?,
        })
    }
}

/// At most `max` characters of the first line of `text`.
fn first_line(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() > max {
        let mut cut: String = line.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    } else {
        line.to_string()
    }
}

fn typed<T: serde::de::DeserializeOwned>(value: &Value) -> Option<T> {
    match T::deserialize(value) {
        Ok(t) => Some(t),
        Err(error) => {
            tracing::debug!(%error, "record did not match its typed shape; using a plain title");
            None
        }
    }
}

/// The readable one-liner of a record of `entity`.
pub(crate) fn title_of(entity: EntityKind, value: &Value) -> Option<String> {
    Some(match entity {
        EntityKind::Jobs => typed::<Job>(value)?.title(),
        EntityKind::Customers => typed::<Customer>(value)?.title(),
        EntityKind::Sites => typed::<Site>(value)?.title(),
        EntityKind::Contacts => {
            let contact = typed::<Contact>(value)?;
            let name = contact.full_name();
            if name.is_empty() {
                return None;
            }
            name
        }
        EntityKind::Quotes => typed::<Quote>(value)?.title(),
        EntityKind::Invoices => typed::<CustomerInvoice>(value)?.title(),
        EntityKind::Users => typed::<User>(value)?.title(),
        EntityKind::Enquiries => typed::<Enquiry>(value)?.title(),
        EntityKind::TimeEntries => typed::<TimeEntry>(value)?.title(),
        EntityKind::Notes => typed::<Note>(value)?.title(),
    })
}

/// Turn one JSON object from the API into a [`Record`]: every field kept as
/// returned, plus the id and a readable title.
pub(crate) fn to_record(entity: EntityKind, value: Value) -> Result<Record, ConnectorError> {
    let id_keys: &[&str] = match entity {
        EntityKind::TimeEntries => &["timeEntryId", "id"],
        _ => &["id"],
    };
    let id = id_keys
        .iter()
        .find_map(|k| value.get(*k).and_then(value_as_text));
    let title = title_of(entity, &value);
    match (value, id) {
        (Value::Object(fields), Some(id)) => {
            let title = title.unwrap_or_else(|| format!("{} {id}", entity.singular()));
            Ok(Record { id, title, fields })
        }
        (Value::Object(_), None) => Err(ConnectorError::new(
            ErrorCode::UnexpectedResponse,
            format!("a {} record has no id", entity.key()),
        )),
        (other, _) => Err(ConnectorError::new(
            ErrorCode::UnexpectedResponse,
            format!(
                "a {} record was not a JSON object: {}",
                entity.key(),
                crate::http::body_excerpt(other.to_string().as_bytes())
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample_job() -> Value {
        json!({
            "id": 1234,
            "jobNo": 500,
            "description": "Replace hot water cylinder",
            "longDescription": "180L mains pressure.\nCustomer away Fridays.",
            "jobType": "Quote",
            "status": "In Progress",
            "customer": {"id": 77, "customerFullName": "Aroha Ngata", "tier": "gold"},
            "siteAddress": {"id": 88, "name": "12 Queen Street"},
            "mainContact": {"firstName": "Aroha"},
            "activeQuote": null,
            "onHold": false,
            "archived": false,
            "createdAt": "2026-11-01T09:00:00Z",
            "lastModified": "2026-12-01T10:30:00Z",
            "links": [{"href": "/jobs/1234", "rel": "self", "type": "GET"}],
            "brandNewField": {"nested": [1, 2, 3]}
        })
    }

    #[test]
    fn job_maps_with_title_and_keeps_unknown_fields() {
        let record = to_record(EntityKind::Jobs, sample_job()).expect("maps");
        assert_eq!(record.id, "1234");
        assert_eq!(record.title, "Job-500 · Replace hot water cylinder");
        assert_eq!(
            record.fields.get("brandNewField"),
            Some(&json!({"nested": [1, 2, 3]}))
        );
        assert_eq!(
            record.fields.len(),
            sample_job().as_object().map_or(0, |o| o.len())
        );

        let job: Job = serde_json::from_value(sample_job()).expect("typed");
        assert_eq!(job.job_no.as_deref(), Some("500"));
        assert_eq!(job.status.as_deref(), Some("In Progress"));
        let customer = job.customer.expect("customer");
        assert_eq!(customer.id.as_deref(), Some("77"));
        assert_eq!(customer.extra.get("tier"), Some(&json!("gold")));
        assert_eq!(
            job.extra.get("brandNewField"),
            Some(&json!({"nested": [1, 2, 3]}))
        );
        assert_eq!(job.links.as_ref().map(Vec::len), Some(1));
        // Unknown fields survive a round trip through the typed record.
        let back = serde_json::to_value(Job::deserialize(&sample_job()).expect("typed"))
            .expect("serialises");
        assert_eq!(back.get("brandNewField"), sample_job().get("brandNewField"));
    }

    #[test]
    fn job_title_falls_back_sensibly() {
        let record =
            to_record(EntityKind::Jobs, json!({"id": "9", "title": "Draft thing"})).expect("maps");
        assert_eq!(record.title, "Job 9 · Draft thing");
        let record =
            to_record(EntityKind::Jobs, json!({"id": 9, "jobNo": "Job-12"})).expect("maps");
        assert_eq!(record.title, "Job-12");
    }

    #[test]
    fn customer_with_both_address_shapes() {
        let value = json!({
            "id": 77,
            "customerFullName": "Aroha Ngata",
            "mainContact": {"firstName": "Aroha", "lastName": "Ngata",
                             "contactItems": [{"contactType": "email", "contactValue": "a@example.co.nz"}]},
            "physicalAddress": {"address1": "12 Queen Street", "addressSuburb": "Ponsonby",
                                "addressCity": "Auckland", "addressRegion": "Auckland",
                                "addressPostcode": "1011", "addressCountry": "New Zealand"},
            "postalAddress": {"address1": "PO Box 5", "city": "Wellington", "state": "Wellington",
                              "postalCode": "6011", "country": "New Zealand", "careOf": "Accounts"},
            "createdAt": "2026-01-02T03:04:05Z",
            "loyaltyLevel": 3
        });
        let customer: Customer = serde_json::from_value(value.clone()).expect("typed");
        let physical = customer.physical_address.as_ref().expect("physical");
        assert_eq!(physical.city.as_deref(), Some("Auckland"));
        assert_eq!(physical.postcode.as_deref(), Some("1011"));
        assert_eq!(
            physical.one_line(),
            "12 Queen Street, Ponsonby, Auckland 1011"
        );
        let postal = customer.postal_address.as_ref().expect("postal");
        assert_eq!(postal.city.as_deref(), Some("Wellington"));
        assert_eq!(postal.region.as_deref(), Some("Wellington"));
        assert_eq!(postal.postcode.as_deref(), Some("6011"));
        assert_eq!(postal.country.as_deref(), Some("New Zealand"));
        assert_eq!(postal.extra.get("careOf"), Some(&json!("Accounts")));
        assert_eq!(customer.extra.get("loyaltyLevel"), Some(&json!(3)));
        assert_eq!(
            customer
                .main_contact
                .as_ref()
                .map(Contact::full_name)
                .as_deref(),
            Some("Aroha Ngata")
        );

        let record = to_record(EntityKind::Customers, value.clone()).expect("maps");
        assert_eq!(record.title, "Aroha Ngata");
        assert_eq!(
            record.fields.get("postalAddress"),
            value.get("postalAddress")
        );
    }

    #[test]
    fn address_with_both_sets_at_once_prefers_the_fergus_names() {
        let address: Address = serde_json::from_value(json!({
            "addressCity": "Auckland", "city": "Hamilton", "postalCode": 3204
        }))
        .expect("parses");
        assert_eq!(address.city.as_deref(), Some("Auckland"));
        assert_eq!(address.postcode.as_deref(), Some("3204"));
    }

    #[test]
    fn site_title_uses_name_and_address() {
        let value = json!({"id": 88, "name": "Smith rental",
            "defaultContact": {"firstName": "Jo", "lastName": "Smith"},
            "physicalAddress": {"address1": "4 Beach Road", "city": "Tauranga", "postalCode": "3110"},
            "isArchived": false});
        let record = to_record(EntityKind::Sites, value).expect("maps");
        assert_eq!(record.title, "Smith rental · 4 Beach Road, Tauranga 3110");

        let site: Site = serde_json::from_value(json!({"id": 1,
            "siteAddress": {"address1": "1 Main St", "addressCity": "Nelson"}}))
        .expect("typed");
        assert_eq!(site.title(), "1 Main St, Nelson");
    }

    #[test]
    fn quote_invoice_user_time_entry_titles() {
        let quote = json!({"id": 12, "jobId": 1234, "versionNumber": 2, "title": "Bathroom renovation",
            "quoteDate": "2026-11-02", "isSent": true, "isAccepted": false,
            "sections": [{"name": "Labour", "lineItems": [
                {"itemName": "Plumber", "itemQuantity": 4, "itemPrice": "95.50", "isLabour": true}]}]});
        let record = to_record(EntityKind::Quotes, quote.clone()).expect("maps");
        assert_eq!(record.title, "Quote 12 (v2) · Bathroom renovation");
        let typed: Quote = serde_json::from_value(quote).expect("typed");
        let item = &typed.sections.expect("sections")[0]
            .line_items
            .clone()
            .expect("items")[0];
        assert_eq!(item.item_price, Some(95.5));
        assert_eq!(item.is_labour, Some(true));

        let invoice = json!({"id": 5, "jobId": 1234, "customerId": 77, "invoiceNumber": "INV-1042",
            "subtotal": 200.0, "taxValue": 30.0, "taxRate": 15, "status": "Sent",
            "dueDate": "2026-12-20", "paidAt": null});
        let record = to_record(EntityKind::Invoices, invoice).expect("maps");
        assert_eq!(record.title, "Invoice INV-1042 · Sent");

        let user = json!({"id": 3, "firstName": "Mere", "lastName": "Tane", "email": "m@x.nz",
            "userType": "full_user", "status": "active"});
        assert_eq!(
            to_record(EntityKind::Users, user).expect("maps").title,
            "Mere Tane"
        );

        let entry = json!({"timeEntryId": 991, "userId": 3, "jobId": 1234, "jobNo": 500,
            "startTime": "2026-12-01 08:00", "endTime": "2026-12-01 12:00",
            "paidDuration": 4, "isLocked": false});
        let record = to_record(EntityKind::TimeEntries, entry).expect("maps");
        assert_eq!(record.id, "991");
        assert_eq!(record.title, "Job-500 · 2026-12-01 08:00 – 12:00 · 4 h");
    }

    #[test]
    fn odd_shapes_never_fail_the_mapping_when_there_is_an_id() {
        // Types that do not match the typed record fall back to a plain title.
        let record = to_record(
            EntityKind::Customers,
            json!({"id": 5, "mainContact": "not an object"}),
        )
        .expect("maps");
        assert_eq!(record.title, "Customer 5");
        let record = to_record(
            EntityKind::Notes,
            json!({"id": 5, "text": "Gate code 1234\nmore"}),
        )
        .expect("maps");
        assert_eq!(record.title, "Gate code 1234");
    }

    #[test]
    fn records_without_id_or_not_objects_are_unexpected() {
        let e = to_record(EntityKind::Jobs, json!({"jobNo": 1})).expect_err("no id");
        assert_eq!(e.code, ErrorCode::UnexpectedResponse);
        let e = to_record(EntityKind::Jobs, json!([1, 2])).expect_err("array");
        assert_eq!(e.code, ErrorCode::UnexpectedResponse);
    }

    #[test]
    fn company_reads_either_name() {
        let c = Company::from_value(&json!({"id": 42, "name": "Smith Plumbing Ltd",
            "tax": {"rate": 15, "type": "GST"}}))
        .expect("company");
        assert_eq!(
            c,
            Company {
                id: "42".into(),
                name: "Smith Plumbing Ltd".into()
            }
        );
        let c = Company::from_value(&json!({"companyId": "7", "companyName": "Sparks"}))
            .expect("company");
        assert_eq!(c.id, "7");
        assert!(Company::from_value(&json!({"name": "no id"})).is_none());
        assert!(Company::from_value(&json!("text")).is_none());
    }
}
