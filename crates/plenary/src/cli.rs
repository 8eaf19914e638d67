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
    /// Manage organisations, which own tenants.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage tiers: service levels with limits and a price.
    #[command(subcommand)]
    Tier(TierCommand),
    /// Metered use, from the poller's samples.
    #[command(subcommand)]
    Usage(UsageCommand),
    /// Split a period's server costs among the organisations.
    #[command(subcommand)]
    Bill(BillCommand),
    /// The tamper-evident audit log of every register, tenant, tier, billing
    /// and governance change.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Peak use against capacity and seats sold, per server pool.
    Capacity {
        /// YYYY-MM; default: the current month.
        #[arg(long)]
        period: Option<String>,
        #[command(flatten)]
        output: Output,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the whole chain; exit 0 when intact, 1 naming the first broken entry.
    Verify,
    /// The number of entries and the head hash, to publish or compare.
    Head,
    /// Entries, oldest first.
    List {
        /// Only entries about this subject, e.g. tenant:acme or proposal:3.
        #[arg(long)]
        subject: Option<String>,
        /// Only entries after this sequence number.
        #[arg(long, default_value_t = 0)]
        after: i64,
        #[arg(long, default_value_t = 100)]
        limit: i64,
        #[command(flatten)]
        output: Output,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Rule {
    /// An equal base fee plus the rest in proportion to use (guifi.net).
    Guifi,
    /// Everything in proportion to use.
    Proportional,
    /// In proportion to the organisations' tier prices.
    Tiers,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Measure {
    ParticipantMinutes,
    Megabytes,
}

#[derive(Debug, Args)]
pub struct Statement {
    /// YYYY-MM; default: the current month.
    #[arg(long)]
    pub period: Option<String>,
    #[arg(long, value_enum, default_value_t = Rule::Guifi)]
    pub rule: Rule,
    /// The guifi rule's equal base fee per organisation, e.g. 10 or 12.50.
    #[arg(long, default_value = "10")]
    pub base_fee: String,
    #[arg(long, value_enum, default_value_t = Measure::ParticipantMinutes)]
    pub measure: Measure,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum BillCommand {
    /// The statement the period would get if it closed now.
    Preview(Statement),
    /// Compute and freeze the period's statement.
    Close(Statement),
    /// A closed period's frozen statement.
    Show {
        #[arg(long)]
        period: String,
    },
    /// Add a cost line to the period's pool, or (with --org) a contribution.
    AddCost {
        #[arg(long)]
        period: Option<String>,
        #[arg(long)]
        label: String,
        /// Amount, e.g. 120 or 120.50.
        #[arg(long)]
        amount: String,
        /// Credit this organisation with the amount instead of adding it to the pool.
        #[arg(long)]
        org: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum UsageCommand {
    /// Metered use over a calendar month (in the configured time zone).
    Report {
        /// YYYY-MM; default: the current month.
        #[arg(long)]
        period: Option<String>,
        /// Only this tenant.
        #[arg(long)]
        tenant: Option<String>,
        /// Only this organisation's tenants.
        #[arg(long)]
        org: Option<String>,
        /// What each line is about.
        #[arg(long, value_enum, default_value_t = By::Tenant)]
        by: By,
        /// One line per key for the whole period, or per local day or hour.
        #[arg(long, value_enum, default_value_t = Every::Month)]
        every: Every,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Each tenant's fair-use verdicts, rule by rule: who is near or over, and why.
    FairUse {
        /// YYYY-MM; default: the current month.
        #[arg(long)]
        period: Option<String>,
        /// Also list the rules a tenant is within.
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    Tenant,
    Org,
    Server,
    Pool,
    /// A tenant's front end (`bbb-origin-server-name`).
    Origin,
}

impl By {
    pub fn dim(self) -> metering::usage::Dim {
        use metering::usage::Dim;
        match self {
            Self::Tenant => Dim::Tenant,
            Self::Org => Dim::Org,
            Self::Server => Dim::Server,
            Self::Pool => Dim::Pool,
            Self::Origin => Dim::Origin,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Every {
    Month,
    Day,
    Hour,
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Register an organisation.
    Add {
        /// Short name (lower-case), used on the command line.
        name: String,
        /// Full legal name.
        #[arg(long)]
        legal_name: Option<String>,
    },
    List(Output),
    /// An organisation with its tenants.
    Show {
        name: String,
        #[command(flatten)]
        output: Output,
    },
    Set {
        name: String,
        #[arg(long)]
        legal_name: String,
    },
}

/// A tier's values; on `set`, what is not given keeps its value.
#[derive(Debug, Args, Default)]
pub struct TierFields {
    /// Monthly price, e.g. 10 or 10.50.
    #[arg(long)]
    pub price: Option<String>,
    /// ISO currency code.
    #[arg(long)]
    pub currency: Option<String>,
    /// Participants per meeting (0 = unlimited).
    #[arg(long)]
    pub participants: Option<i64>,
    /// Meetings at the same time.
    #[arg(long)]
    pub meetings: Option<i64>,
    /// Participants at the same time across all meetings.
    #[arg(long)]
    pub concurrent_participants: Option<i64>,
    /// Longest meeting, in minutes.
    #[arg(long)]
    pub minutes: Option<i64>,
    /// Webcams per meeting.
    #[arg(long)]
    pub webcams: Option<i64>,
    #[arg(long)]
    pub webcams_per_user: Option<i64>,
    /// Whether meetings may be recorded.
    #[arg(long)]
    pub recording: Option<bool>,
    /// Distinct rooms (meeting IDs) per month.
    #[arg(long)]
    pub rooms: Option<i64>,
    /// BBB features switched off, comma-separated (e.g. breakoutRooms,sharedNotes).
    #[arg(long)]
    pub disabled_features: Option<String>,
    /// Fair-use allowance in participant-minutes per month.
    #[arg(long)]
    pub allowance_minutes: Option<i64>,
    /// Fair-use allowance in estimated GB per month.
    #[arg(long)]
    pub allowance_gb: Option<i64>,
}

#[derive(Debug, Subcommand)]
pub enum TierCommand {
    /// Create a tier; unset limits are 0 (unlimited).
    Add {
        name: String,
        #[command(flatten)]
        fields: TierFields,
    },
    List(Output),
    Show {
        name: String,
        #[command(flatten)]
        output: Output,
    },
    /// Change a tier; tenants on it get the new limits for new meetings.
    Set {
        name: String,
        #[command(flatten)]
        fields: TierFields,
    },
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
        /// The organisation that owns the tenant.
        #[arg(long)]
        org: Option<String>,
        /// The tenant's tier (default: none, no limits).
        #[arg(long)]
        tier: Option<String>,
    },
    List(Output),
    /// Move the tenant to a tier (`none`: no limits); running meetings keep theirs.
    SetTier {
        name: String,
        tier: String,
    },
    /// Give the tenant to an organisation (`none` to detach it).
    SetOrg {
        name: String,
        org: String,
    },
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
        /// What the server costs a month, e.g. 120 or 120.50.
        #[arg(long)]
        cost: Option<String>,
        /// The organisation hosting the server (credited with its cost); `none` to clear.
        #[arg(long)]
        owner: Option<String>,
    },
}
