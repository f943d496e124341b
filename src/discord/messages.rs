//! Plain messages: a follow-up typed in the bot's own thread (mentioning the bot where the
//! gateway withholds message content) or in a direct message. Which messages are ours is decided
//! by [`super::thread::route_message`]; the answer goes through [`super::answer`].

use poise::serenity_prelude as serenity;
use serenity::Message;

use super::answer::{Incoming, Responder};
use super::bot::lock;
use super::thread::{self, Placement};
use super::{Bot, Error};
use crate::domain::Language;

impl Bot {
    pub(super) async fn on_message(
        &self,
        ctx: &serenity::Context,
        m: &Message,
    ) -> Result<(), Error> {
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
}
