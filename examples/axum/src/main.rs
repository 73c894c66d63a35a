//! `cargo run -p example-axum -- [receiver.toml]`: the axum receiver. Secrets come from the
//! environment (see `receiver.toml`); `RUST_LOG=debug` also logs each rejection's reason.

use std::process::ExitCode;

use example_common::{Inbox, ProviderLayers, ReceiverConfig};

#[tokio::main]
async fn main() -> ExitCode {
    let level = std::env::var("RUST_LOG")
        .ok()
        .and_then(|level| level.parse().ok());
    tracing_subscriber::fmt()
        .with_max_level(level.unwrap_or(tracing::Level::INFO))
        .init();
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/axum/receiver.toml".to_owned());
    match run(&path).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("example-axum: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let config = ReceiverConfig::load(path.as_ref())?;
    tracing::info!(?config, "configuration loaded");
    let router = example_axum::app(ProviderLayers::build(&config, None)?, Inbox::default());
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(address = %listener.local_addr()?, "listening");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    };
    example_axum::serve(listener, router, shutdown).await?;
    Ok(())
}
