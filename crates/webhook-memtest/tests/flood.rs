//! R5 (SECURITY.md §4), issue 9: a bounded loopback flood. 10 000 invalid requests interleaved
//! with 1 % valid ones (10 100 in all) go over HTTP/1.1 on 127.0.0.1 to two real layers served
//! by hyper — Standard Webhooks, and SNS whose certificate host is an in-process `Fetch` that
//! counts its calls — from 16 keep-alive client connections. It shows:
//!
//! * zero outbound fetches caused by the invalid requests (the only fetch is the certificate,
//!   fetched once by the warm-up delivery before the flood);
//! * bounded memory: the peak live heap during the flood, over the level before it, stays
//!   under 5 MiB, and what is still live after it under 1 MiB (nothing grows per request);
//! * every valid request answered 2xx — and its immediate replay too (a duplicate) — with the
//!   handler called exactly once per valid id, and never for an invalid one.
//!
//! Invalid kinds: Standard — forged MAC, wrong secret, stale timestamp, missing signature,
//! body changed after signing; SNS — bad signature under the genuine (cached) certificate,
//! topic not allowlisted, foreign certificate host, stale timestamp, not JSON, message-type
//! header contradicting the body. (A well-formed *unknown* SNS certificate URL cannot be judged
//! without fetching it: that case is bounded by S50/F23, 4 new URLs a minute, not here.)
//! Its own test binary, for its own counting global allocator; it takes about a second.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tower::{ServiceBuilder, ServiceExt};
use webhook_core::{
    BoxFuture, Delivery, Fetch, FetchError, FetchRequest, FetchResponse, FixedClock, TableFetch,
    VerifiedBody,
};
use webhook_memtest::{CountingAllocator, live_bytes, peak_bytes, start_peak};
use webhook_sns::{SnsLayer, SnsSigner};
use webhook_standard::{StandardLayer, StandardSigner};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER_SECRET: &str = "whsec_QWxsIHlvdXIgYmFzZSBhcmUgYmVsb25nIHRvIHVz";
const TOPIC: &str = "arn:aws:sns:us-east-2:123456789012:Invoices";
const OTHER_TOPIC: &str = "arn:aws:sns:us-east-2:123456789012:Other";
const NOW: i64 = 1_796_083_200; // 2026-12-01T00:00:00Z
const STAMP: &str = "2026-12-01T00:00:00.000Z";
const STALE_STAMP: &str = "2026-11-30T00:00:00.000Z";
const INVALID: usize = 10_000;
/// One valid request after every 100 invalid ones: 1 %.
const EVERY: usize = 100;
const CONNECTIONS: usize = 16;
const PEAK_BOUND: usize = 5 << 20;
const AFTER_BOUND: usize = 1 << 20;

/// The certificate host: a `TableFetch` whose calls are counted.
#[derive(Clone)]
struct CountingFetch {
    table: TableFetch,
    calls: Arc<AtomicUsize>,
}

impl Fetch for CountingFetch {
    fn fetch(&self, request: FetchRequest) -> BoxFuture<'_, Result<FetchResponse, FetchError>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.table.fetch(request)
    }
}

/// Handler calls per delivery id, per provider.
type Calls = Arc<Mutex<HashMap<String, usize>>>;

async fn serve<S, B>(service: S) -> SocketAddr
where
    S: tower::Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = service.clone();
            tokio::spawn(async move {
                let handler = hyper::service::service_fn(move |req: Request<Incoming>| {
                    service.clone().oneshot(req)
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), handler)
                    .await;
            });
        }
    });
    addr
}

fn recorder(
    calls: Calls,
) -> impl Fn(Request<VerifiedBody>) -> std::future::Ready<Result<Response<Full<Bytes>>, Infallible>>
+ Clone {
    move |req: Request<VerifiedBody>| {
        let id = req
            .extensions()
            .get::<Delivery>()
            .and_then(|d| d.id.clone())
            .unwrap_or_default();
        *calls.lock().unwrap().entry(id).or_default() += 1;
        std::future::ready(Ok(Response::new(Full::new(Bytes::new()))))
    }
}

/// Request `n` of the flood: which server, the request, and the id if it is valid.
fn nth(
    n: usize,
    standard: &StandardSigner,
    sns: &SnsSigner,
) -> (bool, Request<Bytes>, Option<String>) {
    let valid = n % (EVERY + 1) == EVERY;
    // Valid ones alternate between the servers, and so do invalid ones.
    let to_standard = if valid {
        (n / (EVERY + 1)).is_multiple_of(2)
    } else {
        n.is_multiple_of(2)
    };
    if to_standard {
        let id = format!("msg_{n}");
        let body = Bytes::from(format!("{{\"n\":{n}}}"));
        if valid {
            let request = standard.request("/hook", &id, NOW, body).unwrap();
            return (true, request, Some(id));
        }
        let request = match (n / 2) % 5 {
            0 => {
                let mut r = standard.request("/hook", &id, NOW, body).unwrap();
                r.headers_mut().insert(
                    "webhook-signature",
                    "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
                        .parse()
                        .unwrap(),
                );
                r
            }
            1 => StandardSigner::new(OTHER_SECRET)
                .unwrap()
                .request("/hook", &id, NOW, body)
                .unwrap(),
            2 => standard.request("/hook", &id, NOW - 3600, body).unwrap(),
            3 => {
                let mut r = standard.request("/hook", &id, NOW, body).unwrap();
                r.headers_mut().remove("webhook-signature");
                r
            }
            _ => standard
                .request("/hook", &id, NOW, body)
                .unwrap()
                .map(|_| Bytes::from_static(b"{\"n\":-1}")),
        };
        return (true, request, None);
    }
    let id = format!("m-{n}");
    let signed = |topic: &str, stamp: &str| -> serde_json::Value {
        serde_json::from_str(&sns.notification(topic, &id, None, "paid", stamp)).unwrap()
    };
    let post = |kind: &str, body: String| {
        Request::post("/sns")
            .header("x-amz-sns-message-type", kind)
            .body(Bytes::from(body))
            .unwrap()
    };
    if valid {
        return (
            false,
            post("Notification", signed(TOPIC, STAMP).to_string()),
            Some(id),
        );
    }
    let request = match (n / 2) % 6 {
        0 => {
            let mut fields = signed(TOPIC, STAMP);
            fields["Message"] = "refund".into();
            post("Notification", fields.to_string())
        }
        1 => post("Notification", signed(OTHER_TOPIC, STAMP).to_string()),
        2 => {
            let mut fields = signed(TOPIC, STAMP);
            fields["SigningCertURL"] =
                "https://sns.us-east-2.amazonaws.evil.example/cert.pem".into();
            post("Notification", fields.to_string())
        }
        3 => post("Notification", signed(TOPIC, STALE_STAMP).to_string()),
        4 => post("Notification", "{\"Type\":\"Notification\",".to_owned()),
        _ => post("SubscriptionConfirmation", signed(TOPIC, STAMP).to_string()),
    };
    (false, request, None)
}

/// Sends requests `worker`, `worker + CONNECTIONS`, … over one keep-alive connection per
/// server, each valid one twice (the second is a replay); returns each valid id with the
/// statuses of its delivery and its replay, and the number of invalid ones answered 2xx.
async fn client(
    worker: usize,
    standard_addr: SocketAddr,
    sns_addr: SocketAddr,
) -> (Vec<(String, u16, u16)>, usize) {
    let connect = |addr| async move {
        let stream = TcpStream::connect(addr).await.unwrap();
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(connection);
        sender
    };
    let mut to_standard = connect(standard_addr).await;
    let mut to_sns = connect(sns_addr).await;
    let standard = StandardSigner::new(SECRET).unwrap();
    let sns = SnsSigner::new("us-east-2").unwrap();
    let mut valid = Vec::new();
    let mut accepted_invalid = 0;
    for n in (worker..INVALID + INVALID / EVERY).step_by(CONNECTIONS) {
        let (is_standard, request, id) = nth(n, &standard, &sns);
        let sender = if is_standard {
            &mut to_standard
        } else {
            &mut to_sns
        };
        sender.ready().await.unwrap();
        let response = sender.send_request(request.map(Full::new)).await.unwrap();
        let status = response.status().as_u16();
        let _ = response.into_body().collect().await.unwrap();
        match id {
            Some(id) => {
                // The sender retries the valid delivery at once: a duplicate, 2xx, no new call.
                let (_, again, _) = nth(n, &standard, &sns);
                let sender = if is_standard {
                    &mut to_standard
                } else {
                    &mut to_sns
                };
                sender.ready().await.unwrap();
                let response = sender.send_request(again.map(Full::new)).await.unwrap();
                let replay = response.status().as_u16();
                let _ = response.into_body().collect().await.unwrap();
                valid.push((id, status, replay));
            }
            None => accepted_invalid += usize::from((200..300).contains(&status)),
        }
    }
    (valid, accepted_invalid)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r5_flood_of_10000_invalid_requests_with_1_percent_valid_over_loopback() {
    let started = std::time::Instant::now();
    let sns = SnsSigner::new("us-east-2").unwrap();
    let table = TableFetch::new();
    sns.serve(&table);
    let fetch = CountingFetch {
        table,
        calls: Arc::default(),
    };
    let standard_calls: Calls = Arc::default();
    let sns_calls: Calls = Arc::default();
    let standard_addr = serve(
        ServiceBuilder::new()
            .layer(
                StandardLayer::new(SECRET)
                    .unwrap()
                    .clock(FixedClock::at_unix(NOW as u64)),
            )
            .service_fn(recorder(standard_calls.clone())),
    )
    .await;
    let sns_addr = serve(
        ServiceBuilder::new()
            .layer(
                SnsLayer::new(&[TOPIC])
                    .unwrap()
                    .fetcher(fetch.clone())
                    .clock(FixedClock::at_unix(NOW as u64)),
            )
            .service_fn(recorder(sns_calls.clone())),
    )
    .await;
    // Warm-up: one valid SNS delivery fetches the certificate (the one legitimate fetch).
    {
        let stream = TcpStream::connect(sns_addr).await.unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(connection);
        let body = sns.notification(TOPIC, "m-warm-up", None, "paid", STAMP);
        let request = Request::post("/sns")
            .header("x-amz-sns-message-type", "Notification")
            .body(Full::new(Bytes::from(body)))
            .unwrap();
        let response = sender.send_request(request).await.unwrap();
        assert_eq!(response.status(), 200);
        let _ = response.into_body().collect().await.unwrap();
    }
    assert_eq!(fetch.calls.load(Ordering::SeqCst), 1);

    let baseline = start_peak();
    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..CONNECTIONS {
        workers.spawn(client(worker, standard_addr, sns_addr));
    }
    let mut valid = Vec::new();
    let mut accepted_invalid = 0;
    while let Some(result) = workers.join_next().await {
        let (statuses, accepted) = result.unwrap();
        valid.extend(statuses);
        accepted_invalid += accepted;
    }
    let peak = peak_bytes() - baseline;
    let after = live_bytes().saturating_sub(baseline);
    let fetches_during_flood = fetch.calls.load(Ordering::SeqCst) - 1;
    eprintln!(
        "flood: {INVALID} invalid + {} valid requests (+ as many replays) in {:?}; fetches during the flood: \
         {fetches_during_flood}; peak heap growth {peak} bytes; live after {after} bytes",
        valid.len(),
        started.elapsed()
    );

    assert_eq!(valid.len(), INVALID / EVERY, "1 % valid");
    assert_eq!(
        fetches_during_flood, 0,
        "invalid requests caused outbound fetches"
    );
    assert_eq!(accepted_invalid, 0, "an invalid request was accepted");
    for (id, status, replay) in &valid {
        assert!((200..300).contains(status), "valid {id} answered {status}");
        assert!(
            (200..300).contains(replay),
            "replay of {id} answered {replay}"
        );
    }
    let mut expected_standard: Vec<String> = Vec::new();
    let mut expected_sns: Vec<String> = vec!["m-warm-up".into()];
    for (id, _, _) in &valid {
        if id.starts_with("msg_") {
            expected_standard.push(id.clone());
        } else {
            expected_sns.push(id.clone());
        }
    }
    for (calls, expected) in [
        (&standard_calls, expected_standard),
        (&sns_calls, expected_sns),
    ] {
        let calls = calls.lock().unwrap();
        assert_eq!(calls.len(), expected.len(), "handler called for other ids");
        for id in expected {
            assert_eq!(calls.get(&id), Some(&1), "handler calls for {id}");
        }
    }
    assert!(peak <= PEAK_BOUND, "peak heap growth {peak} bytes");
    assert!(
        after <= AFTER_BOUND,
        "{after} bytes still live after the flood"
    );
}
