//! Raw request → the real layer of one of the providers of `webhook-providers` (GitHub, Stripe,
//! Slack, …), in the world of a case of `conformance/vectors/` (see src/lib.rs).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use webhook_fuzz::{Case, provider_cases, run};

static FILES: OnceLock<Vec<Vec<Case>>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let files = FILES.get_or_init(provider_cases);
    let Some((&file, rest)) = data.split_first() else {
        return;
    };
    if let Some(cases) = files.get(usize::from(file) % files.len().max(1)) {
        run(cases, rest);
    }
});
