//! [Paddle Billing](https://developer.paddle.com/webhooks/signature-verification): `Paddle-Signature: ts=<unix>;h1=<hex>[;h1=…]` over `"{ts}:{body}"`
//! (hex HMAC-SHA256).
//!
//! | check | reason on failure |
//! | --- | --- |
//! | the header present once, ≤ 2 KiB, `key=value` pairs separated by `;`, one `ts` (canonical decimal), ≤ 16 `h1` in hex | `missing_header`, `malformed_header` |
//! | `ts` within the tolerance either way (default 5 s, the tolerance of Paddle's SDKs) | `timestamp_out_of_tolerance` |
//! | one `h1` equals the MAC under one configured secret (several during a secret rotation) | `signature_mismatch` |
//! | the verified body is a strict JSON object with a string `event_id` | `malformed_body` |
//!
//! Deliveries are de-duplicated on the signed `event_id`; a retry with a new `ts` is a duplicate. The endpoint secret key (`pdl_ntfset_…`) is the HMAC key as it is.
//!
//! ```
//! use http::{Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{FixedClock, Reason, Rejection, VerifiedBody};
//! use webhook_providers::paddle::{PaddleEvent, PaddleLayer, PaddleSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let service = ServiceBuilder::new()
//!     .layer(PaddleLayer::new("pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI")?.clock(FixedClock::at_unix(1_700_000_001)))
//!     .service_fn(|req: http::Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<PaddleEvent>().expect("the layer inserts it");
//!         assert_eq!(event.event_type.as_deref(), Some("transaction.completed"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let body = r#"{"event_id":"evt_01h8bzakzx3hm2fmen703n5q45","event_type":"transaction.completed","occurred_at":"2023-11-14T22:13:20Z","data":{}}"#;
//! let request = PaddleSigner::new("pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI").request("/hooks/paddle", 1_700_000_000, body)?;
//! assert_eq!(service.clone().oneshot(request.map(http_body_util::Full::new)).await?.status(), StatusCode::OK);
//!
//! let stale = PaddleSigner::new("pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI").request("/hooks/paddle", 1_699_990_000, body)?;
//! let response = service.oneshot(stale.map(http_body_util::Full::new)).await?;
//! let reason = response.extensions().get::<Rejection>().map(Rejection::reason);
//! assert_eq!(reason, Some(Reason::TimestampOutOfTolerance));
//! # Ok(()) }
//! ```

use std::time::Duration;

use bytes::Bytes;
use http::request::Parts;
use webhook_core::patterns::TimestampedHmac;
use webhook_core::{ConfigError, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer};

use crate::common::{Meta, json_id_and_type, provider_event, provider_layer_type, required};

const PROVIDER: &str = "paddle";
const SIGNATURE: &str = "paddle-signature";

/// Default tolerance: 5 seconds either way.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5);

provider_event! {
    /// A verified Paddle Billing event. `id` is the signed `event_id`, `event_type` the signed `event_type`, `timestamp` the signed `ts`.
    PaddleEvent
}

/// The Paddle Billing scheme. Built through [`PaddleLayer`].
#[derive(Clone, Debug)]
pub struct PaddleScheme {
    hmac: TimestampedHmac,
}

impl VerifyWebhook for PaddleScheme {
    type Event = PaddleEvent;

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
    ) -> Result<Verdict<PaddleEvent>, Rejection> {
        let matched = self.hmac.verify(&parts.headers, body, cx.unix_now())?;
        let (_, id, kind) = json_id_and_type(body, "event_id", "event_type")?;
        let dedup = required(id.clone(), "event_id")?;
        let mut meta = Meta::new(matched.matched_key, matched.timestamp);
        meta.id = id;
        meta.event_type = kind;
        let event = PaddleEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(dedup),
        )))
    }
}

provider_layer_type! {
    /// Verifies Paddle Billing webhooks before the inner service. See the [module docs](self).
    PaddleLayer, Paddle, PaddleScheme
}

impl PaddleLayer {
    /// A layer verifying with the notification destination's secret key.
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn new(secret: &str) -> Result<Self, ConfigError> {
        let hmac =
            TimestampedHmac::new(SIGNATURE, "h1", DEFAULT_TOLERANCE)?.format("ts", ';', ":")?;
        Self(WebhookLayer::new(PaddleScheme { hmac })).secret(secret)
    }

    /// Adds a secret (rotation).
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn secret(mut self, secret: &str) -> Result<Self, ConfigError> {
        self.0.scheme_mut().hmac.add_secret(secret.as_bytes())?;
        Ok(self)
    }

    /// Largest distance between the signed timestamp and the clock, either way. Defaults to
    /// 5 s. Keep `dedup_ttl` above twice this value.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.0.scheme_mut().hmac.set_tolerance(tolerance);
        self
    }
}

/// Signs events like Paddle Billing (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct PaddleSigner {
    keys: webhook_core::patterns::HmacKeys,
}

#[cfg(feature = "test-util")]
impl PaddleSigner {
    /// A signer for this secret.
    #[must_use]
    pub fn new(secret: &str) -> Self {
        let mut keys =
            webhook_core::patterns::HmacKeys::new(webhook_core::patterns::Digest::Sha256);
        keys.push(secret);
        Self { keys }
    }

    /// The `Paddle-Signature` value for `body` at `timestamp`.
    #[must_use]
    pub fn header(&self, timestamp: u64, body: &[u8]) -> String {
        let t = timestamp.to_string();
        let mac = self
            .keys
            .sign(0, &[t.as_bytes(), b":", body])
            .unwrap_or_default();
        format!("ts={t};h1={}", webhook_core::patterns::hex_encode(&mac))
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
            .header(SIGNATURE, self.header(timestamp, &body))
            .body(body)
    }
}
