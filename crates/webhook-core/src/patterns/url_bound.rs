//! [`UrlBoundHmac`]: a MAC over the configured public URL plus the sorted form parameters
//! (Twilio style).

use bytes::Bytes;
use http::{HeaderMap, HeaderName, Uri};

use super::header_hmac::header_name;
use super::{Digest, Encoding, HmacKeys, MAX_HEADER_LEN, bounded_header, check_secret, malformed};
use crate::config::ConfigError;
use crate::rejection::{Reason, Rejection};
use crate::secret::constant_time_eq;

/// A MAC over `public URL ‖ k1 ‖ v1 ‖ k2 ‖ v2 …` (form parameters sorted by key, then value),
/// the way Twilio signs.
///
/// The public URL is **configuration**: `public_base` (`https://hooks.example.com`, as the
/// sender was told) followed by the request's path and query. The `Host` header and
/// `X-Forwarded-*` are never read, so a proxy cannot change what is verified and an attacker
/// cannot choose it. Form parameters are read only from `application/x-www-form-urlencoded`
/// bodies; for other bodies (Twilio's JSON webhooks) the URL must carry a `bodySHA256` query
/// parameter (the hex SHA-256 of the exact body), which is checked in constant time after the
/// MAC.
///
/// ```
/// use bytes::Bytes;
/// use http::{HeaderMap, Uri};
/// use webhook_core::patterns::{Digest, UrlBoundHmac};
///
/// // Twilio's documented example.
/// let scheme = UrlBoundHmac::new("x-twilio-signature", Digest::LegacySha1, "https://mycompany.com")?
///     .secret(b"12345")?;
/// let uri: Uri = "/myapp.php?foo=1&bar=2".parse()?;
/// let body = Bytes::from_static(
///     b"CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030&To=%2B18005551212",
/// );
/// let mut headers = HeaderMap::new();
/// headers.insert("x-twilio-signature", "0/KCTR6DLpKmkAf8muzZqo1nDgQ=".parse()?);
/// headers.insert("content-type", "application/x-www-form-urlencoded".parse()?);
/// assert_eq!(scheme.verify(&uri, &headers, &body)?, 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct UrlBoundHmac {
    header: HeaderName,
    public_base: String,
    keys: HmacKeys,
}

impl UrlBoundHmac {
    /// A scheme reading a base64 MAC from `header`, binding requests to `public_base`
    /// (`scheme://host[:port][/prefix]`, no query, no trailing slash).
    ///
    /// # Errors
    /// A bad header name, or `public_base` is not an absolute `http(s)` URL without query and
    /// trailing slash.
    pub fn new(header: &str, digest: Digest, public_base: &str) -> Result<Self, ConfigError> {
        let uri: Uri = public_base
            .parse()
            .map_err(|_| ConfigError::new(format!("public URL `{public_base}` is not a URL")))?;
        let scheme_ok = matches!(uri.scheme_str(), Some("https" | "http"));
        if !scheme_ok
            || uri.authority().is_none()
            || uri.query().is_some()
            || public_base.ends_with('/')
        {
            return Err(ConfigError::new(format!(
                "public URL `{public_base}` must be http(s)://host[:port][/path] without query or trailing slash"
            )));
        }
        Ok(Self {
            header: header_name(header)?,
            public_base: public_base.to_owned(),
            keys: HmacKeys::new(digest),
        })
    }

    /// Adds a secret (rotation: Twilio's primary and secondary auth tokens).
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn secret(mut self, secret: &[u8]) -> Result<Self, ConfigError> {
        self.add_secret(secret)?;
        Ok(self)
    }

    /// Adds a secret in place.
    ///
    /// # Errors
    /// The secret is empty or has surrounding whitespace.
    pub fn add_secret(&mut self, secret: &[u8]) -> Result<(), ConfigError> {
        check_secret("auth token", secret)?;
        self.keys.push(secret);
        Ok(())
    }

    /// The signature header's name.
    #[must_use]
    pub const fn header(&self) -> &HeaderName {
        &self.header
    }

    /// The URL the sender signed for a request to `uri`: the public base plus the request's
    /// path and query.
    #[must_use]
    pub fn public_url(&self, uri: &Uri) -> String {
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        format!("{}{path}", self.public_base)
    }

    /// Verifies; returns the index of the key that matched.
    ///
    /// # Errors
    /// `missing_header`, `malformed_header` (not base64, too long), `malformed_body` (a form
    /// body that does not decode), `signature_mismatch` (the MAC, or `bodySHA256`).
    pub fn verify(&self, uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Result<usize, Rejection> {
        let value = bounded_header(headers, self.header.as_str(), MAX_HEADER_LEN)?;
        let mac = Encoding::Base64
            .decode(value)
            .ok_or_else(|| malformed(format!("{} is not base64", self.header)))?;
        let url = self.public_url(uri);
        let pairs = if is_form(headers) {
            form_pairs(body).ok_or_else(|| {
                Rejection::new(Reason::MalformedBody).with_detail("form body does not decode")
            })?
        } else {
            Vec::new()
        };
        let message = signed_message(&url, pairs);
        let matched = self
            .keys
            .verify(&[message.as_slice()], [mac.as_slice()])
            .ok_or_else(|| Rejection::new(Reason::SignatureMismatch))?;
        if !is_form(headers) {
            check_body_hash(uri, body)?;
        }
        Ok(matched)
    }

    /// The header value the sender would write with key `index` for `uri` and `body` (sent with
    /// a form content type when `form` is true).
    #[must_use]
    pub fn sign(&self, index: usize, uri: &Uri, body: &[u8], form: bool) -> Option<String> {
        let pairs = if form { form_pairs(body)? } else { Vec::new() };
        let message = signed_message(&self.public_url(uri), pairs);
        let mac = self.keys.sign(index, &[message.as_slice()])?;
        Some(Encoding::Base64.encode(&mac))
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

fn signed_message(url: &str, mut pairs: Vec<(Vec<u8>, Vec<u8>)>) -> Vec<u8> {
    pairs.sort();
    let mut message = url.as_bytes().to_vec();
    for (key, value) in pairs {
        message.extend_from_slice(&key);
        message.extend_from_slice(&value);
    }
    message
}

/// Without form parameters, the URL's `bodySHA256` must be the hex SHA-256 of the body.
fn check_body_hash(uri: &Uri, body: &[u8]) -> Result<(), Rejection> {
    let query = uri.query().unwrap_or_default();
    let declared = form_pairs(query.as_bytes())
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| k == b"bodySHA256")
        .map(|(_, v)| v)
        .collect::<Vec<_>>();
    let digest = ring::digest::digest(&ring::digest::SHA256, body);
    let actual = Encoding::Hex.encode(digest.as_ref());
    match declared.as_slice() {
        [one] if constant_time_eq(&one.to_ascii_lowercase(), actual.as_bytes()) => Ok(()),
        [] if body.is_empty() => Ok(()),
        _ => Err(Rejection::new(Reason::SignatureMismatch)
            .with_detail("bodySHA256 is absent, repeated or does not match the body")),
    }
}

/// Decodes `application/x-www-form-urlencoded` bytes into key/value pairs (`+` is a space,
/// `%XX` a byte); `None` for a bad escape. An empty input has no pairs.
///
/// ```
/// use webhook_core::patterns::form_pairs;
/// assert_eq!(form_pairs(b"a=1+2&b=%2B&c"), Some(vec![
///     (b"a".to_vec(), b"1 2".to_vec()), (b"b".to_vec(), b"+".to_vec()), (b"c".to_vec(), vec![]),
/// ]));
/// assert_eq!(form_pairs(b"a=%G1"), None);
/// ```
#[must_use]
pub fn form_pairs(body: &[u8]) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    body.split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let mut halves = pair.splitn(2, |&b| b == b'=');
            let key = halves.next().unwrap_or_default();
            let value = halves.next().unwrap_or_default();
            Some((percent_decode(key)?, percent_decode(value)?))
        })
        .collect()
}

fn percent_decode(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.iter();
    while let Some(&byte) = bytes.next() {
        match byte {
            b'+' => out.push(b' '),
            b'%' => {
                let high = char::from(*bytes.next()?).to_digit(16)?;
                let low = char::from(*bytes.next()?).to_digit(16)?;
                out.push(u8::try_from(high * 16 + low).ok()?);
            }
            other => out.push(other),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn twilio() -> UrlBoundHmac {
        UrlBoundHmac::new(
            "x-twilio-signature",
            Digest::LegacySha1,
            "https://mycompany.com",
        )
        .unwrap()
        .secret(b"12345")
        .unwrap()
    }

    #[test]
    fn the_host_header_is_never_read() {
        let body = Bytes::from_static(b"Digits=1234&CallSid=CA1");
        let uri: Uri = "https://evil.example/myapp.php?foo=1".parse().unwrap();
        let local: Uri = "/myapp.php?foo=1".parse().unwrap();
        let sig = twilio().sign(0, &local, &body, true).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-twilio-signature", sig.parse().unwrap());
        headers.insert("host", "evil.example".parse().unwrap());
        headers.insert(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8"
                .parse()
                .unwrap(),
        );
        assert_eq!(twilio().verify(&uri, &headers, &body).unwrap(), 0);
        let other: Uri = "/other.php?foo=1".parse().unwrap();
        assert_eq!(
            twilio()
                .verify(&other, &headers, &body)
                .unwrap_err()
                .reason(),
            Reason::SignatureMismatch
        );
    }

    #[test]
    fn json_bodies_are_bound_by_body_sha256() {
        let body = Bytes::from_static(br#"{"a":1}"#);
        let digest =
            Encoding::Hex.encode(ring::digest::digest(&ring::digest::SHA256, &body).as_ref());
        let uri: Uri = format!("/hook?bodySHA256={digest}").parse().unwrap();
        let sig = twilio().sign(0, &uri, &body, false).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-twilio-signature", sig.parse().unwrap());
        headers.insert("content-type", "application/json".parse().unwrap());
        assert!(twilio().verify(&uri, &headers, &body).is_ok());
        let tampered = Bytes::from_static(br#"{"a":2}"#);
        assert_eq!(
            twilio()
                .verify(&uri, &headers, &tampered)
                .unwrap_err()
                .reason(),
            Reason::SignatureMismatch
        );
    }

    #[test]
    fn public_base_is_checked() {
        for bad in [
            "mycompany.com",
            "ftp://x",
            "https://x/",
            "https://x?a=1",
            "",
        ] {
            assert!(
                UrlBoundHmac::new("x", Digest::Sha256, bad).is_err(),
                "{bad}"
            );
        }
    }
}
