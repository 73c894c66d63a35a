//! SECURITY.md §3.7 cross-cutting transport rows, exercised through the Standard Webhooks layer
//! (the core pipeline every adapter shares); test names carry the row ids.
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
use http::{HeaderMap, Request, Response};
use http_body_util::channel::{Channel, Sender};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use tower::{ServiceBuilder, ServiceExt};
use webhook_core::{
    BoxError, BoxFuture, Claim, FixedClock, MemoryReplayStore, Reason, Rejection, ReplayStore,
    StoreError, VerifiedBody,
};
use webhook_standard::{StandardLayer, StandardSigner};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOW: i64 = 1_700_000_000;

fn signed(id: &str, body: &'static [u8]) -> Request<Bytes> {
    StandardSigner::new(SECRET)
        .unwrap()
        .request("/hook", id, NOW, Bytes::from_static(body))
        .unwrap()
}

fn layer() -> StandardLayer {
    StandardLayer::new(SECRET)
        .unwrap()
        .clock(FixedClock::at_unix(NOW as u64))
}

type Boxed = BoxBody<Bytes, BoxError>;

fn full(request: Request<Bytes>) -> Request<Boxed> {
    request.map(|b| Full::new(b).map_err(|never| match never {}).boxed())
}

/// A request whose body the test feeds through the returned sender.
fn streamed(request: Request<Bytes>) -> (Request<Boxed>, Sender<Bytes, BoxError>) {
    let (sender, body) = Channel::<Bytes, BoxError>::new(4);
    (request.map(|_| body.boxed()), sender)
}

/// Runs `request` through `layer`; status, reason, inner calls, response with its body.
async fn run(
    layer: StandardLayer,
    request: Request<Boxed>,
) -> (u16, Option<Reason>, usize, Response<Bytes>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let service =
        ServiceBuilder::new()
            .layer(layer)
            .service_fn(move |_req: Request<VerifiedBody>| {
                counter.fetch_add(1, Ordering::SeqCst);
                async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::new()))) }
            });
    let response = service.oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let reason = response
        .extensions()
        .get::<Rejection>()
        .map(Rejection::reason);
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    (
        status,
        reason,
        calls.load(Ordering::SeqCst),
        Response::from_parts(parts, body),
    )
}

#[tokio::test]
async fn t02_expect_continue_with_a_huge_content_length_is_413_before_reading() {
    let (mut request, sender) = streamed(signed("a", b"{}"));
    request
        .headers_mut()
        .insert("expect", "100-continue".parse().unwrap());
    request
        .headers_mut()
        .insert("content-length", "10000000000".parse().unwrap());
    // Nothing is ever sent: the answer must not wait for the body.
    let (status, reason, calls, _) =
        tokio::time::timeout(Duration::from_secs(5), run(layer(), request))
            .await
            .expect("answered without reading the body");
    assert_eq!(
        (status, reason, calls),
        (413, Some(Reason::BodyTooLarge), 0)
    );
    drop(sender);
}

#[tokio::test]
async fn t03_t15_body_cut_short_or_aborted_never_reaches_the_handler_or_the_store() {
    let store = MemoryReplayStore::new(16);
    for abort in [true, false] {
        let (request, mut sender) = streamed(signed("cut", b"{\"half\":1}"));
        let feeder = tokio::spawn(async move {
            sender
                .send_data(Bytes::from_static(b"{\"ha"))
                .await
                .unwrap();
            if abort {
                sender.abort("client went away".into());
            } // else: dropped mid-body, as when the connection closes.
        });
        let (status, reason, calls, _) = run(layer().replay_store(store.clone()), request).await;
        feeder.await.unwrap();
        assert_eq!(calls, 0, "abort={abort}");
        assert!(reason.is_some(), "abort={abort}: {status}");
    }
    assert!(store.is_empty(), "nothing remembered for a cut body");
}

#[tokio::test]
async fn t11_obs_text_header_values_are_400() {
    let mut request = signed("a", b"{}");
    request.headers_mut().insert(
        "webhook-timestamp",
        http::HeaderValue::from_bytes(b"17\x80\xff").unwrap(),
    );
    let (status, reason, calls, _) = run(layer(), full(request)).await;
    assert_eq!(
        (status, reason, calls),
        (400, Some(Reason::MalformedHeader), 0)
    );
}

#[tokio::test]
async fn t12_rejections_are_fixed_json_without_reflection_cookies_or_caching() {
    let marker = "REFLECT-ME-<script>";
    let mut request = signed(marker, b"{}");
    request
        .headers_mut()
        .insert("webhook-signature", format!("v1,{marker}").parse().unwrap());
    request
        .headers_mut()
        .insert("cookie", format!("session={marker}").parse().unwrap());
    let (status, _, _, response) = run(layer(), full(request)).await;
    assert!(status >= 400);
    let body = std::str::from_utf8(response.body()).unwrap();
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(json.as_object().unwrap().len(), 1, "{body}");
    assert!(json["reason"].is_string());
    assert!(!body.contains("REFLECT"), "{body}");
    assert!(response.headers().get("set-cookie").is_none());
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn t14_trailers_are_ignored_and_never_signed() {
    let (request, mut sender) = streamed(signed("tr", b"{\"a\":1}"));
    let feeder = tokio::spawn(async move {
        sender
            .send_data(Bytes::from_static(b"{\"a\":1}"))
            .await
            .unwrap();
        let mut trailers = HeaderMap::new();
        trailers.insert("webhook-signature", "v1,forged".parse().unwrap());
        sender.send_trailers(trailers).await.unwrap();
    });
    let (status, _, calls, _) = run(layer(), request).await;
    feeder.await.unwrap();
    assert_eq!((status, calls), (200, 1));
}

/// A replay store that is down (or answers only after `delay`).
#[derive(Clone)]
struct BrokenStore;

impl ReplayStore for BrokenStore {
    fn claim<'a>(
        &'a self,
        _key: &'a str,
        _lease: Duration,
    ) -> BoxFuture<'a, Result<Claim, StoreError>> {
        Box::pin(async { Err(StoreError("connection refused".into())) })
    }
    fn complete<'a>(
        &'a self,
        _key: &'a str,
        _ttl: Duration,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async { Err(StoreError("connection refused".into())) })
    }
    fn release<'a>(&'a self, _key: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async { Err(StoreError("connection refused".into())) })
    }
    fn peek<'a>(&'a self, _key: &'a str) -> BoxFuture<'a, Result<Claim, StoreError>> {
        Box::pin(async { Err(StoreError("connection refused".into())) })
    }
}

#[tokio::test]
async fn t16_replay_store_down_fails_closed_with_503_store_unavailable() {
    let (status, reason, calls, response) =
        run(layer().replay_store(BrokenStore), full(signed("a", b"{}"))).await;
    assert_eq!(
        (status, reason, calls),
        (503, Some(Reason::StoreUnavailable), 0)
    );
    assert!(response.headers().get("retry-after").is_some());
}

#[tokio::test]
async fn t19_the_window_uses_the_injected_clock_not_the_host_clock() {
    // The published vector (2021) verifies at its own instant whatever the host clock says…
    let request = Request::post("/hook")
        .header("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
        .header("webhook-timestamp", "1614265330")
        .header(
            "webhook-signature",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        )
        .body(Bytes::from_static(br#"{"test": 2432232314}"#))
        .unwrap();
    let at = |secs: u64| {
        StandardLayer::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .unwrap()
            .clock(FixedClock::at_unix(secs))
    };
    assert_eq!(run(at(1_614_265_330), full(request.clone())).await.0, 200);
    // …and a wall clock stepped by an hour moves the window with it.
    let (status, reason, _, _) = run(at(1_614_265_330 + 3600), full(request)).await;
    assert_eq!(
        (status, reason),
        (401, Some(Reason::TimestampOutOfTolerance))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn t20_one_layer_cloned_across_threads_delivers_each_id_once() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let service =
        ServiceBuilder::new()
            .layer(layer())
            .service_fn(move |_req: Request<VerifiedBody>| {
                counter.fetch_add(1, Ordering::SeqCst);
                async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::new()))) }
            });
    let mut tasks = Vec::new();
    for task in 0..8 {
        let service = service.clone();
        tasks.push(tokio::spawn(async move {
            let mut ok = 0;
            for n in 0..50 {
                // Every id is sent by two tasks: each must be handled exactly once.
                let id = format!("msg_{}_{n}", task % 4);
                let request = signed(&id, b"{}").map(Full::new);
                let status = service.clone().oneshot(request).await.unwrap().status();
                assert!(status == 200 || status == 503, "{status}");
                ok += usize::from(status == 200);
            }
            ok
        }));
    }
    for task in tasks {
        assert!(task.await.unwrap() > 0);
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        4 * 50,
        "each distinct id handled once"
    );
}

#[tokio::test]
async fn t08_gzip_body_is_415_before_any_byte_is_read() {
    let (mut request, sender) = streamed(signed("gz", b"{}"));
    request
        .headers_mut()
        .insert("content-encoding", "gzip".parse().unwrap());
    request
        .headers_mut()
        .insert("content-length", "1048576".parse().unwrap());
    let (status, reason, calls, _) =
        tokio::time::timeout(Duration::from_secs(5), run(layer(), request))
            .await
            .expect("answered without reading the body");
    assert_eq!(
        (status, reason, calls),
        (415, Some(Reason::UnsupportedEncoding), 0)
    );
    drop(sender);
}
