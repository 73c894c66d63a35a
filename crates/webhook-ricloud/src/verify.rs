//! The ricloud scheme: `Ricloud-Signature: t=<ts>,s=<base64 HMAC-SHA256(secret, "<ts>.<body>")>`.

use std::fmt;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderMap, HeaderName};
use webhook_core::json::{Scalar, find_members};
use webhook_core::{
    ConfigError, HmacSha256Keys, Reason, Rejection, Verdict, Verified, VerifyContext,
    VerifyWebhook, parse_canonical_decimal, single_header, within_window,
};

use crate::event::RicloudEvent;

pub(crate) const PROVIDER: &str = "ricloud";
pub(crate) const HEADER: &str = "ricloud-signature";
// Parsed once, not on every request.
const HEADER_NAME: HeaderName = HeaderName::from_static(HEADER);
/// Longest event id accepted; it becomes a replay-store key.
const MAX_ID_LEN: usize = 256;
const MAC_LEN: usize = 32;

/// The ricloud verifier: secrets and tolerance. Built through [`RicloudLayer`](crate::RicloudLayer).
#[derive(Clone, Default)]
pub struct RicloudScheme {
    keys: HmacSha256Keys,
    tolerance: Duration,
}

impl fmt::Debug for RicloudScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RicloudScheme")
            .field("secrets", &self.keys.len())
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

/// The parsed header.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SignatureHeader<'h> {
    pub(crate) timestamp_text: &'h str,
    pub(crate) timestamp: u64,
    pub(crate) mac: [u8; MAC_LEN],
}

impl RicloudScheme {
    /// Default tolerance: 600 seconds either way (ricloud's reference `delta`).
    pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(600);

    pub(crate) fn new() -> Self {
        Self {
            keys: HmacSha256Keys::default(),
            tolerance: Self::DEFAULT_TOLERANCE,
        }
    }

    pub(crate) fn add_secret(&mut self, secret: &str) -> Result<(), ConfigError> {
        check_secret(secret)?;
        self.keys.push(secret.as_bytes());
        Ok(())
    }

    pub(crate) fn set_tolerance(&mut self, tolerance: Duration) {
        self.tolerance = tolerance;
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
    ) -> Result<Verified<RicloudEvent>, Rejection> {
        let header = parse_header(single_header(headers, &HEADER_NAME)?)?;
        let timestamp = i64::try_from(header.timestamp).unwrap_or(i64::MAX);
        let tolerance = self.tolerance.as_secs();
        if !within_window(now_unix, timestamp, tolerance, tolerance) {
            return Err(Rejection::new(Reason::TimestampOutOfTolerance)
                .with_detail(format!("timestamp {timestamp} vs now {now_unix}")));
        }
        let message = [header.timestamp_text.as_bytes(), b".", body.as_ref()];
        let matched = self
            .keys
            .verify(&message, [header.mac.as_slice()])
            .ok_or_else(|| Rejection::new(Reason::SignatureMismatch))?;
        // Only now is the body trusted enough to read, and only up to the members used here
        // (ricloud puts them first): the hot path never parses the whole event.
        let [id, kind, action] = find_members(body, ["id", "type", "action"]).map_err(|e| {
            Rejection::new(Reason::MalformedBody)
                .with_detail(format!("event is not a JSON object: {e}"))
        })?;
        let id = match &id {
            Some(Scalar::Str(id)) if !id.is_empty() && id.len() <= MAX_ID_LEN => id.to_string(),
            Some(Scalar::Number(id)) => id.to_string(),
            _ => {
                return Err(
                    Rejection::new(Reason::MalformedBody).with_detail("event has no usable `id`")
                );
            }
        };
        let text = |member: &Option<Scalar<'_>>| member.as_ref()?.as_str().map(str::to_owned);
        let event = RicloudEvent::new(
            id.clone(),
            text(&kind),
            text(&action),
            timestamp,
            matched,
            body.clone(),
        );
        let mut verified = Verified::new(PROVIDER, event)
            .id(&id)
            .dedup_on(&id)
            .timestamp(timestamp)
            .matched_key(matched);
        if let Some(slug) = verified.event().slug() {
            verified = verified.event_type(slug);
        }
        Ok(verified)
    }
}

impl VerifyWebhook for RicloudScheme {
    type Event = RicloudEvent;

    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn sensitive_headers(&self) -> &'static [&'static str] {
        &[HEADER]
    }

    async fn verify(
        &self,
        parts: &Parts,
        body: &Bytes,
        cx: &VerifyContext,
    ) -> Result<Verdict<RicloudEvent>, Rejection> {
        self.verify_parts(&parts.headers, body, cx.unix_now())
            .map(Verdict::Deliver)
    }
}

/// Parses exactly `t=<canonical decimal>,s=<padded standard base64 of 32 bytes>`: keys are
/// checked, the order is fixed, and nothing else may appear (no spaces, no extra pairs).
pub(crate) fn parse_header(value: &str) -> Result<SignatureHeader<'_>, Rejection> {
    let malformed = |why: &'static str| Rejection::new(Reason::MalformedHeader).with_detail(why);
    let (t, s) = value
        .split_once(',')
        .ok_or_else(|| malformed("expected `t=..,s=..`"))?;
    let timestamp_text = t
        .strip_prefix("t=")
        .ok_or_else(|| malformed("first pair is not `t=`"))?;
    let encoded = s
        .strip_prefix("s=")
        .ok_or_else(|| malformed("second pair is not `s=`"))?;
    let timestamp = parse_canonical_decimal(timestamp_text)
        .ok_or_else(|| malformed("t is not a canonical decimal"))?;
    let decoded = STANDARD
        .decode(encoded)
        .map_err(|_| malformed("s is not padded standard base64"))?;
    let mac: [u8; MAC_LEN] = decoded
        .try_into()
        .map_err(|_| malformed("s is not 32 bytes"))?;
    Ok(SignatureHeader {
        timestamp_text,
        timestamp,
        mac,
    })
}

fn check_secret(secret: &str) -> Result<(), ConfigError> {
    if secret.is_empty() {
        return Err(ConfigError::new("ricloud secret is empty"));
    }
    if secret.trim() != secret {
        return Err(ConfigError::new(
            "ricloud secret has leading or trailing whitespace",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MAC: &str = "wKjLtaA+ctaJn3MGA+XPrxjkviyK38cTvPnKxNg0LDA=";

    #[test]
    fn header_in_the_literal_format_parses() {
        let value = format!("t=1767225600,s={MAC}");
        let header = parse_header(&value).unwrap();
        assert_eq!(header.timestamp, 1_767_225_600);
        assert_eq!(header.timestamp_text, "1767225600");
    }

    #[test]
    fn h58_reordered_spaced_repeated_or_junk_pairs_are_malformed() {
        for bad in [
            format!("s={MAC},t=1767225600"),
            format!("t=1767225600, s={MAC}"),
            format!("t=1767225600,s={MAC},s={MAC}"),
            format!("t=1767225600,t=1,s={MAC}"),
            format!("x=1767225600,y={MAC}"),
            "t=1767225600".to_owned(),
            format!("T=1767225600,S={MAC}"),
            format!("t=01767225600,s={MAC}"),
            format!("t=+1767225600,s={MAC}"),
            format!("t=-1,s={MAC}"),
            String::new(),
        ] {
            assert_eq!(
                parse_header(&bad).unwrap_err().reason(),
                Reason::MalformedHeader,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn h59_non_strict_base64_is_malformed() {
        for bad in [
            "%%%notbase64",
            "wKjLtaA+ctaJn3MGA+XPrxjkviyK38cTvPnKxNg0LDA",
            "wKjLtaA-ctaJn3MGA-XPrxjkviyK38cTvPnKxNg0LDA=",
            "AAAA",
        ] {
            assert_eq!(
                parse_header(&format!("t=1,s={bad}")).unwrap_err().reason(),
                Reason::MalformedHeader,
                "{bad}"
            );
        }
    }

    #[test]
    fn secrets_with_whitespace_or_empty_are_config_errors() {
        let mut scheme = RicloudScheme::new();
        assert!(scheme.add_secret("").is_err());
        assert!(scheme.add_secret("secret\n").is_err());
        assert!(scheme.add_secret("secret").is_ok());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

        #[test]
        fn header_parser_never_panics(value in ".{0,120}") {
            let _ = parse_header(&value);
        }

        #[test]
        fn verify_never_panics_and_rejects_unsigned_input(value in "[ts=,0-9A-Za-z+/]{0,80}", body in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut scheme = RicloudScheme::new();
            scheme.add_secret("ricloud-test-secret").unwrap();
            let mut headers = HeaderMap::new();
            if let Ok(value) = http::HeaderValue::from_str(&value) {
                headers.insert(HEADER, value);
            }
            prop_assert!(scheme.verify_parts(&headers, &Bytes::from(body), 1_767_225_600).is_err());
        }
    }
}
