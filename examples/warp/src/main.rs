//! `cargo run -p example-warp -- [receiver.toml]`: the warp receiver (same configuration
//! as the axum example; secrets from the environment).

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
            eprintln!("example-warp: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let config = ReceiverConfig::load(path.as_ref())?;
    tracing::info!(?config, "configuration loaded");
    let service = example_warp::app(ProviderLayers::build(&config, None)?, Inbox::default());
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(address = %listener.local_addr()?, "listening");
    example_hyper::serve(listener, service, async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    })
    .await?;
    Ok(())
}
