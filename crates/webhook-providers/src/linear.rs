//! [Linear](https://linear.app/developers/webhooks): `Linear-Signature: <hex HMAC-SHA256(secret,
//! body)>`, with the signed body's `webhookTimestamp` (Unix milliseconds).
//!
//! | check | reason on failure |
//! | --- | --- |
//! | `Linear-Signature` present once, ≤ 2 KiB, hex | `missing_header`, `malformed_header` |
//! | the MAC under one configured secret (constant time) | `signature_mismatch` |
//! | the verified body is a JSON object with a numeric `webhookTimestamp` | `malformed_body` |
//! | `webhookTimestamp` within the tolerance either way (default 60 s, as Linear advises) | `timestamp_out_of_tolerance` |
//!
//! The timestamp sits inside the signed body, so it is judged after the MAC. `Linear-Delivery`
//! is unsigned and reported as [`LinearEvent::id`]; de-duplication is on the SHA-256 of the
//! signed body (which carries the timestamp). [`LinearEvent::event_type`] is the body's `type`
//! and `action` (`Issue.create`).
//!
//! ```
//! use http::{Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{FixedClock, VerifiedBody};
//! use webhook_providers::linear::{LinearEvent, LinearLayer, LinearSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let service = ServiceBuilder::new()
//!     .layer(LinearLayer::new("lin_wh_secret")?.clock(FixedClock::at_unix(1_700_000_010)))
//!     .service_fn(|req: http::Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<LinearEvent>().expect("the layer inserts it");
//!         assert_eq!(event.event_type.as_deref(), Some("Issue.create"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let body = r#"{"action":"create","type":"Issue","data":{"id":"1"},"webhookTimestamp":1700000000000}"#;
//! let request = LinearSigner::new("lin_wh_secret").request("/hooks/linear", "d-1", body)?;
//! assert_eq!(service.oneshot(request.map(http_body_util::Full::new)).await?.status(), StatusCode::OK);
//! # Ok(()) }
//! ```

use std::time::Duration;

use bytes::Bytes;
use http::request::Parts;
use serde_json::Value;
use webhook_core::patterns::{Digest, HeaderHmac};
use webhook_core::{
    ConfigError, Reason, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer,
    within_window,
};

use crate::common::{
    Meta, content_key, hmac_signer, info_header, json_id_and_type, provider_event,
    provider_layer_type, short_text,
};

const PROVIDER: &str = "linear";
const SIGNATURE: &str = "linear-signature";

/// Default tolerance: 60 seconds either way.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(60);

provider_event! {
    /// A verified Linear delivery. `id` is the unsigned `Linear-Delivery`; `event_type` the
    /// signed `type.action`; `timestamp` the signed `webhookTimestamp` in seconds.
    LinearEvent
}

/// The Linear scheme. Built through [`LinearLayer`].
#[derive(Clone, Debug)]
pub struct LinearScheme {
    hmac: HeaderHmac,
    tolerance: Duration,
}

impl VerifyWebhook for LinearScheme {
    type Event = LinearEvent;

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
    ) -> Result<Verdict<LinearEvent>, Rejection> {
        let matched = self.hmac.verify(&parts.headers, body, cx.unix_now())?;
        let (object, _, kind) = json_id_and_type(body, "id", "type")?;
        let millis = object
            .get("webhookTimestamp")
            .and_then(Value::as_i64)
            .ok_or_else(|| {
                Rejection::new(Reason::MalformedBody).with_detail("no numeric webhookTimestamp")
            })?;
        let timestamp = millis.div_euclid(1000);
        let tolerance = self.tolerance.as_secs();
        if !within_window(cx.unix_now(), timestamp, tolerance, tolerance) {
            return Err(
                Rejection::new(Reason::TimestampOutOfTolerance).with_detail(format!(
                    "webhookTimestamp {millis} ms vs now {}",
                    cx.unix_now()
                )),
            );
        }
        let mut meta = Meta::new(matched.matched_key, Some(timestamp));
        meta.id = info_header(&parts.headers, "linear-delivery")?;
        meta.event_type = match (kind, short_text(&object, "action")?) {
            (Some(kind), Some(action)) => Some(format!("{kind}.{action}")),
            (kind, _) => kind,
        };
        let event = LinearEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(content_key(&[body])),
        )))
    }
}

provider_layer_type! {
    /// Verifies Linear webhooks before the inner service. See the [module docs](self).
    LinearLayer, Linear, LinearScheme
}

impl LinearLayer {
    /// A layer verifying with the webhook's signing secret.
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn new(secret: &str) -> Result<Self, ConfigError> {
        let hmac = HeaderHmac::new(SIGNATURE, Digest::Sha256)?;
        let scheme = LinearScheme {
            hmac,
            tolerance: DEFAULT_TOLERANCE,
        };
        Self(WebhookLayer::new(scheme)).secret(secret)
    }

    /// Adds a secret (rotation).
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn secret(mut self, secret: &str) -> Result<Self, ConfigError> {
        self.0.scheme_mut().hmac.add_secret(secret.as_bytes())?;
        Ok(self)
    }

    /// Largest distance between `webhookTimestamp` and the clock, either way. Defaults to 60 s.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.0.scheme_mut().tolerance = tolerance;
        self
    }
}

hmac_signer! {
    /// Signs deliveries like Linear (test utility).
    LinearSigner, Digest::Sha256
}

#[cfg(feature = "test-util")]
impl LinearSigner {
    /// The `Linear-Signature` value for `body`.
    #[must_use]
    pub fn header(&self, body: &[u8]) -> String {
        webhook_core::patterns::hex_encode(&self.mac(&[body]))
    }

    /// A signed JSON `POST` to `uri` with `Linear-Delivery`.
    ///
    /// # Errors
    /// `uri` is not a valid URI.
    pub fn request(
        &self,
        uri: &str,
        delivery: &str,
        body: impl Into<Bytes>,
    ) -> Result<http::Request<Bytes>, http::Error> {
        let body = body.into();
        http::Request::post(uri)
            .header("content-type", "application/json; charset=utf-8")
            .header("linear-delivery", delivery)
            .header(SIGNATURE, self.header(&body))
            .body(body)
    }
}
