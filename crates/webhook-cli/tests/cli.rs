//! The `webhook` binary against the axum example receiver on loopback, and offline.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Output;

use example_common::stand_in::{self, StandIn};
use example_common::{Inbox, ProviderLayers};

struct Receiver {
    base: String,
    inbox: Inbox,
    stand_in: StandIn,
}

async fn receiver() -> Receiver {
    let stand_in = StandIn::new().unwrap();
    let inbox = Inbox::default();
    let layers = ProviderLayers::build(&stand_in.config, Some(&stand_in.fetch())).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = example_axum::app(layers, inbox.clone());
    tokio::spawn(example_axum::serve(listener, app, std::future::pending()));
    Receiver {
        base,
        inbox,
        stand_in,
    }
}

async fn webhook(args: &[&str], stdin_file: Option<PathBuf>) -> Output {
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_webhook"));
        command
            .args(&args)
            .env_remove("WEBHOOK_SECRET")
            .env_remove("WEBHOOK_SECURITY_CODE");
        if let Some(path) = stdin_file {
            command.stdin(std::fs::File::open(path).unwrap());
        }
        command.output().unwrap()
    })
    .await
    .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("webhook-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_reaches_the_axum_handler_for_every_provider() {
    let receiver = receiver().await;
    let base = &receiver.base;
    let body = temp_file("event.json", br#"{"type":"order.created","data":{"id":7}}"#);
    let body = body.to_str().unwrap();
    let callback_id = "0b8e7c4a-1d2f-4e3a-9b5c-6d7e8f9a0b1c";
    receiver.stand_in.issue_autoflex_callback(callback_id);
    let avaplace_url = format!(
        "{base}/webhooks/avaplace/ASOL.Demo.Created/Created/5f0c9a3e-2b7d-4c1e-8a6f-9d0e1f2a3b4c"
    );
    let runs: Vec<(&str, Vec<String>)> = vec![
        (
            "standard",
            vec![
                "--secret".into(),
                stand_in::STANDARD_SECRET.into(),
                "--body".into(),
                body.into(),
            ],
        ),
        (
            "ricloud",
            vec!["--secret".into(), stand_in::RICLOUD_SECRET.into()],
        ),
        (
            "shipmondo",
            vec!["--secret".into(), stand_in::SHIPMONDO_KEY.into()],
        ),
        (
            "avaplace",
            vec![
                "--issuer".into(),
                stand_in::AVAPLACE_ISSUER.into(),
                "--security-code".into(),
                stand_in::AVAPLACE_SECURITY_CODE.into(),
                "--url".into(),
                avaplace_url,
            ],
        ),
        ("autoflex", vec!["--id".into(), callback_id.into()]),
        (
            "sns",
            vec![
                "--topic".into(),
                stand_in::SNS_TOPIC.into(),
                "--body".into(),
                body.into(),
            ],
        ),
    ];
    for (provider, extra) in runs {
        let mut args = vec!["send", provider];
        let url = format!("{base}/webhooks/{provider}");
        if !extra.iter().any(|arg| arg == "--url") {
            args.extend(["--url", url.as_str()]);
        }
        args.extend(extra.iter().map(String::as_str));
        let output = webhook(&args, None).await;
        assert!(output.status.success(), "{provider}: {output:?}");
        assert_eq!(stdout(&output).trim(), "200", "{provider}");
        assert_eq!(
            receiver.inbox.count(provider),
            1,
            "{provider} handler ran once"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_is_refused_with_exit_code_1_and_the_reason() {
    let receiver = receiver().await;
    let url = format!("{}/webhooks/ricloud", receiver.base);
    let output = webhook(
        &[
            "send",
            "ricloud",
            "--url",
            &url,
            "--secret",
            "not-the-secret",
        ],
        None,
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(stdout(&output).trim(), "401 signature_mismatch");
    assert_eq!(receiver.inbox.count("ricloud"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dump_then_verify_offline() {
    let secret = stand_in::STANDARD_SECRET;
    let dumped = webhook(
        &[
            "send",
            "standard",
            "--secret",
            secret,
            "--id",
            "fixed",
            "--timestamp",
            "1700000000",
            "--dump",
        ],
        None,
    )
    .await;
    assert!(dumped.status.success(), "{dumped:?}");
    let file = temp_file("captured.http", &dumped.stdout);
    let file = file.to_str().unwrap();

    let verified = webhook(
        &[
            "verify",
            "standard",
            "--secret",
            secret,
            "--now",
            "1700000100",
            file,
        ],
        None,
    )
    .await;
    assert_eq!(verified.status.code(), Some(0), "{verified:?}");
    assert!(
        stdout(&verified).starts_with("verified: {"),
        "{}",
        stdout(&verified)
    );
    assert!(stdout(&verified).contains("\"msg_fixed\""));

    let from_stdin = webhook(
        &[
            "verify",
            "standard",
            "--secret",
            secret,
            "--now",
            "1700000100",
            "-",
        ],
        Some(file.into()),
    )
    .await;
    assert_eq!(from_stdin.status.code(), Some(0), "{from_stdin:?}");

    let stale = webhook(&["verify", "standard", "--secret", secret, file], None).await;
    assert_eq!(stale.status.code(), Some(1));
    assert!(
        stdout(&stale).starts_with("rejected: 401 timestamp_out_of_tolerance"),
        "{}",
        stdout(&stale)
    );

    let other = "whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBmb3IgdGVzdHM=";
    let forged = webhook(
        &[
            "verify",
            "standard",
            "--secret",
            other,
            "--now",
            "1700000100",
            file,
        ],
        None,
    )
    .await;
    assert_eq!(forged.status.code(), Some(1));
    assert!(
        stdout(&forged).starts_with("rejected: 401 signature_mismatch"),
        "{}",
        stdout(&forged)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sns_verifies_offline_with_the_certificate_served_from_a_file() {
    let stand_in = StandIn::new().unwrap();
    let (cert_url, pem) = stand_in.sns_certificate();
    let pem = temp_file("sns-cert.pem", pem.as_bytes());
    let now = webhook::unix_seconds(webhook::Clock::now(&webhook::SystemClock)).to_string();
    let dumped = webhook(
        &[
            "send",
            "sns",
            "--topic",
            stand_in::SNS_TOPIC,
            "--timestamp",
            &now,
            "--dump",
        ],
        None,
    )
    .await;
    let file = temp_file("sns.http", &dumped.stdout);
    let document = format!("{cert_url}={}", pem.to_str().unwrap());
    let args = [
        "verify",
        "sns",
        "--topic",
        stand_in::SNS_TOPIC,
        "--document",
        &document,
        file.to_str().unwrap(),
    ];
    let verified = webhook(&args, None).await;
    assert_eq!(verified.status.code(), Some(0), "{verified:?}");
    assert!(stdout(&verified).contains("Notification"));

    let without_certificate = webhook(
        &args[..4]
            .iter()
            .chain(&args[6..])
            .copied()
            .collect::<Vec<_>>(),
        None,
    )
    .await;
    assert_eq!(without_certificate.status.code(), Some(1));
    assert!(
        stdout(&without_certificate).starts_with("rejected: 503 key_unavailable"),
        "{}",
        stdout(&without_certificate)
    );
}

#[tokio::test]
async fn usage_errors_exit_2_and_every_subcommand_has_help() {
    for args in [&["--help"][..], &["send", "--help"], &["verify", "--help"]] {
        let output = webhook(args, None).await;
        assert!(output.status.success(), "{args:?}");
        assert!(stdout(&output).contains("Usage: webhook"));
    }
    let no_secret = webhook(&["send", "standard", "--dump"], None).await;
    assert_eq!(no_secret.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_secret.stderr).contains("--secret"));
    let no_url = webhook(&["send", "ricloud", "--secret", "x"], None).await;
    assert_eq!(no_url.status.code(), Some(2));
    let unknown = webhook(&["send", "nope"], None).await;
    assert_eq!(unknown.status.code(), Some(2));
    let missing_file = webhook(
        &[
            "verify",
            "ricloud",
            "--secret",
            "x",
            "/nonexistent/request.http",
        ],
        None,
    )
    .await;
    assert_eq!(missing_file.status.code(), Some(2));
}

/// The `webhook-providers` schemes: `send --dump` then `verify` round-trips for each one, and
/// the wrong secret (or, for Ed25519, the wrong public key) is refused with exit code 1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_provider_scheme_round_trips_through_dump_and_verify() {
    let providers = [
        "github",
        "gitlab",
        "shopify",
        "slack",
        "stripe",
        "paddle",
        "calendly",
        "mux",
        "zoom",
        "twilio",
        "linear",
        "square",
        "mailgun",
        "typeform",
        "intercom",
        "sentry",
        "hubspot",
        "zendesk",
        "xero",
        "dropbox",
        "pagerduty",
        "twitter",
        "meta",
        "bitbucket",
        "docusign",
        "mandrill",
        "boxcom",
        "discord",
        "telnyx",
    ];
    let signed_at = "1795341600";
    for provider in providers {
        let public_url = match provider {
            "square" => vec!["--public-url", "https://hooks.example.com/webhooks/square"],
            "twilio" | "hubspot" | "mandrill" => vec!["--public-url", "https://hooks.example.com"],
            _ => Vec::new(),
        };
        let url = format!("https://hooks.example.com/webhooks/{provider}");
        let mut send = vec!["send", provider, "--secret", "cli-secret-0123456789"];
        send.extend(&public_url);
        send.extend(["--url", &url, "--timestamp", signed_at, "--dump"]);
        let dumped = webhook(&send, None).await;
        assert!(dumped.status.success(), "{provider}: {dumped:?}");
        let file = temp_file(&format!("{provider}.http"), &dumped.stdout);
        let file = file.to_str().unwrap();

        let verify = |secret: &'static str, public_key: Option<&'static str>| {
            let mut args = vec![
                "verify",
                provider,
                "--secret",
                secret,
                "--now",
                "1795341605",
            ];
            args.extend(&public_url);
            if let Some(key) = public_key {
                args.extend(["--public-key", key]);
            }
            args.push(file);
            args.into_iter().map(str::to_owned).collect::<Vec<_>>()
        };
        let run = |args: Vec<String>| async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            webhook(&args, None).await
        };
        let verified = run(verify("cli-secret-0123456789", None)).await;
        assert_eq!(verified.status.code(), Some(0), "{provider}: {verified:?}");
        assert!(stdout(&verified).starts_with("verified: {"), "{provider}");

        let (secret, key) = match provider {
            // Another valid Ed25519 key (the RFC 8032 test 1 public key), in each encoding.
            "discord" => (
                "cli-secret-0123456789",
                Some("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"),
            ),
            "telnyx" => (
                "cli-secret-0123456789",
                Some("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="),
            ),
            _ => ("another-secret-987654", None),
        };
        let refused = run(verify(secret, key)).await;
        assert_eq!(refused.status.code(), Some(1), "{provider}: {refused:?}");
        assert!(
            stdout(&refused).starts_with("rejected: 401"),
            "{provider}: {}",
            stdout(&refused)
        );
    }
}
