//! The Autoflex10 layer against a misbehaving API (SECURITY.md §3.6, §3.8 F24), with an
//! in-process network and paused time.
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
use http::{Request, Response, StatusCode};
use http_body_util::{Empty, Full};
use tower::{ServiceBuilder, ServiceExt};
use webhook_autoflex::{AutoflexEvent, AutoflexLayer, MemoryPendingCallbacks, TokenSource};
use webhook_core::{BoxFuture, Reason, Rejection, Secret, TableFetch, TableResponse, VerifiedBody};

const API: &str = "https://api.example.com/webservice_v2";
const ID: &str = "3f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e";
const PAYLOAD: &str = r#"{"successCode":200,"data":{"url":"https://download.example.com/b.zip"}}"#;

fn payload_url(id: &str) -> String {
    format!("{API}/webhook?id={id}")
}

async fn call(layer: AutoflexLayer, net: &TableFetch, id: &str) -> (u16, Option<Reason>) {
    let service = ServiceBuilder::new()
        .layer(layer.fetcher(net.clone()))
        .service_fn(|req: Request<VerifiedBody>| async move {
            assert!(req.extensions().get::<AutoflexEvent>().is_some());
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
        });
    let request = Request::get(format!("https://hooks.example.com/autoflex?id={id}"))
        .body(Empty::<Bytes>::new())
        .unwrap();
    let response = service.oneshot(request).await.unwrap();
    (
        response.status().as_u16(),
        response
            .extensions()
            .get::<Rejection>()
            .map(Rejection::reason),
    )
}

fn pending(ids: &[&str]) -> MemoryPendingCallbacks {
    let registry = MemoryPendingCallbacks::new(100);
    for id in ids {
        registry.insert(id, Duration::from_secs(3600));
    }
    registry
}

#[tokio::test(start_paused = true)]
async fn f24_api_down_slow_garbage_or_huge_is_503() {
    let mut slow = TableResponse::ok(PAYLOAD);
    slow.delay = Duration::from_secs(60);
    let huge = TableResponse::ok(format!("{{\"pad\":\"{}\"}}", "x".repeat(2 * 1024 * 1024)));
    for answer in [
        None,
        Some(slow),
        Some(TableResponse::ok("<html>")),
        Some(huge),
        Some(TableResponse::status(StatusCode::TOO_MANY_REQUESTS, "")),
    ] {
        let net = TableFetch::new();
        if let Some(answer) = answer {
            net.set(payload_url(ID), answer);
        }
        let layer = AutoflexLayer::new(API, "token")
            .unwrap()
            .pending(pending(&[ID]));
        assert_eq!(
            call(layer, &net, ID).await,
            (503, Some(Reason::KeyUnavailable))
        );
    }
}

#[tokio::test]
async fn f24_failed_fetch_keeps_the_id_pending_for_the_retry() {
    let net = TableFetch::new().with(
        payload_url(ID),
        TableResponse::status(StatusCode::BAD_GATEWAY, ""),
    );
    let registry = pending(&[ID]);
    let layer = AutoflexLayer::new(API, "token").unwrap().pending(registry);
    assert_eq!(call(layer.clone(), &net, ID).await.0, 503);
    net.set(payload_url(ID), TableResponse::ok(PAYLOAD));
    assert_eq!(call(layer, &net, ID).await.0, 200);
}

#[tokio::test]
async fn c_flood_of_random_ids_makes_no_fetch() {
    let net = TableFetch::new().with(payload_url(ID), TableResponse::ok(PAYLOAD));
    let layer = AutoflexLayer::new(API, "token")
        .unwrap()
        .pending(pending(&[ID]));
    for n in 0..500u32 {
        let id = format!("{n:08x}-0000-4000-8000-000000000000");
        assert_eq!(
            call(layer.clone(), &net, &id).await,
            (404, Some(Reason::UnknownCallback))
        );
    }
    assert_eq!(net.call_count(), 0);
}

/// A token source that renews once: counts renewals, serves `fresh` after one.
#[derive(Clone, Default)]
struct Renewing {
    renewals: Arc<AtomicUsize>,
}

impl TokenSource for Renewing {
    fn token(&self) -> BoxFuture<'_, Option<Secret>> {
        let renewed = self.renewals.load(Ordering::SeqCst) > 0;
        Box::pin(async move {
            Some(Secret::new(if renewed {
                b"fresh".to_vec()
            } else {
                b"expired".to_vec()
            }))
        })
    }

    fn refresh(&self) -> BoxFuture<'_, Option<Secret>> {
        self.renewals.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Some(Secret::new(b"fresh".to_vec())) })
    }
}

#[tokio::test]
async fn c09_token_expiry_renews_once_then_gives_up_with_503() {
    // The in-process API answers 401 whatever the token: one renewal, one retry, then 503.
    let net = TableFetch::new().with(
        payload_url(ID),
        TableResponse::status(StatusCode::UNAUTHORIZED, ""),
    );
    let tokens = Renewing::default();
    let layer = AutoflexLayer::with_token_source(API, tokens.clone())
        .unwrap()
        .pending(pending(&[ID]));
    assert_eq!(
        call(layer, &net, ID).await,
        (503, Some(Reason::KeyUnavailable))
    );
    assert_eq!(tokens.renewals.load(Ordering::SeqCst), 1);
    assert_eq!(net.take_calls().len(), 2);

    let net = TableFetch::new().with(
        payload_url(ID),
        TableResponse::status(StatusCode::UNAUTHORIZED, ""),
    );
    let static_token = AutoflexLayer::new(API, "stale")
        .unwrap()
        .pending(pending(&[ID]));
    assert_eq!(
        call(static_token, &net, ID).await,
        (503, Some(Reason::KeyUnavailable))
    );
    assert_eq!(
        net.take_calls().len(),
        1,
        "a static token cannot be renewed: no retry"
    );
}

#[tokio::test]
async fn c_event_debug_redacts_the_id() {
    let net = TableFetch::new().with(payload_url(ID), TableResponse::ok(PAYLOAD));
    let seen = Arc::new(std::sync::Mutex::new(String::new()));
    let recorder = seen.clone();
    let layer = AutoflexLayer::new(API, "token").unwrap().fetcher(net);
    let service =
        ServiceBuilder::new()
            .layer(layer)
            .service_fn(move |req: Request<VerifiedBody>| {
                let event = req.extensions().get::<AutoflexEvent>().cloned().unwrap();
                *recorder.lock().unwrap() = format!("{event:?}");
                async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::new()))) }
            });
    let request = Request::get(format!("/cb?id={ID}"))
        .body(Empty::<Bytes>::new())
        .unwrap();
    assert_eq!(service.oneshot(request).await.unwrap().status(), 200);
    let debug = seen.lock().unwrap().clone();
    assert!(!debug.contains(ID) && debug.contains("redacted"), "{debug}");
}
