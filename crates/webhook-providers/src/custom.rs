//! A configurable HMAC scheme for providers without a module: header name, prefix, encoding,
//! signed-content template, optional timestamp header and tolerance, all of
//! [`HeaderHmac`].
//!
//! Checks and reasons are those of [`HeaderHmac`]: the
//! signature (and timestamp) header present once and bounded, the timestamp canonical and
//! within the tolerance, the prefix exact, the encoding strict, the MAC under one configured
//! secret in constant time. Deliveries are de-duplicated on the SHA-256 of the body (no signed
//! id is known); an optional, unsigned id header is reported as [`CustomEvent::id`]. The
//! provider name in logs and replay keys is `custom`; give each custom route its own replay
//! store (or at least distinct secrets).
//!
//! ```
//! use std::time::Duration;
//! use http::{Request, Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{FixedClock, VerifiedBody};
//! use webhook_core::patterns::{Digest, Encoding, HeaderHmac, SignedContent};
//! use webhook_providers::custom::{CustomEvent, CustomLayer};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! // Typeform: `Typeform-Signature: sha256=<base64 HMAC-SHA256(secret, body)>`.
//! let typeform = HeaderHmac::new("typeform-signature", Digest::Sha256)?
//!     .prefix("sha256=")
//!     .encoding(Encoding::Base64)
//!     .secret(b"typeform-secret")?;
//! // Sentry: hex HMAC-SHA256 of the body in `Sentry-Hook-Signature`, with a timestamp header.
//! let _sentry = HeaderHmac::new("sentry-hook-signature", Digest::Sha256)?
//!     .content(SignedContent::parse("{body}")?)
//!     .timestamp_header("sentry-hook-timestamp", Duration::from_secs(300))?
//!     .secret(b"sentry-client-secret")?;
//!
//! let body = r#"{"event_id":"01HX","event_type":"form_response"}"#;
//! let signature = typeform.sign(0, None, body.as_bytes()).unwrap_or_default();
//! let service = ServiceBuilder::new()
//!     .layer(CustomLayer::new(typeform).id_header("typeform-delivery")?)
//!     .service_fn(|req: Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<CustomEvent>().expect("the layer inserts it");
//!         assert_eq!(event.matched_key, 0);
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let request = Request::post("/hooks/typeform")
//!     .header("typeform-signature", signature)
//!     .body(http_body_util::Full::new(bytes::Bytes::from(body)))?;
//! assert_eq!(service.oneshot(request).await?.status(), StatusCode::OK);
//! # Ok(()) }
//! ```

use bytes::Bytes;
use http::HeaderName;
use http::request::Parts;
use webhook_core::patterns::HeaderHmac;
use webhook_core::{ConfigError, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer};

use crate::common::{Meta, content_key, info_header, provider_event, provider_layer_type};

const PROVIDER: &str = "custom";

provider_event! {
    /// A verified request of a custom scheme. `id` is the configured (unsigned) id header;
    /// `event_type` the configured (unsigned) type header; `timestamp` the signed timestamp
    /// header, when configured.
    CustomEvent
}

/// A custom HMAC scheme. Built through [`CustomLayer`].
#[derive(Clone, Debug)]
pub struct CustomScheme {
    hmac: HeaderHmac,
    id_header: Option<HeaderName>,
    type_header: Option<HeaderName>,
}

impl VerifyWebhook for CustomScheme {
    type Event = CustomEvent;

    fn provider(&self) -> &'static str {
        PROVIDER
    }

    async fn verify(
        &self,
        parts: &Parts,
        body: &Bytes,
        cx: &VerifyContext,
    ) -> Result<Verdict<CustomEvent>, Rejection> {
        let matched = self.hmac.verify(&parts.headers, body, cx.unix_now())?;
        let mut meta = Meta::new(matched.matched_key, matched.timestamp);
        if let Some(name) = &self.id_header {
            meta.id = info_header(&parts.headers, name.as_str())?;
        }
        if let Some(name) = &self.type_header {
            meta.event_type = info_header(&parts.headers, name.as_str())?;
        }
        let event = CustomEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(content_key(&[body])),
        )))
    }
}

provider_layer_type! {
    /// Verifies requests of a custom HMAC scheme before the inner service. See the
    /// [module docs](self).
    CustomLayer, Custom, CustomScheme
}

impl CustomLayer {
    /// A layer verifying with `hmac` (which must hold at least one secret to accept anything).
    pub fn new(hmac: HeaderHmac) -> Self {
        Self(WebhookLayer::new(CustomScheme {
            hmac,
            id_header: None,
            type_header: None,
        }))
    }

    /// An unsigned header reported as the event's `id`.
    ///
    /// # Errors
    /// Not a valid header name.
    pub fn id_header(mut self, name: &str) -> Result<Self, ConfigError> {
        self.0.scheme_mut().id_header = Some(parse_name(name)?);
        Ok(self)
    }

    /// An unsigned header reported as the event's `event_type`.
    ///
    /// # Errors
    /// Not a valid header name.
    pub fn type_header(mut self, name: &str) -> Result<Self, ConfigError> {
        self.0.scheme_mut().type_header = Some(parse_name(name)?);
        Ok(self)
    }
}

fn parse_name(name: &str) -> Result<HeaderName, ConfigError> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| ConfigError::new(format!("`{name}` is not a valid header name")))
}
