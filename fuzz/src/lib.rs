//! Fuzz harness: runs raw request bytes through a provider's real layer, in a world (config,
//! fixed clock, in-process remote) taken from one of the project's conformance vectors.
//!
//! Input format of the adapter targets (also the seed format, see `seeds/`):
//! byte 0 picks the vector case (index modulo the number of cases); the rest is
//! `METHOD URI\n` then `name: value\n` header lines, an empty line, and the body bytes.
//!
//! Properties checked on every input: no panic (libFuzzer reports it), the inner service is
//! never called when the layer rejects, and the layer never answers 500.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use serde_json::Value;
use tower::{Layer, Service, ServiceExt};
use webhook_core::{
    FixedClock, MemoryReplayStore, Rejection, ResponseBody, TableFetch, TableResponse, VerifiedBody,
};

/// One conformance case's world.
#[derive(Debug, Clone)]
pub struct World {
    /// The case's `config` object.
    pub config: Value,
    /// The case's `now`, in Unix seconds.
    pub now: u64,
    /// The in-process remote: URL → status and body.
    pub remote: Vec<(String, u16, Bytes)>,
}

/// The worlds of every case of a vector file (`cases[*]`).
pub fn worlds(vectors: &str) -> Vec<World> {
    let file: Value = serde_json::from_str(vectors).unwrap_or(Value::Null);
    let cases = file
        .get("cases")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    cases
        .iter()
        .map(|case| World {
            config: case.get("config").cloned().unwrap_or(Value::Null),
            now: case
                .get("now")
                .and_then(Value::as_str)
                .and_then(webhook_core::parse_rfc3339_utc)
                .and_then(|s| u64::try_from(s).ok())
                .unwrap_or(0),
            remote: case
                .get("remote")
                .and_then(Value::as_object)
                .map(|remote| {
                    remote
                        .iter()
                        .map(|(url, answer)| {
                            let status = answer
                                .get("status")
                                .and_then(Value::as_u64)
                                .and_then(|s| u16::try_from(s).ok())
                                .unwrap_or(200);
                            (url.clone(), status, body_of(answer))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

fn body_of(value: &Value) -> Bytes {
    use base64::Engine;
    if let Some(encoded) = value.get("body_base64").and_then(Value::as_str) {
        return base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map(Bytes::from)
            .unwrap_or_default();
    }
    value
        .get("body")
        .and_then(Value::as_str)
        .map(|s| Bytes::copy_from_slice(s.as_bytes()))
        .unwrap_or_default()
}

/// Parses the target input format into a request; `None` for inputs http refuses to build.
pub fn parse_request(data: &[u8]) -> Option<Request<Full<Bytes>>> {
    let (head, body) = match find(data, b"\n\n") {
        Some(at) => (data.get(..at)?, data.get(at + 2..)?),
        None => (data, &[][..]),
    };
    let mut lines = head.split(|&b| b == b'\n');
    let first = lines.next()?;
    let mut parts = first.splitn(2, |&b| b == b' ');
    let method = Method::from_bytes(parts.next()?).ok()?;
    let uri = std::str::from_utf8(parts.next()?).ok()?;
    let mut request = Request::builder().method(method).uri(uri);
    for line in lines {
        let at = line.iter().position(|&b| b == b':')?;
        let name = HeaderName::from_bytes(line.get(..at)?).ok()?;
        let mut value = line.get(at + 1..)?;
        if value.first() == Some(&b' ') {
            value = value.get(1..)?;
        }
        request = request.header(name, HeaderValue::from_bytes(value).ok()?);
    }
    request.body(Full::new(Bytes::copy_from_slice(body))).ok()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The inner service: counts calls, answers 200.
#[derive(Clone, Debug, Default)]
pub struct Counting(Arc<AtomicUsize>);

impl Service<Request<VerifiedBody>> for Counting {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(
        &mut self,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Infallible>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, _request: Request<VerifiedBody>) -> Self::Future {
        self.0.fetch_add(1, Ordering::SeqCst);
        std::future::ready(Ok(Response::new(Full::new(Bytes::new()))))
    }
}

fn strings(config: &Value, key: &str) -> Vec<String> {
    config
        .get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The adapters, by conformance `provider` name.
#[derive(Clone, Copy, Debug)]
pub enum Adapter {
    /// webhook-standard
    Standard,
    /// webhook-ricloud
    Ricloud,
    /// webhook-shipmondo
    Shipmondo,
    /// webhook-avaplace
    Avaplace,
    /// webhook-autoflex
    Autoflex,
    /// webhook-sns
    Sns,
}

macro_rules! with_world {
    ($layer:expr, $world:expr, $net:expr) => {
        $layer
            .clock(FixedClock::at_unix($world.now))
            .fetcher($net.clone())
            .replay_store(MemoryReplayStore::default())
    };
}

/// Runs one fuzz input through `adapter`, in the world of the case byte 0 picks.
pub fn run(adapter: Adapter, worlds: &[World], data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    if worlds.is_empty() {
        return;
    }
    let Some(world) = worlds.get(usize::from(pick) % worlds.len()) else {
        return;
    };
    run_in(adapter, world, rest);
}

/// Runs one raw request (without the case byte) through `adapter` in `world`.
pub fn run_in(adapter: Adapter, world: &World, raw_request: &[u8]) {
    let Some(request) = parse_request(raw_request) else {
        return;
    };
    let net = TableFetch::new();
    for (url, status, body) in &world.remote {
        let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::OK);
        net.set(url.clone(), TableResponse::status(status, body.clone()));
    }
    let inner = Counting::default();
    let calls = inner.0.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let config = &world.config;
    let response = runtime.block_on(async {
        match adapter {
            Adapter::Standard => {
                let secrets = strings(config, "secrets");
                let Some((first, others)) = secrets.split_first() else {
                    return None;
                };
                let mut layer = webhook_standard::StandardLayer::new(first).ok()?;
                for s in others {
                    layer = layer.secret(s).ok()?;
                }
                if let Some(t) = config.get("tolerance_secs").and_then(Value::as_u64) {
                    layer = layer.tolerance(Duration::from_secs(t));
                }
                drive(with_world!(layer, world, net), inner, request).await
            }
            Adapter::Ricloud => {
                let secrets = strings(config, "secrets");
                let Some((first, others)) = secrets.split_first() else {
                    return None;
                };
                let mut layer = webhook_ricloud::RicloudLayer::new(first).ok()?;
                for s in others {
                    layer = layer.secret(s).ok()?;
                }
                if let Some(t) = config.get("tolerance_secs").and_then(Value::as_u64) {
                    layer = layer.tolerance(Duration::from_secs(t));
                }
                drive(with_world!(layer, world, net), inner, request).await
            }
            Adapter::Shipmondo => {
                let keys = strings(config, "keys");
                let Some((first, others)) = keys.split_first() else {
                    return None;
                };
                let mut layer = webhook_shipmondo::ShipmondoLayer::new(first).ok()?;
                for k in others {
                    layer = layer.key(k).ok()?;
                }
                if let Some(url) = config.get("endpoint_url").and_then(Value::as_str) {
                    layer = layer.endpoint_url(url).ok()?;
                }
                drive(with_world!(layer, world, net), inner, request).await
            }
            Adapter::Avaplace => {
                let issuer = config.get("issuer").and_then(Value::as_str)?;
                let codes = strings(config, "security_codes");
                let Some((first, others)) = codes.split_first() else {
                    return None;
                };
                let mut layer = webhook_avaplace::AvaplaceLayer::new(issuer, first).ok()?;
                for c in others {
                    layer = layer.security_code(c).ok()?;
                }
                if let Some(audience) = config.get("audience").and_then(Value::as_str) {
                    layer = layer.audience(audience);
                }
                for tenant in strings(config, "tenants") {
                    layer = layer.tenant(&tenant);
                }
                drive(with_world!(layer, world, net), inner, request).await
            }
            Adapter::Autoflex => {
                let api_base = config.get("api_base").and_then(Value::as_str)?;
                let token = config.get("token").and_then(Value::as_str)?;
                let mut layer = webhook_autoflex::AutoflexLayer::new(api_base, token).ok()?;
                let pending = strings(config, "pending");
                if !pending.is_empty() {
                    let registry = webhook_autoflex::MemoryPendingCallbacks::new(pending.len());
                    for id in &pending {
                        registry.insert(id, Duration::from_secs(3600));
                    }
                    layer = layer.pending(registry);
                }
                drive(with_world!(layer, world, net), inner, request).await
            }
            Adapter::Sns => {
                let topics = strings(config, "topic_arns");
                let topics: Vec<&str> = topics.iter().map(String::as_str).collect();
                let flag = |key: &str| config.get(key).and_then(Value::as_bool).unwrap_or(false);
                let mut layer = webhook_sns::SnsLayer::new(&topics)
                    .ok()?
                    .auto_confirm(flag("auto_confirm"))
                    .require_signature_version_2(flag("require_signature_version_2"));
                if let Some(t) = config.get("tolerance_secs").and_then(Value::as_u64) {
                    layer = layer.tolerance(Duration::from_secs(t));
                }
                drive(with_world!(layer, world, net), inner, request).await
            }
        }
    });
    let Some((status, rejected)) = response else {
        return;
    };
    let calls = calls.load(Ordering::SeqCst);
    if std::env::var_os("WEBHOOK_FUZZ_DEBUG").is_some() {
        eprintln!("status {status} rejected {rejected} inner calls {calls}");
    }
    assert!(
        !(rejected && calls > 0),
        "rejected with status {status} but the inner service ran"
    );
    assert!(
        calls <= 1,
        "inner service ran {calls} times for one request"
    );
    assert_ne!(status, 500, "the layer answered 500");
}

async fn drive<L>(layer: L, inner: Counting, request: Request<Full<Bytes>>) -> Option<(u16, bool)>
where
    L: Layer<Counting>,
    L::Service: Service<Request<Full<Bytes>>, Response = Response<ResponseBody<Full<Bytes>>>>,
    <L::Service as Service<Request<Full<Bytes>>>>::Error: std::fmt::Debug,
{
    let response = layer.layer(inner).oneshot(request).await.ok()?;
    let rejected = response.extensions().get::<Rejection>().is_some();
    let status = response.status().as_u16();
    let _ = response.into_body().collect().await;
    Some((status, rejected))
}
