//! [AWS SNS](https://docs.aws.amazon.com/sns/latest/dg/sns-http-https-endpoint-as-subscriber.html)
//! HTTPS subscription verification as tower middleware.
//!
//! SNS POSTs a JSON envelope signed with RSA (SignatureVersion `1`: SHA-1, `2`: SHA-256) by a
//! certificate it names in the unsigned `SigningCertURL`. [`SnsLayer`] checks, in order:
//!
//! | check | reason on failure |
//! | --- | --- |
//! | method, body size, encoding, arrival time | `method_not_allowed`, `body_too_large`, `unsupported_encoding`, `body_timeout` |
//! | `x-amz-sns-message-type` present | `missing_header` (400) |
//! | one JSON object, no duplicate keys, signed fields are strings, no Lambda spellings, type equals the header, SignatureVersion `1`/`2` | `malformed_body` (400) |
//! | `TopicArn` allowlisted (an empty list accepts nothing) | `claim_mismatch` (401) |
//! | SignatureVersion 2 when required | `signature_mismatch` (401) |
//! | `SigningCertURL` is `https://sns.<topic's region>.amazonaws.com/SimpleNotificationService-<id>.pem` (`.com.cn` only for `cn-` regions), nothing else | `untrusted_key_url` (401) |
//! | `Timestamp` within 3600 s back, 300 s ahead | `timestamp_out_of_tolerance` (401) |
//! | certificate fetched (cached per URL) | `key_unavailable` (503: SNS retries) |
//! | exactly one PEM certificate, the region's signer name, valid now, RSA ≥ 2048 | `untrusted_key_url` (401) |
//! | RSA signature over the per-type string to sign, from the raw string values | `signature_mismatch` (401) |
//! | `MessageId` not delivered before | duplicate: `200` without calling the inner service |
//!
//! Nothing is fetched for a request that fails a cheaper check. SNS retries only 5xx and
//! timeouts: every 4xx loses the message, so answer 5xx from your handler to get a retry.
//!
//! Subscription confirmations: with [`SnsLayer::auto_confirm`] the layer visits the signed
//! `SubscribeURL` (after checking it names this region's endpoint, the signed topic and token),
//! then tells your handler (`SnsEvent::confirmed`); a failed visit answers 503 so SNS sends it
//! again, and a redelivered confirmation already handled is not visited twice. Without
//! auto-confirm the confirmation reaches your handler unconfirmed. `UnsubscribeConfirmation`
//! is always delivered, never visited.
//!
//! ```
//! use http::{Request, Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{FixedClock, Reason, Rejection, TableFetch, VerifiedBody};
//! use webhook_sns::{SnsEvent, SnsLayer};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let topic = "arn:aws:sns:us-east-2:123456789012:Invoices";
//! let service = ServiceBuilder::new()
//!     .layer(SnsLayer::new(&[topic])?.fetcher(TableFetch::new()).clock(FixedClock::at_unix(1_659_043_498)))
//!     .service_fn(|req: Request<VerifiedBody>| async move {
//!         let _event = req.extensions().get::<SnsEvent>();
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//!
//! // A message from a topic that is not allowlisted is refused before any fetch.
//! let body = r#"{"Type":"Notification","MessageId":"m","TopicArn":"arn:aws:sns:us-east-2:999999999999:Other",
//!   "Message":"hi","Timestamp":"2022-07-28T21:23:58.317Z","SignatureVersion":"1","Signature":"AA==",
//!   "SigningCertURL":"https://sns.us-east-2.amazonaws.com/SimpleNotificationService-1.pem"}"#;
//! let request = Request::post("/sns").header("x-amz-sns-message-type", "Notification")
//!     .body(http_body_util::Full::new(bytes::Bytes::from(body)))?;
//! let response = service.oneshot(request).await?;
//! assert_eq!(response.extensions().get::<Rejection>().map(Rejection::reason), Some(Reason::ClaimMismatch));
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod event;
mod layer;
#[cfg(feature = "test-util")]
mod signer;
mod verify;
mod x509;

pub use event::{MessageType, SnsEvent};
pub use layer::{Sns, SnsLayer};
#[cfg(feature = "test-util")]
pub use signer::SnsSigner;
pub use verify::SnsScheme;
