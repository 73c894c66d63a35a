//! `meta`: `{"secrets": ["<app secret>"], "verify_token": "<verify token>"}`.

use serde_json::Value;
use webhook_providers::meta::{MetaEvent, MetaLayer};

use super::strings;
use crate::harness::{CaseService, World, apply_world};

pub(super) fn build(config: &Value, world: &World) -> Result<CaseService, String> {
    let secrets = strings(config, "secrets")?;
    let (first, rest) = secrets.split_first().ok_or("config.secrets is empty")?;
    let verify_token = config
        .get("verify_token")
        .and_then(Value::as_str)
        .ok_or("config.verify_token is required")?;
    let mut layer = MetaLayer::new(first, verify_token).map_err(|e| e.to_string())?;
    for secret in rest {
        layer = layer.secret(secret).map_err(|e| e.to_string())?;
    }
    Ok(world.service::<MetaEvent, _>(apply_world!(layer, world)))
}
