//! `cargo xtask bench-http --latency`: PERFORMANCE.md H4, the p99 latency of the layer against
//! the no-op server **at the same fixed offered rate**: half the no-op capacity that wrk just
//! measured for H1 (Standard Webhooks, 1 KiB). `oha -q <rate> --latency-correction` (installed
//! with `cargo install --locked oha` when missing) drives the server open-loop from CPU 1, so a
//! slow response delays the measured latency of the requests scheduled behind it instead of
//! slowing the generator down (no coordinated omission). Rounds alternate the order; the result
//! is the median of the paired p99 ratios. A run whose achieved rate falls short of the offered
//! rate by more than 5 % is reported as such: its latencies measure the generator's limit.

use std::error::Error;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::bench_http::{Case, median, start};

/// One open-loop run.
struct Latency {
    p99_ms: f64,
    achieved: f64,
}

pub(crate) fn run(
    server: &Path,
    case: &Case,
    noop_capacity: f64,
    rounds: u64,
    seconds: u64,
) -> Result<(), Box<dyn Error>> {
    ensure_oha()?;
    let rate = (noop_capacity / 2.0).round();
    if !rate.is_finite() || rate < 1.0 {
        return Err("no no-op capacity measured for H4".into());
    }
    println!(
        "H4: p99 at a fixed {rate:.0} req/s (half the no-op capacity above), oha -c32 on CPU 1\n"
    );
    println!(
        "{:<5} {:>12} {:>12} {:>13} {:>13} {:>9}",
        "round", "noop req/s", "layer req/s", "noop p99 ms", "layer p99 ms", "ratio"
    );
    let mut ratios = Vec::new();
    for round in 0..rounds {
        let order = if round % 2 == 0 {
            ["noop", case.mode]
        } else {
            [case.mode, "noop"]
        };
        let mut noop = None;
        let mut layer = None;
        for mode in order {
            let (server_process, url) = start(server, mode, case)?;
            oha(case, &url, rate, 1)?; // warm-up
            let run = oha(case, &url, rate, seconds)?;
            drop(server_process);
            if mode == "noop" {
                noop = Some(run);
            } else {
                layer = Some(run);
            }
        }
        let (Some(noop), Some(layer)) = (noop, layer) else {
            continue;
        };
        let short = |run: &Latency| {
            if run.achieved < 0.95 * rate {
                " (short)"
            } else {
                ""
            }
        };
        let ratio = layer.p99_ms / noop.p99_ms;
        println!(
            "{:<5} {:>12.0} {:>12.0} {:>13.3} {:>13.3} {ratio:>9.3}{}{}",
            round + 1,
            noop.achieved,
            layer.achieved,
            noop.p99_ms,
            layer.p99_ms,
            short(&noop),
            short(&layer),
        );
        ratios.push(ratio);
    }
    println!(
        "H4 median: p99 ratio {:.3} at {rate:.0} req/s\n",
        median(&mut ratios)
    );
    Ok(())
}

fn ensure_oha() -> Result<(), Box<dyn Error>> {
    let present = Command::new("oha")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if present {
        return Ok(());
    }
    eprintln!("bench-http: installing oha with cargo install --locked (a few minutes)");
    let installed = Command::new(env!("CARGO"))
        .args(["install", "--locked", "oha"])
        .status()?;
    if !installed.success() {
        return Err("could not install oha (cargo install --locked oha)".into());
    }
    Ok(())
}

/// `oha` at a fixed `rate` for `seconds`, open-loop with latency correction.
fn oha(case: &Case, url: &str, rate: f64, seconds: u64) -> Result<Latency, Box<dyn Error>> {
    let mut command = Command::new("taskset");
    command
        .args(["-c", "1", "oha", "--no-tui", "--output-format", "json"])
        .args(["--latency-correction", "-c", "32", "-m", "POST"])
        .arg("-q")
        .arg(format!("{rate:.0}"))
        .arg("-z")
        .arg(format!("{seconds}s"))
        .arg("-D")
        .arg(&case.replay.body);
    for (name, value) in &case.replay.headers {
        command.arg("-H").arg(format!("{name}: {value}"));
    }
    let output = command.arg(url).output()?;
    if !output.status.success() {
        return Err(format!("oha failed: {}", String::from_utf8_lossy(&output.stderr)).into());
    }
    let report: Value = serde_json::from_slice(&output.stdout)?;
    let statuses = report
        .pointer("/statusCodeDistribution")
        .and_then(Value::as_object)
        .ok_or("oha printed no status distribution")?;
    if statuses.keys().any(|status| !status.starts_with('2')) {
        return Err(format!("oha saw non-2xx answers: {statuses:?}").into());
    }
    Ok(Latency {
        p99_ms: report
            .pointer("/latencyPercentiles/p99")
            .and_then(Value::as_f64)
            .ok_or("oha printed no p99")?
            * 1e3,
        achieved: report
            .pointer("/summary/requestsPerSec")
            .and_then(Value::as_f64)
            .ok_or("oha printed no rate")?,
    })
}
