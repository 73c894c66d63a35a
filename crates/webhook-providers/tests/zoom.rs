//! Zoom through the full layer, with the endpoint.url_validation handshake.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

mod common;

use common::{run, with_header, without_header};
use webhook_core::{FixedClock, Outcome, Reason};
use webhook_providers::zoom::{ZoomEvent, ZoomLayer, ZoomSigner};

const SECRET: &str = "zoom-secret-token";
const T: u64 = 1_700_000_000;
const EVENT: &str =
    r#"{"event":"meeting.started","payload":{"object":{"id":"1"}},"event_ts":1700000000000}"#;
const VALIDATION: &str = r#"{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1700000000000,"event":"endpoint.url_validation"}"#;

fn layer(now: u64) -> ZoomLayer {
    ZoomLayer::new(SECRET)
        .unwrap()
        .clock(FixedClock::at_unix(now))
}

fn signed(secret: &str, t: u64, body: &'static str) -> http::Request<bytes::Bytes> {
    ZoomSigner::new(secret)
        .request("/hooks/zoom", t, body)
        .unwrap()
}

#[tokio::test]
async fn genuine_event_is_delivered_with_its_type_and_timestamp() {
    let (runs, calls) = run::<ZoomEvent, _>(layer(T), vec![signed(SECRET, T, EVENT)]).await;
    assert_eq!((runs[0].status, calls), (200, 1));
    let event = runs[0].event.clone().unwrap();
    assert_eq!(
        (event.event_type.as_deref(), event.timestamp),
        (Some("meeting.started"), Some(1_700_000_000))
    );
}

#[tokio::test]
async fn url_validation_answers_the_mac_of_the_plain_token_after_verification() {
    let (runs, calls) = run::<ZoomEvent, _>(layer(T), vec![signed(SECRET, T, VALIDATION)]).await;
    assert_eq!(
        (runs[0].status, runs[0].outcome, calls),
        (200, Some(Outcome::Answered), 0)
    );
    let answer: serde_json::Value = serde_json::from_slice(&runs[0].body).unwrap();
    assert_eq!(answer["plainToken"], "qgg8vlvZRS6UYooatFL8Aw");
    assert_eq!(
        answer["encryptedToken"],
        ZoomSigner::new(SECRET).encrypted_token("qgg8vlvZRS6UYooatFL8Aw")
    );

    let (runs, calls) = run::<ZoomEvent, _>(layer(T), vec![signed("guess", T, VALIDATION)]).await;
    assert_eq!(
        (runs[0].reason, calls),
        (Some(Reason::SignatureMismatch), 0)
    );
}

#[tokio::test]
async fn the_answer_uses_the_secret_that_verified() {
    let rotated = ZoomLayer::new("new-token")
        .unwrap()
        .secret(SECRET)
        .unwrap()
        .clock(FixedClock::at_unix(T));
    let (runs, _) = run::<ZoomEvent, _>(rotated, vec![signed(SECRET, T, VALIDATION)]).await;
    let answer: serde_json::Value = serde_json::from_slice(&runs[0].body).unwrap();
    assert_eq!(
        answer["encryptedToken"],
        ZoomSigner::new(SECRET).encrypted_token("qgg8vlvZRS6UYooatFL8Aw")
    );
}

#[tokio::test]
async fn stale_forged_and_malformed_requests_have_their_reasons() {
    for (now, request, reason) in [
        (
            T + 301,
            signed(SECRET, T, EVENT),
            Reason::TimestampOutOfTolerance,
        ),
        (T, signed("guess", T, EVENT), Reason::SignatureMismatch),
        (
            T,
            with_header(
                signed(SECRET, T, EVENT),
                "x-zm-request-timestamp",
                "1700000001",
            ),
            Reason::SignatureMismatch,
        ),
        (
            T,
            with_header(signed(SECRET, T, EVENT), "x-zm-signature", "v0=zz"),
            Reason::MalformedHeader,
        ),
        (
            T,
            without_header(signed(SECRET, T, EVENT), "x-zm-signature"),
            Reason::MissingHeader,
        ),
        (
            T,
            signed(SECRET, T, r#"["not","an","object"]"#),
            Reason::MalformedBody,
        ),
        (
            T,
            signed(
                SECRET,
                T,
                r#"{"event":"endpoint.url_validation","payload":{}}"#,
            ),
            Reason::MalformedBody,
        ),
    ] {
        let (runs, calls) = run::<ZoomEvent, _>(layer(now), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
}

#[tokio::test]
async fn rotation_and_redelivery() {
    let rotated = ZoomLayer::new("new-token")
        .unwrap()
        .secret(SECRET)
        .unwrap()
        .clock(FixedClock::at_unix(T + 5));
    let (runs, calls) = run::<ZoomEvent, _>(
        rotated,
        vec![signed(SECRET, T, EVENT), signed(SECRET, T + 5, EVENT)],
    )
    .await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
    assert_eq!((calls, runs[1].outcome), (1, Some(Outcome::Duplicate)));
}
