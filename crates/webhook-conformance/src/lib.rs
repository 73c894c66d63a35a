//! Runs the JSON conformance vectors (format: `conformance/FORMAT.md`) through the real
//! provider layers: the engine of `cargo xtask conformance`, and the case worlds and layer
//! builders the fuzz targets reuse (`fuzz/src/lib.rs`). Not published.
//!
//! ```
//! let vectors = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance");
//! let summary = webhook_conformance::run_dirs(&[vectors])?;
//! assert!(summary.failures.is_empty(), "{:?}", summary.failures);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::error::Error;
use std::path::{Path, PathBuf};

use base64::Engine;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Request, StatusCode};
use http_body_util::Full;
use serde::Deserialize;
use serde_json::Value;
use tower::ServiceExt;
use webhook_core::{FixedClock, MemoryReplayStore, Outcome, TableFetch, TableResponse};

mod harness;
mod providers;

pub use harness::{CaseService, Observed, Recorder, RecordingService, World};
pub use providers::build;

/// Outcome of a run: passed count and one line per failing case or unparsable file.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Summary {
    /// Cases whose every request met its expectation.
    pub passed: usize,
    /// `FAIL <case id>: <why>`, one per failing case or unparsable file.
    pub failures: Vec<String>,
}

/// Runs every `*.json` vector file of `dirs` (each directory's files in name order).
///
/// # Errors
/// A directory that cannot be read, or no runtime.
pub fn run_dirs(dirs: &[PathBuf]) -> Result<Summary, Box<dyn Error>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let mut summary = Summary::default();
    for dir in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        files.sort();
        for file in files {
            run_file(&runtime, &file, &mut summary);
        }
    }
    Ok(summary)
}

fn run_file(runtime: &tokio::runtime::Runtime, path: &Path, summary: &mut Summary) {
    let parsed = std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str::<VectorFile>(&text).map_err(|e| e.to_string()));
    match parsed {
        Ok(file) => {
            for case in file.cases {
                match runtime.block_on(run_case(&case)) {
                    Ok(()) => summary.passed += 1,
                    Err(why) => summary.failures.push(format!("FAIL {}: {why}", case.id)),
                }
            }
        }
        Err(why) => summary
            .failures
            .push(format!("FAIL {}: unparsable file: {why}", path.display())),
    }
}

/// One vector file: `{"cases": [...]}`.
#[derive(Debug, Deserialize)]
#[non_exhaustive]
pub struct VectorFile {
    /// Its cases, in file order.
    pub cases: Vec<Case>,
}

/// One case: a provider configured in a world, and requests with their expectations.
#[derive(Debug, Deserialize)]
#[non_exhaustive]
pub struct Case {
    /// Unique id, e.g. `standard-001`.
    pub id: String,
    /// Which layer: a key of [`build`].
    pub provider: String,
    now: String,
    /// The provider's configuration (see each provider module's docs).
    #[serde(default)]
    pub config: Value,
    #[serde(default)]
    remote: BTreeMap<String, Remote>,
    requests: Vec<CaseRequest>,
}

#[derive(Debug, Deserialize)]
struct Remote {
    status: u16,
    #[serde(default)]
    headers: Vec<(String, String)>,
    body: Option<String>,
    body_base64: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CaseRequest {
    method: String,
    uri: String,
    #[serde(default)]
    headers: Vec<(String, String)>,
    body: Option<String>,
    body_base64: Option<String>,
    inner_status: Option<u16>,
    expect: Expect,
}

#[derive(Debug, Deserialize)]
struct Expect {
    verdict: String,
    status: u16,
    reason: Option<String>,
    event: Option<serde_json::Map<String, Value>>,
    remote_calls: Option<Vec<String>>,
    body: Option<String>,
}

impl Case {
    /// The URLs the case's in-process remote answers.
    pub fn remote_urls(&self) -> impl Iterator<Item = &str> {
        self.remote.keys().map(String::as_str)
    }

    /// The case's world: its clock, its in-process remote, a fresh replay store, its body
    /// limit and a recorder answering 200.
    ///
    /// # Errors
    /// A malformed `now`, remote answer or `config.body_limit`.
    pub fn world(&self) -> Result<World, String> {
        let now = parse_rfc3339(&self.now).ok_or_else(|| format!("bad `now`: {}", self.now))?;
        let net = TableFetch::new();
        for (url, remote) in &self.remote {
            let mut answer = TableResponse::status(
                StatusCode::from_u16(remote.status).map_err(|e| e.to_string())?,
                decode_body(remote.body.as_deref(), remote.body_base64.as_deref())?,
            );
            for (name, value) in &remote.headers {
                answer
                    .headers
                    .append(header_name(name)?, header_value(value)?);
            }
            net.set(url.clone(), answer);
        }
        let body_limit = match self.config.get("body_limit") {
            Some(v) => Some(
                v.as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or("config.body_limit must be an integer")?,
            ),
            None => None,
        };
        Ok(World {
            clock: FixedClock::at_unix(now),
            net,
            store: MemoryReplayStore::default(),
            body_limit,
            recorder: Recorder::default(),
        })
    }
}

async fn run_case(case: &Case) -> Result<(), String> {
    let world = case.world()?;
    let service = providers::build(&case.provider, &case.config, &world)?;
    for (index, step) in case.requests.iter().enumerate() {
        let at = |why: String| format!("request {index}: {why}");
        world.recorder.set_status(step.inner_status.unwrap_or(200));
        let request = build_request(step).map_err(at)?;
        let observed = service
            .clone()
            .oneshot(request)
            .await
            .map_err(|e| at(format!("{e:?}")))?;
        let events = world.recorder.take_events();
        let calls = world.net.take_calls();
        check(&step.expect, &observed, &events, calls).map_err(at)?;
    }
    Ok(())
}

fn check(
    expect: &Expect,
    observed: &Observed,
    events: &[Option<Value>],
    mut calls: Vec<String>,
) -> Result<(), String> {
    let reason = observed.rejection.as_ref().map(|r| r.reason().as_str());
    if observed.status != expect.status {
        return Err(format!(
            "status {} (reason {reason:?}), expected {}",
            observed.status, expect.status
        ));
    }
    match expect.verdict.as_str() {
        "accept" => {
            if events.len() != 1 {
                return Err(format!(
                    "verdict accept: inner service called {} times (reason {reason:?})",
                    events.len()
                ));
            }
        }
        "reject" => {
            if !events.is_empty() {
                return Err("verdict reject: the inner service was called".into());
            }
            if reason != expect.reason.as_deref() {
                return Err(format!("reason {reason:?}, expected {:?}", expect.reason));
            }
        }
        "duplicate" => {
            if !events.is_empty() || observed.outcome != Some(Outcome::Duplicate) {
                return Err(format!(
                    "verdict duplicate: outcome {:?}, inner calls {}",
                    observed.outcome,
                    events.len()
                ));
            }
        }
        "respond" => {
            if !events.is_empty() || observed.outcome != Some(Outcome::Answered) {
                return Err(format!(
                    "verdict respond: outcome {:?}, inner calls {}",
                    observed.outcome,
                    events.len()
                ));
            }
        }
        other => return Err(format!("unknown verdict `{other}`")),
    }
    if expect.verdict != "reject" && reason.is_some() {
        return Err(format!("unexpected rejection {reason:?}"));
    }
    if let Some(expected) = &expect.body
        && observed.body.as_ref() != expected.as_bytes()
    {
        return Err(format!(
            "body {:?}, expected {expected:?}",
            String::from_utf8_lossy(&observed.body)
        ));
    }
    if let Some(expected) = &expect.event {
        let event = events
            .first()
            .cloned()
            .flatten()
            .ok_or("no event in the request extensions")?;
        for (key, value) in expected {
            if event.get(key) != Some(value) {
                return Err(format!(
                    "event.{key} is {:?}, expected {value}",
                    event.get(key)
                ));
            }
        }
    }
    if let Some(expected) = &expect.remote_calls {
        let mut expected = expected.clone();
        expected.sort();
        calls.sort();
        if calls != expected {
            return Err(format!("remote calls {calls:?}, expected {expected:?}"));
        }
    }
    Ok(())
}

fn build_request(step: &CaseRequest) -> Result<Request<Full<Bytes>>, String> {
    let mut request = Request::builder()
        .method(step.method.as_str())
        .uri(step.uri.as_str());
    for (name, value) in &step.headers {
        request = request.header(header_name(name)?, header_value(value)?);
    }
    let body = decode_body(step.body.as_deref(), step.body_base64.as_deref())?;
    request.body(Full::new(body)).map_err(|e| e.to_string())
}

fn decode_body(text: Option<&str>, base64: Option<&str>) -> Result<Bytes, String> {
    match (text, base64) {
        (_, Some(encoded)) => base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map(Bytes::from)
            .map_err(|e| format!("body_base64: {e}")),
        (Some(text), None) => Ok(Bytes::copy_from_slice(text.as_bytes())),
        (None, None) => Ok(Bytes::new()),
    }
}

fn header_name(name: &str) -> Result<HeaderName, String> {
    HeaderName::from_bytes(name.as_bytes()).map_err(|e| format!("header name {name:?}: {e}"))
}

fn header_value(value: &str) -> Result<HeaderValue, String> {
    HeaderValue::from_bytes(value.as_bytes()).map_err(|e| format!("header value: {e}"))
}

fn parse_rfc3339(text: &str) -> Option<u64> {
    webhook_core::parse_rfc3339_utc(text).and_then(|secs| u64::try_from(secs).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project_root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    #[test]
    fn project_vectors_all_pass() {
        let root = project_root().join("conformance");
        let summary = run_dirs(&[root.clone(), root.join("vectors")]).unwrap();
        assert!(summary.failures.is_empty(), "{:#?}", summary.failures);
        // The seed vectors of `conformance/` and the provider vectors of `conformance/vectors/`.
        assert!(summary.passed >= 400, "only {} cases ran", summary.passed);
    }

    #[test]
    fn a_wrong_expectation_fails_the_run() {
        let dir = std::env::temp_dir().join(format!("xtask-wrong-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let original =
            std::fs::read_to_string(project_root().join("conformance/standard-webhooks.json"))
                .unwrap();
        let mut file: Value = serde_json::from_str(&original).unwrap();
        // The published vector is genuine: expecting a rejection must fail.
        file["cases"][0]["requests"][0]["expect"] =
            serde_json::json!({"verdict": "reject", "status": 401, "reason": "signature_mismatch"});
        file["cases"] = Value::Array(vec![file["cases"][0].clone()]);
        std::fs::write(dir.join("wrong.json"), file.to_string()).unwrap();
        let summary = run_dirs(std::slice::from_ref(&dir)).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            (summary.passed, summary.failures.len()),
            (0, 1),
            "{:?}",
            summary.failures
        );
    }

    #[test]
    fn unknown_provider_and_unparsable_file_are_failures() {
        let dir = std::env::temp_dir().join(format!("xtask-unknown-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.json"), r#"{"cases":[{"id":"x","provider":"nope","now":"2026-01-01T00:00:00Z","requests":[]}]}"#).unwrap();
        std::fs::write(dir.join("b.json"), "{ not json").unwrap();
        let summary = run_dirs(std::slice::from_ref(&dir)).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(summary.failures.len(), 2, "{:?}", summary.failures);
    }

    #[test]
    fn rfc3339_parses_utc_instants() {
        assert_eq!(parse_rfc3339("2021-02-25T15:02:10Z"), Some(1_614_265_330));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2026-11-22T10:00:00.5+00:00"),
            Some(1_795_341_600)
        );
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
