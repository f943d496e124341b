//! Modals: building the one-text-input modal a button opens ([`text_modal`]) and handling its
//! submission, the reason of a "not helpful" (recorded as feedback, which may file a gap) or a
//! typed follow-up question (answered through [`super::answer`]).

use poise::serenity_prelude as serenity;
use serenity::ModalInteraction;
use serenity::{ActionRowComponent, CreateActionRow, CreateInputText, CreateModal, InputTextStyle};

use super::answer::{Incoming, Responder};
use super::custom_id::{self, Action};
use super::reply::{self, Reply};
use super::{Bot, Error, words};
use crate::desk::{DeskError, FeedbackRecorded};
use crate::domain::{Channel, MAX_QUESTION_CHARS};

impl Bot {
    pub(super) async fn on_modal(
        &self,
        ctx: &serenity::Context,
        i: &ModalInteraction,
    ) -> Result<(), Error> {
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
