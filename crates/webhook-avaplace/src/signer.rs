//! [`AvaplaceSigner`]: plays the identity provider and the gateway for offline tests.

use bytes::Bytes;
use http::Request;
use ring::rand::SystemRandom;
use ring::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use serde_json::{Value, json};
use webhook_core::jws::{RsaPublicKey, encode};
use webhook_core::{ConfigError, TableFetch, TableResponse};

/// A throwaway RSA-2048 key, TEST ONLY (PKCS#1 DER, generated once with `openssl genpkey`).
const TEST_KEY_RSA_DER: &[u8] = include_bytes!("testdata/test-key.rsa.der");

/// Signs gateway tokens with a test RSA key and serves the matching discovery document and
/// JWKS (test utility).
///
/// ```
/// use webhook_avaplace::AvaplaceSigner;
/// let signer = AvaplaceSigner::new("https://idp.example.com/api/asol/idp")?;
/// assert!(signer.jwks().contains("\"kid\":\"test-key-1\""));
/// let token = signer.token(&signer.claims(1_767_225_660));
/// assert_eq!(token.split('.').count(), 3);
/// # Ok::<_, webhook_core::ConfigError>(())
/// ```
pub struct AvaplaceSigner {
    pair: RsaKeyPair,
    issuer: String,
    kid: String,
}

impl std::fmt::Debug for AvaplaceSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AvaplaceSigner")
            .field("issuer", &self.issuer)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl AvaplaceSigner {
    /// A signer for `issuer` with the bundled test key and `kid` `test-key-1`.
    ///
    /// # Errors
    /// Never in practice (the bundled key is valid).
    pub fn new(issuer: &str) -> Result<Self, ConfigError> {
        let pair = RsaKeyPair::from_der(TEST_KEY_RSA_DER)
            .map_err(|_| ConfigError::new("bundled test key rejected"))?;
        Ok(Self {
            pair,
            issuer: issuer.to_owned(),
            kid: "test-key-1".to_owned(),
        })
    }

    /// The same key published under another `kid` (to test rotation and unknown kids).
    #[must_use]
    pub fn with_kid(mut self, kid: &str) -> Self {
        kid.clone_into(&mut self.kid);
        self
    }

    /// `<issuer>/.well-known/openid-configuration`.
    #[must_use]
    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.issuer)
    }

    /// Where the discovery document says the JWKS is.
    #[must_use]
    pub fn jwks_uri(&self) -> String {
        format!("{}/jwks", self.discovery_url())
    }

    /// An IdentityServer-style discovery document.
    #[must_use]
    pub fn discovery(&self) -> String {
        json!({"issuer": self.issuer, "jwks_uri": self.jwks_uri(), "id_token_signing_alg_values_supported": ["RS256"]}).to_string()
    }

    /// The JWKS holding the public key (modulus and exponent).
    #[must_use]
    pub fn jwks(&self) -> String {
        let key = RsaPublicKey::from_rsa_public_key_der(self.pair.public_key().as_ref());
        let (n, e) = key
            .map(|k| (k.modulus().to_vec(), k.exponent().to_vec()))
            .unwrap_or_default();
        json!({"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid, "n": encode(&n), "e": encode(&e)}]}).to_string()
    }

    /// Serves the discovery document and JWKS from an in-process network.
    pub fn serve(&self, net: &TableFetch) {
        net.set(self.discovery_url(), TableResponse::ok(self.discovery()));
        net.set(self.jwks_uri(), TableResponse::ok(self.jwks()));
    }

    /// Gateway-like claims valid for an hour from `now` (Unix seconds).
    #[must_use]
    pub fn claims(&self, now: i64) -> Value {
        json!({
            "iss": self.issuer, "nbf": now, "iat": now, "exp": now + 3600,
            "aud": "asol.messagegateway.consumer", "client_id": "plaza-pass",
            "sub": "6388701d4a20a1c1bc1f0831", "tid": "ASOLEU-DEV-fd9ad6b9-2f29-4c7a-9a3a-c7469e19b1ff",
        })
    }

    /// An RS256 compact JWS over `claims`.
    #[must_use]
    pub fn token(&self, claims: &Value) -> String {
        let header = json!({"alg": "RS256", "kid": self.kid, "typ": "at+jwt"}).to_string();
        let input = format!(
            "{}.{}",
            encode(header.as_bytes()),
            encode(claims.to_string().as_bytes())
        );
        let mut signature = vec![0; self.pair.public().modulus_len()];
        let signed = self.pair.sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            input.as_bytes(),
            &mut signature,
        );
        if signed.is_err() {
            signature.clear();
        }
        format!("{input}.{}", encode(&signature))
    }

    /// A complete delivery: `POST uri` with the bearer token, security code and tenant header.
    ///
    /// # Errors
    /// `uri` is not a valid URI.
    pub fn request(
        &self,
        uri: &str,
        claims: &Value,
        security_code: &str,
        body: impl Into<Bytes>,
    ) -> Result<Request<Bytes>, http::Error> {
        let mut request = Request::post(uri)
            .header("content-type", "application/json; charset=utf-8")
            .header("authorization", format!("Bearer {}", self.token(claims)))
            .header("x-messagesecuritycode", security_code);
        if let Some(tid) = claims.get("tid").and_then(Value::as_str) {
            request = request.header("x-tenant-id", tid);
        }
        request.body(body.into())
    }
}
