//! [`RicloudEvent`]: the verified event, inserted into the request extensions.

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A verified ricloud event. The raw payload is kept and parsed on demand with
/// [`json`](Self::json). See the [crate docs](crate) for an example.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct RicloudEvent {
    /// The signed event `id`: the idempotency key.
    pub id: String,
    /// The resource type the event relates to (`task`, `poll`, `session`, …), if present.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The action (`created`, `succeeded`, …), if present.
    pub action: Option<String>,
    /// The signed timestamp `t`, in Unix seconds.
    pub timestamp: i64,
    /// Index of the configured secret that verified the signature.
    pub matched_key: usize,
    #[serde(skip)]
    payload: Bytes,
}

impl RicloudEvent {
    pub(crate) const fn new(
        id: String,
        kind: Option<String>,
        action: Option<String>,
        timestamp: i64,
        matched_key: usize,
        payload: Bytes,
    ) -> Self {
        Self {
            id,
            kind,
            action,
            timestamp,
            matched_key,
            payload,
        }
    }

    /// The event slug `<type>.<action>` (e.g. `task.succeeded`), when both are present.
    #[must_use]
    pub fn slug(&self) -> Option<String> {
        Some(format!(
            "{}.{}",
            self.kind.as_deref()?,
            self.action.as_deref()?
        ))
    }

    /// The exact verified body.
    #[must_use]
    pub const fn payload(&self) -> &Bytes {
        &self.payload
    }

    /// Parses the payload into `T`.
    ///
    /// # Errors
    /// The JSON error when the payload is not a `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.payload)
    }
}
