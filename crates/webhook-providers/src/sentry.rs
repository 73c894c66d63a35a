//! [Sentry integration platform](https://docs.sentry.io/organization/integrations/integration-platform/webhooks/): `Sentry-Hook-Signature: <hex HMAC-SHA256(secret, body)>`.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | the header present once, ≤ 2 KiB | `missing_header`, `malformed_header` |
//! | the signature is hex (either case) | `malformed_header` |
//! | the MAC under one configured secret (constant time) | `signature_mismatch` |
//! | `Request-ID` / `Sentry-Hook-Resource`, when present, once and ≤ 256 bytes | `malformed_header` |
//!
//! Sentry signs only the body: `Sentry-Hook-Timestamp`, `Request-ID` and `Sentry-Hook-Resource` are unsigned. They are reported ([`SentryEvent::id`], [`SentryEvent::event_type`]) but deliveries are de-duplicated on the SHA-256 of the signed body.
//!
//! ```
//! use http::{Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{Reason, Rejection, VerifiedBody};
//! use webhook_providers::sentry::{SentryEvent, SentryLayer, SentrySigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let service = ServiceBuilder::new()
//!     .layer(SentryLayer::new("sentry-client-secret")?)
//!     .service_fn(|req: http::Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<SentryEvent>().expect("the layer inserts it");
//!         assert_eq!(event.event_type.as_deref(), Some("issue"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let body = r#"{"action":"created","data":{"issue":{"id":"1"}},"installation":{"uuid":"i-1"}}"#;
//! let request = SentrySigner::new("sentry-client-secret").request("/hooks/sentry", body)?;
//! let mut request = request;
//! request.headers_mut().insert("sentry-hook-resource", http::HeaderValue::from_static("issue"));
//! assert_eq!(service.clone().oneshot(request.map(http_body_util::Full::new)).await?.status(), StatusCode::OK);
//!
//! let forged = SentrySigner::new("guess").request("/hooks/sentry", body)?;
//! let response = service.oneshot(forged.map(http_body_util::Full::new)).await?;
//! let reason = response.extensions().get::<Rejection>().map(Rejection::reason);
//! assert_eq!(reason, Some(Reason::SignatureMismatch));
//! # Ok(()) }
//! ```

use bytes::Bytes;
use http::request::Parts;
use webhook_core::patterns::{Digest, Encoding, HeaderHmac};
use webhook_core::{ConfigError, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer};

use crate::common::{Meta, content_key, info_header, provider_event, provider_layer_type};

const PROVIDER: &str = "sentry";
const SIGNATURE: &str = "sentry-hook-signature";

provider_event! {
    /// A verified Sentry integration platform event. `id` is the unsigned `Request-ID`, `event_type` the unsigned `Sentry-Hook-Resource`; `timestamp` is `None`.
    SentryEvent
}

/// The Sentry integration platform scheme. Built through [`SentryLayer`].
#[derive(Clone, Debug)]
pub struct SentryScheme {
    hmac: HeaderHmac,
}

impl VerifyWebhook for SentryScheme {
    type Event = SentryEvent;

    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn sensitive_headers(&self) -> &'static [&'static str] {
        &[SIGNATURE]
    }

    async fn verify(
        &self,
        parts: &Parts,
        body: &Bytes,
        cx: &VerifyContext,
    ) -> Result<Verdict<SentryEvent>, Rejection> {
        let matched = self.hmac.verify(&parts.headers, body, cx.unix_now())?;
        let mut meta = Meta::new(matched.matched_key, None);
        meta.id = info_header(&parts.headers, "request-id")?;
        meta.event_type = info_header(&parts.headers, "sentry-hook-resource")?;
        let dedup = content_key(&[body]);
        let event = SentryEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(dedup),
        )))
    }
}

provider_layer_type! {
    /// Verifies Sentry integration platform webhooks before the inner service. See the [module docs](self).
    SentryLayer, Sentry, SentryScheme
}

impl SentryLayer {
    /// A layer verifying with the integration's client secret.
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn new(secret: &str) -> Result<Self, ConfigError> {
        let hmac = HeaderHmac::new(SIGNATURE, Digest::Sha256)?.encoding(Encoding::Hex);
        Self(WebhookLayer::new(SentryScheme { hmac })).secret(secret)
    }

    /// Adds a secret (rotation).
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn secret(mut self, secret: &str) -> Result<Self, ConfigError> {
        self.0.scheme_mut().hmac.add_secret(secret.as_bytes())?;
        Ok(self)
    }
}

/// Signs events like Sentry integration platform (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct SentrySigner {
    keys: webhook_core::patterns::HmacKeys,
}

#[cfg(feature = "test-util")]
impl SentrySigner {
    /// A signer for this secret.
    #[must_use]
    pub fn new(secret: &str) -> Self {
        let mut keys = webhook_core::patterns::HmacKeys::new(Digest::Sha256);
        keys.push(secret);
        Self { keys }
    }

    /// The `Sentry-Hook-Signature` value for `body`.
    #[must_use]
    pub fn header(&self, body: &[u8]) -> String {
        let mac = self.keys.sign(0, &[body]).unwrap_or_default();
        Encoding::Hex.encode(&mac)
    }

    /// A signed JSON `POST` to `uri`.
    ///
    /// # Errors
    /// `uri` is not a valid URI.
    pub fn request(
        &self,
        uri: &str,
        body: impl Into<Bytes>,
    ) -> Result<http::Request<Bytes>, http::Error> {
        let body = body.into();
        http::Request::post(uri)
            .header("content-type", "application/json")
            .header(SIGNATURE, self.header(&body))
            .body(body)
    }
}
