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

#[tokio::test]
async fn h02_h03_h04_missing_headers_are_400_missing_header() {
    for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        let mut request = signed(NEW, "a", NOW, b"{}");
        request.headers_mut().remove(name);
        let (status, reason, seen) = run(StandardLayer::new(NEW).unwrap(), request).await;
        assert_eq!(
            (status, reason),
            (400, Some(Reason::MissingHeader)),
            "{name}"
        );
        assert!(seen.is_empty());
    }
}

#[tokio::test]
async fn h17_h18_repeated_headers_are_400_malformed_header() {
    // A bad signature line followed by the good one, and two different ids.
    let mut request = signed(NEW, "a", NOW, b"{}");
    let good = request.headers()["webhook-signature"].clone();
    request
        .headers_mut()
        .insert("webhook-signature", "v1,AAAA".parse().unwrap());
    request.headers_mut().append("webhook-signature", good);
    let (status, reason, seen) = run(StandardLayer::new(NEW).unwrap(), request).await;
    assert_eq!((status, reason), (400, Some(Reason::MalformedHeader)));
    assert!(seen.is_empty());

    let mut request = signed(NEW, "a", NOW, b"{}");
    request
        .headers_mut()
        .append("webhook-id", "b".parse().unwrap());
    let (status, reason, seen) = run(StandardLayer::new(NEW).unwrap(), request).await;
    assert_eq!((status, reason), (400, Some(Reason::MalformedHeader)));
    assert!(seen.is_empty());
}

/// The same signed request under `svix-*` header names.
fn svix(request: Request<Bytes>) -> Request<Bytes> {
    let (mut parts, body) = request.into_parts();
    for (from, to) in [
        ("webhook-id", "svix-id"),
        ("webhook-timestamp", "svix-timestamp"),
        ("webhook-signature", "svix-signature"),
    ] {
        let value = parts.headers.remove(from).unwrap();
        parts.headers.insert(to, value);
    }
    Request::from_parts(parts, body)
}

#[tokio::test]
async fn h19_svix_headers_verify_and_arrive_sensitive() {
    let layer = StandardLayer::new(NEW).unwrap();
    let seen_sensitive = Arc::new(Mutex::new(None));
    let recorder = seen_sensitive.clone();
    let service = ServiceBuilder::new()
        .layer(layer.clock(FixedClock::at_unix(NOW as u64)))
        .service_fn(move |req: Request<VerifiedBody>| {
            let recorder = recorder.clone();
            async move {
                let event = req.extensions().get::<StandardEvent>().cloned();
                let sensitive = req
                    .headers()
                    .get("svix-signature")
                    .map(http::HeaderValue::is_sensitive);
                *recorder.lock().unwrap() = Some((event.map(|e| e.id), sensitive));
                Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
            }
        });
    let request = svix(signed(NEW, "msg_svix", NOW, b"{}"));
    let response = service.oneshot(request.map(Full::new)).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        seen_sensitive.lock().unwrap().clone(),
        Some((Some("msg_svix".to_owned()), Some(true)))
    );
}

#[tokio::test]
async fn h19_svix_and_webhook_headers_must_agree() {
    // Identical values under both names: accepted.
    let request = signed(NEW, "a", NOW, b"{}");
    let mut both = svix(request.clone());
    for (name, value) in request.headers() {
        both.headers_mut().insert(name, value.clone());
    }
    assert_eq!(run(StandardLayer::new(NEW).unwrap(), both).await.0, 200);
    // A different id under the svix name: refused, never delivered.
    let mut request = signed(NEW, "a", NOW, b"{}");
    request
        .headers_mut()
        .insert("svix-id", "b".parse().unwrap());
    let (status, reason, seen) = run(StandardLayer::new(NEW).unwrap(), request).await;
    assert_eq!((status, reason), (400, Some(Reason::MalformedHeader)));
    assert!(seen.is_empty());
}

#[tokio::test]
async fn h25_h29_negative_and_absurd_timestamps_are_out_of_tolerance() {
    for timestamp in [i64::MIN, -1, 0, i64::MAX, NOW * 1000] {
        let request = signed(NEW, "a", timestamp, b"{}");
        let (status, reason, seen) = run(StandardLayer::new(NEW).unwrap(), request).await;
        assert_eq!(
            (status, reason),
            (401, Some(Reason::TimestampOutOfTolerance)),
            "{timestamp}"
        );
        assert!(seen.is_empty());
    }
}

#[tokio::test]
async fn h39_replay_of_the_same_delivery_is_200_without_a_second_call() {
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = calls.clone();
    let service = ServiceBuilder::new()
        .layer(
            StandardLayer::new(NEW)
                .unwrap()
                .clock(FixedClock::at_unix(NOW as u64)),
        )
        .service_fn(move |_req: Request<VerifiedBody>| {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::new()))) }
        });
    for _ in 0..2 {
        let request = signed(NEW, "msg_replay", NOW, b"{}").map(Full::new);
        let response = service.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), 200);
    }
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
}

/// Queued processing: a delivery signed on arrival, verified a day later by a consumer that
/// stamped it with `ReceivedAt`, passes only when the layer opts in and the stamp is recent
/// enough; a stamp after the clock counts as the clock.
#[tokio::test]
async fn received_at_moves_the_verification_time_only_when_enabled_and_recent() {
    use std::time::{Duration, UNIX_EPOCH};
    use webhook_core::ReceivedAt;
    let day = 24 * 3600;
    let arrived = NOW - day;
    let queued = |id: &str, stamp: i64| {
        let mut request = signed(NEW, id, arrived, b"{}");
        let at = UNIX_EPOCH + Duration::from_secs(stamp as u64);
        request.extensions_mut().insert(ReceivedAt(at));
        request
    };
    let ignoring = StandardLayer::new(NEW).unwrap();
    let (status, reason, _) = run(ignoring, queued("a", arrived)).await;
    assert_eq!(
        (status, reason),
        (401, Some(Reason::TimestampOutOfTolerance))
    );

    let two_days = Duration::from_secs(2 * day as u64);
    let honouring = StandardLayer::new(NEW)
        .unwrap()
        .received_at_max_age(two_days);
    let (status, _, seen) = run(honouring.clone(), queued("b", arrived + 10)).await;
    assert_eq!(status, 200);
    assert_eq!(seen.len(), 1);

    let one_hour = Duration::from_secs(3600);
    let strict = StandardLayer::new(NEW)
        .unwrap()
        .received_at_max_age(one_hour);
    let (status, reason, seen) = run(strict, queued("c", arrived + 10)).await;
    assert_eq!(
        (status, reason),
        (401, Some(Reason::TimestampOutOfTolerance))
    );
    assert!(seen.is_empty());

    let (status, reason, _) = run(honouring, queued("d", NOW + day)).await;
    assert_eq!(
        (status, reason),
        (401, Some(Reason::TimestampOutOfTolerance)),
        "a stamp after the clock is the clock, and the signature is a day old"
    );
}
