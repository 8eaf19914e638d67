//! The commit and the machine a benchmark ran on, printed above its tables.

use std::process::Command;

/// `commit 1a2b3c4 (+ uncommitted changes), 2 cores, linux x86_64`.
pub fn describe() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!(
        "commit {}, {cores} cores, {} {}",
        commit(),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

/// The checkout's commit at run time; the benchmark is run from it.
fn commit() -> String {
    let dir = env!("CARGO_MANIFEST_DIR");
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let Some(hash) = git(&["rev-parse", "--short=12", "HEAD"]) else {
        return "unknown (not a git checkout)".into();
    };
    match git(&["status", "--porcelain", "--untracked-files=no"]) {
        Some(changes) if !changes.is_empty() => format!("{hash} (+ uncommitted changes)"),
        _ => hash,
    }
}
