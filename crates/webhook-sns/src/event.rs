//! [`SnsEvent`]: the verified SNS message, inserted into the request extensions.

use serde::Serialize;
use serde_json::{Map, Value};

/// The three SNS message types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum MessageType {
    /// A published message.
    Notification,
    /// Confirm the subscription by visiting `subscribe_url` (or let the layer do it).
    SubscriptionConfirmation,
    /// The subscription was removed. Never visit its `subscribe_url` automatically.
    UnsubscribeConfirmation,
}

impl MessageType {
    /// The wire name (`Notification`, …).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Notification => "Notification",
            Self::SubscriptionConfirmation => "SubscriptionConfirmation",
            Self::UnsubscribeConfirmation => "UnsubscribeConfirmation",
        }
    }
}

/// A verified SNS message: only signed fields (`MessageAttributes` are not signed and are not
/// here). See the [crate docs](crate) for an example.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct SnsEvent {
    /// The message type.
    #[serde(rename = "type")]
    pub kind: MessageType,
    /// The signed `MessageId` (the de-duplication key; SNS reuses it on retries).
    pub message_id: String,
    /// The signed `TopicArn`.
    pub topic_arn: String,
    /// The signed `Subject` (Notifications only, when published with one).
    pub subject: Option<String>,
    /// The signed `Message`.
    pub message: String,
    /// The signed `Timestamp`, in Unix seconds.
    pub timestamp: i64,
    /// `"1"` (SHA-1) or `"2"` (SHA-256).
    pub signature_version: &'static str,
    /// `UnsubscribeURL` (Notifications; not signed, from the same verified envelope).
    pub unsubscribe_url: Option<String>,
    /// `SubscribeURL` (confirmations; signed).
    pub subscribe_url: Option<String>,
    /// `Token` (confirmations; signed).
    pub token: Option<String>,
    /// The layer confirmed this subscription (auto-confirm) before delivering the event.
    pub confirmed: bool,
}

impl SnsEvent {
    pub(crate) fn from_envelope(
        fields: &Map<String, Value>,
        kind: MessageType,
        signature_version: &'static str,
        timestamp: i64,
    ) -> Self {
        let text = |key: &str| fields.get(key).and_then(Value::as_str).map(str::to_owned);
        Self {
            kind,
            message_id: text("MessageId").unwrap_or_default(),
            topic_arn: text("TopicArn").unwrap_or_default(),
            subject: text("Subject").filter(|_| kind == MessageType::Notification),
            message: text("Message").unwrap_or_default(),
            timestamp,
            signature_version,
            unsubscribe_url: text("UnsubscribeURL").filter(|_| kind == MessageType::Notification),
            // Only confirmations sign these; on a Notification they would be attacker-added.
            subscribe_url: text("SubscribeURL").filter(|_| kind != MessageType::Notification),
            token: text("Token").filter(|_| kind != MessageType::Notification),
            confirmed: false,
        }
    }
}
