//! The help desk every channel goes through: asks the assistant one message and records the demand
//! it shows (gap records for gaps and handoffs, counts without text for the rest), and takes
//! "helped" / "did not help" feedback. The API, the web chat and the Discord bot call these, so a
//! question is logged the same way whichever door it came in by.

use crate::app::App;
use crate::assistant::{Answer, Gap};
use crate::domain::{Channel, ConversationId, GapReason, Outcome, Question, clean_text};
use crate::store::{DemandKey, NewGap, pseudonym};

/// One message from someone, as a channel received it.
#[derive(Debug, Clone)]
pub struct Ask {
    pub question: Question,
    pub conversation: Option<ConversationId>,
    pub channel: Channel,
    /// `false` marks test traffic that must never count as demand.
    pub log: bool,
    /// Who asked, in a channel's own terms (client address, Discord user id). Only its monthly
    /// pseudonym is stored.
    pub identity: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("no such conversation (it may have expired)")]
    UnknownConversation,
    #[error("the comment is longer than {MAX_COMMENT_CHARS} characters")]
    CommentTooLong,
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("the assistant failed: {0}")]
    Assistant(#[from] tokio::task::JoinError),
}

pub const MAX_COMMENT_CHARS: usize = 1000;

/// What feedback led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedbackRecorded {
    Helpful,
    /// Not helpful: the gap record's id.
    Gap(i64),
}

impl App {
    /// Answers one message and, unless `log` is off, records it as demand. A database failure is
    /// logged and the answer still goes out, without a gap id.
    pub async fn ask(&self, ask: Ask) -> Result<Answer, DeskError> {
        if let Some(id) = &ask.conversation {
            self.recall(id).await;
        }
        let catalog = self.catalog.load_full();
        let assistant = self.assistant.clone();
        let (question, conversation) = (ask.question.clone(), ask.conversation.clone());
        let mut answer = tokio::task::spawn_blocking(move || {
            assistant.ask(&catalog, &question, conversation.as_ref())
        })
        .await?;
        self.share(&answer.conversation_id).await;
        if ask.log {
            self.record(&ask, &mut answer).await;
        }
        crate::metrics::answer(
            ask.channel.as_str(),
            answer.outcome.as_str(),
            answer.language.code(),
        );
        // Never the question's text: only what the assistant concluded.
        tracing::info!(
            channel = ask.channel.as_str(),
            outcome = answer.outcome.as_str(),
            language = answer.language.code(),
            log = ask.log,
            "answered"
        );
        Ok(answer)
    }

    /// With several instances on one database, the database holds the conversation: another
    /// instance may have answered the last message.
    async fn recall(&self, id: &ConversationId) {
        if !self.store.is_shared() {
            return;
        }
        match self.store.load_conversation(id.as_str()).await {
            Ok(Some(state)) => self.assistant.remember(id, state),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not load a shared conversation"),
        }
    }

    /// Writes a conversation's understanding to the shared database (several instances only).
    async fn share(&self, id: &str) {
        if !self.store.is_shared() {
            return;
        }
        let Ok(id) = ConversationId::parse(id) else {
            return;
        };
        if let Some(state) = self.assistant.conversation(&id)
            && let Err(e) = self
                .store
                .save_conversation(id.as_str(), &state, self.conversation_ttl)
                .await
        {
            tracing::warn!(error = %e, "could not share the conversation");
        }
    }

    /// This month's pseudonym of someone, as stored with their gaps.
    pub fn pseudonym_of(&self, identity: &str) -> String {
        let today = time::OffsetDateTime::now_utc().date().to_string();
        pseudonym(&self.pseudonym_salt, today.get(..7).unwrap_or(""), identity)
    }

    async fn record(&self, ask: &Ask, answer: &mut Answer) {
        let u = &answer.understood;
        match answer.outcome {
            Outcome::OutOfScope => {}
            Outcome::Answered | Outcome::Clarify => {
                let key = DemandKey {
                    themes: &u.themes,
                    audiences: &u.audiences,
                    stages: &u.stages,
                    municipality: u.municipality.as_deref(),
                    subregion: u.subregion.as_deref(),
                    channel: ask.channel.as_str(),
                    outcome: answer.outcome.as_str(),
                };
                if let Err(e) = self.store.count_demand(&key).await {
                    tracing::warn!(error = %e, "could not count the question");
                }
            }
            Outcome::Gap | Outcome::Handoff => {
                let reason = answer.gap.as_ref().map_or(GapReason::Handoff, |g| g.reason);
                let gap = NewGap {
                    // Fail closed: when redaction cannot vouch for the text, store none.
                    question: self
                        .redactor
                        .redact_or_none(ask.question.as_str())
                        .map(|r| r.text),
                    language: answer.language.code().to_owned(),
                    channel: ask.channel.as_str().to_owned(),
                    reason: reason.as_str().to_owned(),
                    themes: u.themes.clone(),
                    audiences: u.audiences.clone(),
                    stages: u.stages.clone(),
                    opgaven: u.opgaven.clone(),
                    municipality: u.municipality.clone(),
                    subregion: u.subregion.clone(),
                    offers: answer.offers.iter().map(|o| o.id.clone()).collect(),
                    conversation_id: Some(answer.conversation_id.clone()),
                    person: Some(self.pseudonym_of(&ask.identity)),
                };
                let reference = uuid::Uuid::new_v4().to_string();
                let (id, logged) = self.save_gap(&gap, &reference).await;
                if logged {
                    crate::metrics::gap(reason.as_str());
                    let themes = u.themes.clone();
                    let g = answer.gap.get_or_insert(Gap {
                        reason,
                        themes,
                        id: None,
                        reference: None,
                    });
                    g.id = id;
                    g.reference = Some(reference);
                }
            }
        }
    }

    /// Stores a gap, or when the database fails, spools it durably. Returns the id (when stored)
    /// and whether the gap is safe at all.
    async fn save_gap(&self, gap: &NewGap, reference: &str) -> (Option<i64>, bool) {
        match self.store.insert_gap_ref(gap, reference, None).await {
            Ok(id) => (Some(id), true),
            Err(e) => {
                tracing::warn!(error = %e, "database refused a gap; spooling it");
                let Some(spool) = &self.spool else {
                    tracing::error!("no spool configured: the gap is lost");
                    return (None, false);
                };
                let record = crate::spool::Spooled {
                    reference: reference.to_owned(),
                    created_at: time::OffsetDateTime::now_utc()
                        .format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default(),
                    gap: gap.clone(),
                };
                let spool = spool.clone();
                match tokio::task::spawn_blocking(move || spool.append(&record)).await {
                    Ok(Ok(())) => (None, true),
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "could not spool the gap: it is lost");
                        (None, false)
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "spooling task failed: the gap is lost");
                        (None, false)
                    }
                }
            }
        }
    }

    /// Records feedback on a conversation's last answer: "not helpful" becomes a gap of reason
    /// `not_helpful` with the conversation's understanding and the redacted comment.
    pub async fn feedback(
        &self,
        id: &ConversationId,
        helpful: bool,
        comment: Option<&str>,
        channel: Channel,
        identity: &str,
    ) -> Result<FeedbackRecorded, DeskError> {
        let comment = comment.map(clean_text);
        let comment = comment.as_deref().map(str::trim).filter(|c| !c.is_empty());
        if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
            return Err(DeskError::CommentTooLong);
        }
        self.recall(id).await;
        let conversation = self
            .assistant
            .conversation(id)
            .ok_or(DeskError::UnknownConversation)?;
        let catalog = self.catalog.load();
        let taxonomy = &catalog.kb.taxonomy;
        let subregion = conversation
            .municipality
            .as_deref()
            .and_then(|m| taxonomy.municipality(m).map(|m| m.subregion.clone()));
        if helpful {
            self.store
                .count_demand(&DemandKey {
                    themes: &conversation.themes,
                    audiences: &conversation.audiences,
                    stages: &conversation.stages,
                    municipality: conversation.municipality.as_deref(),
                    subregion: subregion.as_deref(),
                    channel: channel.as_str(),
                    outcome: "helpful",
                })
                .await?;
            return Ok(FeedbackRecorded::Helpful);
        }
        let gap = NewGap {
            // Fail closed: a comment redaction cannot vouch for is not stored.
            question: comment
                .and_then(|c| self.redactor.redact_or_none(c))
                .map(|r| r.text),
            language: conversation.language.unwrap_or_default().code().to_owned(),
            channel: channel.as_str().to_owned(),
            reason: GapReason::NotHelpful.as_str().to_owned(),
            themes: conversation.themes.clone(),
            audiences: conversation.audiences.clone(),
            stages: conversation.stages.clone(),
            opgaven: taxonomy.opgaven_of(&conversation.themes),
            municipality: conversation.municipality.clone(),
            subregion,
            offers: conversation.last_offers.clone(),
            conversation_id: Some(id.as_str().to_owned()),
            person: Some(self.pseudonym_of(identity)),
        };
        let id = self.store.insert_gap(&gap).await?;
        crate::metrics::gap(GapReason::NotHelpful.as_str());
        Ok(FeedbackRecorded::Gap(id))
    }
}
