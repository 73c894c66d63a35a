//! Zendesk, Xero, PagerDuty, Telnyx, Bitbucket, DocuSign and Mandrill through the full layer.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

mod common;

use bytes::Bytes;
use common::{run, with_header, without_header};
use webhook_core::{FixedClock, Outcome, Reason};
use webhook_providers::bitbucket::{BitbucketEvent, BitbucketLayer, BitbucketSigner};
use webhook_providers::docusign::{DocusignEvent, DocusignLayer, DocusignSigner};
use webhook_providers::mandrill::{MandrillEvent, MandrillLayer, MandrillSigner};
use webhook_providers::pagerduty::{PagerdutyEvent, PagerdutyLayer, PagerdutySigner};
use webhook_providers::telnyx::{TelnyxEvent, TelnyxLayer, TelnyxSigner};
use webhook_providers::xero::{XeroEvent, XeroLayer, XeroSigner};
use webhook_providers::zendesk::{ZendeskEvent, ZendeskLayer, ZendeskSigner};

const T: u64 = 1_700_000_000;

#[tokio::test]
async fn zendesk_accepts_rfc3339_or_unix_timestamps_within_the_window() {
    let layer = |now| {
        ZendeskLayer::new("zd")
            .unwrap()
            .clock(FixedClock::at_unix(now))
    };
    let body = r#"{"type":"zen:event-type:user.created"}"#;
    let signed = |s: &str, ts: &str| ZendeskSigner::new(s).request("/z", ts, body).unwrap();
    for ts in ["2023-11-14T22:13:20Z", "1700000000"] {
        let (runs, calls) =
            run::<ZendeskEvent, _>(layer(T), vec![signed("zd", ts), signed("zd", ts)]).await;
        assert_eq!(
            (runs[0].status, calls, runs[1].outcome),
            (200, 1, Some(Outcome::Duplicate)),
            "{ts}"
        );
        assert_eq!(
            runs[0].event.as_ref().unwrap().event_type.as_deref(),
            Some("zen:event-type:user.created")
        );
    }
    for (now, request, reason) in [
        (
            T + 301,
            signed("zd", "1700000000"),
            Reason::TimestampOutOfTolerance,
        ),
        (T, signed("guess", "1700000000"), Reason::SignatureMismatch),
        (
            T,
            with_header(
                signed("zd", "1700000000"),
                "x-zendesk-webhook-signature-timestamp",
                "2023-11-14T22:13:20Z",
            ),
            Reason::SignatureMismatch,
        ),
        (T, signed("zd", "soon"), Reason::MalformedHeader),
        (
            T,
            without_header(signed("zd", "1700000000"), "x-zendesk-webhook-signature"),
            Reason::MissingHeader,
        ),
    ] {
        let (runs, calls) = run::<ZendeskEvent, _>(layer(now), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
}

#[tokio::test]
async fn xero_intent_to_receive_gets_200_for_good_and_401_for_bad_signatures() {
    let body = r#"{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"ABC"}"#;
    let good = XeroSigner::new("xero-key").request("/x", body).unwrap();
    let bad = XeroSigner::new("wrong-key").request("/x", body).unwrap();
    let (runs, calls) =
        run::<XeroEvent, _>(XeroLayer::new("xero-key").unwrap(), vec![good, bad]).await;
    assert_eq!((runs[0].status, runs[1].status, calls), (200, 401, 1));
}

#[tokio::test]
async fn pagerduty_rotation_retries_and_malformed_entries() {
    let body = r#"{"event":{"id":"E1","event_type":"incident.acknowledged","occurred_at":"2023-11-14T22:13:20Z"}}"#;
    let signed = |s: &str| PagerdutySigner::new(s).request("/p", body).unwrap();
    let both = format!(
        "{},{}",
        PagerdutySigner::new("old").header(body.as_bytes()),
        PagerdutySigner::new("new").header(body.as_bytes())
    );
    let layer = || PagerdutyLayer::new("new").unwrap();
    let (runs, calls) = run::<PagerdutyEvent, _>(
        layer(),
        vec![
            with_header(signed("x"), "x-pagerduty-signature", &both),
            signed("new"),
        ],
    )
    .await;
    assert_eq!(
        (runs[0].status, calls, runs[1].outcome),
        (200, 1, Some(Outcome::Duplicate))
    );
    let event = runs[0].event.clone().unwrap();
    assert_eq!(
        (event.id.as_deref(), event.timestamp),
        (Some("E1"), Some(1_700_000_000))
    );
    for (request, reason) in [
        (signed("guess"), Reason::SignatureMismatch),
        (
            with_header(signed("new"), "x-pagerduty-signature", "v1=xyz"),
            Reason::MalformedHeader,
        ),
        (
            with_header(signed("new"), "x-pagerduty-signature", &"v1=00,".repeat(17)),
            Reason::MalformedHeader,
        ),
        (
            PagerdutySigner::new("new")
                .request("/p", r#"{"event":{}}"#)
                .unwrap(),
            Reason::MalformedBody,
        ),
    ] {
        let (runs, calls) = run::<PagerdutyEvent, _>(layer(), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
}

#[tokio::test]
async fn telnyx_verifies_ed25519_over_the_pipe_joined_message() {
    let signer = TelnyxSigner::from_seed([3; 32]);
    let layer = |now| {
        TelnyxLayer::new(&signer.public_key_base64())
            .unwrap()
            .clock(FixedClock::at_unix(now))
    };
    let body = r#"{"data":{"id":"d-1","event_type":"call.hangup"}}"#;
    let (runs, calls) = run::<TelnyxEvent, _>(
        layer(T),
        vec![
            signer.request("/t", T, body).unwrap(),
            signer.request("/t", T + 1, body).unwrap(),
        ],
    )
    .await;
    assert_eq!(
        (runs[0].status, calls, runs[1].outcome),
        (200, 1, Some(Outcome::Duplicate))
    );
    let other = TelnyxSigner::from_seed([4; 32]);
    for (now, request, reason) in [
        (
            T + 301,
            signer.request("/t", T, body).unwrap(),
            Reason::TimestampOutOfTolerance,
        ),
        (
            T,
            other.request("/t", T, body).unwrap(),
            Reason::SignatureMismatch,
        ),
        (
            T,
            with_header(
                signer.request("/t", T, body).unwrap(),
                "telnyx-timestamp",
                "1700000001",
            ),
            Reason::SignatureMismatch,
        ),
        (
            T,
            with_header(
                signer.request("/t", T, body).unwrap(),
                "telnyx-signature-ed25519",
                "AAAA",
            ),
            Reason::MalformedHeader,
        ),
        (
            T,
            signer.request("/t", T, r#"{"data":{}}"#).unwrap(),
            Reason::MalformedBody,
        ),
    ] {
        let (runs, calls) = run::<TelnyxEvent, _>(layer(now), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
    assert!(TelnyxLayer::new(&format!("AQ{}", "A".repeat(41))).is_err());
}

#[tokio::test]
async fn bitbucket_dedups_on_the_body_not_the_unsigned_uuid() {
    let body = r#"{"push":{},"repository":{"full_name":"t/r"}}"#;
    let signed = |s: &str, id: &str| {
        with_header(
            BitbucketSigner::new(s).request("/b", body).unwrap(),
            "x-request-uuid",
            id,
        )
    };
    let (runs, calls) = run::<BitbucketEvent, _>(
        BitbucketLayer::new("bb").unwrap(),
        vec![
            signed("bb", "u-1"),
            signed("bb", "u-2"),
            signed("guess", "u-3"),
        ],
    )
    .await;
    assert_eq!(
        (calls, runs[1].outcome, runs[2].reason),
        (1, Some(Outcome::Duplicate), Some(Reason::SignatureMismatch))
    );
    assert_eq!(runs[0].event.as_ref().unwrap().id.as_deref(), Some("u-1"));
}

#[tokio::test]
async fn docusign_accepts_any_header_under_any_trusted_key() {
    let body = r#"{"event":"envelope-sent"}"#;
    let layer = || DocusignLayer::new("k2").unwrap().secret("k3").unwrap();
    let (runs, calls) = run::<DocusignEvent, _>(
        layer(),
        vec![
            DocusignSigner::new(&["k1", "k2"])
                .request("/d", body)
                .unwrap(),
        ],
    )
    .await;
    assert_eq!((runs[0].status, calls), (200, 1));
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 0);
    for (request, reason) in [
        (
            DocusignSigner::new(&["k1"]).request("/d", body).unwrap(),
            Reason::SignatureMismatch,
        ),
        (
            DocusignSigner::new(&[]).request("/d", body).unwrap(),
            Reason::MissingHeader,
        ),
        (
            with_header(
                DocusignSigner::new(&["k2"]).request("/d", body).unwrap(),
                "x-docusign-signature-2",
                "@@",
            ),
            Reason::MalformedHeader,
        ),
    ] {
        let (runs, calls) = run::<DocusignEvent, _>(layer(), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
}

#[tokio::test]
async fn docusign_reads_signature_headers_up_to_100_and_no_others() {
    let body = r#"{"event":"envelope-sent"}"#;
    let layer = || DocusignLayer::new("k57").unwrap();
    let signed = |slot: &str| {
        let mac = DocusignSigner::new(&["k57"]).request("/d", body).unwrap();
        let value = mac.headers()["x-docusign-signature-1"].clone();
        let mut request = DocusignSigner::new(&[]).request("/d", body).unwrap();
        request
            .headers_mut()
            .insert(http::HeaderName::try_from(slot).unwrap(), value);
        request
    };
    let (runs, calls) =
        run::<DocusignEvent, _>(layer(), vec![signed("x-docusign-signature-57")]).await;
    assert_eq!((runs[0].status, calls), (200, 1));
    for slot in [
        "x-docusign-signature-0",
        "x-docusign-signature-101",
        "x-docusign-signature-057",
        "x-docusign-signature-1x",
    ] {
        let (runs, calls) = run::<DocusignEvent, _>(layer(), vec![signed(slot)]).await;
        assert_eq!(
            (runs[0].reason, calls),
            (Some(Reason::MissingHeader), 0),
            "{slot}"
        );
    }
}

#[tokio::test]
async fn mandrill_binds_the_configured_url_and_answers_head() {
    let base = "https://hooks.example.com";
    let events = r#"[{"event":"hard_bounce","_id":"m1"}]"#;
    let layer = || MandrillLayer::new("mk", base).unwrap();
    let head = http::Request::head("/m").body(Bytes::new()).unwrap();
    let (runs, calls) = run::<MandrillEvent, _>(
        layer(),
        vec![
            head,
            MandrillSigner::new("mk", base)
                .request("/m", events)
                .unwrap(),
            MandrillSigner::new("mk", base)
                .request("/m", events)
                .unwrap(),
        ],
    )
    .await;
    assert_eq!(
        (runs[0].status, runs[0].outcome),
        (200, Some(Outcome::Answered))
    );
    assert_eq!(
        (runs[1].status, calls, runs[2].outcome),
        (200, 1, Some(Outcome::Duplicate))
    );
    assert_eq!(runs[1].event.as_ref().unwrap().events().len(), 1);
    for request in [
        MandrillSigner::new("guess", base)
            .request("/m", events)
            .unwrap(),
        MandrillSigner::new("mk", "https://other.example.com")
            .request("/m", events)
            .unwrap(),
    ] {
        let (runs, _) = run::<MandrillEvent, _>(layer(), vec![request]).await;
        assert_eq!(runs[0].reason, Some(Reason::SignatureMismatch));
    }
    let get = http::Request::get("/m").body(Bytes::new()).unwrap();
    let (runs, _) = run::<MandrillEvent, _>(layer(), vec![get]).await;
    assert_eq!(runs[0].reason, Some(Reason::MethodNotAllowed));
}
