//! [`RicloudLayer`]: the ricloud layer.

use std::time::Duration;

use webhook_core::{ConfigError, Webhook, WebhookLayer};

use crate::verify::RicloudScheme;

/// Verifies ricloud webhooks before the inner service. See the [crate docs](crate) for an
/// example; common knobs (`body_limit`, `clock`, `replay_store`, …) are those of
/// [`WebhookLayer`].
#[derive(Clone, Debug)]
#[must_use]
pub struct RicloudLayer(WebhookLayer<RicloudScheme>);

/// The service built by [`RicloudLayer`].
pub type Ricloud<S> = Webhook<S, RicloudScheme>;

impl RicloudLayer {
    /// A layer verifying with one webhook-config secret (as the API returned it).
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn new(secret: &str) -> Result<Self, ConfigError> {
        Self(WebhookLayer::new(RicloudScheme::new())).secret(secret)
    }

    /// Adds a secret (rotation: any configured secret verifies; the event's `matched_key` says
    /// which).
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn secret(mut self, secret: &str) -> Result<Self, ConfigError> {
        self.0.scheme_mut().add_secret(secret)?;
        Ok(self)
    }

    /// Largest accepted distance between the signed `t` and the clock, either way (bounds
    /// included). Defaults to 600 seconds, ricloud's own reference window. Keep `dedup_ttl`
    /// above twice this value.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.0.scheme_mut().set_tolerance(tolerance);
        self
    }
}

webhook_core::provider_layer!(RicloudLayer, RicloudScheme);
