//! Standard Webhooks verification: this library beside the `svix` crate, same secret, same
//! signed request, same run (PERFORMANCE.md M2: ≥ 4× faster at 1 KiB, ≥ 5× at 64 KiB).
#![allow(missing_docs, clippy::expect_used)]

use std::hint::black_box;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use webhook_standard::{StandardLayer, StandardSigner};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

fn compare(c: &mut Criterion) {
    let ours = StandardLayer::new(SECRET).expect("secret").into_inner().scheme().clone();
    let theirs = svix::webhooks::Webhook::new(SECRET).expect("secret");
    let signer = StandardSigner::new(SECRET).expect("secret");
    let mut group = c.benchmark_group("m2_standard_webhooks");
    for size in [1024usize, 64 * 1024] {
        let timestamp = now();
        let body = Bytes::from(vec![b'x'; size]);
        let request = signer.request("/", "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp, body.clone()).expect("request");
        let headers = request.headers().clone();
        assert!(ours.verify_parts(&headers, &body, now()).is_ok());
        assert!(theirs.verify(&body, &headers).is_ok());
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("webhook_standard", size), &body, |b, body| {
            b.iter(|| ours.verify_parts(black_box(&headers), black_box(body), timestamp));
        });
        group.bench_with_input(BenchmarkId::new("svix", size), &body, |b, body| {
            b.iter(|| theirs.verify(black_box(body), black_box(&headers)));
        });
    }
    group.finish();
}

criterion_group!(benches, compare);
criterion_main!(benches);
