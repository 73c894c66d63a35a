//! Instruction counts of Shipmondo verification beside the M3 floor recipe, repeatable on a busy
//! machine: `valgrind --tool=callgrind target/release/examples/profile_verify verify 200` (or
//! `floor`), then compare the two totals per iteration.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use bytes::Bytes;
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

fn main() {
    let mode = std::env::args().nth(1).expect("mode: verify | floor");
    let rounds: usize = std::env::args()
        .nth(2)
        .expect("rounds")
        .parse()
        .expect("a number");
    let scheme = ShipmondoLayer::new(KEY)
        .expect("key")
        .endpoint_url(URL)
        .expect("url")
        .into_inner()
        .scheme()
        .clone();
    let key = hmac::Key::new(hmac::HMAC_SHA256, KEY.as_bytes());
    let filler = "x".repeat((1024 - 300) * 3 / 4);
    let claims = json!({"webhook": "Orders", "data": {"id": 119175, "note": filler}, "url": URL});
    let body = Bytes::from(ShipmondoSigner::new(KEY).body(&claims, ClaimEncoding::Object));
    let headers = HeaderMap::new();
    for _ in 0..rounds {
        match mode.as_str() {
            "verify" => assert!(scheme.verify_parts(&headers, black_box(&body), 0).is_ok()),
            _ => assert!(floor(&key, black_box(&body)).is_some()),
        }
    }
}
