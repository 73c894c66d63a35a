//! [Telnyx](https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks) (API v2):
//! `telnyx-signature-ed25519: <base64 Ed25519 signature of "{timestamp}|{body}">` with
//! `telnyx-timestamp: <ts>`, under your account's public key.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | both headers present once, ≤ 256 bytes | `missing_header`, `malformed_header` |
//! | the timestamp a canonical decimal within the tolerance either way (default 300 s) | `malformed_header`, `timestamp_out_of_tolerance` |
//! | the signature is padded base64 of 64 bytes | `malformed_header` |
//! | the signature verifies under one configured public key (*ring*) | `signature_mismatch` |
//! | the verified body is a strict JSON object whose `data` has a string `id` | `malformed_body` |
//!
//! Deliveries are de-duplicated on the signed `data.id`, so Telnyx's retries (and its failover
//! URL) reach your handler once. Small-order public keys are refused at construction.
//!
//! ```
//! use http::{Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{FixedClock, VerifiedBody};
//! use webhook_providers::telnyx::{TelnyxEvent, TelnyxLayer, TelnyxSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let signer = TelnyxSigner::from_seed([9; 32]);
//! let service = ServiceBuilder::new()
//!     .layer(TelnyxLayer::new(&signer.public_key_base64())?.clock(FixedClock::at_unix(1_700_000_000)))
//!     .service_fn(|req: http::Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<TelnyxEvent>().expect("the layer inserts it");
//!         assert_eq!(event.event_type.as_deref(), Some("message.received"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let body = r#"{"data":{"event_type":"message.received","id":"b301ed3f-1490-491f-995f-6e64e69674d4","payload":{}},"meta":{"attempt":1}}"#;
//! let request = signer.request("/hooks/telnyx", 1_700_000_000, body)?;
//! assert_eq!(service.oneshot(request.map(http_body_util::Full::new)).await?.status(), StatusCode::OK);
//! # Ok(()) }
//! ```

use std::time::Duration;

use bytes::Bytes;
use http::request::Parts;
use serde_json::Value;
use webhook_core::patterns::{Ed25519Keys, Encoding, bounded_header, malformed};
use webhook_core::{
    ConfigError, Reason, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer,
    parse_canonical_decimal, within_window,
};

use crate::common::{Meta, json_object, provider_event, provider_layer_type, required, short_text};

const PROVIDER: &str = "telnyx";
const SIGNATURE: &str = "telnyx-signature-ed25519";
const TIMESTAMP: &str = "telnyx-timestamp";

/// Default tolerance: 300 seconds either way.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

provider_event! {
    /// A verified Telnyx event. `id` is the signed `data.id`, `event_type` the signed
    /// `data.event_type`, `timestamp` the signed `telnyx-timestamp`.
    TelnyxEvent
}

/// The Telnyx scheme. Built through [`TelnyxLayer`].
#[derive(Clone, Debug)]
pub struct TelnyxScheme {
    keys: Ed25519Keys,
    tolerance: Duration,
}

impl VerifyWebhook for TelnyxScheme {
    type Event = TelnyxEvent;

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
    ) -> Result<Verdict<TelnyxEvent>, Rejection> {
        let signature = bounded_header(&parts.headers, SIGNATURE, 256)?;
        let timestamp_text = bounded_header(&parts.headers, TIMESTAMP, 32)?;
        let timestamp = parse_canonical_decimal(timestamp_text)
            .and_then(|t| i64::try_from(t).ok())
            .ok_or_else(|| malformed("telnyx-timestamp is not a canonical decimal"))?;
        let tolerance = self.tolerance.as_secs();
        if !within_window(cx.unix_now(), timestamp, tolerance, tolerance) {
            return Err(Rejection::new(Reason::TimestampOutOfTolerance)
                .with_detail(format!("timestamp {timestamp} vs now {}", cx.unix_now())));
        }
        let signature = Encoding::Base64
            .decode(signature)
            .filter(|s| s.len() == 64)
            .ok_or_else(|| malformed("telnyx-signature-ed25519 is not 64 bytes of base64"))?;
        let mut message = Vec::with_capacity(timestamp_text.len() + 1 + body.len());
        message.extend_from_slice(timestamp_text.as_bytes());
        message.push(b'|');
        message.extend_from_slice(body);
        let matched = self
            .keys
            .verify(&message, &signature)
            .ok_or_else(|| Rejection::new(Reason::SignatureMismatch))?;
        let object = json_object(body)?;
        let Some(Value::Object(data)) = object.get("data") else {
            return Err(Rejection::new(Reason::MalformedBody).with_detail("no `data` object"));
        };
        let id = required(short_text(data, "id")?, "data.id")?;
        let mut meta = Meta::new(matched, Some(timestamp));
        meta.id = Some(id.clone());
        meta.event_type = short_text(data, "event_type")?;
        let event = TelnyxEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(PROVIDER, event, Some(id))))
    }
}

provider_layer_type! {
    /// Verifies Telnyx webhooks before the inner service. See the [module docs](self).
    TelnyxLayer, Telnyx, TelnyxScheme
}

impl TelnyxLayer {
    /// A layer verifying with the account's public key (base64, as Mission Control shows it).
    ///
    /// # Errors
    /// Not 32 bytes of base64, a small-order point, or not canonically encoded.
    pub fn new(public_key_base64: &str) -> Result<Self, ConfigError> {
        let scheme = TelnyxScheme {
            keys: Ed25519Keys::default(),
            tolerance: DEFAULT_TOLERANCE,
        };
        Self(WebhookLayer::new(scheme)).public_key(public_key_base64)
    }

    /// Adds a public key (rotation).
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn public_key(mut self, public_key_base64: &str) -> Result<Self, ConfigError> {
        self.0
            .scheme_mut()
            .keys
            .push_encoded(public_key_base64, Encoding::Base64)?;
        Ok(self)
    }

    /// Largest distance between the timestamp and the clock, either way. Defaults to 300 s.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.0.scheme_mut().tolerance = tolerance;
        self
    }
}

/// Signs events like Telnyx, with a test key (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct TelnyxSigner {
    pair: ring::signature::Ed25519KeyPair,
}

#[cfg(feature = "test-util")]
impl TelnyxSigner {
    /// A signer whose key derives from `seed`.
    ///
    /// # Panics
    /// Never: every 32-byte seed is a valid Ed25519 private key.
    #[must_use]
    #[allow(clippy::expect_used)] // infallible for 32-byte seeds
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(&seed)
            .expect("any 32-byte seed is a key");
        Self { pair }
    }

    /// The public key, base64 (what [`TelnyxLayer::new`] takes).
    #[must_use]
    pub fn public_key_base64(&self) -> String {
        use ring::signature::KeyPair;
        Encoding::Base64.encode(self.pair.public_key().as_ref())
    }

    /// The `telnyx-signature-ed25519` value for `body` at `timestamp`.
    #[must_use]
    pub fn header(&self, timestamp: u64, body: &[u8]) -> String {
        let mut message = format!("{timestamp}|").into_bytes();
        message.extend_from_slice(body);
        Encoding::Base64.encode(self.pair.sign(&message).as_ref())
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
