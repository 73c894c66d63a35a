//! A raw hyper 1 receiver: each provider's layer wraps a `tower::service_fn` handler, a small
//! dispatcher picks the route by path, and hyper-util serves it with graceful shutdown.
//!
//! [`serve`] works for any tower service (the warp example reuses it).
//!
//! ```no_run
//! use example_common::{Inbox, ProviderLayers, ReceiverConfig};
//!
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let config = ReceiverConfig::load("examples/axum/receiver.toml".as_ref())?;
//! let service = example_hyper::app(ProviderLayers::build(&config, None)?, Inbox::default());
//! let listener = tokio::net::TcpListener::bind(config.listen).await?;
//! example_hyper::serve(listener, service, async { let _ = tokio::signal::ctrl_c().await; }).await?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use example_common::{Inbox, ProviderLayers, Received, routes};
use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tower::util::BoxCloneSyncService;
use tower::{Layer, ServiceExt};
use tower_http::trace::TraceLayer;
use webhook::VerifiedBody;
use webhook::autoflex::AutoflexEvent;
use webhook::avaplace::AvaplaceEvent;
use webhook::ricloud::RicloudEvent;
use webhook::shipmondo::ShipmondoEvent;
use webhook::sns::SnsEvent;
use webhook::standard::StandardEvent;

/// The response body every route answers with.
pub type Body = UnsyncBoxBody<Bytes, BoxError>;
/// One provider's route: its layer around the handler, type-erased.
pub type Route = BoxCloneSyncService<Request<Incoming>, Response<Body>, Infallible>;

/// The handler: the event in the extensions was verified by the layer.
fn handler<E>(
    inbox: Inbox,
) -> impl tower::Service<
    Request<VerifiedBody>,
    Response = Response<Body>,
    Error = Infallible,
    Future: Send,
> + Clone
+ Send
+ Sync
+ 'static
where
    E: Clone + Send + Sync + 'static,
    for<'a> Received: From<&'a E>,
{
    tower::service_fn(move |request: Request<VerifiedBody>| {
        let status = match request.extensions().get::<E>() {
            Some(event) => {
                inbox.record(Received::from(event));
                StatusCode::OK
            }
            None => StatusCode::INTERNAL_SERVER_ERROR,
        };
        std::future::ready(Ok(empty(status)))
    })
}

fn empty(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(
        http_body_util::Empty::new()
            .map_err(|never| match never {})
            .boxed_unsync(),
    );
    *response.status_mut() = status;
    response
}

/// Erases a response's body type (for [`Route`]s built from any tower service).
pub fn boxed<B>(response: Response<B>) -> Response<Body>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    response.map(|body| body.map_err(Into::into).boxed_unsync())
}

/// Wraps the handler for `$event` in `$layer` (when configured) and erases the type.
macro_rules! mount {
    ($routes:ident, $name:expr, $layer:expr, $event:ty, $inbox:expr) => {
        if let Some(layer) = $layer {
            let verified = layer.layer(handler::<$event>($inbox.clone()));
            let service = ServiceExt::<Request<Incoming>>::map_response(verified, boxed);
            $routes.insert($name, Route::new(service));
        }
    };
}

/// The receiver: a path dispatcher over one route per configured provider, traced.
pub fn app(layers: ProviderLayers, inbox: Inbox) -> Receiver {
    let mut routes: HashMap<&'static str, Route> = HashMap::new();
    mount!(routes, "standard", layers.standard, StandardEvent, inbox);
    mount!(routes, "ricloud", layers.ricloud, RicloudEvent, inbox);
    mount!(routes, "shipmondo", layers.shipmondo, ShipmondoEvent, inbox);
    mount!(routes, "avaplace", layers.avaplace, AvaplaceEvent, inbox);
    mount!(routes, "autoflex", layers.autoflex, AutoflexEvent, inbox);
    mount!(routes, "sns", layers.sns, SnsEvent, inbox);
    dispatch(routes)
}

/// What [`app`] and [`dispatch`] return: a traced tower service over `Request<Incoming>`.
pub type Receiver = tower_http::trace::Trace<
    BoxCloneSyncService<Request<Incoming>, Response<Body>, Infallible>,
    tower_http::classify::SharedClassifier<tower_http::classify::ServerErrorsAsFailures>,
    fn(&Request<Incoming>) -> tracing::Span,
>;

/// Dispatches by path ([`routes::provider_of`]) to the provider's route (404 elsewhere), with
/// `TraceLayer` outside everything; spans record the path, never the query string (an
/// Autoflex10 callback's `id` is a secret).
#[must_use]
pub fn dispatch(routes: HashMap<&'static str, Route>) -> Receiver {
    let routes = Arc::new(routes);
    let dispatcher = tower::service_fn(move |request: Request<Incoming>| {
        let route = routes::provider_of(request.uri().path())
            .and_then(|provider| routes.get(provider))
            .cloned();
        async move {
            match route {
                Some(route) => route.oneshot(request).await,
                None => Ok(empty(StatusCode::NOT_FOUND)),
            }
        }
    });
    let span: fn(&Request<Incoming>) -> tracing::Span = |request| tracing::info_span!("webhook", method = %request.method(), path = request.uri().path());
    TraceLayer::new_for_http()
        .make_span_with(span)
        .layer(BoxCloneSyncService::new(dispatcher))
}

/// An error any body may return.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Serves `service` over HTTP/1.1 on `listener` until `shutdown` completes, then waits up to
/// 10 seconds for open connections to finish. Request heads must arrive within 10 seconds
/// (the webhook layers bound the body themselves).
///
/// # Errors
/// Never for per-connection failures (they are logged); kept for listener errors.
pub async fn serve<S, B>(
    listener: tokio::net::TcpListener,
    service: S,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()>
where
    S: tower::Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(10));
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(error) => {
                        tracing::warn!(%error, "accept failed");
                        continue;
                    }
                };
                let service = TowerToHyperService::new(service.clone());
                let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    if let Err(error) = connection.await {
                        tracing::debug!(%error, "connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    if tokio::time::timeout(Duration::from_secs(10), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after 10 s; closing");
    }
    Ok(())
}
