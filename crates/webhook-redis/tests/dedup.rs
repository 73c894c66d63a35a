//! Two Standard Webhooks layer instances sharing one real Redis (R7 of the security notes):
//! concurrent redeliveries, failing first attempts, a crashed lease holder, and Redis killed
//! mid-run. The inner service counts successful calls per id, because "processed exactly
//! once" means exactly one successful call of the handler.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

mod support;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use support::{RedisServer, Rng};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::{ServiceBuilder, ServiceExt};
use webhook_core::{Claim, Delivery, FixedClock, Outcome, Reason, ReplayStore, VerifiedBody};
use webhook_redis::RedisReplayStore;
use webhook_standard::{StandardLayer, StandardSigner};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOW: i64 = 1_700_000_000;

/// What the inner service did, per event index (ids are `msg_<index>`).
struct Ledger {
    /// Successful (2xx) handler calls.
    successes: Vec<AtomicU32>,
    /// Handler calls of any outcome.
    attempts: Vec<AtomicU32>,
    /// Handler calls running right now.
    running: Vec<AtomicU32>,
    /// Times a handler call started while another call of the same id was running.
    overlaps: AtomicUsize,
    /// Which events fail their first handler call with a 500.
    fails_first: Vec<bool>,
}

impl Ledger {
    fn new(events: usize, seed: u64) -> Arc<Self> {
        let mut rng = Rng::new(seed);
        Arc::new(Self {
            successes: (0..events).map(|_| AtomicU32::new(0)).collect(),
            attempts: (0..events).map(|_| AtomicU32::new(0)).collect(),
            running: (0..events).map(|_| AtomicU32::new(0)).collect(),
            overlaps: AtomicUsize::new(0),
            fails_first: (0..events).map(|_| rng.below(10) == 0).collect(),
        })
    }

    fn assert_each_processed_exactly_once(&self) {
        assert_eq!(
            self.overlaps.load(Ordering::SeqCst),
            0,
            "concurrent handler calls"
        );
        for (index, successes) in self.successes.iter().enumerate() {
            assert_eq!(successes.load(Ordering::SeqCst), 1, "msg_{index}");
        }
    }
}

fn index_of(request: &Request<VerifiedBody>) -> usize {
    let delivery = request.extensions().get::<Delivery>().expect("delivery");
    let id = delivery.id.as_deref().expect("id");
    id.trim_start_matches("msg_").parse().expect("msg_<n>")
}

/// The handler: sleeps 0–3 ms, fails the first call of the chosen 10 % of events with a
/// 500, answers `handled` otherwise.
async fn handle(
    ledger: Arc<Ledger>,
    request: Request<VerifiedBody>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let index = index_of(&request);
    if ledger.running[index].fetch_add(1, Ordering::SeqCst) != 0 {
        ledger.overlaps.fetch_add(1, Ordering::SeqCst);
    }
    let mut rng = Rng::new(index as u64 ^ u64::from(ledger.attempts[index].load(Ordering::SeqCst)));
    tokio::time::sleep(Duration::from_micros(rng.below(3_000))).await;
    let attempt = ledger.attempts[index].fetch_add(1, Ordering::SeqCst);
    let status = if attempt == 0 && ledger.fails_first[index] {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        ledger.successes[index].fetch_add(1, Ordering::SeqCst);
        StatusCode::OK
    };
    ledger.running[index].fetch_sub(1, Ordering::SeqCst);
    let mut response = Response::new(Full::new(Bytes::from_static(b"handled")));
    *response.status_mut() = status;
    Ok(response)
}

fn layer(store: RedisReplayStore, lease: Duration) -> StandardLayer {
    StandardLayer::new(SECRET)
        .unwrap()
        .clock(FixedClock::at_unix(NOW as u64))
        .lease(lease)
        .replay_store(store)
}

/// One instance: its own layer and its own connection to the shared Redis, behind a real
/// HTTP/1.1 server on 127.0.0.1.
async fn serve(redis_url: &str, ledger: Arc<Ledger>) -> SocketAddr {
    let store = RedisReplayStore::new(redis_url).unwrap();
    // A short lease, so a claim that reached Redis but timed out on the way back (a loaded
    // CI machine) delays its event by seconds, not a minute.
    let service = ServiceBuilder::new()
        .layer(layer(store, Duration::from_secs(3)))
        .service_fn(move |request| handle(ledger.clone(), request));
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
                    service.clone().oneshot(req)
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), hyper_service)
                    .await;
            });
        }
    });
    addr
}

fn signed(uri: &str, index: usize) -> Request<Full<Bytes>> {
    let body = format!(r#"{{"type":"invoice.paid","n":{index}}}"#);
    StandardSigner::new(SECRET)
        .unwrap()
        .request(uri, &format!("msg_{index}"), NOW, body)
        .unwrap()
        .map(Full::new)
}

/// How the deliveries were answered, over all events.
#[derive(Default)]
struct Answers {
    handled: AtomicUsize,
    duplicates: AtomicUsize,
    in_flight: AtomicUsize,
    unavailable: AtomicUsize,
    failed: AtomicUsize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r7_two_instances_process_each_of_1000_events_exactly_once_over_loopback() {
    const EVENTS: usize = 1_000;
    const DELIVERIES: usize = 5;
    let started = Instant::now();
    let server = RedisServer::start();
    let ledger = Ledger::new(EVENTS, 7);
    let instances = [
        serve(&server.url(), ledger.clone()).await,
        serve(&server.url(), ledger.clone()).await,
    ];
    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let answers = Arc::new(Answers::default());
    // 40 events at a time, each delivered 5 times at once: 200 concurrent senders.
    let events_at_once = Arc::new(Semaphore::new(40));
    let mut tasks = Vec::new();
    for index in 0..EVENTS {
        for delivery in 0..DELIVERIES {
            let (client, ledger, answers, gate) = (
                client.clone(),
                ledger.clone(),
                answers.clone(),
                events_at_once.clone(),
            );
            let permit = if delivery == 0 {
                Some(gate.acquire_owned().await.unwrap())
            } else {
                None
            };
            tasks.push(tokio::spawn(async move {
                let _permit = permit;
                let mut rng = Rng::new((index * DELIVERIES + delivery) as u64);
                let deadline = Instant::now() + Duration::from_secs(25);
                while Instant::now() < deadline {
                    tokio::time::sleep(Duration::from_micros(rng.below(3_000))).await;
                    let addr = instances[rng.below(2) as usize];
                    let request = signed(&format!("http://{addr}/webhooks"), index);
                    let response = client.request(request).await.unwrap();
                    let status = response.status();
                    let body = response.into_body().collect().await.unwrap().to_bytes();
                    match (status.as_u16(), body.as_ref()) {
                        (200, b"handled") => {
                            answers.handled.fetch_add(1, Ordering::SeqCst);
                            return;
                        }
                        (200, b"") => {
                            // A duplicate is acknowledged only once the first delivery
                            // finished successfully: never while it is still running.
                            assert_eq!(
                                ledger.successes[index].load(Ordering::SeqCst),
                                1,
                                "msg_{index} acknowledged as a duplicate before it was processed"
                            );
                            answers.duplicates.fetch_add(1, Ordering::SeqCst);
                            return;
                        }
                        (503, br#"{"reason":"duplicate_in_flight"}"#) => {
                            answers.in_flight.fetch_add(1, Ordering::SeqCst);
                        }
                        (503, br#"{"reason":"store_unavailable"}"#) => {
                            answers.unavailable.fetch_add(1, Ordering::SeqCst);
                        }
                        (500, b"handled") => {
                            answers.failed.fetch_add(1, Ordering::SeqCst);
                        }
                        (status, body) => panic!(
                            "msg_{index}: unexpected {status} {}",
                            String::from_utf8_lossy(body)
                        ),
                    }
                }
                panic!("msg_{index} delivery {delivery} never got a 2xx: lost");
            }));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }
    ledger.assert_each_processed_exactly_once();
    let handled = answers.handled.load(Ordering::SeqCst);
    let duplicates = answers.duplicates.load(Ordering::SeqCst);
    assert_eq!(handled, EVENTS, "one handled answer per event");
    assert_eq!(
        handled + duplicates,
        EVENTS * DELIVERIES,
        "every delivery got a 2xx"
    );
    let failing = ledger.fails_first.iter().filter(|f| **f).count();
    assert!(
        (50..=150).contains(&failing),
        "about 10 % fail first: {failing}"
    );
    assert_eq!(answers.failed.load(Ordering::SeqCst), failing);
    // The concurrent deliveries did meet in flight (the case under test happened).
    assert!(answers.in_flight.load(Ordering::SeqCst) > 0);
    eprintln!(
        "{handled} handled, {duplicates} duplicates, {} in flight, {} failed first, {} store timeouts, in {:?}",
        answers.in_flight.load(Ordering::SeqCst),
        answers.failed.load(Ordering::SeqCst),
        answers.unavailable.load(Ordering::SeqCst),
        started.elapsed()
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn r4_a_crashed_instances_lease_expires_and_the_retry_is_processed_elsewhere() {
    let server = RedisServer::start();
    let lease = Duration::from_millis(400);
    let calls = Arc::new(AtomicU32::new(0));
    // Instance A's handler never answers: dropping its future is the crash (no complete,
    // no release).
    let crashing = ServiceBuilder::new()
        .layer(layer(RedisReplayStore::new(&server.url()).unwrap(), lease))
        .service_fn(|_: Request<VerifiedBody>| async {
            std::future::pending::<Result<Response<Full<Bytes>>, Infallible>>().await
        });
    let uri = "http://127.0.0.1/webhooks";
    let crashed =
        tokio::time::timeout(Duration::from_millis(100), crashing.oneshot(signed(uri, 1))).await;
    assert!(crashed.is_err(), "the crashing instance answered");

    let counted = calls.clone();
    let healthy = ServiceBuilder::new()
        .layer(layer(RedisReplayStore::new(&server.url()).unwrap(), lease))
        .service_fn(move |_: Request<VerifiedBody>| {
            counted.fetch_add(1, Ordering::SeqCst);
            async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"ok")))) }
        });
    // Inside the lease, the retry on instance B meets the dead holder's lease.
    let response = healthy.clone().oneshot(signed(uri, 1)).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response.extensions().get::<Outcome>(),
        Some(&Outcome::Rejected(Reason::DuplicateInFlight))
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    // After the lease, the retry is fresh and processed once; later ones are duplicates.
    tokio::time::sleep(lease + Duration::from_millis(100)).await;
    let response = healthy.clone().oneshot(signed(uri, 1)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.extensions().get::<Outcome>(),
        Some(&Outcome::Delivered)
    );
    let response = healthy.oneshot(signed(uri, 1)).await.unwrap();
    assert_eq!(
        response.extensions().get::<Outcome>(),
        Some(&Outcome::Duplicate)
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let store = RedisReplayStore::new(&server.url()).unwrap();
    assert_eq!(store.peek("standard:msg_1").await.unwrap(), Claim::Done);
}

#[tokio::test]
async fn t16_r1_unreachable_redis_is_503_store_unavailable_and_never_reaches_the_handler() {
    let mut server = RedisServer::start();
    let url = server.url();
    server.kill();
    let calls = Arc::new(AtomicU32::new(0));
    let counted = calls.clone();
    let store = RedisReplayStore::new(&url)
        .unwrap()
        .command_timeout(Duration::from_millis(100));
    let service = ServiceBuilder::new()
        .layer(layer(store, Duration::from_secs(60)))
        .service_fn(move |_: Request<VerifiedBody>| {
            counted.fetch_add(1, Ordering::SeqCst);
            async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"ok")))) }
        });
    let started = Instant::now();
    let response = service.oneshot(signed("/webhooks", 9)).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key(http::header::RETRY_AFTER));
    assert_eq!(
        response.extensions().get::<Outcome>(),
        Some(&Outcome::Rejected(Reason::StoreUnavailable))
    );
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body.as_ref(), br#"{"reason":"store_unavailable"}"#);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn t16_fail_open_store_delivers_while_redis_is_unreachable() {
    let mut server = RedisServer::start();
    let url = server.url();
    server.kill();
    let calls = Arc::new(AtomicU32::new(0));
    let counted = calls.clone();
    let store = RedisReplayStore::new(&url)
        .unwrap()
        .command_timeout(Duration::from_millis(100))
        .dangerous_fail_open();
    let service = ServiceBuilder::new()
        .layer(layer(store, Duration::from_secs(60)))
        .service_fn(move |_: Request<VerifiedBody>| {
            counted.fetch_add(1, Ordering::SeqCst);
            async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"ok")))) }
        });
    for _ in 0..2 {
        let response = service
            .clone()
            .oneshot(signed("/webhooks", 9))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    // The risk the option documents: the same id was processed twice.
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t16_r1_redis_killed_mid_run_answers_store_unavailable_then_loses_nothing() {
    const EVENTS: usize = 300;
    let started = Instant::now();
    let mut server = RedisServer::start();
    let ledger = Ledger::new(EVENTS, 11);
    let instances: Vec<_> = (0..2)
        .map(|_| {
            let ledger = ledger.clone();
            let store = RedisReplayStore::new(&server.url())
                .unwrap()
                .command_timeout(Duration::from_millis(100));
            ServiceBuilder::new()
                .layer(layer(store, Duration::from_secs(2)))
                .service_fn(move |request| handle(ledger.clone(), request))
        })
        .collect();
    let unavailable = Arc::new(AtomicUsize::new(0));
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let events_at_once = Arc::new(Semaphore::new(30));
    let mut tasks = Vec::new();
    for index in 0..EVENTS {
        let gate = events_at_once.clone();
        let instances = instances.clone();
        let (unavailable, acknowledged) = (unavailable.clone(), acknowledged.clone());
        // Each event has one sender, which retries until it gets a 2xx, as providers do.
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await.unwrap();
            let mut rng = Rng::new(index as u64 + 1_000);
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                tokio::time::sleep(Duration::from_micros(rng.below(3_000))).await;
                let instance = instances[rng.below(2) as usize].clone();
                let response = instance.oneshot(signed("/webhooks", index)).await.unwrap();
                if response.status().is_success() {
                    acknowledged.fetch_add(1, Ordering::SeqCst);
                    return;
                }
                match response.extensions().get::<Outcome>() {
                    Some(Outcome::Rejected(Reason::StoreUnavailable)) => {
                        assert!(response.headers().contains_key(http::header::RETRY_AFTER));
                        unavailable.fetch_add(1, Ordering::SeqCst);
                        // Back off as a sender told to retry would.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    Some(Outcome::Delivered) => {
                        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
                    }
                    // A claim that reached Redis but timed out on the way back leaves a
                    // lease (2 s here): the retry waits it out.
                    Some(Outcome::Rejected(Reason::DuplicateInFlight)) => {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    other => panic!("msg_{index}: unexpected {other:?}"),
                }
            }
            panic!("msg_{index} was never acknowledged: lost");
        }));
    }
    // Kill Redis once a third of the events went through; bring it back 500 ms later.
    while acknowledged.load(Ordering::SeqCst) < EVENTS / 3 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.kill();
    let acknowledged_at_kill = acknowledged.load(Ordering::SeqCst);
    let unavailable_before = unavailable.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        unavailable.load(Ordering::SeqCst) > unavailable_before,
        "no store_unavailable answer while Redis was down"
    );
    server.restart();
    for task in tasks {
        task.await.unwrap();
    }
    assert!(
        acknowledged_at_kill < EVENTS,
        "Redis was killed after the run"
    );
    eprintln!(
        "{acknowledged_at_kill} acknowledged before the kill, {} store_unavailable answers, in {:?}",
        unavailable.load(Ordering::SeqCst),
        started.elapsed()
    );
    assert_eq!(acknowledged.load(Ordering::SeqCst), EVENTS);
    ledger.assert_each_processed_exactly_once();
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}
