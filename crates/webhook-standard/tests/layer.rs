//! The full Standard Webhooks stack through `oneshot`, with a recording inner service.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use tower::{ServiceBuilder, ServiceExt};
use webhook_core::{FixedClock, Reason, Rejection, VerifiedBody};
use webhook_standard::{StandardEvent, StandardLayer, StandardSigner};

const OLD: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const NEW: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOW: i64 = 1_700_000_000;

type Seen = Arc<Mutex<Vec<(StandardEvent, bool)>>>;

/// Sends `request` through `layer`; returns the status, the rejection reason and what the
/// inner service saw (the event, and whether the signature header arrived marked sensitive).
async fn run(
    layer: StandardLayer,
    request: Request<Bytes>,
) -> (u16, Option<Reason>, Vec<(StandardEvent, bool)>) {
    let seen: Seen = Arc::default();
    let recorder = seen.clone();
    let service = ServiceBuilder::new()
        .layer(layer.clock(FixedClock::at_unix(NOW as u64)))
        .service_fn(move |req: Request<VerifiedBody>| {
            let recorder = recorder.clone();
            async move {
                let event = req
                    .extensions()
                    .get::<StandardEvent>()
                    .cloned()
                    .expect("event");
                let sensitive = req
                    .headers()
                    .get("webhook-signature")
                    .is_some_and(|v| v.is_sensitive());
                recorder.lock().unwrap().push((event, sensitive));
                Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
            }
        });
    let response = service.oneshot(request.map(Full::new)).await.unwrap();
    let reason = response
        .extensions()
        .get::<Rejection>()
        .map(Rejection::reason);
    let seen = seen.lock().unwrap().clone();
    (response.status().as_u16(), reason, seen)
}

fn signed(secret: &str, id: &str, timestamp: i64, body: &'static [u8]) -> Request<Bytes> {
    StandardSigner::new(secret)
        .unwrap()
        .request("/hook", id, timestamp, Bytes::from_static(body))
        .unwrap()
}

#[tokio::test]
async fn h48_rotated_in_and_rotated_out_secrets() {
    let both = StandardLayer::new(OLD).unwrap().secret(NEW).unwrap();
    let (status, _, seen) = run(both.clone(), signed(NEW, "a", NOW, b"{}")).await;
    assert_eq!(status, 200);
    assert_eq!(seen[0].0.matched_key, 1);
    let (_, _, seen) = run(both, signed(OLD, "b", NOW, b"{}")).await;
    assert_eq!(seen[0].0.matched_key, 0);
    let rotated_out = StandardLayer::new(NEW).unwrap();
    let (status, reason, seen) = run(rotated_out, signed(OLD, "c", NOW, b"{}")).await;
    assert_eq!((status, reason), (401, Some(Reason::SignatureMismatch)));
    assert!(seen.is_empty());
}

#[tokio::test]
async fn signature_header_reaches_the_inner_service_marked_sensitive() {
    let (_, _, seen) = run(
        StandardLayer::new(NEW).unwrap(),
        signed(NEW, "a", NOW, b"{}"),
    )
    .await;
    assert!(seen[0].1, "webhook-signature must be sensitive downstream");
}

#[tokio::test]
async fn h06_h07_empty_and_truncated_signatures_do_not_match() {
    for signature in ["v1,", "v1,g0hM9SsE"] {
        let mut request = signed(NEW, "a", NOW, b"{}");
        request
            .headers_mut()
            .insert("webhook-signature", signature.parse().unwrap());
        let (status, reason, seen) = run(StandardLayer::new(NEW).unwrap(), request).await;
        assert_eq!(
            (status, reason),
            (401, Some(Reason::SignatureMismatch)),
            "{signature}"
        );
        assert!(seen.is_empty());
    }
}

#[tokio::test]
async fn several_signatures_one_valid_is_accepted() {
    let mut request = signed(NEW, "a", NOW, b"{}");
    let valid = request.headers()["webhook-signature"]
        .to_str()
        .unwrap()
        .to_owned();
    let header = format!("v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= {valid} v2,xyz");
    request
        .headers_mut()
        .insert("webhook-signature", header.parse().unwrap());
    assert_eq!(run(StandardLayer::new(NEW).unwrap(), request).await.0, 200);
}

#[tokio::test]
async fn body_exactly_at_the_limit_is_accepted_and_one_byte_over_is_413() {
    let at = signed(NEW, "a", NOW, b"0123456789");
    assert_eq!(
        run(StandardLayer::new(NEW).unwrap().body_limit(10), at)
            .await
            .0,
        200
    );
    let over = signed(NEW, "b", NOW, b"0123456789X");
    let (status, reason, _) = run(StandardLayer::new(NEW).unwrap().body_limit(10), over).await;
    assert_eq!((status, reason), (413, Some(Reason::BodyTooLarge)));
}

#[tokio::test]
async fn h34_non_utf8_body_with_a_valid_mac_is_verified_over_raw_bytes() {
    let request = signed(NEW, "a", NOW, b"\xff\xfe{}");
    let (status, _, seen) = run(StandardLayer::new(NEW).unwrap(), request).await;
    assert_eq!(status, 200);
    assert_eq!(seen[0].0.payload().as_ref(), b"\xff\xfe{}");
}

#[tokio::test]
async fn h28_h26_h27_tolerance_edges() {
    for (offset, expected) in [(-300, 200), (300, 200), (-301, 401), (301, 401)] {
        let request = signed(NEW, "a", NOW + offset, b"{}");
        assert_eq!(
            run(StandardLayer::new(NEW).unwrap(), request).await.0,
            expected,
            "offset {offset}"
        );
    }
}

#[tokio::test]
async fn h10_v1a_ed25519_signatures_verify_with_the_public_key_only() {
    let signer = StandardSigner::ed25519_from_seed(&[7; 32]).unwrap();
    let public_key = signer.public_key().unwrap();
    let request = signer
        .request("/hook", "msg_ed", NOW, Bytes::from_static(b"{}"))
        .unwrap();
    let (status, _, seen) = run(
        StandardLayer::with_public_key(&public_key).unwrap(),
        request,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(seen[0].0.matched_key, 0);
    // The same signature under an HMAC-only configuration matches nothing.
    let request = signer
        .request("/hook", "msg_ed", NOW, Bytes::from_static(b"{}"))
        .unwrap();
    assert_eq!(run(StandardLayer::new(NEW).unwrap(), request).await.0, 401);
    // A different key pair does not verify.
    let other = StandardSigner::ed25519_from_seed(&[8; 32])
        .unwrap()
        .public_key()
        .unwrap();
    let request = signer
        .request("/hook", "msg_ed", NOW, Bytes::from_static(b"{}"))
        .unwrap();
    assert_eq!(
        run(StandardLayer::with_public_key(&other).unwrap(), request)
            .await
            .0,
        401
    );
}

#[tokio::test]
async fn h38_non_ascii_header_value_is_malformed_header() {
    let mut request = signed(NEW, "a", NOW, b"{}");
    request.headers_mut().insert(
        "webhook-id",
        http::HeaderValue::from_bytes(b"id\xff").unwrap(),
    );
    let (status, reason, _) = run(StandardLayer::new(NEW).unwrap(), request).await;
    assert_eq!((status, reason), (400, Some(Reason::MalformedHeader)));
}
