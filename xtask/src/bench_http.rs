//! `cargo xtask bench-http [--seconds N] [--rounds N]`: the HTTP-level overhead of the layers
//! (PERFORMANCE.md H1, H2, H3), measured on loopback against a no-op axum server in the same run.
//!
//! For each case (H1: `StandardLayer`, 1 KiB; H2: the same, 64 KiB; H3: `AvaplaceLayer`, an
//! RS256 bearer token and a 1 KiB body) and round, the bench server runs once as a no-op handler
//! that reads the body and once with the same handler behind the layer (order alternating
//! between rounds), pinned to CPU 0, while `wrk` (installed with apt-get when missing) drives it
//! from CPU 1 with one signed request replayed: the layer verifies every request and answers
//! the repeats from its replay store. Reported per pair: req/s ratio and server CPU per request
//! (from `/proc/<pid>/stat`); the medians of the paired figures are the result.

use std::error::Error;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use webhook_avaplace::AvaplaceSigner;
use webhook_standard::StandardSigner;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ISSUER: &str = "https://idp.example.com/api/asol/idp";
const SECURITY_CODE: &str = "bench-security-code";
const AVAPLACE_PATH: &str = "/webhooks/avaplace/ASOL.PlatformStore.OrderReleased/OrderReleased/c0eb0000-5dfe-0015-8604-08dbd6ef8bf7";

/// One measured pairing: the layer's server mode and arguments, the path and the wrk script.
pub(crate) struct Case {
    label: &'static str,
    pub(crate) mode: &'static str,
    server_args: Vec<String>,
    path: String,
    pub(crate) replay: Replay,
}

/// One measured run.
#[derive(Clone, Copy, Debug)]
struct Run {
    requests_per_second: f64,
    cpu_micros_per_request: f64,
}

pub(crate) fn main(args: &[String]) -> Result<std::process::ExitCode, Box<dyn Error>> {
    let option = |name: &str, default: u64| -> Result<u64, Box<dyn Error>> {
        match args.iter().position(|arg| arg == name) {
            Some(at) => Ok(args
                .get(at + 1)
                .ok_or(format!("{name} needs a value"))?
                .parse()?),
            None => Ok(default),
        }
    };
    let seconds = option("--seconds", 5)?.clamp(1, 30);
    let rounds = option("--rounds", 3)?.clamp(1, 10);
    ensure_wrk()?;
    let root = crate::project_root();
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--release",
            "--locked",
            "-p",
            "example-axum",
            "--bin",
            "bench-server",
        ])
        .current_dir(&root)
        .status()?;
    if !status.success() {
        return Err("building the bench server failed".into());
    }
    let server = root.join("target/release/bench-server");
    let work = std::env::temp_dir().join(format!("webhook-bench-http-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;

    println!(
        "bench-http: {rounds} rounds × {seconds} s per run, wrk -t1 -c32, server on CPU 0, wrk on CPU 1\n"
    );
    println!(
        "{:<10} {:>5} {:>12} {:>12} {:>9} {:>12} {:>12} {:>11}",
        "case",
        "round",
        "noop req/s",
        "layer req/s",
        "ratio",
        "noop µs/req",
        "layer µs/req",
        "added µs"
    );
    let cases = cases(&work)?;
    let mut noop_rates = Vec::new();
    for case in &cases {
        let label = case.label;
        let mut ratios = Vec::new();
        let mut added = Vec::new();
        for round in 0..rounds {
            let order: [&str; 2] = if round % 2 == 0 {
                ["noop", case.mode]
            } else {
                [case.mode, "noop"]
            };
            let mut noop = None;
            let mut layer = None;
            for mode in order {
                let run = measure(&server, mode, case, seconds)?;
                if mode == "noop" {
                    noop = Some(run)
                } else {
                    layer = Some(run)
                }
            }
            let (Some(noop), Some(layer)) = (noop, layer) else {
                continue;
            };
            let ratio = layer.requests_per_second / noop.requests_per_second;
            let extra = layer.cpu_micros_per_request - noop.cpu_micros_per_request;
            println!(
                "{label:<10} {:>5} {:>12.0} {:>12.0} {ratio:>9.3} {:>12.2} {:>12.2} {extra:>+11.2}",
                round + 1,
                noop.requests_per_second,
                layer.requests_per_second,
                noop.cpu_micros_per_request,
                layer.cpu_micros_per_request,
            );
            ratios.push(ratio);
            added.push(extra);
            if cases.first().is_some_and(|first| std::ptr::eq(case, first)) {
                noop_rates.push(noop.requests_per_second);
            }
        }
        println!(
            "{label:<10} median: req/s ratio {:.3}, added server CPU {:+.2} µs/request\n",
            median(&mut ratios),
            median(&mut added)
        );
    }
    if args.iter().any(|arg| arg == "--latency")
        && let Some(first) = cases.first()
    {
        crate::bench_latency::run(&server, first, median(&mut noop_rates), rounds, seconds)?;
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(std::process::ExitCode::SUCCESS)
}

pub(crate) fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn ensure_wrk() -> Result<(), Box<dyn Error>> {
    if Command::new("wrk")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
    {
        return Ok(());
    }
    eprintln!("bench-http: installing wrk with apt-get");
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let mut install = if root {
        Command::new("apt-get")
    } else {
        let mut c = Command::new("sudo");
        c.arg("apt-get");
        c
    };
    if !install.args(["install", "-y", "wrk"]).status()?.success() {
        return Err("could not install wrk (apt-get install -y wrk)".into());
    }
    Ok(())
}

/// The three cases, their bodies signed now.
fn cases(work: &Path) -> Result<Vec<Case>, Box<dyn Error>> {
    let now = webhook_core::unix_seconds(webhook_core::Clock::now(&webhook_core::SystemClock));
    let standard = StandardSigner::new(SECRET)?;
    let mut cases = Vec::new();
    for (size, label) in [(1024, "H1 1 KiB"), (64 * 1024, "H2 64 KiB")] {
        let body = json_body(size);
        let id = format!("msg_bench_{size}");
        let headers = [
            ("content-type", "application/json".to_owned()),
            ("webhook-id", id.clone()),
            ("webhook-timestamp", now.to_string()),
            (
                "webhook-signature",
                standard.signature(&id, now, body.as_bytes()),
            ),
        ];
        cases.push(Case {
            label,
            mode: "standard",
            server_args: vec!["--secret".into(), SECRET.into()],
            path: "/webhooks/standard".into(),
            replay: write_replay(work, &format!("standard-{size}"), &body, &headers)?,
        });
    }
    let avaplace = AvaplaceSigner::new(ISSUER)?;
    let mut server_args = vec![
        "--issuer".into(),
        ISSUER.into(),
        "--code".into(),
        SECURITY_CODE.into(),
    ];
    for (name, url, document) in [
        ("discovery", avaplace.discovery_url(), avaplace.discovery()),
        ("jwks", avaplace.jwks_uri(), avaplace.jwks()),
    ] {
        let file = work.join(format!("{name}.json"));
        std::fs::write(&file, document)?;
        server_args.push("--document".into());
        server_args.push(format!("{url}={}", file.display()));
    }
    let body = json_body(1024);
    let claims = avaplace.claims(now);
    let request = avaplace.request(AVAPLACE_PATH, &claims, SECURITY_CODE, body.clone())?;
    let headers: Vec<(&str, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| Ok((name.as_str(), value.to_str()?.to_owned())))
        .collect::<Result<_, http::header::ToStrError>>()?;
    cases.push(Case {
        label: "H3 RS256",
        mode: "avaplace",
        server_args,
        path: AVAPLACE_PATH.into(),
        replay: write_replay(work, "avaplace-1024", &body, &headers)?,
    });
    Ok(cases)
}

/// A JSON object of exactly `size` bytes.
fn json_body(size: usize) -> String {
    let prefix = r#"{"type":"bench","data":""#;
    let filler = "x".repeat(size.saturating_sub(prefix.len() + 2));
    format!("{prefix}{filler}\"}}")
}

/// The replayed request as files: the wrk script, and the body and headers it sends.
pub(crate) struct Replay {
    script: PathBuf,
    pub(crate) body: PathBuf,
    pub(crate) headers: Vec<(String, String)>,
}

/// Writes the body of one `POST` with `headers`, and the wrk script that replays it.
fn write_replay(
    dir: &Path,
    name: &str,
    body: &str,
    headers: &[(&str, String)],
) -> Result<Replay, Box<dyn Error>> {
    let body_path = dir.join(format!("{name}.body"));
    std::fs::write(&body_path, body)?;
    let mut script = format!(
        "local f = io.open(\"{}\", \"rb\")\nwrk.body = f:read(\"*a\")\nf:close()\nwrk.method = \"POST\"\n",
        body_path.display()
    );
    for (header, value) in headers {
        script.push_str(&format!("wrk.headers[\"{header}\"] = \"{value}\"\n"));
    }
    let path = dir.join(format!("{name}.lua"));
    std::fs::write(&path, script)?;
    Ok(Replay {
        script: path,
        body: body_path,
        headers: headers
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect(),
    })
}

pub(crate) struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the bench server in `mode` for `case`, pinned to CPU 0; returns it and the URL.
pub(crate) fn start(
    server: &Path,
    mode: &str,
    case: &Case,
) -> Result<(Server, String), Box<dyn Error>> {
    let mut command = Command::new("taskset");
    command.args(["-c", "0"]).arg(server).args(["--mode", mode]);
    if mode != "noop" {
        command.args(&case.server_args);
    }
    let mut child = command.stdout(Stdio::piped()).spawn()?;
    let stdout = child.stdout.take().ok_or("no server stdout")?;
    let server_process = Server(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .ok_or("bench server did not start")?
        .to_owned();
    Ok((server_process, format!("http://{addr}{}", case.path)))
}

fn measure(server: &Path, mode: &str, case: &Case, seconds: u64) -> Result<Run, Box<dyn Error>> {
    let (server_process, url) = start(server, mode, case)?;
    let script = case.replay.script.as_path();
    let pid = server_process.0.id();

    wrk(script, &url, 1)?; // warm-up
    let before = cpu_ticks(pid)?;
    let output = wrk(script, &url, seconds)?;
    let after = cpu_ticks(pid)?;
    drop(server_process);

    if output.contains("Non-2xx or 3xx responses") || output.contains("Socket errors") {
        return Err(format!("{mode}: wrk saw failures:\n{output}").into());
    }
    let requests: f64 = output
        .lines()
        .find(|l| l.contains(" requests in "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("cannot read wrk's request count:\n{output}"))?;
    let requests_per_second: f64 = output
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| format!("cannot read wrk's rate:\n{output}"))?;
    let ticks_per_second = 100.0; // Linux USER_HZ
    let cpu_micros = (after - before) as f64 / ticks_per_second * 1e6;
    Ok(Run {
        requests_per_second,
        cpu_micros_per_request: cpu_micros / requests.max(1.0),
    })
}

fn wrk(script: &Path, url: &str, seconds: u64) -> Result<String, Box<dyn Error>> {
    let output = Command::new("taskset")
        .args(["-c", "1", "wrk", "-t1", "-c32"])
        .arg(format!("-d{seconds}s"))
        .arg("-s")
        .arg(script)
        .arg(url)
        .output()?;
    if !output.status.success() {
        return Err(format!("wrk failed: {}", String::from_utf8_lossy(&output.stderr)).into());
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// User plus system CPU time of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> Result<u64, Box<dyn Error>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let after_name = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .ok_or("bad /proc stat")?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let field = |index: usize| -> Result<u64, Box<dyn Error>> {
        Ok(fields.get(index).ok_or("short /proc stat")?.parse()?)
    };
    Ok(field(11)? + field(12)?)
}
