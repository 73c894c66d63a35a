//! Twilio through the full layer.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

mod common;

use bytes::Bytes;
use common::{run, with_header, without_header};
use webhook_core::{Outcome, Reason};
use webhook_providers::twilio::{TwilioEvent, TwilioLayer, TwilioSigner};

const TOKEN: &str = "12345";
const BASE: &str = "https://mycompany.com";
const FORM: &str = "CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030&To=%2B18005551212";

fn documented() -> http::Request<Bytes> {
    http::Request::post("http://10.0.0.7:8080/myapp.php?foo=1&bar=2")
        .header("host", "10.0.0.7:8080")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
        .body(Bytes::from_static(FORM.as_bytes()))
        .unwrap()
}

#[tokio::test]
async fn twilios_documented_example_verifies_behind_a_proxy() {
    let (runs, calls) =
        run::<TwilioEvent, _>(TwilioLayer::new(TOKEN, BASE).unwrap(), vec![documented()]).await;
    assert_eq!((runs[0].status, calls), (200, 1));
    let params = runs[0].event.as_ref().unwrap().params();
    assert!(params.contains(&("From".to_owned(), "+12349013030".to_owned())));
}

#[tokio::test]
async fn tampered_or_rebound_requests_are_refused() {
    let other_path = documented().map(|b| b);
    let (parts, body) = other_path.into_parts();
    let mut moved = http::Request::from_parts(parts, body);
    *moved.uri_mut() = "/myapp.php?foo=1&bar=3".parse().unwrap();
    for (layer, request, reason) in [
        (
            TwilioLayer::new(TOKEN, BASE).unwrap(),
            documented().map(|_| Bytes::from_static(b"Digits=9")),
            Reason::SignatureMismatch,
        ),
        (
            TwilioLayer::new(TOKEN, BASE).unwrap(),
            moved,
            Reason::SignatureMismatch,
        ),
        (
            TwilioLayer::new(TOKEN, "https://other.example").unwrap(),
            documented(),
            Reason::SignatureMismatch,
        ),
        (
            TwilioLayer::new("54321", BASE).unwrap(),
            documented(),
            Reason::SignatureMismatch,
        ),
        (
            TwilioLayer::new(TOKEN, BASE).unwrap(),
            with_header(documented(), "x-twilio-signature", "@@@"),
            Reason::MalformedHeader,
        ),
        (
            TwilioLayer::new(TOKEN, BASE).unwrap(),
            without_header(documented(), "x-twilio-signature"),
            Reason::MissingHeader,
        ),
        (
            TwilioLayer::new(TOKEN, BASE).unwrap(),
            documented().map(|_| Bytes::from_static(b"a=%zz")),
            Reason::MalformedBody,
        ),
    ] {
        let (runs, calls) = run::<TwilioEvent, _>(layer, vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
}

#[tokio::test]
async fn the_secondary_token_verifies_during_rotation() {
    let layer = TwilioLayer::new("primary", BASE)
        .unwrap()
        .secret(TOKEN)
        .unwrap();
    let (runs, _) = run::<TwilioEvent, _>(layer, vec![documented()]).await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
    assert!(TwilioLayer::new(TOKEN, "https://mycompany.com/").is_err());
    assert!(TwilioLayer::new(TOKEN, "mycompany.com").is_err());
}

#[tokio::test]
async fn signer_requests_verify_and_replays_are_duplicates() {
    let signer = TwilioSigner::new(TOKEN, BASE);
    let request = || {
        signer
            .request("/sms?x=1", "MessageSid=SM1&Body=hello+there")
            .unwrap()
    };
    let replay = with_header(request(), "i-twilio-idempotency-token", "fresh");
    let (runs, calls) = run::<TwilioEvent, _>(
        TwilioLayer::new(TOKEN, BASE).unwrap(),
        vec![request(), replay],
    )
    .await;
    assert_eq!(
        (runs[0].status, calls, runs[1].outcome),
        (200, 1, Some(Outcome::Duplicate))
    );
}
