//! `send` and `verify` for the schemes of `webhook-providers` (GitHub, Stripe, Slack, …): how
//! each one signs a draft, and its layer configured from the command line.

use bytes::Bytes;
use http::Request;
use webhook::{
    bitbucket, boxcom, calendly, discord, docusign, dropbox, github, gitlab, hubspot, intercom,
    linear, mailgun, mandrill, meta, mux, paddle, pagerduty, sentry, shopify, slack, square,
    stripe, telnyx, twilio, twitter, typeform, xero, zendesk, zoom,
};

use crate::sign::{Draft, body_or};
use crate::{CliError, Provider, ProviderArgs};

/// Seed of the built-in Ed25519 test key (Discord, Telnyx): `send` signs with it and `verify`
/// trusts its public key unless `--public-key` names another.
const TEST_SEED: [u8; 32] = [7; 32];

/// The generic sample event: the fields the id-reading schemes look for.
fn sample(id: &str) -> String {
    format!(
        r#"{{"id":"{id}","event_id":"{id}","type":"test.event","data":{{"id":"{id}","event_type":"test.event"}}}}"#
    )
}

fn body(draft: &Draft<'_>, sample: String) -> Bytes {
    Bytes::from(body_or(draft, &sample))
}

fn secret(args: &ProviderArgs) -> Result<&str, CliError> {
    crate::sign::secret(args, "the secret is")
}

fn public_url(args: &ProviderArgs) -> Result<&str, CliError> {
    args.public_url.as_deref().ok_or_else(|| {
        "this scheme signs the public URL: pass --public-url (e.g. https://hooks.example.com)"
            .into()
    })
}

fn unsigned(timestamp: i64) -> Result<u64, CliError> {
    u64::try_from(timestamp).map_err(|_| "the timestamp is negative".into())
}

/// Signs `draft` as `provider` would, or `None` when `provider` is not one of these.
pub(crate) fn sign(
    provider: Provider,
    args: &ProviderArgs,
    draft: &Draft<'_>,
    id: &str,
) -> Result<Option<Request<Bytes>>, CliError> {
    let uri = draft.target;
    let now = unsigned(draft.timestamp)?;
    let request = match provider {
        Provider::Github => github::GithubSigner::new(secret(args)?).request(
            uri,
            "ping",
            id,
            body(draft, sample(id)),
        )?,
        Provider::Gitlab => gitlab::GitlabSigner::new(secret(args)?).request(
            uri,
            "Push Hook",
            id,
            body(draft, sample(id)),
        )?,
        Provider::Shopify => shopify::ShopifySigner::new(secret(args)?).request(
            uri,
            "orders/create",
            id,
            body(draft, sample(id)),
        )?,
        Provider::Slack => {
            let sample = format!(
                r#"{{"type":"event_callback","event_id":"{id}","event":{{"type":"app_mention"}}}}"#
            );
            slack::SlackSigner::new(secret(args)?).request(uri, now, body(draft, sample))?
        }
        Provider::Stripe => {
            stripe::StripeSigner::new(secret(args)?).request(uri, now, body(draft, sample(id)))?
        }
        Provider::Paddle => {
            paddle::PaddleSigner::new(secret(args)?).request(uri, now, body(draft, sample(id)))?
        }
        Provider::Calendly => calendly::CalendlySigner::new(secret(args)?).request(
            uri,
            now,
            body(draft, sample(id)),
        )?,
        Provider::Mux => {
            mux::MuxSigner::new(secret(args)?).request(uri, now, body(draft, sample(id)))?
        }
        Provider::Zoom => {
            let sample = format!(
                r#"{{"event":"meeting.started","payload":{{"object":{{"id":"{id}"}}}},"event_ts":{}}}"#,
                now * 1000
            );
            zoom::ZoomSigner::new(secret(args)?).request(uri, now, body(draft, sample))?
        }
        Provider::Twilio => {
            let sample = format!("CallSid={id}&From=%2B12349013030&To=%2B18005551212");
            twilio::TwilioSigner::new(secret(args)?, public_url(args)?)
                .request(uri, body(draft, sample))?
        }
        Provider::Linear => {
            let sample = format!(
                r#"{{"action":"create","type":"Issue","data":{{"id":"{id}"}},"webhookTimestamp":{}}}"#,
                now * 1000
            );
            linear::LinearSigner::new(secret(args)?).request(uri, id, body(draft, sample))?
        }
        Provider::Square => square::SquareSigner::new(secret(args)?, public_url(args)?)
            .request(uri, body(draft, sample(id)))?,
        Provider::Mailgun => {
            let event = match &draft.body {
                Some(event) => String::from_utf8(event.clone())
                    .map_err(|_| "the Mailgun event-data must be UTF-8 JSON")?,
                None => format!(r#"{{"id":"{id}","event":"delivered"}}"#),
            };
            mailgun::MailgunSigner::new(secret(args)?).request(uri, now, id, &event)?
        }
        Provider::Typeform => {
            typeform::TypeformSigner::new(secret(args)?).request(uri, body(draft, sample(id)))?
        }
        Provider::Intercom => {
            intercom::IntercomSigner::new(secret(args)?).request(uri, body(draft, sample(id)))?
        }
        Provider::Sentry => {
            sentry::SentrySigner::new(secret(args)?).request(uri, body(draft, sample(id)))?
        }
        Provider::Hubspot => {
            let sample = format!(
                r#"[{{"eventId":1,"subscriptionType":"contact.creation","objectId":"{id}"}}]"#
            );
            hubspot::HubspotSigner::new(secret(args)?, public_url(args)?).request(
                uri,
                now * 1000,
                body(draft, sample),
            )?
        }
        Provider::Zendesk => zendesk::ZendeskSigner::new(secret(args)?).request(
            uri,
            &now.to_string(),
            body(draft, sample(id)),
        )?,
        Provider::Xero => {
            let sample = r#"{"events":[],"firstEventSequence":0,"lastEventSequence":0}"#.to_owned();
            xero::XeroSigner::new(secret(args)?).request(uri, body(draft, sample))?
        }
        Provider::Dropbox => {
            dropbox::DropboxSigner::new(secret(args)?).request(uri, body(draft, sample(id)))?
        }
        Provider::Pagerduty => {
            let sample =
                format!(r#"{{"event":{{"id":"{id}","event_type":"incident.triggered"}}}}"#);
            pagerduty::PagerdutySigner::new(secret(args)?).request(uri, body(draft, sample))?
        }
        Provider::Twitter => {
            twitter::TwitterSigner::new(secret(args)?).request(uri, body(draft, sample(id)))?
        }
        Provider::Meta => {
            meta::MetaSigner::new(secret(args)?).request(uri, body(draft, sample(id)))?
        }
        Provider::Bitbucket => {
            bitbucket::BitbucketSigner::new(secret(args)?).request(uri, body(draft, sample(id)))?
        }
        Provider::Docusign => {
            docusign::DocusignSigner::new(&[secret(args)?]).request(uri, body(draft, sample(id)))?
        }
        Provider::Mandrill => {
            let events = match &draft.body {
                Some(events) => String::from_utf8(events.clone())
                    .map_err(|_| "the Mandrill events must be UTF-8 JSON")?,
                None => format!(r#"[{{"event":"send","_id":"{id}"}}]"#),
            };
            mandrill::MandrillSigner::new(secret(args)?, public_url(args)?).request(uri, &events)?
        }
        Provider::Boxcom => {
            let key = secret(args)?;
            boxcom::BoxSigner::new(key, key).request(
                uri,
                &webhook::format_rfc3339_utc(draft.timestamp),
                body(draft, sample(id)),
            )?
        }
        Provider::Discord => {
            let sample = format!(r#"{{"id":"{id}","type":2,"data":{{"name":"test"}}}}"#);
            discord::DiscordSigner::from_seed(TEST_SEED).request(uri, now, body(draft, sample))?
        }
        Provider::Telnyx => {
            let sample = format!(r#"{{"data":{{"id":"{id}","event_type":"message.received"}}}}"#);
            telnyx::TelnyxSigner::from_seed(TEST_SEED).request(uri, now, body(draft, sample))?
        }
        _ => return Ok(None),
    };
    Ok(Some(request))
}

/// The public key `verify` trusts for Discord (hex) and Telnyx (base64).
pub(crate) fn public_key(provider: Provider, args: &ProviderArgs) -> String {
    if let Some(key) = &args.public_key {
        return key.clone();
    }
    match provider {
        Provider::Telnyx => telnyx::TelnyxSigner::from_seed(TEST_SEED).public_key_base64(),
        _ => discord::DiscordSigner::from_seed(TEST_SEED).public_key_hex(),
    }
}
