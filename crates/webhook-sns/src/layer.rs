//! [`SnsLayer`]: the AWS SNS HTTPS subscription layer.

use std::time::Duration;

use webhook_core::{CachePolicy, ConfigError, Webhook, WebhookLayer};

use crate::verify::SnsScheme;

/// Verifies AWS SNS deliveries before the inner service. See the [crate docs](crate) for an
/// example; common knobs are those of [`WebhookLayer`]. A real fetcher is required
/// (certificates are fetched): the default refuses every fetch.
#[derive(Clone, Debug)]
#[must_use]
pub struct SnsLayer(WebhookLayer<SnsScheme>);

/// The service built by [`SnsLayer`].
pub type Sns<S> = Webhook<S, SnsScheme>;

impl SnsLayer {
    /// A layer accepting only these topic ARNs. A valid signature proves only that *some* AWS
    /// account sent the message, so there is no "any topic": an empty list accepts nothing.
    ///
    /// Certificates are cached for at most [`CERT_CACHE_CAPACITY`](Self::CERT_CACHE_CAPACITY)
    /// URLs (least recently used evicted first); unknown certificate URLs are fetched at most 4
    /// per minute, each once however many requests name it at the same time.
    ///
    /// # Errors
    /// A value is not an SNS topic ARN.
    pub fn new(topic_arns: &[&str]) -> Result<Self, ConfigError> {
        Ok(Self(
            WebhookLayer::new(SnsScheme::new(topic_arns)?)
                .key_cache(CachePolicy::default().capacity(Self::CERT_CACHE_CAPACITY)),
        ))
    }

    /// Signing certificates cached at most (AWS uses one or two per region at a time).
    ///
    /// ```
    /// assert_eq!(webhook_sns::SnsLayer::CERT_CACHE_CAPACITY, 16);
    /// ```
    pub const CERT_CACHE_CAPACITY: usize = 16;

    /// Confirms subscriptions of allowlisted topics by visiting the signed `SubscribeURL`
    /// after full verification (only when it names this region's SNS endpoint, the signed
    /// topic and token). Off by default: the confirmation is then delivered as an event.
    pub fn auto_confirm(mut self, on: bool) -> Self {
        self.0.scheme_mut().set_auto_confirm(on);
        self
    }

    /// Refuses SignatureVersion 1 (SHA-1) messages. Off by default (SNS topics default to 1).
    pub fn require_signature_version_2(mut self, on: bool) -> Self {
        self.0.scheme_mut().set_require_v2(on);
        self
    }

    /// Maximum age of the signed `Timestamp` (300 s of future skew are always allowed).
    /// Defaults to 3600 seconds, SNS's longest retry span; shorter windows lose retries.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.0.scheme_mut().set_tolerance(tolerance);
        self
    }
}

webhook_core::provider_layer!(SnsLayer, SnsScheme);
