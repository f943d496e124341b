//! `POST /api/feedback`: "this helped" / "this did not help" on an answer. Not helpful becomes a
//! gap of reason `not_helpful`, with the conversation's understanding and the (redacted) comment.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::extract::ApiJson;
use super::{ApiError, AppState};
use crate::domain::{Channel, ConversationId, GapReason};
use crate::store::NewGap;

pub fn router() -> Router<AppState> {
    Router::new().route("/feedback", post(give_feedback))
}

const MAX_COMMENT_CHARS: usize = 1000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedbackRequest {
    conversation_id: String,
    helpful: bool,
    comment: Option<String>,
    #[serde(default)]
    channel: Channel,
}

async fn give_feedback(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<FeedbackRequest>,
) -> Result<Json<Value>, ApiError> {
    let id = ConversationId::parse(&req.conversation_id).map_err(ApiError::BadRequest)?;
    let comment = req
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
        return Err(ApiError::BadRequest(format!(
            "the comment is longer than {MAX_COMMENT_CHARS} characters"
        )));
    }
    let conversation = state
        .assistant
        .conversation(&id)
        .ok_or_else(|| ApiError::NotFound("no such conversation (it may have expired)".into()))?;
    let subregion = conversation.municipality.as_deref().and_then(|m| {
        state
            .catalog
            .load()
            .kb
            .taxonomy
            .municipality(m)
            .map(|m| m.subregion.clone())
    });
    if req.helpful {
        state
            .store
            .count_question(
                &conversation.themes,
                subregion.as_deref(),
                req.channel.as_str(),
                "helpful",
            )
            .await
            .map_err(|e| ApiError::Internal(e.into()))?;
        return Ok(Json(json!({"recorded": true})));
    }
    let opgaven = state
        .catalog
        .load()
        .kb
        .taxonomy
        .opgaven_of(&conversation.themes);
    let gap = NewGap {
        // Fail closed: a comment redaction cannot vouch for is not stored.
        question: comment
            .and_then(|c| state.redactor.redact_or_none(c))
            .map(|r| r.text),
        language: conversation.language.unwrap_or_default().code().to_owned(),
        channel: req.channel.as_str().to_owned(),
        reason: GapReason::NotHelpful.as_str().to_owned(),
        themes: conversation.themes.clone(),
        audiences: conversation.audiences.clone(),
        stages: conversation.stages.clone(),
        opgaven,
        municipality: conversation.municipality.clone(),
        subregion,
        offers: conversation.last_offers.clone(),
        conversation_id: Some(id.as_str().to_owned()),
        person: None,
    };
    let gap_id = state
        .store
        .insert_gap(&gap)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Json(
        json!({"recorded": true, "gap": {"id": gap_id, "reason": "not_helpful"}}),
    ))
}
