//! [`AvaplaceEvent`]: the verified message, inserted into the request extensions.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Deref;
use std::sync::OnceLock;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use webhook_core::json::parse_strict_object;

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
    pub claims: Claims,
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
        claims: Claims,
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

/// The verified token claims: a JSON object without duplicate keys, checked when the token was
/// verified and turned into a map on first use (verification reads only the claims it checks).
/// Dereferences to the map:
///
/// ```
/// # use http::{Request, Response};
/// # use tower::{ServiceBuilder, ServiceExt};
/// # use webhook_core::{FixedClock, TableFetch, VerifiedBody};
/// # use webhook_avaplace::{AvaplaceEvent, AvaplaceLayer, AvaplaceSigner};
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
/// # let issuer = "https://idp.example.com/api/asol/idp";
/// # let idp = AvaplaceSigner::new(issuer)?;
/// # let net = TableFetch::new();
/// # idp.serve(&net);
/// let service = ServiceBuilder::new()
///     .layer(AvaplaceLayer::new(issuer, "Dx_code")?.fetcher(net).clock(FixedClock::at_unix(1_767_225_660)))
///     .service_fn(|req: Request<VerifiedBody>| async move {
///         let event = req.extensions().get::<AvaplaceEvent>().expect("the layer inserts it");
///         let subject = event.claims.get("sub").and_then(|sub| sub.as_str());
///         assert_eq!(subject, Some("6388701d4a20a1c1bc1f0831"));
///         assert!(event.claims.json().starts_with(b"{"));
///         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
///     });
/// # let uri = "https://hooks.example.com/webhook/ASOL.PlatformStore.OrderReleased/OrderReleased/c0eb0000-5dfe-0015-8604-08dbd6ef8bf7";
/// # let request = idp.request(uri, &idp.claims(1_767_225_600), "Dx_code", "{}")?;
/// # let response = service.oneshot(request.map(http_body_util::Full::new)).await?;
/// # assert_eq!(response.status(), http::StatusCode::OK);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Claims {
    json: Vec<u8>,
    map: OnceLock<Map<String, Value>>,
}

impl Claims {
    /// Claims whose JSON already passed `json::parse_strict_members` (a strict object).
    pub(crate) const fn verified(json: Vec<u8>) -> Self {
        Self {
            json,
            map: OnceLock::new(),
        }
    }

    /// The claims exactly as the token carried them (decoded from base64url).
    #[must_use]
    pub fn json(&self) -> &[u8] {
        &self.json
    }
}

impl Deref for Claims {
    type Target = Map<String, Value>;

    fn deref(&self) -> &Map<String, Value> {
        // Checked as a strict object before the token was accepted, so this cannot fail; an
        // empty map (never a panic) would only follow a bug in that check.
        self.map
            .get_or_init(|| parse_strict_object(&self.json).unwrap_or_default())
    }
}

impl fmt::Debug for Claims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl Serialize for Claims {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}
