//! Shipmondo verification beside the PERFORMANCE.md M3 floor recipe (outer JSON parse, ring
//! HMAC over `h.p`, base64url decode, JSON validate of the claims), in one run.
//! Run with `cargo bench -p webhook-shipmondo`.
#![allow(missing_docs, clippy::expect_used)] // bench harness: setup failures should abort loudly

use std::hint::black_box;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use http::HeaderMap;
use ring::hmac;
use serde_json::{Value, json};
use webhook_core::jws::decode;
use webhook_shipmondo::{ClaimEncoding, ShipmondoLayer, ShipmondoSigner};

const KEY: &str = "shipmondo-test-key";
const URL: &str = "https://hooks.example.com/shipmondo";

fn floor(key: &hmac::Key, body: &[u8]) -> Option<Value> {
    let envelope: Value = serde_json::from_slice(body).ok()?;
    let token = envelope.get("data")?.as_str()?;
    let (input, signature) = token.rsplit_once('.')?;
    hmac::verify(key, input.as_bytes(), &decode(signature)?).ok()?;
    let payload = decode(input.split_once('.')?.1)?;
    serde_json::from_slice(&payload).ok()
}

fn verify(c: &mut Criterion) {
    let scheme = ShipmondoLayer::new(KEY)
        .expect("key")
        .endpoint_url(URL)
        .expect("url")
        .into_inner()
        .scheme()
        .clone();
    let signer = ShipmondoSigner::new(KEY);
    let key = hmac::Key::new(hmac::HMAC_SHA256, KEY.as_bytes());
    let headers = HeaderMap::new();
    let mut group = c.benchmark_group("shipmondo");
    for size in [1024usize, 64 * 1024] {
        let filler = "x".repeat(size.saturating_sub(300) * 3 / 4);
        let claims =
            json!({"webhook": "Orders", "data": {"id": 119175, "note": filler}, "url": URL});
        let body = Bytes::from(signer.body(&claims, ClaimEncoding::Object));
        assert!(scheme.verify_parts(&headers, &body, 0).is_ok());
        assert!(floor(&key, &body).is_some());
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("floor", size), &body, |b, body| {
            b.iter(|| floor(&key, black_box(body)))
        });
        group.bench_with_input(BenchmarkId::new("verify", size), &body, |b, body| {
            b.iter(|| scheme.verify_parts(black_box(&headers), black_box(body), 0));
        });
    }
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);
