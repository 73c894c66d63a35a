//! A shared cache for fetched key documents (JWKS, discovery, certificates): bounded, with a
//! maximum age, a refetch cooldown, single flight per URL, negative caching, `Retry-After`
//! honoured, a global fetch-rate cap, and stale keys kept while the origin is down. Ages use the
//! monotonic clock, so wall-clock steps never revive or expire entries.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use crate::fetch::{Fetch, FetchRequest, FetchResponse};
use crate::limit::FetchLimiter;
use crate::rejection::{Reason, Rejection};

/// The longest `Retry-After` a key origin can impose: 5 minutes.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// How long fetched documents live and how often they may be refetched.
///
/// ```
/// use std::time::Duration;
/// use webhook_core::CachePolicy;
/// let policy = CachePolicy::default().refresh_cooldown(Duration::from_secs(60));
/// assert_eq!(policy.cooldown(), Duration::from_secs(60));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct CachePolicy {
    max_age: Duration,
    cooldown: Duration,
    max_stale: Duration,
    negative_ttl: Duration,
    capacity: usize,
    fetch_starts: u32,
    fetch_period: Duration,
}

impl Default for CachePolicy {
    fn default() -> Self {
        Self {
            max_age: Duration::from_secs(600),
            cooldown: Duration::from_secs(30),
            max_stale: Duration::from_secs(24 * 3600),
            negative_ttl: Duration::from_secs(60),
            capacity: 64,
            fetch_starts: 10,
            fetch_period: Duration::from_secs(10),
        }
    }
}

impl CachePolicy {
    /// Age after which a document is refetched on next use. Defaults to 10 minutes.
    #[must_use]
    pub const fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// Minimum time between two fetches of one URL, whatever callers ask (an unknown `kid`
    /// flood cannot cause more). Defaults to 30 seconds.
    #[must_use]
    pub const fn refresh_cooldown(mut self, cooldown: Duration) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// How long a document past its age is still served while refetches fail. Defaults to
    /// 24 hours.
    #[must_use]
    pub const fn max_stale(mut self, max_stale: Duration) -> Self {
        self.max_stale = max_stale;
        self
    }

    /// How long a failed fetch is remembered (answered without a new fetch). Defaults to
    /// 60 seconds.
    #[must_use]
    pub const fn negative_ttl(mut self, negative_ttl: Duration) -> Self {
        self.negative_ttl = negative_ttl;
        self
    }

    /// Maximum number of URLs kept; the least recently used goes first. Defaults to 64.
    #[must_use]
    pub const fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }

    /// At most `starts` fetches begin per `period`, over all URLs of the cache together (a
    /// burst of `starts`, then one per `period / starts`). Over the cap a lookup answers the
    /// cached document if there is one, else `key_unavailable`, without fetching and without
    /// remembering a failure. Defaults to 10 per 10 seconds.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_core::CachePolicy;
    /// // A burst of 5 fetches, then one every 12 s.
    /// let policy = CachePolicy::default().max_fetch_rate(5, Duration::from_secs(60));
    /// # let _ = policy;
    /// ```
    #[must_use]
    pub const fn max_fetch_rate(mut self, starts: u32, period: Duration) -> Self {
        self.fetch_starts = starts;
        self.fetch_period = period;
        self
    }

    /// The configured refetch cooldown.
    #[must_use]
    pub const fn cooldown(&self) -> Duration {
        self.cooldown
    }
}

/// Whether the caller accepts the cached document or needs a newer one (for example a JWT
/// names a `kid` the cached key set lacks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freshness {
    /// A cached document within its age is fine.
    Cached,
    /// Refetch if the cooldown allows; otherwise the cached document is returned.
    Refresh,
}

type Document = Arc<dyn Any + Send + Sync>;

#[derive(Default)]
struct SlotState {
    value: Option<(Document, Instant)>,
    last_attempt: Option<Instant>,
    failure: Option<(Rejection, Instant)>,
    last_used: Option<Instant>,
    /// No fetch before this instant: the origin's `Retry-After` (at least the cooldown, at
    /// most [`MAX_RETRY_AFTER`]).
    not_before: Option<Instant>,
    /// Number of completed fetches, so a caller that waited for the flight lock can tell
    /// whether another caller fetched meanwhile.
    generation: u64,
}

#[derive(Default)]
struct Slot {
    flight: tokio::sync::Mutex<()>,
    state: Mutex<SlotState>,
}

/// The shared document cache. Cloning shares the cache.
///
/// ```
/// use webhook_core::{CachePolicy, FetchRequest, Freshness, KeyCache, TableFetch, TableResponse};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let net = TableFetch::new().with("https://idp.example/jwks", TableResponse::ok("k1"));
/// let cache = KeyCache::new(CachePolicy::default());
/// for _ in 0..3 {
///     let doc = cache
///         .get(&net, FetchRequest::get("https://idp.example/jwks"), Freshness::Cached, |r| {
///             Ok(String::from_utf8_lossy(&r.body).into_owned())
///         })
///         .await
///         .unwrap();
///     assert_eq!(doc.as_str(), "k1");
/// }
/// assert_eq!(net.take_calls().len(), 1);
/// # }
/// ```
#[derive(Clone)]
pub struct KeyCache {
    policy: CachePolicy,
    limiter: FetchLimiter,
    slots: Arc<Mutex<HashMap<String, Arc<Slot>>>>,
}

impl fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self
            .slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("KeyCache")
            .field("policy", &self.policy)
            .field("urls", &len)
            .finish()
    }
}

impl Default for KeyCache {
    fn default() -> Self {
        Self::new(CachePolicy::default())
    }
}

enum Decision<T> {
    Use(Arc<T>),
    Fail(Rejection),
    Fetch,
}

impl KeyCache {
    /// An empty cache with this policy.
    #[must_use]
    pub fn new(policy: CachePolicy) -> Self {
        Self {
            policy,
            limiter: FetchLimiter::new(usize::MAX, policy.fetch_starts, policy.fetch_period),
            slots: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// The policy.
    #[must_use]
    pub const fn policy(&self) -> &CachePolicy {
        &self.policy
    }

    /// Returns the document at the request's URL, fetching and parsing it only when the
    /// policy requires. Concurrent callers for one URL share one fetch.
    ///
    /// A transport failure or a non-2xx answer is `key_unavailable`; `parse` decides what a
    /// 2xx body means and may reject with any reason. A failure is remembered for the negative
    /// TTL; a previously good document is served instead while it is within `max_stale`. A
    /// non-2xx answer with `Retry-After: <seconds>` also defers the next fetch of that URL by
    /// that long (at least the cooldown, at most 5 minutes).
    ///
    /// # Errors
    /// The rejection of the failed fetch or parse.
    pub async fn get<T, P>(
        &self,
        fetch: &dyn Fetch,
        request: FetchRequest,
        freshness: Freshness,
        parse: P,
    ) -> Result<Arc<T>, Rejection>
    where
        T: Send + Sync + 'static,
        P: FnOnce(FetchResponse) -> Result<T, Rejection>,
    {
        let slot = self.slot(request.url());
        let seen_generation = {
            let state = lock(&slot.state);
            match self.decide::<T>(&state, freshness, Instant::now()) {
                Decision::Use(doc) => return Ok(doc),
                Decision::Fail(rejection) => return Err(rejection),
                Decision::Fetch => state.generation,
            }
        };
        let _flight = slot.flight.lock().await;
        {
            // Another caller may have fetched while this one waited: use its outcome.
            let state = lock(&slot.state);
            if state.generation != seen_generation {
                return match (&state.value, &state.failure) {
                    (_, Some((rejection, at))) if Some(*at) == state.last_attempt => {
                        stale_or(&state, self.policy.max_stale, rejection.clone())
                    }
                    (Some((doc, _)), _) => downcast(doc),
                    _ => Err(unavailable("no document after a concurrent fetch")),
                };
            }
        }
        let Some(_permit) = self.limiter.try_acquire() else {
            tracing::warn!(target: "webhook::keys", "key document fetch refused: fetch-rate cap reached");
            let state = lock(&slot.state);
            return stale_or(
                &state,
                self.policy.max_stale,
                unavailable("fetch-rate cap reached"),
            );
        };
        let started = Instant::now();
        lock(&slot.state).last_attempt = Some(started);
        let url = request.url().to_owned();
        let mut not_before = None;
        let outcome = match fetch.fetch(request).await {
            Ok(response) if response.status.is_success() => parse(response),
            Ok(response) => {
                not_before = retry_after(&response).map(|wait| {
                    started + wait.clamp(self.policy.cooldown.min(MAX_RETRY_AFTER), MAX_RETRY_AFTER)
                });
                Err(unavailable(format!("{url} answered {}", response.status)))
            }
            Err(error) => Err(unavailable(format!("{url}: {error}")).with_source(error)),
        };
        let mut state = lock(&slot.state);
        state.not_before = not_before;
        state.generation = state.generation.wrapping_add(1);
        match outcome {
            Ok(doc) => {
                let doc = Arc::new(doc);
                state.value = Some((doc.clone(), started));
                state.failure = None;
                Ok(doc)
            }
            Err(rejection) => {
                tracing::warn!(target: "webhook::keys", %url, reason = %rejection.reason(), "key document fetch failed");
                state.failure = Some((rejection.clone(), started));
                stale_or(&state, self.policy.max_stale, rejection)
            }
        }
    }

    /// The cached document for `url` when it can be used as is (fresh, or within the refetch
    /// cooldown), without building a request: the hot path of schemes whose keys are cached.
    /// `None` means "call [`get`](Self::get)".
    #[must_use]
    pub fn cached<T: Send + Sync + 'static>(&self, url: &str) -> Option<Arc<T>> {
        let slots = lock(&self.slots);
        let slot = slots.get(url)?;
        let mut state = lock(&slot.state);
        let now = Instant::now();
        match self.decide::<T>(&state, Freshness::Cached, now) {
            Decision::Use(doc) => {
                state.last_used = Some(now);
                Some(doc)
            }
            Decision::Fail(_) | Decision::Fetch => None,
        }
    }

    fn decide<T: Send + Sync + 'static>(
        &self,
        state: &SlotState,
        freshness: Freshness,
        now: Instant,
    ) -> Decision<T> {
        let within = |at: Option<Instant>, span: Duration| {
            at.is_some_and(|at| now.duration_since(at) < span)
        };
        let cooling = within(state.last_attempt, self.policy.cooldown)
            || state.not_before.is_some_and(|at| now < at);
        if let Some((doc, fetched)) = &state.value {
            let fresh = now.duration_since(*fetched) < self.policy.max_age;
            if (fresh && freshness == Freshness::Cached) || cooling {
                return downcast(doc).map_or_else(Decision::Fail, Decision::Use);
            }
            return Decision::Fetch;
        }
        let held = state.not_before.is_some_and(|at| now < at);
        match &state.failure {
            Some((rejection, at)) if held || within(Some(*at), self.policy.negative_ttl) => {
                Decision::Fail(rejection.clone())
            }
            _ => Decision::Fetch,
        }
    }

    fn slot(&self, url: &str) -> Arc<Slot> {
        let now = Instant::now();
        let mut slots = lock(&self.slots);
        if let Some(slot) = slots.get(url) {
            lock(&slot.state).last_used = Some(now);
            return slot.clone();
        }
        if slots.len() >= self.policy.capacity.max(1) {
            let oldest = slots
                .iter()
                .min_by_key(|(_, slot)| lock(&slot.state).last_used)
                .map(|(url, _)| url.clone());
            if let Some(oldest) = oldest {
                slots.remove(&oldest);
            }
        }
        let slot = Arc::new(Slot::default());
        lock(&slot.state).last_used = Some(now);
        slots.insert(url.to_owned(), slot.clone());
        slot
    }
}

/// A `Retry-After` in delta-seconds (an HTTP-date is ignored: the cooldown applies).
fn retry_after(response: &FetchResponse) -> Option<Duration> {
    let value = response
        .headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    crate::clock::parse_canonical_decimal(value.trim()).map(Duration::from_secs)
}

fn stale_or<T: Send + Sync + 'static>(
    state: &SlotState,
    max_stale: Duration,
    rejection: Rejection,
) -> Result<Arc<T>, Rejection> {
    match &state.value {
        Some((doc, fetched)) if fetched.elapsed() < max_stale => downcast(doc),
        _ => Err(rejection),
    }
}

fn downcast<T: Send + Sync + 'static>(doc: &Document) -> Result<Arc<T>, Rejection> {
    doc.clone()
        .downcast::<T>()
        .map_err(|_| unavailable("one URL cached under two document types"))
}

fn unavailable(detail: impl Into<Arc<str>>) -> Rejection {
    Rejection::new(Reason::KeyUnavailable).with_detail(detail)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(all(test, feature = "test-util"))]
mod tests {
    use super::*;
    use crate::fetch::{TableFetch, TableResponse};
    use http::StatusCode;

    const URL: &str = "https://idp.example/jwks";

    async fn get(
        cache: &KeyCache,
        net: &TableFetch,
        freshness: Freshness,
    ) -> Result<Arc<String>, Rejection> {
        cache
            .get(net, FetchRequest::get(URL), freshness, |r| {
                if r.body.as_ref() == b"garbage" {
                    return Err(Rejection::new(Reason::KeyUnavailable));
                }
                Ok(String::from_utf8_lossy(&r.body).into_owned())
            })
            .await
    }

    #[tokio::test(start_paused = true)]
    async fn refresh_requests_within_the_cooldown_make_no_fetch() {
        let net = TableFetch::new().with(URL, TableResponse::ok("v1"));
        let cache = KeyCache::default();
        get(&cache, &net, Freshness::Cached).await.unwrap();
        for _ in 0..100 {
            get(&cache, &net, Freshness::Refresh).await.unwrap();
        }
        assert_eq!(net.take_calls().len(), 1);
        tokio::time::advance(Duration::from_secs(31)).await;
        net.set(URL, TableResponse::ok("v2"));
        assert_eq!(
            get(&cache, &net, Freshness::Refresh)
                .await
                .unwrap()
                .as_str(),
            "v2"
        );
        assert_eq!(net.take_calls().len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn stale_document_is_served_while_the_origin_is_down() {
        let net = TableFetch::new().with(URL, TableResponse::ok("v1"));
        let cache = KeyCache::default();
        get(&cache, &net, Freshness::Cached).await.unwrap();
        net.set(
            URL,
            TableResponse::status(StatusCode::INTERNAL_SERVER_ERROR, ""),
        );
        tokio::time::advance(Duration::from_secs(601)).await;
        assert_eq!(
            get(&cache, &net, Freshness::Cached).await.unwrap().as_str(),
            "v1"
        );
        tokio::time::advance(Duration::from_secs(24 * 3600)).await;
        assert_eq!(
            get(&cache, &net, Freshness::Cached)
                .await
                .unwrap_err()
                .reason(),
            Reason::KeyUnavailable
        );
    }

    #[tokio::test(start_paused = true)]
    async fn failure_is_negatively_cached() {
        let net = TableFetch::new().with(URL, TableResponse::ok("garbage"));
        let cache = KeyCache::default();
        for _ in 0..10 {
            assert!(get(&cache, &net, Freshness::Cached).await.is_err());
        }
        assert_eq!(net.take_calls().len(), 1);
        tokio::time::advance(Duration::from_secs(61)).await;
        net.set(URL, TableResponse::ok("good"));
        assert_eq!(
            get(&cache, &net, Freshness::Cached).await.unwrap().as_str(),
            "good"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_one_fetch() {
        let mut slow = TableResponse::ok("v1");
        slow.delay = Duration::from_secs(1);
        let net = TableFetch::new().with(URL, slow);
        let cache = KeyCache::default();
        let calls = (0..20).map(|_| get(&cache, &net, Freshness::Cached));
        let results = futures_join_all(calls).await;
        assert!(results.iter().all(Result::is_ok));
        assert_eq!(net.take_calls().len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn capacity_bounds_the_number_of_urls() {
        let net = TableFetch::new();
        let cache = KeyCache::new(CachePolicy::default().capacity(4));
        for i in 0..50 {
            let url = format!("https://x.example/{i}");
            let _ = cache
                .get(&net, FetchRequest::get(url), Freshness::Cached, |_| Ok(()))
                .await;
        }
        assert!(cache.slots.lock().unwrap().len() <= 4);
    }

    async fn futures_join_all<F: std::future::Future>(
        futures: impl Iterator<Item = F>,
    ) -> Vec<F::Output> {
        let handles: Vec<_> = futures.map(Box::pin).collect();
        let mut out = Vec::new();
        // Poll all together so they contend for the same slot.
        let mut pending: Vec<_> = handles.into_iter().map(Some).collect();
        std::future::poll_fn(|cx| {
            let mut done = true;
            for fut in &mut pending {
                if let Some(f) = fut {
                    if let std::task::Poll::Ready(v) = f.as_mut().poll(cx) {
                        out.push(v);
                        *fut = None;
                    } else {
                        done = false;
                    }
                }
            }
            if done {
                std::task::Poll::Ready(())
            } else {
                std::task::Poll::Pending
            }
        })
        .await;
        out
    }
}
