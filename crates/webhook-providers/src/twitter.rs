//! [X (Twitter) Account Activity API](https://docs.x.com/x-api/enterprise-gnip-2.0/fundamentals/account-activity#securing-webhooks):
//! `x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer secret, body)>`, and the
//! challenge-response check `GET ?crc_token=…` answered with
//! `{"response_token": "sha256=<base64 HMAC-SHA256(consumer secret, crc_token)>"}`.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | `GET` carries one `crc_token` of 1–256 token characters (`[A-Za-z0-9._~+/=-]`); any other `GET` | `method_not_allowed` |
//! | `POST`: the signature header present once, ≤ 2 KiB, exactly `sha256=` then base64 | `missing_header`, `signature_mismatch`, `malformed_header` |
//! | the MAC under one configured consumer secret (constant time) | `signature_mismatch` |
//! | the verified body is a strict JSON object | `malformed_body` |
//!
//! **The CRC answer is a MAC oracle by X's design**: anyone may ask for the MAC of a
//! `crc_token` of their choosing, under the same key and construction as delivery signatures.
//! The layer therefore answers only tokens of token characters (no `{`), and accepts only
//! deliveries whose body is a JSON object, so no CRC answer is ever a valid delivery signature.
//! The CRC is answered with the first configured secret (the current one). X signs no
//! delivery id: deliveries are de-duplicated on the SHA-256 of the body;
//! [`TwitterEvent::event_type`] is the payload's first `…_events` key.
//!
//! ```
//! use http::{Request, Response, StatusCode};
//! use http_body_util::Full;
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::VerifiedBody;
//! use webhook_providers::twitter::{TwitterEvent, TwitterLayer, TwitterSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let service = ServiceBuilder::new()
//!     .layer(TwitterLayer::new("consumer-secret")?)
//!     .service_fn(|req: Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<TwitterEvent>().expect("the layer inserts it");
//!         assert_eq!(event.event_type.as_deref(), Some("tweet_create_events"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let crc = Request::get("/hooks/x?crc_token=dkd3ZxVo").body(Full::new(bytes::Bytes::new()))?;
//! assert_eq!(service.clone().oneshot(crc).await?.status(), StatusCode::OK);
//! let body = r#"{"for_user_id":"2244994945","tweet_create_events":[{"id_str":"1"}]}"#;
//! let request = TwitterSigner::new("consumer-secret").request("/hooks/x", body)?;
//! assert_eq!(service.oneshot(request.map(Full::new)).await?.status(), StatusCode::OK);
//! # Ok(()) }
//! ```

use bytes::Bytes;
use http::Method;
use http::request::Parts;
use webhook_core::patterns::{Digest, Encoding, HeaderHmac, handshake};
use webhook_core::{ConfigError, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer};

use crate::common::{
    MAX_ID_LEN, Meta, content_key, echoable, json_object, not_a_handshake, provider_event,
    provider_layer_type, query_param,
};

const PROVIDER: &str = "twitter";
const SIGNATURE: &str = "x-twitter-webhooks-signature";

provider_event! {
    /// A verified X Account Activity delivery. `id` and `timestamp` are `None`; `event_type`
    /// is the payload's first `…_events` key.
    TwitterEvent
}

/// The X scheme. Built through [`TwitterLayer`].
#[derive(Clone, Debug)]
pub struct TwitterScheme {
    hmac: HeaderHmac,
}

impl VerifyWebhook for TwitterScheme {
    type Event = TwitterEvent;

    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn allows_method(&self, method: &Method) -> bool {
        method == Method::POST || method == Method::GET
    }

    fn sensitive_headers(&self) -> &'static [&'static str] {
        &[SIGNATURE]
    }

    async fn verify(
        &self,
        parts: &Parts,
        body: &Bytes,
        cx: &VerifyContext,
    ) -> Result<Verdict<TwitterEvent>, Rejection> {
        if parts.method == Method::GET {
            let token = query_param(&parts.uri, "crc_token")
                .filter(|token| echoable(token))
                .ok_or_else(|| not_a_handshake("GET without a usable crc_token"))?;
            let mac = handshake::mac_of(self.hmac.keys(), 0, &token, Encoding::Base64)
                .unwrap_or_default();
            let answer = serde_json::json!({ "response_token": format!("sha256={mac}") });
            return Ok(Verdict::Respond(handshake::json(&answer)));
        }
        let matched = self.hmac.verify(&parts.headers, body, cx.unix_now())?;
        let object = json_object(body)?;
        let mut meta = Meta::new(matched.matched_key, None);
        meta.event_type = object
            .keys()
            .find(|key| key.ends_with("_events") && key.len() <= MAX_ID_LEN)
            .cloned();
        let event = TwitterEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(content_key(&[body])),
        )))
    }
}

provider_layer_type! {
    /// Verifies X Account Activity webhooks (and answers the CRC) before the inner service. See
    /// the [module docs](self).
    TwitterLayer, Twitter, TwitterScheme
}

impl TwitterLayer {
    /// A layer verifying with the app's consumer secret.
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn new(consumer_secret: &str) -> Result<Self, ConfigError> {
        let hmac = HeaderHmac::new(SIGNATURE, Digest::Sha256)?
            .prefix("sha256=")
            .encoding(Encoding::Base64);
        Self(WebhookLayer::new(TwitterScheme { hmac })).secret(consumer_secret)
    }

    /// Adds a consumer secret (rotation: deliveries verify under any; the CRC is answered with
    /// the first).
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn secret(mut self, consumer_secret: &str) -> Result<Self, ConfigError> {
        self.0
            .scheme_mut()
            .hmac
            .add_secret(consumer_secret.as_bytes())?;
        Ok(self)
    }
}

/// Signs deliveries like X (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct TwitterSigner {
    keys: webhook_core::patterns::HmacKeys,
}

#[cfg(feature = "test-util")]
impl TwitterSigner {
    /// A signer for this consumer secret.
    #[must_use]
    pub fn new(consumer_secret: &str) -> Self {
        let mut keys = webhook_core::patterns::HmacKeys::new(Digest::Sha256);
        keys.push(consumer_secret);
        Self { keys }
    }

    /// The signature header value for `body` (also the CRC `response_token` for a token).
    #[must_use]
    pub fn header(&self, body: &[u8]) -> String {
        format!(
            "sha256={}",
            Encoding::Base64.encode(&self.keys.sign(0, &[body]).unwrap_or_default())
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
