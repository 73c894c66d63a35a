//! [Discord interactions](https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers):
//! `X-Signature-Ed25519: <hex Ed25519 signature of timestamp ‖ body>` with
//! `X-Signature-Timestamp: <ts>`, under your application's public key.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | both headers present once, ≤ 256 bytes | `missing_header`, `malformed_header` |
//! | the timestamp a canonical decimal within the tolerance either way (default 300 s; Discord documents none) | `malformed_header`, `timestamp_out_of_tolerance` |
//! | the signature is 128 hex characters (either case) | `malformed_header` |
//! | the signature verifies under one configured public key (*ring*, non-canonical `S` refused) | `signature_mismatch` |
//! | the verified body is a strict JSON object with a numeric `type` and, unless a PING, a string `id` | `malformed_body` |
//!
//! Discord probes endpoints with invalid signatures and removes those that do not answer
//! `401`: every bad signature here is `401 signature_mismatch`. After verification only, a PING
//! (`type` 1) is answered by the layer with `{"type":1}`; the inner service never sees it.
//! Interactions are de-duplicated on their signed `id`. Public keys that are small-order points
//! (anyone could sign) are refused at construction.
//!
//! ```
//! use http::{Request, Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{FixedClock, VerifiedBody};
//! use webhook_providers::discord::{DiscordEvent, DiscordLayer, DiscordSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let signer = DiscordSigner::from_seed([7; 32]);
//! let service = ServiceBuilder::new()
//!     .layer(DiscordLayer::new(&signer.public_key_hex())?.clock(FixedClock::at_unix(1_700_000_000)))
//!     .service_fn(|req: Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<DiscordEvent>().expect("the layer inserts it");
//!         assert_eq!(event.event_type.as_deref(), Some("application_command"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let ping = signer.request("/interactions", 1_700_000_000, r#"{"id":"1","type":1}"#)?;
//! let response = service.clone().oneshot(ping.map(http_body_util::Full::new)).await?;
//! assert_eq!(response.status(), StatusCode::OK); // {"type":1}, from the layer
//!
//! let command = signer.request("/interactions", 1_700_000_000, r#"{"id":"2","type":2}"#)?;
//! let response = service.oneshot(command.map(http_body_util::Full::new)).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//! # Ok(()) }
//! ```

use std::time::Duration;

use bytes::Bytes;
use http::request::Parts;
use serde_json::Value;
use webhook_core::patterns::{Ed25519Keys, Encoding, handshake};
use webhook_core::{
    ConfigError, Reason, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer,
};

use crate::common::{Meta, json_object, provider_event, provider_layer_type, short_text};
use crate::signed_timestamp::SignedTimestamp;

const PROVIDER: &str = "discord";
const SIGNATURE: &str = "x-signature-ed25519";
const SCHEME: SignedTimestamp = SignedTimestamp {
    signature: SIGNATURE,
    timestamp: "x-signature-timestamp",
    max_signature_len: 256,
    encoding: Encoding::Hex,
    signature_len: Some(64),
    separator: "",
};

/// Default tolerance: 300 seconds either way.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

provider_event! {
    /// A verified Discord interaction. `id` is the signed interaction `id`; `event_type` the
    /// interaction type's name (`application_command`, `message_component`,
    /// `application_command_autocomplete`, `modal_submit`, or the number for unknown types);
    /// `timestamp` the signed `X-Signature-Timestamp`.
    DiscordEvent
}

/// The Discord scheme. Built through [`DiscordLayer`].
#[derive(Clone, Debug)]
pub struct DiscordScheme {
    keys: Ed25519Keys,
    tolerance: Duration,
}

fn type_name(kind: u64) -> String {
    match kind {
        1 => "ping".to_owned(),
        2 => "application_command".to_owned(),
        3 => "message_component".to_owned(),
        4 => "application_command_autocomplete".to_owned(),
        5 => "modal_submit".to_owned(),
        other => other.to_string(),
    }
}

impl VerifyWebhook for DiscordScheme {
    type Event = DiscordEvent;

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
    ) -> Result<Verdict<DiscordEvent>, Rejection> {
        let (matched, timestamp) = SCHEME.check(
            &parts.headers,
            body,
            cx.unix_now(),
            self.tolerance,
            |message, signature| self.keys.verify(message, signature),
        )?;
        let object = json_object(body)?;
        let kind = object.get("type").and_then(Value::as_u64).ok_or_else(|| {
            Rejection::new(Reason::MalformedBody).with_detail("interaction has no numeric `type`")
        })?;
        if kind == 1 {
            return Ok(Verdict::Respond(handshake::json(
                &serde_json::json!({"type": 1}),
            )));
        }
        let id = short_text(&object, "id")?
            .filter(|id| !id.is_empty())
            .ok_or_else(|| {
                Rejection::new(Reason::MalformedBody).with_detail("interaction has no `id`")
            })?;
        let mut meta = Meta::new(matched, Some(timestamp));
        meta.id = Some(id.clone());
        meta.event_type = Some(type_name(kind));
        let event = DiscordEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(PROVIDER, event, Some(id))))
    }
}

provider_layer_type! {
    /// Verifies Discord interactions before the inner service. See the [module docs](self).
    DiscordLayer, Discord, DiscordScheme
}

impl DiscordLayer {
    /// A layer verifying with the application's public key (64 hex characters, as the
    /// developer portal shows it).
    ///
    /// # Errors
    /// Not 32 bytes of hex, a small-order point, or not canonically encoded.
    pub fn new(public_key_hex: &str) -> Result<Self, ConfigError> {
        let scheme = DiscordScheme {
            keys: Ed25519Keys::default(),
            tolerance: DEFAULT_TOLERANCE,
        };
        Self(WebhookLayer::new(scheme)).public_key(public_key_hex)
    }

    /// Adds a public key (rotation, or several applications on one route).
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn public_key(mut self, public_key_hex: &str) -> Result<Self, ConfigError> {
        self.0
            .scheme_mut()
            .keys
            .push_encoded(public_key_hex, Encoding::Hex)?;
        Ok(self)
    }

    /// Largest distance between the timestamp and the clock, either way. Defaults to 300 s.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.0.scheme_mut().tolerance = tolerance;
        self
    }
}

/// Signs interactions like Discord, with a test key (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct DiscordSigner(crate::signed_timestamp::Ed25519TestKey);

#[cfg(feature = "test-util")]
impl DiscordSigner {
    /// A signer whose key derives from `seed` (every 32-byte seed is a valid key).
    #[must_use]
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self(crate::signed_timestamp::Ed25519TestKey::from_seed(seed))
    }

    /// The public key, in hex (what [`DiscordLayer::new`] takes).
    #[must_use]
    pub fn public_key_hex(&self) -> String {
        self.0.public_key(Encoding::Hex)
    }

    /// The `X-Signature-Ed25519` value for `body` at `timestamp`.
    #[must_use]
    pub fn header(&self, timestamp: u64, body: &[u8]) -> String {
        self.0
            .sign(&SCHEME.message(&timestamp.to_string(), body), Encoding::Hex)
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
            self.0.sign(message, Encoding::Hex)
        })
    }
}
