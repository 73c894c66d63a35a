//! Paddle through the full layer.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

mod common;

use common::{run, with_header, without_header};
use webhook_core::{FixedClock, Outcome, Reason};
use webhook_providers::paddle::{PaddleEvent, PaddleLayer, PaddleSigner};

const SECRET: &str = "pdl_ntfset_test";
const T: u64 = 1_700_000_000;
const BODY: &str = r#"{"event_id":"evt_1","event_type":"subscription.created","data":{}}"#;

fn layer(now: u64) -> PaddleLayer {
    PaddleLayer::new(SECRET)
        .unwrap()
        .clock(FixedClock::at_unix(now))
}

fn signed(secret: &str, t: u64) -> http::Request<bytes::Bytes> {
    PaddleSigner::new(secret)
        .request("/hooks/paddle", t, BODY)
        .unwrap()
}

#[tokio::test]
async fn genuine_stale_forged_malformed_rotated_and_retried() {
    let (runs, calls) =
        run::<PaddleEvent, _>(layer(T + 5), vec![signed(SECRET, T), signed(SECRET, T + 5)]).await;
    assert_eq!(
        (runs[0].status, calls, runs[1].outcome),
        (200, 1, Some(Outcome::Duplicate))
    );
    let event = runs[0].event.clone().unwrap();
    assert_eq!(
        (event.id.as_deref(), event.event_type.as_deref()),
        (Some("evt_1"), Some("subscription.created"))
    );

    let header = PaddleSigner::new(SECRET).header(T, BODY.as_bytes());
    for (now, request, reason) in [
        (T + 6, signed(SECRET, T), Reason::TimestampOutOfTolerance),
        (T, signed("guess", T), Reason::SignatureMismatch),
        (
            T,
            with_header(
                signed(SECRET, T),
                "paddle-signature",
                &header.replace(';', ","),
            ),
            Reason::MalformedHeader,
        ),
        (
            T,
            without_header(signed(SECRET, T), "paddle-signature"),
            Reason::MissingHeader,
        ),
    ] {
        let (runs, calls) = run::<PaddleEvent, _>(layer(now), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
    let rotated = PaddleLayer::new("pdl_new")
        .unwrap()
        .secret(SECRET)
        .unwrap()
        .clock(FixedClock::at_unix(T));
    let (runs, _) = run::<PaddleEvent, _>(rotated, vec![signed(SECRET, T)]).await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
    let lenient = layer(T + 60).tolerance(std::time::Duration::from_secs(60));
    let (runs, _) = run::<PaddleEvent, _>(lenient, vec![signed(SECRET, T)]).await;
    assert_eq!(runs[0].status, 200);
}
