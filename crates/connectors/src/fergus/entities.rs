//! The entity types the Fergus API offers, their paths and how to show them.

use crate::model::{ColumnSpec, EntityTypeSpec};

/// One Fergus entity type. The key is what the engine and the UI pass around.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    Jobs,
    Customers,
    Sites,
    Contacts,
    Quotes,
    Invoices,
    Users,
    Enquiries,
    TimeEntries,
    Notes,
}

impl EntityKind {
    pub const ALL: [EntityKind; 10] = [
        EntityKind::Jobs,
        EntityKind::Customers,
        EntityKind::Sites,
        EntityKind::Quotes,
        EntityKind::Invoices,
        EntityKind::Contacts,
        EntityKind::Users,
        EntityKind::Enquiries,
        EntityKind::TimeEntries,
        EntityKind::Notes,
    ];

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.key() == key)
    }

    /// Stable key: "jobs", "customers", …, "timeEntries".
    pub fn key(self) -> &'static str {
        match self {
            EntityKind::Jobs => "jobs",
            EntityKind::Customers => "customers",
            EntityKind::Sites => "sites",
            EntityKind::Contacts => "contacts",
            EntityKind::Quotes => "quotes",
            EntityKind::Invoices => "invoices",
            EntityKind::Users => "users",
            EntityKind::Enquiries => "enquiries",
            EntityKind::TimeEntries => "timeEntries",
            EntityKind::Notes => "notes",
        }
    }

    /// The API path of the collection (no version prefix on Fergus).
    pub fn path(self) -> &'static str {
        match self {
            EntityKind::Jobs => "/jobs",
            EntityKind::Customers => "/customers",
            EntityKind::Sites => "/sites",
            EntityKind::Contacts => "/contacts",
            // Plain `/quotes` is a 404 on Fergus.
            EntityKind::Quotes => "/jobs/quotes",
            EntityKind::Invoices => "/customerInvoices",
            EntityKind::Users => "/users",
            EntityKind::Enquiries => "/enquiries",
            EntityKind::TimeEntries => "/timeEntries",
            EntityKind::Notes => "/notes",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EntityKind::Jobs => "Jobs",
            EntityKind::Customers => "Customers",
            EntityKind::Sites => "Sites",
            EntityKind::Contacts => "Contacts",
            EntityKind::Quotes => "Quotes",
            EntityKind::Invoices => "Invoices",
            EntityKind::Users => "Users",
            EntityKind::Enquiries => "Enquiries",
            EntityKind::TimeEntries => "Time entries",
            EntityKind::Notes => "Notes",
        }
    }

    pub fn singular(self) -> &'static str {
        match self {
            EntityKind::Jobs => "Job",
            EntityKind::Customers => "Customer",
            EntityKind::Sites => "Site",
            EntityKind::Contacts => "Contact",
            EntityKind::Quotes => "Quote",
            EntityKind::Invoices => "Invoice",
            EntityKind::Users => "User",
            EntityKind::Enquiries => "Enquiry",
            EntityKind::TimeEntries => "Time entry",
            EntityKind::Notes => "Note",
        }
    }

    /// Whether Fergus takes `filterSearchText` on this collection.
    pub fn searchable(self) -> bool {
        matches!(self, EntityKind::Jobs | EntityKind::Customers)
    }

    /// Whether Fergus offers `GET <path>/{id}` (time entries and notes are
    /// list-only).
    pub fn gettable(self) -> bool {
        !matches!(self, EntityKind::TimeEntries | EntityKind::Notes)
    }

    /// What Patchbay can create here.
    pub fn creatable(self) -> bool {
        matches!(self, EntityKind::Jobs | EntityKind::Customers)
    }

    /// Checked while connecting: without read access to these the connection
    /// is refused.
    pub fn required_for_connect(self) -> bool {
        matches!(
            self,
            EntityKind::Jobs
                | EntityKind::Customers
                | EntityKind::Sites
                | EntityKind::Quotes
                | EntityKind::Invoices
        )
    }

    /// API field names the list can be sorted by.
    pub fn sortable_fields(self) -> &'static [&'static str] {
        match self {
            EntityKind::Jobs => &["jobNo", "createdAt", "lastModified", "status"],
            EntityKind::Customers => &["customerFullName", "createdAt"],
            EntityKind::Sites => &["name", "createdAt"],
            EntityKind::Contacts => &["firstName", "lastName", "createdAt"],
            EntityKind::Quotes => &["quoteDate", "dueDate", "createdAt"],
            EntityKind::Invoices => &["invoiceNumber", "dueDate", "createdAt"],
            EntityKind::Users => &["firstName", "lastName"],
            EntityKind::Enquiries => &["createdAt"],
            EntityKind::TimeEntries => &["startTime"],
            // Notes sort by a snake_case field on Fergus.
            EntityKind::Notes => &["created_at"],
        }
    }

    /// (path, label) of the columns a table shows first.
    pub fn columns(self) -> &'static [(&'static str, &'static str)] {
        match self {
            EntityKind::Jobs => &[
                ("jobNo", "Job number"),
                ("description", "Description"),
                ("status", "Status"),
                ("customer.customerFullName", "Customer"),
                ("lastModified", "Last changed"),
            ],
            EntityKind::Customers => &[
                ("customerFullName", "Name"),
                ("mainContact.firstName", "Contact"),
                ("physicalAddress.addressCity", "City"),
                ("createdAt", "Added"),
            ],
            EntityKind::Sites => &[
                ("name", "Name"),
                ("physicalAddress.address1", "Address"),
                ("physicalAddress.addressCity", "City"),
                ("defaultContact.firstName", "Contact"),
                ("isArchived", "Archived"),
            ],
            EntityKind::Contacts => &[
                ("firstName", "First name"),
                ("lastName", "Last name"),
                ("createdAt", "Added"),
            ],
            EntityKind::Quotes => &[
                ("title", "Title"),
                ("jobId", "Job"),
                ("quoteDate", "Quote date"),
                ("isSent", "Sent"),
                ("isAccepted", "Accepted"),
            ],
            EntityKind::Invoices => &[
                ("invoiceNumber", "Invoice number"),
                ("status", "Status"),
                ("subtotal", "Subtotal"),
                ("dueDate", "Due"),
                ("paidAt", "Paid"),
            ],
            EntityKind::Users => &[
                ("firstName", "First name"),
                ("lastName", "Last name"),
                ("email", "Email"),
                ("userType", "Role"),
                ("status", "Status"),
            ],
            EntityKind::Enquiries => &[
                ("title", "Title"),
                ("status", "Status"),
                ("createdAt", "Received"),
            ],
            EntityKind::TimeEntries => &[
                ("jobNo", "Job number"),
                ("userId", "User"),
                ("startTime", "Start"),
                ("endTime", "End"),
                ("paidDuration", "Paid hours"),
            ],
            EntityKind::Notes => &[
                ("text", "Note"),
                ("entityName", "On"),
                ("createdAt", "Added"),
            ],
        }
    }

    pub fn spec(self) -> EntityTypeSpec {
        EntityTypeSpec {
            key: self.key().to_string(),
            label: self.label().to_string(),
            singular: self.singular().to_string(),
            searchable: self.searchable(),
            creatable: self.creatable(),
            required_for_connect: self.required_for_connect(),
            sortable_fields: self
                .sortable_fields()
                .iter()
                .map(|f| f.to_string())
                .collect(),
            columns: self
                .columns()
                .iter()
                .map(|(path, label)| ColumnSpec {
                    path: path.to_string(),
                    label: label.to_string(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_are_unique() {
        for kind in EntityKind::ALL {
            assert_eq!(EntityKind::from_key(kind.key()), Some(kind));
        }
        let mut keys: Vec<_> = EntityKind::ALL.iter().map(|k| k.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), EntityKind::ALL.len());
        assert_eq!(EntityKind::from_key("Jobs"), None);
        assert_eq!(EntityKind::from_key("quote"), None);
    }

    #[test]
    fn quotes_and_invoices_use_fergus_paths() {
        assert_eq!(EntityKind::Quotes.path(), "/jobs/quotes");
        assert_eq!(EntityKind::Invoices.path(), "/customerInvoices");
    }

    #[test]
    fn required_set_is_the_five_core_types() {
        let required: Vec<_> = EntityKind::ALL
            .into_iter()
            .filter(|k| k.required_for_connect())
            .map(|k| k.key())
            .collect();
        assert_eq!(
            required,
            ["jobs", "customers", "sites", "quotes", "invoices"]
        );
    }

    #[test]
    fn every_type_has_columns_and_sort_fields() {
        for kind in EntityKind::ALL {
            let spec = kind.spec();
            assert!((3..=5).contains(&spec.columns.len()), "{}", spec.key);
            assert!(!spec.sortable_fields.is_empty(), "{}", spec.key);
        }
    }
}
