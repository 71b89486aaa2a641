//! patchbay-core: the product's brain. One facade, no Tauri, no UI.

pub mod error;
pub mod health;

pub use error::{AppError, AppErrorCode};
pub use patchbay_connectors as connectors;
