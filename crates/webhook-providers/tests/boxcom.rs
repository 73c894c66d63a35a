//! Box through the full layer.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

mod common;

use common::{run, with_header, without_header};
use webhook_core::{FixedClock, Outcome, Reason};
use webhook_providers::boxcom::{BoxEvent, BoxLayer, BoxSigner};

const T: u64 = 1_700_000_000;
const AT: &str = "2023-11-14T14:13:20-08:00";
const BODY: &str = r#"{"type":"webhook_event","id":"ev-1","trigger":"FOLDER.CREATED"}"#;

fn layer(now: u64) -> BoxLayer {
    BoxLayer::new("primary")
        .unwrap()
        .secondary("secondary")
        .unwrap()
        .clock(FixedClock::at_unix(now))
}

fn signed(primary: &str, secondary: &str, at: &str) -> http::Request<bytes::Bytes> {
    BoxSigner::new(primary, secondary)
        .request("/b", at, BODY)
        .unwrap()
}

#[tokio::test]
async fn either_key_verifies_its_own_header_and_replays_are_duplicates() {
    let (runs, calls) = run::<BoxEvent, _>(
        layer(T),
        vec![
            signed("primary", "secondary", AT),
            signed("primary", "secondary", AT),
        ],
    )
    .await;
    assert_eq!(
        (runs[0].status, calls, runs[1].outcome),
        (200, 1, Some(Outcome::Duplicate))
    );
    let event = runs[0].event.clone().unwrap();
    assert_eq!(
        (
            event.id.as_deref(),
            event.event_type.as_deref(),
            event.timestamp,
            event.matched_key
        ),
        (Some("ev-1"), Some("FOLDER.CREATED"), Some(1_700_000_000), 0)
    );
    let (runs, _) = run::<BoxEvent, _>(layer(T), vec![signed("rotated", "secondary", AT)]).await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
    let only_primary = BoxLayer::new("primary")
        .unwrap()
        .clock(FixedClock::at_unix(T));
    let (runs, _) =
        run::<BoxEvent, _>(only_primary, vec![signed("rotated", "secondary", AT)]).await;
    assert_eq!(runs[0].reason, Some(Reason::SignatureMismatch));
}

#[tokio::test]
async fn stale_forged_and_malformed_requests_have_their_reasons() {
    for (now, request, reason) in [
        (
            T + 601,
            signed("primary", "secondary", AT),
            Reason::TimestampOutOfTolerance,
        ),
        (
            T - 601,
            signed("primary", "secondary", AT),
            Reason::TimestampOutOfTolerance,
        ),
        (
            T,
            signed("secondary", "primary", AT),
            Reason::SignatureMismatch,
        ),
        (
            T,
            with_header(
                signed("primary", "secondary", AT),
                "box-delivery-timestamp",
                "2023-11-14T22:13:20Z",
            ),
            Reason::SignatureMismatch,
        ),
        (
            T,
            with_header(
                signed("primary", "secondary", AT),
                "box-signature-version",
                "2",
            ),
            Reason::SignatureMismatch,
        ),
        (
            T,
            with_header(
                signed("primary", "secondary", AT),
                "box-delivery-timestamp",
                "1700000000",
            ),
            Reason::MalformedHeader,
        ),
        (
            T,
            with_header(
                signed("primary", "secondary", AT),
                "box-signature-primary",
                "%%",
            ),
            Reason::MalformedHeader,
        ),
        (
            T,
            without_header(
                without_header(signed("primary", "secondary", AT), "box-signature-primary"),
                "box-signature-secondary",
            ),
            Reason::MissingHeader,
        ),
        (
            T,
            without_header(signed("primary", "secondary", AT), "box-delivery-timestamp"),
            Reason::MissingHeader,
        ),
    ] {
        let (runs, calls) = run::<BoxEvent, _>(layer(now), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
}
