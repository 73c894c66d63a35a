//! `autoflex`: `{"api_base": "https://…", "token": "<api token>", "pending": ["<uuid>", …]}`.

use std::time::Duration;

use serde_json::Value;
use webhook_autoflex::{AutoflexEvent, AutoflexLayer, MemoryPendingCallbacks};

use super::strings;
use crate::harness::{CaseService, World, apply_world};

pub(super) fn build(config: &Value, world: &World) -> Result<CaseService, String> {
    let text = |key: &str| {
        config
            .get(key)
            .and_then(Value::as_str)
            .ok_or(format!("config.{key} must be a string"))
    };
    let mut layer =
        AutoflexLayer::new(text("api_base")?, text("token")?).map_err(|e| e.to_string())?;
    let pending = strings(config, "pending")?;
    if !pending.is_empty() {
        let registry = MemoryPendingCallbacks::new(pending.len());
        for id in &pending {
            registry.insert(id, Duration::from_secs(3600));
        }
        layer = layer.pending(registry);
    }
    Ok(world.service::<AutoflexEvent, _>(apply_world!(layer, world)))
}
