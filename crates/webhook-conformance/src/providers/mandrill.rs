//! `mandrill`: `{"secrets": ["<webhook key>"], "public_base": "https://hooks.example.com"}`.

use serde_json::Value;
use webhook_providers::mandrill::{MandrillEvent, MandrillLayer};

use super::strings;
use crate::harness::{CaseService, World, apply_world};

pub(super) fn build(config: &Value, world: &World) -> Result<CaseService, String> {
    let secrets = strings(config, "secrets")?;
    let (first, rest) = secrets.split_first().ok_or("config.secrets is empty")?;
    let public_base = config
        .get("public_base")
        .and_then(Value::as_str)
        .ok_or("config.public_base is required")?;
    let mut layer = MandrillLayer::new(first, public_base).map_err(|e| e.to_string())?;
    for secret in rest {
        layer = layer.secret(secret).map_err(|e| e.to_string())?;
    }
    Ok(world.service::<MandrillEvent, _>(apply_world!(layer, world)))
}
