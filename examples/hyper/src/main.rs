//! `cargo run -p example-hyper -- [receiver.toml]`: the raw hyper receiver. Secrets come from the environment
//! (see `examples/axum/receiver.toml`); `RUST_LOG=debug` also logs each rejection's reason.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    example_common::launch::launch("example-hyper", |listener, layers, inbox, shutdown| {
        example_hyper::serve(listener, example_hyper::app(layers, inbox), shutdown)
    })
    .await
}
