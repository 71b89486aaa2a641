//! The catalog: every system Patchbay knows, described by data. Systems that
//! can be connected today come with a [`Connector`]; the others are listed as
//! "coming soon" so the wizard can show them, greyed.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::fergus::FergusConnector;
use crate::model::{ColumnSpec, EntityTypeSpec, FieldSpec, Guidance, Hosting};
use crate::{Connector, SystemDescriptor};

/// All systems, by id: connectable ones (with a connector) and coming-soon ones
/// (descriptor only, `available: false`).
#[derive(Clone)]
pub struct Catalog {
    connectors: Vec<Arc<dyn Connector>>,
    coming_soon: Vec<SystemDescriptor>,
    /// System id → API address to offer instead of the system's own default
    /// (the practice Fergus for `make run`).
    default_addresses: BTreeMap<String, String>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field(
                "systems",
                &self
                    .systems()
                    .iter()
                    .map(|d| d.id.clone())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Catalog {
    /// A catalog of exactly these connectors (tests use their own).
    pub fn new(connectors: Vec<Arc<dyn Connector>>) -> Self {
        Self {
            connectors,
            coming_soon: Vec::new(),
            default_addresses: BTreeMap::new(),
        }
    }

    /// Offer `address` as the default API address of `system_id` (its
    /// `apiUrl` field's default), and point the guidance's settings link at
    /// the same server. `make run` uses this to make the practice Fergus the
    /// default, so a newcomer can connect with no account.
    pub fn with_default_address(mut self, system_id: &str, address: &str) -> Self {
        let address = address.trim().trim_end_matches('/');
        if !address.is_empty() {
            self.default_addresses
                .insert(system_id.to_string(), address.to_string());
        }
        self
    }

    /// Add systems that are shown but cannot be connected yet. Their
    /// `available` flag is forced to false.
    pub fn with_coming_soon(mut self, systems: Vec<SystemDescriptor>) -> Self {
        self.coming_soon.extend(systems.into_iter().map(|mut d| {
            d.available = false;
            d
        }));
        self
    }

    /// The catalog Patchbay ships: Fergus (connectable) and the next systems
    /// as "coming soon".
    pub fn standard(http: reqwest::Client) -> Self {
        Self::new(vec![Arc::new(FergusConnector::new(http))]).with_coming_soon(coming_soon())
    }

    /// Every system, connectable first, in catalog order.
    pub fn systems(&self) -> Vec<SystemDescriptor> {
        self.connectors
            .iter()
            .map(|c| c.descriptor().clone())
            .chain(self.coming_soon.iter().cloned())
            .map(|d| self.with_address_override(d))
            .collect()
    }

    fn with_address_override(&self, mut descriptor: SystemDescriptor) -> SystemDescriptor {
        if let Some(address) = self.default_addresses.get(&descriptor.id) {
            for field in descriptor.fields.iter_mut().filter(|f| f.key == "apiUrl") {
                field.default_value = Some(address.clone());
            }
            descriptor.guidance.settings_url =
                format!("{address}{}", descriptor.guidance.settings_path);
        }
        descriptor
    }

    /// The descriptor of any system, connectable or not.
    pub fn descriptor(&self, system_id: &str) -> Option<SystemDescriptor> {
        self.systems().into_iter().find(|d| d.id == system_id)
    }

    /// The connector of a system that can be connected today.
    pub fn get(&self, system_id: &str) -> Option<Arc<dyn Connector>> {
        self.connectors
            .iter()
            .find(|c| c.descriptor().id == system_id)
            .cloned()
    }
}

fn field(key: &str, label: &str, example: &str, help: &str, secret: bool) -> FieldSpec {
    FieldSpec {
        key: key.to_string(),
        label: label.to_string(),
        example: example.to_string(),
        help: help.to_string(),
        secret,
        required: true,
        pattern: None,
        pattern_message: None,
        default_value: None,
        advanced: false,
    }
}

fn entity(key: &str, label: &str, singular: &str, columns: &[(&str, &str)]) -> EntityTypeSpec {
    EntityTypeSpec {
        key: key.to_string(),
        label: label.to_string(),
        singular: singular.to_string(),
        searchable: false,
        creatable: false,
        required_for_connect: false,
        sortable_fields: Vec::new(),
        columns: columns
            .iter()
            .map(|(path, label)| ColumnSpec {
                path: path.to_string(),
                label: label.to_string(),
            })
            .collect(),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[allow(clippy::too_many_arguments)]
fn coming(
    id: &str,
    name: &str,
    summary: &str,
    category: &str,
    hosting: Hosting,
    fields: Vec<FieldSpec>,
    guidance: Guidance,
    entity_types: Vec<EntityTypeSpec>,
) -> SystemDescriptor {
    SystemDescriptor {
        id: id.to_string(),
        name: name.to_string(),
        summary: summary.to_string(),
        category: category.to_string(),
        hosting,
        credit_cost: match hosting {
            Hosting::Cloud => 1,
            Hosting::OnPremises => 2,
        },
        fields,
        guidance,
        entity_types,
        token_lifetime_days: None,
        available: false,
    }
}

/// Systems listed as "coming soon": no connector yet.
pub fn coming_soon() -> Vec<SystemDescriptor> {
    let simpro_steps = strings(&[
        "Sign in to simPRO as an administrator (API access needs a Premium build).",
        "Open the gear menu → Setup → System Setup → Integrations/API → Applications.",
        "Press Create Application and choose the authentication method \"API Key\".",
        "Copy the API key and paste it here, with your simPRO address and Company ID (0 unless you have several companies).",
    ]);
    let simpro_notes = strings(&[
        "The key stops working if the user behind it is archived or changes their password.",
        "simPRO allows 10 requests a second for your whole build, shared with your other tools.",
    ]);
    let simpro_entities = || {
        vec![
            entity(
                "jobs",
                "Jobs",
                "Job",
                &[("ID", "Job"), ("Name", "Name"), ("Stage", "Stage")],
            ),
            entity(
                "quotes",
                "Quotes",
                "Quote",
                &[("ID", "Quote"), ("Name", "Name"), ("Stage", "Stage")],
            ),
            entity(
                "customers",
                "Customers",
                "Customer",
                &[("ID", "ID"), ("CompanyName", "Name"), ("Email", "Email")],
            ),
            entity(
                "sites",
                "Sites",
                "Site",
                &[("ID", "ID"), ("Name", "Name"), ("Address.City", "City")],
            ),
            entity(
                "invoices",
                "Invoices",
                "Invoice",
                &[
                    ("ID", "Invoice"),
                    ("Stage", "Stage"),
                    ("Total.IncTax", "Total"),
                ],
            ),
        ]
    };
    let simpro_fields = |example_url: &str| {
        vec![
            field(
                "apiUrl",
                "simPRO address",
                example_url,
                "The address you sign in to simPRO at.",
                false,
            ),
            field(
                "token",
                "simPRO API key",
                "",
                "The API key of the application you created in simPRO.",
                true,
            ),
            FieldSpec {
                default_value: Some("0".to_string()),
                advanced: true,
                pattern: Some("^[0-9]+$".to_string()),
                pattern_message: Some(
                    "The Company ID is a number (0 unless you have several companies).".to_string(),
                ),
                ..field(
                    "companyId",
                    "Company ID",
                    "0",
                    "0 unless your simPRO has several companies.",
                    false,
                )
            },
        ]
    };

    vec![
        coming(
            "simpro",
            "simPRO (cloud)",
            "Job management for trades and service businesses, hosted by simPRO.",
            "Job management",
            Hosting::Cloud,
            simpro_fields("https://yourcompany.simprosuite.com"),
            Guidance {
                steps: simpro_steps.clone(),
                notes: simpro_notes.clone(),
                settings_path: "/staff/configCompany.php".to_string(),
                settings_url: "https://www.simprogroup.com/".to_string(),
            },
            simpro_entities(),
        ),
        coming(
            "simpro-self-hosted",
            "simPRO (self-hosted)",
            "simPRO installed on your own server.",
            "Job management",
            Hosting::OnPremises,
            simpro_fields("https://simpro.yourcompany.com"),
            Guidance {
                steps: simpro_steps,
                notes: simpro_notes,
                settings_path: "/staff/configCompany.php".to_string(),
                settings_url: "https://www.simprogroup.com/".to_string(),
            },
            simpro_entities(),
        ),
        coming(
            "servicem8",
            "ServiceM8",
            "Job management for field service businesses.",
            "Job management",
            Hosting::Cloud,
            vec![field(
                "token",
                "ServiceM8 API key",
                "",
                "The API key from ServiceM8's Settings → API Keys.",
                true,
            )],
            Guidance {
                steps: strings(&[
                    "Sign in to ServiceM8 as an administrator.",
                    "Open Settings → API Keys.",
                    "Create a key (it can be read-only) and copy it here.",
                ]),
                notes: strings(&[
                    "Deleting the key in ServiceM8 cuts Patchbay's access at once.",
                    "Keys starting with smk- are add-on keys and don't work here.",
                ]),
                settings_path: "/settings/api-keys".to_string(),
                settings_url: "https://go.servicem8.com/".to_string(),
            },
            vec![
                entity(
                    "jobs",
                    "Jobs",
                    "Job",
                    &[
                        ("generated_job_id", "Job"),
                        ("status", "Status"),
                        ("job_address", "Address"),
                    ],
                ),
                entity(
                    "customers",
                    "Customers",
                    "Customer",
                    &[
                        ("name", "Name"),
                        ("email", "Email"),
                        ("edit_date", "Changed"),
                    ],
                ),
                entity(
                    "staff",
                    "Staff",
                    "Staff member",
                    &[
                        ("first", "First name"),
                        ("last", "Last name"),
                        ("email", "Email"),
                    ],
                ),
            ],
        ),
        coming(
            "jobber",
            "Jobber",
            "Job management for home service businesses.",
            "Job management",
            Hosting::Cloud,
            Vec::new(),
            Guidance {
                steps: strings(&[
                    "Press Connect: Jobber opens in your browser.",
                    "Sign in to Jobber and allow Patchbay access.",
                    "Come back here — the connection finishes by itself.",
                ]),
                notes: strings(&[
                    "If someone disconnects Patchbay in Jobber, you'll need to connect again.",
                ]),
                settings_path: "/apps".to_string(),
                settings_url: "https://secure.getjobber.com/".to_string(),
            },
            vec![
                entity(
                    "clients",
                    "Clients",
                    "Client",
                    &[
                        ("name", "Name"),
                        ("emails", "Email"),
                        ("createdAt", "Added"),
                    ],
                ),
                entity(
                    "jobs",
                    "Jobs",
                    "Job",
                    &[
                        ("jobNumber", "Job"),
                        ("title", "Title"),
                        ("jobStatus", "Status"),
                    ],
                ),
                entity(
                    "invoices",
                    "Invoices",
                    "Invoice",
                    &[
                        ("invoiceNumber", "Invoice"),
                        ("invoiceStatus", "Status"),
                        ("total", "Total"),
                    ],
                ),
            ],
        ),
        coming(
            "xero",
            "Xero",
            "Online accounting: invoices, bills, contacts and bank reconciliation.",
            "Accounting",
            Hosting::Cloud,
            Vec::new(),
            Guidance {
                steps: strings(&[
                    "Press Connect: Xero opens in your browser.",
                    "Sign in to Xero and choose the organisation to connect.",
                    "Press Allow access, then come back here.",
                ]),
                notes: strings(&["Xero allows 60 requests a minute for each organisation."]),
                settings_path: "/Settings/ConnectedApps".to_string(),
                settings_url: "https://go.xero.com/".to_string(),
            },
            vec![
                entity(
                    "contacts",
                    "Contacts",
                    "Contact",
                    &[
                        ("Name", "Name"),
                        ("EmailAddress", "Email"),
                        ("ContactStatus", "Status"),
                    ],
                ),
                entity(
                    "invoices",
                    "Invoices",
                    "Invoice",
                    &[
                        ("InvoiceNumber", "Invoice"),
                        ("Status", "Status"),
                        ("Total", "Total"),
                    ],
                ),
            ],
        ),
        coming(
            "quickbooks",
            "QuickBooks Online",
            "Online accounting from Intuit.",
            "Accounting",
            Hosting::Cloud,
            Vec::new(),
            Guidance {
                steps: strings(&[
                    "Press Connect: QuickBooks opens in your browser.",
                    "Sign in to QuickBooks and choose the company to connect.",
                    "Press Connect, then come back here.",
                ]),
                notes: strings(&[
                    "You'll need to connect again if nobody uses the connection for 100 days.",
                ]),
                settings_path: "/app/apps".to_string(),
                settings_url: "https://app.qbo.intuit.com/".to_string(),
            },
            vec![
                entity(
                    "customers",
                    "Customers",
                    "Customer",
                    &[
                        ("DisplayName", "Name"),
                        ("PrimaryEmailAddr.Address", "Email"),
                        ("Balance", "Balance"),
                    ],
                ),
                entity(
                    "invoices",
                    "Invoices",
                    "Invoice",
                    &[
                        ("DocNumber", "Invoice"),
                        ("TxnDate", "Date"),
                        ("TotalAmt", "Total"),
                    ],
                ),
            ],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_catalog_lists_all_and_connects_only_fergus() {
        let catalog = Catalog::standard(reqwest::Client::new());
        let systems = catalog.systems();
        let ids: Vec<_> = systems.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "fergus",
                "simpro",
                "simpro-self-hosted",
                "servicem8",
                "jobber",
                "xero",
                "quickbooks"
            ]
        );
        assert!(systems[0].available);
        assert!(systems[1..].iter().all(|d| !d.available));
        assert!(catalog.get("fergus").is_some());
        assert!(catalog.get("xero").is_none());
        assert!(catalog.get("nope").is_none());
        assert_eq!(
            catalog.descriptor("xero").map(|d| d.category),
            Some("Accounting".to_string())
        );
    }

    #[test]
    fn credit_costs_follow_hosting() {
        for d in Catalog::standard(reqwest::Client::new()).systems() {
            let expected = match d.hosting {
                Hosting::Cloud => 1,
                Hosting::OnPremises => 2,
            };
            assert_eq!(d.credit_cost, expected, "{}", d.id);
        }
        let self_hosted = coming_soon()
            .into_iter()
            .find(|d| d.id == "simpro-self-hosted")
            .expect("listed");
        assert_eq!(self_hosted.hosting, Hosting::OnPremises);
        assert_eq!(self_hosted.credit_cost, 2);
    }

    #[test]
    fn coming_soon_is_forced_unavailable() {
        let mut d = crate::fergus::descriptor();
        d.id = "other".into();
        let catalog = Catalog::new(Vec::new()).with_coming_soon(vec![d]);
        assert!(!catalog.systems()[0].available);
        assert!(catalog.get("other").is_none());
    }

    #[test]
    fn every_pattern_compiles() {
        for d in Catalog::standard(reqwest::Client::new()).systems() {
            for f in &d.fields {
                if let Some(p) = &f.pattern {
                    assert!(regex::Regex::new(p).is_ok(), "{}.{}", d.id, f.key);
                    assert!(f.pattern_message.is_some(), "{}.{}", d.id, f.key);
                }
            }
        }
    }
}

#[cfg(test)]
mod address_override_tests {
    use super::*;

    #[test]
    fn a_default_address_replaces_the_api_url_default_and_the_settings_link() {
        let catalog = Catalog::standard(reqwest::Client::new())
            .with_default_address("fergus", "http://127.0.0.1:47100/");
        let fergus = catalog.descriptor("fergus").expect("fergus is listed");
        let api_url = fergus
            .fields
            .iter()
            .find(|f| f.key == "apiUrl")
            .expect("apiUrl field");
        assert_eq!(
            api_url.default_value.as_deref(),
            Some("http://127.0.0.1:47100")
        );
        assert_eq!(
            fergus.guidance.settings_url,
            "http://127.0.0.1:47100/settings/integrations/fergus-api"
        );
        // Other systems are untouched.
        let plain = Catalog::standard(reqwest::Client::new());
        assert_eq!(
            plain.descriptor("xero").map(|d| d.guidance.settings_url),
            catalog.descriptor("xero").map(|d| d.guidance.settings_url)
        );
    }

    #[test]
    fn an_empty_address_changes_nothing() {
        let catalog =
            Catalog::standard(reqwest::Client::new()).with_default_address("fergus", "  ");
        let fergus = catalog.descriptor("fergus").expect("fergus is listed");
        let api_url = fergus
            .fields
            .iter()
            .find(|f| f.key == "apiUrl")
            .expect("apiUrl field");
        assert_eq!(
            api_url.default_value.as_deref(),
            Some("https://api.fergus.com")
        );
    }
}
