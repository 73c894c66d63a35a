//! [`RedisStreamSink`]: an inner service that hands each verified event to a Redis Stream.

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{BodyExt, Full};
use redis::aio::ConnectionManager;
use redis::{Client, RedisError};
use tokio::sync::OnceCell;
use tower_service::Service;
use webhook_core::{BoxFuture, ConfigError, Delivery};

/// Boxed error type accepted from request bodies.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A tower service that appends each verified delivery to a Redis Stream with `XADD`, and
/// answers `200` only once Redis acknowledged the entry (`503` with `Retry-After` otherwise,
/// so the webhook layer releases the id and the sender retries).
///
/// Put it behind a webhook layer, as its inner service: the layer verifies and de-duplicates,
/// this service only stores. Workers then read the stream at their own pace with a consumer
/// group (`XREADGROUP` … `XACK`; see `examples/consumer.rs`), so a slow or failing worker never
/// makes the provider time out.
///
/// Each entry has these fields:
///
/// | field | value |
/// | --- | --- |
/// | `provider` | the provider's name (`standard`, `sns`, …) |
/// | `id` | the delivery id, when the provider signs one |
/// | `event_type` | the event type, when known without parsing the payload |
/// | `timestamp` | the signed timestamp (Unix seconds), when the provider signs one |
/// | `content_type` | the request's `Content-Type`, when sent |
/// | `header:<name>` | each header chosen with [`header`](Self::header) that was sent |
/// | `body` | the exact verified body bytes |
///
/// A request without a [`Delivery`] extension (the service was used without a webhook
/// layer) is answered `500` and never stored.
///
/// ```no_run
/// use tower::ServiceBuilder;
/// use webhook_redis::RedisStreamSink;
/// use webhook_standard::StandardLayer;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let service = ServiceBuilder::new()
///     .layer(StandardLayer::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?)
///     .service(RedisStreamSink::new("redis://127.0.0.1:6379/", "webhooks")?);
/// # let _ = service; Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStreamSink {
    client: Client,
    connection: Arc<OnceCell<ConnectionManager>>,
    stream: Arc<str>,
    headers: Arc<[HeaderName]>,
    max_len: Option<u64>,
    timeout: Duration,
}

impl fmt::Debug for RedisStreamSink {
    /// Leaves out the URL, which may hold a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStreamSink")
            .field("stream", &self.stream)
            .field("headers", &self.headers)
            .field("max_len", &self.max_len)
            .field("command_timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisStreamSink {
    /// Time allowed for `XADD` unless [`command_timeout`](Self::command_timeout) says
    /// otherwise: 1 second.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_redis::RedisStreamSink;
    /// assert_eq!(RedisStreamSink::DEFAULT_COMMAND_TIMEOUT, Duration::from_secs(1));
    /// ```
    pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(1);

    /// A sink appending to the stream named `stream` in the Redis at `url`. Nothing is sent
    /// until the first delivery.
    ///
    /// ```
    /// use webhook_redis::RedisStreamSink;
    /// assert!(RedisStreamSink::new("redis://127.0.0.1:6379/", "webhooks").is_ok());
    /// assert!(RedisStreamSink::new("not a url", "webhooks").is_err());
    /// ```
    ///
    /// # Errors
    /// `url` is not a Redis URL (the message does not repeat it).
    pub fn new(url: &str, stream: &str) -> Result<Self, ConfigError> {
        let client = Client::open(url)
            .map_err(|_| ConfigError::new("the Redis URL is not a valid redis:// URL"))?;
        Ok(Self::from_client(client, stream))
    }

    /// A sink using an existing [`redis::Client`].
    ///
    /// ```
    /// use webhook_redis::RedisStreamSink;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sink = RedisStreamSink::from_client(redis::Client::open("redis://127.0.0.1/")?, "webhooks");
    /// # let _ = sink; Ok(()) }
    /// ```
    #[must_use]
    pub fn from_client(client: Client, stream: &str) -> Self {
        Self {
            client,
            connection: Arc::default(),
            stream: Arc::from(stream),
            headers: Arc::from(Vec::new()),
            max_len: None,
            timeout: Self::DEFAULT_COMMAND_TIMEOUT,
        }
    }

    /// Also stores this request header, as field `header:<name>` (lower case), when sent.
    /// Headers the webhook layer marks sensitive (authorization, signatures, security codes)
    /// are never stored, even when named here. None by default.
    ///
    /// ```
    /// use http::HeaderName;
    /// use webhook_redis::RedisStreamSink;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sink = RedisStreamSink::new("redis://127.0.0.1/", "webhooks")?
    ///     .header(HeaderName::from_static("user-agent"));
    /// # let _ = sink; Ok(()) }
    /// ```
    #[must_use]
    pub fn header(mut self, name: HeaderName) -> Self {
        let mut headers = self.headers.to_vec();
        headers.push(name);
        self.headers = Arc::from(headers);
        self
    }

    /// Trims the stream to about `entries` entries on each append (`XADD … MAXLEN ~`). Entries
    /// trimmed before a worker read them are lost, so size it well above the backlog your
    /// workers can fall behind by. Defaults to no trimming (the stream grows until workers
    /// trim it with `XTRIM` or `XDEL`).
    ///
    /// ```
    /// use webhook_redis::RedisStreamSink;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sink = RedisStreamSink::new("redis://127.0.0.1/", "webhooks")?.max_len(1_000_000);
    /// # let _ = sink; Ok(()) }
    /// ```
    #[must_use]
    pub const fn max_len(mut self, entries: u64) -> Self {
        self.max_len = Some(entries);
        self
    }

    /// Time allowed for each `XADD`, including (re)connecting; after it the delivery is
    /// answered `503`. Set it before the sink's first use. Defaults to 1 second.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_redis::RedisStreamSink;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sink = RedisStreamSink::new("redis://127.0.0.1/", "webhooks")?
    ///     .command_timeout(Duration::from_millis(500));
    /// # let _ = sink; Ok(()) }
    /// ```
    #[must_use]
    pub const fn command_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn connection(&self) -> Result<ConnectionManager, RedisError> {
        crate::connect(&self.connection, &self.client, self.timeout).await
    }

    /// Appends one entry; `Ok` carries the entry id Redis assigned.
    async fn append(&self, fields: Vec<(String, Vec<u8>)>) -> Result<String, String> {
        let attempt = async {
            let mut connection = self.connection().await?;
            let mut command = redis::cmd("XADD");
            command.arg(&*self.stream);
            if let Some(entries) = self.max_len {
                command.arg("MAXLEN").arg("~").arg(entries);
            }
            command.arg("*");
            for (name, value) in &fields {
                command.arg(name).arg(value.as_slice());
            }
            command.query_async::<String>(&mut connection).await
        };
        match tokio::time::timeout(self.timeout, attempt).await {
            Ok(Ok(entry)) => Ok(entry),
            Ok(Err(error)) => Err(error.to_string()),
            Err(_elapsed) => Err(format!("no answer within {} ms", self.timeout.as_millis())),
        }
    }

    async fn store<B>(self, request: Request<B>) -> Response<Full<Bytes>>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let (parts, body) = request.into_parts();
        let Some(delivery) = parts.extensions.get::<Delivery>().cloned() else {
            tracing::error!(target: "webhook::redis", "request without a Delivery: RedisStreamSink must sit behind a webhook layer");
            return answer(StatusCode::INTERNAL_SERVER_ERROR);
        };
        let body = match body.collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(error) => {
                let error: BoxError = error.into();
                tracing::warn!(target: "webhook::redis", provider = delivery.provider, id = delivery.id.as_deref(), %error, "body could not be read");
                return answer(StatusCode::BAD_REQUEST);
            }
        };
        let mut fields: Vec<(String, Vec<u8>)> =
            vec![("provider".into(), delivery.provider.into())];
        if let Some(id) = &delivery.id {
            fields.push(("id".into(), id.clone().into_bytes()));
        }
        if let Some(event_type) = &delivery.event_type {
            fields.push(("event_type".into(), event_type.clone().into_bytes()));
        }
        if let Some(timestamp) = delivery.timestamp {
            fields.push(("timestamp".into(), timestamp.to_string().into_bytes()));
        }
        if let Some(content_type) = parts.headers.get(CONTENT_TYPE) {
            fields.push(("content_type".into(), content_type.as_bytes().to_vec()));
        }
        for name in self.headers.iter() {
            let values: Vec<&HeaderValue> = parts.headers.get_all(name).iter().collect();
            if values.is_empty() || values.iter().any(|v| v.is_sensitive()) {
                continue;
            }
            let joined = values
                .iter()
                .map(|v| v.as_bytes())
                .collect::<Vec<_>>()
                .join(&b", "[..]);
            fields.push((format!("header:{name}"), joined));
        }
        fields.push(("body".into(), body.to_vec()));
        match self.append(fields).await {
            Ok(entry) => {
                tracing::debug!(target: "webhook::redis", provider = delivery.provider, id = delivery.id.as_deref(), entry, "event appended to the stream");
                answer(StatusCode::OK)
            }
            Err(error) => {
                tracing::warn!(target: "webhook::redis", provider = delivery.provider, id = delivery.id.as_deref(), error, "event not appended; answering 503");
                answer(StatusCode::SERVICE_UNAVAILABLE)
            }
        }
    }
}

/// An empty answer; `503`s carry `Retry-After` so senders back off.
fn answer(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static("5"));
    }
    response
}

impl<B> Service<Request<B>> for RedisStreamSink
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Self::Response, Infallible>>;

    /// Always ready: each call uses the shared, multiplexed connection.
    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let sink = self.clone();
        Box::pin(async move { Ok(sink.store(request).await) })
    }
}
