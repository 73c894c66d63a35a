//! `cargo run -p demo`: the library doing its job, offline, in a few seconds.
//!
//! Starts the axum example receiver on loopback with every seed provider, plays each
//! provider's role (signers; the SNS certificate, AVAplace's JWKS and the Autoflex10 API served
//! in-process through the `Fetch` trait), sends a genuine, a forged, a replayed and an oversized
//! request per provider over real HTTP, and prints provider × case × status × reason. Exits
//! non-zero if any outcome differs from the expected one.

use std::process::ExitCode;

use example_common::stand_in::{Played, StandIn, play};
use example_common::{Inbox, ProviderLayers};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("demo: {error}");
            ExitCode::from(2)
        }
    }
}

async fn run() -> Result<bool, Box<dyn std::error::Error>> {
    let stand_in = StandIn::new()?;
    let inbox = Inbox::default();
    let layers = ProviderLayers::build(&stand_in.config, Some(&stand_in.fetch()))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(example_axum::serve(
        listener,
        example_axum::app(layers, inbox.clone()),
        async {
            let _ = stopped.await;
        },
    ));
    println!("axum receiver listening on http://{addr} with 6 providers (no internet needed)\n");

    let now = webhook::unix_seconds(webhook::Clock::now(&webhook::SystemClock));
    let played = play(addr, &inbox, stand_in.cases(now)?).await?;
    print_table(&played);

    let _ = stop.send(());
    server.await??;
    let unexpected = played
        .iter()
        .filter(|outcome| !outcome.as_expected())
        .count();
    println!(
        "\n{} requests: {} as expected, {unexpected} unexpected; the handlers received {} events; \
         {} documents fetched from the stand-in (certificate, discovery, JWKS, payloads)",
        played.len(),
        played.len() - unexpected,
        inbox.snapshot().len(),
        stand_in.fetch_count(),
    );
    Ok(unexpected == 0)
}

fn print_table(played: &[Played]) {
    println!(
        "{:<10} {:<10} {:>6}  {:<22} {:<8} verdict",
        "provider", "case", "status", "reason", "handler"
    );
    println!("{}", "-".repeat(72));
    for outcome in played {
        let reason = match (&outcome.answer.reason, outcome.observed().as_str()) {
            (Some(reason), _) => reason.clone(),
            (None, "duplicate") => "(duplicate)".to_owned(),
            (None, _) => "-".to_owned(),
        };
        let handler = if outcome.delivered { "called" } else { "-" };
        let verdict = if outcome.as_expected() {
            "ok".to_owned()
        } else {
            format!("UNEXPECTED (wanted {})", outcome.case.expected)
        };
        println!(
            "{:<10} {:<10} {:>6}  {:<22} {:<8} {verdict}",
            outcome.case.provider, outcome.case.name, outcome.answer.status, reason, handler
        );
    }
}
