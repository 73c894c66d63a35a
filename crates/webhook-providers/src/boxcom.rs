//! [Box](https://developer.box.com/guides/webhooks/v2/signatures-v2/) (webhooks v2):
//! `BOX-SIGNATURE-PRIMARY` / `BOX-SIGNATURE-SECONDARY: <base64 HMAC-SHA256(key, body ‖
//! timestamp)>` with `BOX-DELIVERY-TIMESTAMP: <RFC 3339 instant>`, one signature per signature
//! key of the application.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | `BOX-DELIVERY-TIMESTAMP` present once, an RFC 3339 instant (`Z` or `±hh:mm`) | `missing_header`, `malformed_header` |
//! | the timestamp within the tolerance either way (default 600 s, Box's ten minutes) | `timestamp_out_of_tolerance` |
//! | `BOX-SIGNATURE-VERSION` / `-ALGORITHM`, when present, are `1` / `HmacSHA256` | `signature_mismatch` |
//! | at least one of the two signature headers, each once, ≤ 2 KiB, padded base64 | `missing_header`, `malformed_header` |
//! | the primary signature under the primary key, or the secondary under the secondary key (constant time) | `signature_mismatch` |
//!
//! Box keeps two keys so you can rotate one while the other verifies; [`BoxEvent::matched_key`]
//! is 0 for the primary, 1 for the secondary. Deliveries are de-duplicated on the signed
//! payload's event `id` (`BOX-DELIVERY-ID` is unsigned and reported as the delivery id only
//! when the payload has none); [`BoxEvent::event_type`] is the payload's `trigger`
//! (`FILE.UPLOADED`).
//!
//! ```
//! use http::{Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{FixedClock, VerifiedBody};
//! use webhook_providers::boxcom::{BoxEvent, BoxLayer, BoxSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let service = ServiceBuilder::new()
//!     .layer(BoxLayer::new("primary-key")?.secondary("secondary-key")?.clock(FixedClock::at_unix(1_700_000_000)))
//!     .service_fn(|req: http::Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<BoxEvent>().expect("the layer inserts it");
//!         assert_eq!(event.event_type.as_deref(), Some("FILE.UPLOADED"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let body = r#"{"type":"webhook_event","id":"eb0e6a0e-3f2e-4c36-8a5e-2c1b5a8f1b1a","trigger":"FILE.UPLOADED","source":{"id":"1","type":"file"}}"#;
//! let request = BoxSigner::new("primary-key", "secondary-key").request("/hooks/box", "2023-11-14T14:13:20-08:00", body)?;
//! assert_eq!(service.oneshot(request.map(http_body_util::Full::new)).await?.status(), StatusCode::OK);
//! # Ok(()) }
//! ```

use std::time::Duration;

use bytes::Bytes;
use http::request::Parts;
use serde_json::Value;
use webhook_core::patterns::{
    Digest, Encoding, HmacKeys, MAX_HEADER_LEN, bounded_header, check_secret, malformed,
    optional_bounded_header,
};
use webhook_core::{
    ConfigError, Reason, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer,
    parse_rfc3339_utc, within_window,
};

use crate::common::{
    Meta, content_key, info_header, provider_event, provider_layer_type, short_text,
};

const PROVIDER: &str = "box";
const PRIMARY: &str = "box-signature-primary";
const SECONDARY: &str = "box-signature-secondary";
const TIMESTAMP: &str = "box-delivery-timestamp";

/// Default tolerance: 600 seconds either way.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(600);

provider_event! {
    /// A verified Box webhook. `id` is the signed payload's event `id` (else the unsigned
    /// `BOX-DELIVERY-ID`), `event_type` the signed `trigger`, `timestamp` the signed
    /// `BOX-DELIVERY-TIMESTAMP`.
    BoxEvent
}

/// The Box scheme. Built through [`BoxLayer`].
#[derive(Clone, Debug)]
pub struct BoxScheme {
    primary: HmacKeys,
    secondary: HmacKeys,
    tolerance: Duration,
}

/// An RFC 3339 instant with `Z` or a `±hh:mm` offset, in Unix seconds.
fn parse_instant(text: &str) -> Option<i64> {
    if let Some(utc) = parse_rfc3339_utc(text) {
        return Some(utc);
    }
    let (local, offset) = text.split_at(text.len().checked_sub(6)?);
    let sign = match offset.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (hours, minutes) = offset.get(1..)?.split_once(':')?;
    let digits = |s: &str| {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i64>().ok())
            .flatten()
    };
    let (hours, minutes) = (digits(hours)?, digits(minutes)?);
    if hours > 23 || minutes > 59 {
        return None;
    }
    let utc = parse_rfc3339_utc(&format!("{local}Z"))?;
    Some(utc - sign * (hours * 3600 + minutes * 60))
}

fn check_label(parts: &Parts, name: &str, expected: &str) -> Result<(), Rejection> {
    match optional_bounded_header(&parts.headers, name, 64)? {
        Some(value) if value != expected => Err(Rejection::new(Reason::SignatureMismatch)
            .with_detail(format!("{name} is {value}, expected {expected}"))),
        _ => Ok(()),
    }
}

impl VerifyWebhook for BoxScheme {
    type Event = BoxEvent;

    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn sensitive_headers(&self) -> &'static [&'static str] {
        &[PRIMARY, SECONDARY]
    }

    async fn verify(
        &self,
        parts: &Parts,
        body: &Bytes,
        cx: &VerifyContext,
    ) -> Result<Verdict<BoxEvent>, Rejection> {
        let timestamp_text = bounded_header(&parts.headers, TIMESTAMP, 64)?;
        let timestamp = parse_instant(timestamp_text)
            .ok_or_else(|| malformed("BOX-DELIVERY-TIMESTAMP is not an RFC 3339 instant"))?;
        let tolerance = self.tolerance.as_secs();
        if !within_window(cx.unix_now(), timestamp, tolerance, tolerance) {
            return Err(Rejection::new(Reason::TimestampOutOfTolerance)
                .with_detail(format!("timestamp {timestamp} vs now {}", cx.unix_now())));
        }
        check_label(parts, "box-signature-version", "1")?;
        check_label(parts, "box-signature-algorithm", "HmacSHA256")?;
        let decode = |name: &str| -> Result<Option<Vec<u8>>, Rejection> {
            optional_bounded_header(&parts.headers, name, MAX_HEADER_LEN)?
                .map(|value| {
                    Encoding::Base64
                        .decode(value)
                        .ok_or_else(|| malformed(format!("{name} is not base64")))
                })
                .transpose()
        };
        let (primary, secondary) = (decode(PRIMARY)?, decode(SECONDARY)?);
        if primary.is_none() && secondary.is_none() {
            return Err(Rejection::new(Reason::MissingHeader)
                .with_detail("neither BOX-SIGNATURE-PRIMARY nor BOX-SIGNATURE-SECONDARY"));
        }
        let pieces: [&[u8]; 2] = [body, timestamp_text.as_bytes()];
        let by_primary = primary
            .as_deref()
            .and_then(|mac| self.primary.verify(&pieces, [mac]))
            .map(|_| 0);
        let by_secondary = secondary
            .as_deref()
            .and_then(|mac| self.secondary.verify(&pieces, [mac]))
            .map(|_| 1);
        let matched = by_primary
            .or(by_secondary)
            .ok_or_else(|| Rejection::new(Reason::SignatureMismatch))?;
        let mut meta = Meta::new(matched, Some(timestamp));
        let mut dedup = content_key(&pieces);
        if let Ok(Value::Object(object)) = webhook_core::json::parse_strict(body) {
            meta.event_type = short_text(&object, "trigger")?;
            if let Some(id) = short_text(&object, "id")?.filter(|id| !id.is_empty()) {
                dedup.clone_from(&id);
                meta.id = Some(id);
            }
        }
        if meta.id.is_none() {
            meta.id = info_header(&parts.headers, "box-delivery-id")?;
        }
        let event = BoxEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(dedup),
        )))
    }
}

provider_layer_type! {
    /// Verifies Box webhooks before the inner service. See the [module docs](self).
    BoxLayer, BoxWebhook, BoxScheme
}

impl BoxLayer {
    /// A layer verifying `BOX-SIGNATURE-PRIMARY` with the application's primary signature key.
    ///
    /// # Errors
    /// The key is empty or has surrounding whitespace.
    pub fn new(primary_key: &str) -> Result<Self, ConfigError> {
        check_secret("Box primary signature key", primary_key.as_bytes())?;
        let mut primary = HmacKeys::new(Digest::Sha256);
        primary.push(primary_key);
        let scheme = BoxScheme {
            primary,
            secondary: HmacKeys::new(Digest::Sha256),
            tolerance: DEFAULT_TOLERANCE,
        };
        Ok(Self(WebhookLayer::new(scheme)))
    }

    /// Also verifies `BOX-SIGNATURE-SECONDARY` with the secondary signature key (rotation).
    ///
    /// # Errors
    /// The key is empty or has surrounding whitespace.
    pub fn secondary(mut self, secondary_key: &str) -> Result<Self, ConfigError> {
        check_secret("Box secondary signature key", secondary_key.as_bytes())?;
        let mut secondary = HmacKeys::new(Digest::Sha256);
        secondary.push(secondary_key);
        self.0.scheme_mut().secondary = secondary;
        Ok(self)
    }

    /// Largest distance between the timestamp and the clock, either way. Defaults to 600 s.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.0.scheme_mut().tolerance = tolerance;
        self
    }
}

/// Signs webhooks like Box, with both keys (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct BoxSigner {
    primary: HmacKeys,
    secondary: HmacKeys,
}

#[cfg(feature = "test-util")]
impl BoxSigner {
    /// A signer with the application's primary and secondary keys.
    #[must_use]
    pub fn new(primary_key: &str, secondary_key: &str) -> Self {
        let mut primary = HmacKeys::new(Digest::Sha256);
        primary.push(primary_key);
        let mut secondary = HmacKeys::new(Digest::Sha256);
        secondary.push(secondary_key);
        Self { primary, secondary }
    }

    /// The (primary, secondary) signatures of `body` at `timestamp`.
    #[must_use]
    pub fn signatures(&self, timestamp: &str, body: &[u8]) -> (String, String) {
        let pieces: [&[u8]; 2] = [body, timestamp.as_bytes()];
        let sign =
            |keys: &HmacKeys| Encoding::Base64.encode(&keys.sign(0, &pieces).unwrap_or_default());
        (sign(&self.primary), sign(&self.secondary))
    }

    /// A signed JSON `POST` to `uri`.
    ///
    /// # Errors
    /// `uri` or `timestamp` is not valid in a request.
    pub fn request(
        &self,
        uri: &str,
        timestamp: &str,
        body: impl Into<Bytes>,
    ) -> Result<http::Request<Bytes>, http::Error> {
        let body = body.into();
        let (primary, secondary) = self.signatures(timestamp, &body);
        http::Request::post(uri)
            .header("content-type", "application/json")
            .header("box-delivery-id", "d-1")
            .header(TIMESTAMP, timestamp)
            .header("box-signature-version", "1")
            .header("box-signature-algorithm", "HmacSHA256")
            .header(PRIMARY, primary)
            .header(SECONDARY, secondary)
            .body(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_with_offsets_are_read_in_utc() {
        assert_eq!(parse_instant("2023-11-14T22:13:20Z"), Some(1_700_000_000));
        assert_eq!(
            parse_instant("2023-11-14T14:13:20-08:00"),
            Some(1_700_000_000)
        );
        assert_eq!(
            parse_instant("2023-11-15T00:13:20+02:00"),
            Some(1_700_000_000)
        );
        for bad in [
            "2023-11-14T14:13:20-8:00",
            "2023-11-14T14:13:20*08:00",
            "2023-11-14T14:13:20-24:00",
            "x",
            "",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
    }
}
