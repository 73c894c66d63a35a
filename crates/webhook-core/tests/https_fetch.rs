//! `HttpsFetch` against a real TLS server on 127.0.0.1 (test CA and `localhost` certificate,
//! TEST ONLY, in `tests/data/`).
#![cfg(feature = "https")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use webhook_core::{Fetch, FetchError, FetchRequest, HttpsFetch};

const CA: &[u8] = include_bytes!("data/test-ca.der");
const CERT: &[u8] = include_bytes!("data/localhost-cert.der");
const KEY: &[u8] = include_bytes!("data/localhost-key.pk8.der");

/// Serves `/doc` (200), `/big` (100 KiB), `/redirect` (302) and `/slow` (answers after 2 s).
async fn tls_server() -> u16 {
    let addr = webhook_testkit::serve_tls(CERT, KEY, |req: Request<Incoming>| async move {
        let token = req
            .headers()
            .get("token")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let (status, body) = match req.uri().path() {
            "/doc" => (
                StatusCode::OK,
                Bytes::from(format!("document token={token}")),
            ),
            "/big" => (StatusCode::OK, Bytes::from(vec![b'x'; 100 * 1024])),
            "/redirect" => (StatusCode::FOUND, Bytes::new()),
            "/slow" => {
                tokio::time::sleep(Duration::from_secs(2)).await;
                (StatusCode::OK, Bytes::new())
            }
            _ => (StatusCode::NOT_FOUND, Bytes::new()),
        };
        let mut response = Response::new(Full::new(body));
        *response.status_mut() = status;
        if status == StatusCode::FOUND {
            response
                .headers_mut()
                .insert("location", "https://localhost/doc".parse().unwrap());
        }
        response
    })
    .await;
    addr.port()
}

fn trusting() -> HttpsFetch {
    HttpsFetch::with_root_certificates([CA.to_vec()]).unwrap()
}

#[tokio::test]
async fn fetches_over_verified_tls_with_headers() {
    let port = tls_server().await;
    let request = FetchRequest::get(format!("https://localhost:{port}/doc"))
        .header("token".parse().unwrap(), "t-1".parse().unwrap());
    let response = trusting().fetch(request).await.unwrap();
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body.as_ref(), b"document token=t-1");
}

#[tokio::test]
async fn f16_untrusted_certificate_is_unreachable() {
    let port = tls_server().await;
    let result = HttpsFetch::new()
        .unwrap()
        .fetch(FetchRequest::get(format!("https://localhost:{port}/doc")))
        .await;
    assert_eq!(result.unwrap_err(), FetchError::Unreachable);
}

#[tokio::test]
async fn plain_http_is_refused_before_connecting() {
    let result = trusting()
        .fetch(FetchRequest::get("http://localhost:1/doc"))
        .await;
    assert_eq!(result.unwrap_err(), FetchError::InvalidUrl);
}

#[tokio::test]
async fn f05_body_over_the_cap_is_too_large() {
    let port = tls_server().await;
    let request = FetchRequest::get(format!("https://localhost:{port}/big")).max_bytes(64 * 1024);
    assert_eq!(
        trusting().fetch(request).await.unwrap_err(),
        FetchError::TooLarge
    );
}

#[tokio::test]
async fn f07_redirect_is_returned_not_followed() {
    let port = tls_server().await;
    let response = trusting()
        .fetch(FetchRequest::get(format!(
            "https://localhost:{port}/redirect"
        )))
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::FOUND);
}

#[tokio::test]
async fn f03_slow_server_times_out() {
    let port = tls_server().await;
    let request = FetchRequest::get(format!("https://localhost:{port}/slow"))
        .timeout(Duration::from_millis(300));
    assert_eq!(
        trusting().fetch(request).await.unwrap_err(),
        FetchError::Timeout
    );
}

#[tokio::test]
async fn f17_refused_connection_is_unreachable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let result = trusting()
        .fetch(FetchRequest::get(format!("https://localhost:{port}/doc")))
        .await;
    assert_eq!(result.unwrap_err(), FetchError::Unreachable);
}

#[tokio::test]
async fn resolve_pins_a_host_to_an_address_and_still_verifies_its_certificate() {
    let port = tls_server().await;
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let fetch = trusting().resolve("localhost", addr);
    let response = fetch
        .fetch(FetchRequest::get("https://localhost/doc"))
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::OK);
    // Another name pinned to the same server fails the certificate check.
    let wrong = trusting().resolve("sns.us-east-2.amazonaws.com", addr);
    let result = wrong
        .fetch(FetchRequest::get("https://sns.us-east-2.amazonaws.com/doc"))
        .await;
    assert_eq!(result.unwrap_err(), FetchError::Unreachable);
}

/// A TLS server whose first connection gets a `Content-Length: 1000` header, half the body
/// and a TCP reset, and later connections the whole document (1000 × `k`).
async fn resetting_server() -> u16 {
    let document = Bytes::from(vec![b'k'; 1000]);
    let connections = Arc::default();
    webhook_testkit::serve_tls_cut_once(CERT, KEY, document, connections)
        .await
        .port()
}

/// F18: a body cut by a connection reset is a failed fetch, and the key cache keeps nothing of
/// it (no partial document, no stale answer); the next fetch caches the whole document.
#[tokio::test]
async fn f18_connection_reset_mid_body_fails_and_caches_nothing_partial() {
    use webhook_core::{CachePolicy, Freshness, KeyCache, Reason};
    let port = resetting_server().await;
    let url = format!("https://localhost:{port}/jwks");
    let fetch = trusting();
    assert_eq!(
        fetch.fetch(FetchRequest::get(&url)).await.unwrap_err(),
        FetchError::Unreachable,
        "the cut body is a transport failure"
    );
    let cache = KeyCache::new(
        CachePolicy::default()
            .negative_ttl(Duration::ZERO)
            .refresh_cooldown(Duration::ZERO),
    );
    let parse = |r: webhook_core::FetchResponse| Ok(r.body);
    // The server only resets its first connection; start a fresh one for the cache.
    let port = resetting_server().await;
    let url = format!("https://localhost:{port}/jwks");
    let error = cache
        .get(&fetch, FetchRequest::get(&url), Freshness::Cached, parse)
        .await
        .unwrap_err();
    assert_eq!(error.reason(), Reason::KeyUnavailable);
    assert!(
        cache.cached::<Bytes>(&url).is_none(),
        "nothing partial is cached"
    );
    let whole = cache
        .get(&fetch, FetchRequest::get(&url), Freshness::Cached, parse)
        .await
        .unwrap();
    assert_eq!(whole.as_ref(), &[b'k'; 1000][..]);
    assert_eq!(cache.cached::<Bytes>(&url).unwrap().len(), 1000);
}

#[tokio::test]
async fn bodies_larger_than_the_64_kib_head_cap_still_arrive_within_their_own_cap() {
    let port = tls_server().await;
    let request = FetchRequest::get(format!("https://localhost:{port}/big")).max_bytes(200 * 1024);
    let response = trusting().fetch(request).await.unwrap();
    assert_eq!(response.body.len(), 100 * 1024);
}
