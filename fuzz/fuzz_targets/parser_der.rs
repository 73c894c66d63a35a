//! webhook_core::der reader: walking any input element by element (and into constructed
//! elements) never panics, and every element's content lies inside its input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fn walk(mut input: &[u8], depth: usize) {
    while let Some((tag, content, rest)) = webhook_core::der::element(input) {
        assert!(
            content.len() + rest.len() < input.len(),
            "element made no progress"
        );
        if tag & 0x20 != 0 && depth < 32 {
            walk(content, depth + 1);
        }
        let _ = webhook_core::der::expect(input, tag);
        input = rest;
    }
}

fuzz_target!(|data: &[u8]| walk(data, 0));
