//! [`RicloudSigner`]: signs requests like the ricloud API, for offline tests.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::Request;
use webhook_core::HmacSha256Keys;

/// Signs events the way the ricloud API does (test utility).
///
/// ```
/// use webhook_ricloud::RicloudSigner;
/// let signer = RicloudSigner::new("ricloud-test-secret-0f3a9c27b1d84e65");
/// let header = signer.header(1_767_225_600, br#"{"id": "1"}"#);
/// assert!(header.starts_with("t=1767225600,s="));
/// ```
#[derive(Debug)]
pub struct RicloudSigner {
    key: HmacSha256Keys,
}

impl RicloudSigner {
    /// A signer for this webhook-config secret.
    #[must_use]
    pub fn new(secret: &str) -> Self {
        Self {
            key: HmacSha256Keys::new([secret.as_bytes()]),
        }
    }

    /// The `Ricloud-Signature` value for this timestamp and body.
    #[must_use]
    pub fn header(&self, timestamp: u64, body: &[u8]) -> String {
        let timestamp = timestamp.to_string();
        let tag = self
            .key
            .sign(0, &[timestamp.as_bytes(), b".", body])
            .map(|t| STANDARD.encode(t.as_ref()))
            .unwrap_or_default();
        format!("t={timestamp},s={tag}")
    }

    /// A signed `POST` to `uri`.
    ///
    /// # Errors
    /// `uri` is not a valid URI.
    pub fn request(
        &self,
        uri: &str,
        timestamp: u64,
        body: impl Into<Bytes>,
    ) -> Result<Request<Bytes>, http::Error> {
        let body = body.into();
        Request::post(uri)
            .header("content-type", "application/json")
            .header("ricloud-signature", self.header(timestamp, &body))
            .body(body)
    }
}
