//! [`Ed25519Keys`]: configured Ed25519 public keys, verified with *ring*.

use ring::signature::{ED25519, UnparsedPublicKey};

use super::Encoding;
use crate::config::ConfigError;

/// Public-key length.
const KEY_LEN: usize = 32;
/// Signature length.
pub(crate) const SIGNATURE_LEN: usize = 64;

/// The canonical encodings of the eight small-order points (the curve's torsion subgroup).
/// A configured public key among them (or a sign-bit variant) lets anyone forge signatures
/// (SECURITY.md E14), so construction refuses them.
const SMALL_ORDER: [[u8; KEY_LEN]; 5] = [
    // identity (order 1)
    [
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0,
    ],
    // y = -1 (order 2)
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    // y = 0 (order 4)
    [0; KEY_LEN],
    // order 8
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
    // order 8
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
];

/// Configured Ed25519 public keys (rotation: any one may verify; the index says which).
///
/// Keys are refused at construction when they have the wrong length, are not in the expected
/// encoding, encode a small-order point (universal forgery), or have a non-canonical `y`
/// (≥ p). *ring* rejects non-canonical `S` in signatures.
///
/// ```
/// use ring::signature::{Ed25519KeyPair, KeyPair};
/// use webhook_core::patterns::{Ed25519Keys, Encoding};
///
/// let pair = Ed25519KeyPair::from_seed_unchecked(&[7; 32]).unwrap();
/// let mut keys = Ed25519Keys::default();
/// keys.push_encoded(&Encoding::Hex.encode(pair.public_key().as_ref()), Encoding::Hex)?;
/// let signature = pair.sign(b"1700000000{}");
/// assert_eq!(keys.verify(b"1700000000{}", signature.as_ref()), Some(0));
/// assert_eq!(keys.verify(b"1700000001{}", signature.as_ref()), None);
/// assert!(keys.push_encoded(&format!("01{}", "00".repeat(31)), Encoding::Hex).is_err());
/// # Ok::<(), webhook_core::ConfigError>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Ed25519Keys {
    keys: Vec<[u8; KEY_LEN]>,
}

impl Ed25519Keys {
    /// Adds a raw 32-byte key.
    ///
    /// # Errors
    /// Wrong length, small order or non-canonical.
    pub fn push(&mut self, key: &[u8]) -> Result<(), ConfigError> {
        let key: [u8; KEY_LEN] = key
            .try_into()
            .map_err(|_| ConfigError::new("Ed25519 public key must be 32 bytes"))?;
        let mut cleared = key;
        if let Some(last) = cleared.last_mut() {
            *last &= 0x7f;
        }
        if SMALL_ORDER.contains(&cleared) {
            return Err(ConfigError::new(
                "Ed25519 public key is a small-order point (anyone could forge signatures)",
            ));
        }
        if non_canonical_y(&cleared) {
            return Err(ConfigError::new(
                "Ed25519 public key is not canonically encoded",
            ));
        }
        self.keys.push(key);
        Ok(())
    }

    /// Adds a key written in `encoding` (Discord: hex; Telnyx: base64).
    ///
    /// # Errors
    /// Not in the encoding, or refused by [`push`](Self::push).
    pub fn push_encoded(&mut self, key: &str, encoding: Encoding) -> Result<(), ConfigError> {
        let bytes = encoding
            .decode(key)
            .ok_or_else(|| ConfigError::new(format!("Ed25519 public key is not {encoding:?}")))?;
        self.push(&bytes)
    }

    /// Number of keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there is no key.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The index of the first key under which `signature` verifies `message`.
    #[must_use]
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Option<usize> {
        if signature.len() != SIGNATURE_LEN {
            return None;
        }
        self.keys.iter().position(|key| {
            UnparsedPublicKey::new(&ED25519, key)
                .verify(message, signature)
                .is_ok()
        })
    }
}

/// Whether the little-endian `y` (sign bit cleared) is ≥ p = 2^255 − 19.
fn non_canonical_y(y: &[u8; KEY_LEN]) -> bool {
    let (first, rest) = y.split_at(1);
    let (middle, last) = rest.split_at(KEY_LEN - 2);
    first.first().is_some_and(|&b| b >= 0xed)
        && middle.iter().all(|&b| b == 0xff)
        && last.first() == Some(&0x7f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_order_and_non_canonical_keys_are_refused() {
        let mut keys = Ed25519Keys::default();
        for key in SMALL_ORDER {
            assert!(keys.push(&key).is_err());
            let mut signed = key;
            signed[31] |= 0x80;
            assert!(keys.push(&signed).is_err());
        }
        let mut p = [0xff; 32];
        p[0] = 0xed;
        p[31] = 0x7f;
        assert!(keys.push(&p).is_err());
        assert!(keys.push(&[1; 31]).is_err());
        assert!(keys.is_empty());
    }
}
