//! The command line, as operators type it.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "plenary",
    version,
    about = "The BigBlueButton gateway and operations platform of a co-operative"
)]
pub struct Cli {
    /// Configuration file (TOML).
    #[arg(long, global = true, env = "PLENARY_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Database URL: sqlite://PATH (default, in the data directory) or postgres://…
    #[arg(long, global = true, value_name = "URL")]
    pub database: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gateway, the poller and the operations endpoints.
    Serve(ServeArgs),
    /// Run everything on a simulated fleet with sample organisations and traffic.
    Demo(DemoArgs),
    /// Run simulated BBB servers on consecutive ports.
    Sim(SimArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Exit 0 if the local server answers /readyz (for container health checks).
    Healthcheck {
        /// The server to ask; defaults to the configured listen address.
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
    /// Manage tenants: the BBB API endpoints front ends point at.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage BBB servers.
    #[command(subcommand)]
    Server(ServerCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 0.0.0.0:8080.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Tenants answer at <tenant>.<DOMAIN>.
    #[arg(long, value_name = "DOMAIN")]
    pub base_domain: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Port of the gateway (default: a free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Number of simulated BBB servers.
    #[arg(long, default_value_t = 4)]
    pub servers: usize,
    /// Seed of the simulated people, for a repeatable demo.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct SimArgs {
    #[arg(long, default_value_t = 3)]
    pub servers: usize,
    /// First port; server i listens on PORT+i.
    #[arg(long, default_value_t = 9000)]
    pub port: u16,
    /// Shared secret of every simulated server.
    #[arg(long, env = "PLENARY_SIM_SECRET", hide_env_values = true)]
    pub secret: String,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Added latency of every API answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Share of API calls answered with HTTP 500 (0.0 to 1.0).
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
}

#[derive(Debug, Args)]
pub struct Output {
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant; prints its secret once when one is generated.
    Add {
        name: String,
        /// The secret front ends sign with (generated when omitted).
        #[arg(long, env = "PLENARY_TENANT_SECRET", hide_env_values = true)]
        secret: Option<String>,
        /// An exact host name that identifies the tenant.
        #[arg(long)]
        host: Option<String>,
        /// Pin the tenant's meetings to this server pool.
        #[arg(long)]
        pool: Option<String>,
    },
    List(Output),
    Show {
        name: String,
        #[command(flatten)]
        output: Output,
    },
    Disable {
        name: String,
    },
    Enable {
        name: String,
    },
    /// Add a secret (rotation without downtime); prints it once when generated.
    AddSecret {
        name: String,
        #[arg(long, env = "PLENARY_TENANT_SECRET", hide_env_values = true)]
        secret: Option<String>,
    },
    /// Remove a secret, named by its fingerprint (from `tenant show`) or itself.
    RemoveSecret {
        name: String,
        secret: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ServerCommand {
    /// Register a BBB server (its URL and `bbb-conf --secret`).
    Add {
        url: String,
        #[arg(long, env = "PLENARY_SERVER_SECRET", hide_env_values = true)]
        secret: String,
        #[arg(long, default_value_t = 1)]
        weight: i64,
        #[arg(long)]
        pool: Option<String>,
        /// Participants the server can carry.
        #[arg(long, default_value_t = 200)]
        capacity: i64,
        /// Checksum algorithm for calls to this server.
        #[arg(long, default_value = "sha256")]
        algorithm: String,
    },
    List(Output),
    Show {
        id: i64,
        #[command(flatten)]
        output: Output,
    },
    /// Accept new meetings.
    Enable {
        id: i64,
    },
    /// Keep running meetings, accept no new ones (drain).
    Cordon {
        id: i64,
    },
    /// Take the server out entirely.
    Disable {
        id: i64,
    },
    /// Forget the server's meetings so they are re-created elsewhere, and disable it.
    Panic {
        id: i64,
        /// Keep the server's state instead of disabling it.
        #[arg(long)]
        keep_state: bool,
    },
    /// Change a server's settings.
    Set {
        id: i64,
        #[arg(long, env = "PLENARY_SERVER_SECRET", hide_env_values = true)]
        secret: Option<String>,
        #[arg(long)]
        weight: Option<i64>,
        /// Pool name; an empty value takes the server out of its pool.
        #[arg(long)]
        pool: Option<String>,
        #[arg(long)]
        capacity: Option<i64>,
        #[arg(long)]
        algorithm: Option<String>,
    },
}
