//! [`ShipmondoLayer`]: the Shipmondo layer.

use webhook_core::{ConfigError, Webhook, WebhookLayer};

use crate::verify::ShipmondoScheme;

/// Verifies Shipmondo webhooks before the inner service. See the [crate docs](crate) for an
/// example; common knobs (`body_limit`, `clock`, `replay_store`, …) are those of
/// [`WebhookLayer`].
#[derive(Clone, Debug)]
#[must_use]
pub struct ShipmondoLayer(WebhookLayer<ShipmondoScheme>);

/// The service built by [`ShipmondoLayer`].
pub type Shipmondo<S> = Webhook<S, ShipmondoScheme>;

impl ShipmondoLayer {
    /// A layer verifying with one webhook key (the key chosen when creating the webhook).
    ///
    /// # Errors
    /// The key is empty or has surrounding whitespace.
    pub fn new(key: &str) -> Result<Self, ConfigError> {
        Self(WebhookLayer::new(ShipmondoScheme::default())).key(key)
    }

    /// Adds a key (rotation, or several webhooks posting to one endpoint; the event's
    /// `matched_key` says which verified).
    ///
    /// # Errors
    /// The key is empty or has surrounding whitespace.
    pub fn key(mut self, key: &str) -> Result<Self, ConfigError> {
        self.0.scheme_mut().add_key(key)?;
        Ok(self)
    }

    /// The public URL of this endpoint, exactly as configured at Shipmondo. The signed `url`
    /// claim must equal it (`claim_mismatch` otherwise), so a token captured at another
    /// endpoint that shares the key cannot be replayed here. Never taken from the request's
    /// `Host`. Unset by default (strongly recommended).
    ///
    /// # Errors
    /// The URL is not absolute http(s).
    pub fn endpoint_url(mut self, url: &str) -> Result<Self, ConfigError> {
        self.0.scheme_mut().set_endpoint_url(url)?;
        Ok(self)
    }
}

webhook_core::provider_layer!(ShipmondoLayer, ShipmondoScheme);
