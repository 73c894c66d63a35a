//! Stripe through the full layer.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

mod common;

use std::time::Duration;

use common::{run, with_body, with_header, without_header};
use webhook_core::{FixedClock, Outcome, Reason};
use webhook_providers::stripe::{StripeEvent, StripeLayer, StripeSigner};

const SECRET: &str = "whsec_test_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH";
const OLD: &str = "whsec_test_old";
const T: u64 = 1_700_000_000;
const BODY: &str = r#"{"id":"evt_1","object":"event","type":"customer.created"}"#;

fn layer(now: u64) -> StripeLayer {
    StripeLayer::new(SECRET)
        .unwrap()
        .clock(FixedClock::at_unix(now))
}

fn signed(secret: &str, t: u64) -> http::Request<bytes::Bytes> {
    StripeSigner::new(secret)
        .request("/hooks/stripe", t, BODY)
        .unwrap()
}

#[tokio::test]
async fn genuine_event_carries_the_signed_id_type_and_timestamp() {
    let (runs, calls) = run::<StripeEvent, _>(layer(T + 5), vec![signed(SECRET, T)]).await;
    assert_eq!((runs[0].status, calls), (200, 1));
    let event = runs[0].event.clone().unwrap();
    assert_eq!(event.id.as_deref(), Some("evt_1"));
    assert_eq!(event.event_type.as_deref(), Some("customer.created"));
    assert_eq!(event.timestamp, Some(1_700_000_000));
}

#[tokio::test]
async fn the_window_is_two_sided_inclusive_and_configurable() {
    for (now, reason) in [
        (T + 300, None),
        (T - 300, None),
        (T + 301, Some(Reason::TimestampOutOfTolerance)),
        (T - 301, Some(Reason::TimestampOutOfTolerance)),
    ] {
        let (runs, _) = run::<StripeEvent, _>(layer(now), vec![signed(SECRET, T)]).await;
        assert_eq!(runs[0].reason, reason, "now = {now}");
    }
    let short = layer(T + 11).tolerance(Duration::from_secs(10));
    let (runs, _) = run::<StripeEvent, _>(short, vec![signed(SECRET, T)]).await;
    assert_eq!(runs[0].reason, Some(Reason::TimestampOutOfTolerance));
}

#[tokio::test]
async fn forged_and_malformed_headers_have_their_reasons() {
    let header = StripeSigner::new(SECRET).header(T, BODY.as_bytes());
    let mac = header.split_once(",v1=").unwrap().1.to_owned();
    for (value, reason) in [
        (
            format!("t={T},v1={}", "0".repeat(64)),
            Reason::SignatureMismatch,
        ),
        (format!("t={T},v0={mac}"), Reason::SignatureMismatch),
        (format!("t={T},t={T},v1={mac}"), Reason::MalformedHeader),
        (format!("t={T}, v1={mac}"), Reason::MalformedHeader),
        (format!("t=0{T},v1={mac}"), Reason::MalformedHeader),
        (format!("v1={mac}"), Reason::MalformedHeader),
        (format!("t={T},v1=zz"), Reason::MalformedHeader),
    ] {
        let request = with_header(signed(SECRET, T), "stripe-signature", &value);
        let (runs, calls) = run::<StripeEvent, _>(layer(T), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0), "{value}");
    }
    let (runs, _) = run::<StripeEvent, _>(
        layer(T),
        vec![without_header(signed(SECRET, T), "stripe-signature")],
    )
    .await;
    assert_eq!(runs[0].reason, Some(Reason::MissingHeader));
    let (runs, _) = run::<StripeEvent, _>(layer(T), vec![signed("whsec_guess", T)]).await;
    assert_eq!(runs[0].reason, Some(Reason::SignatureMismatch));
    let (runs, _) = run::<StripeEvent, _>(
        layer(T),
        vec![with_body(signed(SECRET, T), r#"{"id":"evt_2"}"#)],
    )
    .await;
    assert_eq!(runs[0].reason, Some(Reason::SignatureMismatch));
}

#[tokio::test]
async fn rotation_accepts_either_v1_and_reports_the_secret() {
    let old = StripeSigner::new(OLD).header(T, BODY.as_bytes());
    let new = StripeSigner::new(SECRET).header(T, BODY.as_bytes());
    let both = format!("{new},v1={}", old.split_once(",v1=").unwrap().1);
    let layer = StripeLayer::new("whsec_unrelated")
        .unwrap()
        .secret(OLD)
        .unwrap()
        .clock(FixedClock::at_unix(T));
    let request = with_header(signed(SECRET, T), "stripe-signature", &both);
    let (runs, _) = run::<StripeEvent, _>(layer, vec![request]).await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
}

#[tokio::test]
async fn retries_with_a_new_timestamp_are_duplicates_of_the_signed_id() {
    let (runs, calls) = run::<StripeEvent, _>(
        layer(T + 10),
        vec![signed(SECRET, T), signed(SECRET, T + 10)],
    )
    .await;
    assert_eq!(calls, 1);
    assert_eq!(runs[1].outcome, Some(Outcome::Duplicate));
}

#[tokio::test]
async fn authentic_bodies_without_an_id_are_malformed_body() {
    let request = StripeSigner::new(SECRET)
        .request("/hooks/stripe", T, r#"{"object":"event"}"#)
        .unwrap();
    let (runs, calls) = run::<StripeEvent, _>(layer(T), vec![request]).await;
    assert_eq!((runs[0].reason, calls), (Some(Reason::MalformedBody), 0));
}
