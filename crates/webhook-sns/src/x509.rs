//! Just enough X.509 (DER) for SNS signing certificates: validity, subject common name and the
//! RSA public key. Bounded and panic-free on any input; anything unexpected is refused.

use webhook_core::der::{element, expect};
use webhook_core::{days_from_civil, parse_canonical_decimal};

/// The parts of a certificate SNS verification needs.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Certificate {
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    pub(crate) common_names: Vec<String>,
    /// DER `RSAPublicKey` (`SEQUENCE { n, e }`), as ring's RSA verification takes it.
    pub(crate) rsa_public_key: Vec<u8>,
}

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;
const BIT_STRING: u8 = 0x03;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
const VERSION_TAG: u8 = 0xA0;
const OID_COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
const OID_RSA_ENCRYPTION: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];

/// Parses a DER certificate.
pub(crate) fn parse(der: &[u8]) -> Option<Certificate> {
    let (certificate, trailing) = expect(der, SEQUENCE)?;
    if !trailing.is_empty() {
        return None;
    }
    let (tbs, _) = expect(certificate, SEQUENCE)?;
    let mut rest = tbs;
    if rest.first() == Some(&VERSION_TAG) {
        rest = element(rest)?.2;
    }
    let (_serial, rest) = expect(rest, 0x02)?;
    let (_signature_algorithm, rest) = expect(rest, SEQUENCE)?;
    let (_issuer, rest) = expect(rest, SEQUENCE)?;
    let (validity, rest) = expect(rest, SEQUENCE)?;
    let (subject, rest) = expect(rest, SEQUENCE)?;
    let (spki, _) = expect(rest, SEQUENCE)?;
    let (not_before, validity) = time(validity)?;
    let (not_after, _) = time(validity)?;
    Some(Certificate {
        not_before,
        not_after,
        common_names: common_names(subject)?,
        rsa_public_key: rsa_key(spki)?,
    })
}

fn time(input: &[u8]) -> Option<(i64, &[u8])> {
    let (tag, contents, rest) = element(input)?;
    let text = std::str::from_utf8(contents).ok()?.strip_suffix('Z')?;
    let (year, rest_text) = match tag {
        UTC_TIME => {
            let yy = i64::try_from(parse_canonical_decimal_fixed(text.get(..2)?)?).ok()?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, text.get(2..)?)
        }
        GENERALIZED_TIME => (
            i64::try_from(parse_canonical_decimal_fixed(text.get(..4)?)?).ok()?,
            text.get(4..)?,
        ),
        _ => return None,
    };
    if rest_text.len() != 10 {
        return None;
    }
    let field = |range: std::ops::Range<usize>| {
        rest_text
            .get(range)
            .and_then(parse_canonical_decimal_fixed)
            .and_then(|v| i64::try_from(v).ok())
    };
    let (month, day, hour, minute, second) = (
        field(0..2)?,
        field(2..4)?,
        field(4..6)?,
        field(6..8)?,
        field(8..10)?,
    );
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    Some((
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second,
        rest,
    ))
}

/// Fixed-width decimal fields may have leading zeros (`08`), unlike signed timestamps.
fn parse_canonical_decimal_fixed(text: &str) -> Option<u64> {
    let trimmed = text.trim_start_matches('0');
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if trimmed.is_empty() {
        Some(0)
    } else {
        parse_canonical_decimal(trimmed)
    }
}

fn common_names(mut name: &[u8]) -> Option<Vec<String>> {
    let mut names = Vec::new();
    while !name.is_empty() {
        let (set, rest) = expect(name, SET)?;
        name = rest;
        let mut attributes = set;
        while !attributes.is_empty() {
            let (attribute, rest) = expect(attributes, SEQUENCE)?;
            attributes = rest;
            let (oid, value) = expect(attribute, OID)?;
            if oid == OID_COMMON_NAME {
                let (_string_tag, text, _) = element(value)?;
                names.push(String::from_utf8(text.to_vec()).ok()?);
            }
        }
    }
    Some(names)
}

fn rsa_key(spki: &[u8]) -> Option<Vec<u8>> {
    let (algorithm, rest) = expect(spki, SEQUENCE)?;
    let (oid, _params) = expect(algorithm, OID)?;
    if oid != OID_RSA_ENCRYPTION {
        return None;
    }
    let (bits, _) = expect(rest, BIT_STRING)?;
    let (&unused, key) = bits.split_first()?;
    (unused == 0).then(|| key.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn times_parse_both_encodings() {
        let utc = [
            UTC_TIME, 13, b'2', b'1', b'0', b'9', b'0', b'7', b'0', b'0', b'0', b'0', b'0', b'0',
            b'Z',
        ];
        assert_eq!(time(&utc).unwrap().0, 1_630_972_800);
        let generalized = b"\x18\x0f20500101000000Z";
        assert_eq!(time(generalized).unwrap().0, 2_524_608_000);
        assert!(time(b"\x17\x0d2109070000AAZ").is_none());
    }

    proptest! {
        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse(&bytes);
        }
    }
}
