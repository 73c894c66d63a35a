//! Where the layer gets the Autoflex10 API token, and how it renews it after a 401.

use std::fmt;

use webhook_core::{BoxFuture, Secret};

/// Supplies the API token sent in the `token` header of the payload fetch.
pub trait TokenSource: Send + Sync + 'static {
    /// The current token.
    fn token(&self) -> BoxFuture<'_, Option<Secret>>;
    /// A new token after the API answered 401 (`None`: cannot renew).
    fn refresh(&self) -> BoxFuture<'_, Option<Secret>>;
}

/// A fixed token; it cannot be renewed, so a 401 answers `503 key_unavailable`.
#[derive(Clone)]
pub struct StaticToken(Secret);

impl StaticToken {
    /// Wraps a token.
    #[must_use]
    pub fn new(token: &str) -> Self {
        Self(Secret::new(token.as_bytes().to_vec()))
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken(**redacted**)")
    }
}

impl TokenSource for StaticToken {
    fn token(&self) -> BoxFuture<'_, Option<Secret>> {
        let token = self.0.clone();
        Box::pin(async move { Some(token) })
    }

    fn refresh(&self) -> BoxFuture<'_, Option<Secret>> {
        Box::pin(async { None })
    }
}
