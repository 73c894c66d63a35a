//! Webhook verification for many providers as tower middleware, each a thin declaration over
//! the scheme patterns of [`webhook_core::patterns`].
//!
//! Every provider is a module behind its own cargo feature (`full` for all) with a `…Layer`
//! (the generic [`WebhookLayer`](webhook_core::WebhookLayer) with the provider's scheme, and
//! the same knobs: `body_limit`, `clock`, `replay_store`, …), a typed `…Event` (delivery id,
//! event type, signed timestamp, matched key, the exact payload and `json()`), and with
//! `test-util` a `…Signer` for offline tests.
//!
//! | feature | module | scheme | de-duplicated on |
//! | --- | --- | --- | --- |
//! | `github` | [`github`] | `X-Hub-Signature-256: sha256=<hex>` over the body | SHA-256 of the body (the delivery id is unsigned) |
//! | `stripe` | [`stripe`] | `Stripe-Signature: t=..,v1=..` over `"{t}.{body}"`, 300 s | the signed event `id` |
//! | `slack` | [`slack`] | `X-Slack-Signature: v0=<hex>` over `v0:{ts}:{body}`, 300 s; `url_verification` answered | the signed `event_id` (Events API); none for forms |
//! | `shopify` | [`shopify`] | `X-Shopify-Hmac-Sha256: <base64>` over the body | SHA-256 of the body |
//! | `zoom` | [`zoom`] | `x-zm-signature: v0=<hex>` over `v0:{ts}:{body}`, 300 s; `endpoint.url_validation` answered | SHA-256 of the body |
//! | `gitlab` | [`gitlab`] | `X-Gitlab-Token` shared token | `Idempotency-Key` |
//! | `twilio` | [`twilio`] | `X-Twilio-Signature`: HMAC-SHA1 over the configured public URL and sorted form params | SHA-256 of URL and body |
//! | `discord` | [`discord`] | Ed25519 over `X-Signature-Timestamp ‖ body`, 300 s; PING answered | the signed interaction `id` |
//! | `linear` | [`linear`] | `Linear-Signature: <hex>` over the body; signed `webhookTimestamp` within 60 s | SHA-256 of the body |
//! | `square` | [`square`] | `x-square-hmacsha256-signature: <base64>` over the configured notification URL and the body | the signed `event_id` (else SHA-256 of the body) |
//! | `mailgun` | [`mailgun`] | hex HMAC of `timestamp ‖ token` inside the JSON body (the event data is not signed) | the signed `token` |
//! | `paddle` | [`paddle`] | `Paddle-Signature: ts=..;h1=..` over `"{ts}:{body}"`, 5 s | the signed `event_id` (else SHA-256 of the body) |
//! | `typeform` | [`typeform`] | `Typeform-Signature: sha256=<base64>` over the body | the signed `event_id` |
//! | `calendly` | [`calendly`] | `Calendly-Webhook-Signature: t=..,v1=..` over `"{t}.{body}"`, 180 s | SHA-256 of the body |
//! | `intercom` | [`intercom`] | `X-Hub-Signature: sha1=<hex>` (HMAC-SHA1) over the body | the signed notification `id` |
//! | `mux` | [`mux`] | `Mux-Signature: t=..,v1=..` over `"{t}.{body}"`, 300 s | the signed event `id` (else SHA-256 of the body) |
//! | `sentry` | [`sentry`] | `Sentry-Hook-Signature: <hex>` over the body | SHA-256 of the body |
//! | `hubspot` | [`hubspot`] | `X-HubSpot-Signature-v3`: base64 HMAC over method, configured public URL, body and millisecond timestamp, 300 s | SHA-256 of the signed content |
//! | `sendgrid` | [`sendgrid`] | ECDSA P-256 over `timestamp ‖ body` (`X-Twilio-Email-Event-Webhook-*`), 300 s | SHA-256 of the body |
//! | `zendesk` | [`zendesk`] | `X-Zendesk-Webhook-Signature: <base64>` over the timestamp header (RFC 3339 or Unix seconds) and body, 300 s | the SHA-256 of the signed timestamp and body |
//! | `xero` | [`xero`] | `x-xero-signature: <base64>` over the body (intent to receive: 401 for bad, 200 for good) | the SHA-256 of the body |
//! | `dropbox` | [`dropbox`] | `X-Dropbox-Signature: <hex>` over the body; `GET ?challenge=` echoed (text/plain, nosniff) | the SHA-256 of the body |
//! | `pagerduty` | [`pagerduty`] | `X-PagerDuty-Signature: v1=<hex>[,v1=…]` over the body, several during rotation | the signed `event.id` |
//! | `telnyx` | [`telnyx`] | Ed25519 (base64) over `{timestamp}` + pipe + `{body}`, 300 s | the signed `data.id` |
//! | `twitter` | [`twitter`] | `x-twitter-webhooks-signature: sha256=<base64>`; `GET ?crc_token=` answered, tokens restricted so the CRC oracle never yields a delivery signature | the SHA-256 of the body |
//! | `meta` | [`meta`] | `X-Hub-Signature-256: sha256=<hex>` over the body; `hub.mode=subscribe` check with your verify token (constant time) | the SHA-256 of the body |
//! | `bitbucket` | [`bitbucket`] | `X-Hub-Signature: sha256=<hex>` over the body | the SHA-256 of the body |
//! | `docusign` | [`docusign`] | `X-DocuSign-Signature-1…10: <base64>` over the body, any header under any configured key | the SHA-256 of the body |
//! | `mandrill` | [`mandrill`] | `X-Mandrill-Signature`: HMAC-SHA1 over the configured public URL and sorted form params; `HEAD` check answered | the SHA-256 of URL and body |
//! | `boxcom` | [`boxcom`] | Box: `BOX-SIGNATURE-PRIMARY`/`-SECONDARY` base64 over body ‖ `BOX-DELIVERY-TIMESTAMP`, 600 s | the signed event `id` |
//! | `custom` | [`custom`] | any header HMAC: name, prefix, encoding, template, timestamp header | SHA-256 of the body |
//!
//! Handshake answers (Slack's challenge, Discord's PONG, Zoom's `encryptedToken`) are sent only
//! after the request verified, and never reach the inner service.
//!
//! `docs/providers.md` in the repository records, provider by provider, the official
//! documentation or SDK source each scheme was checked against and whether a published test
//! vector exists; the published ones run as `published-*` cases of the conformance vectors.
#![cfg_attr(
    feature = "github",
    doc = r#"
```
use http::{Request, Response, StatusCode};
use tower::{ServiceBuilder, ServiceExt};
use webhook_core::VerifiedBody;
use webhook_providers::github::{GithubEvent, GithubLayer, GithubSigner};

# #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
let service = ServiceBuilder::new()
    .layer(GithubLayer::new("It's a Secret to Everybody")?)
    .service_fn(|req: Request<VerifiedBody>| async move {
        let id = req.extensions().get::<GithubEvent>().and_then(|e| e.id.clone());
        Ok::<_, std::convert::Infallible>(Response::new(id.unwrap_or_default()))
    });
let request = GithubSigner::new("It's a Secret to Everybody")
    .request("/hooks/github", "ping", "72d3162e", "Hello, World!")?;
let response = service.oneshot(request.map(http_body_util::Full::new)).await?;
assert_eq!(response.status(), StatusCode::OK);
# Ok(()) }
```
"#
)]
#![forbid(unsafe_code)]
// The table above links every provider module; a build with only some provider features has
// only those modules, so its docs keep the others as plain text instead of failing.
#![cfg_attr(not(feature = "full"), allow(rustdoc::broken_intra_doc_links))]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[allow(unused_macros, unused_imports, dead_code)]
mod common;
#[cfg(any(feature = "discord", feature = "telnyx", feature = "sendgrid"))]
mod signed_timestamp;

#[cfg(feature = "bitbucket")]
pub mod bitbucket;
#[cfg(feature = "boxcom")]
pub mod boxcom;
#[cfg(feature = "calendly")]
pub mod calendly;
#[cfg(feature = "custom")]
pub mod custom;
#[cfg(feature = "discord")]
pub mod discord;
#[cfg(feature = "docusign")]
pub mod docusign;
#[cfg(feature = "dropbox")]
pub mod dropbox;
#[cfg(feature = "github")]
pub mod github;
#[cfg(feature = "gitlab")]
pub mod gitlab;
#[cfg(feature = "hubspot")]
pub mod hubspot;
#[cfg(feature = "intercom")]
pub mod intercom;
#[cfg(feature = "linear")]
pub mod linear;
#[cfg(feature = "mailgun")]
pub mod mailgun;
#[cfg(feature = "mandrill")]
pub mod mandrill;
#[cfg(feature = "meta")]
pub mod meta;
#[cfg(feature = "mux")]
pub mod mux;
#[cfg(feature = "paddle")]
pub mod paddle;
#[cfg(feature = "pagerduty")]
pub mod pagerduty;
#[cfg(feature = "sendgrid")]
pub mod sendgrid;
#[cfg(feature = "sentry")]
pub mod sentry;
#[cfg(feature = "shopify")]
pub mod shopify;
#[cfg(feature = "slack")]
pub mod slack;
#[cfg(feature = "square")]
pub mod square;
#[cfg(feature = "stripe")]
pub mod stripe;
#[cfg(feature = "telnyx")]
pub mod telnyx;
#[cfg(feature = "twilio")]
pub mod twilio;
#[cfg(feature = "twitter")]
pub mod twitter;
#[cfg(feature = "typeform")]
pub mod typeform;
#[cfg(feature = "xero")]
pub mod xero;
#[cfg(feature = "zendesk")]
pub mod zendesk;
#[cfg(feature = "zoom")]
pub mod zoom;
