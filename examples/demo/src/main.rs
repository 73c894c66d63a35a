//! `cargo run -p demo`: the library doing its job, offline, in a few seconds.
//!
//! Starts the axum example receiver on loopback with every seed provider, plays each
//! provider's role (signers; the SNS certificate, AVAplace's JWKS and the Autoflex10 API served
//! in-process through the `Fetch` trait), sends a genuine, a forged, a replayed and an oversized
//! request per provider over real HTTP, and prints provider × case × status × reason. Exits
//! non-zero if any outcome differs from the expected one.

use std::process::ExitCode;

use example_common::stand_in::{Exercise, Played, exercise};

#[tokio::main]
async fn main() -> ExitCode {
    println!("starting the axum example on 127.0.0.1 with 6 providers (no internet needed)\n");
    let outcome = exercise(|listener, layers, inbox, shutdown| {
        example_axum::serve(listener, example_axum::app(layers, inbox), shutdown)
    })
    .await;
    match outcome {
        Ok(outcome) => {
            print_table(&outcome.played);
            if report(&outcome) {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(error) => {
            eprintln!("demo: {error}");
            ExitCode::from(2)
        }
    }
}

fn report(outcome: &Exercise) -> bool {
    let unexpected = outcome
        .played
        .iter()
        .filter(|played| !played.as_expected())
        .count();
    println!(
        "\n{} requests: {} as expected, {unexpected} unexpected; the handlers received {} events; \
         {} documents fetched from the stand-in (certificate, discovery, JWKS, payloads); \
         an unknown path got {}; graceful shutdown {}",
        outcome.played.len(),
        outcome.played.len() - unexpected,
        outcome.delivered,
        outcome.fetches,
        outcome.stray_status,
        if outcome.closed_after_shutdown {
            "completed"
        } else {
            "left the port open"
        },
    );
    unexpected == 0 && outcome.stray_status == 404 && outcome.closed_after_shutdown
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
