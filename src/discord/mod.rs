//! The Discord bot: Wegwijzer in the entrepreneurs' Discord servers, on poise and serenity.
//!
//! Everything that decides something is a plain function in a submodule, tested without Discord:
//! [`reply`] (answer → embed and buttons), [`custom_id`] (what a click means), [`thread`] (private
//! thread, ephemeral reply or DM), [`handoff`] (the adviser notice), [`limit`] (per-user rate
//! limit), [`commands`] (the localised slash commands) and [`words`] (the bot's own phrases). This
//! module is the thin gateway glue: it starts and stops the client, with backoff when Discord
//! cannot be reached, and turns events into calls of [`App::ask`] and [`App::feedback`], the same
//! desk the web goes through. It never writes SQL and never logs a question's text.

pub mod commands;
pub mod custom_id;
pub mod handoff;
pub mod limit;
pub mod reply;
pub mod thread;
pub mod words;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use poise::serenity_prelude as serenity;
use serenity::{
    ActionRowComponent, ChannelId, ChannelType, ComponentInteraction, CreateActionRow,
    CreateInputText, CreateInteractionResponse, CreateModal, CreateThread, FullEvent,
    GatewayIntents, GuildId, InputTextStyle, Interaction, Message, ModalInteraction, RoleId,
    UserId,
};
use tokio::sync::watch;

use crate::app::App;
use crate::config::DiscordConfig;
use crate::desk::{Ask, DeskError, FeedbackRecorded};
use crate::domain::{
    Channel, ConversationId, Language, MAX_QUESTION_CHARS, Outcome, Question, QuestionError,
};
use custom_id::Action;
use reply::{NextStep, Reply, answer_reply};
use thread::{Origin, Placement};

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Context<'a> = poise::Context<'a, Bot, Error>;

/// Bounds the in-memory maps; beyond this they are cleared (the thread name still leads back to
/// its conversation).
const MAX_REMEMBERED: usize = 50_000;
/// How long the redacted question is kept for a later "Spreek een adviseur" click.
const REMEMBER_QUESTION: Duration = Duration::from_secs(2 * 60 * 60);

/// The bot's shared state: the application, its settings and what it remembers between events.
pub struct Bot {
    pub app: App,
    /// The bot's own user, from the gateway's ready event; mentions of it are stripped.
    me: UserId,
    adviser_channel: Option<ChannelId>,
    adviser_role: Option<RoleId>,
    limiter: Mutex<limit::RateLimit>,
    /// Channel → the conversation of the bot's thread there (`None`: looked up, not ours).
    threads: Mutex<HashMap<ChannelId, Option<ConversationId>>>,
    /// Direct-message channel → its current conversation.
    directs: Mutex<HashMap<ChannelId, ConversationId>>,
    /// Conversation → its last question after redaction, for the adviser notice of a later click.
    recent: Mutex<HashMap<String, (Instant, Option<String>)>>,
}

impl Bot {
    pub fn new(app: App, config: &DiscordConfig) -> Bot {
        Bot {
            app,
            me: UserId::new(1),
            adviser_channel: config.adviser_channel_id.map(ChannelId::new),
            adviser_role: config.adviser_role_id.map(RoleId::new),
            limiter: Mutex::new(limit::RateLimit::default()),
            threads: Mutex::new(HashMap::new()),
            directs: Mutex::new(HashMap::new()),
            recent: Mutex::new(HashMap::new()),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

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

/// Where an answer goes: an interaction (acknowledged by deferring, then filled in) or, for a
/// plain message, the channel itself.
enum Responder<'a> {
    Command(&'a serenity::CommandInteraction),
    Component(&'a ComponentInteraction),
    Modal(&'a ModalInteraction),
    Channel(ChannelId),
}

impl Responder<'_> {
    /// Answers at once (within Discord's 3 s), for refusals that need no work.
    async fn now(&self, ctx: &serenity::Context, reply: &Reply) -> Result<(), Error> {
        let r = CreateInteractionResponse::Message(reply.to_response());
        match self {
            Responder::Command(i) => i.create_response(ctx, r).await?,
            Responder::Component(i) => i.create_response(ctx, r).await?,
            Responder::Modal(i) => i.create_response(ctx, r).await?,
            Responder::Channel(c) => {
                c.send_message(ctx, reply.to_message()).await?;
            }
        }
        Ok(())
    }

    /// Acknowledges before any slow work; Discord shows "thinking…" until [`Self::fill`].
    async fn defer(&self, ctx: &serenity::Context, ephemeral: bool) -> Result<(), Error> {
        let r = CreateInteractionResponse::Defer(
            serenity::CreateInteractionResponseMessage::new().ephemeral(ephemeral),
        );
        match self {
            Responder::Command(i) => i.create_response(ctx, r).await?,
            Responder::Component(i) => i.create_response(ctx, r).await?,
            Responder::Modal(i) => i.create_response(ctx, r).await?,
            Responder::Channel(c) => {
                let _ = c.broadcast_typing(ctx).await;
            }
        }
        Ok(())
    }

    async fn fill(&self, ctx: &serenity::Context, reply: &Reply) -> Result<(), Error> {
        match self {
            Responder::Command(i) => drop(i.edit_response(ctx, reply.to_edit()).await?),
            Responder::Component(i) => drop(i.edit_response(ctx, reply.to_edit()).await?),
            Responder::Modal(i) => drop(i.edit_response(ctx, reply.to_edit()).await?),
            Responder::Channel(c) => drop(c.send_message(ctx, reply.to_message()).await?),
        }
        Ok(())
    }
}

/// A question on its way to the assistant.
struct Incoming {
    user: UserId,
    text: String,
    /// The asker's interface language, for refusals before the assistant has seen the text.
    lang: Language,
    placement: Placement,
    guild: Option<GuildId>,
    channel: ChannelId,
    conversation: Option<ConversationId>,
    /// Set by the "Spreek een adviseur" button: the notice then shows the conversation's earlier
    /// question, not the button's stock sentence.
    adviser_button: bool,
}

impl Bot {
    fn conversation_language(&self, c: &ConversationId, fallback: Language) -> Language {
        self.app
            .assistant
            .conversation(c)
            .and_then(|s| s.language)
            .unwrap_or(fallback)
    }

    /// `/vraag` (`/ask`, `/frage`).
    pub async fn command_question(
        &self,
        ctx: &serenity::Context,
        i: &serenity::CommandInteraction,
        text: String,
    ) {
        let lang = words::language_of_locale(&i.locale, i.guild_locale.as_deref());
        let kind = i.channel.as_ref().map(|c| c.kind);
        let thread_conversation = i
            .channel
            .as_ref()
            .filter(|c| thread::is_thread(c.kind))
            .and_then(|c| self.thread_conversation_cached(c.id, c.name.as_deref()));
        let origin = Origin {
            in_guild: i.guild_id.is_some(),
            kind: kind.unwrap_or(ChannelType::Unknown(0)),
            permissions: i.app_permissions,
            thread_conversation,
        };
        let placement = thread::placement(&origin);
        let conversation = match &placement {
            Placement::InThread(c) => Some(c.clone()),
            Placement::Direct => lock(&self.directs).get(&i.channel_id).cloned(),
            _ => None,
        };
        let q = Incoming {
            user: i.user.id,
            text,
            lang,
            placement,
            guild: i.guild_id,
            channel: i.channel_id,
            conversation,
            adviser_button: false,
        };
        self.question(ctx, Responder::Command(i), q).await;
    }

    /// Asks the assistant and delivers the answer where the placement says. Every failure is
    /// logged and told to the asker; nothing is returned because there is nobody else to tell.
    async fn question(&self, ctx: &serenity::Context, r: Responder<'_>, q: Incoming) {
        if let Err(e) = self.try_question(ctx, &r, q).await {
            tracing::error!(error = %e, "discord: answering failed");
        }
    }

    async fn try_question(
        &self,
        ctx: &serenity::Context,
        r: &Responder<'_>,
        q: Incoming,
    ) -> Result<(), Error> {
        let allowed = lock(&self.limiter).check(q.user.get(), Instant::now());
        if let Err(wait) = allowed {
            return r
                .now(
                    ctx,
                    &Reply::text(words::slow_down(q.lang, wait)).ephemeral(true),
                )
                .await;
        }
        let question = match Question::parse(&q.text) {
            Ok(question) => question,
            Err(QuestionError::TooLong(_)) => {
                let text = words::too_long(q.lang, MAX_QUESTION_CHARS);
                return r.now(ctx, &Reply::text(text).ephemeral(true)).await;
            }
            Err(QuestionError::Empty) => {
                return r
                    .now(ctx, &Reply::text(words::empty(q.lang)).ephemeral(true))
                    .await;
            }
        };
        let ephemeral = matches!(
            q.placement,
            Placement::OpenPrivateThread | Placement::Ephemeral
        );
        r.defer(ctx, ephemeral).await?;
        let answer = match self
            .app
            .ask(Ask {
                question: question.clone(),
                conversation: q.conversation.clone(),
                channel: Channel::Discord,
                log: true,
                identity: q.user.get().to_string(),
            })
            .await
        {
            Ok(a) => a,
            Err(e) => {
                tracing::error!(error = %e, "discord: the assistant failed");
                return r
                    .fill(ctx, &Reply::text(words::failed(q.lang)).ephemeral(true))
                    .await;
            }
        };
        let conversation = ConversationId::parse(&answer.conversation_id)
            .map_err(|e| format!("assistant returned a bad conversation id: {e}"))?;
        let redacted = if q.adviser_button {
            self.remembered_question(&conversation)
        } else {
            let redacted = self
                .app
                .redactor
                .redact_or_none(question.as_str())
                .map(|x| x.text);
            self.remember_question(&conversation, redacted.clone());
            redacted
        };

        match q.placement {
            Placement::OpenPrivateThread => {
                let guild = q.guild.ok_or("a thread needs a server")?;
                match self
                    .open_thread(ctx, q.channel, q.user, &conversation)
                    .await
                {
                    Ok(thread) => {
                        let place = handoff::Place::Thread { guild, thread };
                        let next = self
                            .hand_over(ctx, &answer, redacted.as_deref(), place)
                            .await;
                        let reply = answer_reply(&answer, next).quoting(question.as_str());
                        thread.send_message(ctx, reply.to_message()).await?;
                        r.fill(
                            ctx,
                            &Reply::text(words::thread_opened(answer.language, thread.get())),
                        )
                        .await
                    }
                    Err(e) => {
                        // Permissions said yes but Discord said no: answer privately instead.
                        tracing::warn!(error = %e, "discord: could not open a private thread");
                        let next = self
                            .hand_over(
                                ctx,
                                &answer,
                                redacted.as_deref(),
                                handoff::Place::Unreachable,
                            )
                            .await;
                        r.fill(ctx, &answer_reply(&answer, next)).await
                    }
                }
            }
            Placement::InThread(_) => {
                let place = match q.guild {
                    Some(guild) => handoff::Place::Thread {
                        guild,
                        thread: q.channel,
                    },
                    None => handoff::Place::Unreachable,
                };
                let next = self
                    .hand_over(ctx, &answer, redacted.as_deref(), place)
                    .await;
                r.fill(ctx, &answer_reply(&answer, next)).await
            }
            Placement::Direct | Placement::Ephemeral => {
                if q.placement == Placement::Direct {
                    let mut d = lock(&self.directs);
                    if d.len() >= MAX_REMEMBERED {
                        d.clear();
                    }
                    d.insert(q.channel, conversation.clone());
                }
                let next = self
                    .hand_over(
                        ctx,
                        &answer,
                        redacted.as_deref(),
                        handoff::Place::Unreachable,
                    )
                    .await;
                r.fill(ctx, &answer_reply(&answer, next)).await
            }
        }
    }

    async fn open_thread(
        &self,
        ctx: &serenity::Context,
        channel: ChannelId,
        user: UserId,
        conversation: &ConversationId,
    ) -> Result<ChannelId, Error> {
        let thread = channel
            .create_thread(
                ctx,
                CreateThread::new(thread::thread_name(conversation))
                    .kind(ChannelType::PrivateThread)
                    .invitable(false)
                    .auto_archive_duration(serenity::AutoArchiveDuration::OneDay),
            )
            .await?;
        thread.id.add_thread_member(ctx, user).await?;
        let mut t = lock(&self.threads);
        if t.len() >= MAX_REMEMBERED {
            t.clear();
        }
        t.insert(thread.id, Some(conversation.clone()));
        Ok(thread.id)
    }

    /// For a handoff: posts the adviser notice and says what the asker is told next.
    async fn hand_over(
        &self,
        ctx: &serenity::Context,
        answer: &crate::assistant::Answer,
        redacted: Option<&str>,
        place: handoff::Place,
    ) -> Option<NextStep> {
        if answer.outcome != Outcome::Handoff {
            return None;
        }
        let Some(channel) = self.adviser_channel else {
            return Some(NextStep::ContactIbdo);
        };
        let notice = handoff::adviser_notice(&handoff::Notice {
            redacted_question: redacted,
            answer,
            place,
            role: self.adviser_role,
        });
        match channel.send_message(ctx, notice).await {
            Ok(_) => Some(match place {
                handoff::Place::Thread { .. } => NextStep::AdviserNotified,
                handoff::Place::Unreachable => NextStep::ContactIbdo,
            }),
            Err(e) => {
                tracing::error!(error = %e, "discord: could not post the adviser notice");
                Some(NextStep::ContactIbdo)
            }
        }
    }

    fn remember_question(&self, c: &ConversationId, redacted: Option<String>) {
        let mut m = lock(&self.recent);
        if m.len() >= MAX_REMEMBERED {
            m.retain(|_, (t, _)| t.elapsed() < REMEMBER_QUESTION);
        }
        m.insert(c.as_str().to_owned(), (Instant::now(), redacted));
    }

    fn remembered_question(&self, c: &ConversationId) -> Option<String> {
        lock(&self.recent)
            .get(c.as_str())
            .filter(|(t, _)| t.elapsed() < REMEMBER_QUESTION)
            .and_then(|(_, q)| q.clone())
    }

    /// The conversation of a thread from memory, else from its name (after a restart).
    fn thread_conversation_cached(
        &self,
        channel: ChannelId,
        name: Option<&str>,
    ) -> Option<ConversationId> {
        if let Some(known) = lock(&self.threads).get(&channel) {
            return known.clone();
        }
        let found = name.and_then(thread::conversation_of_thread);
        if name.is_some() {
            lock(&self.threads).insert(channel, found.clone());
        }
        found
    }

    /// Like [`Self::thread_conversation_cached`], asking Discord for the channel's name when it is
    /// not known yet (messages carry no channel name).
    async fn thread_conversation(
        &self,
        ctx: &serenity::Context,
        channel: ChannelId,
    ) -> Option<ConversationId> {
        if let Some(known) = lock(&self.threads).get(&channel) {
            return known.clone();
        }
        let name = match channel.to_channel(ctx).await {
            Ok(serenity::Channel::Guild(g)) if thread::is_thread(g.kind) => Some(g.name),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(error = %e, "discord: could not look up a channel");
                return None;
            }
        };
        let found = name.as_deref().and_then(thread::conversation_of_thread);
        lock(&self.threads).insert(channel, found.clone());
        found
    }

    async fn on_message(&self, ctx: &serenity::Context, m: &Message) -> Result<(), Error> {
        if m.author.bot || m.content.trim().is_empty() {
            return Ok(());
        }
        let in_guild = m.guild_id.is_some();
        let thread_conversation = if in_guild {
            self.thread_conversation(ctx, m.channel_id).await
        } else {
            None
        };
        let content = thread::strip_mention(&m.content, self.me.get());
        let route = thread::route_message(&thread::Incoming {
            author_is_bot: m.author.bot,
            in_guild,
            content: &content,
            thread_conversation,
        });
        let (placement, conversation) = match route {
            thread::MessageRoute::Ignore => return Ok(()),
            thread::MessageRoute::Thread(c) => (Placement::InThread(c.clone()), Some(c)),
            thread::MessageRoute::Direct => (
                Placement::Direct,
                lock(&self.directs).get(&m.channel_id).cloned(),
            ),
        };
        let lang = conversation
            .as_ref()
            .map(|c| self.conversation_language(c, Language::default()))
            .unwrap_or_default();
        let q = Incoming {
            user: m.author.id,
            text: content,
            lang,
            placement,
            guild: m.guild_id,
            channel: m.channel_id,
            conversation,
            adviser_button: false,
        };
        self.question(ctx, Responder::Channel(m.channel_id), q)
            .await;
        Ok(())
    }

    /// Where a button's or modal's answer goes: the thread or DM it was clicked in, else only to
    /// the asker.
    fn placement_of_click(
        &self,
        guild: Option<GuildId>,
        kind: Option<ChannelType>,
        c: &ConversationId,
    ) -> Placement {
        if thread::follow_up_is_ephemeral(guild.is_some(), kind) {
            Placement::Ephemeral
        } else if guild.is_some() {
            Placement::InThread(c.clone())
        } else {
            Placement::Direct
        }
    }

    async fn on_component(
        &self,
        ctx: &serenity::Context,
        i: &ComponentInteraction,
    ) -> Result<(), Error> {
        // Another bot's or an old format's button: not ours to answer.
        let Ok(action) = Action::parse(&i.data.custom_id) else {
            return Ok(());
        };
        if i.user.bot {
            return Ok(());
        }
        let locale = words::language_of_locale(&i.locale, i.guild_locale.as_deref());
        let c = action.conversation().clone();
        let lang = self.conversation_language(&c, locale);
        let kind = i.channel.as_ref().map(|ch| ch.kind);
        let placement = self.placement_of_click(i.guild_id, kind, &c);
        let ask = |text: String, adviser_button: bool| Incoming {
            user: i.user.id,
            text,
            lang,
            placement: placement.clone(),
            guild: i.guild_id,
            channel: i.channel_id,
            conversation: Some(c.clone()),
            adviser_button,
        };
        match action {
            Action::Feedback { helpful: true, .. } => {
                let r = Responder::Component(i);
                r.defer(ctx, true).await?;
                let text = match self
                    .app
                    .feedback(
                        &c,
                        true,
                        None,
                        Channel::Discord,
                        &i.user.id.get().to_string(),
                    )
                    .await
                {
                    Ok(_) => words::thanks(lang).to_owned(),
                    Err(DeskError::UnknownConversation) => words::expired(lang).to_owned(),
                    Err(e) => {
                        tracing::error!(error = %e, "discord: feedback failed");
                        words::failed(lang).to_owned()
                    }
                };
                r.fill(ctx, &Reply::text(text)).await
            }
            Action::Feedback { helpful: false, .. } => {
                // The modal is the acknowledgement; its submission comes back as a modal event.
                let modal = text_modal(
                    Action::Reason {
                        conversation: c.clone(),
                    },
                    words::reason_title(lang),
                    words::reason_label(lang),
                    custom_id::REASON_INPUT,
                    false,
                );
                i.create_response(ctx, CreateInteractionResponse::Modal(modal))
                    .await?;
                Ok(())
            }
            Action::FollowUp { .. } => {
                let modal = text_modal(
                    Action::Question {
                        conversation: c.clone(),
                    },
                    words::follow_up_title(lang),
                    words::follow_up_label(lang),
                    custom_id::QUESTION_INPUT,
                    true,
                );
                i.create_response(ctx, CreateInteractionResponse::Modal(modal))
                    .await?;
                Ok(())
            }
            Action::Choose { .. } => {
                let Some(label) = reply::option_label(&i.message.components, &i.data.custom_id)
                else {
                    return Responder::Component(i)
                        .now(ctx, &Reply::text(words::expired(lang)).ephemeral(true))
                        .await;
                };
                self.question(ctx, Responder::Component(i), ask(label, false))
                    .await;
                Ok(())
            }
            Action::Adviser { .. } => {
                let text = words::adviser_request(lang).to_owned();
                self.question(ctx, Responder::Component(i), ask(text, true))
                    .await;
                Ok(())
            }
            // Modal ids on a button: not something the bot ever sends.
            Action::Reason { .. } | Action::Question { .. } => Ok(()),
        }
    }

    async fn on_modal(&self, ctx: &serenity::Context, i: &ModalInteraction) -> Result<(), Error> {
        let Ok(action) = Action::parse(&i.data.custom_id) else {
            return Ok(());
        };
        let locale = words::language_of_locale(&i.locale, i.guild_locale.as_deref());
        let c = action.conversation().clone();
        let lang = self.conversation_language(&c, locale);
        match action {
            Action::Reason { .. } => {
                let r = Responder::Modal(i);
                r.defer(ctx, true).await?;
                let reason = input_value(&i.data.components, custom_id::REASON_INPUT);
                let text = match self
                    .app
                    .feedback(
                        &c,
                        false,
                        reason.as_deref(),
                        Channel::Discord,
                        &i.user.id.get().to_string(),
                    )
                    .await
                {
                    // A second "not helpful" on the same answer updated the same report: the
                    // same words, the same number.
                    Ok(FeedbackRecorded::Gap(id) | FeedbackRecorded::GapUpdated(id)) => {
                        words::thanks_not_helped(lang, id)
                    }
                    Ok(FeedbackRecorded::Helpful) => words::thanks(lang).to_owned(),
                    Err(DeskError::UnknownConversation) => words::expired(lang).to_owned(),
                    Err(e) => {
                        tracing::error!(error = %e, "discord: feedback failed");
                        words::failed(lang).to_owned()
                    }
                };
                r.fill(ctx, &Reply::text(text)).await
            }
            Action::Question { .. } => {
                let text =
                    input_value(&i.data.components, custom_id::QUESTION_INPUT).unwrap_or_default();
                let kind = i.channel.as_ref().map(|ch| ch.kind);
                let q = Incoming {
                    user: i.user.id,
                    text,
                    lang,
                    placement: self.placement_of_click(i.guild_id, kind, &c),
                    guild: i.guild_id,
                    channel: i.channel_id,
                    conversation: Some(c),
                    adviser_button: false,
                };
                self.question(ctx, Responder::Modal(i), q).await;
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// A modal with one text input; its custom id says what the submission is for.
pub fn text_modal(
    action: Action,
    title: &str,
    label: &str,
    input: &str,
    required: bool,
) -> CreateModal {
    let style = InputTextStyle::Paragraph;
    CreateModal::new(action.to_custom_id(), reply::clip(title, 45)).components(vec![
        CreateActionRow::InputText(
            CreateInputText::new(style, reply::clip(label, 45), input)
                .required(required)
                .max_length(if required {
                    MAX_QUESTION_CHARS as u16
                } else {
                    crate::desk::MAX_COMMENT_CHARS as u16
                }),
        ),
    ])
}

fn input_value(rows: &[serenity::ActionRow], id: &str) -> Option<String> {
    rows.iter()
        .flat_map(|r| &r.components)
        .find_map(|c| match c {
            ActionRowComponent::InputText(t) if t.custom_id == id => t.value.clone(),
            _ => None,
        })
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
