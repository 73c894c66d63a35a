//! Outbound GETs (certificates, key sets, payloads) behind a trait, so tests serve documents
//! in-process and production uses a bounded HTTPS client.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

/// A boxed, `Send` future, the return type of the object-safe plug-in traits.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One outbound GET.
///
/// ```
/// use webhook_core::FetchRequest;
/// let request = FetchRequest::get("https://idp.example.com/jwks").max_bytes(64 * 1024);
/// assert_eq!(request.url(), "https://idp.example.com/jwks");
/// ```
#[derive(Clone)]
pub struct FetchRequest {
    url: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    max_bytes: usize,
    timeout: Duration,
}

impl FetchRequest {
    /// Default response-size cap: 64 KiB.
    pub const DEFAULT_MAX_BYTES: usize = 64 * 1024;
    /// Default total timeout: 5 seconds.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

    /// A GET of `url` with the default cap and timeout.
    #[must_use]
    pub fn get(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            headers: Vec::new(),
            max_bytes: Self::DEFAULT_MAX_BYTES,
            timeout: Self::DEFAULT_TIMEOUT,
        }
    }

    /// Adds a request header (values are marked sensitive, so they never print).
    #[must_use]
    pub fn header(mut self, name: HeaderName, mut value: HeaderValue) -> Self {
        value.set_sensitive(true);
        self.headers.push((name, value));
        self
    }

    /// Caps the response body; a longer body is a failed fetch.
    #[must_use]
    pub const fn max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Bounds the whole exchange.
    #[must_use]
    pub const fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The absolute URL.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The extra request headers.
    #[must_use]
    pub fn headers(&self) -> &[(HeaderName, HeaderValue)] {
        &self.headers
    }

    /// The response-size cap.
    #[must_use]
    pub const fn max_body_bytes(&self) -> usize {
        self.max_bytes
    }

    /// The total timeout.
    #[must_use]
    pub const fn total_timeout(&self) -> Duration {
        self.timeout
    }
}

impl fmt::Debug for FetchRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchRequest")
            .field("url", &self.url)
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("max_bytes", &self.max_bytes)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// What a GET answered: any status (redirects are not followed), headers and the capped body.
#[derive(Clone, Debug)]
pub struct FetchResponse {
    /// The status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body, at most the request's cap.
    pub body: Bytes,
}

/// Why a GET produced no response.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL is not an absolute `https` URL the fetcher accepts.
    InvalidUrl,
    /// DNS, connect, TLS or I/O failure.
    Unreachable,
    /// The exchange exceeded its timeout.
    Timeout,
    /// The body exceeded the cap.
    TooLarge,
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InvalidUrl => "invalid url",
            Self::Unreachable => "unreachable",
            Self::Timeout => "timed out",
            Self::TooLarge => "response too large",
        })
    }
}

impl std::error::Error for FetchError {}

/// Performs outbound GETs for schemes. Implementations must bound time and size as the
/// request says and must not follow redirects.
pub trait Fetch: Send + Sync + 'static {
    /// Performs the GET.
    fn fetch(&self, request: FetchRequest) -> BoxFuture<'_, Result<FetchResponse, FetchError>>;
}

/// A fetcher that refuses every request: the default until a real one is configured, so that
/// nothing leaves the process by accident.
///
/// ```
/// use webhook_core::{Fetch, FetchError, FetchRequest, NoFetch};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let result = NoFetch.fetch(FetchRequest::get("https://example.com/")).await;
/// assert_eq!(result.unwrap_err(), FetchError::Unreachable);
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct NoFetch;

impl Fetch for NoFetch {
    fn fetch(&self, _request: FetchRequest) -> BoxFuture<'_, Result<FetchResponse, FetchError>> {
        Box::pin(async { Err(FetchError::Unreachable) })
    }
}

#[cfg(feature = "test-util")]
pub use table::{TableFetch, TableResponse};

#[cfg(feature = "test-util")]
mod table {
    use super::*;
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, PoisonError};

    /// One canned answer of a [`TableFetch`].
    #[derive(Clone, Debug)]
    pub struct TableResponse {
        /// Status answered.
        pub status: StatusCode,
        /// Headers answered.
        pub headers: HeaderMap,
        /// Body answered (capped by the request's limit like a real fetch).
        pub body: Bytes,
        /// Delay before answering (to test timeouts).
        pub delay: Duration,
    }

    impl TableResponse {
        /// A `200` with this body.
        #[must_use]
        pub fn ok(body: impl Into<Bytes>) -> Self {
            Self::status(StatusCode::OK, body)
        }

        /// Any status with this body.
        #[must_use]
        pub fn status(status: StatusCode, body: impl Into<Bytes>) -> Self {
            Self {
                status,
                headers: HeaderMap::new(),
                body: body.into(),
                delay: Duration::ZERO,
            }
        }
    }

    /// An in-process network: answers GETs from a table keyed by exact URL and records every
    /// request. A URL not in the table fails like an unreachable host.
    ///
    /// ```
    /// use webhook_core::{Fetch, FetchRequest, TableFetch, TableResponse};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let net = TableFetch::new().with("https://a.example/k", TableResponse::ok("key"));
    /// let got = net.fetch(FetchRequest::get("https://a.example/k")).await.unwrap();
    /// assert_eq!(got.body.as_ref(), b"key");
    /// assert_eq!(net.take_calls(), vec!["GET https://a.example/k".to_string()]);
    /// # }
    /// ```
    #[derive(Clone, Debug, Default)]
    pub struct TableFetch {
        table: Arc<Mutex<HashMap<String, TableResponse>>>,
        calls: Arc<Mutex<Vec<String>>>,
    }

    impl TableFetch {
        /// An empty network.
        #[must_use]
        pub fn new() -> Self {
            Self::default()
        }

        /// Adds (or replaces) the answer for `url`.
        #[must_use]
        pub fn with(self, url: impl Into<String>, response: TableResponse) -> Self {
            self.set(url, response);
            self
        }

        /// Adds (or replaces) the answer for `url` on a shared table.
        pub fn set(&self, url: impl Into<String>, response: TableResponse) {
            self.table
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(url.into(), response);
        }

        /// Removes the answer for `url` (it becomes unreachable).
        pub fn remove(&self, url: &str) {
            self.table
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(url);
        }

        /// Returns and clears the recorded calls, each written `GET <url>`.
        #[must_use]
        pub fn take_calls(&self) -> Vec<String> {
            std::mem::take(&mut *self.calls.lock().unwrap_or_else(PoisonError::into_inner))
        }

        /// How many calls were recorded and not yet taken.
        #[must_use]
        pub fn call_count(&self) -> usize {
            self.calls
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .len()
        }
    }

    impl Fetch for TableFetch {
        fn fetch(&self, request: FetchRequest) -> BoxFuture<'_, Result<FetchResponse, FetchError>> {
            self.calls
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(format!("GET {}", request.url()));
            let answer = self
                .table
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(request.url())
                .cloned();
            Box::pin(async move {
                let answer = answer.ok_or(FetchError::Unreachable)?;
                if !answer.delay.is_zero() {
                    if answer.delay >= request.total_timeout() {
                        tokio::time::sleep(request.total_timeout()).await;
                        return Err(FetchError::Timeout);
                    }
                    tokio::time::sleep(answer.delay).await;
                }
                if answer.body.len() > request.max_body_bytes() {
                    return Err(FetchError::TooLarge);
                }
                Ok(FetchResponse {
                    status: answer.status,
                    headers: answer.headers,
                    body: answer.body,
                })
            })
        }
    }
}
