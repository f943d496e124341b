//! The help desk every channel goes through: asks the assistant one message and records the demand
//! it shows (gap records for gaps and handoffs, counts without text for the rest), and takes
//! "helped" / "did not help" feedback. The API, the web chat and the Discord bot call these, so a
//! question is logged the same way whichever door it came in by.

use crate::app::App;
use crate::assistant::{Answer, Gap};
use crate::auth::Caller;
use crate::domain::OfferId;
use crate::domain::{Channel, ConversationId, GapReason, Outcome, Question, clean_text};
use crate::store::{DemandKey, GAP_STATUSES, GapRecord, NewGap, StoreError, Triage, pseudonym};

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
    /// Input a person can correct: the message says what is wrong.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Assistant(#[from] crate::compute::ComputeError),
}

pub const MAX_COMMENT_CHARS: usize = 1000;

/// The longest an answer waits on the database to record the question. PostgreSQL that has gone
/// away makes sqlx retry the connection until the pool's acquire timeout; nobody should wait that.
pub const RECORD_DEADLINE: std::time::Duration = std::time::Duration::from_millis(1500);
pub const MAX_NOTE_CHARS: usize = 2000;

/// A question an adviser heard on the phone or at a visit. Overrides are taxonomy ids the caller
/// has checked; what is not given comes from the assistant's understanding of the text.
#[derive(Debug, Clone)]
pub struct AdviserGap {
    pub question: Question,
    pub reason: GapReason,
    pub channel: Channel,
    pub themes: Option<Vec<String>>,
    pub audiences: Option<Vec<String>>,
    pub stages: Option<Vec<String>>,
    pub municipality: Option<String>,
    pub note: Option<String>,
}

/// A triage change as a person gave it; checked by [`App::triage`]. `None` leaves a field as is.
#[derive(Debug, Clone, Copy, Default)]
pub struct TriageChange<'a> {
    pub status: Option<&'a str>,
    pub note: Option<&'a str>,
    pub covered_by: Option<&'a str>,
}

/// What feedback led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedbackRecorded {
    Helpful,
    /// Not helpful: the new gap record's id.
    Gap(i64),
    /// Not helpful again on an answer that already has its gap: that gap's id; its comment was
    /// replaced by this one (when this one has a comment).
    GapUpdated(i64),
}

impl FeedbackRecorded {
    /// The gap a "not helpful" is recorded in.
    pub fn gap_id(&self) -> Option<i64> {
        match self {
            FeedbackRecorded::Helpful => None,
            FeedbackRecorded::Gap(id) | FeedbackRecorded::GapUpdated(id) => Some(*id),
        }
    }
}

impl App {
    /// Answers one message and, unless `log` is off, records it as demand. A database failure is
    /// logged and the answer still goes out, without a gap id.
    pub async fn ask(&self, ask: Ask) -> Result<Answer, DeskError> {
        if let Some(id) = &ask.conversation {
            self.recall(id).await;
        }
        let catalog = self.catalog.load_full();
        let vector = self.question_vector(&catalog, &ask.question).await;
        let assistant = self.assistant.clone();
        let (question, conversation) = (ask.question.clone(), ask.conversation.clone());
        let mut answer = self
            .compute
            .run(move || {
                assistant.ask_with(
                    &catalog,
                    &question,
                    conversation.as_ref(),
                    vector.as_deref(),
                )
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

    /// The question's vector, when the catalog has offer vectors and the embedder answers in
    /// time; otherwise `None`, and the answer is lexical (counted in `/metrics`).
    async fn question_vector(
        &self,
        catalog: &crate::catalog::Catalog,
        question: &Question,
    ) -> Option<crate::embed::Vector> {
        let sem = self.semantics.as_ref()?;
        if catalog.semantic().is_none() {
            crate::metrics::semantic_fallback("no_offer_vectors");
            return None;
        }
        sem.query.vector_or_fallback(question.as_str()).await
    }

    /// With several instances on one database, the database holds the conversation: another
    /// instance may have answered the last message.
    async fn recall(&self, id: &ConversationId) {
        if !self.store.is_shared() {
            return;
        }
        match self
            .on_answer_path(self.store.load_conversation(id.as_str()))
            .await
        {
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
                .on_answer_path(self.store.save_conversation(
                    id.as_str(),
                    &state,
                    self.conversation_ttl,
                ))
                .await
        {
            tracing::warn!(error = %e, "could not share the conversation");
        }
    }

    /// Bounds a database call made while someone waits for an answer: past [`RECORD_DEADLINE`]
    /// the database counts as away (the breaker opens, a gap goes to the spool) rather than the
    /// answer waiting on it. A gap insert that did commit after all is replayed idempotently.
    async fn on_answer_path<T>(
        &self,
        call: impl std::future::Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(RECORD_DEADLINE, call).await {
            Ok(result) => result,
            Err(_) => {
                self.store.report_unreachable();
                Err(StoreError::Unavailable)
            }
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
                // Counted in memory and written about once a second: never waits on the database.
                if let Err(e) = self.store.count_demand(&key).await {
                    tracing::warn!(error = %e, "could not count the question");
                }
                if answer.outcome == Outcome::Answered {
                    let ids: Vec<String> = answer.offers.iter().map(|o| o.id.clone()).collect();
                    self.store.count_referrals(&ids);
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
        match self
            .on_answer_path(self.store.insert_gap_ref(gap, reference, None))
            .await
        {
            Ok(id) => (Some(id), true),
            Err(e) => {
                if matches!(e, StoreError::Unavailable) {
                    tracing::debug!("database away: spooling a gap");
                } else {
                    tracing::warn!(error = %e, "database refused a gap; spooling it");
                }
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

    /// A triage note or an adviser's note: free text, so cleaned and redacted like a question and
    /// refused when redaction cannot vouch for it. Empty is no note.
    pub fn redact_note(&self, note: &str) -> Result<Option<String>, DeskError> {
        let note = clean_text(note.trim());
        if note.is_empty() {
            return Ok(None);
        }
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(DeskError::Invalid(format!(
                "a note has at most {MAX_NOTE_CHARS} characters"
            )));
        }
        self.redactor
            .redact_or_none(&note)
            .map(|r| Some(r.text))
            .ok_or_else(|| {
                DeskError::Invalid("the note could not be checked for personal data".into())
            })
    }

    /// Logs a question an adviser heard: the assistant's understanding of the text, the adviser's
    /// own classification winning, the text redacted, the act audited.
    pub async fn log_adviser_gap(
        &self,
        caller: &Caller,
        g: AdviserGap,
    ) -> Result<GapRecord, DeskError> {
        let note = match g.note.as_deref() {
            Some(n) => self.redact_note(n)?,
            None => None,
        };
        let catalog = self.catalog.load_full();
        let (c, q) = (catalog.clone(), g.question.clone());
        let (language, understood) = self
            .compute
            .run(move || crate::assistant::understand_only(&c, &q))
            .await?;
        let taxonomy = &catalog.kb.taxonomy;
        let themes = g.themes.unwrap_or(understood.themes);
        let municipality = g.municipality.or(understood.municipality);
        let subregion = municipality
            .as_deref()
            .and_then(|m| taxonomy.municipality(m))
            .map(|m| m.subregion.clone())
            .or(understood.subregion);
        let gap = NewGap {
            question: self
                .redactor
                .redact_or_none(g.question.as_str())
                .map(|r| r.text),
            language: language.code().to_owned(),
            channel: g.channel.as_str().to_owned(),
            reason: g.reason.as_str().to_owned(),
            opgaven: taxonomy.opgaven_of(&themes),
            themes,
            audiences: g.audiences.unwrap_or(understood.audiences),
            stages: g.stages.unwrap_or(understood.stages),
            municipality,
            subregion,
            offers: Vec::new(),
            conversation_id: None,
            person: None,
        };
        let id = self.store.insert_gap(&gap).await?;
        if note.is_some() {
            let triage = Triage {
                note,
                ..Triage::default()
            };
            self.store.triage_gap(id, &triage).await?;
        }
        self.store
            .audit(&caller.actor(), "gap.log", Some(&id.to_string()), None)
            .await?;
        self.store
            .gap(id)
            .await?
            .ok_or(DeskError::Invalid(format!("gap {id} vanished")))
    }

    /// Triage of a gap: checks the status and the covering offer, redacts the note, audits the
    /// change. `None` when there is no such gap.
    pub async fn triage(
        &self,
        caller: &Caller,
        id: i64,
        change: TriageChange<'_>,
    ) -> Result<Option<GapRecord>, DeskError> {
        let status = match change.status.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) if GAP_STATUSES.contains(&s) => Some(s.to_owned()),
            Some(_) => {
                return Err(DeskError::Invalid(format!(
                    "`status` must be one of: {}",
                    GAP_STATUSES.join(", ")
                )));
            }
        };
        let covered_by = match change.covered_by.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => {
                let offer = OfferId::parse(raw).map_err(DeskError::Invalid)?;
                if self.catalog.load().kb.get(offer.as_str()).is_none() {
                    return Err(DeskError::Invalid(format!("no offer `{offer}`")));
                }
                Some(offer.to_string())
            }
        };
        let note = match change.note {
            Some(n) => self.redact_note(n)?,
            None => None,
        };
        let detail = [
            status.as_ref().map(|s| format!("status={s}")),
            covered_by.as_ref().map(|o| format!("covered_by={o}")),
            note.as_ref().map(|_| "note".to_owned()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        let triage = Triage {
            status,
            note,
            covered_by,
        };
        let Some(changed) = self.store.triage_gap(id, &triage).await? else {
            return Ok(None);
        };
        self.store
            .audit(
                &caller.actor(),
                "gap.triage",
                Some(&id.to_string()),
                Some(&detail),
            )
            .await?;
        Ok(Some(changed))
    }

    /// Records feedback on a conversation's last answer: "not helpful" becomes a gap of reason
    /// `not_helpful` with the conversation's understanding and the redacted comment, once per
    /// answer: said again about the same answer (the same turn of the conversation), it replaces
    /// the comment of that gap rather than adding one, so pressing the button twice (or a retried
    /// request) does not count a white spot twice. Every channel comes through here.
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
        let turn = i64::from(conversation.turns);
        let (id, existed) = self.store.record_not_helpful(&gap, turn).await?;
        if existed {
            return Ok(FeedbackRecorded::GapUpdated(id));
        }
        crate::metrics::gap(GapReason::NotHelpful.as_str());
        Ok(FeedbackRecorded::Gap(id))
    }
}
