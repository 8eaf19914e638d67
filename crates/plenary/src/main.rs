use std::process::ExitCode;

use clap::Parser;
use plenary::app::{App, redact};
use plenary::cli::{Cli, Command};
use plenary::commands;
use plenary::config::{Config, Overrides};
use store::Store;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("plenary: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("plenary: {e:#}");
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
            println!("Plenary is serving at {}", app.url());
            shutdown_signal().await;
            println!("Stopping…");
            app.shutdown().await;
        }
        Command::Migrate => {
            ensure_data_dir(&config)?;
            let store = Store::connect(&config.database_url).await?;
            store.migrate().await?;
            println!("Database {} is up to date.", redact(&config.database_url));
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
        Command::Tenant(cmd) => commands::tenant::run(&open(&config).await?, cmd).await?,
        Command::Server(cmd) => commands::server::run(&open(&config).await?, cmd).await?,
        Command::Demo(_) | Command::Sim(_) => anyhow::bail!("not available in this build yet"),
    }
    Ok(ExitCode::SUCCESS)
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
/// `RUST_LOG` set the filter.
fn init_logging(config: &Config, serving: bool) {
    let default = if serving { "info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("PLENARY_LOG")
        .or_else(|_| tracing_subscriber::EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("a SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
