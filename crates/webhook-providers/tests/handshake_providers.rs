//! Dropbox, X and Meta: their GET handshakes and their deliveries through the full layer.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

mod common;

use bytes::Bytes;
use common::{run, with_header, without_header};
use webhook_core::{Outcome, Reason};
use webhook_providers::dropbox::{DropboxEvent, DropboxLayer, DropboxSigner};
use webhook_providers::meta::{MetaEvent, MetaLayer, MetaSigner};
use webhook_providers::twitter::{TwitterEvent, TwitterLayer, TwitterSigner};

fn get(uri: &str) -> http::Request<Bytes> {
    http::Request::get(uri).body(Bytes::new()).unwrap()
}

#[tokio::test]
async fn dropbox_echoes_token_challenges_only_and_verifies_notifications() {
    let (runs, calls) = run::<DropboxEvent, _>(
        DropboxLayer::new("dbx").unwrap(),
        vec![get("/d?challenge=abc123")],
    )
    .await;
    assert_eq!(
        (runs[0].status, runs[0].outcome, calls),
        (200, Some(Outcome::Answered), 0)
    );
    assert_eq!(runs[0].body.as_ref(), b"abc123");
    for uri in [
        "/d",
        "/d?challenge=",
        "/d?challenge=%3Cb%3E",
        "/d?challenge=a&challenge=b",
    ] {
        let (runs, _) =
            run::<DropboxEvent, _>(DropboxLayer::new("dbx").unwrap(), vec![get(uri)]).await;
        assert_eq!(runs[0].reason, Some(Reason::MethodNotAllowed), "{uri}");
    }
    let body = r#"{"list_folder":{"accounts":["dbid:1"]}}"#;
    let signed = |s: &str| DropboxSigner::new(s).request("/d", body).unwrap();
    let (runs, calls) = run::<DropboxEvent, _>(
        DropboxLayer::new("dbx").unwrap(),
        vec![signed("dbx"), signed("dbx"), signed("guess")],
    )
    .await;
    assert_eq!(
        (runs[0].status, calls, runs[1].outcome),
        (200, 1, Some(Outcome::Duplicate))
    );
    assert_eq!(runs[2].reason, Some(Reason::SignatureMismatch));
    let (runs, _) = run::<DropboxEvent, _>(
        DropboxLayer::new("dbx").unwrap(),
        vec![without_header(signed("dbx"), "x-dropbox-signature")],
    )
    .await;
    assert_eq!(runs[0].reason, Some(Reason::MissingHeader));
}

#[tokio::test]
async fn x_answers_the_crc_with_the_current_secret_and_never_signs_a_delivery() {
    let layer = || {
        TwitterLayer::new("current")
            .unwrap()
            .secret("previous")
            .unwrap()
    };
    let (runs, calls) = run::<TwitterEvent, _>(layer(), vec![get("/x?crc_token=tok-1")]).await;
    assert_eq!((runs[0].status, calls), (200, 0));
    let answer: serde_json::Value = serde_json::from_slice(&runs[0].body).unwrap();
    assert_eq!(
        answer["response_token"],
        TwitterSigner::new("current").header(b"tok-1")
    );
    // A JSON body as crc_token would make the answer a delivery signature: refused.
    let (runs, _) = run::<TwitterEvent, _>(layer(), vec![get("/x?crc_token=%7B%7D")]).await;
    assert_eq!(runs[0].reason, Some(Reason::MethodNotAllowed));

    let body = r#"{"for_user_id":"1","direct_message_events":[]}"#;
    let (runs, calls) = run::<TwitterEvent, _>(
        layer(),
        vec![
            TwitterSigner::new("previous").request("/x", body).unwrap(),
            TwitterSigner::new("previous").request("/x", body).unwrap(),
        ],
    )
    .await;
    assert_eq!((calls, runs[1].outcome), (1, Some(Outcome::Duplicate)));
    let event = runs[0].event.clone().unwrap();
    assert_eq!(
        (event.matched_key, event.event_type.as_deref()),
        (1, Some("direct_message_events"))
    );
    let token_body = TwitterSigner::new("current")
        .request("/x", "tok-1")
        .unwrap();
    let (runs, _) = run::<TwitterEvent, _>(layer(), vec![token_body]).await;
    assert_eq!(runs[0].reason, Some(Reason::MalformedBody));
    let unprefixed = with_header(
        TwitterSigner::new("current").request("/x", body).unwrap(),
        "x-twitter-webhooks-signature",
        "AAAA",
    );
    let (runs, _) = run::<TwitterEvent, _>(layer(), vec![unprefixed]).await;
    assert_eq!(runs[0].reason, Some(Reason::SignatureMismatch));
}

#[tokio::test]
async fn meta_checks_the_verify_token_before_echoing_and_verifies_deliveries() {
    let layer = || MetaLayer::new("app-secret", "verify-me").unwrap();
    let check = |token: &str| {
        get(&format!(
            "/m?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=987"
        ))
    };
    let (runs, calls) = run::<MetaEvent, _>(layer(), vec![check("verify-me")]).await;
    assert_eq!(
        (runs[0].status, runs[0].body.as_ref(), calls),
        (200, b"987".as_slice(), 0)
    );
    for (request, reason) in [
        (check("verify-mf"), Reason::SignatureMismatch),
        (
            get("/m?hub.mode=unsubscribe&hub.verify_token=verify-me&hub.challenge=1"),
            Reason::MethodNotAllowed,
        ),
        (
            get("/m?hub.mode=subscribe&hub.verify_token=verify-me"),
            Reason::MethodNotAllowed,
        ),
    ] {
        let (runs, _) = run::<MetaEvent, _>(layer(), vec![request]).await;
        assert_eq!(runs[0].reason, Some(reason));
    }
    let body = r#"{"object":"whatsapp_business_account","entry":[]}"#;
    let signed = |s: &str| MetaSigner::new(s).request("/m", body).unwrap();
    let (runs, calls) = run::<MetaEvent, _>(
        layer(),
        vec![signed("app-secret"), signed("app-secret"), signed("guess")],
    )
    .await;
    assert_eq!(
        (calls, runs[1].outcome, runs[2].reason),
        (1, Some(Outcome::Duplicate), Some(Reason::SignatureMismatch))
    );
    assert_eq!(
        runs[0].event.as_ref().unwrap().event_type.as_deref(),
        Some("whatsapp_business_account")
    );
    let rotated = MetaLayer::new("new", "verify-me")
        .unwrap()
        .secret("app-secret")
        .unwrap();
    let (runs, _) = run::<MetaEvent, _>(rotated, vec![signed("app-secret")]).await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
}
