//! The Standard Webhooks scheme: `v1` HMAC-SHA256 and `v1a` Ed25519 over `id.timestamp.body`.

use std::fmt;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderMap, HeaderName};
use ring::signature::{ED25519, UnparsedPublicKey};
use webhook_core::{
    ConfigError, HmacSha256Keys, Reason, Rejection, Verdict, Verified, VerifyContext,
    VerifyWebhook, optional_single_header, parse_canonical_decimal, within_window,
};

use crate::event::StandardEvent;

pub(crate) const PROVIDER: &str = "standard";
/// Longest `webhook-id` accepted; it becomes a replay-store key.
pub(crate) const MAX_ID_LEN: usize = 256;
/// Most signature entries read from one header; more is `malformed_header`.
pub(crate) const MAX_SIGNATURES: usize = 16;
const ED25519_PUBLIC_KEY_LEN: usize = 32;

/// The Standard Webhooks verifier: keys, tolerance and header rules. Built through
/// [`StandardLayer`](crate::StandardLayer).
#[derive(Clone, Default)]
pub struct StandardScheme {
    hmac: HmacSha256Keys,
    public_keys: Vec<[u8; ED25519_PUBLIC_KEY_LEN]>,
    tolerance: Duration,
}

impl fmt::Debug for StandardScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StandardScheme")
            .field("secrets", &self.hmac.len())
            .field("public_keys", &self.public_keys.len())
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl StandardScheme {
    /// Default tolerance: 300 seconds either way.
    pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

    pub(crate) fn new() -> Self {
        Self {
            tolerance: Self::DEFAULT_TOLERANCE,
            ..Self::default()
        }
    }

    pub(crate) fn add_secret(&mut self, secret: &str) -> Result<(), ConfigError> {
        self.hmac.push(decode_secret(secret)?);
        Ok(())
    }

    pub(crate) fn add_public_key(&mut self, key: &str) -> Result<(), ConfigError> {
        let encoded = key.strip_prefix("whpk_").unwrap_or(key);
        let bytes = decode_config_base64(encoded, "public key")?;
        let key: [u8; ED25519_PUBLIC_KEY_LEN] = bytes.try_into().map_err(|_| {
            ConfigError::new("Standard Webhooks public key must be 32 bytes (Ed25519)")
        })?;
        self.public_keys.push(key);
        Ok(())
    }

    pub(crate) fn set_tolerance(&mut self, tolerance: Duration) {
        self.tolerance = tolerance;
    }

    pub(crate) fn key_count(&self) -> usize {
        self.hmac.len() + self.public_keys.len()
    }

    /// Verifies a request head and body synchronously (what the layer does, without I/O).
    ///
    /// # Errors
    /// The rejection, with its stable reason.
    pub fn verify_parts(
        &self,
        headers: &HeaderMap,
        body: &Bytes,
        now_unix: i64,
    ) -> Result<Verified<StandardEvent>, Rejection> {
        let id = header_pair(headers, &WEBHOOK_ID, &SVIX_ID)?;
        let timestamp_text = header_pair(headers, &WEBHOOK_TIMESTAMP, &SVIX_TIMESTAMP)?;
        let signatures = header_pair(headers, &WEBHOOK_SIGNATURE, &SVIX_SIGNATURE)?;
        check_id(id)?;
        let timestamp = parse_timestamp(timestamp_text)?;
        // The window before the signatures are decoded, as the reference libraries order it:
        // a stale replay costs no base64 work.
        let tolerance = self.tolerance.as_secs();
        if !within_window(now_unix, timestamp, tolerance, tolerance) {
            return Err(Rejection::new(Reason::TimestampOutOfTolerance)
                .with_detail(format!("timestamp {timestamp} vs now {now_unix}")));
        }
        let entries = parse_signatures(signatures)?;
        let matched = self
            .match_key(id, timestamp_text, body, &entries)
            .ok_or_else(|| {
                Rejection::new(Reason::SignatureMismatch)
                    .with_detail(format!("{} signature(s), none verifies", entries.len()))
            })?;
        let event = StandardEvent::new(id.to_owned(), timestamp, matched, body.clone());
        Ok(Verified::new(PROVIDER, event)
            .id(id)
            .dedup_on(id)
            .timestamp(timestamp)
            .matched_key(matched))
    }

    /// Index of the key that verifies: HMAC secrets first, then public keys.
    fn match_key(
        &self,
        id: &str,
        timestamp: &str,
        body: &Bytes,
        entries: &[Signature],
    ) -> Option<usize> {
        let message = [
            id.as_bytes(),
            b".",
            timestamp.as_bytes(),
            b".",
            body.as_ref(),
        ];
        let macs = entries.iter().filter_map(|e| match e {
            Signature::V1(mac) => Some(mac.as_slice()),
            Signature::V1a(_) => None,
        });
        if let Some(index) = self.hmac.verify(&message, macs) {
            return Some(index);
        }
        let signatures: Vec<&[u8]> = entries
            .iter()
            .filter_map(|e| match e {
                Signature::V1a(sig) => Some(sig.as_slice()),
                Signature::V1(_) => None,
            })
            .collect();
        if signatures.is_empty() || self.public_keys.is_empty() {
            return None;
        }
        // Ed25519 needs the message in one piece; only the asymmetric path pays for the copy.
        let joined = message.concat();
        let position = self.public_keys.iter().position(|key| {
            let key = UnparsedPublicKey::new(&ED25519, key);
            signatures
                .iter()
                .any(|sig| key.verify(&joined, sig).is_ok())
        })?;
        Some(self.hmac.len() + position)
    }
}

impl VerifyWebhook for StandardScheme {
    type Event = StandardEvent;

    /// A timestamp passes for `tolerance` either side of it: the window is twice the tolerance.
    fn replay_window(&self) -> Option<Duration> {
        Some(self.tolerance.saturating_mul(2))
    }

    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn sensitive_headers(&self) -> &'static [&'static str] {
        &["webhook-signature", "svix-signature"]
    }

    async fn verify(
        &self,
        parts: &Parts,
        body: &Bytes,
        cx: &VerifyContext,
    ) -> Result<Verdict<StandardEvent>, Rejection> {
        self.verify_parts(&parts.headers, body, cx.unix_now())
            .map(Verdict::Deliver)
    }
}

/// One signature entry of the header.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Signature {
    V1(Vec<u8>),
    V1a(Vec<u8>),
}

// Parsed once, not on every request.
const WEBHOOK_ID: HeaderName = HeaderName::from_static("webhook-id");
const SVIX_ID: HeaderName = HeaderName::from_static("svix-id");
const WEBHOOK_TIMESTAMP: HeaderName = HeaderName::from_static("webhook-timestamp");
const SVIX_TIMESTAMP: HeaderName = HeaderName::from_static("svix-timestamp");
const WEBHOOK_SIGNATURE: HeaderName = HeaderName::from_static("webhook-signature");
const SVIX_SIGNATURE: HeaderName = HeaderName::from_static("svix-signature");

/// Reads a header that may come under its `webhook-` or `svix-` name; both present must agree.
fn header_pair<'h>(
    headers: &'h HeaderMap,
    standard: &HeaderName,
    svix: &HeaderName,
) -> Result<&'h str, Rejection> {
    let first = optional_single_header(headers, standard)?;
    let second = optional_single_header(headers, svix)?;
    match (first, second) {
        (Some(a), Some(b)) if a != b => Err(Rejection::new(Reason::MalformedHeader)
            .with_detail(format!("{standard} and {svix} disagree"))),
        (Some(value), _) | (None, Some(value)) => Ok(value),
        (None, None) => {
            Err(Rejection::new(Reason::MissingHeader).with_detail(format!("{standard} is missing")))
        }
    }
}

fn check_id(id: &str) -> Result<(), Rejection> {
    let malformed = |why: &str| {
        Err(Rejection::new(Reason::MalformedHeader).with_detail(format!("webhook-id {why}")))
    };
    if id.is_empty() {
        return malformed("is empty");
    }
    if id.len() > MAX_ID_LEN {
        return malformed("is too long");
    }
    // A `.` would let the id absorb part of the timestamp in the signed string.
    if id.bytes().any(|b| b == b'.' || !b.is_ascii_graphic()) {
        return malformed("contains `.`, space or control bytes");
    }
    Ok(())
}

/// Canonical decimal seconds: an optional `-`, then 1–19 digits without leading zeros.
pub(crate) fn parse_timestamp(text: &str) -> Result<i64, Rejection> {
    let (negative, digits) = text
        .strip_prefix('-')
        .map_or((false, text), |rest| (true, rest));
    parse_canonical_decimal(digits)
        .filter(|&magnitude| !(negative && magnitude == 0))
        .and_then(|magnitude| {
            let magnitude = i128::from(magnitude);
            i64::try_from(if negative { -magnitude } else { magnitude }).ok()
        })
        .ok_or_else(|| {
            Rejection::new(Reason::MalformedHeader)
                .with_detail("webhook-timestamp is not a canonical integer")
        })
}

/// Splits the space-separated `version,base64` list; entries that do not decode are kept out
/// (they simply match nothing).
pub(crate) fn parse_signatures(header: &str) -> Result<Vec<Signature>, Rejection> {
    let entries: Vec<&str> = header.split(' ').filter(|e| !e.is_empty()).collect();
    if entries.is_empty() {
        return Err(
            Rejection::new(Reason::MalformedHeader).with_detail("webhook-signature is empty")
        );
    }
    if entries.len() > MAX_SIGNATURES {
        return Err(Rejection::new(Reason::MalformedHeader).with_detail("too many signatures"));
    }
    Ok(entries
        .into_iter()
        .filter_map(|entry| {
            let (version, encoded) = entry.split_once(',')?;
            let decoded = STANDARD.decode(encoded).ok()?;
            match version {
                "v1" => Some(Signature::V1(decoded)),
                "v1a" => Some(Signature::V1a(decoded)),
                _ => None,
            }
        })
        .collect())
}

pub(crate) fn decode_secret(secret: &str) -> Result<Vec<u8>, ConfigError> {
    if secret.trim() != secret {
        return Err(ConfigError::new(
            "Standard Webhooks secret has leading or trailing whitespace",
        ));
    }
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    let bytes = decode_config_base64(encoded, "secret")?;
    if bytes.is_empty() {
        return Err(ConfigError::new("Standard Webhooks secret is empty"));
    }
    Ok(bytes)
}

fn decode_config_base64(encoded: &str, what: &str) -> Result<Vec<u8>, ConfigError> {
    STANDARD
        .decode(encoded)
        .or_else(|_| STANDARD_NO_PAD.decode(encoded))
        .map_err(|_| {
            ConfigError::new(format!(
                "Standard Webhooks {what} is not base64 (expected `whsec_<base64>`)"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn timestamp_h22_h23_noncanonical_forms_are_malformed() {
        for text in [
            "+1614265330",
            " 1614265330",
            "1614265330.0",
            "1.6e9",
            "0x6037",
            "01614265330",
            "",
            "-",
            "１２",
        ] {
            assert_eq!(
                parse_timestamp(text).unwrap_err().reason(),
                Reason::MalformedHeader,
                "{text:?}"
            );
        }
    }

    #[test]
    fn timestamp_h24_twenty_digits_is_malformed() {
        assert_eq!(
            parse_timestamp("12345678901234567890")
                .unwrap_err()
                .reason(),
            Reason::MalformedHeader
        );
    }

    #[test]
    fn timestamp_h25_extremes_parse() {
        assert_eq!(parse_timestamp("-9223372036854775808").unwrap(), i64::MIN);
        assert_eq!(parse_timestamp("9223372036854775807").unwrap(), i64::MAX);
        assert_eq!(parse_timestamp("0").unwrap(), 0);
    }

    #[test]
    fn signature_h05_empty_header_is_malformed() {
        assert_eq!(
            parse_signatures("").unwrap_err().reason(),
            Reason::MalformedHeader
        );
        assert_eq!(
            parse_signatures("   ").unwrap_err().reason(),
            Reason::MalformedHeader
        );
    }

    #[test]
    fn signature_h15_more_than_sixteen_entries_is_malformed() {
        let header = vec!["v1,AAAA"; 17].join(" ");
        assert_eq!(
            parse_signatures(&header).unwrap_err().reason(),
            Reason::MalformedHeader
        );
        assert!(parse_signatures(&vec!["v1,AAAA"; 16].join(" ")).is_ok());
    }

    #[test]
    fn signature_h11_h12_noncanonical_base64_matches_nothing() {
        assert!(parse_signatures("v1,AAB=").unwrap().is_empty());
        assert!(parse_signatures("v1,-_-_").unwrap().is_empty());
        assert!(parse_signatures("v1,AAAA!!").unwrap().is_empty());
    }

    #[test]
    fn secret_h49_with_trailing_newline_is_a_config_error() {
        let mut scheme = StandardScheme::new();
        assert!(
            scheme
                .add_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n")
                .is_err()
        );
        assert!(scheme.add_secret("whsec_").is_err());
        assert!(
            scheme
                .add_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
                .is_ok()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

        #[test]
        fn signature_parser_never_panics(header in ".{0,300}") {
            let _ = parse_signatures(&header);
        }

        #[test]
        fn timestamp_parser_never_panics_and_accepts_only_canonical(text in "[-+0-9a-z. ]{0,25}") {
            if let Ok(value) = parse_timestamp(&text) {
                prop_assert_eq!(value.to_string(), text);
            }
        }

        #[test]
        fn verify_never_panics_on_arbitrary_headers(id in ".{0,40}", ts in "[-0-9]{0,21}", sig in ".{0,120}", body in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut scheme = StandardScheme::new();
            scheme.add_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
            let mut headers = HeaderMap::new();
            for (name, value) in [("webhook-id", id), ("webhook-timestamp", ts), ("webhook-signature", sig)] {
                if let Ok(value) = http::HeaderValue::from_str(&value) {
                    headers.insert(name, value);
                }
            }
            let result = scheme.verify_parts(&headers, &Bytes::from(body), 1_614_265_330);
            prop_assert!(result.is_err());
        }
    }
}
