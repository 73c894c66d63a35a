//! Outbound payload fetches of the Autoflex10 layer under load (SECURITY.md §3.6 C07, C17, C38,
//! C39): a scripted in-process API that counts fetches and how many run at once, paused time.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::{Empty, Full};
use tower::util::BoxCloneService;
use tower::{ServiceBuilder, ServiceExt};
use webhook_autoflex::{AutoflexEvent, AutoflexLayer, MemoryPendingCallbacks};
use webhook_core::{
    BoxFuture, Fetch, FetchError, FetchLimiter, FetchRequest, FetchResponse, Reason, Rejection,
    VerifiedBody,
};

const API: &str = "https://api.example.com/webservice_v2";
const PAYLOAD: &str = r#"{"successCode":200,"data":{"url":"https://download.example.com/b.zip"}}"#;

/// The API stand-in: every payload answers `PAYLOAD` (or `body`) after `delay`, with `headers`. Counts
/// fetches, fetches running now and the most ever running at once; keeps the
/// `accept-encoding` each fetch sent.
#[derive(Clone, Default)]
struct ScriptedApi {
    delay: Duration,
    headers: HeaderMap,
    /// Answered instead of `PAYLOAD` when not empty.
    body: Bytes,
    fetches: Arc<AtomicUsize>,
    running: Arc<AtomicUsize>,
    most_running: Arc<AtomicUsize>,
    accept_encodings: Arc<Mutex<Vec<String>>>,
}

impl Fetch for ScriptedApi {
    fn fetch(&self, request: FetchRequest) -> BoxFuture<'_, Result<FetchResponse, FetchError>> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_running.fetch_max(now, Ordering::SeqCst);
        let encoding = request
            .headers()
            .iter()
            .find(|(name, _)| name == http::header::ACCEPT_ENCODING)
            .map(|(_, value)| value.to_str().unwrap().to_owned())
            .unwrap_or_default();
        self.accept_encodings.lock().unwrap().push(encoding);
        Box::pin(async move {
            tokio::time::sleep(self.delay).await;
            self.running.fetch_sub(1, Ordering::SeqCst);
            Ok(FetchResponse {
                status: StatusCode::OK,
                headers: self.headers.clone(),
                body: if self.body.is_empty() {
                    Bytes::from_static(PAYLOAD.as_bytes())
                } else {
                    self.body.clone()
                },
            })
        })
    }
}

/// Status, reason, `Retry-After`.
type Seen = (u16, Option<Reason>, Option<String>);
type Svc = BoxCloneService<Request<Empty<Bytes>>, Seen, Infallible>;

/// The layer over `api`, counting inner calls per callback id.
fn service(layer: AutoflexLayer, api: &ScriptedApi, inner: &Arc<Mutex<Vec<String>>>) -> Svc {
    let inner = inner.clone();
    let svc = ServiceBuilder::new()
        .layer(layer.fetcher(api.clone()))
        .service_fn(move |req: Request<VerifiedBody>| {
            let event = req.extensions().get::<AutoflexEvent>().unwrap();
            inner.lock().unwrap().push(event.id.clone());
            async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::new()))) }
        });
    BoxCloneService::new(ServiceExt::<Request<Empty<Bytes>>>::map_response(
        svc,
        |r| {
            (
                r.status().as_u16(),
                r.extensions().get::<Rejection>().map(Rejection::reason),
                r.headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().to_owned()),
            )
        },
    ))
}

fn uuid(n: usize) -> String {
    format!("{n:08x}-5e6a-4b7c-9d8e-0f1a2b3c4d5e")
}

fn callback(id: &str) -> Request<Empty<Bytes>> {
    Request::get(format!("https://hooks.example.com/autoflex?id={id}"))
        .body(Empty::new())
        .unwrap()
}

/// Sends one callback per id, all at once, and returns what each got (in id order).
async fn all_at_once(svc: &Svc, ids: &[String]) -> Vec<Seen> {
    let mut tasks = tokio::task::JoinSet::new();
    for (n, id) in ids.iter().enumerate() {
        let request = callback(id);
        let svc = svc.clone();
        tasks.spawn(async move { (n, svc.oneshot(request).await.unwrap()) });
    }
    let mut seen = tasks.join_all().await;
    seen.sort_by_key(|(n, _)| *n);
    seen.into_iter().map(|(_, s)| s).collect()
}

fn is_busy(seen: &Seen) -> bool {
    seen.0 == 503 && seen.1 == Some(Reason::KeyUnavailable) && seen.2.is_some()
}

#[tokio::test(start_paused = true)]
async fn c07_without_a_pending_registry_a_random_id_flood_is_capped_by_concurrency_and_rate() {
    let api = ScriptedApi {
        delay: Duration::from_millis(200),
        ..ScriptedApi::default()
    };
    let inner = Arc::default();
    // No `.pending(...)`: every well-formed id is fetched, so the caps are the only bound.
    let limiter = FetchLimiter::new(8, 20, Duration::from_secs(1));
    let layer = AutoflexLayer::new(API, "token")
        .unwrap()
        .fetch_limiter(limiter.clone());
    let svc = service(layer.clone(), &api, &inner);
    // 200 random ids at once: at most 8 fetch, the rest are refused before any fetch.
    let ids: Vec<String> = (0..200).map(uuid).collect();
    let seen = all_at_once(&svc, &ids).await;
    let served = seen.iter().filter(|s| s.0 == 200).count();
    assert_eq!(api.fetches.load(Ordering::SeqCst), served);
    assert!((1..=8).contains(&served), "{served} fetched at once");
    assert!(seen.iter().all(|s| s.0 == 200 || is_busy(s)));
    assert!(api.most_running.load(Ordering::SeqCst) <= 8);
    // Then one random id every 10 ms for 10 s, the API answering at once: fetches stay
    // within 20 per second (a burst of 20, then 20 per second).
    let fast = ScriptedApi::default();
    let svc = service(layer.clone(), &fast, &inner);
    let started = tokio::time::Instant::now();
    let mut served = 0;
    for n in 0..1000 {
        let got = svc
            .clone()
            .oneshot(callback(&uuid(1000 + n)))
            .await
            .unwrap();
        assert!(got.0 == 200 || is_busy(&got), "{got:?}");
        served += usize::from(got.0 == 200);
        tokio::time::advance(Duration::from_millis(10)).await;
    }
    assert_eq!(started.elapsed(), Duration::from_secs(10));
    let fetched = fast.fetches.load(Ordering::SeqCst);
    assert_eq!(fetched, served);
    assert!(fetched <= 20 + 10 * 20, "{fetched} fetches in 10 s");
    assert!(
        fetched >= 200,
        "the cap must not starve the flow: {fetched}"
    );
    // Memory: nothing is kept per id once its callback is answered.
    assert!(
        format!("{layer:?}").contains("fetches_in_flight: 0"),
        "{layer:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn c17_concurrent_callbacks_for_one_id_share_one_fetch_and_one_inner_call() {
    let api = ScriptedApi {
        delay: Duration::from_millis(500),
        ..ScriptedApi::default()
    };
    let inner = Arc::default();
    let id = uuid(7);
    let pending = MemoryPendingCallbacks::new(10);
    pending.insert(&id, Duration::from_secs(3600));
    let layer = AutoflexLayer::new(API, "token").unwrap().pending(pending);
    let svc = service(layer, &api, &inner);
    let seen = all_at_once(&svc, &vec![id.clone(); 10]).await;
    assert_eq!(api.fetches.load(Ordering::SeqCst), 1, "single flight");
    assert_eq!(*inner.lock().unwrap(), vec![id.clone()], "one inner call");
    // The others are told to retry (in flight) or that it is done; none is a failure.
    for s in &seen {
        assert!(
            s.0 == 200 || s.1 == Some(Reason::DuplicateInFlight),
            "{s:?}"
        );
    }
    // After the fetch, a repeat is a duplicate without a fetch.
    assert_eq!(svc.clone().oneshot(callback(&id)).await.unwrap().0, 200);
    assert_eq!(api.fetches.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn c38_many_valid_callbacks_at_once_are_capped_at_8_fetches_and_the_rest_retry() {
    let api = ScriptedApi {
        delay: Duration::from_millis(300),
        ..ScriptedApi::default()
    };
    let inner: Arc<Mutex<Vec<String>>> = Arc::default();
    let ids: Vec<String> = (0..50).map(uuid).collect();
    let pending = MemoryPendingCallbacks::new(100);
    for id in &ids {
        pending.insert(id, Duration::from_secs(3600));
    }
    // The default caps: 8 in flight, 20 per second.
    let layer = AutoflexLayer::new(API, "token").unwrap().pending(pending);
    let svc = service(layer, &api, &inner);
    let seen = all_at_once(&svc, &ids).await;
    let delivered = seen.iter().filter(|s| s.0 == 200).count();
    assert_eq!(delivered, 8, "the default cap is 8 fetches at once");
    assert!(seen.iter().all(|s| s.0 == 200 || is_busy(s)), "{seen:?}");
    assert_eq!(api.most_running.load(Ordering::SeqCst), 8);
    // Refused callbacks stay pending: Autoflex10's retries deliver every id exactly once.
    let mut rounds = 0;
    while inner.lock().unwrap().len() < ids.len() {
        rounds += 1;
        assert!(rounds < 20, "retries never got through");
        tokio::time::advance(Duration::from_secs(1)).await;
        let waiting: Vec<String> = ids
            .iter()
            .filter(|id| !inner.lock().unwrap().contains(id))
            .cloned()
            .collect();
        all_at_once(&svc, &waiting).await;
        assert!(api.most_running.load(Ordering::SeqCst) <= 8);
    }
    let mut delivered = inner.lock().unwrap().clone();
    delivered.sort();
    assert_eq!(delivered, ids, "each id delivered exactly once");
    assert_eq!(api.fetches.load(Ordering::SeqCst), ids.len());
}

#[tokio::test]
async fn c39_compressed_payloads_are_refused_and_identity_is_asked_for() {
    // The body is valid JSON: only the label refuses it (a compressed body is never
    // inflated, nor read as if it were not compressed).
    for coding in ["gzip", "GZIP", "deflate", "br", "identity, gzip"] {
        let mut headers = HeaderMap::new();
        headers.insert("content-encoding", coding.parse().unwrap());
        let api = ScriptedApi {
            headers,
            ..ScriptedApi::default()
        };
        let inner: Arc<Mutex<Vec<String>>> = Arc::default();
        let layer = AutoflexLayer::new(API, "token").unwrap();
        let svc = service(layer, &api, &inner);
        let seen = svc.oneshot(callback(&uuid(1))).await.unwrap();
        assert_eq!(seen.0, 503, "{coding}");
        assert_eq!(seen.1, Some(Reason::KeyUnavailable), "{coding}");
        assert!(inner.lock().unwrap().is_empty(), "{coding}: delivered");
        assert_eq!(*api.accept_encodings.lock().unwrap(), vec!["identity"]);
    }
    // `identity` (or no header) is an ordinary payload.
    let mut headers = HeaderMap::new();
    headers.insert("content-encoding", "identity".parse().unwrap());
    let api = ScriptedApi {
        headers,
        ..ScriptedApi::default()
    };
    let inner: Arc<Mutex<Vec<String>>> = Arc::default();
    let svc = service(AutoflexLayer::new(API, "token").unwrap(), &api, &inner);
    assert_eq!(svc.oneshot(callback(&uuid(1))).await.unwrap().0, 200);
}
