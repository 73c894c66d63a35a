//! The path each provider is mounted on (the same in every example).

/// Standard Webhooks (Svix, Clerk, Resend, OpenAI, …).
pub const STANDARD: &str = "/webhooks/standard";
/// Reincubate ricloud.
pub const RICLOUD: &str = "/webhooks/ricloud";
/// Shipmondo.
pub const SHIPMONDO: &str = "/webhooks/shipmondo";
/// AVAplace MessageGateway: the gateway appends `/{messageType}/{contractType}/{messageId}`.
pub const AVAPLACE_PREFIX: &str = "/webhooks/avaplace/";
/// Autoflex10 callbacks (`GET …?id=<uuid>`).
pub const AUTOFLEX: &str = "/webhooks/autoflex";
/// AWS SNS HTTPS subscriptions.
pub const SNS: &str = "/webhooks/sns";

/// The provider a path belongs to, for frameworks that dispatch by hand (raw hyper).
///
/// ```
/// assert_eq!(example_common::routes::provider_of("/webhooks/avaplace/A/B/C"), Some("avaplace"));
/// assert_eq!(example_common::routes::provider_of("/webhooks/standardx"), None);
/// ```
#[must_use]
pub fn provider_of(path: &str) -> Option<&'static str> {
    match path {
        STANDARD => Some("standard"),
        RICLOUD => Some("ricloud"),
        SHIPMONDO => Some("shipmondo"),
        AUTOFLEX => Some("autoflex"),
        SNS => Some("sns"),
        _ if path.starts_with(AVAPLACE_PREFIX) => Some("avaplace"),
        _ => None,
    }
}
