//! The command line, as operators type it.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use governance::membership::LegalForm;

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
    /// Apply database migrations and exit; with --from and --to, move an
    /// installation's whole database into a new, empty one (e.g. from
    /// SQLite to PostgreSQL), audit chain and all.
    Migrate {
        /// The database to copy from (the configured one if unset).
        #[arg(long, value_name = "URL", requires = "to")]
        from: Option<String>,
        /// A new, empty database to copy into; migrated first.
        #[arg(long, value_name = "URL")]
        to: Option<String>,
    },
    /// Write a consistent snapshot of the SQLite database to FILE while
    /// Plenary serves, then check it (integrity, migrations, audit chain).
    Backup { file: PathBuf },
    /// Replace the configured database with a checked backup: stop every
    /// serving instance first. Into PostgreSQL, the database must be new.
    Restore { file: PathBuf },
    /// Exit 0 if the local server answers /readyz (for container health checks).
    Healthcheck {
        /// The server to ask; defaults to the configured listen address.
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
    /// An organisation's own Greenlight v3, configured for its tenant.
    #[command(subcommand)]
    Greenlight(GreenlightCommand),
    /// Moodle's BigBlueButton plugin, configured for a tenant.
    #[command(subcommand)]
    Moodle(MoodleCommand),
    /// Manage tenants: the BBB API endpoints front ends point at.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage BBB servers.
    #[command(subcommand)]
    Server(ServerCommand),
    /// Server pools: the names servers and tenants share.
    #[command(subcommand)]
    Pool(PoolCommand),
    /// Meetings running now.
    #[command(subcommand)]
    Meeting(MeetingCommand),
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
    /// People with accounts, who represent organisations.
    #[command(subcommand)]
    Person(PersonCommand),
    /// Bearer tokens for the JSON API (and for voting from the command line).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Versioned documents, such as the rights and conditions of membership.
    #[command(subcommand)]
    Document(DocumentCommand),
    /// The consortium's rules: lead time, quorum, threshold, notice, classes.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// The consortium's decisions.
    #[command(subcommand)]
    Proposal(ProposalCommand),
    /// Run the consortium's due duties once: reminders, closing at the
    /// deadline, leaves at the end of their notice, and sending what is
    /// queued for mail and the forum (serve does this itself).
    Duties,
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
pub enum GreenlightCommand {
    /// Write docker-compose.yml, .env and postgres.env (private) for a
    /// Greenlight v3 of the tenant's organisation.
    Compose {
        tenant: String,
        /// Default: ./greenlight-TENANT. An existing .env is never overwritten.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// The host name Greenlight answers at.
        #[arg(long)]
        host: Option<String>,
        /// The tenant's BBB API endpoint, if not derived from its host name,
        /// the base domain or the public URL.
        #[arg(long, value_name = "URL")]
        endpoint: Option<String>,
    },
    /// Every tenant, its Greenlight directory under --root, and whether
    /// the secret there is still valid.
    List {
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum MoodleCommand {
    /// Write moodle-bigbluebuttonbn.sh (private): the plugin's server URL,
    /// shared secret and checksum algorithm as admin/cli/cfg.php calls.
    Settings {
        tenant: String,
        /// Default: ./moodle-TENANT.
        #[arg(long)]
        dir: Option<PathBuf>,
        #[arg(long, value_name = "URL")]
        endpoint: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the whole chain; exit 0 when intact, 1 naming the first broken entry.
    Verify {
        /// A head published earlier (with a closed proposal or bill) that
        /// the log must still hold: catches a removed tail whose head row
        /// was rolled back with it.
        #[arg(long, value_name = "HASH")]
        head: Option<String>,
    },
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
    /// A closed period's frozen statement, or with --org that
    /// organisation's part of it (an organisation's admin sees only that).
    Show {
        #[arg(long)]
        period: String,
        #[arg(long)]
        org: Option<String>,
        #[command(flatten)]
        output: Output,
    },
    /// The closed periods, or with --org that organisation's part of each.
    List {
        #[arg(long)]
        org: Option<String>,
        #[command(flatten)]
        output: Output,
    },
    /// The period's cost lines and contributions.
    Costs {
        #[arg(long)]
        period: Option<String>,
        #[command(flatten)]
        output: Output,
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
        /// Only this organisation's tenants.
        #[arg(long)]
        org: Option<String>,
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
    /// Register an organisation: a plain customer, or with `--member` a
    /// founding member of the consortium.
    Add {
        /// Short name (lower-case), used on the command line.
        name: String,
        /// Full legal name.
        #[arg(long)]
        legal_name: Option<String>,
        #[command(flatten)]
        register: RegisterArgs,
        /// A member from now (founding members; others apply).
        #[arg(long)]
        member: bool,
    },
    /// An organisation applies to join: its admission opens as a proposal.
    Apply {
        name: String,
        #[arg(long)]
        legal_name: Option<String>,
        #[command(flatten)]
        register: RegisterArgs,
        /// Why it applies, shown on the proposal.
        #[arg(long, default_value = "")]
        statement: String,
    },
    List(Output),
    /// An organisation with its register entry, representatives and tenants.
    Show {
        name: String,
        #[command(flatten)]
        output: Output,
    },
    Set {
        name: String,
        #[arg(long)]
        legal_name: Option<String>,
        /// co-operative, association, foundation, company, public-body,
        /// informal-group or federation.
        #[arg(long)]
        legal_form: Option<LegalForm>,
        /// Member class (see `plenary rules show`).
        #[arg(long)]
        class: Option<String>,
        /// Vote weight: 1, or 1 or 2 for a federation.
        #[arg(long)]
        weight: Option<u32>,
        #[arg(long)]
        contact: Option<String>,
    },
    /// A member gives notice; it leaves when the notice period ends.
    Notice {
        name: String,
    },
    /// Record what a member gave besides its fees; shown by `org show`.
    Contribute {
        name: String,
        /// hours, money or servers.
        #[arg(long)]
        kind: String,
        /// A decimal number: hours (e.g. 12.5), money (250.00) or servers (2).
        #[arg(long)]
        amount: String,
        /// The day it was given, YYYY-MM-DD.
        #[arg(long)]
        day: String,
        /// What it was.
        #[arg(long)]
        note: String,
    },
    /// The organisation's calendar (iCalendar) of the earliest closes and
    /// deadlines of the proposals it may vote on.
    Calendar {
        name: String,
    },
    /// Give a person a role in an organisation.
    Represent {
        org: String,
        person: String,
        #[arg(long, value_enum, default_value_t = Role::Delegate)]
        role: Role,
    },
}

/// Register fields of an organisation, a member or an applicant.
#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// co-operative, association, foundation, company, public-body,
    /// informal-group or federation.
    #[arg(long)]
    pub legal_form: Option<LegalForm>,
    /// Member class (see `plenary rules show`); default: consumer.
    #[arg(long)]
    pub class: Option<String>,
    /// A federation of organisations (may hold a vote weight of 2).
    #[arg(long, conflicts_with = "individual")]
    pub federation: bool,
    /// A person who is a member in their own right (give the rules'
    /// individuals class with --class).
    #[arg(long)]
    pub individual: bool,
    /// Vote weight; default: the consortium's rule for the kind.
    #[arg(long)]
    pub weight: Option<u32>,
    /// Contact address for notifications until it has representatives
    /// (an organisation already registered keeps its own when omitted).
    #[arg(long)]
    pub contact: Option<String>,
}

/// The consortium's roles, as `--role` takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    /// Casts the organisation's ballot.
    Delegate,
    /// Votes when the delegate does not.
    Deputy,
    /// Manages the organisation's tenants and membership; does not vote.
    Admin,
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
    /// BBB features switched off, comma-separated in BBB's spelling (e.g.
    /// breakoutRooms,sharedNotes); an empty value switches none off.
    #[arg(long)]
    pub disabled_features: Option<bbb::DisabledFeatures>,
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
    /// What every answer is turned into, as by a hostile server: normal,
    /// garbage, nested:DEPTH, oversized:BYTES or control-characters.
    #[arg(long, default_value = "normal")]
    pub answers: sim::AnswerFault,
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
    /// Change a tenant's organisation, tier, pool or host; `none` clears one.
    Set {
        name: String,
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        tier: Option<String>,
        /// Pin the tenant's meetings to this server pool.
        #[arg(long)]
        pool: Option<String>,
        /// An exact host name that identifies the tenant.
        #[arg(long)]
        host: Option<String>,
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
        #[command(flatten)]
        settings: ServerSettings,
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
        /// A new address, e.g. after a move.
        #[arg(long)]
        url: Option<String>,
        #[arg(long, env = "PLENARY_SERVER_SECRET", hide_env_values = true)]
        secret: Option<String>,
        #[command(flatten)]
        settings: ServerSettings,
    },
}

/// How a server is used, as `server add` and `server set` take it.
#[derive(Debug, Args)]
pub struct ServerSettings {
    /// Share of new meetings against the other servers (default 1).
    #[arg(long)]
    pub weight: Option<i64>,
    /// Pool name; `none` (or empty) takes the server out of its pool.
    #[arg(long)]
    pub pool: Option<String>,
    /// Participants the server can carry (default 200).
    #[arg(long)]
    pub capacity: Option<i64>,
    /// Checksum algorithm for calls to this server (default sha256).
    #[arg(long)]
    pub algorithm: Option<String>,
    /// What the server costs a month, e.g. 120 or 120.50.
    #[arg(long)]
    pub cost: Option<String>,
    /// The organisation hosting the server (credited with its cost); `none` to clear.
    #[arg(long)]
    pub owner: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PoolCommand {
    /// Every pool with its servers and tenants; `(shared)` is the servers in no pool.
    List(Output),
}

#[derive(Debug, Subcommand)]
pub enum MeetingCommand {
    /// Live meetings, by the meeting IDs their tenants use.
    List {
        /// Only this tenant's.
        #[arg(long)]
        tenant: Option<String>,
        #[command(flatten)]
        output: Output,
    },
}

#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    Add {
        /// Login name.
        name: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        display_name: Option<String>,
    },
    List(Output),
    /// Link the person's forum account, once you have verified it is
    /// theirs: their votes in proposals' forum polls then count when they
    /// are a delegate or deputy.
    Forum {
        name: String,
        /// Their username on the forum.
        username: String,
    },
    /// Set the portal password of a person (or, with `--operator`, of the
    /// operator labelled NAME), read from standard input. Operators always
    /// get a new TOTP secret, printed once; `--totp` gives a person one.
    SetPassword {
        name: String,
        /// The e-mail to sign in with; a person's own address when absent.
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        operator: bool,
        #[arg(long)]
        totp: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a token and print it once: a person's, or with `--operator` an operator's.
    Add {
        /// Whose token: your own (as the person of PLENARY_TOKEN) by default.
        #[arg(long, conflicts_with = "operator")]
        person: Option<String>,
        #[arg(long)]
        operator: bool,
        /// What the token is for, e.g. the laptop it lives on; an
        /// operator's token is named by it (your own name by default).
        #[arg(long)]
        label: Option<String>,
        /// The token only reads: every change is refused.
        #[arg(long)]
        read_only: bool,
        /// The token acts only for this organisation.
        #[arg(long)]
        organisation: Option<String>,
    },
    /// Revoke a token (read from standard input, so it stays out of shell history).
    Revoke,
}

#[derive(Debug, Subcommand)]
pub enum DocumentCommand {
    /// Publish the next version of a document from a file.
    Publish {
        name: String,
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    List(Output),
    /// The latest version of a document.
    Show {
        name: String,
    },
    /// Record that an organisation accepted the latest version.
    Accept {
        name: String,
        #[arg(long)]
        org: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    Show(Output),
    /// Set the founding rules (before any organisation joins), or afterwards
    /// the rules that protect nobody (the reminder); the others change
    /// only by `rules propose`. Running proposals keep the rules they opened with.
    Set(RuleChanges),
    /// Draft a proposal changing the rules: it applies when it passes, at
    /// its close, with the threshold such a change needs.
    Propose {
        #[arg(long)]
        title: String,
        /// Why; shown to the members with the new rules.
        #[arg(long, default_value = "")]
        text: String,
        #[command(flatten)]
        changes: RuleChanges,
    },
}

/// Changes to the consortium's rules; what is not given stays.
#[derive(Debug, clap::Args)]
pub struct RuleChanges {
    /// Minimum lead time of a proposal, in days.
    #[arg(long)]
    pub lead_days: Option<u32>,
    /// Share of the eligible vote weight that must take part, in percent.
    #[arg(long)]
    pub quorum: Option<String>,
    /// Pass threshold: `>50` (more than half, the default) or `>=75`.
    #[arg(long)]
    pub threshold: Option<String>,
    /// Days between giving notice and leaving.
    #[arg(long)]
    pub notice_days: Option<u32>,
    /// Vote weight of a federation by default: 1 or 2.
    #[arg(long)]
    pub federation_weight: Option<u32>,
    /// Hours before closing that organisations which have not voted are reminded.
    #[arg(long)]
    pub reminder_hours: Option<u32>,
    /// Whether every ballot must link to the minutes of the member's own meeting.
    #[arg(long)]
    pub require_minutes: Option<bool>,
    /// Member classes, comma-separated; one that members hold stays.
    #[arg(long)]
    pub classes: Option<String>,
    /// Legal forms that may apply for membership, comma-separated
    /// (e.g. co-operative,association), or `all`.
    #[arg(long)]
    pub legal_forms: Option<String>,
    /// The statutory floor: no lead time below this many days.
    #[arg(long)]
    pub floor_lead_days: Option<u32>,
    /// Individual members: CLASS=each:WEIGHT, or CLASS=college:VOTES, or
    /// CLASS=college:VOTES/INDIVIDUALS (one college whose weight is shared
    /// among those who vote); `none` admits none.
    #[arg(long)]
    pub individuals: Option<String>,
}

impl From<Role> for consortium::Role {
    fn from(role: Role) -> Self {
        match role {
            Role::Delegate => Self::Delegate,
            Role::Deputy => Self::Deputy,
            Role::Admin => Self::Admin,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProposalKind {
    /// Agree / abstain / disagree / block.
    Consent,
    /// Pick one option.
    Single,
    /// Pick up to --max-choices options.
    Multiple,
    /// Rank the options (instant-runoff; STV with --seats above 1).
    Ranked,
    /// Score every option from --min to --max.
    Score,
}

#[derive(Debug, Subcommand)]
pub enum ProposalCommand {
    /// Draft a proposal (it opens with `proposal open`).
    New {
        #[arg(long)]
        title: String,
        /// The text; or --file.
        #[arg(long, conflicts_with = "file", required_unless_present = "file")]
        text: Option<String>,
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = ProposalKind::Consent)]
        kind: ProposalKind,
        /// An option (repeat for each); not for consent proposals.
        #[arg(long = "option")]
        options: Vec<String>,
        #[arg(long, default_value_t = 1)]
        max_choices: usize,
        #[arg(long, default_value_t = 1)]
        seats: usize,
        #[arg(long, default_value_t = 0)]
        min: i32,
        #[arg(long, default_value_t = 5)]
        max: i32,
        /// Quorum in percent of the eligible vote weight; default: the rules'.
        #[arg(long)]
        quorum: Option<String>,
        /// `>50` or `>=75`; default: the rules'.
        #[arg(long)]
        threshold: Option<String>,
        /// Longer than the rules' minimum lead time, in days.
        #[arg(long)]
        lead_days: Option<u32>,
        /// Hide the counts until the proposal closes.
        #[arg(long)]
        hide_results: bool,
        /// A block counts as a disagreement instead of stopping the proposal.
        #[arg(long)]
        no_block: bool,
    },
    /// Open a draft for voting: the roll and fingerprint freeze now.
    Open {
        id: i64,
        /// Closing time (e.g. 2026-12-09T18:00Z); default: as soon as the lead time allows.
        #[arg(long)]
        closes: Option<String>,
    },
    /// Change the text; on an open proposal the lead time restarts.
    Edit {
        id: i64,
        #[arg(long)]
        title: Option<String>,
        #[arg(long, conflicts_with = "file")]
        text: Option<String>,
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
    },
    List(Output),
    Show {
        id: i64,
        #[command(flatten)]
        output: Output,
    },
    /// Cast your organisation's ballot, as the person whose token is in
    /// PLENARY_TOKEN (operators cannot vote for organisations).
    Vote {
        id: i64,
        /// The organisation you vote for.
        #[arg(long)]
        org: String,
        /// agree|abstain|disagree|block; an option number (1 = first); `1,3`
        /// for several; `2>1>3` to rank; `5,3,0` scores; or `abstain`.
        choice: String,
        #[arg(long)]
        reason: Option<String>,
        /// Link to the minutes of your organisation's own meeting.
        #[arg(long)]
        minutes: Option<String>,
    },
    /// Close a proposal whose lead time is over, and count it.
    Close {
        id: i64,
    },
    Withdraw {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// The closed proposal's record (JSON): roll, ballots with weights,
    /// tally, and every ballot with the salt of its audit-log commitment.
    Export {
        id: i64,
    },
    /// Check an exported record: fingerprint, recount, and every ballot
    /// against its commitment in this database's audit log.
    Recount {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Write the outcome statement of a closed proposal (once): what was
    /// decided and what happens next. It is mailed, posted on the forum and
    /// part of the published record.
    Outcome {
        id: i64,
        #[arg(long, conflicts_with = "file", required_unless_present = "file")]
        text: Option<String>,
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// The BLT ballot file of a closed ranked proposal, for any STV tool.
    Blt {
        id: i64,
    },
}
