//! Linear through the full layer.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

mod common;

use common::{run, with_header, without_header};
use webhook_core::{FixedClock, Outcome, Reason};
use webhook_providers::linear::{LinearEvent, LinearLayer, LinearSigner};

const SECRET: &str = "lin_wh_secret";
const NOW: u64 = 1_700_000_010;
const BODY: &str =
    r#"{"action":"update","type":"Comment","data":{},"webhookTimestamp":1700000000000}"#;

fn layer(now: u64) -> LinearLayer {
    LinearLayer::new(SECRET)
        .unwrap()
        .clock(FixedClock::at_unix(now))
}

fn signed(secret: &str, delivery: &str, body: &'static str) -> http::Request<bytes::Bytes> {
    LinearSigner::new(secret)
        .request("/hooks/linear", delivery, body)
        .unwrap()
}

#[tokio::test]
async fn genuine_delivery_carries_type_action_and_signed_timestamp() {
    let (runs, calls) = run::<LinearEvent, _>(layer(NOW), vec![signed(SECRET, "d-1", BODY)]).await;
    assert_eq!((runs[0].status, calls), (200, 1));
    let event = runs[0].event.clone().unwrap();
    assert_eq!(event.event_type.as_deref(), Some("Comment.update"));
    assert_eq!(
        (event.id.as_deref(), event.timestamp),
        (Some("d-1"), Some(1_700_000_000))
    );
}

#[tokio::test]
async fn the_signed_webhook_timestamp_is_judged_after_the_mac() {
    for (now, reason) in [
        (1_700_000_060, None),
        (1_700_000_061, Some(Reason::TimestampOutOfTolerance)),
        (1_699_999_939, Some(Reason::TimestampOutOfTolerance)),
    ] {
        let (runs, _) = run::<LinearEvent, _>(layer(now), vec![signed(SECRET, "d-1", BODY)]).await;
        assert_eq!(runs[0].reason, reason, "now {now}");
    }
    // An unsigned stale body is a signature failure, not a timestamp one.
    let (runs, _) =
        run::<LinearEvent, _>(layer(NOW + 3600), vec![signed("guess", "d-1", BODY)]).await;
    assert_eq!(runs[0].reason, Some(Reason::SignatureMismatch));
}

#[tokio::test]
async fn forged_and_malformed_requests_have_their_reasons() {
    for (request, reason) in [
        (signed("guess", "d", BODY), Reason::SignatureMismatch),
        (
            with_header(signed(SECRET, "d", BODY), "linear-signature", "xyz"),
            Reason::MalformedHeader,
        ),
        (
            without_header(signed(SECRET, "d", BODY), "linear-signature"),
            Reason::MissingHeader,
        ),
        (
            signed(SECRET, "d", r#"{"type":"Issue"}"#),
            Reason::MalformedBody,
        ),
        (
            signed(SECRET, "d", r#"{"type":"Issue","webhookTimestamp":"soon"}"#),
            Reason::MalformedBody,
        ),
    ] {
        let (runs, calls) = run::<LinearEvent, _>(layer(NOW), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
}

#[tokio::test]
async fn rotation_and_redelivery() {
    let rotated = LinearLayer::new("new")
        .unwrap()
        .secret(SECRET)
        .unwrap()
        .clock(FixedClock::at_unix(NOW));
    let (runs, calls) = run::<LinearEvent, _>(
        rotated,
        vec![signed(SECRET, "d-1", BODY), signed(SECRET, "d-2", BODY)],
    )
    .await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
    assert_eq!((calls, runs[1].outcome), (1, Some(Outcome::Duplicate)));
}
