//! JWKS parsing, through the real AVAplace layer: a genuine request (the `avaplace/valid`
//! conformance case) while the in-process IdP serves the fuzz input as the JWKS document.
#![no_main]

use std::sync::OnceLock;

use bytes::Bytes;
use http::StatusCode;
use libfuzzer_sys::fuzz_target;
use webhook_core::TableResponse;
use webhook_fuzz::{Case, cases, run_in};

static BASE: OnceLock<(Case, Vec<u8>)> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let (case, request) = BASE.get_or_init(|| {
        (
            cases(include_str!("../../conformance/avaplace.json")).remove(0),
            include_bytes!("../seeds/adapter_avaplace/case-000-0")
                .get(1..)
                .unwrap_or_default()
                .to_vec(),
        )
    });
    run_in(case, request, |world| {
        for url in case.remote_urls().filter(|url| url.ends_with("/jwks")) {
            let served = TableResponse::status(StatusCode::OK, Bytes::copy_from_slice(data));
            world.net.set(url, served);
        }
    });
});
