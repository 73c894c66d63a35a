//! How Discord, Telnyx and SendGrid sign: a public-key signature header beside a timestamp
//! header, over `timestamp ‖ separator ‖ body`. The providers differ in the key type, the
//! signature encoding and the separator, and in what they read from the verified body.

use std::time::Duration;

use http::HeaderMap;
use webhook_core::patterns::{Encoding, bounded_header, malformed};
use webhook_core::{Reason, Rejection, parse_canonical_decimal, within_window};

/// One provider's header names and signature format.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SignedTimestamp {
    /// The signature header.
    pub(crate) signature: &'static str,
    /// The timestamp header (Unix seconds, canonical decimal).
    pub(crate) timestamp: &'static str,
    /// Longest signature header accepted.
    pub(crate) max_signature_len: usize,
    /// How the signature header encodes the signature.
    pub(crate) encoding: Encoding,
    /// The signature's exact length once decoded, when fixed (Ed25519: 64).
    pub(crate) signature_len: Option<usize>,
    /// Between the timestamp and the body in the signed message.
    pub(crate) separator: &'static str,
}

impl SignedTimestamp {
    /// Checks the headers and the timestamp window (`tolerance` either way), then hands the
    /// signed message and the decoded signature to `verify`, which answers the index of the
    /// key that verified. Returns that index and the timestamp.
    ///
    /// Order: missing or malformed headers, then the window, then the signature, so that a
    /// stale request costs no public-key operation.
    pub(crate) fn check(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
        tolerance: Duration,
        verify: impl FnOnce(&[u8], &[u8]) -> Option<usize>,
    ) -> Result<(usize, i64), Rejection> {
        let signature = bounded_header(headers, self.signature, self.max_signature_len)?;
        let timestamp_text = bounded_header(headers, self.timestamp, 32)?;
        let timestamp = parse_canonical_decimal(timestamp_text)
            .and_then(|t| i64::try_from(t).ok())
            .ok_or_else(|| malformed(format!("{} is not a canonical decimal", self.timestamp)))?;
        let tolerance = tolerance.as_secs();
        if !within_window(now, timestamp, tolerance, tolerance) {
            return Err(Rejection::new(Reason::TimestampOutOfTolerance)
                .with_detail(format!("timestamp {timestamp} vs now {now}")));
        }
        let signature = self
            .encoding
            .decode(signature)
            .filter(|s| self.signature_len.is_none_or(|len| s.len() == len))
            .ok_or_else(|| {
                malformed(format!("{} is not a well-formed signature", self.signature))
            })?;
        let message = self.message(timestamp_text, body);
        let matched = verify(&message, &signature)
            .ok_or_else(|| Rejection::new(Reason::SignatureMismatch))?;
        Ok((matched, timestamp))
    }

    /// The signed message: `timestamp ‖ separator ‖ body`.
    pub(crate) fn message(&self, timestamp: &str, body: &[u8]) -> Vec<u8> {
        let mut message = Vec::with_capacity(timestamp.len() + self.separator.len() + body.len());
        message.extend_from_slice(timestamp.as_bytes());
        message.extend_from_slice(self.separator.as_bytes());
        message.extend_from_slice(body);
        message
    }

    /// A JSON `POST` to `uri` carrying `timestamp` and the signature `sign` makes of the
    /// message (test utility).
    ///
    /// # Errors
    /// `uri` is not a valid URI.
    #[cfg(feature = "test-util")]
    pub(crate) fn request(
        &self,
        uri: &str,
        timestamp: u64,
        body: bytes::Bytes,
        sign: impl FnOnce(&[u8]) -> String,
    ) -> Result<http::Request<bytes::Bytes>, http::Error> {
        let timestamp = timestamp.to_string();
        let signature = sign(&self.message(&timestamp, &body));
        http::Request::post(uri)
            .header("content-type", "application/json")
            .header(self.timestamp, timestamp)
            .header(self.signature, signature)
            .body(body)
    }
}

/// An Ed25519 test key (test utility): the Discord and Telnyx signers.
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub(crate) struct Ed25519TestKey(ring::signature::Ed25519KeyPair);

#[cfg(feature = "test-util")]
impl Ed25519TestKey {
    /// The key that derives from `seed`.
    #[allow(clippy::expect_used)] // infallible for 32-byte seeds
    pub(crate) fn from_seed(seed: [u8; 32]) -> Self {
        Self(
            ring::signature::Ed25519KeyPair::from_seed_unchecked(&seed)
                .expect("any 32-byte seed is a key"),
        )
    }

    /// The public key in `encoding`.
    pub(crate) fn public_key(&self, encoding: Encoding) -> String {
        use ring::signature::KeyPair;
        encoding.encode(self.0.public_key().as_ref())
    }

    /// The signature of `message` in `encoding`.
    pub(crate) fn sign(&self, message: &[u8], encoding: Encoding) -> String {
        encoding.encode(self.0.sign(message).as_ref())
    }
}
