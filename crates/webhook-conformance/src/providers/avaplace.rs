//! `avaplace`: `{"issuer": "https://…", "audience": null, "security_codes": ["…"], "tenants": null}`.

use serde_json::Value;
use webhook_avaplace::{AvaplaceEvent, AvaplaceLayer};

use super::strings;
use crate::harness::{CaseService, World, apply_world};

pub(super) fn build(config: &Value, world: &World) -> Result<CaseService, String> {
    let issuer = config
        .get("issuer")
        .and_then(Value::as_str)
        .ok_or("config.issuer must be a string")?;
    let codes = strings(config, "security_codes")?;
    let (first, rest) = codes
        .split_first()
        .ok_or("config.security_codes is empty")?;
    let mut layer = AvaplaceLayer::new(issuer, first).map_err(|e| e.to_string())?;
    for code in rest {
        layer = layer.security_code(code).map_err(|e| e.to_string())?;
    }
    match config.get("audience") {
        None | Some(Value::Null) => {}
        Some(Value::String(audience)) => layer = layer.audience(audience),
        Some(_) => return Err("config.audience must be a string or null".into()),
    }
    for tenant in strings(config, "tenants")? {
        layer = layer.tenant(&tenant);
    }
    Ok(world.service::<AvaplaceEvent, _>(apply_world!(layer, world)))
}
