//! Typeform, Intercom and Sentry (an HMAC of the body in one header) through the full layer.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

mod common;

use common::{repeat_header, run, with_header, without_header};
use webhook_core::{Outcome, Reason};
use webhook_providers::intercom::{IntercomEvent, IntercomLayer, IntercomSigner};
use webhook_providers::sentry::{SentryEvent, SentryLayer, SentrySigner};
use webhook_providers::typeform::{TypeformEvent, TypeformLayer, TypeformSigner};

const TYPEFORM: &str = r#"{"event_id":"tf-1","event_type":"form_response"}"#;
const INTERCOM: &str = r#"{"id":"notif_1","topic":"user.created","created_at":1700000000}"#;
const SENTRY: &str = r#"{"action":"resolved","data":{}}"#;

#[tokio::test]
async fn typeform_genuine_forged_malformed_rotated_and_redelivered() {
    let signed = |s: &str| TypeformSigner::new(s).request("/t", TYPEFORM).unwrap();
    let (runs, calls) = run::<TypeformEvent, _>(
        TypeformLayer::new("tf").unwrap(),
        vec![signed("tf"), signed("tf")],
    )
    .await;
    assert_eq!(
        (runs[0].status, calls, runs[1].outcome),
        (200, 1, Some(Outcome::Duplicate))
    );
    assert_eq!(runs[0].event.as_ref().unwrap().id.as_deref(), Some("tf-1"));
    let good = signed("tf").headers()["typeform-signature"]
        .to_str()
        .unwrap()
        .to_owned();
    for (request, reason) in [
        (signed("guess"), Reason::SignatureMismatch),
        (
            with_header(
                signed("tf"),
                "typeform-signature",
                good.trim_start_matches("sha256="),
            ),
            Reason::SignatureMismatch,
        ),
        (
            with_header(signed("tf"), "typeform-signature", "sha256=!!"),
            Reason::MalformedHeader,
        ),
        (
            without_header(signed("tf"), "typeform-signature"),
            Reason::MissingHeader,
        ),
        (
            TypeformSigner::new("tf").request("/t", "{}").unwrap(),
            Reason::MalformedBody,
        ),
    ] {
        let (runs, calls) =
            run::<TypeformEvent, _>(TypeformLayer::new("tf").unwrap(), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
    let (runs, _) = run::<TypeformEvent, _>(
        TypeformLayer::new("new").unwrap().secret("tf").unwrap(),
        vec![signed("tf")],
    )
    .await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
}

#[tokio::test]
async fn intercom_uses_legacy_sha1_only_for_its_own_header() {
    let signed = |s: &str| IntercomSigner::new(s).request("/i", INTERCOM).unwrap();
    let (runs, calls) = run::<IntercomEvent, _>(
        IntercomLayer::new("ic").unwrap(),
        vec![signed("ic"), signed("ic")],
    )
    .await;
    assert_eq!(
        (runs[0].status, calls, runs[1].outcome),
        (200, 1, Some(Outcome::Duplicate))
    );
    let event = runs[0].event.clone().unwrap();
    assert_eq!(
        (event.event_type.as_deref(), event.timestamp),
        (Some("user.created"), Some(1_700_000_000))
    );
    assert_eq!(
        signed("ic").headers()["x-hub-signature"].len(),
        "sha1=".len() + 40
    );
    for (request, reason) in [
        (signed("guess"), Reason::SignatureMismatch),
        (
            repeat_header(signed("ic"), "x-hub-signature"),
            Reason::MalformedHeader,
        ),
        (
            without_header(signed("ic"), "x-hub-signature"),
            Reason::MissingHeader,
        ),
    ] {
        let (runs, calls) =
            run::<IntercomEvent, _>(IntercomLayer::new("ic").unwrap(), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
    let (runs, _) = run::<IntercomEvent, _>(
        IntercomLayer::new("new").unwrap().secret("ic").unwrap(),
        vec![signed("ic")],
    )
    .await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
}

#[tokio::test]
async fn sentry_reports_unsigned_headers_and_dedups_on_the_body() {
    let signed = |s: &str, id: &str| {
        with_header(
            SentrySigner::new(s).request("/s", SENTRY).unwrap(),
            "request-id",
            id,
        )
    };
    let (runs, calls) = run::<SentryEvent, _>(
        SentryLayer::new("se").unwrap(),
        vec![signed("se", "r-1"), signed("se", "r-2")],
    )
    .await;
    assert_eq!(
        (runs[0].status, calls, runs[1].outcome),
        (200, 1, Some(Outcome::Duplicate))
    );
    assert_eq!(runs[0].event.as_ref().unwrap().id.as_deref(), Some("r-1"));
    for (request, reason) in [
        (signed("guess", "r"), Reason::SignatureMismatch),
        (
            with_header(signed("se", "r"), "sentry-hook-signature", "abc"),
            Reason::MalformedHeader,
        ),
        (
            without_header(signed("se", "r"), "sentry-hook-signature"),
            Reason::MissingHeader,
        ),
    ] {
        let (runs, calls) =
            run::<SentryEvent, _>(SentryLayer::new("se").unwrap(), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
    let (runs, _) = run::<SentryEvent, _>(
        SentryLayer::new("new").unwrap().secret("se").unwrap(),
        vec![signed("se", "r")],
    )
    .await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
}
