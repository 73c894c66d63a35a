//! The callbacks this receiver is waiting for, so unknown ids cost no outbound call.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;
use webhook_core::{BoxFuture, StoreError};

/// Remembers the callback ids of jobs this receiver started. Implement it over a shared store
/// when several instances receive callbacks.
pub trait PendingCallbacks: Send + Sync + 'static {
    /// Records that a callback with `id` is expected within `ttl`.
    fn register<'a>(&'a self, id: &'a str, ttl: Duration) -> BoxFuture<'a, Result<(), StoreError>>;
    /// Whether a callback with `id` is expected.
    fn is_pending<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<bool, StoreError>>;
}

/// A bounded in-process registry (the default). Entries expire after their TTL; when full the
/// oldest expiry goes first. An id stays pending after its payload was fetched, so a retry
/// after a failed delivery still finds it; repeats of a delivered id are caught earlier by the
/// replay store.
///
/// ```
/// use std::time::Duration;
/// use webhook_autoflex::{MemoryPendingCallbacks, PendingCallbacks};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let pending = MemoryPendingCallbacks::new(1_000);
/// pending.register("3f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e", Duration::from_secs(3600)).await.unwrap();
/// assert!(pending.is_pending("3f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e").await.unwrap());
/// assert!(!pending.is_pending("8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d").await.unwrap());
/// # }
/// ```
#[derive(Clone)]
pub struct MemoryPendingCallbacks {
    capacity: usize,
    ids: Arc<Mutex<HashMap<String, Instant>>>,
}

impl fmt::Debug for MemoryPendingCallbacks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The ids are secrets: only their number is shown.
        let len = self
            .ids
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("MemoryPendingCallbacks")
            .field("capacity", &self.capacity)
            .field("pending", &len)
            .finish()
    }
}

impl MemoryPendingCallbacks {
    /// A registry of at most `capacity` ids.
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            ids: Arc::default(),
        }
    }
}

impl MemoryPendingCallbacks {
    /// Registers `id` for `ttl` synchronously (what [`PendingCallbacks::register`] does).
    pub fn insert(&self, id: &str, ttl: Duration) {
        let now = Instant::now();
        let mut ids = self.ids.lock().unwrap_or_else(PoisonError::into_inner);
        ids.retain(|_, until| *until > now);
        if ids.len() >= self.capacity {
            let oldest = ids
                .iter()
                .min_by_key(|(_, until)| **until)
                .map(|(id, _)| id.clone());
            if let Some(oldest) = oldest {
                ids.remove(&oldest);
            }
        }
        ids.insert(id.to_ascii_lowercase(), now + ttl);
    }
}

impl PendingCallbacks for MemoryPendingCallbacks {
    fn register<'a>(&'a self, id: &'a str, ttl: Duration) -> BoxFuture<'a, Result<(), StoreError>> {
        self.insert(id, ttl);
        Box::pin(async { Ok(()) })
    }

    fn is_pending<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        let now = Instant::now();
        let pending = self
            .ids
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .is_some_and(|until| *until > now);
        Box::pin(async move { Ok(pending) })
    }
}
