//! The commit and the machine a benchmark ran on, printed above its tables.

use std::process::Command;

/// `commit 1a2b3c4 (+ uncommitted changes), 2 cores, linux x86_64, load
/// average 3.10 2.50 1.90`: the load says how much else the machine was
/// doing, which moves every figure.
pub fn describe() -> String {
    let cores = cores();
    format!(
        "commit {}, {cores} cores, {} {}, load average {}",
        commit(),
        std::env::consts::OS,
        std::env::consts::ARCH,
        load_average()
    )
}

/// The 1, 5 and 15-minute load averages, as `uptime` prints them.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
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

/// `VmHWM`: the most resident memory since the last reset, in KiB.
pub fn peak_rss_kib() -> u64 {
    status_kib("self", "VmHWM:")
}

/// `VmRSS`: the resident memory now, in KiB.
pub fn rss_kib() -> u64 {
    status_kib("self", "VmRSS:")
}

/// The peak resident memory of another process, in KiB.
pub fn peak_rss_kib_of(pid: u32) -> u64 {
    status_kib(&pid.to_string(), "VmHWM:")
}

fn status_kib(process: &str, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{process}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Starts a new peak-RSS measurement (Linux: writing 5 to `clear_refs`).
pub fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// CPU time (user and system) this process has used, from
/// `/proc/self/stat` in clock ticks of 10 ms (Linux's `USER_HZ`).
pub fn cpu_time() -> std::time::Duration {
    cpu_time_in("self")
}

/// The CPU time another process has used.
pub fn cpu_time_of(pid: u32) -> std::time::Duration {
    cpu_time_in(&pid.to_string())
}

fn cpu_time_in(process: &str) -> std::time::Duration {
    let ticks = std::fs::read_to_string(format!("/proc/{process}/stat"))
        .ok()
        .and_then(|s| {
            // The command name may hold spaces; the fields after it do not.
            let rest = s.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let utime: u64 = fields.get(11)?.parse().ok()?;
            let stime: u64 = fields.get(12)?.parse().ok()?;
            Some(utime + stime)
        })
        .unwrap_or(0);
    std::time::Duration::from_millis(ticks * 10)
}

/// How many cores the machine offers this process.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(0, |n| n.get())
}
