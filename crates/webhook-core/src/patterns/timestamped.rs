//! [`TimestampedHmac`]: `t=<unix>,v1=<hex>[,v1=<hex>…]` over `"{t}.{body}"` (Stripe style).

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName};

use super::header_hmac::header_name;
use super::{
    Digest, Encoding, HmacKeys, HmacMatch, MAX_HEADER_LEN, MAX_SIGNATURES, TimestampUnit,
    bounded_header, check_secret, check_window, malformed, parse_timestamp,
};
use crate::config::ConfigError;
use crate::rejection::{Reason, Rejection};

/// The Stripe-style header `t=<unix seconds>,v1=<hex MAC>[,v1=…]`, the MAC taken over
/// `"<t>.<body>"` with the exact text of `t`.
///
/// The header is parsed by key, strictly: comma-separated `key=value` pairs, no spaces,
/// exactly one `t` (a canonical decimal), at most [`MAX_SIGNATURES`] signatures under the
/// scheme's label (several during a secret rotation: any one may verify); other labels (`v0`)
/// are ignored. No signature under the label is `signature_mismatch`, as is a MAC of the wrong
/// length. The window is two-sided and inclusive.
///
/// ```
/// use std::time::Duration;
/// use bytes::Bytes;
/// use http::HeaderMap;
/// use webhook_core::patterns::TimestampedHmac;
///
/// let scheme = TimestampedHmac::new("stripe-signature", "v1", Duration::from_secs(300))?
///     .secret(b"whsec_test_secret")?;
/// let body = Bytes::from_static(br#"{"id":"evt_1"}"#);
/// let header = scheme.sign(0, 1_700_000_000, &body).unwrap();
/// assert!(header.starts_with("t=1700000000,v1="));
/// let mut headers = HeaderMap::new();
/// headers.insert("stripe-signature", format!("{header},v1=00,v0=ff").parse()?);
/// assert_eq!(scheme.verify(&headers, &body, 1_700_000_300)?.matched_key, 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct TimestampedHmac {
    header: HeaderName,
    label: String,
    timestamp_key: String,
    separator: char,
    joiner: String,
    tolerance: Duration,
    keys: HmacKeys,
}

impl TimestampedHmac {
    /// A scheme reading `header`, signatures under `label` (`v1`), HMAC-SHA256 hex, no secret
    /// yet.
    ///
    /// # Errors
    /// `header` is not a valid header name, or `label` is empty, `t` or contains `=`/`,`.
    pub fn new(header: &str, label: &str, tolerance: Duration) -> Result<Self, ConfigError> {
        if label.is_empty() || label == "t" || label.contains(['=', ',']) {
            return Err(ConfigError::new(format!(
                "`{label}` is not a usable signature label"
            )));
        }
        Ok(Self {
            header: header_name(header)?,
            label: label.to_owned(),
            timestamp_key: "t".to_owned(),
            separator: ',',
            joiner: ".".to_owned(),
            tolerance,
            keys: HmacKeys::new(Digest::Sha256),
        })
    }

    /// Another spelling of the same scheme: the timestamp's key (`ts` instead of `t`), the
    /// separator between pairs (`;` instead of `,`) and the text between timestamp and body in
    /// the signed content (`:` instead of `.`) — Paddle writes `ts=..;h1=..` over
    /// `"{ts}:{body}"`.
    ///
    /// # Errors
    /// The key is empty or equals the signature label, or the separator is `=`.
    pub fn format(
        mut self,
        timestamp_key: &str,
        separator: char,
        joiner: &str,
    ) -> Result<Self, ConfigError> {
        if timestamp_key.is_empty() || timestamp_key == self.label || separator == '=' {
            return Err(ConfigError::new("unusable timestamped-signature format"));
        }
        self.timestamp_key = timestamp_key.to_owned();
        self.separator = separator;
        self.joiner = joiner.to_owned();
        Ok(self)
    }

    /// Adds a secret (rotation).
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn secret(mut self, secret: &[u8]) -> Result<Self, ConfigError> {
        self.add_secret(secret)?;
        Ok(self)
    }

    /// Adds a secret in place.
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn add_secret(&mut self, secret: &[u8]) -> Result<(), ConfigError> {
        check_secret("signing secret", secret)?;
        self.keys.push(secret);
        Ok(())
    }

    /// Changes the tolerance.
    pub const fn set_tolerance(&mut self, tolerance: Duration) {
        self.tolerance = tolerance;
    }

    /// The header's name.
    #[must_use]
    pub const fn header(&self) -> &HeaderName {
        &self.header
    }

    /// Verifies at `now` (Unix seconds).
    ///
    /// # Errors
    /// `missing_header`, `malformed_header`, `timestamp_out_of_tolerance`,
    /// `signature_mismatch`.
    pub fn verify(
        &self,
        headers: &HeaderMap,
        body: &Bytes,
        now: i64,
    ) -> Result<HmacMatch, Rejection> {
        let value = bounded_header(headers, self.header.as_str(), MAX_HEADER_LEN)?;
        let mut timestamp_text = None;
        let mut signatures = Vec::new();
        for pair in value.split(self.separator) {
            let (key, item) = pair
                .split_once('=')
                .ok_or_else(|| malformed(format!("{}: `{pair}` is not key=value", self.header)))?;
            if key.is_empty() || key.contains(|c: char| !c.is_ascii_alphanumeric()) {
                return Err(malformed(format!("{}: bad key", self.header)));
            }
            if key == self.timestamp_key {
                if timestamp_text.replace(item).is_some() {
                    return Err(malformed(format!(
                        "{}: the timestamp is repeated",
                        self.header
                    )));
                }
            } else if key == self.label {
                if signatures.len() == MAX_SIGNATURES {
                    return Err(malformed(format!("{}: too many signatures", self.header)));
                }
                let mac = Encoding::Hex
                    .decode(item)
                    .ok_or_else(|| malformed(format!("{}: signature is not hex", self.header)))?;
                signatures.push(mac);
            }
        }
        let timestamp_text =
            timestamp_text.ok_or_else(|| malformed(format!("{}: no timestamp", self.header)))?;
        let timestamp = parse_timestamp(timestamp_text, TimestampUnit::Seconds)?;
        check_window(now, timestamp, self.tolerance.as_secs())?;
        if signatures.is_empty() {
            return Err(Rejection::new(Reason::SignatureMismatch)
                .with_detail(format!("{}: no `{}` signature", self.header, self.label)));
        }
        let matched_key = self
            .keys
            .verify(
                &[
                    timestamp_text.as_bytes(),
                    self.joiner.as_bytes(),
                    body.as_ref(),
                ],
                signatures.iter().map(Vec::as_slice),
            )
            .ok_or_else(|| Rejection::new(Reason::SignatureMismatch))?;
        Ok(HmacMatch {
            matched_key,
            timestamp: Some(timestamp),
        })
    }

    /// The header value the sender would write with key `index` at `timestamp`.
    #[must_use]
    pub fn sign(&self, index: usize, timestamp: u64, body: &[u8]) -> Option<String> {
        self.header_value(&self.keys, index, timestamp, body)
    }

    /// The header value a sender holding `secret` writes at `timestamp`, in this scheme's
    /// spelling. The secret is neither checked nor kept: this is for test signers, so that a
    /// provider's signer and its verifier share one definition of the format.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_core::patterns::TimestampedHmac;
    ///
    /// let paddle = TimestampedHmac::new("paddle-signature", "h1", Duration::from_secs(5))?
    ///     .format("ts", ';', ":")?;
    /// let header = paddle.sign_with(b"pdl_ntfset_secret", 1_700_000_000, b"{}");
    /// assert!(header.starts_with("ts=1700000000;h1="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn sign_with(&self, secret: &[u8], timestamp: u64, body: &[u8]) -> String {
        let mut keys = HmacKeys::new(self.keys.digest());
        keys.push(secret);
        self.header_value(&keys, 0, timestamp, body)
            .unwrap_or_default()
    }

    fn header_value(
        &self,
        keys: &HmacKeys,
        index: usize,
        timestamp: u64,
        body: &[u8],
    ) -> Option<String> {
        let t = timestamp.to_string();
        let mac = keys.sign(index, &[t.as_bytes(), self.joiner.as_bytes(), body])?;
        Some(format!(
            "{}={t}{}{}={}",
            self.timestamp_key,
            self.separator,
            self.label,
            Encoding::Hex.encode(&mac)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: u64 = 1_700_000_000;

    fn scheme() -> TimestampedHmac {
        TimestampedHmac::new("stripe-signature", "v1", Duration::from_secs(300))
            .unwrap()
            .secret(b"whsec_old")
            .unwrap()
            .secret(b"whsec_new")
            .unwrap()
    }

    fn check(value: &str, now: u64) -> Result<HmacMatch, Reason> {
        let mut headers = HeaderMap::new();
        headers.insert("stripe-signature", value.parse().unwrap());
        scheme()
            .verify(
                &headers,
                &Bytes::from_static(b"{}"),
                i64::try_from(now).unwrap(),
            )
            .map_err(|r| r.reason())
    }

    #[test]
    fn rotation_with_the_valid_entry_anywhere() {
        let good = scheme().sign(1, T, b"{}").unwrap();
        let mac = good.split_once(",v1=").unwrap().1;
        let zero = "0".repeat(64);
        for value in [
            format!("t={T},v1={mac}"),
            format!("t={T},v1={zero},v1={mac}"),
            format!("t={T},v1={mac},v1={zero},v0={zero}"),
            format!("v1={mac},t={T}"),
        ] {
            assert_eq!(check(&value, T).map(|m| m.matched_key), Ok(1), "{value}");
        }
    }

    #[test]
    fn stripe_edge_cases_h51_to_h54() {
        let good = scheme().sign(0, T, b"{}").unwrap();
        let mac = good.split_once(",v1=").unwrap().1;
        assert_eq!(
            check(&format!("t={T},t=1,v1={mac}"), T),
            Err(Reason::MalformedHeader)
        );
        assert_eq!(
            check(&format!("t={T},v0={mac}"), T),
            Err(Reason::SignatureMismatch)
        );
        assert_eq!(
            check(&format!("t={T}, v1={mac}"), T),
            Err(Reason::MalformedHeader)
        );
        assert_eq!(
            check(&format!("t={T}abc,v1={mac}"), T),
            Err(Reason::MalformedHeader)
        );
        assert_eq!(check(&format!("v1={mac}"), T), Err(Reason::MalformedHeader));
        assert_eq!(check(&good, T + 301), Err(Reason::TimestampOutOfTolerance));
        assert_eq!(check(&good, T - 301), Err(Reason::TimestampOutOfTolerance));
        assert!(check(&good, T + 300).is_ok());
        assert_eq!(
            check(&format!("t={T},v1="), T),
            Err(Reason::SignatureMismatch)
        );
        let many = format!("t={T}{}", ",v1=00".repeat(MAX_SIGNATURES + 1));
        assert_eq!(check(&many, T), Err(Reason::MalformedHeader));
        assert_eq!(check("", T), Err(Reason::MalformedHeader));
    }

    #[test]
    fn paddles_spelling_parses_by_its_own_keys() {
        let paddle = TimestampedHmac::new("paddle-signature", "h1", Duration::from_secs(5))
            .unwrap()
            .format("ts", ';', ":")
            .unwrap()
            .secret(b"pdl_ntfset_secret")
            .unwrap();
        let header = paddle.sign(0, T, b"{}").unwrap();
        assert!(header.starts_with(&format!("ts={T};h1=")));
        let mut headers = HeaderMap::new();
        headers.insert("paddle-signature", header.parse().unwrap());
        let body = Bytes::from_static(b"{}");
        assert!(
            paddle
                .verify(&headers, &body, i64::try_from(T).unwrap() + 5)
                .is_ok()
        );
        headers.insert(
            "paddle-signature",
            header.replace(';', ",").parse().unwrap(),
        );
        assert!(
            paddle
                .verify(&headers, &body, i64::try_from(T).unwrap())
                .is_err()
        );
    }

    #[test]
    fn labels_are_checked() {
        for bad in ["", "t", "v=1", "v,1"] {
            assert!(TimestampedHmac::new("x", bad, Duration::ZERO).is_err());
        }
    }
}
