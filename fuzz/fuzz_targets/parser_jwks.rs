//! JWKS parsing, through the real AVAplace layer: a genuine request (the `avaplace/valid`
//! conformance case) while the in-process IdP serves the fuzz input as the JWKS document.
#![no_main]

use std::sync::OnceLock;

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use webhook_fuzz::{Adapter, World, run_in, worlds};

static BASE: OnceLock<(World, Vec<u8>)> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let (base, request) = BASE.get_or_init(|| {
        let world = worlds(include_str!("../../conformance/avaplace.json")).remove(0);
        (
            world,
            include_bytes!("../seeds/adapter_avaplace/case-000-0")
                .get(1..)
                .unwrap_or_default()
                .to_vec(),
        )
    });
    let mut world = base.clone();
    for (url, _, body) in &mut world.remote {
        if url.ends_with("/jwks") {
            *body = Bytes::copy_from_slice(data);
        }
    }
    run_in(Adapter::Avaplace, &world, request);
});
