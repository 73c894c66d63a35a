//! `cargo xtask ci`: what CI runs, in order, stopping at the first failure.

use std::error::Error;
use std::process::{Command, ExitCode};

use crate::project_root;

/// A CI step: its name, the cargo arguments and extra environment.
type Step = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

pub(crate) fn main() -> Result<ExitCode, Box<dyn Error>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let steps: &[Step] = &[
        ("format", &["fmt", "--all", "--check"], &[]),
        (
            "clippy",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--all-features",
                "--locked",
                "--",
                "-D",
                "warnings",
            ],
            &[],
        ),
        (
            "tests",
            &["test", "--workspace", "--all-features", "--locked"],
            &[],
        ),
        (
            "docs",
            &[
                "doc",
                "--workspace",
                "--no-deps",
                "--all-features",
                "--locked",
            ],
            &[("RUSTDOCFLAGS", "-D warnings")],
        ),
        ("conformance", &["xtask", "conformance"], &[]),
        ("catalogue", &["xtask", "catalogue"], &[]),
        (
            "deny",
            &[
                "deny",
                "--all-features",
                "check",
                "bans",
                "licenses",
                "sources",
            ],
            &[],
        ),
    ];
    for (name, args, envs) in steps {
        eprintln!("==> {name}: cargo {}", args.join(" "));
        let status = Command::new(&cargo)
            .args(*args)
            .envs(envs.iter().copied())
            .current_dir(project_root())
            .status()?;
        if !status.success() {
            eprintln!("==> {name} failed");
            return Ok(ExitCode::FAILURE);
        }
    }
    eprintln!("==> all CI steps passed");
    Ok(ExitCode::SUCCESS)
}
