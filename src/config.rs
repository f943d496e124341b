//! Service configuration: every setting a flag and an environment variable, each with a default
//! that works on a laptop.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address the web service listens on.
    #[arg(long, env = "WEGWIJZER_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Database: `sqlite://…` (embedded, the default) or `postgres://…` for several instances.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/wegwijzer.db?mode=rwc"
    )]
    pub database_url: String,
    /// Directory holding `taxonomy.toml`, `intents.toml` and `offers/*.md`.
    #[arg(long, env = "WEGWIJZER_KNOWLEDGE_DIR", default_value = "knowledge")]
    pub knowledge_dir: PathBuf,
    /// Minutes a conversation is remembered without a new message.
    #[arg(long, env = "WEGWIJZER_CONVERSATION_TTL_MINUTES", default_value_t = 30)]
    pub conversation_ttl_minutes: u64,
    /// Days after which the redacted text of a gap is deleted (its record and counts stay).
    #[arg(long, env = "WEGWIJZER_RETENTION_DAYS", default_value_t = 180)]
    pub retention_days: u32,
    /// Directory of the local spool where gaps wait while the database is unreachable.
    #[arg(long, env = "WEGWIJZER_SPOOL_DIR", default_value = "data/spool")]
    pub spool_dir: PathBuf,
    /// Bearer token that allows `POST /api/admin/reload`; without it reload is SIGHUP only.
    #[arg(long, env = "WEGWIJZER_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Requests per minute one client address may make to the public endpoints that do work
    /// (`/api/ask`, `/api/feedback`), with a burst of as many; 0 turns the limit off.
    #[arg(long, env = "WEGWIJZER_RATE_LIMIT_PER_MINUTE", default_value_t = 30)]
    pub rate_limit_per_minute: u32,
    /// Reverse proxies in front of this service that append to `X-Forwarded-For`. 0 (the default)
    /// takes the client address from the connection and ignores the header; N takes the Nth
    /// address from the right of it.
    #[arg(long, env = "WEGWIJZER_TRUSTED_PROXIES", default_value_t = 0)]
    pub trusted_proxies: usize,
    #[command(flatten)]
    pub connections: ConnectionConfig,
    #[command(flatten)]
    pub discord: DiscordConfig,
    #[command(flatten)]
    pub embed: EmbedConfig,
}

pub use crate::embed::EmbedConfig;
pub use crate::http::conn::ConnectionConfig;

pub use crate::discord::{DiscordConfig, Secret};

impl Config {
    /// The database URL with any password replaced, for logs.
    pub fn database_url_redacted(&self) -> String {
        redact_url(&self.database_url)
    }
}

pub use crate::store::redact_url;

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let s: super::Secret = "abc.def".parse().unwrap();
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(s.expose(), "abc.def");
    }

    #[test]
    fn passwords_are_redacted_from_database_urls() {
        assert_eq!(
            super::redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(
            super::redact_url("sqlite://data/x.db"),
            "sqlite://data/x.db"
        );
    }
}
