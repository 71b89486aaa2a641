//! Fergus records and the deterministic generator of realistic NZ/AU trades data.
//!
//! `generate` is a pure function of its [`GenerateOptions`]: the same options give
//! the same data, byte for byte, once serialised.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};

pub type Time = DateTime<Utc>;

/// The `links` array every record carries: `[{"href":"/jobs/1","rel":"self","type":"GET"}]`.
#[derive(Clone, Copy, Debug)]
pub struct Links {
    pub path: &'static str,
    pub id: i64,
}

#[derive(Serialize)]
struct Link<'a> {
    href: &'a str,
    rel: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
}

impl Serialize for Links {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let href = format!("{}/{}", self.path, self.id);
        let mut seq = serializer.serialize_seq(Some(1))?;
        seq.serialize_element(&Link {
            href: &href,
            rel: "self",
            kind: "GET",
        })?;
        seq.end()
    }
}

#[derive(Clone, Debug, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub address1: String,
    pub address2: String,
    pub address_suburb: String,
    pub address_city: String,
    pub address_region: String,
    pub address_postcode: String,
    pub address_country: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactItem {
    pub contact_type: String,
    pub contact_value: String,
}

#[derive(Clone, Debug, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub first_name: String,
    pub last_name: String,
    pub contact_items: Vec<ContactItem>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyProfile {
    pub id: i64,
    pub name: String,
    pub trading_name: String,
    pub country: &'static str,
    pub currency: &'static str,
    pub timezone: &'static str,
    pub tax: Tax,
    pub physical_address: Address,
    pub phone: String,
    pub email: String,
    pub created_at: Time,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct Tax {
    pub rate: u32,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub user_type: String,
    pub status: String,
    pub created_at: Time,
    #[serde(skip)]
    pub deleted: bool,
    pub links: Links,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub id: i64,
    pub customer_full_name: String,
    pub main_contact: Person,
    pub physical_address: Address,
    pub postal_address: Address,
    pub billing_contact: Person,
    pub created_at: Time,
    pub last_modified: Time,
    #[serde(skip)]
    pub deleted: bool,
    pub links: Links,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Site {
    pub id: i64,
    pub name: String,
    pub customer_id: Option<i64>,
    pub default_contact: Person,
    pub physical_address: Address,
    pub is_archived: bool,
    pub created_at: Time,
    pub last_modified: Time,
    pub links: Links,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub id: i64,
    pub customer_id: Option<i64>,
    pub first_name: String,
    pub last_name: String,
    pub position: String,
    pub contact_items: Vec<ContactItem>,
    pub created_at: Time,
    pub last_modified: Time,
    pub links: Links,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerRef {
    pub id: i64,
    pub customer_full_name: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteRef {
    pub id: i64,
    pub name: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactRef {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
}

#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteRef {
    pub id: i64,
    pub version_number: u32,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub id: i64,
    pub job_no: i64,
    pub title: String,
    pub description: String,
    pub long_description: String,
    pub job_type: String,
    pub status: String,
    pub customer: Option<CustomerRef>,
    pub site_address: Option<SiteRef>,
    pub main_contact: Option<ContactRef>,
    pub active_quote: Option<QuoteRef>,
    pub customer_reference: Option<String>,
    pub on_hold: bool,
    pub archived: bool,
    pub created_at: Time,
    pub last_modified: Time,
    pub links: Links,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItem {
    pub item_name: String,
    pub item_quantity: f64,
    pub item_price: f64,
    pub item_cost: f64,
    pub is_labour: bool,
    pub sales_account_id: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteSection {
    pub name: String,
    pub line_items: Vec<LineItem>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    pub id: i64,
    pub job_id: i64,
    pub version_number: u32,
    pub title: String,
    pub status: &'static str,
    pub quote_date: NaiveDate,
    pub due_date: NaiveDate,
    pub is_sent: bool,
    pub is_accepted: bool,
    pub is_superseded: bool,
    pub is_locked: bool,
    pub sections: Vec<QuoteSection>,
    pub subtotal: f64,
    pub created_at: Time,
    pub last_modified: Time,
    pub links: Links,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerInvoice {
    pub id: i64,
    pub job_id: i64,
    pub customer_id: i64,
    pub invoice_number: String,
    pub status: &'static str,
    pub subtotal: f64,
    pub tax_rate: u32,
    pub tax_value: f64,
    pub total: f64,
    pub invoice_date: NaiveDate,
    pub due_date: NaiveDate,
    pub paid_at: Option<Time>,
    pub created_at: Time,
    pub last_modified: Time,
    pub links: Links,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeEntry {
    pub time_entry_id: i64,
    pub user_id: i64,
    pub job_id: i64,
    pub job_no: i64,
    pub start_time: String,
    pub end_time: String,
    pub paid_duration: f64,
    pub is_locked: bool,
    #[serde(skip)]
    pub start: Time,
    pub links: Links,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    pub id: i64,
    pub entity_name: String,
    pub entity_id: i64,
    pub text: String,
    pub created_by_user_id: i64,
    pub created_at: Time,
    pub links: Links,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Enquiry {
    pub id: i64,
    pub status: String,
    pub title: String,
    pub description: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub address: Address,
    pub customer_id: Option<i64>,
    pub job_id: Option<i64>,
    pub created_at: Time,
    pub last_modified: Time,
    pub links: Links,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CalendarEvent {
    pub id: i64,
    pub title: String,
    pub event_type: &'static str,
    pub user_id: i64,
    pub job_id: Option<i64>,
    pub start_time: Time,
    pub end_time: Time,
    pub all_day: bool,
    pub links: Links,
}

/// Everything one company holds. Every list is sorted by id (ascending).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dataset {
    pub company: CompanyProfile,
    pub users: Vec<User>,
    pub customers: Vec<Customer>,
    pub sites: Vec<Site>,
    pub contacts: Vec<Contact>,
    pub jobs: Vec<Job>,
    pub quotes: Vec<Quote>,
    pub invoices: Vec<CustomerInvoice>,
    pub time_entries: Vec<TimeEntry>,
    pub notes: Vec<Note>,
    pub enquiries: Vec<Enquiry>,
    pub calendar_events: Vec<CalendarEvent>,
}

#[derive(Clone, Debug)]
pub struct GenerateOptions {
    pub seed: u64,
    pub jobs: usize,
    /// "Today" for the data: records are spread over the years before it.
    pub anchor: Time,
    pub company_id: i64,
    pub company_name: String,
    /// Users get ids `first_user_id, first_user_id + 1, …` (user ids are global).
    pub first_user_id: i64,
}

pub const JOB_STATUSES: &[&str] = &[
    "To Price",
    "Quote Sent",
    "To Schedule",
    "In Progress",
    "To Invoice",
    "Invoiced",
    "Completed",
    "Inactive",
];
pub const JOB_TYPES: &[&str] = &["Quote", "Estimate", "Charge Up"];
pub const ENQUIRY_STATUSES: &[&str] = &["TODO", "CONTACTED", "JOBCREATED", "REJECTED"];
pub const INVOICE_STATUSES: &[&str] = &[
    "Draft",
    "To Be Approved",
    "Sent",
    "Queried",
    "Final",
    "Voided",
];
/// Roles the sandbox knows; only the first two may use the API.
pub const USER_ROLES: &[&str] = &[
    "admin",
    "full_user",
    "office_user",
    "tradesman",
    "apprentice",
    "contractor",
];

pub fn role_may_use_api(role: &str) -> bool {
    role == "admin" || role == "full_user"
}

const FIRST_NAMES: &[&str] = &[
    "Aroha",
    "Liam",
    "Olivia",
    "Noah",
    "Charlotte",
    "Jack",
    "Isla",
    "Oliver",
    "Amelia",
    "Leo",
    "Mia",
    "William",
    "Ava",
    "Lucas",
    "Harper",
    "James",
    "Ruby",
    "Mason",
    "Grace",
    "Hunter",
    "Tama",
    "Mere",
    "Wiremu",
    "Ngaio",
    "Rawiri",
    "Kiri",
    "Hemi",
    "Anahera",
    "Sione",
    "Losa",
    "Priya",
    "Arjun",
    "Mei",
    "Wei",
    "Chloe",
    "Ethan",
    "Zoe",
    "Lachlan",
    "Matilda",
    "Cooper",
    "Sophie",
    "Hamish",
    "Georgia",
    "Angus",
    "Lily",
    "Finn",
    "Ella",
    "Ryan",
    "Hannah",
    "Sam",
];
const LAST_NAMES: &[&str] = &[
    "Smith",
    "Wilson",
    "Williams",
    "Brown",
    "Taylor",
    "Jones",
    "Anderson",
    "Thompson",
    "Walker",
    "Harris",
    "Ngata",
    "Parata",
    "Tuhiwai",
    "Henare",
    "Te Whata",
    "Kumar",
    "Singh",
    "Patel",
    "Chen",
    "Wang",
    "Li",
    "Nguyen",
    "Campbell",
    "Stewart",
    "Robertson",
    "Clarke",
    "Mitchell",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Hall",
    "Cooper",
    "Kelly",
    "Murphy",
    "O'Brien",
    "Ryan",
    "Fraser",
    "MacDonald",
    "Reid",
    "Morrison",
    "Hughes",
    "Edwards",
    "Fale",
    "Tuilagi",
    "Faleolo",
    "Sapolu",
    "Jackson",
];
const STREETS: &[&str] = &[
    "Queen Street",
    "Ponsonby Road",
    "Great North Road",
    "Victoria Street",
    "George Street",
    "Cuba Street",
    "Riccarton Road",
    "Colombo Street",
    "Dominion Road",
    "Karangahape Road",
    "Lambton Quay",
    "Hutt Road",
    "Moorhouse Avenue",
    "Papanui Road",
    "Remuera Road",
    "Chapel Street",
    "Smith Street",
    "Brunswick Street",
    "Oxford Street",
    "King Street",
    "Pitt Street",
    "Sydney Road",
    "Hay Street",
    "Rundle Street",
    "Boundary Road",
    "Beach Road",
    "Kauri Street",
    "Rimu Grove",
    "Totara Avenue",
    "Pohutukawa Drive",
];
/// (suburb, city, region, postcode)
const NZ_PLACES: &[(&str, &str, &str, &str)] = &[
    ("Ponsonby", "Auckland", "Auckland", "1011"),
    ("Grey Lynn", "Auckland", "Auckland", "1021"),
    ("Mt Eden", "Auckland", "Auckland", "1024"),
    ("Remuera", "Auckland", "Auckland", "1050"),
    ("Takapuna", "Auckland", "Auckland", "0622"),
    ("Henderson", "Auckland", "Auckland", "0612"),
    ("Manukau", "Auckland", "Auckland", "2104"),
    ("Te Aro", "Wellington", "Wellington", "6011"),
    ("Karori", "Wellington", "Wellington", "6012"),
    ("Petone", "Lower Hutt", "Wellington", "5012"),
    ("Riccarton", "Christchurch", "Canterbury", "8011"),
    ("Sydenham", "Christchurch", "Canterbury", "8023"),
    ("Papanui", "Christchurch", "Canterbury", "8053"),
    ("Hamilton East", "Hamilton", "Waikato", "3216"),
    ("Frankton", "Hamilton", "Waikato", "3204"),
    ("Mount Maunganui", "Tauranga", "Bay of Plenty", "3116"),
    ("Roslyn", "Dunedin", "Otago", "9010"),
    ("Frankton", "Queenstown", "Otago", "9300"),
    ("Havelock North", "Hastings", "Hawke's Bay", "4130"),
    ("Nelson South", "Nelson", "Nelson", "7010"),
];
const AU_PLACES: &[(&str, &str, &str, &str)] = &[
    ("Fitzroy", "Melbourne", "VIC", "3065"),
    ("Richmond", "Melbourne", "VIC", "3121"),
    ("Brunswick", "Melbourne", "VIC", "3056"),
    ("Geelong West", "Geelong", "VIC", "3218"),
    ("Paddington", "Sydney", "NSW", "2021"),
    ("Parramatta", "Sydney", "NSW", "2150"),
    ("Newtown", "Sydney", "NSW", "2042"),
    ("Manly", "Sydney", "NSW", "2095"),
    ("Fortitude Valley", "Brisbane", "QLD", "4006"),
    ("Southport", "Gold Coast", "QLD", "4215"),
    ("Subiaco", "Perth", "WA", "6008"),
    ("Fremantle", "Perth", "WA", "6160"),
    ("Norwood", "Adelaide", "SA", "5067"),
    ("Sandy Bay", "Hobart", "TAS", "7005"),
    ("Braddon", "Canberra", "ACT", "2612"),
];
const BUSINESS_WORDS: &[&str] = &[
    "Kowhai",
    "Harbour",
    "Southern Cross",
    "Coastal",
    "Summit",
    "Totara",
    "Pacific",
    "Alpine",
    "Riverside",
    "Northshore",
    "Ironbark",
    "Wattle",
    "Kauri",
    "Red Rock",
    "Bluegum",
    "Tasman",
];
const BUSINESS_KINDS: &[&str] = &[
    "Property Management",
    "Cafe",
    "Dental",
    "Motors",
    "Body Corporate",
    "Childcare",
    "Bakery",
    "Homes",
    "Developments",
    "Rentals",
    "School",
    "Medical Centre",
    "Builders",
    "Holdings",
];
/// (title, long description, labour item, material item)
const WORK: &[(&str, &str, &str, &str)] = &[
    (
        "Replace hot water cylinder",
        "Remove old 180L cylinder and install new mains-pressure unit",
        "Plumber labour",
        "Mains pressure cylinder 180L",
    ),
    (
        "Fix leaking kitchen tap",
        "Customer reports constant drip from mixer tap",
        "Plumber labour",
        "Mixer tap cartridge",
    ),
    (
        "Install heat pump",
        "Supply and install 6kW high-wall heat pump in lounge",
        "Installer labour",
        "6kW high-wall heat pump",
    ),
    (
        "Heat pump service",
        "Annual service of two heat pumps, clean filters and coils",
        "Technician labour",
        "Filter cleaning kit",
    ),
    (
        "Switchboard upgrade",
        "Replace old ceramic fuse board with RCD-protected board",
        "Electrician labour",
        "12-way switchboard",
    ),
    (
        "Install LED downlights",
        "Replace 14 halogen downlights with LED",
        "Electrician labour",
        "LED downlight 10W",
    ),
    (
        "Blocked drain",
        "Clear blocked stormwater drain at rear of property",
        "Drainlayer labour",
        "Drain jetting hire",
    ),
    (
        "Bathroom renovation",
        "Strip out and refit bathroom: shower, vanity, toilet",
        "Builder labour",
        "Tiled shower kit",
    ),
    (
        "Roof leak repair",
        "Locate and repair roof leak above garage",
        "Roofer labour",
        "Roofing iron sheet 3.6m",
    ),
    (
        "Spouting replacement",
        "Replace 24m of spouting and two downpipes",
        "Roofer labour",
        "Quad spouting 3m",
    ),
    (
        "Gas hob installation",
        "Connect new gas hob and test for leaks",
        "Gasfitter labour",
        "Gas bayonet fitting",
    ),
    (
        "Smoke alarm compliance",
        "Install photoelectric smoke alarms to tenancy standard",
        "Electrician labour",
        "Photoelectric smoke alarm",
    ),
    (
        "EV charger install",
        "Supply and install 7kW EV charger in garage",
        "Electrician labour",
        "7kW wallbox charger",
    ),
    (
        "Deck repairs",
        "Replace rotten deck boards and re-stain",
        "Builder labour",
        "Kwila decking 90x19",
    ),
    (
        "Water filter install",
        "Install under-bench water filter",
        "Plumber labour",
        "Under-bench filter kit",
    ),
    (
        "Rental property inspection",
        "Pre-tenancy maintenance check",
        "Technician labour",
        "Consumables",
    ),
    (
        "Commercial kitchen maintenance",
        "Quarterly maintenance of commercial kitchen appliances",
        "Technician labour",
        "Seals and gaskets",
    ),
    (
        "Solar panel install",
        "Supply and install 6.6kW solar array and inverter",
        "Installer labour",
        "Solar panel 440W",
    ),
];
const NOTE_TEXTS: &[&str] = &[
    "Called customer, left a voicemail.",
    "Customer confirmed access via side gate. Dog on property.",
    "Parts ordered from supplier, ETA Thursday.",
    "Quote sent by email, follow up next week.",
    "Tenant will be home after 2pm.",
    "Job completed, photos uploaded.",
    "Customer asked for an itemised invoice.",
    "Need a second visit to finish off.",
    "Key is in the lockbox, code given by property manager.",
    "Site induction required before starting.",
];

struct Gen {
    rng: StdRng,
    nz: bool,
    domain: &'static str,
}

impl Gen {
    fn pick<'a>(&mut self, list: &'a [&'a str]) -> &'a str {
        list[self.rng.gen_range(0..list.len())]
    }

    fn place(&mut self) -> (&'static str, &'static str, &'static str, &'static str) {
        let list = if self.nz { NZ_PLACES } else { AU_PLACES };
        list[self.rng.gen_range(0..list.len())]
    }

    fn address(&mut self) -> Address {
        let (suburb, city, region, postcode) = self.place();
        let number = self.rng.gen_range(1..400);
        let street = self.pick(STREETS);
        let address2 = if self.rng.gen_bool(0.15) {
            format!("Unit {}", self.rng.gen_range(1..30))
        } else {
            String::new()
        };
        Address {
            address1: format!("{number} {street}"),
            address2,
            address_suburb: suburb.to_owned(),
            address_city: city.to_owned(),
            address_region: region.to_owned(),
            address_postcode: postcode.to_owned(),
            address_country: if self.nz { "New Zealand" } else { "Australia" }.to_owned(),
        }
    }

    fn phone(&mut self) -> String {
        if self.nz {
            format!(
                "02{} {:03} {:04}",
                self.rng.gen_range(0..=9),
                self.rng.gen_range(100..1000),
                self.rng.gen_range(0..10000)
            )
        } else {
            format!(
                "04{:02} {:03} {:03}",
                self.rng.gen_range(0..100),
                self.rng.gen_range(0..1000),
                self.rng.gen_range(0..1000)
            )
        }
    }

    fn person(&mut self) -> Person {
        let first = self.pick(FIRST_NAMES).to_owned();
        let last = self.pick(LAST_NAMES).to_owned();
        let email = format!(
            "{}.{}@{}",
            first.to_lowercase(),
            last.to_lowercase().replace([' ', '\''], ""),
            self.domain
        );
        let mut items = vec![ContactItem {
            contact_type: "email".to_owned(),
            contact_value: email,
        }];
        items.push(ContactItem {
            contact_type: "mobile".to_owned(),
            contact_value: self.phone(),
        });
        Person {
            first_name: first,
            last_name: last,
            contact_items: items,
        }
    }

    fn money(&mut self, low: f64, high: f64) -> f64 {
        round2(self.rng.gen_range(low..high))
    }
}

pub fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn spread(start: Time, end: Time, index: usize, count: usize, rng: &mut StdRng) -> Time {
    let span = (end - start).num_seconds().max(1);
    let base = span * index as i64 / count.max(1) as i64;
    let jitter = rng.gen_range(0..(span / count.max(1) as i64).max(1));
    start + Duration::seconds((base + jitter).min(span))
}

fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    date.checked_add_signed(Duration::days(days))
        .unwrap_or(date)
}

/// Fixed "time of day" stamp for a date at the given hour.
fn at_hour(date: NaiveDate, hour: u32, minute: u32) -> Time {
    let naive = date
        .and_hms_opt(hour.min(23), minute.min(59), 0)
        .unwrap_or_default();
    Utc.from_utc_datetime(&naive)
}

pub fn format_local(time: Time) -> String {
    time.format("%Y-%m-%d %H:%M").to_string()
}

/// Is this seed's company in New Zealand (else Australia)? 7 in 10 are
/// (seeds ending in 3, 6 or 9 are Australian).
pub fn company_is_nz(seed: u64) -> bool {
    !matches!(seed % 10, 3 | 6 | 9)
}

pub fn generate(options: &GenerateOptions) -> Dataset {
    let nz = company_is_nz(options.seed);
    let mut g = Gen {
        rng: StdRng::seed_from_u64(options.seed),
        nz,
        domain: if nz {
            "example.co.nz"
        } else {
            "example.com.au"
        },
    };
    let anchor = options.anchor;
    let today = anchor.date_naive();
    let history_start = anchor - Duration::days(3 * 365);
    let jobs_n = options.jobs;
    let tax_rate = if nz { 15 } else { 10 };

    let company = CompanyProfile {
        id: options.company_id,
        name: options.company_name.clone(),
        trading_name: options.company_name.clone(),
        country: if nz { "NZ" } else { "AU" },
        currency: if nz { "NZD" } else { "AUD" },
        timezone: if nz {
            "Pacific/Auckland"
        } else {
            "Australia/Sydney"
        },
        tax: Tax {
            rate: tax_rate,
            kind: "GST",
        },
        physical_address: g.address(),
        phone: g.phone(),
        email: format!("office@{}", g.domain),
        created_at: history_start - Duration::days(200),
    };

    // Users: the first is the Admin the API user acts as.
    let user_count = (4 + jobs_n / 400).min(40);
    let mut users = Vec::with_capacity(user_count);
    for i in 0..user_count {
        let person = g.person();
        let role = match i {
            0 => "admin",
            1 => "full_user",
            2 => "office_user",
            _ => {
                let r = g.rng.gen_range(0..10);
                match r {
                    0 => "full_user",
                    1 => "apprentice",
                    2 => "contractor",
                    _ => "tradesman",
                }
            }
        };
        let status = if i > 2 && g.rng.gen_bool(0.08) {
            "disabled"
        } else if i > 2 && g.rng.gen_bool(0.05) {
            "invited"
        } else {
            "active"
        };
        let id = options.first_user_id + i as i64;
        let email = person.contact_items[0].contact_value.clone();
        users.push(User {
            id,
            first_name: person.first_name,
            last_name: person.last_name,
            email,
            user_type: role.to_owned(),
            status: status.to_owned(),
            created_at: history_start + Duration::days(i as i64 * 7),
            deleted: false,
            links: Links { path: "/users", id },
        });
    }
    let field_users: Vec<i64> = users
        .iter()
        .filter(|u| u.user_type != "office_user")
        .map(|u| u.id)
        .collect();

    // Customers, their sites and contacts.
    let customer_n = if jobs_n == 0 { 0 } else { jobs_n.div_ceil(4) };
    let mut customers = Vec::with_capacity(customer_n);
    let mut sites = Vec::with_capacity(customer_n * 5 / 4);
    let mut contacts = Vec::with_capacity(customer_n);
    let mut first_site_of = Vec::with_capacity(customer_n);
    for i in 0..customer_n {
        let id = 1000 + i as i64;
        let created = spread(history_start, anchor, i, customer_n, &mut g.rng);
        let person = g.person();
        let business = g.rng.gen_bool(0.35);
        let name = if business {
            format!("{} {} Ltd", g.pick(BUSINESS_WORDS), g.pick(BUSINESS_KINDS))
        } else {
            format!("{} {}", person.first_name, person.last_name)
        };
        // Names must be unique (duplicates answer 303), so suffix businesses.
        let name = if business {
            format!("{name} #{id}")
        } else {
            format!("{name} ({id})")
        };
        let address = g.address();
        let postal = if g.rng.gen_bool(0.8) {
            address.clone()
        } else {
            g.address()
        };
        let billing = if g.rng.gen_bool(0.7) {
            person.clone()
        } else {
            g.person()
        };
        let site_count = if g.rng.gen_bool(0.25) { 2 } else { 1 };
        first_site_of.push(sites.len());
        for s in 0..site_count {
            let site_id = 2000 + sites.len() as i64;
            let site_address = if s == 0 { address.clone() } else { g.address() };
            sites.push(Site {
                id: site_id,
                name: format!("{}, {}", site_address.address1, site_address.address_suburb),
                customer_id: Some(id),
                default_contact: person.clone(),
                physical_address: site_address,
                is_archived: g.rng.gen_bool(0.03),
                created_at: created,
                last_modified: created,
                links: Links {
                    path: "/sites",
                    id: site_id,
                },
            });
        }
        let contact_id = 3000 + contacts.len() as i64;
        contacts.push(Contact {
            id: contact_id,
            customer_id: Some(id),
            first_name: person.first_name.clone(),
            last_name: person.last_name.clone(),
            position: if business { "Manager" } else { "Owner" }.to_owned(),
            contact_items: person.contact_items.clone(),
            created_at: created,
            last_modified: created,
            links: Links {
                path: "/contacts",
                id: contact_id,
            },
        });
        customers.push(Customer {
            id,
            customer_full_name: name,
            main_contact: person,
            physical_address: address,
            postal_address: postal,
            billing_contact: billing,
            created_at: created,
            last_modified: created,
            deleted: false,
            links: Links {
                path: "/customers",
                id,
            },
        });
    }
    // Jobs, quotes, invoices, time entries, notes, calendar events.
    let mut jobs = Vec::with_capacity(jobs_n);
    let mut quotes = Vec::with_capacity(jobs_n / 2);
    let mut invoices = Vec::with_capacity(jobs_n / 3);
    let mut time_entries = Vec::with_capacity(jobs_n / 2);
    let mut notes = Vec::with_capacity(jobs_n * 3 / 5);
    let mut calendar_events = Vec::with_capacity(jobs_n / 5);
    let recent_start = anchor - Duration::days(60);
    for i in 0..jobs_n {
        let id = 10_000 + i as i64;
        let job_no = 500 + i as i64;
        let created = spread(history_start, anchor, i, jobs_n, &mut g.rng);
        let age_days = (anchor - created).num_days();
        // Older jobs are mostly finished; recent ones are spread over the pipeline.
        let status = if age_days > 120 {
            match g.rng.gen_range(0..20) {
                0 => "Inactive",
                1 => "Invoiced",
                2 => "To Invoice",
                _ => "Completed",
            }
        } else {
            JOB_STATUSES[g.rng.gen_range(0..JOB_STATUSES.len())]
        };
        let job_type = match g.rng.gen_range(0..10) {
            0..=3 => "Quote",
            4..=5 => "Estimate",
            _ => "Charge Up",
        };
        let customer_index = g
            .rng
            .gen_range(0..customer_n.max(1))
            .min(customer_n.saturating_sub(1));
        let customer = &customers[customer_index];
        let site = &sites[first_site_of[customer_index]];
        let contact = &contacts[customer_index];
        let (title, long, labour, material) = WORK[g.rng.gen_range(0..WORK.len())];
        let last_modified =
            created + Duration::minutes(g.rng.gen_range(0..(age_days.clamp(1, 180) * 24 * 60)));
        let last_modified = last_modified.min(anchor);

        let mut active_quote = None;
        if job_type != "Charge Up" && status != "To Price" {
            let versions = if g.rng.gen_bool(0.15) { 2 } else { 1 };
            for v in 1..=versions {
                let quote_id = 40_000 + quotes.len() as i64;
                let latest = v == versions;
                let sent = status != "To Price";
                let accepted = latest
                    && matches!(
                        status,
                        "To Schedule" | "In Progress" | "To Invoice" | "Invoiced" | "Completed"
                    );
                let labour_hours = g.rng.gen_range(1..24) as f64 * 0.5;
                let labour_rate = g.money(85.0, 135.0);
                let material_qty = g.rng.gen_range(1..12) as f64;
                let material_price = g.money(15.0, 1800.0);
                let sections = vec![
                    QuoteSection {
                        name: "Labour".to_owned(),
                        line_items: vec![LineItem {
                            item_name: labour.to_owned(),
                            item_quantity: labour_hours,
                            item_price: labour_rate,
                            item_cost: round2(labour_rate * 0.55),
                            is_labour: true,
                            sales_account_id: None,
                        }],
                    },
                    QuoteSection {
                        name: "Materials".to_owned(),
                        line_items: vec![
                            LineItem {
                                item_name: material.to_owned(),
                                item_quantity: material_qty,
                                item_price: material_price,
                                item_cost: round2(material_price * 0.7),
                                is_labour: false,
                                sales_account_id: Some(200),
                            },
                            LineItem {
                                item_name: "Sundries".to_owned(),
                                item_quantity: 1.0,
                                item_price: 35.0,
                                item_cost: 20.0,
                                is_labour: false,
                                sales_account_id: Some(200),
                            },
                        ],
                    },
                ];
                let subtotal =
                    round2(labour_hours * labour_rate + material_qty * material_price + 35.0);
                let quote_date = add_days(created.date_naive(), v as i64 * 2);
                let quote_status = if accepted {
                    "Accepted"
                } else if !latest {
                    "Sent"
                } else if status == "Inactive" {
                    "Declined"
                } else if sent {
                    "Sent"
                } else {
                    "Published"
                };
                quotes.push(Quote {
                    id: quote_id,
                    job_id: id,
                    version_number: v,
                    title: format!("{title} - {}", customer.customer_full_name),
                    status: quote_status,
                    quote_date,
                    due_date: add_days(quote_date, 30),
                    is_sent: sent,
                    is_accepted: accepted,
                    is_superseded: !latest,
                    is_locked: sent,
                    sections,
                    subtotal,
                    created_at: at_hour(quote_date, 9, 0),
                    last_modified: at_hour(quote_date, 9, 0).min(anchor),
                    links: Links {
                        path: "/jobs/quotes",
                        id: quote_id,
                    },
                });
                if latest {
                    active_quote = Some(QuoteRef {
                        id: quote_id,
                        version_number: v,
                    });
                }
            }
        }

        if matches!(status, "Invoiced" | "Completed") {
            let invoice_id = 60_000 + invoices.len() as i64;
            let subtotal = g.money(120.0, 9500.0);
            let tax_value = round2(subtotal * f64::from(tax_rate) / 100.0);
            let invoice_date = add_days(last_modified.date_naive(), -1).min(today);
            let due = add_days(invoice_date, 20);
            let inv_status = if status == "Completed" {
                "Final"
            } else {
                INVOICE_STATUSES[g.rng.gen_range(0..INVOICE_STATUSES.len())]
            };
            let paid_at = if inv_status == "Final" {
                Some(at_hour(add_days(invoice_date, g.rng.gen_range(1..25)), 10, 30).min(anchor))
            } else {
                None
            };
            invoices.push(CustomerInvoice {
                id: invoice_id,
                job_id: id,
                customer_id: customer.id,
                invoice_number: format!("INV-{:05}", 1000 + invoices.len()),
                status: inv_status,
                subtotal,
                tax_rate,
                tax_value,
                total: round2(subtotal + tax_value),
                invoice_date,
                due_date: due,
                paid_at,
                created_at: at_hour(invoice_date, 16, 0),
                last_modified: last_modified.max(at_hour(invoice_date, 16, 0)).min(anchor),
                links: Links {
                    path: "/customerInvoices",
                    id: invoice_id,
                },
            });
        }

        let worker = field_users[g
            .rng
            .gen_range(0..field_users.len().max(1))
            .min(field_users.len().saturating_sub(1))];
        if matches!(
            status,
            "In Progress" | "To Invoice" | "Invoiced" | "Completed"
        ) {
            // Half the worked jobs log time within the last 60 days.
            if g.rng.gen_bool(0.5) {
                let visits = g.rng.gen_range(1..3);
                for _ in 0..visits {
                    let entry_id = 80_000 + time_entries.len() as i64;
                    let day = recent_start
                        + Duration::days(g.rng.gen_range(0..60))
                        + Duration::hours(g.rng.gen_range(7..15));
                    let hours = g.rng.gen_range(1..16) as f64 * 0.5;
                    let end = day + Duration::minutes((hours * 60.0) as i64);
                    time_entries.push(TimeEntry {
                        time_entry_id: entry_id,
                        user_id: worker,
                        job_id: id,
                        job_no,
                        start_time: format_local(day),
                        end_time: format_local(end),
                        paid_duration: hours,
                        is_locked: day < anchor - Duration::days(14),
                        start: day,
                        links: Links {
                            path: "/timeEntries",
                            id: entry_id,
                        },
                    });
                }
            }
        }

        if status == "To Schedule" || status == "In Progress" || g.rng.gen_bool(0.1) {
            let event_id = 90_000 + calendar_events.len() as i64;
            let day = anchor + Duration::days(g.rng.gen_range(-30..30));
            let start = at_hour(day.date_naive(), g.rng.gen_range(7..16), 0);
            calendar_events.push(CalendarEvent {
                id: event_id,
                title: format!("Job-{job_no} {title}"),
                event_type: "JOB",
                user_id: worker,
                job_id: Some(id),
                start_time: start,
                end_time: start + Duration::hours(g.rng.gen_range(1..5)),
                all_day: false,
                links: Links {
                    path: "/calendarEvents",
                    id: event_id,
                },
            });
        }

        if g.rng.gen_bool(0.6) {
            let note_id = 120_000 + notes.len() as i64;
            notes.push(Note {
                id: note_id,
                entity_name: "JOB".to_owned(),
                entity_id: id,
                text: g.pick(NOTE_TEXTS).to_owned(),
                created_by_user_id: users[g.rng.gen_range(0..users.len())].id,
                created_at: (created + Duration::hours(g.rng.gen_range(1..72))).min(anchor),
                links: Links {
                    path: "/notes",
                    id: note_id,
                },
            });
        }

        let description = format!("{title} at {}", site.physical_address.address1);
        let on_hold = status == "In Progress" && g.rng.gen_bool(0.05);
        let customer_reference = if g.rng.gen_bool(0.3) {
            Some(format!("PO-{}", g.rng.gen_range(10000..99999)))
        } else {
            None
        };
        jobs.push(Job {
            id,
            job_no,
            title: title.to_owned(),
            description,
            long_description: long.to_owned(),
            job_type: job_type.to_owned(),
            status: status.to_owned(),
            customer: Some(CustomerRef {
                id: customer.id,
                customer_full_name: customer.customer_full_name.clone(),
            }),
            site_address: Some(SiteRef {
                id: site.id,
                name: site.name.clone(),
            }),
            main_contact: Some(ContactRef {
                id: contact.id,
                first_name: contact.first_name.clone(),
                last_name: contact.last_name.clone(),
            }),
            active_quote,
            customer_reference,
            on_hold,
            archived: status == "Inactive" && g.rng.gen_bool(0.5),
            created_at: created,
            last_modified,
            links: Links { path: "/jobs", id },
        });
    }
    // Notes on customers too.
    for customer in customers.iter().take(customer_n / 5) {
        let note_id = 120_000 + notes.len() as i64;
        notes.push(Note {
            id: note_id,
            entity_name: "CUSTOMER".to_owned(),
            entity_id: customer.id,
            text: g.pick(NOTE_TEXTS).to_owned(),
            created_by_user_id: users[0].id,
            created_at: customer.created_at,
            links: Links {
                path: "/notes",
                id: note_id,
            },
        });
    }
    // Time entries and calendar events were created out of order: sort by id is
    // already true (ids follow push order), nothing to do.

    // Enquiries.
    let enquiry_n = jobs_n / 20;
    let mut enquiries = Vec::with_capacity(enquiry_n);
    for i in 0..enquiry_n {
        let id = 7000 + i as i64;
        let created = spread(
            anchor - Duration::days(365),
            anchor,
            i,
            enquiry_n,
            &mut g.rng,
        );
        let person = g.person();
        let status = ENQUIRY_STATUSES[g.rng.gen_range(0..ENQUIRY_STATUSES.len())];
        let (title, long, _, _) = WORK[g.rng.gen_range(0..WORK.len())];
        let job_id = if status == "JOBCREATED" && jobs_n > 0 {
            Some(10_000 + g.rng.gen_range(0..jobs_n) as i64)
        } else {
            None
        };
        enquiries.push(Enquiry {
            id,
            status: status.to_owned(),
            title: title.to_owned(),
            description: long.to_owned(),
            contact_name: format!("{} {}", person.first_name, person.last_name),
            contact_phone: person.contact_items[1].contact_value.clone(),
            contact_email: person.contact_items[0].contact_value.clone(),
            address: g.address(),
            customer_id: None,
            job_id,
            created_at: created,
            last_modified: created,
            links: Links {
                path: "/enquiries",
                id,
            },
        });
    }

    // Leave events for staff (not tied to jobs).
    for (i, user) in users.iter().enumerate().skip(3).step_by(3) {
        let event_id = 90_000 + calendar_events.len() as i64;
        let start = at_hour(add_days(today, (i as i64 % 20) - 5), 0, 0);
        calendar_events.push(CalendarEvent {
            id: event_id,
            title: format!("{} on leave", user.first_name),
            event_type: "LEAVE",
            user_id: user.id,
            job_id: None,
            start_time: start,
            end_time: start + Duration::days(1),
            all_day: true,
            links: Links {
                path: "/calendarEvents",
                id: event_id,
            },
        });
    }

    Dataset {
        company,
        users,
        customers,
        sites,
        contacts,
        jobs,
        quotes,
        invoices,
        time_entries,
        notes,
        enquiries,
        calendar_events,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(seed: u64, jobs: usize) -> GenerateOptions {
        GenerateOptions {
            seed,
            jobs,
            anchor: Utc
                .with_ymd_and_hms(2026, 3, 1, 0, 0, 0)
                .single()
                .unwrap_or_default(),
            company_id: 1,
            company_name: "Test Co".to_owned(),
            first_user_id: 100,
        }
    }

    #[test]
    fn same_seed_same_data_different_seed_different_data() {
        let a = serde_json::to_string(&generate(&options(7, 500))).unwrap_or_default();
        let b = serde_json::to_string(&generate(&options(7, 500))).unwrap_or_default();
        let c = serde_json::to_string(&generate(&options(8, 500))).unwrap_or_default();
        assert!(a.len() > 10_000);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn covers_every_status_and_type_and_sorted_ids() {
        let data = generate(&options(3, 3000));
        for status in JOB_STATUSES {
            assert!(data.jobs.iter().any(|j| j.status == *status), "{status}");
        }
        for kind in JOB_TYPES {
            assert!(data.jobs.iter().any(|j| j.job_type == *kind), "{kind}");
        }
        assert!(data.jobs.windows(2).all(|w| w[0].id < w[1].id));
        assert!(data.customers.windows(2).all(|w| w[0].id < w[1].id));
        assert!(data.sites.windows(2).all(|w| w[0].id < w[1].id));
        assert!(!data.quotes.is_empty() && !data.invoices.is_empty());
        assert!(!data.time_entries.is_empty() && !data.notes.is_empty());
        assert!(!data.enquiries.is_empty() && !data.calendar_events.is_empty());
        assert_eq!(data.users[0].user_type, "admin");
        for invoice in &data.invoices {
            let expected = round2(invoice.subtotal * f64::from(invoice.tax_rate) / 100.0);
            assert!((invoice.tax_value - expected).abs() < 0.001);
        }
    }

    #[test]
    fn zero_jobs_is_fine() {
        let data = generate(&options(1, 0));
        assert!(data.jobs.is_empty());
        assert!(!data.users.is_empty());
    }
}
