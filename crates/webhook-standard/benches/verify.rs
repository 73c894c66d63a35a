//! Standard Webhooks verification beside a raw ring HMAC-SHA256 of the same body, in one run
//! (PERFORMANCE.md M1), and the reject paths beside the valid one (M8).
//! Run with `cargo bench -p webhook-standard`.
#![allow(missing_docs, clippy::expect_used)] // bench harness: setup failures should abort loudly

use std::hint::black_box;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use http::HeaderMap;
use ring::hmac;
use webhook_standard::{StandardLayer, StandardSigner};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOW: i64 = 1_614_265_330;

fn verify(c: &mut Criterion) {
    let layer = StandardLayer::new(SECRET)
        .expect("valid secret")
        .into_inner();
    let scheme = layer.scheme().clone();
    let signer = StandardSigner::new(SECRET).expect("valid secret");
    let raw_key = hmac::Key::new(hmac::HMAC_SHA256, b"0123456789abcdef0123456789abcdef");
    let mut group = c.benchmark_group("standard_v1");
    for size in [1024usize, 64 * 1024, 1024 * 1024] {
        let body = Bytes::from(vec![b'x'; size]);
        let mut headers = HeaderMap::new();
        headers.insert(
            "webhook-id",
            "msg_p5jXN8AQM9LWM0D4loKWxJek".parse().expect("ascii"),
        );
        headers.insert("webhook-timestamp", NOW.to_string().parse().expect("ascii"));
        let signature = signer.signature("msg_p5jXN8AQM9LWM0D4loKWxJek", NOW, &body);
        headers.insert("webhook-signature", signature.parse().expect("ascii"));
        assert!(scheme.verify_parts(&headers, &body, NOW).is_ok());
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("raw_ring_hmac", size), &body, |b, body| {
            b.iter(|| hmac::sign(&raw_key, black_box(body)));
        });
        group.bench_with_input(BenchmarkId::new("verify", size), &body, |b, body| {
            b.iter(|| scheme.verify_parts(black_box(&headers), black_box(body), NOW));
        });
        if size == 1024 {
            reject_paths(&mut group, &scheme, &headers, &body);
        }
    }
    group.finish();
}

/// M8: a bad signature costs what a valid one costs (the MAC is computed either way and
/// compared in constant time); header and timestamp refusals happen before any hashing.
fn reject_paths(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    scheme: &webhook_standard::StandardScheme,
    headers: &HeaderMap,
    body: &Bytes,
) {
    let mut forged = headers.clone();
    let bad = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    forged.insert("webhook-signature", bad.parse().expect("ascii"));
    assert!(scheme.verify_parts(&forged, body, NOW).is_err());
    group.bench_function("reject_bad_signature/1024", |b| {
        b.iter(|| scheme.verify_parts(black_box(&forged), black_box(body), NOW));
    });
    let stale_now = NOW + 3600;
    assert!(scheme.verify_parts(headers, body, stale_now).is_err());
    group.bench_function("reject_stale_timestamp/1024", |b| {
        b.iter(|| scheme.verify_parts(black_box(headers), black_box(body), stale_now));
    });
    let mut missing = headers.clone();
    missing.remove("webhook-signature");
    assert!(scheme.verify_parts(&missing, body, NOW).is_err());
    group.bench_function("reject_missing_header/1024", |b| {
        b.iter(|| scheme.verify_parts(black_box(&missing), black_box(body), NOW));
    });
}

criterion_group!(benches, verify);
criterion_main!(benches);
