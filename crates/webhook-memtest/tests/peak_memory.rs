//! R3: peak heap per request ≤ body limit + 64 KiB, for large accepted and rejected bodies
//! through the Standard Webhooks layer (SECURITY.md §4). The counting allocator is process-wide,
//! so this binary holds a single test that measures one request at a time.

use std::convert::Infallible;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::channel::Channel;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use tower::{ServiceBuilder, ServiceExt};
use webhook_core::{BoxError, FixedClock, VerifiedBody};
use webhook_memtest::{CountingAllocator, peak_bytes, start_peak};
use webhook_standard::{StandardLayer, StandardSigner};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOW: i64 = 1_700_000_000;
const LIMIT: usize = 1 << 20;
const SLACK: usize = 64 * 1024;

type Boxed = BoxBody<Bytes, BoxError>;

fn full(request: Request<Bytes>) -> Request<Boxed> {
    request.map(|b| Full::new(b).map_err(|never| match never {}).boxed())
}

/// The request with its body streamed in `chunk`-byte frames by a task (a one-frame channel,
/// so at most two chunks are alive outside the layer).
fn streamed(request: Request<Bytes>, chunk: usize) -> Request<Boxed> {
    let (mut sender, body) = Channel::<Bytes, BoxError>::new(1);
    let (parts, bytes) = request.into_parts();
    tokio::spawn(async move {
        for piece in bytes.chunks(chunk) {
            if sender
                .send_data(Bytes::copy_from_slice(piece))
                .await
                .is_err()
            {
                break;
            }
        }
    });
    Request::from_parts(parts, body.boxed())
}

/// Heap growth above the level at the start of the request, and the response status.
async fn peak_of(request: Request<Boxed>) -> (usize, u16) {
    let service = ServiceBuilder::new()
        .layer(
            StandardLayer::new(SECRET)
                .unwrap()
                .body_limit(LIMIT)
                .clock(FixedClock::at_unix(NOW as u64)),
        )
        .service_fn(|_req: Request<VerifiedBody>| async {
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
        });
    let baseline = start_peak();
    let status = service.oneshot(request).await.unwrap().status().as_u16();
    (peak_bytes() - baseline, status)
}

fn signed(id: &str, body: Bytes) -> Request<Bytes> {
    StandardSigner::new(SECRET)
        .unwrap()
        .request("/hook", id, NOW, body)
        .unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn peak_heap_per_request_stays_within_the_body_limit_plus_64_kib() {
    let body = Bytes::from(vec![b'x'; LIMIT]);
    let forged = |id: &str, body: Bytes| {
        let mut request = signed(id, body);
        request.headers_mut().insert(
            "webhook-signature",
            "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
                .parse()
                .unwrap(),
        );
        request
    };
    let cases: Vec<(&str, Request<Boxed>, u16)> = vec![
        // One frame: the layer keeps the caller's buffer (no copy).
        ("accepted, one frame", full(signed("a1", body.clone())), 200),
        ("forged, one frame", full(forged("f1", body.clone())), 401),
        // 8 KiB frames: the layer assembles the body itself.
        (
            "accepted, streamed",
            streamed(signed("a2", body.clone()), 8192),
            200,
        ),
        (
            "forged, streamed",
            streamed(forged("f2", body.clone()), 8192),
            401,
        ),
        // 8 MiB streamed without Content-Length: cut at the limit.
        (
            "oversized, streamed",
            streamed(signed("o1", Bytes::from(vec![b'y'; 8 * LIMIT])), 8192),
            413,
        ),
    ];
    for (what, request, expected) in cases {
        let (peak, status) = peak_of(request).await;
        eprintln!("{what}: status {status}, peak {peak} bytes above the baseline");
        assert_eq!(status, expected, "{what}");
        assert!(peak <= LIMIT + SLACK, "{what}: peak {peak} bytes");
    }
}
