//! GitHub through the full layer.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

mod common;

use common::{
    flip_last, repeat_header, run, run_with_status, with_body, with_header, without_header,
};
use webhook_core::{Outcome, Reason};
use webhook_providers::github::{GithubEvent, GithubLayer, GithubSigner};

const SECRET: &str = "It's a Secret to Everybody";
const BODY: &str = r#"{"action":"opened","number":1}"#;

fn signed(secret: &str, delivery: &str) -> http::Request<bytes::Bytes> {
    GithubSigner::new(secret)
        .request("/hooks/github", "pull_request", delivery, BODY)
        .unwrap()
}

#[tokio::test]
async fn genuine_delivery_reaches_the_handler_with_its_metadata() {
    let (runs, calls) = run::<GithubEvent, _>(
        GithubLayer::new(SECRET).unwrap(),
        vec![signed(SECRET, "d-1")],
    )
    .await;
    assert_eq!((runs[0].status, calls), (200, 1));
    let event = runs[0].event.clone().unwrap();
    assert_eq!(event.id.as_deref(), Some("d-1"));
    assert_eq!(event.event_type.as_deref(), Some("pull_request"));
    assert_eq!((event.matched_key, event.timestamp), (0, None));
    assert_eq!(event.json::<serde_json::Value>().unwrap()["number"], 1);
}

#[tokio::test]
async fn githubs_published_example_verifies() {
    let request = http::Request::post("/hooks/github")
        .header(
            "x-hub-signature-256",
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        )
        .body(bytes::Bytes::from_static(b"Hello, World!"))
        .unwrap();
    let (runs, calls) =
        run::<GithubEvent, _>(GithubLayer::new(SECRET).unwrap(), vec![request]).await;
    assert_eq!((runs[0].status, calls), (200, 1));
}

#[tokio::test]
async fn forged_tampered_and_malformed_requests_are_refused_with_their_reason() {
    let good = signed(SECRET, "d-1");
    let signature = good.headers()["x-hub-signature-256"]
        .to_str()
        .unwrap()
        .to_owned();
    let cases = vec![
        (signed("guess", "d-1"), Reason::SignatureMismatch),
        (
            with_header(
                signed(SECRET, "d-1"),
                "x-hub-signature-256",
                &flip_last(&signature),
            ),
            Reason::SignatureMismatch,
        ),
        (
            with_body(signed(SECRET, "d-1"), r#"{"action":"opened","number":2}"#),
            Reason::SignatureMismatch,
        ),
        (
            without_header(signed(SECRET, "d-1"), "x-hub-signature-256"),
            Reason::MissingHeader,
        ),
        (
            repeat_header(signed(SECRET, "d-1"), "x-hub-signature-256"),
            Reason::MalformedHeader,
        ),
        (
            with_header(signed(SECRET, "d-1"), "x-hub-signature-256", "sha256=xyz"),
            Reason::MalformedHeader,
        ),
        (
            with_header(signed(SECRET, "d-1"), "x-github-delivery", &"d".repeat(300)),
            Reason::MalformedHeader,
        ),
    ];
    for (request, reason) in cases {
        let (runs, calls) =
            run::<GithubEvent, _>(GithubLayer::new(SECRET).unwrap(), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
}

#[tokio::test]
async fn legacy_sha1_header_alone_is_missing_header() {
    let request = http::Request::post("/hooks/github")
        .header(
            "x-hub-signature",
            "sha1=0123456789abcdef0123456789abcdef01234567",
        )
        .body(bytes::Bytes::from_static(BODY.as_bytes()))
        .unwrap();
    let (runs, _) = run::<GithubEvent, _>(GithubLayer::new(SECRET).unwrap(), vec![request]).await;
    assert_eq!(runs[0].reason, Some(Reason::MissingHeader));
}

#[tokio::test]
async fn rotation_reports_the_matching_secret() {
    let layer = GithubLayer::new("new-secret")
        .unwrap()
        .secret(SECRET)
        .unwrap();
    let (runs, _) = run::<GithubEvent, _>(layer, vec![signed(SECRET, "d-1")]).await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
    assert!(GithubLayer::new("").is_err());
    assert!(GithubLayer::new("secret\n").is_err());
}

#[tokio::test]
async fn replay_with_a_new_unsigned_delivery_id_is_a_duplicate() {
    let (runs, calls) = run::<GithubEvent, _>(
        GithubLayer::new(SECRET).unwrap(),
        vec![signed(SECRET, "d-1"), signed(SECRET, "d-2")],
    )
    .await;
    assert_eq!(calls, 1);
    assert_eq!(runs[1].outcome, Some(Outcome::Duplicate));
}

#[tokio::test]
async fn a_failed_delivery_is_processed_again_on_redelivery() {
    let (runs, calls) = run_with_status::<GithubEvent, _>(
        GithubLayer::new(SECRET).unwrap(),
        500,
        vec![signed(SECRET, "d-1"), signed(SECRET, "d-1")],
    )
    .await;
    assert_eq!((runs[0].status, runs[1].status, calls), (500, 500, 2));
}

#[tokio::test]
async fn form_encoded_deliveries_expose_the_decoded_payload() {
    let body = "payload=%7B%22zen%22%3A%22hi%22%7D";
    let signer = GithubSigner::new(SECRET);
    let request = http::Request::post("/hooks/github")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-hub-signature-256", signer.header(body.as_bytes()))
        .body(bytes::Bytes::from_static(body.as_bytes()))
        .unwrap();
    let (runs, _) = run::<GithubEvent, _>(GithubLayer::new(SECRET).unwrap(), vec![request]).await;
    let event = runs[0].event.clone().unwrap();
    assert_eq!(event.json::<serde_json::Value>().unwrap()["zen"], "hi");
}
