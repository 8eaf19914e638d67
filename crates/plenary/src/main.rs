use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use plenary::app::{App, redact, shutdown_signal};
use plenary::cli::{Cli, Command, GreenlightCommand, MoodleCommand};
use plenary::commands;
use plenary::config::{Config, Overrides};
use plenary::say;
use store::Store;

fn main() -> ExitCode {
    plenary::output::end_quietly_on_closed_output();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "plenary: cannot start the async runtime: {e}"
            );
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "plenary: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut overrides = Overrides {
        database_url: cli.database.clone(),
        ..Overrides::default()
    };
    if let Command::Serve(args) = &cli.command {
        overrides.listen = args.listen;
        overrides.base_domain = args.base_domain.clone();
    }
    let config = Config::load(cli.config.as_deref(), &overrides)?;
    init_logging(&config, matches!(cli.command, Command::Serve(_)));
    match cli.command {
        Command::Serve(_) => {
            ensure_data_dir(&config)?;
            let app = App::start(&config, fleet::system_clock()).await?;
            let stop_signal = shutdown_signal();
            say!("Plenary is serving at {}", app.url());
            if let Some(at) = app.metrics_addr {
                say!("Metrics at http://{at}/metrics");
            }
            stop_signal.await;
            say!("Stopping…");
            app.shutdown().await;
        }
        Command::Migrate { from, to } => {
            ensure_data_dir(&config)?;
            match to {
                Some(to) => {
                    let from = from.unwrap_or_else(|| config.database_url.clone());
                    commands::backup::migrate(&from, &to).await?;
                }
                None => {
                    let store = Store::connect(&config.database_url).await?;
                    store.migrate().await?;
                    println!("Database {} is up to date.", redact(&config.database_url));
                }
            }
        }
        Command::Backup { file } => {
            let store = Store::open_existing(&config.database_url).await?;
            commands::backup::backup(&store, &file).await?;
        }
        Command::Restore { file } => {
            ensure_data_dir(&config)?;
            commands::backup::restore(&config.database_url, &file).await?;
        }
        Command::Healthcheck { url } => {
            let url = url.unwrap_or_else(|| {
                let mut addr = config.listen;
                if addr.ip().is_unspecified() {
                    addr.set_ip([127, 0, 0, 1].into());
                }
                format!("http://{addr}")
            });
            let ok = reqwest::Client::new()
                .get(format!("{}/readyz", url.trim_end_matches('/')))
                .timeout(std::time::Duration::from_secs(5))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            println!("{}", if ok { "ready" } else { "not ready" });
            return Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        Command::Greenlight(cmd) => {
            let c = consortium(&config).await?;
            match cmd {
                GreenlightCommand::Compose {
                    tenant,
                    dir,
                    host,
                    endpoint,
                } => {
                    commands::frontend::greenlight_compose(
                        &c, &config, &tenant, dir, host, endpoint,
                    )
                    .await?
                }
                GreenlightCommand::List { root } => {
                    commands::frontend::greenlight_list(&c, &root).await?
                }
            }
        }
        Command::Moodle(MoodleCommand::Settings {
            tenant,
            dir,
            endpoint,
        }) => {
            let c = consortium(&config).await?;
            commands::frontend::moodle_settings(&c, &config, &tenant, dir, endpoint).await?
        }
        Command::Tenant(cmd) => commands::tenant::run(&consortium(&config).await?, cmd).await?,
        Command::Server(cmd) => commands::server::run(&consortium(&config).await?, cmd).await?,
        Command::Pool(cmd) => commands::pool::run(&consortium(&config).await?, cmd).await?,
        Command::Meeting(cmd) => commands::meeting::run(&consortium(&config).await?, cmd).await?,
        Command::Org(cmd) => commands::org::run(&consortium(&config).await?, cmd).await?,
        Command::Person(cmd) => commands::person::run(&consortium(&config).await?, cmd).await?,
        Command::Token(cmd) => commands::token::run(&consortium(&config).await?, cmd).await?,
        Command::Document(cmd) => commands::document::run(&consortium(&config).await?, cmd).await?,
        Command::Rules(cmd) => commands::rules::run(&consortium(&config).await?, cmd).await?,
        Command::Proposal(cmd) => commands::proposal::run(&consortium(&config).await?, cmd).await?,
        Command::Duties => {
            let c = consortium(&config).await?;
            let now = commands::now_ms();
            let duties = c.run_duties(&store::Act::new("system", now)).await?;
            let sent = plenary::governance::delivery(&config, c.store().clone())?
                .deliver_due(now)
                .await?;
            println!(
                "Reminded {} proposals, closed {}, {} organisations left; {} messages sent, {} to retry, {} given up.",
                duties.reminded.len(),
                duties.closed.len(),
                duties.left.len(),
                sent.sent,
                sent.retrying,
                sent.given_up
            );
        }
        Command::Tier(cmd) => commands::tier::run(&consortium(&config).await?, cmd).await?,
        Command::Usage(cmd) => {
            commands::usage::run(&consortium(&config).await?, &config, cmd).await?
        }
        Command::Audit(cmd) => return commands::audit::run(&consortium(&config).await?, cmd).await,
        Command::Bill(cmd) => {
            commands::bill::run(&consortium(&config).await?, &config, cmd).await?
        }
        Command::Capacity { period, output } => {
            let c = consortium(&config).await?;
            commands::capacity::run(&c, &config, period, output.json).await?
        }
        Command::Demo(args) => plenary::demo::run(config, args).await?,
        Command::Sim(args) => run_sim(args).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `plenary sim`: simulated BBB servers until Ctrl-C.
async fn run_sim(args: plenary::cli::SimArgs) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&args.error_rate) {
        anyhow::bail!("--error-rate must be between 0.0 and 1.0");
    }
    let fleet = sim::start(
        sim::SimConfig {
            servers: args.servers,
            base_port: args.port,
            secret: args.secret,
            seed: args.seed,
            faults: sim::Faults {
                latency_ms: args.latency_ms,
                error_rate: args.error_rate,
                down: false,
                answers: args.answers,
            },
            ..sim::SimConfig::default()
        },
        std::sync::Arc::new(sim::SystemClock),
    )
    .await?;
    for server in &fleet.servers {
        println!(
            "{}   (faults: http://{}/sim/faults)",
            server.url(),
            server.addr()
        );
    }
    let stop_signal = shutdown_signal();
    println!("Press Ctrl-C to stop.");
    stop_signal.await;
    fleet.shutdown().await;
    Ok(())
}

async fn consortium(config: &Config) -> anyhow::Result<consortium::Consortium> {
    Ok(plenary::governance::consortium(config, open(config).await?))
}

async fn open(config: &Config) -> anyhow::Result<Store> {
    ensure_data_dir(config)?;
    Ok(Store::open(&config.database_url).await?)
}

/// The embedded database's directory is created on first use.
fn ensure_data_dir(config: &Config) -> anyhow::Result<()> {
    if let Some(path) = config.database_url.strip_prefix("sqlite://")
        && let Some(dir) = std::path::Path::new(path.split('?').next().unwrap_or(path)).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    Ok(())
}

/// Logs go to stderr so command output stays clean; `PLENARY_LOG` or
/// `RUST_LOG` set the filter. A log line that cannot be written is lost:
/// by default the formatter reports that with `eprintln!`, which panics
/// on the same broken stderr, killing whichever task was logging.
fn init_logging(config: &Config, serving: bool) {
    let default = if serving { "info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("PLENARY_LOG")
        .or_else(|_| tracing_subscriber::EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .log_internal_errors(false);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}
