//! [`ShipmondoEvent`]: the verified message, inserted into the request extensions.

use http::{HeaderMap, HeaderName};
use serde::Serialize;
use serde_json::Value;

/// A verified Shipmondo message: the signed claims plus the unsigned `SMD-*` headers as hints.
/// See the [crate docs](crate) for an example.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct ShipmondoEvent {
    /// The signed `webhook` claim: the webhook's name.
    pub webhook: String,
    /// The signed `url` claim: the endpoint the message was sent to.
    pub url: Option<String>,
    /// The signed `data` claim: the resource as the Shipmondo API's GET returns it.
    pub data: Value,
    /// Index of the configured key that verified the token.
    pub matched_key: usize,
    /// The unsigned `SMD-*` headers. Never trust them for decisions; the claims win.
    pub hints: SmdHints,
    /// Whether the hints agree with the signed claims (`SMD-Resource-Id` vs `data.id`). A
    /// `false` means someone edited unsigned headers; the event itself is still authentic.
    pub hints_consistent: bool,
}

impl ShipmondoEvent {
    pub(crate) const fn new(
        webhook: String,
        url: Option<String>,
        data: Value,
        matched_key: usize,
        hints: SmdHints,
        hints_consistent: bool,
    ) -> Self {
        Self {
            webhook,
            url,
            data,
            matched_key,
            hints,
            hints_consistent,
        }
    }
}

// Parsed once, not on every request.
const RESOURCE_TYPE: HeaderName = HeaderName::from_static("smd-resource-type");
const RESOURCE_ID: HeaderName = HeaderName::from_static("smd-resource-id");
const WEBHOOK_ID: HeaderName = HeaderName::from_static("smd-webhook-id");
const ACTION: HeaderName = HeaderName::from_static("smd-action");
const USER: HeaderName = HeaderName::from_static("smd-user");

/// The unsigned `SMD-*` headers, as sent (non-ASCII values are dropped).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SmdHints {
    /// `SMD-Resource-Type` (e.g. `Orders`).
    pub resource_type: Option<String>,
    /// `SMD-Resource-Id`.
    pub resource_id: Option<String>,
    /// `SMD-Webhook-Id`.
    pub webhook_id: Option<String>,
    /// `SMD-Action` (e.g. `create`).
    pub action: Option<String>,
    /// `SMD-User`.
    pub user: Option<String>,
}

impl SmdHints {
    pub(crate) fn from_headers(headers: &HeaderMap) -> Self {
        let get = |name: &HeaderName| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Self {
            resource_type: get(&RESOURCE_TYPE),
            resource_id: get(&RESOURCE_ID),
            webhook_id: get(&WEBHOOK_ID),
            action: get(&ACTION),
            user: get(&USER),
        }
    }

    pub(crate) fn consistent_with(&self, data: &Value) -> bool {
        let signed_id = match data.get("id") {
            Some(Value::String(id)) => Some(id.clone()),
            Some(Value::Number(id)) => Some(id.to_string()),
            _ => None,
        };
        match (&self.resource_id, signed_id) {
            (Some(hint), Some(signed)) => *hint == signed,
            _ => true,
        }
    }
}
