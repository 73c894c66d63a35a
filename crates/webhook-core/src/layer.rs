//! [`WebhookLayer`]: the one generic layer every provider plugs its scheme into.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::Response;
use tower_layer::Layer;

use crate::clock::{Clock, SystemClock};
use crate::fetch::{Fetch, NoFetch};
use crate::keys::{CachePolicy, KeyCache};
use crate::rejection::{Rejection, RespondToRejection, default_rejection_response};
use crate::replay::{MemoryReplayStore, ReplayStore};
use crate::service::Webhook;
use crate::verify::VerifyWebhook;

#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) body_limit: usize,
    pub(crate) body_timeout: Duration,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) fetch: Arc<dyn Fetch>,
    pub(crate) keys: KeyCache,
    pub(crate) replay: Arc<dyn ReplayStore>,
    pub(crate) lease: Duration,
    pub(crate) dedup_ttl: Duration,
    pub(crate) respond: Arc<dyn RespondToRejection>,
    pub(crate) fail_open_on_store_error: bool,
    pub(crate) received_at_max_age: Option<Duration>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            body_limit: WebhookLayer::<()>::DEFAULT_BODY_LIMIT,
            body_timeout: Duration::from_secs(30),
            clock: Arc::new(SystemClock),
            fetch: default_fetch(),
            keys: KeyCache::default(),
            replay: Arc::new(MemoryReplayStore::default()),
            lease: Duration::from_secs(60),
            dedup_ttl: Duration::from_secs(7 * 24 * 3600),
            respond: Arc::new(default_rejection_response),
            fail_open_on_store_error: false,
            received_at_max_age: None,
        }
    }
}

/// With the `https` feature the layer fetches through [`HttpsFetch`](crate::HttpsFetch)
/// (Mozilla roots) unless told otherwise; without it nothing leaves the process by default.
fn default_fetch() -> Arc<dyn Fetch> {
    #[cfg(feature = "https")]
    if let Ok(https) = crate::HttpsFetch::new() {
        return Arc::new(https);
    }
    Arc::new(NoFetch)
}

/// Verifies, de-duplicates and decodes webhook requests with scheme `V` before the inner
/// service sees them.
///
/// Order per request: method, `Content-Length` against the limit (before reading), encoding,
/// bounded and timed buffering, then the scheme; the replay store is consulted only after the
/// scheme verified the request. The inner service receives `Request<VerifiedBody>` holding the
/// exact verified bytes, the scheme's event and a [`Delivery`](crate::Delivery) in its
/// extensions. Rejections never reach it.
///
/// `poll_ready` is delegated to the inner service, so an inner slot is reserved while a body
/// is buffered and keys are fetched: put concurrency limits meant for slow senders *outside*
/// this layer, and put `TraceLayer` outside too so it sees rejections. Do not add a
/// `RequestBodyLimitLayer`; this layer limits bodies itself.
///
/// Provider crates wrap this type; see their docs for examples, or
/// [the crate docs](crate) for a scheme written by hand.
#[must_use]
pub struct WebhookLayer<V> {
    pub(crate) scheme: V,
    pub(crate) config: Arc<Config>,
}

impl<V: Clone> Clone for WebhookLayer<V> {
    fn clone(&self) -> Self {
        Self {
            scheme: self.scheme.clone(),
            config: self.config.clone(),
        }
    }
}

impl<V: fmt::Debug> fmt::Debug for WebhookLayer<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookLayer")
            .field("scheme", &self.scheme)
            .field("body_limit", &self.config.body_limit)
            .field("body_timeout", &self.config.body_timeout)
            .field("lease", &self.config.lease)
            .field("dedup_ttl", &self.config.dedup_ttl)
            .field("keys", &self.config.keys)
            .finish_non_exhaustive()
    }
}

impl<V> WebhookLayer<V> {
    /// Default body limit: 1 MiB.
    pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

    /// A layer verifying with `scheme` and the defaults listed on each builder method.
    pub fn new(scheme: V) -> Self {
        Self {
            scheme,
            config: Arc::new(Config::default()),
        }
    }

    fn edit(mut self, change: impl FnOnce(&mut Config)) -> Self {
        change(Arc::make_mut(&mut self.config));
        self
    }

    /// Largest body accepted, in bytes. A larger `Content-Length` is refused before any byte
    /// is read; a streamed body is never buffered past it. Defaults to 1 MiB.
    pub fn body_limit(self, bytes: usize) -> Self {
        self.edit(|c| c.body_limit = bytes)
    }

    /// Time allowed for the whole body to arrive (`408 body_timeout` after). Defaults to
    /// 30 seconds.
    pub fn body_timeout(self, timeout: Duration) -> Self {
        self.edit(|c| c.body_timeout = timeout)
    }

    /// The clock schemes judge timestamps and certificates with. Defaults to the system clock.
    pub fn clock(self, clock: impl Clock) -> Self {
        self.edit(|c| c.clock = Arc::new(clock))
    }

    /// The fetcher for keys, certificates and payloads. Defaults to `HttpsFetch` with the
    /// `https` feature (TLS verified, no redirects, timeouts, size caps), else to [`NoFetch`],
    /// which refuses every request.
    pub fn fetcher(self, fetch: impl Fetch) -> Self {
        self.edit(|c| c.fetch = Arc::new(fetch))
    }

    /// The same, from a shared fetcher.
    pub fn shared_fetcher(self, fetch: Arc<dyn Fetch>) -> Self {
        self.edit(|c| c.fetch = fetch)
    }

    /// A key cache with this policy (replacing the current cache). Defaults to
    /// [`CachePolicy::default`].
    pub fn key_cache(self, policy: CachePolicy) -> Self {
        self.edit(|c| c.keys = KeyCache::new(policy))
    }

    /// The replay store. Defaults to a [`MemoryReplayStore`] of 100 000 ids, private to this
    /// layer and its clones.
    pub fn replay_store(self, store: impl ReplayStore) -> Self {
        self.edit(|c| c.replay = Arc::new(store))
    }

    /// The same, from a shared store.
    pub fn shared_replay_store(self, store: Arc<dyn ReplayStore>) -> Self {
        self.edit(|c| c.replay = store)
    }

    /// How long an in-flight delivery holds its id; after that a crashed instance's id is
    /// retryable. Keep it above your inner service's timeout. Defaults to 60 seconds.
    pub fn lease(self, lease: Duration) -> Self {
        self.edit(|c| c.lease = lease)
    }

    /// How long a completed id is remembered. Keep it above the provider's retry horizon.
    /// It can never be shorter than the scheme's replay window (for timestamped schemes, twice
    /// the tolerance) plus [`DEDUP_CLOCK_SKEW`]: a shorter value is raised to that (see
    /// [`effective_dedup_ttl`](Self::effective_dedup_ttl)), so a replay inside the window is
    /// always a duplicate. Defaults to 7 days.
    pub fn dedup_ttl(self, ttl: Duration) -> Self {
        self.edit(|c| c.dedup_ttl = ttl)
    }

    /// Builds the rejection response with `respond` instead of the default JSON body. The
    /// [`Rejection`] is inserted into the response extensions whatever `respond` builds.
    pub fn with_rejection_response<F>(self, respond: F) -> Self
    where
        F: Fn(&Rejection) -> Response<Bytes> + Send + Sync + 'static,
    {
        self.edit(|c| c.respond = Arc::new(respond))
    }

    /// **Weakens replay protection.** When the replay store cannot be reached, deliver the
    /// event anyway (possibly twice) instead of answering `503 store_unavailable`.
    pub fn dangerous_fail_open_on_store_error(self) -> Self {
        self.edit(|c| c.fail_open_on_store_error = true)
    }

    /// Verifies at the instant a [`ReceivedAt`](crate::ReceivedAt) request extension gives
    /// (set by your own code: a queue consumer replaying stored requests, or a middleware
    /// stamping arrivals) instead of the clock's reading, so that deliveries processed later
    /// pass their timestamp window as of their arrival. The stamp is honoured only when it is
    /// at most `max_age` before the clock: an older one is `401 timestamp_out_of_tolerance`,
    /// and one after the clock counts as the clock. Off by default: without this call the
    /// extension is ignored.
    pub fn received_at_max_age(self, max_age: Duration) -> Self {
        self.edit(|c| c.received_at_max_age = Some(max_age))
    }

    /// The scheme.
    pub const fn scheme(&self) -> &V {
        &self.scheme
    }

    /// The scheme, to adjust it.
    pub const fn scheme_mut(&mut self) -> &mut V {
        &mut self.scheme
    }

    /// The configured body limit.
    #[must_use]
    pub fn configured_body_limit(&self) -> usize {
        self.config.body_limit
    }
}

impl<V: VerifyWebhook> WebhookLayer<V> {
    /// How long completed ids are remembered: the configured
    /// [`dedup_ttl`](Self::dedup_ttl), raised to the scheme's
    /// [`replay_window`](VerifyWebhook::replay_window) plus [`DEDUP_CLOCK_SKEW`] when shorter.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_core::{DEDUP_CLOCK_SKEW, WebhookLayer};
    /// # #[derive(Clone, Debug)] struct Timestamped;
    /// # impl webhook_core::VerifyWebhook for Timestamped {
    /// #     type Event = ();
    /// #     fn provider(&self) -> &'static str { "example" }
    /// #     fn replay_window(&self) -> Option<Duration> { Some(Duration::from_secs(600)) }
    /// #     async fn verify(&self, _: &http::request::Parts, _: &bytes::Bytes, _: &webhook_core::VerifyContext)
    /// #         -> Result<webhook_core::Verdict<()>, webhook_core::Rejection> { unimplemented!() }
    /// # }
    /// // A scheme accepting a signed timestamp for 600 s (±300 s):
    /// let layer = WebhookLayer::new(Timestamped).dedup_ttl(Duration::from_secs(1));
    /// assert_eq!(layer.effective_dedup_ttl(), Duration::from_secs(600) + DEDUP_CLOCK_SKEW);
    /// ```
    #[must_use]
    pub fn effective_dedup_ttl(&self) -> Duration {
        effective_dedup_ttl(&self.config, &self.scheme)
    }
}

/// Margin added to a scheme's replay window when raising a short dedup TTL, for clocks that
/// differ between the sender and several verifying instances: 60 seconds.
///
/// ```
/// assert_eq!(webhook_core::DEDUP_CLOCK_SKEW.as_secs(), 60);
/// ```
pub const DEDUP_CLOCK_SKEW: Duration = Duration::from_secs(60);

pub(crate) fn effective_dedup_ttl<V: VerifyWebhook>(config: &Config, scheme: &V) -> Duration {
    let floor = scheme.replay_window().map_or(Duration::ZERO, |window| {
        window.saturating_add(DEDUP_CLOCK_SKEW)
    });
    config.dedup_ttl.max(floor)
}

impl<S, V: Clone> Layer<S> for WebhookLayer<V> {
    type Service = Webhook<S, V>;

    fn layer(&self, inner: S) -> Self::Service {
        Webhook::new(inner, Arc::new(self.scheme.clone()), self.config.clone())
    }
}

/// Stamps the common builder methods and the `Layer` impl on a provider's newtype over
/// [`WebhookLayer`], so every provider layer has the same knobs.
///
/// ```
/// # use webhook_core::{VerifyWebhook, Verdict, Verified, VerifyContext, Rejection, WebhookLayer};
/// # #[derive(Clone, Debug)] pub struct MyScheme;
/// # impl VerifyWebhook for MyScheme {
/// #     type Event = ();
/// #     fn provider(&self) -> &'static str { "mine" }
/// #     async fn verify(&self, _: &http::request::Parts, _: &bytes::Bytes, _: &VerifyContext)
/// #         -> Result<Verdict<()>, Rejection> { Ok(Verdict::Deliver(Verified::new("mine", ()))) }
/// # }
/// /// My provider's layer.
/// #[derive(Clone, Debug)]
/// pub struct MyLayer(WebhookLayer<MyScheme>);
/// webhook_core::provider_layer!(MyLayer, MyScheme);
///
/// let layer = MyLayer(WebhookLayer::new(MyScheme)).body_limit(64 * 1024);
/// assert_eq!(layer.into_inner().configured_body_limit(), 64 * 1024);
/// ```
#[macro_export]
macro_rules! provider_layer {
    ($layer:ident, $scheme:ty) => {
        impl $layer {
            /// Largest body accepted. Defaults to 1 MiB. See
            /// [`WebhookLayer::body_limit`]($crate::WebhookLayer::body_limit).
            pub fn body_limit(self, bytes: usize) -> Self {
                Self(self.0.body_limit(bytes))
            }
            /// Time allowed for the body. Defaults to 30 seconds.
            pub fn body_timeout(self, timeout: ::std::time::Duration) -> Self {
                Self(self.0.body_timeout(timeout))
            }
            /// The clock. Defaults to the system clock.
            pub fn clock(self, clock: impl $crate::Clock) -> Self {
                Self(self.0.clock(clock))
            }
            /// The fetcher for keys, certificates and payloads.
            pub fn fetcher(self, fetch: impl $crate::Fetch) -> Self {
                Self(self.0.fetcher(fetch))
            }
            /// The fetcher, shared.
            pub fn shared_fetcher(self, fetch: ::std::sync::Arc<dyn $crate::Fetch>) -> Self {
                Self(self.0.shared_fetcher(fetch))
            }
            /// A fresh key cache with this policy.
            pub fn key_cache(self, policy: $crate::CachePolicy) -> Self {
                Self(self.0.key_cache(policy))
            }
            /// The replay store. Defaults to an in-memory store.
            pub fn replay_store(self, store: impl $crate::ReplayStore) -> Self {
                Self(self.0.replay_store(store))
            }
            /// The replay store, shared.
            pub fn shared_replay_store(
                self,
                store: ::std::sync::Arc<dyn $crate::ReplayStore>,
            ) -> Self {
                Self(self.0.shared_replay_store(store))
            }
            /// In-flight lease. Defaults to 60 seconds.
            pub fn lease(self, lease: ::std::time::Duration) -> Self {
                Self(self.0.lease(lease))
            }
            /// How long completed ids are remembered. Defaults to 7 days; never shorter than
            /// the replay window, see
            /// [`WebhookLayer::dedup_ttl`]($crate::WebhookLayer::dedup_ttl).
            pub fn dedup_ttl(self, ttl: ::std::time::Duration) -> Self {
                Self(self.0.dedup_ttl(ttl))
            }
            /// The dedup TTL in force: the configured one, raised to the scheme's replay
            /// window plus clock skew when shorter. See
            /// [`WebhookLayer::effective_dedup_ttl`]($crate::WebhookLayer::effective_dedup_ttl).
            #[must_use]
            pub fn effective_dedup_ttl(&self) -> ::std::time::Duration {
                self.0.effective_dedup_ttl()
            }
            /// Custom rejection responses.
            pub fn with_rejection_response<F>(self, respond: F) -> Self
            where
                F: Fn(&$crate::Rejection) -> ::http::Response<::bytes::Bytes>
                    + Send
                    + Sync
                    + 'static,
            {
                Self(self.0.with_rejection_response(respond))
            }
            /// Verify at a [`ReceivedAt`]($crate::ReceivedAt) request extension's instant when
            /// it is at most `max_age` old. See
            /// [`WebhookLayer::received_at_max_age`]($crate::WebhookLayer::received_at_max_age).
            pub fn received_at_max_age(self, max_age: ::std::time::Duration) -> Self {
                Self(self.0.received_at_max_age(max_age))
            }
            /// **Weakens replay protection**: deliver when the replay store is down.
            pub fn dangerous_fail_open_on_store_error(self) -> Self {
                Self(self.0.dangerous_fail_open_on_store_error())
            }
            /// The underlying generic layer.
            pub fn into_inner(self) -> $crate::WebhookLayer<$scheme> {
                self.0
            }
        }

        impl<S> ::tower_layer::Layer<S> for $layer {
            type Service = $crate::Webhook<S, $scheme>;
            fn layer(&self, inner: S) -> Self::Service {
                ::tower_layer::Layer::layer(&self.0, inner)
            }
        }
    };
}
