//! An organisation's Greenlight v3 (and Moodle) configured from Plenary:
//! only the variables Greenlight documents, private files, and a client
//! configured from them that meets through the gateway.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use bbb::Algorithm;
use common::{Env, succeeded};
use testkit::TempDir;

/// Variable names of Greenlight v3's sample.env (source in the file).
const DOCUMENTED: &str = include_str!("fixtures/greenlight-v3-sample-env-names.txt");

/// The five that Greenlight's `configuration:check` task requires.
const REQUIRED: [&str; 5] = [
    "SECRET_KEY_BASE",
    "BIGBLUEBUTTON_ENDPOINT",
    "BIGBLUEBUTTON_SECRET",
    "DATABASE_URL",
    "REDIS_URL",
];

fn plenary(database: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_plenary"))
        .args(["--database", database])
        .args(args)
        .env_remove("DATABASE_URL")
        .envs(env.iter().copied())
        .output()
        .expect("plenary runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn read_env(path: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (k, v) = l.split_once('=').expect("NAME=value");
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn greenlight_compose_writes_only_variables_greenlight_v3_documents() {
    let dir = TempDir::new("greenlight-env");
    let db = dir.sqlite_url();
    plenary(
        &db,
        &["org", "add", "acme", "--legal-name", "Acme Co-operative"],
        &[],
    );
    plenary(
        &db,
        &[
            "tenant",
            "add",
            "acme",
            "--org",
            "acme",
            "--host",
            "bbb.acme.example",
        ],
        &[],
    );
    let out_dir = dir.path().join("gl");
    let smtp = [
        ("PLENARY_SMTP__HOST", "smtp.coop.example"),
        ("PLENARY_SMTP__FROM", "Plenary <noreply@coop.example>"),
        ("PLENARY_SMTP__USERNAME", "mailer"),
        ("PLENARY_SMTP__PASSWORD", "mail-password"),
    ];
    let said = plenary(
        &db,
        &[
            "greenlight",
            "compose",
            "acme",
            "--dir",
            out_dir.to_str().unwrap(),
            "--host",
            "meet.acme.example",
        ],
        &smtp,
    );
    let documented: Vec<&str> = DOCUMENTED
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect();
    let env = read_env(&out_dir.join(".env"));
    for name in env.keys() {
        assert!(
            documented.contains(&name.as_str()),
            "{name} is not in Greenlight v3's sample.env"
        );
    }
    for name in REQUIRED {
        assert!(!env.get(name).is_none_or(String::is_empty), "{name} is set");
    }
    assert_eq!(
        env["BIGBLUEBUTTON_ENDPOINT"],
        "https://bbb.acme.example/bigbluebutton/api"
    );
    assert!(env["SECRET_KEY_BASE"].len() >= 64);
    assert_eq!(env["SMTP_SERVER"], "smtp.coop.example");
    assert_eq!(env["SMTP_SENDER_EMAIL"], "noreply@coop.example");
    assert_eq!(env["SMTP_SENDER_NAME"], "Acme Co-operative");
    assert_eq!(env["SMTP_PASSWORD"], "mail-password");
    assert!(
        !said.contains(&env["BIGBLUEBUTTON_SECRET"]),
        "the secret is not printed"
    );
    assert_eq!(mode(&out_dir.join(".env")), 0o600);
    assert_eq!(mode(&out_dir.join("postgres.env")), 0o600);
    let compose = std::fs::read_to_string(out_dir.join("docker-compose.yml")).unwrap();
    assert!(compose.contains("bigbluebutton/greenlight:v3"));
    assert!(compose.contains("meet.acme.example"));
    let postgres = read_env(&out_dir.join("postgres.env"));
    assert!(env["DATABASE_URL"].contains(&postgres["POSTGRES_PASSWORD"]));
}

#[test]
fn greenlight_compose_never_overwrites_a_running_instance() {
    let dir = TempDir::new("greenlight-twice");
    let db = dir.sqlite_url();
    plenary(&db, &["tenant", "add", "acme"], &[]);
    let out_dir = dir.path().join("gl");
    let args = [
        "greenlight",
        "compose",
        "acme",
        "--dir",
        out_dir.to_str().unwrap(),
    ];
    plenary(&db, &args, &[]);
    let before = std::fs::read(out_dir.join(".env")).unwrap();
    let again = Command::new(env!("CARGO_BIN_EXE_plenary"))
        .args(["--database", &db])
        .args(args)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert_eq!(std::fs::read(out_dir.join(".env")).unwrap(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_greenlight_configured_from_the_output_creates_and_joins_through_the_gateway() {
    let env = Env::start().await;
    let dir = TempDir::new("greenlight-flow");
    let db = env.database_url();
    let endpoint = format!("{}/t/acme/bigbluebutton/api", env.app.url());
    let gl = dir.path().join("acme");
    plenary(
        &db,
        &[
            "greenlight",
            "compose",
            "acme",
            "--dir",
            gl.to_str().unwrap(),
            "--endpoint",
            &endpoint,
        ],
        &[],
    );
    let vars = read_env(&gl.join(".env"));
    // Greenlight's BBB client signs with SHA-256 by default.
    let front = env.front_end(
        &vars["BIGBLUEBUTTON_ENDPOINT"],
        &vars["BIGBLUEBUTTON_SECRET"],
        Algorithm::Sha256,
    );
    assert!(succeeded(&front.create("greenlight-room").await));
    front.join("greenlight-room", "Grace").await;

    let root = dir.path().to_str().unwrap();
    let listed = plenary(&db, &["greenlight", "list", "--root", root], &[]);
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("acme") && l.ends_with("valid")),
        "{listed}"
    );
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("globex") && l.ends_with('-')),
        "{listed}"
    );
    plenary(
        &db,
        &[
            "tenant",
            "add-secret",
            "acme",
            "--secret",
            "acme-secret-2-long-enough-xx",
        ],
        &[],
    );
    plenary(
        &db,
        &[
            "tenant",
            "remove-secret",
            "acme",
            &vars["BIGBLUEBUTTON_SECRET"],
        ],
        &[],
    );
    let listed = plenary(&db, &["greenlight", "list", "--root", root], &[]);
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("acme") && l.ends_with("revoked")),
        "{listed}"
    );
    env.shutdown().await;
}

#[test]
fn moodle_settings_point_the_plugin_at_the_tenant() {
    let dir = TempDir::new("moodle");
    let db = dir.sqlite_url();
    plenary(
        &db,
        &[
            "tenant",
            "add",
            "acme",
            "--host",
            "bbb.acme.example",
            "--secret",
            "acme-secret-long-enough-123",
        ],
        &[],
    );
    let out = dir.path().join("moodle");
    plenary(
        &db,
        &["moodle", "settings", "acme", "--dir", out.to_str().unwrap()],
        &[],
    );
    let file = out.join("moodle-bigbluebuttonbn.sh");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains(
            "--name=bigbluebuttonbn_server_url --set='https://bbb.acme.example/bigbluebutton/'"
        ),
        "{text}"
    );
    assert!(
        text.contains("--name=bigbluebuttonbn_shared_secret --set='acme-secret-long-enough-123'")
    );
    assert_eq!(mode(&file), 0o600);
}
