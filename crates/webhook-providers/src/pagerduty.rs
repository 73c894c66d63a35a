//! [PagerDuty](https://developer.pagerduty.com/docs/webhooks-overview#verifying-signatures) (v3
//! webhooks): `X-PagerDuty-Signature: v1=<hex HMAC-SHA256(secret, body)>[,v1=<hex>…]`.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | the header present once, ≤ 2 KiB, comma-separated entries (at most 16) | `missing_header`, `malformed_header` |
//! | each `v1=` entry is hex (other versions are ignored) | `malformed_header` |
//! | one `v1` equals the MAC under one configured secret (constant time; several during a secret rotation) | `signature_mismatch` |
//! | the verified body is a strict JSON object whose `event` has a string `id` | `malformed_body` |
//!
//! PagerDuty signs no timestamp; deliveries are de-duplicated on the signed `event.id`, so a
//! retry is acknowledged without calling your handler. [`PagerdutyEvent::event_type`] is
//! `event.event_type` (`incident.triggered`).
//!
//! ```
//! use http::{Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::VerifiedBody;
//! use webhook_providers::pagerduty::{PagerdutyEvent, PagerdutyLayer, PagerdutySigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let service = ServiceBuilder::new()
//!     .layer(PagerdutyLayer::new("pd-webhook-secret")?)
//!     .service_fn(|req: http::Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<PagerdutyEvent>().expect("the layer inserts it");
//!         assert_eq!(event.event_type.as_deref(), Some("incident.triggered"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let body = r#"{"event":{"id":"01DEN1HNLBC1VITYGN5O52G4K0","event_type":"incident.triggered","data":{}}}"#;
//! let request = PagerdutySigner::new("pd-webhook-secret").request("/hooks/pagerduty", body)?;
//! assert_eq!(service.oneshot(request.map(http_body_util::Full::new)).await?.status(), StatusCode::OK);
//! # Ok(()) }
//! ```

use bytes::Bytes;
use http::request::Parts;
use serde_json::Value;
use webhook_core::patterns::{
    Digest, Encoding, HmacKeys, MAX_HEADER_LEN, MAX_SIGNATURES, bounded_header, check_secret,
    malformed,
};
use webhook_core::{
    ConfigError, Reason, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer,
};

use crate::common::{Meta, json_object, provider_event, provider_layer_type, required, short_text};

const PROVIDER: &str = "pagerduty";
const SIGNATURE: &str = "x-pagerduty-signature";

provider_event! {
    /// A verified PagerDuty v3 event. `id` is the signed `event.id`, `event_type` the signed
    /// `event.event_type`, `timestamp` the signed `event.occurred_at`.
    PagerdutyEvent
}

/// The PagerDuty scheme. Built through [`PagerdutyLayer`].
#[derive(Clone, Debug)]
pub struct PagerdutyScheme {
    keys: HmacKeys,
}

impl VerifyWebhook for PagerdutyScheme {
    type Event = PagerdutyEvent;

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
        _cx: &VerifyContext,
    ) -> Result<Verdict<PagerdutyEvent>, Rejection> {
        let value = bounded_header(&parts.headers, SIGNATURE, MAX_HEADER_LEN)?;
        let entries: Vec<&str> = value.split(',').collect();
        if entries.len() > MAX_SIGNATURES {
            return Err(malformed("too many signatures"));
        }
        let mut macs = Vec::new();
        for entry in entries {
            if let Some(hex) = entry.strip_prefix("v1=") {
                macs.push(
                    Encoding::Hex
                        .decode(hex)
                        .ok_or_else(|| malformed("v1 is not hex"))?,
                );
            }
        }
        let matched = self
            .keys
            .verify(&[body.as_ref()], macs.iter().map(Vec::as_slice))
            .ok_or_else(|| Rejection::new(Reason::SignatureMismatch))?;
        let object = json_object(body)?;
        let Some(Value::Object(event)) = object.get("event") else {
            return Err(Rejection::new(Reason::MalformedBody).with_detail("no `event` object"));
        };
        let id = required(short_text(event, "id")?, "event.id")?;
        let mut meta = Meta::new(matched, None);
        meta.id = Some(id.clone());
        meta.event_type = short_text(event, "event_type")?;
        meta.timestamp = event
            .get("occurred_at")
            .and_then(Value::as_str)
            .and_then(webhook_core::parse_rfc3339_utc);
        let delivered = PagerdutyEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            delivered,
            Some(id),
        )))
    }
}

provider_layer_type! {
    /// Verifies PagerDuty v3 webhooks before the inner service. See the [module docs](self).
    PagerdutyLayer, Pagerduty, PagerdutyScheme
}

impl PagerdutyLayer {
    /// A layer verifying with the subscription's signing secret.
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn new(secret: &str) -> Result<Self, ConfigError> {
        let scheme = PagerdutyScheme {
            keys: HmacKeys::new(Digest::Sha256),
        };
        Self(WebhookLayer::new(scheme)).secret(secret)
    }

    /// Adds a secret (rotation).
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn secret(mut self, secret: &str) -> Result<Self, ConfigError> {
        check_secret("PagerDuty signing secret", secret.as_bytes())?;
        self.0.scheme_mut().keys.push(secret);
        Ok(self)
    }
}

/// Signs events like PagerDuty (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct PagerdutySigner {
    keys: HmacKeys,
}

#[cfg(feature = "test-util")]
impl PagerdutySigner {
    /// A signer for this secret.
    #[must_use]
    pub fn new(secret: &str) -> Self {
        let mut keys = HmacKeys::new(Digest::Sha256);
        keys.push(secret);
        Self { keys }
    }

    /// The `X-PagerDuty-Signature` value for `body`.
    #[must_use]
    pub fn header(&self, body: &[u8]) -> String {
        format!(
            "v1={}",
            Encoding::Hex.encode(&self.keys.sign(0, &[body]).unwrap_or_default())
        )
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
