//! Buttons under an answer: helpful / not helpful, "ask a follow-up", a clarifying question's
//! options and "Spreek een adviseur". What a click means is parsed by [`super::custom_id`]; a
//! "not helpful" or follow-up click opens a modal of [`super::modals`], the others answer through
//! [`super::answer`] or record feedback with [`crate::app::App::feedback`].

use poise::serenity_prelude as serenity;
use serenity::{ChannelType, ComponentInteraction, CreateInteractionResponse, GuildId};

use super::answer::{Incoming, Responder};
use super::custom_id::{self, Action};
use super::modals::text_modal;
use super::reply::{self, Reply};
use super::thread::{self, Placement};
use super::{Bot, Error, words};
use crate::desk::DeskError;
use crate::domain::{Channel, ConversationId};

impl Bot {
    /// Where a button's or modal's answer goes: the thread or DM it was clicked in, else only to
    /// the asker.
    pub(super) fn placement_of_click(
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

    pub(super) async fn on_component(
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
}
