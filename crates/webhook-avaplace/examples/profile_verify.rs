#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]
use std::hint::black_box;
use std::sync::Arc;

use ring::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use serde_json::Value;
use webhook_avaplace::{AvaplaceLayer, AvaplaceSigner};
use webhook_core::jws::decode;
use webhook_core::{KeyCache, MemoryReplayStore, TableFetch, VerifyContext, VerifyWebhook};

const ISSUER: &str = "https://idp.example.com/api/asol/idp";
const NOW: i64 = 1_767_225_660;

fn main() {
    let mode = std::env::args().nth(1).unwrap();
    let n: usize = std::env::args().nth(2).unwrap().parse().unwrap();
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
    assert!(runtime.block_on(scheme.verify(&parts, &body, &cx)).is_ok());
    let token = parts.headers["authorization"]
        .to_str()
        .unwrap()
        .strip_prefix("Bearer ")
        .unwrap()
        .to_owned();
    let (input, signature) = token.rsplit_once('.').unwrap();
    let signature = decode(signature).unwrap();
    let jwks: Value = serde_json::from_str(&signer.jwks()).unwrap();
    let n_ = decode(jwks["keys"][0]["n"].as_str().unwrap()).unwrap();
    let e = decode(jwks["keys"][0]["e"].as_str().unwrap()).unwrap();
    let raw = RsaPublicKeyComponents { n: &n_, e: &e };
    for _ in 0..n {
        match mode.as_str() {
            "raw" => {
                let _ = black_box(raw.verify(
                    &RSA_PKCS1_2048_8192_SHA256,
                    black_box(input.as_bytes()),
                    black_box(&signature),
                ));
            }
            "verify" => {
                let _ = black_box(runtime.block_on(scheme.verify(
                    black_box(&parts),
                    black_box(&body),
                    &cx,
                )));
            }
            _ => {}
        }
    }
}
