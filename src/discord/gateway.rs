//! The gateway and start-up: the intents asked for, [`run`] with its reconnect backoff, one
//! client's life in `connect` (the poise framework, command registration, shutdown on request),
//! and the event loop that hands each interaction or message to its module: buttons to
//! [`super::components`], modal submissions to [`super::modals`], plain messages to
//! [`super::messages`]. Slash commands reach [`super::commands`] through poise itself.

use std::time::{Duration, Instant};

use poise::serenity_prelude as serenity;
use serenity::{FullEvent, GatewayIntents, GuildId, Interaction};
use tokio::sync::watch;

use super::DiscordConfig;
use super::{Bot, Error, commands, reply};
use crate::app::App;

/// Non-privileged intents only, unless plain follow-up messages were asked for: slash commands
/// and buttons arrive as interactions; guild messages (content only where the bot is mentioned)
/// and direct messages (content always) for follow-ups.
pub fn intents(message_content: bool) -> GatewayIntents {
    let base =
        GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::DIRECT_MESSAGES;
    if message_content {
        base | GatewayIntents::MESSAGE_CONTENT
    } else {
        base
    }
}

/// Waiting time before the `attempt`-th reconnect: 5 s doubling to 5 minutes.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(5u64.saturating_mul(1 << attempt.min(6)).min(300))
}

/// Runs the bot until `stop` turns true, reconnecting with backoff whenever the client ends (a
/// wrong token, a lost gateway, Discord down). Never returns an error: the web keeps running.
pub async fn run(app: App, config: DiscordConfig, mut stop: watch::Receiver<bool>) {
    let Some(token) = config.token.clone() else {
        return;
    };
    let mut attempt = 0;
    loop {
        let started = Instant::now();
        match connect(&app, &config, token.expose(), &mut stop).await {
            Ok(()) => return,
            Err(e) => tracing::error!(error = %e, "discord: client ended; reconnecting"),
        }
        if started.elapsed() > Duration::from_secs(600) {
            attempt = 0;
        }
        let wait = backoff(attempt);
        attempt += 1;
        tracing::info!(
            seconds = wait.as_secs(),
            "discord: waiting before reconnecting"
        );
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// One client's life. `Ok` means stopped on request.
async fn connect(
    app: &App,
    config: &DiscordConfig,
    token: &str,
    stop: &mut watch::Receiver<bool>,
) -> Result<(), Error> {
    let bot = Bot::new(app.clone(), config);
    let guild = config.guild_id.map(GuildId::new);
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            event_handler: |fw, event| Box::pin(on_event(fw, event)),
            on_error: |e| Box::pin(on_error(e)),
            allowed_mentions: Some(reply::no_mentions()),
            initialize_owners: false,
            ..Default::default()
        })
        .setup(move |ctx, ready, fw| {
            Box::pin(async move {
                tracing::info!(user = %ready.user.name, "discord: connected");
                let mut bot = bot;
                bot.me = ready.user.id;
                match guild {
                    Some(g) => {
                        poise::builtins::register_in_guild(ctx, &fw.options().commands, g).await?
                    }
                    None => poise::builtins::register_globally(ctx, &fw.options().commands).await?,
                }
                Ok(bot)
            })
        })
        .build();
    let mut client = serenity::ClientBuilder::new(token, intents(config.message_content))
        .framework(framework)
        .await?;
    let shards = client.shard_manager.clone();
    tokio::select! {
        r = client.start() => {
            r?;
            Err("the gateway connection ended".into())
        }
        _ = stop.changed() => {
            shards.shutdown_all().await;
            tracing::info!("discord: stopped");
            Ok(())
        }
    }
}

async fn on_error(error: poise::FrameworkError<'_, Bot, Error>) {
    match error {
        poise::FrameworkError::Setup { error, .. } => {
            tracing::error!(error = %error, "discord: registering the commands failed")
        }
        poise::FrameworkError::Command { error, ctx, .. } => {
            tracing::error!(error = %error, command = %ctx.command().name, "discord: command failed")
        }
        poise::FrameworkError::EventHandler { error, event, .. } => {
            tracing::error!(error = %error, event = event.snake_case_name(), "discord: event failed")
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::error!(error = %e, "discord: error while handling an error");
            }
        }
    }
}

async fn on_event(
    fw: poise::FrameworkContext<'_, Bot, Error>,
    event: &FullEvent,
) -> Result<(), Error> {
    let bot = fw.user_data;
    let ctx = fw.serenity_context;
    match event {
        FullEvent::InteractionCreate {
            interaction: Interaction::Component(c),
        } => bot.on_component(ctx, c).await,
        FullEvent::InteractionCreate {
            interaction: Interaction::Modal(m),
        } => bot.on_modal(ctx, m).await,
        FullEvent::Message { new_message } => bot.on_message(ctx, new_message).await,
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_five_minutes() {
        assert_eq!(backoff(0), Duration::from_secs(5));
        assert_eq!(backoff(1), Duration::from_secs(10));
        assert_eq!(backoff(5), Duration::from_secs(160));
        assert_eq!(backoff(6), Duration::from_secs(300));
        assert_eq!(backoff(60), Duration::from_secs(300));
    }

    #[test]
    fn intents_are_non_privileged_unless_message_content_is_asked_for() {
        let privileged = GatewayIntents::privileged();
        assert!(!intents(false).intersects(privileged));
        assert!(intents(true).contains(GatewayIntents::MESSAGE_CONTENT));
        assert!(
            !intents(true)
                .intersects(GatewayIntents::GUILD_MEMBERS | GatewayIntents::GUILD_PRESENCES)
        );
    }
}
