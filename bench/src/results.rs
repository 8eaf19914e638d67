//! `bench/RESULTS.md`: each benchmark rewrites its own section with the
//! table it printed, so the file always holds the last run of each, with
//! the commit and the machine it ran on.

use std::path::PathBuf;

fn file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("RESULTS.md")
}

const HEADER: &str = "# Benchmark results\n\n\
Written by the benchmarks themselves (see README.md for what each measures); \
each section is the last run of one benchmark, with its commit and the \
machine's core count.\n";

/// Replaces the section `name` (between `<!-- name -->` and
/// `<!-- /name -->`) with `body`, or appends it.
pub fn record(name: &str, body: &str) -> std::io::Result<PathBuf> {
    let path = file();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| HEADER.to_string());
    let (open, close) = (format!("<!-- {name} -->"), format!("<!-- /{name} -->"));
    let section = format!("{open}\n{}\n{close}", body.trim_end());
    let updated = match (text.find(&open), text.find(&close)) {
        (Some(start), Some(end)) if end > start => {
            format!("{}{section}{}", &text[..start], &text[end + close.len()..])
        }
        _ => format!("{}\n{section}\n", text.trim_end()),
    };
    std::fs::write(&path, updated)?;
    Ok(path)
}
