//! `POST /api/ask`: one message to the assistant, through the help desk.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

use super::client_addr::ClientAddr;
use super::extract::ApiJson;
use super::{ApiError, AppState};
use crate::assistant::Answer;
use crate::desk::Ask;
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
    State(app): State<AppState>,
    client: ClientAddr,
    ApiJson(req): ApiJson<AskRequest>,
) -> Result<Json<Answer>, ApiError> {
    let question =
        Question::parse(&req.question).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let conversation = match req.conversation_id.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(ConversationId::parse(raw).map_err(ApiError::BadRequest)?),
    };
    let answer = app
        .ask(Ask {
            question,
            conversation,
            channel: req.channel,
            log: req.log,
            identity: client.ip().to_string(),
        })
        .await?;
    Ok(Json(answer))
}
