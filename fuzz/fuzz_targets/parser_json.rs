//! webhook_core::json strict parser: never panics; what it accepts re-serialises and re-parses
//! to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = webhook_core::json::parse_strict(data) {
        let text = serde_json::to_vec(&value).expect("serialise");
        let again = webhook_core::json::parse_strict(&text).expect("re-parse own output");
        assert_eq!(value, again);
    }
    let _ = webhook_core::json::parse_strict_object(data);
});
