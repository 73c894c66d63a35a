//! T07 (SECURITY.md §3.7, §4 R3): 1 000 concurrent requests over loopback HTTP, each declaring
//! `Content-Length` = the body limit (1 MiB) and sending 1 byte, then stalling. The heap the
//! Standard Webhooks layer adds to them stays ≤ 1 000 × 16 KiB: nothing is reserved from
//! `Content-Length`.
//!
//! The layer's share is measured against a baseline in the same run (SECURITY.md §4): the same
//! hyper server and clients with a handler that holds the request head and reads the body
//! without the layer. The whole process cannot meet 16 KiB per upload with hyper's defaults:
//! hyper keeps an 8 KiB header write buffer per connection, and the parsed headers are slices
//! of its 8 KiB read buffer (so whoever holds the request head pins it, and hyper reads on
//! into a new one), plus tokio's tasks and the in-process client sockets. Both figures are
//! printed. Its own test binary, for its own counting
//! global allocator.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body::{Body, Frame, SizeHint};
use http_body_util::{BodyExt, Either, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tower::{ServiceBuilder, ServiceExt};
use webhook_core::{FixedClock, VerifiedBody};
use webhook_memtest::{CountingAllocator, peak_bytes, start_peak};
use webhook_standard::StandardLayer;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const LIMIT: usize = 1 << 20;
const UPLOADS: usize = 1000;
const PER_UPLOAD: usize = 16 * 1024;

/// Request bodies whose first byte the handler has read and that then waited for more.
static STALLED: AtomicUsize = AtomicUsize::new(0);
/// Server connections that have ended.
static CLOSED: AtomicUsize = AtomicUsize::new(0);

/// hyper's body, counting the moment it has yielded data and then has nothing more to give.
struct Probe {
    inner: Incoming,
    seen: usize,
    counted: bool,
}

impl Body for Probe {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                self.seen += frame.data_ref().map_or(0, Bytes::len);
            }
            Poll::Pending if self.seen > 0 && !self.counted => {
                self.counted = true;
                STALLED.fetch_add(1, Ordering::SeqCst);
            }
            _ => {}
        }
        polled
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }
}

/// A server on loopback: through the layer, or (`layered == false`) a handler that only
/// reads the body frame by frame, the baseline.
async fn serve(layered: bool) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = ServiceBuilder::new()
        .layer(
            StandardLayer::new(SECRET)
                .unwrap()
                .body_limit(LIMIT)
                .body_timeout(Duration::from_secs(120))
                .clock(FixedClock::at_unix(1_700_000_000)),
        )
        .service_fn(|_req: Request<VerifiedBody>| async {
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
        });
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = service.clone();
            tokio::spawn(async move {
                let handler = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let request = req.map(|inner| Probe {
                        inner,
                        seen: 0,
                        counted: false,
                    });
                    let service = service.clone();
                    async move {
                        if layered {
                            let response = service.oneshot(request).await?;
                            return Ok(response.map(Either::Left));
                        }
                        // Like any handler, the baseline holds the request head while it reads.
                        let (parts, mut body) = request.into_parts();
                        while let Some(Ok(_)) = body.frame().await {}
                        drop(parts);
                        Ok::<_, Infallible>(Response::new(Either::Right(Full::new(Bytes::new()))))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), handler)
                    .await;
                CLOSED.fetch_add(1, Ordering::SeqCst);
            });
        }
    });
    addr
}

/// Waits (at most 30 s) until `counter` reaches `target`.
async fn wait_for(counter: &AtomicUsize, target: usize, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while counter.load(Ordering::SeqCst) < target {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: {} of {target}",
            counter.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Peak heap growth while `UPLOADS` stalled uploads are held open against a server.
async fn stalled_peak(layered: bool) -> usize {
    let addr = serve(layered).await;
    STALLED.store(0, Ordering::SeqCst);
    CLOSED.store(0, Ordering::SeqCst);
    let baseline = start_peak();
    let head = format!(
        "POST /hook HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n\
         webhook-id: msg_1\r\nwebhook-timestamp: 1700000000\r\n\
         webhook-signature: v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\
         content-length: {LIMIT}\r\n\r\n{{"
    );
    let mut clients = Vec::with_capacity(UPLOADS);
    for _ in 0..UPLOADS {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(head.as_bytes()).await.unwrap();
        clients.push(stream);
    }
    // Every upload's byte has been read and its body is waiting for the rest.
    wait_for(&STALLED, UPLOADS, "uploads stalled in the handler").await;
    let peak = peak_bytes() - baseline;
    drop(clients);
    // The next measurement starts once this one's connections are gone.
    wait_for(&CLOSED, UPLOADS, "connections closed").await;
    peak
}

#[tokio::test(flavor = "current_thread")]
async fn t07_1000_stalled_uploads_declaring_the_limit_cost_the_layer_under_16_kib_each() {
    let bare = stalled_peak(false).await;
    let layered = stalled_peak(true).await;
    let share = layered.saturating_sub(bare);
    eprintln!(
        "{UPLOADS} stalled uploads: whole process {layered} bytes ({} per upload), \
         without the layer {bare} bytes ({} per upload), layer share {share} bytes ({} per upload)",
        layered / UPLOADS,
        bare / UPLOADS,
        share / UPLOADS
    );
    assert!(
        share <= UPLOADS * PER_UPLOAD,
        "the layer added {share} bytes > {UPLOADS} × 16 KiB"
    );
}
