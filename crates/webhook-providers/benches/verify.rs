//! Cost of one verification per scheme pattern, on a 2 KiB body: the HMAC patterns (GitHub,
//! Stripe, Twilio's URL-bound SHA-1) against public-key ones (Ed25519, ECDSA P-256).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)] // bench code

use std::time::Duration;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderMap, HeaderValue, Uri};
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use webhook_core::patterns::{
    Digest, EcdsaP256Keys, Ed25519Keys, HeaderHmac, TimestampedHmac, UrlBoundHmac,
};

const T: u64 = 1_700_000_000;

fn body() -> Bytes {
    let mut text = String::from(r#"{"id":"evt_1","data":""#);
    text.push_str(&"x".repeat(2000));
    text.push_str(r#""}"#);
    Bytes::from(text)
}

fn bench(c: &mut Criterion) {
    let body = body();
    let now = i64::try_from(T).unwrap();

    let github = HeaderHmac::new("x-hub-signature-256", Digest::Sha256)
        .unwrap()
        .prefix("sha256=")
        .secret(b"github-secret")
        .unwrap();
    let mut headers = HeaderMap::new();
    let value = github.sign(0, None, &body).unwrap();
    headers.insert(
        "x-hub-signature-256",
        HeaderValue::from_str(&value).unwrap(),
    );
    c.bench_function("github header hmac", |b| {
        b.iter(|| github.verify(&headers, &body, now).unwrap());
    });

    let stripe = TimestampedHmac::new("stripe-signature", "v1", Duration::from_secs(300))
        .unwrap()
        .secret(b"whsec_old")
        .unwrap()
        .secret(b"whsec_new")
        .unwrap();
    let mut headers = HeaderMap::new();
    let value = format!(
        "{},v1={}",
        stripe.sign(1, T, &body).unwrap(),
        "0".repeat(64)
    );
    headers.insert("stripe-signature", HeaderValue::from_str(&value).unwrap());
    c.bench_function("stripe two secrets, two v1", |b| {
        b.iter(|| stripe.verify(&headers, &body, now).unwrap());
    });

    let form =
        Bytes::from_static(b"CallSid=CA1&From=%2B123&To=%2B456&Body=hello+there&Digits=1234");
    let twilio = UrlBoundHmac::new(
        "x-twilio-signature",
        Digest::LegacySha1,
        "https://h.example",
    )
    .unwrap()
    .secret(b"12345")
    .unwrap();
    let uri: Uri = "/sms?x=1".parse().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-twilio-signature",
        HeaderValue::from_str(&twilio.sign(0, &uri, &form, true).unwrap()).unwrap(),
    );
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    c.bench_function("twilio url-bound sha1", |b| {
        b.iter(|| twilio.verify(&uri, &headers, &form).unwrap());
    });

    let pair = Ed25519KeyPair::from_seed_unchecked(&[7; 32]).unwrap();
    let mut ed = Ed25519Keys::default();
    ed.push(pair.public_key().as_ref()).unwrap();
    let signature = pair.sign(&body);
    c.bench_function("ed25519 verify", |b| {
        b.iter(|| ed.verify(&body, signature.as_ref()).unwrap());
    });

    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let mut ecdsa = EcdsaP256Keys::default();
    ecdsa.push_point(pair.public_key().as_ref()).unwrap();
    let signature = pair.sign(&rng, &body).unwrap();
    c.bench_function("ecdsa p-256 verify", |b| {
        b.iter(|| ecdsa.verify(&body, signature.as_ref()).unwrap());
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
