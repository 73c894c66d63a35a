//! [Xero](https://developer.xero.com/documentation/guides/webhooks/configuring-your-server/): `x-xero-signature: <base64 HMAC-SHA256(secret, body)>`.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | the header present once, ≤ 2 KiB | `missing_header`, `malformed_header` |
//! | the signature is base64 | `malformed_header` |
//! | the MAC under one configured secret (constant time) | `signature_mismatch` |
//! | no other header is read | — |
//!
//! Xero's "intent to receive" check sends correctly and incorrectly signed requests and expects `200` and `401`: the layer answers exactly that (the correctly signed one reaches your handler with an empty `events` list). Xero signs no id; each payload carries a random `entropy`, and deliveries are de-duplicated on the SHA-256 of the signed body.
//!
//! ```
//! use http::{Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{Reason, Rejection, VerifiedBody};
//! use webhook_providers::xero::{XeroEvent, XeroLayer, XeroSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let service = ServiceBuilder::new()
//!     .layer(XeroLayer::new("xero-webhook-key")?)
//!     .service_fn(|req: http::Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<XeroEvent>().expect("the layer inserts it");
//!         assert_eq!(event.event_type.as_deref(), None);
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let body = r#"{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"S0m3r4Nd0mt3xt"}"#;
//! let request = XeroSigner::new("xero-webhook-key").request("/hooks/xero", body)?;
//! assert_eq!(service.clone().oneshot(request.map(http_body_util::Full::new)).await?.status(), StatusCode::OK);
//!
//! let forged = XeroSigner::new("guess").request("/hooks/xero", body)?;
//! let response = service.oneshot(forged.map(http_body_util::Full::new)).await?;
//! let reason = response.extensions().get::<Rejection>().map(Rejection::reason);
//! assert_eq!(reason, Some(Reason::SignatureMismatch));
//! # Ok(()) }
//! ```

use bytes::Bytes;
use http::request::Parts;
use webhook_core::patterns::{Digest, Encoding, HeaderHmac};
use webhook_core::{ConfigError, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer};

use crate::common::{Meta, content_key, provider_event, provider_layer_type};

const PROVIDER: &str = "xero";
const SIGNATURE: &str = "x-xero-signature";

provider_event! {
    /// A verified Xero event. `id`, `event_type` and `timestamp` are `None`; the events are in the payload's `events`.
    XeroEvent
}

/// The Xero scheme. Built through [`XeroLayer`].
#[derive(Clone, Debug)]
pub struct XeroScheme {
    hmac: HeaderHmac,
}

impl VerifyWebhook for XeroScheme {
    type Event = XeroEvent;

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
    ) -> Result<Verdict<XeroEvent>, Rejection> {
        let matched = self.hmac.verify(&parts.headers, body, cx.unix_now())?;
        let meta = Meta::new(matched.matched_key, None);
        let dedup = content_key(&[body]);
        let event = XeroEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(dedup),
        )))
    }
}

provider_layer_type! {
    /// Verifies Xero webhooks before the inner service. See the [module docs](self).
    XeroLayer, Xero, XeroScheme
}

impl XeroLayer {
    /// A layer verifying with the webhook key.
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn new(secret: &str) -> Result<Self, ConfigError> {
        let hmac = HeaderHmac::new(SIGNATURE, Digest::Sha256)?.encoding(Encoding::Base64);
        Self(WebhookLayer::new(XeroScheme { hmac })).secret(secret)
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

/// Signs events like Xero (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct XeroSigner {
    keys: webhook_core::patterns::HmacKeys,
}

#[cfg(feature = "test-util")]
impl XeroSigner {
    /// A signer for this secret.
    #[must_use]
    pub fn new(secret: &str) -> Self {
        let mut keys = webhook_core::patterns::HmacKeys::new(Digest::Sha256);
        keys.push(secret);
        Self { keys }
    }

    /// The `Xero-Hook-Signature` value for `body`.
    #[must_use]
    pub fn header(&self, body: &[u8]) -> String {
        let mac = self.keys.sign(0, &[body]).unwrap_or_default();
        Encoding::Base64.encode(&mac)
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
