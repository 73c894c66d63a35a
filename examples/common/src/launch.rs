//! What every example's `main` does around its framework: logging, the configuration file and
//! environment, the listener, and graceful shutdown on Ctrl-C.

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;

use tokio::net::TcpListener;

use crate::{Inbox, ProviderLayers, ReceiverConfig};

/// Completes when the server should stop accepting connections.
pub type Shutdown = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Runs an example: `RUST_LOG` sets the log level (default `info`), the first argument names
/// the configuration file (default `examples/axum/receiver.toml`), and `serve` runs the
/// framework until the shutdown future completes.
///
/// ```no_run
/// # async fn serve(_: tokio::net::TcpListener, _: example_common::ProviderLayers, _: example_common::Inbox, _: example_common::launch::Shutdown) -> std::io::Result<()> { Ok(()) }
/// # async fn run() -> std::process::ExitCode {
/// example_common::launch::launch("my-example", |listener, layers, inbox, shutdown| {
///     serve(listener, layers, inbox, shutdown)
/// })
/// .await
/// # }
/// ```
pub async fn launch<F, Fut>(name: &str, serve: F) -> ExitCode
where
    F: FnOnce(TcpListener, ProviderLayers, Inbox, Shutdown) -> Fut,
    Fut: Future<Output = std::io::Result<()>>,
{
    let level = std::env::var("RUST_LOG")
        .ok()
        .and_then(|level| level.parse().ok());
    tracing_subscriber::fmt()
        .with_max_level(level.unwrap_or(tracing::Level::INFO))
        .init();
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/axum/receiver.toml".to_owned());
    match run(&path, serve).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{name}: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run<F, Fut>(path: &str, serve: F) -> Result<(), Box<dyn std::error::Error>>
where
    F: FnOnce(TcpListener, ProviderLayers, Inbox, Shutdown) -> Fut,
    Fut: Future<Output = std::io::Result<()>>,
{
    let config = ReceiverConfig::load(path.as_ref())?;
    tracing::info!(?config, "configuration loaded");
    let layers = ProviderLayers::build(&config, None)?;
    let listener = TcpListener::bind(config.listen).await?;
    tracing::info!(address = %listener.local_addr()?, "listening");
    let shutdown: Shutdown = Box::pin(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    });
    serve(listener, layers, Inbox::default(), shutdown).await?;
    Ok(())
}
