//! [Reincubate ricloud](https://reincubate.com/support/ricloud/) webhook verification as tower
//! middleware.
//!
//! ricloud signs `"<t>.<body>"` with HMAC-SHA256 under the webhook config's secret and sends
//! `Ricloud-Signature: t=<unix seconds>,s=<base64 MAC>`. [`RicloudLayer`] checks, in order:
//!
//! | check | reason on failure |
//! | --- | --- |
//! | method is `POST`; body size, encoding, arrival time | `method_not_allowed`, `body_too_large`, `unsupported_encoding`, `body_timeout` |
//! | the header, once, exactly `t=<canonical decimal>,s=<padded base64 of 32 bytes>` | `missing_header`, `malformed_header` (400) |
//! | `t` within the tolerance, either way (default 600 s, bounds included) | `timestamp_out_of_tolerance` (401) |
//! | the MAC under one configured secret (constant time) | `signature_mismatch` (401) |
//! | the verified body is a JSON object with an `id` | `malformed_body` (400) |
//! | the event `id` not delivered before | duplicate: `200` without calling the inner service |
//!
//! The signature covers only the timestamp and the body, not the path's event id: use
//! [`RicloudEvent::id`], never the path. ricloud retries up to 5 times over a few hours on
//! non-2xx answers.
//!
//! ```
//! use http::{Request, Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{FixedClock, Reason, Rejection, VerifiedBody};
//! use webhook_ricloud::{RicloudEvent, RicloudLayer, RicloudSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! const SECRET: &str = "ricloud-test-secret-0f3a9c27b1d84e65";
//! let service = ServiceBuilder::new()
//!     .layer(RicloudLayer::new(SECRET)?.clock(FixedClock::at_unix(1_767_225_605)))
//!     .service_fn(|req: Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<RicloudEvent>().expect("the layer inserts it");
//!         assert_eq!(event.slug().as_deref(), Some("task.succeeded"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//!
//! let body = r#"{"id":"4f9a","resource":"event","type":"task","action":"succeeded"}"#;
//! let request = RicloudSigner::new(SECRET).request("/webhooks/4f9a", 1_767_225_600, body)?;
//! let response = service.clone().oneshot(request.map(http_body_util::Full::new)).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//!
//! let forged = RicloudSigner::new("guessed").request("/webhooks/4f9a", 1_767_225_600, body)?;
//! let response = service.oneshot(forged.map(http_body_util::Full::new)).await?;
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

pub use event::RicloudEvent;
pub use layer::{Ricloud, RicloudLayer};
#[cfg(feature = "test-util")]
pub use signer::RicloudSigner;
pub use verify::RicloudScheme;
