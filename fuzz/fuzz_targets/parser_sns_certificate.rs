//! SNS certificate handling: `SnsScheme::certificate_public_key` on the input as PEM, then the
//! real SNS layer with a genuine AWS notification (the first `sns-aws-2022` case) while the
//! in-process remote serves the input as the signing certificate.
#![no_main]

use std::sync::OnceLock;

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use webhook_fuzz::{Adapter, World, run_in, worlds};

static BASE: OnceLock<(World, Vec<u8>)> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    if let Ok(pem) = std::str::from_utf8(data) {
        let _ = webhook_sns::SnsScheme::certificate_public_key(pem);
    }
    let (base, request) = BASE.get_or_init(|| {
        let world = worlds(include_str!("../../conformance/sns-aws-2022.json")).remove(0);
        (
            world,
            include_bytes!("../seeds/adapter_sns/case-000-0")
                .get(1..)
                .unwrap_or_default()
                .to_vec(),
        )
    });
    let mut world = base.clone();
    for (url, _, body) in &mut world.remote {
        if url.ends_with(".pem") {
            *body = Bytes::copy_from_slice(data);
        }
    }
    run_in(Adapter::Sns, &world, request);
});
