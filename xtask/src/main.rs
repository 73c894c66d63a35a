//! Project tasks: `cargo xtask conformance [--vectors DIR]...`, `cargo xtask catalogue
//! [--sync SECURITY.md]`, `cargo xtask fuzz-seeds`, `cargo xtask ci`, `cargo xtask bench
//! [--rounds N] [--seconds S]`, `cargo xtask bench-http [--seconds N] [--rounds N] [--latency]`.

use std::env;
use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;

mod bench;
mod bench_http;
mod bench_latency;
mod catalogue;
mod ci;
mod conformance;
mod fuzz_seeds;

fn main() -> ExitCode {
    match try_main() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn try_main() -> Result<ExitCode, Box<dyn Error>> {
    let args: Vec<String> = env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("conformance") => conformance::main(args.get(1..).unwrap_or_default()),
        Some("catalogue") => catalogue::main(args.get(1..).unwrap_or_default()),
        Some("fuzz-seeds") => fuzz_seeds::main(),
        Some("ci") => ci::main(),
        Some("bench") => bench::main(args.get(1..).unwrap_or_default()),
        Some("bench-http") => bench_http::main(args.get(1..).unwrap_or_default()),
        _ => {
            eprintln!(
                "usage: cargo xtask <conformance [--vectors DIR]... | catalogue [--sync SECURITY.md] | fuzz-seeds | ci | bench [--rounds N] [--seconds S] | bench-http [--seconds N] [--rounds N] [--latency]>"
            );
            Ok(ExitCode::from(2))
        }
    }
}

/// The workspace root.
pub(crate) fn project_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
