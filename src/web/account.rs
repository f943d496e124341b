//! `/login` and `/logout` for advisers and officers. Sessions live in the database (so several
//! instances share them) behind an HttpOnly, SameSite=Strict cookie; every login gets a fresh
//! session id. Wrong user and wrong password get the same message and take as long; failed
//! attempts slow down guessing per (name, client address) and per address (see `login_limit`).

use std::time::Instant;

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use serde::Deserialize;

use super::login_limit::{LoginLimiter, retry_after_secs};
use super::{Chrome, Ctx, WebError, cookie_line, too_many_page};
use crate::auth::{Caller, Role, new_secret, verify_dummy, verify_password};
use crate::http::AppState;
use crate::http::auth::SESSION_COOKIE;
use crate::http::client_addr::ClientAddr;

/// A login attempt draws on the client's rate-limit budget besides the failure count below.
pub fn router(state: &AppState) -> Router<AppState> {
    let limited = axum::middleware::from_fn_with_state(state.clone(), super::limit);
    Router::new()
        .route(
            "/login",
            get(login_page).merge(post(login).route_layer(limited)),
        )
        .route("/logout", post(logout))
}

/// How long a session lasts: one working day.
const SESSION_HOURS: i64 = 9;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Chrome,
    name: String,
    next: String,
    error: Option<&'static str>,
}

fn texts(ctx: &Ctx) -> LoginTexts {
    let l = ctx.lang;
    LoginTexts {
        heading: l.pick(
            "Inloggen voor adviseurs en de provincie",
            "Sign in for advisers and the province",
            "Anmeldung für Beratende und die Provinz",
        ),
        failed: l.pick(
            "De combinatie van naam en wachtwoord klopt niet.",
            "The name and password do not match.",
            "Name und Passwort passen nicht zusammen.",
        ),
    }
}

struct LoginTexts {
    heading: &'static str,
    failed: &'static str,
}

#[derive(Debug, Default, Deserialize)]
struct NextParam {
    next: Option<String>,
}

/// Only a local dashboard path may be a redirect target.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/dashboard") && !n.contains("//") && !n.contains('\\') => {
            n.to_owned()
        }
        _ => "/dashboard".into(),
    }
}

async fn login_page(ctx: Ctx, Query(p): Query<NextParam>) -> Response {
    if ctx.caller.is_some() {
        return Redirect::to("/dashboard").into_response();
    }
    let page = LoginPage {
        page: ctx.chrome(texts(&ctx).heading),
        name: String::new(),
        next: safe_next(p.next.as_deref()),
        error: None,
    };
    ctx.page(&page)
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login(
    State(app): State<AppState>,
    Extension(limiter): Extension<LoginLimiter>,
    client: ClientAddr,
    mut ctx: Ctx,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, WebError> {
    let Form(form) = form.map_err(|_| WebError::bad_request(ctx.lang))?;
    ctx.check_csrf(&app, &form.csrf)?;
    let name: String = form.name.trim().chars().take(64).collect();
    let addr = client.ip();
    // Refused before the password is looked at: a throttled guess learns nothing. An attempt let
    // through counts as failed until the password proves right.
    if let Err(wait) = limiter.attempt(&name, addr, Instant::now()) {
        let _ = app
            .store
            .audit("anonymous", "login.limited", Some(&name), None)
            .await;
        return Ok(too_many_page(ctx.lang, retry_after_secs(wait)));
    }
    let user = app
        .store
        .user_for_login(&name)
        .await
        .map_err(|e| WebError::internal(ctx.lang, e))?;
    let password = form.password;
    // argon2 is deliberately slow: keep it off the async executor.
    let verified = tokio::task::spawn_blocking(move || match user {
        Some((id, caller, hash)) => verify_password(&password, &hash).then_some((id, caller)),
        None => {
            verify_dummy(&password);
            None
        }
    })
    .await
    .map_err(|e| WebError::internal(ctx.lang, e))?;
    let Some((user_id, caller)) = verified else {
        let _ = app
            .store
            .audit("anonymous", "login.failed", Some(&name), None)
            .await;
        let t = texts(&ctx);
        let page = LoginPage {
            page: ctx.chrome(t.heading),
            name,
            next: safe_next(form.next.as_deref()),
            error: Some(t.failed),
        };
        return Ok(ctx.render(StatusCode::UNAUTHORIZED, &page));
    };
    limiter.succeed(&name, addr);
    // A new session id at every login: a planted cookie never becomes a signed-in session.
    if let Some(old) = &ctx.session {
        let _ = app.store.end_session(old).await;
    }
    let token = new_secret().map_err(|e| WebError::internal(ctx.lang, e))?;
    let csrf = new_secret().map_err(|e| WebError::internal(ctx.lang, e))?;
    app.store
        .create_session(user_id, &token, &csrf, time::Duration::hours(SESSION_HOURS))
        .await
        .map_err(|e| WebError::internal(ctx.lang, e))?;
    let _ = app.store.audit(&caller.actor(), "login", None, None).await;
    ctx.add_cookie(cookie_line(
        SESSION_COOKIE,
        &token,
        ctx.secure,
        (SESSION_HOURS * 3600) as u64,
    ));
    // From now on the session id is the CSRF token's basis; the seed the login form was bound
    // to (perhaps planted) is replaced too, so it is no use after logout either.
    ctx.rotate_csrf_seed();
    Ok(see_other(ctx, &safe_next(form.next.as_deref())))
}

#[derive(Debug, Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(app): State<AppState>,
    mut ctx: Ctx,
    form: Result<Form<CsrfOnly>, FormRejection>,
) -> Result<Response, WebError> {
    let Form(form) = form.map_err(|_| WebError::bad_request(ctx.lang))?;
    ctx.check_csrf(&app, &form.csrf)?;
    if let Some(token) = ctx.session.clone() {
        app.store
            .end_session(&token)
            .await
            .map_err(|e| WebError::internal(ctx.lang, e))?;
        if let Some(c) = &ctx.caller {
            let _ = app.store.audit(&c.actor(), "logout", None, None).await;
        }
    }
    let mut clear = cookie_line(SESSION_COOKIE, "", ctx.secure, 0);
    clear.push_str("; Max-Age=0");
    ctx.add_cookie(clear);
    Ok(see_other(ctx, "/"))
}

/// A 303 to `to`, carrying the request's cookies.
pub fn see_other(ctx: Ctx, to: &str) -> Response {
    let mut resp = Redirect::to(to).into_response();
    for c in ctx.cookies() {
        if let Ok(v) = HeaderValue::from_str(c) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// The signed-in caller with at least `role`; otherwise a redirect to the login page (not signed
/// in) or a 403 page (signed in with too small a role).
pub fn require(ctx: &Ctx, role: Role) -> Result<Caller, Box<Response>> {
    match &ctx.caller {
        Some(c) if c.role >= role => Ok(c.clone()),
        Some(_) => Err(Box::new(
            WebError::new(
                ctx.lang,
                StatusCode::FORBIDDEN,
                ctx.lang.pick(
                    "Deze pagina is alleen voor medewerkers van de provincie.",
                    "This page is for provincial staff only.",
                    "Diese Seite ist nur für Mitarbeitende der Provinz.",
                ),
            )
            .into_response(),
        )),
        None => {
            let next =
                serde_urlencoded::to_string([("next", ctx.path.as_str())]).unwrap_or_default();
            Err(Box::new(
                Redirect::to(&format!("/login?{next}")).into_response(),
            ))
        }
    }
}
