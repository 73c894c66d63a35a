//! [`AvaplaceEvent`]: the verified message, inserted into the request extensions.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::verify::MessagePath;

/// A verified MessageGateway delivery. See the [crate docs](crate) for an example.
///
/// The bearer token does not sign the body or the path: they are authentic only as far as the
/// token (bound to this receiver by issuer, and by audience if configured), the security code
/// and TLS make them.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct AvaplaceEvent {
    /// The routing key from the path (e.g. `ASOL.PlatformStore.OrderReleased`).
    pub message_type: String,
    /// The contract name from the path (e.g. `OrderReleased`).
    pub contract_type: String,
    /// The message id from the path (lower-case UUID): the de-duplication key.
    pub message_id: String,
    /// The tenant: the token's `tid` claim, else the `X-Tenant-Id` header.
    pub tenant: Option<String>,
    /// The verified token claims.
    pub claims: Map<String, Value>,
    /// Unsigned `X-UserClaim-*` headers (and `tenant` from `X-Tenant-Id`); those that also
    /// exist as claims were checked to agree.
    pub hints: BTreeMap<String, String>,
    #[serde(skip)]
    payload: Bytes,
}

impl AvaplaceEvent {
    pub(crate) fn new(
        path: MessagePath,
        tenant: Option<String>,
        claims: Map<String, Value>,
        hints: BTreeMap<String, String>,
        payload: Bytes,
    ) -> Self {
        Self {
            message_type: path.message_type,
            contract_type: path.contract_type,
            message_id: path.message_id,
            tenant,
            claims,
            hints,
            payload,
        }
    }

    /// The exact body bytes.
    #[must_use]
    pub const fn payload(&self) -> &Bytes {
        &self.payload
    }

    /// Parses the body into `T`.
    ///
    /// # Errors
    /// The JSON error when the body is not a `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.payload)
    }
}
