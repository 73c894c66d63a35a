//! `cargo xtask fuzz-seeds`: writes the fuzz targets' seed corpora (`fuzz/seeds/<target>/`)
//! from the conformance vectors, in the input formats `fuzz/src/lib.rs` documents.

use std::collections::BTreeSet;
use std::error::Error;
use std::fs;
use std::path::Path;
use std::process::ExitCode;

use base64::Engine;
use serde_json::Value;

use crate::project_root;

/// Named seed files of one target.
type Seeds = Vec<(String, Vec<u8>)>;

/// Adapter targets and their vector files.
const ADAPTERS: &[(&str, &str)] = &[
    ("adapter_standard", "standard-webhooks.json"),
    ("adapter_ricloud", "ricloud.json"),
    ("adapter_shipmondo", "shipmondo.json"),
    ("adapter_avaplace", "avaplace.json"),
    ("adapter_autoflex", "autoflex.json"),
    ("adapter_sns", "sns-aws-2022.json"),
];

pub(crate) fn main() -> Result<ExitCode, Box<dyn Error>> {
    let root = project_root();
    let seeds = root.join("fuzz/seeds");
    let mut json = BTreeSet::new();
    let mut jws = BTreeSet::new();
    let mut clock = BTreeSet::new();
    let mut jwks = BTreeSet::new();
    let mut pem = BTreeSet::new();
    let mut der = BTreeSet::new();
    for (target, file) in ADAPTERS {
        let text = fs::read_to_string(root.join("conformance").join(file))?;
        let vectors: Value = serde_json::from_str(&text)?;
        let mut written = Vec::new();
        for (index, case) in list(&vectors, "cases").iter().enumerate() {
            if let Some(now) = case.get("now").and_then(Value::as_str) {
                clock.insert(now.as_bytes().to_vec());
            }
            for (url, answer) in case
                .get("remote")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let body = body_of(answer);
                if url.ends_with("/jwks") {
                    jwks.insert(body.clone());
                }
                if url.ends_with(".pem") {
                    der.extend(pem_der(&body));
                    pem.insert(body.clone());
                }
                if webhook_core::json::parse_strict(&body).is_ok() {
                    json.insert(body);
                }
            }
            for (step, request) in list(case, "requests").iter().enumerate() {
                let mut seed = vec![u8::try_from(index % 256)?];
                seed.extend_from_slice(&raw_request(request));
                for header in list(request, "headers") {
                    let part = |i: usize| header.get(i).and_then(Value::as_str).unwrap_or("");
                    if part(0).eq_ignore_ascii_case("authorization")
                        && let Some(token) = part(1).split_whitespace().nth(1)
                    {
                        jws.insert(token.as_bytes().to_vec());
                    }
                    if part(0).ends_with("-timestamp") {
                        clock.insert(part(1).as_bytes().to_vec());
                    }
                }
                let body = body_of(request);
                if let Ok(Value::Object(object)) = webhook_core::json::parse_strict(&body) {
                    if let Some(Value::String(token)) = object.get("data") {
                        jws.insert(token.as_bytes().to_vec());
                    }
                    json.insert(body);
                }
                written.push((format!("case-{index:03}-{step}"), seed));
            }
        }
        write_dir(&seeds.join(target), written)?;
    }
    write_dir(
        &seeds.join("adapter_providers"),
        provider_seeds(&root.join("conformance/vectors"))?,
    )?;
    let numbered = |set: BTreeSet<Vec<u8>>| -> Vec<(String, Vec<u8>)> {
        set.into_iter()
            .enumerate()
            .map(|(i, seed)| (format!("seed-{i:03}"), seed))
            .collect()
    };
    write_dir(&seeds.join("parser_json"), numbered(json))?;
    write_dir(&seeds.join("parser_jws"), numbered(jws))?;
    write_dir(&seeds.join("parser_clock"), numbered(clock))?;
    write_dir(&seeds.join("parser_jwks"), numbered(jwks))?;
    write_dir(&seeds.join("parser_sns_certificate"), numbered(pem))?;
    write_dir(&seeds.join("parser_der"), numbered(der))?;
    println!("wrote seeds under {}", seeds.display());
    Ok(ExitCode::SUCCESS)
}

/// `adapter_providers` seeds: every request of every case of `dir/*.json` (files with cases,
/// in name order), prefixed with the file's and the case's index.
fn provider_seeds(dir: &Path) -> Result<Seeds, Box<dyn Error>> {
    let mut files: Vec<_> = fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    let mut written = Vec::new();
    let mut file_index = 0u8;
    for path in files {
        let vectors: Value = serde_json::from_str(&fs::read_to_string(&path)?)?;
        let cases = list(&vectors, "cases");
        if cases.is_empty() {
            continue;
        }
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("file");
        for (index, case) in cases.iter().enumerate() {
            for (step, request) in list(case, "requests").iter().enumerate() {
                let mut seed = vec![file_index, u8::try_from(index % 256)?];
                seed.extend_from_slice(&raw_request(request));
                written.push((format!("{stem}-{index:03}-{step}"), seed));
            }
        }
        file_index = file_index
            .checked_add(1)
            .ok_or("more than 256 vector files")?;
    }
    Ok(written)
}

/// A request of a case in the adapter targets' format: `METHOD URI`, header lines, an empty
/// line, the body.
fn raw_request(request: &Value) -> Vec<u8> {
    let method = request
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or("POST");
    let uri = request.get("uri").and_then(Value::as_str).unwrap_or("/");
    let mut raw = format!("{method} {uri}\n").into_bytes();
    for header in list(request, "headers") {
        let part = |i: usize| header.get(i).and_then(Value::as_str).unwrap_or("");
        raw.extend_from_slice(format!("{}: {}\n", part(0), part(1)).as_bytes());
    }
    raw.push(b'\n');
    raw.extend_from_slice(&body_of(request));
    raw
}

fn list<'v>(value: &'v Value, key: &str) -> &'v [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
}

fn body_of(value: &Value) -> Vec<u8> {
    if let Some(encoded) = value.get("body_base64").and_then(Value::as_str) {
        return base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap_or_default();
    }
    value
        .get("body")
        .and_then(Value::as_str)
        .map(|s| s.as_bytes().to_vec())
        .unwrap_or_default()
}

/// The DER of each PEM block in `pem`.
fn pem_der(pem: &[u8]) -> Vec<Vec<u8>> {
    let text = String::from_utf8_lossy(pem);
    text.split("-----BEGIN ")
        .skip(1)
        .filter_map(|block| {
            let body = block.split_once("-----")?.1;
            let body = body.split("-----END").next()?;
            let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            base64::engine::general_purpose::STANDARD.decode(b64).ok()
        })
        .collect()
}

fn write_dir(dir: &Path, seeds: Seeds) -> Result<(), Box<dyn Error>> {
    if dir.exists() {
        fs::remove_dir_all(dir)?;
    }
    fs::create_dir_all(dir)?;
    for (name, seed) in seeds {
        fs::write(dir.join(name), seed)?;
    }
    Ok(())
}
