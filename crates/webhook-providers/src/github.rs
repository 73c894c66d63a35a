//! [GitHub](https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries):
//! `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | `X-Hub-Signature-256` present once, ≤ 2 KiB | `missing_header`, `malformed_header` |
//! | exactly the `sha256=` prefix, then hex (either case) | `signature_mismatch`, `malformed_header` |
//! | the MAC under one configured secret (constant time) | `signature_mismatch` |
//! | `X-GitHub-Delivery` / `X-GitHub-Event`, when present, once and ≤ 256 bytes | `malformed_header` |
//!
//! The legacy SHA-1 `X-Hub-Signature` is never accepted: a request carrying only it is
//! `missing_header`. GitHub signs no timestamp and no id: `X-GitHub-Delivery` is reported as
//! [`GithubEvent::id`] but is **unsigned**, so de-duplication is on the SHA-256 of the signed
//! body (a captured body replayed with a new delivery id is still a duplicate; after the
//! de-duplication TTL it is accepted again). Form-encoded deliveries (`payload=<json>`) are
//! verified over the raw body and [`GithubEvent::payload`] is the decoded `payload` field.
//!
//! ```
//! use http::{Request, Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{Reason, Rejection, VerifiedBody};
//! use webhook_providers::github::{GithubEvent, GithubLayer, GithubSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let secret = "It's a Secret to Everybody";
//! let service = ServiceBuilder::new()
//!     .layer(GithubLayer::new(secret)?)
//!     .service_fn(|req: Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<GithubEvent>().expect("the layer inserts it");
//!         assert_eq!(event.event_type.as_deref(), Some("push"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//!
//! let request = GithubSigner::new(secret).request("/hooks/github", "push", "d1e2", r#"{"ref":"main"}"#)?;
//! let response = service.clone().oneshot(request.map(http_body_util::Full::new)).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//!
//! let forged = GithubSigner::new("guess").request("/hooks/github", "push", "d1e3", r#"{"ref":"main"}"#)?;
//! let response = service.oneshot(forged.map(http_body_util::Full::new)).await?;
//! let reason = response.extensions().get::<Rejection>().map(Rejection::reason);
//! assert_eq!(reason, Some(Reason::SignatureMismatch));
//! # Ok(()) }
//! ```

use bytes::Bytes;
use http::request::Parts;
use webhook_core::patterns::{Digest, HeaderHmac, form_pairs};
use webhook_core::{ConfigError, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer};

use crate::common::{Meta, content_key, info_header, is_form, provider_event, provider_layer_type};

const PROVIDER: &str = "github";
const SIGNATURE: &str = "x-hub-signature-256";

provider_event! {
    /// A verified GitHub delivery. `id` is the unsigned `X-GitHub-Delivery`, `event_type` the
    /// unsigned `X-GitHub-Event`; `timestamp` is always `None`.
    GithubEvent
}

/// The GitHub scheme. Built through [`GithubLayer`].
#[derive(Clone, Debug)]
pub struct GithubScheme {
    hmac: HeaderHmac,
}

impl GithubScheme {
    fn new() -> Result<Self, ConfigError> {
        Ok(Self {
            hmac: HeaderHmac::new(SIGNATURE, Digest::Sha256)?.prefix("sha256="),
        })
    }
}

impl VerifyWebhook for GithubScheme {
    type Event = GithubEvent;

    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn sensitive_headers(&self) -> &'static [&'static str] {
        &[SIGNATURE, "x-hub-signature"]
    }

    async fn verify(
        &self,
        parts: &Parts,
        body: &Bytes,
        cx: &VerifyContext,
    ) -> Result<Verdict<GithubEvent>, Rejection> {
        let matched = self.hmac.verify(&parts.headers, body, cx.unix_now())?;
        let mut meta = Meta::new(matched.matched_key, None);
        meta.id = info_header(&parts.headers, "x-github-delivery")?;
        meta.event_type = info_header(&parts.headers, "x-github-event")?;
        let payload = if is_form(&parts.headers) {
            form_pairs(body)
                .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == b"payload"))
                .map_or_else(Bytes::new, |(_, v)| Bytes::from(v))
        } else {
            body.clone()
        };
        let dedup = content_key(&[body]);
        let event = GithubEvent::new(meta.clone(), payload);
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(dedup),
        )))
    }
}

provider_layer_type! {
    /// Verifies GitHub webhooks before the inner service. See the [module docs](self).
    GithubLayer, Github, GithubScheme
}

impl GithubLayer {
    /// A layer verifying with the webhook's secret.
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn new(secret: &str) -> Result<Self, ConfigError> {
        Self(WebhookLayer::new(GithubScheme::new()?)).secret(secret)
    }

    /// Adds a secret (rotation; the event's `matched_key` says which verified).
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn secret(mut self, secret: &str) -> Result<Self, ConfigError> {
        self.0.scheme_mut().hmac.add_secret(secret.as_bytes())?;
        Ok(self)
    }
}

/// Signs deliveries like GitHub (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct GithubSigner {
    keys: webhook_core::patterns::HmacKeys,
}

#[cfg(feature = "test-util")]
impl GithubSigner {
    /// A signer for this secret.
    #[must_use]
    pub fn new(secret: &str) -> Self {
        let mut keys = webhook_core::patterns::HmacKeys::new(Digest::Sha256);
        keys.push(secret);
        Self { keys }
    }

    /// The `X-Hub-Signature-256` value for `body`.
    #[must_use]
    pub fn header(&self, body: &[u8]) -> String {
        let mac = self.keys.sign(0, &[body]).unwrap_or_default();
        format!("sha256={}", webhook_core::patterns::hex_encode(&mac))
    }

    /// A signed JSON `POST` to `uri` with `X-GitHub-Event` and `X-GitHub-Delivery`.
    ///
    /// # Errors
    /// `uri` is not a valid URI.
    pub fn request(
        &self,
        uri: &str,
        event: &str,
        delivery: &str,
        body: impl Into<Bytes>,
    ) -> Result<http::Request<Bytes>, http::Error> {
        let body = body.into();
        http::Request::post(uri)
            .header("content-type", "application/json")
            .header("x-github-event", event)
            .header("x-github-delivery", delivery)
            .header(SIGNATURE, self.header(&body))
            .body(body)
    }
}
