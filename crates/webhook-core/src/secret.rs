//! Secrets that never print, HMAC keys parsed once, and the one constant-time comparison.

use std::fmt;

use ring::hmac;

/// Secret bytes whose `Debug` prints `Secret(**redacted**)`.
///
/// ```
/// use webhook_core::Secret;
/// let secret = Secret::new(b"hunter2".to_vec());
/// assert_eq!(format!("{secret:?}"), "Secret(**redacted**)");
/// assert_eq!(secret.expose(), b"hunter2");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Box<[u8]>);

impl Secret {
    /// Wraps secret bytes.
    #[must_use]
    pub fn new(bytes: impl Into<Box<[u8]>>) -> Self {
        Self(bytes.into())
    }

    /// The secret bytes. Never log them.
    #[must_use]
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(**redacted**)")
    }
}

/// Compares two byte strings in time that depends only on their lengths. Every comparison of
/// a MAC, security code or callback id goes through this one function.
///
/// ```
/// use webhook_core::constant_time_eq;
/// assert!(constant_time_eq(b"abc", b"abc"));
/// assert!(!constant_time_eq(b"abc", b"abd"));
/// assert!(!constant_time_eq(b"", b"abc")); // length is checked first (RUSTSEC-2024-0010)
/// ```
#[must_use]
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// HMAC-SHA256 keys for several secrets at once (rotation), each prepared once.
///
/// ```
/// use webhook_core::HmacSha256Keys;
/// let keys = HmacSha256Keys::new([b"old".as_slice(), b"new".as_slice()]);
/// let tag = keys.sign(1, &[b"id", b".", b"body"]).unwrap();
/// assert_eq!(keys.verify(&[b"id", b".", b"body"], [tag.as_ref()]), Some(1));
/// assert_eq!(keys.verify(&[b"id", b".", b"bodY"], [tag.as_ref()]), None);
/// ```
#[derive(Clone, Default)]
pub struct HmacSha256Keys {
    keys: Vec<hmac::Key>,
}

impl fmt::Debug for HmacSha256Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacSha256Keys")
            .field("keys", &self.keys.len())
            .finish()
    }
}

impl HmacSha256Keys {
    /// Prepares one key per secret, in order (the index is what [`verify`](Self::verify)
    /// reports).
    #[must_use]
    pub fn new<I, S>(secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let keys = secrets
            .into_iter()
            .map(|secret| hmac::Key::new(hmac::HMAC_SHA256, secret.as_ref()))
            .collect();
        Self { keys }
    }

    /// Adds a key after the existing ones (rotation: the new secret gets the next index).
    pub fn push(&mut self, secret: impl AsRef<[u8]>) {
        self.keys
            .push(hmac::Key::new(hmac::HMAC_SHA256, secret.as_ref()));
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

    /// Signs the concatenation of `parts` with key `index` (incrementally: nothing is copied).
    #[must_use]
    pub fn sign(&self, index: usize, parts: &[&[u8]]) -> Option<hmac::Tag> {
        self.keys.get(index).map(|key| tag(key, parts))
    }

    /// Returns the index of the first key whose MAC over the concatenation of `parts` equals
    /// one of `candidates`. Each key hashes the message once, whatever the number of
    /// candidates; every comparison is constant-time and length-checked.
    pub fn verify<'c, C>(&self, parts: &[&[u8]], candidates: C) -> Option<usize>
    where
        C: IntoIterator<Item = &'c [u8]>,
        C::IntoIter: Clone,
    {
        let candidates = candidates.into_iter();
        self.keys.iter().position(|key| {
            let expected = tag(key, parts);
            candidates
                .clone()
                .any(|candidate| constant_time_eq(expected.as_ref(), candidate))
        })
    }
}

fn tag(key: &hmac::Key, parts: &[&[u8]]) -> hmac::Tag {
    let mut context = hmac::Context::with_key(key);
    for part in parts {
        context.update(part);
    }
    context.sign()
}
