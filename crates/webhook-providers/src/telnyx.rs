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
use webhook_core::patterns::{Ed25519Keys, Encoding};
use webhook_core::{
    ConfigError, Reason, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer,
};

use crate::common::{Meta, json_object, provider_event, provider_layer_type, required, short_text};
use crate::signed_timestamp::SignedTimestamp;

const PROVIDER: &str = "telnyx";
const SIGNATURE: &str = "telnyx-signature-ed25519";
const SCHEME: SignedTimestamp = SignedTimestamp {
    signature: SIGNATURE,
    timestamp: "telnyx-timestamp",
    max_signature_len: 256,
    encoding: Encoding::Base64,
    signature_len: Some(64),
    separator: "|",
};

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
        let (matched, timestamp) = SCHEME.check(
            &parts.headers,
            body,
            cx.unix_now(),
            self.tolerance,
            |message, signature| self.keys.verify(message, signature),
        )?;
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
pub struct TelnyxSigner(crate::signed_timestamp::Ed25519TestKey);

#[cfg(feature = "test-util")]
impl TelnyxSigner {
    /// A signer whose key derives from `seed` (every 32-byte seed is a valid key).
    #[must_use]
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self(crate::signed_timestamp::Ed25519TestKey::from_seed(seed))
    }

    /// The public key, base64 (what [`TelnyxLayer::new`] takes).
    #[must_use]
    pub fn public_key_base64(&self) -> String {
        self.0.public_key(Encoding::Base64)
    }

    /// The `telnyx-signature-ed25519` value for `body` at `timestamp`.
    #[must_use]
    pub fn header(&self, timestamp: u64, body: &[u8]) -> String {
        self.0.sign(
            &SCHEME.message(&timestamp.to_string(), body),
            Encoding::Base64,
        )
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
        SCHEME.request(uri, timestamp, body.into(), |message| {
            self.0.sign(message, Encoding::Base64)
        })
    }
}
