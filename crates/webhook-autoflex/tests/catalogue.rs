//! SECURITY.md §3.6 rows (callback id + fetch) through the real Autoflex10 layer, with the API
//! served in-process (`TableFetch`); test names carry the row ids (`cargo xtask catalogue`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;
use tower::{ServiceBuilder, ServiceExt};
use webhook_autoflex::{AutoflexEvent, AutoflexLayer, MemoryPendingCallbacks};
use webhook_core::{Outcome, Reason, Rejection, TableFetch, TableResponse, VerifiedBody};

const API: &str = "https://api.example.com/webservice_v2";
const ID: &str = "3f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e";
const PAYLOAD: &str = r#"{"successCode":200,"data":{"url":"https://download.example.com/b.zip"}}"#;

/// Status, reason, outcome, inner calls, `Retry-After`.
type Seen = (u16, Option<Reason>, Option<Outcome>, usize, Option<String>);

fn payload_url(id: &str) -> String {
    format!("{API}/webhook?id={id}")
}

fn pending(ids: &[&str]) -> MemoryPendingCallbacks {
    let registry = MemoryPendingCallbacks::new(100);
    for id in ids {
        registry.insert(id, Duration::from_secs(3600));
    }
    registry
}

fn layer(net: &TableFetch) -> AutoflexLayer {
    AutoflexLayer::new(API, "token")
        .unwrap()
        .pending(pending(&[ID]))
        .fetcher(net.clone())
}

fn api() -> TableFetch {
    TableFetch::new().with(payload_url(ID), TableResponse::ok(PAYLOAD))
}

async fn send_status(
    layer: AutoflexLayer,
    request: Request<Bytes>,
    inner_status: StatusCode,
) -> Seen {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let service =
        ServiceBuilder::new()
            .layer(layer)
            .service_fn(move |req: Request<VerifiedBody>| {
                assert!(req.extensions().get::<AutoflexEvent>().is_some());
                counter.fetch_add(1, Ordering::SeqCst);
                let mut response = Response::new(Full::new(Bytes::new()));
                *response.status_mut() = inner_status;
                async move { Ok::<_, Infallible>(response) }
            });
    let response = service.oneshot(request.map(Full::new)).await.unwrap();
    (
        response.status().as_u16(),
        response
            .extensions()
            .get::<Rejection>()
            .map(Rejection::reason),
        response.extensions().get::<Outcome>().copied(),
        calls.load(Ordering::SeqCst),
        response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned()),
    )
}

async fn send(layer: AutoflexLayer, request: Request<Bytes>) -> Seen {
    send_status(layer, request, StatusCode::OK).await
}

fn get(query: &str) -> Request<Bytes> {
    Request::get(format!("https://hooks.example.com/autoflex{query}"))
        .body(Bytes::new())
        .unwrap()
}

fn callback(id: &str) -> Request<Bytes> {
    get(&format!("?id={id}"))
}

fn assert_refused(seen: &Seen, status: u16, reason: Reason, what: &str) {
    assert_eq!(
        (seen.0, seen.1, seen.3),
        (status, Some(reason), 0),
        "{what}"
    );
}

#[tokio::test]
async fn c01_pending_callback_fetches_the_payload_once_and_delivers_it() {
    let net = api();
    let seen = send(layer(&net), callback(ID)).await;
    assert_eq!((seen.0, seen.3), (200, 1));
    assert_eq!(net.take_calls(), vec![format!("GET {}", payload_url(ID))]);
}

#[tokio::test]
async fn c02_other_methods_are_405_without_a_fetch() {
    let net = api();
    for method in [Method::POST, Method::PUT, Method::DELETE] {
        let mut request = callback(ID);
        *request.method_mut() = method.clone();
        let seen = send(layer(&net), request).await;
        assert_refused(&seen, 405, Reason::MethodNotAllowed, method.as_str());
    }
    assert!(net.take_calls().is_empty());
}

#[tokio::test]
async fn c03_c04_c23_c24_c31_c41_bad_or_missing_ids_are_malformed_body_without_a_fetch() {
    let net = api();
    let long = format!("?id={}", "a".repeat(10 * 1024));
    for query in [
        "",
        "?",
        "?foo=bar",
        "?id=",
        "?id=abc",
        "?id=../x",
        "?id=x&token=y",
        "?id=%00",
        long.as_str(),
        "?id=3f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e%20",
        "?id=3f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e%0D%0A",
        "?id=%33f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e",
        "?id=3f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e&id=8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d",
        "?id=3f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e&id=3f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e",
    ] {
        let seen = send(layer(&net), get(query)).await;
        assert_refused(
            &seen,
            400,
            Reason::MalformedBody,
            &query[..query.len().min(60)],
        );
    }
    assert!(net.take_calls().is_empty());
}

/// Policy pinned: upper-case hex is normalised to the canonical lower-case id (so it matches
/// the pending entry and is fetched lower-case); braces and `urn:uuid:` are not ids.
#[tokio::test]
async fn c05_upper_case_ids_are_normalised_braced_or_urn_ids_are_malformed_body() {
    let net = api();
    let upper = ID.to_uppercase();
    let seen = send(layer(&net), callback(&upper)).await;
    assert_eq!((seen.0, seen.3), (200, 1));
    assert_eq!(net.take_calls(), vec![format!("GET {}", payload_url(ID))]);
    let braced = format!("{{{ID}}}");
    let urn = format!("urn:uuid:{ID}");
    for id in [braced.as_str(), urn.as_str()] {
        let seen = send(layer(&net), callback(id)).await;
        assert_refused(&seen, 400, Reason::MalformedBody, id);
    }
    assert!(net.take_calls().is_empty());
}

#[tokio::test]
async fn c06_c22_well_formed_ids_not_pending_are_404_without_a_fetch() {
    let net = api();
    for n in 0..50u32 {
        let id = format!("{n:08x}-0000-4000-8000-000000000000");
        let seen = send(layer(&net), callback(&id)).await;
        assert_refused(&seen, 404, Reason::UnknownCallback, &id);
    }
    assert!(net.take_calls().is_empty());
}

#[tokio::test]
async fn c08_fetch_404_is_unknown_callback() {
    let net = TableFetch::new().with(
        payload_url(ID),
        TableResponse::status(StatusCode::NOT_FOUND, "gone"),
    );
    let seen = send(layer(&net), callback(ID)).await;
    assert_refused(&seen, 404, Reason::UnknownCallback, "404");
}

#[tokio::test(start_paused = true)]
async fn c10_c11_c12_c13_c14_c28_c32_c40_upstream_failures_are_503_with_a_bounded_retry_after() {
    let mut slow = TableResponse::ok(PAYLOAD);
    slow.delay = Duration::from_secs(120);
    let mut redirect = TableResponse::status(StatusCode::FOUND, "");
    redirect.headers.insert(
        "location",
        "https://evil.example/webhook?id=x".parse().unwrap(),
    );
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let cases: Vec<(&str, Option<TableResponse>)> = vec![
        ("unreachable", None),
        (
            "500",
            Some(TableResponse::status(StatusCode::INTERNAL_SERVER_ERROR, "")),
        ),
        ("slow", Some(slow)),
        ("huge", Some(TableResponse::ok("x".repeat(4 << 20)))),
        ("redirect", Some(redirect)),
        ("not json", Some(TableResponse::ok("<html>"))),
        (
            "429",
            Some(TableResponse::status(StatusCode::TOO_MANY_REQUESTS, "")),
        ),
        (
            "duplicate keys",
            Some(TableResponse::ok(
                r#"{"data":{"url":"a"},"data":{"url":"b"}}"#,
            )),
        ),
        ("deep", Some(TableResponse::ok(deep))),
    ];
    for (what, answer) in cases {
        let net = TableFetch::new();
        if let Some(answer) = answer {
            net.set(payload_url(ID), answer);
        }
        let seen = send(layer(&net), callback(ID)).await;
        assert_refused(&seen, 503, Reason::KeyUnavailable, what);
        let retry: u64 = seen.4.as_deref().unwrap_or("x").parse().unwrap();
        assert!((1..=300).contains(&retry), "{what}: Retry-After {retry}");
        assert!(
            net.take_calls().iter().all(|c| !c.contains("evil.example")),
            "{what}: redirect followed"
        );
    }
}

#[tokio::test]
async fn c16_repeated_callback_after_success_is_a_duplicate_without_a_fetch() {
    let net = api();
    let layer = layer(&net);
    assert_eq!(send(layer.clone(), callback(ID)).await.0, 200);
    let _ = net.take_calls();
    let seen = send(layer, callback(ID)).await;
    assert_eq!((seen.0, seen.2, seen.3), (200, Some(Outcome::Duplicate), 0));
    assert!(net.take_calls().is_empty());
}

/// Two concurrent callbacks for one id: one inner call and one fetch (C17 in full, with ten
/// callbacks, is in tests/fetch_limits.rs).
#[tokio::test(start_paused = true)]
async fn concurrent_callbacks_for_one_id_make_one_inner_call() {
    let mut slow = TableResponse::ok(PAYLOAD);
    slow.delay = Duration::from_millis(500);
    let net = TableFetch::new().with(payload_url(ID), slow);
    let layer = layer(&net);
    let (a, b) = tokio::join!(
        send(layer.clone(), callback(ID)),
        send(layer.clone(), callback(ID))
    );
    assert_eq!(a.3 + b.3, 1, "{a:?} {b:?}");
    assert_eq!(net.take_calls().len(), 1);
}

#[tokio::test]
async fn c18_payload_url_is_data_and_never_fetched() {
    let payload = r#"{"data":{"url":"http://169.254.169.254/latest/meta-data"}}"#;
    let net = TableFetch::new().with(payload_url(ID), TableResponse::ok(payload));
    let seen = send(layer(&net), callback(ID)).await;
    assert_eq!(seen.0, 200);
    assert_eq!(net.take_calls(), vec![format!("GET {}", payload_url(ID))]);
}

#[test]
fn c19_c25_plain_http_api_base_or_a_token_with_cr_lf_are_construction_errors() {
    assert!(AutoflexLayer::new("http://api.example.com/webservice_v2", "token").is_err());
    assert!(AutoflexLayer::new(API, "tok\r\nX-Injected: 1").is_err());
    assert!(AutoflexLayer::new(API, "tok\n").is_err());
}

/// Policy pinned: the API's content type is not checked; the body must be strict JSON.
#[tokio::test]
async fn c20_payload_content_type_is_ignored() {
    let mut answer = TableResponse::ok(PAYLOAD);
    answer
        .headers
        .insert("content-type", "text/html".parse().unwrap());
    let net = TableFetch::new().with(payload_url(ID), answer);
    assert_eq!(send(layer(&net), callback(ID)).await.0, 200);
}

#[tokio::test]
async fn c21_callback_with_a_body_is_malformed_body() {
    let net = api();
    let request = callback(ID).map(|_| Bytes::from_static(b"{\"x\":1}"));
    let seen = send(layer(&net), request).await;
    assert_refused(&seen, 400, Reason::MalformedBody, "body");
    assert!(net.take_calls().is_empty());
}

#[tokio::test(start_paused = true)]
async fn c29_pending_id_past_its_ttl_is_unknown() {
    let net = api();
    let registry = MemoryPendingCallbacks::new(10);
    registry.insert(ID, Duration::from_secs(60));
    let layer = AutoflexLayer::new(API, "token")
        .unwrap()
        .pending(registry)
        .fetcher(net.clone());
    tokio::time::advance(Duration::from_secs(61)).await;
    let seen = send(layer, callback(ID)).await;
    assert_refused(&seen, 404, Reason::UnknownCallback, "expired");
    assert!(net.take_calls().is_empty());
}

#[tokio::test]
async fn c30_inner_failure_keeps_the_id_claimable() {
    let net = api();
    let layer = layer(&net);
    let first = send_status(
        layer.clone(),
        callback(ID),
        StatusCode::INTERNAL_SERVER_ERROR,
    )
    .await;
    assert_eq!((first.0, first.3), (500, 1));
    let retry = send(layer, callback(ID)).await;
    assert_eq!((retry.0, retry.3), (200, 1), "the retry is delivered");
}

#[tokio::test]
async fn c36_nil_and_max_uuids_follow_the_ordinary_rules() {
    let nil = "00000000-0000-0000-0000-000000000000";
    let max = "ffffffff-ffff-ffff-ffff-ffffffffffff";
    let net = TableFetch::new()
        .with(payload_url(nil), TableResponse::ok(PAYLOAD))
        .with(payload_url(max), TableResponse::ok(PAYLOAD));
    let layer = AutoflexLayer::new(API, "token")
        .unwrap()
        .pending(pending(&[nil, max]))
        .fetcher(net.clone());
    for id in [nil, max] {
        assert_eq!(send(layer.clone(), callback(id)).await.0, 200, "{id}");
    }
    let other = "00000000-0000-0000-0000-000000000001";
    assert_eq!(send(layer, callback(other)).await.0, 404);
}

#[tokio::test]
async fn c37_id_in_the_path_is_not_an_id() {
    let net = api();
    let request = Request::get(format!("https://hooks.example.com/autoflex/{ID}"))
        .body(Bytes::new())
        .unwrap();
    let seen = send(layer(&net), request).await;
    assert_refused(&seen, 400, Reason::MalformedBody, "path id");
    assert!(net.take_calls().is_empty());
}

#[tokio::test]
async fn c33_two_instances_sharing_a_store_fetch_and_deliver_once() {
    let net = api();
    let store = webhook_core::MemoryReplayStore::new(100);
    let registry = pending(&[ID]);
    let instance = || {
        AutoflexLayer::new(API, "token")
            .unwrap()
            .pending(registry.clone())
            .replay_store(store.clone())
            .fetcher(net.clone())
    };
    let a = send(instance(), callback(ID)).await;
    let b = send(instance(), callback(ID)).await;
    assert_eq!((a.0, a.3), (200, 1));
    assert_eq!((b.0, b.2, b.3), (200, Some(Outcome::Duplicate), 0));
    assert_eq!(net.take_calls().len(), 1, "one fetch across both instances");
}
