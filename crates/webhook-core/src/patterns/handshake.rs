//! Answers a scheme sends itself during a provider's handshake (Slack `url_verification`,
//! Discord PING, Zoom `endpoint.url_validation`, CRC and `hub.challenge` echoes).
//!
//! Use them only **after** the request verified: an unverified handshake answer is an oracle
//! (Zoom's answer is a MAC of attacker-chosen text under your secret) or lets anyone register
//! your endpoint elsewhere. Return them as [`Verdict::Respond`](crate::Verdict::Respond); the
//! inner service is not called and nothing is claimed in the replay store.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use serde_json::Value;

use super::{Encoding, HmacKeys};

/// A `200` with `body` and `content_type`, never cached, never content-sniffed.
#[must_use]
pub fn respond(content_type: &'static str, body: impl Into<Bytes>) -> Response<Bytes> {
    let mut response = Response::new(body.into());
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// A `200` JSON answer.
///
/// ```
/// let response = webhook_core::patterns::handshake::json(&serde_json::json!({"type": 1}));
/// assert_eq!(response.body().as_ref(), br#"{"type":1}"#);
/// ```
#[must_use]
pub fn json(value: &Value) -> Response<Bytes> {
    respond("application/json", value.to_string())
}

/// A `200` plain-text echo of a challenge (Slack `challenge`, Dropbox `challenge`, Meta
/// `hub.challenge`).
#[must_use]
pub fn echo(challenge: &str) -> Response<Bytes> {
    respond("text/plain; charset=utf-8", challenge.to_owned())
}

/// The MAC of `plain` under key `index`, encoded (Zoom's `encryptedToken`: hex HMAC-SHA256 of
/// `plainToken`; X/Twitter CRC: base64 HMAC-SHA256 of `crc_token`).
#[must_use]
pub fn mac_of(keys: &HmacKeys, index: usize, plain: &str, encoding: Encoding) -> Option<String> {
    keys.sign(index, &[plain.as_bytes()])
        .map(|mac| encoding.encode(&mac))
}
