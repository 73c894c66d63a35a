//! `slack`: `{"secrets": ["<signing secret>"], "tolerance_secs": 300}`.

use serde_json::Value;
use webhook_providers::slack::{SlackEvent, SlackLayer};

use super::{seconds, strings};
use crate::harness::{CaseService, World, apply_world};

pub(super) fn build(config: &Value, world: &World) -> Result<CaseService, String> {
    let values = strings(config, "secrets")?;
    let (first, rest) = values.split_first().ok_or("config.secrets is empty")?;
    let mut layer = SlackLayer::new(first).map_err(|e| e.to_string())?;
    for value in rest {
        layer = layer.secret(value).map_err(|e| e.to_string())?;
    }
    if let Some(tolerance) = seconds(config, "tolerance_secs")? {
        layer = layer.tolerance(tolerance);
    }
    Ok(world.service::<SlackEvent, _>(apply_world!(layer, world)))
}
