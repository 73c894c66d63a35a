//! `square`: `{"secrets": ["<signature key>"], "notification_url": "https://hooks.example.com/square"}`.

use serde_json::Value;
use webhook_providers::square::{SquareEvent, SquareLayer};

use super::strings;
use crate::harness::{CaseService, World, apply_world};

pub(super) fn build(config: &Value, world: &World) -> Result<CaseService, String> {
    let keys = strings(config, "secrets")?;
    let (first, rest) = keys.split_first().ok_or("config.secrets is empty")?;
    let url = config
        .get("notification_url")
        .and_then(Value::as_str)
        .ok_or("config.notification_url is required")?;
    let mut layer = SquareLayer::new(first, url).map_err(|e| e.to_string())?;
    for key in rest {
        layer = layer.secret(key).map_err(|e| e.to_string())?;
    }
    Ok(world.service::<SquareEvent, _>(apply_world!(layer, world)))
}
