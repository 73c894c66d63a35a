//! [Intercom](https://developers.intercom.com/docs/webhooks/setting-up-webhooks): `X-Hub-Signature: sha1=<hex HMAC-SHA1(secret, body)>`.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | the header present once, ≤ 2 KiB | `missing_header`, `malformed_header` |
//! | exactly the `sha1=` prefix, then hex | `signature_mismatch`, `malformed_header` |
//! | the MAC under one configured secret (constant time) | `signature_mismatch` |
//! | the verified body is a strict JSON object with a string notification `id` | `malformed_body` |
//!
//! Intercom still signs with HMAC-SHA1 (*ring*'s `HMAC_SHA1_FOR_LEGACY_USE_ONLY`), keyed with the app's client secret. Deliveries are de-duplicated on the signed notification `id`; [`IntercomEvent::event_type`] is the signed `topic`.
//!
//! ```
//! use http::{Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{Reason, Rejection, VerifiedBody};
//! use webhook_providers::intercom::{IntercomEvent, IntercomLayer, IntercomSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let service = ServiceBuilder::new()
//!     .layer(IntercomLayer::new("intercom-client-secret")?)
//!     .service_fn(|req: http::Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<IntercomEvent>().expect("the layer inserts it");
//!         assert_eq!(event.event_type.as_deref(), Some("conversation.user.created"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let body = r#"{"type":"notification_event","id":"notif_ccd8a4d0-f965-11e3-a367-c779cae3e1b3","topic":"conversation.user.created","created_at":1700000000,"data":{}}"#;
//! let request = IntercomSigner::new("intercom-client-secret").request("/hooks/intercom", body)?;
//! let request = request;
//! assert_eq!(service.clone().oneshot(request.map(http_body_util::Full::new)).await?.status(), StatusCode::OK);
//!
//! let forged = IntercomSigner::new("guess").request("/hooks/intercom", body)?;
//! let response = service.oneshot(forged.map(http_body_util::Full::new)).await?;
//! let reason = response.extensions().get::<Rejection>().map(Rejection::reason);
//! assert_eq!(reason, Some(Reason::SignatureMismatch));
//! # Ok(()) }
//! ```

use bytes::Bytes;
use http::request::Parts;
use webhook_core::patterns::{Digest, Encoding, HeaderHmac};
use webhook_core::{ConfigError, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer};

use crate::common::{Meta, json_id_and_type, provider_event, provider_layer_type, required};

const PROVIDER: &str = "intercom";
const SIGNATURE: &str = "x-hub-signature";

provider_event! {
    /// A verified Intercom event. `id` is the signed notification `id`, `event_type` the signed `topic`, `timestamp` the signed `created_at`.
    IntercomEvent
}

/// The Intercom scheme. Built through [`IntercomLayer`].
#[derive(Clone, Debug)]
pub struct IntercomScheme {
    hmac: HeaderHmac,
}

impl VerifyWebhook for IntercomScheme {
    type Event = IntercomEvent;

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
    ) -> Result<Verdict<IntercomEvent>, Rejection> {
        let matched = self.hmac.verify(&parts.headers, body, cx.unix_now())?;
        let mut meta = Meta::new(matched.matched_key, None);
        let (object, id, kind) = json_id_and_type(body, "id", "topic")?;
        let dedup = required(id.clone(), "id")?;
        meta.id = id;
        meta.event_type = kind;
        meta.timestamp = object.get("created_at").and_then(serde_json::Value::as_i64);
        let event = IntercomEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(dedup),
        )))
    }
}

provider_layer_type! {
    /// Verifies Intercom webhooks before the inner service. See the [module docs](self).
    IntercomLayer, Intercom, IntercomScheme
}

impl IntercomLayer {
    /// A layer verifying with the app's client secret.
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn new(secret: &str) -> Result<Self, ConfigError> {
        let hmac = HeaderHmac::new(SIGNATURE, Digest::LegacySha1)?
            .prefix("sha1=")
            .encoding(Encoding::Hex);
        Self(WebhookLayer::new(IntercomScheme { hmac })).secret(secret)
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

/// Signs events like Intercom (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct IntercomSigner {
    keys: webhook_core::patterns::HmacKeys,
}

#[cfg(feature = "test-util")]
impl IntercomSigner {
    /// A signer for this secret.
    #[must_use]
    pub fn new(secret: &str) -> Self {
        let mut keys = webhook_core::patterns::HmacKeys::new(Digest::LegacySha1);
        keys.push(secret);
        Self { keys }
    }

    /// The `X-Hub-Signature` value for `body`.
    #[must_use]
    pub fn header(&self, body: &[u8]) -> String {
        let mac = self.keys.sign(0, &[body]).unwrap_or_default();
        format!("sha1={}", Encoding::Hex.encode(&mac))
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
