//! Where secrets live: the OS credential store (one entry per connection,
//! keyed by connection id), with a process-memory cache in front of it.
//!
//! Nothing here logs, formats or serialises a secret.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::connectors::Secret;
use crate::error::{AppError, AppErrorCode};

/// The plain-words hint for a missing or locked credential store.
pub const KEYRING_HINT: &str = "Patchbay keeps passwords in your computer's password store, and it is locked. Unlock it (log out and in again usually does it), then try again. Nothing was saved.";

/// A credential store, one secret per connection id.
#[async_trait]
pub trait SecretStore: Send + Sync {
    async fn set(&self, connection_id: &str, secret: &Secret) -> Result<(), AppError>;
    /// `Ok(None)` when there is no entry.
    async fn get(&self, connection_id: &str) -> Result<Option<Secret>, AppError>;
    /// Deleting a missing entry is not an error.
    async fn delete(&self, connection_id: &str) -> Result<(), AppError>;
}

/// The OS credential store through the `keyring` crate (Secret Service on
/// Linux, Keychain on macOS, Credential Manager on Windows).
#[derive(Debug, Clone)]
pub struct OsKeyring {
    /// The keyring "service" all of Patchbay's entries are filed under.
    pub service: String,
}

impl OsKeyring {
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    async fn blocking<T, F>(&self, connection_id: &str, action: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(keyring::Entry) -> Result<T, keyring::Error> + Send + 'static,
    {
        let service = self.service.clone();
        let user = connection_id.to_string();
        let outcome = tokio::task::spawn_blocking(move || {
            let entry = keyring::Entry::new(&service, &user)?;
            action(entry)
        })
        .await
        .map_err(|e| keyring_unavailable(format!("credential store task failed: {e}")))?;
        outcome.map_err(|e| keyring_error(&e))
    }
}

/// `keyring_unavailable` with the plain hint. `detail` is the store's own
/// error text (it never contains the secret: keyring errors carry none).
pub fn keyring_unavailable(detail: impl Into<String>) -> AppError {
    AppError::new(
        AppErrorCode::KeyringUnavailable,
        "Patchbay couldn't use this computer's password store.",
    )
    .hint(KEYRING_HINT)
    .detail(detail)
}

fn keyring_error(error: &keyring::Error) -> AppError {
    // Only the variant and the platform's message; `BadEncoding` carries raw
    // bytes of a stored value, so it is never formatted with its payload.
    let detail = match error {
        keyring::Error::BadEncoding(_) => "the stored value is not valid text".to_string(),
        keyring::Error::Ambiguous(_) => "more than one matching entry".to_string(),
        other => format!("credential store: {other}"),
    };
    keyring_unavailable(detail)
}

#[async_trait]
impl SecretStore for OsKeyring {
    async fn set(&self, connection_id: &str, secret: &Secret) -> Result<(), AppError> {
        let value = secret.clone();
        self.blocking(connection_id, move |entry| {
            entry.set_password(value.expose())
        })
        .await
    }

    async fn get(&self, connection_id: &str) -> Result<Option<Secret>, AppError> {
        self.blocking(connection_id, |entry| match entry.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e),
        })
        .await
    }

    async fn delete(&self, connection_id: &str) -> Result<(), AppError> {
        self.blocking(connection_id, |entry| match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e),
        })
        .await
    }
}

/// In-memory store, for unit tests that are not about storage.
#[derive(Default)]
pub struct InMemorySecrets {
    entries: Mutex<HashMap<String, Secret>>,
}

impl InMemorySecrets {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.entries.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl SecretStore for InMemorySecrets {
    async fn set(&self, connection_id: &str, secret: &Secret) -> Result<(), AppError> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.insert(connection_id.to_string(), secret.clone());
        Ok(())
    }

    async fn get(&self, connection_id: &str) -> Result<Option<Secret>, AppError> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        Ok(entries.get(connection_id).cloned())
    }

    async fn delete(&self, connection_id: &str) -> Result<(), AppError> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(connection_id);
        Ok(())
    }
}

/// The store plus a process-memory cache: each secret is read from the OS
/// store at most once per run (~30 ms per call), written through on
/// connect/reconnect and evicted on disconnect.
pub(crate) struct CachedSecrets {
    store: Arc<dyn SecretStore>,
    cache: Mutex<HashMap<String, Secret>>,
}

impl CachedSecrets {
    pub(crate) fn new(store: Arc<dyn SecretStore>) -> Self {
        Self {
            store,
            cache: Mutex::new(HashMap::new()),
        }
    }

    fn cached(&self, connection_id: &str) -> Option<Secret> {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.get(connection_id).cloned()
    }

    pub(crate) async fn get(&self, connection_id: &str) -> Result<Option<Secret>, AppError> {
        if let Some(secret) = self.cached(connection_id) {
            return Ok(Some(secret));
        }
        let secret = self.store.get(connection_id).await?;
        if let Some(secret) = &secret {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            cache.insert(connection_id.to_string(), secret.clone());
        }
        Ok(secret)
    }

    pub(crate) async fn set(&self, connection_id: &str, secret: &Secret) -> Result<(), AppError> {
        self.store.set(connection_id, secret).await?;
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.insert(connection_id.to_string(), secret.clone());
        Ok(())
    }

    pub(crate) async fn delete(&self, connection_id: &str) -> Result<(), AppError> {
        self.evict(connection_id);
        self.store.delete(connection_id).await
    }

    pub(crate) fn evict(&self, connection_id: &str) {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.remove(connection_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn cache_reads_the_store_once_and_evicts_on_delete() {
        let store = Arc::new(InMemorySecrets::new());
        store
            .set("c1", &Secret::new("fergPAT_aaaa-bbbb"))
            .await
            .unwrap_or_default();
        let cached = CachedSecrets::new(store.clone());
        let first = cached.get("c1").await.ok().flatten();
        assert_eq!(
            first.as_ref().map(Secret::expose),
            Some("fergPAT_aaaa-bbbb")
        );
        // Removing it behind the cache's back: the cache still answers.
        store.delete("c1").await.unwrap_or_default();
        assert!(cached.get("c1").await.ok().flatten().is_some());
        cached.delete("c1").await.unwrap_or_default();
        assert!(cached.get("c1").await.ok().flatten().is_none());
    }

    #[test]
    fn keyring_errors_become_keyring_unavailable_with_the_plain_hint() {
        let error = keyring_error(&keyring::Error::NoStorageAccess(Box::new(
            std::io::Error::other("locked"),
        )));
        assert_eq!(error.code, AppErrorCode::KeyringUnavailable);
        assert_eq!(error.hint.as_deref(), Some(KEYRING_HINT));
        let bad = keyring_error(&keyring::Error::BadEncoding(b"fergPAT_secret".to_vec()));
        assert!(!format!("{bad:?}").contains("fergPAT_secret"));
    }
}
