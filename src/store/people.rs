//! Users, API tokens, web sessions and the audit trail. Secrets are stored as hashes only
//! ([`crate::auth::secret_hash`]); sessions live in the database so several instances share them.

use sqlx::Row;

use super::{Store, StoreError, stamp, with_pool, with_writer};
use crate::auth::{Caller, Role, secret_hash};

/// An API token as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    /// When the token stops working (RFC 3339, UTC); `None` only for a row no migration or
    /// command wrote, which never expires.
    pub expires_at: Option<String>,
}

impl TokenInfo {
    /// Whether the token's expiry has passed at `now`.
    pub fn expired(&self, now: time::OffsetDateTime) -> bool {
        self.expires_at.as_deref().is_some_and(|e| passed(e, now))
    }
}

/// What an API token presented to the service turns out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenStatus {
    Valid(Caller),
    /// Known and not revoked, but past its expiry.
    Expired,
    /// Never made, or revoked.
    Unknown,
}

/// Whether an expiry stamp lies at or before `now`. A stamp that does not parse counts as
/// passed: a token whose end we cannot read is not let in.
fn passed(expires_at: &str, now: time::OffsetDateTime) -> bool {
    !time::OffsetDateTime::parse(expires_at, &time::format_description::well_known::Rfc3339)
        .is_ok_and(|at| at > now)
}

/// A web session: who, and the CSRF token its forms must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub caller: Caller,
    pub csrf_token: String,
}

/// One line of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub detail: Option<String>,
}

fn caller(name: String, role: &str) -> Option<Caller> {
    Role::parse(role).ok().map(|role| Caller { name, role })
}

impl Store {
    /// Adds a user, or replaces the password and role of an existing one (so a forgotten password
    /// is reset the same way); returns whether the user is new.
    pub async fn upsert_user(
        &self,
        name: &str,
        role: Role,
        password_hash: &str,
    ) -> Result<bool, StoreError> {
        const EXISTS: &str = "SELECT COUNT(*) FROM users WHERE name = $1";
        const SQL: &str = "INSERT INTO users (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, disabled_at = NULL";
        let now = stamp(time::Duration::ZERO);
        let existed: i64 = with_writer!(self, pool => {
            let n: i64 = sqlx::query(EXISTS).bind(name).fetch_one(pool).await?.try_get(0)?;
            sqlx::query(SQL).bind(name).bind(role.as_str()).bind(password_hash).bind(&now).execute(pool).await?;
            n
        });
        Ok(existed == 0)
    }

    /// The password hash and caller of an active user, for a login to check.
    pub async fn user_for_login(
        &self,
        name: &str,
    ) -> Result<Option<(i64, Caller, String)>, StoreError> {
        const SQL: &str = "SELECT id, name, role, password_hash FROM users WHERE name = $1 AND disabled_at IS NULL";
        let row: Option<(i64, String, String, String)> =
            with_pool!(self, pool => sqlx::query_as(SQL).bind(name).fetch_optional(pool).await?);
        Ok(row.and_then(|(id, name, role, hash)| caller(name, &role).map(|c| (id, c, hash))))
    }

    /// Stores a new API token's hash, valid for `lifetime` from now; the caller shows the token
    /// once. Returns its id and expiry. (A lifetime of zero or less makes a token that has
    /// expired already, which only tests want.)
    pub async fn create_token(
        &self,
        name: &str,
        role: Role,
        token: &str,
        lifetime: time::Duration,
    ) -> Result<(i64, String), StoreError> {
        const SQL: &str = "INSERT INTO api_tokens (name, role, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id";
        let (now, until) = (stamp(time::Duration::ZERO), stamp(lifetime));
        let id: i64 = with_writer!(self, pool => {
            sqlx::query(SQL).bind(name).bind(role.as_str()).bind(secret_hash(token)).bind(&now).bind(&until)
                .fetch_one(pool).await?.try_get(0)?
        });
        Ok((id, until))
    }

    pub async fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        const SQL: &str = "SELECT id, name, role, created_at, last_used_at, revoked_at, expires_at FROM api_tokens ORDER BY id";
        let rows: Vec<TokenInfo> =
            with_pool!(self, pool => sqlx::query_as(SQL).fetch_all(pool).await?);
        Ok(rows)
    }

    /// Revokes a token; returns whether an active token was revoked.
    pub async fn revoke_token(&self, id: i64) -> Result<bool, StoreError> {
        const SQL: &str =
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL";
        let now = stamp(time::Duration::ZERO);
        let n = with_writer!(self, pool => sqlx::query(SQL).bind(&now).bind(id).execute(pool).await?.rows_affected());
        Ok(n == 1)
    }

    /// Whom an API token belongs to, if it is known, not revoked and not expired. Only a valid
    /// token's use is stamped.
    pub async fn token_caller(&self, token: &str) -> Result<TokenStatus, StoreError> {
        const SQL: &str = "SELECT id, name, role, expires_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL";
        const USED: &str = "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2";
        let row: Option<(i64, String, String, Option<String>)> = with_pool!(self, pool => {
            sqlx::query_as(SQL).bind(secret_hash(token)).fetch_optional(pool).await?
        });
        let Some((id, name, role, expires_at)) = row else {
            return Ok(TokenStatus::Unknown);
        };
        if expires_at
            .as_deref()
            .is_some_and(|e| passed(e, time::OffsetDateTime::now_utc()))
        {
            return Ok(TokenStatus::Expired);
        }
        let now = stamp(time::Duration::ZERO);
        with_writer!(self, pool => sqlx::query(USED).bind(&now).bind(id).execute(pool).await.map(drop)?);
        Ok(caller(name, &role).map_or(TokenStatus::Unknown, TokenStatus::Valid))
    }

    /// Opens a session for a user; `token` is the cookie value (stored hashed).
    pub async fn create_session(
        &self,
        user_id: i64,
        token: &str,
        csrf_token: &str,
        lifetime: time::Duration,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
        let (now, until) = (stamp(time::Duration::ZERO), stamp(lifetime));
        with_writer!(self, pool => {
            sqlx::query(SQL).bind(secret_hash(token)).bind(user_id).bind(csrf_token).bind(&now).bind(&until)
                .execute(pool).await.map(drop)?
        });
        Ok(())
    }

    /// The live session behind a cookie value, if any (expired sessions are not found).
    pub async fn session(&self, token: &str) -> Result<Option<Session>, StoreError> {
        const SQL: &str = "SELECT u.name, u.role, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL";
        let now = stamp(time::Duration::ZERO);
        let row: Option<(String, String, String)> = with_pool!(self, pool => {
            sqlx::query_as(SQL).bind(secret_hash(token)).bind(&now).fetch_optional(pool).await?
        });
        Ok(row.and_then(|(name, role, csrf_token)| {
            caller(name, &role).map(|caller| Session { caller, csrf_token })
        }))
    }

    /// Ends a session (logout); also clears expired ones.
    pub async fn end_session(&self, token: &str) -> Result<(), StoreError> {
        const SQL: &str = "DELETE FROM sessions WHERE token_hash = $1 OR expires_at < $2";
        let now = stamp(time::Duration::ZERO);
        with_writer!(self, pool => sqlx::query(SQL).bind(secret_hash(token)).bind(&now).execute(pool).await.map(drop)?);
        Ok(())
    }

    /// Appends to the audit trail: logins, exports, status changes, erasures, users and tokens.
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        target: Option<&str>,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        const SQL: &str =
            "INSERT INTO audit (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)";
        let now = stamp(time::Duration::ZERO);
        with_writer!(self, pool => {
            sqlx::query(SQL).bind(&now).bind(actor).bind(action).bind(target).bind(detail).execute(pool).await.map(drop)?
        });
        Ok(())
    }

    pub async fn audit_trail(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        const SQL: &str =
            "SELECT id, at, actor, action, target, detail FROM audit ORDER BY id DESC LIMIT $1";
        let rows: Vec<AuditEntry> =
            with_pool!(self, pool => sqlx::query_as(SQL).bind(limit).fetch_all(pool).await?);
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expiry_passes_at_its_moment_and_an_unreadable_one_has_passed() {
        let now = time::macros::datetime!(2026-12-01 12:00 UTC);
        assert!(!passed("2026-12-01T12:00:01Z", now));
        assert!(!passed("2027-12-01T00:00:00.5+00:00", now));
        assert!(passed("2026-12-01T12:00:00Z", now));
        assert!(passed("2026-11-30T23:59:59.999999Z", now));
        assert!(passed("next year", now));
        assert!(passed("", now));
    }
}
