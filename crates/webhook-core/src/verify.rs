//! The trait every provider scheme implements, and what it hands back to the core.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use http::request::Parts;
use http::{HeaderMap, HeaderName, Method, Response};
use serde::Serialize;

use crate::clock::unix_seconds;
use crate::fetch::{Fetch, FetchRequest};
use crate::keys::{Freshness, KeyCache};
use crate::rejection::{Reason, Rejection};
use crate::replay::{Claim, ReplayStore};

/// A provider's verification scheme: from the request head and its exact body bytes to an
/// event to deliver, an answer of the scheme's own, or a [`Rejection`].
///
/// Schemes are pure with respect to the world: time comes from [`VerifyContext::now`], network
/// from [`VerifyContext::fetch`] or [`VerifyContext::keys`]. Do cheap local checks (syntax,
/// allowlists, time windows) before any fetch. Never claim a replay id yourself: return it in
/// [`Verified::dedup_on`] and the core claims it after verification.
pub trait VerifyWebhook: Clone + Send + Sync + 'static {
    /// The typed event inserted into the request extensions.
    type Event: Clone + Send + Sync + Serialize + 'static;

    /// The provider's stable name (`"standard"`, `"sns"`, …), used in logs and replay keys.
    fn provider(&self) -> &'static str;

    /// Whether the scheme accepts this method. Defaults to `POST` only.
    fn allows_method(&self, method: &Method) -> bool {
        method == Method::POST
    }

    /// Headers that carry secrets or signatures; the core marks them sensitive before the
    /// request goes downstream, so tracing layers never print them.
    fn sensitive_headers(&self) -> &'static [&'static str] {
        &[]
    }

    /// How long one signed request stays acceptable: the span of verifier-clock readings at
    /// which the same signed timestamp passes (past tolerance plus future tolerance), or
    /// `None` for schemes without a timestamp window. The layer remembers delivered ids for at
    /// least this span plus [`DEDUP_CLOCK_SKEW`](crate::DEDUP_CLOCK_SKEW), whatever
    /// [`dedup_ttl`](crate::WebhookLayer::dedup_ttl) says, so a replay inside the window is
    /// always caught. Defaults to `None`.
    fn replay_window(&self) -> Option<std::time::Duration> {
        None
    }

    /// Verifies one request.
    fn verify(
        &self,
        parts: &Parts,
        body: &Bytes,
        cx: &VerifyContext,
    ) -> impl Future<Output = Result<Verdict<Self::Event>, Rejection>> + Send;
}

/// What a scheme decided about an authentic request.
#[derive(Debug)]
#[non_exhaustive]
pub enum Verdict<E> {
    /// Deliver the event to the inner service.
    Deliver(Verified<E>),
    /// The scheme answers itself (an SNS confirmation, a challenge); the inner service is not
    /// called.
    Respond(Response<Bytes>),
    /// The scheme found the delivery already completed (checked with
    /// [`VerifyContext::already_done`]); acknowledged with an empty `200`.
    Duplicate,
}

/// A verified event plus the metadata the core needs and exposes.
#[derive(Clone, Debug)]
pub struct Verified<E> {
    pub(crate) event: E,
    pub(crate) delivery: Delivery,
    pub(crate) dedup: Option<String>,
}

impl<E> Verified<E> {
    /// Wraps a verified event of `provider`.
    pub fn new(provider: &'static str, event: E) -> Self {
        Self {
            event,
            delivery: Delivery::new(provider),
            dedup: None,
        }
    }

    /// The signed value deliveries are de-duplicated on (never an unsigned header).
    #[must_use]
    pub fn dedup_on(mut self, key: impl Into<String>) -> Self {
        self.dedup = Some(key.into());
        self
    }

    /// The provider's delivery id, for logs and generic code.
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.delivery.id = Some(id.into());
        self
    }

    /// The event type, when the scheme knows it without parsing the payload.
    #[must_use]
    pub fn event_type(mut self, event_type: impl Into<String>) -> Self {
        self.delivery.event_type = Some(event_type.into());
        self
    }

    /// The signed timestamp, in Unix seconds.
    #[must_use]
    pub const fn timestamp(mut self, unix_seconds: i64) -> Self {
        self.delivery.timestamp = Some(unix_seconds);
        self
    }

    /// Which configured key verified the request (its index in configuration order).
    #[must_use]
    pub const fn matched_key(mut self, index: usize) -> Self {
        self.delivery.matched_key = Some(index);
        self
    }

    /// The event.
    pub const fn event(&self) -> &E {
        &self.event
    }

    /// The metadata.
    pub const fn delivery(&self) -> &Delivery {
        &self.delivery
    }

    /// The de-duplication key, if any.
    pub fn dedup_key(&self) -> Option<&str> {
        self.dedup.as_deref()
    }
}

/// Provider-agnostic metadata of a verified delivery, inserted into the request extensions
/// beside the provider's event, so logging and idempotency code need not know the provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Delivery {
    /// The provider's stable name.
    pub provider: &'static str,
    /// The delivery id, when the provider signs one.
    pub id: Option<String>,
    /// The event type, when known without parsing the payload.
    pub event_type: Option<String>,
    /// The signed timestamp (Unix seconds), when the scheme has one.
    pub timestamp: Option<i64>,
    /// Index of the configured key that verified the request.
    pub matched_key: Option<usize>,
}

impl Delivery {
    const fn new(provider: &'static str) -> Self {
        Self {
            provider,
            id: None,
            event_type: None,
            timestamp: None,
            matched_key: None,
        }
    }
}

/// What a scheme may use while verifying: the layer's clock reading, fetcher, key cache and
/// replay store.
#[derive(Clone)]
pub struct VerifyContext {
    now: SystemTime,
    provider: &'static str,
    fetch: Arc<dyn Fetch>,
    keys: KeyCache,
    replay: Arc<dyn ReplayStore>,
}

impl fmt::Debug for VerifyContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyContext")
            .field("now", &self.now)
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

impl VerifyContext {
    /// A context; the layer builds one per request. Public so scheme unit tests can too.
    #[must_use]
    pub fn new(
        now: SystemTime,
        provider: &'static str,
        fetch: Arc<dyn Fetch>,
        keys: KeyCache,
        replay: Arc<dyn ReplayStore>,
    ) -> Self {
        Self {
            now,
            provider,
            fetch,
            keys,
            replay,
        }
    }

    /// The layer clock's reading for this request.
    #[must_use]
    pub const fn now(&self) -> SystemTime {
        self.now
    }

    /// [`now`](Self::now) in Unix seconds.
    #[must_use]
    pub fn unix_now(&self) -> i64 {
        unix_seconds(self.now)
    }

    /// The fetcher, for one-off GETs (payloads). Key documents go through [`keys`](Self::keys).
    #[must_use]
    pub fn fetch(&self) -> &dyn Fetch {
        &*self.fetch
    }

    /// The shared key cache.
    #[must_use]
    pub const fn keys(&self) -> &KeyCache {
        &self.keys
    }

    /// Fetches (or reuses) a key document through the cache and the layer's fetcher.
    ///
    /// # Errors
    /// `key_unavailable` for transport failures and non-2xx answers, or what `parse` returns.
    pub async fn document<T, P>(
        &self,
        request: FetchRequest,
        freshness: Freshness,
        parse: P,
    ) -> Result<Arc<T>, Rejection>
    where
        T: Send + Sync + 'static,
        P: FnOnce(crate::fetch::FetchResponse) -> Result<T, Rejection>,
    {
        self.keys.get(&*self.fetch, request, freshness, parse).await
    }

    /// The cached document for `url` when usable without fetching (see
    /// [`KeyCache::cached`]); `None` means "call [`document`](Self::document)".
    #[must_use]
    pub fn cached_document<T: Send + Sync + 'static>(&self, url: &str) -> Option<Arc<T>> {
        self.keys.cached(url)
    }

    /// Whether the delivery with this de-duplication key already completed, for schemes that
    /// must avoid costly work (a payload fetch) for a repeat. Only ask with a value the sender
    /// cannot choose freely, or after cheap checks.
    ///
    /// # Errors
    /// `store_unavailable` when the replay store cannot answer.
    pub async fn already_done(&self, dedup_key: &str) -> Result<bool, Rejection> {
        let key = replay_key(self.provider, dedup_key);
        match self.replay.peek(&key).await {
            Ok(claim) => Ok(claim == Claim::Done),
            Err(error) => Err(Rejection::new(Reason::StoreUnavailable).with_source(error)),
        }
    }
}

pub(crate) fn replay_key(provider: &str, dedup_key: &str) -> String {
    format!("{provider}:{dedup_key}")
}

/// Returns the one value of a header the scheme needs exactly once, as text.
///
/// # Errors
/// `missing_header` when absent; `malformed_header` when repeated or not visible ASCII.
///
/// ```
/// use http::HeaderMap;
/// use webhook_core::{single_header, Reason};
/// let mut headers = HeaderMap::new();
/// assert_eq!(single_header(&headers, "webhook-id").unwrap_err().reason(), Reason::MissingHeader);
/// headers.append("webhook-id", "a".parse().unwrap());
/// assert_eq!(single_header(&headers, "webhook-id").unwrap(), Some("a").unwrap());
/// headers.append("webhook-id", "a".parse().unwrap());
/// assert_eq!(single_header(&headers, "webhook-id").unwrap_err().reason(), Reason::MalformedHeader);
/// ```
///
/// `name` may be a `&str` or, to skip parsing the name on every request, a `&HeaderName`
/// constant.
pub fn single_header<K>(headers: &HeaderMap, name: K) -> Result<&str, Rejection>
where
    K: http::header::AsHeaderName + fmt::Display + Copy,
{
    optional_single_header(headers, name)?.ok_or_else(|| {
        Rejection::new(Reason::MissingHeader).with_detail(format!("{name} is missing"))
    })
}

/// Like [`single_header`], but an absent header is `Ok(None)`.
///
/// # Errors
/// `malformed_header` when repeated or not visible ASCII.
pub fn optional_single_header<K>(headers: &HeaderMap, name: K) -> Result<Option<&str>, Rejection>
where
    K: http::header::AsHeaderName + fmt::Display + Copy,
{
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(
            Rejection::new(Reason::MalformedHeader).with_detail(format!("{name} is repeated"))
        );
    }
    value.to_str().map(Some).map_err(|_| {
        Rejection::new(Reason::MalformedHeader).with_detail(format!("{name} is not visible ASCII"))
    })
}

/// A header name that is always treated as sensitive.
pub(crate) const ALWAYS_SENSITIVE: [HeaderName; 2] = [
    http::header::AUTHORIZATION,
    http::header::PROXY_AUTHORIZATION,
];
