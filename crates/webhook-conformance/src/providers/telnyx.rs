//! `telnyx`: `{"public_keys": ["…"], "tolerance_secs": 300}`.

use serde_json::Value;
use webhook_providers::telnyx::{TelnyxEvent, TelnyxLayer};

use super::{seconds, strings};
use crate::harness::{CaseService, World, apply_world};

pub(super) fn build(config: &Value, world: &World) -> Result<CaseService, String> {
    let values = strings(config, "public_keys")?;
    let (first, rest) = values.split_first().ok_or("config.public_keys is empty")?;
    let mut layer = TelnyxLayer::new(first).map_err(|e| e.to_string())?;
    for value in rest {
        layer = layer.public_key(value).map_err(|e| e.to_string())?;
    }
    if let Some(tolerance) = seconds(config, "tolerance_secs")? {
        layer = layer.tolerance(tolerance);
    }
    Ok(world.service::<TelnyxEvent, _>(apply_world!(layer, world)))
}
