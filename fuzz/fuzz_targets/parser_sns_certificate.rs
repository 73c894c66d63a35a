//! SNS certificate handling: `SnsScheme::certificate_public_key` on the input as PEM, then the
//! real SNS layer with a genuine AWS notification (the first `sns-aws-2022` case) while the
//! in-process remote serves the input as the signing certificate.
#![no_main]

use std::sync::OnceLock;

use bytes::Bytes;
use http::StatusCode;
use libfuzzer_sys::fuzz_target;
use webhook_core::TableResponse;
use webhook_fuzz::{Case, cases, run_in};

static BASE: OnceLock<(Case, Vec<u8>)> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    if let Ok(pem) = std::str::from_utf8(data) {
        let _ = webhook_sns::SnsScheme::certificate_public_key(pem);
    }
    let (case, request) = BASE.get_or_init(|| {
        (
            cases(include_str!("../../conformance/sns-aws-2022.json")).remove(0),
            include_bytes!("../seeds/adapter_sns/case-000-0")
                .get(1..)
                .unwrap_or_default()
                .to_vec(),
        )
    });
    run_in(case, request, |world| {
        for url in case.remote_urls().filter(|url| url.ends_with(".pem")) {
            let served = TableResponse::status(StatusCode::OK, Bytes::copy_from_slice(data));
            world.net.set(url, served);
        }
    });
});
