//! [Mux](https://docs.mux.com/core/verify-webhook-signatures): `Mux-Signature: t=<unix>,v1=<hex>` over `"{t}.{body}"`
//! (hex HMAC-SHA256).
//!
//! | check | reason on failure |
//! | --- | --- |
//! | the header present once, ≤ 2 KiB, `key=value` pairs separated by `,`, one `t` (canonical decimal), ≤ 16 `v1` in hex | `missing_header`, `malformed_header` |
//! | `t` within the tolerance either way (default 300 s) | `timestamp_out_of_tolerance` |
//! | one `v1` equals the MAC under one configured secret (several during a secret rotation) | `signature_mismatch` |
//! | the verified body is a strict JSON object (`id`, when present, a string ≤ 256 bytes) | `malformed_body` |
//!
//! Deliveries are de-duplicated on the signed event `id` (on the SHA-256 of the body when it has
//! none, as in the SDK's test payload); a retry with a new `t` is a duplicate.
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
use webhook_core::{ConfigError, Rejection, Verdict, VerifyContext, VerifyWebhook};

use crate::common::{json_meta, provider_event, provider_layer_type, timestamped_hmac_provider};

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
        let (meta, dedup) = json_meta(matched, body, "id", "type")?;
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

/// The scheme's header format, shared by the layer and the signer.
fn timestamped_hmac() -> Result<TimestampedHmac, ConfigError> {
    TimestampedHmac::new(SIGNATURE, "v1", DEFAULT_TOLERANCE)
}

timestamped_hmac_provider! {
    layer: MuxLayer,
    scheme: MuxScheme,
    signer: MuxSigner,
    provider: "Mux",
    header: "Mux-Signature",
    secret: "the webhook signing secret",
    default_tolerance: "300 s",
    content_type: "application/json",
}
