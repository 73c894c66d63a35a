//! `bitbucket`: `{"secrets": ["…"]}`.

use serde_json::Value;
use webhook_providers::bitbucket::{BitbucketEvent, BitbucketLayer};

use super::strings;
use crate::harness::{CaseService, World, apply_world};

pub(super) fn build(config: &Value, world: &World) -> Result<CaseService, String> {
    let values = strings(config, "secrets")?;
    let (first, rest) = values.split_first().ok_or("config.secrets is empty")?;
    let mut layer = BitbucketLayer::new(first).map_err(|e| e.to_string())?;
    for value in rest {
        layer = layer.secret(value).map_err(|e| e.to_string())?;
    }
    Ok(world.service::<BitbucketEvent, _>(apply_world!(layer, world)))
}
