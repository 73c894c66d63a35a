//! The core of receiving webhooks safely, as tower middleware.
//!
//! [`WebhookLayer`] sits in front of any tower service (axum, warp, hyper, …) and, for every
//! request: refuses wrong methods, oversized `Content-Length`s (before reading) and encoded
//! bodies; buffers the body within a limit and a timeout; lets a provider's
//! [`VerifyWebhook`] scheme verify the exact bytes; claims the signed delivery id in a
//! [`ReplayStore`] (absent → in flight → done); and only then calls the inner service with the
//! typed event and a [`Delivery`] in the request extensions. Every refusal is a [`Rejection`]
//! with a stable [`Reason`] and status, answered as `{"reason":"…"}` and logged once under the
//! `webhook::rejection` target.
//!
//! Provider crates (`webhook-standard`, …) ship ready schemes. A scheme written by hand:
//!
//! ```
//! use bytes::Bytes;
//! use http::{Request, Response, StatusCode};
//! use http_body_util::Full;
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::*;
//!
//! /// Accepts requests whose `x-token` equals the configured token.
//! #[derive(Clone, Debug)]
//! struct TokenScheme(Secret);
//!
//! impl VerifyWebhook for TokenScheme {
//!     type Event = String;
//!     fn provider(&self) -> &'static str { "token" }
//!     async fn verify(&self, parts: &http::request::Parts, body: &Bytes, _cx: &VerifyContext)
//!         -> Result<Verdict<String>, Rejection>
//!     {
//!         let token = single_header(&parts.headers, "x-token")?;
//!         if !constant_time_eq(token.as_bytes(), self.0.expose()) {
//!             return Err(Rejection::new(Reason::SignatureMismatch));
//!         }
//!         let text = String::from_utf8(body.to_vec()).map_err(|_| Reason::MalformedBody)?;
//!         Ok(Verdict::Deliver(Verified::new("token", text)))
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), BoxError> {
//! let service = ServiceBuilder::new()
//!     .layer(WebhookLayer::new(TokenScheme(Secret::new(*b"s3cret"))))
//!     .service_fn(|req: Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<String>().cloned().unwrap_or_default();
//!         Ok::<_, std::convert::Infallible>(Response::new(Full::new(Bytes::from(event))))
//!     });
//!
//! let good = Request::post("/hook").header("x-token", "s3cret").body(Full::new(Bytes::from("hi")))?;
//! let response = service.clone().oneshot(good).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//!
//! let forged = Request::post("/hook").header("x-token", "guess").body(Full::new(Bytes::from("hi")))?;
//! let response = service.oneshot(forged).await?;
//! assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
//! assert_eq!(response.extensions().get::<Rejection>().map(Rejection::reason), Some(Reason::SignatureMismatch));
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod body;
mod clock;
mod config;
pub mod der;
mod fetch;
mod future;
#[cfg(feature = "https")]
mod https;
pub mod json;
pub mod jws;
mod keys;
mod layer;
mod limit;
pub mod patterns;
mod rejection;
mod replay;
mod secret;
mod service;
mod verify;

#[doc(inline)]
pub use body::{ResponseBody, VerifiedBody};
#[cfg(feature = "test-util")]
#[doc(inline)]
pub use clock::FixedClock;
#[doc(inline)]
pub use clock::{
    Clock, ReceivedAt, SystemClock, days_from_civil, format_rfc3339_utc, parse_canonical_decimal,
    parse_rfc3339_utc, unix_seconds, within_window,
};
#[doc(inline)]
pub use config::ConfigError;
#[doc(inline)]
pub use fetch::{BoxFuture, Fetch, FetchError, FetchRequest, FetchResponse, NoFetch};
#[cfg(feature = "test-util")]
#[doc(inline)]
pub use fetch::{TableFetch, TableResponse};
pub use future::ResponseFuture;
#[cfg(feature = "https")]
#[doc(inline)]
pub use https::{DEFAULT_CONNECT_TIMEOUT, HttpsFetch};
#[doc(inline)]
pub use keys::{CachePolicy, Freshness, KeyCache};
#[doc(inline)]
pub use layer::{DEDUP_CLOCK_SKEW, WebhookLayer};
#[doc(inline)]
pub use limit::{FetchLimiter, FetchPermit};
#[doc(inline)]
pub use rejection::{Reason, Rejection, RespondToRejection, default_rejection_response};
#[doc(inline)]
pub use replay::{Claim, MemoryReplayStore, ReplayStore, StoreError};
#[doc(inline)]
pub use secret::{HmacSha256Keys, Secret, constant_time_eq};
#[doc(inline)]
pub use service::{BoxError, Outcome, Webhook};
#[doc(inline)]
pub use verify::{
    Delivery, Verdict, Verified, VerifyContext, VerifyWebhook, optional_single_header,
    single_header,
};
