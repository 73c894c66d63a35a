//! SECURITY.md §3.4 rows (SNS) through the real layer, with the test signer's certificate served
//! in-process and a fixed clock; test names carry the row ids (`cargo xtask catalogue`).
//! Messages with edited fields are re-signed with the bundled test key, so each refusal is the
//! rule under test and not a bad signature.
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

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::{Method, Request, Response};
use http_body_util::Full;
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use serde_json::{Map, Value, json};
use tower::{ServiceBuilder, ServiceExt};
use webhook_core::{FixedClock, Reason, Rejection, TableFetch, TableResponse, VerifiedBody};
use webhook_sns::{SnsLayer, SnsSigner};

const TOPIC: &str = "arn:aws:sns:us-east-2:123456789012:Invoices";
const NOW: u64 = 1_796_083_200; // 2026-12-01T00:00:00Z
const STAMP: &str = "2026-12-01T00:00:00.000Z";
const KEY_DER: &[u8] = include_bytes!("../src/testdata/test-key.rsa.der");
const NOTIFICATION_KEYS: &[&str] = &[
    "Message",
    "MessageId",
    "Subject",
    "Timestamp",
    "TopicArn",
    "Type",
];
const CONFIRMATION_KEYS: &[&str] = &[
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
];

/// Status, reason, inner calls and the URLs fetched.
type Seen = (u16, Option<Reason>, usize, Vec<String>);

struct World {
    signer: SnsSigner,
    net: TableFetch,
}

fn world() -> World {
    let signer = SnsSigner::new("us-east-2").unwrap();
    let net = TableFetch::new();
    signer.serve(&net);
    World { signer, net }
}

impl World {
    async fn send_with(&self, layer: SnsLayer, now: u64, request: Request<Bytes>) -> Seen {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let service = ServiceBuilder::new()
            .layer(
                layer
                    .fetcher(self.net.clone())
                    .clock(FixedClock::at_unix(now)),
            )
            .service_fn(move |_req: Request<VerifiedBody>| {
                counter.fetch_add(1, Ordering::SeqCst);
                async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::new()))) }
            });
        let response = service.oneshot(request.map(Full::new)).await.unwrap();
        (
            response.status().as_u16(),
            response
                .extensions()
                .get::<Rejection>()
                .map(Rejection::reason),
            calls.load(Ordering::SeqCst),
            self.net.take_calls(),
        )
    }

    async fn send(&self, request: Request<Bytes>) -> Seen {
        self.send_with(SnsLayer::new(&[TOPIC]).unwrap(), NOW, request)
            .await
    }

    fn notification(&self) -> Map<String, Value> {
        fields(
            &self
                .signer
                .notification(TOPIC, "m-1", Some("Invoice"), "paid", STAMP),
        )
    }
}

fn fields(body: &str) -> Map<String, Value> {
    serde_json::from_str(body).unwrap()
}

/// Re-signs `fields` (SignatureVersion 2) over `keys`, as SNS would.
fn resign(mut fields: Map<String, Value>, keys: &[&str]) -> Map<String, Value> {
    let mut string_to_sign = Vec::new();
    for key in keys {
        if let Some(value) = fields.get(*key).and_then(Value::as_str) {
            string_to_sign.extend_from_slice(format!("{key}\n{value}\n").as_bytes());
        }
    }
    let pair = RsaKeyPair::from_der(KEY_DER).unwrap();
    let mut signature = vec![0; pair.public().modulus_len()];
    pair.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        &string_to_sign,
        &mut signature,
    )
    .unwrap();
    fields.insert("Signature".into(), json!(STANDARD.encode(&signature)));
    fields
}

fn post_raw(kind: &str, body: impl Into<Bytes>) -> Request<Bytes> {
    Request::post("/sns")
        .header("x-amz-sns-message-type", kind)
        .body(body.into())
        .unwrap()
}

fn post(fields: &Map<String, Value>) -> Request<Bytes> {
    let kind = fields
        .get("Type")
        .and_then(Value::as_str)
        .unwrap_or("Notification");
    post_raw(kind, Value::Object(fields.clone()).to_string())
}

fn assert_refused(seen: &Seen, status: u16, reason: Reason, what: &str) {
    assert_eq!(
        (seen.0, seen.1, seen.2),
        (status, Some(reason), 0),
        "{what}"
    );
}

fn assert_no_fetch(seen: &Seen, what: &str) {
    assert!(seen.3.is_empty(), "{what}: fetched {:?}", seen.3);
}

#[tokio::test]
async fn s02_signature_version_2_notification_is_accepted() {
    let w = world();
    let fields = w.notification();
    assert_eq!(fields["SignatureVersion"], "2");
    let seen = w.send(post(&fields)).await;
    assert_eq!((seen.0, seen.2), (200, 1));
}

#[tokio::test]
async fn s03_get_and_head_are_405() {
    let w = world();
    for method in [Method::GET, Method::HEAD] {
        let mut request = post(&w.notification());
        *request.method_mut() = method.clone();
        let seen = w.send(request).await;
        assert_refused(&seen, 405, Reason::MethodNotAllowed, method.as_str());
    }
}

#[tokio::test]
async fn s04_s05_bodies_that_are_not_json_objects_are_malformed_body() {
    let w = world();
    for body in ["not json", "[1,2]", "\"Notification\"", "42", ""] {
        let seen = w.send(post_raw("Notification", body)).await;
        assert_refused(&seen, 400, Reason::MalformedBody, body);
        assert_no_fetch(&seen, body);
    }
}

#[tokio::test]
async fn s06_each_missing_required_field_is_malformed_body_without_a_fetch() {
    let w = world();
    for key in [
        "Type",
        "MessageId",
        "Timestamp",
        "TopicArn",
        "Signature",
        "SignatureVersion",
        "SigningCertURL",
        "Message",
    ] {
        let mut fields = w.notification();
        fields.remove(key);
        let seen = w.send(post(&fields)).await;
        assert_refused(&seen, 400, Reason::MalformedBody, key);
        assert_no_fetch(&seen, key);
    }
}

#[tokio::test]
async fn s07_s08_wrong_json_types_or_unknown_type_are_malformed_body() {
    let w = world();
    for (key, value) in [
        ("Message", json!({"a": 1})),
        ("Timestamp", json!(1_796_083_200)),
        ("MessageId", json!(7)),
        ("Type", json!("Foo")),
    ] {
        let mut fields = w.notification();
        fields.insert(key.into(), value.clone());
        let seen = w
            .send(post_raw("Notification", Value::Object(fields).to_string()))
            .await;
        assert_refused(&seen, 400, Reason::MalformedBody, &format!("{key}={value}"));
    }
}

#[tokio::test]
async fn s09_message_type_header_missing_or_different_is_malformed() {
    let w = world();
    let body = Value::Object(w.notification()).to_string();
    let missing = Request::post("/sns")
        .body(Bytes::from(body.clone()))
        .unwrap();
    let seen = w.send(missing).await;
    assert_eq!((seen.0, seen.2), (400, 0));
    let seen = w.send(post_raw("SubscriptionConfirmation", body)).await;
    assert_refused(&seen, 400, Reason::MalformedBody, "differs");
}

#[tokio::test]
async fn s11_s42_topics_outside_the_allowlist_are_claim_mismatch_without_a_fetch() {
    let w = world();
    let other = "arn:aws:sns:us-east-2:123456789012:Other";
    let body = w.signer.notification(other, "m-1", None, "x", STAMP);
    let seen = w.send(post(&fields(&body))).await;
    assert_refused(&seen, 401, Reason::ClaimMismatch, "notification");
    assert_no_fetch(&seen, "notification");
    let confirmation = w.signer.confirmation(other, "c-1", "tok", STAMP, false);
    let seen = w
        .send_with(
            SnsLayer::new(&[TOPIC]).unwrap().auto_confirm(true),
            NOW,
            post(&fields(&confirmation)),
        )
        .await;
    assert_refused(&seen, 401, Reason::ClaimMismatch, "confirmation");
    assert_no_fetch(&seen, "confirmation");
}

#[tokio::test]
async fn s12_topic_arn_with_a_newline_is_malformed_body() {
    let w = world();
    let mut fields = w.notification();
    fields.insert("TopicArn".into(), json!(format!("{TOPIC}\nx")));
    let seen = w.send(post(&resign(fields, NOTIFICATION_KEYS))).await;
    assert_refused(&seen, 400, Reason::MalformedBody, "newline");
    assert!(
        SnsLayer::new(&["arn:aws:sns:nowhere"]).is_err(),
        "outside the ARN grammar"
    );
}

#[tokio::test]
async fn s14_timestamps_not_in_the_sns_format_are_malformed_body() {
    let w = world();
    for stamp in [
        "yesterday",
        "2026-12-01 00:00:00Z",
        "1796083200",
        "2026-12-01T00:00:00+01:00",
    ] {
        let mut fields = w.notification();
        fields.insert("Timestamp".into(), json!(stamp));
        let seen = w.send(post(&resign(fields, NOTIFICATION_KEYS))).await;
        assert_refused(&seen, 400, Reason::MalformedBody, stamp);
    }
}

#[tokio::test]
async fn s15_s16_stale_or_future_timestamps_are_out_of_tolerance_without_a_fetch() {
    let w = world();
    for stamp in ["2026-11-30T22:59:59.000Z", "2026-12-01T00:10:00.000Z"] {
        let mut fields = w.notification();
        fields.insert("Timestamp".into(), json!(stamp));
        let seen = w.send(post(&resign(fields, NOTIFICATION_KEYS))).await;
        assert_refused(&seen, 401, Reason::TimestampOutOfTolerance, stamp);
        assert_no_fetch(&seen, stamp);
    }
}

#[tokio::test]
async fn s17_s18_signature_versions() {
    let w = world();
    for version in [json!("3"), json!(""), json!(2)] {
        let mut fields = w.notification();
        fields.insert("SignatureVersion".into(), version.clone());
        let seen = w.send(post(&fields)).await;
        assert_refused(&seen, 400, Reason::MalformedBody, &version.to_string());
        assert_no_fetch(&seen, "version");
    }
    let mut v1 = w.notification();
    v1.insert("SignatureVersion".into(), json!("1"));
    let strict = SnsLayer::new(&[TOPIC])
        .unwrap()
        .require_signature_version_2(true);
    let seen = w.send_with(strict, NOW, post(&v1)).await;
    assert_refused(&seen, 401, Reason::SignatureMismatch, "v1 refused");
    assert_no_fetch(&seen, "v1 refused");
}

#[tokio::test]
async fn s19_s20_s21_bad_or_borrowed_signatures_never_reach_the_handler() {
    let w = world();
    let other = fields(&w.signer.notification(TOPIC, "m-2", None, "other", STAMP));
    let short = STANDARD.encode([7u8; 128]);
    for signature in [
        json!("%%%not base64%%%"),
        json!(short),
        other["Signature"].clone(),
    ] {
        let mut fields = w.notification();
        fields.insert("Signature".into(), signature.clone());
        let seen = w.send(post(&fields)).await;
        assert!(
            matches!(seen.0, 400 | 401) && seen.2 == 0,
            "{signature}: {seen:?}"
        );
    }
    let mut tampered = w.notification();
    tampered.insert("Message".into(), json!("refunded"));
    let seen = w.send(post(&tampered)).await;
    assert_refused(&seen, 401, Reason::SignatureMismatch, "tampered");
}

#[tokio::test]
async fn s22_subject_removed_added_null_or_empty() {
    let w = world();
    let mut removed = w.notification();
    removed.remove("Subject");
    assert_eq!(w.send(post(&removed)).await.0, 401, "removed");
    let without = fields(&w.signer.notification(TOPIC, "m-3", None, "x", STAMP));
    let mut added = without.clone();
    added.insert("Subject".into(), json!("added"));
    assert_eq!(w.send(post(&added)).await.0, 401, "added");
    let mut null = without;
    null.insert("Subject".into(), Value::Null);
    assert_eq!(w.send(post(&null)).await.0, 200, "null is absent");
    let empty = fields(&w.signer.notification(TOPIC, "m-4", Some(""), "x", STAMP));
    assert_eq!(w.send(post(&empty)).await.0, 200, "empty is present");
}

#[tokio::test]
async fn s23_unsigned_extra_fields_are_ignored() {
    let w = world();
    let mut fields = w.notification();
    fields.insert(
        "MessageAttributes".into(),
        json!({"a": {"Type": "String", "Value": "1"}}),
    );
    fields.insert("Foo".into(), json!("bar"));
    assert_eq!(w.send(post(&fields)).await.0, 200);
}

#[tokio::test]
async fn s24_duplicate_message_key_is_malformed_body() {
    let w = world();
    let body = Value::Object(w.notification()).to_string();
    let twice = body.replacen("{", "{\"Message\":\"attacker\",", 1);
    let seen = w.send(post_raw("Notification", twice)).await;
    assert_refused(&seen, 400, Reason::MalformedBody, "duplicate");
}

/// S30/S32 policy pinned: the host is compared exactly, so an upper-case host or an explicit
/// `:443` is refused too (stricter than the row's "accept after normalisation").
#[tokio::test]
async fn s25_s26_s27_s28_s29_s30_s31_s32_s33_s34_s35_untrusted_certificate_urls_are_refused_unfetched()
 {
    let w = world();
    let name = "SimpleNotificationService-0123456789abcdef0123456789abcdef.pem";
    for url in [
        format!("http://sns.us-east-2.amazonaws.com/{name}"),
        format!("https://s3.amazonaws.com/bucket/{name}"),
        format!("https://bucket.s3.amazonaws.com/{name}"),
        format!("https://sns.us-east-2.amazonaws.com.evil.example/{name}"),
        format!("https://evil.example/sns.us-east-2.amazonaws.com/{name}"),
        format!("https://sns.us-east-2.amazonaws.com@evil.example/{name}"),
        format!("https://evil.example\\@sns.us-east-2.amazonaws.com/{name}"),
        format!("https://sns%2eus-east-2.amazonaws.com/{name}"),
        format!("https://SNS.US-EAST-2.AMAZONAWS.COM/{name}"),
        format!("https://sns.us-east-2.xn--amazonaws-9db.com/{name}"),
        format!("https://sns.us-east-2.amazonaws.com:443/{name}"),
        format!("https://sns.us-east-2.amazonaws.com:8443/{name}"),
        "https://sns.us-east-2.amazonaws.com/?Action=Unsubscribe&x=.pem".to_owned(),
        format!("https://sns.us-east-2.amazonaws.com/{name}#frag"),
        "https://sns.us-east-2.amazonaws.com/foo.pem".to_owned(),
        "https://sns.us-east-2.amazonaws.com/../x.pem".to_owned(),
        format!("https://sns.us-east-2.amazonaws.com/%2F{name}"),
        format!("https://sns.eu-west-1.amazonaws.com/{name}"),
    ] {
        let mut fields = w.notification();
        fields.insert("SigningCertURL".into(), json!(url));
        let seen = w.send(post(&fields)).await;
        assert_refused(&seen, 401, Reason::UntrustedKeyUrl, &url);
        assert_no_fetch(&seen, &url);
    }
}

#[tokio::test]
async fn s36_mixed_partitions_are_refused_without_a_fetch() {
    let w = world();
    let name = "SimpleNotificationService-0123456789abcdef0123456789abcdef.pem";
    let mut fields = w.notification();
    fields.insert(
        "SigningCertURL".into(),
        json!(format!("https://sns.us-east-2.amazonaws.com.cn/{name}")),
    );
    // An `arn:aws:` topic with a China-partition host.
    let seen = w.send(post(&fields)).await;
    assert_refused(&seen, 401, Reason::UntrustedKeyUrl, "aws topic, .cn host");
    assert_no_fetch(&seen, "aws topic, .cn host");
}

#[tokio::test]
async fn s40_certificate_not_yet_valid_at_the_layer_clock_is_untrusted() {
    let w = world();
    // The test certificate's notBefore is 2026-11-28T19:47:22Z.
    let early = 1_795_219_200; // 2026-11-21T00:00:00Z
    let body = w
        .signer
        .notification(TOPIC, "m-5", None, "x", "2026-11-21T00:00:00.000Z");
    let seen = w
        .send_with(
            SnsLayer::new(&[TOPIC]).unwrap(),
            early,
            post(&fields(&body)),
        )
        .await;
    assert_refused(&seen, 401, Reason::UntrustedKeyUrl, "not yet valid");
}

/// SECURITY.md §5 item 1, second option: an empty allowlist accepts no topic, so
/// `auto_confirm` with no topics can never subscribe the endpoint to anything.
#[tokio::test]
async fn s43_auto_confirm_with_an_empty_allowlist_confirms_nothing() {
    let w = world();
    let body = w.signer.confirmation(TOPIC, "c-1", "tok", STAMP, false);
    let layer = SnsLayer::new(&[]).unwrap().auto_confirm(true);
    let seen = w.send_with(layer, NOW, post(&fields(&body))).await;
    assert_refused(&seen, 401, Reason::ClaimMismatch, "empty allowlist");
    assert_no_fetch(&seen, "empty allowlist");
}

#[tokio::test]
async fn s44_subscribe_url_not_matching_the_signed_topic_and_token_is_claim_mismatch_unfetched() {
    let w = world();
    let genuine = fields(&w.signer.confirmation(TOPIC, "c-9", "tok-9", STAMP, false));
    let topic = TOPIC.replace(':', "%3A");
    for url in [
        format!("https://evil.example/?Action=ConfirmSubscription&TopicArn={topic}&Token=tok-9"),
        format!("http://sns.us-east-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn={topic}&Token=tok-9"),
        format!("https://sns.us-east-2.amazonaws.com/?Action=Unsubscribe&TopicArn={topic}&Token=tok-9"),
        "https://sns.us-east-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn%3Aaws%3Asns%3Aus-east-2%3A123456789012%3AOther&Token=tok-9".to_owned(),
        format!("https://sns.us-east-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn={topic}&Token=other"),
    ] {
        w.net.set(url.clone(), TableResponse::ok("<ok/>"));
        let mut fields = genuine.clone();
        fields.insert("SubscribeURL".into(), json!(url));
        let fields = resign(fields, CONFIRMATION_KEYS);
        let layer = SnsLayer::new(&[TOPIC]).unwrap().auto_confirm(true);
        let seen = w.send_with(layer, NOW, post(&fields)).await;
        assert_refused(&seen, 401, Reason::ClaimMismatch, &url);
        assert!(!seen.3.iter().any(|c| c.contains(&url)), "{url} fetched");
    }
}

#[tokio::test]
async fn s49_lambda_spelling_signing_cert_url_is_malformed_body() {
    let w = world();
    let mut fields = w.notification();
    let url = fields.remove("SigningCertURL").unwrap();
    fields.insert("SigningCertUrl".into(), url);
    let seen = w.send(post(&fields)).await;
    assert_refused(&seen, 400, Reason::MalformedBody, "SigningCertUrl");
}

#[tokio::test]
async fn s10_topic_or_message_id_headers_contradicting_the_body_are_claim_mismatch() {
    let w = world();
    for (header, value) in [
        (
            "x-amz-sns-topic-arn",
            "arn:aws:sns:us-east-2:123456789012:Other",
        ),
        ("x-amz-sns-message-id", "not-m-1"),
    ] {
        let mut request = post(&w.notification());
        request.headers_mut().insert(header, value.parse().unwrap());
        let seen = w.send(request).await;
        assert_refused(&seen, 401, Reason::ClaimMismatch, header);
    }
    let mut agreeing = post(&w.notification());
    agreeing
        .headers_mut()
        .insert("x-amz-sns-topic-arn", TOPIC.parse().unwrap());
    agreeing
        .headers_mut()
        .insert("x-amz-sns-message-id", "m-1".parse().unwrap());
    assert_eq!(w.send(agreeing).await.0, 200);
}

#[tokio::test]
async fn f22_a_new_certificate_url_is_fetched_once_then_cached() {
    let w = world();
    let rotated =
        "https://sns.us-east-2.amazonaws.com/SimpleNotificationService-fedcba9876543210.pem";
    w.net.set(rotated, TableResponse::ok(w.signer.cert_pem()));
    let layer = SnsLayer::new(&[TOPIC]).unwrap();
    let mut fetched = Vec::new();
    for n in 0..3 {
        for url in [w.signer.cert_url(), rotated.to_owned()] {
            let mut fields = fields(&w.signer.notification(
                TOPIC,
                &format!("m-{n}-{}", url.len()),
                None,
                "x",
                STAMP,
            ));
            fields.insert("SigningCertURL".into(), json!(url));
            let seen = w.send_with(layer.clone(), NOW, post(&fields)).await;
            assert_eq!(seen.0, 200, "{url}");
            fetched.extend(seen.3);
        }
    }
    assert_eq!(
        fetched,
        vec![
            format!("GET {}", w.signer.cert_url()),
            format!("GET {rotated}")
        ],
        "each certificate URL fetched once"
    );
}

/// `tests/data/rsa1024-cert.pem`: self-signed, CN `sns.amazonaws.com`, valid 2026-11-29 to
/// 2126, an RSA-1024 key (made with `openssl req -x509 -newkey rsa:1024`).
#[tokio::test]
async fn s39_certificate_with_an_rsa_1024_key_is_untrusted() {
    let w = world();
    w.net.set(
        w.signer.cert_url(),
        TableResponse::ok(include_str!("data/rsa1024-cert.pem")),
    );
    let service = ServiceBuilder::new()
        .layer(
            SnsLayer::new(&[TOPIC])
                .unwrap()
                .fetcher(w.net.clone())
                .clock(FixedClock::at_unix(NOW)),
        )
        .service_fn(|_req: Request<VerifiedBody>| async {
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
        });
    let response = service
        .oneshot(post(&w.notification()).map(Full::new))
        .await
        .unwrap();
    let rejection = response.extensions().get::<Rejection>().unwrap();
    assert_eq!(
        (response.status().as_u16(), rejection.reason()),
        (401, Reason::UntrustedKeyUrl)
    );
    assert_eq!(rejection.detail(), Some("RSA key under 2048 bits"));
}

fn flood_url(n: usize) -> String {
    format!("https://sns.us-east-2.amazonaws.com/SimpleNotificationService-{n:032x}.pem")
}

fn notification_at(w: &World, id: &str, cert_url: &str) -> Request<Bytes> {
    let mut fields = fields(&w.signer.notification(TOPIC, id, None, "x", STAMP));
    fields.insert("SigningCertURL".into(), json!(cert_url));
    post(&fields)
}

/// F23: many distinct (well-formed, even genuinely served) certificate URLs. Unknown URLs are
/// fetched at most 4 per minute (a burst of 4, then one per 15 s) across the layer; the URL in
/// use stays known and cached (LRU), so genuine traffic keeps passing with no refetch; the
/// cache holds 16 certificates (the oldest flood URL is evicted and must be fetched again); and
/// concurrent requests naming one new URL share one fetch.
#[tokio::test(start_paused = true)]
async fn f23_many_distinct_certificate_urls_are_rate_capped_lru_bounded_and_single_flight() {
    let w = world();
    for n in 0..400 {
        w.net
            .set(flood_url(n), TableResponse::ok(w.signer.cert_pem()));
    }
    let layer = SnsLayer::new(&[TOPIC]).unwrap();
    let genuine = w.signer.cert_url();
    let seen = w
        .send_with(layer.clone(), NOW, notification_at(&w, "g-0", &genuine))
        .await;
    assert_eq!((seen.0, seen.3.len()), (200, 1));
    // Five minutes of 20 new URLs every 15 s, each step followed by genuine traffic.
    let mut flood_fetches = 0;
    let mut next = 0;
    for step in 0..20 {
        for _ in 0..20 {
            let seen = w
                .send_with(
                    layer.clone(),
                    NOW,
                    notification_at(&w, &format!("f-{next}"), &flood_url(next)),
                )
                .await;
            assert!(seen.0 == 200 || seen.1 == Some(Reason::KeyUnavailable));
            flood_fetches += seen.3.len();
            next += 1;
        }
        let seen = w
            .send_with(
                layer.clone(),
                NOW,
                notification_at(&w, &format!("g-{}", step + 1), &genuine),
            )
            .await;
        assert_eq!(seen.0, 200, "step {step}: the genuine URL was refused");
        assert!(seen.3.is_empty(), "step {step}: genuine refetched");
        tokio::time::advance(Duration::from_secs(15)).await;
    }
    // A burst of 4 at t = 0, then one per 15 s for the 19 later steps.
    assert!(
        flood_fetches <= 4 + 19,
        "{flood_fetches} flood certificates fetched"
    );
    assert!(flood_fetches > 16, "the flood must overflow the cache");
    // The first flood URL was fetched 5 minutes ago (within the 10 min max age) but has been
    // evicted by newer ones: it is fetched again.
    tokio::time::advance(Duration::from_secs(15)).await;
    let seen = w
        .send_with(
            layer.clone(),
            NOW,
            notification_at(&w, "f-again", &flood_url(0)),
        )
        .await;
    assert_eq!(seen.0, 200);
    assert_eq!(seen.3, vec![format!("GET {}", flood_url(0))], "LRU 16");

    // Single flight: 20 concurrent requests naming one new, slow URL make one fetch.
    tokio::time::advance(Duration::from_secs(60)).await;
    let slow_url = flood_url(399);
    let mut slow = TableResponse::ok(w.signer.cert_pem());
    slow.delay = Duration::from_millis(500);
    w.net.set(&slow_url, slow);
    let service = ServiceBuilder::new()
        .layer(layer.fetcher(w.net.clone()).clock(FixedClock::at_unix(NOW)))
        .service_fn(|_req: Request<VerifiedBody>| async {
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
        });
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..20 {
        let request = notification_at(&w, &format!("s-{n}"), &slow_url).map(Full::new);
        let service = service.clone();
        tasks.spawn(async move { service.oneshot(request).await.unwrap().status() });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    assert_eq!(w.net.take_calls(), vec![format!("GET {slow_url}")]);
}
