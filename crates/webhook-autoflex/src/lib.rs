//! [Autoflex10](https://autoflex10.atlassian.net/) webhook callbacks as tower middleware, plus
//! the client half of the flow.
//!
//! Long-running Autoflex10 calls (e.g. `POST /backup/owner`) take a `webhook_url`, answer 202,
//! and later call `GET <webhook_url>?id=<secret uuid>`; the receiver then fetches the payload
//! with `GET <api_base>/webhook?id=<uuid>` and its API token (header `token`). The callback
//! itself is unauthenticated: the payload fetched over TLS from your fixed `api_base` is what
//! is trusted. [`AutoflexLayer`] checks, in order:
//!
//! | check | answer |
//! | --- | --- |
//! | method is `GET` | `405 method_not_allowed` |
//! | exactly one `id` query parameter, a canonical UUID | `400 malformed_body` |
//! | the id was not delivered before | `200` duplicate, no fetch |
//! | the id (or the path's correlation token) is pending, when a registry is configured | `404 unknown_callback`, no fetch |
//! | the fetch caps (8 in flight, 20 started per second by default; see [`AutoflexLayer::fetch_limiter`]) | `503 key_unavailable`, no fetch |
//! | payload fetch (one per id however many callbacks for it arrive at once): 2xx JSON object; 404; 401 (after one token renewal), 3xx, 429, 5xx, network, non-JSON, any `Content-Encoding` but identity | deliver; `404 unknown_callback`; `503 key_unavailable` |
//!
//! The inner service receives the callback request with an [`AutoflexEvent`] holding the id,
//! the payload and its `data.url` (only if https; never fetched by the layer). The id is a
//! secret: `Debug` redacts it and it is never logged as the delivery id — configure your access
//! logs and `TraceLayer` not to record this route's query string.
//!
//! ```
//! use http::{Request, Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_autoflex::{AutoflexEvent, AutoflexLayer, MemoryPendingCallbacks, PendingCallbacks};
//! use webhook_core::{Reason, Rejection, TableFetch, TableResponse, VerifiedBody};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let id = "3f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e";
//! let api = "https://api.example.com/webservice_v2";
//! let net = TableFetch::new().with(
//!     format!("{api}/webhook?id={id}"),
//!     TableResponse::ok(r#"{"data":{"url":"https://download.example.com/backup.zip"}}"#),
//! );
//! let pending = MemoryPendingCallbacks::new(10_000);
//! pending.register(id, std::time::Duration::from_secs(3600)).await?;
//! let service = ServiceBuilder::new()
//!     .layer(AutoflexLayer::new(api, "api-token")?.pending(pending).fetcher(net))
//!     .service_fn(|req: Request<VerifiedBody>| async move {
//!         let event = req.extensions().get::<AutoflexEvent>().expect("the layer inserts it");
//!         assert_eq!(event.url.as_deref(), Some("https://download.example.com/backup.zip"));
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//!
//! let callback = Request::get(format!("/autoflex?id={id}")).body(http_body_util::Empty::<bytes::Bytes>::new())?;
//! assert_eq!(service.clone().oneshot(callback).await?.status(), StatusCode::OK);
//!
//! let guessed = Request::get("/autoflex?id=c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f").body(http_body_util::Empty::<bytes::Bytes>::new())?;
//! let response = service.oneshot(guessed).await?;
//! assert_eq!(response.extensions().get::<Rejection>().map(Rejection::reason), Some(Reason::UnknownCallback));
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod event;
mod layer;
mod pending;
mod token;
mod verify;

pub use client::{ApiRequest, ApiResponse, AutoflexClient, AutoflexTransport, ClientError};
pub use event::AutoflexEvent;
pub use layer::{Autoflex, AutoflexLayer};
pub use pending::{MemoryPendingCallbacks, PendingCallbacks};
pub use token::{StaticToken, TokenSource};
pub use verify::AutoflexScheme;
