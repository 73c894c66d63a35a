//! [`StandardSigner`]: signs requests like a Standard Webhooks sender, for offline tests.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::Request;
use ring::signature::{Ed25519KeyPair, KeyPair};
use webhook_core::{ConfigError, HmacSha256Keys};

/// Signs deliveries the way Standard Webhooks senders do (test utility).
///
/// ```
/// use webhook_standard::StandardSigner;
/// let signer = StandardSigner::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
/// // The published vector of the specification.
/// let signature = signer.signature("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#);
/// assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
/// # Ok::<_, webhook_core::ConfigError>(())
/// ```
#[derive(Debug)]
pub struct StandardSigner {
    key: Key,
}

enum Key {
    Hmac(HmacSha256Keys),
    Ed25519(Ed25519KeyPair),
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Hmac(_) => "Hmac(**redacted**)",
            Self::Ed25519(_) => "Ed25519(**redacted**)",
        })
    }
}

impl StandardSigner {
    /// A `v1` signer for a `whsec_…` secret.
    ///
    /// # Errors
    /// The secret is not valid (see [`StandardLayer::new`](crate::StandardLayer::new)).
    pub fn new(secret: &str) -> Result<Self, ConfigError> {
        let bytes = crate::verify::decode_secret(secret)?;
        Ok(Self {
            key: Key::Hmac(HmacSha256Keys::new([bytes])),
        })
    }

    /// A `v1a` signer from a 32-byte Ed25519 seed.
    ///
    /// # Errors
    /// Never in practice; ring refuses only malformed seeds.
    pub fn ed25519_from_seed(seed: &[u8; 32]) -> Result<Self, ConfigError> {
        let pair = Ed25519KeyPair::from_seed_unchecked(seed)
            .map_err(|_| ConfigError::new("bad Ed25519 seed"))?;
        Ok(Self {
            key: Key::Ed25519(pair),
        })
    }

    /// The `whpk_…` public key of an Ed25519 signer (`None` for an HMAC signer).
    #[must_use]
    pub fn public_key(&self) -> Option<String> {
        match &self.key {
            Key::Ed25519(pair) => Some(format!(
                "whpk_{}",
                STANDARD.encode(pair.public_key().as_ref())
            )),
            Key::Hmac(_) => None,
        }
    }

    /// The `webhook-signature` value for this id, timestamp and body.
    #[must_use]
    pub fn signature(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let timestamp = timestamp.to_string();
        let message = [id.as_bytes(), b".", timestamp.as_bytes(), b".", body];
        match &self.key {
            Key::Hmac(keys) => {
                let tag = keys
                    .sign(0, &message)
                    .map(|t| STANDARD.encode(t.as_ref()))
                    .unwrap_or_default();
                format!("v1,{tag}")
            }
            Key::Ed25519(pair) => format!(
                "v1a,{}",
                STANDARD.encode(pair.sign(&message.concat()).as_ref())
            ),
        }
    }

    /// A signed `POST` request to `uri` with the three `webhook-*` headers.
    ///
    /// # Errors
    /// `uri` is not a valid URI.
    pub fn request(
        &self,
        uri: &str,
        id: &str,
        timestamp: i64,
        body: impl Into<Bytes>,
    ) -> Result<Request<Bytes>, http::Error> {
        let body = body.into();
        Request::post(uri)
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", self.signature(id, timestamp, &body))
            .body(body)
    }
}
