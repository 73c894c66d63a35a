//! [SendGrid Event Webhook](https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features):
//! `X-Twilio-Email-Event-Webhook-Signature: <base64 DER ECDSA P-256/SHA-256 signature of
//! timestamp ‖ body>` with `X-Twilio-Email-Event-Webhook-Timestamp: <ts>`, under the
//! verification key SendGrid shows (base64 DER `SubjectPublicKeyInfo`).
//!
//! | check | reason on failure |
//! | --- | --- |
//! | both headers present once (signature ≤ 2 KiB) | `missing_header`, `malformed_header` |
//! | the timestamp a canonical decimal within the tolerance either way (default 300 s; SendGrid documents none) | `malformed_header`, `timestamp_out_of_tolerance` |
//! | the signature is padded base64 | `malformed_header` |
//! | the signature verifies under one configured key (*ring*) | `signature_mismatch` |
//! | the verified body is a strict JSON array of events (or one event object, as in SendGrid's own test vector) | `malformed_body` |
//!
//! A delivery batches up to a thousand events and carries no delivery id: deliveries are
//! de-duplicated on the SHA-256 of the signed body; each event's own `sg_event_id` is yours to
//! de-duplicate on inside your handler.
//!
//! ```
//! use http::{Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{FixedClock, VerifiedBody};
//! use webhook_providers::sendgrid::{SendgridEvent, SendgridLayer, SendgridSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let signer = SendgridSigner::generate();
//! let service = ServiceBuilder::new()
//!     .layer(SendgridLayer::new(&signer.public_key())?.clock(FixedClock::at_unix(1_700_000_000)))
//!     .service_fn(|req: http::Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<SendgridEvent>().expect("the layer inserts it");
//!         assert_eq!(event.events().len(), 1);
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let body = r#"[{"email":"a@example.com","event":"delivered","sg_event_id":"e-1","timestamp":1700000000}]"#;
//! let request = signer.request("/hooks/sendgrid", 1_700_000_000, body)?;
//! assert_eq!(service.oneshot(request.map(http_body_util::Full::new)).await?.status(), StatusCode::OK);
//! # Ok(()) }
//! ```

use std::time::Duration;

use bytes::Bytes;
use http::request::Parts;
use serde_json::Value;
use webhook_core::patterns::{EcdsaP256Keys, Encoding, MAX_HEADER_LEN};
use webhook_core::{
    ConfigError, Reason, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer,
};

use crate::common::{Meta, content_key, provider_event, provider_layer_type};
use crate::signed_timestamp::SignedTimestamp;

const PROVIDER: &str = "sendgrid";
const SIGNATURE: &str = "x-twilio-email-event-webhook-signature";
/// The signature is an ASN.1 DER ECDSA signature, whose length varies.
const SCHEME: SignedTimestamp = SignedTimestamp {
    signature: SIGNATURE,
    timestamp: "x-twilio-email-event-webhook-timestamp",
    max_signature_len: MAX_HEADER_LEN,
    encoding: Encoding::Base64,
    signature_len: None,
    separator: "",
};

/// Default tolerance: 300 seconds either way.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

provider_event! {
    /// A verified SendGrid delivery (a batch of events). `id` and `event_type` are `None`;
    /// `timestamp` is the signed timestamp. The events: [`events`](Self::events).
    SendgridEvent
}

impl SendgridEvent {
    /// The batch's events (one for a single event object).
    #[must_use]
    pub fn events(&self) -> Vec<Value> {
        match self.json::<Value>() {
            Ok(Value::Array(events)) => events,
            Ok(event @ Value::Object(_)) => vec![event],
            _ => Vec::new(),
        }
    }
}

/// The SendGrid scheme. Built through [`SendgridLayer`].
#[derive(Clone, Debug)]
pub struct SendgridScheme {
    keys: EcdsaP256Keys,
    tolerance: Duration,
}

impl VerifyWebhook for SendgridScheme {
    type Event = SendgridEvent;

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
    ) -> Result<Verdict<SendgridEvent>, Rejection> {
        let (matched, timestamp) = SCHEME.check(
            &parts.headers,
            body,
            cx.unix_now(),
            self.tolerance,
            |message, signature| self.keys.verify(message, signature),
        )?;
        match webhook_core::json::parse_strict(body) {
            Ok(Value::Array(_) | Value::Object(_)) => {}
            _ => {
                return Err(Rejection::new(Reason::MalformedBody)
                    .with_detail("body is not a JSON array of events (or one event)"));
            }
        }
        let meta = Meta::new(matched, Some(timestamp));
        let event = SendgridEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(content_key(&[body])),
        )))
    }
}

provider_layer_type! {
    /// Verifies SendGrid Event Webhook deliveries before the inner service. See the
    /// [module docs](self).
    SendgridLayer, Sendgrid, SendgridScheme
}

impl SendgridLayer {
    /// A layer verifying with the signed Event Webhook's verification key (base64 DER, as
    /// SendGrid shows it).
    ///
    /// # Errors
    /// Not base64 or not a P-256 public key.
    pub fn new(verification_key: &str) -> Result<Self, ConfigError> {
        let scheme = SendgridScheme {
            keys: EcdsaP256Keys::default(),
            tolerance: DEFAULT_TOLERANCE,
        };
        Self(WebhookLayer::new(scheme)).public_key(verification_key)
    }

    /// Adds a verification key (rotation, or several webhooks on one route).
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn public_key(mut self, verification_key: &str) -> Result<Self, ConfigError> {
        self.0
            .scheme_mut()
            .keys
            .push_spki_base64(verification_key)?;
        Ok(self)
    }

    /// Largest distance between the timestamp and the clock, either way. Defaults to 300 s.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.0.scheme_mut().tolerance = tolerance;
        self
    }
}

/// Signs deliveries like SendGrid, with a fresh P-256 key (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct SendgridSigner {
    pair: ring::signature::EcdsaKeyPair,
    rng: ring::rand::SystemRandom,
}

#[cfg(feature = "test-util")]
impl SendgridSigner {
    /// A signer with a freshly generated key.
    ///
    /// # Panics
    /// If the system random generator fails.
    #[must_use]
    #[allow(clippy::expect_used)] // test utility; the OS RNG does not fail in practice
    pub fn generate() -> Self {
        use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
            .expect("key generation");
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
            .expect("a generated key parses");
        Self { pair, rng }
    }

    /// The verification key, base64 DER (what [`SendgridLayer::new`] takes).
    #[must_use]
    pub fn public_key(&self) -> String {
        use ring::signature::KeyPair;
        EcdsaP256Keys::spki_base64(self.pair.public_key().as_ref())
    }

    /// The signature header value for `body` at `timestamp`.
    #[must_use]
    pub fn header(&self, timestamp: u64, body: &[u8]) -> String {
        self.sign(&SCHEME.message(&timestamp.to_string(), body))
    }

    fn sign(&self, message: &[u8]) -> String {
        self.pair
            .sign(&self.rng, message)
            .map(|signature| Encoding::Base64.encode(signature.as_ref()))
            .unwrap_or_default()
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
        SCHEME.request(uri, timestamp, body.into(), |message| self.sign(message))
    }
}
