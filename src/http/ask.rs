//! `POST /api/ask`: one message to the assistant.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

use super::extract::ApiJson;
use super::{ApiError, AppState};
use crate::assistant::Answer;
use crate::domain::{Channel, ConversationId, Question};

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
    let answer = tokio::task::spawn_blocking(move || {
        assistant.ask(&catalog, &question, conversation.as_ref())
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?;
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
