//! [Dropbox](https://www.dropbox.com/developers/reference/webhooks):
//! `X-Dropbox-Signature: <hex HMAC-SHA256(app secret, body)>`, and the `GET ?challenge=…`
//! verification request answered with the challenge.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | `GET` carries one `challenge` of 1–256 token characters: echoed as `text/plain` with `X-Content-Type-Options: nosniff`; any other `GET` | `method_not_allowed` |
//! | `POST`: `X-Dropbox-Signature` present once, ≤ 2 KiB, hex | `missing_header`, `malformed_header` |
//! | the MAC under one configured app secret (constant time) | `signature_mismatch` |
//!
//! Dropbox's challenge is unsigned by design; the echo proves only that you own the endpoint
//! and reveals nothing (no MAC is computed). Notifications carry only the accounts that
//! changed; Dropbox signs no id, so they are de-duplicated on the SHA-256 of the body.
//!
//! ```
//! use http::{Request, Response, StatusCode};
//! use http_body_util::Full;
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::VerifiedBody;
//! use webhook_providers::dropbox::{DropboxEvent, DropboxLayer, DropboxSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let service = ServiceBuilder::new()
//!     .layer(DropboxLayer::new("dbx-app-secret")?)
//!     .service_fn(|req: Request<VerifiedBody>| async move {
//!         let _ = req.extensions().get::<DropboxEvent>().expect("the layer inserts it");
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let challenge = Request::get("/hooks/dropbox?challenge=6QJQFI4mEJHzhdY").body(Full::new(bytes::Bytes::new()))?;
//! assert_eq!(service.clone().oneshot(challenge).await?.status(), StatusCode::OK);
//! let body = r#"{"list_folder":{"accounts":["dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc"]}}"#;
//! let request = DropboxSigner::new("dbx-app-secret").request("/hooks/dropbox", body)?;
//! assert_eq!(service.oneshot(request.map(Full::new)).await?.status(), StatusCode::OK);
//! # Ok(()) }
//! ```

use bytes::Bytes;
use http::Method;
use http::request::Parts;
use webhook_core::patterns::{Digest, HeaderHmac, handshake};
use webhook_core::{ConfigError, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer};

use crate::common::{
    Meta, content_key, echoable, not_a_handshake, provider_event, provider_layer_type, query_param,
};

const PROVIDER: &str = "dropbox";
const SIGNATURE: &str = "x-dropbox-signature";

provider_event! {
    /// A verified Dropbox notification. `id`, `event_type` and `timestamp` are `None`.
    DropboxEvent
}

/// The Dropbox scheme. Built through [`DropboxLayer`].
#[derive(Clone, Debug)]
pub struct DropboxScheme {
    hmac: HeaderHmac,
}

impl VerifyWebhook for DropboxScheme {
    type Event = DropboxEvent;

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
    ) -> Result<Verdict<DropboxEvent>, Rejection> {
        if parts.method == Method::GET {
            return match query_param(&parts.uri, "challenge") {
                Some(challenge) if echoable(&challenge) => {
                    Ok(Verdict::Respond(handshake::echo(&challenge)))
                }
                _ => Err(not_a_handshake("GET without a usable challenge")),
            };
        }
        let matched = self.hmac.verify(&parts.headers, body, cx.unix_now())?;
        let meta = Meta::new(matched.matched_key, None);
        let event = DropboxEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(content_key(&[body])),
        )))
    }
}

provider_layer_type! {
    /// Verifies Dropbox webhooks (and answers the challenge) before the inner service. See the
    /// [module docs](self).
    DropboxLayer, Dropbox, DropboxScheme
}

impl DropboxLayer {
    /// A layer verifying with the app secret.
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn new(app_secret: &str) -> Result<Self, ConfigError> {
        let hmac = HeaderHmac::new(SIGNATURE, Digest::Sha256)?;
        Self(WebhookLayer::new(DropboxScheme { hmac })).secret(app_secret)
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

/// Signs notifications like Dropbox (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct DropboxSigner {
    keys: webhook_core::patterns::HmacKeys,
}

#[cfg(feature = "test-util")]
impl DropboxSigner {
    /// A signer for this app secret.
    #[must_use]
    pub fn new(app_secret: &str) -> Self {
        let mut keys = webhook_core::patterns::HmacKeys::new(Digest::Sha256);
        keys.push(app_secret);
        Self { keys }
    }

    /// The `X-Dropbox-Signature` value for `body`.
    #[must_use]
    pub fn header(&self, body: &[u8]) -> String {
        webhook_core::patterns::Encoding::Hex
            .encode(&self.keys.sign(0, &[body]).unwrap_or_default())
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
