//! [Twilio](https://www.twilio.com/docs/usage/webhooks/webhooks-security):
//! `X-Twilio-Signature: <base64 HMAC-SHA1(auth token, URL ‖ sorted form params)>`.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | the header present once, ≤ 2 KiB, strict padded base64 | `missing_header`, `malformed_header` |
//! | a form body decodes | `malformed_body` |
//! | the MAC over **your configured public base URL** + the request's path and query + the form parameters sorted by key (then value), under one configured auth token | `signature_mismatch` |
//! | JSON bodies: the URL's `bodySHA256` equals the body's SHA-256 | `signature_mismatch` |
//!
//! Twilio signs the URL it requested. Behind a proxy or load balancer your service sees another
//! scheme, host or port, so the public base (`https://hooks.example.com`) is configuration;
//! `Host` and `X-Forwarded-*` are never read. HMAC-SHA1 is Twilio's scheme (*ring*'s
//! `HMAC_SHA1_FOR_LEGACY_USE_ONLY`); nothing else here uses SHA-1. Twilio signs no timestamp:
//! de-duplication is on the SHA-256 of the signed URL and body (`I-Twilio-Idempotency-Token`
//! is unsigned; it is reported as [`TwilioEvent::id`]). Configure the primary and secondary
//! auth tokens while you rotate. Requests signed under a Webhooks Rule's shared key
//! (`X-Twilio-Webhooks-Signature-Settings`, HMAC-SHA256) are not supported: they fail as
//! `signature_mismatch`.
//!
//! ```
//! use http::{Request, Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::VerifiedBody;
//! use webhook_providers::twilio::{TwilioEvent, TwilioLayer, TwilioSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! // Twilio's documented example: token 12345, https://mycompany.com/myapp.php?foo=1&bar=2.
//! let service = ServiceBuilder::new()
//!     .layer(TwilioLayer::new("12345", "https://mycompany.com")?)
//!     .service_fn(|req: Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<TwilioEvent>().expect("the layer inserts it");
//!         assert!(event.params().iter().any(|(k, _)| k == "CallSid" || k == "MessageSid"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let body = "CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030&To=%2B18005551212";
//! let request = Request::post("/myapp.php?foo=1&bar=2")
//!     .header("content-type", "application/x-www-form-urlencoded")
//!     .header("x-twilio-signature", "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
//!     .body(http_body_util::Full::new(bytes::Bytes::from(body)))?;
//! assert_eq!(service.clone().oneshot(request).await?.status(), StatusCode::OK);
//!
//! let signer = TwilioSigner::new("12345", "https://mycompany.com");
//! let request = signer.request("/sms", "MessageSid=SM1&Body=hi")?;
//! assert_eq!(service.oneshot(request.map(http_body_util::Full::new)).await?.status(), StatusCode::OK);
//! # Ok(()) }
//! ```

use bytes::Bytes;
use http::request::Parts;
use webhook_core::patterns::{Digest, UrlBoundHmac, form_pairs};
use webhook_core::{ConfigError, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer};

use crate::common::{Meta, content_key, info_header, provider_event, provider_layer_type};

const PROVIDER: &str = "twilio";
const SIGNATURE: &str = "x-twilio-signature";

provider_event! {
    /// A verified Twilio request. `id` is the unsigned `I-Twilio-Idempotency-Token`;
    /// `event_type` is `None`; `timestamp` is always `None`. Form parameters:
    /// [`params`](Self::params).
    TwilioEvent
}

impl TwilioEvent {
    /// The decoded form parameters, in body order (empty for JSON bodies; use `json()`).
    #[must_use]
    pub fn params(&self) -> Vec<(String, String)> {
        form_pairs(self.payload())
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| {
                (
                    String::from_utf8_lossy(&k).into_owned(),
                    String::from_utf8_lossy(&v).into_owned(),
                )
            })
            .collect()
    }
}

/// The Twilio scheme. Built through [`TwilioLayer`].
#[derive(Clone, Debug)]
pub struct TwilioScheme {
    hmac: UrlBoundHmac,
}

impl VerifyWebhook for TwilioScheme {
    type Event = TwilioEvent;

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
        _cx: &VerifyContext,
    ) -> Result<Verdict<TwilioEvent>, Rejection> {
        let matched = self.hmac.verify(&parts.uri, &parts.headers, body)?;
        let mut meta = Meta::new(matched, None);
        meta.id = info_header(&parts.headers, "i-twilio-idempotency-token")?;
        let url = self.hmac.public_url(&parts.uri);
        let dedup = content_key(&[url.as_bytes(), b"\n", body]);
        let event = TwilioEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(dedup),
        )))
    }
}

provider_layer_type! {
    /// Verifies Twilio webhooks before the inner service. See the [module docs](self).
    TwilioLayer, Twilio, TwilioScheme
}

impl TwilioLayer {
    /// A layer verifying with the account's auth token, for requests Twilio sends to
    /// `public_base` (`https://hooks.example.com`, exactly as configured in Twilio, without
    /// path suffix of the route, query or trailing slash) followed by the request's path and
    /// query.
    ///
    /// # Errors
    /// The token is empty or has surrounding whitespace, or `public_base` is not an absolute
    /// http(s) URL without query and trailing slash.
    pub fn new(auth_token: &str, public_base: &str) -> Result<Self, ConfigError> {
        let hmac = UrlBoundHmac::new(SIGNATURE, Digest::LegacySha1, public_base)?;
        Self(WebhookLayer::new(TwilioScheme { hmac })).secret(auth_token)
    }

    /// Adds an auth token (rotation: primary and secondary).
    ///
    /// # Errors
    /// The token is empty or has surrounding whitespace.
    pub fn secret(mut self, auth_token: &str) -> Result<Self, ConfigError> {
        self.0.scheme_mut().hmac.add_secret(auth_token.as_bytes())?;
        Ok(self)
    }
}

/// Signs requests like Twilio (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct TwilioSigner {
    keys: webhook_core::patterns::HmacKeys,
    public_base: String,
}

#[cfg(feature = "test-util")]
impl TwilioSigner {
    /// A signer for this auth token and public base URL.
    #[must_use]
    pub fn new(auth_token: &str, public_base: &str) -> Self {
        let mut keys = webhook_core::patterns::HmacKeys::new(Digest::LegacySha1);
        keys.push(auth_token);
        Self {
            keys,
            public_base: public_base.to_owned(),
        }
    }

    /// The `X-Twilio-Signature` for a form `body` sent to `path_and_query`.
    #[must_use]
    pub fn header(&self, path_and_query: &str, form_body: &[u8]) -> String {
        let mut pairs = form_pairs(form_body).unwrap_or_default();
        pairs.sort();
        let mut message = format!("{}{path_and_query}", self.public_base).into_bytes();
        for (key, value) in pairs {
            message.extend_from_slice(&key);
            message.extend_from_slice(&value);
        }
        let mac = self.keys.sign(0, &[&message]).unwrap_or_default();
        webhook_core::patterns::Encoding::Base64.encode(&mac)
    }

    /// A signed form `POST` to `path_and_query`.
    ///
    /// # Errors
    /// `path_and_query` is not a valid URI.
    pub fn request(
        &self,
        path_and_query: &str,
        form_body: impl Into<Bytes>,
    ) -> Result<http::Request<Bytes>, http::Error> {
        let body = form_body.into();
        http::Request::post(path_and_query)
            .header("content-type", "application/x-www-form-urlencoded")
            .header(SIGNATURE, self.header(path_and_query, &body))
            .body(body)
    }
}
