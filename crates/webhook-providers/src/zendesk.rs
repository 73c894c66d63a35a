//! [Zendesk](https://developer.zendesk.com/documentation/webhooks/verifying/):
//! `X-Zendesk-Webhook-Signature: <base64 HMAC-SHA256(signing secret, timestamp ‖ body)>` with
//! `X-Zendesk-Webhook-Signature-Timestamp: <timestamp>`.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | both headers present once (signature ≤ 2 KiB, timestamp ≤ 64 bytes) | `missing_header`, `malformed_header` |
//! | the timestamp is an RFC 3339 UTC instant (`2026-11-22T10:00:00Z`) or canonical Unix seconds | `malformed_header` |
//! | the timestamp within the tolerance either way (default 300 s) | `timestamp_out_of_tolerance` |
//! | the signature is padded base64, the MAC under one configured secret (constant time) | `malformed_header`, `signature_mismatch` |
//!
//! The MAC covers the timestamp header's exact text and the raw body (Zendesk may send no
//! body). Zendesk signs no delivery id: deliveries are de-duplicated on the SHA-256 of the
//! signed timestamp and body. [`ZendeskEvent::event_type`] is the body's `type` when the body
//! is a JSON object (event webhooks: `zen:event-type:ticket.created`).
//!
//! ```
//! use http::{Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{FixedClock, VerifiedBody};
//! use webhook_providers::zendesk::{ZendeskEvent, ZendeskLayer, ZendeskSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let service = ServiceBuilder::new()
//!     .layer(ZendeskLayer::new("zd-signing-secret")?.clock(FixedClock::at_unix(1_700_000_000)))
//!     .service_fn(|req: http::Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<ZendeskEvent>().expect("the layer inserts it");
//!         assert_eq!(event.timestamp, Some(1_700_000_000));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let request = ZendeskSigner::new("zd-signing-secret")
//!     .request("/hooks/zendesk", "2023-11-14T22:13:20Z", r#"{"type":"zen:event-type:ticket.created"}"#)?;
//! assert_eq!(service.oneshot(request.map(http_body_util::Full::new)).await?.status(), StatusCode::OK);
//! # Ok(()) }
//! ```

use std::time::Duration;

use bytes::Bytes;
use http::request::Parts;
use serde_json::Value;
use webhook_core::patterns::{
    Digest, Encoding, HmacKeys, MAX_HEADER_LEN, bounded_header, check_secret, malformed,
};
use webhook_core::{
    ConfigError, Reason, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer,
    parse_canonical_decimal, parse_rfc3339_utc, within_window,
};

use crate::common::{
    Meta, content_key, info_header, provider_event, provider_layer_type, short_text,
};

const PROVIDER: &str = "zendesk";
const SIGNATURE: &str = "x-zendesk-webhook-signature";
const TIMESTAMP: &str = "x-zendesk-webhook-signature-timestamp";

/// Default tolerance: 300 seconds either way.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

provider_event! {
    /// A verified Zendesk webhook. `id` is the unsigned `X-Zendesk-Webhook-Id`, `event_type`
    /// the signed body's `type`, `timestamp` the signed timestamp.
    ZendeskEvent
}

/// The Zendesk scheme. Built through [`ZendeskLayer`].
#[derive(Clone, Debug)]
pub struct ZendeskScheme {
    keys: HmacKeys,
    tolerance: Duration,
}

fn parse_time(text: &str) -> Option<i64> {
    parse_rfc3339_utc(text)
        .or_else(|| parse_canonical_decimal(text).and_then(|t| i64::try_from(t).ok()))
}

impl VerifyWebhook for ZendeskScheme {
    type Event = ZendeskEvent;

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
    ) -> Result<Verdict<ZendeskEvent>, Rejection> {
        let signature = bounded_header(&parts.headers, SIGNATURE, MAX_HEADER_LEN)?;
        let timestamp_text = bounded_header(&parts.headers, TIMESTAMP, 64)?;
        let timestamp = parse_time(timestamp_text)
            .ok_or_else(|| malformed("timestamp is neither RFC 3339 UTC nor Unix seconds"))?;
        let tolerance = self.tolerance.as_secs();
        if !within_window(cx.unix_now(), timestamp, tolerance, tolerance) {
            return Err(Rejection::new(Reason::TimestampOutOfTolerance)
                .with_detail(format!("timestamp {timestamp} vs now {}", cx.unix_now())));
        }
        let mac = Encoding::Base64
            .decode(signature)
            .ok_or_else(|| malformed("signature is not base64"))?;
        let pieces: [&[u8]; 2] = [timestamp_text.as_bytes(), body];
        let matched = self
            .keys
            .verify(&pieces, [mac.as_slice()])
            .ok_or_else(|| Rejection::new(Reason::SignatureMismatch))?;
        let mut meta = Meta::new(matched, Some(timestamp));
        meta.id = info_header(&parts.headers, "x-zendesk-webhook-id")?;
        if let Ok(Value::Object(object)) = webhook_core::json::parse_strict(body) {
            meta.event_type = short_text(&object, "type")?;
        }
        let event = ZendeskEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(content_key(&pieces)),
        )))
    }
}

provider_layer_type! {
    /// Verifies Zendesk webhooks before the inner service. See the [module docs](self).
    ZendeskLayer, Zendesk, ZendeskScheme
}

impl ZendeskLayer {
    /// A layer verifying with the webhook's signing secret.
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn new(secret: &str) -> Result<Self, ConfigError> {
        let scheme = ZendeskScheme {
            keys: HmacKeys::new(Digest::Sha256),
            tolerance: DEFAULT_TOLERANCE,
        };
        Self(WebhookLayer::new(scheme)).secret(secret)
    }

    /// Adds a signing secret (rotation).
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn secret(mut self, secret: &str) -> Result<Self, ConfigError> {
        check_secret("Zendesk signing secret", secret.as_bytes())?;
        self.0.scheme_mut().keys.push(secret);
        Ok(self)
    }

    /// Largest distance between the timestamp and the clock, either way. Defaults to 300 s.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.0.scheme_mut().tolerance = tolerance;
        self
    }
}

/// Signs webhooks like Zendesk (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct ZendeskSigner {
    keys: HmacKeys,
}

#[cfg(feature = "test-util")]
impl ZendeskSigner {
    /// A signer for this signing secret.
    #[must_use]
    pub fn new(secret: &str) -> Self {
        let mut keys = HmacKeys::new(Digest::Sha256);
        keys.push(secret);
        Self { keys }
    }

    /// The signature for `body` with this timestamp text.
    #[must_use]
    pub fn header(&self, timestamp: &str, body: &[u8]) -> String {
        Encoding::Base64.encode(
            &self
                .keys
                .sign(0, &[timestamp.as_bytes(), body])
                .unwrap_or_default(),
        )
    }

    /// A signed JSON `POST` to `uri`.
    ///
    /// # Errors
    /// `uri` or `timestamp` is not valid in a request.
    pub fn request(
        &self,
        uri: &str,
        timestamp: &str,
        body: impl Into<Bytes>,
    ) -> Result<http::Request<Bytes>, http::Error> {
        let body = body.into();
        http::Request::post(uri)
            .header("content-type", "application/json")
            .header(TIMESTAMP, timestamp)
            .header(SIGNATURE, self.header(timestamp, &body))
            .body(body)
    }
}
