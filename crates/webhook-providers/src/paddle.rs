//! [Paddle Billing](https://developer.paddle.com/webhooks/signature-verification): `Paddle-Signature: ts=<unix>;h1=<hex>[;h1=…]` over `"{ts}:{body}"`
//! (hex HMAC-SHA256).
//!
//! | check | reason on failure |
//! | --- | --- |
//! | the header present once, ≤ 2 KiB, `key=value` pairs separated by `;`, one `ts` (canonical decimal), ≤ 16 `h1` in hex | `missing_header`, `malformed_header` |
//! | `ts` within the tolerance either way (default 5 s, the tolerance of Paddle's SDKs) | `timestamp_out_of_tolerance` |
//! | one `h1` equals the MAC under one configured secret (several during a secret rotation) | `signature_mismatch` |
//! | the verified body is a strict JSON object (`event_id`, when present, a string ≤ 256 bytes) | `malformed_body` |
//!
//! Deliveries are de-duplicated on the signed `event_id` (on the SHA-256 of the body when it has
//! none, as in the SDK's test payload); a retry with a new `ts` is a duplicate. The endpoint secret key (`pdl_ntfset_…`) is the HMAC key as it is.
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
use webhook_core::{ConfigError, Rejection, Verdict, VerifyContext, VerifyWebhook};

use crate::common::{json_meta, provider_event, provider_layer_type, timestamped_hmac_provider};

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
        let (meta, dedup) = json_meta(matched, body, "event_id", "event_type")?;
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

/// The scheme's header format, shared by the layer and the signer.
fn timestamped_hmac() -> Result<TimestampedHmac, ConfigError> {
    TimestampedHmac::new(SIGNATURE, "h1", DEFAULT_TOLERANCE)?.format("ts", ';', ":")
}

timestamped_hmac_provider! {
    layer: PaddleLayer,
    scheme: PaddleScheme,
    signer: PaddleSigner,
    provider: "Paddle Billing",
    header: "Paddle-Signature",
    secret: "the notification destination's secret key",
    default_tolerance: "5 s",
    content_type: "application/json",
}
