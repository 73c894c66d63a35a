//! The full ricloud stack through `oneshot`, with a counting inner service.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use tower::{ServiceBuilder, ServiceExt};
use webhook_core::{FixedClock, Outcome, Reason, Rejection, VerifiedBody};
use webhook_ricloud::{RicloudEvent, RicloudLayer, RicloudSigner};

const OLD: &str = "ricloud-test-secret-0f3a9c27b1d84e65";
const NEW: &str = "ricloud-new-secret-77d1a0c4e9b2f613";
const T: u64 = 1_767_225_600;
const BODY: &str =
    r#"{"id":"ev-1","resource":"event","type":"task","action":"failed","retries":2}"#;

struct Run {
    status: u16,
    reason: Option<Reason>,
    outcome: Option<Outcome>,
    event: Option<RicloudEvent>,
}

async fn run_all(
    layer: RicloudLayer,
    now: u64,
    requests: Vec<Request<Bytes>>,
) -> (Vec<Run>, usize) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let service = ServiceBuilder::new()
        .layer(layer.clock(FixedClock::at_unix(now)))
        .service_fn(move |req: Request<VerifiedBody>| {
            counter.fetch_add(1, Ordering::SeqCst);
            let event = req.extensions().get::<RicloudEvent>().cloned();
            async move {
                let mut response = Response::new(Full::new(Bytes::new()));
                response.extensions_mut().insert(event);
                Ok::<_, Infallible>(response)
            }
        });
    let mut runs = Vec::new();
    for request in requests {
        let response = service
            .clone()
            .oneshot(request.map(Full::new))
            .await
            .unwrap();
        runs.push(Run {
            status: response.status().as_u16(),
            reason: response
                .extensions()
                .get::<Rejection>()
                .map(Rejection::reason),
            outcome: response.extensions().get::<Outcome>().copied(),
            event: response
                .extensions()
                .get::<Option<RicloudEvent>>()
                .cloned()
                .flatten(),
        });
    }
    (runs, calls.load(Ordering::SeqCst))
}

fn signed(secret: &str, t: u64, body: &'static str) -> Request<Bytes> {
    RicloudSigner::new(secret)
        .request("/webhooks/ev-1", t, body)
        .unwrap()
}

#[tokio::test]
async fn h48_rotation_reports_the_matching_secret_and_refuses_a_removed_one() {
    let layer = RicloudLayer::new(NEW).unwrap().secret(OLD).unwrap();
    let (runs, calls) = run_all(layer, T, vec![signed(OLD, T, BODY)]).await;
    assert_eq!((runs[0].status, calls), (200, 1));
    let event = runs[0].event.clone().unwrap();
    assert_eq!(
        (
            event.matched_key,
            event.id.as_str(),
            event.slug().as_deref()
        ),
        (1, "ev-1", Some("task.failed"))
    );
    assert_eq!(event.json::<serde_json::Value>().unwrap()["retries"], 2);

    let (runs, calls) = run_all(
        RicloudLayer::new(NEW).unwrap(),
        T,
        vec![signed(OLD, T, BODY)],
    )
    .await;
    assert_eq!(
        (runs[0].status, runs[0].reason, calls),
        (401, Some(Reason::SignatureMismatch), 0)
    );
}

#[tokio::test]
async fn h28_window_is_two_sided_and_inclusive() {
    for (now, status) in [
        (T + 600, 200),
        (T - 600, 200),
        (T + 601, 401),
        (T - 601, 401),
    ] {
        let (runs, _) = run_all(
            RicloudLayer::new(OLD).unwrap(),
            now,
            vec![signed(OLD, T, BODY)],
        )
        .await;
        assert_eq!(
            runs[0].status,
            status,
            "now = t {:+}",
            now as i64 - T as i64
        );
    }
    let (runs, _) = run_all(
        RicloudLayer::new(OLD)
            .unwrap()
            .tolerance(std::time::Duration::from_secs(10)),
        T + 11,
        vec![signed(OLD, T, BODY)],
    )
    .await;
    assert_eq!(runs[0].reason, Some(Reason::TimestampOutOfTolerance));
}

#[tokio::test]
async fn h39_h41_replay_of_the_signed_id_is_a_duplicate_even_with_a_new_timestamp() {
    let requests = vec![signed(OLD, T, BODY), signed(OLD, T + 5, BODY)];
    let (runs, calls) = run_all(RicloudLayer::new(OLD).unwrap(), T, requests).await;
    assert_eq!(calls, 1);
    assert_eq!(
        (runs[1].status, runs[1].outcome),
        (200, Some(Outcome::Duplicate))
    );
}

#[tokio::test]
async fn h34_signed_body_without_an_id_is_malformed_body() {
    for body in ["[]", r#"{"type":"task"}"#, r#"{"id":""}"#, "\u{feff}{}"] {
        let request = RicloudSigner::new(OLD).request("/w", T, body).unwrap();
        let (runs, calls) = run_all(RicloudLayer::new(OLD).unwrap(), T, vec![request]).await;
        assert_eq!(
            (runs[0].status, runs[0].reason, calls),
            (400, Some(Reason::MalformedBody), 0),
            "{body}"
        );
    }
}

#[tokio::test]
async fn h17_repeated_signature_header_is_malformed() {
    let mut request = signed(OLD, T, BODY);
    let value = request.headers()["ricloud-signature"].clone();
    request.headers_mut().append("ricloud-signature", value);
    let (runs, calls) = run_all(RicloudLayer::new(OLD).unwrap(), T, vec![request]).await;
    assert_eq!(
        (runs[0].status, runs[0].reason, calls),
        (400, Some(Reason::MalformedHeader), 0)
    );
}

#[tokio::test]
async fn h44_body_one_byte_over_the_limit_is_413() {
    let limit = BODY.len();
    let (runs, _) = run_all(
        RicloudLayer::new(OLD).unwrap().body_limit(limit),
        T,
        vec![signed(OLD, T, BODY)],
    )
    .await;
    assert_eq!(runs[0].status, 200);
    let (runs, calls) = run_all(
        RicloudLayer::new(OLD).unwrap().body_limit(limit - 1),
        T,
        vec![signed(OLD, T, BODY)],
    )
    .await;
    assert_eq!(
        (runs[0].status, runs[0].reason, calls),
        (413, Some(Reason::BodyTooLarge), 0)
    );
}

#[test]
fn h49_secret_with_trailing_newline_is_a_config_error() {
    assert!(RicloudLayer::new("secret\n").is_err());
    assert!(RicloudLayer::new("").is_err());
}
