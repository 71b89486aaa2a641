//! patchbay-connectors: the catalog of systems and one connector per system.
//!
//! The [`Connector`] trait is the one seam between the engine (`patchbay-core`)
//! and a system's API. A connector is stateless apart from its HTTP client:
//! every call receives the [`Credentials`] it should use. The engine orchestrates
//! the step-by-step validation (reach → sign in → check access per entity type)
//! by calling the trait methods in order, so it can report progress.

pub mod catalog;
pub mod error;
pub mod fergus;
mod http;
pub mod model;

pub use catalog::Catalog;
pub use error::{ConnectorError, ErrorCode, UnreachableCause};
pub use fergus::FergusConnector;
pub use model::*;

use async_trait::async_trait;

/// One system's API, seen from Patchbay.
#[async_trait]
pub trait Connector: Send + Sync {
    /// What this system is, in data: fields, guidance, entity types, credit cost.
    fn descriptor(&self) -> &SystemDescriptor;

    /// Step "check the address format": no request, only the rules of this
    /// system's API address (Fergus: an http(s) URL without user, password,
    /// query or fragment; empty means the default address).
    fn check_address(&self, credentials: &Credentials) -> Result<(), ConnectorError> {
        let _ = credentials;
        Ok(())
    }

    /// Step "reach the server": a request that needs no credentials
    /// (Fergus: `GET /version`).
    async fn reach(&self, credentials: &Credentials) -> Result<ServerInfo, ConnectorError>;

    /// Step "sign in": the cheapest authenticated request that names the account
    /// (Fergus: `GET /company`).
    async fn sign_in(&self, credentials: &Credentials) -> Result<AccountInfo, ConnectorError>;

    /// Step "check access to <entity>": one small read of that entity type.
    async fn check_access(
        &self,
        credentials: &Credentials,
        entity: &str,
    ) -> Result<AccessReport, ConnectorError>;

    /// A health check: exactly one cheap authenticated request. Never fails as a
    /// Rust error: the outcome (including transport failures) is data for the
    /// engine's state machine.
    async fn probe(&self, credentials: &Credentials) -> ProbeOutcome;

    /// One page of records of an entity type.
    async fn list(
        &self,
        credentials: &Credentials,
        entity: &str,
        query: &ListQuery,
    ) -> Result<RecordPage, ConnectorError>;

    /// One record by id.
    async fn get(
        &self,
        credentials: &Credentials,
        entity: &str,
        id: &str,
    ) -> Result<Record, ConnectorError>;

    /// Create a record (Fergus: customers and jobs). A duplicate is not an error:
    /// it comes back as [`CreateOutcome::AlreadyExists`] with the existing record.
    async fn create(
        &self,
        credentials: &Credentials,
        entity: &str,
        data: &serde_json::Value,
    ) -> Result<CreateOutcome, ConnectorError>;
}
