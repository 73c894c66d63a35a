//! One module per provider: turns a case's `config` into a configured layer.

use serde_json::Value;

use super::harness::{CaseService, World};

mod autoflex;
mod avaplace;
mod bitbucket;
mod boxcom;
mod calendly;
mod custom;
mod discord;
mod docusign;
mod dropbox;
mod github;
mod gitlab;
mod hubspot;
mod intercom;
mod linear;
mod mailgun;
mod mandrill;
mod meta;
mod mux;
mod paddle;
mod pagerduty;
mod ricloud;
mod sendgrid;
mod sentry;
mod shipmondo;
mod shopify;
mod slack;
mod sns;
mod square;
mod standard;
mod stripe;
mod telnyx;
mod twilio;
mod twitter;
mod typeform;
mod xero;
mod zendesk;
mod zoom;

/// Builds the case service for `provider` (a vector's `provider`: `standard`, `github`, …)
/// configured from `config`, around `world`; an unknown provider is an error, never a skip.
///
/// # Errors
/// An unknown provider, or a config the provider's builder refuses.
pub fn build(provider: &str, config: &Value, world: &World) -> Result<CaseService, String> {
    match provider {
        "autoflex" => autoflex::build(config, world),
        "avaplace" => avaplace::build(config, world),
        "bitbucket" => bitbucket::build(config, world),
        "boxcom" => boxcom::build(config, world),
        "calendly" => calendly::build(config, world),
        "custom" => custom::build(config, world),
        "discord" => discord::build(config, world),
        "docusign" => docusign::build(config, world),
        "dropbox" => dropbox::build(config, world),
        "github" => github::build(config, world),
        "gitlab" => gitlab::build(config, world),
        "hubspot" => hubspot::build(config, world),
        "intercom" => intercom::build(config, world),
        "linear" => linear::build(config, world),
        "mailgun" => mailgun::build(config, world),
        "mandrill" => mandrill::build(config, world),
        "meta" => meta::build(config, world),
        "mux" => mux::build(config, world),
        "paddle" => paddle::build(config, world),
        "pagerduty" => pagerduty::build(config, world),
        "ricloud" => ricloud::build(config, world),
        "sendgrid" => sendgrid::build(config, world),
        "sentry" => sentry::build(config, world),
        "shipmondo" => shipmondo::build(config, world),
        "shopify" => shopify::build(config, world),
        "slack" => slack::build(config, world),
        "sns" => sns::build(config, world),
        "square" => square::build(config, world),
        "standard" => standard::build(config, world),
        "stripe" => stripe::build(config, world),
        "telnyx" => telnyx::build(config, world),
        "twilio" => twilio::build(config, world),
        "twitter" => twitter::build(config, world),
        "typeform" => typeform::build(config, world),
        "xero" => xero::build(config, world),
        "zendesk" => zendesk::build(config, world),
        "zoom" => zoom::build(config, world),
        other => Err(format!("unknown provider `{other}`")),
    }
}

/// `config[key]` as a list of strings (absent: empty).
pub(crate) fn strings(config: &Value, key: &str) -> Result<Vec<String>, String> {
    match config.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("config.{key} must hold strings"))
            })
            .collect(),
        Some(_) => Err(format!("config.{key} must be a list")),
    }
}

/// `config[key]` as seconds, if present.
pub(crate) fn seconds(config: &Value, key: &str) -> Result<Option<std::time::Duration>, String> {
    match config.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(|s| Some(std::time::Duration::from_secs(s)))
            .ok_or_else(|| format!("config.{key} must be a non-negative integer")),
    }
}

/// `config[key]` as a boolean (absent: `default`).
pub(crate) fn flag(config: &Value, key: &str, default: bool) -> Result<bool, String> {
    match config.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_bool()
            .ok_or_else(|| format!("config.{key} must be a boolean")),
    }
}
