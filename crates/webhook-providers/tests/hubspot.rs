//! HubSpot v3 through the full layer.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

mod common;

use common::{run, with_header, without_header};
use webhook_core::{FixedClock, Outcome, Reason};
use webhook_providers::hubspot::{HubspotEvent, HubspotLayer, HubspotSigner};

const SECRET: &str = "hs-client-secret";
const BASE: &str = "https://hooks.example.com";
const MS: u64 = 1_700_000_000_000;
const BODY: &str = r#"[{"eventId":1,"subscriptionType":"deal.creation"}]"#;

fn layer(now: u64) -> HubspotLayer {
    HubspotLayer::new(SECRET, BASE)
        .unwrap()
        .clock(FixedClock::at_unix(now))
}

fn signed(secret: &str, path: &str, ms: u64) -> http::Request<bytes::Bytes> {
    HubspotSigner::new(secret, BASE)
        .request(path, ms, BODY)
        .unwrap()
}

#[tokio::test]
async fn genuine_requests_verify_against_the_configured_url() {
    let (runs, calls) =
        run::<HubspotEvent, _>(layer(1_700_000_000), vec![signed(SECRET, "/hs?a=%3A1", MS)]).await;
    assert_eq!((runs[0].status, calls), (200, 1));
    assert_eq!(
        runs[0].event.as_ref().unwrap().timestamp,
        Some(1_700_000_000)
    );
}

#[tokio::test]
async fn stale_forged_moved_and_malformed_requests_have_their_reasons() {
    let moved = {
        let mut request = signed(SECRET, "/hs", MS);
        *request.uri_mut() = "/elsewhere".parse().unwrap();
        request
    };
    for (now, request, reason) in [
        (
            1_700_000_301,
            signed(SECRET, "/hs", MS),
            Reason::TimestampOutOfTolerance,
        ),
        (
            1_700_000_000,
            signed(SECRET, "/hs", 1_700_000_000),
            Reason::TimestampOutOfTolerance,
        ),
        (
            1_700_000_000,
            signed("guess", "/hs", MS),
            Reason::SignatureMismatch,
        ),
        (1_700_000_000, moved, Reason::SignatureMismatch),
        (
            1_700_000_000,
            with_header(
                signed(SECRET, "/hs", MS),
                "x-hubspot-request-timestamp",
                "1700000000001",
            ),
            Reason::SignatureMismatch,
        ),
        (
            1_700_000_000,
            with_header(signed(SECRET, "/hs", MS), "x-hubspot-signature-v3", "%%"),
            Reason::MalformedHeader,
        ),
        (
            1_700_000_000,
            without_header(signed(SECRET, "/hs", MS), "x-hubspot-request-timestamp"),
            Reason::MissingHeader,
        ),
    ] {
        let (runs, calls) = run::<HubspotEvent, _>(layer(now), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
}

#[tokio::test]
async fn rotation_and_replay() {
    let rotated = HubspotLayer::new("new", BASE)
        .unwrap()
        .secret(SECRET)
        .unwrap()
        .clock(FixedClock::at_unix(1_700_000_000));
    let (runs, calls) = run::<HubspotEvent, _>(
        rotated,
        vec![signed(SECRET, "/hs", MS), signed(SECRET, "/hs", MS)],
    )
    .await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
    assert_eq!((calls, runs[1].outcome), (1, Some(Outcome::Duplicate)));
    assert!(HubspotLayer::new(SECRET, "https://hooks.example.com/").is_err());
}
