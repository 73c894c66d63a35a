//! The server `cargo xtask bench-http` measures: one axum route, either a no-op handler that
//! reads the body (`--mode noop`) or the same handler behind `StandardLayer` (`--mode standard`).
//! Prints `listening on <addr>` and serves until killed.

use std::process::ExitCode;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::post;
use webhook::standard::StandardLayer;

async fn noop(body: Bytes) -> StatusCode {
    std::hint::black_box(body.len());
    StatusCode::OK
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let option = |name: &str| {
        args.iter()
            .position(|arg| arg == name)
            .and_then(|at| args.get(at + 1))
            .cloned()
    };
    let mode = option("--mode").unwrap_or_else(|| "noop".to_owned());
    let secret = option("--secret").unwrap_or_default();
    let route = match mode.as_str() {
        "noop" => post(noop),
        "standard" => match StandardLayer::new(&secret) {
            Ok(layer) => post(noop).layer(layer.tolerance(Duration::from_secs(3600))),
            Err(error) => {
                eprintln!("bench-server: {error}");
                return ExitCode::FAILURE;
            }
        },
        other => {
            eprintln!("bench-server: unknown mode {other:?} (noop | standard)");
            return ExitCode::FAILURE;
        }
    };
    let app = Router::new().route("/webhooks/standard", route);
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
