//! The Fergus API routes: matching, list/get/create handlers, paging envelope.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use hyper::Method;
use serde::Serialize;
use serde_json::Value;

use crate::data::{
    round2, Address, CalendarEvent, Contact, ContactItem, ContactRef, Customer, CustomerInvoice,
    CustomerRef, Enquiry, Job, LineItem, Links, Note, Person, Quote, QuoteRef, QuoteSection, Site,
    SiteRef, Time, TimeEntry, User, ENQUIRY_STATUSES, JOB_TYPES,
};
use crate::http::{self, opt, req, validate, Field, Query, Resp, Ty};
use crate::server::Call;
use crate::state::{read, write};

/// Page sizes above this are served as this many records (`paging.perPage` says so).
pub const MAX_PAGE_SIZE: usize = 1000;
pub const DEFAULT_PAGE_SIZE: usize = 10;
/// Most calendar events one request returns (the endpoint is not paged).
pub const MAX_CALENDAR_EVENTS: usize = 5000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Version,
    Company,
    Disconnect,
    ListJobs,
    GetJob,
    CreateJob,
    UpdateDraftJob,
    FinaliseJob,
    HoldJob,
    ResumeJob,
    JobQuotes,
    ListQuotes,
    GetQuote,
    CreateQuote,
    QuoteAction,
    ListCustomers,
    GetCustomer,
    CreateCustomer,
    PutCustomer,
    DeleteCustomer,
    ListSites,
    GetSite,
    CreateSite,
    ArchiveSite,
    RestoreSite,
    ListContacts,
    GetContact,
    CreateContact,
    ListEnquiries,
    GetEnquiry,
    CreateEnquiry,
    ListUsers,
    GetUser,
    ListInvoices,
    GetInvoice,
    ListTimeEntries,
    GetTimeEntry,
    ListNotes,
    GetNote,
    CreateNote,
    ListCalendarEvents,
    GetCalendarEvent,
}

#[derive(Clone, Copy, Debug)]
pub struct Route {
    pub kind: Kind,
    /// Stable name used in the statistics, e.g. `GET /jobs/{id}`.
    pub label: &'static str,
    /// Index (in `path.split('/')`) of the `{id}` segment.
    pub id_segment: Option<usize>,
    pub sub_id_segment: Option<usize>,
}

pub fn match_route(method: &Method, path: &str) -> Option<Route> {
    let mut segments = [""; 4];
    let mut count = 0;
    for segment in path.split('/').skip(1) {
        if count == segments.len() || segment.is_empty() {
            return None;
        }
        segments[count] = segment;
        count += 1;
    }
    use Kind::*;
    // Like Fastify, every GET route also answers HEAD (hyper drops the body).
    let method = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    let (kind, label, id) = match (method, &segments[..count]) {
        ("GET", ["version"]) => (Version, "GET /version", None),
        ("GET", ["company"]) => (Company, "GET /company", None),
        ("POST", ["disconnect"]) => (Disconnect, "POST /disconnect", None),
        ("GET", ["jobs"]) => (ListJobs, "GET /jobs", None),
        ("POST", ["jobs"]) => (CreateJob, "POST /jobs", None),
        ("GET", ["jobs", "quotes"]) => (ListQuotes, "GET /jobs/quotes", None),
        ("GET", ["jobs", "quotes", _]) => (GetQuote, "GET /jobs/quotes/{id}", Some(3)),
        ("POST", ["jobs", "quotes", _, "publish"]) => {
            (QuoteAction, "POST /jobs/quotes/{id}/publish", Some(3))
        }
        ("POST", ["jobs", "quotes", _, "markAsSent"]) => {
            (QuoteAction, "POST /jobs/quotes/{id}/markAsSent", Some(3))
        }
        ("POST", ["jobs", "quotes", _, "accept"]) => {
            (QuoteAction, "POST /jobs/quotes/{id}/accept", Some(3))
        }
        ("POST", ["jobs", "quotes", _, "decline"]) => {
            (QuoteAction, "POST /jobs/quotes/{id}/decline", Some(3))
        }
        ("POST", ["jobs", "quotes", _, "void"]) => {
            (QuoteAction, "POST /jobs/quotes/{id}/void", Some(3))
        }
        ("POST", ["jobs", _, "quotes"]) => (CreateQuote, "POST /jobs/{id}/quotes", Some(2)),
        ("GET", ["jobs", _]) => (GetJob, "GET /jobs/{id}", Some(2)),
        ("GET", ["jobs", _, "quotes"]) => (JobQuotes, "GET /jobs/{id}/quotes", Some(2)),
        ("PUT", ["jobs", _]) => (UpdateDraftJob, "PUT /jobs/{id}", Some(2)),
        ("PUT", ["jobs", _, "finalise"]) => (FinaliseJob, "PUT /jobs/{id}/finalise", Some(2)),
        ("POST", ["jobs", _, "hold"]) => (HoldJob, "POST /jobs/{id}/hold", Some(2)),
        ("POST", ["jobs", _, "resume"]) => (ResumeJob, "POST /jobs/{id}/resume", Some(2)),
        ("GET", ["customers"]) => (ListCustomers, "GET /customers", None),
        ("POST", ["customers"]) => (CreateCustomer, "POST /customers", None),
        ("GET", ["customers", _]) => (GetCustomer, "GET /customers/{id}", Some(2)),
        ("PUT", ["customers", _]) => (PutCustomer, "PUT /customers/{id}", Some(2)),
        ("DELETE", ["customers", _]) => (DeleteCustomer, "DELETE /customers/{id}", Some(2)),
        ("GET", ["sites"]) => (ListSites, "GET /sites", None),
        ("POST", ["sites"]) => (CreateSite, "POST /sites", None),
        ("GET", ["sites", _]) => (GetSite, "GET /sites/{id}", Some(2)),
        ("POST", ["sites", _, "archive"]) => (ArchiveSite, "POST /sites/{id}/archive", Some(2)),
        ("POST", ["sites", _, "restore"]) => (RestoreSite, "POST /sites/{id}/restore", Some(2)),
        ("GET", ["contacts"]) => (ListContacts, "GET /contacts", None),
        ("POST", ["contacts"]) => (CreateContact, "POST /contacts", None),
        ("GET", ["contacts", _]) => (GetContact, "GET /contacts/{id}", Some(2)),
        ("GET", ["enquiries"]) => (ListEnquiries, "GET /enquiries", None),
        ("POST", ["enquiries"]) => (CreateEnquiry, "POST /enquiries", None),
        ("GET", ["enquiries", _]) => (GetEnquiry, "GET /enquiries/{id}", Some(2)),
        ("GET", ["users"]) => (ListUsers, "GET /users", None),
        ("GET", ["users", _]) => (GetUser, "GET /users/{id}", Some(2)),
        ("GET", ["customerInvoices"]) => (ListInvoices, "GET /customerInvoices", None),
        ("GET", ["customerInvoices", _]) => (GetInvoice, "GET /customerInvoices/{id}", Some(2)),
        ("GET", ["timeEntries"]) => (ListTimeEntries, "GET /timeEntries", None),
        ("GET", ["timeEntries", _]) => (GetTimeEntry, "GET /timeEntries/{id}", Some(2)),
        ("GET", ["notes"]) => (ListNotes, "GET /notes", None),
        ("POST", ["notes"]) => (CreateNote, "POST /notes", None),
        ("GET", ["notes", _]) => (GetNote, "GET /notes/{id}", Some(2)),
        ("GET", ["calendarEvents"]) => (ListCalendarEvents, "GET /calendarEvents", None),
        ("GET", ["calendarEvents", _]) => (GetCalendarEvent, "GET /calendarEvents/{id}", Some(2)),
        _ => return None,
    };
    Some(Route {
        kind,
        label,
        id_segment: id,
        sub_id_segment: None,
    })
}

pub fn dispatch(kind: Kind, label: &'static str, call: Call<'_>) -> Resp {
    use Kind::*;
    match kind {
        Version => http::json(
            hyper::StatusCode::OK,
            &serde_json::json!({"message": crate::state::FERGUS_VERSION}),
        ),
        Company => {
            let data = read(&call.company.data);
            http::single(&data.set.company)
        }
        // Acknowledged without revoking anything: what Fergus does on this
        // route for a personal access token is not documented.
        Disconnect => http::json(
            hyper::StatusCode::OK,
            &serde_json::json!({"result": "success"}),
        ),
        ListJobs => list_jobs(&call),
        GetJob => get_one(&call, "Job", |d| &d.set.jobs),
        CreateJob => create_job(call),
        UpdateDraftJob => update_draft_job(call),
        FinaliseJob => finalise_job(&call),
        HoldJob => set_on_hold(&call, true),
        ResumeJob => set_on_hold(&call, false),
        JobQuotes => job_quotes(&call),
        ListQuotes => list_quotes(&call),
        GetQuote => get_one(&call, "Quote", |d| &d.set.quotes),
        CreateQuote => create_quote(call),
        QuoteAction => quote_action(&call, label.rsplit('/').next().unwrap_or_default()),
        ListCustomers => list_customers(&call),
        GetCustomer => get_customer(&call),
        CreateCustomer => create_customer(call),
        PutCustomer => put_customer(call),
        DeleteCustomer => delete_customer(&call),
        ListSites => list_sites(&call),
        GetSite => get_one(&call, "Site", |d| &d.set.sites),
        CreateSite => create_site(call),
        ArchiveSite => set_site_archived(&call, true),
        RestoreSite => set_site_archived(&call, false),
        ListContacts => list_contacts(&call),
        GetContact => get_one(&call, "Contact", |d| &d.set.contacts),
        CreateContact => create_contact(call),
        ListEnquiries => list_enquiries(&call),
        GetEnquiry => get_one(&call, "Enquiry", |d| &d.set.enquiries),
        CreateEnquiry => create_enquiry(call),
        ListUsers => list_users(&call),
        GetUser => get_user(&call),
        ListInvoices => list_invoices(&call),
        GetInvoice => get_one(&call, "CustomerInvoice", |d| &d.set.invoices),
        ListTimeEntries => list_time_entries(&call),
        GetTimeEntry => get_one(&call, "TimeEntry", |d| &d.set.time_entries),
        ListNotes => list_notes(&call),
        GetNote => get_one(&call, "Note", |d| &d.set.notes),
        CreateNote => create_note(call),
        ListCalendarEvents => list_calendar_events(&call),
        GetCalendarEvent => get_one(&call, "CalendarEvent", |d| &d.set.calendar_events),
    }
}

// ---------------------------------------------------------------- records

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key<'a> {
    Null,
    Int(i64),
    Str(&'a str),
}

fn time_key(time: &Time) -> Key<'_> {
    Key::Int(time.timestamp_millis())
}

fn date_key(date: &NaiveDate) -> Key<'_> {
    Key::Int(i64::from(chrono::Datelike::num_days_from_ce(date)))
}

fn money_key(value: f64) -> Key<'static> {
    Key::Int((value * 100.0).round() as i64)
}

pub trait Record: Serialize {
    const PATH: &'static str;
    const SORT_FIELDS: &'static [&'static str];
    fn id(&self) -> i64;
    fn sort_key(&self, field: &str) -> Key<'_>;
}

impl Record for Job {
    const PATH: &'static str = "/jobs";
    const SORT_FIELDS: &'static [&'static str] = &[
        "id",
        "jobNo",
        "title",
        "description",
        "status",
        "jobType",
        "createdAt",
        "lastModified",
    ];
    fn id(&self) -> i64 {
        self.id
    }
    fn sort_key(&self, field: &str) -> Key<'_> {
        match field {
            "jobNo" => Key::Int(self.job_no),
            "title" => Key::Str(&self.title),
            "description" => Key::Str(&self.description),
            "status" => Key::Str(&self.status),
            "jobType" => Key::Str(&self.job_type),
            "createdAt" => time_key(&self.created_at),
            "lastModified" => time_key(&self.last_modified),
            _ => Key::Int(self.id),
        }
    }
}

impl Record for Customer {
    const PATH: &'static str = "/customers";
    const SORT_FIELDS: &'static [&'static str] =
        &["id", "customerFullName", "createdAt", "lastModified"];
    fn id(&self) -> i64 {
        self.id
    }
    fn sort_key(&self, field: &str) -> Key<'_> {
        match field {
            "customerFullName" => Key::Str(&self.customer_full_name),
            "createdAt" => time_key(&self.created_at),
            "lastModified" => time_key(&self.last_modified),
            _ => Key::Int(self.id),
        }
    }
}

impl Record for Site {
    const PATH: &'static str = "/sites";
    const SORT_FIELDS: &'static [&'static str] = &["id", "name", "createdAt", "lastModified"];
    fn id(&self) -> i64 {
        self.id
    }
    fn sort_key(&self, field: &str) -> Key<'_> {
        match field {
            "name" => Key::Str(&self.name),
            "createdAt" => time_key(&self.created_at),
            "lastModified" => time_key(&self.last_modified),
            _ => Key::Int(self.id),
        }
    }
}

impl Record for Contact {
    const PATH: &'static str = "/contacts";
    const SORT_FIELDS: &'static [&'static str] =
        &["id", "firstName", "lastName", "createdAt", "lastModified"];
    fn id(&self) -> i64 {
        self.id
    }
    fn sort_key(&self, field: &str) -> Key<'_> {
        match field {
            "firstName" => Key::Str(&self.first_name),
            "lastName" => Key::Str(&self.last_name),
            "createdAt" => time_key(&self.created_at),
            "lastModified" => time_key(&self.last_modified),
            _ => Key::Int(self.id),
        }
    }
}

impl Record for Enquiry {
    const PATH: &'static str = "/enquiries";
    const SORT_FIELDS: &'static [&'static str] =
        &["id", "status", "title", "createdAt", "lastModified"];
    fn id(&self) -> i64 {
        self.id
    }
    fn sort_key(&self, field: &str) -> Key<'_> {
        match field {
            "status" => Key::Str(&self.status),
            "title" => Key::Str(&self.title),
            "createdAt" => time_key(&self.created_at),
            "lastModified" => time_key(&self.last_modified),
            _ => Key::Int(self.id),
        }
    }
}

impl Record for User {
    const PATH: &'static str = "/users";
    const SORT_FIELDS: &'static [&'static str] =
        &["id", "firstName", "lastName", "email", "userType", "status"];
    fn id(&self) -> i64 {
        self.id
    }
    fn sort_key(&self, field: &str) -> Key<'_> {
        match field {
            "firstName" => Key::Str(&self.first_name),
            "lastName" => Key::Str(&self.last_name),
            "email" => Key::Str(&self.email),
            "userType" => Key::Str(&self.user_type),
            "status" => Key::Str(&self.status),
            _ => Key::Int(self.id),
        }
    }
}

impl Record for Quote {
    const PATH: &'static str = "/jobs/quotes";
    const SORT_FIELDS: &'static [&'static str] = &[
        "id",
        "jobId",
        "versionNumber",
        "quoteDate",
        "dueDate",
        "status",
        "createdAt",
        "lastModified",
    ];
    fn id(&self) -> i64 {
        self.id
    }
    fn sort_key(&self, field: &str) -> Key<'_> {
        match field {
            "jobId" => Key::Int(self.job_id),
            "versionNumber" => Key::Int(i64::from(self.version_number)),
            "quoteDate" => date_key(&self.quote_date),
            "dueDate" => date_key(&self.due_date),
            "status" => Key::Str(self.status),
            "createdAt" => time_key(&self.created_at),
            "lastModified" => time_key(&self.last_modified),
            _ => Key::Int(self.id),
        }
    }
}

impl Record for CustomerInvoice {
    const PATH: &'static str = "/customerInvoices";
    const SORT_FIELDS: &'static [&'static str] = &[
        "id",
        "invoiceNumber",
        "invoiceDate",
        "dueDate",
        "total",
        "status",
        "createdAt",
        "lastModified",
    ];
    fn id(&self) -> i64 {
        self.id
    }
    fn sort_key(&self, field: &str) -> Key<'_> {
        match field {
            "invoiceNumber" => Key::Str(&self.invoice_number),
            "invoiceDate" => date_key(&self.invoice_date),
            "dueDate" => date_key(&self.due_date),
            "total" => money_key(self.total),
            "status" => Key::Str(self.status),
            "createdAt" => time_key(&self.created_at),
            "lastModified" => time_key(&self.last_modified),
            _ => Key::Int(self.id),
        }
    }
}

impl Record for TimeEntry {
    const PATH: &'static str = "/timeEntries";
    const SORT_FIELDS: &'static [&'static str] =
        &["timeEntryId", "id", "startTime", "userId", "jobId"];
    fn id(&self) -> i64 {
        self.time_entry_id
    }
    fn sort_key(&self, field: &str) -> Key<'_> {
        match field {
            "startTime" => time_key(&self.start),
            "userId" => Key::Int(self.user_id),
            "jobId" => Key::Int(self.job_id),
            _ => Key::Int(self.time_entry_id),
        }
    }
}

impl Record for Note {
    const PATH: &'static str = "/notes";
    const SORT_FIELDS: &'static [&'static str] = &["id", "created_at", "createdAt"];
    fn id(&self) -> i64 {
        self.id
    }
    fn sort_key(&self, field: &str) -> Key<'_> {
        match field {
            "created_at" | "createdAt" => time_key(&self.created_at),
            _ => Key::Int(self.id),
        }
    }
}

impl Record for CalendarEvent {
    const PATH: &'static str = "/calendarEvents";
    const SORT_FIELDS: &'static [&'static str] = &["id", "startTime"];
    fn id(&self) -> i64 {
        self.id
    }
    fn sort_key(&self, field: &str) -> Key<'_> {
        match field {
            "startTime" => time_key(&self.start_time),
            _ => Key::Int(self.id),
        }
    }
}

// ---------------------------------------------------------------- paging

struct PageRequest {
    cursor: usize,
    size: usize,
    sort: Option<(String, bool)>,
}

fn page_request<R: Record>(query: &Query, errors: &mut Vec<String>) -> PageRequest {
    let cursor = match query.int("pageCursor", errors) {
        Some(c) if c < 0 => {
            errors.push("querystring/pageCursor must be >= 0".to_owned());
            0
        }
        Some(c) => usize::try_from(c).unwrap_or(usize::MAX),
        None => 0,
    };
    let size = match query.int("pageSize", errors) {
        Some(s) if s < 1 => {
            errors.push("querystring/pageSize must be >= 1".to_owned());
            DEFAULT_PAGE_SIZE
        }
        Some(s) => usize::try_from(s)
            .unwrap_or(MAX_PAGE_SIZE)
            .min(MAX_PAGE_SIZE),
        None => DEFAULT_PAGE_SIZE,
    };
    let descending = match query.get("sortOrder") {
        None => false,
        Some(order) if order.eq_ignore_ascii_case("asc") => false,
        Some(order) if order.eq_ignore_ascii_case("desc") => true,
        Some(_) => {
            errors.push(
                "querystring/sortOrder must be equal to one of the allowed values (asc, desc)"
                    .to_owned(),
            );
            false
        }
    };
    let sort = match query.get("sortField") {
        None | Some("") => {
            if descending {
                Some(("id".to_owned(), true))
            } else {
                None
            }
        }
        Some(field) if R::SORT_FIELDS.contains(&field) => Some((field.to_owned(), descending)),
        Some(_) => {
            errors.push(format!(
                "querystring/sortField must be equal to one of the allowed values ({})",
                R::SORT_FIELDS.join(", ")
            ));
            None
        }
    };
    PageRequest { cursor, size, sort }
}

#[derive(Serialize)]
struct PageLinks {
    #[serde(rename = "self")]
    self_link: String,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Paging {
    per_page: usize,
    page_count: usize,
    links: PageLinks,
}

#[derive(Serialize)]
struct ListEnvelope<'a, R> {
    result: &'static str,
    data: Vec<&'a R>,
    paging: Paging,
}

type Filter<'f, R> = Option<Box<dyn Fn(&R) -> bool + 'f>>;

/// Filter, sort and page `items` (sorted by id) into the Fergus envelope.
fn list<R: Record>(
    call: &Call<'_>,
    items: &[R],
    filter: Filter<'_, R>,
    page: &PageRequest,
) -> Resp {
    let (data, total): (Vec<&R>, usize) = match (&filter, &page.sort) {
        (None, None) => {
            let start = page.cursor.min(items.len());
            let end = start.saturating_add(page.size).min(items.len());
            (items[start..end].iter().collect(), items.len())
        }
        _ => {
            let mut chosen: Vec<&R> = match &filter {
                Some(keep) => items.iter().filter(|r| keep(r)).collect(),
                None => items.iter().collect(),
            };
            if let Some((field, descending)) = &page.sort {
                let field = field.as_str();
                chosen.sort_by(|a, b| {
                    let order = a.sort_key(field).cmp(&b.sort_key(field));
                    let order = if *descending { order.reverse() } else { order };
                    order.then(a.id().cmp(&b.id()))
                });
            }
            let total = chosen.len();
            let start = page.cursor.min(total);
            let end = start.saturating_add(page.size).min(total);
            chosen.truncate(end);
            chosen.drain(..start);
            (chosen, total)
        }
    };
    let extra = call.query.passthrough();
    let path = R::PATH;
    let size = page.size;
    let link = |cursor: usize| format!("{path}?pageCursor={cursor}&pageSize={size}{extra}");
    let buggy =
        |cursor: usize| format!("{path}?pageCursor=0&pageSize={size}{extra}&pageCursor={cursor}");
    let cursor_bug = call
        .state
        .cursor_bug
        .load(std::sync::atomic::Ordering::Relaxed);
    let previous_cursor = (page.cursor > 0).then(|| page.cursor.saturating_sub(size));
    let next_cursor = page.cursor.checked_add(size).filter(|next| *next < total);
    let links = if cursor_bug {
        PageLinks {
            self_link: buggy(page.cursor),
            previous: previous_cursor.map(buggy),
            next: next_cursor.map(link),
        }
    } else {
        PageLinks {
            self_link: link(page.cursor),
            previous: previous_cursor.map(link),
            next: next_cursor.map(link),
        }
    };
    http::json(
        hyper::StatusCode::OK,
        &ListEnvelope {
            result: "success",
            data,
            paging: Paging {
                per_page: size,
                page_count: total.div_ceil(size),
                links,
            },
        },
    )
}

fn parse_id(call: &Call<'_>) -> Result<i64, Resp> {
    call.id
        .and_then(|text| text.parse::<i64>().ok())
        .ok_or_else(|| http::validation_failed(&["params/id must be integer".to_owned()]))
}

fn find<R: Record>(items: &[R], id: i64) -> Option<&R> {
    items
        .binary_search_by_key(&id, |r| r.id())
        .ok()
        .map(|index| &items[index])
}

fn get_one<R: Record>(
    call: &Call<'_>,
    kind: &str,
    items: impl Fn(&crate::state::CompanyData) -> &Vec<R>,
) -> Resp {
    let id = match parse_id(call) {
        Ok(id) => id,
        Err(response) => return response,
    };
    let data = read(&call.company.data);
    match find(items(&data), id) {
        Some(record) => http::single(record),
        None => http::record_not_found(kind, id),
    }
}

// ---------------------------------------------------------------- filters

/// Case-insensitive (ASCII) substring test; `needle` must already be lowercase.
fn contains_ci(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    let needle = needle.as_bytes();
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle))
}

fn one_of(value: &str, wanted: &[String]) -> bool {
    wanted.iter().any(|w| w.eq_ignore_ascii_case(value))
}

fn list_param(query: &Query, key: &str) -> Option<Vec<String>> {
    query.get(key).filter(|v| !v.is_empty()).map(|value| {
        value
            .split(',')
            .map(|part| part.trim().to_owned())
            .filter(|part| !part.is_empty())
            .collect()
    })
}

fn time_param(query: &Query, key: &str, errors: &mut Vec<String>) -> Option<Time> {
    let text = query.get(key).filter(|v| !v.is_empty())?;
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return date.and_hms_opt(0, 0, 0).map(|naive| naive.and_utc());
    }
    if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S") {
        return Some(naive.and_utc());
    }
    errors.push(format!("querystring/{key} must match format \"date-time\""));
    None
}

fn first_present<'a>(query: &Query, keys: &[&'a str]) -> Option<&'a str> {
    keys.iter().copied().find(|key| query.get(key).is_some())
}

macro_rules! bail_on_errors {
    ($errors:expr) => {
        if !$errors.is_empty() {
            return http::validation_failed(&$errors);
        }
    };
}

fn list_jobs(call: &Call<'_>) -> Resp {
    let q = call.query;
    let mut errors = Vec::new();
    let page = page_request::<Job>(q, &mut errors);
    let job_no = match q.get("filterJobNo").filter(|v| !v.is_empty()) {
        None => None,
        Some(text) => {
            let digits = text
                .strip_prefix("Job-")
                .or_else(|| text.strip_prefix("job-"))
                .unwrap_or(text);
            match digits.trim().parse::<i64>() {
                Ok(number) => Some(number),
                Err(_) => {
                    errors.push("querystring/filterJobNo must be integer".to_owned());
                    None
                }
            }
        }
    };
    let statuses = list_param(q, "filterJobStatus");
    let types = list_param(q, "filterJobType");
    let customer_id = q.int("filterCustomerId", &mut errors);
    let site_id = q.int("filterSiteId", &mut errors);
    let search = q
        .get("filterSearchText")
        .filter(|v| !v.is_empty())
        .map(str::to_lowercase);
    bail_on_errors!(errors);
    let data = read(&call.company.data);
    let any = job_no.is_some()
        || statuses.is_some()
        || types.is_some()
        || customer_id.is_some()
        || site_id.is_some()
        || search.is_some();
    let filter: Filter<'_, Job> = if any {
        Some(Box::new(move |job: &Job| {
            job_no.is_none_or(|n| job.job_no == n)
                && statuses.as_ref().is_none_or(|s| one_of(&job.status, s))
                && types.as_ref().is_none_or(|t| one_of(&job.job_type, t))
                && customer_id.is_none_or(|id| job.customer.as_ref().is_some_and(|c| c.id == id))
                && site_id.is_none_or(|id| job.site_address.as_ref().is_some_and(|s| s.id == id))
                && search.as_deref().is_none_or(|needle| {
                    contains_ci(&job.title, needle)
                        || contains_ci(&job.description, needle)
                        || job
                            .customer
                            .as_ref()
                            .is_some_and(|c| contains_ci(&c.customer_full_name, needle))
                        || job.job_no.to_string() == needle
                })
        }))
    } else {
        None
    };
    list(call, &data.set.jobs, filter, &page)
}

fn list_quotes(call: &Call<'_>) -> Resp {
    let q = call.query;
    let mut errors = Vec::new();
    let page = page_request::<Quote>(q, &mut errors);
    let statuses = list_param(q, "filterStatus");
    let created_after = time_param(q, "createdAfter", &mut errors);
    let modified_after = time_param(q, "modifiedAfter", &mut errors);
    let job_id = q.int("filterJobId", &mut errors);
    bail_on_errors!(errors);
    let data = read(&call.company.data);
    let filter: Filter<'_, Quote> = if statuses.is_some()
        || created_after.is_some()
        || modified_after.is_some()
        || job_id.is_some()
    {
        Some(Box::new(move |quote: &Quote| {
            statuses.as_ref().is_none_or(|s| one_of(quote.status, s))
                && created_after.is_none_or(|t| quote.created_at > t)
                && modified_after.is_none_or(|t| quote.last_modified > t)
                && job_id.is_none_or(|id| quote.job_id == id)
        }))
    } else {
        None
    };
    list(call, &data.set.quotes, filter, &page)
}

fn job_quotes(call: &Call<'_>) -> Resp {
    let job_id = match parse_id(call) {
        Ok(id) => id,
        Err(response) => return response,
    };
    let mut errors = Vec::new();
    let page = page_request::<Quote>(call.query, &mut errors);
    bail_on_errors!(errors);
    let data = read(&call.company.data);
    if find(&data.set.jobs, job_id).is_none() {
        return http::record_not_found("Job", job_id);
    }
    let filter: Filter<'_, Quote> = Some(Box::new(move |quote: &Quote| quote.job_id == job_id));
    list(call, &data.set.quotes, filter, &page)
}

fn list_customers(call: &Call<'_>) -> Resp {
    let q = call.query;
    let mut errors = Vec::new();
    let page = page_request::<Customer>(q, &mut errors);
    let search = q
        .get("filterSearchText")
        .filter(|v| !v.is_empty())
        .map(str::to_lowercase);
    bail_on_errors!(errors);
    let data = read(&call.company.data);
    let filter: Filter<'_, Customer> = if search.is_some() || data.deleted_customers > 0 {
        Some(Box::new(move |customer: &Customer| {
            !customer.deleted
                && search.as_deref().is_none_or(|needle| {
                    contains_ci(&customer.customer_full_name, needle)
                        || contains_ci(&customer.main_contact.first_name, needle)
                        || contains_ci(&customer.main_contact.last_name, needle)
                })
        }))
    } else {
        None
    };
    list(call, &data.set.customers, filter, &page)
}

fn get_customer(call: &Call<'_>) -> Resp {
    let id = match parse_id(call) {
        Ok(id) => id,
        Err(response) => return response,
    };
    let data = read(&call.company.data);
    match find(&data.set.customers, id).filter(|c| !c.deleted) {
        Some(customer) => http::single(customer),
        None => http::record_not_found("Customer", id),
    }
}

fn list_sites(call: &Call<'_>) -> Resp {
    let q = call.query;
    let mut errors = Vec::new();
    let page = page_request::<Site>(q, &mut errors);
    let customer_id = q.int("filterCustomerId", &mut errors);
    let search = q
        .get("filterSearchText")
        .filter(|v| !v.is_empty())
        .map(str::to_lowercase);
    bail_on_errors!(errors);
    let data = read(&call.company.data);
    let filter: Filter<'_, Site> = if customer_id.is_some() || search.is_some() {
        Some(Box::new(move |site: &Site| {
            customer_id.is_none_or(|id| site.customer_id == Some(id))
                && search
                    .as_deref()
                    .is_none_or(|needle| contains_ci(&site.name, needle))
        }))
    } else {
        None
    };
    list(call, &data.set.sites, filter, &page)
}

fn list_contacts(call: &Call<'_>) -> Resp {
    let q = call.query;
    let mut errors = Vec::new();
    let page = page_request::<Contact>(q, &mut errors);
    let customer_id = q.int("filterCustomerId", &mut errors);
    let search = q
        .get("filterSearchText")
        .filter(|v| !v.is_empty())
        .map(str::to_lowercase);
    bail_on_errors!(errors);
    let data = read(&call.company.data);
    let filter: Filter<'_, Contact> = if customer_id.is_some() || search.is_some() {
        Some(Box::new(move |contact: &Contact| {
            customer_id.is_none_or(|id| contact.customer_id == Some(id))
                && search.as_deref().is_none_or(|needle| {
                    contains_ci(&contact.first_name, needle)
                        || contains_ci(&contact.last_name, needle)
                })
        }))
    } else {
        None
    };
    list(call, &data.set.contacts, filter, &page)
}

fn list_enquiries(call: &Call<'_>) -> Resp {
    let q = call.query;
    let mut errors = Vec::new();
    let page = page_request::<Enquiry>(q, &mut errors);
    let status = q.get("filterStatus").filter(|v| !v.is_empty());
    if let Some(status) = status {
        if !ENQUIRY_STATUSES.contains(&status) {
            errors.push(format!(
                "querystring/filterStatus must be equal to one of the allowed values ({})",
                ENQUIRY_STATUSES.join(", ")
            ));
        }
    }
    bail_on_errors!(errors);
    let data = read(&call.company.data);
    let filter: Filter<'_, Enquiry> = status.map(|status| {
        Box::new(move |enquiry: &Enquiry| enquiry.status == status) as Box<dyn Fn(&Enquiry) -> bool>
    });
    list(call, &data.set.enquiries, filter, &page)
}

fn list_users(call: &Call<'_>) -> Resp {
    let mut errors = Vec::new();
    let page = page_request::<User>(call.query, &mut errors);
    bail_on_errors!(errors);
    let data = read(&call.company.data);
    let filter: Filter<'_, User> = Some(Box::new(|user: &User| !user.deleted));
    list(call, &data.set.users, filter, &page)
}

fn get_user(call: &Call<'_>) -> Resp {
    let id = match parse_id(call) {
        Ok(id) => id,
        Err(response) => return response,
    };
    let data = read(&call.company.data);
    match find(&data.set.users, id).filter(|u| !u.deleted) {
        Some(user) => http::single(user),
        None => http::record_not_found("User", id),
    }
}

fn list_invoices(call: &Call<'_>) -> Resp {
    let q = call.query;
    let mut errors = Vec::new();
    let page = page_request::<CustomerInvoice>(q, &mut errors);
    let customer_id = q.int("customerId", &mut errors);
    let job_id = q.int("jobId", &mut errors);
    let number = q.get("invoiceNumber").filter(|v| !v.is_empty());
    let due_before = time_param(q, "dueBefore", &mut errors).map(|t| t.date_naive());
    let due_after = time_param(q, "dueAfter", &mut errors).map(|t| t.date_naive());
    bail_on_errors!(errors);
    let data = read(&call.company.data);
    let any = customer_id.is_some()
        || job_id.is_some()
        || number.is_some()
        || due_before.is_some()
        || due_after.is_some();
    let filter: Filter<'_, CustomerInvoice> = if any {
        Some(Box::new(move |invoice: &CustomerInvoice| {
            customer_id.is_none_or(|id| invoice.customer_id == id)
                && job_id.is_none_or(|id| invoice.job_id == id)
                && number.is_none_or(|n| invoice.invoice_number.eq_ignore_ascii_case(n))
                && due_before.is_none_or(|d| invoice.due_date < d)
                && due_after.is_none_or(|d| invoice.due_date > d)
        }))
    } else {
        None
    };
    list(call, &data.set.invoices, filter, &page)
}

fn list_time_entries(call: &Call<'_>) -> Resp {
    let q = call.query;
    let mut errors = Vec::new();
    let page = page_request::<TimeEntry>(q, &mut errors);
    let from_key = first_present(q, &["dateFrom", "startDate"]).unwrap_or("dateFrom");
    let to_key = first_present(q, &["dateTo", "endDate"]).unwrap_or("dateTo");
    let from = time_param(q, from_key, &mut errors);
    let to = time_param(q, to_key, &mut errors);
    let user_id = q.int(
        first_present(q, &["userId", "filterUserId"]).unwrap_or("userId"),
        &mut errors,
    );
    let job_id = q.int(
        first_present(q, &["jobId", "filterJobId"]).unwrap_or("jobId"),
        &mut errors,
    );
    bail_on_errors!(errors);
    // Without dates Fergus answers the last week only.
    let (from, to) = match (from, to) {
        (None, None) => {
            let now = call.state.now();
            (
                now.checked_sub_signed(Duration::days(7)).unwrap_or(now),
                now,
            )
        }
        (Some(from), None) => (from, DateTime::<Utc>::MAX_UTC),
        (None, Some(to)) => (DateTime::<Utc>::MIN_UTC, to),
        (Some(from), Some(to)) => (from, to),
    };
    let data = read(&call.company.data);
    let filter: Filter<'_, TimeEntry> = Some(Box::new(move |entry: &TimeEntry| {
        entry.start >= from
            && entry.start <= to
            && user_id.is_none_or(|id| entry.user_id == id)
            && job_id.is_none_or(|id| entry.job_id == id)
    }));
    list(call, &data.set.time_entries, filter, &page)
}

const NOTE_ENTITIES: &[&str] = &["JOB", "CUSTOMER", "SITE", "QUOTE", "ENQUIRY", "CONTACT"];

fn list_notes(call: &Call<'_>) -> Resp {
    let q = call.query;
    let mut errors = Vec::new();
    let page = page_request::<Note>(q, &mut errors);
    let entity = q.get("filterEntityName").filter(|v| !v.is_empty());
    let entity_id = q.int("filterEntityId", &mut errors);
    bail_on_errors!(errors);
    let data = read(&call.company.data);
    let filter: Filter<'_, Note> = if entity.is_some() || entity_id.is_some() {
        Some(Box::new(move |note: &Note| {
            entity.is_none_or(|e| note.entity_name.eq_ignore_ascii_case(e))
                && entity_id.is_none_or(|id| note.entity_id == id)
        }))
    } else {
        None
    };
    list(call, &data.set.notes, filter, &page)
}

fn list_calendar_events(call: &Call<'_>) -> Resp {
    let q = call.query;
    let mut errors = Vec::new();
    let from_key = first_present(q, &["startDate", "dateFrom"]).unwrap_or("startDate");
    let to_key = first_present(q, &["endDate", "dateTo"]).unwrap_or("endDate");
    let from = time_param(q, from_key, &mut errors);
    let to = time_param(q, to_key, &mut errors);
    let user_id = q.int("userId", &mut errors);
    bail_on_errors!(errors);
    let today = call
        .state
        .now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|naive| naive.and_utc())
        .unwrap_or_else(|| call.state.now());
    let from = from.unwrap_or(today);
    let to = to.unwrap_or_else(|| {
        from.checked_add_signed(Duration::days(7))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    });
    let data = read(&call.company.data);
    let events: Vec<&CalendarEvent> = data
        .set
        .calendar_events
        .iter()
        .filter(|e| e.start_time < to && e.end_time > from)
        .filter(|e| user_id.is_none_or(|id| e.user_id == id))
        .take(MAX_CALENDAR_EVENTS)
        .collect();
    http::json(
        hyper::StatusCode::OK,
        &serde_json::json!({"result": "success", "data": events}),
    )
}

// ---------------------------------------------------------------- writes

const ADDRESS: &[Field] = &[
    opt("address1", Ty::Str),
    opt("address2", Ty::Str),
    opt("addressSuburb", Ty::Str),
    opt("addressCity", Ty::Str),
    opt("addressRegion", Ty::Str),
    opt("addressPostcode", Ty::Str),
    opt("addressCountry", Ty::Str),
    opt("city", Ty::Str),
    opt("state", Ty::Str),
    opt("postalCode", Ty::Str),
    opt("country", Ty::Str),
];
const CONTACT_ITEM: &[Field] = &[req("contactType", Ty::Str), req("contactValue", Ty::Str)];
const PERSON: &[Field] = &[
    req("firstName", Ty::Str),
    opt("lastName", Ty::Str),
    opt("contactItems", Ty::ArrOf(CONTACT_ITEM)),
];
const PERSON_FULL_NAME: &[Field] = &[
    req("firstName", Ty::Str),
    req("lastName", Ty::Str),
    opt("contactItems", Ty::ArrOf(CONTACT_ITEM)),
];
const CUSTOMER_BODY: &[Field] = &[
    req("customerFullName", Ty::Str),
    req("mainContact", Ty::Obj(PERSON)),
    opt("physicalAddress", Ty::Obj(ADDRESS)),
    opt("postalAddress", Ty::Obj(ADDRESS)),
    opt("billingContact", Ty::Obj(PERSON)),
];
const JOB_BODY: &[Field] = &[
    req("jobType", Ty::Str),
    req("title", Ty::Str),
    opt("isDraft", Ty::Bool),
    opt("description", Ty::Str),
    opt("longDescription", Ty::Str),
    opt("customerId", Ty::Int),
    opt("siteId", Ty::Int),
    opt("customerReference", Ty::Str),
];
const SITE_BODY: &[Field] = &[
    opt("name", Ty::Str),
    opt("customerId", Ty::Int),
    req("defaultContact", Ty::Obj(PERSON_FULL_NAME)),
    req("siteAddress", Ty::Obj(ADDRESS)),
];
const CONTACT_BODY: &[Field] = &[
    req("firstName", Ty::Str),
    opt("lastName", Ty::Str),
    opt("position", Ty::Str),
    opt("customerId", Ty::Int),
    opt("contactItems", Ty::ArrOf(CONTACT_ITEM)),
];
const ENQUIRY_BODY: &[Field] = &[
    req("title", Ty::Str),
    opt("description", Ty::Str),
    opt("contactName", Ty::Str),
    opt("contactPhone", Ty::Str),
    opt("contactEmail", Ty::Str),
    opt("customerId", Ty::Int),
    opt("address", Ty::Obj(ADDRESS)),
];
const NOTE_BODY: &[Field] = &[
    req("entityName", Ty::Str),
    req("entityId", Ty::Int),
    req("text", Ty::Str),
];

/// Validate the body against `fields`; `Err` is the 400 response.
fn checked_body(body: Option<Value>, fields: &[Field]) -> Result<Value, Resp> {
    let Some(body) = body else {
        return Err(http::validation_failed(&["body must be object".to_owned()]));
    };
    let mut errors = Vec::new();
    validate(&body, fields, "body", &mut errors);
    if errors.is_empty() {
        Ok(body)
    } else {
        Err(http::validation_failed(&errors))
    }
}

fn text(value: &Value, key: &str) -> String {
    http::str_field(value, key).unwrap_or_default().to_owned()
}

fn address_from(value: Option<&Value>) -> Address {
    let Some(value) = value else {
        return Address::default();
    };
    let either = |a: &str, b: &str| {
        http::str_field(value, a)
            .or_else(|| http::str_field(value, b))
            .unwrap_or_default()
            .to_owned()
    };
    Address {
        address1: text(value, "address1"),
        address2: text(value, "address2"),
        address_suburb: text(value, "addressSuburb"),
        address_city: either("addressCity", "city"),
        address_region: either("addressRegion", "state"),
        address_postcode: either("addressPostcode", "postalCode"),
        address_country: either("addressCountry", "country"),
    }
}

fn contact_items_from(value: Option<&Value>) -> Vec<ContactItem> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|item| ContactItem {
                    contact_type: text(item, "contactType"),
                    contact_value: text(item, "contactValue"),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn person_from(value: Option<&Value>) -> Person {
    let Some(value) = value else {
        return Person::default();
    };
    Person {
        first_name: text(value, "firstName"),
        last_name: text(value, "lastName"),
        contact_items: contact_items_from(value.get("contactItems")),
    }
}

fn next_id<R: Record>(items: &[R], floor: i64) -> i64 {
    items.last().map(|r| r.id() + 1).unwrap_or(floor).max(floor)
}

fn customer_from(body: &Value, id: i64, created_at: Time, now: Time) -> Customer {
    let main_contact = person_from(body.get("mainContact"));
    let billing_contact = if body.get("billingContact").is_some_and(Value::is_object) {
        person_from(body.get("billingContact"))
    } else {
        main_contact.clone()
    };
    let physical_address = address_from(body.get("physicalAddress"));
    let postal_address = if body.get("postalAddress").is_some_and(Value::is_object) {
        address_from(body.get("postalAddress"))
    } else {
        physical_address.clone()
    };
    Customer {
        id,
        customer_full_name: text(body, "customerFullName").trim().to_owned(),
        main_contact,
        physical_address,
        postal_address,
        billing_contact,
        created_at,
        last_modified: now,
        deleted: false,
        links: Links {
            path: "/customers",
            id,
        },
    }
}

fn non_empty(body: &Value, key: &str, errors: &mut Vec<String>) {
    if http::str_field(body, key).is_some_and(|v| v.trim().is_empty()) {
        errors.push(format!("body/{key} must NOT have fewer than 1 characters"));
    }
}

fn create_customer(call: Call<'_>) -> Resp {
    let body = match checked_body(call.body, CUSTOMER_BODY) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let mut errors = Vec::new();
    non_empty(&body, "customerFullName", &mut errors);
    bail_on_errors!(errors);
    let name = text(&body, "customerFullName");
    let name = name.trim();
    let now = call.state.now();
    let mut data = write(&call.company.data);
    if let Some(existing) = data
        .set
        .customers
        .iter()
        .find(|c| !c.deleted && c.customer_full_name.eq_ignore_ascii_case(name))
    {
        return http::see_other(
            &format!("/customers/{}", existing.id),
            "A customer with this name already exists",
        );
    }
    let id = next_id(&data.set.customers, 1000);
    let customer = customer_from(&body, id, now, now);
    let response = http::single(&customer);
    data.set.customers.push(customer);
    response
}

fn put_customer(call: Call<'_>) -> Resp {
    let id = match parse_id(&call) {
        Ok(id) => id,
        Err(response) => return response,
    };
    let body = match checked_body(call.body, CUSTOMER_BODY) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let mut errors = Vec::new();
    non_empty(&body, "customerFullName", &mut errors);
    bail_on_errors!(errors);
    let now = call.state.now();
    let mut data = write(&call.company.data);
    let Ok(index) = data.set.customers.binary_search_by_key(&id, |c| c.id) else {
        return http::record_not_found("Customer", id);
    };
    if data.set.customers[index].deleted {
        return http::record_not_found("Customer", id);
    }
    let created_at = data.set.customers[index].created_at;
    let customer = customer_from(&body, id, created_at, now);
    let response = http::single(&customer);
    data.set.customers[index] = customer;
    response
}

fn delete_customer(call: &Call<'_>) -> Resp {
    let id = match parse_id(call) {
        Ok(id) => id,
        Err(response) => return response,
    };
    let now = call.state.now();
    let mut data = write(&call.company.data);
    let Ok(index) = data.set.customers.binary_search_by_key(&id, |c| c.id) else {
        return http::record_not_found("Customer", id);
    };
    if data.set.customers[index].deleted {
        return http::record_not_found("Customer", id);
    }
    data.set.customers[index].deleted = true;
    data.set.customers[index].last_modified = now;
    data.deleted_customers += 1;
    http::json(
        hyper::StatusCode::OK,
        &serde_json::json!({"result": "success", "data": {"id": id, "isDeleted": true}}),
    )
}

fn create_job(call: Call<'_>) -> Resp {
    let body = match checked_body(call.body, JOB_BODY) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let mut errors = Vec::new();
    let job_type = text(&body, "jobType");
    if !JOB_TYPES.contains(&job_type.as_str()) {
        errors.push(format!(
            "body/jobType must be equal to one of the allowed values ({})",
            JOB_TYPES.join(", ")
        ));
    }
    non_empty(&body, "title", &mut errors);
    let is_draft = http::bool_field(&body, "isDraft").unwrap_or(true);
    let description = http::str_field(&body, "description").map(str::to_owned);
    let customer_id = http::int_field(&body, "customerId");
    let site_id = http::int_field(&body, "siteId");
    if !is_draft {
        if description.as_deref().is_none_or(|d| d.trim().is_empty()) {
            errors.push("body/description is required when isDraft is false".to_owned());
        }
        if customer_id.is_none() {
            errors.push("body/customerId is required when isDraft is false".to_owned());
        }
        if site_id.is_none() {
            errors.push("body/siteId is required when isDraft is false".to_owned());
        }
    }
    bail_on_errors!(errors);
    let now = call.state.now();
    let mut data = write(&call.company.data);
    let customer = match customer_id {
        None => None,
        Some(id) => match find(&data.set.customers, id).filter(|c| !c.deleted) {
            Some(c) => Some(CustomerRef {
                id: c.id,
                customer_full_name: c.customer_full_name.clone(),
            }),
            None => {
                errors.push(format!("body/customerId {id} does not match any customer"));
                None
            }
        },
    };
    let site = match site_id {
        None => None,
        Some(id) => match find(&data.set.sites, id) {
            Some(s) => Some(SiteRef {
                id: s.id,
                name: s.name.clone(),
            }),
            None => {
                errors.push(format!("body/siteId {id} does not match any site"));
                None
            }
        },
    };
    bail_on_errors!(errors);
    let main_contact = customer_id.and_then(|cid| {
        data.set
            .contacts
            .iter()
            .find(|c| c.customer_id == Some(cid))
            .map(|c| ContactRef {
                id: c.id,
                first_name: c.first_name.clone(),
                last_name: c.last_name.clone(),
            })
    });
    let id = next_id(&data.set.jobs, 10_000).max(next_id(&data.drafts, 10_000));
    let job_no = 500 + (id - 10_000);
    let status = if is_draft {
        "Draft"
    } else if job_type == "Charge Up" {
        "To Schedule"
    } else {
        "To Price"
    };
    let job = Job {
        id,
        job_no,
        title: text(&body, "title"),
        description: description.unwrap_or_default(),
        long_description: text(&body, "longDescription"),
        job_type,
        status: status.to_owned(),
        customer,
        site_address: site,
        main_contact,
        active_quote: None,
        customer_reference: http::str_field(&body, "customerReference").map(str::to_owned),
        on_hold: false,
        archived: false,
        created_at: now,
        last_modified: now,
        links: Links { path: "/jobs", id },
    };
    let response = http::single(&job);
    if is_draft {
        data.drafts.push(job);
    } else {
        data.set.jobs.push(job);
    }
    response
}

const DRAFT_UPDATE_BODY: &[Field] = &[
    opt("jobType", Ty::Str),
    opt("title", Ty::Str),
    opt("description", Ty::Str),
    opt("longDescription", Ty::Str),
    opt("customerId", Ty::Int),
    opt("siteId", Ty::Int),
    opt("customerReference", Ty::Str),
];

/// `PUT /jobs/{id}`: only drafts can be changed this way.
fn update_draft_job(call: Call<'_>) -> Resp {
    let id = match parse_id(&call) {
        Ok(id) => id,
        Err(response) => return response,
    };
    let body = match checked_body(call.body, DRAFT_UPDATE_BODY) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let mut errors = Vec::new();
    if let Some(job_type) = http::str_field(&body, "jobType") {
        if !JOB_TYPES.contains(&job_type) {
            errors.push(format!(
                "body/jobType must be equal to one of the allowed values ({})",
                JOB_TYPES.join(", ")
            ));
        }
    }
    bail_on_errors!(errors);
    let now = call.state.now();
    let mut data = write(&call.company.data);
    if find(&data.set.jobs, id).is_some() {
        return http::validation_failed(&[
            "Only draft jobs can be updated; this job is not a draft".to_owned(),
        ]);
    }
    let customer = match http::int_field(&body, "customerId") {
        None => None,
        Some(cid) => match find(&data.set.customers, cid).filter(|c| !c.deleted) {
            Some(c) => Some(CustomerRef {
                id: c.id,
                customer_full_name: c.customer_full_name.clone(),
            }),
            None => {
                return http::validation_failed(&[format!(
                    "body/customerId {cid} does not match any customer"
                )])
            }
        },
    };
    let site = match http::int_field(&body, "siteId") {
        None => None,
        Some(sid) => match find(&data.set.sites, sid) {
            Some(s) => Some(SiteRef {
                id: s.id,
                name: s.name.clone(),
            }),
            None => {
                return http::validation_failed(&[format!(
                    "body/siteId {sid} does not match any site"
                )])
            }
        },
    };
    let Ok(index) = data.drafts.binary_search_by_key(&id, |j| j.id) else {
        return http::record_not_found("Job", id);
    };
    let draft = &mut data.drafts[index];
    if let Some(value) = http::str_field(&body, "jobType") {
        draft.job_type = value.to_owned();
    }
    if let Some(value) = http::str_field(&body, "title") {
        draft.title = value.to_owned();
    }
    if let Some(value) = http::str_field(&body, "description") {
        draft.description = value.to_owned();
    }
    if let Some(value) = http::str_field(&body, "longDescription") {
        draft.long_description = value.to_owned();
    }
    if let Some(value) = http::str_field(&body, "customerReference") {
        draft.customer_reference = Some(value.to_owned());
    }
    if customer.is_some() {
        draft.customer = customer;
    }
    if site.is_some() {
        draft.site_address = site;
    }
    draft.last_modified = now;
    http::single(&*draft)
}

/// `PUT /jobs/{id}/finalise`: a complete draft becomes a real (readable) job.
fn finalise_job(call: &Call<'_>) -> Resp {
    let id = match parse_id(call) {
        Ok(id) => id,
        Err(response) => return response,
    };
    let now = call.state.now();
    let mut data = write(&call.company.data);
    if find(&data.set.jobs, id).is_some() {
        return http::validation_failed(&["Job is not a draft".to_owned()]);
    }
    let Ok(index) = data.drafts.binary_search_by_key(&id, |j| j.id) else {
        return http::record_not_found("Job", id);
    };
    let draft = &data.drafts[index];
    let mut errors = Vec::new();
    if draft.description.trim().is_empty() {
        errors.push("description is required to finalise a job".to_owned());
    }
    if draft.customer.is_none() {
        errors.push("customerId is required to finalise a job".to_owned());
    }
    if draft.site_address.is_none() {
        errors.push("siteId is required to finalise a job".to_owned());
    }
    bail_on_errors!(errors);
    let mut job = data.drafts.remove(index);
    job.status = if job.job_type == "Charge Up" {
        "To Schedule"
    } else {
        "To Price"
    }
    .to_owned();
    job.last_modified = now;
    let response = http::single(&job);
    let at = data
        .set
        .jobs
        .binary_search_by_key(&id, |j| j.id)
        .unwrap_or_else(|position| position);
    data.set.jobs.insert(at, job);
    response
}

fn set_on_hold(call: &Call<'_>, on_hold: bool) -> Resp {
    let id = match parse_id(call) {
        Ok(id) => id,
        Err(response) => return response,
    };
    let now = call.state.now();
    let mut data = write(&call.company.data);
    let Ok(index) = data.set.jobs.binary_search_by_key(&id, |j| j.id) else {
        return http::record_not_found("Job", id);
    };
    let job = &mut data.set.jobs[index];
    job.on_hold = on_hold;
    job.last_modified = now;
    http::single(&*job)
}

fn create_site(call: Call<'_>) -> Resp {
    let body = match checked_body(call.body, SITE_BODY) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let address = address_from(body.get("siteAddress"));
    let name = http::str_field(&body, "name")
        .filter(|n| !n.trim().is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| {
            if address.address_suburb.is_empty() {
                address.address1.clone()
            } else {
                format!("{}, {}", address.address1, address.address_suburb)
            }
        });
    let now = call.state.now();
    let mut data = write(&call.company.data);
    if let Some(existing) = data.set.sites.iter().find(|s| {
        s.name.eq_ignore_ascii_case(&name)
            || (!address.address1.is_empty()
                && s.physical_address
                    .address1
                    .eq_ignore_ascii_case(&address.address1)
                && s.physical_address
                    .address_suburb
                    .eq_ignore_ascii_case(&address.address_suburb))
    }) {
        return http::see_other(
            &format!("/sites/{}", existing.id),
            "A site with this address already exists",
        );
    }
    let id = next_id(&data.set.sites, 2000);
    let site = Site {
        id,
        name,
        customer_id: http::int_field(&body, "customerId"),
        default_contact: person_from(body.get("defaultContact")),
        physical_address: address,
        is_archived: false,
        created_at: now,
        last_modified: now,
        links: Links { path: "/sites", id },
    };
    let response = http::single(&site);
    data.set.sites.push(site);
    response
}

const LINE_ITEM: &[Field] = &[
    req("itemName", Ty::Str),
    req("itemQuantity", Ty::Num),
    req("itemPrice", Ty::Num),
    opt("itemCost", Ty::Num),
    opt("isLabour", Ty::Bool),
    opt("salesAccountId", Ty::Int),
];
const QUOTE_SECTION: &[Field] = &[req("name", Ty::Str), opt("lineItems", Ty::ArrOf(LINE_ITEM))];
const QUOTE_BODY: &[Field] = &[
    req("title", Ty::Str),
    opt("quoteDate", Ty::Str),
    opt("dueDate", Ty::Str),
    opt("sections", Ty::ArrOf(QUOTE_SECTION)),
];

fn date_field(body: &Value, key: &str, errors: &mut Vec<String>) -> Option<NaiveDate> {
    let text = http::str_field(body, key)?;
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) => Some(date),
        Err(_) => {
            errors.push(format!("body/{key} must match format \"date\""));
            None
        }
    }
}

/// `POST /jobs/{id}/quotes`: a new Draft version; earlier versions are superseded.
fn create_quote(call: Call<'_>) -> Resp {
    let job_id = match parse_id(&call) {
        Ok(id) => id,
        Err(response) => return response,
    };
    let body = match checked_body(call.body, QUOTE_BODY) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let mut errors = Vec::new();
    let now = call.state.now();
    let quote_date = date_field(&body, "quoteDate", &mut errors).unwrap_or(now.date_naive());
    let due_date = date_field(&body, "dueDate", &mut errors).unwrap_or_else(|| {
        quote_date
            .checked_add_signed(Duration::days(30))
            .unwrap_or(quote_date)
    });
    bail_on_errors!(errors);
    let sections: Vec<QuoteSection> = body
        .get("sections")
        .and_then(Value::as_array)
        .map(|sections| {
            sections
                .iter()
                .map(|section| QuoteSection {
                    name: text(section, "name"),
                    line_items: section
                        .get("lineItems")
                        .and_then(Value::as_array)
                        .map(|items| {
                            items
                                .iter()
                                .map(|item| LineItem {
                                    item_name: text(item, "itemName"),
                                    item_quantity: item["itemQuantity"].as_f64().unwrap_or(0.0),
                                    item_price: item["itemPrice"].as_f64().unwrap_or(0.0),
                                    item_cost: item
                                        .get("itemCost")
                                        .and_then(Value::as_f64)
                                        .unwrap_or(0.0),
                                    is_labour: http::bool_field(item, "isLabour").unwrap_or(false),
                                    sales_account_id: http::int_field(item, "salesAccountId"),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let subtotal = round2(
        sections
            .iter()
            .flat_map(|s| s.line_items.iter())
            .map(|i| i.item_quantity * i.item_price)
            .sum(),
    );
    let mut data = write(&call.company.data);
    if find(&data.set.jobs, job_id).is_none() {
        return http::record_not_found("Job", job_id);
    }
    let mut version = 1;
    for quote in data.set.quotes.iter_mut().filter(|q| q.job_id == job_id) {
        version = version.max(quote.version_number + 1);
        quote.is_superseded = true;
    }
    let id = next_id(&data.set.quotes, 40_000);
    let quote = Quote {
        id,
        job_id,
        version_number: version,
        title: text(&body, "title"),
        status: "Draft",
        quote_date,
        due_date,
        is_sent: false,
        is_accepted: false,
        is_superseded: false,
        is_locked: false,
        sections,
        subtotal,
        created_at: now,
        last_modified: now,
        links: Links {
            path: "/jobs/quotes",
            id,
        },
    };
    let response = http::single(&quote);
    data.set.quotes.push(quote);
    if let Ok(index) = data.set.jobs.binary_search_by_key(&job_id, |j| j.id) {
        data.set.jobs[index].active_quote = Some(QuoteRef {
            id,
            version_number: version,
        });
        data.set.jobs[index].last_modified = now;
    }
    response
}

/// Quote lifecycle: Draft → Published → Sent → Accepted/Declined; void from any state.
fn quote_action(call: &Call<'_>, action: &str) -> Resp {
    let id = match parse_id(call) {
        Ok(id) => id,
        Err(response) => return response,
    };
    let now = call.state.now();
    let mut data = write(&call.company.data);
    let Ok(index) = data.set.quotes.binary_search_by_key(&id, |q| q.id) else {
        return http::record_not_found("Quote", id);
    };
    let quote = &mut data.set.quotes[index];
    let next = match (action, quote.status) {
        ("void", current) if current != "Voided" => "Voided",
        ("publish", "Draft") => "Published",
        ("markAsSent", "Published") => "Sent",
        ("accept", "Published" | "Sent") => "Accepted",
        ("decline", "Published" | "Sent") => "Declined",
        (_, current) => {
            return http::validation_failed(&[format!(
                "Cannot {action} a quote whose status is {current}"
            )])
        }
    };
    quote.status = next;
    quote.is_locked = true;
    quote.is_sent = quote.is_sent || matches!(next, "Sent" | "Accepted" | "Declined");
    quote.is_accepted = next == "Accepted";
    quote.last_modified = now;
    http::single(&*quote)
}

fn set_site_archived(call: &Call<'_>, archived: bool) -> Resp {
    let id = match parse_id(call) {
        Ok(id) => id,
        Err(response) => return response,
    };
    let now = call.state.now();
    let mut data = write(&call.company.data);
    let Ok(index) = data.set.sites.binary_search_by_key(&id, |s| s.id) else {
        return http::record_not_found("Site", id);
    };
    let site = &mut data.set.sites[index];
    site.is_archived = archived;
    site.last_modified = now;
    http::single(&*site)
}

fn create_contact(call: Call<'_>) -> Resp {
    let body = match checked_body(call.body, CONTACT_BODY) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let now = call.state.now();
    let mut data = write(&call.company.data);
    let id = next_id(&data.set.contacts, 3000);
    let contact = Contact {
        id,
        customer_id: http::int_field(&body, "customerId"),
        first_name: text(&body, "firstName"),
        last_name: text(&body, "lastName"),
        position: text(&body, "position"),
        contact_items: contact_items_from(body.get("contactItems")),
        created_at: now,
        last_modified: now,
        links: Links {
            path: "/contacts",
            id,
        },
    };
    let response = http::single(&contact);
    data.set.contacts.push(contact);
    response
}

fn create_enquiry(call: Call<'_>) -> Resp {
    let body = match checked_body(call.body, ENQUIRY_BODY) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let now = call.state.now();
    let mut data = write(&call.company.data);
    let id = next_id(&data.set.enquiries, 7000);
    let enquiry = Enquiry {
        id,
        status: "TODO".to_owned(),
        title: text(&body, "title"),
        description: text(&body, "description"),
        contact_name: text(&body, "contactName"),
        contact_phone: text(&body, "contactPhone"),
        contact_email: text(&body, "contactEmail"),
        address: address_from(body.get("address")),
        customer_id: http::int_field(&body, "customerId"),
        job_id: None,
        created_at: now,
        last_modified: now,
        links: Links {
            path: "/enquiries",
            id,
        },
    };
    let response = http::single(&enquiry);
    data.set.enquiries.push(enquiry);
    response
}

fn create_note(call: Call<'_>) -> Resp {
    let body = match checked_body(call.body, NOTE_BODY) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let entity = text(&body, "entityName").to_ascii_uppercase();
    if !NOTE_ENTITIES.contains(&entity.as_str()) {
        return http::validation_failed(&[format!(
            "body/entityName must be equal to one of the allowed values ({})",
            NOTE_ENTITIES.join(", ")
        )]);
    }
    let now = call.state.now();
    let mut data = write(&call.company.data);
    let id = next_id(&data.set.notes, 120_000);
    let note = Note {
        id,
        entity_name: entity,
        entity_id: http::int_field(&body, "entityId").unwrap_or_default(),
        text: text(&body, "text"),
        created_by_user_id: call.user_id,
        created_at: now,
        links: Links { path: "/notes", id },
    };
    let response = http::single(&note);
    data.set.notes.push(note);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_and_unknown_paths_do_not() {
        let get = Method::GET;
        let found = |m: &Method, p: &str| match_route(m, p).map(|r| r.label);
        assert_eq!(found(&get, "/jobs"), Some("GET /jobs"));
        assert_eq!(found(&get, "/jobs/quotes"), Some("GET /jobs/quotes"));
        assert_eq!(found(&get, "/jobs/12"), Some("GET /jobs/{id}"));
        assert_eq!(
            found(&Method::DELETE, "/customers/3"),
            Some("DELETE /customers/{id}")
        );
        assert_eq!(found(&get, "/quotes"), None);
        assert_eq!(found(&get, "/v1/jobs"), None);
        assert_eq!(found(&get, "/jobs/"), None);
        assert_eq!(found(&Method::DELETE, "/jobs"), None);
        assert_eq!(found(&get, "/a/b/c/d/e"), None);
    }

    #[test]
    fn case_insensitive_contains() {
        assert!(contains_ci("Replace Hot Water", "hot w"));
        assert!(!contains_ci("Replace", "heat"));
        assert!(contains_ci("x", ""));
    }
}
