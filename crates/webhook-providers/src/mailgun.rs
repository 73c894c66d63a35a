//! [Mailgun](https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks):
//! the signature travels in the JSON body, `{"signature": {"timestamp", "token", "signature"},
//! "event-data": {…}}`, with `signature` = hex HMAC-SHA256(webhook signing key, timestamp ‖
//! token).
//!
//! | check | reason on failure |
//! | --- | --- |
//! | the body is a strict JSON object whose `signature` object has a canonical-decimal `timestamp`, a `token` (1–256 bytes) and a 64-hex `signature` | `malformed_body` |
//! | `timestamp` within the tolerance either way (default 300 s) | `timestamp_out_of_tolerance` |
//! | the MAC under one configured signing key (constant time) | `signature_mismatch` |
//! | the `token` not seen before | duplicate: `200` without calling the inner service |
//!
//! **Mailgun's signature covers only the timestamp and token, not `event-data`.** Whoever
//! captures one delivery can attach other event data to its token within the window. The layer
//! de-duplicates on the token (Mailgun's advice), so each token is delivered at most once, but
//! an attacker who is faster than Mailgun could still win the race: serve the endpoint over
//! HTTPS only, and treat event data as claims to confirm through Mailgun's API where it
//! matters. Legacy form-encoded webhooks are not supported.
//!
//! ```
//! use http::{Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{FixedClock, VerifiedBody};
//! use webhook_providers::mailgun::{MailgunEvent, MailgunLayer, MailgunSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let service = ServiceBuilder::new()
//!     .layer(MailgunLayer::new("mg-signing-key")?.clock(FixedClock::at_unix(1_700_000_000)))
//!     .service_fn(|req: http::Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<MailgunEvent>().expect("the layer inserts it");
//!         assert_eq!(event.event_type.as_deref(), Some("delivered"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let request = MailgunSigner::new("mg-signing-key")
//!     .request("/hooks/mailgun", 1_700_000_000, "tok-0123456789", r#"{"event":"delivered","id":"e-1"}"#)?;
//! assert_eq!(service.oneshot(request.map(http_body_util::Full::new)).await?.status(), StatusCode::OK);
//! # Ok(()) }
//! ```

use std::time::Duration;

use bytes::Bytes;
use http::request::Parts;
use serde_json::Value;
use webhook_core::patterns::{Digest, Encoding, HmacKeys, check_secret};
use webhook_core::{
    ConfigError, Reason, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer,
    parse_canonical_decimal, within_window,
};

use crate::common::{
    MAX_ID_LEN, Meta, json_object, provider_event, provider_layer_type, short_text,
};

const PROVIDER: &str = "mailgun";

/// Default tolerance: 300 seconds either way.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

provider_event! {
    /// A verified Mailgun event. `id` is `event-data.id`, `event_type` `event-data.event`
    /// (both **unsigned**, see the module docs); `timestamp` the signed timestamp.
    MailgunEvent
}

impl MailgunEvent {
    /// The signed token (the de-duplication key).
    #[must_use]
    pub fn token(&self) -> Option<String> {
        let value: Value = self.json().ok()?;
        value
            .get("signature")?
            .get("token")?
            .as_str()
            .map(str::to_owned)
    }
}

/// The Mailgun scheme. Built through [`MailgunLayer`].
#[derive(Clone, Debug)]
pub struct MailgunScheme {
    keys: HmacKeys,
    tolerance: Duration,
}

fn bad(detail: &'static str) -> Rejection {
    Rejection::new(Reason::MalformedBody).with_detail(detail)
}

impl VerifyWebhook for MailgunScheme {
    type Event = MailgunEvent;

    fn provider(&self) -> &'static str {
        PROVIDER
    }

    async fn verify(
        &self,
        _parts: &Parts,
        body: &Bytes,
        cx: &VerifyContext,
    ) -> Result<Verdict<MailgunEvent>, Rejection> {
        let object = json_object(body)?;
        let Some(Value::Object(signature)) = object.get("signature") else {
            return Err(bad("no `signature` object"));
        };
        let text = |key: &str| signature.get(key).and_then(Value::as_str);
        let timestamp_text = text("timestamp").ok_or_else(|| bad("no signature.timestamp"))?;
        let token = text("token")
            .filter(|t| !t.is_empty() && t.len() <= MAX_ID_LEN)
            .ok_or_else(|| bad("no usable signature.token"))?;
        let mac = text("signature")
            .and_then(|s| Encoding::Hex.decode(s))
            .filter(|m| m.len() == 32)
            .ok_or_else(|| bad("signature.signature is not 64 hex digits"))?;
        let timestamp = parse_canonical_decimal(timestamp_text)
            .and_then(|t| i64::try_from(t).ok())
            .ok_or_else(|| bad("signature.timestamp is not a canonical decimal"))?;
        let tolerance = self.tolerance.as_secs();
        if !within_window(cx.unix_now(), timestamp, tolerance, tolerance) {
            return Err(Rejection::new(Reason::TimestampOutOfTolerance)
                .with_detail(format!("timestamp {timestamp} vs now {}", cx.unix_now())));
        }
        let matched = self
            .keys
            .verify(
                &[timestamp_text.as_bytes(), token.as_bytes()],
                [mac.as_slice()],
            )
            .ok_or_else(|| Rejection::new(Reason::SignatureMismatch))?;
        let mut meta = Meta::new(matched, Some(timestamp));
        if let Some(Value::Object(data)) = object.get("event-data") {
            meta.id = short_text(data, "id")?;
            meta.event_type = short_text(data, "event")?;
        }
        let event = MailgunEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(token.to_owned()),
        )))
    }
}

provider_layer_type! {
    /// Verifies Mailgun webhooks before the inner service. See the [module docs](self).
    MailgunLayer, Mailgun, MailgunScheme
}

impl MailgunLayer {
    /// A layer verifying with the HTTP webhook signing key.
    ///
    /// # Errors
    /// The key is empty or has surrounding whitespace.
    pub fn new(signing_key: &str) -> Result<Self, ConfigError> {
        let scheme = MailgunScheme {
            keys: HmacKeys::new(Digest::Sha256),
            tolerance: DEFAULT_TOLERANCE,
        };
        Self(WebhookLayer::new(scheme)).secret(signing_key)
    }

    /// Adds a signing key (rotation).
    ///
    /// # Errors
    /// The key is empty or has surrounding whitespace.
    pub fn secret(mut self, signing_key: &str) -> Result<Self, ConfigError> {
        check_secret("Mailgun signing key", signing_key.as_bytes())?;
        self.0.scheme_mut().keys.push(signing_key);
        Ok(self)
    }

    /// Largest distance between the signed timestamp and the clock. Defaults to 300 s.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.0.scheme_mut().tolerance = tolerance;
        self
    }
}

/// Signs events like Mailgun (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct MailgunSigner {
    keys: HmacKeys,
}

#[cfg(feature = "test-util")]
impl MailgunSigner {
    /// A signer for this signing key.
    #[must_use]
    pub fn new(signing_key: &str) -> Self {
        let mut keys = HmacKeys::new(Digest::Sha256);
        keys.push(signing_key);
        Self { keys }
    }

    /// The hex signature of `timestamp` and `token`.
    #[must_use]
    pub fn signature(&self, timestamp: u64, token: &str) -> String {
        let t = timestamp.to_string();
        Encoding::Hex.encode(
            &self
                .keys
                .sign(0, &[t.as_bytes(), token.as_bytes()])
                .unwrap_or_default(),
        )
    }

    /// A signed JSON `POST` to `uri` carrying `event_data` (a JSON object's text).
    ///
    /// # Errors
    /// `uri` is not a valid URI.
    pub fn request(
        &self,
        uri: &str,
        timestamp: u64,
        token: &str,
        event_data: &str,
    ) -> Result<http::Request<Bytes>, http::Error> {
        let signature = serde_json::json!({
            "timestamp": timestamp.to_string(),
            "token": token,
            "signature": self.signature(timestamp, token),
        });
        let body = format!(r#"{{"signature":{signature},"event-data":{event_data}}}"#);
        http::Request::post(uri)
            .header("content-type", "application/json")
            .body(Bytes::from(body))
    }
}
