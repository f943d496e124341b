//! Answering a question, whichever way it came in (a slash command, a button, a modal, a plain
//! message): the rate limit and the question's checks, the call of [`crate::app::App::ask`], the
//! redacted question kept for the adviser notice, and delivery where the [`Placement`] says (a new
//! private thread, the thread or DM it came from, or an ephemeral reply). [`Responder`] hides
//! how each kind of interaction is acknowledged and filled in.

use std::time::Instant;

use poise::serenity_prelude as serenity;
use serenity::{
    ChannelId, ChannelType, ComponentInteraction, CreateInteractionResponse, CreateThread, GuildId,
    ModalInteraction, UserId,
};

use super::bot::{MAX_REMEMBERED, lock};
use super::reply::{NextStep, Reply, answer_reply};
use super::thread::Placement;
use super::{Bot, Error, handoff, thread, words};
use crate::desk::Ask;
use crate::domain::{
    Channel, ConversationId, Language, MAX_QUESTION_CHARS, Outcome, Question, QuestionError,
};

/// Where an answer goes: an interaction (acknowledged by deferring, then filled in) or, for a
/// plain message, the channel itself.
pub(super) enum Responder<'a> {
    Command(&'a serenity::CommandInteraction),
    Component(&'a ComponentInteraction),
    Modal(&'a ModalInteraction),
    Channel(ChannelId),
}

impl Responder<'_> {
    /// Answers at once (within Discord's 3 s), for refusals that need no work.
    pub(super) async fn now(&self, ctx: &serenity::Context, reply: &Reply) -> Result<(), Error> {
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
    pub(super) async fn defer(
        &self,
        ctx: &serenity::Context,
        ephemeral: bool,
    ) -> Result<(), Error> {
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

    pub(super) async fn fill(&self, ctx: &serenity::Context, reply: &Reply) -> Result<(), Error> {
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
pub(super) struct Incoming {
    pub(super) user: UserId,
    pub(super) text: String,
    /// The asker's interface language, for refusals before the assistant has seen the text.
    pub(super) lang: Language,
    pub(super) placement: Placement,
    pub(super) guild: Option<GuildId>,
    pub(super) channel: ChannelId,
    pub(super) conversation: Option<ConversationId>,
    /// Set by the "Spreek een adviseur" button: the notice then shows the conversation's earlier
    /// question, not the button's stock sentence.
    pub(super) adviser_button: bool,
}

impl Bot {
    /// Asks the assistant and delivers the answer where the placement says. Every failure is
    /// logged and told to the asker; nothing is returned because there is nobody else to tell.
    pub(super) async fn question(&self, ctx: &serenity::Context, r: Responder<'_>, q: Incoming) {
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
        let Some(question) = self.admit(ctx, r, &q).await? else {
            return Ok(());
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
        self.deliver(ctx, r, &q, &question, &answer, &conversation)
            .await
    }

    /// The rate limit and the question's own checks, before anything slow. A refusal is answered
    /// at once, ephemerally, and gives `None`.
    async fn admit(
        &self,
        ctx: &serenity::Context,
        r: &Responder<'_>,
        q: &Incoming,
    ) -> Result<Option<Question>, Error> {
        let allowed = lock(&self.limiter).check(q.user.get(), Instant::now());
        if let Err(wait) = allowed {
            r.now(
                ctx,
                &Reply::text(words::slow_down(q.lang, wait)).ephemeral(true),
            )
            .await?;
            return Ok(None);
        }
        let text = match Question::parse(&q.text) {
            Ok(question) => return Ok(Some(question)),
            Err(QuestionError::TooLong(_)) => words::too_long(q.lang, MAX_QUESTION_CHARS),
            Err(QuestionError::Empty) => words::empty(q.lang).to_owned(),
        };
        r.now(ctx, &Reply::text(text).ephemeral(true)).await?;
        Ok(None)
    }

    /// Keeps the redacted question for a later adviser click (or, for that click, takes the kept
    /// one), then delivers the answer where the placement says, with the adviser notice for a
    /// handoff.
    async fn deliver(
        &self,
        ctx: &serenity::Context,
        r: &Responder<'_>,
        q: &Incoming,
        question: &Question,
        answer: &crate::assistant::Answer,
        conversation: &ConversationId,
    ) -> Result<(), Error> {
        let redacted = if q.adviser_button {
            self.remembered_question(conversation)
        } else {
            let redacted = self
                .app
                .redactor
                .redact_or_none(question.as_str())
                .map(|x| x.text);
            self.remember_question(conversation, redacted.clone());
            redacted
        };

        match q.placement {
            Placement::OpenPrivateThread => {
                let guild = q.guild.ok_or("a thread needs a server")?;
                match self.open_thread(ctx, q.channel, q.user, conversation).await {
                    Ok(thread) => {
                        let place = handoff::Place::Thread { guild, thread };
                        let next = self
                            .hand_over(ctx, answer, redacted.as_deref(), place)
                            .await;
                        let reply = answer_reply(answer, next).quoting(question.as_str());
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
                                answer,
                                redacted.as_deref(),
                                handoff::Place::Unreachable,
                            )
                            .await;
                        r.fill(ctx, &answer_reply(answer, next)).await
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
                    .hand_over(ctx, answer, redacted.as_deref(), place)
                    .await;
                r.fill(ctx, &answer_reply(answer, next)).await
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
                        answer,
                        redacted.as_deref(),
                        handoff::Place::Unreachable,
                    )
                    .await;
                r.fill(ctx, &answer_reply(answer, next)).await
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
}
