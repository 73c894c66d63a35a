//! Discord interactions through the full layer, with the PING handshake.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

mod common;

use common::{run, with_header, without_header};
use webhook_core::{FixedClock, Outcome, Reason};
use webhook_providers::discord::{DiscordEvent, DiscordLayer, DiscordSigner};

const T: u64 = 1_700_000_000;
const PING: &str = r#"{"id":"1","type":1}"#;
const COMMAND: &str = r#"{"id":"2","type":2,"data":{"name":"hello"}}"#;

fn signer() -> DiscordSigner {
    DiscordSigner::from_seed([0x42; 32])
}

fn layer(now: u64) -> DiscordLayer {
    DiscordLayer::new(&signer().public_key_hex())
        .unwrap()
        .clock(FixedClock::at_unix(now))
}

fn signed(t: u64, body: &'static str) -> http::Request<bytes::Bytes> {
    signer().request("/interactions", t, body).unwrap()
}

#[tokio::test]
async fn a_signed_ping_is_answered_pong_by_the_layer() {
    let (runs, calls) = run::<DiscordEvent, _>(layer(T), vec![signed(T, PING)]).await;
    assert_eq!(
        (runs[0].status, runs[0].outcome, calls),
        (200, Some(Outcome::Answered), 0)
    );
    assert_eq!(runs[0].body.as_ref(), br#"{"type":1}"#);
}

#[tokio::test]
async fn invalid_signature_probes_get_401_never_pong() {
    let probe = with_header(signed(T, PING), "x-signature-ed25519", &"0".repeat(128));
    let (runs, calls) = run::<DiscordEvent, _>(layer(T), vec![probe]).await;
    assert_eq!(
        (runs[0].status, runs[0].reason, calls),
        (401, Some(Reason::SignatureMismatch), 0)
    );
}

#[tokio::test]
async fn a_command_is_delivered_once() {
    let (runs, calls) =
        run::<DiscordEvent, _>(layer(T), vec![signed(T, COMMAND), signed(T, COMMAND)]).await;
    assert_eq!(calls, 1);
    let event = runs[0].event.clone().unwrap();
    assert_eq!(
        (event.id.as_deref(), event.event_type.as_deref()),
        (Some("2"), Some("application_command"))
    );
    assert_eq!(runs[1].outcome, Some(Outcome::Duplicate));
}

#[tokio::test]
async fn stale_forged_and_malformed_requests_have_their_reasons() {
    let other = DiscordSigner::from_seed([0x24; 32]);
    let sig = signer().header(T, COMMAND.as_bytes());
    for (now, request, reason) in [
        (T + 301, signed(T, COMMAND), Reason::TimestampOutOfTolerance),
        (
            T,
            other.request("/interactions", T, COMMAND).unwrap(),
            Reason::SignatureMismatch,
        ),
        (
            T,
            with_header(signed(T, COMMAND), "x-signature-timestamp", "1700000001"),
            Reason::SignatureMismatch,
        ),
        (
            T,
            with_header(signed(T, COMMAND), "x-signature-ed25519", &sig[..126]),
            Reason::MalformedHeader,
        ),
        (
            T,
            with_header(
                signed(T, COMMAND),
                "x-signature-ed25519",
                &format!("0x{}", &sig[2..]),
            ),
            Reason::MalformedHeader,
        ),
        (
            T,
            with_header(signed(T, COMMAND), "x-signature-timestamp", "01700000000"),
            Reason::MalformedHeader,
        ),
        (
            T,
            without_header(signed(T, COMMAND), "x-signature-timestamp"),
            Reason::MissingHeader,
        ),
        (T, signed(T, r#"{"type":2}"#), Reason::MalformedBody),
        (T, signed(T, ""), Reason::MalformedBody),
    ] {
        let (runs, calls) = run::<DiscordEvent, _>(layer(now), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
    let upper = with_header(
        signed(T, COMMAND),
        "x-signature-ed25519",
        &sig.to_uppercase(),
    );
    let (runs, _) = run::<DiscordEvent, _>(layer(T), vec![upper]).await;
    assert_eq!(runs[0].status, 200);
}

#[tokio::test]
async fn rotation_and_unsafe_keys() {
    let other = DiscordSigner::from_seed([0x24; 32]);
    let rotated = DiscordLayer::new(&other.public_key_hex())
        .unwrap()
        .public_key(&signer().public_key_hex())
        .unwrap()
        .clock(FixedClock::at_unix(T));
    let (runs, _) = run::<DiscordEvent, _>(rotated, vec![signed(T, COMMAND)]).await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
    let identity = format!("01{}", "00".repeat(31));
    assert!(DiscordLayer::new(&identity).is_err());
    assert!(DiscordLayer::new("abcd").is_err());
    assert!(DiscordLayer::new(&"zz".repeat(32)).is_err());
}
