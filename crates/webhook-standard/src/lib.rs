//! [Standard Webhooks](https://www.standardwebhooks.com/) verification as tower middleware:
//! the scheme of Svix, Clerk, Resend, OpenAI and many more.
//!
//! A sender signs `"{webhook-id}.{webhook-timestamp}.{body}"` and sends the id, the timestamp
//! (Unix seconds) and a space-separated list of `v1,<base64 HMAC-SHA256>` (or `v1a,<base64
//! Ed25519>`) signatures in `webhook-*` headers (Svix brands them `svix-*`; both are read, and
//! must agree when both are present). [`StandardLayer`] checks, in order:
//!
//! | check | reason on failure |
//! | --- | --- |
//! | method is `POST` | `method_not_allowed` (405) |
//! | body size, encoding, arrival time | `body_too_large` (413), `unsupported_encoding` (415), `body_timeout` (408) |
//! | the three headers, each once | `missing_header`, `malformed_header` (400) |
//! | id ≤ 256 bytes without `.`; timestamp a canonical integer; ≤ 16 signatures | `malformed_header` (400) |
//! | timestamp within the tolerance (default ±300 s, bounds included) | `timestamp_out_of_tolerance` (401) |
//! | one signature verifies under one configured key (constant time) | `signature_mismatch` (401) |
//! | `webhook-id` not delivered before | duplicate: `200` without calling the inner service; `503 duplicate_in_flight` while the first is still running |
//!
//! The inner service receives the exact bytes and a [`StandardEvent`] in the extensions.
//!
//! ```
//! use bytes::Bytes;
//! use http::{Request, Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{FixedClock, Reason, Rejection, VerifiedBody};
//! use webhook_standard::{StandardEvent, StandardLayer, StandardSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
//! let service = ServiceBuilder::new()
//!     .layer(StandardLayer::new(SECRET)?.clock(FixedClock::at_unix(1_700_000_000)))
//!     .service_fn(|req: Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<StandardEvent>().expect("the layer inserts it");
//!         assert_eq!(event.id, "msg_1");
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//!
//! let signer = StandardSigner::new(SECRET)?;
//! let request = signer.request("/webhooks", "msg_1", 1_700_000_000, r#"{"type":"user.created"}"#)?;
//! let response = service.clone().oneshot(request.map(http_body_util::Full::new)).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//!
//! // One byte changed: refused before the handler runs.
//! let forged = signer.request("/webhooks", "msg_2", 1_700_000_000, r#"{"type":"user.created"}"#)?
//!     .map(|_| http_body_util::Full::new(Bytes::from(r#"{"type":"user.deleted"}"#)));
//! let response = service.oneshot(forged).await?;
//! assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
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

pub use event::StandardEvent;
pub use layer::{Standard, StandardLayer};
#[cfg(feature = "test-util")]
pub use signer::StandardSigner;
pub use verify::StandardScheme;
