//! [Square](https://developer.squareup.com/docs/webhooks/step3validate):
//! `x-square-hmacsha256-signature: <base64 HMAC-SHA256(signature key, notification URL ‖ body)>`.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | the header present once, ≤ 2 KiB, strict padded base64 | `missing_header`, `malformed_header` |
//! | the MAC over **your configured notification URL** followed by the body, under one configured signature key | `signature_mismatch` |
//! | the verified body is a JSON object (`event_id`, when present, a string ≤ 256 bytes) | `malformed_body` |
//! | the `event_id` (else the SHA-256 of the body) not delivered before | duplicate: `200` without calling the inner service |
//!
//! The notification URL is configuration, byte for byte as in the subscription; the request's
//! `Host` is never read. Square signs no timestamp (it retries for up to 72 hours with the same
//! body): de-duplication is on the signed `event_id`, Square's documented idempotency key (on the
//! SHA-256 of the body when it has none, as in the SDK's test payloads). Only the current
//! `x-square-hmacsha256-signature` is read; the legacy HMAC-SHA1 `x-square-signature` is not.
//! [`SquareEvent::timestamp`] is the signed `created_at`, not judged against a window.
//!
//! ```
//! use http::{Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::VerifiedBody;
//! use webhook_providers::square::{SquareEvent, SquareLayer, SquareSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let url = "https://hooks.example.com/square";
//! let service = ServiceBuilder::new()
//!     .layer(SquareLayer::new("sq-signature-key", url)?)
//!     .service_fn(|req: http::Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<SquareEvent>().expect("the layer inserts it");
//!         assert_eq!(event.event_type.as_deref(), Some("payment.updated"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let body = r#"{"merchant_id":"M1","type":"payment.updated","event_id":"e-1","created_at":"2026-11-22T10:00:00Z","data":{}}"#;
//! let request = SquareSigner::new("sq-signature-key", url).request("/square", body)?;
//! assert_eq!(service.oneshot(request.map(http_body_util::Full::new)).await?.status(), StatusCode::OK);
//! # Ok(()) }
//! ```

use bytes::Bytes;
use http::request::Parts;
use serde_json::Value;
use webhook_core::patterns::{Digest, Encoding, HeaderHmac, SignedContent};
use webhook_core::{
    ConfigError, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer, parse_rfc3339_utc,
};

use crate::common::{Meta, content_key, json_id_and_type, provider_event, provider_layer_type};

const PROVIDER: &str = "square";
const SIGNATURE: &str = "x-square-hmacsha256-signature";

provider_event! {
    /// A verified Square event. `id` is the signed `event_id`, `event_type` the signed `type`,
    /// `timestamp` the signed `created_at`.
    SquareEvent
}

/// The Square scheme. Built through [`SquareLayer`].
#[derive(Clone, Debug)]
pub struct SquareScheme {
    hmac: HeaderHmac,
}

impl VerifyWebhook for SquareScheme {
    type Event = SquareEvent;

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
    ) -> Result<Verdict<SquareEvent>, Rejection> {
        let matched = self.hmac.verify(&parts.headers, body, cx.unix_now())?;
        let (object, id, kind) = json_id_and_type(body, "event_id", "type")?;
        let dedup = id.clone().unwrap_or_else(|| content_key(&[body]));
        let created = object
            .get("created_at")
            .and_then(Value::as_str)
            .and_then(parse_rfc3339_utc);
        let mut meta = Meta::new(matched.matched_key, created);
        meta.id = id;
        meta.event_type = kind;
        let event = SquareEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(dedup),
        )))
    }
}

provider_layer_type! {
    /// Verifies Square webhooks before the inner service. See the [module docs](self).
    SquareLayer, Square, SquareScheme
}

fn check_url(url: &str) -> Result<(), ConfigError> {
    let parsed: http::Uri = url
        .parse()
        .map_err(|_| ConfigError::new(format!("notification URL `{url}` is not a URL")))?;
    if !matches!(parsed.scheme_str(), Some("https" | "http")) || parsed.authority().is_none() {
        return Err(ConfigError::new(format!(
            "notification URL `{url}` must be an absolute http(s) URL"
        )));
    }
    Ok(())
}

impl SquareLayer {
    /// A layer verifying with the subscription's signature key, for deliveries to
    /// `notification_url` (exactly as in the subscription).
    ///
    /// # Errors
    /// The key is empty or has surrounding whitespace, or the URL is not an absolute http(s)
    /// URL (or contains `{`).
    pub fn new(signature_key: &str, notification_url: &str) -> Result<Self, ConfigError> {
        check_url(notification_url)?;
        let content = SignedContent::parse(&format!("{notification_url}{{body}}"))?;
        let hmac = HeaderHmac::new(SIGNATURE, Digest::Sha256)?
            .encoding(Encoding::Base64)
            .content(content);
        Self(WebhookLayer::new(SquareScheme { hmac })).secret(signature_key)
    }

    /// Adds a signature key (rotation).
    ///
    /// # Errors
    /// The key is empty or has surrounding whitespace.
    pub fn secret(mut self, signature_key: &str) -> Result<Self, ConfigError> {
        self.0
            .scheme_mut()
            .hmac
            .add_secret(signature_key.as_bytes())?;
        Ok(self)
    }
}

/// Signs events like Square (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct SquareSigner {
    keys: webhook_core::patterns::HmacKeys,
    url: String,
}

#[cfg(feature = "test-util")]
impl SquareSigner {
    /// A signer for this signature key and notification URL.
    #[must_use]
    pub fn new(signature_key: &str, notification_url: &str) -> Self {
        let mut keys = webhook_core::patterns::HmacKeys::new(Digest::Sha256);
        keys.push(signature_key);
        Self {
            keys,
            url: notification_url.to_owned(),
        }
    }

    /// The `x-square-hmacsha256-signature` value for `body`.
    #[must_use]
    pub fn header(&self, body: &[u8]) -> String {
        let mac = self
            .keys
            .sign(0, &[self.url.as_bytes(), body])
            .unwrap_or_default();
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
