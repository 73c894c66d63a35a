//! `ricloud`: `{"secrets": ["<webhook secret>"], "tolerance_secs": 600}`.

use serde_json::Value;
use webhook_ricloud::{RicloudEvent, RicloudLayer};

use super::{seconds, strings};
use crate::harness::{CaseService, World, apply_world};

pub(super) fn build(config: &Value, world: &World) -> Result<CaseService, String> {
    let secrets = strings(config, "secrets")?;
    let (first, rest) = secrets.split_first().ok_or("config.secrets is empty")?;
    let mut layer = RicloudLayer::new(first).map_err(|e| e.to_string())?;
    for secret in rest {
        layer = layer.secret(secret).map_err(|e| e.to_string())?;
    }
    if let Some(tolerance) = seconds(config, "tolerance_secs")? {
        layer = layer.tolerance(tolerance);
    }
    Ok(world.service::<RicloudEvent, _>(apply_world!(layer, world)))
}
