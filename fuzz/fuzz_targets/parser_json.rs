//! webhook_core::json strict parser: never panics; what it accepts re-serialises and re-parses
//! to the same value (documents holding non-integer numbers excepted: serde_json without its
//! `float_roundtrip` feature does not promise exact f64 parsing — ledger finding 1).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn has_float(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.is_f64(),
        Value::Array(items) => items.iter().any(has_float),
        Value::Object(map) => map.values().any(has_float),
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = webhook_core::json::parse_strict(data) {
        let text = serde_json::to_vec(&value).expect("serialise");
        let again = webhook_core::json::parse_strict(&text).expect("re-parse own output");
        if !has_float(&value) {
            assert_eq!(value, again);
        }
    }
    let _ = webhook_core::json::parse_strict_object(data);
});
