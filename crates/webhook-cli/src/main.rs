//! `webhook`: sign and send test webhooks for every provider, and verify captured ones offline.
//!
//! ```text
//! webhook send standard --url http://127.0.0.1:8080/webhooks/standard --secret whsec_… --body event.json
//! webhook send ricloud --secret s3cret --dump > request.http
//! webhook verify ricloud --secret s3cret request.http
//! webhook send github --secret "$GITHUB_WEBHOOK_SECRET" --url http://127.0.0.1:3000/github
//! webhook send twilio --secret "$TWILIO_AUTH_TOKEN" --public-url https://hooks.example.com --dump
//! ```
//!
//! Exit codes: 0 delivered / verified, 1 refused by the receiver or by verification, 2 usage,
//! input or network error.
#![forbid(unsafe_code)]

mod providers;
mod raw;
mod send;
mod sign;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Sign and send test webhooks for every provider, or verify a captured request offline.
#[derive(Debug, Parser)]
#[command(name = "webhook", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sign an event the way the provider does and POST it (or GET, for Autoflex10) to a URL.
    Send(SendArgs),
    /// Check a captured raw HTTP request with the provider's layer and print the verdict.
    Verify(VerifyArgs),
}

/// The providers the CLI knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Provider {
    /// Standard Webhooks (Svix, Clerk, Resend, OpenAI, …): `webhook-*` headers, `whsec_` secret.
    Standard,
    /// Reincubate ricloud: `Ricloud-Signature: t=…,s=…`.
    Ricloud,
    /// Shipmondo: `{"data": "<HS256 JWS>"}`; the body is the claims object.
    Shipmondo,
    /// AVAplace MessageGateway: RS256 bearer token (built-in test key), security code.
    Avaplace,
    /// Autoflex10: `GET <url>?id=<uuid>` callback.
    Autoflex,
    /// AWS SNS notification signed with SignatureVersion 2 (built-in test certificate).
    Sns,
    /// GitHub: `X-Hub-Signature-256`.
    Github,
    /// GitLab: `X-Gitlab-Token`.
    Gitlab,
    /// Shopify: `X-Shopify-Hmac-Sha256`.
    Shopify,
    /// Slack: `X-Slack-Signature` over `v0:{ts}:{body}`.
    Slack,
    /// Stripe: `Stripe-Signature: t=…,v1=…`.
    Stripe,
    /// Paddle Billing: `Paddle-Signature: ts=…;h1=…`.
    Paddle,
    /// Calendly: `Calendly-Webhook-Signature`.
    Calendly,
    /// Mux: `Mux-Signature`.
    Mux,
    /// Zoom: `x-zm-signature`.
    Zoom,
    /// Twilio: `X-Twilio-Signature` over `--public-url` and the form (the token is `--secret`).
    Twilio,
    /// Linear: `Linear-Signature`, signed `webhookTimestamp`.
    Linear,
    /// Square: over the notification URL (`--public-url`) and the body.
    Square,
    /// Mailgun: signature inside the body; `--body` is the event-data.
    Mailgun,
    /// Typeform: `Typeform-Signature`.
    Typeform,
    /// Intercom: `X-Hub-Signature` (HMAC-SHA1).
    Intercom,
    /// Sentry: `Sentry-Hook-Signature`.
    Sentry,
    /// HubSpot v3: over method, `--public-url` + path, body and timestamp.
    Hubspot,
    /// Zendesk: `X-Zendesk-Webhook-Signature`.
    Zendesk,
    /// Xero: `x-xero-signature`.
    Xero,
    /// Dropbox: `X-Dropbox-Signature`.
    Dropbox,
    /// PagerDuty v3: `X-PagerDuty-Signature`.
    Pagerduty,
    /// X / Twitter Account Activity: `x-twitter-webhooks-signature`.
    Twitter,
    /// Meta (Facebook, Instagram, WhatsApp): `X-Hub-Signature-256`.
    Meta,
    /// Bitbucket Cloud: `X-Hub-Signature`.
    Bitbucket,
    /// DocuSign Connect: `X-DocuSign-Signature-1`.
    Docusign,
    /// Mandrill: over `--public-url` + path and the form; `--body` is the events JSON.
    Mandrill,
    /// Box: `BOX-SIGNATURE-PRIMARY` and `-SECONDARY` (both with `--secret`).
    Boxcom,
    /// Discord interactions: Ed25519 (built-in test key; `verify` takes `--public-key`).
    Discord,
    /// Telnyx: Ed25519 (built-in test key; `verify` takes `--public-key`).
    Telnyx,
}

/// Options shared by `send` and `verify`: the provider's secrets and identities.
#[derive(Args, Debug, Clone)]
pub(crate) struct ProviderArgs {
    /// The provider.
    #[arg(value_enum)]
    pub(crate) provider: Provider,
    /// Shared secret or key (standard: `whsec_…`; ricloud: secret; shipmondo: webhook key).
    #[arg(long, env = "WEBHOOK_SECRET", hide_env_values = true)]
    pub(crate) secret: Option<String>,
    /// AVAplace: the `X-MessageSecurityCode`.
    #[arg(long, env = "WEBHOOK_SECURITY_CODE", hide_env_values = true)]
    pub(crate) security_code: Option<String>,
    /// AVAplace: the token issuer.
    #[arg(long, default_value = "https://login.avaplace.example")]
    pub(crate) issuer: String,
    /// SNS: the topic ARN (its region selects the signing certificate's region).
    #[arg(long, default_value = "arn:aws:sns:us-east-1:123456789012:orders")]
    pub(crate) topic: String,
    /// The public URL the provider signs: the base (`https://host`) for Twilio, HubSpot and
    /// Mandrill, the whole notification URL for Square.
    #[arg(long)]
    pub(crate) public_url: Option<String>,
    /// `verify` for Discord (hex) and Telnyx (base64): the public key. Defaults to the
    /// built-in test key that `send` signs with.
    #[arg(long)]
    pub(crate) public_key: Option<String>,
}

#[derive(Args, Debug)]
struct SendArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    /// Where to send (http:// or https://). Required unless `--dump`.
    #[arg(long)]
    url: Option<String>,
    /// The body (for Shipmondo: the claims; for SNS: the Message), from a file or `-` for
    /// stdin. Defaults to a small sample event.
    #[arg(long)]
    body: Option<PathBuf>,
    /// The delivery id (Standard Webhooks id, SNS MessageId, Autoflex10 callback id). Random
    /// by default.
    #[arg(long)]
    id: Option<String>,
    /// Signing time in Unix seconds (default: now).
    #[arg(long)]
    timestamp: Option<i64>,
    /// Print the signed request as raw HTTP/1.1 instead of sending it (for `webhook verify`).
    #[arg(long)]
    dump: bool,
}

#[derive(Args, Debug)]
struct VerifyArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    /// The raw HTTP/1.1 request (request line, headers, blank line, body); `-` for stdin.
    #[arg(default_value = "-")]
    request: PathBuf,
    /// Verify as if the clock read this Unix time (captured requests age out of tolerance).
    #[arg(long)]
    now: Option<i64>,
    /// Shipmondo: the endpoint URL the token's `url` claim must name.
    #[arg(long)]
    endpoint_url: Option<String>,
    /// Autoflex10: the API base the payload is fetched from.
    #[arg(long, default_value = "https://api.autoflex10.com/webservice_v2")]
    api_base: String,
    /// Serve a document to the layer instead of fetching it: `URL=FILE` (SNS certificate,
    /// OIDC discovery, JWKS, Autoflex10 payload). Repeatable.
    #[arg(long = "document", value_name = "URL=FILE")]
    documents: Vec<String>,
    /// Fetch documents over HTTPS instead (certificates, JWKS, payloads).
    #[arg(long)]
    online: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Send(args) => send::run(args).await,
        Command::Verify(args) => verify::run(args).await,
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("webhook: error: {error}");
            ExitCode::from(2)
        }
    }
}

/// A readable error for the person at the terminal.
pub(crate) type CliError = Box<dyn std::error::Error + Send + Sync>;

/// Reads a file, or stdin for `-`.
pub(crate) async fn read_input(path: &std::path::Path) -> Result<Vec<u8>, CliError> {
    use tokio::io::AsyncReadExt;
    if path.as_os_str() == "-" {
        let mut input = Vec::new();
        tokio::io::stdin().read_to_end(&mut input).await?;
        Ok(input)
    } else {
        tokio::fs::read(path)
            .await
            .map_err(|error| format!("cannot read {}: {error}", path.display()).into())
    }
}

/// The current Unix time.
pub(crate) fn unix_now() -> i64 {
    webhook::unix_seconds(webhook::Clock::now(&webhook::SystemClock))
}
