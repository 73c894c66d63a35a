//! [Bitbucket Cloud](https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/): `X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, body)>`.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | the header present once, ≤ 2 KiB | `missing_header`, `malformed_header` |
//! | exactly the `sha256=` prefix | `signature_mismatch` |
//! | the signature is hex | `malformed_header` |
//! | the MAC under one configured secret (constant time) | `signature_mismatch` |
//! | `x-request-uuid` / `x-event-key`, when present, once and ≤ 256 bytes | `malformed_header` |
//!
//! Bitbucket signs only the body: `X-Request-UUID` and `X-Event-Key` are unsigned. They are reported ([`BitbucketEvent::id`], [`BitbucketEvent::event_type`]) but deliveries are de-duplicated on the SHA-256 of the signed body.
//!
//! ```
//! use http::{Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{Reason, Rejection, VerifiedBody};
//! use webhook_providers::bitbucket::{BitbucketEvent, BitbucketLayer, BitbucketSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let service = ServiceBuilder::new()
//!     .layer(BitbucketLayer::new("bitbucket-webhook-secret")?)
//!     .service_fn(|req: http::Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<BitbucketEvent>().expect("the layer inserts it");
//!         assert_eq!(event.event_type.as_deref(), Some("repo:push"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let body = r#"{"push":{"changes":[]},"repository":{"full_name":"team/repo"}}"#;
//! let request = BitbucketSigner::new("bitbucket-webhook-secret").request("/hooks/bitbucket", body)?;
//! let mut request = request;
//! request.headers_mut().insert("x-event-key", http::HeaderValue::from_static("repo:push"));
//! assert_eq!(service.clone().oneshot(request.map(http_body_util::Full::new)).await?.status(), StatusCode::OK);
//!
//! let forged = BitbucketSigner::new("guess").request("/hooks/bitbucket", body)?;
//! let response = service.oneshot(forged.map(http_body_util::Full::new)).await?;
//! let reason = response.extensions().get::<Rejection>().map(Rejection::reason);
//! assert_eq!(reason, Some(Reason::SignatureMismatch));
//! # Ok(()) }
//! ```

use bytes::Bytes;
use http::request::Parts;
use webhook_core::patterns::{Digest, Encoding, HeaderHmac};
use webhook_core::{ConfigError, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer};

use crate::common::{Meta, content_key, info_header, provider_event, provider_layer_type};

const PROVIDER: &str = "bitbucket";
const SIGNATURE: &str = "x-hub-signature";

provider_event! {
    /// A verified Bitbucket Cloud event. `id` is the unsigned `X-Request-UUID`, `event_type` the unsigned `X-Event-Key`; `timestamp` is `None`.
    BitbucketEvent
}

/// The Bitbucket Cloud scheme. Built through [`BitbucketLayer`].
#[derive(Clone, Debug)]
pub struct BitbucketScheme {
    hmac: HeaderHmac,
}

impl VerifyWebhook for BitbucketScheme {
    type Event = BitbucketEvent;

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
    ) -> Result<Verdict<BitbucketEvent>, Rejection> {
        let matched = self.hmac.verify(&parts.headers, body, cx.unix_now())?;
        let mut meta = Meta::new(matched.matched_key, None);
        meta.id = info_header(&parts.headers, "x-request-uuid")?;
        meta.event_type = info_header(&parts.headers, "x-event-key")?;
        let dedup = content_key(&[body]);
        let event = BitbucketEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(dedup),
        )))
    }
}

provider_layer_type! {
    /// Verifies Bitbucket Cloud webhooks before the inner service. See the [module docs](self).
    BitbucketLayer, Bitbucket, BitbucketScheme
}

impl BitbucketLayer {
    /// A layer verifying with the webhook's secret.
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn new(secret: &str) -> Result<Self, ConfigError> {
        let hmac = HeaderHmac::new(SIGNATURE, Digest::Sha256)?
            .prefix("sha256=")
            .encoding(Encoding::Hex);
        Self(WebhookLayer::new(BitbucketScheme { hmac })).secret(secret)
    }

    /// Adds a secret (rotation).
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn secret(mut self, secret: &str) -> Result<Self, ConfigError> {
        self.0.scheme_mut().hmac.add_secret(secret.as_bytes())?;
        Ok(self)
    }
}

/// Signs events like Bitbucket Cloud (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct BitbucketSigner {
    keys: webhook_core::patterns::HmacKeys,
}

#[cfg(feature = "test-util")]
impl BitbucketSigner {
    /// A signer for this secret.
    #[must_use]
    pub fn new(secret: &str) -> Self {
        let mut keys = webhook_core::patterns::HmacKeys::new(Digest::Sha256);
        keys.push(secret);
        Self { keys }
    }

    /// The `Bitbucket-Hook-Signature` value for `body`.
    #[must_use]
    pub fn header(&self, body: &[u8]) -> String {
        let mac = self.keys.sign(0, &[body]).unwrap_or_default();
        format!("sha256={}", Encoding::Hex.encode(&mac))
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
