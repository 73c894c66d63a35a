//! Drives a provider layer with `oneshot` in front of a counting inner service.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code,
    unreachable_pub
)] // test code

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use tower::util::BoxCloneSyncService;
use tower::{Layer, Service, ServiceExt};
use webhook_core::{Outcome, Reason, Rejection, ResponseBody, VerifiedBody};

pub type Inner = BoxCloneSyncService<Request<VerifiedBody>, Response<Full<Bytes>>, Infallible>;

/// What one request produced.
#[derive(Debug)]
pub struct Run<E> {
    pub status: u16,
    pub reason: Option<Reason>,
    pub outcome: Option<Outcome>,
    pub event: Option<E>,
    pub body: Bytes,
}

/// Sends `requests` in order through one instance of `layer`; returns each result and the
/// number of inner calls. The inner service answers `inner_status`.
pub async fn run_with_status<E, L>(
    layer: L,
    inner_status: u16,
    requests: Vec<Request<Bytes>>,
) -> (Vec<Run<E>>, usize)
where
    E: Clone + Send + Sync + 'static,
    L: Layer<Inner>,
    L::Service: Service<
            Request<Full<Bytes>>,
            Response = Response<ResponseBody<Full<Bytes>>>,
            Error = Infallible,
        > + Clone,
{
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let inner: Inner =
        BoxCloneSyncService::new(tower::service_fn(move |req: Request<VerifiedBody>| {
            counter.fetch_add(1, Ordering::SeqCst);
            let event = req.extensions().get::<E>().cloned();
            async move {
                let mut response = Response::new(Full::new(Bytes::new()));
                *response.status_mut() = http::StatusCode::from_u16(inner_status).unwrap();
                response.extensions_mut().insert(Slot(event));
                Ok::<_, Infallible>(response)
            }
        }));
    let service = layer.layer(inner);
    let mut runs = Vec::new();
    for request in requests {
        let response = service
            .clone()
            .oneshot(request.map(Full::new))
            .await
            .unwrap();
        let status = response.status().as_u16();
        let reason = response
            .extensions()
            .get::<Rejection>()
            .map(Rejection::reason);
        let outcome = response.extensions().get::<Outcome>().copied();
        let event = response
            .extensions()
            .get::<Slot<E>>()
            .and_then(|slot| slot.0.clone());
        let body = response.into_body().collect().await.unwrap().to_bytes();
        runs.push(Run {
            status,
            reason,
            outcome,
            event,
            body,
        });
    }
    (runs, calls.load(Ordering::SeqCst))
}

/// [`run_with_status`] with an inner service answering 200.
pub async fn run<E, L>(layer: L, requests: Vec<Request<Bytes>>) -> (Vec<Run<E>>, usize)
where
    E: Clone + Send + Sync + 'static,
    L: Layer<Inner>,
    L::Service: Service<
            Request<Full<Bytes>>,
            Response = Response<ResponseBody<Full<Bytes>>>,
            Error = Infallible,
        > + Clone,
{
    run_with_status(layer, 200, requests).await
}

#[derive(Clone)]
struct Slot<E>(Option<E>);

/// Replaces (or adds) one header of a request.
pub fn with_header(mut request: Request<Bytes>, name: &'static str, value: &str) -> Request<Bytes> {
    request
        .headers_mut()
        .insert(name, http::HeaderValue::from_str(value).unwrap());
    request
}

/// Removes a header.
pub fn without_header(mut request: Request<Bytes>, name: &'static str) -> Request<Bytes> {
    request.headers_mut().remove(name);
    request
}

/// Appends a second copy of a header.
pub fn repeat_header(mut request: Request<Bytes>, name: &'static str) -> Request<Bytes> {
    let value = request.headers()[name].clone();
    request.headers_mut().append(name, value);
    request
}

/// The request with another body (headers unchanged).
pub fn with_body(request: Request<Bytes>, body: &'static str) -> Request<Bytes> {
    request.map(|_| Bytes::from_static(body.as_bytes()))
}

/// Flips the last hex digit of a header value.
pub fn flip_last(value: &str) -> String {
    let mut text = value.to_owned();
    let last = text.pop().unwrap();
    text.push(if last == '0' { '1' } else { '0' });
    text
}
