//! Property tests (R1 on stable CI) for the shared parsers: they never panic on any input, and
//! round-trip where that is meaningful. The fuzz targets in `fuzz/` explore the same code
//! without these tests' input shapes.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use serde_json::Value;
use webhook_core::jws::{self, Alg, CompactJws};
use webhook_core::{der, format_rfc3339_utc, json, parse_canonical_decimal, parse_rfc3339_utc};

/// Arbitrary JSON values of bounded size (object keys are unique by construction).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        // Quarter-integers print exactly; serde_json (without `float_roundtrip`) does not
        // promise to round-trip every f64, strict or not.
        any::<i32>().prop_map(|i| Value::from(f64::from(i) / 4.0)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Text drawn from the characters the parsers care about, plus anything.
fn jsonish() -> impl Strategy<Value = String> {
    prop_oneof![r#"[\[\]{}",:0-9a-z.eE+\- \\u]{0,64}"#, ".{0,64}",]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn strict_json_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = json::parse_strict(&bytes);
        let _ = json::parse_strict_object(&bytes);
    }

    #[test]
    fn strict_json_never_panics_on_json_like_text(text in jsonish()) {
        if let Ok(value) = json::parse_strict(text.as_bytes()) {
            // What it accepts, plain serde_json accepts with the same meaning.
            let plain: Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(value, plain);
        }
    }

    #[test]
    fn strict_json_round_trips_serialised_values(value in json_value()) {
        let text = serde_json::to_vec(&value).unwrap();
        prop_assert_eq!(&json::parse_strict(&text).unwrap(), &value);
        let pretty = serde_json::to_vec_pretty(&value).unwrap();
        prop_assert_eq!(json::parse_strict(&pretty).unwrap(), value);
    }

    #[test]
    fn strict_json_refuses_any_duplicate_key(key in "[a-z]{1,6}", a in any::<i32>(), b in any::<i32>(), depth in 0usize..10) {
        let mut text = format!(r#"{{"{key}":{a},"{key}":{b}}}"#);
        for _ in 0..depth {
            text = format!(r#"{{"x":[{text}]}}"#);
        }
        prop_assert!(json::parse_strict(text.as_bytes()).is_err());
    }

    #[test]
    fn strict_json_bounds_nesting(depth in 1usize..5000) {
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let parsed = json::parse_strict(text.as_bytes());
        prop_assert_eq!(parsed.is_ok(), depth <= 64, "depth {}", depth);
    }

    #[test]
    fn jws_parse_never_panics(token in r"[A-Za-z0-9_\-.=+/ ]{0,300}") {
        if let Ok(jws) = CompactJws::parse(&token) {
            let _ = (jws.alg(), jws.kid(), jws.payload());
            let _ = (jws.require_alg(Alg::Hs256), jws.require_alg(Alg::Rs256));
        }
    }

    #[test]
    fn jws_round_trips_its_segments(header in json_value(), payload in prop::collection::vec(any::<u8>(), 0..128), signature in prop::collection::vec(any::<u8>(), 0..64)) {
        let header = serde_json::json!({"alg": "HS256", "x": header});
        let header_text = serde_json::to_vec(&header).unwrap();
        let token = format!(
            "{}.{}.{}",
            jws::encode(&header_text),
            jws::encode(&payload),
            jws::encode(&signature)
        );
        let parsed = CompactJws::parse(&token).unwrap();
        prop_assert_eq!(parsed.payload(), &payload[..]);
        prop_assert_eq!(parsed.alg(), Some("HS256"));
    }

    #[test]
    fn base64url_segments_have_one_encoding(bytes in prop::collection::vec(any::<u8>(), 0..96), text in "[A-Za-z0-9_=+/-]{0,64}") {
        prop_assert_eq!(jws::decode(&jws::encode(&bytes)), Some(bytes));
        if let Some(decoded) = jws::decode(&text) {
            prop_assert_eq!(jws::encode(&decoded), text);
        }
    }

    #[test]
    fn der_reader_never_panics_and_stays_inside_its_input(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let mut input = &bytes[..];
        while let Some((tag, contents, rest)) = der::element(input) {
            prop_assert!(contents.len() + rest.len() + 2 <= input.len());
            prop_assert_eq!(der::expect(input, tag), Some((contents, rest)));
            input = rest;
        }
    }

    #[test]
    fn der_reader_round_trips_encoded_elements(tag in any::<u8>(), len in 0usize..70_000, fill in any::<u8>(), tail in prop::collection::vec(any::<u8>(), 0..8)) {
        let contents = vec![fill; len];
        let mut encoded = vec![tag];
        match len {
            0..=0x7f => encoded.push(u8::try_from(len).unwrap()),
            0x80..=0xff => encoded.extend([0x81, u8::try_from(len).unwrap()]),
            0x100..=0xffff => encoded.extend([0x82, (len >> 8) as u8, len as u8]),
            _ => encoded.extend([0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]),
        }
        encoded.extend_from_slice(&contents);
        encoded.extend_from_slice(&tail);
        prop_assert_eq!(der::element(&encoded), Some((tag, &contents[..], &tail[..])));
        // Truncated by one byte it is no longer a whole element.
        if !contents.is_empty() {
            prop_assert_eq!(der::element(&encoded[..encoded.len() - tail.len() - 1]), None);
        }
    }

    #[test]
    fn canonical_decimal_accepts_exactly_the_canonical_spelling(n in any::<u64>(), text in r"[0-9+\- .e]{0,21}") {
        let canonical = n.to_string();
        prop_assert_eq!(parse_canonical_decimal(&canonical), (canonical.len() <= 19).then_some(n));
        prop_assert_eq!(parse_canonical_decimal(&format!("0{canonical}")), None);
        prop_assert_eq!(parse_canonical_decimal(&format!("+{canonical}")), None);
        if let Some(value) = parse_canonical_decimal(&text) {
            prop_assert_eq!(value.to_string(), text);
        }
    }

    #[test]
    fn rfc3339_round_trips_every_second_of_years_0_to_9999(secs in -62_167_219_200i64..253_402_300_800) {
        let text = format_rfc3339_utc(secs);
        prop_assert_eq!(parse_rfc3339_utc(&text), Some(secs), "{}", text);
        let plain = text.replace(".000Z", "+00:00");
        prop_assert_eq!(parse_rfc3339_utc(&plain), Some(secs), "{}", plain);
    }

    #[test]
    fn rfc3339_never_panics(text in r"[0-9T:.Z+\-]{0,40}|.{0,40}") {
        if let Some(secs) = parse_rfc3339_utc(&text) {
            prop_assert_eq!(parse_rfc3339_utc(&format_rfc3339_utc(secs)), Some(secs));
        }
    }
}
