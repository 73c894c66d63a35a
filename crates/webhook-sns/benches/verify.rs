//! SNS Notification verification with the certificate cached, beside raw ring RSA verification
//! of the same string to sign, in one run (PERFORMANCE.md M5), for genuine AWS SignatureVersion
//! 1 and 2 messages (the conformance vectors), plus the cache-miss PEM -> key parse.
//! Run with `cargo bench -p webhook-sns`.
#![allow(
    missing_docs,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing
)] // bench harness

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http::Request;
use ring::signature::{self, UnparsedPublicKey};
use serde_json::Value;
use webhook_core::{
    KeyCache, MemoryReplayStore, TableFetch, TableResponse, VerifyContext, VerifyWebhook,
    parse_rfc3339_utc,
};
use webhook_sns::{SnsLayer, SnsScheme};

fn string_to_sign(message: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    for key in [
        "Message",
        "MessageId",
        "Subject",
        "Timestamp",
        "TopicArn",
        "Type",
    ] {
        if let Some(value) = message[key].as_str() {
            out.extend_from_slice(format!("{key}\n{value}\n").as_bytes());
        }
    }
    out
}

fn verify(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../conformance/sns-aws-2022.json"
    );
    let vectors: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("sns");
    for (name, id) in [
        ("v1", "sns/aws-real-v1-subject-accept"),
        ("v2", "sns/aws-real-v2-subject-accept"),
    ] {
        let case = vectors["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap();
        let body = case["requests"][0]["body"].as_str().unwrap().to_owned();
        let message: Value = serde_json::from_str(&body).unwrap();
        let (url, remote) = case["remote"].as_object().unwrap().iter().next().unwrap();
        let pem = remote["body"].as_str().unwrap().to_owned();
        let now = parse_rfc3339_utc(case["now"].as_str().unwrap()).unwrap() as u64;

        let net = TableFetch::new().with(url.clone(), TableResponse::ok(pem.clone()));
        let topic = message["TopicArn"].as_str().unwrap();
        let scheme = SnsLayer::new(&[topic])
            .unwrap()
            .into_inner()
            .scheme()
            .clone();
        let cx = VerifyContext::new(
            UNIX_EPOCH + Duration::from_secs(now),
            "sns",
            Arc::new(net),
            KeyCache::default(),
            Arc::new(MemoryReplayStore::default()),
        );
        let (parts, body) = Request::post("/sns")
            .header("x-amz-sns-message-type", "Notification")
            .body(Bytes::from(body))
            .unwrap()
            .into_parts();
        assert!(
            runtime.block_on(scheme.verify(&parts, &body, &cx)).is_ok(),
            "warms the certificate cache"
        );

        let key = SnsScheme::certificate_public_key(&pem).unwrap();
        let algorithm: &dyn signature::VerificationAlgorithm = if name == "v1" {
            &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY
        } else {
            &signature::RSA_PKCS1_2048_8192_SHA256
        };
        let raw = UnparsedPublicKey::new(algorithm, key);
        let signed = string_to_sign(&message);
        let signature = STANDARD
            .decode(message["Signature"].as_str().unwrap())
            .unwrap();
        assert!(raw.verify(&signed, &signature).is_ok());

        group.bench_function(format!("raw_ring_rsa_{name}"), |b| {
            b.iter(|| raw.verify(black_box(&signed), black_box(&signature)))
        });
        group.bench_function(format!("verify_cached_{name}"), |b| {
            b.iter(|| runtime.block_on(scheme.verify(black_box(&parts), black_box(&body), &cx)))
        });
        if name == "v1" {
            group.bench_function("pem_to_key", |b| {
                b.iter(|| SnsScheme::certificate_public_key(black_box(&pem)))
            });
            group.bench_function("block_on_empty", |b| {
                b.iter(|| runtime.block_on(async { black_box(1) }))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);
