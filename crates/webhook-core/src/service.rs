//! [`Webhook`]: the service built by [`WebhookLayer`](crate::WebhookLayer).

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

use bytes::{Buf, Bytes};
use http::header::{CONTENT_ENCODING, CONTENT_LENGTH};
use http::request::Parts;
use http::{HeaderName, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::BodyExt;
use tower_service::Service;

use crate::body::{ResponseBody, VerifiedBody};
use crate::clock::ReceivedAt;
use crate::future::ResponseFuture;
use crate::layer::{Config, effective_dedup_ttl};
use crate::rejection::{Reason, Rejection};
use crate::replay::Claim;
use crate::verify::{ALWAYS_SENSITIVE, Verdict, VerifyContext, VerifyWebhook, replay_key};

/// Boxed error type accepted from request bodies.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the layer did with a request; inserted into every response's extensions so outer
/// layers (tracing, metrics, tests) can tell without parsing bodies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Verified and passed to the inner service (whatever it answered).
    Delivered,
    /// Verified, but already delivered: acknowledged without calling the inner service.
    Duplicate,
    /// Verified, and answered by the scheme itself (a confirmation or challenge).
    Answered,
    /// Refused with this reason; the inner service was not called.
    Rejected(Reason),
}

/// The middleware service. See [`WebhookLayer`](crate::WebhookLayer).
pub struct Webhook<S, V> {
    inner: S,
    // Shared, so a request costs a reference count rather than a copy of the keys.
    scheme: Arc<V>,
    config: Arc<Config>,
}

impl<S: Clone, V> Clone for Webhook<S, V> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            scheme: self.scheme.clone(),
            config: self.config.clone(),
        }
    }
}

impl<S: fmt::Debug, V: fmt::Debug> fmt::Debug for Webhook<S, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("inner", &self.inner)
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

impl<S, V> Webhook<S, V> {
    pub(crate) const fn new(inner: S, scheme: Arc<V>, config: Arc<Config>) -> Self {
        Self {
            inner,
            scheme,
            config,
        }
    }

    /// The inner service.
    pub const fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub const fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Consumes the middleware, returning the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, V, ReqBody, ResBody> Service<Request<ReqBody>> for Webhook<S, V>
where
    S: Service<Request<VerifiedBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Send,
    V: VerifyWebhook,
    ReqBody: Body + Send + 'static,
    ReqBody::Data: Send,
    ReqBody::Error: Into<BoxError>,
    ResBody: Send + 'static,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<ResBody, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        // The clone is not necessarily ready: keep the one `poll_ready` readied.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        ResponseFuture::new(Box::pin(handle(
            inner,
            self.scheme.clone(),
            self.config.clone(),
            request,
        )))
    }
}

/// The clock's reading, or the request's [`ReceivedAt`] when the layer honours it and it is
/// recent enough (see [`WebhookLayer::received_at_max_age`](crate::WebhookLayer::received_at_max_age)).
fn verification_time(config: &Config, parts: &Parts) -> Result<SystemTime, Rejection> {
    let clock = config.clock.now();
    let (Some(max_age), Some(ReceivedAt(received))) = (
        config.received_at_max_age,
        parts.extensions.get::<ReceivedAt>(),
    ) else {
        return Ok(clock);
    };
    match clock.duration_since(*received) {
        Err(_) => Ok(clock),
        Ok(age) if age <= max_age => Ok(*received),
        Ok(age) => Err(
            Rejection::new(Reason::TimestampOutOfTolerance).with_detail(format!(
                "received {} s ago, more than the {} s allowed",
                age.as_secs(),
                max_age.as_secs()
            )),
        ),
    }
}

async fn handle<S, V, ReqBody, ResBody>(
    mut inner: S,
    scheme: Arc<V>,
    config: Arc<Config>,
    request: Request<ReqBody>,
) -> Result<Response<ResponseBody<ResBody>>, S::Error>
where
    S: Service<Request<VerifiedBody>, Response = Response<ResBody>>,
    V: VerifyWebhook,
    ReqBody: Body,
    ReqBody::Error: Into<BoxError>,
{
    let provider = scheme.provider();
    let (mut parts, body) = request.into_parts();
    let bytes = match admit(&*scheme, &config, &parts, body).await {
        Ok(bytes) => bytes,
        Err(rejection) => return Ok(reject(&config, provider, None, &rejection)),
    };
    let now = match verification_time(&config, &parts) {
        Ok(now) => now,
        Err(rejection) => return Ok(reject(&config, provider, None, &rejection)),
    };
    let cx = VerifyContext::new(
        now,
        provider,
        config.fetch.clone(),
        config.keys.clone(),
        config.replay.clone(),
    );
    let verified = match scheme.verify(&parts, &bytes, &cx).await {
        Ok(Verdict::Deliver(verified)) => verified,
        Ok(Verdict::Respond(response)) => {
            let mut response = response.map(ResponseBody::layer);
            response.extensions_mut().insert(Outcome::Answered);
            return Ok(response);
        }
        Ok(Verdict::Duplicate) => return Ok(duplicate(provider, None)),
        Err(rejection) => return Ok(reject(&config, provider, None, &rejection)),
    };
    let id = verified.delivery.id.clone();
    let key = verified
        .dedup
        .as_deref()
        .map(|dedup| replay_key(provider, dedup));
    let mut leased = false;
    if let Some(key) = &key {
        match config.replay.claim(key, config.lease).await {
            Ok(Claim::Fresh) => leased = true,
            Ok(Claim::InFlight) => {
                let rejection = Rejection::new(Reason::DuplicateInFlight);
                return Ok(reject(&config, provider, id.as_deref(), &rejection));
            }
            Ok(Claim::Done) => return Ok(duplicate(provider, id.as_deref())),
            Err(error) if config.fail_open_on_store_error => {
                tracing::error!(target: "webhook::replay", provider, %error, "replay store unavailable; delivering anyway (fail open)");
            }
            Err(error) => {
                let rejection = Rejection::new(Reason::StoreUnavailable).with_source(error);
                return Ok(reject(&config, provider, id.as_deref(), &rejection));
            }
        }
    }
    mark_sensitive(&mut parts, scheme.sensitive_headers());
    parts.extensions.insert(verified.event);
    parts.extensions.insert(verified.delivery);
    let result = inner
        .call(Request::from_parts(parts, VerifiedBody::new(bytes)))
        .await;
    if let (Some(key), true) = (&key, leased) {
        let succeeded = result.as_ref().is_ok_and(|r| r.status().is_success());
        let settled = if succeeded {
            config
                .replay
                .complete(key, effective_dedup_ttl(&config, &*scheme))
                .await
        } else {
            config.replay.release(key).await
        };
        if let Err(error) = settled {
            tracing::warn!(target: "webhook::replay", provider, id = id.as_deref(), %error, succeeded, "could not settle the replay lease");
        }
    }
    result.map(|response| {
        let mut response = response.map(ResponseBody::inner);
        response.extensions_mut().insert(Outcome::Delivered);
        response
    })
}

/// Everything checked before the scheme runs: method, size, encoding, and the bounded, timed
/// buffering of the body.
async fn admit<V, B>(
    scheme: &V,
    config: &Config,
    parts: &Parts,
    body: B,
) -> Result<Bytes, Rejection>
where
    V: VerifyWebhook,
    B: Body,
    B::Error: Into<BoxError>,
{
    if !scheme.allows_method(&parts.method) {
        return Err(Rejection::new(Reason::MethodNotAllowed)
            .with_detail(format!("method {}", parts.method)));
    }
    let limit = config.body_limit;
    for value in parts.headers.get_all(CONTENT_LENGTH) {
        let declared = value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|len| len > limit as u64) {
            return Err(Rejection::new(Reason::BodyTooLarge)
                .with_detail("declared Content-Length over the limit"));
        }
    }
    for value in parts.headers.get_all(CONTENT_ENCODING) {
        let identity = value
            .to_str()
            .is_ok_and(|v| v.trim().eq_ignore_ascii_case("identity"));
        if !identity {
            return Err(Rejection::new(Reason::UnsupportedEncoding));
        }
    }
    match tokio::time::timeout(config.body_timeout, read_limited(body, limit)).await {
        Err(_elapsed) => Err(Rejection::new(Reason::BodyTimeout)),
        Ok(result) => result,
    }
}

/// Reads at most `limit` body bytes into one buffer. A single-frame body is kept as is (no
/// copy); otherwise frames are appended to a buffer that starts at four times the bytes
/// received and then doubles, never past `limit`, so a request costs at most `limit` plus one
/// frame (SECURITY.md §4 R3). The buffer is never sized from `Content-Length` (T07: stalled
/// uploads must stay cheap).
/// Collecting the frames and then concatenating them, as `BodyExt::collect` + `to_bytes` do,
/// holds the body twice.
async fn read_limited<B>(body: B, limit: usize) -> Result<Bytes, Rejection>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    let mut body = std::pin::pin!(body);
    let mut first: Option<Bytes> = None;
    let mut buffer: Vec<u8> = Vec::new();
    let mut len = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|error| {
            Rejection::new(Reason::MalformedBody)
                .with_detail(format!("body could not be read: {}", error.into()))
        })?;
        // Trailers are never part of the signed bytes (T14).
        let Ok(mut data) = frame.into_data() else {
            continue;
        };
        let chunk = data.copy_to_bytes(data.remaining());
        len = len
            .checked_add(chunk.len())
            .filter(|&total| total <= limit)
            .ok_or_else(|| {
                Rejection::new(Reason::BodyTooLarge).with_detail("streamed body over the limit")
            })?;
        if chunk.is_empty() {
            continue;
        }
        if first.is_none() && buffer.is_empty() {
            first = Some(chunk);
            continue;
        }
        if buffer.capacity() < len {
            // The first reservation is four times what has arrived (a body that streams in
            // several frames is usually much longer than two of them), later ones double; both
            // stay proportional to bytes received, never to `Content-Length`.
            let grown = if buffer.capacity() == 0 {
                len.saturating_mul(4)
            } else {
                buffer.capacity().saturating_mul(2)
            };
            let wanted = grown.clamp(len, limit.max(len));
            buffer.reserve_exact(wanted.saturating_sub(buffer.len()));
        }
        if let Some(head) = first.take() {
            buffer.extend_from_slice(&head);
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(first.unwrap_or_else(|| Bytes::from(buffer)))
}

fn mark_sensitive(parts: &mut Parts, extra: &[&str]) {
    let names = ALWAYS_SENSITIVE
        .iter()
        .cloned()
        .chain(extra.iter().filter_map(|n| HeaderName::try_from(*n).ok()));
    for name in names {
        if let http::header::Entry::Occupied(mut entry) = parts.headers.entry(name) {
            for value in entry.iter_mut() {
                value.set_sensitive(true);
            }
        }
    }
}

fn duplicate<B>(provider: &'static str, id: Option<&str>) -> Response<ResponseBody<B>> {
    tracing::debug!(target: "webhook::duplicate", provider, id, "duplicate delivery acknowledged");
    let mut response = Response::new(ResponseBody::layer(Bytes::new()));
    *response.status_mut() = StatusCode::OK;
    response.extensions_mut().insert(Outcome::Duplicate);
    response
}

/// The one place rejections are logged and turned into responses.
fn reject<B>(
    config: &Config,
    provider: &'static str,
    id: Option<&str>,
    rejection: &Rejection,
) -> Response<ResponseBody<B>> {
    let reason = rejection.reason();
    let status = reason.status().as_u16();
    let detail = rejection.detail().unwrap_or("");
    if matches!(reason, Reason::KeyUnavailable | Reason::StoreUnavailable) {
        tracing::warn!(target: "webhook::rejection", provider, reason = reason.as_str(), status, id, detail, "webhook rejected");
    } else {
        tracing::debug!(target: "webhook::rejection", provider, reason = reason.as_str(), status, id, detail, "webhook rejected");
    }
    let mut response = config.respond.respond(rejection).map(ResponseBody::layer);
    response.extensions_mut().insert(rejection.clone());
    response.extensions_mut().insert(Outcome::Rejected(reason));
    response
}
