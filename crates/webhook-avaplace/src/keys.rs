//! The issuer's keys: OIDC discovery, then the JWKS it names, both through the core key cache
//! (bounded, single flight, refetch cooldown, stale keys kept while the IdP is down).

use std::sync::Arc;

use serde_json::Value;
use webhook_core::json::parse_strict_object;
use webhook_core::jws::RsaPublicKey;
use webhook_core::{FetchRequest, FetchResponse, Freshness, Reason, Rejection, VerifyContext};

/// Largest discovery document fetched.
const DISCOVERY_CAP: usize = 32 * 1024;
/// Largest key set fetched.
const JWKS_CAP: usize = 64 * 1024;
/// Most keys kept from one key set.
const MAX_KEYS: usize = 32;

/// The usable RS256 keys of a key set, with their `kid`s.
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    pub(crate) keys: Vec<(Option<String>, RsaPublicKey)>,
}

impl KeySet {
    /// Keys a token may be verified with: those with its `kid`, or (no `kid`) the first four.
    pub(crate) fn candidates<'k>(
        &'k self,
        kid: Option<&'k str>,
    ) -> impl Iterator<Item = &'k RsaPublicKey> + 'k {
        let limit = if kid.is_some() { MAX_KEYS } else { 4 };
        self.keys
            .iter()
            .filter(move |(k, _)| kid.is_none() || k.as_deref() == kid)
            .take(limit)
            .map(|(_, key)| key)
    }
}

/// The discovery URL of an issuer.
pub(crate) fn discovery_url(issuer: &str) -> String {
    format!("{issuer}/.well-known/openid-configuration")
}

/// Fetches (or reuses) the key set of `issuer`; `freshness` asks for a refetch when a token's
/// `kid` was unknown (granted only past the cooldown).
pub(crate) async fn key_set(
    cx: &VerifyContext,
    issuer: &str,
    discovery: &str,
    freshness: Freshness,
) -> Result<Arc<KeySet>, Rejection> {
    if freshness == Freshness::Cached {
        let cached = cx.cached_document::<String>(discovery);
        if let Some(keys) = cached.and_then(|jwks_uri| cx.cached_document::<KeySet>(&jwks_uri)) {
            return Ok(keys);
        }
    }
    let discovery_request = FetchRequest::get(discovery).max_bytes(DISCOVERY_CAP);
    let jwks_uri: Arc<String> = cx
        .document(discovery_request, Freshness::Cached, |r| {
            parse_discovery(&r, issuer)
        })
        .await?;
    let jwks_request = FetchRequest::get(jwks_uri.as_str()).max_bytes(JWKS_CAP);
    cx.document(jwks_request, freshness, |r| parse_jwks(&r.body))
        .await
}

fn unavailable(why: &'static str) -> Rejection {
    Rejection::new(Reason::KeyUnavailable).with_detail(why)
}

/// The discovery document must name exactly our issuer and an https `jwks_uri` on its host.
pub(crate) fn parse_discovery(response: &FetchResponse, issuer: &str) -> Result<String, Rejection> {
    let document = parse_strict_object(&response.body)
        .map_err(|_| unavailable("discovery is not a JSON object"))?;
    if document.get("issuer").and_then(Value::as_str) != Some(issuer) {
        return Err(unavailable("discovery names another issuer"));
    }
    let jwks_uri = document
        .get("jwks_uri")
        .and_then(Value::as_str)
        .ok_or_else(|| unavailable("discovery has no jwks_uri"))?;
    if https_authority(jwks_uri).is_none() || https_authority(jwks_uri) != https_authority(issuer) {
        return Err(unavailable("jwks_uri is not https on the issuer's host"));
    }
    Ok(jwks_uri.to_owned())
}

/// Keeps RSA signing keys (`use` absent or `sig`, `alg` absent or `RS256`) of 2048–8192 bits
/// with an odd exponent; everything else (EC, `oct`, encryption keys, weak keys) is skipped.
pub(crate) fn parse_jwks(body: &[u8]) -> Result<KeySet, Rejection> {
    let document =
        parse_strict_object(body).map_err(|_| unavailable("JWKS is not a JSON object"))?;
    let entries = document
        .get("keys")
        .and_then(Value::as_array)
        .ok_or_else(|| unavailable("JWKS has no keys array"))?;
    let text =
        |entry: &Value, name: &str| entry.get(name).and_then(Value::as_str).map(str::to_owned);
    let keys = entries
        .iter()
        .filter(|entry| text(entry, "kty").as_deref() == Some("RSA"))
        .filter(|entry| matches!(text(entry, "use").as_deref(), None | Some("sig")))
        .filter(|entry| matches!(text(entry, "alg").as_deref(), None | Some("RS256")))
        .filter_map(|entry| {
            let key = RsaPublicKey::from_jwk(&text(entry, "n")?, &text(entry, "e")?).ok()?;
            key.is_acceptable().then(|| (text(entry, "kid"), key))
        })
        .take(MAX_KEYS)
        .collect();
    Ok(KeySet { keys })
}

/// The `host[:port]` of an `https://` URL without userinfo.
fn https_authority(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("https://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty() && !authority.contains('@')).then_some(authority)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, StatusCode};
    use proptest::prelude::*;

    const ISSUER: &str = "https://idp.example.com/api/asol/idp";

    fn response(body: &str) -> FetchResponse {
        FetchResponse {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: body.to_owned().into(),
        }
    }

    #[test]
    fn f11_f12_discovery_must_name_our_issuer_and_an_https_same_host_jwks_uri() {
        let ok = format!(r#"{{"issuer":"{ISSUER}","jwks_uri":"{ISSUER}/jwks"}}"#);
        assert_eq!(
            parse_discovery(&response(&ok), ISSUER).unwrap(),
            format!("{ISSUER}/jwks")
        );
        for bad in [
            format!(r#"{{"issuer":"{ISSUER}/","jwks_uri":"{ISSUER}/jwks"}}"#),
            format!(r#"{{"issuer":"{ISSUER}","jwks_uri":"http://idp.example.com/jwks"}}"#),
            format!(r#"{{"issuer":"{ISSUER}","jwks_uri":"https://evil.example.com/jwks"}}"#),
            format!(
                r#"{{"issuer":"{ISSUER}","jwks_uri":"https://idp.example.com@evil.example.com/jwks"}}"#
            ),
            format!(r#"{{"issuer":"{ISSUER}"}}"#),
            "<html>".to_owned(),
        ] {
            assert_eq!(
                parse_discovery(&response(&bad), ISSUER)
                    .unwrap_err()
                    .reason(),
                Reason::KeyUnavailable,
                "{bad}"
            );
        }
    }

    #[test]
    fn f13_f14_f15_only_strong_rsa_signing_keys_are_kept() {
        let n = webhook_core::jws::encode(&[0xC5; 256]);
        let weak = webhook_core::jws::encode(&[0xC5; 128]);
        let jwks = format!(
            r#"{{"keys":[
                {{"kty":"RSA","kid":"good","n":"{n}","e":"AQAB"}},
                {{"kty":"RSA","kid":"enc","use":"enc","n":"{n}","e":"AQAB"}},
                {{"kty":"RSA","kid":"hs","alg":"HS256","n":"{n}","e":"AQAB"}},
                {{"kty":"oct","kid":"oct","k":"c2VjcmV0"}},
                {{"kty":"EC","kid":"ec","crv":"P-256","x":"AA","y":"AA"}},
                {{"kty":"RSA","kid":"weak","n":"{weak}","e":"AQAB"}},
                {{"kty":"RSA","kid":"even","n":"{n}","e":"Ag"}}
            ]}}"#
        );
        let set = parse_jwks(jwks.as_bytes()).unwrap();
        let kids: Vec<_> = set.keys.iter().map(|(kid, _)| kid.as_deref()).collect();
        assert_eq!(kids, vec![Some("good")]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn jwks_parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_jwks(&bytes);
        }

        #[test]
        fn jwks_parse_never_panics_on_jwk_shaped_documents(
            entries in prop::collection::vec(
                (
                    prop::option::of(prop_oneof![Just("RSA"), Just("oct"), Just("EC"), Just("rsa")]),
                    prop::option::of(prop_oneof![Just("sig"), Just("enc"), Just("")]),
                    prop::option::of(prop_oneof![Just("RS256"), Just("RS512"), Just("HS256")]),
                    prop::option::of("[A-Za-z0-9_=+/-]{0,400}"),
                    prop::option::of(prop_oneof![Just("AQAB".to_owned()), Just("Ag".to_owned()), "[A-Za-z0-9_-]{0,8}"]),
                ),
                0..8,
            )
        ) {
            let keys: Vec<serde_json::Value> = entries
                .iter()
                .map(|(kty, use_, alg, n, e)| {
                    serde_json::json!({"kty": kty, "use": use_, "alg": alg, "n": n, "e": e, "kid": "k"})
                })
                .collect();
            let body = serde_json::to_vec(&serde_json::json!({ "keys": keys })).unwrap();
            if let Ok(set) = parse_jwks(&body) {
                prop_assert!(set.keys.len() <= MAX_KEYS);
                for (_, key) in &set.keys {
                    prop_assert!(key.is_acceptable());
                }
            }
        }

        #[test]
        fn jwks_round_trips_rsa_components(
            modulus in prop::collection::vec(any::<u8>(), 256..=512),
            leading_zeros in 0usize..3,
        ) {
            let mut modulus = modulus;
            modulus[0] |= 0x80; // full length: 2048..=4096 bits
            let last = modulus.len() - 1;
            modulus[last] |= 1;
            let mut padded = vec![0u8; leading_zeros];
            padded.extend_from_slice(&modulus);
            let n = webhook_core::jws::encode(&padded);
            let jwks = format!(r#"{{"keys":[{{"kty":"RSA","kid":"a","use":"sig","n":"{n}","e":"AQAB"}}]}}"#);
            let set = parse_jwks(jwks.as_bytes()).unwrap();
            prop_assert_eq!(set.keys.len(), 1);
            let (kid, key) = &set.keys[0];
            prop_assert_eq!(kid.as_deref(), Some("a"));
            prop_assert_eq!(key.modulus(), &modulus[..]);
            prop_assert_eq!(key.exponent(), &[1u8, 0, 1][..]);
        }
    }
}
