//! The bot's shared state, [`Bot`]: the application, the adviser settings, the rate limiter and
//! what the bot remembers between events (the conversation of each thread and direct-message
//! channel, and the last redacted question of a conversation for a later adviser click). Every
//! map is bounded; nothing here talks to Discord except the channel-name look-up of
//! [`Bot::thread_conversation`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use poise::serenity_prelude as serenity;
use serenity::{ChannelId, RoleId, UserId};

use super::DiscordConfig;
use super::{limit, thread};
use crate::app::App;
use crate::domain::{ConversationId, Language};

/// Bounds the in-memory maps; beyond this they are cleared (the thread name still leads back to
/// its conversation).
pub(super) const MAX_REMEMBERED: usize = 50_000;
/// How long the redacted question is kept for a later "Spreek een adviseur" click.
const REMEMBER_QUESTION: Duration = Duration::from_secs(2 * 60 * 60);

/// The bot's shared state: the application, its settings and what it remembers between events.
pub struct Bot {
    pub app: App,
    /// The bot's own user, from the gateway's ready event; mentions of it are stripped.
    pub(super) me: UserId,
    pub(super) adviser_channel: Option<ChannelId>,
    pub(super) adviser_role: Option<RoleId>,
    pub(super) limiter: Mutex<limit::RateLimit>,
    /// Channel → the conversation of the bot's thread there (`None`: looked up, not ours).
    pub(super) threads: Mutex<HashMap<ChannelId, Option<ConversationId>>>,
    /// Direct-message channel → its current conversation.
    pub(super) directs: Mutex<HashMap<ChannelId, ConversationId>>,
    /// Conversation → its last question after redaction, for the adviser notice of a later click.
    pub(super) recent: Mutex<HashMap<String, (Instant, Option<String>)>>,
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

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Bot {
    pub(super) fn conversation_language(&self, c: &ConversationId, fallback: Language) -> Language {
        self.app
            .assistant
            .conversation(c)
            .and_then(|s| s.language)
            .unwrap_or(fallback)
    }

    pub(super) fn remember_question(&self, c: &ConversationId, redacted: Option<String>) {
        let mut m = lock(&self.recent);
        if m.len() >= MAX_REMEMBERED {
            m.retain(|_, (t, _)| t.elapsed() < REMEMBER_QUESTION);
        }
        m.insert(c.as_str().to_owned(), (Instant::now(), redacted));
    }

    pub(super) fn remembered_question(&self, c: &ConversationId) -> Option<String> {
        lock(&self.recent)
            .get(c.as_str())
            .filter(|(t, _)| t.elapsed() < REMEMBER_QUESTION)
            .and_then(|(_, q)| q.clone())
    }

    /// The conversation of a thread from memory, else from its name (after a restart).
    pub(super) fn thread_conversation_cached(
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
    pub(super) async fn thread_conversation(
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
}
