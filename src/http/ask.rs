//! `POST /api/ask`: one message to the assistant.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

use super::extract::ApiJson;
use super::{ApiError, AppState};
use crate::assistant::{Answer, Gap};
use crate::domain::{Channel, ConversationId, GapReason, Outcome, Question};
use crate::store::{NewGap, pseudonym};

pub fn router() -> Router<AppState> {
    Router::new().route("/ask", post(ask_question))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AskRequest {
    question: String,
    conversation_id: Option<String>,
    #[serde(default)]
    channel: Channel,
    /// `false` marks test traffic that must never count as demand.
    #[serde(default = "yes")]
    log: bool,
}

fn yes() -> bool {
    true
}

async fn ask_question(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(req): ApiJson<AskRequest>,
) -> Result<Json<Answer>, ApiError> {
    let question =
        Question::parse(&req.question).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let conversation = match req.conversation_id.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(ConversationId::parse(raw).map_err(ApiError::BadRequest)?),
    };
    let catalog = state.catalog.load_full();
    let assistant = state.assistant.clone();
    let asked = question.clone();
    let mut answer =
        tokio::task::spawn_blocking(move || assistant.ask(&catalog, &asked, conversation.as_ref()))
            .await
            .map_err(|e| ApiError::Internal(e.into()))?;
    if req.log {
        record(&state, &question, req.channel, &peer, &mut answer).await;
    }
    // Never the question's text: only what the assistant concluded.
    tracing::info!(
        channel = req.channel.as_str(),
        outcome = answer.outcome.as_str(),
        language = answer.language.code(),
        log = req.log,
        "answered"
    );
    Ok(Json(answer))
}

/// Logs the answer as demand: gaps and handoffs as gap records (redacted text, understanding,
/// reason), answered and clarified questions as counts without text, out-of-scope not at all.
/// A database failure is logged and the answer still goes out, without a gap id.
async fn record(
    state: &AppState,
    question: &Question,
    channel: Channel,
    peer: &SocketAddr,
    answer: &mut Answer,
) {
    let u = &answer.understood;
    match answer.outcome {
        Outcome::OutOfScope => {}
        Outcome::Answered | Outcome::Clarify => {
            if let Err(e) = state
                .store
                .count_question(
                    &u.themes,
                    u.subregion.as_deref(),
                    channel.as_str(),
                    answer.outcome.as_str(),
                )
                .await
            {
                tracing::warn!(error = %e, "could not count the question");
            }
        }
        Outcome::Gap | Outcome::Handoff => {
            let reason = answer.gap.as_ref().map_or(GapReason::Handoff, |g| g.reason);
            let month = time::OffsetDateTime::now_utc().date().to_string();
            let gap = NewGap {
                // Fail closed: when redaction cannot vouch for the text, store none.
                question: state
                    .redactor
                    .redact_or_none(question.as_str())
                    .map(|r| r.text),
                language: answer.language.code().to_owned(),
                channel: channel.as_str().to_owned(),
                reason: reason.as_str().to_owned(),
                themes: u.themes.clone(),
                audiences: u.audiences.clone(),
                stages: u.stages.clone(),
                opgaven: u.opgaven.clone(),
                municipality: u.municipality.clone(),
                subregion: u.subregion.clone(),
                offers: answer.offers.iter().map(|o| o.id.clone()).collect(),
                conversation_id: Some(answer.conversation_id.clone()),
                person: Some(pseudonym(
                    &state.pseudonym_salt,
                    month.get(..7).unwrap_or(""),
                    &peer.ip().to_string(),
                )),
            };
            match state.store.insert_gap(&gap).await {
                Ok(id) => {
                    let themes = u.themes.clone();
                    answer
                        .gap
                        .get_or_insert(Gap {
                            reason,
                            themes,
                            id: None,
                        })
                        .id = Some(id);
                }
                Err(e) => tracing::error!(error = %e, "could not record the gap"),
            }
        }
    }
}
