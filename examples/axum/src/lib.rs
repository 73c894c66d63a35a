//! An axum receiver with every seed provider on its own route.
//!
//! Each route is `ServiceBuilder::new().layer(<provider layer>).service(handler)`: the layer
//! verifies, de-duplicates and decodes, and the handler reads the typed event from the
//! request's extensions. `TraceLayer` wraps the whole router, outside the webhook layers, so
//! rejections are traced too; its spans record the path only, never the query string (an
//! Autoflex10 callback's `id` is a secret).
//!
//! ```no_run
//! use example_axum::{app, serve};
//! use example_common::{Inbox, ProviderLayers, ReceiverConfig};
//!
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let config = ReceiverConfig::load("receiver.toml".as_ref())?;
//! let router = app(ProviderLayers::build(&config, None)?, Inbox::default());
//! let listener = tokio::net::TcpListener::bind(config.listen).await?;
//! serve(listener, router, async { let _ = tokio::signal::ctrl_c().await; }).await?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

use std::future::Future;

use axum::Router;
use axum::extract::{Extension, State};
use axum::handler::Handler;
use axum::http::{Request, StatusCode};
use example_common::{Inbox, ProviderLayers, Received, routes};
use tower::ServiceBuilder;
use tower_http::trace::TraceLayer;
use webhook::autoflex::AutoflexEvent;
use webhook::avaplace::AvaplaceEvent;
use webhook::ricloud::RicloudEvent;
use webhook::shipmondo::ShipmondoEvent;
use webhook::sns::SnsEvent;
use webhook::standard::StandardEvent;

/// The one handler every provider shares: the layer has already verified the request, so the
/// event in the extensions is authentic and fresh. Any 2xx acknowledges the delivery; an
/// error status makes the provider redeliver (and the layer releases the id for that retry).
async fn receive<E>(State(inbox): State<Inbox>, Extension(event): Extension<E>) -> StatusCode
where
    E: Clone + Send + Sync + 'static,
    for<'a> Received: From<&'a E>,
{
    inbox.record(Received::from(&event));
    StatusCode::OK
}

/// Mounts `$layer` (when configured) in front of the shared handler for `$event`.
macro_rules! mount {
    ($router:ident, $path:expr, $layer:expr, $event:ty, $inbox:expr) => {
        if let Some(layer) = $layer {
            let handler = receive::<$event>.with_state($inbox.clone());
            $router =
                $router.route_service($path, ServiceBuilder::new().layer(layer).service(handler));
        }
    };
}

/// The router: one route per configured provider, traced.
pub fn app(layers: ProviderLayers, inbox: Inbox) -> Router {
    let mut router = Router::new();
    let avaplace_route = format!("{}{{*message}}", routes::AVAPLACE_PREFIX);
    mount!(
        router,
        routes::STANDARD,
        layers.standard,
        StandardEvent,
        inbox
    );
    mount!(router, routes::RICLOUD, layers.ricloud, RicloudEvent, inbox);
    mount!(
        router,
        routes::SHIPMONDO,
        layers.shipmondo,
        ShipmondoEvent,
        inbox
    );
    mount!(
        router,
        &avaplace_route,
        layers.avaplace,
        AvaplaceEvent,
        inbox
    );
    mount!(
        router,
        routes::AUTOFLEX,
        layers.autoflex,
        AutoflexEvent,
        inbox
    );
    mount!(router, routes::SNS, layers.sns, SnsEvent, inbox);
    router.layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
        tracing::info_span!("webhook", method = %request.method(), path = request.uri().path())
    }))
}

/// Serves `router` on `listener` until `shutdown` completes, then lets in-flight requests
/// finish (graceful shutdown).
///
/// # Errors
/// The listener failed.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
