//! The SNS layer fetching its signing certificate through `HttpsFetch` over real TLS on
//! loopback: `sns.us-east-2.amazonaws.com` is pinned to 127.0.0.1 and served with a test CA.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use tower::{ServiceBuilder, ServiceExt};
use webhook_core::{FixedClock, HttpsFetch, VerifiedBody};
use webhook_sns::{SnsEvent, SnsLayer, SnsSigner};

const CA: &[u8] = include_bytes!("data/test-ca.der");
const TLS_CERT: &[u8] = include_bytes!("data/sns-tls-cert.der");
const TLS_KEY: &[u8] = include_bytes!("data/sns-tls-key.pk8.der");
const TOPIC: &str = "arn:aws:sns:us-east-2:123456789012:Invoices";

/// Serves the signing certificate at its path over TLS; counts requests.
async fn certificate_server(pem: &'static str, path: String, hits: Arc<AtomicUsize>) -> SocketAddr {
    webhook_testkit::serve_tls(TLS_CERT, TLS_KEY, move |req: Request<Incoming>| {
        hits.fetch_add(1, Ordering::SeqCst);
        let found = req.uri().path() == path;
        async move {
            if found {
                Response::new(Full::new(Bytes::from_static(pem.as_bytes())))
            } else {
                let mut response = Response::new(Full::new(Bytes::new()));
                *response.status_mut() = StatusCode::NOT_FOUND;
                response
            }
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s01_certificate_is_fetched_over_real_tls_once_and_the_message_verifies() {
    let signer = SnsSigner::new("us-east-2").unwrap();
    let path = signer
        .cert_url()
        .trim_start_matches("https://sns.us-east-2.amazonaws.com")
        .to_owned();
    let hits = Arc::new(AtomicUsize::new(0));
    let addr = certificate_server(signer.cert_pem(), path, hits.clone()).await;
    let fetch = HttpsFetch::with_root_certificates([CA.to_vec()])
        .unwrap()
        .resolve("sns.us-east-2.amazonaws.com", addr);
    let layer = SnsLayer::new(&[TOPIC])
        .unwrap()
        .fetcher(fetch)
        .clock(FixedClock::at_unix(1_796_083_260));
    let delivered = Arc::new(AtomicUsize::new(0));
    let counter = delivered.clone();
    let service =
        ServiceBuilder::new()
            .layer(layer)
            .service_fn(move |req: Request<VerifiedBody>| {
                assert_eq!(req.extensions().get::<SnsEvent>().unwrap().topic_arn, TOPIC);
                counter.fetch_add(1, Ordering::SeqCst);
                async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::new()))) }
            });
    for n in 0..3 {
        let body = signer.notification(
            TOPIC,
            &format!("m-{n}"),
            None,
            "paid",
            "2026-12-01T00:00:00.000Z",
        );
        let request = Request::post("/sns")
            .header("x-amz-sns-message-type", "Notification")
            .body(Full::new(Bytes::from(body)))
            .unwrap();
        assert_eq!(
            service.clone().oneshot(request).await.unwrap().status(),
            StatusCode::OK
        );
    }
    assert_eq!(delivered.load(Ordering::SeqCst), 3);
    assert_eq!(hits.load(Ordering::SeqCst), 1, "one fetch, then the cache");
}

/// Serves the certificate over TLS; the first connection gets a `Content-Length` for the whole
/// PEM, half of it, then a TCP reset (no close_notify); later ones get all of it. Counts
/// connections.
async fn resetting_certificate_server(
    pem: &'static str,
    connections: Arc<AtomicUsize>,
) -> SocketAddr {
    let document = Bytes::from_static(pem.as_bytes());
    webhook_testkit::serve_tls_cut_once(TLS_CERT, TLS_KEY, document, connections).await
}

/// F18 through the layer: the certificate body cut by a connection reset is a failed fetch
/// (503, handler not called) and is never cached as the certificate; the next fetch gets the
/// whole certificate and the message verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn f18_certificate_cut_by_a_connection_reset_is_503_and_never_cached() {
    let signer = SnsSigner::new("us-east-2").unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let addr = resetting_certificate_server(signer.cert_pem(), connections.clone()).await;
    let fetch = HttpsFetch::with_root_certificates([CA.to_vec()])
        .unwrap()
        .resolve("sns.us-east-2.amazonaws.com", addr);
    // No negative caching, so the retry fetches again at once.
    let layer = SnsLayer::new(&[TOPIC])
        .unwrap()
        .fetcher(fetch)
        .key_cache(
            webhook_core::CachePolicy::default()
                .negative_ttl(std::time::Duration::ZERO)
                .refresh_cooldown(std::time::Duration::ZERO),
        )
        .clock(FixedClock::at_unix(1_796_083_260));
    let delivered = Arc::new(AtomicUsize::new(0));
    let counter = delivered.clone();
    let service =
        ServiceBuilder::new()
            .layer(layer)
            .service_fn(move |_req: Request<VerifiedBody>| {
                counter.fetch_add(1, Ordering::SeqCst);
                async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::new()))) }
            });
    let send = |n: u32| {
        let body = signer.notification(
            TOPIC,
            &format!("m-{n}"),
            None,
            "paid",
            "2026-12-01T00:00:00.000Z",
        );
        let request = Request::post("/sns")
            .header("x-amz-sns-message-type", "Notification")
            .body(Full::new(Bytes::from(body)))
            .unwrap();
        let service = service.clone();
        async move {
            let response = service.oneshot(request).await.unwrap();
            (
                response.status().as_u16(),
                response
                    .extensions()
                    .get::<webhook_core::Rejection>()
                    .map(webhook_core::Rejection::reason),
            )
        }
    };
    assert_eq!(
        send(0).await,
        (503, Some(webhook_core::Reason::KeyUnavailable))
    );
    assert_eq!(delivered.load(Ordering::SeqCst), 0);
    assert_eq!(send(1).await, (200, None));
    assert_eq!(delivered.load(Ordering::SeqCst), 1);
    assert_eq!(
        connections.load(Ordering::SeqCst),
        2,
        "refetched, not served from a partial"
    );
    // Cached now: no third connection.
    assert_eq!(send(2).await, (200, None));
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}
