//! What every provider module shares: the event shape, metadata, and small checks.

use bytes::Bytes;
use http::HeaderMap;
use serde_json::{Map, Value};
use webhook_core::patterns::{MAX_HEADER_LEN, hex_encode, optional_bounded_header};
use webhook_core::{Reason, Rejection, Verified};

/// Longest delivery id or event type kept (they become replay-store keys and log fields).
pub(crate) const MAX_ID_LEN: usize = 256;

/// The provider-agnostic part of every event.
#[derive(Clone, Debug, Default)]
pub(crate) struct Meta {
    pub(crate) id: Option<String>,
    pub(crate) event_type: Option<String>,
    pub(crate) timestamp: Option<i64>,
    pub(crate) matched_key: usize,
}

impl Meta {
    pub(crate) fn new(matched_key: usize, timestamp: Option<i64>) -> Self {
        Self {
            matched_key,
            timestamp,
            ..Self::default()
        }
    }

    /// The core's `Verified`, carrying the metadata and the de-duplication key.
    pub(crate) fn verified<E>(
        &self,
        provider: &'static str,
        event: E,
        dedup: Option<String>,
    ) -> Verified<E> {
        let mut verified = Verified::new(provider, event).matched_key(self.matched_key);
        if let Some(id) = &self.id {
            verified = verified.id(id);
        }
        if let Some(kind) = &self.event_type {
            verified = verified.event_type(kind);
        }
        if let Some(t) = self.timestamp {
            verified = verified.timestamp(t);
        }
        if let Some(key) = dedup {
            verified = verified.dedup_on(key);
        }
        verified
    }
}

/// The de-duplication key of a scheme without a signed id: the SHA-256 of the signed bytes.
pub(crate) fn content_key(parts: &[&[u8]]) -> String {
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    for part in parts {
        context.update(part);
    }
    format!("sha256:{}", hex_encode(context.finish().as_ref()))
}

/// An informational header (delivery id, event type): absent is `None`; repeated, not visible
/// ASCII or longer than [`MAX_ID_LEN`] is `malformed_header`.
pub(crate) fn info_header(headers: &HeaderMap, name: &str) -> Result<Option<String>, Rejection> {
    let value = optional_bounded_header(headers, name, MAX_HEADER_LEN.min(MAX_ID_LEN))?;
    Ok(value.map(str::to_owned))
}

/// The verified body as a strict JSON object, else `malformed_body`.
pub(crate) fn json_object(body: &Bytes) -> Result<Map<String, Value>, Rejection> {
    webhook_core::json::parse_strict_object(body).map_err(|e| {
        Rejection::new(Reason::MalformedBody).with_detail(format!("body is not a JSON object: {e}"))
    })
}

/// A short string field of a JSON object (ids, types); too long is `malformed_body`.
pub(crate) fn short_text(
    object: &Map<String, Value>,
    key: &str,
) -> Result<Option<String>, Rejection> {
    match object.get(key) {
        Some(Value::String(text)) if text.len() <= MAX_ID_LEN => Ok(Some(text.clone())),
        Some(Value::String(_)) => Err(Rejection::new(Reason::MalformedBody)
            .with_detail(format!("`{key}` is longer than {MAX_ID_LEN} bytes"))),
        _ => Ok(None),
    }
}

/// Whether the request says its body is a form.
#[allow(dead_code)] // not every provider feature uses it
pub(crate) fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// Declares a provider's event type: delivery id, event type, signed timestamp, matched key,
/// the exact payload and a `json()` helper.
macro_rules! provider_event {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, ::serde::Serialize)]
        #[non_exhaustive]
        pub struct $name {
            /// The delivery id (the module docs say where it comes from and whether it is
            /// signed).
            pub id: Option<String>,
            /// The event type, when the provider states one.
            pub event_type: Option<String>,
            /// The signed timestamp in Unix seconds, when the scheme signs one.
            pub timestamp: Option<i64>,
            /// Index of the configured secret or key that verified the request.
            pub matched_key: usize,
            #[serde(skip)]
            payload: ::bytes::Bytes,
        }

        impl $name {
            pub(crate) fn new(meta: $crate::common::Meta, payload: ::bytes::Bytes) -> Self {
                Self {
                    id: meta.id,
                    event_type: meta.event_type,
                    timestamp: meta.timestamp,
                    matched_key: meta.matched_key,
                    payload,
                }
            }

            /// The exact verified payload.
            #[must_use]
            pub const fn payload(&self) -> &::bytes::Bytes {
                &self.payload
            }

            /// Parses the payload as JSON into `T`.
            ///
            /// # Errors
            /// The JSON error when the payload is not a `T`.
            pub fn json<T: ::serde::de::DeserializeOwned>(&self) -> Result<T, ::serde_json::Error> {
                ::serde_json::from_slice(&self.payload)
            }
        }
    };
}
pub(crate) use provider_event;

/// Declares a provider's layer newtype, its service alias and the common knobs.
macro_rules! provider_layer_type {
    ($(#[$doc:meta])* $layer:ident, $service:ident, $scheme:ty) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        #[must_use]
        pub struct $layer(::webhook_core::WebhookLayer<$scheme>);

        /// The service built by the layer.
        pub type $service<S> = ::webhook_core::Webhook<S, $scheme>;

        ::webhook_core::provider_layer!($layer, $scheme);
    };
}
pub(crate) use provider_layer_type;

/// A JSON object with its (optional) id and type fields.
pub(crate) type IdAndType = (Map<String, Value>, Option<String>, Option<String>);

/// The signed JSON body's id and type fields (both optional, both bounded).
pub(crate) fn json_id_and_type(
    body: &Bytes,
    id_key: &str,
    type_key: &str,
) -> Result<IdAndType, Rejection> {
    let object = json_object(body)?;
    let id = short_text(&object, id_key)?.filter(|id| !id.is_empty());
    let kind = short_text(&object, type_key)?;
    Ok((object, id, kind))
}

/// A required id: `malformed_body` when absent.
pub(crate) fn required(id: Option<String>, what: &str) -> Result<String, Rejection> {
    id.ok_or_else(|| {
        Rejection::new(Reason::MalformedBody).with_detail(format!("body has no `{what}`"))
    })
}

/// Declares a test signer holding HMAC keys of one digest.
macro_rules! hmac_signer {
    ($(#[$doc:meta])* $name:ident, $digest:expr) => {
        $(#[$doc])*
        #[cfg(feature = "test-util")]
        #[derive(Debug)]
        pub struct $name {
            keys: ::webhook_core::patterns::HmacKeys,
        }

        #[cfg(feature = "test-util")]
        impl $name {
            /// A signer for this secret.
            #[must_use]
            pub fn new(secret: &str) -> Self {
                let mut keys = ::webhook_core::patterns::HmacKeys::new($digest);
                keys.push(secret);
                Self { keys }
            }

            fn mac(&self, parts: &[&[u8]]) -> Vec<u8> {
                self.keys.sign(0, parts).unwrap_or_default()
            }
        }
    };
}
pub(crate) use hmac_signer;

/// The one value of query parameter `name` (decoded), if it appears exactly once.
pub(crate) fn query_param(uri: &http::Uri, name: &str) -> Option<String> {
    let pairs = webhook_core::patterns::form_pairs(uri.query()?.as_bytes())?;
    let mut values = pairs.into_iter().filter(|(k, _)| k == name.as_bytes());
    let (_, value) = values.next()?;
    if values.next().is_some() {
        return None;
    }
    String::from_utf8(value).ok()
}

/// A challenge a provider asks to have echoed: 1–256 bytes of `[A-Za-z0-9._~+/=-]`, so the
/// echo can be nothing but a token.
pub(crate) fn echoable(challenge: &str) -> bool {
    !challenge.is_empty()
        && challenge.len() <= MAX_ID_LEN
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._~+/=-".contains(&b))
}

/// `method_not_allowed` for a GET that is not the provider's handshake.
pub(crate) fn not_a_handshake(detail: &'static str) -> Rejection {
    Rejection::new(Reason::MethodNotAllowed).with_detail(detail)
}

/// The meta of a verified JSON-object body with an optional signed id and type, and its
/// de-duplication key: the signed id when the body has one, else the SHA-256 of the body (so
/// a retry of the same body under a new signed timestamp is still a duplicate).
pub(crate) fn json_meta(
    matched: webhook_core::patterns::HmacMatch,
    body: &Bytes,
    id_key: &str,
    type_key: &str,
) -> Result<(Meta, String), Rejection> {
    let (_, id, kind) = json_id_and_type(body, id_key, type_key)?;
    let dedup = id.clone().unwrap_or_else(|| content_key(&[body]));
    let mut meta = Meta::new(matched.matched_key, matched.timestamp);
    meta.id = id;
    meta.event_type = kind;
    Ok((meta, dedup))
}

/// The layer methods and the test signer of a provider whose signature is one
/// [`TimestampedHmac`](webhook_core::patterns::TimestampedHmac) header (Stripe, Mux,
/// Calendly, Paddle). The module defines `SIGNATURE`, `DEFAULT_TOLERANCE` and
/// `fn timestamped_hmac() -> Result<TimestampedHmac, ConfigError>`; the layer's scheme has a
/// `hmac` field. The signer writes its header through that same `TimestampedHmac`, so signer
/// and verifier share one definition of the format.
macro_rules! timestamped_hmac_provider {
    (
        layer: $layer:ident,
        scheme: $scheme:ident,
        signer: $signer:ident,
        provider: $provider:literal,
        header: $header:literal,
        secret: $secret:literal,
        default_tolerance: $default:literal,
        content_type: $content_type:literal $(,)?
    ) => {
        impl $layer {
            #[doc = concat!("A layer verifying with ", $secret, ".")]
            ///
            /// # Errors
            /// The secret is empty or has surrounding whitespace.
            pub fn new(secret: &str) -> Result<Self, ::webhook_core::ConfigError> {
                let hmac = timestamped_hmac()?;
                Self(::webhook_core::WebhookLayer::new($scheme { hmac })).secret(secret)
            }

            /// Adds a secret (rotation).
            ///
            /// # Errors
            /// The secret is empty or has surrounding whitespace.
            pub fn secret(mut self, secret: &str) -> Result<Self, ::webhook_core::ConfigError> {
                self.0.scheme_mut().hmac.add_secret(secret.as_bytes())?;
                Ok(self)
            }

            /// Largest distance between the signed timestamp and the clock, either way.
            #[doc = concat!("Defaults to ", $default, ". Keep `dedup_ttl` above twice this value.")]
            pub fn tolerance(mut self, tolerance: ::std::time::Duration) -> Self {
                self.0.scheme_mut().hmac.set_tolerance(tolerance);
                self
            }
        }

        #[doc = concat!("Signs events like ", $provider, " (test utility).")]
        #[cfg(feature = "test-util")]
        pub struct $signer {
            secret: Vec<u8>,
        }

        #[cfg(feature = "test-util")]
        impl ::std::fmt::Debug for $signer {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($signer)).finish_non_exhaustive()
            }
        }

        #[cfg(feature = "test-util")]
        impl $signer {
            /// A signer for this secret.
            #[must_use]
            pub fn new(secret: &str) -> Self {
                Self {
                    secret: secret.as_bytes().to_vec(),
                }
            }

            #[doc = concat!("The `", $header, "` value for `body` at `timestamp`.")]
            #[must_use]
            pub fn header(&self, timestamp: u64, body: &[u8]) -> String {
                timestamped_hmac()
                    .map(|hmac| hmac.sign_with(&self.secret, timestamp, body))
                    .unwrap_or_default()
            }

            /// A signed JSON `POST` to `uri`.
            ///
            /// # Errors
            /// `uri` is not a valid URI.
            pub fn request(
                &self,
                uri: &str,
                timestamp: u64,
                body: impl Into<::bytes::Bytes>,
            ) -> Result<::http::Request<::bytes::Bytes>, ::http::Error> {
                let body = body.into();
                ::http::Request::post(uri)
                    .header("content-type", $content_type)
                    .header(SIGNATURE, self.header(timestamp, &body))
                    .body(body)
            }
        }
    };
}
pub(crate) use timestamped_hmac_provider;
