//! The Autoflex10 callback scheme: `GET <webhook_url>?id=<uuid>`, then the payload fetched
//! from the configured API with our token. There is no signature: authenticity comes from
//! the fetch over TLS from a fixed API base.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http::request::Parts;
use http::{HeaderName, HeaderValue, Method, StatusCode};
use serde_json::Value;
use tokio::sync::OnceCell;
use webhook_core::json::parse_strict_object;
use webhook_core::{
    ConfigError, FetchLimiter, FetchRequest, FetchResponse, Reason, Rejection, Verdict, Verified,
    VerifyContext, VerifyWebhook,
};

use crate::event::AutoflexEvent;
use crate::pending::PendingCallbacks;
use crate::token::TokenSource;

pub(crate) const PROVIDER: &str = "autoflex";
/// Default cap on the fetched payload.
const PAYLOAD_CAP: usize = 1024 * 1024;
/// Default timeout of the payload fetch.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// Default cap on payload fetches running at once.
pub(crate) const DEFAULT_MAX_IN_FLIGHT: usize = 8;
/// Default cap on payload fetches started per second.
pub(crate) const DEFAULT_FETCHES_PER_SECOND: u32 = 20;

/// The outcome of one payload fetch, shared by the callbacks for one id that wait on it.
type SharedFetch = Arc<OnceCell<Result<FetchResponse, Rejection>>>;

/// The Autoflex10 verifier. Built through [`AutoflexLayer`](crate::AutoflexLayer).
#[derive(Clone)]
pub struct AutoflexScheme {
    api_base: Arc<str>,
    token: Arc<dyn TokenSource>,
    pending: Option<Arc<dyn PendingCallbacks>>,
    limiter: FetchLimiter,
    /// Payload fetches in flight, by callback id (single flight). An entry lives only while
    /// its fetch runs, so the map is bounded by the requests being verified.
    in_flight: Arc<Mutex<HashMap<String, SharedFetch>>>,
}

/// Removes an id's in-flight entry when the callback that looked it up is done (or dropped),
/// unless a newer fetch replaced it.
struct InFlightEntry<'a> {
    map: &'a Mutex<HashMap<String, SharedFetch>>,
    id: &'a str,
    cell: SharedFetch,
}

impl Drop for InFlightEntry<'_> {
    fn drop(&mut self) {
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        if map
            .get(self.id)
            .is_some_and(|cell| Arc::ptr_eq(cell, &self.cell))
        {
            map.remove(self.id);
        }
    }
}

impl fmt::Debug for AutoflexScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The ids are secrets: only their number is shown.
        let in_flight = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("AutoflexScheme")
            .field("api_base", &self.api_base)
            .field("pending", &self.pending.is_some())
            .field("limiter", &self.limiter)
            .field("fetches_in_flight", &in_flight)
            .finish_non_exhaustive()
    }
}

impl AutoflexScheme {
    pub(crate) fn new(api_base: &str, token: Arc<dyn TokenSource>) -> Result<Self, ConfigError> {
        let rest = api_base
            .strip_prefix("https://")
            .ok_or_else(|| ConfigError::new("Autoflex10 api_base must be https"))?;
        if rest.is_empty() || api_base.ends_with('/') || api_base.contains(['?', '#', '@']) {
            return Err(ConfigError::new(
                "Autoflex10 api_base must be an https URL without query, userinfo or trailing slash",
            ));
        }
        Ok(Self {
            api_base: api_base.into(),
            token,
            pending: None,
            limiter: FetchLimiter::new(
                DEFAULT_MAX_IN_FLIGHT,
                DEFAULT_FETCHES_PER_SECOND,
                Duration::from_secs(1),
            ),
            in_flight: Arc::default(),
        })
    }

    pub(crate) fn set_fetch_limiter(&mut self, limiter: FetchLimiter) {
        self.limiter = limiter;
    }

    /// The payload of `id`, fetched once however many callbacks for it arrive meanwhile
    /// (C17), and only within the fetch limiter's caps (C07, C38).
    async fn fetch_once(&self, cx: &VerifyContext, id: &str) -> Result<FetchResponse, Rejection> {
        let cell = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(id.to_owned())
            .or_default()
            .clone();
        let entry = InFlightEntry {
            map: &self.in_flight,
            id,
            cell: cell.clone(),
        };
        let outcome = cell
            .get_or_init(|| async {
                let Some(_permit) = self.limiter.try_acquire() else {
                    return Err(unavailable("payload fetch capacity reached"));
                };
                self.fetch_payload(cx, id).await
            })
            .await
            .clone();
        drop(entry);
        outcome
    }

    pub(crate) fn set_pending(&mut self, pending: Arc<dyn PendingCallbacks>) {
        self.pending = Some(pending);
    }

    pub(crate) fn dangerous_allow_plain_http_api_base(&mut self, api_base: &str) {
        self.api_base = api_base.into();
    }

    async fn fetch_payload(
        &self,
        cx: &VerifyContext,
        id: &str,
    ) -> Result<FetchResponse, Rejection> {
        let url = format!("{}/webhook?id={id}", self.api_base);
        let mut token = self.token.token().await;
        for attempt in 0..2 {
            let Some(current) = token.as_ref() else {
                return Err(unavailable("no API token"));
            };
            let value = HeaderValue::from_bytes(current.expose())
                .map_err(|_| unavailable("API token is not a header value"))?;
            let request = FetchRequest::get(&url)
                .header(HeaderName::from_static("token"), value)
                .header(
                    http::header::ACCEPT_ENCODING,
                    HeaderValue::from_static("identity"),
                )
                .max_bytes(PAYLOAD_CAP)
                .timeout(FETCH_TIMEOUT);
            let response = cx
                .fetch()
                .fetch(request)
                .await
                .map_err(|e| unavailable("payload fetch failed").with_source(e))?;
            if response.status != StatusCode::UNAUTHORIZED || attempt == 1 {
                return Ok(response);
            }
            token = self.token.refresh().await;
        }
        Err(unavailable("API token refused"))
    }
}

fn unavailable(why: &'static str) -> Rejection {
    Rejection::new(Reason::KeyUnavailable).with_detail(why)
}

impl VerifyWebhook for AutoflexScheme {
    type Event = AutoflexEvent;

    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn allows_method(&self, method: &Method) -> bool {
        method == Method::GET
    }

    async fn verify(
        &self,
        parts: &Parts,
        body: &Bytes,
        cx: &VerifyContext,
    ) -> Result<Verdict<AutoflexEvent>, Rejection> {
        let id = callback_id(parts.uri.query())?;
        // Autoflex10 calls back with a bodiless GET; a body is not ours to interpret (C21).
        if !body.is_empty() {
            return Err(Rejection::new(Reason::MalformedBody).with_detail("a callback has no body"));
        }
        // A delivered id is answered before anything else: no fetch, and the pending entry may
        // already be gone.
        if cx.already_done(&id).await? {
            return Ok(Verdict::Duplicate);
        }
        if let Some(pending) = &self.pending {
            let store_error = |e| Rejection::new(Reason::StoreUnavailable).with_source(e);
            // The job is known by the callback id, or by the correlation token the client put
            // at the end of the callback path.
            let correlation = parts
                .uri
                .path()
                .rsplit('/')
                .next()
                .filter(|t| t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit()));
            let mut known = pending.is_pending(&id).await.map_err(store_error)?;
            if let (false, Some(token)) = (known, correlation) {
                known = pending.is_pending(token).await.map_err(store_error)?;
            }
            if !known {
                return Err(Rejection::new(Reason::UnknownCallback));
            }
        }
        let response = self.fetch_once(cx, &id).await?;
        match response.status {
            status if status.is_success() => {}
            StatusCode::NOT_FOUND => {
                return Err(Rejection::new(Reason::UnknownCallback)
                    .with_detail("the API does not know the id"));
            }
            _ => return Err(unavailable("payload fetch answered an error status")),
        }
        // Asked for `identity`; a compressed payload is refused, never inflated (C39).
        if response
            .headers
            .get_all(http::header::CONTENT_ENCODING)
            .iter()
            .any(|coding| !coding.as_bytes().eq_ignore_ascii_case(b"identity"))
        {
            return Err(unavailable("payload has a content encoding"));
        }
        let payload = parse_strict_object(&response.body)
            .map_err(|_| unavailable("payload is not a JSON object"))?;
        let url = payload
            .get("data")
            .and_then(|d| d.get("url"))
            .and_then(Value::as_str)
            .filter(|u| is_https_url(u))
            .map(str::to_owned);
        let event = AutoflexEvent::new(id.clone(), url, Value::Object(payload));
        // The id is a secret: it is the replay key but never the logged delivery id.
        Ok(Verdict::Deliver(
            Verified::new(PROVIDER, event).dedup_on(id),
        ))
    }
}

/// The one `id` query parameter, a canonical UUID (returned lower-case).
pub(crate) fn callback_id(query: Option<&str>) -> Result<String, Rejection> {
    let malformed = |why: &'static str| Rejection::new(Reason::MalformedBody).with_detail(why);
    let mut ids = query
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.strip_prefix("id="));
    let id = ids
        .next()
        .ok_or_else(|| malformed("no `id` query parameter"))?;
    if ids.next().is_some() {
        return Err(malformed("`id` is repeated"));
    }
    let canonical = id.len() == 36
        && id.bytes().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        });
    if !canonical {
        return Err(malformed("`id` is not a UUID"));
    }
    Ok(id.to_ascii_lowercase())
}

fn is_https_url(url: &str) -> bool {
    url.strip_prefix("https://").is_some_and(|rest| {
        !rest.is_empty() && !rest.starts_with('/') && !rest.contains(char::is_whitespace)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_id_must_be_one_canonical_uuid() {
        assert_eq!(
            callback_id(Some("id=3F2B8C1D-5e6a-4b7c-9d8e-0f1a2b3c4d5e")).unwrap(),
            "3f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e"
        );
        assert!(callback_id(Some("x=1&id=3f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e")).is_ok());
        for bad in [
            None,
            Some(""),
            Some("id="),
            Some("id=12345"),
            Some("id=3f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e&id=3f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5e"),
            Some("id=3f2b8c1d-5e6a-4b7c-9d8e-0f1a2b3c4d5%65"),
            Some("id=3f2b8c1d5e6a-4b7c-9d8e-0f1a2b3c4d5e0"),
        ] {
            assert_eq!(
                callback_id(bad).unwrap_err().reason(),
                Reason::MalformedBody,
                "{bad:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn callback_id_parser_never_panics_and_accepts_only_uuids(query in "[a-zA-Z0-9=&%-]{0,80}") {
            if let Ok(id) = callback_id(Some(&query)) {
                proptest::prop_assert_eq!(id.len(), 36);
            }
        }
    }

    #[test]
    fn only_https_payload_urls_are_exposed() {
        assert!(is_https_url("https://download.example.com/x.zip"));
        assert!(!is_https_url("http://download.example.com/x.zip"));
        assert!(!is_https_url("https:///x"));
        assert!(!is_https_url("javascript:alert(1)"));
    }

    #[test]
    fn api_base_must_be_https_without_query() {
        let token: Arc<dyn TokenSource> = Arc::new(crate::StaticToken::new("t"));
        assert!(AutoflexScheme::new("http://api.example.com", token.clone()).is_err());
        assert!(AutoflexScheme::new("https://api.example.com/?x=1", token.clone()).is_err());
        assert!(AutoflexScheme::new("https://api.example.com/v2", token).is_ok());
    }
}
