//! The Autoflex10 layer with the production `HttpsFetch` against a stand-in API over real TLS
//! on 127.0.0.1 (SECURITY.md §3.6 C26, C34).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

mod common;

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{Empty, Full};
use tower::{ServiceBuilder, ServiceExt};
use webhook_autoflex::{AutoflexEvent, AutoflexLayer};
use webhook_core::{Fetch, HttpsFetch, Reason, Rejection, VerifiedBody};

use common::{Answer, StandIn, trusting_fetch};

const ID_A: &str = "3f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e";
const ID_B: &str = "8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d";

/// Status, reason and inner calls of one callback through a fresh layer.
async fn callback(api_base: &str, fetch: impl Fetch, id: &str) -> (u16, Option<Reason>, usize) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let service = ServiceBuilder::new()
        .layer(
            AutoflexLayer::new(api_base, "api-token")
                .unwrap()
                .fetcher(fetch),
        )
        .service_fn(move |req: Request<VerifiedBody>| {
            assert!(req.extensions().get::<AutoflexEvent>().is_some());
            counter.fetch_add(1, Ordering::SeqCst);
            async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::new()))) }
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
        calls.load(Ordering::SeqCst),
    )
}

#[tokio::test]
async fn c26_cookies_are_ignored_and_huge_or_numerous_headers_are_refused_by_the_client() {
    let api = StandIn::default();
    let cookies = (0..64)
        .map(|n| {
            (
                "set-cookie".to_owned(),
                format!("session{n}=s3cr3t-{n}; Path=/"),
            )
        })
        .collect();
    api.answer(ID_A, Answer::Payload(cookies));
    api.answer(ID_B, Answer::Payload(Vec::new()));
    let huge = "c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f";
    api.answer(
        huge,
        Answer::Payload(vec![("x-padding".to_owned(), "x".repeat(128 * 1024))]),
    );
    let many = "d4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f";
    api.answer(
        many,
        Answer::Payload(
            (0..200)
                .map(|n| (format!("x-header-{n}"), "v".to_owned()))
                .collect(),
        ),
    );
    let port = api.serve().await;
    let base = format!("https://localhost:{port}/api");
    let fetch = trusting_fetch();
    // 64 cookies: the payload is delivered; the next fetch sends no cookie back.
    assert_eq!(callback(&base, fetch.clone(), ID_A).await, (200, None, 1));
    assert_eq!(callback(&base, fetch.clone(), ID_B).await, (200, None, 1));
    {
        let requests = api.requests.lock().unwrap();
        assert_eq!(requests.len(), 2);
        for (target, headers) in requests.iter() {
            assert!(headers.get("cookie").is_none(), "{target} sent a cookie");
            assert_eq!(headers["token"], "api-token");
        }
    }
    // A 128 KiB header (over HttpsFetch's 64 KiB head cap; hyper's own default would take
    // ~400 KiB) or 200 headers (over 100): the answer is refused → 503.
    for id in [huge, many] {
        assert_eq!(
            callback(&base, fetch.clone(), id).await,
            (503, Some(Reason::KeyUnavailable), 0),
            "{id}"
        );
    }
}

#[tokio::test]
async fn c34_an_invalid_certificate_is_503_and_verification_is_never_skipped() {
    let api = StandIn::default();
    api.answer(ID_A, Answer::Payload(Vec::new()));
    let port = api.serve().await;
    let base = format!("https://localhost:{port}/api");
    // Not signed by a trusted root (Mozilla's roots do not include the test CA).
    assert_eq!(
        callback(&base, HttpsFetch::new().unwrap(), ID_A).await,
        (503, Some(Reason::KeyUnavailable), 0)
    );
    // Trusted CA, wrong name: `api.example.com` pinned to the server holding `localhost`'s
    // certificate.
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let misnamed = trusting_fetch().resolve("api.example.com", addr);
    assert_eq!(
        callback(
            &format!("https://api.example.com:{port}/api"),
            misnamed,
            ID_A
        )
        .await,
        (503, Some(Reason::KeyUnavailable), 0)
    );
    assert!(
        api.requests.lock().unwrap().is_empty(),
        "no request (and so no token) ever reached the server"
    );
    // The same server with the right trust and name: delivered.
    assert_eq!(
        callback(&base, trusting_fetch(), ID_A).await,
        (200, None, 1)
    );
    assert_eq!(api.requests.lock().unwrap().len(), 1);
}
