//! The SNS layer with the test signer: round trip, confirmations and certificate faults
//! (SECURITY.md §3.4, §3.8 F21–F23).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // test code

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use tower::util::BoxCloneService;
use tower::{ServiceBuilder, ServiceExt};
use webhook_core::{
    FixedClock, Outcome, Reason, Rejection, TableFetch, TableResponse, VerifiedBody,
};
use webhook_sns::{MessageType, SnsEvent, SnsLayer, SnsSigner};

const TOPIC: &str = "arn:aws:sns:us-east-2:123456789012:Invoices";
const NOW: u64 = 1_796_083_260; // 2026-12-01T00:01:00Z, inside the test certificate's validity
const STAMP: &str = "2026-12-01T00:00:00.000Z";

type Svc =
    BoxCloneService<Request<Full<Bytes>>, (u16, Option<Reason>, Option<Outcome>), Infallible>;

fn service(
    layer: SnsLayer,
    net: &TableFetch,
    calls: Arc<AtomicUsize>,
    kinds: Arc<std::sync::Mutex<Vec<MessageType>>>,
) -> Svc {
    let layer = layer
        .fetcher(net.clone())
        .clock(FixedClock::at_unix(NOW - 60));
    let svc = ServiceBuilder::new()
        .layer(layer)
        .service_fn(move |req: Request<VerifiedBody>| {
            calls.fetch_add(1, Ordering::SeqCst);
            kinds
                .lock()
                .unwrap()
                .push(req.extensions().get::<SnsEvent>().unwrap().kind);
            async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::new()))) }
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

fn request(kind: &str, body: String) -> Request<Full<Bytes>> {
    Request::post("/sns")
        .header("x-amz-sns-message-type", kind)
        .body(Full::new(Bytes::from(body)))
        .unwrap()
}

struct Setup {
    signer: SnsSigner,
    net: TableFetch,
    calls: Arc<AtomicUsize>,
    kinds: Arc<std::sync::Mutex<Vec<MessageType>>>,
}

fn setup() -> Setup {
    let signer = SnsSigner::new("us-east-2").unwrap();
    let net = TableFetch::new();
    signer.serve(&net);
    Setup {
        signer,
        net,
        calls: Arc::default(),
        kinds: Arc::default(),
    }
}

impl Setup {
    fn svc(&self, layer: SnsLayer) -> Svc {
        service(layer, &self.net, self.calls.clone(), self.kinds.clone())
    }
}

#[tokio::test]
async fn s01_signed_notification_round_trips_and_the_certificate_is_fetched_once() {
    let s = setup();
    let svc = s.svc(SnsLayer::new(&[TOPIC]).unwrap());
    for n in 0..3 {
        let body = s
            .signer
            .notification(TOPIC, &format!("m-{n}"), Some("Invoice"), "paid", STAMP);
        assert_eq!(
            svc.clone()
                .oneshot(request("Notification", body))
                .await
                .unwrap()
                .0,
            200
        );
    }
    assert_eq!(s.calls.load(Ordering::SeqCst), 3);
    assert_eq!(
        s.net.take_calls(),
        vec![format!("GET {}", s.signer.cert_url())]
    );
}

#[tokio::test]
async fn s41_s45_auto_confirm_visits_the_signed_subscribe_url_once_then_tells_the_handler() {
    let s = setup();
    let url = s.signer.subscribe_url(TOPIC, "tok-123");
    s.net.set(
        url.clone(),
        TableResponse::ok("<ConfirmSubscriptionResponse/>"),
    );
    let svc = s.svc(SnsLayer::new(&[TOPIC]).unwrap().auto_confirm(true));
    let body = s.signer.confirmation(TOPIC, "c-1", "tok-123", STAMP, false);
    let first = svc
        .clone()
        .oneshot(request("SubscriptionConfirmation", body.clone()))
        .await
        .unwrap();
    assert_eq!(first, (200, None, Some(Outcome::Delivered)));
    assert!(s.net.take_calls().contains(&format!("GET {url}")));
    assert_eq!(s.calls.load(Ordering::SeqCst), 1);
    // SNS redelivers the same confirmation: acknowledged, not confirmed again.
    let again = svc
        .oneshot(request("SubscriptionConfirmation", body))
        .await
        .unwrap();
    assert_eq!(again, (200, None, Some(Outcome::Duplicate)));
    assert!(s.net.take_calls().is_empty());
}

#[tokio::test]
async fn s46_failed_confirmation_answers_503_so_sns_resends() {
    let s = setup();
    let svc = s.svc(SnsLayer::new(&[TOPIC]).unwrap().auto_confirm(true));
    let body = s.signer.confirmation(TOPIC, "c-1", "tok-123", STAMP, false);
    assert_eq!(
        svc.oneshot(request("SubscriptionConfirmation", body))
            .await
            .unwrap()
            .1,
        Some(Reason::KeyUnavailable)
    );
}

#[tokio::test]
async fn s47_without_auto_confirm_the_confirmation_and_unsubscribe_reach_the_handler_unvisited() {
    let s = setup();
    let svc = s.svc(SnsLayer::new(&[TOPIC]).unwrap());
    let body = s.signer.confirmation(TOPIC, "c-1", "tok-1", STAMP, false);
    assert_eq!(
        svc.clone()
            .oneshot(request("SubscriptionConfirmation", body))
            .await
            .unwrap()
            .0,
        200
    );
    let auto = s.svc(SnsLayer::new(&[TOPIC]).unwrap().auto_confirm(true));
    let body = s.signer.confirmation(TOPIC, "u-1", "tok-2", STAMP, true);
    assert_eq!(
        auto.oneshot(request("UnsubscribeConfirmation", body))
            .await
            .unwrap()
            .0,
        200
    );
    assert_eq!(
        *s.kinds.lock().unwrap(),
        vec![
            MessageType::SubscriptionConfirmation,
            MessageType::UnsubscribeConfirmation
        ]
    );
    assert!(
        s.net.take_calls().iter().all(|c| c.ends_with(".pem")),
        "no SubscribeURL visited"
    );
}

#[tokio::test]
async fn s37_f21_cert_404_is_503_and_negatively_cached() {
    let s = setup();
    s.net.set(
        s.signer.cert_url(),
        TableResponse::status(StatusCode::NOT_FOUND, ""),
    );
    let svc = s.svc(SnsLayer::new(&[TOPIC]).unwrap());
    for n in 0..5 {
        let body = s
            .signer
            .notification(TOPIC, &format!("m-{n}"), None, "x", STAMP);
        assert_eq!(
            svc.clone()
                .oneshot(request("Notification", body))
                .await
                .unwrap()
                .1,
            Some(Reason::KeyUnavailable)
        );
    }
    assert_eq!(s.net.take_calls().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn s37_s38_slow_huge_redirect_or_foreign_certificates_are_refused() {
    let mut slow = TableResponse::ok(SnsSigner::new("us-east-2").unwrap().cert_pem());
    slow.delay = Duration::from_secs(60);
    let other_name = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    let cases = [
        (slow, Reason::KeyUnavailable),
        (
            TableResponse::ok("x".repeat(64 * 1024)),
            Reason::KeyUnavailable,
        ),
        (
            TableResponse::status(StatusCode::FOUND, ""),
            Reason::KeyUnavailable,
        ),
        (TableResponse::ok(other_name), Reason::UntrustedKeyUrl),
    ];
    for (answer, reason) in cases {
        let s = setup();
        s.net.set(s.signer.cert_url(), answer);
        let svc = s.svc(SnsLayer::new(&[TOPIC]).unwrap());
        let body = s.signer.notification(TOPIC, "m", None, "x", STAMP);
        assert_eq!(
            svc.oneshot(request("Notification", body)).await.unwrap().1,
            Some(reason)
        );
    }
}

#[tokio::test]
async fn s_certificate_for_another_region_name_is_untrusted() {
    // me-south-1 signs with sns-signing.me-south-1.amazonaws.com; the test certificate is
    // CN=sns.amazonaws.com.
    let signer = SnsSigner::new("me-south-1").unwrap();
    let net = TableFetch::new();
    signer.serve(&net);
    let topic = "arn:aws:sns:me-south-1:123456789012:T";
    let svc = service(
        SnsLayer::new(&[topic]).unwrap(),
        &net,
        Arc::default(),
        Arc::default(),
    );
    let body = signer.notification(topic, "m", None, "x", STAMP);
    assert_eq!(
        svc.oneshot(request("Notification", body)).await.unwrap().1,
        Some(Reason::UntrustedKeyUrl)
    );
}

#[tokio::test]
async fn s21_mutated_messages_never_panic_and_never_reach_the_handler() {
    let s = setup();
    let svc = s.svc(SnsLayer::new(&[TOPIC]).unwrap());
    let body = s
        .signer
        .notification(TOPIC, "m-1", Some("S"), "paid", STAMP)
        .into_bytes();
    // UnsubscribeURL is not signed (and documented so); every byte before it is covered.
    let unsigned_from = String::from_utf8_lossy(&body)
        .find("\"UnsubscribeURL\"")
        .unwrap();
    for i in (0..unsigned_from).step_by(3) {
        let mut flipped = body.clone();
        flipped[i] ^= 0x20;
        let request = Request::post("/sns")
            .header("x-amz-sns-message-type", "Notification")
            .body(Full::new(Bytes::from(flipped)))
            .unwrap();
        let (status, reason, _) = svc.clone().oneshot(request).await.unwrap();
        assert!(reason.is_some() || status == 200, "status {status}");
    }
    // Flipping a letter's case in a JSON value or key either breaks the JSON, the signature or
    // a key name; none of those may be delivered.
    assert_eq!(s.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn s13_newline_in_a_one_line_field_is_malformed_and_s48_unsigned_extras_are_not_exposed() {
    let s = setup();
    let svc = s.svc(SnsLayer::new(&[TOPIC]).unwrap());
    let body = s
        .signer
        .notification(TOPIC, "m\nTimestamp", None, "x", STAMP);
    assert_eq!(
        svc.clone()
            .oneshot(request("Notification", body))
            .await
            .unwrap()
            .1,
        Some(Reason::MalformedBody)
    );

    let body = s.signer.notification(TOPIC, "m-extra", None, "x", STAMP);
    let mut json: serde_json::Value = serde_json::from_str(&body).unwrap();
    json["Token"] = "attacker".into();
    json["SubscribeURL"] = "https://evil.example/".into();
    let seen = Arc::new(std::sync::Mutex::new(None));
    let recorder = seen.clone();
    let layer = SnsLayer::new(&[TOPIC])
        .unwrap()
        .fetcher(s.net.clone())
        .clock(FixedClock::at_unix(NOW - 60));
    let direct =
        ServiceBuilder::new()
            .layer(layer)
            .service_fn(move |req: Request<VerifiedBody>| {
                *recorder.lock().unwrap() = req.extensions().get::<SnsEvent>().cloned();
                async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::new()))) }
            });
    let response = direct
        .oneshot(request("Notification", json.to_string()))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let event = seen.lock().unwrap().clone().unwrap();
    assert_eq!((event.token, event.subscribe_url), (None, None));
}

#[tokio::test]
async fn s50_flood_of_distinct_well_formed_pem_names_costs_at_most_a_few_fetches() {
    let s = setup();
    let svc = s.svc(SnsLayer::new(&[TOPIC]).unwrap());
    let genuine = s.signer.notification(TOPIC, "m-0", None, "x", STAMP);
    assert_eq!(
        svc.clone()
            .oneshot(request("Notification", genuine))
            .await
            .unwrap()
            .0,
        200
    );
    for n in 0..100 {
        let body = s
            .signer
            .notification(TOPIC, &format!("m-{n}"), None, "x", STAMP);
        let mut json: serde_json::Value = serde_json::from_str(&body).unwrap();
        json["SigningCertURL"] =
            format!("https://sns.us-east-2.amazonaws.com/SimpleNotificationService-{n:032x}.pem")
                .into();
        let (status, _, _) = svc
            .clone()
            .oneshot(request("Notification", json.to_string()))
            .await
            .unwrap();
        assert_eq!(status, 503);
    }
    assert!(
        s.net.take_calls().len() <= 4,
        "the genuine URL plus at most 3 unknown ones this minute"
    );
    // The known URL keeps working during the flood.
    let genuine = s.signer.notification(TOPIC, "m-after", None, "x", STAMP);
    assert_eq!(
        svc.oneshot(request("Notification", genuine))
            .await
            .unwrap()
            .0,
        200
    );
}
