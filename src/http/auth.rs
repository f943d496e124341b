//! Authentication for the officers' and advisers' routes: a bearer API token, or the web session
//! cookie (with its CSRF token in `X-CSRF-Token` on anything but GET). Handlers state the role they
//! need by taking [`Adviser`] or [`Officer`]: 401 without credentials, 403 with the wrong role.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};

use super::{ApiError, AppState};
use crate::auth::{Caller, Role};
use crate::store::TokenStatus;

/// The web session cookie's name.
pub const SESSION_COOKIE: &str = "wegwijzer_session";

/// The value of one cookie from a request's `Cookie` headers.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The token of an `Authorization: Bearer <token>` header. The scheme is case-insensitive (RFC
/// 9110 §11.1: `bearer`, `BEARER` and `Bearer` are one scheme) and may be followed by any run of
/// spaces; another scheme is not ours (`None`).
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, rest) = value.trim_start().split_once([' ', '\t'])?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.trim_matches([' ', '\t']))
}

/// Who is calling, if anyone: a bearer token wins over a session cookie.
pub async fn caller(parts: &Parts, app: &AppState) -> Result<Option<Caller>, ApiError> {
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token);
    if let Some(token) = bearer {
        return match app.store.token_caller(token).await {
            Ok(TokenStatus::Valid(c)) => Ok(Some(c)),
            // Said plainly, so whoever runs the tool knows to ask for a new token rather than
            // hunt for a typo.
            Ok(TokenStatus::Expired) => Err(ApiError::Unauthorized(
                "the API token has expired; ask for a new one (`wegwijzer token create`)".into(),
            )),
            Ok(TokenStatus::Unknown) => Err(ApiError::Unauthorized(
                "the API token is unknown or revoked".into(),
            )),
            Err(e) => Err(ApiError::Internal(e.into())),
        };
    }
    let Some(cookie) = cookie(parts, SESSION_COOKIE) else {
        return Ok(None);
    };
    let session = app
        .store
        .session(cookie)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let Some(session) = session else {
        return Ok(None);
    };
    // A cookie rides along with any request the browser makes; a change must prove it came from
    // our own page.
    if !matches!(parts.method, Method::GET | Method::HEAD) {
        let sent = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok());
        if sent != Some(session.csrf_token.as_str()) {
            return Err(ApiError::Forbidden("missing or wrong CSRF token".into()));
        }
    }
    Ok(Some(session.caller))
}

async fn require(parts: &Parts, app: &AppState, role: Role) -> Result<Caller, ApiError> {
    match caller(parts, app).await? {
        None => Err(ApiError::Unauthorized(
            "sign in or send an API token (Authorization: Bearer …)".into(),
        )),
        Some(c) if c.role >= role => Ok(c),
        Some(_) => Err(ApiError::Forbidden(format!(
            "this needs the {} role",
            role.as_str()
        ))),
    }
}

/// An adviser or officer.
pub struct Adviser(pub Caller);
/// An officer.
pub struct Officer(pub Caller);

impl FromRequestParts<AppState> for Adviser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        require(parts, app, Role::Adviser).await.map(Adviser)
    }
}

impl FromRequestParts<AppState> for Officer {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        require(parts, app, Role::Officer).await.map(Officer)
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        for v in [
            "Bearer abc",
            "bearer abc",
            "BEARER abc",
            "bEaReR   abc ",
            "Bearer\tabc",
        ] {
            assert_eq!(bearer_token(v), Some("abc"), "{v:?}");
        }
        assert_eq!(bearer_token("Basic YWJjOmRlZg=="), None);
        assert_eq!(bearer_token("Bearerabc"), None);
        assert_eq!(bearer_token("Bearer"), None);
        assert_eq!(
            bearer_token("Bearer "),
            Some(""),
            "an empty token is refused later"
        );
    }
}
