//! [Mux](https://docs.mux.com/core/verify-webhook-signatures): `Mux-Signature: t=<unix>,v1=<hex>` over `"{t}.{body}"`
//! (hex HMAC-SHA256).
//!
//! | check | reason on failure |
//! | --- | --- |
//! | the header present once, ≤ 2 KiB, `key=value` pairs separated by `,`, one `t` (canonical decimal), ≤ 16 `v1` in hex | `missing_header`, `malformed_header` |
//! | `t` within the tolerance either way (default 300 s) | `timestamp_out_of_tolerance` |
//! | one `v1` equals the MAC under one configured secret (several during a secret rotation) | `signature_mismatch` |
//! | the verified body is a strict JSON object with a string `id` | `malformed_body` |
//!
//! Deliveries are de-duplicated on the signed event `id`; a retry with a new `t` is a duplicate.
//!
//! ```
//! use http::{Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{FixedClock, Reason, Rejection, VerifiedBody};
//! use webhook_providers::mux::{MuxEvent, MuxLayer, MuxSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let service = ServiceBuilder::new()
//!     .layer(MuxLayer::new("mux-webhook-secret")?.clock(FixedClock::at_unix(1_700_000_001)))
//!     .service_fn(|req: http::Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<MuxEvent>().expect("the layer inserts it");
//!         assert_eq!(event.event_type.as_deref(), Some("video.asset.ready"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let body = r#"{"type":"video.asset.ready","id":"3a56ac3d-33da-4366-855b-f592d898409d","created_at":"2023-11-14T22:13:20.000000Z","data":{}}"#;
//! let request = MuxSigner::new("mux-webhook-secret").request("/hooks/mux", 1_700_000_000, body)?;
//! assert_eq!(service.clone().oneshot(request.map(http_body_util::Full::new)).await?.status(), StatusCode::OK);
//!
//! let stale = MuxSigner::new("mux-webhook-secret").request("/hooks/mux", 1_699_990_000, body)?;
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

const PROVIDER: &str = "mux";
const SIGNATURE: &str = "mux-signature";

/// Default tolerance: 300 seconds either way.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

provider_event! {
    /// A verified Mux event. `id` is the signed event `id`, `event_type` the signed `type`, `timestamp` the signed `t`.
    MuxEvent
}

/// The Mux scheme. Built through [`MuxLayer`].
#[derive(Clone, Debug)]
pub struct MuxScheme {
    hmac: TimestampedHmac,
}

impl VerifyWebhook for MuxScheme {
    type Event = MuxEvent;

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
    ) -> Result<Verdict<MuxEvent>, Rejection> {
        let matched = self.hmac.verify(&parts.headers, body, cx.unix_now())?;
        let (_, id, kind) = json_id_and_type(body, "id", "type")?;
        let dedup = required(id.clone(), "id")?;
        let mut meta = Meta::new(matched.matched_key, matched.timestamp);
        meta.id = id;
        meta.event_type = kind;
        let event = MuxEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(dedup),
        )))
    }
}

provider_layer_type! {
    /// Verifies Mux webhooks before the inner service. See the [module docs](self).
    MuxLayer, Mux, MuxScheme
}

impl MuxLayer {
    /// A layer verifying with the webhook signing secret.
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn new(secret: &str) -> Result<Self, ConfigError> {
        let hmac = TimestampedHmac::new(SIGNATURE, "v1", DEFAULT_TOLERANCE)?;
        Self(WebhookLayer::new(MuxScheme { hmac })).secret(secret)
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
    /// 300 s. Keep `dedup_ttl` above twice this value.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.0.scheme_mut().hmac.set_tolerance(tolerance);
        self
    }
}

/// Signs events like Mux (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct MuxSigner {
    keys: webhook_core::patterns::HmacKeys,
}

#[cfg(feature = "test-util")]
impl MuxSigner {
    /// A signer for this secret.
    #[must_use]
    pub fn new(secret: &str) -> Self {
        let mut keys =
            webhook_core::patterns::HmacKeys::new(webhook_core::patterns::Digest::Sha256);
        keys.push(secret);
        Self { keys }
    }

    /// The `Mux-Signature` value for `body` at `timestamp`.
    #[must_use]
    pub fn header(&self, timestamp: u64, body: &[u8]) -> String {
        let t = timestamp.to_string();
        let mac = self
            .keys
            .sign(0, &[t.as_bytes(), b".", body])
            .unwrap_or_default();
        format!("t={t},v1={}", webhook_core::patterns::hex_encode(&mac))
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
