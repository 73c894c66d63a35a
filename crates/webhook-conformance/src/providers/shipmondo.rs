//! `shipmondo`: `{"keys": ["<webhook key>"], "endpoint_url": "https://…"}`.

use serde_json::Value;
use webhook_shipmondo::{ShipmondoEvent, ShipmondoLayer};

use super::strings;
use crate::harness::{CaseService, World, apply_world};

pub(super) fn build(config: &Value, world: &World) -> Result<CaseService, String> {
    let keys = strings(config, "keys")?;
    let (first, rest) = keys.split_first().ok_or("config.keys is empty")?;
    let mut layer = ShipmondoLayer::new(first).map_err(|e| e.to_string())?;
    for key in rest {
        layer = layer.key(key).map_err(|e| e.to_string())?;
    }
    match config.get("endpoint_url") {
        None | Some(Value::Null) => {}
        Some(Value::String(url)) => layer = layer.endpoint_url(url).map_err(|e| e.to_string())?,
        Some(_) => return Err("config.endpoint_url must be a string".into()),
    }
    Ok(world.service::<ShipmondoEvent, _>(apply_world!(layer, world)))
}
