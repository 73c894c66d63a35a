//! `webhook verify`: run a captured request through the provider's real layer.

use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use serde::Serialize;
use tower::{Layer, Service, ServiceExt};
use webhook::autoflex::{AutoflexEvent, AutoflexLayer};
use webhook::avaplace::{AvaplaceEvent, AvaplaceLayer};
use webhook::bitbucket::{BitbucketEvent, BitbucketLayer};
use webhook::boxcom::{BoxEvent, BoxLayer};
use webhook::calendly::{CalendlyEvent, CalendlyLayer};
use webhook::discord::{DiscordEvent, DiscordLayer};
use webhook::docusign::{DocusignEvent, DocusignLayer};
use webhook::dropbox::{DropboxEvent, DropboxLayer};
use webhook::github::{GithubEvent, GithubLayer};
use webhook::gitlab::{GitlabEvent, GitlabLayer};
use webhook::hubspot::{HubspotEvent, HubspotLayer};
use webhook::intercom::{IntercomEvent, IntercomLayer};
use webhook::linear::{LinearEvent, LinearLayer};
use webhook::mailgun::{MailgunEvent, MailgunLayer};
use webhook::mandrill::{MandrillEvent, MandrillLayer};
use webhook::meta::{MetaEvent, MetaLayer};
use webhook::mux::{MuxEvent, MuxLayer};
use webhook::paddle::{PaddleEvent, PaddleLayer};
use webhook::pagerduty::{PagerdutyEvent, PagerdutyLayer};
use webhook::ricloud::{RicloudEvent, RicloudLayer};
use webhook::sentry::{SentryEvent, SentryLayer};
use webhook::shipmondo::{ShipmondoEvent, ShipmondoLayer};
use webhook::shopify::{ShopifyEvent, ShopifyLayer};
use webhook::slack::{SlackEvent, SlackLayer};
use webhook::sns::{SnsEvent, SnsLayer};
use webhook::square::{SquareEvent, SquareLayer};
use webhook::standard::{StandardEvent, StandardLayer};
use webhook::stripe::{StripeEvent, StripeLayer};
use webhook::telnyx::{TelnyxEvent, TelnyxLayer};
use webhook::twilio::{TwilioEvent, TwilioLayer};
use webhook::twitter::{TwitterEvent, TwitterLayer};
use webhook::typeform::{TypeformEvent, TypeformLayer};
use webhook::xero::{XeroEvent, XeroLayer};
use webhook::zendesk::{ZendeskEvent, ZendeskLayer};
use webhook::zoom::{ZoomEvent, ZoomLayer};
use webhook::{Fetch, FixedClock, HttpsFetch, Rejection, TableFetch, TableResponse, VerifiedBody};

use crate::{CliError, Provider, VerifyArgs, read_input};

type Seen = Arc<Mutex<Option<serde_json::Value>>>;

/// The inner service: records the verified event as JSON.
fn recorder<E: Serialize + Send + Sync + 'static>(
    seen: &Seen,
) -> impl Service<
    Request<VerifiedBody>,
    Response = Response<Full<Bytes>>,
    Error = Infallible,
    Future: Send,
> + Clone
+ Send
+ 'static {
    let seen = Arc::clone(seen);
    tower::service_fn(move |request: Request<VerifiedBody>| {
        let event = request
            .extensions()
            .get::<E>()
            .and_then(|event| serde_json::to_value(event).ok());
        *seen.lock().unwrap_or_else(PoisonError::into_inner) = event;
        std::future::ready(Ok::<_, Infallible>(Response::new(Full::new(Bytes::new()))))
    })
}

/// Configures `$layer` with the clock and fetcher, runs the request, and reports.
macro_rules! check {
    ($layer:expr, $event:ty, $args:expr, $fetch:expr, $request:expr) => {{
        let mut layer = $layer.shared_fetcher($fetch);
        if let Some(now) = $args.now {
            layer = layer.clock(FixedClock::at_unix(
                u64::try_from(now).map_err(|_| "--now is negative")?,
            ));
        }
        let seen = Seen::default();
        let response = layer
            .layer(recorder::<$event>(&seen))
            .oneshot($request)
            .await?;
        report(&seen, &response)
    }};
}

pub(crate) async fn run(args: VerifyArgs) -> Result<bool, CliError> {
    let raw = read_input(&args.request).await?;
    let request = crate::raw::parse(&raw)?.map(Full::new);
    let fetch = fetcher(&args).await?;
    let secret = || {
        args.provider
            .secret
            .as_deref()
            .ok_or("the secret is needed: pass --secret or set WEBHOOK_SECRET")
    };
    let public_url = || {
        args.provider
            .public_url
            .as_deref()
            .ok_or("this scheme signs the public URL: pass --public-url")
    };
    let code = || {
        args.provider
            .security_code
            .as_deref()
            .ok_or("pass --security-code")
    };
    // The schemes configured by their secret alone, or by their secret and public URL.
    macro_rules! with_secret {
        ($layer:ident, $event:ty) => {
            check!($layer::new(secret()?)?, $event, args, fetch, request)
        };
    }
    macro_rules! with_public_url {
        ($layer:ident, $event:ty) => {
            check!(
                $layer::new(secret()?, public_url()?)?,
                $event,
                args,
                fetch,
                request
            )
        };
    }
    match args.provider.provider {
        Provider::Standard => with_secret!(StandardLayer, StandardEvent),
        Provider::Ricloud => with_secret!(RicloudLayer, RicloudEvent),
        Provider::Shipmondo => {
            let mut layer = ShipmondoLayer::new(secret()?)?;
            if let Some(url) = &args.endpoint_url {
                layer = layer.endpoint_url(url)?;
            }
            check!(layer, ShipmondoEvent, args, fetch, request)
        }
        Provider::Avaplace => {
            let layer = AvaplaceLayer::new(&args.provider.issuer, code()?)?;
            check!(layer, AvaplaceEvent, args, fetch, request)
        }
        Provider::Autoflex => {
            let token = args.provider.secret.as_deref().unwrap_or("");
            check!(
                AutoflexLayer::new(&args.api_base, token)?,
                AutoflexEvent,
                args,
                fetch,
                request
            )
        }
        Provider::Sns => {
            let layer = SnsLayer::new(&[args.provider.topic.as_str()])?;
            check!(layer, SnsEvent, args, fetch, request)
        }
        Provider::Github => with_secret!(GithubLayer, GithubEvent),
        Provider::Gitlab => with_secret!(GitlabLayer, GitlabEvent),
        Provider::Shopify => with_secret!(ShopifyLayer, ShopifyEvent),
        Provider::Slack => with_secret!(SlackLayer, SlackEvent),
        Provider::Stripe => with_secret!(StripeLayer, StripeEvent),
        Provider::Paddle => with_secret!(PaddleLayer, PaddleEvent),
        Provider::Calendly => with_secret!(CalendlyLayer, CalendlyEvent),
        Provider::Mux => with_secret!(MuxLayer, MuxEvent),
        Provider::Zoom => with_secret!(ZoomLayer, ZoomEvent),
        Provider::Twilio => with_public_url!(TwilioLayer, TwilioEvent),
        Provider::Linear => with_secret!(LinearLayer, LinearEvent),
        Provider::Square => with_public_url!(SquareLayer, SquareEvent),
        Provider::Mailgun => with_secret!(MailgunLayer, MailgunEvent),
        Provider::Typeform => with_secret!(TypeformLayer, TypeformEvent),
        Provider::Intercom => with_secret!(IntercomLayer, IntercomEvent),
        Provider::Sentry => with_secret!(SentryLayer, SentryEvent),
        Provider::Hubspot => with_public_url!(HubspotLayer, HubspotEvent),
        Provider::Zendesk => with_secret!(ZendeskLayer, ZendeskEvent),
        Provider::Xero => with_secret!(XeroLayer, XeroEvent),
        Provider::Dropbox => with_secret!(DropboxLayer, DropboxEvent),
        Provider::Pagerduty => with_secret!(PagerdutyLayer, PagerdutyEvent),
        Provider::Twitter => with_secret!(TwitterLayer, TwitterEvent),
        Provider::Meta => {
            // A delivery check never uses the subscription verify token; any value will do.
            let layer = MetaLayer::new(secret()?, "unused-verify-token")?;
            check!(layer, MetaEvent, args, fetch, request)
        }
        Provider::Bitbucket => with_secret!(BitbucketLayer, BitbucketEvent),
        Provider::Docusign => with_secret!(DocusignLayer, DocusignEvent),
        Provider::Mandrill => with_public_url!(MandrillLayer, MandrillEvent),
        Provider::Boxcom => {
            let layer = BoxLayer::new(secret()?)?.secondary(secret()?)?;
            check!(layer, BoxEvent, args, fetch, request)
        }
        Provider::Discord => {
            let key = crate::providers::public_key(Provider::Discord, &args.provider);
            check!(DiscordLayer::new(&key)?, DiscordEvent, args, fetch, request)
        }
        Provider::Telnyx => {
            let key = crate::providers::public_key(Provider::Telnyx, &args.provider);
            check!(TelnyxLayer::new(&key)?, TelnyxEvent, args, fetch, request)
        }
    }
}

async fn fetcher(args: &VerifyArgs) -> Result<Arc<dyn Fetch>, CliError> {
    if args.online {
        return Ok(Arc::new(HttpsFetch::new()?));
    }
    let table = TableFetch::new();
    for document in &args.documents {
        let (url, path) = document
            .split_once('=')
            .ok_or("--document takes URL=FILE")?;
        let body = read_input(path.as_ref()).await?;
        table.set(url, TableResponse::ok(body));
    }
    Ok(Arc::new(table))
}

fn report<B>(seen: &Seen, response: &Response<B>) -> Result<bool, CliError> {
    let status = response.status().as_u16();
    if let Some(rejection) = response.extensions().get::<Rejection>() {
        println!("rejected: {status} {}", rejection.reason().as_str());
        if let Some(detail) = rejection.detail() {
            println!("detail: {detail}");
        }
        return Ok(false);
    }
    match seen.lock().unwrap_or_else(PoisonError::into_inner).take() {
        Some(event) => {
            println!("verified: {}", serde_json::to_string_pretty(&event)?);
            Ok(true)
        }
        None => {
            println!("not delivered: {status}");
            Ok(false)
        }
    }
}
