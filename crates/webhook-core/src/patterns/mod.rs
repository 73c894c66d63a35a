//! The scheme patterns most providers share, built once so a provider is a thin declaration.
//!
//! | pattern | type | providers |
//! | --- | --- | --- |
//! | HMAC over the raw body (or a template of timestamp and body) in one header, hex or base64, optional prefix | [`HeaderHmac`] | GitHub, Shopify, Slack, Zoom, Linear, Square, Typeform, Intercom (SHA-1), Sentry, Xero, Dropbox, X, Meta, Bitbucket, … and any provider through the custom builder |
//! | `t=<unix>,v1=<hex>[,v1=…]` in one header over `"{t}.{body}"` (or Paddle's `ts=..;h1=..` over `"{ts}:{body}"`) | [`TimestampedHmac`] | Stripe, Mux, Calendly, Paddle |
//! | HMAC over a configured public URL plus the sorted form parameters | [`UrlBoundHmac`] | Twilio, Mandrill (both SHA-1) |
//! | Ed25519 public keys over timestamp and body | [`Ed25519Keys`] | Discord, Telnyx |
//! | ECDSA P-256 public keys (DER signatures) | [`EcdsaP256Keys`] | SendGrid |
//! | plain shared tokens compared in constant time | [`SharedTokens`] | GitLab, Meta's verify token |
//! | handshake answers, sent after verification where the provider signs the handshake (Slack, Discord, Zoom); unsigned handshakes (X CRC, Dropbox, Meta) answer only token-shaped challenges | [`handshake`] | Slack, Discord, Zoom, X CRC, Dropbox, Meta |
//!
//! Every comparison is constant-time ([`constant_time_eq`] on
//! equal-length decoded bytes, or *ring*'s own verification); headers are read once
//! ([`single_header`](crate::single_header)) and bounded in length before they are decoded; every
//! failure is a [`Rejection`] with one of the stable reasons.
//!
//! A custom HMAC scheme (header name, prefix, encoding, signed-content template, optional
//! timestamp header and tolerance):
//!
//! ```
//! use std::time::Duration;
//! use bytes::Bytes;
//! use http::HeaderMap;
//! use webhook_core::Reason;
//! use webhook_core::patterns::{Digest, Encoding, HeaderHmac, SignedContent};
//!
//! let scheme = HeaderHmac::new("x-acme-signature", Digest::Sha256)?
//!     .prefix("v1=")
//!     .encoding(Encoding::Base64)
//!     .content(SignedContent::parse("{timestamp}.{body}")?)
//!     .timestamp_header("x-acme-timestamp", Duration::from_secs(300))?
//!     .secret(b"acme-secret")?;
//!
//! let body = Bytes::from_static(br#"{"id":"evt_1"}"#);
//! let signature = scheme.sign(0, Some(1_700_000_000), &body).unwrap();
//! let mut headers = HeaderMap::new();
//! headers.insert("x-acme-signature", signature.parse()?);
//! headers.insert("x-acme-timestamp", "1700000000".parse()?);
//! let matched = scheme.verify(&headers, &body, 1_700_000_010)?;
//! assert_eq!((matched.matched_key, matched.timestamp), (0, Some(1_700_000_000)));
//!
//! let stale = scheme.verify(&headers, &body, 1_700_000_301).unwrap_err();
//! assert_eq!(stale.reason(), Reason::TimestampOutOfTolerance);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod ecdsa;
mod ed25519;
pub mod handshake;
mod header_hmac;
mod timestamped;
mod token;
mod url_bound;

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;
use ring::hmac;

use crate::config::ConfigError;
use crate::rejection::{Reason, Rejection};
use crate::secret::constant_time_eq;
use crate::verify::optional_single_header;

pub use ecdsa::EcdsaP256Keys;
pub use ed25519::Ed25519Keys;
pub use header_hmac::{HeaderHmac, SignedContent, TimestampUnit};
pub use timestamped::TimestampedHmac;
pub use token::SharedTokens;
pub use url_bound::{UrlBoundHmac, form_pairs};

/// Longest signature, token or timestamp header value read (bytes). Longer values are
/// `malformed_header` before any decoding or MAC.
pub const MAX_HEADER_LEN: usize = 2048;

/// Most signatures accepted in one header (rotation sends two or three); more is
/// `malformed_header`, so the work per request stays bounded.
pub const MAX_SIGNATURES: usize = 16;

/// The hash under an HMAC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Digest {
    /// HMAC-SHA256: the default everywhere.
    Sha256,
    /// HMAC-SHA1, only for providers that still sign with it (Twilio, Intercom, Mandrill).
    /// *ring* calls it `HMAC_SHA1_FOR_LEGACY_USE_ONLY`.
    LegacySha1,
}

impl Digest {
    const fn algorithm(self) -> hmac::Algorithm {
        match self {
            Self::Sha256 => hmac::HMAC_SHA256,
            Self::LegacySha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        }
    }

    /// Length of the MAC in bytes.
    #[must_use]
    pub const fn mac_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::LegacySha1 => 20,
        }
    }
}

/// How a MAC or signature is written in its header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Encoding {
    /// Hexadecimal; decoding accepts either case, encoding writes lower case.
    Hex,
    /// Padded standard base64 (RFC 4648 §4), strict: no URL alphabet, no junk, canonical tail.
    Base64,
}

impl Encoding {
    /// Encodes `bytes`.
    #[must_use]
    pub fn encode(self, bytes: &[u8]) -> String {
        match self {
            Self::Hex => hex_encode(bytes),
            Self::Base64 => STANDARD.encode(bytes),
        }
    }

    /// Decodes `text`, or `None` when it is not in this encoding.
    #[must_use]
    pub fn decode(self, text: &str) -> Option<Vec<u8>> {
        match self {
            Self::Hex => hex_decode(text),
            Self::Base64 => STANDARD.decode(text).ok(),
        }
    }
}

/// Lower-case hex of `bytes`.
///
/// ```
/// assert_eq!(webhook_core::patterns::hex_encode(&[0x0f, 0xa0]), "0fa0");
/// ```
#[must_use]
pub fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        for nibble in [byte >> 4, byte & 0x0f] {
            if let Some(&digit) = DIGITS.get(usize::from(nibble)) {
                out.push(char::from(digit));
            }
        }
    }
    out
}

/// Decodes hex of either case; `None` for odd lengths or non-hex characters (no `0x`, no
/// spaces).
///
/// ```
/// use webhook_core::patterns::hex_decode;
/// assert_eq!(hex_decode("0fA0"), Some(vec![0x0f, 0xa0]));
/// assert_eq!(hex_decode("0fa"), None);
/// assert_eq!(hex_decode("0x0f"), None);
/// ```
#[must_use]
pub fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let value = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    };
    text.as_bytes()
        .chunks_exact(2)
        .map(|pair| match pair {
            [high, low] => Some(value(*high)? << 4 | value(*low)?),
            _ => None,
        })
        .collect()
}

/// HMAC keys of one digest for several secrets at once (rotation), each prepared once.
///
/// ```
/// use webhook_core::patterns::{Digest, HmacKeys};
/// let mut keys = HmacKeys::new(Digest::LegacySha1);
/// keys.push(b"old");
/// keys.push(b"new");
/// let tag = keys.sign(1, &[b"body"]).unwrap();
/// assert_eq!(tag.len(), 20);
/// assert_eq!(keys.verify(&[b"body"], [tag.as_slice()]), Some(1));
/// ```
#[derive(Clone)]
pub struct HmacKeys {
    digest: Digest,
    keys: Vec<hmac::Key>,
}

impl fmt::Debug for HmacKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacKeys")
            .field("digest", &self.digest)
            .field("keys", &self.keys.len())
            .finish()
    }
}

impl HmacKeys {
    /// No keys yet.
    #[must_use]
    pub const fn new(digest: Digest) -> Self {
        Self {
            digest,
            keys: Vec::new(),
        }
    }

    /// The digest.
    #[must_use]
    pub const fn digest(&self) -> Digest {
        self.digest
    }

    /// Adds a key after the existing ones (its index is the previous [`len`](Self::len)).
    pub fn push(&mut self, secret: impl AsRef<[u8]>) {
        self.keys
            .push(hmac::Key::new(self.digest.algorithm(), secret.as_ref()));
    }

    /// Number of keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there is no key.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The MAC of the concatenation of `parts` under key `index`.
    #[must_use]
    pub fn sign(&self, index: usize, parts: &[&[u8]]) -> Option<Vec<u8>> {
        self.keys
            .get(index)
            .map(|key| tag(key, parts).as_ref().to_vec())
    }

    /// The index of the first key whose MAC over the concatenation of `parts` equals one of
    /// `candidates` (each key hashes once; every comparison is constant-time and
    /// length-checked).
    pub fn verify<'c, C>(&self, parts: &[&[u8]], candidates: C) -> Option<usize>
    where
        C: IntoIterator<Item = &'c [u8]>,
        C::IntoIter: Clone,
    {
        let candidates = candidates.into_iter();
        self.keys.iter().position(|key| {
            let expected = tag(key, parts);
            candidates.clone().fold(false, |found, c| {
                found | constant_time_eq(expected.as_ref(), c)
            })
        })
    }
}

fn tag(key: &hmac::Key, parts: &[&[u8]]) -> hmac::Tag {
    let mut context = hmac::Context::with_key(key);
    for part in parts {
        context.update(part);
    }
    context.sign()
}

/// Refuses secrets that are empty or have surrounding whitespace (a copy-paste accident that
/// would otherwise silently reject every genuine request, or, when empty, accept forgeries).
///
/// # Errors
/// The secret is empty or has surrounding whitespace; the message names `what`, never the secret.
pub fn check_secret(what: &str, secret: &[u8]) -> Result<(), ConfigError> {
    if secret.is_empty() {
        return Err(ConfigError::new(format!("{what} is empty")));
    }
    if secret.first().is_some_and(u8::is_ascii_whitespace)
        || secret.last().is_some_and(u8::is_ascii_whitespace)
    {
        return Err(ConfigError::new(format!(
            "{what} has leading or trailing whitespace"
        )));
    }
    Ok(())
}

/// A `malformed_header` rejection with a detail for the logs.
#[must_use]
pub fn malformed(detail: impl Into<std::sync::Arc<str>>) -> Rejection {
    Rejection::new(Reason::MalformedHeader).with_detail(detail)
}

/// [`single_header`](crate::single_header) with a length bound: absent is `missing_header`;
/// repeated, not visible ASCII or longer than `max` bytes is `malformed_header`.
///
/// # Errors
/// As above.
pub fn bounded_header<'h>(
    headers: &'h HeaderMap,
    name: &str,
    max: usize,
) -> Result<&'h str, Rejection> {
    let value = optional_bounded_header(headers, name, max)?;
    value.ok_or_else(|| {
        Rejection::new(Reason::MissingHeader).with_detail(format!("{name} is missing"))
    })
}

/// Like [`bounded_header`], but an absent header is `Ok(None)`.
///
/// # Errors
/// `malformed_header` when repeated, not visible ASCII or too long.
pub fn optional_bounded_header<'h>(
    headers: &'h HeaderMap,
    name: &str,
    max: usize,
) -> Result<Option<&'h str>, Rejection> {
    let value = optional_single_header(headers, name)?;
    if value.is_some_and(|v| v.len() > max) {
        return Err(malformed(format!("{name} is longer than {max} bytes")));
    }
    Ok(value)
}

/// Parses a signed timestamp in `unit`: a canonical decimal (see
/// [`parse_canonical_decimal`](crate::parse_canonical_decimal)), else `malformed_header`.
/// Returns whole Unix seconds.
pub(crate) fn parse_timestamp(text: &str, unit: TimestampUnit) -> Result<i64, Rejection> {
    let value = crate::clock::parse_canonical_decimal(text)
        .ok_or_else(|| malformed("timestamp is not a canonical decimal"))?;
    let seconds = match unit {
        TimestampUnit::Seconds => value,
        TimestampUnit::Milliseconds => value / 1000,
    };
    Ok(i64::try_from(seconds).unwrap_or(i64::MAX))
}

/// `timestamp_out_of_tolerance` unless `signed` is within `tolerance` of `now` either way
/// (bounds included).
pub(crate) fn check_window(now: i64, signed: i64, tolerance_secs: u64) -> Result<(), Rejection> {
    if crate::clock::within_window(now, signed, tolerance_secs, tolerance_secs) {
        Ok(())
    } else {
        Err(Rejection::new(Reason::TimestampOutOfTolerance)
            .with_detail(format!("timestamp {signed} vs now {now}")))
    }
}

/// What a MAC scheme found: the configured key that verified, and the signed timestamp (Unix
/// seconds) when the scheme has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HmacMatch {
    /// Index of the configured secret that verified.
    pub matched_key: usize,
    /// The signed timestamp, in Unix seconds.
    pub timestamp: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_junk() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(hex_decode(&hex_encode(&bytes)), Some(bytes));
        for bad in ["g0", "0", " 00", "00 ", "+0", "０0"] {
            assert_eq!(hex_decode(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn secrets_must_be_trimmed_and_non_empty() {
        assert!(check_secret("s", b"").is_err());
        assert!(check_secret("s", b" a").is_err());
        assert!(check_secret("s", b"a\n").is_err());
        assert!(check_secret("s", b"a b").is_ok());
    }
}

#[cfg(test)]
mod proptests {
    use std::time::Duration;

    use bytes::Bytes;
    use http::{HeaderMap, HeaderValue, Uri};
    use proptest::prelude::*;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            if let Ok(value) = HeaderValue::from_str(value) {
                map.append(*name, value);
            }
        }
        map
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1_000, ..ProptestConfig::default() })]

        #[test]
        fn decoders_never_panic(text in ".{0,200}", bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = hex_decode(&text);
            let _ = Encoding::Base64.decode(&text);
            let _ = form_pairs(&bytes);
            let _ = SignedContent::parse(&text);
        }

        #[test]
        fn unsigned_input_never_verifies_and_never_panics(
            signature in "[tv0-9a-zA-Z=,;+/ .-]{0,120}",
            timestamp in "[0-9+ -]{0,24}",
            body in proptest::collection::vec(any::<u8>(), 0..64),
            now in any::<i64>(),
        ) {
            let body = Bytes::from(body);
            let slack = HeaderHmac::new("x-sig", Digest::Sha256).unwrap()
                .prefix("v0=")
                .content(SignedContent::parse("v0:{timestamp}:{body}").unwrap())
                .timestamp_header("x-ts", Duration::from_secs(300)).unwrap()
                .secret(b"secret").unwrap();
            let map = headers(&[("x-sig", &signature), ("x-ts", &timestamp)]);
            prop_assert!(slack.verify(&map, &body, now).is_err());

            let stripe = TimestampedHmac::new("x-sig", "v1", Duration::from_secs(300)).unwrap()
                .secret(b"secret").unwrap();
            prop_assert!(stripe.verify(&map, &body, now).is_err());

            let twilio = UrlBoundHmac::new("x-sig", Digest::LegacySha1, "https://h.example").unwrap()
                .secret(b"secret").unwrap();
            let uri: Uri = "/hook?x=1".parse().unwrap();
            prop_assert!(twilio.verify(&uri, &map, &body).is_err());

            let tokens = SharedTokens::new("x-sig").unwrap().token("a-long-shared-token").unwrap();
            prop_assert!(tokens.verify(&map).is_err());
        }
    }
}
