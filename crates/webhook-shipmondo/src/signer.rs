//! [`ShipmondoSigner`]: builds bodies the way Shipmondo does, for offline tests.

use serde_json::Value;
use webhook_core::HmacSha256Keys;
use webhook_core::jws::encode;

/// How the claims are put in the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClaimEncoding {
    /// A JSON object (live deliveries).
    Object,
    /// A JSON string holding the object (Shipmondo's documented example).
    JsonString,
}

/// Signs messages the way Shipmondo does (test utility).
///
/// ```
/// use serde_json::json;
/// use webhook_shipmondo::{ClaimEncoding, ShipmondoSigner};
/// let signer = ShipmondoSigner::new("my-webhook-key");
/// let body = signer.body(&json!({"webhook": "W", "data": {"id": 1}, "url": "https://x/"}), ClaimEncoding::Object);
/// assert!(body.starts_with(r#"{"data":"eyJhbGciOiJIUzI1NiJ9."#));
/// ```
#[derive(Debug)]
pub struct ShipmondoSigner {
    key: HmacSha256Keys,
}

impl ShipmondoSigner {
    /// A signer for this webhook key.
    #[must_use]
    pub fn new(key: &str) -> Self {
        Self {
            key: HmacSha256Keys::new([key.as_bytes()]),
        }
    }

    /// The compact HS256 JWS over `claims`.
    #[must_use]
    pub fn token(&self, claims: &Value, encoding: ClaimEncoding) -> String {
        let payload = match encoding {
            ClaimEncoding::Object => claims.to_string(),
            ClaimEncoding::JsonString => Value::String(claims.to_string()).to_string(),
        };
        let input = format!(
            "{}.{}",
            encode(br#"{"alg":"HS256"}"#),
            encode(payload.as_bytes())
        );
        let tag = self
            .key
            .sign(0, &[input.as_bytes()])
            .map(|t| encode(t.as_ref()))
            .unwrap_or_default();
        format!("{input}.{tag}")
    }

    /// The request body `{"data":"<token>"}`.
    #[must_use]
    pub fn body(&self, claims: &Value, encoding: ClaimEncoding) -> String {
        serde_json::json!({ "data": self.token(claims, encoding) }).to_string()
    }
}
