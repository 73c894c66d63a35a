//! [`HttpsFetch`]: the production fetcher — hyper-util over rustls (ring provider), TLS
//! verified, https only, no redirects, connect and total timeouts, response-size cap.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Uri};
use http_body_util::{BodyExt, Empty, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::{GaiResolver, Name};
use hyper_util::rt::TokioExecutor;
use tower_service::Service;

use crate::config::ConfigError;
use crate::fetch::{BoxFuture, Fetch, FetchError, FetchRequest, FetchResponse};

/// Most headers accepted in a response; more fail the fetch (`Unreachable`).
const MAX_RESPONSE_HEADERS: usize = 100;
/// Largest response head (status line and headers) accepted, and the read buffer's cap: 64 KiB.
const MAX_RESPONSE_HEAD_BYTES: usize = 64 * 1024;

/// Default time allowed to establish a connection: 2 seconds.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Fetches key documents, certificates and payloads over HTTPS. Redirects are returned as
/// they are (callers treat a 3xx as a failure); plain `http://` URLs are refused. Response
/// heads are bounded (at most 100 headers in 64 KiB, else the fetch fails), and there is no
/// cookie store: `Set-Cookie` is never sent back.
///
/// ```
/// use webhook_core::HttpsFetch;
/// let fetch = HttpsFetch::new()?; // Mozilla's roots
/// # let _ = fetch;
/// # Ok::<_, webhook_core::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct HttpsFetch {
    client: HttpsClient,
    tls: rustls::ClientConfig,
    connect_timeout: Duration,
    resolver: PinnedResolver,
}

/// DNS with per-host overrides (tests and operators pinning an endpoint to an address).
#[derive(Clone)]
struct PinnedResolver {
    overrides: Arc<HashMap<String, SocketAddr>>,
    system: GaiResolver,
}

impl Service<Name> for PinnedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.system.poll_ready(cx)
    }

    fn call(&mut self, name: Name) -> Self::Future {
        if let Some(addr) = self.overrides.get(name.as_str()) {
            let addrs = vec![*addr].into_iter();
            return Box::pin(async move { Ok(addrs) });
        }
        let lookup = self.system.call(name);
        Box::pin(async move { Ok(lookup.await?.collect::<Vec<_>>().into_iter()) })
    }
}

impl fmt::Debug for HttpsFetch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpsFetch").finish_non_exhaustive()
    }
}

impl HttpsFetch {
    /// A fetcher trusting Mozilla's root certificates (the `webpki-roots` set).
    ///
    /// # Errors
    /// The TLS configuration could not be built.
    pub fn new() -> Result<Self, ConfigError> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        Self::with_roots(roots, DEFAULT_CONNECT_TIMEOUT)
    }

    /// A fetcher trusting only these DER certificates (a private CA, or tests).
    ///
    /// # Errors
    /// A certificate is not a usable trust anchor.
    pub fn with_root_certificates(
        ders: impl IntoIterator<Item = Vec<u8>>,
    ) -> Result<Self, ConfigError> {
        let mut roots = rustls::RootCertStore::empty();
        for der in ders {
            roots
                .add(der.into())
                .map_err(|e| ConfigError::new(format!("root certificate refused: {e}")))?;
        }
        Self::with_roots(roots, DEFAULT_CONNECT_TIMEOUT)
    }

    fn with_roots(
        roots: rustls::RootCertStore,
        connect_timeout: Duration,
    ) -> Result<Self, ConfigError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ConfigError::new(format!("TLS configuration: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let resolver = PinnedResolver {
            overrides: Arc::default(),
            system: GaiResolver::new(),
        };
        Ok(Self {
            client: client(tls.clone(), connect_timeout, resolver.clone()),
            tls,
            connect_timeout,
            resolver,
        })
    }

    /// Time allowed to establish a connection. Defaults to 2 seconds.
    #[must_use]
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        Self {
            client: client(self.tls.clone(), timeout, self.resolver.clone()),
            connect_timeout: timeout,
            ..self
        }
    }

    /// Connects to `addr` whenever a URL names `host` (TLS still verifies `host`'s
    /// certificate). For tests that serve a pinned host such as `sns.<region>.amazonaws.com`
    /// on loopback, or for operators routing through a fixed address.
    #[must_use]
    pub fn resolve(mut self, host: &str, addr: SocketAddr) -> Self {
        Arc::make_mut(&mut self.resolver.overrides).insert(host.to_ascii_lowercase(), addr);
        Self {
            client: client(
                self.tls.clone(),
                self.connect_timeout,
                self.resolver.clone(),
            ),
            ..self
        }
    }
}

type HttpsClient = Client<HttpsConnector<HttpConnector<PinnedResolver>>, Empty<Bytes>>;

fn client(
    tls: rustls::ClientConfig,
    connect_timeout: Duration,
    resolver: PinnedResolver,
) -> HttpsClient {
    let mut http = HttpConnector::new_with_resolver(resolver);
    http.enforce_http(false);
    http.set_connect_timeout(Some(connect_timeout));
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_only()
        .enable_http1()
        .wrap_connector(http);
    Client::builder(TokioExecutor::new())
        .http1_max_headers(MAX_RESPONSE_HEADERS)
        .http1_max_buf_size(MAX_RESPONSE_HEAD_BYTES)
        .build(connector)
}

impl Fetch for HttpsFetch {
    fn fetch(&self, request: FetchRequest) -> BoxFuture<'_, Result<FetchResponse, FetchError>> {
        Box::pin(async move {
            if !request.url().starts_with("https://") {
                return Err(FetchError::InvalidUrl);
            }
            let uri: Uri = request.url().parse().map_err(|_| FetchError::InvalidUrl)?;
            let mut outbound = Request::get(uri)
                .body(Empty::new())
                .map_err(|_| FetchError::InvalidUrl)?;
            for (name, value) in request.headers() {
                outbound.headers_mut().append(name.clone(), value.clone());
            }
            let limit = request.max_body_bytes();
            let exchange = async {
                let response = self
                    .client
                    .request(outbound)
                    .await
                    .map_err(|_| FetchError::Unreachable)?;
                let (parts, body) = response.into_parts();
                let body = Limited::new(body, limit).collect().await.map_err(|e| {
                    if e.downcast_ref::<http_body_util::LengthLimitError>()
                        .is_some()
                    {
                        FetchError::TooLarge
                    } else {
                        FetchError::Unreachable
                    }
                })?;
                Ok(FetchResponse {
                    status: parts.status,
                    headers: parts.headers,
                    body: body.to_bytes(),
                })
            };
            tokio::time::timeout(request.total_timeout(), exchange)
                .await
                .map_err(|_| FetchError::Timeout)?
        })
    }
}
