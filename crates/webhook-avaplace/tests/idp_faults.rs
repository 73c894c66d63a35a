//! The AVAplace layer against a misbehaving identity provider (SECURITY.md §3.8), with an
//! in-process network and paused time.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use serde_json::Value;
use tower::util::BoxCloneService;
use tower::{ServiceBuilder, ServiceExt};
use webhook_avaplace::{AvaplaceEvent, AvaplaceLayer, AvaplaceSigner};
use webhook_core::{
    FixedClock, Outcome, Reason, Rejection, TableFetch, TableResponse, VerifiedBody,
};

const ISSUER: &str = "https://idp.example.com/api/asol/idp";
const CODE: &str = "Dx_test-code";
const NOW: i64 = 1_767_225_660;

type Svc =
    BoxCloneService<Request<Full<Bytes>>, (u16, Option<Reason>, Option<Outcome>), Infallible>;

fn service(net: &TableFetch) -> Svc {
    let layer = AvaplaceLayer::new(ISSUER, CODE)
        .unwrap()
        .fetcher(net.clone())
        .clock(FixedClock::at_unix(NOW as u64));
    let svc =
        ServiceBuilder::new()
            .layer(layer)
            .service_fn(|req: Request<VerifiedBody>| async move {
                assert!(req.extensions().get::<AvaplaceEvent>().is_some());
                Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
            });
    let svc = ServiceExt::<Request<Full<Bytes>>>::map_response(svc, |r| {
        (
            r.status().as_u16(),
            r.extensions().get::<Rejection>().map(Rejection::reason),
            r.extensions().get::<Outcome>().copied(),
        )
    });
    BoxCloneService::new(svc)
}

fn uri(n: u32) -> String {
    format!(
        "https://hooks.example.com/webhook/ASOL.Store.OrderReleased/OrderReleased/c0eb0000-5dfe-0015-8604-{n:012x}"
    )
}

async fn send(
    svc: &Svc,
    signer: &AvaplaceSigner,
    n: u32,
) -> (u16, Option<Reason>, Option<Outcome>) {
    let request = signer
        .request(&uri(n), &signer.claims(NOW - 60), CODE, "{}")
        .unwrap();
    svc.clone().oneshot(request.map(Full::new)).await.unwrap()
}

#[tokio::test(start_paused = true)]
async fn f01_idp_down_is_503_and_refetched_no_more_than_the_cache_allows() {
    let net = TableFetch::new();
    let signer = AvaplaceSigner::new(ISSUER).unwrap();
    let svc = service(&net);
    for n in 0..20 {
        assert_eq!(send(&svc, &signer, n).await.1, Some(Reason::KeyUnavailable));
    }
    assert_eq!(
        net.take_calls().len(),
        1,
        "the failed discovery is negatively cached"
    );
    tokio::time::advance(Duration::from_secs(61)).await;
    signer.serve(&net);
    assert_eq!(send(&svc, &signer, 100).await.0, 200);
}

#[tokio::test(start_paused = true)]
async fn f02_cached_keys_keep_working_while_the_idp_is_down() {
    let net = TableFetch::new();
    let signer = AvaplaceSigner::new(ISSUER).unwrap();
    signer.serve(&net);
    let svc = service(&net);
    assert_eq!(send(&svc, &signer, 0).await.0, 200);
    net.remove(&signer.discovery_url());
    net.remove(&signer.jwks_uri());
    tokio::time::advance(Duration::from_secs(3600)).await;
    for n in 1..5 {
        assert_eq!(send(&svc, &signer, n).await.0, 200, "stale keys are served");
    }
}

#[tokio::test(start_paused = true)]
async fn f03_f04_f05_slow_garbage_or_huge_jwks_is_503() {
    let signer = AvaplaceSigner::new(ISSUER).unwrap();
    let mut slow = TableResponse::ok(signer.jwks());
    slow.delay = Duration::from_secs(30);
    let huge = TableResponse::ok(format!(
        "{{\"keys\":[],\"pad\":\"{}\"}}",
        "x".repeat(100 * 1024)
    ));
    for jwks in [
        slow,
        TableResponse::ok("<html>oops</html>"),
        huge,
        TableResponse::status(StatusCode::FOUND, ""),
    ] {
        let net = TableFetch::new();
        signer.serve(&net);
        net.set(signer.jwks_uri(), jwks);
        let (status, reason, _) = send(&service(&net), &signer, 0).await;
        assert_eq!((status, reason), (503, Some(Reason::KeyUnavailable)));
    }
}

#[tokio::test(start_paused = true)]
async fn f08_rotated_in_kid_triggers_one_refetch_and_is_accepted() {
    let net = TableFetch::new();
    let old = AvaplaceSigner::new(ISSUER).unwrap();
    old.serve(&net);
    let svc = service(&net);
    assert_eq!(send(&svc, &old, 0).await.0, 200);
    let _ = net.take_calls();
    tokio::time::advance(Duration::from_secs(31)).await;
    let new = AvaplaceSigner::new(ISSUER).unwrap().with_kid("test-key-2");
    new.serve(&net);
    assert_eq!(send(&svc, &new, 1).await.0, 200);
    assert_eq!(net.take_calls(), vec![format!("GET {}", new.jwks_uri())]);
    assert_eq!(send(&svc, &new, 2).await.0, 200);
    assert!(net.take_calls().is_empty());
}

#[tokio::test(start_paused = true)]
async fn f10_random_kid_flood_stays_within_the_cooldown_and_cached_kids_still_pass() {
    let net = TableFetch::new();
    let good = AvaplaceSigner::new(ISSUER).unwrap();
    good.serve(&net);
    let svc = service(&net);
    assert_eq!(send(&svc, &good, 0).await.0, 200);
    let _ = net.take_calls();
    for n in 1..=200 {
        let random = AvaplaceSigner::new(ISSUER)
            .unwrap()
            .with_kid(&format!("kid-{n}"));
        assert_eq!(
            send(&svc, &random, n).await.1,
            Some(Reason::SignatureMismatch)
        );
        if n % 50 == 0 {
            assert_eq!(send(&svc, &good, 1000 + n).await.0, 200);
        }
    }
    assert!(
        net.take_calls().len() <= 1,
        "at most one refetch within the 30 s cooldown"
    );
}

#[tokio::test(start_paused = true)]
async fn b_replay_of_the_message_id_is_a_duplicate_and_claims_must_match_hints() {
    let net = TableFetch::new();
    let signer = AvaplaceSigner::new(ISSUER).unwrap();
    signer.serve(&net);
    let svc = service(&net);
    assert_eq!(send(&svc, &signer, 7).await.0, 200);
    assert_eq!(send(&svc, &signer, 7).await.2, Some(Outcome::Duplicate));

    let mut request = signer
        .request(&uri(8), &signer.claims(NOW - 60), CODE, "{}")
        .unwrap();
    request
        .headers_mut()
        .insert("x-userclaim-sub", "someone-else".parse().unwrap());
    let (status, reason, _) = svc.clone().oneshot(request.map(Full::new)).await.unwrap();
    assert_eq!((status, reason), (401, Some(Reason::ClaimMismatch)));

    let mut request = signer
        .request(&uri(9), &signer.claims(NOW - 60), CODE, "{}")
        .unwrap();
    request.headers_mut().insert(
        "x-userclaimsextended",
        http::HeaderValue::from_bytes("[{\"Key\":\"name\",\"Value\":\"Jiří\"}]".as_bytes())
            .unwrap(),
    );
    assert_eq!(
        svc.clone().oneshot(request.map(Full::new)).await.unwrap().0,
        200,
        "non-ASCII hints never reject"
    );
}

#[tokio::test(start_paused = true)]
async fn b_audience_and_leeway_are_enforced() {
    let net = TableFetch::new();
    let signer = AvaplaceSigner::new(ISSUER).unwrap();
    signer.serve(&net);
    let layer = AvaplaceLayer::new(ISSUER, CODE)
        .unwrap()
        .audience("someone-else")
        .fetcher(net.clone())
        .clock(FixedClock::at_unix(NOW as u64));
    let svc = ServiceBuilder::new()
        .layer(layer)
        .service_fn(|_req: Request<VerifiedBody>| async {
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
        });
    let request = signer
        .request(&uri(1), &signer.claims(NOW - 60), CODE, "{}")
        .unwrap();
    let response = svc.clone().oneshot(request.map(Full::new)).await.unwrap();
    assert_eq!(
        response
            .extensions()
            .get::<Rejection>()
            .map(Rejection::reason),
        Some(Reason::TokenInvalid)
    );

    // exp 31 s in the past is beyond the default 30 s leeway.
    let mut claims = signer.claims(NOW - 3600 - 31);
    claims["nbf"] = Value::from(NOW - 4000);
    let request = signer.request(&uri(2), &claims, CODE, "{}").unwrap();
    let (_, reason, _) = service(&net).oneshot(request.map(Full::new)).await.unwrap();
    assert_eq!(reason, Some(Reason::TokenInvalid));
}

fn retry_after(status: StatusCode, seconds: &str) -> TableResponse {
    let mut answer = TableResponse::status(status, "");
    answer
        .headers
        .insert("retry-after", seconds.parse().unwrap());
    answer
}

/// F06: a 5xx/429 with `Retry-After` defers the next JWKS fetch by max(cooldown, Retry-After),
/// capped at 5 minutes; requests meanwhile are 503 without any fetch.
#[tokio::test(start_paused = true)]
async fn f06_retry_after_is_a_lower_bound_on_the_next_fetch_capped_at_five_minutes() {
    let signer = AvaplaceSigner::new(ISSUER).unwrap();
    for (status, header, wait) in [
        (StatusCode::SERVICE_UNAVAILABLE, "120", 120),
        (StatusCode::TOO_MANY_REQUESTS, "86400", 300),
    ] {
        let net = TableFetch::new();
        signer.serve(&net);
        net.set(signer.jwks_uri(), retry_after(status, header));
        let svc = service(&net);
        assert_eq!(send(&svc, &signer, 0).await.1, Some(Reason::KeyUnavailable));
        assert_eq!(net.take_calls().len(), 2, "discovery and JWKS");
        // Past the cooldown (30 s) and the negative TTL (60 s), but not past Retry-After.
        let mut elapsed = 0;
        let mut n = 1;
        while elapsed + 15 < wait {
            tokio::time::advance(Duration::from_secs(15)).await;
            elapsed += 15;
            assert_eq!(
                send(&svc, &signer, n).await.1,
                Some(Reason::KeyUnavailable),
                "{header}: at {elapsed} s"
            );
            assert!(
                net.take_calls().is_empty(),
                "{header}: fetched again after {elapsed} s"
            );
            n += 1;
        }
        // Once Retry-After (capped) has passed, the next request fetches and succeeds.
        tokio::time::advance(Duration::from_secs(wait - elapsed)).await;
        signer.serve(&net);
        assert_eq!(send(&svc, &signer, n).await.0, 200, "{header}");
        assert_eq!(net.take_calls(), vec![format!("GET {}", signer.jwks_uri())]);
    }
}

/// A wall clock the test can step, like NTP does.
#[derive(Clone)]
struct SteppedClock(std::sync::Arc<std::sync::atomic::AtomicI64>);

impl webhook_core::Clock for SteppedClock {
    fn now(&self) -> std::time::SystemTime {
        let secs = self.0.load(std::sync::atomic::Ordering::SeqCst);
        std::time::UNIX_EPOCH + Duration::from_secs(secs.try_into().unwrap())
    }
}

/// F20 (and T19 for the key cache): stepping the wall clock by hours neither expires nor
/// revives cached keys; only monotonic time ages them.
#[tokio::test(start_paused = true)]
async fn f20_wall_clock_steps_do_not_age_the_key_cache() {
    let net = TableFetch::new();
    let signer = AvaplaceSigner::new(ISSUER).unwrap();
    signer.serve(&net);
    let wall = SteppedClock(std::sync::Arc::new(NOW.into()));
    let layer = AvaplaceLayer::new(ISSUER, CODE)
        .unwrap()
        .fetcher(net.clone())
        .clock(wall.clone());
    let svc = ServiceBuilder::new()
        .layer(layer)
        .service_fn(|_req: Request<VerifiedBody>| async {
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
        });
    let send_at = |now: i64, n: u32| {
        let svc = svc.clone();
        let request = signer
            .request(&uri(n), &signer.claims(now - 60), CODE, "{}")
            .unwrap();
        async move { svc.oneshot(request.map(Full::new)).await.unwrap().status() }
    };
    assert_eq!(send_at(NOW, 0).await, 200);
    assert_eq!(net.take_calls().len(), 2, "discovery and JWKS");
    // NTP steps: +1 h, then -2 h (both far beyond the 10 min max age).
    for (step, n) in [(3600, 1), (-7200, 2), (3600, 3)] {
        let now = wall.0.fetch_add(step, std::sync::atomic::Ordering::SeqCst) + step;
        assert_eq!(send_at(now, n).await, 200, "after a {step} s step");
        assert!(net.take_calls().is_empty(), "a {step} s step refetched");
    }
    // Monotonic time past the max age does refetch, whatever the wall clock says.
    tokio::time::advance(Duration::from_secs(601)).await;
    assert_eq!(send_at(NOW, 4).await, 200);
    let calls = net.take_calls();
    assert!(
        calls.contains(&format!("GET {}", signer.jwks_uri())),
        "{calls:?}"
    );
}
