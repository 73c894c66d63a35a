//! The custom HMAC layer.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::run;
use webhook_core::patterns::{Digest, Encoding, HeaderHmac, SignedContent};
use webhook_core::{FixedClock, Outcome, Reason};
use webhook_providers::custom::{CustomEvent, CustomLayer};

const T: u64 = 1_700_000_000;
const BODY: &str = r#"{"event":"order.paid"}"#;

fn scheme(secrets: &[&str]) -> HeaderHmac {
    let mut hmac = HeaderHmac::new("x-acme-signature", Digest::Sha256)
        .unwrap()
        .prefix("v1=")
        .encoding(Encoding::Base64)
        .content(SignedContent::parse("{timestamp}.{body}").unwrap())
        .timestamp_header("x-acme-timestamp", Duration::from_secs(300))
        .unwrap();
    for secret in secrets {
        hmac = hmac.secret(secret.as_bytes()).unwrap();
    }
    hmac
}

fn request(secret: &str, t: u64) -> http::Request<Bytes> {
    let signature = scheme(&[secret]).sign(0, Some(t), BODY.as_bytes()).unwrap();
    http::Request::post("/hooks/acme")
        .header("x-acme-signature", signature)
        .header("x-acme-timestamp", t.to_string())
        .header("x-acme-delivery", "d-1")
        .header("x-acme-event", "order.paid")
        .body(Bytes::from_static(BODY.as_bytes()))
        .unwrap()
}

fn layer(secrets: &[&str], now: u64) -> CustomLayer {
    CustomLayer::new(scheme(secrets))
        .id_header("x-acme-delivery")
        .unwrap()
        .type_header("x-acme-event")
        .unwrap()
        .clock(FixedClock::at_unix(now))
}

#[tokio::test]
async fn genuine_stale_forged_rotated_and_replayed() {
    let (runs, calls) =
        run::<CustomEvent, _>(layer(&["s1"], T), vec![request("s1", T), request("s1", T)]).await;
    assert_eq!(
        (runs[0].status, calls, runs[1].outcome),
        (200, 1, Some(Outcome::Duplicate))
    );
    let event = runs[0].event.clone().unwrap();
    assert_eq!(
        (
            event.id.as_deref(),
            event.event_type.as_deref(),
            event.timestamp
        ),
        (Some("d-1"), Some("order.paid"), Some(1_700_000_000))
    );

    let (runs, _) = run::<CustomEvent, _>(layer(&["s1"], T + 301), vec![request("s1", T)]).await;
    assert_eq!(runs[0].reason, Some(Reason::TimestampOutOfTolerance));
    let (runs, _) = run::<CustomEvent, _>(layer(&["s1"], T), vec![request("s2", T)]).await;
    assert_eq!(runs[0].reason, Some(Reason::SignatureMismatch));
    let (runs, _) = run::<CustomEvent, _>(layer(&["s0", "s1"], T), vec![request("s1", T)]).await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
}

#[tokio::test]
async fn a_scheme_without_secrets_accepts_nothing() {
    let (runs, calls) = run::<CustomEvent, _>(layer(&[], T), vec![request("s1", T)]).await;
    assert_eq!(
        (runs[0].reason, calls),
        (Some(Reason::SignatureMismatch), 0)
    );
}
