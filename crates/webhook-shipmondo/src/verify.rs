//! The Shipmondo scheme: a body `{"data": "<compact JWS>"}`, HS256 under the webhook's key.

use std::fmt;

use bytes::Bytes;
use http::HeaderMap;
use http::request::Parts;
use serde::Deserialize;
use serde_json::Value;
use webhook_core::json::{Scalar, parse_members, parse_strict_members};
use webhook_core::jws::{Alg, CompactJws, JwsError, check_time_members};
use webhook_core::{
    ConfigError, HmacSha256Keys, Reason, Rejection, Verdict, Verified, VerifyContext, VerifyWebhook,
};

use crate::event::{ShipmondoEvent, SmdHints};

pub(crate) const PROVIDER: &str = "shipmondo";
/// Largest JOSE header segment accepted (J36): the body limit bounds the rest.
const MAX_HEADER_SEGMENT: usize = 8 * 1024;
/// Leeway for `exp`/`nbf`, which Shipmondo does not send but which are enforced if present.
const TIME_LEEWAY_SECS: u64 = 30;

/// The unsigned body `{"data": "<JWS>"}`.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    data: Option<Scalar<'a>>,
}

/// The Shipmondo verifier: webhook keys and the endpoint URL the `url` claim must name.
/// Built through [`ShipmondoLayer`](crate::ShipmondoLayer).
#[derive(Clone, Default)]
pub struct ShipmondoScheme {
    keys: HmacSha256Keys,
    endpoint_url: Option<String>,
}

impl fmt::Debug for ShipmondoScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShipmondoScheme")
            .field("keys", &self.keys.len())
            .field("endpoint_url", &self.endpoint_url)
            .finish()
    }
}

impl ShipmondoScheme {
    pub(crate) fn add_key(&mut self, key: &str) -> Result<(), ConfigError> {
        if key.is_empty() {
            return Err(ConfigError::new("Shipmondo webhook key is empty"));
        }
        if key.trim() != key {
            return Err(ConfigError::new(
                "Shipmondo webhook key has leading or trailing whitespace",
            ));
        }
        self.keys.push(key.as_bytes());
        Ok(())
    }

    pub(crate) fn set_endpoint_url(&mut self, url: &str) -> Result<(), ConfigError> {
        if !url.starts_with("https://") && !url.starts_with("http://") {
            return Err(ConfigError::new(
                "Shipmondo endpoint_url must be an absolute http(s) URL",
            ));
        }
        self.endpoint_url = Some(url.to_owned());
        Ok(())
    }

    /// Verifies a request head and body synchronously (what the layer does, without I/O).
    ///
    /// # Errors
    /// The rejection, with its stable reason.
    pub fn verify_parts(
        &self,
        headers: &HeaderMap,
        body: &Bytes,
        now_unix: i64,
    ) -> Result<Verified<ShipmondoEvent>, Rejection> {
        let malformed = |why: String| Rejection::new(Reason::MalformedBody).with_detail(why);
        // The envelope is not signed: all of it must be JSON, and its one member is read
        // without building a tree (and refused if repeated).
        let envelope: Envelope<'_> = parse_members(body)
            .map_err(|e| malformed(format!("body is not a JSON object: {e}")))?;
        let Some(Scalar::Str(token)) = envelope.data else {
            return Err(malformed("`data` is not a string".into()));
        };
        if token
            .split('.')
            .next()
            .is_some_and(|header| header.len() > MAX_HEADER_SEGMENT)
        {
            return Err(malformed("JOSE header segment too large".into()));
        }
        let jws = CompactJws::parse(&token).map_err(|e| malformed(e.to_string()))?;
        jws.require_alg(Alg::Hs256).map_err(token_invalid)?;
        let matched = jws
            .verify_hs256(&self.keys)
            .ok_or_else(|| Rejection::new(Reason::SignatureMismatch))?;
        let [webhook, url, data, exp, nbf, iat] = decode_claims(jws.payload())?;
        check_time_members(
            exp.as_ref(),
            nbf.as_ref(),
            iat.as_ref(),
            now_unix,
            TIME_LEEWAY_SECS,
            false,
        )
        .map_err(token_invalid)?;
        let text = |claim: Option<Value>| match claim {
            Some(Value::String(text)) => Some(text),
            _ => None,
        };
        let url = text(url);
        if let Some(expected) = &self.endpoint_url
            && url.as_deref() != Some(expected.as_str())
        {
            return Err(Rejection::new(Reason::ClaimMismatch)
                .with_detail("`url` claim differs from the configured endpoint_url"));
        }
        let webhook = text(webhook).unwrap_or_default();
        let data = data.unwrap_or(Value::Null);
        let hints = SmdHints::from_headers(headers);
        let hints_consistent = hints.consistent_with(&data);
        // The token's signature is the HMAC-SHA256 of its signing input, already checked: the
        // same message yields the same key, with no second pass over a large body.
        let dedup = token.rsplit('.').next().unwrap_or_default().to_owned();
        let event_type = webhook.clone();
        let event = ShipmondoEvent::new(webhook, url, data, matched, hints, hints_consistent);
        Ok(Verified::new(PROVIDER, event)
            .id(&dedup)
            .dedup_on(dedup)
            .event_type(event_type)
            .matched_key(matched))
    }
}

impl VerifyWebhook for ShipmondoScheme {
    type Event = ShipmondoEvent;

    fn provider(&self) -> &'static str {
        PROVIDER
    }

    async fn verify(
        &self,
        parts: &Parts,
        body: &Bytes,
        cx: &VerifyContext,
    ) -> Result<Verdict<ShipmondoEvent>, Rejection> {
        self.verify_parts(&parts.headers, body, cx.unix_now())
            .map(Verdict::Deliver)
    }
}

/// The claims verification reads, in this order.
const CLAIMS: [&str; 6] = ["webhook", "url", "data", "exp", "nbf", "iat"];

/// The claims are a JSON object, or (Shipmondo's documented example) a JSON string holding
/// that object; the string form is decoded exactly once more. Either way the whole object is
/// checked (duplicate keys refused at any depth) but only [`CLAIMS`] are built.
pub(crate) fn decode_claims(payload: &[u8]) -> Result<[Option<Value>; 6], Rejection> {
    let malformed =
        |why: &str| Rejection::new(Reason::MalformedBody).with_detail(format!("claims: {why}"));
    match payload.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => parse_strict_members(payload, CLAIMS).map_err(|_| malformed("not JSON")),
        Some(b'"') => {
            let inner: String =
                serde_json::from_slice(payload).map_err(|_| malformed("not JSON"))?;
            parse_strict_members(inner.as_bytes(), CLAIMS)
                .map_err(|_| malformed("string does not hold a JSON object"))
        }
        _ => Err(malformed("neither an object nor a string")),
    }
}

fn token_invalid(error: JwsError) -> Rejection {
    Rejection::new(Reason::TokenInvalid).with_detail(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn j24_j26_both_claim_encodings_decode() {
        let object = decode_claims(br#"{"webhook":"W","url":"u"}"#).unwrap();
        let string = decode_claims(br#""{\"webhook\":\"W\",\"url\":\"u\"}""#).unwrap();
        assert_eq!(object, string);
    }

    #[test]
    fn j25_j35_bad_claims_are_malformed_body() {
        for bad in [
            &br#""not json""#[..],
            br#"[1]"#,
            br#"{"a":1,"a":2}"#,
            br#""{\"a\":1,\"a\":2}""#,
            b"\"\\\"{}\\\"\"",
        ] {
            assert_eq!(
                decode_claims(bad).unwrap_err().reason(),
                Reason::MalformedBody
            );
        }
    }

    #[test]
    fn j21_empty_key_is_refused_at_construction() {
        let mut scheme = ShipmondoScheme::default();
        assert!(scheme.add_key("").is_err());
        assert!(scheme.add_key("key ").is_err());
        assert!(scheme.set_endpoint_url("hooks.example.com/x").is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

        #[test]
        fn verify_never_panics_on_arbitrary_bodies(body in proptest::collection::vec(any::<u8>(), 0..200), token in "[A-Za-z0-9_.=-]{0,120}") {
            let mut scheme = ShipmondoScheme::default();
            scheme.add_key("k").unwrap();
            prop_assert!(scheme.verify_parts(&HeaderMap::new(), &Bytes::from(body), 0).is_err());
            let wrapped = Bytes::from(format!(r#"{{"data":"{token}"}}"#));
            prop_assert!(scheme.verify_parts(&HeaderMap::new(), &wrapped, 0).is_err());
        }
    }
}
