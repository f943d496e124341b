//! The unmet-demand log: gap records (redacted text, understanding, reason) and the counts of all
//! answered questions, on either backend.

use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{Store, StoreError, with_pool};

/// A gap to record. `question` must already be redacted (`None` when redaction failed).
#[derive(Debug, Clone, Default)]
pub struct NewGap {
    pub question: Option<String>,
    pub language: String,
    pub channel: String,
    pub reason: String,
    pub themes: Vec<String>,
    pub audiences: Vec<String>,
    pub stages: Vec<String>,
    pub opgaven: Vec<u8>,
    pub municipality: Option<String>,
    pub subregion: Option<String>,
    pub offers: Vec<String>,
    pub conversation_id: Option<String>,
    pub person: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GapRecord {
    pub id: i64,
    pub created_at: String,
    pub question: Option<String>,
    pub language: String,
    pub channel: String,
    pub reason: String,
    pub themes: Vec<String>,
    pub audiences: Vec<String>,
    pub stages: Vec<String>,
    pub opgaven: Vec<u8>,
    pub municipality: Option<String>,
    pub subregion: Option<String>,
    pub offers: Vec<String>,
    pub status: String,
}

fn join<T: ToString>(v: &[T]) -> String {
    v.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn split(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

fn now() -> (String, String) {
    let t = time::OffsetDateTime::now_utc();
    let stamp = t
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let day = stamp.get(..10).unwrap_or_default().to_owned();
    (stamp, day)
}

/// A person's pseudonym for this month: a salted hash of what identifies them to a channel (an IP
/// address, a Discord id). The input is never stored; next month the same person gets another one.
pub fn pseudonym(salt: &str, month: &str, identity: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update([0]);
    h.update(month.as_bytes());
    h.update([0]);
    h.update(identity.as_bytes());
    h.finalize()
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

const GAP_COLUMNS: &str = "id, created_at, question, language, channel, reason, themes, audiences, stages, opgaven, municipality, subregion, offers, status";

type GapRow = (
    i64,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
);

fn record(r: GapRow) -> GapRecord {
    GapRecord {
        id: r.0,
        created_at: r.1,
        question: r.2,
        language: r.3,
        channel: r.4,
        reason: r.5,
        themes: split(&r.6),
        audiences: split(&r.7),
        stages: split(&r.8),
        opgaven: split(&r.9).iter().filter_map(|o| o.parse().ok()).collect(),
        municipality: r.10,
        subregion: r.11,
        offers: split(&r.12),
        status: r.13,
    }
}

impl Store {
    /// Inserts a gap and returns its id once committed: an id the API hands out is durable.
    pub async fn insert_gap(&self, g: &NewGap) -> Result<i64, StoreError> {
        let (stamp, day) = now();
        const SQL: &str = "INSERT INTO gaps (created_at, day, question, language, channel, reason, themes, audiences, stages, opgaven, municipality, subregion, offers, conversation_id, person) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id";
        let id = with_pool!(self, pool => {
            sqlx::query(SQL)
                .bind(&stamp)
                .bind(&day)
                .bind(&g.question)
                .bind(&g.language)
                .bind(&g.channel)
                .bind(&g.reason)
                .bind(join(&g.themes))
                .bind(join(&g.audiences))
                .bind(join(&g.stages))
                .bind(join(&g.opgaven))
                .bind(&g.municipality)
                .bind(&g.subregion)
                .bind(join(&g.offers))
                .bind(&g.conversation_id)
                .bind(&g.person)
                .fetch_one(pool)
                .await?
                .try_get::<i64, _>(0)?
        });
        Ok(id)
    }

    pub async fn gap(&self, id: i64) -> Result<Option<GapRecord>, StoreError> {
        let sql = format!("SELECT {GAP_COLUMNS} FROM gaps WHERE id = $1");
        let row: Option<GapRow> =
            with_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?);
        Ok(row.map(record))
    }

    pub async fn recent_gaps(&self, limit: i64) -> Result<Vec<GapRecord>, StoreError> {
        let sql = format!("SELECT {GAP_COLUMNS} FROM gaps ORDER BY id DESC LIMIT $1");
        let rows: Vec<GapRow> =
            with_pool!(self, pool => sqlx::query_as(&sql).bind(limit).fetch_all(pool).await?);
        Ok(rows.into_iter().map(record).collect())
    }

    /// Counts one answered question per theme (or `''` without one), without its text.
    pub async fn count_question(
        &self,
        themes: &[String],
        subregion: Option<&str>,
        channel: &str,
        outcome: &str,
    ) -> Result<(), StoreError> {
        let (_, day) = now();
        const SQL: &str = "INSERT INTO demand_counts (day, theme, subregion, channel, outcome, n) VALUES ($1, $2, $3, $4, $5, 1) \
             ON CONFLICT (day, theme, subregion, channel, outcome) DO UPDATE SET n = demand_counts.n + 1";
        let none = [String::new()];
        let themes = if themes.is_empty() { &none[..] } else { themes };
        for theme in themes {
            with_pool!(self, pool => {
                sqlx::query(SQL)
                    .bind(&day)
                    .bind(theme)
                    .bind(subregion.unwrap_or(""))
                    .bind(channel)
                    .bind(outcome)
                    .execute(pool)
                    .await?;
            });
        }
        Ok(())
    }

    /// Total counted questions for an outcome (all days, themes and places).
    pub async fn counted(&self, outcome: &str) -> Result<i64, StoreError> {
        // PostgreSQL sums BIGINT into NUMERIC: cast back so both backends return a BIGINT.
        const SQL: &str =
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM demand_counts WHERE outcome = $1";
        let n: i64 = with_pool!(self, pool => {
            sqlx::query(SQL).bind(outcome).fetch_one(pool).await?.try_get::<i64, _>(0)?
        });
        Ok(n)
    }

    /// Retention: removes the (redacted) text of gaps older than `days`; the records and counts stay.
    pub async fn forget_old_texts(&self, days: u32) -> Result<u64, StoreError> {
        let cutoff = (time::OffsetDateTime::now_utc() - time::Duration::days(i64::from(days)))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        const SQL: &str =
            "UPDATE gaps SET question = NULL WHERE question IS NOT NULL AND created_at < $1";
        let n = with_pool!(self, pool => sqlx::query(SQL).bind(&cutoff).execute(pool).await?.rows_affected());
        Ok(n)
    }

    /// Erasure on request: deletes every gap record of one conversation.
    pub async fn erase_conversation(&self, conversation_id: &str) -> Result<u64, StoreError> {
        const SQL: &str = "DELETE FROM gaps WHERE conversation_id = $1";
        let n = with_pool!(self, pool => sqlx::query(SQL).bind(conversation_id).execute(pool).await?.rows_affected());
        Ok(n)
    }

    /// The pseudonym salt shared by every instance, created on first use.
    pub async fn pseudonym_salt(&self) -> Result<String, StoreError> {
        let candidate = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        const INSERT: &str = "INSERT INTO settings (key, value) VALUES ('pseudonym_salt', $1) ON CONFLICT (key) DO NOTHING";
        const SELECT: &str = "SELECT value FROM settings WHERE key = 'pseudonym_salt'";
        let salt: String = with_pool!(self, pool => {
            sqlx::query(INSERT).bind(&candidate).execute(pool).await?;
            sqlx::query(SELECT).fetch_one(pool).await?.try_get::<String, _>(0)?
        });
        Ok(salt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_rotate_monthly_and_hide_the_identity() {
        let a = pseudonym("salt", "2026-11", "192.0.2.7");
        assert_eq!(a, pseudonym("salt", "2026-11", "192.0.2.7"));
        assert_ne!(a, pseudonym("salt", "2026-12", "192.0.2.7"));
        assert_ne!(a, pseudonym("other", "2026-11", "192.0.2.7"));
        assert!(!a.contains("192"));
        assert_eq!(a.len(), 24);
    }
}
