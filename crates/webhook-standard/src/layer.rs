//! [`StandardLayer`]: the Standard Webhooks layer.

use std::time::Duration;

use webhook_core::{ConfigError, Webhook, WebhookLayer};

use crate::verify::StandardScheme;

/// Verifies Standard Webhooks (`webhook-*` or `svix-*` headers) before the inner service.
///
/// See the [crate docs](crate) for an example. Common knobs (`body_limit`, `clock`,
/// `replay_store`, …) are those of [`WebhookLayer`].
#[derive(Clone, Debug)]
#[must_use]
pub struct StandardLayer(WebhookLayer<StandardScheme>);

/// The service built by [`StandardLayer`].
pub type Standard<S> = Webhook<S, StandardScheme>;

impl StandardLayer {
    /// A layer verifying with one `whsec_…` secret (the prefix is optional).
    ///
    /// # Errors
    /// The secret is not base64, is empty, or has surrounding whitespace.
    pub fn new(secret: &str) -> Result<Self, ConfigError> {
        Self(WebhookLayer::new(StandardScheme::new())).secret(secret)
    }

    /// A layer verifying only `v1a` Ed25519 signatures with one `whpk_…` public key.
    ///
    /// # Errors
    /// The key is not base64 of 32 bytes.
    pub fn with_public_key(public_key: &str) -> Result<Self, ConfigError> {
        Self(WebhookLayer::new(StandardScheme::new())).public_key(public_key)
    }

    /// Adds a secret (rotation: deliveries signed with any configured secret are accepted,
    /// and the event says which one matched).
    ///
    /// # Errors
    /// The secret is not base64, is empty, or has surrounding whitespace.
    pub fn secret(mut self, secret: &str) -> Result<Self, ConfigError> {
        self.0.scheme_mut().add_secret(secret)?;
        Ok(self)
    }

    /// Adds an Ed25519 public key (`whpk_…`) for `v1a` signatures.
    ///
    /// # Errors
    /// The key is not base64 of 32 bytes.
    pub fn public_key(mut self, public_key: &str) -> Result<Self, ConfigError> {
        self.0.scheme_mut().add_public_key(public_key)?;
        Ok(self)
    }

    /// Largest accepted distance between the signed timestamp and the clock, either way
    /// (bounds included). Defaults to 300 seconds. Longer windows widen the replay window;
    /// keep `dedup_ttl` above twice this value.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.0.scheme_mut().set_tolerance(tolerance);
        self
    }

    /// Number of configured secrets and public keys.
    #[must_use]
    pub fn key_count(&self) -> usize {
        self.0.scheme().key_count()
    }
}

webhook_core::provider_layer!(StandardLayer, StandardScheme);
