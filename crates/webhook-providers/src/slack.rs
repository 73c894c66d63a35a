//! [Slack](https://api.slack.com/authentication/verifying-requests-from-slack):
//! `X-Slack-Signature: v0=<hex HMAC-SHA256(secret, "v0:{ts}:{body}")>` with
//! `X-Slack-Request-Timestamp: <ts>`.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | both headers present once (signature ≤ 2 KiB) | `missing_header`, `malformed_header` |
//! | the timestamp a canonical decimal within the tolerance either way (default 300 s, Slack's five minutes) | `malformed_header`, `timestamp_out_of_tolerance` |
//! | exactly the `v0=` prefix, then hex (either case) | `signature_mismatch`, `malformed_header` |
//! | the MAC under one configured signing secret (constant time) | `signature_mismatch` |
//! | a JSON body (Events API) is a strict JSON object | `malformed_body` |
//!
//! After verification only, a `url_verification` request is answered by the layer with its
//! `challenge` (plain text); the inner service is not called. Events API callbacks are
//! de-duplicated on their signed `event_id` (Slack retries with `X-Slack-Retry-Num`; a retry is
//! a duplicate). Slash commands and interactivity payloads (form bodies) carry no id: they are
//! **not** de-duplicated, only bounded by the timestamp window; their [`SlackEvent::event_type`]
//! is the `command` field when present.
//!
//! ```
//! use http::{Request, Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{FixedClock, VerifiedBody};
//! use webhook_providers::slack::{SlackEvent, SlackLayer, SlackSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let secret = "8f742231b10e8888abcd99yyyzzz85a5";
//! let service = ServiceBuilder::new()
//!     .layer(SlackLayer::new(secret)?.clock(FixedClock::at_unix(1_531_420_620)))
//!     .service_fn(|req: Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<SlackEvent>().expect("the layer inserts it");
//!         Ok::<_, std::convert::Infallible>(Response::new(event.event_type.clone().unwrap_or_default()))
//!     });
//!
//! // The handshake is answered by the layer, after the signature verified.
//! let body = r#"{"token":"t","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#;
//! let request = SlackSigner::new(secret).request("/hooks/slack", 1_531_420_618, body)?;
//! let response = service.clone().oneshot(request.map(http_body_util::Full::new)).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//!
//! let forged = SlackSigner::new("guess").request("/hooks/slack", 1_531_420_618, body)?;
//! let response = service.oneshot(forged.map(http_body_util::Full::new)).await?;
//! assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
//! # Ok(()) }
//! ```

use std::time::Duration;

use bytes::Bytes;
use http::request::Parts;
use serde_json::Value;
use webhook_core::patterns::{Digest, HeaderHmac, SignedContent, form_pairs, handshake};
use webhook_core::{
    ConfigError, Reason, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer,
};

use crate::common::{
    MAX_ID_LEN, Meta, json_object, provider_event, provider_layer_type, short_text,
};

const PROVIDER: &str = "slack";
const SIGNATURE: &str = "x-slack-signature";
const TIMESTAMP: &str = "x-slack-request-timestamp";

/// Default tolerance: 300 seconds either way.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

provider_event! {
    /// A verified Slack request. `id` is the signed `event_id` (Events API only);
    /// `event_type` the inner `event.type` of an `event_callback`, else the body's `type`, or
    /// the `command` of a slash command; `timestamp` the signed `X-Slack-Request-Timestamp`.
    SlackEvent
}

/// The Slack scheme. Built through [`SlackLayer`].
#[derive(Clone, Debug)]
pub struct SlackScheme {
    hmac: HeaderHmac,
}

impl VerifyWebhook for SlackScheme {
    type Event = SlackEvent;

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
    ) -> Result<Verdict<SlackEvent>, Rejection> {
        let matched = self.hmac.verify(&parts.headers, body, cx.unix_now())?;
        let mut meta = Meta::new(matched.matched_key, matched.timestamp);
        let mut dedup = None;
        if body.first() == Some(&b'{') {
            let object = json_object(body)?;
            let kind = short_text(&object, "type")?;
            if kind.as_deref() == Some("url_verification") {
                return match object.get("challenge") {
                    Some(Value::String(challenge)) if challenge.len() <= MAX_ID_LEN => {
                        Ok(Verdict::Respond(handshake::echo(challenge)))
                    }
                    _ => Err(Rejection::new(Reason::MalformedBody)
                        .with_detail("url_verification without a usable challenge")),
                };
            }
            meta.event_type = match object.get("event") {
                Some(Value::Object(inner)) if kind.as_deref() == Some("event_callback") => {
                    short_text(inner, "type")?
                }
                _ => kind,
            };
            meta.id = short_text(&object, "event_id")?;
            dedup.clone_from(&meta.id);
        } else {
            meta.event_type = form_pairs(body)
                .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == b"command"))
                .and_then(|(_, v)| String::from_utf8(v).ok())
                .filter(|v| v.len() <= MAX_ID_LEN);
        }
        let event = SlackEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(PROVIDER, event, dedup)))
    }
}

provider_layer_type! {
    /// Verifies Slack requests before the inner service. See the [module docs](self).
    SlackLayer, Slack, SlackScheme
}

impl SlackLayer {
    /// A layer verifying with the app's signing secret.
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn new(secret: &str) -> Result<Self, ConfigError> {
        let hmac = HeaderHmac::new(SIGNATURE, Digest::Sha256)?
            .prefix("v0=")
            .content(SignedContent::parse("v0:{timestamp}:{body}")?)
            .timestamp_header(TIMESTAMP, DEFAULT_TOLERANCE)?;
        Self(WebhookLayer::new(SlackScheme { hmac })).secret(secret)
    }

    /// Adds a signing secret (rotation).
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn secret(mut self, secret: &str) -> Result<Self, ConfigError> {
        self.0.scheme_mut().hmac.add_secret(secret.as_bytes())?;
        Ok(self)
    }

    /// Largest distance between the timestamp and the clock, either way. Defaults to 300 s.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.0.scheme_mut().hmac.set_tolerance(tolerance);
        self
    }
}

/// Signs requests like Slack (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct SlackSigner {
    keys: webhook_core::patterns::HmacKeys,
}

#[cfg(feature = "test-util")]
impl SlackSigner {
    /// A signer for this signing secret.
    #[must_use]
    pub fn new(secret: &str) -> Self {
        let mut keys = webhook_core::patterns::HmacKeys::new(Digest::Sha256);
        keys.push(secret);
        Self { keys }
    }

    /// The `X-Slack-Signature` value for `body` at `timestamp`.
    #[must_use]
    pub fn header(&self, timestamp: u64, body: &[u8]) -> String {
        let base = format!("v0:{timestamp}:");
        let mac = self
            .keys
            .sign(0, &[base.as_bytes(), body])
            .unwrap_or_default();
        format!("v0={}", webhook_core::patterns::hex_encode(&mac))
    }

    /// A signed `POST` to `uri`: JSON when the body starts with `{`, else a form.
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
        let content_type = if body.first() == Some(&b'{') {
            "application/json"
        } else {
            "application/x-www-form-urlencoded"
        };
        http::Request::post(uri)
            .header("content-type", content_type)
            .header(TIMESTAMP, timestamp.to_string())
            .header(SIGNATURE, self.header(timestamp, &body))
            .body(body)
    }
}
