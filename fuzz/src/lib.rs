//! Fuzz harness: runs raw request bytes through a provider's real layer, in the world of one of
//! the project's conformance cases (its config, a fixed clock at its `now`, its remote served
//! in-process, a fresh replay store), built by `webhook-conformance` exactly as
//! `cargo xtask conformance` builds it.
//!
//! Input format of the adapter targets (also the seed format, see `seeds/`): byte 0 picks the
//! case (index modulo the number of cases); the rest is `METHOD URI\n` then `name: value\n`
//! header lines, an empty line, and the body bytes. `adapter_providers` has one more leading
//! byte: byte 0 picks the vector file of `conformance/vectors/` (name order, modulo their
//! number), byte 1 the case in it.
//!
//! Properties checked on every input: no panic (libFuzzer reports it), the inner service is
//! never called when the layer rejects and at most once per request, and the layer never
//! answers 500.

use std::path::Path;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Request};
use http_body_util::Full;
use tower::ServiceExt;
pub use webhook_conformance::Case;
use webhook_conformance::{VectorFile, World};

/// The cases of one vector file (none if it does not parse).
pub fn cases(vectors: &str) -> Vec<Case> {
    serde_json::from_str::<VectorFile>(vectors)
        .map(|file| file.cases)
        .unwrap_or_default()
}

/// The cases of every `conformance/vectors/*.json` file, one list per file in name order.
pub fn provider_cases() -> Vec<Vec<Case>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../conformance/vectors");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|path| path.extension().is_some_and(|ext| ext == "json"));
    files.sort();
    files
        .iter()
        .map(|path| cases(&std::fs::read_to_string(path).unwrap_or_default()))
        .filter(|cases| !cases.is_empty())
        .collect()
}

/// Runs one fuzz input (case byte, then the raw request) in the case byte 0 picks.
pub fn run(cases: &[Case], data: &[u8]) {
    let Some((&pick, raw_request)) = data.split_first() else {
        return;
    };
    if let Some(case) = cases.get(usize::from(pick) % cases.len().max(1)) {
        run_in(case, raw_request, |_| {});
    }
}

/// Runs one raw request (without the case byte) through `case`'s layer, after `adjust` changed
/// its world (e.g. to serve the fuzz input as a remote document).
pub fn run_in(case: &Case, raw_request: &[u8], adjust: impl FnOnce(&World)) {
    let Some(request) = parse_request(raw_request) else {
        return;
    };
    let Ok(world) = case.world() else {
        return;
    };
    adjust(&world);
    let Ok(service) = webhook_conformance::build(&case.provider, &case.config, &world) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let Ok(observed) = runtime.block_on(service.oneshot(request));
    let calls = world.recorder.take_events().len();
    let status = observed.status;
    let rejected = observed.rejection.is_some();
    if std::env::var_os("WEBHOOK_FUZZ_DEBUG").is_some() {
        eprintln!("status {status} rejected {rejected} inner calls {calls}");
    }
    assert!(
        !(rejected && calls > 0),
        "rejected with status {status} but the inner service ran"
    );
    assert!(calls <= 1, "inner service ran {calls} times for one request");
    assert_ne!(status, 500, "the layer answered 500");
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
