//! `RedisStreamSink` behind the Standard Webhooks layer, against a real redis-server.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

mod support;

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderName, Request, StatusCode};
use http_body_util::Full;
use support::RedisServer;
use tower::{ServiceBuilder, ServiceExt};
use webhook_core::{FixedClock, Outcome};
use webhook_redis::RedisStreamSink;
use webhook_standard::{StandardLayer, StandardSigner};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOW: i64 = 1_700_000_000;

/// An entry's fields, in order.
type Fields = Vec<(String, Vec<u8>)>;

fn layer() -> StandardLayer {
    StandardLayer::new(SECRET)
        .unwrap()
        .clock(FixedClock::at_unix(NOW as u64))
}

fn signed(id: &str, body: &'static [u8]) -> Request<Full<Bytes>> {
    let mut request = StandardSigner::new(SECRET)
        .unwrap()
        .request("/webhooks", id, NOW, Bytes::from_static(body))
        .unwrap();
    request
        .headers_mut()
        .insert("user-agent", "Svix-Webhooks/1.0".parse().unwrap());
    request.map(Full::new)
}

async fn entries(server: &RedisServer, stream: &str) -> Vec<HashMap<String, Vec<u8>>> {
    let mut connection = redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let raw: Vec<(String, Fields)> = redis::cmd("XRANGE")
        .arg(stream)
        .arg("-")
        .arg("+")
        .query_async(&mut connection)
        .await
        .unwrap();
    raw.into_iter()
        .map(|(_id, fields)| fields.into_iter().collect())
        .collect()
}

#[tokio::test]
async fn verified_event_is_appended_with_its_metadata_and_exact_bytes_before_the_200() {
    let server = RedisServer::start();
    let sink = RedisStreamSink::new(&server.url(), "hooks")
        .unwrap()
        .header(HeaderName::from_static("user-agent"))
        // Named, but marked sensitive by the layer: never stored.
        .header(HeaderName::from_static("webhook-signature"))
        .header(HeaderName::from_static("x-not-sent"));
    let service = ServiceBuilder::new().layer(layer()).service(sink);
    let body: &[u8] = b"{\"type\":\"invoice.paid\",\"bytes\":\"\xff\"}";
    let response = service.oneshot(signed("msg_1", body)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // The 200 was sent after Redis acknowledged: the entry is already there.
    let entries = entries(&server, "hooks").await;
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!(entry["provider"], b"standard");
    assert_eq!(entry["id"], b"msg_1");
    assert_eq!(entry["timestamp"], NOW.to_string().as_bytes());
    assert_eq!(entry["content_type"], b"application/json");
    assert_eq!(entry["header:user-agent"], b"Svix-Webhooks/1.0");
    assert_eq!(entry["body"], body);
    assert!(!entry.contains_key("header:webhook-signature"));
    assert!(!entry.contains_key("header:x-not-sent"));
}

#[tokio::test]
async fn redis_down_is_503_and_the_retry_after_recovery_is_stored_once() {
    let mut server = RedisServer::start();
    let sink = RedisStreamSink::new(&server.url(), "hooks")
        .unwrap()
        .command_timeout(Duration::from_millis(150));
    let service = ServiceBuilder::new().layer(layer()).service(sink);
    server.kill();
    let response = service
        .clone()
        .oneshot(signed("msg_2", b"{}"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key(http::header::RETRY_AFTER));
    // The layer saw a non-2xx from the sink and released the id for the sender's retry.
    assert_eq!(
        response.extensions().get::<Outcome>(),
        Some(&Outcome::Delivered)
    );
    server.restart();
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..50 {
        status = service
            .clone()
            .oneshot(signed("msg_2", b"{}"))
            .await
            .unwrap()
            .status();
        if status.is_success() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, StatusCode::OK);
    let response = service.oneshot(signed("msg_2", b"{}")).await.unwrap();
    assert_eq!(
        response.extensions().get::<Outcome>(),
        Some(&Outcome::Duplicate)
    );
    assert_eq!(entries(&server, "hooks").await.len(), 1);
}

#[tokio::test]
async fn request_that_did_not_pass_a_webhook_layer_is_500_and_not_stored() {
    let server = RedisServer::start();
    let sink = RedisStreamSink::new(&server.url(), "hooks").unwrap();
    let request = Request::post("/webhooks")
        .body(Full::new(Bytes::from_static(b"{}")))
        .unwrap();
    let response = sink.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(entries(&server, "hooks").await.is_empty());
}

#[tokio::test]
async fn max_len_trims_the_stream() {
    let server = RedisServer::start();
    let sink = RedisStreamSink::new(&server.url(), "trimmed")
        .unwrap()
        .max_len(10);
    let service = ServiceBuilder::new().layer(layer()).service(sink);
    for n in 0..500 {
        let response = service
            .clone()
            .oneshot(signed(&format!("msg_{n}"), b"{}"))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    let stored = entries(&server, "trimmed").await.len();
    // `MAXLEN ~` trims whole radix-tree nodes (100 entries by default).
    assert!((10..500).contains(&stored), "{stored}");
}
