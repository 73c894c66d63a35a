//! `boxcom`: `{"primary_key": "…", "secondary_key": "…", "tolerance_secs": 600}` (the secondary
//! key is optional).

use serde_json::Value;
use webhook_providers::boxcom::{BoxEvent, BoxLayer};

use super::seconds;
use crate::harness::{CaseService, World, apply_world};

pub(super) fn build(config: &Value, world: &World) -> Result<CaseService, String> {
    let primary = config
        .get("primary_key")
        .and_then(Value::as_str)
        .ok_or("config.primary_key is required")?;
    let mut layer = BoxLayer::new(primary).map_err(|e| e.to_string())?;
    if let Some(secondary) = config.get("secondary_key").and_then(Value::as_str) {
        layer = layer.secondary(secondary).map_err(|e| e.to_string())?;
    }
    if let Some(tolerance) = seconds(config, "tolerance_secs")? {
        layer = layer.tolerance(tolerance);
    }
    Ok(world.service::<BoxEvent, _>(apply_world!(layer, world)))
}
