//! Mailgun through the full layer.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

mod common;

use common::run;
use webhook_core::{FixedClock, Outcome, Reason};
use webhook_providers::mailgun::{MailgunEvent, MailgunLayer, MailgunSigner};

const KEY: &str = "mg-signing-key";
const T: u64 = 1_700_000_000;
const DATA: &str = r#"{"event":"opened","id":"ev-1"}"#;

fn layer(now: u64) -> MailgunLayer {
    MailgunLayer::new(KEY)
        .unwrap()
        .clock(FixedClock::at_unix(now))
}

fn signed(key: &str, t: u64, token: &str, data: &str) -> http::Request<bytes::Bytes> {
    MailgunSigner::new(key)
        .request("/hooks/mailgun", t, token, data)
        .unwrap()
}

fn raw(body: &'static str) -> http::Request<bytes::Bytes> {
    http::Request::post("/hooks/mailgun")
        .body(bytes::Bytes::from_static(body.as_bytes()))
        .unwrap()
}

#[tokio::test]
async fn genuine_event_carries_the_unsigned_event_data_and_signed_token() {
    let (runs, calls) = run::<MailgunEvent, _>(layer(T), vec![signed(KEY, T, "tok-1", DATA)]).await;
    assert_eq!((runs[0].status, calls), (200, 1));
    let event = runs[0].event.clone().unwrap();
    assert_eq!(
        (event.id.as_deref(), event.event_type.as_deref()),
        (Some("ev-1"), Some("opened"))
    );
    assert_eq!(
        (event.timestamp, event.token().as_deref()),
        (Some(1_700_000_000), Some("tok-1"))
    );
}

#[tokio::test]
async fn stale_forged_and_malformed_bodies_have_their_reasons() {
    for (now, request, reason) in [
        (
            T + 301,
            signed(KEY, T, "tok", DATA),
            Reason::TimestampOutOfTolerance,
        ),
        (
            T,
            signed("guess", T, "tok", DATA),
            Reason::SignatureMismatch,
        ),
        (T, raw(r#"{"event-data":{}}"#), Reason::MalformedBody),
        (
            T,
            raw(r#"{"signature":{"timestamp":"1700000000","token":"t"}}"#),
            Reason::MalformedBody,
        ),
        (
            T,
            raw(
                r#"{"signature":{"timestamp":"01700000000","token":"t","signature":"0000000000000000000000000000000000000000000000000000000000000000"}}"#,
            ),
            Reason::MalformedBody,
        ),
        (T, raw("not json"), Reason::MalformedBody),
    ] {
        let (runs, calls) = run::<MailgunEvent, _>(layer(now), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
}

#[tokio::test]
async fn a_reused_token_is_a_duplicate_even_with_other_event_data() {
    let (runs, calls) = run::<MailgunEvent, _>(
        layer(T),
        vec![
            signed(KEY, T, "tok-1", DATA),
            signed(KEY, T, "tok-1", r#"{"event":"failed","id":"x"}"#),
        ],
    )
    .await;
    assert_eq!((calls, runs[1].outcome), (1, Some(Outcome::Duplicate)));
}

#[tokio::test]
async fn rotation_reports_the_key() {
    let rotated = MailgunLayer::new("new-key")
        .unwrap()
        .secret(KEY)
        .unwrap()
        .clock(FixedClock::at_unix(T));
    let (runs, _) = run::<MailgunEvent, _>(rotated, vec![signed(KEY, T, "tok-1", DATA)]).await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
}
