//! [Stripe](https://docs.stripe.com/webhooks#verify-manually):
//! `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "{t}.{body}")>[,v1=…]`.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | the header present once, ≤ 2 KiB, `key=value` pairs without spaces, one `t` (canonical decimal), ≤ 16 `v1`, each hex | `missing_header`, `malformed_header` |
//! | `t` within the tolerance either way (default 300 s, Stripe's SDK default; bounds included) | `timestamp_out_of_tolerance` |
//! | one `v1` equals the MAC under one configured secret (several `v1` during Stripe's secret roll; `v0` ignored) | `signature_mismatch` |
//! | the verified body is a JSON object with a string `id` ≤ 256 bytes | `malformed_body` |
//! | the event `id` not delivered before | duplicate: `200` without calling the inner service |
//!
//! The endpoint secret (`whsec_…`) is the HMAC key as it is, bytes included. Unlike Stripe's
//! SDK, the window is two-sided and `t` must appear once. De-duplication is on the signed event
//! `id`, so a retry with a new `t` is still a duplicate.
//!
//! ```
//! use http::{Request, Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{FixedClock, Reason, Rejection, VerifiedBody};
//! use webhook_providers::stripe::{StripeEvent, StripeLayer, StripeSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let secret = "whsec_test_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH";
//! let service = ServiceBuilder::new()
//!     .layer(StripeLayer::new(secret)?.clock(FixedClock::at_unix(1_700_000_010)))
//!     .service_fn(|req: Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<StripeEvent>().expect("the layer inserts it");
//!         assert_eq!(event.id.as_deref(), Some("evt_1"));
//!         assert_eq!(event.event_type.as_deref(), Some("invoice.paid"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//!
//! let body = r#"{"id":"evt_1","object":"event","type":"invoice.paid"}"#;
//! let request = StripeSigner::new(secret).request("/hooks/stripe", 1_700_000_000, body)?;
//! let response = service.clone().oneshot(request.map(http_body_util::Full::new)).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//!
//! let stale = StripeSigner::new(secret).request("/hooks/stripe", 1_699_999_000, body)?;
//! let response = service.oneshot(stale.map(http_body_util::Full::new)).await?;
//! let reason = response.extensions().get::<Rejection>().map(Rejection::reason);
//! assert_eq!(reason, Some(Reason::TimestampOutOfTolerance));
//! # Ok(()) }
//! ```

use std::time::Duration;

use bytes::Bytes;
use http::request::Parts;
use webhook_core::patterns::TimestampedHmac;
use webhook_core::{ConfigError, Reason, Rejection, Verdict, VerifyContext, VerifyWebhook};

use crate::common::{
    Meta, json_object, provider_event, provider_layer_type, short_text, timestamped_hmac_provider,
};

const PROVIDER: &str = "stripe";
const SIGNATURE: &str = "stripe-signature";

/// Default tolerance: 300 seconds either way.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

provider_event! {
    /// A verified Stripe event. `id` and `event_type` are the signed body's `id` and `type`;
    /// `timestamp` is the signed `t`.
    StripeEvent
}

/// The Stripe scheme. Built through [`StripeLayer`].
#[derive(Clone, Debug)]
pub struct StripeScheme {
    hmac: TimestampedHmac,
}

impl VerifyWebhook for StripeScheme {
    type Event = StripeEvent;

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
    ) -> Result<Verdict<StripeEvent>, Rejection> {
        let matched = self.hmac.verify(&parts.headers, body, cx.unix_now())?;
        let object = json_object(body)?;
        let id = short_text(&object, "id")?
            .filter(|id| !id.is_empty())
            .ok_or_else(|| {
                Rejection::new(Reason::MalformedBody).with_detail("event has no `id`")
            })?;
        let mut meta = Meta::new(matched.matched_key, matched.timestamp);
        meta.id = Some(id.clone());
        meta.event_type = short_text(&object, "type")?;
        let event = StripeEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(PROVIDER, event, Some(id))))
    }
}

provider_layer_type! {
    /// Verifies Stripe webhooks before the inner service. See the [module docs](self).
    StripeLayer, Stripe, StripeScheme
}

/// The scheme's header format, shared by the layer and the signer.
fn timestamped_hmac() -> Result<TimestampedHmac, ConfigError> {
    TimestampedHmac::new(SIGNATURE, "v1", DEFAULT_TOLERANCE)
}

timestamped_hmac_provider! {
    layer: StripeLayer,
    scheme: StripeScheme,
    signer: StripeSigner,
    provider: "Stripe",
    header: "Stripe-Signature",
    secret: "the endpoint's signing secret (`whsec_…`)",
    default_tolerance: "300 seconds",
    content_type: "application/json; charset=utf-8",
}
