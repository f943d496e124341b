//! `POST /api/ask`: one message to the assistant, through the help desk.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::ToSchema;

use super::client_addr::ClientAddr;
use super::error::ErrorBody;
use super::extract::ApiJson;
use super::{ApiError, AppState};
use crate::assistant::Answer;
use crate::desk::Ask;
use crate::domain::{Channel, ConversationId, Question};

pub fn router() -> Router<AppState> {
    Router::new().route("/ask", post(ask_question))
}

/// One message to the assistant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct AskRequest {
    /// Trimmed; control characters and invisible marks become spaces. Empty after that is a 400.
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "Subsidie voor een lasrobot in Emmen?"
    )]
    question: String,
    /// Continues a conversation; empty or absent starts one. An unknown (expired) id starts a new
    /// one and says so in `notice`. Must match `^[A-Za-z0-9_-]{1,64}$`.
    conversation_id: Option<String>,
    #[serde(default)]
    channel: Channel,
    /// `false` marks test traffic that must never count as demand.
    #[serde(default = "yes")]
    #[schema(default = true)]
    log: bool,
}

fn yes() -> bool {
    true
}

/// Ask the assistant one message
///
/// Answers with offers, a clarifying question, a handoff to IBDO or an honest gap. Gaps and
/// handoffs are logged as demand (redacted) unless `log` is false; answered questions are only
/// counted.
#[utoipa::path(
    post,
    path = "/api/ask",
    operation_id = "ask",
    request_body = AskRequest,
    responses(
        (status = 200, description = "The answer", body = Answer),
        (status = 400, description = "The input is invalid; the message says how", body = ErrorBody),
        (status = 405, description = "The route does not take this method (see `Allow`)", body = ErrorBody),
        (status = 413, description = "The body is over 16 KiB", body = ErrorBody),
        (status = 415, description = "The body is not sent as `application/json`", body = ErrorBody),
        (status = 429, description = "Too many requests from this address", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until a request is accepted again"))),
        (status = 500, description = "Something failed on our side; details are only in the server log", body = ErrorBody),
    )
)]
pub(super) async fn ask_question(
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
