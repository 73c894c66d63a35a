//! ricloud verification beside a raw ring HMAC-SHA256 of the same body, in one run
//! (PERFORMANCE.md M1). Run with `cargo bench -p webhook-ricloud`.
#![allow(missing_docs, clippy::expect_used)] // bench harness: setup failures should abort loudly

use std::hint::black_box;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use http::HeaderMap;
use ring::hmac;
use webhook_ricloud::{RicloudLayer, RicloudSigner};

const SECRET: &str = "ricloud-test-secret-0f3a9c27b1d84e65";
const NOW: u64 = 1_767_225_600;

fn verify(c: &mut Criterion) {
    let scheme = RicloudLayer::new(SECRET)
        .expect("valid secret")
        .into_inner()
        .scheme()
        .clone();
    let signer = RicloudSigner::new(SECRET);
    let raw_key = hmac::Key::new(hmac::HMAC_SHA256, SECRET.as_bytes());
    let mut group = c.benchmark_group("ricloud");
    for size in [1024usize, 64 * 1024, 1024 * 1024] {
        let mut body = br#"{"id":"4f9a3a52-2b8e-4d0c-9f4e-1c2d3e4f5a6b","type":"task","action":"succeeded","data":""#.to_vec();
        body.resize(size - 2, b'x');
        body.extend_from_slice(b"\"}");
        let body = Bytes::from(body);
        let mut headers = HeaderMap::new();
        headers.insert(
            "ricloud-signature",
            signer.header(NOW, &body).parse().expect("ascii"),
        );
        assert!(scheme.verify_parts(&headers, &body, NOW as i64).is_ok());
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("raw_ring_hmac", size), &body, |b, body| {
            b.iter(|| hmac::sign(&raw_key, black_box(body)));
        });
        group.bench_with_input(BenchmarkId::new("verify", size), &body, |b, body| {
            b.iter(|| scheme.verify_parts(black_box(&headers), black_box(body), NOW as i64));
        });
    }
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);
