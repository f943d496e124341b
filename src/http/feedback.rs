//! `POST /api/feedback`: "this helped" / "this did not help" on an answer. Not helpful becomes a
//! gap of reason `not_helpful`, with the conversation's understanding and the (redacted) comment;
//! once per answer: a repeat updates that gap's comment and says `"updated": true`.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::client_addr::ClientAddr;
use super::error::ErrorBody;
use super::extract::ApiJson;
use super::{ApiError, AppState};
use crate::desk::FeedbackRecorded;
use crate::domain::{Channel, ConversationId, GapReason};

pub fn router() -> Router<AppState> {
    Router::new().route("/feedback", post(give_feedback))
}

/// Whether the last answer of a conversation helped.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct FeedbackRequest {
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$")]
    conversation_id: String,
    helpful: bool,
    /// Redacted before it is stored; never stored when redaction cannot vouch for it.
    #[schema(max_length = 1000)]
    comment: Option<String>,
    #[serde(default)]
    channel: Channel,
}

/// What the feedback led to.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct FeedbackResponse {
    /// Always true: the feedback was recorded.
    recorded: bool,
    /// With a gap: true when this answer already had its not-helpful gap and only its comment was
    /// updated (a repeat without a comment changes nothing).
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<bool>,
    /// The not-helpful gap, when the answer did not help.
    #[serde(skip_serializing_if = "Option::is_none")]
    gap: Option<FeedbackGap>,
}

/// The gap a "not helpful" is recorded in.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct FeedbackGap {
    id: i64,
    /// Always `not_helpful`.
    reason: GapReason,
}

impl From<FeedbackRecorded> for FeedbackResponse {
    fn from(r: FeedbackRecorded) -> Self {
        let gap = |id| {
            Some(FeedbackGap {
                id,
                reason: GapReason::NotHelpful,
            })
        };
        match r {
            FeedbackRecorded::Helpful => FeedbackResponse {
                recorded: true,
                updated: None,
                gap: None,
            },
            FeedbackRecorded::Gap(id) => FeedbackResponse {
                recorded: true,
                updated: Some(false),
                gap: gap(id),
            },
            FeedbackRecorded::GapUpdated(id) => FeedbackResponse {
                recorded: true,
                updated: Some(true),
                gap: gap(id),
            },
        }
    }
}

/// Say whether the last answer of a conversation helped
///
/// Not helpful becomes a gap of reason `not_helpful`, with the conversation's understanding and
/// the redacted comment, once per answer: not helpful again on the same answer (the
/// conversation's last answer, unchanged since) replaces the comment of that gap and answers
/// `"updated": true` with the same gap id.
#[utoipa::path(
    post,
    path = "/api/feedback",
    operation_id = "feedback",
    request_body = FeedbackRequest,
    responses(
        (status = 200, description = "Recorded", body = FeedbackResponse),
        (status = 400, description = "The input is invalid; the message says how", body = ErrorBody),
        (status = 404, description = "No such conversation (unknown or expired)", body = ErrorBody),
        (status = 405, description = "The route does not take this method (see `Allow`)", body = ErrorBody),
        (status = 413, description = "The body is over 16 KiB", body = ErrorBody),
        (status = 415, description = "The body is not sent as `application/json`", body = ErrorBody),
        (status = 429, description = "Too many requests from this address", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until a request is accepted again"))),
        (status = 500, description = "Something failed on our side; details are only in the server log", body = ErrorBody),
    )
)]
pub(super) async fn give_feedback(
    State(app): State<AppState>,
    client: ClientAddr,
    ApiJson(req): ApiJson<FeedbackRequest>,
) -> Result<Json<FeedbackResponse>, ApiError> {
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
    Ok(Json(recorded.into()))
}
