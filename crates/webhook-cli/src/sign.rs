//! Builds a signed request per provider with the library's signers.

use bytes::Bytes;
use http::Request;
use serde_json::{Value, json};
use webhook::avaplace::AvaplaceSigner;
use webhook::ricloud::RicloudSigner;
use webhook::shipmondo::{ClaimEncoding, ShipmondoSigner};
use webhook::sns::SnsSigner;
use webhook::standard::StandardSigner;

use crate::{CliError, Provider, ProviderArgs};

/// What to sign.
#[derive(Debug)]
pub(crate) struct Draft<'a> {
    /// Path and query the request targets.
    pub(crate) target: &'a str,
    /// The body, or `None` for the provider's sample.
    pub(crate) body: Option<Vec<u8>>,
    /// The delivery id, or `None` for a random one.
    pub(crate) id: Option<String>,
    /// Signing time.
    pub(crate) timestamp: i64,
}

pub(crate) fn secret<'a>(args: &'a ProviderArgs, what: &str) -> Result<&'a str, CliError> {
    args.secret
        .as_deref()
        .ok_or_else(|| format!("{what} needed: pass --secret or set WEBHOOK_SECRET").into())
}

/// A random canonical UUID (version 4).
pub(crate) fn random_uuid() -> Result<String, CliError> {
    let mut bytes = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .map_err(|_| "no randomness available")?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    let part = |range: std::ops::Range<usize>| hex.get(range).unwrap_or_default();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        part(0..8),
        part(8..12),
        part(12..16),
        part(16..20),
        part(20..32)
    ))
}

pub(crate) fn body_or(draft: &Draft<'_>, sample: &str) -> Vec<u8> {
    draft
        .body
        .clone()
        .unwrap_or_else(|| sample.as_bytes().to_vec())
}

/// Signs `draft` as `args.provider` would.
pub(crate) fn sign(args: &ProviderArgs, draft: &Draft<'_>) -> Result<Request<Bytes>, CliError> {
    let id = match &draft.id {
        Some(id) => id.clone(),
        None => random_uuid()?,
    };
    let now = draft.timestamp;
    if let Some(request) = crate::providers::sign(args.provider, args, draft, &id)? {
        return Ok(request);
    }
    let request = match args.provider {
        Provider::Standard => {
            let signer = StandardSigner::new(secret(args, "the whsec_ secret")?)?;
            let body = body_or(draft, r#"{"type":"test.event","data":{"hello":"world"}}"#);
            signer.request(draft.target, &format!("msg_{id}"), now, body)?
        }
        Provider::Ricloud => {
            let body = body_or(
                draft,
                &format!(
                    r#"{{"id":"{id}","resource":"event","type":"task","action":"succeeded"}}"#
                ),
            );
            let timestamp = u64::try_from(now).map_err(|_| "the timestamp is negative")?;
            RicloudSigner::new(secret(args, "the ricloud secret")?).request(
                draft.target,
                timestamp,
                body,
            )?
        }
        Provider::Shipmondo => {
            let claims: Value = match &draft.body {
                Some(body) => serde_json::from_slice(body)
                    .map_err(|e| format!("the body must be the claims JSON object: {e}"))?,
                None => json!({"webhook": "shipment_created", "data": {"id": 1}}),
            };
            let signer = ShipmondoSigner::new(secret(args, "the Shipmondo webhook key")?);
            Request::post(draft.target)
                .header("content-type", "application/json")
                .body(Bytes::from(signer.body(&claims, ClaimEncoding::Object)))?
        }
        Provider::Avaplace => {
            let code = args
                .security_code
                .as_deref()
                .ok_or("the security code is needed: pass --security-code")?;
            let signer = AvaplaceSigner::new(&args.issuer)?;
            let body = body_or(draft, r#"{"orderId":"ord-1","status":"released"}"#);
            signer.request(draft.target, &signer.claims(now), code, body)?
        }
        Provider::Autoflex => {
            let separator = if draft.target.contains('?') { '&' } else { '?' };
            Request::get(format!("{}{separator}id={id}", draft.target)).body(Bytes::new())?
        }
        Provider::Sns => {
            let region = args
                .topic
                .split(':')
                .nth(3)
                .ok_or("--topic is not an SNS topic ARN")?;
            let signer = SnsSigner::new(region)?;
            let message = String::from_utf8(body_or(draft, r#"{"hello":"world"}"#))
                .map_err(|_| "the SNS Message must be UTF-8")?;
            let timestamp = webhook::format_rfc3339_utc(now);
            let body = signer.notification(&args.topic, &id, None, &message, &timestamp);
            Request::post(draft.target)
                .header("x-amz-sns-message-type", "Notification")
                .header("content-type", "text/plain; charset=UTF-8")
                .body(Bytes::from(body))?
        }
        other => return Err(format!("{other:?} has no signer here").into()),
    };
    Ok(request)
}
