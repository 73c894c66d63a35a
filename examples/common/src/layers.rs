//! [`ProviderLayers`]: a configured layer for each enabled provider.

use std::sync::Arc;
use std::time::Duration;

use webhook::ConfigError;
use webhook::Fetch;
use webhook::autoflex::AutoflexLayer;
use webhook::avaplace::AvaplaceLayer;
use webhook::ricloud::RicloudLayer;
use webhook::shipmondo::ShipmondoLayer;
use webhook::sns::SnsLayer;
use webhook::standard::StandardLayer;

use crate::config::{ReceiverConfig, Redacted};

/// One layer per enabled provider; `None` where the configuration has no section.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ProviderLayers {
    /// Standard Webhooks.
    pub standard: Option<StandardLayer>,
    /// Reincubate ricloud.
    pub ricloud: Option<RicloudLayer>,
    /// Shipmondo.
    pub shipmondo: Option<ShipmondoLayer>,
    /// AVAplace MessageGateway.
    pub avaplace: Option<AvaplaceLayer>,
    /// Autoflex10.
    pub autoflex: Option<AutoflexLayer>,
    /// AWS SNS.
    pub sns: Option<SnsLayer>,
}

/// Applies the settings every layer shares.
macro_rules! common {
    ($layer:expr, $config:expr, $fetch:expr) => {{
        let mut layer = $layer;
        if let Some(limit) = $config.body_limit {
            layer = layer.body_limit(limit);
        }
        if let Some(fetch) = $fetch {
            layer = layer.shared_fetcher(Arc::clone(fetch));
        }
        layer.body_timeout(Duration::from_secs(10))
    }};
}

fn first(secrets: &[Redacted]) -> &str {
    secrets.first().map_or("", Redacted::expose)
}

impl ProviderLayers {
    /// Builds the layers. `fetch` replaces the default HTTPS fetcher (the demo and the tests
    /// serve certificates, JWKS and the Autoflex10 API in-process).
    ///
    /// # Errors
    /// A secret, key, URL or topic is invalid.
    pub fn build(
        config: &ReceiverConfig,
        fetch: Option<&Arc<dyn Fetch>>,
    ) -> Result<Self, ConfigError> {
        let mut layers = Self::default();
        if let Some(section) = &config.standard {
            let secrets = section.secrets();
            let mut layer = match (secrets.first(), section.public_keys.first()) {
                (Some(secret), _) => StandardLayer::new(secret.expose())?,
                (None, Some(key)) => StandardLayer::with_public_key(key)?,
                (None, None) => StandardLayer::new("")?,
            };
            for secret in secrets.iter().skip(1) {
                layer = layer.secret(secret.expose())?;
            }
            for key in section
                .public_keys
                .iter()
                .skip(usize::from(secrets.is_empty()))
            {
                layer = layer.public_key(key)?;
            }
            layers.standard = Some(common!(layer, config, fetch));
        }
        if let Some(section) = &config.ricloud {
            let secrets = section.secrets();
            let mut layer = RicloudLayer::new(first(&secrets))?;
            for secret in secrets.iter().skip(1) {
                layer = layer.secret(secret.expose())?;
            }
            layers.ricloud = Some(common!(layer, config, fetch));
        }
        if let Some(section) = &config.shipmondo {
            let keys = section.keys();
            let mut layer = ShipmondoLayer::new(first(&keys))?;
            for key in keys.iter().skip(1) {
                layer = layer.key(key.expose())?;
            }
            if let Some(url) = &section.endpoint_url {
                layer = layer.endpoint_url(url)?;
            }
            layers.shipmondo = Some(common!(layer, config, fetch));
        }
        if let Some(section) = &config.avaplace {
            let codes = section.security_codes();
            let mut layer = AvaplaceLayer::new(&section.issuer, first(&codes))?;
            for code in codes.iter().skip(1) {
                layer = layer.security_code(code.expose())?;
            }
            if let Some(audience) = &section.audience {
                layer = layer.audience(audience);
            }
            for tenant in &section.tenants {
                layer = layer.tenant(tenant);
            }
            layers.avaplace = Some(common!(layer, config, fetch));
        }
        if let Some(section) = &config.autoflex {
            let token = section.token().map_or("", Redacted::expose);
            let layer = AutoflexLayer::new(&section.api_base, token)?;
            layers.autoflex = Some(common!(layer, config, fetch));
        }
        if let Some(section) = &config.sns {
            let topics: Vec<&str> = section.topic_arns.iter().map(String::as_str).collect();
            let layer = SnsLayer::new(&topics)?.auto_confirm(section.auto_confirm);
            layers.sns = Some(common!(layer, config, fetch));
        }
        Ok(layers)
    }
}
