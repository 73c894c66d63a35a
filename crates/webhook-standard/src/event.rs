//! [`StandardEvent`]: the verified delivery, inserted into the request extensions.

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A verified Standard Webhooks delivery. The payload is kept as the exact bytes and parsed
/// only when asked ([`json`](Self::json)), so verification never pays for JSON.
///
/// Read it with `Extension<StandardEvent>` (axum), `req.extensions().get::<StandardEvent>()`
/// (hyper) or `warp::ext::get::<StandardEvent>()`. See the [crate docs](crate) for an example.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct StandardEvent {
    /// The signed `webhook-id`: the idempotency key.
    pub id: String,
    /// The signed `webhook-timestamp`, in Unix seconds.
    pub timestamp: i64,
    /// Index of the configured key that verified the signature (secrets first, in the order
    /// they were added, then public keys).
    pub matched_key: usize,
    #[serde(skip)]
    payload: Bytes,
}

impl StandardEvent {
    pub(crate) const fn new(
        id: String,
        timestamp: i64,
        matched_key: usize,
        payload: Bytes,
    ) -> Self {
        Self {
            id,
            timestamp,
            matched_key,
            payload,
        }
    }

    /// The exact verified body.
    #[must_use]
    pub const fn payload(&self) -> &Bytes {
        &self.payload
    }

    /// Parses the payload as JSON into `T`.
    ///
    /// # Errors
    /// The JSON error when the payload is not a `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.payload)
    }

    /// The payload's `"type"` field, which Standard Webhooks senders use for the event type.
    #[must_use]
    pub fn event_type(&self) -> Option<String> {
        #[derive(serde::Deserialize)]
        struct Typed {
            r#type: String,
        }
        self.json::<Typed>().ok().map(|t| t.r#type)
    }
}
