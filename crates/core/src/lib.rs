//! patchbay-core: the product's brain. One facade ([`Patchbay`]), no Tauri,
//! no UI.

pub mod clock;
pub mod error;
pub mod facade;
pub mod health;
pub mod mapping;
pub mod model;
pub mod monitor;
pub mod secrets;
pub mod store;
pub mod validate;
pub mod webhooks;

pub use clock::{Clock, ManualClock, SystemClock, TokioClock};
pub use error::{AppError, AppErrorCode};
pub use facade::{ConnectionChange, Patchbay, PatchbayOptions, TransitionSink};
pub use model::*;
pub use monitor::{MonitorHandle, MonitorOptions, SweepReport};
pub use patchbay_connectors as connectors;
pub use patchbay_connectors::{
    CreateOutcome, ListQuery, Record, RecordPage, Secret, SystemDescriptor,
};
pub use secrets::{InMemorySecrets, OsKeyring, SecretStore};
pub use webhooks::{
    CreatedWebhook, DeliveryPass, DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint,
    WebhookInput, WebhookWorkerHandle, WebhookWorkerOptions,
};
