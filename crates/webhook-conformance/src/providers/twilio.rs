//! `twilio`: `{"auth_tokens": ["<auth token>"], "public_base": "https://hooks.example.com"}`.

use serde_json::Value;
use webhook_providers::twilio::{TwilioEvent, TwilioLayer};

use super::strings;
use crate::harness::{CaseService, World, apply_world};

pub(super) fn build(config: &Value, world: &World) -> Result<CaseService, String> {
    let tokens = strings(config, "auth_tokens")?;
    let (first, rest) = tokens.split_first().ok_or("config.auth_tokens is empty")?;
    let base = config
        .get("public_base")
        .and_then(Value::as_str)
        .ok_or("config.public_base is required")?;
    let mut layer = TwilioLayer::new(first, base).map_err(|e| e.to_string())?;
    for token in rest {
        layer = layer.secret(token).map_err(|e| e.to_string())?;
    }
    Ok(world.service::<TwilioEvent, _>(apply_world!(layer, world)))
}
