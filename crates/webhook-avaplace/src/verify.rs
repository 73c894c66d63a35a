//! The AVAplace MessageGateway scheme: RS256 bearer JWT against the issuer's JWKS, a security
//! code, and the `{messageType}/{contractType}/{messageId}` path.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::HeaderMap;
use http::request::Parts;
use serde_json::{Map, Value};
use webhook_core::json::parse_strict_object;
use webhook_core::jws::{Alg, CompactJws, JwsError, check_time_claims};
use webhook_core::{
    ConfigError, Freshness, Reason, Rejection, Secret, Verdict, Verified, VerifyContext,
    VerifyWebhook, constant_time_eq, single_header,
};

use crate::event::AvaplaceEvent;
use crate::keys::{discovery_url, key_set};

pub(crate) const PROVIDER: &str = "avaplace";
pub(crate) const SECURITY_CODE: &str = "x-messagesecuritycode";
pub(crate) const TENANT: &str = "x-tenant-id";
const HINT_PREFIX: &str = "x-userclaim-";
/// Longest bearer token decoded (B08): gateway tokens are about 1 KiB.
const MAX_TOKEN: usize = 8 * 1024;
/// Unsigned hint headers that must agree with the token's claim of the same name.
const CROSS_CHECKED: [&str; 4] = ["iss", "sub", "client_id", "tid"];

/// The AVAplace verifier. Built through [`AvaplaceLayer`](crate::AvaplaceLayer).
#[derive(Clone)]
pub struct AvaplaceScheme {
    issuer: String,
    discovery: String,
    audience: Option<String>,
    security_codes: Vec<Secret>,
    tenants: Option<Vec<String>>,
    leeway: Duration,
}

impl fmt::Debug for AvaplaceScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AvaplaceScheme")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("security_codes", &self.security_codes.len())
            .field("tenants", &self.tenants)
            .field("leeway", &self.leeway)
            .finish()
    }
}

/// The parsed delivery path.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct MessagePath {
    pub(crate) message_type: String,
    pub(crate) contract_type: String,
    pub(crate) message_id: String,
}

impl AvaplaceScheme {
    /// Default leeway for `exp`/`nbf`: 30 seconds.
    pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);
    /// Largest leeway accepted: 60 seconds.
    pub const MAX_LEEWAY: Duration = Duration::from_secs(60);

    pub(crate) fn new(issuer: &str, security_code: &str) -> Result<Self, ConfigError> {
        if !issuer.starts_with("https://")
            || issuer.ends_with('/')
            || issuer.contains(['?', '#', '@'])
        {
            return Err(ConfigError::new(
                "AVAplace issuer must be an https URL without a trailing slash, query or userinfo",
            ));
        }
        let mut scheme = Self {
            issuer: issuer.to_owned(),
            discovery: discovery_url(issuer),
            audience: None,
            security_codes: Vec::new(),
            tenants: None,
            leeway: Self::DEFAULT_LEEWAY,
        };
        scheme.add_security_code(security_code)?;
        Ok(scheme)
    }

    pub(crate) fn add_security_code(&mut self, code: &str) -> Result<(), ConfigError> {
        if code.is_empty() || code.trim() != code {
            return Err(ConfigError::new(
                "AVAplace security code is empty or has surrounding whitespace",
            ));
        }
        self.security_codes
            .push(Secret::new(code.as_bytes().to_vec()));
        Ok(())
    }

    pub(crate) fn set_audience(&mut self, audience: &str) {
        self.audience = Some(audience.to_owned());
    }

    pub(crate) fn add_tenant(&mut self, tenant: &str) {
        self.tenants
            .get_or_insert_with(Vec::new)
            .push(tenant.to_owned());
    }

    pub(crate) fn set_leeway(&mut self, leeway: Duration) -> Result<(), ConfigError> {
        if leeway > Self::MAX_LEEWAY {
            return Err(ConfigError::new("AVAplace leeway is at most 60 seconds"));
        }
        self.leeway = leeway;
        Ok(())
    }

    /// Everything that needs no key: header and path syntax, the algorithm, the (not yet
    /// trusted) claims' issuer, audience and times, the security code and the tenant allowlist.
    /// Rejecting on unverified claims is safe: nothing is ever *accepted* on them.
    fn precheck<'t>(
        &self,
        headers: &'t HeaderMap,
        path: &str,
        now: i64,
    ) -> Result<(CompactJws<'t>, Map<String, Value>, MessagePath), Rejection> {
        let token = bearer_token(headers)?;
        let jws = CompactJws::parse(token)
            .map_err(|e| Rejection::new(Reason::MalformedHeader).with_detail(e.to_string()))?;
        let code = single_header(headers, SECURITY_CODE)?;
        let message = parse_path(path)?;
        jws.require_alg(Alg::Rs256).map_err(token_invalid)?;
        let claims = parse_strict_object(jws.payload()).map_err(|_| {
            Rejection::new(Reason::TokenInvalid).with_detail("claims are not a JSON object")
        })?;
        if claims.get("iss").and_then(Value::as_str) != Some(self.issuer.as_str()) {
            return Err(Rejection::new(Reason::TokenInvalid)
                .with_detail("iss is not the configured issuer"));
        }
        check_time_claims(&claims, now, self.leeway.as_secs(), true).map_err(token_invalid)?;
        if let Some(audience) = &self.audience {
            let matches = match claims.get("aud") {
                Some(Value::String(aud)) => aud == audience,
                Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(audience)),
                _ => false,
            };
            if !matches {
                return Err(Rejection::new(Reason::TokenInvalid)
                    .with_detail("aud does not name this receiver"));
            }
        }
        // Every configured code is compared, so timing does not tell which one (if any) matched.
        let code_matches = self.security_codes.iter().fold(false, |found, known| {
            found | constant_time_eq(code.as_bytes(), known.expose())
        });
        if !code_matches {
            return Err(Rejection::new(Reason::ClaimMismatch)
                .with_detail("X-MessageSecurityCode does not match"));
        }
        if let Some(tenants) = &self.tenants {
            let tenant = claims
                .get("tid")
                .and_then(Value::as_str)
                .or_else(|| headers.get(TENANT).and_then(|v| v.to_str().ok()));
            if !tenant.is_some_and(|t| tenants.iter().any(|allowed| allowed == t)) {
                return Err(Rejection::new(Reason::ClaimMismatch).with_detail("tenant not allowed"));
            }
        }
        Ok((jws, claims, message))
    }
}

impl VerifyWebhook for AvaplaceScheme {
    type Event = AvaplaceEvent;

    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn sensitive_headers(&self) -> &'static [&'static str] {
        &[SECURITY_CODE]
    }

    async fn verify(
        &self,
        parts: &Parts,
        body: &Bytes,
        cx: &VerifyContext,
    ) -> Result<Verdict<AvaplaceEvent>, Rejection> {
        let (jws, claims, message) =
            self.precheck(&parts.headers, parts.uri.path(), cx.unix_now())?;
        let kid = jws.kid();
        let mut keys = key_set(cx, &self.issuer, &self.discovery, Freshness::Cached).await?;
        if keys.candidates(kid).next().is_none() {
            // A rotated-in key: one refetch, granted only outside the cooldown.
            keys = key_set(cx, &self.issuer, &self.discovery, Freshness::Refresh).await?;
        }
        if !keys.candidates(kid).any(|key| jws.verify_rs256(key)) {
            return Err(Rejection::new(Reason::SignatureMismatch)
                .with_detail("no issuer key verifies the token"));
        }
        let hints = hints(&parts.headers);
        cross_check(&claims, &hints, &parts.headers)?;
        let tenant = claims
            .get("tid")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| hints.get("tenant").cloned());
        let id = message.message_id.clone();
        let event_type = message.message_type.clone();
        let event = AvaplaceEvent::new(message, tenant, claims, hints, body.clone());
        Ok(Verdict::Deliver(
            Verified::new(PROVIDER, event)
                .id(&id)
                .dedup_on(id)
                .event_type(event_type),
        ))
    }
}

fn token_invalid(error: JwsError) -> Rejection {
    Rejection::new(Reason::TokenInvalid).with_detail(error.to_string())
}

/// The token of `Authorization: Bearer <token>` (scheme case-insensitive, header once).
pub(crate) fn bearer_token(headers: &HeaderMap) -> Result<&str, Rejection> {
    let value = single_header(headers, "authorization")?;
    let (scheme, token) = value.split_once(' ').ok_or_else(|| {
        Rejection::new(Reason::MalformedHeader).with_detail("authorization is not `Bearer <token>`")
    })?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(Rejection::new(Reason::MalformedHeader)
            .with_detail("authorization scheme is not Bearer"));
    }
    if token.len() > MAX_TOKEN {
        return Err(Rejection::new(Reason::MalformedHeader).with_detail("bearer token too long"));
    }
    Ok(token)
}

/// The last three path segments: `{messageType}/{contractType}/{messageId}`, the id a
/// canonical UUID. Whatever prefix the receiver is mounted under comes before them.
pub(crate) fn parse_path(path: &str) -> Result<MessagePath, Rejection> {
    let malformed = |why: &'static str| Rejection::new(Reason::MalformedBody).with_detail(why);
    let mut segments = path.rsplit('/');
    let (Some(message_id), Some(contract_type), Some(message_type)) =
        (segments.next(), segments.next(), segments.next())
    else {
        return Err(malformed(
            "path is not …/{messageType}/{contractType}/{messageId}",
        ));
    };
    let name_ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 256
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    };
    if !name_ok(message_type) || !name_ok(contract_type) {
        return Err(malformed("messageType or contractType is not a plain name"));
    }
    if !is_uuid(message_id) {
        return Err(malformed("messageId is not a UUID"));
    }
    Ok(MessagePath {
        message_type: message_type.to_owned(),
        contract_type: contract_type.to_owned(),
        message_id: message_id.to_ascii_lowercase(),
    })
}

fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

/// The unsigned `X-UserClaim-*` headers (name after the prefix) and `X-Tenant-Id` (as
/// `tenant`). Values that are not visible ASCII are left out, never a reason to reject.
fn hints(headers: &HeaderMap) -> BTreeMap<String, String> {
    let mut hints = BTreeMap::new();
    for (name, value) in headers {
        let Ok(value) = value.to_str() else { continue };
        if let Some(claim) = name.as_str().strip_prefix(HINT_PREFIX) {
            hints.insert(claim.to_owned(), value.to_owned());
        } else if name.as_str() == TENANT {
            hints.insert("tenant".to_owned(), value.to_owned());
        }
    }
    hints
}

/// Unsigned hints that contradict the verified claims mean someone edited the request.
fn cross_check(
    claims: &Map<String, Value>,
    hints: &BTreeMap<String, String>,
    headers: &HeaderMap,
) -> Result<(), Rejection> {
    let contradicts = |hint: Option<&String>, claim: &str| match (
        hint,
        claims.get(claim).and_then(Value::as_str),
    ) {
        (Some(hint), Some(signed)) => hint != signed,
        _ => false,
    };
    if let Some(claim) = CROSS_CHECKED
        .iter()
        .find(|claim| contradicts(hints.get(**claim), claim))
    {
        return Err(Rejection::new(Reason::ClaimMismatch)
            .with_detail(format!("X-UserClaim-{claim} contradicts the token")));
    }
    if headers.get_all(TENANT).iter().count() > 1 || contradicts(hints.get("tenant"), "tid") {
        return Err(
            Rejection::new(Reason::ClaimMismatch).with_detail("X-Tenant-Id contradicts the token")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn path_takes_the_last_three_segments() {
        let path = parse_path("/webhook/ASOL.PlatformStore.OrderReleased/OrderReleased/C0EB0000-5dfe-0015-8604-08dbd6ef8bf7").unwrap();
        assert_eq!(path.message_type, "ASOL.PlatformStore.OrderReleased");
        assert_eq!(path.contract_type, "OrderReleased");
        assert_eq!(path.message_id, "c0eb0000-5dfe-0015-8604-08dbd6ef8bf7");
    }

    #[test]
    fn b_malformed_paths_are_malformed_body() {
        for bad in [
            "/",
            "/a/b",
            "/t/c/order-42",
            "/t/c/c0eb0000-5dfe-0015-8604-08dbd6ef8bf7/",
            "/t/c%2F/c0eb0000-5dfe-0015-8604-08dbd6ef8bf7",
            "/t//c0eb0000-5dfe-0015-8604-08dbd6ef8bf7",
            "/t/c/c0eb0000x5dfe-0015-8604-08dbd6ef8bf7",
        ] {
            assert_eq!(
                parse_path(bad).unwrap_err().reason(),
                Reason::MalformedBody,
                "{bad}"
            );
        }
    }

    #[test]
    fn bearer_scheme_is_case_insensitive_and_strict_otherwise() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "bEaReR abc".parse().unwrap());
        assert_eq!(bearer_token(&headers).unwrap(), "abc");
        for bad in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token abc"] {
            headers.insert("authorization", bad.parse().unwrap());
            assert_eq!(
                bearer_token(&headers).unwrap_err().reason(),
                Reason::MalformedHeader,
                "{bad}"
            );
        }
        headers.append("authorization", "Bearer abc".parse().unwrap());
        assert_eq!(
            bearer_token(&headers).unwrap_err().reason(),
            Reason::MalformedHeader
        );
    }

    #[test]
    fn b08_oversized_token_is_malformed_header_before_decoding() {
        let mut headers = HeaderMap::new();
        let token = format!("Bearer {}", "a".repeat(100 * 1024));
        headers.insert("authorization", token.parse().unwrap());
        assert_eq!(
            bearer_token(&headers).unwrap_err().reason(),
            Reason::MalformedHeader
        );
        let token = format!("Bearer {}", "a".repeat(MAX_TOKEN));
        headers.insert("authorization", token.parse().unwrap());
        assert_eq!(bearer_token(&headers).unwrap().len(), MAX_TOKEN);
    }

    #[test]
    fn issuer_config_is_strict() {
        assert!(AvaplaceScheme::new("http://idp.example.com", "c").is_err());
        assert!(AvaplaceScheme::new("https://idp.example.com/", "c").is_err());
        assert!(AvaplaceScheme::new("https://idp.example.com", "").is_err());
        assert!(
            AvaplaceScheme::new("https://idp.example.com", "c")
                .unwrap()
                .set_leeway(Duration::from_secs(61))
                .is_err()
        );
    }

    proptest! {
        #[test]
        fn path_parser_never_panics(path in "[/a-zA-Z0-9.%-]{0,80}") {
            let _ = parse_path(&path);
        }

        #[test]
        fn precheck_never_panics_on_mutated_headers(
            auth in "[ -~]{0,200}",
            code in "[ -~]{0,20}",
            tenant in proptest::collection::vec(any::<u8>(), 0..20),
            path in "[/a-f0-9-]{0,60}",
            now in any::<i64>(),
        ) {
            let mut scheme = AvaplaceScheme::new("https://idp.example.com", "code").unwrap();
            scheme.set_audience("me");
            scheme.add_tenant("t1");
            let mut headers = HeaderMap::new();
            if let Ok(value) = http::HeaderValue::from_str(&auth) {
                headers.insert("authorization", value);
            }
            if let Ok(value) = http::HeaderValue::from_str(&code) {
                headers.insert(SECURITY_CODE, value);
            }
            if let Ok(value) = http::HeaderValue::from_bytes(&tenant) {
                headers.insert(TENANT, value.clone());
                headers.insert("x-userclaim-sub", value);
            }
            let _ = scheme.precheck(&headers, &path, now);
            let _ = cross_check(&Map::new(), &hints(&headers), &headers);
        }
    }
}
