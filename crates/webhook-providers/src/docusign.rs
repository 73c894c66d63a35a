//! [DocuSign Connect](https://developers.docusign.com/platform/webhooks/connect/validate/):
//! `X-DocuSign-Signature-1 … -N: <base64 HMAC-SHA256(key, body)>`, one header per active
//! Connect HMAC key.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | at least one `X-DocuSign-Signature-<n>` (n = 1…100), each present once, ≤ 2 KiB | `missing_header`, `malformed_header` |
//! | each is padded base64 | `malformed_header` |
//! | one of them equals the MAC under one configured key (constant time) | `signature_mismatch` |
//!
//! DocuSign sends one signature per active key, so rotating (up to 100 keys at DocuSign's
//! side) needs no coordination: configure the keys you trust. Connect signs no delivery id
//! header: deliveries are de-duplicated on the SHA-256 of the body;
//! [`DocusignEvent::event_type`] is the JSON payload's `event` (`envelope-completed`).
//!
//! ```
//! use http::{Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::VerifiedBody;
//! use webhook_providers::docusign::{DocusignEvent, DocusignLayer, DocusignSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let service = ServiceBuilder::new()
//!     .layer(DocusignLayer::new("docusign-connect-key")?)
//!     .service_fn(|req: http::Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<DocusignEvent>().expect("the layer inserts it");
//!         assert_eq!(event.event_type.as_deref(), Some("envelope-completed"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let body = r#"{"event":"envelope-completed","apiVersion":"v2.1","data":{"envelopeId":"e-1"}}"#;
//! let request = DocusignSigner::new(&["other-key", "docusign-connect-key"]).request("/hooks/docusign", body)?;
//! assert_eq!(service.oneshot(request.map(http_body_util::Full::new)).await?.status(), StatusCode::OK);
//! # Ok(()) }
//! ```

use std::sync::LazyLock;

use bytes::Bytes;
use http::request::Parts;
use serde_json::Value;
use webhook_core::patterns::{
    Digest, Encoding, HmacKeys, MAX_HEADER_LEN, check_secret, malformed, optional_bounded_header,
};
use webhook_core::{
    ConfigError, Reason, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer,
};

use crate::common::{Meta, content_key, provider_event, provider_layer_type, short_text};

const PROVIDER: &str = "docusign";
/// Signature headers read: `x-docusign-signature-1` … `-100`, one per active key (DocuSign
/// accounts may hold up to 100 Connect HMAC keys).
const HEADER_PREFIX: &str = "x-docusign-signature-";
const MAX_KEYS: u8 = 100;

/// The header names, for [`VerifyWebhook::sensitive_headers`].
static HEADER_NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    (1..=MAX_KEYS)
        .map(|n| format!("{HEADER_PREFIX}{n}"))
        .collect()
});
static HEADERS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| HEADER_NAMES.iter().map(String::as_str).collect());

/// Whether `name` is `x-docusign-signature-<n>` with n in 1…100 written canonically.
fn is_signature_header(name: &str) -> bool {
    name.strip_prefix(HEADER_PREFIX)
        .filter(|n| !n.starts_with('0'))
        .and_then(|n| n.parse::<u8>().ok())
        .is_some_and(|n| (1..=MAX_KEYS).contains(&n))
}

provider_event! {
    /// A verified DocuSign Connect notification. `id` and `timestamp` are `None`;
    /// `event_type` is the signed JSON payload's `event`.
    DocusignEvent
}

/// The DocuSign scheme. Built through [`DocusignLayer`].
#[derive(Clone, Debug)]
pub struct DocusignScheme {
    keys: HmacKeys,
}

impl VerifyWebhook for DocusignScheme {
    type Event = DocusignEvent;

    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn sensitive_headers(&self) -> &'static [&'static str] {
        HEADERS.as_slice()
    }

    async fn verify(
        &self,
        parts: &Parts,
        body: &Bytes,
        _cx: &VerifyContext,
    ) -> Result<Verdict<DocusignEvent>, Rejection> {
        let mut macs = Vec::new();
        // Walk the request's header names (a few) rather than probe 100 names.
        let names = parts.headers.keys().map(http::HeaderName::as_str);
        for name in names.filter(|name| is_signature_header(name)) {
            if let Some(value) = optional_bounded_header(&parts.headers, name, MAX_HEADER_LEN)? {
                macs.push(
                    Encoding::Base64
                        .decode(value)
                        .ok_or_else(|| malformed(format!("{name} is not base64")))?,
                );
            }
        }
        if macs.is_empty() {
            return Err(Rejection::new(Reason::MissingHeader)
                .with_detail("no X-DocuSign-Signature-<n> header"));
        }
        let matched = self
            .keys
            .verify(&[body.as_ref()], macs.iter().map(Vec::as_slice))
            .ok_or_else(|| Rejection::new(Reason::SignatureMismatch))?;
        let mut meta = Meta::new(matched, None);
        if let Ok(Value::Object(object)) = webhook_core::json::parse_strict(body) {
            meta.event_type = short_text(&object, "event")?;
        }
        let event = DocusignEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(content_key(&[body])),
        )))
    }
}

provider_layer_type! {
    /// Verifies DocuSign Connect notifications before the inner service. See the
    /// [module docs](self).
    DocusignLayer, Docusign, DocusignScheme
}

impl DocusignLayer {
    /// A layer verifying with a Connect HMAC key.
    ///
    /// # Errors
    /// The key is empty or has surrounding whitespace.
    pub fn new(key: &str) -> Result<Self, ConfigError> {
        let scheme = DocusignScheme {
            keys: HmacKeys::new(Digest::Sha256),
        };
        Self(WebhookLayer::new(scheme)).secret(key)
    }

    /// Adds a Connect HMAC key.
    ///
    /// # Errors
    /// The key is empty or has surrounding whitespace.
    pub fn secret(mut self, key: &str) -> Result<Self, ConfigError> {
        check_secret("DocuSign Connect key", key.as_bytes())?;
        self.0.scheme_mut().keys.push(key);
        Ok(self)
    }
}

/// Signs notifications like DocuSign Connect, one header per key (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct DocusignSigner {
    keys: HmacKeys,
}

#[cfg(feature = "test-util")]
impl DocusignSigner {
    /// A signer with these active keys (in header order).
    #[must_use]
    pub fn new(keys: &[&str]) -> Self {
        let mut hmac = HmacKeys::new(Digest::Sha256);
        for key in keys {
            hmac.push(key);
        }
        Self { keys: hmac }
    }

    /// A signed JSON `POST` to `uri` with `X-DocuSign-Signature-1…n`.
    ///
    /// # Errors
    /// `uri` is not a valid URI.
    pub fn request(
        &self,
        uri: &str,
        body: impl Into<Bytes>,
    ) -> Result<http::Request<Bytes>, http::Error> {
        let body = body.into();
        let mut request = http::Request::post(uri).header("content-type", "application/json");
        for (index, name) in HEADERS.iter().enumerate().take(self.keys.len()) {
            let mac = self.keys.sign(index, &[body.as_ref()]).unwrap_or_default();
            request = request.header(*name, Encoding::Base64.encode(&mac));
        }
        request.body(body)
    }
}
