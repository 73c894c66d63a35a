//! webhook_core::jws: CompactJws::parse and the base64url segment codec never panic; a decoded
//! segment re-encodes to the same text (one encoding per byte string).
#![no_main]

use libfuzzer_sys::fuzz_target;
use webhook_core::jws::{self, Alg, CompactJws};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(token) = CompactJws::parse(text) {
        let _ = token.alg();
        let _ = token.kid();
        let _ = token.payload();
        let _ = token.require_alg(Alg::Hs256);
        let _ = token.require_alg(Alg::Rs256);
    }
    for segment in text.split('.') {
        if let Some(bytes) = jws::decode(segment) {
            assert_eq!(
                jws::encode(&bytes),
                segment,
                "decode accepted a non-canonical segment"
            );
        }
    }
});
