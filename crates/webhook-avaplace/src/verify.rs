//! The AVAplace MessageGateway scheme: RS256 bearer JWT against the issuer's JWKS, a security
//! code, and the `{messageType}/{contractType}/{messageId}` path.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::header::AUTHORIZATION;
use http::request::Parts;
use http::{HeaderMap, HeaderName};
use serde_json::Value;
use webhook_core::json::parse_strict_members;
use webhook_core::jws::{Alg, CompactJws, JwsError, check_time_members};
use webhook_core::{
    ConfigError, Freshness, Reason, Rejection, Secret, Verdict, Verified, VerifyContext,
    VerifyWebhook, constant_time_eq, single_header,
};

use crate::event::{AvaplaceEvent, Claims};
use crate::keys::{discovery_url, key_set};

pub(crate) const PROVIDER: &str = "avaplace";
pub(crate) const SECURITY_CODE: &str = "x-messagesecuritycode";
pub(crate) const TENANT: &str = "x-tenant-id";
/// The header names as constants, so lookups skip parsing the name.
const SECURITY_CODE_HEADER: HeaderName = HeaderName::from_static(SECURITY_CODE);
const TENANT_HEADER: HeaderName = HeaderName::from_static(TENANT);
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

    /// Everything that needs no key, in two steps so the claims can borrow the token: first
    /// the header and path syntax and the algorithm, then [`check_claims`](Self::check_claims).
    fn precheck<'t>(
        &self,
        headers: &'t HeaderMap,
        path: &str,
    ) -> Result<(CompactJws<'t>, &'t str, MessagePath), Rejection> {
        let token = bearer_token(headers)?;
        let jws = CompactJws::parse(token)
            .map_err(|e| Rejection::new(Reason::MalformedHeader).with_detail(e.to_string()))?;
        let code = single_header(headers, &SECURITY_CODE_HEADER)?;
        let message = parse_path(path)?;
        jws.require_alg(Alg::Rs256).map_err(token_invalid)?;
        Ok((jws, code, message))
    }

    /// The (not yet trusted) claims' issuer, times and audience, the security code and the
    /// tenant allowlist. Rejecting on unverified claims is safe: nothing is ever *accepted* on
    /// them.
    fn check_claims(
        &self,
        claims: &RegisteredClaims,
        code: &str,
        headers: &HeaderMap,
        now: i64,
    ) -> Result<(), Rejection> {
        if claims.iss.as_ref().and_then(Value::as_str) != Some(self.issuer.as_str()) {
            return Err(Rejection::new(Reason::TokenInvalid)
                .with_detail("iss is not the configured issuer"));
        }
        check_time_members(
            claims.exp.as_ref(),
            claims.nbf.as_ref(),
            claims.iat.as_ref(),
            now,
            self.leeway.as_secs(),
            true,
        )
        .map_err(token_invalid)?;
        if let Some(audience) = &self.audience {
            let matches = match &claims.aud {
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
                .tid
                .as_ref()
                .and_then(Value::as_str)
                .or_else(|| headers.get(&TENANT_HEADER).and_then(|v| v.to_str().ok()));
            if !tenant.is_some_and(|t| tenants.iter().any(|allowed| allowed == t)) {
                return Err(Rejection::new(Reason::ClaimMismatch).with_detail("tenant not allowed"));
            }
        }
        Ok(())
    }
}

/// The claims verification reads. The whole claims object is checked to be strict JSON in
/// the same pass; the application gets it as [`Claims`].
struct RegisteredClaims {
    iss: Option<Value>,
    exp: Option<Value>,
    nbf: Option<Value>,
    iat: Option<Value>,
    aud: Option<Value>,
    tid: Option<Value>,
    sub: Option<Value>,
    client_id: Option<Value>,
}

impl RegisteredClaims {
    fn parse(payload: &[u8]) -> Result<Self, Rejection> {
        let [iss, exp, nbf, iat, aud, tid, sub, client_id] = parse_strict_members(
            payload,
            ["iss", "exp", "nbf", "iat", "aud", "tid", "sub", "client_id"],
        )
        .map_err(|_| {
            Rejection::new(Reason::TokenInvalid).with_detail("claims are not a JSON object")
        })?;
        Ok(Self {
            iss,
            exp,
            nbf,
            iat,
            aud,
            tid,
            sub,
            client_id,
        })
    }

    /// The claims the unsigned hint headers are cross-checked against.
    fn cross_checked(&self, name: &str) -> Option<&str> {
        let claim = match name {
            "iss" => &self.iss,
            "sub" => &self.sub,
            "client_id" => &self.client_id,
            "tid" => &self.tid,
            _ => return None,
        };
        claim.as_ref().and_then(Value::as_str)
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
        let (jws, code, message) = self.precheck(&parts.headers, parts.uri.path())?;
        let claims = RegisteredClaims::parse(jws.payload())?;
        self.check_claims(&claims, code, &parts.headers, cx.unix_now())?;
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
            .tid
            .as_ref()
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| hints.get("tenant").cloned());
        drop(claims);
        let id = message.message_id.clone();
        let event_type = message.message_type.clone();
        let claims = Claims::verified(jws.into_payload());
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
    let value = single_header(headers, &AUTHORIZATION)?;
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
    claims: &RegisteredClaims,
    hints: &BTreeMap<String, String>,
    headers: &HeaderMap,
) -> Result<(), Rejection> {
    let contradicts = |hint: Option<&String>, claim: &str| match (hint, claims.cross_checked(claim))
    {
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
    if headers.get_all(&TENANT_HEADER).iter().count() > 1 || contradicts(hints.get("tenant"), "tid")
    {
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
    fn claims_are_strict_json_objects_and_present_nulls_count() {
        let parse = |json: &str| RegisteredClaims::parse(json.as_bytes()).map(|c| c.iss.is_some());
        assert_eq!(
            parse(r#"{"iss":"a","x":{"y":[1,{"z":2}]}}"#).ok(),
            Some(true)
        );
        for bad in [
            r#"{"iss":"a","iss":"b"}"#,
            r#"{"iss":"a","x":1,"x":2}"#,
            r#"{"iss":"a","x":{"y":1,"y":1}}"#,
            r#"["iss","a"]"#,
            r#"{"iss":"a"} {}"#,
            "",
        ] {
            assert_eq!(
                parse(bad).unwrap_err().reason(),
                Reason::TokenInvalid,
                "{bad}"
            );
        }
        let scheme = AvaplaceScheme::new("https://idp.example.com", "code").unwrap();
        let check = |json: &str| {
            let claims = RegisteredClaims::parse(json.as_bytes()).unwrap();
            scheme.check_claims(&claims, "code", &HeaderMap::new(), 1_000)
        };
        let issuer = r#""iss":"https://idp.example.com""#;
        assert!(check(&format!(r#"{{{issuer},"exp":2000}}"#)).is_ok());
        for bad in [
            format!(r#"{{{issuer},"exp":2000,"nbf":null}}"#),
            format!(r#"{{{issuer},"exp":2000,"iat":"900"}}"#),
            format!(r#"{{{issuer},"exp":2000.5}}"#),
            format!(r#"{{{issuer},"exp":null}}"#),
            format!(r#"{{{issuer}}}"#),
            r#"{"iss":"https://idp.example.com/","exp":2000}"#.to_owned(),
        ] {
            assert_eq!(
                check(&bad).unwrap_err().reason(),
                Reason::TokenInvalid,
                "{bad}"
            );
        }
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
            if let Ok((jws, code, _)) = scheme.precheck(&headers, &path)
                && let Ok(claims) = RegisteredClaims::parse(jws.payload())
            {
                let _ = scheme.check_claims(&claims, code, &headers, now);
                let _ = cross_check(&claims, &hints(&headers), &headers);
            }
        }
    }
}
