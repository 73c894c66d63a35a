//! `sendgrid`: `{"public_keys": ["<base64 DER verification key>"], "tolerance_secs": 300}`.

use serde_json::Value;
use webhook_providers::sendgrid::{SendgridEvent, SendgridLayer};

use super::{seconds, strings};
use crate::harness::{CaseService, World, apply_world};

pub(super) fn build(config: &Value, world: &World) -> Result<CaseService, String> {
    let keys = strings(config, "public_keys")?;
    let (first, rest) = keys.split_first().ok_or("config.public_keys is empty")?;
    let mut layer = SendgridLayer::new(first).map_err(|e| e.to_string())?;
    for key in rest {
        layer = layer.public_key(key).map_err(|e| e.to_string())?;
    }
    if let Some(tolerance) = seconds(config, "tolerance_secs")? {
        layer = layer.tolerance(tolerance);
    }
    Ok(world.service::<SendgridEvent, _>(apply_world!(layer, world)))
}
