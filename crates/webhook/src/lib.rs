//! Receive webhooks safely: tower middleware that verifies, decodes and de-duplicates inbound
//! webhook requests, so any tower service (axum, warp, hyper, …) gets only authentic, fresh,
//! typed events.
//!
//! Turn providers on with cargo features (none by default, `full` for all); each is a module
//! with a `…Layer`, a typed `…Event` and, with `test-util`, a `…Signer` for offline tests:
//!
//! | feature | module | provider |
//! | --- | --- | --- |
//! | `autoflex` | [`autoflex`] | Autoflex10 (callback id, payload fetched with your token; plus the client) |
//! | `avaplace` | [`avaplace`] | ASOL AVAplace MessageGateway (RS256 bearer JWT, OIDC/JWKS) |
//! | `redis` | [`redis`] | not a provider: the shared Redis replay store and the Redis Streams sink |
//! | `ricloud` | [`ricloud`] | Reincubate ricloud (timestamped HMAC-SHA256) |
//! | `shipmondo` | [`shipmondo`] | Shipmondo (HS256 JWS body) |
//! | `sns` | [`sns`] | AWS SNS HTTPS subscriptions (RSA SigV1/SigV2, pinned certificate URLs, confirmations) |
//! | `standard` | [`standard`] | Standard Webhooks (Svix, Clerk, Resend, OpenAI, …) |
//!
//! The generic machinery (the layer, rejections, replay store, key cache, clock, fetch) is
//! re-exported at the top level from `webhook-core`.
//!
#![cfg_attr(
    all(feature = "standard", feature = "test-util"),
    doc = r#"
```
use http::{Request, Response, StatusCode};
use tower::{ServiceBuilder, ServiceExt};
use webhook::standard::{StandardEvent, StandardLayer, StandardSigner};
use webhook::{FixedClock, VerifiedBody};

# #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
let service = ServiceBuilder::new()
    .layer(StandardLayer::new(secret)?.clock(FixedClock::at_unix(1_700_000_000)))
    .service_fn(|req: Request<VerifiedBody>| async move {
        let id = req.extensions().get::<StandardEvent>().map(|e| e.id.clone());
        Ok::<_, std::convert::Infallible>(Response::new(id.unwrap_or_default()))
    });
let request = StandardSigner::new(secret)?.request("/hook", "msg_1", 1_700_000_000, "{}")?;
let response = service.oneshot(request.map(http_body_util::Full::new)).await?;
assert_eq!(response.status(), StatusCode::OK);
# Ok(()) }
```
"#
)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[doc(inline)]
pub use webhook_core::*;

/// Autoflex10: `GET ?id=<uuid>` callbacks whose payload is fetched from your API base.
#[cfg(feature = "autoflex")]
#[doc(inline)]
pub use webhook_autoflex as autoflex;

/// ASOL AVAplace MessageGateway: RS256 bearer JWT against OIDC discovery and JWKS.
#[cfg(feature = "avaplace")]
#[doc(inline)]
pub use webhook_avaplace as avaplace;

/// Redis: [`RedisReplayStore`](webhook_redis::RedisReplayStore), the replay store shared by
/// every instance, and [`RedisStreamSink`](webhook_redis::RedisStreamSink), which appends
/// verified events to a Redis Stream.
#[cfg(feature = "redis")]
#[doc(inline)]
pub use webhook_redis as redis;

/// Reincubate ricloud: `Ricloud-Signature: t=..,s=..` over `"<t>.<body>"`.
#[cfg(feature = "ricloud")]
#[doc(inline)]
pub use webhook_ricloud as ricloud;

/// Shipmondo: `{"data": "<HS256 JWS>"}` bodies.
#[cfg(feature = "shipmondo")]
#[doc(inline)]
pub use webhook_shipmondo as shipmondo;

/// AWS SNS HTTPS subscriptions.
#[cfg(feature = "sns")]
#[doc(inline)]
pub use webhook_sns as sns;

/// Standard Webhooks (Svix, Clerk, Resend, OpenAI, …): `v1` HMAC-SHA256 and `v1a` Ed25519.
#[cfg(feature = "standard")]
#[doc(inline)]
pub use webhook_standard as standard;
