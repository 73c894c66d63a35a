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
