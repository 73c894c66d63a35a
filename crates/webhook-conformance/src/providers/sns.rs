//! `sns`: `{"topic_arns": [...], "auto_confirm": bool, "tolerance_secs": 3600, "require_signature_version_2": bool}`.

use serde_json::Value;
use webhook_sns::{SnsEvent, SnsLayer};

use super::{flag, seconds, strings};
use crate::harness::{CaseService, World, apply_world};

pub(super) fn build(config: &Value, world: &World) -> Result<CaseService, String> {
    if config.get("topic_arns").is_none() {
        return Err("config.topic_arns is required".into());
    }
    let topics = strings(config, "topic_arns")?;
    let topics: Vec<&str> = topics.iter().map(String::as_str).collect();
    let mut layer = SnsLayer::new(&topics)
        .map_err(|e| e.to_string())?
        .auto_confirm(flag(config, "auto_confirm", false)?)
        .require_signature_version_2(flag(config, "require_signature_version_2", false)?);
    if let Some(tolerance) = seconds(config, "tolerance_secs")? {
        layer = layer.tolerance(tolerance);
    }
    Ok(world.service::<SnsEvent, _>(apply_world!(layer, world)))
}
