//! [`AutoflexLayer`]: the Autoflex10 callback layer.

use std::sync::Arc;

use webhook_core::{ConfigError, FetchLimiter, Webhook, WebhookLayer};

use crate::pending::PendingCallbacks;
use crate::token::{StaticToken, TokenSource};
use crate::verify::AutoflexScheme;

/// Receives Autoflex10 callbacks, fetches their payload and hands it to the inner service.
/// See the [crate docs](crate) for an example; common knobs are those of [`WebhookLayer`]. A
/// real fetcher is required (the default refuses every fetch).
#[derive(Clone, Debug)]
#[must_use]
pub struct AutoflexLayer(WebhookLayer<AutoflexScheme>);

/// The service built by [`AutoflexLayer`].
pub type Autoflex<S> = Webhook<S, AutoflexScheme>;

impl AutoflexLayer {
    /// A layer fetching payloads from `api_base` (e.g.
    /// `https://www.autoflex10.dev/autoflex/servoy-service/velocity/webservice_v2`, fixed
    /// configuration, never derived from a request) with a fixed API `token`.
    ///
    /// # Errors
    /// `api_base` is not an https URL without query or trailing slash, or `token` is empty or
    /// holds control characters (a CR/LF would otherwise surface only at the first fetch, C25).
    pub fn new(api_base: &str, token: &str) -> Result<Self, ConfigError> {
        if token.is_empty() || token.bytes().any(|b| b.is_ascii_control()) {
            return Err(ConfigError::new(
                "Autoflex10 token must be non-empty and free of control characters (CR, LF, ...)",
            ));
        }
        Self::with_token_source(api_base, StaticToken::new(token))
    }

    /// The same with a renewable token (see [`AutoflexClient`](crate::AutoflexClient)).
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_token_source(api_base: &str, token: impl TokenSource) -> Result<Self, ConfigError> {
        Ok(Self(WebhookLayer::new(AutoflexScheme::new(
            api_base,
            Arc::new(token),
        )?)))
    }

    /// Only callbacks registered here are fetched; others are `404 unknown_callback` without any
    /// outbound call. Strongly recommended: without it, random ids each cost an API call.
    pub fn pending(mut self, pending: impl PendingCallbacks) -> Self {
        self.0.scheme_mut().set_pending(Arc::new(pending));
        self
    }

    /// Caps the payload fetches of this layer and its clones (pass one limiter to several
    /// layers to share the caps): over either cap a callback is refused with
    /// `503 key_unavailable` and `Retry-After` before any outbound call, and Autoflex10 calls
    /// back again later. Concurrent callbacks for one id always share one fetch. Defaults to
    /// 8 fetches in flight and 20 started per second.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_autoflex::AutoflexLayer;
    /// use webhook_core::FetchLimiter;
    /// let layer = AutoflexLayer::new("https://api.example.com/webservice_v2", "api-token")?
    ///     .fetch_limiter(FetchLimiter::new(4, 10, Duration::from_secs(1)));
    /// # let _ = layer;
    /// # Ok::<_, webhook_core::ConfigError>(())
    /// ```
    pub fn fetch_limiter(mut self, limiter: FetchLimiter) -> Self {
        self.0.scheme_mut().set_fetch_limiter(limiter);
        self
    }

    /// **For tests against a local stand-in only**: fetch payloads from a plain-http base.
    pub fn dangerous_plain_http_api_base(mut self, api_base: &str) -> Self {
        self.0
            .scheme_mut()
            .dangerous_allow_plain_http_api_base(api_base);
        self
    }
}

webhook_core::provider_layer!(AutoflexLayer, AutoflexScheme);
