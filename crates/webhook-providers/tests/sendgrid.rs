//! SendGrid's signed Event Webhook through the full layer.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

mod common;

use common::{run, with_header, without_header};
use webhook_core::{FixedClock, Outcome, Reason};
use webhook_providers::sendgrid::{SendgridEvent, SendgridLayer, SendgridSigner};

const PUBLISHED_KEY: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==";
const PUBLISHED_SIGNATURE: &str = "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=";
const PUBLISHED_BODY: &str =
    r#"{"category":"example_payload","event":"test_event","message_id":"message_id"}"#;
const T: u64 = 1_700_000_000;
const BATCH: &str = r#"[{"event":"open","sg_event_id":"a"},{"event":"click","sg_event_id":"b"}]"#;

fn published() -> http::Request<bytes::Bytes> {
    http::Request::post("/hooks/sendgrid")
        .header(
            "x-twilio-email-event-webhook-signature",
            PUBLISHED_SIGNATURE,
        )
        .header("x-twilio-email-event-webhook-timestamp", "1588788367")
        .body(bytes::Bytes::from_static(PUBLISHED_BODY.as_bytes()))
        .unwrap()
}

#[tokio::test]
async fn sendgrids_published_vector_verifies() {
    let layer = SendgridLayer::new(PUBLISHED_KEY)
        .unwrap()
        .clock(FixedClock::at_unix(1_588_788_367));
    let (runs, calls) = run::<SendgridEvent, _>(layer, vec![published()]).await;
    assert_eq!((runs[0].status, calls), (200, 1));
    assert_eq!(runs[0].event.as_ref().unwrap().events().len(), 1);
}

#[tokio::test]
async fn signer_batches_verify_once_and_faults_have_their_reasons() {
    let signer = SendgridSigner::generate();
    let layer = |now| {
        SendgridLayer::new(&signer.public_key())
            .unwrap()
            .clock(FixedClock::at_unix(now))
    };
    let request = || signer.request("/s", T, BATCH).unwrap();
    let (runs, calls) = run::<SendgridEvent, _>(layer(T), vec![request(), request()]).await;
    assert_eq!(
        (runs[0].status, calls, runs[1].outcome),
        (200, 1, Some(Outcome::Duplicate))
    );
    assert_eq!(runs[0].event.as_ref().unwrap().events().len(), 2);
    let other = SendgridSigner::generate();
    for (now, request, reason) in [
        (T + 301, request(), Reason::TimestampOutOfTolerance),
        (
            T,
            other.request("/s", T, BATCH).unwrap(),
            Reason::SignatureMismatch,
        ),
        (
            T,
            with_header(
                request(),
                "x-twilio-email-event-webhook-timestamp",
                "1700000001",
            ),
            Reason::SignatureMismatch,
        ),
        (
            T,
            with_header(request(), "x-twilio-email-event-webhook-signature", "AAAA"),
            Reason::SignatureMismatch,
        ),
        (
            T,
            with_header(
                request(),
                "x-twilio-email-event-webhook-signature",
                "not base64",
            ),
            Reason::MalformedHeader,
        ),
        (
            T,
            without_header(request(), "x-twilio-email-event-webhook-timestamp"),
            Reason::MissingHeader,
        ),
        (
            T,
            signer.request("/s", T, "42").unwrap(),
            Reason::MalformedBody,
        ),
    ] {
        let (runs, calls) = run::<SendgridEvent, _>(layer(now), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
}

#[tokio::test]
async fn rotation_and_bad_keys() {
    let signer = SendgridSigner::generate();
    let layer = SendgridLayer::new(PUBLISHED_KEY)
        .unwrap()
        .public_key(&signer.public_key())
        .unwrap()
        .clock(FixedClock::at_unix(T));
    let (runs, _) =
        run::<SendgridEvent, _>(layer, vec![signer.request("/s", T, BATCH).unwrap()]).await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
    assert!(
        SendgridLayer::new("MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=").is_err()
    );
    assert!(SendgridLayer::new("not a key").is_err());
}
