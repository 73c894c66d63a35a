//! [GitLab](https://docs.gitlab.com/user/project/integrations/webhooks/#validate-requests-with-a-secret-token):
//! a shared secret token in `X-Gitlab-Token`.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | `X-Gitlab-Token` present once, ≤ 2 KiB | `missing_header`, `malformed_header` |
//! | equal to one configured token (SHA-256 digests compared in constant time) | `signature_mismatch` |
//! | `Idempotency-Key`, `X-Gitlab-Event-UUID`, `X-Gitlab-Event`, when present, once and ≤ 256 bytes | `malformed_header` |
//!
//! The token authenticates the sender but signs nothing: anyone who holds the token (or sees
//! one request) can send any body. Use HTTPS and keep the token secret; where your GitLab
//! offers signing tokens (Standard Webhooks), prefer the `standard` provider. Deliveries are
//! de-duplicated on GitLab's `Idempotency-Key` (the same across retries), falling back to
//! `X-Gitlab-Event-UUID`; without either they are not de-duplicated. Those headers are as
//! trustworthy as the token itself.
//!
//! ```
//! use http::{Request, Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::VerifiedBody;
//! use webhook_providers::gitlab::{GitlabEvent, GitlabLayer, GitlabSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let service = ServiceBuilder::new()
//!     .layer(GitlabLayer::new("gl-token-8d1f")?)
//!     .service_fn(|req: Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<GitlabEvent>().expect("the layer inserts it");
//!         assert_eq!(event.event_type.as_deref(), Some("Push Hook"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let request = GitlabSigner::new("gl-token-8d1f")
//!     .request("/hooks/gitlab", "Push Hook", "f3c2-1", r#"{"object_kind":"push"}"#)?;
//! let response = service.oneshot(request.map(http_body_util::Full::new)).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//! # Ok(()) }
//! ```

use bytes::Bytes;
use http::request::Parts;
use webhook_core::patterns::SharedTokens;
use webhook_core::{ConfigError, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer};

use crate::common::{Meta, info_header, provider_event, provider_layer_type};

const PROVIDER: &str = "gitlab";
const TOKEN: &str = "x-gitlab-token";

provider_event! {
    /// A verified GitLab delivery. `id` is `Idempotency-Key` (else `X-Gitlab-Event-UUID`),
    /// `event_type` is `X-Gitlab-Event`; `timestamp` is always `None`.
    GitlabEvent
}

/// The GitLab scheme. Built through [`GitlabLayer`].
#[derive(Clone, Debug)]
pub struct GitlabScheme {
    tokens: SharedTokens,
}

impl VerifyWebhook for GitlabScheme {
    type Event = GitlabEvent;

    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn sensitive_headers(&self) -> &'static [&'static str] {
        &[TOKEN]
    }

    async fn verify(
        &self,
        parts: &Parts,
        body: &Bytes,
        _cx: &VerifyContext,
    ) -> Result<Verdict<GitlabEvent>, Rejection> {
        let matched = self.tokens.verify(&parts.headers)?;
        let mut meta = Meta::new(matched, None);
        let idempotency = info_header(&parts.headers, "idempotency-key")?;
        let uuid = info_header(&parts.headers, "x-gitlab-event-uuid")?;
        meta.id = idempotency.or(uuid);
        meta.event_type = info_header(&parts.headers, "x-gitlab-event")?;
        let event = GitlabEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            meta.id.clone(),
        )))
    }
}

provider_layer_type! {
    /// Verifies GitLab webhooks before the inner service. See the [module docs](self).
    GitlabLayer, Gitlab, GitlabScheme
}

impl GitlabLayer {
    /// A layer accepting this secret token.
    ///
    /// # Errors
    /// The token is empty, has surrounding whitespace, or cannot be a header value.
    pub fn new(token: &str) -> Result<Self, ConfigError> {
        let tokens = SharedTokens::new(TOKEN)?;
        Self(WebhookLayer::new(GitlabScheme { tokens })).token(token)
    }

    /// Adds a token (rotation; the event's `matched_key` says which matched).
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn token(mut self, token: &str) -> Result<Self, ConfigError> {
        self.0.scheme_mut().tokens.add_token(token)?;
        Ok(self)
    }
}

/// Sends requests like GitLab (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct GitlabSigner {
    token: String,
}

#[cfg(feature = "test-util")]
impl GitlabSigner {
    /// A sender with this token.
    #[must_use]
    pub fn new(token: &str) -> Self {
        Self {
            token: token.to_owned(),
        }
    }

    /// A JSON `POST` to `uri` with the token, `X-Gitlab-Event` and `Idempotency-Key`.
    ///
    /// # Errors
    /// `uri` is not a valid URI, or a value is not a valid header value.
    pub fn request(
        &self,
        uri: &str,
        event: &str,
        idempotency_key: &str,
        body: impl Into<Bytes>,
    ) -> Result<http::Request<Bytes>, http::Error> {
        http::Request::post(uri)
            .header("content-type", "application/json")
            .header("x-gitlab-event", event)
            .header("idempotency-key", idempotency_key)
            .header(TOKEN, self.token.as_str())
            .body(body.into())
    }
}
