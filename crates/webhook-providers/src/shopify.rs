//! [Shopify](https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook):
//! `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256(secret, body)>`.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | the header present once, ≤ 2 KiB, strict padded base64 | `missing_header`, `malformed_header` |
//! | the MAC under one configured secret (constant time) | `signature_mismatch` |
//! | `X-Shopify-Webhook-Id` / `X-Shopify-Topic`, when present, once and ≤ 256 bytes | `malformed_header` |
//!
//! Shopify signs no timestamp and no id (`X-Shopify-Triggered-At` and `X-Shopify-Webhook-Id`
//! are unsigned): de-duplication is on the SHA-256 of the signed body, and
//! [`ShopifyEvent::id`] is the unsigned webhook id, for logs. Rotating the app's client secret
//! takes Shopify up to an hour: configure the old and the new secret meanwhile.
//!
//! ```
//! use http::{Request, Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::VerifiedBody;
//! use webhook_providers::shopify::{ShopifyEvent, ShopifyLayer, ShopifySigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let service = ServiceBuilder::new()
//!     .layer(ShopifyLayer::new("new-client-secret")?.secret("old-client-secret")?)
//!     .service_fn(|req: Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<ShopifyEvent>().expect("the layer inserts it");
//!         assert_eq!((event.matched_key, event.event_type.as_deref()), (1, Some("orders/create")));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let request = ShopifySigner::new("old-client-secret")
//!     .request("/hooks/shopify", "orders/create", "b54557e4", r#"{"id":820982911946154508}"#)?;
//! let response = service.oneshot(request.map(http_body_util::Full::new)).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//! # Ok(()) }
//! ```

use bytes::Bytes;
use http::request::Parts;
use webhook_core::patterns::{Digest, Encoding, HeaderHmac};
use webhook_core::{ConfigError, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer};

use crate::common::{Meta, content_key, info_header, provider_event, provider_layer_type};

const PROVIDER: &str = "shopify";
const SIGNATURE: &str = "x-shopify-hmac-sha256";

provider_event! {
    /// A verified Shopify webhook. `id` is the unsigned `X-Shopify-Webhook-Id`, `event_type`
    /// the unsigned `X-Shopify-Topic`; `timestamp` is always `None`.
    ShopifyEvent
}

/// The Shopify scheme. Built through [`ShopifyLayer`].
#[derive(Clone, Debug)]
pub struct ShopifyScheme {
    hmac: HeaderHmac,
}

impl VerifyWebhook for ShopifyScheme {
    type Event = ShopifyEvent;

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
    ) -> Result<Verdict<ShopifyEvent>, Rejection> {
        let matched = self.hmac.verify(&parts.headers, body, cx.unix_now())?;
        let mut meta = Meta::new(matched.matched_key, None);
        meta.id = info_header(&parts.headers, "x-shopify-webhook-id")?;
        meta.event_type = info_header(&parts.headers, "x-shopify-topic")?;
        let event = ShopifyEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(content_key(&[body])),
        )))
    }
}

provider_layer_type! {
    /// Verifies Shopify webhooks before the inner service. See the [module docs](self).
    ShopifyLayer, Shopify, ShopifyScheme
}

impl ShopifyLayer {
    /// A layer verifying with the app's client secret.
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn new(secret: &str) -> Result<Self, ConfigError> {
        let hmac = HeaderHmac::new(SIGNATURE, Digest::Sha256)?.encoding(Encoding::Base64);
        Self(WebhookLayer::new(ShopifyScheme { hmac })).secret(secret)
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

/// Signs webhooks like Shopify (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct ShopifySigner {
    keys: webhook_core::patterns::HmacKeys,
}

#[cfg(feature = "test-util")]
impl ShopifySigner {
    /// A signer for this client secret.
    #[must_use]
    pub fn new(secret: &str) -> Self {
        let mut keys = webhook_core::patterns::HmacKeys::new(Digest::Sha256);
        keys.push(secret);
        Self { keys }
    }

    /// The `X-Shopify-Hmac-Sha256` value for `body`.
    #[must_use]
    pub fn header(&self, body: &[u8]) -> String {
        Encoding::Base64.encode(&self.keys.sign(0, &[body]).unwrap_or_default())
    }

    /// A signed JSON `POST` to `uri` with `X-Shopify-Topic` and `X-Shopify-Webhook-Id`.
    ///
    /// # Errors
    /// `uri` is not a valid URI.
    pub fn request(
        &self,
        uri: &str,
        topic: &str,
        webhook_id: &str,
        body: impl Into<Bytes>,
    ) -> Result<http::Request<Bytes>, http::Error> {
        let body = body.into();
        http::Request::post(uri)
            .header("content-type", "application/json")
            .header("x-shopify-topic", topic)
            .header("x-shopify-webhook-id", webhook_id)
            .header(SIGNATURE, self.header(&body))
            .body(body)
    }
}
