//! Slack through the full layer, with the url_verification handshake.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

mod common;

use common::{run, with_header, without_header};
use webhook_core::{FixedClock, Outcome, Reason};
use webhook_providers::slack::{SlackEvent, SlackLayer, SlackSigner};

const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const T: u64 = 1_531_420_618;
const EVENT: &str =
    r#"{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","text":"hi"}}"#;
const CHALLENGE: &str = r#"{"token":"x","challenge":"c-123","type":"url_verification"}"#;

fn layer(now: u64) -> SlackLayer {
    SlackLayer::new(SECRET)
        .unwrap()
        .clock(FixedClock::at_unix(now))
}

fn signed(secret: &str, t: u64, body: &'static str) -> http::Request<bytes::Bytes> {
    SlackSigner::new(secret)
        .request("/hooks/slack", t, body)
        .unwrap()
}

#[tokio::test]
async fn genuine_event_callback_is_delivered_with_its_event_id() {
    let (runs, calls) = run::<SlackEvent, _>(layer(T), vec![signed(SECRET, T, EVENT)]).await;
    assert_eq!((runs[0].status, calls), (200, 1));
    let event = runs[0].event.clone().unwrap();
    assert_eq!(event.id.as_deref(), Some("Ev1"));
    assert_eq!(event.event_type.as_deref(), Some("app_mention"));
    assert_eq!(event.timestamp, Some(1_531_420_618));
}

#[tokio::test]
async fn url_verification_is_answered_only_after_the_signature_verified() {
    let (runs, calls) = run::<SlackEvent, _>(layer(T), vec![signed(SECRET, T, CHALLENGE)]).await;
    assert_eq!(
        (runs[0].status, runs[0].outcome, calls),
        (200, Some(Outcome::Answered), 0)
    );
    assert_eq!(runs[0].body.as_ref(), b"c-123");

    let (runs, calls) = run::<SlackEvent, _>(layer(T), vec![signed("guess", T, CHALLENGE)]).await;
    assert_eq!(
        (runs[0].reason, calls),
        (Some(Reason::SignatureMismatch), 0)
    );
    assert_ne!(runs[0].body.as_ref(), b"c-123");
}

#[tokio::test]
async fn stale_and_future_requests_are_out_of_tolerance() {
    for now in [T + 301, T - 301] {
        let (runs, _) = run::<SlackEvent, _>(layer(now), vec![signed(SECRET, T, EVENT)]).await;
        assert_eq!(runs[0].reason, Some(Reason::TimestampOutOfTolerance));
    }
    let (runs, _) = run::<SlackEvent, _>(layer(T + 300), vec![signed(SECRET, T, EVENT)]).await;
    assert_eq!(runs[0].status, 200);
}

#[tokio::test]
async fn forged_and_malformed_requests_have_their_reasons() {
    let sig = SlackSigner::new(SECRET).header(T, EVENT.as_bytes());
    for (request, reason) in [
        (signed("guess", T, EVENT), Reason::SignatureMismatch),
        (
            with_header(
                signed(SECRET, T, EVENT),
                "x-slack-signature",
                &sig.replace("v0=", "v1="),
            ),
            Reason::SignatureMismatch,
        ),
        (
            with_header(
                signed(SECRET, T, EVENT),
                "x-slack-request-timestamp",
                "1531420619",
            ),
            Reason::SignatureMismatch,
        ),
        (
            with_header(
                signed(SECRET, T, EVENT),
                "x-slack-request-timestamp",
                "+1531420618",
            ),
            Reason::MalformedHeader,
        ),
        (
            with_header(signed(SECRET, T, EVENT), "x-slack-signature", "v0=nothex"),
            Reason::MalformedHeader,
        ),
        (
            without_header(signed(SECRET, T, EVENT), "x-slack-request-timestamp"),
            Reason::MissingHeader,
        ),
        (
            without_header(signed(SECRET, T, EVENT), "x-slack-signature"),
            Reason::MissingHeader,
        ),
        (
            signed(SECRET, T, r#"{"type":"event_callback","type":"x"}"#),
            Reason::MalformedBody,
        ),
    ] {
        let (runs, calls) = run::<SlackEvent, _>(layer(T), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
    let upper = format!("v0={}", sig.trim_start_matches("v0=").to_uppercase());
    let (runs, _) = run::<SlackEvent, _>(
        layer(T),
        vec![with_header(
            signed(SECRET, T, EVENT),
            "x-slack-signature",
            &upper,
        )],
    )
    .await;
    assert_eq!(runs[0].status, 200);
}

#[tokio::test]
async fn rotation_and_retries() {
    let rotated = SlackLayer::new("new")
        .unwrap()
        .secret(SECRET)
        .unwrap()
        .clock(FixedClock::at_unix(T + 60));
    let retry = with_header(signed(SECRET, T + 60, EVENT), "x-slack-retry-num", "1");
    let (runs, calls) = run::<SlackEvent, _>(rotated, vec![signed(SECRET, T, EVENT), retry]).await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
    assert_eq!((calls, runs[1].outcome), (1, Some(Outcome::Duplicate)));
}

#[tokio::test]
async fn slash_commands_are_delivered_without_de_duplication() {
    let form = "command=%2Fweather&text=berlin";
    let (runs, calls) = run::<SlackEvent, _>(
        layer(T),
        vec![signed(SECRET, T, form), signed(SECRET, T, form)],
    )
    .await;
    assert_eq!(calls, 2);
    assert_eq!(
        runs[0].event.as_ref().unwrap().event_type.as_deref(),
        Some("/weather")
    );
}
