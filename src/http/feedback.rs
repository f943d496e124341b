//! `POST /api/feedback`: "this helped" / "this did not help" on an answer. Not helpful becomes a
//! gap of reason `not_helpful`, with the conversation's understanding and the (redacted) comment;
//! once per answer: a repeat updates that gap's comment and says `"updated": true`.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::client_addr::ClientAddr;
use super::extract::ApiJson;
use super::{ApiError, AppState};
use crate::desk::FeedbackRecorded;
use crate::domain::{Channel, ConversationId};

pub fn router() -> Router<AppState> {
    Router::new().route("/feedback", post(give_feedback))
}

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
    State(app): State<AppState>,
    client: ClientAddr,
    ApiJson(req): ApiJson<FeedbackRequest>,
) -> Result<Json<Value>, ApiError> {
    let id = ConversationId::parse(&req.conversation_id).map_err(ApiError::BadRequest)?;
    let recorded = app
        .feedback(
            &id,
            req.helpful,
            req.comment.as_deref(),
            req.channel,
            &client.ip().to_string(),
        )
        .await?;
    Ok(Json(match recorded {
        FeedbackRecorded::Helpful => json!({"recorded": true}),
        FeedbackRecorded::Gap(id) => {
            json!({"recorded": true, "updated": false, "gap": {"id": id, "reason": "not_helpful"}})
        }
        FeedbackRecorded::GapUpdated(id) => {
            json!({"recorded": true, "updated": true, "gap": {"id": id, "reason": "not_helpful"}})
        }
    }))
}
