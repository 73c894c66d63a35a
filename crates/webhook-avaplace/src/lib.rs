//! [ASOL AVAplace](https://docs.avaplace.com/) MessageGateway webhook verification as tower
//! middleware.
//!
//! The gateway POSTs `{webhookUrl}/{messageType}/{contractType}/{messageId}` with an RS256 JWT
//! in `Authorization: Bearer`, an `X-MessageSecurityCode`, `X-Tenant-Id` and `X-UserClaim-*`
//! headers, and redelivers with backoff until it gets a 2xx. [`AvaplaceLayer`] checks, in order:
//!
//! | check | reason on failure |
//! | --- | --- |
//! | method, body size, encoding, arrival time | `method_not_allowed`, `body_too_large`, `unsupported_encoding`, `body_timeout` |
//! | `Authorization: Bearer <three-segment JWS>` once; `X-MessageSecurityCode` present | `missing_header`, `malformed_header` (400) |
//! | path ends with `{messageType}/{contractType}/{uuid}` | `malformed_body` (400) |
//! | `alg` is `RS256`, no `jku`/`x5u`/`jwk`/`x5c`/`crit`; `iss` exact; `exp` (required), `nbf`, `aud` (if configured), integers, small leeway | `token_invalid` (401) |
//! | the security code equals a configured one (constant time); tenant allowed (if configured) | `claim_mismatch` (401) |
//! | discovery (`<issuer>/.well-known/openid-configuration`, its `issuer` exact, `jwks_uri` https on the same host) and JWKS fetched and cached | `key_unavailable` (503: the gateway retries) |
//! | a key with the token's `kid` verifies the signature (one JWKS refetch for an unknown `kid`, at most once per cooldown) | `signature_mismatch` (401) |
//! | unsigned `X-UserClaim-iss/sub/client_id/tid` and `X-Tenant-Id` agree with the claims | `claim_mismatch` (401) |
//! | the `messageId` not delivered before | duplicate: `200` without calling the inner service |
//!
//! Everything before the key fetch costs no network: floods of bad requests make no outbound
//! call. JWTs are verified by the project's own small ring-based JWS code: `jsonwebtoken` ≥ 10
//! needs aws-lc-rs or RustCrypto `rsa` (one crypto backend here), and its ring-based 8.x/9.x
//! lines skip string-typed `exp`/`nbf` (CVE-2026-25537). The bearer token does not sign the
//! body: a captured token is a capability until `exp`.
//!
//! Any 2xx from your handler acknowledges; answer 5xx to have the gateway redeliver.
//!
//! ```
//! use http::{Request, Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{FixedClock, Reason, Rejection, TableFetch, VerifiedBody};
//! use webhook_avaplace::{AvaplaceEvent, AvaplaceLayer, AvaplaceSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let issuer = "https://idp.example.com/api/asol/idp";
//! let idp = AvaplaceSigner::new(issuer)?;
//! let net = TableFetch::new();
//! idp.serve(&net); // in production: `.fetcher(HttpsFetch…)` reaching the real IdP
//! let service = ServiceBuilder::new()
//!     .layer(AvaplaceLayer::new(issuer, "Dx_code")?.fetcher(net).clock(FixedClock::at_unix(1_767_225_660)))
//!     .service_fn(|req: Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<AvaplaceEvent>().expect("the layer inserts it");
//!         assert_eq!(event.contract_type, "OrderReleased");
//!         assert_eq!(event.claims["iss"], "https://idp.example.com/api/asol/idp");
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//!
//! let uri = "https://hooks.example.com/webhook/ASOL.PlatformStore.OrderReleased/OrderReleased/c0eb0000-5dfe-0015-8604-08dbd6ef8bf7";
//! let claims = idp.claims(1_767_225_600);
//! let request = idp.request(uri, &claims, "Dx_code", r#"{"orderId":"42"}"#)?;
//! let response = service.clone().oneshot(request.map(http_body_util::Full::new)).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//!
//! let forged = idp.request(uri, &claims, "Dx_guess", "{}")?;
//! let response = service.oneshot(forged.map(http_body_util::Full::new)).await?;
//! let reason = response.extensions().get::<Rejection>().map(Rejection::reason);
//! assert_eq!(reason, Some(Reason::ClaimMismatch));
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod event;
mod keys;
mod layer;
#[cfg(feature = "test-util")]
mod signer;
mod verify;

pub use event::{AvaplaceEvent, Claims};
pub use layer::{Avaplace, AvaplaceLayer};
#[cfg(feature = "test-util")]
pub use signer::AvaplaceSigner;
pub use verify::AvaplaceScheme;
