//! Calendly and Mux (`t=..,v1=..`) through the full layer.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

mod common;

use common::{run, with_header, without_header};
use webhook_core::{FixedClock, Outcome, Reason};
use webhook_providers::calendly::{CalendlyEvent, CalendlyLayer, CalendlySigner};
use webhook_providers::mux::{MuxEvent, MuxLayer, MuxSigner};

const T: u64 = 1_700_000_000;
const CALENDLY: &str = r#"{"event":"invitee.canceled","payload":{}}"#;
const MUX: &str = r#"{"type":"video.asset.created","id":"m-1","data":{}}"#;

#[tokio::test]
async fn calendly_genuine_stale_forged_rotated_and_redelivered() {
    let layer = |now| {
        CalendlyLayer::new("cal")
            .unwrap()
            .clock(FixedClock::at_unix(now))
    };
    let signed = |secret: &str, t| {
        CalendlySigner::new(secret)
            .request("/c", t, CALENDLY)
            .unwrap()
    };
    let (runs, calls) =
        run::<CalendlyEvent, _>(layer(T + 180), vec![signed("cal", T), signed("cal", T + 1)]).await;
    assert_eq!(
        (runs[0].status, calls, runs[1].outcome),
        (200, 1, Some(Outcome::Duplicate))
    );
    assert_eq!(
        runs[0].event.as_ref().unwrap().event_type.as_deref(),
        Some("invitee.canceled")
    );
    for (now, request, reason) in [
        (T + 181, signed("cal", T), Reason::TimestampOutOfTolerance),
        (T, signed("guess", T), Reason::SignatureMismatch),
        (
            T,
            with_header(signed("cal", T), "calendly-webhook-signature", "v1=00"),
            Reason::MalformedHeader,
        ),
        (
            T,
            without_header(signed("cal", T), "calendly-webhook-signature"),
            Reason::MissingHeader,
        ),
    ] {
        let (runs, calls) = run::<CalendlyEvent, _>(layer(now), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
    let rotated = CalendlyLayer::new("new")
        .unwrap()
        .secret("cal")
        .unwrap()
        .clock(FixedClock::at_unix(T));
    let (runs, _) = run::<CalendlyEvent, _>(rotated, vec![signed("cal", T)]).await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
}

#[tokio::test]
async fn mux_genuine_stale_forged_rotated_and_retried() {
    let layer = |now| {
        MuxLayer::new("mux")
            .unwrap()
            .clock(FixedClock::at_unix(now))
    };
    let signed = |secret: &str, t| MuxSigner::new(secret).request("/m", t, MUX).unwrap();
    let (runs, calls) =
        run::<MuxEvent, _>(layer(T + 30), vec![signed("mux", T), signed("mux", T + 30)]).await;
    assert_eq!(
        (runs[0].status, calls, runs[1].outcome),
        (200, 1, Some(Outcome::Duplicate))
    );
    assert_eq!(runs[0].event.as_ref().unwrap().id.as_deref(), Some("m-1"));
    for (now, request, reason) in [
        (T - 301, signed("mux", T), Reason::TimestampOutOfTolerance),
        (T, signed("guess", T), Reason::SignatureMismatch),
        (
            T,
            MuxSigner::new("mux").request("/m", T, "[1]").unwrap(),
            Reason::MalformedBody,
        ),
    ] {
        let (runs, calls) = run::<MuxEvent, _>(layer(now), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
    let rotated = MuxLayer::new("new")
        .unwrap()
        .secret("mux")
        .unwrap()
        .clock(FixedClock::at_unix(T));
    let (runs, _) = run::<MuxEvent, _>(rotated, vec![signed("mux", T)]).await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
}
