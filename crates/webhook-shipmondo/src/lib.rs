//! [Shipmondo](https://shipmondo.com/) webhook verification as tower middleware.
//!
//! Shipmondo POSTs `{"data": "<compact JWS>"}` signed HS256 with the key chosen when the
//! webhook was created; the claims are `webhook` (its name), `data` (the resource) and `url`
//! (the endpoint). The `SMD-*` headers are not signed. [`ShipmondoLayer`] checks, in order:
//!
//! | check | reason on failure |
//! | --- | --- |
//! | method is `POST`; body size, encoding, arrival time | `method_not_allowed`, `body_too_large`, `unsupported_encoding`, `body_timeout` |
//! | body is a JSON object (no duplicate keys) whose `data` is a compact JWS | `malformed_body` (400) |
//! | header `alg` is exactly `HS256`, no `jku`/`x5u`/`jwk`/`x5c`/`crit` | `token_invalid` (401) |
//! | the MAC under one configured key (constant time) | `signature_mismatch` (401) |
//! | claims are an object, or a JSON string holding one | `malformed_body` (400) |
//! | `exp`/`nbf`, if present, integers and in range | `token_invalid` (401) |
//! | `url` claim equals the configured `endpoint_url` | `claim_mismatch` (401) |
//! | the same token not delivered before (keyed by its verified HMAC, which covers the whole signing input) | duplicate: `200` without calling the inner service |
//!
//! There is no timestamp in this scheme: only TLS and the replay store stop replays, and two
//! legitimately identical messages are one delivery. Shipmondo expects exactly `200` within
//! 3 seconds: do slow work behind a queue (the layer answers with your handler's response).
//!
//! ```
//! use http::{Request, Response, StatusCode};
//! use serde_json::json;
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{Reason, Rejection, VerifiedBody};
//! use webhook_shipmondo::{ClaimEncoding, ShipmondoEvent, ShipmondoLayer, ShipmondoSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let url = "https://hooks.example.com/shipmondo";
//! let service = ServiceBuilder::new()
//!     .layer(ShipmondoLayer::new("my-webhook-key")?.endpoint_url(url)?)
//!     .service_fn(|req: Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<ShipmondoEvent>().expect("the layer inserts it");
//!         assert_eq!(event.data["id"], 119175);
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//!
//! let claims = json!({"webhook": "Orders", "data": {"id": 119175}, "url": url});
//! let body = ShipmondoSigner::new("my-webhook-key").body(&claims, ClaimEncoding::Object);
//! let response = service.clone().oneshot(Request::post(url).body(http_body_util::Full::new(bytes::Bytes::from(body)))?).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//!
//! let forged = ShipmondoSigner::new("guessed").body(&claims, ClaimEncoding::Object);
//! let response = service.oneshot(Request::post(url).body(http_body_util::Full::new(bytes::Bytes::from(forged)))?).await?;
//! let reason = response.extensions().get::<Rejection>().map(Rejection::reason);
//! assert_eq!(reason, Some(Reason::SignatureMismatch));
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod event;
mod layer;
#[cfg(feature = "test-util")]
mod signer;
mod verify;

pub use event::{ShipmondoEvent, SmdHints};
pub use layer::{Shipmondo, ShipmondoLayer};
#[cfg(feature = "test-util")]
pub use signer::{ClaimEncoding, ShipmondoSigner};
pub use verify::ShipmondoScheme;
