//! `hubspot`: `{"secrets": ["<client secret>"], "public_base": "https://hooks.example.com",
//! "tolerance_secs": 300}`.

use serde_json::Value;
use webhook_providers::hubspot::{HubspotEvent, HubspotLayer};

use super::{seconds, strings};
use crate::harness::{CaseService, World, apply_world};

pub(super) fn build(config: &Value, world: &World) -> Result<CaseService, String> {
    let secrets = strings(config, "secrets")?;
    let (first, rest) = secrets.split_first().ok_or("config.secrets is empty")?;
    let base = config
        .get("public_base")
        .and_then(Value::as_str)
        .ok_or("config.public_base is required")?;
    let mut layer = HubspotLayer::new(first, base).map_err(|e| e.to_string())?;
    for secret in rest {
        layer = layer.secret(secret).map_err(|e| e.to_string())?;
    }
    if let Some(tolerance) = seconds(config, "tolerance_secs")? {
        layer = layer.tolerance(tolerance);
    }
    Ok(world.service::<HubspotEvent, _>(apply_world!(layer, world)))
}
