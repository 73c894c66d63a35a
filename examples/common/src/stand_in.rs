//! Every provider's role played in-process: the signers, the SNS signing certificate, the
//! AVAplace discovery document and JWKS, and the Autoflex10 payload API (served through the
//! [`Fetch`] trait, so nothing leaves the machine), plus a small raw HTTP/1.1 client.
//!
//! ```no_run
//! # async fn run(addr: std::net::SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
//! use example_common::stand_in::{StandIn, send};
//! let stand_in = StandIn::new()?;
//! // Start a receiver with `stand_in.config` and `stand_in.fetch()` on `addr`, then:
//! for case in stand_in.cases(1_700_000_000)? {
//!     let answer = send(addr, &case.raw).await?;
//!     println!("{} {} -> {}", case.provider, case.name, answer.status);
//! }
//! # Ok(()) }
//! ```

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::Request;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use webhook::avaplace::AvaplaceSigner;
use webhook::ricloud::RicloudSigner;
use webhook::shipmondo::{ClaimEncoding, ShipmondoSigner};
use webhook::sns::SnsSigner;
use webhook::standard::StandardSigner;
use webhook::{
    BoxFuture, ConfigError, Fetch, FetchError, FetchRequest, FetchResponse, TableFetch,
    TableResponse,
};

use crate::config::ReceiverConfig;
use crate::routes;

/// The stand-in's Standard Webhooks secret.
pub const STANDARD_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// The stand-in's ricloud secret.
pub const RICLOUD_SECRET: &str = "demo-ricloud-secret";
/// The stand-in's Shipmondo webhook key.
pub const SHIPMONDO_KEY: &str = "demo-shipmondo-key";
/// The stand-in's AVAplace issuer.
pub const AVAPLACE_ISSUER: &str = "https://login.avaplace.example";
/// The stand-in's AVAplace security code.
pub const AVAPLACE_SECURITY_CODE: &str = "demo-security-code";
/// The stand-in's Autoflex10 API base.
pub const AUTOFLEX_API: &str = "https://api.autoflex.example/webservice_v2";
/// The stand-in's SNS topic.
pub const SNS_TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:demo-orders";
/// The body size the `oversized` cases declare (twice the default limit).
pub const OVERSIZED_BYTES: usize = 2 * 1024 * 1024;

/// What a case should produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// 2xx, and the handler ran.
    Delivered,
    /// 2xx without the handler running (a replay acknowledged as a duplicate).
    Duplicate,
    /// This status and stable reason, and the handler did not run.
    Rejected(u16, &'static str),
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Delivered => f.write_str("delivered"),
            Self::Duplicate => f.write_str("duplicate"),
            Self::Rejected(status, reason) => write!(f, "{status} {reason}"),
        }
    }
}

/// One request to send, and what it should produce.
#[derive(Clone, Debug)]
pub struct Case {
    /// The provider's name, as in [`crate::Received::provider`].
    pub provider: &'static str,
    /// `genuine`, `forged`, `replay` or `oversized`.
    pub name: &'static str,
    /// The exact bytes of the HTTP/1.1 request (`Connection: close`).
    pub raw: Vec<u8>,
    /// The expected outcome.
    pub expected: Expected,
}

/// The providers' side of the demo and the example tests.
#[derive(Debug)]
pub struct StandIn {
    /// A receiver configuration matching the stand-in's secrets, issuers and topics.
    pub config: ReceiverConfig,
    net: TableFetch,
    standard: StandardSigner,
    ricloud: RicloudSigner,
    shipmondo: ShipmondoSigner,
    avaplace: AvaplaceSigner,
    sns: SnsSigner,
}

impl StandIn {
    /// A stand-in with every provider enabled.
    ///
    /// # Errors
    /// Never with the built-in constants; kept for the signers' fallible constructors.
    pub fn new() -> Result<Self, ConfigError> {
        let net = TableFetch::new();
        let avaplace = AvaplaceSigner::new(AVAPLACE_ISSUER)?;
        avaplace.serve(&net);
        let sns = SnsSigner::new("us-east-1")?;
        sns.serve(&net);
        let text = format!(
            "listen = \"127.0.0.1:0\"\n\
             [standard]\nsecret = \"{STANDARD_SECRET}\"\n\
             [ricloud]\nsecret = \"{RICLOUD_SECRET}\"\n\
             [shipmondo]\nkey = \"{SHIPMONDO_KEY}\"\n\
             [avaplace]\nissuer = \"{AVAPLACE_ISSUER}\"\nsecurity_code = \"{AVAPLACE_SECURITY_CODE}\"\n\
             [autoflex]\napi_base = \"{AUTOFLEX_API}\"\ntoken = \"demo-api-token\"\n\
             [sns]\ntopic_arns = [\"{SNS_TOPIC}\"]\nauto_confirm = true\n"
        );
        let config = ReceiverConfig::from_toml_str(&text, |_| None)
            .map_err(|error| ConfigError::new(error.to_string()))?;
        Ok(Self {
            config,
            net,
            standard: StandardSigner::new(STANDARD_SECRET)?,
            ricloud: RicloudSigner::new(RICLOUD_SECRET),
            shipmondo: ShipmondoSigner::new(SHIPMONDO_KEY),
            avaplace,
            sns,
        })
    }

    /// The SNS signing certificate's URL and PEM text (for `webhook verify --document`).
    #[must_use]
    pub fn sns_certificate(&self) -> (String, &'static str) {
        (self.sns.cert_url(), self.sns.cert_pem())
    }

    /// The in-process network the receiver's layers must fetch through.
    #[must_use]
    pub fn fetch(&self) -> Arc<dyn Fetch> {
        Arc::new(StandInNet(self.net.clone()))
    }

    /// How many documents the receiver fetched so far.
    #[must_use]
    pub fn fetch_count(&self) -> usize {
        self.net.call_count()
    }

    /// Genuine, forged, replayed and oversized requests for every provider, signed at `now`
    /// (Unix seconds). Each call makes new ids, so cases from two calls do not collide.
    ///
    /// # Errors
    /// A request could not be built (never with the built-in constants).
    pub fn cases(&self, now: i64) -> Result<Vec<Case>, http::Error> {
        let tag = unique_tag();
        let mut cases = Vec::new();
        cases.extend(self.standard_cases(now, &tag)?);
        cases.extend(self.ricloud_cases(now, &tag)?);
        cases.extend(self.shipmondo_cases(&tag)?);
        cases.extend(self.avaplace_cases(now, &tag)?);
        cases.extend(self.autoflex_cases(&tag)?);
        cases.extend(self.sns_cases(now, &tag)?);
        Ok(cases)
    }

    fn standard_cases(&self, now: i64, tag: &str) -> Result<Vec<Case>, http::Error> {
        let body = format!(r#"{{"type":"invoice.paid","data":{{"id":"inv_{tag}"}}}}"#);
        let genuine = self
            .standard
            .request(routes::STANDARD, &format!("msg_{tag}"), now, body)?;
        let forged = tamper_body(&genuine, b"invoice.paid", b"invoice.void");
        Ok(four(
            "standard",
            &genuine,
            &forged,
            (401, "signature_mismatch"),
        ))
    }

    fn ricloud_cases(&self, now: i64, tag: &str) -> Result<Vec<Case>, http::Error> {
        let body =
            format!(r#"{{"id":"ev-{tag}","resource":"event","type":"task","action":"succeeded"}}"#);
        let timestamp = u64::try_from(now).unwrap_or_default();
        let genuine = self.ricloud.request(routes::RICLOUD, timestamp, body)?;
        let forged = tamper_body(&genuine, b"succeeded", b"failed!!!");
        Ok(four(
            "ricloud",
            &genuine,
            &forged,
            (401, "signature_mismatch"),
        ))
    }

    fn shipmondo_cases(&self, tag: &str) -> Result<Vec<Case>, http::Error> {
        let claims = json!({"webhook": format!("shipment_created_{tag}"), "data": {"id": 42}});
        let json_post = |body: String| {
            Request::post(routes::SHIPMONDO)
                .header("content-type", "application/json")
                .body(Bytes::from(body))
        };
        let genuine = json_post(self.shipmondo.body(&claims, ClaimEncoding::Object))?;
        let impostor = ShipmondoSigner::new("a-guessed-key");
        let forged = json_post(impostor.body(&claims, ClaimEncoding::Object))?;
        Ok(four(
            "shipmondo",
            &genuine,
            &forged,
            (401, "signature_mismatch"),
        ))
    }

    fn avaplace_cases(&self, now: i64, tag: &str) -> Result<Vec<Case>, http::Error> {
        let uri = format!(
            "{}ASOL.PlatformStore.OrderReleased/OrderReleased/{}",
            routes::AVAPLACE_PREFIX,
            uuid_from(tag)
        );
        let claims = self.avaplace.claims(now);
        let body = r#"{"orderId":"ord-1","status":"released"}"#;
        let genuine = self
            .avaplace
            .request(&uri, &claims, AVAPLACE_SECURITY_CODE, body)?;
        let mut forged_claims: Value = claims.clone();
        if let Some(object) = forged_claims.as_object_mut() {
            object.insert("tid".to_owned(), json!("ASOLEU-ATTACKER"));
        }
        let mut forged = genuine.clone();
        // The attacker swaps in its own claims but cannot re-sign them.
        let token = self.avaplace.token(&forged_claims);
        let genuine_token = self.avaplace.token(&claims);
        let spliced = match (token.rsplit_once('.'), genuine_token.rsplit_once('.')) {
            (Some((input, _)), Some((_, signature))) => format!("Bearer {input}.{signature}"),
            _ => String::new(),
        };
        if let Ok(value) = http::HeaderValue::from_str(&spliced) {
            forged
                .headers_mut()
                .insert(http::header::AUTHORIZATION, value);
        }
        if let Ok(value) = http::HeaderValue::from_str("ASOLEU-ATTACKER") {
            forged.headers_mut().insert("x-tenant-id", value);
        }
        Ok(four(
            "avaplace",
            &genuine,
            &forged,
            (401, "signature_mismatch"),
        ))
    }

    /// Makes the stand-in Autoflex10 API hold a payload for callback `id` (as after a job
    /// finished), so a callback with it is delivered.
    pub fn issue_autoflex_callback(&self, id: &str) {
        let payload =
            json!({"data": {"url": format!("https://download.autoflex.example/{id}.zip")}});
        self.net.set(
            format!("{AUTOFLEX_API}/webhook?id={id}"),
            TableResponse::ok(payload.to_string()),
        );
    }

    fn autoflex_cases(&self, tag: &str) -> Result<Vec<Case>, http::Error> {
        let id = uuid_from(tag);
        self.issue_autoflex_callback(&id);
        let callback =
            |id: &str| Request::get(format!("{}?id={id}", routes::AUTOFLEX)).body(Bytes::new());
        let genuine = callback(&id)?;
        let forged = callback(&uuid_from(&format!("{tag}-guess")))?;
        Ok(four(
            "autoflex",
            &genuine,
            &forged,
            (404, "unknown_callback"),
        ))
    }

    fn sns_cases(&self, now: i64, tag: &str) -> Result<Vec<Case>, http::Error> {
        let message = r#"{"order":"o-1","status":"shipped"}"#;
        let body = self.sns.notification(
            SNS_TOPIC,
            &uuid_from(tag),
            Some("order"),
            message,
            &webhook::format_rfc3339_utc(now),
        );
        let post = |body: String| {
            Request::post(routes::SNS)
                .header("x-amz-sns-message-type", "Notification")
                .header("content-type", "text/plain; charset=UTF-8")
                .body(Bytes::from(body))
        };
        let forged = body.replace("shipped", "refunded");
        Ok(four(
            "sns",
            &post(body)?,
            &post(forged)?,
            (401, "signature_mismatch"),
        ))
    }
}

/// The stand-in's network: the table of served documents, and the Autoflex10 API answering
/// 404 for every callback id it did not issue.
#[derive(Debug)]
struct StandInNet(TableFetch);

impl Fetch for StandInNet {
    fn fetch(&self, request: FetchRequest) -> BoxFuture<'_, Result<FetchResponse, FetchError>> {
        let unknown_callback = request
            .url()
            .starts_with(&format!("{AUTOFLEX_API}/webhook?"));
        let answer = self.0.fetch(request);
        Box::pin(async move {
            match answer.await {
                Err(FetchError::Unreachable) if unknown_callback => Ok(FetchResponse {
                    status: http::StatusCode::NOT_FOUND,
                    headers: http::HeaderMap::new(),
                    body: Bytes::from_static(b"{}"),
                }),
                other => other,
            }
        })
    }
}

fn four(
    provider: &'static str,
    genuine: &Request<Bytes>,
    forged: &Request<Bytes>,
    forged_rejection: (u16, &'static str),
) -> Vec<Case> {
    let (status, reason) = forged_rejection;
    let case = |name, raw, expected| Case {
        provider,
        name,
        raw,
        expected,
    };
    vec![
        case("genuine", to_raw(genuine, None), Expected::Delivered),
        case(
            "forged",
            to_raw(forged, None),
            Expected::Rejected(status, reason),
        ),
        case("replay", to_raw(genuine, None), Expected::Duplicate),
        case(
            "oversized",
            to_raw(genuine, Some(OVERSIZED_BYTES)),
            Expected::Rejected(413, "body_too_large"),
        ),
    ]
}

fn tamper_body(request: &Request<Bytes>, from: &[u8], to: &[u8]) -> Request<Bytes> {
    let mut forged = request.clone();
    let body = request.body();
    let at = body.windows(from.len()).position(|window| window == from);
    if let Some((head, tail)) =
        at.and_then(|at| Some((body.get(..at)?, body.get(at + from.len()..)?)))
    {
        *forged.body_mut() = Bytes::from([head, to, tail].concat());
    }
    forged
}

/// Serialises a request as HTTP/1.1 with `Connection: close`. With `declared_length`, only
/// the head is written, announcing that many body bytes (a sender about to upload too much:
/// the receiver must refuse before reading).
#[must_use]
pub fn to_raw(request: &Request<Bytes>, declared_length: Option<usize>) -> Vec<u8> {
    let target = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let mut raw = format!(
        "{} {target} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n",
        request.method()
    )
    .into_bytes();
    for (name, value) in request.headers() {
        raw.extend_from_slice(name.as_str().as_bytes());
        raw.extend_from_slice(b": ");
        raw.extend_from_slice(value.as_bytes());
        raw.extend_from_slice(b"\r\n");
    }
    let length = declared_length.unwrap_or(request.body().len());
    if length > 0 || request.method() == http::Method::POST {
        raw.extend_from_slice(format!("content-length: {length}\r\n").as_bytes());
    }
    raw.extend_from_slice(b"\r\n");
    if declared_length.is_none() {
        raw.extend_from_slice(request.body());
    }
    raw
}

/// What the receiver answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The stable reason of a rejection (`{"reason": …}` in the body), if any.
    pub reason: Option<String>,
    /// The raw response body.
    pub body: Vec<u8>,
}

/// Sends `raw` to `addr` and reads the whole answer (the request says `Connection: close`).
///
/// # Errors
/// Connecting, writing or reading failed, or the answer is not HTTP/1.1.
pub async fn send(addr: SocketAddr, raw: &[u8]) -> std::io::Result<Answer> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream.write_all(raw).await?;
    let mut response = Vec::new();
    let read = stream.read_to_end(&mut response);
    tokio::time::timeout(std::time::Duration::from_secs(10), read)
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer in 10 s"))??;
    parse_answer(&response).ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidData, "not an HTTP/1.1 answer")
    })
}

fn parse_answer(response: &[u8]) -> Option<Answer> {
    let head_end = response.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(response.get(..head_end)?).ok()?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let mut body = response.get(head_end + 4..)?.to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body)?;
    }
    let reason = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|value| value.get("reason")?.as_str().map(str::to_owned));
    Some(Answer {
        status,
        reason,
        body,
    })
}

fn dechunk(mut chunked: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = chunked.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(chunked.get(..line_end)?).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(chunked.get(line_end + 2..line_end + 2 + size)?);
        chunked = chunked.get(line_end + 4 + size..)?;
    }
}

/// A tag unique within the process and across runs (ids must not collide with a previous
/// run's against a long-lived receiver).
fn unique_tag() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut random = [0u8; 6];
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut random);
    let hex: String = random.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("{hex}{:04x}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A canonical lowercase UUID (version 4 layout) derived from `text` with SHA-256.
fn uuid_from(text: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(digest.as_ref().get(..16).unwrap_or(&[0; 16]));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    let part = |range: std::ops::Range<usize>| hex.get(range).unwrap_or("");
    format!(
        "{}-{}-{}-{}-{}",
        part(0..8),
        part(8..12),
        part(12..16),
        part(16..20),
        part(20..32)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_canonical_and_distinct() {
        let (a, b) = (uuid_from("a"), uuid_from("b"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(a.chars().nth(14), Some('4'));
    }

    #[test]
    fn chunked_answers_are_decoded() {
        let raw = b"HTTP/1.1 401 Unauthorized\r\ntransfer-encoding: chunked\r\n\r\n5\r\n{\"rea\r\nb\r\nson\":\"x_y\"}\r\n0\r\n\r\n";
        let answer = parse_answer(raw).unwrap();
        assert_eq!(answer.status, 401);
        assert_eq!(answer.reason.as_deref(), Some("x_y"));
    }

    #[test]
    fn oversized_requests_declare_but_do_not_carry_the_body() {
        let request = Request::post("/x").body(Bytes::from_static(b"{}")).unwrap();
        let raw = String::from_utf8(to_raw(&request, Some(OVERSIZED_BYTES))).unwrap();
        assert!(raw.ends_with(&format!("content-length: {OVERSIZED_BYTES}\r\n\r\n")));
    }
}

/// A case after it was sent: what came back, and whether that is what was expected.
#[derive(Clone, Debug)]
pub struct Played {
    /// The case.
    pub case: Case,
    /// The receiver's answer.
    pub answer: Answer,
    /// Whether the handler received an event for this request.
    pub delivered: bool,
}

impl Played {
    /// What actually happened, in the vocabulary of [`Expected`].
    #[must_use]
    pub fn observed(&self) -> String {
        match (&self.answer.reason, self.delivered) {
            (_, true) if (200..300).contains(&self.answer.status) => "delivered".to_owned(),
            (None, false) if (200..300).contains(&self.answer.status) => "duplicate".to_owned(),
            (reason, _) => {
                format!(
                    "{} {}",
                    self.answer.status,
                    reason.as_deref().unwrap_or("(no reason)")
                )
            }
        }
    }

    /// Whether the observed outcome is the expected one.
    #[must_use]
    pub fn as_expected(&self) -> bool {
        self.observed() == self.case.expected.to_string()
    }
}

/// Sends each case in order to `addr` and tells, from `inbox`, whether its handler ran.
///
/// # Errors
/// A request could not be sent or its answer read.
pub async fn play(
    addr: SocketAddr,
    inbox: &crate::Inbox,
    cases: Vec<Case>,
) -> std::io::Result<Vec<Played>> {
    let mut played = Vec::with_capacity(cases.len());
    for case in cases {
        let before = inbox.count(case.provider);
        let answer = send(addr, &case.raw).await?;
        let delivered = inbox.count(case.provider) > before;
        played.push(Played {
            case,
            answer,
            delivered,
        });
    }
    Ok(played)
}

/// The cases that did not go as expected, one readable line each (empty when all did).
#[must_use]
pub fn unexpected(played: &[Played]) -> Vec<String> {
    played
        .iter()
        .filter(|outcome| !outcome.as_expected())
        .map(|outcome| {
            format!(
                "{} {}: expected {}, got {}",
                outcome.case.provider,
                outcome.case.name,
                outcome.case.expected,
                outcome.observed()
            )
        })
        .collect()
}

/// What [`exercise`] observed.
#[derive(Debug)]
pub struct Exercise {
    /// Every case, in order, with its answer.
    pub played: Vec<Played>,
    /// How many events the handlers received.
    pub delivered: usize,
    /// How many documents the receiver fetched from the stand-in.
    pub fetches: usize,
    /// The status of a request to a path no provider is mounted on.
    pub stray_status: u16,
    /// Whether the port refused connections once the server returned after shutdown.
    pub closed_after_shutdown: bool,
}

/// Starts a receiver with `serve` (the same closure an example gives
/// [`launch`](crate::launch::launch)) on a loopback port, configured for a fresh [`StandIn`],
/// plays every case over real HTTP, sends one request to an unknown path, then shuts the
/// server down gracefully and waits for it.
///
/// # Errors
/// Binding, sending, or the server itself failed.
pub async fn exercise<F, Fut>(
    serve: F,
) -> Result<Exercise, Box<dyn std::error::Error + Send + Sync>>
where
    F: FnOnce(
        tokio::net::TcpListener,
        crate::ProviderLayers,
        crate::Inbox,
        crate::launch::Shutdown,
    ) -> Fut,
    Fut: std::future::Future<Output = std::io::Result<()>> + Send + 'static,
{
    let stand_in = StandIn::new()?;
    let inbox = crate::Inbox::default();
    let layers = crate::ProviderLayers::build(&stand_in.config, Some(&stand_in.fetch()))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let shutdown: crate::launch::Shutdown = Box::pin(async {
        let _ = stopped.await;
    });
    let server = tokio::spawn(serve(listener, layers, inbox.clone(), shutdown));

    let now = webhook::unix_seconds(webhook::Clock::now(&webhook::SystemClock));
    let played = play(addr, &inbox, stand_in.cases(now)?).await?;
    let stray = Request::post("/webhooks/nowhere").body(Bytes::from_static(b"{}"))?;
    let stray_status = send(addr, &to_raw(&stray, None)).await?.status;

    let _ = stop.send(());
    server.await??;
    let closed_after_shutdown = tokio::net::TcpStream::connect(addr).await.is_err();
    Ok(Exercise {
        played,
        delivered: inbox.snapshot().len(),
        fetches: stand_in.fetch_count(),
        stray_status,
        closed_after_shutdown,
    })
}
