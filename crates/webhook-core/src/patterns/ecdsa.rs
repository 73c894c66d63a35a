//! [`EcdsaP256Keys`]: configured ECDSA P-256 public keys (SendGrid), verified with *ring*.

use ring::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};

use super::Encoding;
use crate::config::ConfigError;

/// The DER prefix of a P-256 `SubjectPublicKeyInfo` holding an uncompressed point:
/// `SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (0 unused bits) }`.
const SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];
/// An uncompressed P-256 point: `04 ‖ X ‖ Y`.
const POINT_LEN: usize = 65;
/// Longest DER ECDSA-P256 signature (two 33-byte integers and headers).
const MAX_SIGNATURE_LEN: usize = 72;

/// Configured ECDSA P-256 / SHA-256 public keys (rotation: any one may verify).
///
/// Keys are given as base64 DER `SubjectPublicKeyInfo` (what SendGrid shows as the
/// verification key), or as a raw uncompressed point; anything else is refused at
/// construction. Signatures are DER (`ECDSA_P256_SHA256_ASN1`); *ring* checks the point is on
/// the curve and the scalars are in range.
///
/// ```
/// use webhook_core::patterns::EcdsaP256Keys;
/// // SendGrid's published test vector (sendgrid-nodejs `eventwebhook` tests).
/// let mut keys = EcdsaP256Keys::default();
/// keys.push_spki_base64("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==")?;
/// let signature = webhook_core::patterns::Encoding::Base64
///     .decode("MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=")
///     .unwrap();
/// let message = br#"1588788367{"category":"example_payload","event":"test_event","message_id":"message_id"}"#;
/// assert_eq!(keys.verify(message, &signature), Some(0));
/// assert_eq!(keys.verify(b"1588788368", &signature), None);
/// # Ok::<(), webhook_core::ConfigError>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct EcdsaP256Keys {
    points: Vec<Vec<u8>>,
}

impl EcdsaP256Keys {
    /// Adds a key given as base64 DER `SubjectPublicKeyInfo`.
    ///
    /// # Errors
    /// Not base64, not a P-256 SPKI with an uncompressed point.
    pub fn push_spki_base64(&mut self, key: &str) -> Result<(), ConfigError> {
        let der = Encoding::Base64
            .decode(key.trim())
            .ok_or_else(|| ConfigError::new("ECDSA public key is not base64"))?;
        let point = der.strip_prefix(SPKI_PREFIX.as_slice()).ok_or_else(|| {
            ConfigError::new("ECDSA public key is not a P-256 SubjectPublicKeyInfo")
        })?;
        self.push_point(point)
    }

    /// Adds a key given as an uncompressed point (`04 ‖ X ‖ Y`, 65 bytes).
    ///
    /// # Errors
    /// Wrong length or not uncompressed.
    pub fn push_point(&mut self, point: &[u8]) -> Result<(), ConfigError> {
        if point.len() != POINT_LEN || point.first() != Some(&0x04) {
            return Err(ConfigError::new(
                "ECDSA public key must be an uncompressed P-256 point (65 bytes)",
            ));
        }
        self.points.push(point.to_vec());
        Ok(())
    }

    /// The DER `SubjectPublicKeyInfo` of a raw uncompressed point, base64 (for test signers).
    #[must_use]
    pub fn spki_base64(point: &[u8]) -> String {
        let mut der = SPKI_PREFIX.to_vec();
        der.extend_from_slice(point);
        Encoding::Base64.encode(&der)
    }

    /// Number of keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether there is no key.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The index of the first key under which the DER `signature` verifies `message`.
    #[must_use]
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Option<usize> {
        if signature.is_empty() || signature.len() > MAX_SIGNATURE_LEN {
            return None;
        }
        self.points.iter().position(|point| {
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, point)
                .verify(message, signature)
                .is_ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_curves_and_compressed_points_are_refused() {
        let mut keys = EcdsaP256Keys::default();
        assert!(keys.push_spki_base64("not base64!").is_err());
        assert!(keys.push_point(&[0x02; 33]).is_err());
        assert!(keys.push_point(&[0x03; 65]).is_err());
        // An Ed25519 SPKI.
        assert!(
            keys.push_spki_base64("MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=")
                .is_err()
        );
        assert!(keys.is_empty());
    }
}
