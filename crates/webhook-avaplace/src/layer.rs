//! [`AvaplaceLayer`]: the AVAplace MessageGateway layer.

use std::time::Duration;

use webhook_core::{ConfigError, Webhook, WebhookLayer};

use crate::verify::AvaplaceScheme;

/// Verifies AVAplace MessageGateway deliveries before the inner service. See the
/// [crate docs](crate) for an example; common knobs (`body_limit`, `clock`, `fetcher`,
/// `key_cache`, `replay_store`, …) are those of [`WebhookLayer`]. A real fetcher is required
/// (discovery and JWKS are fetched): the default refuses every fetch.
#[derive(Clone, Debug)]
#[must_use]
pub struct AvaplaceLayer(WebhookLayer<AvaplaceScheme>);

/// The service built by [`AvaplaceLayer`].
pub type Avaplace<S> = Webhook<S, AvaplaceScheme>;

impl AvaplaceLayer {
    /// A layer trusting tokens of `issuer` (e.g. `https://demo.avaplace.com/api/asol/idp`,
    /// compared exactly with the token's `iss` and the discovery document's `issuer`) and
    /// requiring `X-MessageSecurityCode` to equal `security_code`.
    ///
    /// # Errors
    /// The issuer is not https (or ends with `/`), or the code is empty.
    pub fn new(issuer: &str, security_code: &str) -> Result<Self, ConfigError> {
        Ok(Self(WebhookLayer::new(AvaplaceScheme::new(
            issuer,
            security_code,
        )?)))
    }

    /// Accepts another security code (rotation). All codes are compared in constant time.
    ///
    /// # Errors
    /// The code is empty or has surrounding whitespace.
    pub fn security_code(mut self, code: &str) -> Result<Self, ConfigError> {
        self.0.scheme_mut().add_security_code(code)?;
        Ok(self)
    }

    /// Requires the token's `aud` to be (or contain) `audience`. Unset by default because the
    /// audience of gateway tokens is undocumented; set it when you know it.
    pub fn audience(mut self, audience: &str) -> Self {
        self.0.scheme_mut().set_audience(audience);
        self
    }

    /// Allows this tenant (the token's `tid`, else `X-Tenant-Id`); once any tenant is added,
    /// others are refused with `claim_mismatch`. All tenants are allowed by default.
    pub fn tenant(mut self, tenant: &str) -> Self {
        self.0.scheme_mut().add_tenant(tenant);
        self
    }

    /// Clock skew allowed on `exp`/`nbf`. Defaults to 30 seconds; at most 60.
    ///
    /// # Errors
    /// More than 60 seconds.
    pub fn leeway(mut self, leeway: Duration) -> Result<Self, ConfigError> {
        self.0.scheme_mut().set_leeway(leeway)?;
        Ok(self)
    }
}

webhook_core::provider_layer!(AvaplaceLayer, AvaplaceScheme);
