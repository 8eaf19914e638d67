//! Test support shared by Plenary's crates.
//!
//! [`TempPostgres`] starts a real PostgreSQL server for one test binary:
//! `initdb` into a temporary directory, `pg_ctl start` on a free loopback port,
//! and `pg_ctl stop` on drop. When the binaries are missing the PostgreSQL
//! half of a test is skipped with a message, except under `CI=true`, where a
//! missing dependency is a failure, never a silent skip.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "plenary-{label}-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("temporary directory");
        Self(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A `sqlite://` URL for a fresh database file in this directory.
    pub fn sqlite_url(&self) -> String {
        format!("sqlite://{}", self.0.join("plenary.db").display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct TempPostgres {
    dir: TempDir,
    bin: PathBuf,
    port: u16,
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Finds `initdb` and `pg_ctl`: on PATH, or in Debian's versioned directory.
fn postgres_bin_dir() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"));
    on_path.chain(debian).find(|d| {
        ["initdb", "pg_ctl", "createdb"]
            .iter()
            .all(|b| d.join(b).is_file())
    })
}

impl TempPostgres {
    /// Starts a server, or returns `None` (outside CI) when PostgreSQL is not installed.
    pub fn start() -> Option<Self> {
        let Some(bin) = postgres_bin_dir() else {
            assert!(
                !in_ci(),
                "CI=true but PostgreSQL (initdb, pg_ctl) is not installed: .ci/run installs it"
            );
            eprintln!(
                "PostgreSQL is not installed here: skipping the PostgreSQL half of this test"
            );
            return None;
        };
        let dir = TempDir::new("pg");
        let data = dir.path().join("data");
        let run = |cmd: &mut Command, what: &str| {
            let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
            assert!(
                out.status.success(),
                "{what} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let mut initdb = Command::new(bin.join("initdb"));
        initdb
            .args([
                "-A",
                "trust",
                "-U",
                "plenary",
                "-E",
                "UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&data);
        as_unprivileged(&mut initdb, dir.path());
        run(&mut initdb, "initdb");
        let port = free_port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            dir.path().display()
        );
        let mut start = Command::new(bin.join("pg_ctl"));
        start
            .args(["-w", "-l"])
            .arg(dir.path().join("log"))
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "start"]);
        as_unprivileged(&mut start, dir.path());
        run(&mut start, "pg_ctl start");
        Some(Self { dir, bin, port })
    }

    /// A URL for a new, empty database on this server.
    pub fn fresh_database_url(&self) -> String {
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let name = format!("t{}", SEQ.fetch_add(1, Ordering::Relaxed));
        let mut createdb = Command::new(self.bin.join("createdb"));
        createdb.args([
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            "plenary",
            &name,
        ]);
        let out = createdb.output().expect("createdb");
        assert!(
            out.status.success(),
            "createdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        format!("postgres://plenary@127.0.0.1:{}/{name}", self.port)
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let mut stop = Command::new(self.bin.join("pg_ctl"));
        stop.args(["-m", "immediate", "-D"])
            .arg(self.dir.path().join("data"))
            .arg("stop");
        as_unprivileged(&mut stop, self.dir.path());
        let _ = stop.output();
    }
}

/// PostgreSQL refuses to run as root; CI containers run tests as root, so
/// the server is run as the `postgres` user there, owning its directory.
fn as_unprivileged(cmd: &mut Command, dir: &Path) {
    if !is_root() {
        return;
    }
    let _ = Command::new("chown")
        .args(["-R", "postgres"])
        .arg(dir)
        .status();
    let program = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(|a| a.to_owned()).collect();
    let mut wrapped = Command::new("runuser");
    wrapped
        .args(["-u", "postgres", "--"])
        .arg(program)
        .args(args);
    *cmd = wrapped;
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Runs one story on a fresh SQLite database, then on a fresh database of a
/// throwaway PostgreSQL server (skipped only outside CI when PostgreSQL is
/// not installed): the URL lets a story open the store, or reach the
/// database directly, as an intruder would.
pub async fn on_both_backends<F, Fut>(label: &str, story: F)
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = TempDir::new(label);
    story(dir.sqlite_url()).await;
    if let Some(pg) = TempPostgres::start() {
        story(pg.fresh_database_url()).await;
    }
}

/// A `plenary` binary run as operators run it, on its own fresh database.
pub struct Cli {
    bin: PathBuf,
    pub dir: TempDir,
}

impl Cli {
    /// `bin` is the test's `env!("CARGO_BIN_EXE_plenary")`.
    pub fn new(bin: &str) -> Self {
        Self {
            bin: PathBuf::from(bin),
            dir: TempDir::new("cli"),
        }
    }

    /// Runs with the given extra environment variables.
    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        Command::new(&self.bin)
            .args(["--database", &self.dir.sqlite_url()])
            .args(args)
            .env_remove("PLENARY_TENANT_SECRET")
            .env_remove("DATABASE_URL")
            .envs(env.iter().copied())
            .output()
            .expect("plenary runs")
    }

    pub fn run(&self, args: &[&str]) -> std::process::Output {
        self.run_with(args, &[])
    }

    /// Standard output of a run that must succeed.
    pub fn ok_with(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = self.run_with(args, env);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_with(args, &[])
    }

    /// Standard error of a run that must fail.
    pub fn fails_with(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = self.run_with(args, env);
        assert!(!out.status.success(), "{args:?} should fail");
        String::from_utf8(out.stderr).expect("UTF-8 output")
    }

    pub fn fails(&self, args: &[&str]) -> String {
        self.fails_with(args, &[])
    }
}
