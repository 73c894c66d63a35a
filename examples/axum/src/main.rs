//! `cargo run -p example-axum -- [receiver.toml]`: the axum receiver. Secrets come from the environment
//! (see `examples/axum/receiver.toml`); `RUST_LOG=debug` also logs each rejection's reason.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    example_common::launch::launch("example-axum", |listener, layers, inbox, shutdown| {
        example_axum::serve(listener, example_axum::app(layers, inbox), shutdown)
    })
    .await
}
