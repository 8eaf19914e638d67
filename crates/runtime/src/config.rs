//! Configuration: built-in defaults, then the TOML file, then the Scalelite
//! variable names operators already use, then `PLENARY_*` variables (`__`
//! separates a section from its setting: `PLENARY_SMTP__HOST`), then
//! command-line flags. Every secret setting also reads `NAME_FILE`.
//! The full catalogue is in `docs/configuration.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use gateway::{GatewayConfig, ParamPolicy};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `sqlite://PATH` (default, in the data directory) or `postgres://…`.
    pub database_url: String,
    pub listen: SocketAddr,
    /// Tenants answer at `<tenant>.<base_domain>`.
    pub base_domain: Option<String>,
    /// Accepted checksum algorithms, e.g. `sha1:sha256`; empty = all four.
    pub checksum_algorithms: String,
    /// Secrets of the `default` tenant, for requests naming no tenant
    /// (Scalelite's single-secret mode, `LOADBALANCER_SECRET(S)`).
    pub loadbalancer_secrets: Vec<String>,
    pub poll_interval_secs: f64,
    pub poll_concurrency: usize,
    pub connect_timeout_secs: f64,
    pub response_timeout_secs: f64,
    /// Backend answers larger than this are refused unread.
    pub max_answer_bytes: usize,
    pub server_healthy_threshold: u32,
    pub server_unhealthy_threshold: u32,
    /// Minutes; 0 = no limit.
    pub max_meeting_duration: u32,
    pub default_create_params: String,
    pub override_create_params: String,
    pub create_exclude_params: String,
    pub default_join_params: String,
    pub override_join_params: String,
    pub join_exclude_params: String,
    pub get_meetings_api_disabled: bool,
    pub default_logout_url: String,
    /// Seconds a tenant and its secrets are reused between requests; 0 = never.
    pub tenant_cache_secs: f64,
    /// Days raw usage samples are kept after they are rolled up into hours.
    pub sample_retention_days: u64,
    /// The IANA time zone billing periods and daily reports follow.
    pub time_zone: String,
    /// The ISO 4217 currency every amount is billed and printed in.
    pub currency: String,
    /// Hours a month a tenant may exceed its tier's concurrent participants
    /// before its fair use is over.
    pub fair_use_burst_hours: u64,
    /// 95th percentile of a tenant's hourly estimated Mbit/s that is fair;
    /// 0 = no bandwidth rule.
    pub fair_use_p95_mbps: u64,
    /// `text` or `json`.
    pub log_format: String,
    /// How the consortium names itself in messages.
    pub consortium_name: String,
    /// Plenary's address as members reach it, for links in messages;
    /// `http://<listen>` when unset.
    pub public_url: Option<String>,
    /// Plenary's address as BBB servers reach it, for the callback URLs
    /// given to them; `public_url` when unset.
    pub callback_url: Option<String>,
    /// Lets forwarded callbacks reach loopback, private and link-local
    /// addresses (a front end on the same network).
    pub callback_private_networks: bool,
    /// Where imported recordings' files are kept; `recordings` beside a
    /// SQLite database file, or in the data directory, when unset.
    pub recordings_dir: Option<PathBuf>,
    /// Bytes of the files of one uploaded recording format.
    pub recording_max_bytes: u64,
    /// The co-op's own tenant, on which organisations' internal meeting
    /// rooms are created.
    pub governance_tenant: Option<String>,
    /// Signs room links; without it (or without `governance_tenant`),
    /// notifications carry no room.
    pub room_key: Option<Secret>,
    /// Where notifications are mailed from; no mail without it.
    pub smtp: Option<notify::SmtpConfig>,
    /// The forum proposals are mirrored to; no mirror without it.
    pub discourse: Option<forum::DiscourseConfig>,
    /// Seconds between runs of the consortium's duties: reminders, closing
    /// at the deadline, leaves at the end of their notice, and sending
    /// what is queued for mail and the forum.
    pub duties_interval_secs: f64,
    /// Connections served at once; further ones wait to be accepted.
    pub http_max_connections: usize,
    /// Seconds from a request's first byte to the end of its headers.
    pub http_header_timeout_secs: f64,
    /// Seconds from the end of a request's headers to the end of its body.
    pub http_body_timeout_secs: f64,
    /// Seconds a connection may wait, silent, for its next request.
    pub http_idle_timeout_secs: f64,
    /// Proxies whose `X-Forwarded-For` names the client, e.g. `127.0.0.1, ::1`.
    pub trusted_proxies: String,
    /// Failed authentications (bad checksums, unknown tokens) from one
    /// address within `auth_throttle_window_secs` before it is refused
    /// until the window ends; 0 = no throttle.
    pub auth_throttle_failures: u32,
    pub auth_throttle_window_secs: f64,
    /// Bytes of a BBB API request body; a larger declared one is refused unread.
    pub api_max_body_bytes: usize,
    /// Bytes of a BBB API query string.
    pub api_max_query_bytes: usize,
    /// BBB API requests per second one tenant may sustain; 0 = no limit.
    pub tenant_rate_per_sec: f64,
    /// BBB API requests one tenant may make at once above its rate.
    pub tenant_rate_burst: u32,
    /// `/api/v1` requests per second one token may sustain; 0 = no limit.
    pub api_token_rate_per_sec: f64,
    /// `/api/v1` requests one token may make at once above its rate.
    pub api_token_rate_burst: u32,
    /// Calls in flight to one BBB server; further ones fail at once
    /// (a create then tries another server).
    pub server_max_calls_in_flight: usize,
    /// Where `/metrics` is served instead of the main address.
    pub metrics_listen: Option<SocketAddr>,
    /// The bearer token `/metrics` requires.
    pub metrics_token: Option<Secret>,
}

/// A secret setting: readable by the code that uses it, redacted in `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: format!("sqlite://{}", data_dir().join("plenary.db").display()),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            base_domain: None,
            checksum_algorithms: String::new(),
            loadbalancer_secrets: Vec::new(),
            poll_interval_secs: 10.0,
            poll_concurrency: 32,
            connect_timeout_secs: 5.0,
            response_timeout_secs: 10.0,
            max_answer_bytes: bbb::client::DEFAULT_MAX_ANSWER_BYTES,
            server_healthy_threshold: 1,
            server_unhealthy_threshold: 2,
            max_meeting_duration: 0,
            default_create_params: String::new(),
            override_create_params: String::new(),
            create_exclude_params: String::new(),
            default_join_params: String::new(),
            override_join_params: String::new(),
            join_exclude_params: String::new(),
            get_meetings_api_disabled: false,
            default_logout_url: "/".into(),
            tenant_cache_secs: 2.0,
            sample_retention_days: 14,
            time_zone: "UTC".into(),
            currency: "EUR".into(),
            fair_use_burst_hours: 4,
            fair_use_p95_mbps: 100,
            log_format: "text".into(),
            consortium_name: "Plenary consortium".into(),
            public_url: None,
            callback_url: None,
            callback_private_networks: false,
            recordings_dir: None,
            recording_max_bytes: 4 * 1024 * 1024 * 1024,
            governance_tenant: None,
            room_key: None,
            smtp: None,
            discourse: None,
            duties_interval_secs: 60.0,
            http_max_connections: 512,
            http_header_timeout_secs: 10.0,
            http_body_timeout_secs: 30.0,
            http_idle_timeout_secs: 30.0,
            trusted_proxies: String::new(),
            auth_throttle_failures: 20,
            auth_throttle_window_secs: 60.0,
            api_max_body_bytes: 4 * 1024 * 1024,
            api_max_query_bytes: 64 * 1024,
            tenant_rate_per_sec: 0.0,
            tenant_rate_burst: 200,
            api_token_rate_per_sec: 20.0,
            api_token_rate_burst: 300,
            server_max_calls_in_flight: 64,
            metrics_listen: None,
            metrics_token: None,
        }
    }
}

/// Scalelite's variable names and the settings they feed. Units are Scalelite's
/// (seconds, minutes), which are also Plenary's.
const SCALELITE_ALIASES: &[(&str, &str)] = &[
    ("DATABASE_URL", "database_url"),
    ("URL_HOST", "base_domain"),
    ("LOADBALANCER_CHECKSUM_ALGORITHM", "checksum_algorithms"),
    ("POLL_INTERVAL", "poll_interval_secs"),
    ("CONNECT_TIMEOUT", "connect_timeout_secs"),
    ("RESPONSE_TIMEOUT", "response_timeout_secs"),
    ("SERVER_HEALTHY_THRESHOLD", "server_healthy_threshold"),
    ("SERVER_UNHEALTHY_THRESHOLD", "server_unhealthy_threshold"),
    ("MAX_MEETING_DURATION", "max_meeting_duration"),
    ("DEFAULT_CREATE_PARAMS", "default_create_params"),
    ("OVERRIDE_CREATE_PARAMS", "override_create_params"),
    ("CREATE_EXCLUDE_PARAMS", "create_exclude_params"),
    ("DEFAULT_JOIN_PARAMS", "default_join_params"),
    ("OVERRIDE_JOIN_PARAMS", "override_join_params"),
    ("JOIN_EXCLUDE_PARAMS", "join_exclude_params"),
    ("GET_MEETINGS_API_DISABLED", "get_meetings_api_disabled"),
];

/// Settings that are secrets: they may come from `NAME_FILE`, are taken
/// as written (never parsed as a number or a list), and are never logged.
const SECRET_VARS: &[&str] = &[
    "PLENARY_DATABASE_URL",
    "DATABASE_URL",
    "PLENARY_LOADBALANCER_SECRETS",
    "LOADBALANCER_SECRET",
    "LOADBALANCER_SECRETS",
    "PLENARY_ROOM_KEY",
    "PLENARY_METRICS_TOKEN",
    "PLENARY_SMTP__PASSWORD",
    "PLENARY_DISCOURSE__API_KEY",
    "PLENARY_DISCOURSE__WEBHOOK_SECRET",
];

/// `PLENARY_*` variables read elsewhere (the config path, logging, the
/// CLI's actor, token and test clock), which are not settings.
const NOT_SETTINGS: &[&str] = &[
    "PLENARY_CONFIG",
    "PLENARY_LOG",
    "PLENARY_ACTOR",
    "PLENARY_TOKEN",
    "PLENARY_NOW",
];

/// Where Plenary keeps its embedded database: `$XDG_DATA_HOME/plenary`, or
/// `~/.local/share/plenary`, or `./plenary-data` when there is no home.
pub fn data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .map_or_else(|| PathBuf::from("plenary-data"), |d| d.join("plenary"))
}

/// Flags given on the command line, which win over everything else.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_domain: Option<String>,
}

impl Config {
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Self> {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
        Self::load_from(file, overrides, vars)
    }

    /// `vars` is the environment; tests pass their own.
    pub fn load_from(
        file: Option<&Path>,
        overrides: &Overrides,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        let vars: BTreeMap<String, String> = vars.into_iter().collect();
        let env = |k: &str| vars.get(k).cloned();
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.is_file() {
                bail!("the configuration file {} does not exist", path.display());
            }
            figment = figment.merge(Toml::file(path));
        }
        let mut from_env = serde_json::Map::new();
        for (var, key) in SCALELITE_ALIASES {
            if let Some(v) = read_var(var, &env)? {
                from_env.insert((*key).into(), typed(key, v));
            }
        }
        if let Some(port) = env("PORT") {
            let port: u16 = port
                .trim()
                .parse()
                .with_context(|| format!("PORT={port:?} is not a port number"))?;
            from_env.insert("listen".into(), format!("0.0.0.0:{port}").into());
        }
        let mut secrets: Vec<String> = Vec::new();
        for var in ["LOADBALANCER_SECRET", "LOADBALANCER_SECRETS"] {
            if let Some(v) = read_var(var, &env)? {
                secrets.extend(v.split(':').filter(|s| !s.is_empty()).map(str::to_string));
            }
        }
        if !secrets.is_empty() {
            from_env.insert("loadbalancer_secrets".into(), secrets.into());
        }
        figment = figment.merge(Serialized::defaults(from_env));
        for var in plenary_settings(&vars) {
            let Some(value) = read_var(var, &env)? else {
                continue;
            };
            // As figment's `Env::split("__")` would: `SMTP__HOST` is `smtp.host`.
            let key = var
                .trim_start_matches("PLENARY_")
                .to_ascii_lowercase()
                .replace("__", ".");
            figment = if SECRET_VARS.contains(&var) {
                figment.merge(Serialized::default(&key, typed(&key, value)))
            } else {
                let Ok(parsed) = value.parse::<figment::value::Value>();
                figment.merge(Serialized::default(&key, parsed))
            };
        }
        let config: Config = figment
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        config.validate()?;
        Ok(config)
    }

    /// The address members reach Plenary at, without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => {
                let mut addr = self.listen;
                if addr.ip().is_unspecified() {
                    addr.set_ip([127, 0, 0, 1].into());
                }
                format!("http://{addr}")
            }
        }
    }

    pub fn duties_interval(&self) -> Duration {
        Duration::from_secs_f64(self.duties_interval_secs)
    }

    fn validate(&self) -> anyhow::Result<()> {
        self.algorithms()?;
        self.trusted_proxies()?;
        for (name, secs) in [
            ("http_header_timeout_secs", self.http_header_timeout_secs),
            ("http_body_timeout_secs", self.http_body_timeout_secs),
            ("http_idle_timeout_secs", self.http_idle_timeout_secs),
            ("auth_throttle_window_secs", self.auth_throttle_window_secs),
        ] {
            if !(0.1..=86_400.0).contains(&secs) {
                bail!("{name} must be between 0.1 and 86400 (got {secs})");
            }
        }
        if self.http_max_connections == 0 {
            bail!("http_max_connections must be at least 1");
        }
        if self
            .metrics_token
            .as_ref()
            .is_some_and(|t| t.expose().trim().is_empty())
        {
            bail!("metrics_token must not be empty");
        }
        if self.poll_interval_secs < 0.1 {
            bail!(
                "poll_interval_secs must be at least 0.1 (got {})",
                self.poll_interval_secs
            );
        }
        if !(1.0..=86_400.0).contains(&self.duties_interval_secs) {
            bail!(
                "duties_interval_secs must be between 1 and 86400 (got {})",
                self.duties_interval_secs
            );
        }
        for (name, url) in [
            ("public_url", &self.public_url),
            ("callback_url", &self.callback_url),
        ] {
            if let Some(url) = url
                && !(url.starts_with("http://") || url.starts_with("https://"))
            {
                bail!("{name} must be an http(s) URL (got {url:?})");
            }
        }
        if let Some(smtp) = &self.smtp {
            smtp.validate()?;
        }
        if let Some(discourse) = &self.discourse {
            forum::Discourse::new(discourse).context("discourse")?;
        }
        self.zone()?;
        self.currency()?;
        Ok(())
    }

    /// The configured currency, checked against ISO 4217.
    pub fn currency(&self) -> anyhow::Result<metering::money::Currency> {
        metering::money::Currency::parse(&self.currency)
            .map_err(|e| anyhow::anyhow!("currency: {e}"))
    }

    /// The settings the billing rules read.
    pub fn billing(&self) -> anyhow::Result<billing::Settings> {
        Ok(billing::Settings {
            time_zone: self.time_zone.clone(),
            zone: self.zone()?,
            currency: self.currency()?,
            poll_interval_ms: (self.poll_interval_secs * 1000.0) as i64,
            fair_use_burst_hours: self.fair_use_burst_hours,
            fair_use_p95_mbps: self.fair_use_p95_mbps,
        })
    }

    /// The configured time zone, from the system's time zone database.
    pub fn zone(&self) -> anyhow::Result<jiff::tz::TimeZone> {
        jiff::tz::TimeZone::get(&self.time_zone).map_err(|e| {
            anyhow::anyhow!(
                "time_zone: {:?} is not a known time zone such as Europe/Paris ({e})",
                self.time_zone
            )
        })
    }

    pub fn trusted_proxies(&self) -> anyhow::Result<Vec<std::net::IpAddr>> {
        self.trusted_proxies
            .split([',', ' '])
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse()
                    .map_err(|_| anyhow::anyhow!("trusted_proxies: {s:?} is not an IP address"))
            })
            .collect()
    }

    /// The HTTP server's limits.
    pub fn http_limits(&self) -> anyhow::Result<web::serve::Limits> {
        Ok(web::serve::Limits {
            max_connections: self.http_max_connections,
            header_timeout: Duration::from_secs_f64(self.http_header_timeout_secs),
            body_timeout: Duration::from_secs_f64(self.http_body_timeout_secs),
            idle_timeout: Duration::from_secs_f64(self.http_idle_timeout_secs),
            trusted_proxies: self.trusted_proxies()?,
        })
    }

    pub fn auth_throttle(&self) -> throttle::Limits {
        throttle::Limits {
            failures: self.auth_throttle_failures,
            window_ms: (self.auth_throttle_window_secs * 1000.0) as i64,
            ..throttle::Limits::default()
        }
    }

    pub fn sample_retention_ms(&self) -> i64 {
        i64::try_from(self.sample_retention_days.saturating_mul(86_400_000)).unwrap_or(i64::MAX)
    }

    pub fn algorithms(&self) -> anyhow::Result<bbb::AlgorithmSet> {
        if self.checksum_algorithms.trim().is_empty() {
            return Ok(bbb::AlgorithmSet::all());
        }
        self.checksum_algorithms
            .parse()
            .map_err(|e| anyhow::anyhow!("checksum_algorithms: {e}"))
    }

    pub fn gateway(
        &self,
        throttle: throttle::Throttle,
        clock: throttle::Clock,
    ) -> anyhow::Result<GatewayConfig> {
        let policy = |d: &str, o: &str, x: &str| ParamPolicy {
            defaults: ParamPolicy::parse_pairs(d),
            overrides: ParamPolicy::parse_pairs(o),
            excludes: ParamPolicy::parse_list(x),
        };
        Ok(GatewayConfig {
            base_domain: self.base_domain.clone().filter(|d| !d.is_empty()),
            algorithms: self.algorithms()?,
            create_policy: policy(
                &self.default_create_params,
                &self.override_create_params,
                &self.create_exclude_params,
            ),
            join_policy: policy(
                &self.default_join_params,
                &self.override_join_params,
                &self.join_exclude_params,
            ),
            max_meeting_duration: (self.max_meeting_duration > 0)
                .then_some(self.max_meeting_duration),
            get_meetings_disabled: self.get_meetings_api_disabled,
            default_logout_url: self.default_logout_url.clone(),
            fallback_tenant: (!self.loadbalancer_secrets.is_empty()).then(|| "default".to_string()),
            zone: self.zone()?,
            tenant_cache_ttl: Duration::from_secs_f64(self.tenant_cache_secs.max(0.0)),
            throttle,
            limits: gateway::limits::Limits {
                max_body_bytes: self.api_max_body_bytes,
                max_query_bytes: self.api_max_query_bytes,
                tenant_rate: throttle::rate::RateLimiter::new(
                    throttle::rate::Rate {
                        per_second: self.tenant_rate_per_sec,
                        burst: self.tenant_rate_burst.max(1),
                        ..throttle::rate::Rate::default()
                    },
                    clock,
                ),
                server_concurrency: self.server_max_calls_in_flight.max(1),
            },
            recordings: self.recordings()?,
            callbacks: gateway::CallbackConfig {
                base_url: Some(self.callback_url.as_deref().map_or_else(
                    || self.public_url(),
                    |u| u.trim_end_matches('/').to_string(),
                )),
                private_networks: self.callback_private_networks,
                ..gateway::CallbackConfig::default()
            },
        })
    }

    /// Where recordings' files are kept.
    pub fn recordings_dir(&self) -> PathBuf {
        if let Some(dir) = &self.recordings_dir {
            return dir.clone();
        }
        let db_file = self
            .database_url
            .strip_prefix("sqlite:")
            .map(|rest| rest.trim_start_matches("//"))
            .map(|rest| rest.split('?').next().unwrap_or(rest))
            .filter(|path| !path.is_empty() && *path != ":memory:")
            .map(Path::new);
        match db_file.and_then(Path::parent) {
            Some(dir) if !dir.as_os_str().is_empty() => dir.join("recordings"),
            _ => data_dir().join("recordings"),
        }
    }

    /// Where uploads are unpacked: beside the recordings, so that storing
    /// one is a rename.
    fn recordings_staging(&self) -> PathBuf {
        self.recordings_dir().join(".incoming")
    }

    /// Makes the recordings' directories, for `serve` to start with.
    pub fn create_recordings_dirs(&self) -> anyhow::Result<()> {
        let staging = self.recordings_staging();
        std::fs::create_dir_all(&staging)
            .with_context(|| format!("recordings_dir: cannot create {}", staging.display()))
    }

    /// Recordings kept on disk.
    fn recordings(&self) -> anyhow::Result<gateway::RecordingsConfig> {
        let dir = self.recordings_dir();
        let staging = self.recordings_staging();
        Ok(gateway::RecordingsConfig {
            storage: Some(std::sync::Arc::new(gateway::recordings::DiskStorage::new(
                dir,
            ))),
            staging,
            public_url: self.public_url(),
            limits: gateway::recordings::ArchiveLimits {
                max_bytes: self.recording_max_bytes,
                ..gateway::RecordingsConfig::default().limits
            },
        })
    }

    /// The budget of requests of each `/api/v1` token.
    pub fn api_token_rate(&self, clock: throttle::Clock) -> throttle::rate::RateLimiter {
        throttle::rate::RateLimiter::new(
            throttle::rate::Rate {
                per_second: self.api_token_rate_per_sec,
                burst: self.api_token_rate_burst.max(1),
                ..throttle::rate::Rate::default()
            },
            clock,
        )
    }

    pub fn fleet(&self) -> fleet::FleetConfig {
        fleet::FleetConfig {
            thresholds: fleet::health::Thresholds {
                down_after: self.server_unhealthy_threshold.max(1),
                up_after: self.server_healthy_threshold.max(1),
            },
            poll_interval: Duration::from_secs_f64(self.poll_interval_secs),
            poll_concurrency: self.poll_concurrency.max(1),
            ..fleet::FleetConfig::default()
        }
    }

    pub fn timeouts(&self) -> (Duration, Duration) {
        (
            Duration::from_secs_f64(self.connect_timeout_secs.max(0.05)),
            Duration::from_secs_f64(self.response_timeout_secs.max(0.05)),
        )
    }
}

/// The `PLENARY_*` variables that name a setting, directly or by `_FILE`.
fn plenary_settings(vars: &BTreeMap<String, String>) -> BTreeSet<&str> {
    vars.keys()
        .filter(|k| k.starts_with("PLENARY_") && !NOT_SETTINGS.contains(&k.as_str()))
        .filter_map(|k| match k.strip_suffix("_FILE") {
            Some(stem) => SECRET_VARS.iter().find(|s| **s == stem).copied(),
            None => Some(k.as_str()),
        })
        .collect()
}

/// A variable or, for secrets, the content of the file `NAME_FILE` names.
fn read_var(var: &str, env: &impl Fn(&str) -> Option<String>) -> anyhow::Result<Option<String>> {
    let file_var = format!("{var}_FILE");
    match (
        env(var),
        env(&file_var).filter(|_| SECRET_VARS.contains(&var)),
    ) {
        (Some(_), Some(_)) => bail!("set {var} or {file_var}, not both"),
        (Some(v), None) => Ok(Some(v)),
        (None, Some(path)) => std::fs::read_to_string(&path)
            .map(|s| Some(s.trim_end_matches(['\n', '\r']).to_string()))
            .with_context(|| format!("{file_var}: cannot read {path}")),
        (None, None) => Ok(None),
    }
}

/// Environment values are text; numbers and flags are given their type so
/// figment reports a bad value against the setting's name.
fn typed(key: &str, value: String) -> serde_json::Value {
    let v = value.trim();
    match key {
        "get_meetings_api_disabled" => v.eq_ignore_ascii_case("true").into(),
        "poll_interval_secs"
        | "connect_timeout_secs"
        | "response_timeout_secs"
        | "tenant_rate_per_sec" => v
            .parse::<f64>()
            .map_or_else(|_| value.clone().into(), Into::into),
        "max_answer_bytes"
        | "server_healthy_threshold"
        | "server_unhealthy_threshold"
        | "max_meeting_duration"
        | "sample_retention_days"
        | "fair_use_burst_hours"
        | "fair_use_p95_mbps"
        | "api_max_body_bytes"
        | "api_max_query_bytes"
        | "tenant_rate_burst"
        | "server_max_calls_in_flight" => v
            .parse::<u64>()
            .map_or_else(|_| value.clone().into(), Into::into),
        "loadbalancer_secrets" => v
            .split(':')
            .filter(|s| !s.is_empty())
            .map(|s| serde_json::Value::from(s.to_string()))
            .collect::<Vec<_>>()
            .into(),
        _ => value.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(vars: &[(&str, &str)]) -> anyhow::Result<Config> {
        let env = vars.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        Config::load_from(None, &Overrides::default(), env)
    }

    #[test]
    fn scalelite_names_are_read_in_scalelite_units() {
        let c = load(&[
            ("POLL_INTERVAL", "60"),
            ("MAX_MEETING_DURATION", "180"),
            ("LOADBALANCER_SECRETS", "a:b"),
            ("LOADBALANCER_CHECKSUM_ALGORITHM", "SHA1:SHA256"),
            ("PORT", "3000"),
        ])
        .unwrap();
        assert_eq!(c.poll_interval_secs, 60.0);
        assert_eq!(c.max_meeting_duration, 180);
        assert_eq!(c.loadbalancer_secrets, ["a", "b"]);
        assert_eq!(c.listen, "0.0.0.0:3000".parse().unwrap());
        assert!(!c.algorithms().unwrap().contains(bbb::Algorithm::Sha512));
    }

    #[test]
    fn a_bad_number_is_reported_against_its_setting() {
        let err = load(&[("POLL_INTERVAL", "soon")]).unwrap_err().to_string();
        assert!(err.contains("poll_interval_secs"), "{err}");
    }

    #[test]
    fn secrets_may_come_from_files_but_not_twice() {
        let dir = std::env::temp_dir().join(format!("plenary-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("secret");
        std::fs::write(&file, "from-file\n").unwrap();
        let path = file.to_str().unwrap();
        let c = load(&[("LOADBALANCER_SECRET_FILE", path)]).unwrap();
        assert_eq!(c.loadbalancer_secrets, ["from-file"]);
        assert!(
            load(&[
                ("LOADBALANCER_SECRET_FILE", path),
                ("LOADBALANCER_SECRET", "x")
            ])
            .is_err()
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn unknown_algorithms_are_refused() {
        assert!(load(&[("LOADBALANCER_CHECKSUM_ALGORITHM", "md5")]).is_err());
    }

    #[test]
    fn sections_come_from_double_underscore_variables() {
        let c = load(&[
            ("PLENARY_SMTP__HOST", "mail.coop.example"),
            ("PLENARY_SMTP__PORT", "2525"),
            ("PLENARY_SMTP__FROM", "Plenary <noreply@coop.example>"),
            ("PLENARY_DISCOURSE__BASE_URL", "https://forum.coop.example/"),
            ("PLENARY_DISCOURSE__API_KEY", "12345"),
            ("PLENARY_DISCOURSE__API_USERNAME", "plenary"),
            ("PLENARY_DISCOURSE__CATEGORY_ID", "7"),
            ("PLENARY_CONSORTIUM_NAME", "Meet Co-op consortium"),
            ("PLENARY_DUTIES_INTERVAL_SECS", "30"),
        ])
        .unwrap();
        let smtp = c.smtp.unwrap();
        assert_eq!(
            (smtp.host.as_str(), smtp.port),
            ("mail.coop.example", Some(2525))
        );
        let discourse = c.discourse.unwrap();
        assert_eq!(discourse.api_key, "12345", "a numeric secret stays text");
        assert_eq!(discourse.category_id, 7);
        assert_eq!(c.consortium_name, "Meet Co-op consortium");
        assert_eq!(c.duties_interval_secs, 30.0);
    }

    #[test]
    fn nested_secrets_and_the_room_key_read_files() {
        let dir =
            std::env::temp_dir().join(format!("plenary-config-nested-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (password, key) = (dir.join("password"), dir.join("room-key"));
        std::fs::write(&password, "hunter2\n").unwrap();
        std::fs::write(&key, "room-secret\n").unwrap();
        let c = load(&[
            ("PLENARY_SMTP__HOST", "mail.coop.example"),
            ("PLENARY_SMTP__FROM", "noreply@coop.example"),
            ("PLENARY_SMTP__USERNAME", "plenary"),
            ("PLENARY_SMTP__PASSWORD_FILE", password.to_str().unwrap()),
            ("PLENARY_ROOM_KEY_FILE", key.to_str().unwrap()),
        ])
        .unwrap();
        let smtp = c.smtp.as_ref().unwrap();
        assert_eq!(smtp.password.as_ref().unwrap().expose(), "hunter2");
        assert_eq!(c.room_key.as_ref().unwrap().expose(), "room-secret");
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("room-secret"),
            "{shown}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_public_url_defaults_to_the_listening_address() {
        let c = load(&[("PORT", "3000")]).unwrap();
        assert_eq!(c.public_url(), "http://127.0.0.1:3000");
        let c = load(&[("PLENARY_PUBLIC_URL", "https://bbb.coop.example/")]).unwrap();
        assert_eq!(c.public_url(), "https://bbb.coop.example");
        assert!(load(&[("PLENARY_PUBLIC_URL", "bbb.coop.example")]).is_err());
    }

    #[test]
    fn the_currency_is_an_iso_code_in_hundredths() {
        assert_eq!(load(&[]).unwrap().currency().unwrap().code(), "EUR");
        let c = load(&[("PLENARY_CURRENCY", "gbp")]).unwrap();
        assert_eq!(c.currency().unwrap().code(), "GBP");
        for bad in ["POUNDS", "JPY"] {
            let err = load(&[("PLENARY_CURRENCY", bad)]).unwrap_err().to_string();
            assert!(err.starts_with("currency: "), "{err}");
        }
    }

    #[test]
    fn an_incomplete_smtp_section_is_refused_at_start() {
        let err = load(&[("PLENARY_SMTP__HOST", "mail.coop.example")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("from"), "{err}");
    }

    #[test]
    fn the_metrics_token_is_a_secret_read_from_a_file() {
        let dir =
            std::env::temp_dir().join(format!("plenary-config-metrics-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, "0123456789\n").unwrap();
        let c = load(&[
            ("PLENARY_METRICS_TOKEN_FILE", file.to_str().unwrap()),
            ("PLENARY_METRICS_LISTEN", "127.0.0.1:9464"),
        ])
        .unwrap();
        assert_eq!(c.metrics_token.as_ref().unwrap().expose(), "0123456789");
        assert_eq!(c.metrics_listen, Some("127.0.0.1:9464".parse().unwrap()));
        assert!(!format!("{c:?}").contains("0123456789"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn http_limits_and_trusted_proxies_are_checked_at_start() {
        let c = load(&[
            ("PLENARY_TRUSTED_PROXIES", "127.0.0.1, ::1"),
            ("PLENARY_HTTP_HEADER_TIMEOUT_SECS", "5"),
        ])
        .unwrap();
        let limits = c.http_limits().unwrap();
        assert_eq!(limits.trusted_proxies.len(), 2);
        assert_eq!(limits.header_timeout, Duration::from_secs(5));
        assert!(load(&[("PLENARY_TRUSTED_PROXIES", "proxy.local")]).is_err());
        assert!(load(&[("PLENARY_HTTP_IDLE_TIMEOUT_SECS", "0")]).is_err());
        assert!(load(&[("PLENARY_HTTP_MAX_CONNECTIONS", "0")]).is_err());
    }

    #[test]
    fn bbb_api_limits_are_read_from_the_environment() {
        let c = load(&[
            ("PLENARY_API_MAX_BODY_BYTES", "2048"),
            ("PLENARY_API_MAX_QUERY_BYTES", "512"),
            ("PLENARY_TENANT_RATE_PER_SEC", "2.5"),
            ("PLENARY_TENANT_RATE_BURST", "10"),
            ("PLENARY_SERVER_MAX_CALLS_IN_FLIGHT", "8"),
        ])
        .unwrap();
        let throttle = throttle::Throttle::default();
        let limits = c
            .gateway(throttle, std::sync::Arc::new(|| 0))
            .unwrap()
            .limits;
        assert_eq!(limits.max_body_bytes, 2048);
        assert_eq!(limits.max_query_bytes, 512);
        assert_eq!(limits.server_concurrency, 8);
        assert_eq!(c.tenant_rate_per_sec, 2.5);
        assert_eq!(c.tenant_rate_burst, 10);
    }

    #[test]
    fn recordings_are_kept_beside_a_sqlite_database_unless_a_directory_is_set() {
        let c = load(&[("PLENARY_DATABASE_URL", "sqlite:///srv/plenary/plenary.db")]).unwrap();
        assert_eq!(c.recordings_dir(), Path::new("/srv/plenary/recordings"));
        let c = load(&[
            ("PLENARY_DATABASE_URL", "postgres://p@db/plenary"),
            ("PLENARY_RECORDINGS_DIR", "/var/lib/recordings"),
            ("PLENARY_RECORDING_MAX_BYTES", "1000"),
        ])
        .unwrap();
        assert_eq!(c.recordings_dir(), Path::new("/var/lib/recordings"));
        assert_eq!(c.recording_max_bytes, 1000);
        let c = load(&[("PLENARY_DATABASE_URL", "postgres://p@db/plenary")]).unwrap();
        assert_eq!(c.recordings_dir(), data_dir().join("recordings"));
    }
}
