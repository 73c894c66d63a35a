//! `cargo xtask conformance [--vectors DIR]...`: runs the JSON conformance vectors (format:
//! `conformance/FORMAT.md`) through the real provider layers, with `webhook-conformance`.

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;

pub(crate) fn main(args: &[String]) -> Result<ExitCode, Box<dyn Error>> {
    let mut dirs = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--vectors" => dirs.push(PathBuf::from(
                args.next().ok_or("--vectors needs a directory")?,
            )),
            other => return Err(format!("unknown argument `{other}`").into()),
        }
    }
    if dirs.is_empty() {
        dirs = default_dirs();
    }
    let summary = webhook_conformance::run_dirs(&dirs)?;
    for line in &summary.failures {
        println!("{line}");
    }
    println!(
        "{} passed, {} failed",
        summary.passed,
        summary.failures.len()
    );
    Ok(if summary.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The project's own vectors: `conformance/` and, when present, `conformance/vectors/` (one
/// file per provider added later).
pub(crate) fn default_dirs() -> Vec<PathBuf> {
    let root = crate::project_root().join("conformance");
    let vectors = root.join("vectors");
    let mut dirs = vec![root];
    if vectors.is_dir() {
        dirs.push(vectors);
    }
    dirs
}
