//! `cargo xtask catalogue [--sync SECURITY.md]`: which bad-input catalogue rows (SECURITY.md §3,
//! committed as `docs/catalogue.md`) have a test named after them, which have a written reason
//! in `docs/catalogue-policy.toml`, and which have neither (a CI failure).
//!
//! A test covers a row when an `_`-separated word of its function name is the row id
//! (case-insensitive): `fn h02_h03_missing_headers_are_400` covers H02 and H03. Test functions
//! are the `fn`s of files under a `tests/` or `benches/` directory and those after the first
//! `#[cfg(test)]` of any other `.rs` file; conformance vector case ids are split the same way
//! (`standard/h09-v2-label` covers H09).

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::project_root;

/// The committed copy of SECURITY.md §3.
const CATALOGUE: &str = "docs/catalogue.md";
/// The committed reasons for rows without a test.
const POLICY: &str = "docs/catalogue-policy.toml";
/// Directories scanned for tests, relative to the workspace root.
const SOURCE_DIRS: &[&str] = &["crates", "examples", "xtask", "fuzz"];
/// The policy file's sections and how the table shows them.
const SECTIONS: &[(&str, &str)] = &[
    ("not_applicable", "n/a"),
    ("not_automated", "manual"),
    ("gap", "GAP"),
];

pub(crate) fn main(args: &[String]) -> Result<ExitCode, Box<dyn Error>> {
    let root = project_root();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--sync" => {
                let from = args.next().ok_or("--sync needs the path of SECURITY.md")?;
                sync(Path::new(from), &root.join(CATALOGUE))?;
            }
            other => return Err(format!("unknown argument `{other}`").into()),
        }
    }
    let catalogue = fs::read_to_string(root.join(CATALOGUE))
        .map_err(|error| format!("{CATALOGUE}: {error}"))?;
    let rows = row_ids(&catalogue);
    if rows.is_empty() {
        return Err(format!("{CATALOGUE}: no catalogue rows found").into());
    }
    let known: BTreeSet<String> = rows.iter().cloned().collect();
    let policy_text =
        fs::read_to_string(root.join(POLICY)).map_err(|error| format!("{POLICY}: {error}"))?;
    let policy = parse_policy(&policy_text)?;
    let mut coverage: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for dir in SOURCE_DIRS {
        scan_sources(&root, &root.join(dir), &known, &mut coverage)?;
    }
    scan_vectors(&root, &root.join("conformance"), &known, &mut coverage)?;

    let mut errors = Vec::new();
    for id in policy.keys() {
        if !known.contains(id) {
            errors.push(format!("{POLICY}: `{id}` is not a catalogue row"));
        }
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut table = String::new();
    for id in &rows {
        let (status, detail) = match (coverage.get(id), policy.get(id)) {
            (Some(tests), entry) => {
                if let Some((section, _)) = entry.filter(|(section, _)| *section == "gap") {
                    errors.push(format!(
                        "{POLICY}: `{id}` is listed under [{section}] but is covered; remove it"
                    ));
                }
                ("covered", tests.join(", "))
            }
            (None, Some((section, reason))) => (label(section), reason.clone()),
            (None, None) => {
                errors.push(format!(
                    "{id}: no test named after it and no reason in {POLICY}"
                ));
                ("UNCOVERED", String::new())
            }
        };
        *counts.entry(status).or_default() += 1;
        writeln!(table, "{id:<4} {status:<9} {detail}")?;
    }
    print!("{table}");
    let summary: Vec<String> = counts
        .iter()
        .map(|(status, count)| format!("{count} {status}"))
        .collect();
    println!("{} rows: {}", rows.len(), summary.join(", "));
    for error in &errors {
        println!("error: {error}");
    }
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn label(section: &str) -> &'static str {
    SECTIONS
        .iter()
        .find(|(name, _)| *name == section)
        .map_or("?", |(_, label)| label)
}

/// Rewrites the committed catalogue from §3 of a SECURITY.md.
fn sync(from: &Path, to: &Path) -> Result<(), Box<dyn Error>> {
    let text = fs::read_to_string(from).map_err(|error| format!("{}: {error}", from.display()))?;
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|line| line.starts_with("## 3."))
        .ok_or("no `## 3.` section")?;
    let end = lines
        .iter()
        .skip(start + 1)
        .position(|line| line.starts_with("## "))
        .map_or(lines.len(), |offset| start + 1 + offset);
    let section = lines
        .get(start..end)
        .ok_or("bad section bounds")?
        .join("\n");
    let section = section.trim_end_matches(['-', '\n', ' ']);
    let header = "<!-- Copied from shared/SECURITY.md §3 so CI on a clean clone can read it.\n     \
                  Regenerate: cargo xtask catalogue --sync /path/to/SECURITY.md\n     \
                  Read by `cargo xtask catalogue`; row ids are the first cell of each table row. -->\n\n";
    fs::write(to, format!("{header}{section}\n"))?;
    println!("wrote {}", to.display());
    Ok(())
}

/// Row ids in document order: the first cell of table rows that looks like `H01` or `R1`.
fn row_ids(catalogue: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    catalogue
        .lines()
        .filter_map(|line| line.strip_prefix('|')?.split('|').next())
        .map(str::trim)
        .filter(|cell| is_row_id(cell))
        .filter(|cell| seen.insert(cell.to_string()))
        .map(str::to_string)
        .collect()
}

fn is_row_id(word: &str) -> bool {
    let mut chars = word.chars();
    let letter = chars.next().is_some_and(|c| c.is_ascii_uppercase());
    let digits = chars.as_str();
    letter && (1..=2).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Parses `[section]` headers and `ID = "reason"` lines; `#` starts a comment line.
fn parse_policy(text: &str) -> Result<BTreeMap<String, (String, String)>, Box<dyn Error>> {
    let mut section: Option<String> = None;
    let mut entries = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        let at = || format!("{POLICY}:{}", number + 1);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if !SECTIONS.iter().any(|(known, _)| *known == name) {
                return Err(format!("{}: unknown section [{name}]", at()).into());
            }
            section = Some(name.to_string());
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("{}: expected `ID = \"reason\"`", at()))?;
        let reason = value
            .trim()
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .filter(|reason| !reason.trim().is_empty())
            .ok_or_else(|| format!("{}: the reason must be a non-empty \"string\"", at()))?;
        let section = section
            .clone()
            .ok_or_else(|| format!("{}: entry before any [section]", at()))?;
        let id = key.trim().to_ascii_uppercase();
        if entries
            .insert(id.clone(), (section, reason.replace("\\\"", "\"")))
            .is_some()
        {
            return Err(format!("{}: `{id}` listed twice", at()).into());
        }
    }
    Ok(entries)
}

/// Row ids named by the `_`/`-`/`/`-separated words of `name`.
fn ids_in(name: &str, known: &BTreeSet<String>) -> Vec<String> {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .map(str::to_ascii_uppercase)
        .filter(|word| known.contains(word))
        .collect()
}

fn scan_sources(
    root: &Path,
    dir: &Path,
    known: &BTreeSet<String>,
    coverage: &mut BTreeMap<String, Vec<String>>,
) -> Result<(), Box<dyn Error>> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                scan_sources(root, &path, known, coverage)?;
            }
            continue;
        }
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let text = fs::read_to_string(&path)?;
        let relative = path.strip_prefix(root).unwrap_or(&path);
        let in_test_dir = relative
            .components()
            .any(|c| matches!(c.as_os_str().to_str(), Some("tests" | "benches")));
        let tests = if in_test_dir {
            text.as_str()
        } else {
            match text.find("#[cfg(test)]") {
                Some(start) => text.get(start..).unwrap_or(""),
                None => continue,
            }
        };
        for function in function_names(tests) {
            for id in ids_in(function, known) {
                coverage
                    .entry(id)
                    .or_default()
                    .push(format!("{}::{function}", relative.display()));
            }
        }
    }
    Ok(())
}

/// Names following `fn ` in Rust source.
fn function_names(source: &str) -> impl Iterator<Item = &str> {
    source.split("fn ").skip(1).filter_map(|rest| {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        rest.get(..end).filter(|name| !name.is_empty())
    })
}

fn scan_vectors(
    root: &Path,
    dir: &Path,
    known: &BTreeSet<String>,
    coverage: &mut BTreeMap<String, Vec<String>>,
) -> Result<(), Box<dyn Error>> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("json"))
        .collect();
    paths.sort();
    for path in paths {
        let text = fs::read_to_string(&path)?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|error| format!("{}: {error}", path.display()))?;
        let relative = path.strip_prefix(root).unwrap_or(&path);
        let cases = value
            .get("cases")
            .and_then(serde_json::Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        for case in cases {
            let Some(case_id) = case.get("id").and_then(serde_json::Value::as_str) else {
                continue;
            };
            for id in ids_in(case_id, known) {
                coverage
                    .entry(id)
                    .or_default()
                    .push(format!("{}::{case_id}", relative.display()));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|id| (*id).to_string()).collect()
    }

    #[test]
    fn row_ids_are_first_cells_in_order() {
        let text = "| ID | Request |\n|---|---|\n| H02 | x |\n| R1 | y |\n| Foo | z |\n";
        assert_eq!(row_ids(text), vec!["H02".to_string(), "R1".to_string()]);
    }

    #[test]
    fn test_names_cover_each_id_word() {
        let known = known(&["H02", "H03", "E25"]);
        assert_eq!(ids_in("h02_h03_missing", &known), vec!["H02", "H03"]);
        assert!(ids_in("ed25519_from_seed", &known).is_empty());
        assert_eq!(ids_in("standard/e25-malleable", &known), vec!["E25"]);
    }

    #[test]
    fn policy_needs_sections_and_reasons() {
        let policy = parse_policy("# c\n[gap]\nh05 = \"later\"\n").ok();
        assert_eq!(
            policy.and_then(|p| p.get("H05").cloned()),
            Some(("gap".to_string(), "later".to_string()))
        );
        assert!(parse_policy("H05 = \"x\"\n").is_err());
        assert!(parse_policy("[gap]\nH05 = \"\"\n").is_err());
        assert!(parse_policy("[other]\n").is_err());
    }
}
