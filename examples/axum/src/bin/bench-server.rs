//! The server `cargo xtask bench-http` measures: one axum route, either a no-op handler that
//! reads the body (`--mode noop`) or the same handler behind a layer: `--mode standard`
//! (`StandardLayer`, `--secret`) or `--mode avaplace` (`AvaplaceLayer`, `--issuer`, `--code`,
//! and `--document URL=FILE` for each IdP document, served from memory instead of the network).
//! Prints `listening on <addr>` and serves until killed.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{MethodRouter, post};
use webhook::avaplace::AvaplaceLayer;
use webhook::standard::StandardLayer;
use webhook::{BoxFuture, Fetch, FetchError, FetchRequest, FetchResponse};

const STANDARD_PATH: &str = "/webhooks/standard";
const AVAPLACE_PATH: &str = "/webhooks/avaplace/{message_type}/{contract_type}/{message_id}";

async fn noop(body: Bytes) -> StatusCode {
    std::hint::black_box(body.len());
    StatusCode::OK
}

/// The IdP documents, answered from memory: the benchmark measures verification, not the
/// network (the layer caches the keys after the first request anyway).
#[derive(Clone, Debug, Default)]
struct Documents(Arc<HashMap<String, Bytes>>);

impl Fetch for Documents {
    fn fetch(&self, request: FetchRequest) -> BoxFuture<'_, Result<FetchResponse, FetchError>> {
        let body = self.0.get(request.url()).cloned();
        Box::pin(async move {
            Ok(FetchResponse {
                status: StatusCode::OK,
                headers: HeaderMap::new(),
                body: body.ok_or(FetchError::Unreachable)?,
            })
        })
    }
}

fn route(mode: &str, option: impl Fn(&str) -> Vec<String>) -> Result<Router, String> {
    let first = |name: &str| option(name).into_iter().next().unwrap_or_default();
    let layered = |path: &str, route: MethodRouter| Router::new().route(path, route);
    match mode {
        "noop" => Ok(Router::new()
            .route(STANDARD_PATH, post(noop))
            .route(AVAPLACE_PATH, post(noop))),
        "standard" => {
            let layer = StandardLayer::new(&first("--secret")).map_err(|e| e.to_string())?;
            let layer = layer.tolerance(Duration::from_secs(3600));
            Ok(layered(STANDARD_PATH, post(noop).layer(layer)))
        }
        "avaplace" => {
            let mut documents = HashMap::new();
            for pair in option("--document") {
                let (url, file) = pair.split_once('=').ok_or("--document takes URL=FILE")?;
                let body = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
                documents.insert(url.to_owned(), Bytes::from(body));
            }
            let layer = AvaplaceLayer::new(&first("--issuer"), &first("--code"))
                .map_err(|e| e.to_string())?
                .fetcher(Documents(Arc::new(documents)));
            Ok(layered(AVAPLACE_PATH, post(noop).layer(layer)))
        }
        other => Err(format!(
            "unknown mode {other:?} (noop | standard | avaplace)"
        )),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let option = |name: &str| {
        args.iter()
            .enumerate()
            .filter(|(_, arg)| *arg == name)
            .filter_map(|(at, _)| args.get(at + 1).cloned())
            .collect::<Vec<_>>()
    };
    let mode = option("--mode").pop().unwrap_or_else(|| "noop".to_owned());
    let app = match route(&mode, option) {
        Ok(app) => app,
        Err(error) => {
            eprintln!("bench-server: {error}");
            return ExitCode::FAILURE;
        }
    };
    let Ok(listener) = tokio::net::TcpListener::bind("127.0.0.1:0").await else {
        return ExitCode::FAILURE;
    };
    match listener.local_addr() {
        Ok(addr) => println!("listening on {addr}"),
        Err(_) => return ExitCode::FAILURE,
    }
    match axum::serve(listener, app).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}
