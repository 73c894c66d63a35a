//! The SNS scheme: the signed JSON envelope, the pinned signing-certificate URL, RSA
//! SignatureVersion 1 (SHA-1) and 2 (SHA-256), and safe subscription confirmation.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::request::Parts;
use ring::signature::{self, UnparsedPublicKey};
use serde_json::{Map, Value};
use webhook_core::json::parse_strict_object;
use webhook_core::{
    ConfigError, FetchLimiter, FetchRequest, FetchResponse, Freshness, Reason, Rejection, Verdict,
    Verified, VerifyContext, VerifyWebhook, parse_rfc3339_utc, single_header, within_window,
};

use crate::event::{MessageType, SnsEvent};
use crate::x509;

pub(crate) const PROVIDER: &str = "sns";
const CERT_CAP: usize = 16 * 1024;
const FUTURE_SKEW_SECS: u64 = 300;
const PEM_BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const PEM_END: &str = "-----END CERTIFICATE-----";

/// The SNS verifier. Built through [`SnsLayer`](crate::SnsLayer).
#[derive(Clone)]
pub struct SnsScheme {
    topics: Arc<[String]>,
    auto_confirm: bool,
    require_v2: bool,
    tolerance: Duration,
    new_cert_urls: Arc<Mutex<CertUrlBudget>>,
}

/// Certificate URLs this layer already knows (least recently used first), and the rate at
/// which unknown ones may be fetched: a flood of well-formed random `.pem` names costs at most
/// a few fetches (S50, F23), while AWS's occasional rotation to a new certificate is fetched at
/// once and the URLs in use stay known however many others pass by.
#[derive(Debug)]
struct CertUrlBudget {
    known: VecDeque<String>,
    new_urls: FetchLimiter,
}

/// Unknown certificate URLs fetched per minute at most (a burst of 4, then one per 15 s).
const NEW_CERT_URLS_PER_MINUTE: u32 = 4;
/// Certificate URLs remembered as known (LRU).
const KNOWN_CERT_URLS: usize = 16;

impl CertUrlBudget {
    fn new() -> Self {
        Self {
            known: VecDeque::new(),
            new_urls: FetchLimiter::new(
                usize::MAX,
                NEW_CERT_URLS_PER_MINUTE,
                Duration::from_secs(60),
            ),
        }
    }

    /// Whether `url` may be fetched now (known URLs always may: the cache decides).
    fn admit(&mut self, url: &str) -> bool {
        if let Some(at) = self.known.iter().position(|known| known == url) {
            // Most recently used goes to the back, so URLs in use are never evicted by a flood.
            if let Some(hit) = self.known.remove(at) {
                self.known.push_back(hit);
            }
            return true;
        }
        if self.new_urls.try_acquire().is_none() {
            return false;
        }
        if self.known.len() >= KNOWN_CERT_URLS {
            self.known.pop_front();
        }
        self.known.push_back(url.to_owned());
        true
    }
}

impl fmt::Debug for SnsScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SnsScheme")
            .field("topics", &self.topics)
            .field("auto_confirm", &self.auto_confirm)
            .field("require_v2", &self.require_v2)
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

/// A verified signing key, cached per certificate URL with its validity period.
struct SigningKey {
    rsa_public_key: Vec<u8>,
    not_before: i64,
    not_after: i64,
}

impl SnsScheme {
    /// Default age limit on the signed `Timestamp`: 3600 seconds (SNS retries for up to an hour).
    pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(3600);

    pub(crate) fn new(topics: &[&str]) -> Result<Self, ConfigError> {
        for topic in topics {
            topic_region(topic)
                .ok_or_else(|| ConfigError::new(format!("not an SNS topic ARN: {topic}")))?;
        }
        Ok(Self {
            topics: topics.iter().map(|t| (*t).to_owned()).collect(),
            auto_confirm: false,
            require_v2: false,
            tolerance: Self::DEFAULT_TOLERANCE,
            new_cert_urls: Arc::new(Mutex::new(CertUrlBudget::new())),
        })
    }

    pub(crate) fn set_auto_confirm(&mut self, on: bool) {
        self.auto_confirm = on;
    }

    pub(crate) fn set_require_v2(&mut self, on: bool) {
        self.require_v2 = on;
    }

    pub(crate) fn set_tolerance(&mut self, tolerance: Duration) {
        self.tolerance = tolerance;
    }

    /// The RSA public key (DER `RSAPublicKey`) of a PEM certificate, read the way the layer
    /// reads signing certificates (exactly one certificate, RSA). For tooling and benchmarks;
    /// it checks neither the name nor the validity.
    #[must_use]
    pub fn certificate_public_key(pem: &str) -> Option<Vec<u8>> {
        let inner = pem.trim().strip_prefix(PEM_BEGIN)?.strip_suffix(PEM_END)?;
        let base64: String = inner.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        x509::parse(&STANDARD.decode(base64).ok()?).map(|c| c.rsa_public_key)
    }
}

impl VerifyWebhook for SnsScheme {
    type Event = SnsEvent;

    /// A `Timestamp` passes from `FUTURE_SKEW_SECS` before it to `tolerance` after it.
    fn replay_window(&self) -> Option<Duration> {
        Some(
            self.tolerance
                .saturating_add(Duration::from_secs(FUTURE_SKEW_SECS)),
        )
    }

    fn provider(&self) -> &'static str {
        PROVIDER
    }

    async fn verify(
        &self,
        parts: &Parts,
        body: &Bytes,
        cx: &VerifyContext,
    ) -> Result<Verdict<SnsEvent>, Rejection> {
        let header_type = single_header(&parts.headers, "x-amz-sns-message-type")?;
        let envelope = Envelope::parse(body)?;
        if envelope.kind.as_str() != header_type {
            return Err(malformed(
                "x-amz-sns-message-type differs from the signed Type",
            ));
        }
        // The unsigned copies SNS puts in headers must agree with the signed body (S10).
        for (header, key) in [
            ("x-amz-sns-topic-arn", "TopicArn"),
            ("x-amz-sns-message-id", "MessageId"),
        ] {
            let signed = envelope.text(key).unwrap_or_default().as_bytes();
            if parts
                .headers
                .get_all(header)
                .iter()
                .any(|value| value.as_bytes() != signed)
            {
                return Err(Rejection::new(Reason::ClaimMismatch)
                    .with_detail("an x-amz-sns-* header contradicts the signed body"));
            }
        }
        if !self.topics.iter().any(|t| t == envelope.topic_arn()) {
            return Err(Rejection::new(Reason::ClaimMismatch).with_detail("topic not allowlisted"));
        }
        if self.require_v2 && envelope.version == SignatureVersion::V1 {
            return Err(Rejection::new(Reason::SignatureMismatch)
                .with_detail("SignatureVersion 1 refused by configuration"));
        }
        let region = topic_region(envelope.topic_arn())
            .ok_or_else(|| malformed("TopicArn is not an SNS ARN"))?;
        let cert_url = envelope
            .text("SigningCertURL")
            .ok_or_else(|| malformed("no SigningCertURL"))?;
        check_cert_url(cert_url, region)?;
        let timestamp = parse_rfc3339_utc(envelope.text("Timestamp").unwrap_or_default())
            .ok_or_else(|| malformed("Timestamp is not RFC 3339"))?;
        if !within_window(
            cx.unix_now(),
            timestamp,
            self.tolerance.as_secs(),
            FUTURE_SKEW_SECS,
        ) {
            return Err(Rejection::new(Reason::TimestampOutOfTolerance));
        }
        let now = cx.unix_now();
        let admitted = self
            .new_cert_urls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .admit(cert_url);
        if !admitted {
            return Err(Rejection::new(Reason::KeyUnavailable)
                .with_detail("too many unknown certificate URLs this minute"));
        }
        let expected_name = signing_name(region);
        let key = cx
            .document(
                FetchRequest::get(cert_url).max_bytes(CERT_CAP),
                Freshness::Cached,
                |response| signing_key(&response, &expected_name, now),
            )
            .await?;
        // The cached key was judged at fetch time; its validity is judged again at this clock.
        if now < key.not_before || now > key.not_after {
            return Err(
                Rejection::new(Reason::UntrustedKeyUrl).with_detail("certificate not valid now")
            );
        }
        envelope.verify_signature(&key.rsa_public_key)?;
        let event = SnsEvent::from_envelope(
            &envelope.fields,
            envelope.kind,
            envelope.version.as_str(),
            timestamp,
        );
        let mut event = event;
        if envelope.kind == MessageType::SubscriptionConfirmation && self.auto_confirm {
            // A redelivered confirmation that was already handled is not confirmed twice (S45).
            if cx.already_done(&event.message_id).await? {
                return Ok(Verdict::Duplicate);
            }
            self.confirm(cx, &envelope, region).await?;
            event.confirmed = true;
        }
        let id = event.message_id.clone();
        let kind = envelope.kind.as_str();
        Ok(Verdict::Deliver(
            Verified::new(PROVIDER, event)
                .id(&id)
                .dedup_on(id)
                .event_type(kind)
                .timestamp(timestamp),
        ))
    }
}

impl SnsScheme {
    async fn confirm(
        &self,
        cx: &VerifyContext,
        envelope: &Envelope,
        region: &str,
    ) -> Result<(), Rejection> {
        let url = envelope.text("SubscribeURL").unwrap_or_default();
        let token = envelope.text("Token").unwrap_or_default();
        let prefix = format!("https://sns.{region}.amazonaws.com/?");
        let query = url
            .strip_prefix(&prefix)
            .filter(|_| !url.contains(['#', '@', ' ']))
            .unwrap_or_default();
        let param = |name: &str| {
            query
                .split('&')
                .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
        };
        let consistent = param("Action") == Some("ConfirmSubscription")
            && param("Token") == Some(token)
            && param("TopicArn").map(percent_decode).as_deref() == Some(envelope.topic_arn());
        if !consistent {
            return Err(Rejection::new(Reason::ClaimMismatch)
                .with_detail("SubscribeURL does not match the signed topic and token"));
        }
        match cx
            .fetch()
            .fetch(FetchRequest::get(url).max_bytes(CERT_CAP))
            .await
        {
            Ok(response) if response.status.is_success() => Ok(()),
            _ => Err(Rejection::new(Reason::KeyUnavailable)
                .with_detail("subscription confirmation failed")),
        }
    }
}

fn malformed(why: &'static str) -> Rejection {
    Rejection::new(Reason::MalformedBody).with_detail(why)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SignatureVersion {
    V1,
    V2,
}

impl SignatureVersion {
    const fn as_str(self) -> &'static str {
        match self {
            Self::V1 => "1",
            Self::V2 => "2",
        }
    }
}

/// The parsed envelope: string fields only, duplicates refused.
struct Envelope {
    fields: Map<String, Value>,
    kind: MessageType,
    version: SignatureVersion,
}

impl Envelope {
    fn parse(body: &[u8]) -> Result<Self, Rejection> {
        let fields = parse_strict_object(body)
            .map_err(|_| malformed("body is not a JSON object without duplicate keys"))?;
        if fields.contains_key("SigningCertUrl") || fields.contains_key("UnsubscribeUrl") {
            return Err(malformed("Lambda field spellings in an HTTP delivery"));
        }
        let kind = match fields.get("Type").and_then(Value::as_str) {
            Some("Notification") => MessageType::Notification,
            Some("SubscriptionConfirmation") => MessageType::SubscriptionConfirmation,
            Some("UnsubscribeConfirmation") => MessageType::UnsubscribeConfirmation,
            _ => return Err(malformed("unknown Type")),
        };
        let version = match fields.get("SignatureVersion").and_then(Value::as_str) {
            Some("1") => SignatureVersion::V1,
            Some("2") => SignatureVersion::V2,
            _ => return Err(malformed("SignatureVersion is not \"1\" or \"2\"")),
        };
        let envelope = Self {
            fields,
            kind,
            version,
        };
        // A newline inside a one-line field could shift the key/value lines of the string to
        // sign (S13); only `Message` may contain one.
        let shifted = envelope
            .signed_keys()
            .iter()
            .filter(|k| **k != "Message")
            .any(|k| envelope.text(k).is_some_and(|v| v.contains('\n')));
        if shifted {
            return Err(malformed("a one-line signed field contains a newline"));
        }
        for key in envelope
            .signed_keys()
            .iter()
            .chain(&["Signature", "SigningCertURL"])
        {
            let required = *key != "Subject";
            match envelope.fields.get(*key) {
                Some(Value::String(_)) => {}
                None | Some(Value::Null) if !required => {}
                _ => return Err(malformed("a signed field is missing or not a string")),
            }
        }
        Ok(envelope)
    }

    fn signed_keys(&self) -> &'static [&'static str] {
        match self.kind {
            MessageType::Notification => NOTIFICATION_KEYS,
            _ => CONFIRMATION_KEYS,
        }
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(Value::as_str)
    }

    fn topic_arn(&self) -> &str {
        self.text("TopicArn").unwrap_or_default()
    }

    fn string_to_sign(&self) -> Vec<u8> {
        string_to_sign(&self.fields, self.signed_keys())
    }

    fn verify_signature(&self, rsa_public_key: &[u8]) -> Result<(), Rejection> {
        let signature = STANDARD
            .decode(self.text("Signature").unwrap_or_default())
            .map_err(|_| {
                Rejection::new(Reason::SignatureMismatch).with_detail("Signature is not base64")
            })?;
        let algorithm: &dyn signature::VerificationAlgorithm = match self.version {
            SignatureVersion::V1 => &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
            SignatureVersion::V2 => &signature::RSA_PKCS1_2048_8192_SHA256,
        };
        UnparsedPublicKey::new(algorithm, rsa_public_key)
            .verify(&self.string_to_sign(), &signature)
            .map_err(|_| Rejection::new(Reason::SignatureMismatch))
    }
}

/// The signed keys of a Notification, in signing order.
pub(crate) const NOTIFICATION_KEYS: &[&str] = &[
    "Message",
    "MessageId",
    "Subject",
    "Timestamp",
    "TopicArn",
    "Type",
];
/// The signed keys of Subscription- and UnsubscribeConfirmations, in signing order.
pub(crate) const CONFIRMATION_KEYS: &[&str] = &[
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
];

/// `key\nvalue\n` for each of `keys` present as a string, in that order: what SNS signs.
pub(crate) fn string_to_sign(fields: &Map<String, Value>, keys: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for key in keys {
        if let Some(value) = fields.get(*key).and_then(Value::as_str) {
            out.extend_from_slice(key.as_bytes());
            out.push(b'\n');
            out.extend_from_slice(value.as_bytes());
            out.push(b'\n');
        }
    }
    out
}

/// The region of `arn:<partition>:sns:<region>:<account>:<topic>`.
pub(crate) fn topic_region(arn: &str) -> Option<&str> {
    let mut fields = arn.split(':');
    let (Some("arn"), Some(partition), Some("sns"), Some(region), Some(account), Some(topic), None) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return None;
    };
    let ok = partition.starts_with("aws")
        && is_region(region)
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !topic.is_empty();
    ok.then_some(region)
}

/// `[a-z]{2}(-[a-z]+)+-[0-9]+`.
fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    parts.len() >= 3
        && first.len() == 2
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && !last.is_empty()
        && last.bytes().all(|b| b.is_ascii_digit())
        && parts
            .get(1..parts.len() - 1)
            .unwrap_or_default()
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
}

/// `https://sns.<region>.amazonaws.com/SimpleNotificationService-<alnum>.pem` (`.com.cn` for the
/// `cn-` regions), nothing else: no userinfo, port, query, fragment, and the region of the topic.
pub(crate) fn check_cert_url(url: &str, region: &str) -> Result<(), Rejection> {
    let untrusted =
        |why: &'static str| Err(Rejection::new(Reason::UntrustedKeyUrl).with_detail(why));
    let Some(rest) = url.strip_prefix("https://") else {
        return untrusted("not https");
    };
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    // The China partition's endpoints (and only its) live under `.amazonaws.com.cn` (S36).
    let expected = if region.starts_with("cn-") {
        format!("sns.{region}.amazonaws.com.cn")
    } else {
        format!("sns.{region}.amazonaws.com")
    };
    if host != expected {
        return untrusted("host is not this region's SNS endpoint");
    }
    let name = path
        .strip_prefix("/SimpleNotificationService-")
        .and_then(|p| p.strip_suffix(".pem"));
    if !name.is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric())) {
        return untrusted("path is not /SimpleNotificationService-<id>.pem");
    }
    Ok(())
}

/// The certificate name SNS signs with in `region`.
pub(crate) fn signing_name(region: &str) -> String {
    const SIGNING_REGIONS: [&str; 17] = [
        "ap-east-1",
        "ap-east-2",
        "ap-south-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "me-south-1",
        "me-central-1",
        "eu-south-1",
        "eu-south-2",
        "eu-central-2",
        "af-south-1",
        "il-central-1",
        "ca-west-1",
        "mx-central-1",
    ];
    if region.starts_with("cn-") {
        format!("sns-{region}.amazonaws.com.cn")
    } else if region.starts_with("us-gov-") {
        "sns-us-gov-west-1.amazonaws.com".to_owned()
    } else if SIGNING_REGIONS.contains(&region) {
        format!("sns-signing.{region}.amazonaws.com")
    } else {
        "sns.amazonaws.com".to_owned()
    }
}

/// The fetched document must be exactly one acceptable PEM certificate. No certificate at all is
/// a failed fetch (`key_unavailable`); a certificate that is not acceptable is
/// `untrusted_key_url`.
fn signing_key(
    response: &FetchResponse,
    expected_name: &str,
    now: i64,
) -> Result<SigningKey, Rejection> {
    let text = std::str::from_utf8(&response.body).unwrap_or_default();
    if !text.contains(PEM_BEGIN) {
        return Err(Rejection::new(Reason::KeyUnavailable)
            .with_detail("certificate URL served no certificate"));
    }
    let untrusted = |why: &'static str| Rejection::new(Reason::UntrustedKeyUrl).with_detail(why);
    let inner = text
        .trim()
        .strip_prefix(PEM_BEGIN)
        .and_then(|t| t.strip_suffix(PEM_END))
        .filter(|t| !t.contains("-----"))
        .ok_or_else(|| untrusted("not exactly one PEM certificate"))?;
    let base64: String = inner.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let der = STANDARD
        .decode(base64)
        .map_err(|_| untrusted("PEM body is not base64"))?;
    let certificate = x509::parse(&der).ok_or_else(|| untrusted("not an X.509 RSA certificate"))?;
    if !certificate.common_names.iter().any(|n| n == expected_name) {
        return Err(untrusted("certificate names another signer"));
    }
    if now < certificate.not_before || now > certificate.not_after {
        return Err(untrusted("certificate not valid now"));
    }
    if rsa_modulus_bits(&certificate.rsa_public_key) < 2048 {
        return Err(untrusted("RSA key under 2048 bits"));
    }
    Ok(SigningKey {
        rsa_public_key: certificate.rsa_public_key,
        not_before: certificate.not_before,
        not_after: certificate.not_after,
    })
}

/// Modulus size of a DER `RSAPublicKey`, 0 when unreadable.
fn rsa_modulus_bits(der: &[u8]) -> usize {
    webhook_core::jws::RsaPublicKey::from_rsa_public_key_der(der).map_or(0, |k| k.bits())
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The `(key, value)` lines of a string to sign.
    fn lines(signed: &[u8]) -> Vec<(String, String)> {
        let text = String::from_utf8(signed.to_vec()).unwrap();
        let mut parts: Vec<&str> = text.split('\n').collect();
        assert_eq!(parts.pop(), Some(""), "ends with a newline");
        parts
            .chunks(2)
            .map(|pair| (pair[0].to_owned(), pair[1].to_owned()))
            .collect()
    }

    fn envelope_field() -> impl Strategy<Value = (String, Value)> {
        let key = prop_oneof![
            Just("Type"),
            Just("MessageId"),
            Just("TopicArn"),
            Just("Subject"),
            Just("Message"),
            Just("Timestamp"),
            Just("SignatureVersion"),
            Just("Signature"),
            Just("SigningCertURL"),
            Just("SubscribeURL"),
            Just("Token"),
            Just("SigningCertUrl"),
            Just("Other"),
        ];
        let value = prop_oneof![
            Just(Value::String("Notification".into())),
            Just(Value::String("SubscriptionConfirmation".into())),
            Just(Value::String("1".into())),
            Just(Value::String("2".into())),
            Just(Value::Null),
            any::<i64>().prop_map(Value::from),
            "[a-z\n:/.]{0,12}".prop_map(Value::String),
        ];
        (key.prop_map(str::to_owned), value)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn envelope_parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
            let _ = Envelope::parse(&bytes).map(|e| e.string_to_sign());
        }

        #[test]
        fn envelope_parse_never_panics_on_sns_shaped_objects(fields in prop::collection::vec(envelope_field(), 0..12)) {
            let object: Map<String, Value> = fields.into_iter().collect();
            let body = serde_json::to_vec(&object).unwrap();
            if let Ok(envelope) = Envelope::parse(&body) {
                // Accepted envelopes have every signed key (but an absent Subject) as a string,
                // none but Message spanning lines.
                for key in envelope.signed_keys() {
                    let value = envelope.text(key);
                    prop_assert!(value.is_some() || *key == "Subject");
                    prop_assert!(*key == "Message" || !value.unwrap_or_default().contains('\n'));
                }
                let _ = envelope.string_to_sign();
            }
        }

        #[test]
        fn string_to_sign_round_trips_one_line_fields(
            values in prop::collection::vec(prop::option::of("[^\n]{0,16}"), NOTIFICATION_KEYS.len()),
        ) {
            let mut fields = Map::new();
            let mut expected = Vec::new();
            for (key, value) in NOTIFICATION_KEYS.iter().zip(&values) {
                if let Some(value) = value {
                    fields.insert((*key).to_owned(), Value::String(value.clone()));
                    expected.push(((*key).to_owned(), value.clone()));
                }
            }
            fields.insert("Unsigned".into(), Value::String("x".into()));
            let signed = string_to_sign(&fields, NOTIFICATION_KEYS);
            prop_assert_eq!(lines(&signed), expected);
        }

        #[test]
        fn topic_and_cert_url_checks_never_panic(arn in "[a-z0-9:\\-]{0,40}|.{0,40}", url in "https://[a-z0-9.\\-/@:?#%]{0,60}|.{0,60}") {
            if let Some(region) = topic_region(&arn) {
                let _ = check_cert_url(&url, region);
                let suffix = if region.starts_with("cn-") { ".cn" } else { "" };
                let canonical = format!("https://sns.{region}.amazonaws.com{suffix}/SimpleNotificationService-abc123.pem");
                let other = format!("https://sns.{region}.amazonaws.com{}/SimpleNotificationService-abc123.pem", if suffix.is_empty() { ".cn" } else { "" });
                prop_assert!(check_cert_url(&other, region).is_err());
                prop_assert!(check_cert_url(&canonical, region).is_ok());
            }
            let _ = check_cert_url(&url, "us-east-1");
        }
    }
}
