//! [`SharedTokens`]: a plain shared token in a header (GitLab `X-Gitlab-Token`).

use http::{HeaderMap, HeaderName};
use ring::digest::{SHA256, digest};

use super::header_hmac::header_name;
use super::{MAX_HEADER_LEN, bounded_header, check_secret};
use crate::config::ConfigError;
use crate::rejection::{Reason, Rejection};
use crate::secret::constant_time_eq;

/// Configured shared tokens, any one of which a request may carry in `header`.
///
/// A token proves only that the sender knows it: nothing binds it to the body, and anyone who
/// sees one request can forge others. Prefer a signing scheme where the provider offers one.
/// Tokens are compared as SHA-256 digests in constant time, so neither their content nor their
/// length leaks through timing.
///
/// ```
/// use http::HeaderMap;
/// use webhook_core::Reason;
/// use webhook_core::patterns::SharedTokens;
/// let tokens = SharedTokens::new("x-gitlab-token")?.token("old-token")?.token("new-token")?;
/// let mut headers = HeaderMap::new();
/// headers.insert("x-gitlab-token", "new-token".parse()?);
/// assert_eq!(tokens.verify(&headers)?, 1);
/// headers.insert("x-gitlab-token", "guess".parse()?);
/// assert_eq!(tokens.verify(&headers).unwrap_err().reason(), Reason::SignatureMismatch);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct SharedTokens {
    header: HeaderName,
    digests: Vec<[u8; 32]>,
}

impl std::fmt::Debug for SharedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedTokens")
            .field("header", &self.header)
            .field("tokens", &self.digests.len())
            .finish()
    }
}

fn hash(token: &[u8]) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(digest(&SHA256, token).as_ref());
    out
}

impl SharedTokens {
    /// Tokens read from `header`; none configured yet.
    ///
    /// # Errors
    /// `header` is not a valid header name.
    pub fn new(header: &str) -> Result<Self, ConfigError> {
        Ok(Self {
            header: header_name(header)?,
            digests: Vec::new(),
        })
    }

    /// Adds a token (rotation).
    ///
    /// # Errors
    /// Empty, surrounding whitespace, or longer than the header bound.
    pub fn token(mut self, token: &str) -> Result<Self, ConfigError> {
        self.add_token(token)?;
        Ok(self)
    }

    /// Adds a token in place.
    ///
    /// # Errors
    /// As [`token`](Self::token).
    pub fn add_token(&mut self, token: &str) -> Result<(), ConfigError> {
        check_secret("shared token", token.as_bytes())?;
        if token.len() > MAX_HEADER_LEN || http::HeaderValue::from_str(token).is_err() {
            return Err(ConfigError::new(
                "shared token is too long or not a header value",
            ));
        }
        self.digests.push(hash(token.as_bytes()));
        Ok(())
    }

    /// The header's name.
    #[must_use]
    pub const fn header(&self) -> &HeaderName {
        &self.header
    }

    /// The index of the configured token the request carries.
    ///
    /// # Errors
    /// `missing_header`, `malformed_header` (repeated, too long), `signature_mismatch`.
    pub fn verify(&self, headers: &HeaderMap) -> Result<usize, Rejection> {
        let value = bounded_header(headers, self.header.as_str(), MAX_HEADER_LEN)?;
        let candidate = hash(value.as_bytes());
        self.digests
            .iter()
            .position(|known| constant_time_eq(known, &candidate))
            .ok_or_else(|| {
                Rejection::new(Reason::SignatureMismatch)
                    .with_detail(format!("{} matches no configured token", self.header))
            })
    }
}
