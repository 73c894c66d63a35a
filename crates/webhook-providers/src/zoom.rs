//! [Zoom](https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events):
//! `x-zm-signature: v0=<hex HMAC-SHA256(secret token, "v0:{ts}:{body}")>` with
//! `x-zm-request-timestamp: <ts>`.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | both headers present once (signature ≤ 2 KiB) | `missing_header`, `malformed_header` |
//! | the timestamp a canonical decimal within the tolerance either way (default 300 s) | `malformed_header`, `timestamp_out_of_tolerance` |
//! | exactly the `v0=` prefix, then hex | `signature_mismatch`, `malformed_header` |
//! | the MAC under one configured secret token (constant time) | `signature_mismatch` |
//! | the verified body is a strict JSON object | `malformed_body` |
//!
//! After verification only, an `endpoint.url_validation` event is answered by the layer with
//! `{"plainToken": …, "encryptedToken": hex HMAC-SHA256(secret token, plainToken)}` under the
//! secret that verified the request (an unverified request never gets a MAC of its chosen text).
//! Zoom signs no delivery id: de-duplication is on the SHA-256 of the signed body.
//! [`ZoomEvent::event_type`] is the body's `event`.
//!
//! ```
//! use http::{Request, Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{FixedClock, VerifiedBody};
//! use webhook_providers::zoom::{ZoomEvent, ZoomLayer, ZoomSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let secret = "zoom-secret-token";
//! let service = ServiceBuilder::new()
//!     .layer(ZoomLayer::new(secret)?.clock(FixedClock::at_unix(1_700_000_000)))
//!     .service_fn(|req: Request<VerifiedBody>| async move {
//!         let _ = req.extensions().get::<ZoomEvent>();
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let body = r#"{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1700000000000,"event":"endpoint.url_validation"}"#;
//! let request = ZoomSigner::new(secret).request("/hooks/zoom", 1_700_000_000, body)?;
//! let response = service.oneshot(request.map(http_body_util::Full::new)).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//! # Ok(()) }
//! ```

use std::time::Duration;

use bytes::Bytes;
use http::request::Parts;
use serde_json::Value;
use webhook_core::patterns::{Digest, Encoding, HeaderHmac, SignedContent, handshake};
use webhook_core::{
    ConfigError, Reason, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer,
};

use crate::common::{
    MAX_ID_LEN, Meta, content_key, json_object, provider_event, provider_layer_type, short_text,
};

const PROVIDER: &str = "zoom";
const SIGNATURE: &str = "x-zm-signature";
const TIMESTAMP: &str = "x-zm-request-timestamp";

/// Default tolerance: 300 seconds either way.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

provider_event! {
    /// A verified Zoom event. `id` is `None` (Zoom signs none); `event_type` is the body's
    /// `event`; `timestamp` the signed `x-zm-request-timestamp`.
    ZoomEvent
}

/// The Zoom scheme. Built through [`ZoomLayer`].
#[derive(Clone, Debug)]
pub struct ZoomScheme {
    hmac: HeaderHmac,
}

impl VerifyWebhook for ZoomScheme {
    type Event = ZoomEvent;

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
    ) -> Result<Verdict<ZoomEvent>, Rejection> {
        let matched = self.hmac.verify(&parts.headers, body, cx.unix_now())?;
        let object = json_object(body)?;
        let kind = short_text(&object, "event")?;
        if kind.as_deref() == Some("endpoint.url_validation") {
            let plain = match object.get("payload").and_then(|p| p.get("plainToken")) {
                Some(Value::String(plain)) if !plain.is_empty() && plain.len() <= MAX_ID_LEN => {
                    plain
                }
                _ => {
                    return Err(Rejection::new(Reason::MalformedBody)
                        .with_detail("url_validation without a usable plainToken"));
                }
            };
            let encrypted =
                handshake::mac_of(self.hmac.keys(), matched.matched_key, plain, Encoding::Hex)
                    .unwrap_or_default();
            let answer = serde_json::json!({"plainToken": plain, "encryptedToken": encrypted});
            return Ok(Verdict::Respond(handshake::json(&answer)));
        }
        let mut meta = Meta::new(matched.matched_key, matched.timestamp);
        meta.event_type = kind;
        let event = ZoomEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(content_key(&[body])),
        )))
    }
}

provider_layer_type! {
    /// Verifies Zoom webhooks before the inner service. See the [module docs](self).
    ZoomLayer, Zoom, ZoomScheme
}

impl ZoomLayer {
    /// A layer verifying with the app's secret token.
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn new(secret: &str) -> Result<Self, ConfigError> {
        let hmac = HeaderHmac::new(SIGNATURE, Digest::Sha256)?
            .prefix("v0=")
            .content(SignedContent::parse("v0:{timestamp}:{body}")?)
            .timestamp_header(TIMESTAMP, DEFAULT_TOLERANCE)?;
        Self(WebhookLayer::new(ZoomScheme { hmac })).secret(secret)
    }

    /// Adds a secret token (rotation).
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn secret(mut self, secret: &str) -> Result<Self, ConfigError> {
        self.0.scheme_mut().hmac.add_secret(secret.as_bytes())?;
        Ok(self)
    }

    /// Largest distance between the timestamp and the clock, either way. Defaults to 300 s.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.0.scheme_mut().hmac.set_tolerance(tolerance);
        self
    }
}

/// Signs events like Zoom (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct ZoomSigner {
    keys: webhook_core::patterns::HmacKeys,
}

#[cfg(feature = "test-util")]
impl ZoomSigner {
    /// A signer for this secret token.
    #[must_use]
    pub fn new(secret: &str) -> Self {
        let mut keys = webhook_core::patterns::HmacKeys::new(Digest::Sha256);
        keys.push(secret);
        Self { keys }
    }

    /// The `x-zm-signature` value for `body` at `timestamp`.
    #[must_use]
    pub fn header(&self, timestamp: u64, body: &[u8]) -> String {
        let base = format!("v0:{timestamp}:");
        let mac = self
            .keys
            .sign(0, &[base.as_bytes(), body])
            .unwrap_or_default();
        format!("v0={}", webhook_core::patterns::hex_encode(&mac))
    }

    /// The `encryptedToken` Zoom expects for `plain_token`.
    #[must_use]
    pub fn encrypted_token(&self, plain_token: &str) -> String {
        handshake::mac_of(&self.keys, 0, plain_token, Encoding::Hex).unwrap_or_default()
    }

    /// A signed JSON `POST` to `uri`.
    ///
    /// # Errors
    /// `uri` is not a valid URI.
    pub fn request(
        &self,
        uri: &str,
        timestamp: u64,
        body: impl Into<Bytes>,
    ) -> Result<http::Request<Bytes>, http::Error> {
        let body = body.into();
        http::Request::post(uri)
            .header("content-type", "application/json")
            .header(TIMESTAMP, timestamp.to_string())
            .header(SIGNATURE, self.header(timestamp, &body))
            .body(body)
    }
}
