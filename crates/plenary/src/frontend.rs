//! Configuration of an organisation's own front end (Greenlight v3, or
//! Moodle's BigBlueButton plugin) pointing at its tenant: pure rendering,
//! the command writes the files.

use std::fmt::Write as _;

/// What a front end needs to know about its tenant.
#[derive(Debug, Clone)]
pub struct FrontEnd {
    pub tenant: String,
    /// `https://…/bigbluebutton/api`, as Greenlight expects it (no slash).
    pub endpoint: String,
    pub secret: String,
    /// The organisation's full name, shown as the mail sender.
    pub org_name: String,
    /// Where Greenlight answers, e.g. `meet.acme.example`.
    pub host: String,
    pub smtp: Option<notify::SmtpConfig>,
}

/// Secrets minted for one Greenlight instance.
#[derive(Debug, Clone)]
pub struct GreenlightSecrets {
    pub secret_key_base: String,
    pub postgres_password: String,
}

/// The marker a written `.env` starts with: `greenlight list` finds its
/// tenant by it.
pub const MARKER: &str = "# Written by plenary greenlight compose for tenant ";

/// Greenlight v3's `.env`: only variables its sample.env documents.
pub fn greenlight_env(f: &FrontEnd, s: &GreenlightSecrets) -> String {
    let mut out = format!(
        "{MARKER}{}\n# Organisation: {}\n# Keep this file private (mode 0600): it holds the tenant's secret.\n\n",
        f.tenant,
        one_line(&f.org_name)
    );
    let mut var = |k: &str, v: &str| {
        let _ = writeln!(out, "{k}={v}");
    };
    var("SECRET_KEY_BASE", &s.secret_key_base);
    var("BIGBLUEBUTTON_ENDPOINT", &f.endpoint);
    var("BIGBLUEBUTTON_SECRET", &f.secret);
    var(
        "DATABASE_URL",
        &format!(
            "postgres://postgres:{}@postgres:5432/greenlight-v3-production",
            s.postgres_password
        ),
    );
    var("REDIS_URL", "redis://redis:6379");
    if let Some(smtp) = &f.smtp {
        let (address, _) = sender(&smtp.from);
        var("SMTP_SENDER_EMAIL", &address);
        var("SMTP_SENDER_NAME", &one_line(&f.org_name));
        var("SMTP_SERVER", &smtp.host);
        var(
            "SMTP_PORT",
            &smtp
                .port
                .unwrap_or_else(|| smtp.security.default_port())
                .to_string(),
        );
        if let Some(user) = &smtp.username {
            var("SMTP_USERNAME", user);
            var(
                "SMTP_PASSWORD",
                smtp.password.as_ref().map_or("", |p| p.expose()),
            );
            var("SMTP_AUTH", "plain");
        }
        let (auto, tls) = match smtp.security {
            notify::Security::None => ("false", "false"),
            notify::Security::Starttls => ("true", "false"),
            notify::Security::Tls => ("false", "true"),
        };
        var("SMTP_STARTTLS_AUTO", auto);
        var("SMTP_TLS", tls);
    }
    var("LOG_LEVEL", "info");
    out
}

/// The PostgreSQL container's own environment, kept apart from `.env` so
/// that file holds Greenlight's variables only.
pub fn postgres_env(s: &GreenlightSecrets) -> String {
    format!(
        "POSTGRES_USER=postgres\nPOSTGRES_PASSWORD={}\n",
        s.postgres_password
    )
}

/// Greenlight v3's own compose file, with its PostgreSQL and Redis, bound
/// to loopback for the host's TLS proxy.
pub fn greenlight_compose(f: &FrontEnd) -> String {
    format!(
        r#"# Greenlight v3 of {org} (tenant {tenant}), served at https://{host}/
# Put a TLS proxy for {host} in front of 127.0.0.1:5050, then: docker compose up -d
services:
  postgres:
    image: postgres:14-alpine3.20
    restart: unless-stopped
    env_file: postgres.env
    volumes:
      - ./data/postgres/14/database_data:/var/lib/postgresql/data

  redis:
    image: redis:6.2-alpine3.20
    restart: unless-stopped
    volumes:
      - ./data/redis/database_data:/data

  greenlight-v3:
    image: bigbluebutton/greenlight:v3
    entrypoint: [bin/start]
    restart: unless-stopped
    env_file: .env
    ports:
      - 127.0.0.1:5050:3000
    volumes:
      - ./data/greenlight-v3/storage:/usr/src/app/storage
    labels:
      coop.plenary.tenant: "{tenant}"
      coop.plenary.host: "{host}"
    depends_on:
      - postgres
      - redis
"#,
        org = one_line(&f.org_name),
        tenant = f.tenant,
        host = f.host,
    )
}

/// Moodle's BigBlueButton activity settings, as `admin/cli/cfg.php` calls
/// run from the Moodle directory. Moodle adds `api/` to the server URL.
pub fn moodle_settings(f: &FrontEnd) -> String {
    let server_url = f.endpoint.trim_end_matches("api").to_string();
    let mut out = format!(
        "#!/bin/sh\n# BigBlueButton settings of {} (tenant {}) for Moodle: run from Moodle's directory.\nset -e\n",
        one_line(&f.org_name),
        f.tenant
    );
    for (name, value) in [
        ("bigbluebuttonbn_server_url", server_url.as_str()),
        ("bigbluebuttonbn_shared_secret", f.secret.as_str()),
        ("bigbluebuttonbn_checksum_algorithm", "SHA256"),
    ] {
        let _ = writeln!(
            out,
            "php admin/cli/cfg.php --name={name} --set={}",
            shell_quote(value)
        );
    }
    out
}

/// The tenant and the BBB secret a written `.env` holds.
pub fn read_env(text: &str) -> Option<(String, String)> {
    let tenant = text.lines().find_map(|l| l.strip_prefix(MARKER))?;
    let secret = text
        .lines()
        .find_map(|l| l.strip_prefix("BIGBLUEBUTTON_SECRET="))?;
    Some((tenant.trim().to_string(), secret.trim().to_string()))
}

/// `Acme <mail@acme.example>` or `mail@acme.example`: the address and name.
fn sender(from: &str) -> (String, Option<String>) {
    match from.rsplit_once('<') {
        Some((name, rest)) => (
            rest.trim_end_matches('>').trim().to_string(),
            Some(name.trim().to_string()).filter(|n| !n.is_empty()),
        ),
        None => (from.trim().to_string(), None),
    }
}

/// Names go into comments and env values: no line breaks.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acme() -> FrontEnd {
        FrontEnd {
            tenant: "acme".into(),
            endpoint: "https://acme.bbb.example/bigbluebutton/api".into(),
            secret: "s3cret".into(),
            org_name: "Acme\nCo-op".into(),
            host: "meet.acme.example".into(),
            smtp: None,
        }
    }

    #[test]
    fn a_written_env_names_its_tenant_and_secret() {
        let env = greenlight_env(
            &acme(),
            &GreenlightSecrets {
                secret_key_base: "k".into(),
                postgres_password: "p".into(),
            },
        );
        assert_eq!(read_env(&env), Some(("acme".into(), "s3cret".into())));
        assert!(env.contains("# Organisation: Acme Co-op\n"));
    }

    #[test]
    fn moodle_gets_the_server_url_without_api() {
        let m = moodle_settings(&acme());
        assert!(m.contains(
            "--name=bigbluebuttonbn_server_url --set='https://acme.bbb.example/bigbluebutton/'"
        ));
        assert!(m.contains("--name=bigbluebuttonbn_shared_secret --set='s3cret'"));
    }
}
