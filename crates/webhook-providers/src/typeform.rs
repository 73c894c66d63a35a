//! [Typeform](https://www.typeform.com/developers/webhooks/secure-your-webhooks/): `Typeform-Signature: sha256=<base64 HMAC-SHA256(secret, body)>`.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | the header present once, ≤ 2 KiB | `missing_header`, `malformed_header` |
//! | exactly the `sha256=` prefix, then base64 | `signature_mismatch`, `malformed_header` |
//! | the MAC under one configured secret (constant time) | `signature_mismatch` |
//! | the verified body is a strict JSON object with a string `event_id` | `malformed_body` |
//!
//! Typeform signs no timestamp; deliveries are de-duplicated on the signed `event_id`, so a redelivery is acknowledged without calling your handler.
//!
//! ```
//! use http::{Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{Reason, Rejection, VerifiedBody};
//! use webhook_providers::typeform::{TypeformEvent, TypeformLayer, TypeformSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let service = ServiceBuilder::new()
//!     .layer(TypeformLayer::new("typeform-secret")?)
//!     .service_fn(|req: http::Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<TypeformEvent>().expect("the layer inserts it");
//!         assert_eq!(event.event_type.as_deref(), Some("form_response"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let body = r#"{"event_id":"01HX4C4W5V8R0E2B","event_type":"form_response","form_response":{}}"#;
//! let request = TypeformSigner::new("typeform-secret").request("/hooks/typeform", body)?;
//! let request = request;
//! assert_eq!(service.clone().oneshot(request.map(http_body_util::Full::new)).await?.status(), StatusCode::OK);
//!
//! let forged = TypeformSigner::new("guess").request("/hooks/typeform", body)?;
//! let response = service.oneshot(forged.map(http_body_util::Full::new)).await?;
//! let reason = response.extensions().get::<Rejection>().map(Rejection::reason);
//! assert_eq!(reason, Some(Reason::SignatureMismatch));
//! # Ok(()) }
//! ```

use bytes::Bytes;
use http::request::Parts;
use webhook_core::patterns::{Digest, Encoding, HeaderHmac};
use webhook_core::{ConfigError, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer};

use crate::common::{Meta, json_id_and_type, provider_event, provider_layer_type, required};

const PROVIDER: &str = "typeform";
const SIGNATURE: &str = "typeform-signature";

provider_event! {
    /// A verified Typeform event. `id` is the signed `event_id`, `event_type` the signed `event_type`; `timestamp` is `None`.
    TypeformEvent
}

/// The Typeform scheme. Built through [`TypeformLayer`].
#[derive(Clone, Debug)]
pub struct TypeformScheme {
    hmac: HeaderHmac,
}

impl VerifyWebhook for TypeformScheme {
    type Event = TypeformEvent;

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
    ) -> Result<Verdict<TypeformEvent>, Rejection> {
        let matched = self.hmac.verify(&parts.headers, body, cx.unix_now())?;
        let mut meta = Meta::new(matched.matched_key, None);
        let (_, id, kind) = json_id_and_type(body, "event_id", "event_type")?;
        let dedup = required(id.clone(), "event_id")?;
        meta.id = id;
        meta.event_type = kind;
        let event = TypeformEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(dedup),
        )))
    }
}

provider_layer_type! {
    /// Verifies Typeform webhooks before the inner service. See the [module docs](self).
    TypeformLayer, Typeform, TypeformScheme
}

impl TypeformLayer {
    /// A layer verifying with the webhook's secret.
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn new(secret: &str) -> Result<Self, ConfigError> {
        let hmac = HeaderHmac::new(SIGNATURE, Digest::Sha256)?
            .prefix("sha256=")
            .encoding(Encoding::Base64);
        Self(WebhookLayer::new(TypeformScheme { hmac })).secret(secret)
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

/// Signs events like Typeform (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct TypeformSigner {
    keys: webhook_core::patterns::HmacKeys,
}

#[cfg(feature = "test-util")]
impl TypeformSigner {
    /// A signer for this secret.
    #[must_use]
    pub fn new(secret: &str) -> Self {
        let mut keys = webhook_core::patterns::HmacKeys::new(Digest::Sha256);
        keys.push(secret);
        Self { keys }
    }

    /// The `Typeform-Signature` value for `body`.
    #[must_use]
    pub fn header(&self, body: &[u8]) -> String {
        let mac = self.keys.sign(0, &[body]).unwrap_or_default();
        format!("sha256={}", Encoding::Base64.encode(&mac))
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
