//! The web pages: the chat for entrepreneurs, the offer search, the static statements and (for
//! advisers and officers) login and the dashboard. Server-rendered with askama; every page works
//! without JavaScript, and one small script makes the chat stay on the page.
//!
//! Every page gets a [`Ctx`]: the language, who is signed in, and the CSRF token its forms carry.
//! The token is an HMAC under a key derived from the database's secret (so every instance accepts
//! every other's forms) over the session id when signed in, or over a random seed cookie before
//! login (see `csrf`).

mod about;
mod account;
mod assets;
mod chat;
mod csrf;
mod dashboard;
pub mod i18n;
mod login_limit;
mod offers;
mod pages;

use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::auth::Caller;
use crate::domain::Language;
use crate::http::AppState;
use crate::http::auth::{SESSION_COOKIE, cookie};
use i18n::Texts;

pub use csrf::CSRF_COOKIE;
pub use login_limit::LoginLimiter;

/// The language cookie, set when someone picks a language.
pub const LANG_COOKIE: &str = "wegwijzer_lang";

/// The security headers every response carries; the CSP allows no inline script or style.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(chat::router(state))
        .merge(offers::router())
        .merge(pages::router())
        .merge(account::router(state))
        .merge(dashboard::router())
        .merge(assets::router())
        .layer(axum::Extension(LoginLimiter::default()))
}

/// The security headers, as tower layers for the whole app (API answers get them too: harmless).
pub fn security_headers<S>(router: Router<S>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    use tower_http::set_header::SetResponseHeaderLayer as Set;
    router
        .layer(Set::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(Set::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(Set::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(Set::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(axum::middleware::from_fn(hsts))
}

/// The HSTS policy sent when the request came over TLS.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// HSTS when the request came over TLS (the proxy in front says so with `X-Forwarded-Proto`).
/// A client could claim that over plain HTTP, but browsers ignore HSTS received without TLS, so
/// believing the header costs nothing.
async fn hsts(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let tls = request
        .headers()
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
        || request.uri().scheme_str() == Some("https");
    let mut response = next.run(request).await;
    if tls {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        );
    }
    response
}

/// What every page needs to know about the request.
pub struct Ctx {
    pub lang: Language,
    pub t: &'static Texts,
    pub caller: Option<Caller>,
    /// The session cookie's value, when signed in.
    pub session: Option<String>,
    /// The token this page's forms carry.
    pub csrf: String,
    /// What a form posted with this request must be bound to: the session when signed in, else
    /// the seed cookie the browser sent; `None` (no cookie sent) lets no form pass.
    csrf_basis: Option<csrf::Basis>,
    /// The request's path and query, for the language links.
    pub path: String,
    query: String,
    /// Served over TLS (behind a proxy that says so): cookies get `Secure`.
    pub secure: bool,
    set_cookies: Vec<String>,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Ctx, WebError> {
        let secure = parts
            .headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
            || parts.uri.scheme_str() == Some("https");
        let query = parts.uri.query().unwrap_or("").to_owned();
        let asked = query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| Language::parse(v));
        let mut set_cookies = Vec::new();
        let lang = match asked {
            Some(l) => {
                set_cookies.push(cookie_line(LANG_COOKIE, l.code(), secure, 365 * 24 * 3600));
                l
            }
            None => cookie(parts, LANG_COOKIE)
                .and_then(Language::parse)
                .unwrap_or_default(),
        };
        let session_token = cookie(parts, SESSION_COOKIE).map(str::to_owned);
        let (caller, session) = match &session_token {
            Some(token) => match app.store.session(token).await {
                Ok(Some(s)) => (Some(s.caller), Some(token.clone())),
                Ok(None) => (None, None),
                Err(e) => return Err(WebError::internal(lang, e)),
            },
            None => (None, None),
        };
        let key = csrf::key(&app.pseudonym_salt);
        // Signed in, only the session counts: a seed cookie, whoever planted it, is ignored.
        let (csrf_basis, page_basis) = match &session {
            Some(id) => {
                let b = csrf::Basis::Session(id.clone());
                (Some(b.clone()), b)
            }
            None => match cookie(parts, CSRF_COOKIE).filter(|c| csrf::well_formed(c)) {
                Some(seed) => {
                    let b = csrf::Basis::Seed(seed.to_owned());
                    (Some(b.clone()), b)
                }
                None => {
                    let fresh = csrf::new_seed();
                    set_cookies.push(cookie_line(CSRF_COOKIE, &fresh, secure, 0));
                    (None, csrf::Basis::Seed(fresh))
                }
            },
        };
        Ok(Ctx {
            lang,
            t: i18n::texts(lang),
            caller,
            session,
            csrf: csrf::token(&key, &page_basis),
            csrf_basis,
            path: parts.uri.path().to_owned(),
            query,
            secure,
            set_cookies,
        })
    }
}

impl Ctx {
    /// Refuses a form whose token is not bound to this request's session (signed in) or seed
    /// cookie (not signed in).
    pub fn check_csrf(&self, app: &AppState, sent: &str) -> Result<(), WebError> {
        let key = csrf::key(&app.pseudonym_salt);
        match &self.csrf_basis {
            Some(basis) if csrf::verify(&key, basis, sent) => Ok(()),
            _ => Err(WebError::new(
                self.lang,
                StatusCode::FORBIDDEN,
                self.t.forbidden_text,
            )),
        }
    }

    /// The links of the language switch: this page in each language.
    pub fn language_links(&self) -> Vec<LangLink> {
        let rest: Vec<&str> = self
            .query
            .split('&')
            .filter(|kv| !kv.is_empty() && !kv.starts_with("lang="))
            .collect();
        Language::ALL
            .into_iter()
            .map(|l| {
                let mut q = rest.clone();
                let lang = format!("lang={}", l.code());
                q.push(&lang);
                LangLink {
                    code: l.code(),
                    label: l.pick("Nederlands", "English", "Deutsch"),
                    href: format!("{}?{}", self.path, q.join("&")),
                    current: l == self.lang,
                }
            })
            .collect()
    }

    pub fn cookies(&self) -> &[String] {
        &self.set_cookies
    }

    pub fn add_cookie(&mut self, line: String) {
        self.set_cookies.push(line);
    }

    /// A fresh seed cookie, replacing the one the browser sent. At login: from then on the
    /// session is the token's basis, and once it ends the browser starts from a seed nobody else
    /// has seen (a planted one is gone).
    pub fn rotate_csrf_seed(&mut self) {
        let fresh = csrf::new_seed();
        self.set_cookies
            .retain(|c| !c.starts_with(&format!("{CSRF_COOKIE}=")));
        self.set_cookies
            .push(cookie_line(CSRF_COOKIE, &fresh, self.secure, 0));
    }

    /// The page's chrome for a template.
    pub fn chrome(&self, title: &str) -> Chrome {
        Chrome {
            lang: self.lang.code(),
            t: self.t,
            title: title.to_owned(),
            csrf: self.csrf.clone(),
            user: self.caller.as_ref().map(|c| c.name.clone()),
            path: self.path.clone(),
            langs: self.language_links(),
            asset_version: assets::version(),
        }
    }

    /// Renders a template into a response with this request's cookies.
    pub fn render<T: Template>(self, status: StatusCode, page: &T) -> Response {
        match page.render() {
            Ok(html) => {
                let mut resp = (status, Html(html)).into_response();
                for c in &self.set_cookies {
                    if let Ok(v) = HeaderValue::from_str(c) {
                        resp.headers_mut().append(header::SET_COOKIE, v);
                    }
                }
                // Pages carry a per-browser token: never cache them in shared caches.
                resp.headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                resp
            }
            Err(e) => WebError::internal(self.lang, e).into_response(),
        }
    }

    pub fn page<T: Template>(self, page: &T) -> Response {
        self.render(StatusCode::OK, page)
    }
}

/// A `Set-Cookie` line: HttpOnly, SameSite=Strict, Secure over TLS. `max_age` 0 means a session
/// cookie.
pub fn cookie_line(name: &str, value: &str, secure: bool, max_age: u64) -> String {
    let mut line = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if max_age > 0 {
        line.push_str(&format!("; Max-Age={max_age}"));
    }
    if secure {
        line.push_str("; Secure");
    }
    line
}

pub struct LangLink {
    pub code: &'static str,
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

/// What the layout template needs.
pub struct Chrome {
    pub lang: &'static str,
    pub t: &'static Texts,
    pub title: String,
    pub csrf: String,
    pub user: Option<String>,
    pub path: String,
    pub langs: Vec<LangLink>,
    pub asset_version: &'static str,
}

/// An error shown as a page in the visitor's language.
#[derive(Debug)]
pub struct WebError {
    lang: Language,
    status: StatusCode,
    message: String,
}

impl WebError {
    pub fn new(lang: Language, status: StatusCode, message: impl Into<String>) -> WebError {
        WebError {
            lang,
            status,
            message: message.into(),
        }
    }

    pub fn internal(lang: Language, e: impl std::fmt::Display) -> WebError {
        tracing::error!(error = %e, "web page failed");
        WebError::new(
            lang,
            StatusCode::INTERNAL_SERVER_ERROR,
            i18n::texts(lang).internal_text,
        )
    }

    pub fn bad_request(lang: Language) -> WebError {
        WebError::new(
            lang,
            StatusCode::BAD_REQUEST,
            i18n::texts(lang).bad_request_text,
        )
    }

    pub fn not_found(lang: Language) -> WebError {
        WebError::new(
            lang,
            StatusCode::NOT_FOUND,
            i18n::texts(lang).not_found_text,
        )
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Chrome,
    heading: &'static str,
    message: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let t = i18n::texts(self.lang);
        let heading = if self.status == StatusCode::NOT_FOUND {
            t.not_found_title
        } else {
            t.error_title
        };
        // No request context here: the error page has the plain chrome, without forms.
        let page = ErrorPage {
            page: Chrome {
                lang: self.lang.code(),
                t,
                title: heading.to_owned(),
                csrf: String::new(),
                user: None,
                path: "/".into(),
                langs: Vec::new(),
                asset_version: assets::version(),
            },
            heading,
            message: self.message,
        };
        match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(_) => (self.status, t.internal_text).into_response(),
        }
    }
}

/// Middleware for the web forms (chat, feedback, login): the same per-client budget as the API, but
/// a spent budget gets a page in the visitor's language rather than JSON.
pub async fn limit(
    axum::extract::State(app): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    if let Err(retry_after_secs) = crate::http::rate_limit::admit(&app, &mut parts) {
        return too_many_requests(&parts.headers, retry_after_secs);
    }
    next.run(axum::extract::Request::from_parts(parts, body))
        .await
}

/// The page for a client over its rate limit, with `Retry-After`.
pub fn too_many_requests(headers: &axum::http::HeaderMap, retry_after_secs: u64) -> Response {
    let lang = cookie_value(headers, LANG_COOKIE)
        .and_then(|v| Language::parse(&v))
        .unwrap_or_default();
    too_many_page(lang, retry_after_secs)
}

/// A 429 page in `lang` saying how long to wait, with the same wait in `Retry-After` (seconds,
/// at least 1): every 429 the web sends comes from here.
pub fn too_many_page(lang: Language, retry_after_secs: u64) -> Response {
    let secs = retry_after_secs.max(1);
    let mut response = WebError::new(
        lang,
        StatusCode::TOO_MANY_REQUESTS,
        i18n::too_many(lang, secs),
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    response
}

/// The page for paths nobody serves.
pub async fn not_found(headers: &axum::http::HeaderMap) -> Response {
    let lang = cookie_value(headers, LANG_COOKIE)
        .and_then(|v| Language::parse(&v))
        .unwrap_or_default();
    WebError::not_found(lang).into_response()
}

fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}
