//! `/`: the chat. A plain form POST answers without JavaScript (the conversation id rides in a
//! hidden field); the script in `assets/wegwijzer.js` sends the same form to `/api/ask` and fills
//! the `<template>`s this page carries, so the conversation stays on the page. Both go through
//! [`App::ask`](crate::app::App::ask) with `Channel::Web` and the client address as identity.

use askama::Template;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::i18n::{Texts, texts};
use super::{Chrome, Ctx, WebError};
use crate::assistant::{Answer, OfferCard};
use crate::desk::{Ask, DeskError, FeedbackRecorded};
use crate::domain::{Channel, ConversationId, Language, Outcome, Question, Status};
use crate::http::AppState;
use crate::http::client_addr::ClientAddr;

/// The forms that ask and give feedback draw on the client's rate-limit budget, like the API.
pub fn router(state: &AppState) -> Router<AppState> {
    let limited = || axum::middleware::from_fn_with_state(state.clone(), super::limit);
    Router::new()
        .route("/", get(chat_page).merge(post(ask).route_layer(limited())))
        .route("/feedback", post(feedback).route_layer(limited()))
}

#[derive(Template)]
#[template(path = "chat.html")]
struct ChatPage {
    page: Chrome,
    privacy: &'static str,
    /// For the card template the script fills: what stands in for "open" with rounds.
    rounds_note: &'static str,
    handoff: Handoff,
    answer: Option<AnswerView>,
    /// A confirmation after feedback.
    alert: Option<String>,
    /// The question to put back in the box (after an error), or empty.
    draft: String,
    error: Option<String>,
    conversation_id: String,
}

/// IBDO's contact, from its offer in the knowledge base.
pub struct Handoff {
    pub url: String,
    pub contact: String,
}

pub struct AnswerView {
    pub lang: &'static str,
    pub t: &'static Texts,
    pub question: String,
    pub paragraphs: Vec<String>,
    pub notice: Option<String>,
    pub disclosure: Option<String>,
    pub cards: Vec<CardView>,
    pub clarify: Option<(String, Vec<String>)>,
    pub gap_id: Option<i64>,
    pub conversation_id: String,
}

pub struct CardView {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub why: String,
    pub how_to_apply: String,
    pub url: String,
    pub badge: Option<Badge>,
    /// The figures with their sources, one line each.
    pub figures: Vec<String>,
}

pub struct Badge {
    pub class: &'static str,
    pub label: &'static str,
}

/// The badge an offer gets where it matters: closed, status unknown, or open in rounds. Plainly
/// open needs none.
pub fn badge(status: Status, rounds: bool, lang: Language) -> Option<Badge> {
    let t = texts(lang);
    match status {
        Status::Open if rounds => Some(Badge {
            class: "ww-badge--check",
            label: crate::texts::rounds_note(lang),
        }),
        Status::Open => None,
        Status::Closed => Some(Badge {
            class: "ww-badge--closed",
            label: t.badge_closed,
        }),
        Status::Unknown => Some(Badge {
            class: "ww-badge--check",
            label: t.badge_check,
        }),
    }
}

fn card(o: &OfferCard, lang: Language) -> CardView {
    CardView {
        id: o.id.clone(),
        name: o.name.clone(),
        provider: o.provider.clone(),
        why: o.why.clone(),
        how_to_apply: o.how_to_apply.clone(),
        url: o.url.clone(),
        badge: badge(o.status, o.rounds, lang),
        figures: o.figures.iter().map(|f| f.text.clone()).collect(),
    }
}

pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

fn view(question: &str, a: &Answer) -> AnswerView {
    AnswerView {
        lang: a.language.code(),
        t: texts(a.language),
        question: question.to_owned(),
        paragraphs: paragraphs(&a.answer),
        notice: a.notice.clone(),
        disclosure: a.disclosure.clone(),
        cards: a.offers.iter().map(|o| card(o, a.language)).collect(),
        clarify: a
            .clarify
            .as_ref()
            .filter(|_| a.outcome == Outcome::Clarify)
            .map(|c| (c.question.clone(), c.options.clone())),
        gap_id: a.gap.as_ref().and_then(|g| g.id),
        conversation_id: a.conversation_id.clone(),
    }
}

fn handoff(app: &AppState) -> Handoff {
    let catalog = app.catalog.load();
    match catalog.kb.get("ibdo") {
        Some(o) => Handoff {
            url: o.url.clone(),
            contact: o.contact.clone(),
        },
        None => Handoff {
            url: "https://ikbendrentsondernemer.nl/".into(),
            contact: String::new(),
        },
    }
}

fn page(ctx: &Ctx, app: &AppState) -> ChatPage {
    ChatPage {
        page: ctx.chrome(ctx.t.nav_chat),
        privacy: crate::texts::privacy_notice(ctx.lang),
        rounds_note: crate::texts::rounds_note(ctx.lang),
        handoff: handoff(app),
        answer: None,
        alert: None,
        draft: String::new(),
        error: None,
        conversation_id: String::new(),
    }
}

async fn chat_page(State(app): State<AppState>, ctx: Ctx) -> Response {
    let p = page(&ctx, &app);
    ctx.page(&p)
}

#[derive(Debug, Deserialize)]
struct AskForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    conversation_id: String,
}

fn conversation(raw: &str) -> Option<ConversationId> {
    Some(raw.trim())
        .filter(|s| !s.is_empty())
        .and_then(|s| ConversationId::parse(s).ok())
}

async fn ask(
    State(app): State<AppState>,
    client: ClientAddr,
    ctx: Ctx,
    form: Result<Form<AskForm>, FormRejection>,
) -> Result<Response, WebError> {
    let Form(form) = form.map_err(|_| WebError::bad_request(ctx.lang))?;
    ctx.check_csrf(&app, &form.csrf)?;
    let mut p = page(&ctx, &app);
    let question = match Question::parse(&form.q) {
        Ok(q) => q,
        Err(_) => {
            p.error = Some(ctx.t.question_invalid.to_owned());
            p.draft = form
                .q
                .chars()
                .take(crate::domain::MAX_QUESTION_CHARS)
                .collect();
            p.conversation_id = conversation(&form.conversation_id)
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default();
            return Ok(ctx.render(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &p));
        }
    };
    let answer = app
        .ask(Ask {
            question: question.clone(),
            conversation: conversation(&form.conversation_id),
            channel: Channel::Web,
            log: true,
            identity: client.ip().to_string(),
        })
        .await
        .map_err(|e| WebError::internal(ctx.lang, e))?;
    p.conversation_id = answer.conversation_id.clone();
    p.answer = Some(view(question.as_str(), &answer));
    Ok(ctx.page(&p))
}

#[derive(Debug, Deserialize)]
struct FeedbackForm {
    #[serde(default)]
    csrf: String,
    conversation_id: String,
    helpful: String,
    #[serde(default)]
    comment: String,
}

async fn feedback(
    State(app): State<AppState>,
    client: ClientAddr,
    ctx: Ctx,
    form: Result<Form<FeedbackForm>, FormRejection>,
) -> Result<Response, WebError> {
    let Form(form) = form.map_err(|_| WebError::bad_request(ctx.lang))?;
    ctx.check_csrf(&app, &form.csrf)?;
    let id = conversation(&form.conversation_id).ok_or_else(|| WebError::bad_request(ctx.lang))?;
    let helpful = match form.helpful.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(WebError::bad_request(ctx.lang)),
    };
    let comment = Some(form.comment.as_str()).filter(|c| !c.trim().is_empty());
    let recorded = app
        .feedback(
            &id,
            helpful,
            comment,
            Channel::Web,
            &client.ip().to_string(),
        )
        .await;
    let mut p = page(&ctx, &app);
    p.conversation_id = id.as_str().to_owned();
    match recorded {
        Ok(FeedbackRecorded::Helpful) => p.alert = Some(ctx.t.feedback_thanks.to_owned()),
        Ok(FeedbackRecorded::Gap(n)) => p.alert = Some(format!("{} {n}", ctx.t.feedback_gap)),
        Ok(FeedbackRecorded::GapUpdated(n)) => {
            p.alert = Some(format!("{} {n}", ctx.t.feedback_gap_updated))
        }
        Err(DeskError::UnknownConversation) => {
            p.conversation_id.clear();
            p.error = Some(ctx.t.conversation_expired.to_owned());
        }
        Err(DeskError::CommentTooLong) => p.error = Some(ctx.t.comment_too_long.to_owned()),
        Err(e) => return Err(WebError::internal(ctx.lang, e)),
    }
    Ok(ctx.page(&p))
}
