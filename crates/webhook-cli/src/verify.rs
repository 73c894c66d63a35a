//! `webhook verify`: run a captured request through the provider's real layer.

use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use serde::Serialize;
use tower::{Layer, Service, ServiceExt};
use webhook::autoflex::{AutoflexEvent, AutoflexLayer};
use webhook::avaplace::{AvaplaceEvent, AvaplaceLayer};
use webhook::ricloud::{RicloudEvent, RicloudLayer};
use webhook::shipmondo::{ShipmondoEvent, ShipmondoLayer};
use webhook::sns::{SnsEvent, SnsLayer};
use webhook::standard::{StandardEvent, StandardLayer};
use webhook::{Fetch, FixedClock, HttpsFetch, Rejection, TableFetch, TableResponse, VerifiedBody};

use crate::{CliError, Provider, VerifyArgs, read_input};

type Seen = Arc<Mutex<Option<serde_json::Value>>>;

/// The inner service: records the verified event as JSON.
fn recorder<E: Serialize + Send + Sync + 'static>(
    seen: &Seen,
) -> impl Service<
    Request<VerifiedBody>,
    Response = Response<Full<Bytes>>,
    Error = Infallible,
    Future: Send,
> + Clone
+ Send
+ 'static {
    let seen = Arc::clone(seen);
    tower::service_fn(move |request: Request<VerifiedBody>| {
        let event = request
            .extensions()
            .get::<E>()
            .and_then(|event| serde_json::to_value(event).ok());
        *seen.lock().unwrap_or_else(PoisonError::into_inner) = event;
        std::future::ready(Ok::<_, Infallible>(Response::new(Full::new(Bytes::new()))))
    })
}

/// Configures `$layer` with the clock and fetcher, runs the request, and reports.
macro_rules! check {
    ($layer:expr, $event:ty, $args:expr, $fetch:expr, $request:expr) => {{
        let mut layer = $layer.shared_fetcher($fetch);
        if let Some(now) = $args.now {
            layer = layer.clock(FixedClock::at_unix(
                u64::try_from(now).map_err(|_| "--now is negative")?,
            ));
        }
        let seen = Seen::default();
        let response = layer
            .layer(recorder::<$event>(&seen))
            .oneshot($request)
            .await?;
        report(&seen, &response)
    }};
}

pub(crate) async fn run(args: VerifyArgs) -> Result<bool, CliError> {
    let raw = read_input(&args.request).await?;
    let request = crate::raw::parse(&raw)?.map(Full::new);
    let fetch = fetcher(&args).await?;
    let secret = || {
        args.provider
            .secret
            .as_deref()
            .ok_or("the secret is needed: pass --secret or set WEBHOOK_SECRET")
    };
    let code = || {
        args.provider
            .security_code
            .as_deref()
            .ok_or("pass --security-code")
    };
    match args.provider.provider {
        Provider::Standard => check!(
            StandardLayer::new(secret()?)?,
            StandardEvent,
            args,
            fetch,
            request
        ),
        Provider::Ricloud => check!(
            RicloudLayer::new(secret()?)?,
            RicloudEvent,
            args,
            fetch,
            request
        ),
        Provider::Shipmondo => {
            let mut layer = ShipmondoLayer::new(secret()?)?;
            if let Some(url) = &args.endpoint_url {
                layer = layer.endpoint_url(url)?;
            }
            check!(layer, ShipmondoEvent, args, fetch, request)
        }
        Provider::Avaplace => {
            let layer = AvaplaceLayer::new(&args.provider.issuer, code()?)?;
            check!(layer, AvaplaceEvent, args, fetch, request)
        }
        Provider::Autoflex => {
            let token = args.provider.secret.as_deref().unwrap_or("");
            check!(
                AutoflexLayer::new(&args.api_base, token)?,
                AutoflexEvent,
                args,
                fetch,
                request
            )
        }
        Provider::Sns => {
            let layer = SnsLayer::new(&[args.provider.topic.as_str()])?;
            check!(layer, SnsEvent, args, fetch, request)
        }
    }
}

async fn fetcher(args: &VerifyArgs) -> Result<Arc<dyn Fetch>, CliError> {
    if args.online {
        return Ok(Arc::new(HttpsFetch::new()?));
    }
    let table = TableFetch::new();
    for document in &args.documents {
        let (url, path) = document
            .split_once('=')
            .ok_or("--document takes URL=FILE")?;
        let body = read_input(path.as_ref()).await?;
        table.set(url, TableResponse::ok(body));
    }
    Ok(Arc::new(table))
}

fn report<B>(seen: &Seen, response: &Response<B>) -> Result<bool, CliError> {
    let status = response.status().as_u16();
    if let Some(rejection) = response.extensions().get::<Rejection>() {
        println!("rejected: {status} {}", rejection.reason().as_str());
        if let Some(detail) = rejection.detail() {
            println!("detail: {detail}");
        }
        return Ok(false);
    }
    match seen.lock().unwrap_or_else(PoisonError::into_inner).take() {
        Some(event) => {
            println!("verified: {}", serde_json::to_string_pretty(&event)?);
            Ok(true)
        }
        None => {
            println!("not delivered: {status}");
            Ok(false)
        }
    }
}
