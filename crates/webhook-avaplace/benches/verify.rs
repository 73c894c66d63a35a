//! AVAplace verification with cached keys beside a raw ring RSA-2048/SHA-256 verify of the same
//! signing input, in one run (PERFORMANCE.md M4).
//! Run with `cargo bench -p webhook-avaplace`.
#![allow(
    missing_docs,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing
)] // bench harness: setup failures should abort loudly

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use serde_json::Value;
use webhook_avaplace::{AvaplaceLayer, AvaplaceSigner};
use webhook_core::jws::decode;
use webhook_core::{KeyCache, MemoryReplayStore, TableFetch, VerifyContext, VerifyWebhook};

const ISSUER: &str = "https://idp.example.com/api/asol/idp";
const NOW: i64 = 1_767_225_660;

fn verify(c: &mut Criterion) {
    let signer = AvaplaceSigner::new(ISSUER).unwrap();
    let net = TableFetch::new();
    signer.serve(&net);
    let scheme = AvaplaceLayer::new(ISSUER, "Dx_code")
        .unwrap()
        .into_inner()
        .scheme()
        .clone();
    let cx = VerifyContext::new(
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(NOW as u64),
        "avaplace",
        Arc::new(net),
        KeyCache::default(),
        Arc::new(MemoryReplayStore::default()),
    );
    let uri = "https://hooks.example.com/webhook/ASOL.PlatformStore.OrderReleased/OrderReleased/c0eb0000-5dfe-0015-8604-08dbd6ef8bf7";
    let request = signer
        .request(uri, &signer.claims(NOW - 60), "Dx_code", "{}")
        .unwrap();
    let (parts, body) = request.into_parts();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert!(
        runtime.block_on(scheme.verify(&parts, &body, &cx)).is_ok(),
        "warms the key cache"
    );

    let token = parts.headers["authorization"]
        .to_str()
        .unwrap()
        .strip_prefix("Bearer ")
        .unwrap()
        .to_owned();
    let (input, signature) = token.rsplit_once('.').unwrap();
    let signature = decode(signature).unwrap();
    let jwks: Value = serde_json::from_str(&signer.jwks()).unwrap();
    let n = decode(jwks["keys"][0]["n"].as_str().unwrap()).unwrap();
    let e = decode(jwks["keys"][0]["e"].as_str().unwrap()).unwrap();
    let raw = RsaPublicKeyComponents { n: &n, e: &e };
    assert!(
        raw.verify(&RSA_PKCS1_2048_8192_SHA256, input.as_bytes(), &signature)
            .is_ok()
    );

    let mut group = c.benchmark_group("avaplace_rs256");
    group.bench_function("raw_ring_rsa_verify", |b| {
        b.iter(|| {
            raw.verify(
                &RSA_PKCS1_2048_8192_SHA256,
                black_box(input.as_bytes()),
                black_box(&signature),
            )
        });
    });
    // Where the overhead goes: the token's parse, the claims' strict JSON (one pass, only the
    // members verification reads are built).
    group.bench_function("part_jws_parse", |b| {
        b.iter(|| {
            webhook_core::jws::CompactJws::parse(black_box(&token))
                .map(|j| j.require_alg(webhook_core::jws::Alg::Rs256).is_ok())
        })
    });
    let payload = webhook_core::jws::CompactJws::parse(&token)
        .unwrap()
        .payload()
        .to_vec();
    group.bench_function("part_claims_strict_json", |b| {
        b.iter(|| {
            webhook_core::json::parse_strict_members(
                black_box(&payload),
                ["iss", "exp", "nbf", "iat", "aud", "tid", "sub", "client_id"],
            )
            .is_ok()
        })
    });
    // What driving an async call costs here, so the scheme's own overhead can be read off.
    let key = webhook_core::jws::RsaPublicKey::from_components(&n, &e);
    // The work no RS256 bearer verifier can skip: base64url, the header, the RSA verify.
    group.bench_function("part_parse_and_rsa_verify", |b| {
        b.iter(|| {
            webhook_core::jws::CompactJws::parse(black_box(&token))
                .map(|jws| jws.verify_rs256(black_box(&key)))
        })
    });
    group.bench_function("block_on_empty", |b| {
        b.iter(|| runtime.block_on(async { black_box(1) }))
    });
    group.bench_function("verify_cached_keys", |b| {
        b.iter(|| runtime.block_on(scheme.verify(black_box(&parts), black_box(&body), &cx)));
    });
    // The replay store is not touched by `verify` (the core claims ids afterwards), so repeating
    // the same request measures verification only.
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);
