//! [HubSpot](https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests)
//! v3 signatures: `X-HubSpot-Signature-v3: <base64 HMAC-SHA256(client secret, method ‖ URI ‖
//! body ‖ timestamp)>` with `X-HubSpot-Request-Timestamp: <Unix milliseconds>`.
//!
//! | check | reason on failure |
//! | --- | --- |
//! | both headers present once (signature ≤ 2 KiB) | `missing_header`, `malformed_header` |
//! | the timestamp a canonical decimal (milliseconds) within the tolerance either way (default 300 s, HubSpot's five minutes) | `malformed_header`, `timestamp_out_of_tolerance` |
//! | the signature is padded base64 | `malformed_header` |
//! | the MAC over the method, **your configured public base URL** + the request's path and query, the body and the timestamp text, under one configured client secret | `signature_mismatch` |
//!
//! The URI HubSpot signs is the one it called; behind a proxy your service sees another, so the
//! public base is configuration and `Host` is never read. As HubSpot documents, the
//! percent-escapes `%3A %2F %3F %40 %21 %24 %27 %28 %29 %2A %2C %3B` in the URI are decoded
//! before signing. The older v1/v2 signatures (a plain SHA-256 with the secret as a prefix) are
//! not accepted. HubSpot signs no delivery id: deliveries are de-duplicated on the SHA-256 of
//! the signed method, URI, body and timestamp.
//!
//! ```
//! use http::{Response, StatusCode};
//! use tower::{ServiceBuilder, ServiceExt};
//! use webhook_core::{FixedClock, VerifiedBody};
//! use webhook_providers::hubspot::{HubspotEvent, HubspotLayer, HubspotSigner};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let base = "https://hooks.example.com";
//! let service = ServiceBuilder::new()
//!     .layer(HubspotLayer::new("hs-client-secret", base)?.clock(FixedClock::at_unix(1_700_000_000)))
//!     .service_fn(|req: http::Request<VerifiedBody>| async move {
//!         let _ = req.extensions().get::<HubspotEvent>().expect("the layer inserts it");
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//! let body = r#"[{"eventId":1,"subscriptionType":"contact.creation","objectId":123}]"#;
//! let request = HubspotSigner::new("hs-client-secret", base)
//!     .request("/hooks/hubspot?portal=62515", 1_700_000_000_000, body)?;
//! assert_eq!(service.oneshot(request.map(http_body_util::Full::new)).await?.status(), StatusCode::OK);
//! # Ok(()) }
//! ```

use std::time::Duration;

use bytes::Bytes;
use http::request::Parts;
use webhook_core::patterns::{
    Digest, Encoding, HmacKeys, MAX_HEADER_LEN, bounded_header, check_secret, malformed,
};
use webhook_core::{
    ConfigError, Reason, Rejection, Verdict, VerifyContext, VerifyWebhook, WebhookLayer,
    parse_canonical_decimal, within_window,
};

use crate::common::{Meta, content_key, provider_event, provider_layer_type};

const PROVIDER: &str = "hubspot";
const SIGNATURE: &str = "x-hubspot-signature-v3";
const TIMESTAMP: &str = "x-hubspot-request-timestamp";

/// Default tolerance: 300 seconds either way.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

provider_event! {
    /// A verified HubSpot delivery (usually a batch of events). `id` and `event_type` are
    /// `None`; `timestamp` is the signed request timestamp in seconds.
    HubspotEvent
}

/// The HubSpot scheme. Built through [`HubspotLayer`].
#[derive(Clone, Debug)]
pub struct HubspotScheme {
    keys: HmacKeys,
    public_base: String,
    tolerance: Duration,
}

/// Decodes the percent-escapes HubSpot decodes before signing, leaving every other byte as is.
fn hubspot_uri(uri: &str) -> String {
    const DECODED: [(&str, char); 12] = [
        ("3A", ':'),
        ("2F", '/'),
        ("3F", '?'),
        ("40", '@'),
        ("21", '!'),
        ("24", '$'),
        ("27", '\''),
        ("28", '('),
        ("29", ')'),
        ("2A", '*'),
        ("2C", ','),
        ("3B", ';'),
    ];
    let mut out = String::with_capacity(uri.len());
    let mut rest = uri;
    while let Some(at) = rest.find('%') {
        let (before, escape) = rest.split_at(at);
        out.push_str(before);
        let code = escape.get(1..3).unwrap_or_default();
        match DECODED
            .iter()
            .find(|(hex, _)| hex.eq_ignore_ascii_case(code))
        {
            Some((_, decoded)) => {
                out.push(*decoded);
                rest = escape.get(3..).unwrap_or_default();
            }
            None => {
                out.push('%');
                rest = escape.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

fn signed_uri(public_base: &str, uri: &http::Uri) -> String {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    hubspot_uri(&format!("{public_base}{path}"))
}

impl VerifyWebhook for HubspotScheme {
    type Event = HubspotEvent;

    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn sensitive_headers(&self) -> &'static [&'static str] {
        &[SIGNATURE, "x-hubspot-signature"]
    }

    async fn verify(
        &self,
        parts: &Parts,
        body: &Bytes,
        cx: &VerifyContext,
    ) -> Result<Verdict<HubspotEvent>, Rejection> {
        let signature = bounded_header(&parts.headers, SIGNATURE, MAX_HEADER_LEN)?;
        let timestamp_text = bounded_header(&parts.headers, TIMESTAMP, 32)?;
        let millis = parse_canonical_decimal(timestamp_text)
            .ok_or_else(|| malformed("X-HubSpot-Request-Timestamp is not a canonical decimal"))?;
        let timestamp = i64::try_from(millis / 1000).unwrap_or(i64::MAX);
        let tolerance = self.tolerance.as_secs();
        if !within_window(cx.unix_now(), timestamp, tolerance, tolerance) {
            return Err(Rejection::new(Reason::TimestampOutOfTolerance)
                .with_detail(format!("timestamp {millis} ms vs now {} s", cx.unix_now())));
        }
        let mac = Encoding::Base64
            .decode(signature)
            .ok_or_else(|| malformed("X-HubSpot-Signature-v3 is not base64"))?;
        let uri = signed_uri(&self.public_base, &parts.uri);
        let pieces: [&[u8]; 4] = [
            parts.method.as_str().as_bytes(),
            uri.as_bytes(),
            body,
            timestamp_text.as_bytes(),
        ];
        let matched = self
            .keys
            .verify(&pieces, [mac.as_slice()])
            .ok_or_else(|| Rejection::new(Reason::SignatureMismatch))?;
        let meta = Meta::new(matched, Some(timestamp));
        let dedup = content_key(&pieces);
        let event = HubspotEvent::new(meta.clone(), body.clone());
        Ok(Verdict::Deliver(meta.verified(
            PROVIDER,
            event,
            Some(dedup),
        )))
    }
}

provider_layer_type! {
    /// Verifies HubSpot v3 signatures before the inner service. See the [module docs](self).
    HubspotLayer, Hubspot, HubspotScheme
}

impl HubspotLayer {
    /// A layer verifying with the app's client secret, for requests HubSpot sends to
    /// `public_base` (`https://hooks.example.com`) plus the request's path and query.
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace, or `public_base` is not an absolute
    /// http(s) URL without query and trailing slash.
    pub fn new(client_secret: &str, public_base: &str) -> Result<Self, ConfigError> {
        let uri: http::Uri = public_base
            .parse()
            .map_err(|_| ConfigError::new(format!("public URL `{public_base}` is not a URL")))?;
        if !matches!(uri.scheme_str(), Some("https" | "http"))
            || uri.authority().is_none()
            || uri.query().is_some()
            || public_base.ends_with('/')
        {
            return Err(ConfigError::new(format!(
                "public URL `{public_base}` must be http(s)://host[:port][/path] without query or trailing slash"
            )));
        }
        let scheme = HubspotScheme {
            keys: HmacKeys::new(Digest::Sha256),
            public_base: public_base.to_owned(),
            tolerance: DEFAULT_TOLERANCE,
        };
        Self(WebhookLayer::new(scheme)).secret(client_secret)
    }

    /// Adds a client secret (rotation).
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn secret(mut self, client_secret: &str) -> Result<Self, ConfigError> {
        check_secret("HubSpot client secret", client_secret.as_bytes())?;
        self.0.scheme_mut().keys.push(client_secret);
        Ok(self)
    }

    /// Largest distance between the timestamp and the clock, either way. Defaults to 300 s.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.0.scheme_mut().tolerance = tolerance;
        self
    }
}

/// Signs requests like HubSpot (test utility).
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct HubspotSigner {
    keys: HmacKeys,
    public_base: String,
}

#[cfg(feature = "test-util")]
impl HubspotSigner {
    /// A signer for this client secret and public base URL.
    #[must_use]
    pub fn new(client_secret: &str, public_base: &str) -> Self {
        let mut keys = HmacKeys::new(Digest::Sha256);
        keys.push(client_secret);
        Self {
            keys,
            public_base: public_base.to_owned(),
        }
    }

    /// The `X-HubSpot-Signature-v3` value for a `POST` of `body` to `path_and_query` at
    /// `timestamp_ms`.
    #[must_use]
    pub fn header(&self, path_and_query: &str, timestamp_ms: u64, body: &[u8]) -> String {
        let uri = hubspot_uri(&format!("{}{path_and_query}", self.public_base));
        let t = timestamp_ms.to_string();
        let mac = self
            .keys
            .sign(0, &[b"POST", uri.as_bytes(), body, t.as_bytes()])
            .unwrap_or_default();
        Encoding::Base64.encode(&mac)
    }

    /// A signed JSON `POST` to `path_and_query`.
    ///
    /// # Errors
    /// `path_and_query` is not a valid URI.
    pub fn request(
        &self,
        path_and_query: &str,
        timestamp_ms: u64,
        body: impl Into<Bytes>,
    ) -> Result<http::Request<Bytes>, http::Error> {
        let body = body.into();
        http::Request::post(path_and_query)
            .header("content-type", "application/json")
            .header(TIMESTAMP, timestamp_ms.to_string())
            .header(SIGNATURE, self.header(path_and_query, timestamp_ms, &body))
            .body(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_documented_escapes_are_decoded() {
        assert_eq!(
            hubspot_uri("https://x/a%3Ab%2fc?d=%40%20%zz%"),
            "https://x/a:b/c?d=@%20%zz%"
        );
    }
}
