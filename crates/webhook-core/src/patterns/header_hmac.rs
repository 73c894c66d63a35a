//! [`HeaderHmac`]: one MAC in one header over a template of the body (and a timestamp).

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName};

use super::{
    Digest, Encoding, HmacKeys, HmacMatch, MAX_HEADER_LEN, bounded_header, check_secret,
    check_window, malformed, parse_timestamp,
};
use crate::config::ConfigError;
use crate::rejection::{Reason, Rejection};

/// One piece of the signed content.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(Box<[u8]>),
    Timestamp,
    Body,
}

/// What is signed: literal text, the timestamp header's exact text and the raw body, in a
/// fixed order.
///
/// ```
/// use webhook_core::patterns::SignedContent;
/// assert!(SignedContent::parse("v0:{timestamp}:{body}").is_ok());
/// assert!(SignedContent::parse("{body}").is_ok());
/// assert!(SignedContent::parse("{url}{body}").is_err()); // unknown placeholder
/// assert!(SignedContent::parse("{timestamp}").is_err()); // the body must be signed
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedContent {
    parts: Vec<Part>,
}

impl Default for SignedContent {
    fn default() -> Self {
        Self::body()
    }
}

impl SignedContent {
    /// The raw body alone.
    #[must_use]
    pub fn body() -> Self {
        Self {
            parts: vec![Part::Body],
        }
    }

    /// Parses a template of literal text with the placeholders `{timestamp}` (the timestamp
    /// header's exact text) and `{body}` (the raw body bytes). `{body}` must appear exactly
    /// once; `{timestamp}` at most once.
    ///
    /// # Errors
    /// An unknown or unclosed placeholder, no `{body}`, or a repeated placeholder.
    pub fn parse(template: &str) -> Result<Self, ConfigError> {
        let mut parts = Vec::new();
        let mut rest = template;
        while !rest.is_empty() {
            match rest.find('{') {
                Some(0) => {
                    let end = rest
                        .find('}')
                        .ok_or_else(|| ConfigError::new("signed-content template: unclosed `{`"))?;
                    let name = rest.get(1..end).unwrap_or_default();
                    parts.push(match name {
                        "timestamp" => Part::Timestamp,
                        "body" => Part::Body,
                        other => {
                            return Err(ConfigError::new(format!(
                                "signed-content template: unknown placeholder `{{{other}}}`"
                            )));
                        }
                    });
                    rest = rest.get(end + 1..).unwrap_or_default();
                }
                found => {
                    let end = found.unwrap_or(rest.len());
                    let (text, after) = rest.split_at(end);
                    parts.push(Part::Text(text.as_bytes().into()));
                    rest = after;
                }
            }
        }
        let count = |part: &Part| parts.iter().filter(|p| *p == part).count();
        if count(&Part::Body) != 1 || count(&Part::Timestamp) > 1 {
            return Err(ConfigError::new(
                "signed-content template needs `{body}` once and `{timestamp}` at most once",
            ));
        }
        Ok(Self { parts })
    }

    fn needs_timestamp(&self) -> bool {
        self.parts.contains(&Part::Timestamp)
    }

    /// The pieces to feed the MAC, in order.
    fn pieces<'a>(&'a self, timestamp: &'a str, body: &'a [u8]) -> Vec<&'a [u8]> {
        self.parts
            .iter()
            .map(|part| match part {
                Part::Text(text) => text.as_ref(),
                Part::Timestamp => timestamp.as_bytes(),
                Part::Body => body,
            })
            .collect()
    }
}

/// The unit of a timestamp header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimestampUnit {
    /// Unix seconds.
    Seconds,
    /// Unix milliseconds (HubSpot, Linear).
    Milliseconds,
}

#[derive(Clone, Debug)]
struct TimestampHeader {
    name: HeaderName,
    tolerance: Duration,
    unit: TimestampUnit,
}

/// An HMAC in one header over [`SignedContent`], with an optional prefix (`sha256=`, `v0=`),
/// hex or base64 encoding, and an optional timestamp header judged against a tolerance.
///
/// Checks, in order: the signature header (and the timestamp header) present once and at most
/// [`MAX_HEADER_LEN`] bytes (`missing_header`, `malformed_header`); the timestamp a canonical
/// decimal (`malformed_header`) within the tolerance either way (`timestamp_out_of_tolerance`);
/// the prefix exact (else `signature_mismatch`); the MAC decodable (`malformed_header`); the MAC
/// under one configured secret, compared in constant time (`signature_mismatch`). A scheme with
/// no secret, or whose template signs `{timestamp}` without a timestamp header, accepts nothing
/// (`signature_mismatch`). See the [module docs](super) for an example.
#[derive(Clone, Debug)]
pub struct HeaderHmac {
    header: HeaderName,
    prefix: String,
    encoding: Encoding,
    content: SignedContent,
    timestamp: Option<TimestampHeader>,
    keys: HmacKeys,
}

impl HeaderHmac {
    /// A scheme reading the MAC from `header`: hex, no prefix, over the raw body, no
    /// timestamp, no secret yet.
    ///
    /// # Errors
    /// `header` is not a valid header name.
    pub fn new(header: &str, digest: Digest) -> Result<Self, ConfigError> {
        Ok(Self {
            header: header_name(header)?,
            prefix: String::new(),
            encoding: Encoding::Hex,
            content: SignedContent::body(),
            timestamp: None,
            keys: HmacKeys::new(digest),
        })
    }

    /// The text before the MAC (`sha256=`, `v0=`). Compared exactly.
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How the MAC is written. Defaults to hex.
    #[must_use]
    pub const fn encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// What is signed. Defaults to the raw body.
    #[must_use]
    pub fn content(mut self, content: SignedContent) -> Self {
        self.content = content;
        self
    }

    /// A timestamp header in Unix seconds, required on every request and judged against
    /// `tolerance` either way.
    ///
    /// # Errors
    /// `name` is not a valid header name.
    pub fn timestamp_header(self, name: &str, tolerance: Duration) -> Result<Self, ConfigError> {
        self.timestamp_header_in(name, tolerance, TimestampUnit::Seconds)
    }

    /// Like [`timestamp_header`](Self::timestamp_header), in `unit`.
    ///
    /// # Errors
    /// `name` is not a valid header name.
    pub fn timestamp_header_in(
        mut self,
        name: &str,
        tolerance: Duration,
        unit: TimestampUnit,
    ) -> Result<Self, ConfigError> {
        self.timestamp = Some(TimestampHeader {
            name: header_name(name)?,
            tolerance,
            unit,
        });
        Ok(self)
    }

    /// Changes the tolerance of the timestamp header, if there is one.
    pub fn set_tolerance(&mut self, tolerance: Duration) {
        if let Some(timestamp) = &mut self.timestamp {
            timestamp.tolerance = tolerance;
        }
    }

    /// Adds a secret (rotation: any configured secret verifies; the match says which).
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
        check_secret("HMAC secret", secret)?;
        self.keys.push(secret);
        Ok(())
    }

    /// The signature header's name.
    #[must_use]
    pub const fn header(&self) -> &HeaderName {
        &self.header
    }

    /// The timestamp header's name, if any.
    #[must_use]
    pub fn timestamp_header_name(&self) -> Option<&HeaderName> {
        self.timestamp.as_ref().map(|t| &t.name)
    }

    /// The configured keys.
    #[must_use]
    pub const fn keys(&self) -> &HmacKeys {
        &self.keys
    }

    /// Verifies the request head and exact body at `now` (Unix seconds).
    ///
    /// # Errors
    /// The rejection, with its stable reason (see the type docs for the order).
    pub fn verify(
        &self,
        headers: &HeaderMap,
        body: &Bytes,
        now: i64,
    ) -> Result<HmacMatch, Rejection> {
        let value = bounded_header(headers, self.header.as_str(), MAX_HEADER_LEN)?;
        let (timestamp_text, timestamp) = match &self.timestamp {
            Some(rule) => {
                let text = bounded_header(headers, rule.name.as_str(), 32)?;
                let seconds = parse_timestamp(text, rule.unit)?;
                check_window(now, seconds, rule.tolerance.as_secs())?;
                (text, Some(seconds))
            }
            // Fail closed: a template that signs a timestamp without a timestamp header is a
            // misconfiguration, never "sign an empty timestamp".
            None if self.content.needs_timestamp() => {
                return Err(Rejection::new(Reason::SignatureMismatch).with_detail(
                    "the signed content needs {timestamp} but no timestamp header is configured",
                ));
            }
            None => ("", None),
        };
        let Some(encoded) = value.strip_prefix(self.prefix.as_str()) else {
            return Err(
                Rejection::new(Reason::SignatureMismatch).with_detail(format!(
                    "{} lacks the `{}` prefix",
                    self.header, self.prefix
                )),
            );
        };
        let mac = self
            .encoding
            .decode(encoded)
            .ok_or_else(|| malformed(format!("{} is not {:?}", self.header, self.encoding)))?;
        let pieces = self.content.pieces(timestamp_text, body);
        let matched_key = self
            .keys
            .verify(&pieces, [mac.as_slice()])
            .ok_or_else(|| Rejection::new(Reason::SignatureMismatch))?;
        Ok(HmacMatch {
            matched_key,
            timestamp,
        })
    }

    /// The header value the sender would write with key `index` (test signers).
    /// `timestamp` is the timestamp header's text; it is required when the content signs it.
    #[must_use]
    pub fn sign(&self, index: usize, timestamp: Option<u64>, body: &[u8]) -> Option<String> {
        let text = timestamp.map(|t| t.to_string()).unwrap_or_default();
        if self.content.needs_timestamp() && timestamp.is_none() {
            return None;
        }
        let mac = self.keys.sign(index, &self.content.pieces(&text, body))?;
        Some(format!("{}{}", self.prefix, self.encoding.encode(&mac)))
    }
}

pub(crate) fn header_name(name: &str) -> Result<HeaderName, ConfigError> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| ConfigError::new(format!("`{name}` is not a valid header name")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn github() -> HeaderHmac {
        HeaderHmac::new("x-hub-signature-256", Digest::Sha256)
            .unwrap()
            .prefix("sha256=")
            .secret(b"It's a Secret to Everybody")
            .unwrap()
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        map
    }

    const GITHUB: &str = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    #[test]
    fn githubs_published_example_verifies_and_signs() {
        let body = Bytes::from_static(b"Hello, World!");
        let matched = github()
            .verify(&headers(&[("x-hub-signature-256", GITHUB)]), &body, 0)
            .unwrap();
        assert_eq!(matched.matched_key, 0);
        assert_eq!(github().sign(0, None, &body).as_deref(), Some(GITHUB));
        let upper = GITHUB.to_uppercase().replace("SHA256=", "sha256=");
        assert!(
            github()
                .verify(&headers(&[("x-hub-signature-256", &upper)]), &body, 0)
                .is_ok()
        );
    }

    #[test]
    fn each_defect_has_its_reason() {
        let body = Bytes::from_static(b"Hello, World!");
        let reason = |pairs: &[(&str, &str)]| {
            github()
                .verify(&headers(pairs), &body, 0)
                .unwrap_err()
                .reason()
        };
        assert_eq!(reason(&[]), Reason::MissingHeader);
        assert_eq!(
            reason(&[
                ("x-hub-signature-256", GITHUB),
                ("x-hub-signature-256", GITHUB)
            ]),
            Reason::MalformedHeader
        );
        assert_eq!(
            reason(&[("x-hub-signature-256", "sha256=zz")]),
            Reason::MalformedHeader
        );
        assert_eq!(
            reason(&[("x-hub-signature-256", "sha256=")]),
            Reason::SignatureMismatch
        );
        assert_eq!(
            reason(&[("x-hub-signature-256", &GITHUB.replace("sha256=", "sha1="))]),
            Reason::SignatureMismatch
        );
        let long = format!("sha256={}", "0".repeat(MAX_HEADER_LEN));
        assert_eq!(
            reason(&[("x-hub-signature-256", &long)]),
            Reason::MalformedHeader
        );
        assert_eq!(
            reason(&[("x-hub-signature-256", &GITHUB[..GITHUB.len() - 2])]),
            Reason::SignatureMismatch
        );
    }

    #[test]
    fn timestamp_template_binds_the_header_text() {
        let slack = HeaderHmac::new("x-slack-signature", Digest::Sha256)
            .unwrap()
            .prefix("v0=")
            .content(SignedContent::parse("v0:{timestamp}:{body}").unwrap())
            .timestamp_header("x-slack-request-timestamp", Duration::from_secs(300))
            .unwrap()
            .secret(b"8f742231b10e8888abcd99yyyzzz85a5")
            .unwrap();
        let body = Bytes::from_static(b"token=x");
        let sig = slack.sign(0, Some(1_531_420_618), &body).unwrap();
        let ok = headers(&[
            ("x-slack-signature", &sig),
            ("x-slack-request-timestamp", "1531420618"),
        ]);
        assert_eq!(
            slack.verify(&ok, &body, 1_531_420_918).unwrap().timestamp,
            Some(1_531_420_618)
        );
        assert_eq!(
            slack
                .verify(&ok, &body, 1_531_420_919)
                .unwrap_err()
                .reason(),
            Reason::TimestampOutOfTolerance
        );
        let moved = headers(&[
            ("x-slack-signature", &sig),
            ("x-slack-request-timestamp", "1531420619"),
        ]);
        assert_eq!(
            slack
                .verify(&moved, &body, 1_531_420_619)
                .unwrap_err()
                .reason(),
            Reason::SignatureMismatch
        );
        for bad in ["01531420618", "+1531420618", "1531420618.0", "x", ""] {
            let h = headers(&[
                ("x-slack-signature", &sig),
                ("x-slack-request-timestamp", bad),
            ]);
            assert_eq!(
                slack.verify(&h, &body, 0).unwrap_err().reason(),
                Reason::MalformedHeader,
                "{bad:?}"
            );
        }
        let missing = headers(&[("x-slack-signature", &sig)]);
        assert_eq!(
            slack.verify(&missing, &body, 0).unwrap_err().reason(),
            Reason::MissingHeader
        );
    }

    #[test]
    fn a_timestamp_template_without_a_timestamp_header_accepts_nothing() {
        let scheme = HeaderHmac::new("x-sig", Digest::Sha256)
            .unwrap()
            .content(SignedContent::parse("{timestamp}.{body}").unwrap())
            .secret(b"s")
            .unwrap();
        let body = Bytes::from_static(b"{}");
        let mut keys = HmacKeys::new(Digest::Sha256);
        keys.push(b"s");
        let mac = Encoding::Hex.encode(&keys.sign(0, &[b".", b"{}"]).unwrap());
        let reason = scheme
            .verify(&headers(&[("x-sig", &mac)]), &body, 0)
            .unwrap_err()
            .reason();
        assert_eq!(reason, Reason::SignatureMismatch);
        assert_eq!(scheme.sign(0, None, &body), None);
    }

    #[test]
    fn templates_are_checked() {
        for bad in [
            "",
            "{timestamp}",
            "{body}{body}",
            "{t}{body}",
            "{body",
            "{timestamp}{timestamp}{body}",
        ] {
            assert!(SignedContent::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            SignedContent::parse("a{timestamp}.{body}z")
                .unwrap()
                .parts
                .len(),
            5
        );
    }
}
