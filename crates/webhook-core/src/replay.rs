//! The replay guard: each verified delivery id moves absent → in flight (a lease) → done.
//! A non-2xx answer from the inner service releases the id so the sender's retry is processed.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use crate::fetch::BoxFuture;

/// The state found when claiming an id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The id was absent and is now leased to the caller.
    Fresh,
    /// Another delivery of the id holds a live lease.
    InFlight,
    /// The id was already processed successfully.
    Done,
}

/// The replay store could not answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "replay store unavailable: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// Remembers delivery ids across requests (and, for shared stores, across instances).
///
/// Keys are namespaced by the core (`<provider>:<id>`). Implementations must make `claim`
/// atomic: of concurrent claims of one absent id, exactly one gets [`Claim::Fresh`].
pub trait ReplayStore: Send + Sync + 'static {
    /// Atomically leases an absent id for `lease`, or reports its state. An expired lease
    /// counts as absent (a crashed holder's id becomes retryable).
    fn claim<'a>(
        &'a self,
        key: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Claim, StoreError>>;
    /// Marks a leased id done for `ttl`.
    fn complete<'a>(&'a self, key: &'a str, ttl: Duration)
    -> BoxFuture<'a, Result<(), StoreError>>;
    /// Drops a lease so the next delivery is processed.
    fn release<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>>;
    /// Reports the state of an id without changing it (`Fresh` meaning absent).
    fn peek<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Claim, StoreError>>;
}

#[derive(Clone, Copy)]
enum Entry {
    Leased(Instant),
    Done(Instant),
}

impl Entry {
    fn live(self, now: Instant) -> Option<Claim> {
        match self {
            Self::Leased(until) if until > now => Some(Claim::InFlight),
            Self::Done(until) if until > now => Some(Claim::Done),
            _ => None,
        }
    }
}

/// A bounded in-process replay store (the default). When full, the oldest ids are forgotten
/// first; size it above the number of deliveries your providers can redeliver within the TTL.
/// Use a shared store (Redis) when several instances receive the same provider.
///
/// ```
/// use std::time::Duration;
/// use webhook_core::{Claim, MemoryReplayStore, ReplayStore};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let store = MemoryReplayStore::new(10_000);
/// let lease = Duration::from_secs(60);
/// assert_eq!(store.claim("standard:msg_1", lease).await.unwrap(), Claim::Fresh);
/// assert_eq!(store.claim("standard:msg_1", lease).await.unwrap(), Claim::InFlight);
/// store.complete("standard:msg_1", Duration::from_secs(3600)).await.unwrap();
/// assert_eq!(store.claim("standard:msg_1", lease).await.unwrap(), Claim::Done);
/// # }
/// ```
#[derive(Clone)]
pub struct MemoryReplayStore {
    capacity: usize,
    state: Arc<Mutex<MemoryState>>,
}

#[derive(Default)]
struct MemoryState {
    entries: HashMap<String, Entry>,
    order: VecDeque<String>,
}

impl fmt::Debug for MemoryReplayStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryReplayStore")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish()
    }
}

impl Default for MemoryReplayStore {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

impl MemoryReplayStore {
    /// Default number of ids remembered: 100 000.
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// A store remembering at most `capacity` ids.
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            state: Arc::default(),
        }
    }

    /// Number of ids currently remembered (including expired ones not yet swept).
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no id is remembered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn claim_now(&self, key: &str, lease: Duration) -> Claim {
        let now = Instant::now();
        let mut state = self.lock();
        if let Some(claim) = state.entries.get(key).and_then(|e| e.live(now)) {
            return claim;
        }
        let fresh = state
            .entries
            .insert(key.to_owned(), Entry::Leased(now + lease))
            .is_none();
        if fresh {
            state.order.push_back(key.to_owned());
        }
        while state.entries.len() > self.capacity {
            let Some(oldest) = state.order.pop_front() else {
                break;
            };
            state.entries.remove(&oldest);
        }
        Claim::Fresh
    }
}

impl ReplayStore for MemoryReplayStore {
    fn claim<'a>(
        &'a self,
        key: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Claim, StoreError>> {
        let claim = self.claim_now(key, lease);
        Box::pin(async move { Ok(claim) })
    }

    fn complete<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        let now = Instant::now();
        let mut state = self.lock();
        if let Some(entry) = state.entries.get_mut(key) {
            *entry = Entry::Done(now + ttl);
        }
        Box::pin(async { Ok(()) })
    }

    fn release<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        let mut state = self.lock();
        if matches!(state.entries.get(key), Some(Entry::Leased(_))) {
            state.entries.remove(key);
            state.order.retain(|k| k != key);
        }
        Box::pin(async { Ok(()) })
    }

    fn peek<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Claim, StoreError>> {
        let now = Instant::now();
        let claim = self
            .lock()
            .entries
            .get(key)
            .and_then(|e| e.live(now))
            .unwrap_or(Claim::Fresh);
        Box::pin(async move { Ok(claim) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEASE: Duration = Duration::from_secs(60);

    #[tokio::test(start_paused = true)]
    async fn expired_lease_makes_the_id_claimable_again() {
        let store = MemoryReplayStore::default();
        assert_eq!(store.claim("a", LEASE).await.unwrap(), Claim::Fresh);
        tokio::time::advance(Duration::from_secs(61)).await;
        assert_eq!(store.claim("a", LEASE).await.unwrap(), Claim::Fresh);
    }

    #[tokio::test]
    async fn released_id_is_processed_again() {
        let store = MemoryReplayStore::default();
        assert_eq!(store.claim("a", LEASE).await.unwrap(), Claim::Fresh);
        store.release("a").await.unwrap();
        assert_eq!(store.peek("a").await.unwrap(), Claim::Fresh);
        assert_eq!(store.claim("a", LEASE).await.unwrap(), Claim::Fresh);
    }

    #[tokio::test]
    async fn release_never_forgets_a_done_id() {
        let store = MemoryReplayStore::default();
        store.claim("a", LEASE).await.unwrap();
        store.complete("a", LEASE).await.unwrap();
        store.release("a").await.unwrap();
        assert_eq!(store.claim("a", LEASE).await.unwrap(), Claim::Done);
    }

    #[tokio::test]
    async fn capacity_bounds_memory() {
        let store = MemoryReplayStore::new(100);
        for i in 0..1_000 {
            store.claim(&format!("k{i}"), LEASE).await.unwrap();
        }
        assert_eq!(store.len(), 100);
    }
}
