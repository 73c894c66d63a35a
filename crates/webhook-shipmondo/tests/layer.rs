//! The full Shipmondo stack through `oneshot`, with a counting inner service.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use serde_json::{Value, json};
use tower::{ServiceBuilder, ServiceExt};
use webhook_core::jws::encode;
use webhook_core::{HmacSha256Keys, Outcome, Reason, Rejection, VerifiedBody};
use webhook_shipmondo::{ClaimEncoding, ShipmondoEvent, ShipmondoLayer, ShipmondoSigner};

const KEY: &str = "shipmondo-test-key";
const URL: &str = "https://hooks.example.com/shipmondo";

struct Run {
    status: u16,
    reason: Option<Reason>,
    outcome: Option<Outcome>,
    event: Option<ShipmondoEvent>,
}

async fn run_all(layer: ShipmondoLayer, requests: Vec<Request<Bytes>>) -> (Vec<Run>, usize) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let service =
        ServiceBuilder::new()
            .layer(layer)
            .service_fn(move |req: Request<VerifiedBody>| {
                counter.fetch_add(1, Ordering::SeqCst);
                let event = req.extensions().get::<ShipmondoEvent>().cloned();
                async move {
                    let mut response = Response::new(Full::new(Bytes::new()));
                    response.extensions_mut().insert(event);
                    Ok::<_, Infallible>(response)
                }
            });
    let mut runs = Vec::new();
    for request in requests {
        let response = service
            .clone()
            .oneshot(request.map(Full::new))
            .await
            .unwrap();
        runs.push(Run {
            status: response.status().as_u16(),
            reason: response
                .extensions()
                .get::<Rejection>()
                .map(Rejection::reason),
            outcome: response.extensions().get::<Outcome>().copied(),
            event: response
                .extensions()
                .get::<Option<ShipmondoEvent>>()
                .cloned()
                .flatten(),
        });
    }
    (runs, calls.load(Ordering::SeqCst))
}

fn post(body: String) -> Request<Bytes> {
    Request::post(URL)
        .header("smd-resource-id", "7")
        .body(Bytes::from(body))
        .unwrap()
}

fn claims() -> Value {
    json!({"webhook": "Orders", "data": {"id": 7, "order_status": "open"}, "url": URL})
}

/// A token with any header and payload text, MAC'd with `key`.
fn raw_token(header: &str, payload: &str, key: &str) -> String {
    let input = format!(
        "{}.{}",
        encode(header.as_bytes()),
        encode(payload.as_bytes())
    );
    let tag = HmacSha256Keys::new([key.as_bytes()])
        .sign(0, &[input.as_bytes()])
        .unwrap();
    format!("{input}.{}", encode(tag.as_ref()))
}

fn layer() -> ShipmondoLayer {
    ShipmondoLayer::new(KEY).unwrap().endpoint_url(URL).unwrap()
}

#[tokio::test]
async fn j01_j23_rotation_and_typed_event() {
    let layer = ShipmondoLayer::new("new-key")
        .unwrap()
        .key(KEY)
        .unwrap()
        .endpoint_url(URL)
        .unwrap();
    let body = ShipmondoSigner::new(KEY).body(&claims(), ClaimEncoding::JsonString);
    let (runs, calls) = run_all(layer, vec![post(body)]).await;
    assert_eq!((runs[0].status, calls), (200, 1));
    let event = runs[0].event.clone().unwrap();
    assert_eq!(
        (
            event.webhook.as_str(),
            event.matched_key,
            event.hints_consistent
        ),
        ("Orders", 1, true)
    );
    assert_eq!(event.data["order_status"], "open");
}

#[tokio::test]
async fn j37_lying_smd_header_is_flagged_not_trusted() {
    let body = ShipmondoSigner::new(KEY).body(&claims(), ClaimEncoding::Object);
    let mut request = post(body);
    request
        .headers_mut()
        .insert("smd-resource-id", "999".parse().unwrap());
    let (runs, _) = run_all(layer(), vec![request]).await;
    let event = runs[0].event.clone().unwrap();
    assert_eq!((runs[0].status, event.hints_consistent), (200, false));
    assert_eq!(event.hints.resource_id.as_deref(), Some("999"));
}

#[tokio::test]
async fn j10_j11_j13_j17_unacceptable_headers_are_token_invalid() {
    for header in [
        r#"{"alg":"nOnE"}"#,
        r#"{"alg":"HS512"}"#,
        r#"{"typ":"JWT"}"#,
        r#"{"alg":7}"#,
        r#"{"alg":"HS256","crit":["exp"]}"#,
        r#"{"alg":"HS256","jwk":{}}"#,
    ] {
        let body = json!({"data": raw_token(header, &claims().to_string(), KEY)}).to_string();
        let (runs, calls) = run_all(layer(), vec![post(body)]).await;
        assert_eq!(
            (runs[0].status, runs[0].reason, calls),
            (401, Some(Reason::TokenInvalid), 0),
            "{header}"
        );
    }
}

#[tokio::test]
async fn j02_j03_j04_j05_j40_j41_envelope_shapes_are_malformed_body() {
    let token = ShipmondoSigner::new(KEY).token(&claims(), ClaimEncoding::Object);
    for body in [
        "data".to_owned(),
        "{}".to_owned(),
        json!({"data": 1}).to_string(),
        json!({"data": null}).to_string(),
        json!({"data": format!("{token}.x")}).to_string(),
        json!({"data": format!(" {token}")}).to_string(),
        format!("\u{feff}{}", json!({"data": token})),
        format!(r#"{{"data":"{token}","data":"{token}"}}"#),
    ] {
        let (runs, calls) = run_all(layer(), vec![post(body.clone())]).await;
        assert_eq!(
            (runs[0].status, runs[0].reason, calls),
            (400, Some(Reason::MalformedBody), 0),
            "{body}"
        );
    }
}

#[tokio::test]
async fn j29_j30_missing_or_non_string_url_is_claim_mismatch() {
    for claims in [
        json!({"webhook": "W", "data": {}}),
        json!({"webhook": "W", "data": {}, "url": 5}),
    ] {
        let body = ShipmondoSigner::new(KEY).body(&claims, ClaimEncoding::Object);
        let (runs, _) = run_all(layer(), vec![post(body)]).await;
        assert_eq!(
            (runs[0].status, runs[0].reason),
            (401, Some(Reason::ClaimMismatch))
        );
    }
}

#[tokio::test]
async fn j31_j32_j33_time_claims_are_strict() {
    for extra in [
        json!({"exp": "99999999999"}),
        json!({"exp": 1}),
        json!({"nbf": 99_999_999_999_i64}),
        json!({"exp": 1.5e300}),
    ] {
        let mut claims = claims();
        claims
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let body = ShipmondoSigner::new(KEY).body(&claims, ClaimEncoding::Object);
        let (runs, _) = run_all(layer(), vec![post(body)]).await;
        assert_eq!(
            (runs[0].status, runs[0].reason),
            (401, Some(Reason::TokenInvalid)),
            "{extra}"
        );
    }
}

#[tokio::test]
async fn j38_identical_body_twice_is_a_duplicate() {
    let body = ShipmondoSigner::new(KEY).body(&claims(), ClaimEncoding::Object);
    let (runs, calls) = run_all(layer(), vec![post(body.clone()), post(body)]).await;
    assert_eq!(calls, 1);
    assert_eq!(
        (runs[1].status, runs[1].outcome),
        (200, Some(Outcome::Duplicate))
    );
}

#[tokio::test]
async fn j36_oversized_header_segment_is_malformed_body() {
    let header = format!(r#"{{"alg":"HS256","pad":"{}"}}"#, "x".repeat(10_000));
    let body = json!({"data": raw_token(&header, &claims().to_string(), KEY)}).to_string();
    let (runs, _) = run_all(layer(), vec![post(body)]).await;
    assert_eq!(
        (runs[0].status, runs[0].reason),
        (400, Some(Reason::MalformedBody))
    );
}

#[tokio::test]
async fn mutated_bodies_never_panic_and_never_reach_the_handler() {
    let body = ShipmondoSigner::new(KEY)
        .body(&claims(), ClaimEncoding::Object)
        .into_bytes();
    let mut requests = Vec::new();
    for i in 0..body.len() {
        let mut flipped = body.clone();
        flipped[i] ^= 0x01;
        requests.push(Request::post(URL).body(Bytes::from(flipped)).unwrap());
        requests.push(
            Request::post(URL)
                .body(Bytes::copy_from_slice(&body[..i]))
                .unwrap(),
        );
    }
    let (runs, calls) = run_all(layer(), requests).await;
    assert_eq!(calls, 0);
    assert!(runs.iter().all(|r| r.reason.is_some()));
}

// ---- SECURITY.md §3.2 rows, named by id (`cargo xtask catalogue`) ----

/// One request through the default layer: status, reason, inner calls.
async fn one(body: String) -> (u16, Option<Reason>, usize) {
    let (runs, calls) = run_all(layer(), vec![post(body)]).await;
    (runs[0].status, runs[0].reason, calls)
}

fn data(token: &str) -> String {
    json!({ "data": token }).to_string()
}

/// A MAC that does not verify: 401 (the crate names it signature_mismatch or token_invalid,
/// SECURITY.md §5 item 6), never the handler.
fn assert_refused_401(got: (u16, Option<Reason>, usize), what: &str) {
    assert!(
        matches!(
            got,
            (
                401,
                Some(Reason::SignatureMismatch | Reason::TokenInvalid),
                0
            )
        ),
        "{what}: {got:?}"
    );
}

const HS256: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

#[tokio::test]
async fn j06_padded_or_standard_alphabet_segments_are_malformed_body() {
    let token = ShipmondoSigner::new(KEY).token(&claims(), ClaimEncoding::Object);
    let parts: Vec<&str> = token.split('.').collect();
    for bad in [
        format!("{}=.{}.{}", parts[0], parts[1], parts[2]),
        format!("{}.{}.{}==", parts[0], parts[1], parts[2]),
        token.replace('-', "+").replace('_', "/") + "+/",
    ] {
        let got = one(data(&bad)).await;
        assert_eq!(got, (400, Some(Reason::MalformedBody), 0), "{bad}");
    }
}

#[tokio::test]
async fn j07_signature_with_non_zero_trailing_bits_is_refused() {
    let token = ShipmondoSigner::new(KEY).token(&claims(), ClaimEncoding::Object);
    let (input, sig) = token.rsplit_once('.').unwrap();
    // 32 bytes → 43 base64url chars; the last carries 2 unused bits. Set them.
    let mut chars: Vec<char> = sig.chars().collect();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let last = alphabet.find(chars[42]).unwrap();
    chars[42] = alphabet.chars().nth(last | 1).unwrap();
    let twin: String = chars.into_iter().collect();
    assert_ne!(twin, sig);
    let (status, _, calls) = one(data(&format!("{input}.{twin}"))).await;
    assert!(matches!(status, 400 | 401) && calls == 0, "{status}");
}

#[tokio::test]
async fn j08_header_not_an_object_or_deeply_nested_is_refused_quickly() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    for header in ["not json", "[1,2]", deep.as_str()] {
        let token = raw_token(header, &claims().to_string(), KEY);
        let started = std::time::Instant::now();
        let (status, _, calls) = one(data(&token)).await;
        assert!(matches!(status, 400 | 401) && calls == 0, "{status}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}

#[tokio::test]
async fn j09_alg_none_with_an_empty_signature_is_token_invalid() {
    let input = format!(
        "{}.{}.",
        encode(br#"{"alg":"none"}"#),
        encode(claims().to_string().as_bytes())
    );
    assert_eq!(
        one(data(&input)).await,
        (401, Some(Reason::TokenInvalid), 0)
    );
}

#[tokio::test]
async fn j12_rs256_header_is_token_invalid() {
    let token = raw_token(r#"{"alg":"RS256"}"#, &claims().to_string(), KEY);
    assert_eq!(
        one(data(&token)).await,
        (401, Some(Reason::TokenInvalid), 0)
    );
}

#[tokio::test]
async fn j14_j15_embedded_or_remote_keys_in_the_header_are_refused() {
    let attacker = "attacker-key";
    for header in [
        json!({"alg": "HS256", "jwk": {"kty": "oct", "k": encode(attacker.as_bytes())}}),
        json!({"alg": "HS256", "jku": "https://evil.example/jwks"}),
        json!({"alg": "HS256", "x5u": "https://evil.example/c.pem"}),
    ] {
        let token = raw_token(&header.to_string(), &claims().to_string(), attacker);
        let (status, _, calls) = one(data(&token)).await;
        assert_eq!((status, calls), (401, 0), "{header}");
    }
}

#[tokio::test]
async fn j16_kid_is_never_a_path_or_key_selector_for_an_empty_key() {
    let header = r#"{"alg":"HS256","kid":"../../dev/null"}"#;
    let token = raw_token(header, &claims().to_string(), "");
    assert_refused_401(one(data(&token)).await, "empty-key MAC under a path kid");
    // The genuine key still verifies whatever the kid says.
    let token = raw_token(header, &claims().to_string(), KEY);
    assert_eq!(one(data(&token)).await.0, 200);
}

#[tokio::test]
async fn j18_b64_false_is_token_invalid() {
    let header = r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#;
    let token = raw_token(header, &claims().to_string(), KEY);
    assert_eq!(
        one(data(&token)).await,
        (401, Some(Reason::TokenInvalid), 0)
    );
    let header = r#"{"alg":"HS256","b64":false}"#;
    let token = raw_token(header, &claims().to_string(), KEY);
    let (status, _, _) = one(data(&token)).await;
    assert!(matches!(status, 200 | 401), "b64 without crit: {status}");
}

#[tokio::test]
async fn j19_j20_j22_truncated_wrong_or_confused_key_macs_are_refused() {
    let genuine = raw_token(HS256, &claims().to_string(), KEY);
    let (input, sig) = genuine.rsplit_once('.').unwrap();
    let mac = webhook_core::jws::decode(sig).unwrap();
    let truncated = format!("{input}.{}", encode(&mac[..16]));
    let wrong = format!("{input}.{}", encode(&[0x5a; 32]));
    let pem = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n";
    let confused = raw_token(HS256, &claims().to_string(), pem);
    for (what, token) in [
        ("truncated", truncated),
        ("wrong", wrong),
        ("pem key", confused),
    ] {
        assert_refused_401(one(data(&token)).await, what);
    }
}

/// Policy pinned (J28): the `url` claim is compared byte for byte with `endpoint_url`, with no
/// host-case or default-port normalisation (stricter than the row's suggestion).
#[tokio::test]
async fn j27_j28_url_claim_must_name_the_configured_endpoint_exactly() {
    for (url, accepted) in [
        (URL, true),
        ("https://evil.example/shipmondo", false),
        ("https://hooks.example.com/other", false),
        ("https://hooks.example.com/shipmondo?x=1", false),
        ("http://hooks.example.com/shipmondo", false),
        ("https://HOOKS.example.com/shipmondo", false),
        ("https://hooks.example.com:443/shipmondo", false),
    ] {
        let mut claims = claims();
        claims["url"] = json!(url);
        let body = ShipmondoSigner::new(KEY).body(&claims, ClaimEncoding::Object);
        let got = one(body).await;
        if accepted {
            assert_eq!(got.0, 200, "{url}");
        } else {
            assert_eq!(got, (401, Some(Reason::ClaimMismatch), 0), "{url}");
        }
    }
}

#[tokio::test]
async fn j34_duplicate_header_keys_are_refused() {
    let token = raw_token(
        r#"{"alg":"HS256","alg":"none"}"#,
        &claims().to_string(),
        KEY,
    );
    let (status, _, calls) = one(data(&token)).await;
    assert!(matches!(status, 400 | 401) && calls == 0, "{status}");
}

/// Documented trade-off: no id or timestamp in the scheme, so identical content is one event.
#[tokio::test]
async fn j39_legitimately_identical_content_is_also_a_duplicate() {
    let signer = ShipmondoSigner::new(KEY);
    let first = post(signer.body(&claims(), ClaimEncoding::Object));
    let second = post(signer.body(&claims(), ClaimEncoding::Object));
    let (runs, calls) = run_all(layer(), vec![first, second]).await;
    assert_eq!(
        (runs[1].status, runs[1].outcome, calls),
        (200, Some(Outcome::Duplicate), 1)
    );
}

#[tokio::test]
async fn j42_content_type_is_ignored() {
    let body = ShipmondoSigner::new(KEY).body(&claims(), ClaimEncoding::Object);
    let mut request = post(body);
    request
        .headers_mut()
        .insert("content-type", "text/plain".parse().unwrap());
    let (runs, calls) = run_all(layer(), vec![request]).await;
    assert_eq!((runs[0].status, calls), (200, 1));
}

#[tokio::test]
async fn j43_kid_naming_no_configured_key_still_tries_each_key() {
    let layer = ShipmondoLayer::new("other-key")
        .unwrap()
        .key(KEY)
        .unwrap()
        .endpoint_url(URL)
        .unwrap();
    let token = raw_token(
        r#"{"alg":"HS256","kid":"nope"}"#,
        &claims().to_string(),
        KEY,
    );
    let (runs, calls) = run_all(layer.clone(), vec![post(data(&token))]).await;
    assert_eq!((runs[0].status, calls), (200, 1));
    let token = raw_token(
        r#"{"alg":"HS256","kid":"nope"}"#,
        &claims().to_string(),
        "k3",
    );
    let (runs, calls) = run_all(layer, vec![post(data(&token))]).await;
    assert_eq!((runs[0].status, calls), (401, 0));
}

#[tokio::test]
async fn t13_host_header_never_stands_in_for_the_configured_endpoint() {
    let body = ShipmondoSigner::new(KEY).body(&claims(), ClaimEncoding::Object);
    let mut request = Request::post("https://evil.example/other")
        .body(Bytes::from(body))
        .unwrap();
    request
        .headers_mut()
        .insert("host", "evil.example".parse().unwrap());
    let (runs, calls) = run_all(layer(), vec![request]).await;
    assert_eq!(
        (runs[0].status, calls),
        (200, 1),
        "url claim = endpoint_url"
    );
    let mut claims = claims();
    claims["url"] = json!("https://evil.example/other");
    let body = ShipmondoSigner::new(KEY).body(&claims, ClaimEncoding::Object);
    let mut request = Request::post("https://evil.example/other")
        .body(Bytes::from(body))
        .unwrap();
    request
        .headers_mut()
        .insert("host", "evil.example".parse().unwrap());
    let (runs, _) = run_all(layer(), vec![request]).await;
    assert_eq!(runs[0].reason, Some(Reason::ClaimMismatch));
}
