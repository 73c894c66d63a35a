//! `webhook send`: sign, then POST (or print with `--dump`).

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::Uri;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::sign::{Draft, sign};
use crate::{CliError, SendArgs, read_input, unix_now};

/// Largest answer body shown.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

pub(crate) async fn run(args: SendArgs) -> Result<bool, CliError> {
    let url: Option<Uri> = args.url.as_deref().map(str::parse).transpose()?;
    let target = url
        .as_ref()
        .and_then(Uri::path_and_query)
        .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned());
    let body = match &args.body {
        Some(path) => Some(read_input(path).await?),
        None => None,
    };
    let draft = Draft {
        target: &target,
        body,
        id: args.id.clone(),
        timestamp: args.timestamp.unwrap_or_else(unix_now),
    };
    let request = sign(&args.provider, &draft)?;
    if args.dump {
        std::io::stdout().write_all(&crate::raw::to_raw(&request))?;
        return Ok(true);
    }
    let url = url.as_ref().ok_or("--url is required (or pass --dump)")?;
    let (scheme, authority) = match (url.scheme_str(), url.authority()) {
        (Some(scheme @ ("http" | "https")), Some(authority)) => (scheme, authority.clone()),
        _ => return Err(format!("--url must be an absolute http(s) URL, got {url}").into()),
    };
    let (mut parts, body) = request.into_parts();
    let signed_target = parts
        .uri
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_owned();
    parts.uri = Uri::builder()
        .scheme(scheme)
        .authority(authority)
        .path_and_query(signed_target)
        .build()?;
    let method = parts.method.clone();
    eprintln!(
        "webhook: {method} {} ({} bytes, {:?})",
        parts.uri,
        body.len(),
        args.provider.provider
    );

    let client = client()?;
    let call = client.request(http::Request::from_parts(parts, Full::new(body)));
    let response = tokio::time::timeout(Duration::from_secs(30), call)
        .await
        .map_err(|_| "no answer within 30 s")?
        .map_err(|error| format!("cannot reach {url}: {error}"))?;
    let status = response.status();
    let answer = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_else(|_| Bytes::from_static(b"(answer too large)"));
    let reason = serde_json::from_slice::<serde_json::Value>(&answer)
        .ok()
        .and_then(|value| value.get("reason")?.as_str().map(str::to_owned));
    match reason {
        Some(reason) => println!("{} {reason}", status.as_u16()),
        None => println!("{}", status.as_u16()),
    }
    Ok(status.is_success())
}

fn client() -> Result<
    Client<
        hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
        Full<Bytes>,
    >,
    CliError,
> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .build();
    Ok(Client::builder(TokioExecutor::new()).build(connector))
}
