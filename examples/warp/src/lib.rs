//! A warp receiver. Each provider's handler is a warp filter that reads the verified event
//! with `warp::ext::get`; `warp::service(filter)` turns it into a tower service, which the
//! provider's webhook layer wraps. The routes are dispatched and served like the raw hyper
//! example ([`example_hyper::dispatch`], [`example_hyper::serve`]).
//!
//! ```no_run
//! use example_common::{Inbox, ProviderLayers, ReceiverConfig};
//!
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let config = ReceiverConfig::load("examples/axum/receiver.toml".as_ref())?;
//! let service = example_warp::app(ProviderLayers::build(&config, None)?, Inbox::default());
//! let listener = tokio::net::TcpListener::bind(config.listen).await?;
//! example_hyper::serve(listener, service, async { let _ = tokio::signal::ctrl_c().await; }).await?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

use std::collections::HashMap;

use example_common::{Inbox, ProviderLayers, Received};
use example_hyper::{Receiver, Route, boxed, dispatch};
use http::Request;
use hyper::body::Incoming;
use tower::{Layer, ServiceExt};
use warp::Filter;
use webhook::autoflex::AutoflexEvent;
use webhook::avaplace::AvaplaceEvent;
use webhook::ricloud::RicloudEvent;
use webhook::shipmondo::ShipmondoEvent;
use webhook::sns::SnsEvent;
use webhook::standard::StandardEvent;

/// The warp handler for events of type `E`: the layer put a verified `E` in the extensions.
fn handler<E>(
    inbox: Inbox,
) -> impl Filter<Extract = (warp::http::StatusCode,), Error = warp::Rejection>
+ Clone
+ Send
+ Sync
+ 'static
where
    E: Clone + Send + Sync + 'static,
    for<'a> Received: From<&'a E>,
{
    warp::ext::get::<E>().map(move |event: E| {
        inbox.record(Received::from(&event));
        warp::http::StatusCode::OK
    })
}

/// Wraps the warp handler for `$event` in `$layer` (when configured).
macro_rules! mount {
    ($routes:ident, $name:expr, $layer:expr, $event:ty, $inbox:expr) => {
        if let Some(layer) = $layer {
            let verified = layer.layer(warp::service(handler::<$event>($inbox.clone())));
            let service = ServiceExt::<Request<Incoming>>::map_response(verified, boxed);
            $routes.insert($name, Route::new(service));
        }
    };
}

/// The receiver: one layered warp filter per configured provider, dispatched by path.
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
