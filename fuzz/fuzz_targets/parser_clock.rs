//! webhook_core clock parsers: never panic; accepted values format back to the same text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(n) = webhook_core::parse_canonical_decimal(text) {
        assert_eq!(n.to_string(), text, "canonical decimal must round-trip");
    }
    if let Some(secs) = webhook_core::parse_rfc3339_utc(text) {
        let formatted = webhook_core::format_rfc3339_utc(secs);
        assert_eq!(
            webhook_core::parse_rfc3339_utc(&formatted),
            Some(secs),
            "{text} -> {formatted}"
        );
    }
});
