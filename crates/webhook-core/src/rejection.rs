//! Why a request was refused: stable reasons, the opaque [`Rejection`], and the default response.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};

/// A stable, machine-readable reason for refusing a webhook request.
///
/// The names and statuses are the table of the conformance format; they are part of the API
/// and never change meaning.
///
/// ```
/// use webhook_core::Reason;
/// assert_eq!(Reason::SignatureMismatch.as_str(), "signature_mismatch");
/// assert_eq!(Reason::SignatureMismatch.status().as_u16(), 401);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// A header the scheme needs is absent (400).
    MissingHeader,
    /// A header is present but unparsable, repeated, or over its length cap (400).
    MalformedHeader,
    /// The body is not what the scheme needs (400).
    MalformedBody,
    /// The body exceeds the configured limit (413).
    BodyTooLarge,
    /// No configured key verifies the signature or MAC (401).
    SignatureMismatch,
    /// The signed timestamp is outside the tolerance window (401).
    TimestampOutOfTolerance,
    /// A well-formed, correctly signed JWT that is not acceptable (401).
    TokenInvalid,
    /// A signed claim contradicts the request or the configuration (401).
    ClaimMismatch,
    /// A certificate or key URL outside the allowed hosts (401).
    UntrustedKeyUrl,
    /// The key, certificate or payload could not be fetched; the sender should retry (503).
    KeyUnavailable,
    /// A callback id this receiver is not waiting for (404).
    UnknownCallback,
    /// Wrong HTTP method for the scheme (405).
    MethodNotAllowed,
    /// A `Content-Encoding` other than identity (415).
    UnsupportedEncoding,
    /// The body did not arrive in time (408).
    BodyTimeout,
    /// The same authentic event is being handled right now (503, with `Retry-After`).
    DuplicateInFlight,
    /// The replay store cannot be reached; the sender should retry (503).
    StoreUnavailable,
}

impl Reason {
    /// Every reason, in table order.
    pub const ALL: [Self; 16] = [
        Self::MissingHeader,
        Self::MalformedHeader,
        Self::MalformedBody,
        Self::BodyTooLarge,
        Self::SignatureMismatch,
        Self::TimestampOutOfTolerance,
        Self::TokenInvalid,
        Self::ClaimMismatch,
        Self::UntrustedKeyUrl,
        Self::KeyUnavailable,
        Self::UnknownCallback,
        Self::MethodNotAllowed,
        Self::UnsupportedEncoding,
        Self::BodyTimeout,
        Self::DuplicateInFlight,
        Self::StoreUnavailable,
    ];

    /// The stable `snake_case` name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::MissingHeader => "missing_header",
            Self::MalformedHeader => "malformed_header",
            Self::MalformedBody => "malformed_body",
            Self::BodyTooLarge => "body_too_large",
            Self::SignatureMismatch => "signature_mismatch",
            Self::TimestampOutOfTolerance => "timestamp_out_of_tolerance",
            Self::TokenInvalid => "token_invalid",
            Self::ClaimMismatch => "claim_mismatch",
            Self::UntrustedKeyUrl => "untrusted_key_url",
            Self::KeyUnavailable => "key_unavailable",
            Self::UnknownCallback => "unknown_callback",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::UnsupportedEncoding => "unsupported_encoding",
            Self::BodyTimeout => "body_timeout",
            Self::DuplicateInFlight => "duplicate_in_flight",
            Self::StoreUnavailable => "store_unavailable",
        }
    }

    /// The HTTP status answered for this reason.
    #[must_use]
    pub const fn status(self) -> StatusCode {
        match self {
            Self::MissingHeader | Self::MalformedHeader | Self::MalformedBody => {
                StatusCode::BAD_REQUEST
            }
            Self::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::SignatureMismatch
            | Self::TimestampOutOfTolerance
            | Self::TokenInvalid
            | Self::ClaimMismatch
            | Self::UntrustedKeyUrl => StatusCode::UNAUTHORIZED,
            Self::KeyUnavailable | Self::DuplicateInFlight | Self::StoreUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::UnknownCallback => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::UnsupportedEncoding => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
        }
    }

    /// Looks a reason up by its stable name.
    ///
    /// ```
    /// use webhook_core::Reason;
    /// assert_eq!(Reason::from_name("body_too_large"), Some(Reason::BodyTooLarge));
    /// assert_eq!(Reason::from_name("nope"), None);
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.as_str() == name)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused webhook request: a stable [`Reason`] plus private detail for logs.
///
/// The detail never reaches the client; only the reason does. After any rejection the layer
/// inserts the `Rejection` into the response extensions, so tracing or metrics layers outside
/// can read [`Rejection::reason`].
///
/// ```
/// use webhook_core::{Reason, Rejection};
/// let rejection = Rejection::new(Reason::MalformedHeader).with_detail("webhook-id is 10 KiB");
/// assert_eq!(rejection.reason(), Reason::MalformedHeader);
/// assert_eq!(rejection.status().as_u16(), 400);
/// ```
#[derive(Clone)]
pub struct Rejection {
    reason: Reason,
    detail: Option<Arc<str>>,
    source: Option<Arc<dyn Error + Send + Sync>>,
}

impl Rejection {
    /// A rejection with no detail.
    #[must_use]
    pub const fn new(reason: Reason) -> Self {
        Self {
            reason,
            detail: None,
            source: None,
        }
    }

    /// Adds a detail for logs. Never put a secret, signature, token or body here.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<Arc<str>>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Adds the underlying error, for logs.
    #[must_use]
    pub fn with_source(mut self, source: impl Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// The stable reason.
    #[must_use]
    pub const fn reason(&self) -> Reason {
        self.reason
    }

    /// The HTTP status of the reason.
    #[must_use]
    pub const fn status(&self) -> StatusCode {
        self.reason.status()
    }

    /// The log detail, if any.
    #[must_use]
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
}

impl fmt::Debug for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rejection")
            .field("reason", &self.reason)
            .field("detail", &self.detail)
            .field("source", &self.source.as_ref().map(ToString::to_string))
            .finish()
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.detail {
            Some(detail) => write!(f, "webhook rejected ({}): {detail}", self.reason),
            None => write!(f, "webhook rejected ({})", self.reason),
        }
    }
}

impl Error for Rejection {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn Error + 'static))
    }
}

impl From<Reason> for Rejection {
    fn from(reason: Reason) -> Self {
        Self::new(reason)
    }
}

/// Seconds a sender is asked to wait before retrying a `503` answer.
pub(crate) const RETRY_AFTER_SECS: &str = "5";

/// Builds the response for a rejection. Implemented for every
/// `Fn(&Rejection) -> Response<Bytes>`.
pub trait RespondToRejection: Send + Sync + 'static {
    /// The response sent to the client.
    fn respond(&self, rejection: &Rejection) -> Response<Bytes>;
}

impl<F> RespondToRejection for F
where
    F: Fn(&Rejection) -> Response<Bytes> + Send + Sync + 'static,
{
    fn respond(&self, rejection: &Rejection) -> Response<Bytes> {
        self(rejection)
    }
}

/// The default response: the reason's status, `{"reason":"<name>"}`, `no-store`, and
/// `Retry-After` on every 503 so senders back off.
///
/// ```
/// use webhook_core::{default_rejection_response, Reason, Rejection};
/// let response = default_rejection_response(&Rejection::new(Reason::BodyTooLarge));
/// assert_eq!(response.status().as_u16(), 413);
/// assert_eq!(response.body().as_ref(), br#"{"reason":"body_too_large"}"#);
/// ```
#[must_use]
pub fn default_rejection_response(rejection: &Rejection) -> Response<Bytes> {
    let reason = rejection.reason();
    let body = Bytes::from(format!("{{\"reason\":\"{}\"}}", reason.as_str()));
    let mut response = Response::new(body);
    *response.status_mut() = reason.status();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if reason.status() == StatusCode::SERVICE_UNAVAILABLE {
        headers.insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECS),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_round_trips_through_its_name() {
        for reason in Reason::ALL {
            assert_eq!(Reason::from_name(reason.as_str()), Some(reason));
        }
    }

    #[test]
    fn duplicate_in_flight_answers_503_with_retry_after() {
        let response = default_rejection_response(&Rejection::new(Reason::DuplicateInFlight));
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "5");
    }

    #[test]
    fn response_body_never_contains_the_detail() {
        let rejection = Rejection::new(Reason::SignatureMismatch).with_detail("secret-ish detail");
        let response = default_rejection_response(&rejection);
        assert!(!String::from_utf8_lossy(response.body()).contains("secret"));
    }
}
