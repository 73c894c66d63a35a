//! Redis for the webhook layers: a replay store shared by every instance, and a sink that
//! hands verified events to a Redis Stream.
//!
//! - [`RedisReplayStore`] implements the core's
//!   [`ReplayStore`](webhook_core::ReplayStore): each delivery id moves absent → in flight (a
//!   lease that expires by itself) → done, atomically in Redis, so of concurrent deliveries of
//!   one id across all your instances exactly one reaches your handler. When Redis cannot
//!   answer within the command timeout the layer fails closed with `503 store_unavailable`
//!   (the sender retries later); [`RedisReplayStore::dangerous_fail_open`] opts out.
//! - [`RedisStreamSink`] is an inner service that `XADD`s each verified event (provider, id,
//!   selected metadata, exact body bytes) to a stream and answers `200` only once Redis
//!   acknowledged it, so workers can process events from a consumer group at their own pace
//!   (`examples/consumer.rs` shows `XREADGROUP` and `XACK`).
//!
//! Both need a Tokio runtime and Redis ≥ 7.0. The crate is built without TLS (the workspace's
//! one crypto backend is *ring*): reach a remote Redis over a private network or a tunnel.
//!
//! ```no_run
//! use std::time::Duration;
//! use tower::ServiceBuilder;
//! use webhook_redis::{RedisReplayStore, RedisStreamSink};
//! use webhook_standard::StandardLayer;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let url = "redis://127.0.0.1:6379/";
//! let layer = StandardLayer::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?
//!     .replay_store(RedisReplayStore::new(url)?.prefix("shop:replay:"))
//!     // Keep the lease above the inner service's slowest answer.
//!     .lease(Duration::from_secs(30));
//! let service = ServiceBuilder::new()
//!     .layer(layer)
//!     .service(RedisStreamSink::new(url, "webhooks")?);
//! // Serve `service` on your webhook route (axum: `post_service(service)`).
//! # let _ = service; Ok(()) }
//! ```
//!
//! `#![forbid(unsafe_code)]`; MSRV: Rust 1.95.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod store;
mod stream;

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, RedisError};
use tokio::sync::OnceCell;

pub use store::RedisReplayStore;
pub use stream::RedisStreamSink;

/// The shared connection, opened on first use (a failed first connect is tried again by the
/// next command). The manager re-opens it after a failure; each (re)connect and each answer is
/// bounded by `timeout`, and a failed reconnect is not retried in the background: the next
/// command starts a new one, so a command fails fast while Redis is down and the first one
/// after Redis is back reconnects at once.
async fn connect(
    cell: &OnceCell<ConnectionManager>,
    client: &Client,
    timeout: Duration,
) -> Result<ConnectionManager, RedisError> {
    cell.get_or_try_init(|| async {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(timeout)
            .set_response_timeout(timeout)
            .set_number_of_retries(0);
        ConnectionManager::new_with_config(client.clone(), config).await
    })
    .await
    .cloned()
}
