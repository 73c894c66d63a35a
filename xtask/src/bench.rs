//! `cargo xtask bench [--rounds N] [--seconds S]`: every criterion benchmark of the provider
//! crates, `N` times (default 3, crate order reversed every other round), then the median of
//! the paired figures per PERFORMANCE.md goal (M1, M3, M4, M5, M8): each case beside its
//! baseline from the same run, never an absolute number from another run.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

/// What a goal bounds.
#[derive(Clone, Copy)]
enum Goal {
    /// Case − baseline ≤ this many nanoseconds.
    AddedAtMost(f64),
    /// Case ÷ baseline ≤ this.
    RatioAtMost(f64),
    /// Case ÷ baseline within this band (a reject path costing what the valid path costs).
    RatioWithin(f64, f64),
    /// The case alone ≤ this many nanoseconds (no baseline).
    AtMost(f64),
}

struct Pair {
    id: &'static str,
    case: &'static str,
    baseline: Option<&'static str>,
    goal: Goal,
}

const CRATES: [&str; 5] = ["standard", "ricloud", "shipmondo", "avaplace", "sns"];

const fn pair(
    id: &'static str,
    case: &'static str,
    baseline: Option<&'static str>,
    goal: Goal,
) -> Pair {
    Pair {
        id,
        case,
        baseline,
        goal,
    }
}

const PAIRS: &[Pair] = &[
    pair(
        "M1",
        "standard_v1/verify/1024",
        Some("standard_v1/raw_ring_hmac/1024"),
        Goal::AddedAtMost(500.0),
    ),
    pair(
        "M1",
        "standard_v1/verify/65536",
        Some("standard_v1/raw_ring_hmac/65536"),
        Goal::RatioAtMost(1.05),
    ),
    pair(
        "M1",
        "standard_v1/verify/1048576",
        Some("standard_v1/raw_ring_hmac/1048576"),
        Goal::RatioAtMost(1.05),
    ),
    pair(
        "M1",
        "ricloud/verify/1024",
        Some("ricloud/raw_ring_hmac/1024"),
        Goal::AddedAtMost(500.0),
    ),
    pair(
        "M1",
        "ricloud/verify/65536",
        Some("ricloud/raw_ring_hmac/65536"),
        Goal::RatioAtMost(1.05),
    ),
    pair(
        "M1",
        "ricloud/verify/1048576",
        Some("ricloud/raw_ring_hmac/1048576"),
        Goal::RatioAtMost(1.05),
    ),
    pair(
        "M3",
        "shipmondo/verify/1024",
        Some("shipmondo/floor/1024"),
        Goal::RatioAtMost(1.2),
    ),
    pair(
        "M3",
        "shipmondo/verify/65536",
        Some("shipmondo/floor/65536"),
        Goal::RatioAtMost(1.2),
    ),
    pair(
        "M4",
        "avaplace_rs256/verify_cached_keys",
        Some("avaplace_rs256/raw_ring_rsa_verify"),
        Goal::AddedAtMost(3000.0),
    ),
    pair(
        "M5",
        "sns/verify_cached_v1",
        Some("sns/raw_ring_rsa_v1"),
        Goal::AddedAtMost(6000.0),
    ),
    pair(
        "M5",
        "sns/verify_cached_v2",
        Some("sns/raw_ring_rsa_v2"),
        Goal::AddedAtMost(6000.0),
    ),
    pair("M5", "sns/pem_to_key", None, Goal::AtMost(10_000.0)),
    pair(
        "M8",
        "standard_v1/reject_bad_signature_1024",
        Some("standard_v1/verify/1024"),
        Goal::RatioWithin(0.9, 1.1),
    ),
    pair(
        "M8",
        "standard_v1/reject_stale_timestamp_1024",
        None,
        Goal::AtMost(300.0),
    ),
    pair(
        "M8",
        "standard_v1/reject_missing_header_1024",
        None,
        Goal::AtMost(300.0),
    ),
];

pub(crate) fn main(args: &[String]) -> Result<ExitCode, Box<dyn Error>> {
    let option = |name: &str, default: u64| -> Result<u64, Box<dyn Error>> {
        match args.iter().position(|arg| arg == name) {
            Some(at) => Ok(args
                .get(at + 1)
                .ok_or(format!("{name} needs a value"))?
                .parse()?),
            None => Ok(default),
        }
    };
    let rounds = option("--rounds", 3)?.clamp(1, 10);
    let seconds = option("--seconds", 3)?.clamp(1, 30);
    let root = crate::project_root();
    let mut samples: BTreeMap<&'static str, Vec<(f64, Option<f64>)>> = BTreeMap::new();
    for round in 0..rounds {
        let mut order = CRATES;
        if round % 2 == 1 {
            order.reverse();
        }
        for name in order {
            eprintln!("bench: round {}/{rounds}: webhook-{name}", round + 1);
            let status = Command::new(env!("CARGO"))
                .args([
                    "bench",
                    "--locked",
                    "-q",
                    "-p",
                    &format!("webhook-{name}"),
                    "--bench",
                    "verify",
                    "--",
                ])
                .args([
                    "--warm-up-time",
                    "1",
                    "--measurement-time",
                    &seconds.to_string(),
                ])
                .current_dir(&root)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()?;
            if !status.success() {
                return Err(format!(
                    "cargo bench -p webhook-{name} failed (run it alone to see why)"
                )
                .into());
            }
            for pair in PAIRS
                .iter()
                .filter(|pair| pair.case.starts_with(group_of(name)))
            {
                let case = median_ns(&root, pair.case)?;
                let baseline = pair.baseline.map(|b| median_ns(&root, b)).transpose()?;
                samples.entry(pair.case).or_default().push((case, baseline));
            }
        }
    }
    println!(
        "\n{:<4} {:<42} {:>12} {:>12} {:>10} {:>8}  {:<16} verdict",
        "goal", "case (median of paired runs)", "case", "baseline", "added", "ratio", "goal"
    );
    let mut missed = 0;
    for pair in PAIRS {
        let Some(runs) = samples.get(pair.case) else {
            continue;
        };
        let mut cases: Vec<f64> = runs.iter().map(|(case, _)| *case).collect();
        let mut bases: Vec<f64> = runs.iter().filter_map(|(_, base)| *base).collect();
        let mut added: Vec<f64> = runs
            .iter()
            .filter_map(|(case, base)| base.map(|b| case - b))
            .collect();
        let mut ratios: Vec<f64> = runs
            .iter()
            .filter_map(|(case, base)| base.map(|b| case / b))
            .collect();
        let (case, base, add, ratio) = (
            median(&mut cases),
            median(&mut bases),
            median(&mut added),
            median(&mut ratios),
        );
        let (goal, met) = match pair.goal {
            Goal::AddedAtMost(ns) => (format!("≤ +{}", human(ns)), add <= ns),
            Goal::RatioAtMost(r) => (format!("≤ {r:.2}×"), ratio <= r),
            Goal::RatioWithin(low, high) => (
                format!("{low:.2}–{high:.2}×"),
                (low..=high).contains(&ratio),
            ),
            Goal::AtMost(ns) => (format!("≤ {}", human(ns)), case <= ns),
        };
        if !met {
            missed += 1;
        }
        let shown = |v: f64| if v.is_nan() { "-".to_owned() } else { human(v) };
        let ratio_shown = if ratio.is_nan() {
            "-".to_owned()
        } else {
            format!("{ratio:.3}×")
        };
        let added_shown = if add.is_nan() {
            "-".to_owned()
        } else {
            format!("{}{}", if add >= 0.0 { "+" } else { "-" }, human(add.abs()))
        };
        println!(
            "{:<4} {:<42} {:>12} {:>12} {:>10} {:>8}  {:<16} {}",
            pair.id,
            pair.case,
            shown(case),
            shown(base),
            added_shown,
            ratio_shown,
            goal,
            if met { "met" } else { "MISSED" }
        );
    }
    println!("\n{rounds} rounds × {seconds} s per benchmark; {missed} goal(s) missed");
    Ok(ExitCode::SUCCESS)
}

fn group_of(crate_name: &str) -> &'static str {
    match crate_name {
        "standard" => "standard_v1/",
        "ricloud" => "ricloud/",
        "shipmondo" => "shipmondo/",
        "avaplace" => "avaplace_rs256/",
        _ => "sns/",
    }
}

fn median_ns(root: &Path, id: &str) -> Result<f64, Box<dyn Error>> {
    let path = root
        .join("target/criterion")
        .join(id)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let estimates: serde_json::Value = serde_json::from_str(&text)?;
    estimates
        .pointer("/median/point_estimate")
        .and_then(serde_json::Value::as_f64)
        .ok_or_else(|| format!("{}: no median", path.display()).into())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn human(ns: f64) -> String {
    if ns >= 1_000_000.0 {
        format!("{:.2} ms", ns / 1_000_000.0)
    } else if ns >= 1_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else {
        format!("{ns:.0} ns")
    }
}
