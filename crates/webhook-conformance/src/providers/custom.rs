//! `custom`: `{"header": "x-acme-signature", "digest": "sha256", "prefix": "v1=", "encoding":
//! "hex", "template": "{timestamp}.{body}", "timestamp_header": "x-acme-timestamp",
//! "tolerance_secs": 300, "secrets": ["…"], "id_header": "x-acme-delivery"}`.

use serde_json::Value;
use webhook_core::patterns::{Digest, Encoding, HeaderHmac, SignedContent};
use webhook_providers::custom::{CustomEvent, CustomLayer};

use super::{seconds, strings};
use crate::harness::{CaseService, World, apply_world};

fn text<'c>(config: &'c Value, key: &str) -> Result<Option<&'c str>, String> {
    match config.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("config.{key} must be a string")),
    }
}

pub(super) fn build(config: &Value, world: &World) -> Result<CaseService, String> {
    let header = text(config, "header")?.ok_or("config.header is required")?;
    let digest = match text(config, "digest")?.unwrap_or("sha256") {
        "sha256" => Digest::Sha256,
        "sha1" => Digest::LegacySha1,
        other => return Err(format!("config.digest `{other}` is not sha256 or sha1")),
    };
    let encoding = match text(config, "encoding")?.unwrap_or("hex") {
        "hex" => Encoding::Hex,
        "base64" => Encoding::Base64,
        other => return Err(format!("config.encoding `{other}` is not hex or base64")),
    };
    let mut hmac = HeaderHmac::new(header, digest)
        .map_err(|e| e.to_string())?
        .prefix(text(config, "prefix")?.unwrap_or_default())
        .encoding(encoding)
        .content(
            SignedContent::parse(text(config, "template")?.unwrap_or("{body}"))
                .map_err(|e| e.to_string())?,
        );
    if let Some(name) = text(config, "timestamp_header")? {
        let tolerance =
            seconds(config, "tolerance_secs")?.unwrap_or(std::time::Duration::from_secs(300));
        hmac = hmac
            .timestamp_header(name, tolerance)
            .map_err(|e| e.to_string())?;
    }
    for secret in strings(config, "secrets")? {
        hmac = hmac.secret(secret.as_bytes()).map_err(|e| e.to_string())?;
    }
    let mut layer = CustomLayer::new(hmac);
    if let Some(name) = text(config, "id_header")? {
        layer = layer.id_header(name).map_err(|e| e.to_string())?;
    }
    Ok(world.service::<CustomEvent, _>(apply_world!(layer, world)))
}
