//! `plenary demo`: the whole platform on a simulated fleet, with sample
//! organisations and live traffic, from one command and no setup.

mod consortium;
mod logins;
pub mod traffic;

use std::sync::Arc;

use anyhow::Context;
use store::{Health, NewServer, NewTenant, Store};
use tokio::sync::watch;

use crate::app::{App, redact, shutdown_signal};
use crate::cli::{DemoArgs, Format, Measure, Rule, Statement};
use crate::commands::generate_secret;
use crate::config::{Config, data_dir};
use crate::say;
use billing::fair_use::{org_summary, verdicts};
use billing::meter::Metering;
use governance::membership::LegalForm;
use metering::money::Cents;
use metering::usage::Dim;

/// The sample organisations with their legal forms: a tenant each on a
/// tier, with the rooms their members use. The tenants' union's small tier
/// shows quotas at work.
const ORGANISATIONS: &[(&str, &str, LegalForm, &str, &[&str])] = &[
    (
        "coop-hosting",
        "Co-op Hosting Collective",
        LegalForm::CoOperative,
        "multi",
        &["general-assembly", "ops-weekly", "onboarding"],
    ),
    (
        "uni-vienna",
        "University of Vienna, Dept. of Sociology",
        LegalForm::PublicBody,
        "level3",
        &["lecture-101", "seminar-b", "office-hours", "thesis-defence"],
    ),
    (
        "tenants-union",
        "Tenants' Union",
        LegalForm::Association,
        "level1",
        &["organising-call", "legal-clinic", "press-team"],
    ),
];

/// The database the demo fills: the one it is given (`--database`, or the
/// configured one), which must be empty; otherwise its own file beside
/// (never in) the real database, recreated on every run.
fn database(config: &Config) -> anyhow::Result<(String, &'static str)> {
    if config.database_url != Config::default().database_url {
        return Ok((config.database_url.clone(), "as given"));
    }
    let dir = data_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let db = dir.join("demo.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    Ok((
        format!("sqlite://{}", db.display()),
        "the demo's own, recreated on every run",
    ))
}

/// The demo adds its sample organisations, tenants and servers to a
/// database that has none, so it never mixes them into real data.
async fn check_empty(store: &Store, url: &str) -> anyhow::Result<()> {
    let (orgs, tenants, servers) = (
        store.organisations().await?.len(),
        store.tenants().await?.len(),
        store.servers().await?.len(),
    );
    if orgs + tenants + servers > 0 {
        anyhow::bail!(
            "the demo fills an empty database, and {} already holds {orgs} organisations, {tenants} tenants and {servers} servers: give it a new one, or leave out --database for the demo's own",
            redact(url)
        );
    }
    Ok(())
}

pub async fn run(config: Config, args: DemoArgs) -> anyhow::Result<()> {
    let (database_url, whose) = database(&config)?;
    let store = Store::open(&database_url)
        .await
        .with_context(|| format!("cannot open the database {}", redact(&database_url)))?;
    check_empty(&store, &database_url).await?;
    let sim_secret = generate_secret();
    let sim = sim::start(
        sim::SimConfig {
            servers: args.servers.max(1),
            base_port: 0,
            secret: sim_secret.clone(),
            seed: args.seed,
            ..sim::SimConfig::default()
        },
        Arc::new(sim::SystemClock),
    )
    .await
    .context("cannot start the simulated servers")?;

    let config = Config {
        database_url,
        listen: ([127, 0, 0, 1], args.port).into(),
        poll_interval_secs: 2.0,
        ..config
    };
    for (i, server) in sim.servers.iter().enumerate() {
        store
            .add_server(
                NewServer {
                    url: &server.url(),
                    secret: &sim_secret,
                    algorithm: bbb::Algorithm::Sha256,
                    weight: if i == 0 { 2 } else { 1 },
                    pool: None,
                    capacity: 200,
                    health: Health::Unstable,
                },
                &demo_act(),
            )
            .await?;
    }
    let mut tenants = Vec::new();
    for (name, legal_name, _, tier, _) in ORGANISATIONS {
        let secret = generate_secret();
        store
            .add_organisation(name, legal_name, &demo_act())
            .await?;
        store
            .create_tenant(
                NewTenant {
                    name,
                    host: None,
                    pool: None,
                    secret: &secret,
                },
                &demo_act(),
            )
            .await?;
        store
            .set_tenant_organisation(name, Some(name), &demo_act())
            .await?;
        store.set_tenant_tier(name, Some(tier), &demo_act()).await?;
        tenants.push((*name, secret));
    }
    // Each simulated server costs 120.00 a month; the hosting co-op hosts the
    // first one, which the cost split credits to it.
    let host = store.organisation(ORGANISATIONS[0].0).await?;
    for (i, server) in store.servers().await?.iter().enumerate() {
        store
            .set_server_cost(server.id, 12_000, (i == 0).then_some(host.id), &demo_act())
            .await?;
    }
    let founders: Vec<(&str, &str, &str, LegalForm)> = ORGANISATIONS
        .iter()
        .enumerate()
        .map(|(i, (name, legal, form, _, _))| {
            let class = if i == 0 { "producer" } else { "consumer" };
            (*name, *legal, class, *form)
        })
        .collect();
    let governed = crate::governance::consortium(&config, store.clone());
    let seeded = consortium::seed(&governed, &founders).await?;
    let delegate = seeded
        .delegates
        .first()
        .context("the demo seeds a delegate for every organisation")?;
    let logins = logins::create(&governed, &delegate.org, &delegate.person).await?;
    store.close().await;

    let app = App::start(&config, fleet::system_clock()).await?;
    let stop_signal = shutdown_signal();
    let url = app.url();
    let metrics = match (app.metrics_addr, &config.metrics_token) {
        (_, Some(_)) => "with `Authorization: Bearer` and the metrics_token",
        (Some(_), None) => "on its own address",
        (None, None) => "from this machine only",
    };
    let metrics_url = app.metrics_addr.map_or_else(
        || format!("{url}/metrics"),
        |at| format!("http://{at}/metrics"),
    );
    let database = Database {
        url: redact(&config.database_url),
        whose,
    };
    print_welcome(
        &url,
        &database,
        &sim,
        &tenants,
        &seeded,
        (&metrics_url, metrics),
    );
    print_portal(&url, &logins);

    let front_ends = ORGANISATIONS
        .iter()
        .zip(&tenants)
        .map(|((name, _, _, _, rooms), (_, secret))| {
            traffic::FrontEnd::new(&url, name, secret, rooms)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let (stop, stopped) = watch::channel(false);
    let traffic = tokio::spawn(traffic::run(
        front_ends,
        traffic::TrafficModel::default(),
        args.seed,
        stopped.clone(),
    ));
    let status = tokio::spawn(print_status_periodically(
        app.store.clone(),
        config.clone(),
        stopped,
    ));

    stop_signal.await;
    say!("\nStopping the demo…");
    let _ = stop.send(true);
    let _ = traffic.await;
    let _ = status.await;
    app.shutdown().await;
    sim.shutdown().await;
    say!("Stopped.");
    Ok(())
}

/// The database the demo runs on, as its messages name it.
struct Database {
    /// Without its password.
    url: String,
    whose: &'static str,
}

fn print_welcome(
    url: &str,
    database: &Database,
    sim: &sim::SimFleet,
    tenants: &[(&str, String)],
    seeded: &consortium::Seeded,
    (metrics_url, metrics_access): (&str, &str),
) {
    say!();
    say!("Plenary demo is running at {url}");
    say!("  Database: {} ({})", database.url, database.whose);
    say!();
    say!("  Simulated BBB servers:");
    for server in &sim.servers {
        say!("    {}", server.url());
    }
    say!();
    say!("  Tenants (point Greenlight's BIGBLUEBUTTON_ENDPOINT / _SECRET here):");
    for ((name, secret), (_, org, _, tier, _)) in tenants.iter().zip(ORGANISATIONS) {
        say!("    {org} (tier {tier})");
        say!("      endpoint: {url}/t/{name}/bigbluebutton/api/");
        say!("      secret:   {secret}");
    }
    say!();
    say!("  Watch it:  {metrics_url}   (meetings and participants by tenant and server,");
    say!("             {metrics_access})");
    say!(
        "             plenary --database {} server list",
        database.url
    );
    say!();
    print_consortium(database, seeded);
    say!("  Traffic: each organisation's front end opens rooms and people join them;");
    say!("  the simulated people switch microphones and webcams and leave on their own.");
    say!("  Creates over a tier's limits are refused: see plenary_quota_refusals_total.");
    say!("  Every 30 s, each organisation's metered use, fair use and share of the");
    say!("  month's statement are printed below.");
    say!("  Press Ctrl-C to stop.");
    say!();
}

fn print_consortium(database: &Database, seeded: &consortium::Seeded) {
    let db = &database.url;
    say!("  The consortium: the three organisations are founding members, with the");
    say!("  Federation of Housing Co-ops holding two votes; Community Radio applied.");
    say!("  Open proposals (7 days' lead time; `proposal show ID` for the roll and votes):");
    for (id, title) in &seeded.proposals {
        say!("    #{id} {title}");
    }
    say!("  Each organisation's delegate has a token; vote as one of them, e.g.:");
    if let Some(d) = seeded.delegates.last() {
        say!(
            "    PLENARY_TOKEN={} plenary --database {db} proposal vote 1 --org {} agree",
            d.token,
            d.org
        );
    }
    say!("  Delegates' tokens:");
    for d in &seeded.delegates {
        say!("    {:<20} {}", d.org, d.token);
    }
    say!("  The tamper-evident record: plenary --database {db} audit verify");
    say!();
}

fn print_portal(url: &str, logins: &[logins::DemoLogin]) {
    say!("Portal: {url}/portal");
    say!("  Demo logins (role, e-mail, password; the operator also gives a TOTP code):");
    for l in logins {
        let totp = l
            .totp_secret
            .as_ref()
            .map(|s| format!("  TOTP secret {s}"))
            .unwrap_or_default();
        say!("  {:<19} {:<32} {}{totp}", l.role, l.email, l.password);
    }
    say!();
}

/// How often the demo prints the month's metering, fair use and statement.
const STATUS_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

async fn print_status_periodically(
    store: Store,
    config: Config,
    mut stopped: watch::Receiver<bool>,
) {
    let mut ticker = tokio::time::interval(STATUS_EVERY);
    ticker.tick().await;
    loop {
        tokio::select! {
            _ = stopped.wait_for(|s| *s) => return,
            _ = ticker.tick() => {}
        }
        if let Err(e) = print_status(&store, &config).await {
            tracing::warn!(error = %e, "cannot print the demo's status");
        }
    }
}

/// Each organisation's tier, metered use and fair use this month, and the
/// share the month's statement would give it now.
async fn print_status(store: &Store, config: &Config) -> anyhow::Result<()> {
    let period = crate::commands::usage::period(config, None)?;
    let settings = config.billing()?;
    let metering = Metering::for_settings(store.clone(), &settings);
    let used = metering.usage(Dim::Org, period.window).await?;
    let fair = verdicts(
        &metering,
        store,
        &settings,
        &period,
        None,
        crate::commands::now_ms(),
    )
    .await?;
    let query = crate::commands::bill::query(
        config,
        &Statement {
            period: None,
            rule: Rule::Guifi,
            base_fee: "10".into(),
            measure: Measure::ParticipantMinutes,
            format: Format::Table,
        },
    )?;
    let statement = billing::statements::compute(store, &settings, &query).await?;
    say!(
        "\n  {} so far (plenary usage report, usage fair-use, bill preview):",
        period.label
    );
    for (name, _, _, tier, _) in ORGANISATIONS {
        let u = used.get(*name).cloned().unwrap_or_default();
        let share = statement
            .shares
            .iter()
            .find(|s| s.org == *name)
            .map_or(0, |s| s.share_cents);
        say!(
            "    {name:<14} tier {tier:<7} {:>6} participant-min  peak {:>3}  share {:>8}  fair use {}",
            u.participant_minutes(),
            u.peak_participants,
            config.currency()?.format(Cents(share)),
            org_summary(&fair, name)
        );
    }
    Ok(())
}

/// The demo's setup, as the audit log records it.
fn demo_act() -> store::Act {
    store::Act::new("system:demo", crate::commands::now_ms())
}
