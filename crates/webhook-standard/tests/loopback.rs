//! The Standard Webhooks layer behind a real HTTP/1.1 server on 127.0.0.1, driven by raw TCP
//! clients so lying `Content-Length`s, slow bodies and chunked streams are exactly as sent.
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
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tower::{Service, ServiceBuilder, ServiceExt};
use webhook_core::{Delivery, FixedClock, VerifiedBody};
use webhook_standard::{StandardEvent, StandardLayer, StandardSigner};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOW: i64 = 1_700_000_000;

/// What the handler saw.
#[derive(Default)]
struct Seen {
    calls: AtomicUsize,
    last: std::sync::Mutex<Option<(String, Bytes, Delivery)>>,
    /// When set, the handler waits for this before answering.
    hold: std::sync::Mutex<Option<Arc<Notify>>>,
    status: std::sync::Mutex<Option<StatusCode>>,
}

struct Server {
    addr: SocketAddr,
    seen: Arc<Seen>,
}

async fn serve(body_limit: usize) -> Server {
    let seen = Arc::new(Seen::default());
    let layer = StandardLayer::new(SECRET)
        .unwrap()
        .clock(FixedClock::at_unix(NOW as u64))
        .body_limit(body_limit)
        .body_timeout(Duration::from_millis(300));
    let handler_seen = seen.clone();
    let service =
        ServiceBuilder::new()
            .layer(layer)
            .service_fn(move |req: Request<VerifiedBody>| {
                let seen = handler_seen.clone();
                async move {
                    seen.calls.fetch_add(1, Ordering::SeqCst);
                    let event = req
                        .extensions()
                        .get::<StandardEvent>()
                        .cloned()
                        .expect("event extension");
                    let delivery = req
                        .extensions()
                        .get::<Delivery>()
                        .cloned()
                        .expect("delivery extension");
                    *seen.last.lock().unwrap() =
                        Some((event.id.clone(), req.body().as_bytes().clone(), delivery));
                    let hold = seen.hold.lock().unwrap().clone();
                    if let Some(hold) = hold {
                        hold.notified().await;
                    }
                    let status = seen.status.lock().unwrap().unwrap_or(StatusCode::OK);
                    let mut response = Response::new(Full::new(Bytes::from_static(b"handled")));
                    *response.status_mut() = status;
                    Ok::<_, Infallible>(response)
                }
            });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let service = service.clone();
            tokio::spawn(async move {
                let hyper_service = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let mut service = service.clone();
                    async move {
                        ServiceExt::<Request<Incoming>>::ready(&mut service)
                            .await?
                            .call(req)
                            .await
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), hyper_service)
                    .await;
            });
        }
    });
    Server { addr, seen }
}

/// A raw response: status and body.
struct Answer {
    status: u16,
    head: String,
    body: String,
}

async fn read_answer(mut stream: TcpStream) -> Answer {
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut raw)).await;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Answer {
        status,
        head: head.to_ascii_lowercase(),
        body: body.to_owned(),
    }
}

fn signed_head(id: &str, timestamp: i64, body: &[u8], extra: &str) -> String {
    let signature = StandardSigner::new(SECRET)
        .unwrap()
        .signature(id, timestamp, body);
    format!(
        "POST /webhooks HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\ncontent-type: application/json\r\n\
         webhook-id: {id}\r\nwebhook-timestamp: {timestamp}\r\nwebhook-signature: {signature}\r\n{extra}"
    )
}

async fn send(addr: SocketAddr, raw: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(raw).await.unwrap();
    read_answer(stream).await
}

async fn send_signed(addr: SocketAddr, id: &str, timestamp: i64, body: &[u8]) -> Answer {
    let mut raw = signed_head(
        id,
        timestamp,
        body,
        &format!("content-length: {}\r\n\r\n", body.len()),
    )
    .into_bytes();
    raw.extend_from_slice(body);
    send(addr, &raw).await
}

fn assert_rejected(answer: &Answer, status: u16, reason: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert_eq!(answer.body, format!("{{\"reason\":\"{reason}\"}}"));
    assert!(answer.head.contains("content-type: application/json"));
    assert!(answer.head.contains("cache-control: no-store"));
}

#[tokio::test]
async fn h01_valid_event_reaches_the_handler_with_typed_extensions_and_exact_bytes() {
    let server = serve(1024 * 1024).await;
    let body = br#"{"type":"invoice.paid","amount":42}"#;
    let answer = send_signed(server.addr, "msg_ok", NOW, body).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "handled");
    assert_eq!(server.seen.calls.load(Ordering::SeqCst), 1);
    let (id, bytes, delivery) = server.seen.last.lock().unwrap().clone().unwrap();
    assert_eq!(id, "msg_ok");
    assert_eq!(bytes.as_ref(), body);
    assert_eq!(delivery.provider, "standard");
    assert_eq!(delivery.id.as_deref(), Some("msg_ok"));
    assert_eq!(delivery.timestamp, Some(NOW));
}

#[tokio::test]
async fn h30_forged_body_is_401_and_never_reaches_the_handler() {
    let server = serve(1024 * 1024).await;
    let head = signed_head(
        "msg_forged",
        NOW,
        b"{\"amount\":1}",
        "content-length: 14\r\n\r\n",
    );
    let answer = send(
        server.addr,
        &[head.as_bytes(), b"{\"amount\":999}"].concat(),
    )
    .await;
    assert_rejected(&answer, 401, "signature_mismatch");
    assert_eq!(server.seen.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn h26_stale_timestamp_is_401() {
    let server = serve(1024 * 1024).await;
    let answer = send_signed(server.addr, "msg_stale", NOW - 301, b"{}").await;
    assert_rejected(&answer, 401, "timestamp_out_of_tolerance");
    assert_eq!(server.seen.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn h44_t01_content_length_over_limit_is_413_before_any_body_byte() {
    let server = serve(1024).await;
    // Headers only: the body is never sent, so a 413 proves nothing was awaited or read.
    let head = signed_head("msg_big", NOW, b"", "content-length: 1048576\r\n\r\n");
    let answer = send(server.addr, head.as_bytes()).await;
    assert_rejected(&answer, 413, "body_too_large");
    assert_eq!(server.seen.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn h45_chunked_body_growing_past_the_limit_is_413() {
    let server = serve(1024).await;
    let chunk = "x".repeat(600);
    let head = signed_head(
        "msg_chunked",
        NOW,
        b"",
        "transfer-encoding: chunked\r\n\r\n",
    );
    let raw = format!("{head}258\r\n{chunk}\r\n258\r\n{chunk}\r\n0\r\n\r\n");
    let answer = send(server.addr, raw.as_bytes()).await;
    assert_rejected(&answer, 413, "body_too_large");
    assert_eq!(server.seen.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn h47_gzip_encoded_body_is_415() {
    let server = serve(1024 * 1024).await;
    let body = b"{}";
    let raw = [
        signed_head(
            "msg_gzip",
            NOW,
            body,
            "content-encoding: gzip\r\ncontent-length: 2\r\n\r\n",
        )
        .as_bytes(),
        body,
    ]
    .concat();
    let answer = send(server.addr, &raw).await;
    assert_rejected(&answer, 415, "unsupported_encoding");
    assert_eq!(server.seen.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn t06_slow_body_is_408_body_timeout() {
    let server = serve(1024 * 1024).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let head = signed_head("msg_slow", NOW, b"{}", "content-length: 10\r\n\r\n{");
    stream.write_all(head.as_bytes()).await.unwrap();
    // The rest never comes; the layer's 300 ms body timeout answers.
    let answer = read_answer(stream).await;
    assert_rejected(&answer, 408, "body_timeout");
    assert_eq!(server.seen.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn h39_replay_is_acknowledged_without_a_second_handler_call() {
    let server = serve(1024 * 1024).await;
    assert_eq!(
        send_signed(server.addr, "msg_twice", NOW, b"{}")
            .await
            .status,
        200
    );
    let replay = send_signed(server.addr, "msg_twice", NOW, b"{}").await;
    assert_eq!(replay.status, 200);
    assert_eq!(replay.body, "");
    assert_eq!(server.seen.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn h42_in_flight_duplicate_is_503_with_retry_after() {
    let server = serve(1024 * 1024).await;
    let release = Arc::new(Notify::new());
    *server.seen.hold.lock().unwrap() = Some(release.clone());
    let first = tokio::spawn(send_signed(server.addr, "msg_busy", NOW, b"{}"));
    while server.seen.calls.load(Ordering::SeqCst) == 0 {
        tokio::task::yield_now().await;
    }
    let second = send_signed(server.addr, "msg_busy", NOW, b"{}").await;
    assert_rejected(&second, 503, "duplicate_in_flight");
    assert!(second.head.contains("retry-after: 5"));
    release.notify_one();
    assert_eq!(first.await.unwrap().status, 200);
    // The sender's retry after completion is a plain duplicate.
    *server.seen.hold.lock().unwrap() = None;
    assert_eq!(
        send_signed(server.addr, "msg_busy", NOW, b"{}")
            .await
            .status,
        200
    );
    assert_eq!(server.seen.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn h43_handler_failure_releases_the_id_so_the_retry_is_delivered() {
    let server = serve(1024 * 1024).await;
    *server.seen.status.lock().unwrap() = Some(StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        send_signed(server.addr, "msg_retry", NOW, b"{}")
            .await
            .status,
        500
    );
    *server.seen.status.lock().unwrap() = None;
    assert_eq!(
        send_signed(server.addr, "msg_retry", NOW, b"{}")
            .await
            .status,
        200
    );
    assert_eq!(server.seen.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn h50_get_is_405() {
    let server = serve(1024 * 1024).await;
    let answer = send(
        server.addr,
        b"GET /webhooks HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert_rejected(&answer, 405, "method_not_allowed");
    assert_eq!(server.seen.calls.load(Ordering::SeqCst), 0);
}

/// Pins hyper's framing (RFC 9112 §6.3): with both `Content-Length` and `Transfer-Encoding:
/// chunked`, or `Transfer-Encoding` twice, the request is either refused by the server or read
/// as chunked; the MAC is only ever checked over the chunked bytes and the handler runs at most
/// once.
#[tokio::test]
async fn t04_conflicting_framing_headers_are_read_once_as_chunked_or_refused() {
    let server = serve(1024).await;
    for (n, framing) in [
        "content-length: 100\r\ntransfer-encoding: chunked\r\n\r\n",
        "transfer-encoding: chunked\r\ncontent-length: 2\r\n\r\n",
        "transfer-encoding: chunked\r\ntransfer-encoding: chunked\r\n\r\n",
    ]
    .iter()
    .enumerate()
    {
        let id = format!("msg_framing_{n}");
        let head = signed_head(&id, NOW, b"{}", framing);
        let raw = format!("{head}2\r\n{{}}\r\n0\r\n\r\n");
        let before = server.seen.calls.load(Ordering::SeqCst);
        let answer = send(server.addr, raw.as_bytes()).await;
        let calls = server.seen.calls.load(Ordering::SeqCst) - before;
        assert!(
            (answer.status == 200 && calls == 1) || (answer.status == 400 && calls == 0),
            "{framing:?}: {} {} (handler calls {calls})",
            answer.status,
            answer.body
        );
    }
}
