//! [`AutoflexClient`]: the other half of the flow — authenticate, start a long-running call
//! with a callback URL, and register the callback as pending.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, StatusCode};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::Value;
use tokio::sync::Mutex;
use tokio::time::Instant;
use webhook_core::{BoxFuture, FetchError, Secret};

use crate::pending::PendingCallbacks;
use crate::token::TokenSource;

/// One API call.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ApiRequest {
    /// `GET` or `POST`.
    pub method: Method,
    /// Absolute URL.
    pub url: String,
    /// Headers (the token header is marked sensitive).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// JSON body (empty for `GET`).
    pub body: Bytes,
}

/// An API answer.
#[derive(Clone, Debug)]
pub struct ApiResponse {
    /// Status.
    pub status: StatusCode,
    /// Body.
    pub body: Bytes,
}

/// Sends API calls: implement it over your HTTPS client (bounded, TLS verified, no redirects).
pub trait AutoflexTransport: Send + Sync + 'static {
    /// Sends one call.
    fn send(&self, request: ApiRequest) -> BoxFuture<'_, Result<ApiResponse, FetchError>>;
}

/// Why a client call failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientError {
    /// The transport failed.
    Transport(FetchError),
    /// The API answered an unexpected status.
    Status(u16),
    /// The API answered something that is not the expected JSON.
    BadResponse(&'static str),
    /// The pending-callback registry failed.
    Registry(String),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(e) => write!(f, "Autoflex10 API unreachable: {e}"),
            Self::Status(s) => write!(f, "Autoflex10 API answered {s}"),
            Self::BadResponse(why) => write!(f, "Autoflex10 API answer not understood: {why}"),
            Self::Registry(why) => write!(f, "pending-callback registry failed: {why}"),
        }
    }
}

impl std::error::Error for ClientError {}

/// How long a token is reused before re-authenticating (the API's tokens last about 30 min).
const TOKEN_LIFETIME: Duration = Duration::from_secs(25 * 60);
/// How long a started job's callback stays pending.
const CALLBACK_TTL: Duration = Duration::from_secs(24 * 3600);

/// Calls the Autoflex10 API: authenticates (token cached and renewed), starts long-running
/// calls with a callback URL carrying a random correlation token, and registers the callback as
/// pending for [`AutoflexLayer`](crate::AutoflexLayer). It is also a [`TokenSource`], so the
/// layer's payload fetches share (and renew) its token.
#[derive(Clone)]
pub struct AutoflexClient {
    transport: Arc<dyn AutoflexTransport>,
    api_base: Arc<str>,
    credentials: Arc<(Secret, Secret, Secret)>,
    token: Arc<Mutex<Option<(Secret, Instant)>>>,
    pending: Arc<dyn PendingCallbacks>,
}

impl fmt::Debug for AutoflexClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AutoflexClient")
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

impl AutoflexClient {
    /// A client for `api_base` with these credentials, registering callbacks in `pending`.
    pub fn new(
        transport: impl AutoflexTransport,
        api_base: &str,
        api_key: &str,
        username: &str,
        password: &str,
        pending: impl PendingCallbacks,
    ) -> Self {
        let secret = |s: &str| Secret::new(s.as_bytes().to_vec());
        Self {
            transport: Arc::new(transport),
            api_base: api_base.into(),
            credentials: Arc::new((secret(api_key), secret(username), secret(password))),
            token: Arc::default(),
            pending: Arc::new(pending),
        }
    }

    /// The current token, authenticating when there is none or it is old.
    ///
    /// # Errors
    /// Authentication failed.
    pub async fn token(&self) -> Result<Secret, ClientError> {
        let mut cached = self.token.lock().await;
        if let Some((token, at)) = cached
            .as_ref()
            .filter(|(_, at)| at.elapsed() < TOKEN_LIFETIME)
        {
            let _ = at;
            return Ok(token.clone());
        }
        let token = self.authenticate().await?;
        *cached = Some((token.clone(), Instant::now()));
        Ok(token)
    }

    async fn renew(&self) -> Result<Secret, ClientError> {
        self.token.lock().await.take();
        self.token().await
    }

    async fn authenticate(&self) -> Result<Secret, ClientError> {
        let (key, user, password) = &*self.credentials;
        let url = format!(
            "{}/authenticate?api_key={}&username={}&password={}",
            self.api_base,
            percent_encode(key.expose()),
            percent_encode(user.expose()),
            percent_encode(password.expose())
        );
        let request = ApiRequest {
            method: Method::GET,
            url,
            headers: Vec::new(),
            body: Bytes::new(),
        };
        let response = self
            .transport
            .send(request)
            .await
            .map_err(ClientError::Transport)?;
        if response.status != StatusCode::OK {
            return Err(ClientError::Status(response.status.as_u16()));
        }
        let answer: Value = serde_json::from_slice(&response.body)
            .map_err(|_| ClientError::BadResponse("authenticate is not JSON"))?;
        let token = answer
            .get("token")
            .and_then(Value::as_str)
            .ok_or(ClientError::BadResponse("authenticate has no token"))?;
        Ok(Secret::new(token.as_bytes().to_vec()))
    }

    /// Starts a long-running call: `POST <api_base><path>` with `body` plus a `webhook_url` of
    /// `<callback_base>/<correlation token>`, registers the correlation token (and the callback
    /// id, if the 202 names one as `id`) as pending, and returns the correlation token. One
    /// re-authentication is attempted after a 401.
    ///
    /// # Errors
    /// The API did not answer 202, or the registry failed.
    pub async fn start(
        &self,
        path: &str,
        callback_base: &str,
        mut body: serde_json::Map<String, Value>,
    ) -> Result<String, ClientError> {
        let correlation = random_token();
        body.insert(
            "webhook_url".into(),
            Value::String(format!("{callback_base}/{correlation}")),
        );
        let body = Bytes::from(Value::Object(body).to_string());
        let mut token = self.token().await?;
        let mut response = self.post(path, &token, body.clone()).await?;
        if response.status == StatusCode::UNAUTHORIZED {
            token = self.renew().await?;
            response = self.post(path, &token, body).await?;
        }
        if response.status != StatusCode::ACCEPTED {
            return Err(ClientError::Status(response.status.as_u16()));
        }
        let register = |id: String| async move {
            self.pending
                .register(&id, CALLBACK_TTL)
                .await
                .map_err(|e| ClientError::Registry(e.0))
        };
        register(correlation.clone()).await?;
        let answer: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
        if let Some(id) = answer.get("id").and_then(Value::as_str) {
            register(id.to_owned()).await?;
        }
        Ok(correlation)
    }

    async fn post(
        &self,
        path: &str,
        token: &Secret,
        body: Bytes,
    ) -> Result<ApiResponse, ClientError> {
        let mut token = HeaderValue::from_bytes(token.expose())
            .map_err(|_| ClientError::BadResponse("token is not a header value"))?;
        token.set_sensitive(true);
        let headers = vec![
            (HeaderName::from_static("token"), token),
            (
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
        ];
        let request = ApiRequest {
            method: Method::POST,
            url: format!("{}{path}", self.api_base),
            headers,
            body,
        };
        self.transport
            .send(request)
            .await
            .map_err(ClientError::Transport)
    }
}

impl TokenSource for AutoflexClient {
    fn token(&self) -> BoxFuture<'_, Option<Secret>> {
        Box::pin(async { Self::token(self).await.ok() })
    }

    fn refresh(&self) -> BoxFuture<'_, Option<Secret>> {
        Box::pin(async { self.renew().await.ok() })
    }
}

/// 128 random bits, hex: the correlation token in the callback path.
fn random_token() -> String {
    let mut bytes = [0u8; 16];
    // The system RNG failing is not recoverable; an all-zero token would only weaken
    // correlation, and the id check still applies.
    let _ = SystemRandom::new().fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn percent_encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_percent_encoded() {
        assert_eq!(
            percent_encode(b"a b&c=d/\xc3\xa9"),
            "a%20b%26c%3Dd%2F%C3%A9"
        );
    }

    #[test]
    fn correlation_tokens_are_random_128_bit_hex() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
