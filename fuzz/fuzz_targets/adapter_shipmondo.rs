//! Raw request → the real shipmondo layer, in the world of a conformance case (see src/lib.rs).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use webhook_fuzz::{Adapter, World, run, worlds};

static WORLDS: OnceLock<Vec<World>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let worlds = WORLDS.get_or_init(|| worlds(include_str!("../../conformance/shipmondo.json")));
    run(Adapter::Shipmondo, worlds, data);
});
