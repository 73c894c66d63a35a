//! [Meta](https://developers.facebook.com/docs/graph-api/webhooks/getting-started) (Facebook,
//! Instagram, WhatsApp, Messenger): `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret,
//! body)>`, and the subscription check `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | `GET` with `hub.mode=subscribe`, one `hub.verify_token` and a `hub.challenge` of 1–256 token characters; any other `GET` | `method_not_allowed` |
//! | the `hub.verify_token` equals your configured verify token (digests compared in constant time), then the challenge is echoed | `signature_mismatch` |
//! | `POST`: `X-Hub-Signature-256` present once, ≤ 2 KiB, exactly `sha256=` then hex | `missing_header`, `signature_mismatch`, `malformed_header` |
//! | the MAC under one configured app secret (constant time) | `signature_mismatch` |
//! | the verified body is a strict JSON object | `malformed_body` |
//!
//! The legacy SHA-1 `X-Hub-Signature` is not accepted. Meta signs no delivery id and batches
//! entries: deliveries are de-duplicated on the SHA-256 of the body;
//! [`MetaEvent::event_type`] is the payload's `object` (`page`, `instagram`,
//! `whatsapp_business_account`).
//!
//! ```
//! use http::{Request, Response, StatusCode};
//! use http_body_util::Full;
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::VerifiedBody;
//! use webhook_providers::meta::{MetaEvent, MetaLayer, MetaSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let service = ServiceBuilder::new()
//!     .layer(MetaLayer::new("meta-app-secret", "my-verify-token")?)
//!     .service_fn(|req: Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<MetaEvent>().expect("the layer inserts it");
//!         assert_eq!(event.event_type.as_deref(), Some("page"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let check = Request::get("/hooks/meta?hub.mode=subscribe&hub.verify_token=my-verify-token&hub.challenge=1158201444")
//!     .body(Full::new(bytes::Bytes::new()))?;
//! assert_eq!(service.clone().oneshot(check).await?.status(), StatusCode::OK);
//! let body = r#"{"object":"page","entry":[{"id":"1","time":1700000000,"changes":[]}]}"#;
//! let request = MetaSigner::new("meta-app-secret").request("/hooks/meta", body)?;
//! assert_eq!(service.oneshot(request.map(Full::new)).await?.status(), StatusCode::OK);
//! # Ok(()) }
//! ```

use bytes::Bytes;
use http::request::Parts;
use http::{HeaderMap, Method};
use webhook_core::patterns::{Digest, HeaderHmac, SharedTokens, handshake};
use webhook_core::{ConfigError, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer};

use crate::common::{
    Meta, content_key, echoable, json_object, not_a_handshake, provider_event, provider_layer_type,
    query_param, short_text,
};

const PROVIDER: &str = "meta";
const SIGNATURE: &str = "x-hub-signature-256";
/// The verify token is compared through [`SharedTokens`], fed from the query string.
const VERIFY_TOKEN: &str = "hub-verify-token";

provider_event! {
    /// A verified Meta delivery. `id` and `timestamp` are `None`; `event_type` is the signed
    /// `object`.
    MetaEvent
}

/// The Meta scheme. Built through [`MetaLayer`].
#[derive(Clone, Debug)]
pub struct MetaScheme {
    hmac: HeaderHmac,
    verify_tokens: SharedTokens,
}

impl MetaScheme {
    fn subscription_check(&self, parts: &Parts) -> Result<Verdict<MetaEvent>, Rejection> {
        let mode = query_param(&parts.uri, "hub.mode");
        let token = query_param(&parts.uri, "hub.verify_token");
        let challenge = query_param(&parts.uri, "hub.challenge");
        let (Some("subscribe"), Some(token), Some(challenge)) = (mode.as_deref(), token, challenge)
        else {
            return Err(not_a_handshake("GET is not a hub.mode=subscribe check"));
        };
        if !echoable(&challenge) {
            return Err(not_a_handshake("hub.challenge is not a token"));
        }
        let mut presented = HeaderMap::new();
        let value = http::HeaderValue::from_str(&token)
            .map_err(|_| not_a_handshake("hub.verify_token is not visible ASCII"))?;
        presented.insert(VERIFY_TOKEN, value);
        self.verify_tokens.verify(&presented)?;
        Ok(Verdict::Respond(handshake::echo(&challenge)))
    }
}

impl VerifyWebhook for MetaScheme {
    type Event = MetaEvent;

    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn allows_method(&self, method: &Method) -> bool {
        method == Method::POST || method == Method::GET
    }

    fn sensitive_headers(&self) -> &'static [&'static str] {
        &[SIGNATURE, "x-hub-signature"]
    }

    async fn verify(
        &self,
        parts: &Parts,
        body: &Bytes,
        cx: &VerifyContext,
    ) -> Result<Verdict<MetaEvent>, Rejection> {
        if parts.method == Method::GET {
            return self.subscription_check(parts);
        }
        let matched = self.hmac.verify(&parts.headers, body, cx.unix_now())?;
        let object = json_object(body)?;
        let mut meta = Meta::new(matched.matched_key, None);
        meta.event_type = short_text(&object, "object")?;
        let event = MetaEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(content_key(&[body])),
        )))
    }
}

provider_layer_type! {
    /// Verifies Meta webhooks (and answers the subscription check) before the inner service.
    /// See the [module docs](self).
    MetaLayer, MetaWebhook, MetaScheme
}

impl MetaLayer {
    /// A layer verifying deliveries with the app secret and subscription checks with the verify
    /// token you chose in the app dashboard.
    ///
    /// # Errors
    /// The secret or token is empty, has surrounding whitespace, or the token is not a header
    /// value.
    pub fn new(app_secret: &str, verify_token: &str) -> Result<Self, ConfigError> {
        let hmac = HeaderHmac::new(SIGNATURE, Digest::Sha256)?.prefix("sha256=");
        let verify_tokens = SharedTokens::new(VERIFY_TOKEN)?.token(verify_token)?;
        Self(WebhookLayer::new(MetaScheme {
            hmac,
            verify_tokens,
        }))
        .secret(app_secret)
    }

    /// Adds an app secret (rotation).
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn secret(mut self, app_secret: &str) -> Result<Self, ConfigError> {
        self.0.scheme_mut().hmac.add_secret(app_secret.as_bytes())?;
        Ok(self)
    }
}

/// Signs deliveries like Meta (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct MetaSigner {
    keys: webhook_core::patterns::HmacKeys,
}

#[cfg(feature = "test-util")]
impl MetaSigner {
    /// A signer for this app secret.
    #[must_use]
    pub fn new(app_secret: &str) -> Self {
        let mut keys = webhook_core::patterns::HmacKeys::new(Digest::Sha256);
        keys.push(app_secret);
        Self { keys }
    }

    /// The `X-Hub-Signature-256` value for `body`.
    #[must_use]
    pub fn header(&self, body: &[u8]) -> String {
        format!(
            "sha256={}",
            webhook_core::patterns::Encoding::Hex
                .encode(&self.keys.sign(0, &[body]).unwrap_or_default())
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
