//! SECURITY.md §3.1 rows (HMAC + timestamp) and §3.5 rows that apply to Standard Webhooks
//! `v1a` (E27–E40), each through the real layer with a fixed clock; test names carry the row ids
//! (`cargo xtask catalogue`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response};
use http_body_util::Full;
use tower::{ServiceBuilder, ServiceExt};
use webhook_core::{FixedClock, Reason, Rejection, VerifiedBody};
use webhook_standard::{StandardEvent, StandardLayer, StandardSigner};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOW: i64 = 1_700_000_000;

/// Status, rejection reason and the events the inner service saw.
async fn run(
    layer: StandardLayer,
    request: Request<Bytes>,
) -> (u16, Option<Reason>, Vec<StandardEvent>) {
    let seen: Arc<Mutex<Vec<StandardEvent>>> = Arc::default();
    let recorder = seen.clone();
    let service = ServiceBuilder::new()
        .layer(layer.clock(FixedClock::at_unix(NOW as u64)))
        .service_fn(move |req: Request<VerifiedBody>| {
            let recorder = recorder.clone();
            async move {
                let event = req.extensions().get::<StandardEvent>().cloned().unwrap();
                recorder.lock().unwrap().push(event);
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

fn layer() -> StandardLayer {
    StandardLayer::new(SECRET).unwrap()
}

fn signed(body: &[u8]) -> Request<Bytes> {
    StandardSigner::new(SECRET)
        .unwrap()
        .request("/hook", "msg_1", NOW, Bytes::copy_from_slice(body))
        .unwrap()
}

/// The base64 MAC of a signed request (after `v1,`).
fn mac_of(request: &Request<Bytes>) -> Vec<u8> {
    let header = request.headers()["webhook-signature"].to_str().unwrap();
    STANDARD
        .decode(header.strip_prefix("v1,").unwrap())
        .unwrap()
}

fn with_header(mut request: Request<Bytes>, name: &str, value: &[u8]) -> Request<Bytes> {
    let name = http::HeaderName::from_bytes(name.as_bytes()).unwrap();
    request
        .headers_mut()
        .insert(name, HeaderValue::from_bytes(value).unwrap());
    request
}

/// `request` with its body replaced, keeping the signature made over the old body.
fn with_body(request: Request<Bytes>, body: &[u8]) -> Request<Bytes> {
    request.map(|_| Bytes::copy_from_slice(body))
}

async fn expect(
    request: Request<Bytes>,
    layer: StandardLayer,
    status: u16,
    reason: Option<Reason>,
) {
    let (got, why, seen) = run(layer, request).await;
    assert_eq!((got, why), (status, reason));
    if reason.is_some() {
        assert!(seen.is_empty(), "a rejected request reached the handler");
    }
}

#[tokio::test]
async fn h08_one_flipped_mac_bit_is_signature_mismatch() {
    let request = signed(b"{}");
    for bit in [0, 7, 100, 255] {
        let mut mac = mac_of(&request);
        mac[bit / 8] ^= 1 << (bit % 8);
        let value = format!("v1,{}", STANDARD.encode(&mac));
        let forged = with_header(signed(b"{}"), "webhook-signature", value.as_bytes());
        expect(forged, layer(), 401, Some(Reason::SignatureMismatch)).await;
    }
}

#[tokio::test]
async fn h09_correct_mac_under_another_label_is_signature_mismatch() {
    let mac = STANDARD.encode(mac_of(&signed(b"{}")));
    for label in ["v2", "V1", "v1 ", "v0"] {
        let value = format!("{label},{mac}");
        let forged = with_header(signed(b"{}"), "webhook-signature", value.as_bytes());
        expect(forged, layer(), 401, Some(Reason::SignatureMismatch)).await;
    }
}

#[tokio::test]
async fn h13_h14_hex_or_64_byte_macs_do_not_match() {
    let mac = mac_of(&signed(b"{}"));
    let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
    let mut long = mac.clone();
    long.extend_from_slice(&mac);
    for value in [
        format!("v1,{hex}"),
        format!("v1,{}", STANDARD.encode(&long)),
    ] {
        let forged = with_header(signed(b"{}"), "webhook-signature", value.as_bytes());
        expect(forged, layer(), 401, Some(Reason::SignatureMismatch)).await;
    }
}

#[tokio::test]
async fn h16_e37_one_mib_signature_header_is_refused_without_reaching_the_handler() {
    let public = StandardSigner::ed25519_from_seed(&[9; 32])
        .unwrap()
        .public_key()
        .unwrap();
    for (label, configured) in [
        ("v1", layer()),
        ("v1a", StandardLayer::with_public_key(&public).unwrap()),
    ] {
        let value = format!("{label},{}", "A".repeat(1 << 20));
        let request = with_header(signed(b"{}"), "webhook-signature", value.as_bytes());
        let (status, reason, seen) = run(configured, request).await;
        assert!(seen.is_empty());
        assert!(
            matches!(
                (status, reason),
                (400, Some(Reason::MalformedHeader)) | (401, Some(Reason::SignatureMismatch))
            ),
            "{label}: {status} {reason:?}"
        );
    }
}

#[tokio::test]
async fn h20_two_spaces_between_entries_accept_tab_or_comma_do_not() {
    let genuine = signed(b"{}");
    let valid = genuine.headers()["webhook-signature"]
        .to_str()
        .unwrap()
        .to_owned();
    let decoy = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let spaced = format!("{decoy}  {valid}");
    let request = with_header(signed(b"{}"), "webhook-signature", spaced.as_bytes());
    assert_eq!(run(layer(), request).await.0, 200);
    for separator in ["\t", ","] {
        let value = format!("{decoy}{separator}{valid}");
        let request = with_header(signed(b"{}"), "webhook-signature", value.as_bytes());
        let (status, _, seen) = run(layer(), request).await;
        assert!(seen.is_empty(), "{separator:?}");
        assert!(
            status == 401 || status == 400,
            "{separator:?}: {status} (never an error status)"
        );
    }
}

#[tokio::test]
async fn h21_non_numeric_timestamp_is_malformed_header() {
    for value in ["hello", "", "1614265330abc"] {
        let request = with_header(signed(b"{}"), "webhook-timestamp", value.as_bytes());
        expect(request, layer(), 400, Some(Reason::MalformedHeader)).await;
    }
}

#[tokio::test]
async fn e31_e36_plus_leading_zero_or_64_digit_timestamps_are_malformed_header() {
    let plus = format!("+{NOW}");
    let zero = format!("0{NOW}");
    let long = "9".repeat(64);
    for value in [plus, zero, long] {
        let request = with_header(signed(b"{}"), "webhook-timestamp", value.as_bytes());
        expect(request, layer(), 400, Some(Reason::MalformedHeader)).await;
    }
}

#[tokio::test]
async fn h30_h31_h32_h33_any_change_to_the_signed_bytes_is_signature_mismatch() {
    let body = br#"{"b":1,"a":"\u001B \u2665"}"#;
    for changed in [
        &br#"{"b":1,"a":"\u001B \u2665"}
"#[..],
        br#"{"b":1,"a":"\u001B \u2665"}\r\n"#,
        br#"{"a":"\u001B \u2665","b":1}"#,
        br#"{ "b": 1, "a": "\u001B \u2665" }"#,
        br#"{"b":1,"a":"\u001b \u2665"}"#,
        "{\"b\":1,\"a\":\"\\u001B \u{2665}\"}".as_bytes(),
    ] {
        let request = with_body(signed(body), changed);
        expect(request, layer(), 401, Some(Reason::SignatureMismatch)).await;
    }
}

#[tokio::test]
async fn h35_replacement_character_bytes_swapped_for_0xff_is_signature_mismatch() {
    let body = "{\"name\":\"\u{FFFD}\"}".as_bytes();
    let mut mangled = body.to_vec();
    let at = mangled
        .windows(3)
        .position(|w| w == [0xEF, 0xBF, 0xBD])
        .unwrap();
    mangled.splice(at..at + 3, [0xFF]);
    let request = with_body(signed(body), &mangled);
    expect(request, layer(), 401, Some(Reason::SignatureMismatch)).await;
}

#[tokio::test]
async fn h36_h37_ids_with_a_dot_or_over_256_bytes_are_malformed_header() {
    let signer = StandardSigner::new(SECRET).unwrap();
    let long = "a".repeat(10 * 1024);
    for id in ["msg.1", "1614265330.x", long.as_str()] {
        // Signed correctly over the id as sent: the refusal is the id rule, not the MAC.
        let request = signer
            .request("/hook", id, NOW, Bytes::from_static(b"{}"))
            .unwrap();
        expect(request, layer(), 400, Some(Reason::MalformedHeader)).await;
    }
    let edge = "a".repeat(256);
    let request = signer
        .request("/hook", &edge, NOW, Bytes::from_static(b"{}"))
        .unwrap();
    assert_eq!(run(layer(), request).await.0, 200);
}

/// Policy (differs from the row's "typed JSON event" premise): the Standard Webhooks layer
/// hands the verified raw bytes to the handler and does not require JSON, so an empty body
/// with a valid MAC is delivered with an empty payload.
#[tokio::test]
async fn h46_e40_empty_body_with_a_valid_mac_is_delivered_as_raw_empty_bytes() {
    let (status, _, seen) = run(layer(), signed(b"")).await;
    assert_eq!(status, 200);
    assert!(seen[0].payload().is_empty());
    let ed = StandardSigner::ed25519_from_seed(&[3; 32]).unwrap();
    let public = ed.public_key().unwrap();
    let request = ed.request("/hook", "msg_e", NOW, Bytes::new()).unwrap();
    let (status, _, seen) = run(StandardLayer::with_public_key(&public).unwrap(), request).await;
    assert_eq!(status, 200);
    assert!(seen[0].payload().is_empty());
}

#[tokio::test]
async fn e27_v1a_whpk_key_accepts_its_signature() {
    let signer = StandardSigner::ed25519_from_seed(&[9; 32]).unwrap();
    let public = signer.public_key().unwrap();
    assert!(public.starts_with("whpk_"), "{public}");
    let request = signer
        .request(
            "/hook",
            "msg_v1a",
            NOW,
            Bytes::from_static(b"{\"ok\":true}"),
        )
        .unwrap();
    let (status, _, seen) = run(StandardLayer::with_public_key(&public).unwrap(), request).await;
    assert_eq!((status, seen.len()), (200, 1));
}

#[tokio::test]
async fn e28_v1a_wrong_key_or_63_or_65_byte_signatures_are_401() {
    let signer = StandardSigner::ed25519_from_seed(&[9; 32]).unwrap();
    let public = signer.public_key().unwrap();
    let other = StandardSigner::ed25519_from_seed(&[10; 32])
        .unwrap()
        .public_key()
        .unwrap();
    let genuine = signer
        .request("/hook", "msg_v1a", NOW, Bytes::from_static(b"{}"))
        .unwrap();
    let value = genuine.headers()["webhook-signature"]
        .to_str()
        .unwrap()
        .to_owned();
    let signature = STANDARD
        .decode(value.strip_prefix("v1a,").unwrap())
        .unwrap();
    assert_eq!(signature.len(), 64);
    let wrong_key = signer
        .request("/hook", "msg_v1a", NOW, Bytes::from_static(b"{}"))
        .unwrap();
    expect(
        wrong_key,
        StandardLayer::with_public_key(&other).unwrap(),
        401,
        Some(Reason::SignatureMismatch),
    )
    .await;
    let mut long = signature.clone();
    long.push(0);
    for bad in [&signature[..63], &long[..]] {
        let value = format!("v1a,{}", STANDARD.encode(bad));
        let request = with_header(
            signer
                .request("/hook", "msg_v1a", NOW, Bytes::from_static(b"{}"))
                .unwrap(),
            "webhook-signature",
            value.as_bytes(),
        );
        expect(
            request,
            StandardLayer::with_public_key(&public).unwrap(),
            401,
            Some(Reason::SignatureMismatch),
        )
        .await;
    }
}

#[test]
fn e29_malformed_whpk_keys_are_construction_errors() {
    let short = format!("whpk_{}", STANDARD.encode([1u8; 31]));
    let long = format!("whpk_{}", STANDARD.encode([1u8; 33]));
    for key in [
        "whpk_!!!notbase64",
        short.as_str(),
        long.as_str(),
        "whpk_",
        "",
    ] {
        assert!(StandardLayer::with_public_key(key).is_err(), "{key}");
    }
}

#[tokio::test]
async fn e30_valid_v1_entry_with_only_a_public_key_configured_is_401() {
    let signer = StandardSigner::ed25519_from_seed(&[9; 32]).unwrap();
    let public = signer.public_key().unwrap();
    expect(
        signed(b"{}"),
        StandardLayer::with_public_key(&public).unwrap(),
        401,
        Some(Reason::SignatureMismatch),
    )
    .await;
}

#[tokio::test]
async fn e33_e34_e35_e39_v1a_layer_refuses_method_encoding_header_and_size_like_v1() {
    let signer = StandardSigner::ed25519_from_seed(&[9; 32]).unwrap();
    let public = signer.public_key().unwrap();
    let v1a = || StandardLayer::with_public_key(&public).unwrap();
    let genuine = || {
        signer
            .request("/hook", "msg_v1a", NOW, Bytes::from_static(b"{\"a\":1}"))
            .unwrap()
    };
    let mut get = genuine();
    *get.method_mut() = Method::GET;
    expect(get, v1a(), 405, Some(Reason::MethodNotAllowed)).await;
    let gzip = with_header(genuine(), "content-encoding", b"gzip");
    expect(gzip, v1a(), 415, Some(Reason::UnsupportedEncoding)).await;
    let obs_text = with_header(genuine(), "webhook-timestamp", b"17\xff");
    expect(obs_text, v1a(), 400, Some(Reason::MalformedHeader)).await;
    expect(
        genuine(),
        v1a().body_limit(4),
        413,
        Some(Reason::BodyTooLarge),
    )
    .await;
}

/// A wall clock that moves with tokio's (paused) time from `start`.
#[derive(Clone)]
struct MovingClock {
    start: i64,
    origin: tokio::time::Instant,
}

impl webhook_core::Clock for MovingClock {
    fn now(&self) -> std::time::SystemTime {
        let start = std::time::UNIX_EPOCH + std::time::Duration::from_secs(self.start as u64);
        start + self.origin.elapsed()
    }
}

/// H40: a dedup TTL shorter than the replay window cannot open a replay hole. The worst case:
/// delivered when the verifier's clock is 299 s behind the signed timestamp, replayed 598 s
/// later when it is 299 s ahead — both inside ±300 s — with `dedup_ttl(1 s)` configured. The
/// layer raises the TTL to 2 × tolerance + 60 s, so the replay is a duplicate.
#[tokio::test(start_paused = true)]
async fn h40_replay_just_inside_the_window_after_a_short_dedup_ttl_is_still_a_duplicate() {
    let short = StandardLayer::new(SECRET)
        .unwrap()
        .dedup_ttl(std::time::Duration::from_secs(1));
    assert_eq!(
        short.effective_dedup_ttl(),
        std::time::Duration::from_secs(2 * 300 + 60)
    );
    let longer = StandardLayer::new(SECRET)
        .unwrap()
        .tolerance(std::time::Duration::from_secs(3600))
        .dedup_ttl(std::time::Duration::from_secs(60));
    assert_eq!(
        longer.effective_dedup_ttl(),
        std::time::Duration::from_secs(2 * 3600 + 60)
    );
    // Longer TTLs are kept as configured.
    let week = std::time::Duration::from_secs(7 * 24 * 3600);
    assert_eq!(
        StandardLayer::new(SECRET)
            .unwrap()
            .dedup_ttl(week)
            .effective_dedup_ttl(),
        week
    );

    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = calls.clone();
    let clock = MovingClock {
        start: NOW - 299,
        origin: tokio::time::Instant::now(),
    };
    let service = ServiceBuilder::new().layer(short.clock(clock)).service_fn(
        move |_req: Request<VerifiedBody>| {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::new()))) }
        },
    );
    let send = || async {
        let response = service
            .clone()
            .oneshot(signed(b"{}").map(Full::new))
            .await
            .unwrap();
        (
            response.status().as_u16(),
            response
                .extensions()
                .get::<webhook_core::Outcome>()
                .copied(),
        )
    };
    assert_eq!(send().await, (200, Some(webhook_core::Outcome::Delivered)));
    tokio::time::advance(std::time::Duration::from_secs(598)).await;
    assert_eq!(send().await, (200, Some(webhook_core::Outcome::Duplicate)));
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    // Past the window the old signature is refused on its timestamp, not re-delivered.
    tokio::time::advance(std::time::Duration::from_secs(2)).await;
    let response = service
        .clone()
        .oneshot(signed(b"{}").map(Full::new))
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}
