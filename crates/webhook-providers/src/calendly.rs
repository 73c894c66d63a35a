//! [Calendly](https://developer.calendly.com/api-docs/4c305798a61d3-webhook-signatures): `Calendly-Webhook-Signature: t=<unix>,v1=<hex>` over `"{t}.{body}"`
//! (hex HMAC-SHA256).
//!
//! | check | reason on failure |
//! | --- | --- |
//! | the header present once, ≤ 2 KiB, `key=value` pairs separated by `,`, one `t` (canonical decimal), ≤ 16 `v1` in hex | `missing_header`, `malformed_header` |
//! | `t` within the tolerance either way (default 180 s, Calendly's example) | `timestamp_out_of_tolerance` |
//! | one `v1` equals the MAC under one configured secret (several during a secret rotation) | `signature_mismatch` |
//! | the verified body is a strict JSON object | `malformed_body` |
//!
//! Calendly signs no delivery id: deliveries are de-duplicated on the SHA-256 of the signed body. [`CalendlyEvent::event_type`] is the body's `event` (`invitee.created`).
//!
//! ```
//! use http::{Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{FixedClock, Reason, Rejection, VerifiedBody};
//! use webhook_providers::calendly::{CalendlyEvent, CalendlyLayer, CalendlySigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let service = ServiceBuilder::new()
//!     .layer(CalendlyLayer::new("calendly-signing-key")?.clock(FixedClock::at_unix(1_700_000_001)))
//!     .service_fn(|req: http::Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<CalendlyEvent>().expect("the layer inserts it");
//!         assert_eq!(event.event_type.as_deref(), Some("invitee.created"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let body = r#"{"created_at":"2023-11-14T22:13:20.000000Z","created_by":"https://api.calendly.com/users/U1","event":"invitee.created","payload":{}}"#;
//! let request = CalendlySigner::new("calendly-signing-key").request("/hooks/calendly", 1_700_000_000, body)?;
//! assert_eq!(service.clone().oneshot(request.map(http_body_util::Full::new)).await?.status(), StatusCode::OK);
//!
//! let stale = CalendlySigner::new("calendly-signing-key").request("/hooks/calendly", 1_699_990_000, body)?;
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

use crate::common::{
    Meta, content_key, json_id_and_type, provider_event, provider_layer_type,
    timestamped_hmac_provider,
};

const PROVIDER: &str = "calendly";
const SIGNATURE: &str = "calendly-webhook-signature";

/// Default tolerance: 180 seconds either way.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(180);

provider_event! {
    /// A verified Calendly event. `id` is `None`, `event_type` the signed `event`, `timestamp` the signed `t`.
    CalendlyEvent
}

/// The Calendly scheme. Built through [`CalendlyLayer`].
#[derive(Clone, Debug)]
pub struct CalendlyScheme {
    hmac: TimestampedHmac,
}

impl VerifyWebhook for CalendlyScheme {
    type Event = CalendlyEvent;

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
    ) -> Result<Verdict<CalendlyEvent>, Rejection> {
        let matched = self.hmac.verify(&parts.headers, body, cx.unix_now())?;
        let (_, id, kind) = json_id_and_type(body, "id", "event")?;
        let dedup = content_key(&[body]);
        let mut meta = Meta::new(matched.matched_key, matched.timestamp);
        meta.id = id;
        meta.event_type = kind;
        let event = CalendlyEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(dedup),
        )))
    }
}

provider_layer_type! {
    /// Verifies Calendly webhooks before the inner service. See the [module docs](self).
    CalendlyLayer, Calendly, CalendlyScheme
}

/// The scheme's header format, shared by the layer and the signer.
fn timestamped_hmac() -> Result<TimestampedHmac, ConfigError> {
    TimestampedHmac::new(SIGNATURE, "v1", DEFAULT_TOLERANCE)
}

timestamped_hmac_provider! {
    layer: CalendlyLayer,
    scheme: CalendlyScheme,
    signer: CalendlySigner,
    provider: "Calendly",
    header: "Calendly-Webhook-Signature",
    secret: "the webhook signing key",
    default_tolerance: "180 s",
    content_type: "application/json",
}
