//! GitLab through the full layer.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

mod common;

use common::{repeat_header, run, with_header, without_header};
use webhook_core::{Outcome, Reason};
use webhook_providers::gitlab::{GitlabEvent, GitlabLayer, GitlabSigner};

const TOKEN: &str = "gl-webhook-token-5b2c8e1f";
const BODY: &str = r#"{"object_kind":"push"}"#;

fn sent(token: &str, key: &str) -> http::Request<bytes::Bytes> {
    GitlabSigner::new(token)
        .request("/hooks/gitlab", "Push Hook", key, BODY)
        .unwrap()
}

#[tokio::test]
async fn the_configured_token_is_accepted_with_event_and_idempotency_key() {
    let (runs, calls) =
        run::<GitlabEvent, _>(GitlabLayer::new(TOKEN).unwrap(), vec![sent(TOKEN, "k-1")]).await;
    assert_eq!((runs[0].status, calls), (200, 1));
    let event = runs[0].event.clone().unwrap();
    assert_eq!(
        (event.id.as_deref(), event.event_type.as_deref()),
        (Some("k-1"), Some("Push Hook"))
    );
}

#[tokio::test]
async fn wrong_missing_repeated_or_oversized_tokens_are_refused() {
    for (request, reason) in [
        (
            sent("gl-webhook-token-5b2c8e1e", "k"),
            Reason::SignatureMismatch,
        ),
        (
            sent(&TOKEN[..TOKEN.len() - 1], "k"),
            Reason::SignatureMismatch,
        ),
        (sent(&format!("{TOKEN}x"), "k"), Reason::SignatureMismatch),
        (
            without_header(sent(TOKEN, "k"), "x-gitlab-token"),
            Reason::MissingHeader,
        ),
        (
            repeat_header(sent(TOKEN, "k"), "x-gitlab-token"),
            Reason::MalformedHeader,
        ),
        (
            with_header(sent(TOKEN, "k"), "x-gitlab-token", &"t".repeat(4096)),
            Reason::MalformedHeader,
        ),
    ] {
        let (runs, calls) =
            run::<GitlabEvent, _>(GitlabLayer::new(TOKEN).unwrap(), vec![request]).await;
        assert_eq!((runs[0].reason, calls), (Some(reason), 0));
    }
}

#[tokio::test]
async fn rotation_and_retries_with_the_same_idempotency_key() {
    let layer = GitlabLayer::new("new-token").unwrap().token(TOKEN).unwrap();
    let (runs, calls) = run::<GitlabEvent, _>(
        layer,
        vec![sent(TOKEN, "k-1"), sent(TOKEN, "k-1"), sent(TOKEN, "k-2")],
    )
    .await;
    assert_eq!(runs[0].event.as_ref().unwrap().matched_key, 1);
    assert_eq!((calls, runs[1].outcome), (2, Some(Outcome::Duplicate)));
    assert!(GitlabLayer::new(" token").is_err());
}
