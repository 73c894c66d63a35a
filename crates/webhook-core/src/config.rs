//! Errors from building a layer: a bad secret, key, URL or setting, caught at start-up.

use std::fmt;

/// A configuration value was refused. The message names the setting and the problem, never
/// the secret itself.
///
/// ```
/// use webhook_core::ConfigError;
/// let error = ConfigError::new("secret has trailing whitespace");
/// assert_eq!(error.to_string(), "invalid webhook configuration: secret has trailing whitespace");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    message: String,
}

impl ConfigError {
    /// An error with this message (no secrets in it).
    #[must_use]
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid webhook configuration: {}", self.message)
    }
}

impl std::error::Error for ConfigError {}
