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
//! | `custom` | [`custom`] | a configurable HMAC scheme (header, prefix, encoding, template, timestamp header) |
//! | `discord` | [`discord`] | Discord interactions (Ed25519; PING answered after verification) |
//! | `github` | [`github`] | GitHub (`X-Hub-Signature-256`) |
//! | `gitlab` | [`gitlab`] | GitLab (`X-Gitlab-Token` shared token) |
//! | `shopify` | [`shopify`] | Shopify (`X-Shopify-Hmac-Sha256`) |
//! | `slack` | [`slack`] | Slack (`v0=` over `v0:{ts}:{body}`; `url_verification` answered after verification) |
//! | `stripe` | [`stripe`] | Stripe (`Stripe-Signature: t=..,v1=..`) |
//! | `twilio` | [`twilio`] | Twilio (HMAC-SHA1 over the configured public URL and sorted form params) |
//! | `zoom` | [`zoom`] | Zoom (`v0=` over `v0:{ts}:{body}`; `endpoint.url_validation` answered after verification) |
//! | `linear` | [`linear`] | Linear (`Linear-Signature` over the body; signed `webhookTimestamp`) |
//! | `square` | [`square`] | Square (`x-square-hmacsha256-signature` over the configured notification URL and body) |
//! | `mailgun` | [`mailgun`] | Mailgun (HMAC of timestamp and token inside the JSON body) |
//! | `paddle` | [`paddle`] | Paddle Billing (`Paddle-Signature: ts=..;h1=..`) |
//! | `typeform` | [`typeform`] | Typeform (`Typeform-Signature: sha256=<base64>`) |
//! | `calendly` | [`calendly`] | Calendly (`Calendly-Webhook-Signature: t=..,v1=..`) |
//! | `intercom` | [`intercom`] | Intercom (`X-Hub-Signature: sha1=<hex>`, HMAC-SHA1) |
//! | `mux` | [`mux`] | Mux (`Mux-Signature: t=..,v1=..`) |
//! | `sentry` | [`sentry`] | Sentry integration platform (`Sentry-Hook-Signature` over the body) |
//! | `hubspot` | [`hubspot`] | HubSpot v3 (`X-HubSpot-Signature-v3` over method, configured public URL, body and timestamp) |
//! | `sendgrid` | [`sendgrid`] | SendGrid Event Webhook (ECDSA P-256 over timestamp and body) |
//! | `zendesk` | [`zendesk`] | Zendesk (`X-Zendesk-Webhook-Signature` over timestamp and body) |
//! | `xero` | [`xero`] | Xero (`x-xero-signature` over the body; intent-to-receive answered 401/200) |
//! | `dropbox` | [`dropbox`] | Dropbox (`X-Dropbox-Signature` over the body; `GET ?challenge=` echoed) |
//! | `pagerduty` | [`pagerduty`] | PagerDuty v3 (`X-PagerDuty-Signature: v1=..[,v1=..]`) |
//! | `telnyx` | [`telnyx`] | Telnyx (Ed25519 over timestamp, pipe and body) |
//! | `twitter` | [`twitter`] | X / Twitter Account Activity (`x-twitter-webhooks-signature`; CRC answered) |
//! | `meta` | [`meta`] | Meta: Facebook, Instagram, WhatsApp, Messenger (`X-Hub-Signature-256`; `hub.challenge` check) |
//! | `bitbucket` | [`bitbucket`] | Bitbucket Cloud (`X-Hub-Signature: sha256=<hex>`) |
//! | `docusign` | [`docusign`] | DocuSign Connect (`X-DocuSign-Signature-<n>`, one per key) |
//! | `mandrill` | [`mandrill`] | Mailchimp Transactional / Mandrill (HMAC-SHA1 over the configured URL and sorted form params) |
//! | `boxcom` | [`boxcom`] | Box (webhooks v2: primary and secondary signature keys over body and timestamp) |
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

/// A configurable HMAC scheme (header, prefix, encoding, template, timestamp header).
#[cfg(feature = "custom")]
#[doc(inline)]
pub use webhook_providers::custom;

/// Discord interactions (Ed25519; PING answered after verification).
#[cfg(feature = "discord")]
#[doc(inline)]
pub use webhook_providers::discord;

/// GitHub (`X-Hub-Signature-256`).
#[cfg(feature = "github")]
#[doc(inline)]
pub use webhook_providers::github;

/// GitLab (`X-Gitlab-Token` shared token).
#[cfg(feature = "gitlab")]
#[doc(inline)]
pub use webhook_providers::gitlab;

/// Shopify (`X-Shopify-Hmac-Sha256`).
#[cfg(feature = "shopify")]
#[doc(inline)]
pub use webhook_providers::shopify;

/// Slack (`v0=` over `v0:{ts}:{body}`; `url_verification` answered after verification).
#[cfg(feature = "slack")]
#[doc(inline)]
pub use webhook_providers::slack;

/// Stripe (`Stripe-Signature: t=..,v1=..`).
#[cfg(feature = "stripe")]
#[doc(inline)]
pub use webhook_providers::stripe;

/// Twilio (HMAC-SHA1 over the configured public URL and sorted form params).
#[cfg(feature = "twilio")]
#[doc(inline)]
pub use webhook_providers::twilio;

/// Zoom (`v0=` over `v0:{ts}:{body}`; `endpoint.url_validation` answered after verification).
#[cfg(feature = "zoom")]
#[doc(inline)]
pub use webhook_providers::zoom;

/// Linear (`Linear-Signature` over the body; signed `webhookTimestamp`).
#[cfg(feature = "linear")]
#[doc(inline)]
pub use webhook_providers::linear;

/// Square (`x-square-hmacsha256-signature` over the configured notification URL and body).
#[cfg(feature = "square")]
#[doc(inline)]
pub use webhook_providers::square;

/// Mailgun (HMAC of timestamp and token inside the JSON body).
#[cfg(feature = "mailgun")]
#[doc(inline)]
pub use webhook_providers::mailgun;

/// Paddle Billing (`Paddle-Signature: ts=..;h1=..`).
#[cfg(feature = "paddle")]
#[doc(inline)]
pub use webhook_providers::paddle;

/// Typeform (`Typeform-Signature: sha256=<base64>`).
#[cfg(feature = "typeform")]
#[doc(inline)]
pub use webhook_providers::typeform;

/// Calendly (`Calendly-Webhook-Signature: t=..,v1=..`).
#[cfg(feature = "calendly")]
#[doc(inline)]
pub use webhook_providers::calendly;

/// Intercom (`X-Hub-Signature: sha1=<hex>`, HMAC-SHA1).
#[cfg(feature = "intercom")]
#[doc(inline)]
pub use webhook_providers::intercom;

/// Mux (`Mux-Signature: t=..,v1=..`).
#[cfg(feature = "mux")]
#[doc(inline)]
pub use webhook_providers::mux;

/// Sentry integration platform (`Sentry-Hook-Signature` over the body).
#[cfg(feature = "sentry")]
#[doc(inline)]
pub use webhook_providers::sentry;

/// HubSpot v3 (`X-HubSpot-Signature-v3` over method, configured public URL, body and timestamp).
#[cfg(feature = "hubspot")]
#[doc(inline)]
pub use webhook_providers::hubspot;

/// SendGrid Event Webhook (ECDSA P-256 over timestamp and body).
#[cfg(feature = "sendgrid")]
#[doc(inline)]
pub use webhook_providers::sendgrid;

/// Zendesk (`X-Zendesk-Webhook-Signature` over timestamp and body).
#[cfg(feature = "zendesk")]
#[doc(inline)]
pub use webhook_providers::zendesk;

/// Xero (`x-xero-signature` over the body; intent-to-receive answered 401/200).
#[cfg(feature = "xero")]
#[doc(inline)]
pub use webhook_providers::xero;

/// Dropbox (`X-Dropbox-Signature` over the body; `GET ?challenge=` echoed).
#[cfg(feature = "dropbox")]
#[doc(inline)]
pub use webhook_providers::dropbox;

/// PagerDuty v3 (`X-PagerDuty-Signature: v1=..[,v1=..]`).
#[cfg(feature = "pagerduty")]
#[doc(inline)]
pub use webhook_providers::pagerduty;

/// Telnyx (Ed25519 over timestamp, pipe and body).
#[cfg(feature = "telnyx")]
#[doc(inline)]
pub use webhook_providers::telnyx;

/// X / Twitter Account Activity (`x-twitter-webhooks-signature`; CRC answered).
#[cfg(feature = "twitter")]
#[doc(inline)]
pub use webhook_providers::twitter;

/// Meta: Facebook, Instagram, WhatsApp, Messenger (`X-Hub-Signature-256`; `hub.challenge` check).
#[cfg(feature = "meta")]
#[doc(inline)]
pub use webhook_providers::meta;

/// Bitbucket Cloud (`X-Hub-Signature: sha256=<hex>`).
#[cfg(feature = "bitbucket")]
#[doc(inline)]
pub use webhook_providers::bitbucket;

/// DocuSign Connect (`X-DocuSign-Signature-<n>`, one per key).
#[cfg(feature = "docusign")]
#[doc(inline)]
pub use webhook_providers::docusign;

/// Mailchimp Transactional / Mandrill (HMAC-SHA1 over the configured URL and sorted form params).
#[cfg(feature = "mandrill")]
#[doc(inline)]
pub use webhook_providers::mandrill;

/// Box (webhooks v2: primary and secondary signature keys over body and timestamp).
#[cfg(feature = "boxcom")]
#[doc(inline)]
pub use webhook_providers::boxcom;
