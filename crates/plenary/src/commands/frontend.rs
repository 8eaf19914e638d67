//! `plenary greenlight compose|list` and `plenary moodle settings`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use consortium::{Action, Actor, Consortium};
use store::Tenant;
use subtle::ConstantTimeEq;

use super::{actor, generate_secret, now_ms, table};
use crate::config::Config;
use crate::frontend::{self, FrontEnd, GreenlightSecrets};

/// Writes a Greenlight v3 directory for the tenant: `.env`,
/// `postgres.env` (both 0600) and `docker-compose.yml`.
pub async fn greenlight_compose(
    c: &Consortium,
    config: &Config,
    tenant: &str,
    dir: Option<PathBuf>,
    host: Option<String>,
    endpoint: Option<String>,
) -> anyhow::Result<()> {
    let actor = actor(c).await?;
    let tenant = own_tenant(c, &actor, tenant).await?;
    let dir = dir.unwrap_or_else(|| PathBuf::from(format!("greenlight-{}", tenant.name)));
    let env_file = dir.join(".env");
    if env_file.exists() {
        bail!(
            "{} exists: its SECRET_KEY_BASE and database password belong to a running Greenlight; move it away first",
            env_file.display()
        );
    }
    let (front, minted) = front_end(c, &actor, config, &tenant, host, endpoint).await?;
    let secrets = GreenlightSecrets {
        // Rails wants at least 64 hex digits; two of our secrets give 96.
        secret_key_base: format!("{}{}", generate_secret(), generate_secret()),
        postgres_password: generate_secret(),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    write_private(&dir.join("postgres.env"), &frontend::postgres_env(&secrets))?;
    write_private(&env_file, &frontend::greenlight_env(&front, &secrets))?;
    write_public(
        &dir.join("docker-compose.yml"),
        &frontend::greenlight_compose(&front),
    )?;
    println!(
        "Greenlight v3 for tenant {} written to {}: docker-compose.yml, .env and postgres.env (private).",
        tenant.name,
        dir.display()
    );
    println!("  BIGBLUEBUTTON_ENDPOINT={}", front.endpoint);
    println!(
        "  host: https://{}/ (proxy it to 127.0.0.1:5050)",
        front.host
    );
    say_minted(minted, &tenant);
    Ok(())
}

/// Writes `moodle-bigbluebuttonbn.sh` (0600): the plugin's settings.
pub async fn moodle_settings(
    c: &Consortium,
    config: &Config,
    tenant: &str,
    dir: Option<PathBuf>,
    endpoint: Option<String>,
) -> anyhow::Result<()> {
    let actor = actor(c).await?;
    let tenant = own_tenant(c, &actor, tenant).await?;
    let dir = dir.unwrap_or_else(|| PathBuf::from(format!("moodle-{}", tenant.name)));
    let (front, minted) = front_end(c, &actor, config, &tenant, None, endpoint).await?;
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let file = dir.join("moodle-bigbluebuttonbn.sh");
    write_private(&file, &frontend::moodle_settings(&front))?;
    println!(
        "Moodle settings for tenant {} written to {} (private): run it from Moodle's directory.",
        tenant.name,
        file.display()
    );
    say_minted(minted, &tenant);
    Ok(())
}

/// Every tenant, with the Greenlight directory under `root` that points
/// at it and whether the secret it holds is still one of the tenant's.
pub async fn greenlight_list(c: &Consortium, root: &Path) -> anyhow::Result<()> {
    actor(c)
        .await?
        .may(Action::ReadOperations)
        .map_err(|r| r.into_error("it"))?;
    let store = c.store();
    let mut found: Vec<(String, String, PathBuf)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(root) {
        for entry in entries.flatten() {
            let env = entry.path().join(".env");
            if let Some((tenant, secret)) = std::fs::read_to_string(&env)
                .ok()
                .and_then(|t| frontend::read_env(&t))
            {
                found.push((tenant, secret, entry.path()));
            }
        }
    }
    found.sort();
    let mut rows = Vec::new();
    for tenant in store.tenants().await? {
        let secrets = store.tenant_secrets(tenant.id).await?;
        let mine: Vec<_> = found.iter().filter(|(t, ..)| *t == tenant.name).collect();
        if mine.is_empty() {
            rows.push(vec![tenant.name.clone(), "-".into(), "-".into()]);
        }
        for (_, secret, dir) in mine {
            let valid = secrets
                .iter()
                .any(|s| bool::from(s.as_bytes().ct_eq(secret.as_bytes())));
            rows.push(vec![
                tenant.name.clone(),
                dir.display().to_string(),
                if valid { "valid" } else { "revoked" }.into(),
            ]);
        }
    }
    for (tenant, _, dir) in &found {
        if store.tenant_by_name(tenant).await?.is_none() {
            rows.push(vec![
                tenant.clone(),
                dir.display().to_string(),
                "no such tenant".into(),
            ]);
        }
    }
    print!("{}", table(&["TENANT", "GREENLIGHT", "SECRET"], &rows));
    Ok(())
}

/// A tenant the actor may hand to a front end: an operator's, or one of
/// their own organisation's when they are its admin; another's answers
/// like a missing one.
async fn own_tenant(c: &Consortium, actor: &Actor, name: &str) -> anyhow::Result<Tenant> {
    c.tenant(actor, name).await?;
    Ok(c.store().tenant(name).await?)
}

/// The tenant's newest secret (the store keeps them, since checksums need
/// them); a tenant without one gets a new one, which the caller reports.
async fn front_end(
    c: &Consortium,
    actor: &Actor,
    config: &Config,
    tenant: &Tenant,
    host: Option<String>,
    endpoint: Option<String>,
) -> anyhow::Result<(FrontEnd, bool)> {
    let store = c.store();
    let (secret, minted) = match store.tenant_secrets(tenant.id).await?.pop() {
        Some(secret) => (secret, false),
        None => {
            let new = c
                .add_tenant_secret(actor, &tenant.name, None, now_ms())
                .await?;
            (new.secret, true)
        }
    };
    let org_name = match tenant.org_id {
        Some(id) => {
            let names = store.organisation_names().await?;
            let name = names.get(&id).cloned().unwrap_or_default();
            store.organisation(&name).await?.legal_name
        }
        None => tenant.name.clone(),
    };
    let endpoint = endpoint
        .unwrap_or_else(|| tenant_endpoint(config, tenant))
        .trim_end_matches('/')
        .to_string();
    let host = host.unwrap_or_else(|| match &config.base_domain {
        Some(base) => format!("greenlight.{}.{base}", tenant.name),
        None => "localhost".into(),
    });
    Ok((
        FrontEnd {
            tenant: tenant.name.clone(),
            endpoint,
            secret,
            org_name,
            host,
            smtp: config.smtp.clone(),
        },
        minted,
    ))
}

/// Where the tenant's front ends reach it: its own host name, its name
/// under the base domain, or its path on the public address.
fn tenant_endpoint(config: &Config, tenant: &Tenant) -> String {
    if let Some(host) = &tenant.host {
        return format!("https://{host}/bigbluebutton/api");
    }
    if let Some(base) = &config.base_domain {
        return format!("https://{}.{base}/bigbluebutton/api", tenant.name);
    }
    let public = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", config.listen));
    format!(
        "{}/t/{}/bigbluebutton/api",
        public.trim_end_matches('/'),
        tenant.name
    )
}

fn say_minted(minted: bool, tenant: &Tenant) {
    if minted {
        println!(
            "  Tenant {} had no secret: a new one was made and written only to the file above.",
            tenant.name
        );
    }
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    write_mode(path, text, 0o600)
}

fn write_public(path: &Path, text: &str) -> anyhow::Result<()> {
    write_mode(path, text, 0o644)
}

/// Created with its final mode, so a secret is never readable by others
/// even for a moment.
fn write_mode(path: &Path, text: &str, mode: u32) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
