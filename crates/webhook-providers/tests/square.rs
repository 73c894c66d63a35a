//! Square through the full layer.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

mod common;

use common::{run, with_header, without_header};
use webhook_core::{Outcome, Reason};
use webhook_providers::square::{SquareEvent, SquareLayer, SquareSigner};

const KEY: &str = "sq-signature-key";
const URL: &str = "https://hooks.example.com/square";
const BODY: &str =
    r#"{"type":"refund.created","event_id":"e-1","created_at":"2023-11-14T22:13:20Z","data":{}}"#;

fn signed(key: &str, url: &str, body: &'static str) -> http::Request<bytes::Bytes> {
    SquareSigner::new(key, url)
        .request("http://10.1.2.3/square", body)
        .unwrap()
}

#[tokio::test]
async fn genuine_event_is_bound_to_the_configured_url_not_the_host() {
    let (runs, calls) = run::<SquareEvent, _>(
        SquareLayer::new(KEY, URL).unwrap(),
        vec![signed(KEY, URL, BODY)],
    )
    .await;
    assert_eq!((runs[0].status, calls), (200, 1));
    let event = runs[0].event.clone().unwrap();
    assert_eq!(
        (
            event.id.as_deref(),
            event.event_type.as_deref(),
            event.timestamp
        ),
        (Some("e-1"), Some("refund.created"), Some(1_700_000_000))
    );
}

#[tokio::test]
async fn forged_rebound_and_malformed_requests_are_refused() {
    for (request, reason) in [
        (signed("guess", URL, BODY), Reason::SignatureMismatch),
        (
            signed(KEY, "https://hooks.example.com/other", BODY),
            Reason::SignatureMismatch,
        ),
        (
            with_header(
                signed(KEY, URL, BODY),
                "x-square-hmacsha256-signature",
                "***",
            ),
            Reason::MalformedHeader,
        ),
        (
            without_header(signed(KEY, URL, BODY), "x-square-hmacsha256-signature"),
            Reason::MissingHeader,
        ),
        (signed(KEY, URL, "[1]"), Reason::MalformedBody),
    ] {
        let (runs, calls) =
            run::<SquareEvent, _>(SquareLayer::new(KEY, URL).unwrap(), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
    assert!(SquareLayer::new(KEY, "/relative").is_err());
    assert!(SquareLayer::new(KEY, "https://x/{y}").is_err());
}

#[tokio::test]
async fn rotation_and_retries_of_the_same_event_id() {
    let layer = SquareLayer::new("new-key", URL)
        .unwrap()
        .secret(KEY)
        .unwrap();
    let (runs, calls) =
        run::<SquareEvent, _>(layer, vec![signed(KEY, URL, BODY), signed(KEY, URL, BODY)]).await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
    assert_eq!((calls, runs[1].outcome), (1, Some(Outcome::Duplicate)));
}
