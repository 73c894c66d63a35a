//! Shopify through the full layer.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

mod common;

use common::{repeat_header, run, with_body, with_header, without_header};
use webhook_core::{Outcome, Reason};
use webhook_providers::shopify::{ShopifyEvent, ShopifyLayer, ShopifySigner};

const SECRET: &str = "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";
const BODY: &str = r#"{"id":820982911946154508,"total_price":"403.00"}"#;

fn signed(secret: &str, id: &str) -> http::Request<bytes::Bytes> {
    ShopifySigner::new(secret)
        .request("/hooks/shopify", "orders/create", id, BODY)
        .unwrap()
}

#[tokio::test]
async fn genuine_webhook_is_delivered_with_topic_and_id() {
    let (runs, calls) = run::<ShopifyEvent, _>(
        ShopifyLayer::new(SECRET).unwrap(),
        vec![signed(SECRET, "w-1")],
    )
    .await;
    assert_eq!((runs[0].status, calls), (200, 1));
    let event = runs[0].event.clone().unwrap();
    assert_eq!(
        (event.id.as_deref(), event.event_type.as_deref()),
        (Some("w-1"), Some("orders/create"))
    );
}

#[tokio::test]
async fn forged_tampered_and_malformed_requests_are_refused() {
    for (request, reason) in [
        (signed("guess", "w-1"), Reason::SignatureMismatch),
        (
            with_body(signed(SECRET, "w-1"), r#"{"id":1}"#),
            Reason::SignatureMismatch,
        ),
        (
            with_header(
                signed(SECRET, "w-1"),
                "x-shopify-hmac-sha256",
                "not base64!",
            ),
            Reason::MalformedHeader,
        ),
        (
            with_header(signed(SECRET, "w-1"), "x-shopify-hmac-sha256", "AAAA"),
            Reason::SignatureMismatch,
        ),
        (
            without_header(signed(SECRET, "w-1"), "x-shopify-hmac-sha256"),
            Reason::MissingHeader,
        ),
        (
            repeat_header(signed(SECRET, "w-1"), "x-shopify-hmac-sha256"),
            Reason::MalformedHeader,
        ),
    ] {
        let (runs, calls) =
            run::<ShopifyEvent, _>(ShopifyLayer::new(SECRET).unwrap(), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
}

#[tokio::test]
async fn rotation_accepts_the_old_secret_during_the_switch() {
    let layer = ShopifyLayer::new("new-secret")
        .unwrap()
        .secret(SECRET)
        .unwrap();
    let (runs, _) = run::<ShopifyEvent, _>(layer, vec![signed(SECRET, "w-1")]).await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
}

#[tokio::test]
async fn a_replayed_body_with_a_new_webhook_id_is_a_duplicate() {
    let (runs, calls) = run::<ShopifyEvent, _>(
        ShopifyLayer::new(SECRET).unwrap(),
        vec![signed(SECRET, "w-1"), signed(SECRET, "w-2")],
    )
    .await;
    assert_eq!((calls, runs[1].outcome), (1, Some(Outcome::Duplicate)));
}
