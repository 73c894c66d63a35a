//! [Mailchimp Transactional (Mandrill)](https://mailchimp.com/developer/transactional/guides/track-respond-activity-webhooks/#authenticating-webhook-requests):
//! `X-Mandrill-Signature: <base64 HMAC-SHA1(webhook key, URL ‖ sorted POST key/values)>`.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | `HEAD` (Mandrill's check when you add the URL): answered `200` with no body | — |
//! | `POST`: the header present once, ≤ 2 KiB, strict padded base64 | `missing_header`, `malformed_header` |
//! | the form body decodes | `malformed_body` |
//! | the MAC over **your configured public base URL** + the request's path and query + the form parameters sorted by key, under one configured key | `signature_mismatch` |
//!
//! The URL is configuration (exactly as entered in Mandrill); `Host` is never read. HMAC-SHA1
//! is Mandrill's scheme (*ring*'s `HMAC_SHA1_FOR_LEGACY_USE_ONLY`). Mandrill signs no
//! timestamp or id: deliveries are de-duplicated on the SHA-256 of the signed URL and body; the
//! events are in the form field `mandrill_events` ([`MandrillEvent::events`]). Mailchimp
//! *Marketing* webhooks are unsigned and not supported.
//!
//! ```
//! use http::{Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::VerifiedBody;
//! use webhook_providers::mandrill::{MandrillEvent, MandrillLayer, MandrillSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let base = "https://hooks.example.com";
//! let service = ServiceBuilder::new()
//!     .layer(MandrillLayer::new("mandrill-webhook-key", base)?)
//!     .service_fn(|req: http::Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<MandrillEvent>().expect("the layer inserts it");
//!         assert_eq!(event.events().len(), 1);
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let request = MandrillSigner::new("mandrill-webhook-key", base)
//!     .request("/hooks/mandrill", r#"[{"event":"send","_id":"m-1","ts":1700000000}]"#)?;
//! assert_eq!(service.oneshot(request.map(http_body_util::Full::new)).await?.status(), StatusCode::OK);
//! # Ok(()) }
//! ```

use bytes::Bytes;
use http::Method;
use http::request::Parts;
use serde_json::Value;
use webhook_core::patterns::{Digest, UrlBoundHmac, form_pairs, handshake};
use webhook_core::{ConfigError, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer};

use crate::common::{Meta, content_key, provider_event, provider_layer_type};

const PROVIDER: &str = "mandrill";
const SIGNATURE: &str = "x-mandrill-signature";

provider_event! {
    /// A verified Mandrill batch. `id`, `event_type` and `timestamp` are `None`; the events:
    /// [`events`](Self::events).
    MandrillEvent
}

impl MandrillEvent {
    /// The decoded `mandrill_events` array (empty when absent or not JSON).
    #[must_use]
    pub fn events(&self) -> Vec<Value> {
        form_pairs(self.payload())
            .unwrap_or_default()
            .into_iter()
            .find(|(k, _)| k == b"mandrill_events")
            .and_then(|(_, v)| serde_json::from_slice::<Vec<Value>>(&v).ok())
            .unwrap_or_default()
    }
}

/// The Mandrill scheme. Built through [`MandrillLayer`].
#[derive(Clone, Debug)]
pub struct MandrillScheme {
    hmac: UrlBoundHmac,
}

impl VerifyWebhook for MandrillScheme {
    type Event = MandrillEvent;

    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn allows_method(&self, method: &Method) -> bool {
        method == Method::POST || method == Method::HEAD
    }

    fn sensitive_headers(&self) -> &'static [&'static str] {
        &[SIGNATURE]
    }

    async fn verify(
        &self,
        parts: &Parts,
        body: &Bytes,
        _cx: &VerifyContext,
    ) -> Result<Verdict<MandrillEvent>, Rejection> {
        if parts.method == Method::HEAD {
            return Ok(Verdict::Respond(handshake::respond(
                "text/plain",
                Bytes::new(),
            )));
        }
        let matched = self.hmac.verify(&parts.uri, &parts.headers, body)?;
        let url = self.hmac.public_url(&parts.uri);
        let meta = Meta::new(matched, None);
        let event = MandrillEvent::new(meta.clone(), body.clone());
        let dedup = content_key(&[url.as_bytes(), b"\n", body]);
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(dedup),
        )))
    }
}

provider_layer_type! {
    /// Verifies Mandrill webhooks before the inner service. See the [module docs](self).
    MandrillLayer, Mandrill, MandrillScheme
}

impl MandrillLayer {
    /// A layer verifying with the webhook's key, for requests Mandrill sends to `public_base`
    /// plus the request's path and query.
    ///
    /// # Errors
    /// The key is empty or has surrounding whitespace, or `public_base` is not an absolute
    /// http(s) URL without query and trailing slash.
    pub fn new(webhook_key: &str, public_base: &str) -> Result<Self, ConfigError> {
        let hmac = UrlBoundHmac::new(SIGNATURE, Digest::LegacySha1, public_base)?;
        Self(WebhookLayer::new(MandrillScheme { hmac })).secret(webhook_key)
    }

    /// Adds a webhook key (rotation).
    ///
    /// # Errors
    /// The key is empty or has surrounding whitespace.
    pub fn secret(mut self, webhook_key: &str) -> Result<Self, ConfigError> {
        self.0
            .scheme_mut()
            .hmac
            .add_secret(webhook_key.as_bytes())?;
        Ok(self)
    }
}

/// Signs batches like Mandrill (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct MandrillSigner {
    keys: webhook_core::patterns::HmacKeys,
    public_base: String,
}

#[cfg(feature = "test-util")]
impl MandrillSigner {
    /// A signer for this webhook key and public base URL.
    #[must_use]
    pub fn new(webhook_key: &str, public_base: &str) -> Self {
        let mut keys = webhook_core::patterns::HmacKeys::new(Digest::LegacySha1);
        keys.push(webhook_key);
        Self {
            keys,
            public_base: public_base.to_owned(),
        }
    }

    /// A signed form `POST` of `events_json` (as `mandrill_events`) to `path_and_query`.
    ///
    /// # Errors
    /// `path_and_query` is not a valid URI.
    pub fn request(
        &self,
        path_and_query: &str,
        events_json: &str,
    ) -> Result<http::Request<Bytes>, http::Error> {
        let mut encoded = String::new();
        for byte in events_json.bytes() {
            if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                encoded.push(char::from(byte));
            } else {
                encoded.push_str(&format!("%{byte:02X}"));
            }
        }
        let body = format!("mandrill_events={encoded}");
        let message = format!(
            "{}{path_and_query}mandrill_events{events_json}",
            self.public_base
        );
        let mac = self.keys.sign(0, &[message.as_bytes()]).unwrap_or_default();
        http::Request::post(path_and_query)
            .header("content-type", "application/x-www-form-urlencoded")
            .header(
                SIGNATURE,
                webhook_core::patterns::Encoding::Base64.encode(&mac),
            )
            .body(Bytes::from(body))
    }
}
