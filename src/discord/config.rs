//! The bot's settings, from flags and the environment (gathered into the command line by
//! [`crate::config`]).

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
