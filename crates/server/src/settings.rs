//! Configuration: defaults, then `tiangong.toml` (or the file named by `--config` /
//! `TIANGONG_CONFIG`), then `TIANGONG_<KEY>` environment variables, then command-line flags.
//! Every key is documented in `tiangong.toml.example`. Secrets never reach the log: `Debug`
//! redacts them.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Where `serve` listens.
    pub addr: String,
    /// The data folder: the SQLite database, attachments, backups by default.
    pub data_dir: PathBuf,
    /// `postgres://user:pass@host:5432/db` to use PostgreSQL; empty means SQLite in `data_dir`.
    pub database_url: String,
    /// Password of `admin` on first start; generated and printed when empty.
    pub admin_password: String,
    /// Log filter in `tracing` syntax, e.g. `info` or `tiangong=debug,info`.
    pub log: String,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    pub session_ttl_hours: i64,
    pub token_ttl_days: i64,
    /// Largest attachment accepted, in megabytes.
    pub attachment_max_mb: usize,
    /// Set when served over HTTPS (cookies get the Secure flag).
    pub secure_cookies: bool,
    /// SQLite durability: `normal` (survives crashes of the process) or `full` (also power loss).
    pub sqlite_synchronous: String,
    /// SQLite read connections.
    pub sqlite_readers: u32,
    /// PostgreSQL connection pool size per app server.
    pub pg_pool_size: u32,
    /// How often the outbox worker looks for due messages, in milliseconds.
    pub outbox_poll_ms: u64,
    /// Failed deliveries before a message is declared dead.
    pub outbox_max_attempts: i64,
    /// How long a worker holds a claimed message before another may deliver it again.
    pub outbox_lease_seconds: i64,
    /// Run the outbox worker in this process (turn off on extra app servers if wanted).
    pub outbox_worker: bool,
    /// Outgoing mail (quotations to customers): `smtp://host:port` or `smtp://user:password@host:port`.
    pub smtp_url: String,
    /// The sender of outgoing mail, e.g. `销售部 <sales@example.com>`.
    pub mail_from: String,
    /// Who may read `/metrics`: addresses or networks, comma-separated (`127.0.0.1, 10.1.0.0/16`).
    pub metrics_allow: String,
}

impl Settings {
    /// `metrics_allow` as networks; a plain address is a network of one.
    pub fn metrics_networks(&self) -> anyhow::Result<Vec<ipnet::IpNet>> {
        self.metrics_allow
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| {
                n.parse::<ipnet::IpNet>()
                    .or_else(|_| n.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| anyhow::anyhow!("metrics_allow: {n} is neither an address nor a network"))
            })
            .collect()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            addr: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: String::new(),
            admin_password: String::new(),
            log: "info".into(),
            max_body_bytes: 2 * 1024 * 1024,
            session_ttl_hours: 12,
            token_ttl_days: 30,
            secure_cookies: false,
            attachment_max_mb: 10,
            sqlite_synchronous: "normal".into(),
            sqlite_readers: 8,
            pg_pool_size: 16,
            outbox_poll_ms: 500,
            outbox_max_attempts: 10,
            outbox_lease_seconds: 60,
            outbox_worker: true,
            smtp_url: String::new(),
            mail_from: String::new(),
            metrics_allow: "127.0.0.0/8, ::1".into(),
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("addr", &self.addr)
            .field("data_dir", &self.data_dir)
            .field("database", &redact_url(&self.database_url))
            .field("admin_password", &if self.admin_password.is_empty() { "" } else { "***" })
            .field("log", &self.log)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("sqlite_synchronous", &self.sqlite_synchronous)
            .finish_non_exhaustive()
    }
}

/// A database URL with its password replaced, fit for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

/// Environment variables that are not settings.
const NOT_SETTINGS: &[&str] =
    &["CONFIG", "TEST_DATABASE_URL", "DATASETS", "ENCRYPTION_KEYS", "NEW_PASSWORD", "SCREENSHOTS"];

impl Settings {
    /// Loads defaults ← file ← environment. A missing default file is fine; a missing file
    /// named explicitly is an error.
    pub fn load(config: Option<&Path>) -> anyhow::Result<Settings> {
        let explicit = config.map(Path::to_path_buf).or_else(|| std::env::var_os("TIANGONG_CONFIG").map(PathBuf::from));
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        match &explicit {
            Some(path) => {
                anyhow::ensure!(path.exists(), "configuration file {} not found", path.display());
                figment = figment.merge(Toml::file(path));
            }
            None => figment = figment.merge(Toml::file("tiangong.toml")),
        }
        figment = figment.merge(
            Env::prefixed("TIANGONG_").filter(|key| !NOT_SETTINGS.iter().any(|n| key.as_str().eq_ignore_ascii_case(n))),
        );
        Ok(figment.extract()?)
    }

    /// The database URL in force: `database_url`, or the SQLite file in the data folder.
    pub fn database_url(&self) -> String {
        if self.database_url.trim().is_empty() {
            format!("sqlite://{}", self.data_dir.join("tiangong.db").display())
        } else {
            self.database_url.trim().to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_allow_takes_addresses_and_networks() {
        let mut settings = Settings::default();
        let loopback = settings.metrics_networks().unwrap();
        assert!(loopback.iter().any(|n| n.contains(&"127.0.0.1".parse::<std::net::IpAddr>().unwrap())));
        assert!(loopback.iter().any(|n| n.contains(&"::1".parse::<std::net::IpAddr>().unwrap())));
        assert!(!loopback.iter().any(|n| n.contains(&"10.0.0.1".parse::<std::net::IpAddr>().unwrap())));
        settings.metrics_allow = "10.1.0.0/16, 192.0.2.7".into();
        let configured = settings.metrics_networks().unwrap();
        assert!(configured.iter().any(|n| n.contains(&"10.1.200.3".parse::<std::net::IpAddr>().unwrap())));
        assert!(configured.iter().any(|n| n.contains(&"192.0.2.7".parse::<std::net::IpAddr>().unwrap())));
        settings.metrics_allow = "everyone".into();
        assert!(settings.metrics_networks().unwrap_err().to_string().contains("everyone"));
    }

    #[test]
    fn urls_are_redacted() {
        assert_eq!(redact_url("postgres://app:s3cret@db:5432/erp"), "postgres://app:***@db:5432/erp");
        assert_eq!(redact_url("sqlite://data/tiangong.db"), "sqlite://data/tiangong.db");
    }

    #[test]
    fn debug_hides_the_admin_password() {
        let settings = Settings { admin_password: "hunter22".into(), ..Settings::default() };
        assert!(!format!("{settings:?}").contains("hunter22"));
    }
}
