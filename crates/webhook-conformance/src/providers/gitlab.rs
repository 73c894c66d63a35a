//! `gitlab`: `{"tokens": ["<secret token>"]}`.

use serde_json::Value;
use webhook_providers::gitlab::{GitlabEvent, GitlabLayer};

use super::strings;
use crate::harness::{CaseService, World, apply_world};

pub(super) fn build(config: &Value, world: &World) -> Result<CaseService, String> {
    let values = strings(config, "tokens")?;
    let (first, rest) = values.split_first().ok_or("config.tokens is empty")?;
    let mut layer = GitlabLayer::new(first).map_err(|e| e.to_string())?;
    for value in rest {
        layer = layer.token(value).map_err(|e| e.to_string())?;
    }
    Ok(world.service::<GitlabEvent, _>(apply_world!(layer, world)))
}
