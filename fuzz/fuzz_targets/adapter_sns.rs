//! Raw request → the real sns layer, in the world of a conformance case (see src/lib.rs).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use webhook_fuzz::{Case, cases, run};

static CASES: OnceLock<Vec<Case>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let cases = CASES.get_or_init(|| cases(include_str!("../../conformance/sns-aws-2022.json")));
    run(cases, data);
});
