//! Conversation state in the database, so a conversation started on one instance continues on
//! another. Only the understood slots are stored (the assistant's `ConversationState`), as JSON,
//! with an expiry. The store takes any serde type, so it needs nothing from the assistant above it.

use sqlx::Row;

use super::{Store, StoreError, stamp, with_pool, with_writer};

impl Store {
    /// Whether several instances may share this database (then conversations live in it too).
    pub fn is_shared(&self) -> bool {
        matches!(self.db, super::Db::Postgres(_))
    }

    pub async fn load_conversation<S: serde::de::DeserializeOwned>(
        &self,
        id: &str,
    ) -> Result<Option<S>, StoreError> {
        const SQL: &str = "SELECT state FROM conversations WHERE id = $1 AND expires_at > $2";
        let now = stamp(time::Duration::ZERO);
        let row = with_pool!(self, pool => {
            sqlx::query(SQL).bind(id).bind(&now).fetch_optional(pool).await?.map(|r| r.try_get::<String, _>(0)).transpose()?
        });
        Ok(row.and_then(|json| serde_json::from_str(&json).ok()))
    }

    pub async fn save_conversation(
        &self,
        id: &str,
        state: &impl serde::Serialize,
        ttl: std::time::Duration,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO conversations (id, state, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at";
        let until = stamp(time::Duration::try_from(ttl).unwrap_or(time::Duration::MINUTE * 30));
        let json = serde_json::to_string(state).unwrap_or_else(|_| "{}".into());
        with_writer!(self, pool => sqlx::query(SQL).bind(id).bind(&json).bind(&until).execute(pool).await.map(drop)?);
        Ok(())
    }

    /// Removes expired conversations; run with the daily retention.
    pub async fn forget_expired_conversations(&self) -> Result<u64, StoreError> {
        const SQL: &str = "DELETE FROM conversations WHERE expires_at < $1";
        let now = stamp(time::Duration::ZERO);
        let n = with_writer!(self, pool => sqlx::query(SQL).bind(&now).execute(pool).await?.rows_affected());
        Ok(n)
    }
}
