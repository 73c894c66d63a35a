//! A small compact-JWS (JWT) verifier over *ring*: HS256 and RS256 only, the algorithm pinned by
//! the caller (never taken from the token), header parameters that name keys (`jku`, `x5u`,
//! `jwk`, `x5c`) or extensions (`crit`) refused, and strictly typed time claims.
//!
//! Why not the `jsonwebtoken` crate: 10.x needs aws-lc-rs or RustCrypto `rsa` (one crypto
//! backend rule), and the ring-based 8.x/9.x lines silently skip a string `exp`/`nbf`
//! (CVE-2026-25537).
//!
//! ```
//! use webhook_core::HmacSha256Keys;
//! use webhook_core::jws::{CompactJws, Alg};
//! // The header {"alg":"HS256"}, the claims {"a":1}, signed with key "k".
//! let keys = HmacSha256Keys::new([b"k"]);
//! let signing_input = "eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ";
//! let tag = keys.sign(0, &[signing_input.as_bytes()]).unwrap();
//! let token = format!("{signing_input}.{}", webhook_core::jws::encode(tag.as_ref()));
//!
//! let jws = CompactJws::parse(&token)?;
//! jws.require_alg(Alg::Hs256)?;
//! assert_eq!(jws.verify_hs256(&keys), Some(0));
//! assert_eq!(jws.payload(), br#"{"a":1}"#);
//! # Ok::<_, webhook_core::jws::JwsError>(())
//! ```

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{self, RsaPublicKeyComponents};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::secret::HmacSha256Keys;

/// Why a token was refused, in two classes providers map to their reasons.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwsError {
    /// Not a compact JWS: segment count, base64url, header JSON (`malformed_*`).
    Malformed(&'static str),
    /// A well-formed token that is unacceptable: algorithm, key-naming or `crit` header
    /// parameters, time claims (`token_invalid`).
    Unacceptable(&'static str),
}

impl fmt::Display for JwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(why) => write!(f, "malformed JWS: {why}"),
            Self::Unacceptable(why) => write!(f, "unacceptable JWS: {why}"),
        }
    }
}

impl std::error::Error for JwsError {}

/// The algorithms this verifier knows; the caller pins one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Alg {
    /// HMAC-SHA256.
    Hs256,
    /// RSASSA-PKCS1-v1_5 with SHA-256, moduli of 2048–8192 bits.
    Rs256,
}

impl Alg {
    const fn name(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::Rs256 => "RS256",
        }
    }
}

/// A parsed, not yet verified, compact JWS.
#[derive(Clone)]
pub struct CompactJws<'t> {
    signing_input: &'t str,
    header: JoseHeader,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

impl fmt::Debug for CompactJws<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompactJws")
            .field("alg", &self.alg())
            .field("kid", &self.kid())
            .finish_non_exhaustive()
    }
}

/// The JOSE header members this verifier acts on. Members it does not know are skipped; a
/// known member given twice is malformed (serde refuses duplicate fields), so `{"alg":"HS256",
/// "alg":"none"}` cannot be read two ways. Key-naming members count when present at all, even
/// as `null`.
#[derive(Clone, Debug, Default, Deserialize)]
struct JoseHeader {
    #[serde(default)]
    alg: Option<Value>,
    #[serde(default)]
    kid: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    jku: bool,
    #[serde(default, deserialize_with = "present")]
    x5u: bool,
    #[serde(default, deserialize_with = "present")]
    jwk: bool,
    #[serde(default, deserialize_with = "present")]
    x5c: bool,
    #[serde(default, deserialize_with = "present")]
    crit: bool,
}

fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(deserializer).map(|_| true)
}

impl JoseHeader {
    fn parse(bytes: &[u8]) -> Result<Self, JwsError> {
        let malformed = JwsError::Malformed("header is not a JSON object");
        // serde_json would also read a struct from an array: only an object is a header.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(malformed);
        }
        serde_json::from_slice(bytes).map_err(|_| malformed)
    }
}

impl<'t> CompactJws<'t> {
    /// Splits `token` into exactly three canonical base64url segments (no padding) and parses
    /// the header as a JSON object without duplicate keys.
    ///
    /// # Errors
    /// [`JwsError::Malformed`] for any other shape.
    pub fn parse(token: &'t str) -> Result<Self, JwsError> {
        // The payload is the long segment: it is not scanned for dots here, because base64url
        // has none and its decoding refuses one anyway (then named for what it is below).
        let three_segments = token
            .split_once('.')
            .and_then(|(header, rest)| Some((header, rest.rsplit_once('.')?)));
        let Some((header_b64, (payload_b64, signature_b64))) = three_segments else {
            return Err(JwsError::Malformed("not three segments"));
        };
        let header_bytes =
            decode(header_b64).ok_or(JwsError::Malformed("header is not base64url"))?;
        let payload = decode(payload_b64).ok_or_else(|| {
            JwsError::Malformed(if payload_b64.contains('.') {
                "not three segments"
            } else {
                "payload is not base64url"
            })
        })?;
        let signature =
            decode(signature_b64).ok_or(JwsError::Malformed("signature is not base64url"))?;
        let header = JoseHeader::parse(&header_bytes)?;
        let signing_input = token
            .get(..header_b64.len() + 1 + payload_b64.len())
            .ok_or(JwsError::Malformed("signing input"))?;
        Ok(Self {
            signing_input,
            header,
            payload,
            signature,
        })
    }

    /// Refuses the token unless its `alg` is exactly `alg`, and unless its header is free of
    /// key-naming parameters (`jku`, `x5u`, `jwk`, `x5c`) and of `crit`. Call before verifying.
    ///
    /// # Errors
    /// [`JwsError::Unacceptable`].
    pub fn require_alg(&self, alg: Alg) -> Result<(), JwsError> {
        let header = &self.header;
        if self.alg() != Some(alg.name()) {
            return Err(JwsError::Unacceptable("algorithm not allowed"));
        }
        if header.jku || header.x5u || header.jwk || header.x5c {
            return Err(JwsError::Unacceptable("header names a key"));
        }
        if header.crit {
            return Err(JwsError::Unacceptable(
                "critical header extension not understood",
            ));
        }
        if header.kid.as_ref().is_some_and(|kid| !kid.is_string()) {
            return Err(JwsError::Unacceptable("kid is not a string"));
        }
        Ok(())
    }

    /// The header's `alg`, if a string.
    #[must_use]
    pub fn alg(&self) -> Option<&str> {
        self.header.alg.as_ref().and_then(Value::as_str)
    }

    /// The header's `kid`, if a string.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.header.kid.as_ref().and_then(Value::as_str)
    }

    /// The decoded payload bytes (not yet trusted until a verify call succeeded).
    #[must_use]
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The decoded payload, taken without a copy once the token verified.
    #[must_use]
    pub fn into_payload(self) -> Vec<u8> {
        self.payload
    }

    /// The ASCII `header.payload` that was signed.
    #[must_use]
    pub const fn signing_input(&self) -> &str {
        self.signing_input
    }

    /// Index of the first HMAC key whose HS256 MAC over the signing input equals the signature
    /// (constant-time, length-checked). Call [`require_alg`](Self::require_alg) first.
    #[must_use]
    pub fn verify_hs256(&self, keys: &HmacSha256Keys) -> Option<usize> {
        keys.verify(
            &[self.signing_input.as_bytes()],
            [self.signature.as_slice()],
        )
    }

    /// Whether the RS256 signature verifies under this RSA key (moduli under 2048 bits never
    /// verify). Call [`require_alg`](Self::require_alg) first.
    #[must_use]
    pub fn verify_rs256(&self, key: &RsaPublicKey) -> bool {
        let components = RsaPublicKeyComponents {
            n: key.n.as_slice(),
            e: key.e.as_slice(),
        };
        components
            .verify(
                &signature::RSA_PKCS1_2048_8192_SHA256,
                self.signing_input.as_bytes(),
                &self.signature,
            )
            .is_ok()
    }
}

/// An RSA public key as a JWK gives it: big-endian modulus and exponent.
#[derive(Clone, PartialEq, Eq)]
pub struct RsaPublicKey {
    n: Vec<u8>,
    e: Vec<u8>,
}

impl fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaPublicKey")
            .field("bits", &self.bits())
            .finish()
    }
}

impl RsaPublicKey {
    /// From big-endian modulus and exponent bytes (leading zeros are stripped).
    #[must_use]
    pub fn from_components(n: &[u8], e: &[u8]) -> Self {
        let strip = |b: &[u8]| {
            b.iter()
                .position(|&x| x != 0)
                .map_or_else(Vec::new, |i| b.get(i..).unwrap_or_default().to_vec())
        };
        Self {
            n: strip(n),
            e: strip(e),
        }
    }

    /// From a DER `RSAPublicKey` (`SEQUENCE { INTEGER n, INTEGER e }`), as X.509 certificates
    /// carry it.
    #[must_use]
    pub fn from_rsa_public_key_der(der: &[u8]) -> Option<Self> {
        let (sequence, _) = crate::der::expect(der, 0x30)?;
        let (n, rest) = crate::der::expect(sequence, 0x02)?;
        let (e, _) = crate::der::expect(rest, 0x02)?;
        Some(Self::from_components(n, e))
    }

    /// From a JWK's base64url `n` and `e`.
    ///
    /// # Errors
    /// `n` or `e` is not canonical base64url.
    pub fn from_jwk(n: &str, e: &str) -> Result<Self, JwsError> {
        let n = decode(n).ok_or(JwsError::Malformed("jwk n is not base64url"))?;
        let e = decode(e).ok_or(JwsError::Malformed("jwk e is not base64url"))?;
        Ok(Self::from_components(&n, &e))
    }

    /// The modulus, big-endian without leading zeros.
    #[must_use]
    pub fn modulus(&self) -> &[u8] {
        &self.n
    }

    /// The public exponent, big-endian without leading zeros.
    #[must_use]
    pub fn exponent(&self) -> &[u8] {
        &self.e
    }

    /// Modulus size in bits.
    #[must_use]
    pub fn bits(&self) -> usize {
        self.n.first().map_or(0, |top| {
            (self.n.len() - 1) * 8 + (8 - top.leading_zeros() as usize)
        })
    }

    /// Whether the key is usable for RS256 here: modulus of 2048–8192 bits, odd exponent > 1.
    #[must_use]
    pub fn is_acceptable(&self) -> bool {
        let odd = self.e.last().is_some_and(|last| last & 1 == 1);
        let above_one = self.e.len() > 1 || self.e.first().is_some_and(|&b| b > 1);
        (2048..=8192).contains(&self.bits()) && odd && above_one
    }
}

/// Checks `exp` (required or optional), `nbf` and `iat` (optional) against `now` with `leeway`
/// seconds. All must be JSON integers: a string or fractional date is refused, never skipped;
/// a token issued (`iat`) or valid from (`nbf`) beyond `now + leeway` is refused (B24–B26).
///
/// # Errors
/// [`JwsError::Unacceptable`] naming the failed claim.
///
/// ```
/// use serde_json::json;
/// use webhook_core::jws::check_time_claims;
/// let claims = json!({"exp": 1_000, "nbf": 900});
/// let claims = claims.as_object().unwrap();
/// assert!(check_time_claims(claims, 950, 0, true).is_ok());
/// assert!(check_time_claims(claims, 1_000, 0, true).is_err()); // exp is exclusive
/// assert!(check_time_claims(json!({"exp": "2000"}).as_object().unwrap(), 950, 0, true).is_err());
/// assert!(check_time_claims(json!({"iat": 5_000}).as_object().unwrap(), 950, 0, false).is_err());
/// assert!(check_time_claims(json!({"iat": "900"}).as_object().unwrap(), 950, 0, false).is_err());
/// ```
pub fn check_time_claims(
    claims: &Map<String, Value>,
    now: i64,
    leeway: u64,
    require_exp: bool,
) -> Result<(), JwsError> {
    check_time_members(
        claims.get("exp"),
        claims.get("nbf"),
        claims.get("iat"),
        now,
        leeway,
        require_exp,
    )
}

/// [`check_time_claims`] for claims read one by one (e.g. with
/// [`json::parse_strict_members`](crate::json::parse_strict_members)): `None` is absent, any
/// present value that is not an integer (`null` included) is refused.
///
/// # Errors
/// [`JwsError::Unacceptable`] naming the failed claim.
///
/// ```
/// use serde_json::json;
/// use webhook_core::jws::check_time_members;
/// assert!(check_time_members(Some(&json!(1_000)), None, None, 950, 0, true).is_ok());
/// assert!(check_time_members(Some(&json!(1_000)), Some(&json!(null)), None, 950, 0, true).is_err());
/// assert!(check_time_members(None, None, None, 950, 0, true).is_err()); // exp required
/// ```
pub fn check_time_members(
    exp: Option<&Value>,
    nbf: Option<&Value>,
    iat: Option<&Value>,
    now: i64,
    leeway: u64,
    require_exp: bool,
) -> Result<(), JwsError> {
    let integer = |member: Option<&Value>| member.map(integer_value);
    check_times(
        [integer(exp), integer(nbf), integer(iat)],
        now,
        leeway,
        require_exp,
    )
}

/// `[exp, nbf, iat]`: absent, or present with its value when an integer.
fn check_times(
    [exp, nbf, iat]: [Option<Option<i128>>; 3],
    now: i64,
    leeway: u64,
    require_exp: bool,
) -> Result<(), JwsError> {
    let leeway = i128::from(leeway);
    let now = i128::from(now);
    match exp {
        None if require_exp => return Err(JwsError::Unacceptable("exp is missing")),
        None => {}
        Some(exp) => {
            let exp = exp.ok_or(JwsError::Unacceptable("exp is not an integer"))?;
            if now >= exp + leeway {
                return Err(JwsError::Unacceptable("token expired"));
            }
        }
    }
    if let Some(nbf) = nbf {
        let nbf = nbf.ok_or(JwsError::Unacceptable("nbf is not an integer"))?;
        if nbf > now + leeway {
            return Err(JwsError::Unacceptable("token not yet valid"));
        }
    }
    if let Some(iat) = iat {
        let iat = iat.ok_or(JwsError::Unacceptable("iat is not an integer"))?;
        if iat > now + leeway {
            return Err(JwsError::Unacceptable("token issued in the future"));
        }
    }
    Ok(())
}

fn integer_value(value: &Value) -> Option<i128> {
    value.as_number().and_then(integer_number)
}

fn integer_number(number: &serde_json::Number) -> Option<i128> {
    number
        .as_i64()
        .map(i128::from)
        .or_else(|| number.as_u64().map(i128::from))
}

/// Decodes canonical unpadded base64url.
///
/// ```
/// use webhook_core::jws::decode;
/// assert_eq!(decode("aGk").as_deref(), Some(&b"hi"[..]));
/// assert_eq!(decode("-_8").as_deref(), Some(&[0xfb, 0xff][..]));
/// assert_eq!(decode("aGl"), None); // non-zero trailing bits
/// assert_eq!(decode("aGk="), None); // padding
/// assert_eq!(decode("a+/="), None); // the standard alphabet
/// ```
#[must_use]
pub fn decode(segment: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(segment).ok()
}

/// Encodes unpadded base64url.
#[must_use]
pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn token(header: &str, payload: &str, key: &[u8]) -> String {
        let input = format!(
            "{}.{}",
            encode(header.as_bytes()),
            encode(payload.as_bytes())
        );
        let keys = HmacSha256Keys::new([key]);
        let tag = keys.sign(0, &[input.as_bytes()]).unwrap();
        format!("{input}.{}", encode(tag.as_ref()))
    }

    #[test]
    fn j_alg_none_and_hs_confusion_are_unacceptable() {
        for alg in ["none", "HS384", "RS256", "hs256"] {
            let t = token(&format!(r#"{{"alg":"{alg}"}}"#), "{}", b"k");
            let jws = CompactJws::parse(&t).unwrap();
            assert!(
                matches!(jws.require_alg(Alg::Hs256), Err(JwsError::Unacceptable(_))),
                "{alg}"
            );
        }
        let t = token(r#"{"alg":"HS256"}"#, "{}", b"k");
        assert!(
            CompactJws::parse(&t)
                .unwrap()
                .require_alg(Alg::Rs256)
                .is_err()
        );
    }

    #[test]
    fn j_key_naming_and_crit_headers_are_unacceptable() {
        for extra in [
            r#""jku":"https://x""#,
            r#""x5u":"https://x""#,
            r#""jwk":{}"#,
            r#""x5c":[]"#,
            r#""crit":["b64"]"#,
        ] {
            let t = token(&format!(r#"{{"alg":"HS256",{extra}}}"#), "{}", b"k");
            assert!(
                CompactJws::parse(&t)
                    .unwrap()
                    .require_alg(Alg::Hs256)
                    .is_err(),
                "{extra}"
            );
        }
    }

    #[test]
    fn j_duplicate_alg_in_header_is_malformed() {
        let t = token(r#"{"alg":"HS256","alg":"none"}"#, "{}", b"k");
        assert!(matches!(CompactJws::parse(&t), Err(JwsError::Malformed(_))));
    }

    #[test]
    fn j_shapes_are_malformed() {
        for bad in [
            "",
            "a.b",
            "a.b.c.d",
            "e30.e30.#",
            "e30=.e30.AA",
            "!!.e30.AA",
        ] {
            assert!(
                matches!(CompactJws::parse(bad), Err(JwsError::Malformed(_))),
                "{bad}"
            );
        }
        // Well-formed segments, one too many: a JWE has five.
        for extra in ["e30.e30.e30.AA", "e30.e30.e30.e30.AA", "e30..e30.AA"] {
            assert!(
                matches!(
                    CompactJws::parse(extra),
                    Err(JwsError::Malformed("not three segments"))
                ),
                "{extra}"
            );
        }
    }

    #[test]
    fn hs256_picks_the_matching_rotation_key() {
        let t = token(r#"{"alg":"HS256"}"#, "{}", b"new");
        let jws = CompactJws::parse(&t).unwrap();
        assert_eq!(
            jws.verify_hs256(&HmacSha256Keys::new([b"old".as_slice(), b"new".as_slice()])),
            Some(1)
        );
        assert_eq!(jws.verify_hs256(&HmacSha256Keys::new([b"old"])), None);
    }

    #[test]
    fn time_claims_are_strict() {
        let c = |v: Value| v.as_object().cloned().unwrap();
        assert!(check_time_claims(&c(serde_json::json!({})), 0, 0, true).is_err());
        assert!(check_time_claims(&c(serde_json::json!({})), 0, 0, false).is_ok());
        assert!(check_time_claims(&c(serde_json::json!({"exp": 100.5})), 0, 0, true).is_err());
        assert!(
            check_time_claims(&c(serde_json::json!({"exp": 100, "nbf": "0"})), 0, 0, true).is_err()
        );
        assert!(check_time_claims(&c(serde_json::json!({"exp": 100})), 159, 60, true).is_ok());
        assert!(check_time_claims(&c(serde_json::json!({"exp": 100})), 160, 60, true).is_err());
        assert!(
            check_time_claims(
                &c(serde_json::json!({"exp": i64::MAX, "nbf": i64::MIN})),
                i64::MAX,
                u64::MAX,
                true
            )
            .is_ok()
        );
    }

    #[test]
    fn rsa_key_bits_and_acceptability() {
        let mut n = vec![0u8, 0x80];
        n.extend(vec![0u8; 255]);
        let key = RsaPublicKey::from_components(&n, &[1, 0, 1]);
        assert_eq!(key.bits(), 2048);
        assert!(key.is_acceptable());
        assert!(!RsaPublicKey::from_components(&n, &[1]).is_acceptable());
        assert!(!RsaPublicKey::from_components(&n, &[2]).is_acceptable());
        assert!(!RsaPublicKey::from_components(&[0xff; 128], &[1, 0, 1]).is_acceptable());
    }

    proptest! {
        #[test]
        fn parse_never_panics(token in "[A-Za-z0-9_.=-]{0,200}") {
            let _ = CompactJws::parse(&token).map(|j| (j.require_alg(Alg::Rs256), j.kid().map(str::len)));
        }

        #[test]
        fn decode_round_trips_and_refuses_non_canonical_tails(bytes in proptest::collection::vec(any::<u8>(), 1..40)) {
            let mut encoded = encode(&bytes);
            prop_assert_eq!(decode(&encoded), Some(bytes));
            if let Some(last) = encoded.pop() {
                let accepted = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                    .chars()
                    .filter(|other| decode(&format!("{encoded}{other}")).is_some())
                    .count();
                // A full last quad takes any of 64; a 3-char tail only 16, a 2-char tail only 4.
                let expected = match encoded.len() % 4 { 3 => 64, 2 => 16, _ => 4 };
                prop_assert_eq!(accepted, expected, "{}", last);
            }
        }
    }
}
