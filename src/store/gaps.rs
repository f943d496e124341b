//! The unmet-demand log: gap records (redacted text, understanding, reason) and the counts of all
//! answered questions, on either backend.

use sha2::{Digest, Sha256};
use sqlx::Row;

use super::cells::{Cells, DemandKey, write_cells};
use super::{Store, StoreError, with_pool, with_writer};

/// A gap to record. `question` must already be redacted (`None` when redaction failed).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
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
    pub note: Option<String>,
    pub covered_by: Option<String>,
    pub updated_at: Option<String>,
}

impl NewGap {
    /// The demand cells this gap counts in: its reason is the outcome.
    pub fn demand_key(&self) -> DemandKey<'_> {
        DemandKey {
            themes: &self.themes,
            audiences: &self.audiences,
            stages: &self.stages,
            municipality: self.municipality.as_deref(),
            subregion: self.subregion.as_deref(),
            channel: &self.channel,
            outcome: &self.reason,
        }
    }
}

/// A gap's redacted text and what it was filed under, for clustering.
#[derive(Debug, Clone)]
pub struct GapText {
    pub id: i64,
    pub question: String,
    pub language: String,
    pub themes: Vec<String>,
    pub subregion: Option<String>,
    pub person: Option<String>,
}

/// Triage states of a gap.
pub const GAP_STATUSES: [&str; 4] = ["new", "reviewed", "addressed", "not-a-gap"];

/// A triage change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct Triage {
    pub status: Option<String>,
    pub note: Option<String>,
    pub covered_by: Option<String>,
}

/// Which gaps to list. Days are `YYYY-MM-DD`, inclusive.
#[derive(Debug, Clone)]
pub struct GapFilter {
    pub from: Option<String>,
    pub to: Option<String>,
    pub theme: Option<String>,
    pub audience: Option<String>,
    pub subregion: Option<String>,
    pub municipality: Option<String>,
    pub reason: Option<String>,
    pub channel: Option<String>,
    pub status: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

impl Default for GapFilter {
    fn default() -> Self {
        GapFilter {
            from: None,
            to: None,
            theme: None,
            audience: None,
            subregion: None,
            municipality: None,
            reason: None,
            channel: None,
            status: None,
            limit: 50,
            offset: 0,
        }
    }
}

impl GapFilter {
    /// Whether the filter uses only what `gap_days` is keyed by.
    fn counted_by_day(&self) -> bool {
        self.theme.is_none()
            && self.audience.is_none()
            && self.subregion.is_none()
            && self.municipality.is_none()
    }

    /// The WHERE clause with numbered parameters and their values, in order. Values are always
    /// bound, never spliced into the SQL.
    fn where_clause(&self) -> (String, Vec<String>) {
        let mut parts = Vec::new();
        let mut args = Vec::new();
        let mut add = |sql: &str, v: &Option<String>, wrap: bool| {
            if let Some(v) = v {
                args.push(if wrap { format!("%,{v},%") } else { v.clone() });
                parts.push(sql.replace('?', &format!("${}", args.len())));
            }
        };
        add("day >= ?", &self.from, false);
        add("day <= ?", &self.to, false);
        // Lists are stored comma-joined: match whole items.
        add("(',' || themes || ',') LIKE ?", &self.theme, true);
        add("(',' || audiences || ',') LIKE ?", &self.audience, true);
        add("subregion = ?", &self.subregion, false);
        add("municipality = ?", &self.municipality, false);
        add("reason = ?", &self.reason, false);
        add("channel = ?", &self.channel, false);
        add("status = ?", &self.status, false);
        let clause = if parts.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", parts.join(" AND "))
        };
        (clause, args)
    }
}

const INSERT_GAP: &str = "INSERT INTO gaps (created_at, day, question, language, channel, reason, themes, audiences, stages, opgaven, municipality, subregion, offers, conversation_id, person, ref) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT (ref) DO NOTHING RETURNING id";

/// Binds a gap's sixteen columns, in the order of [`INSERT_GAP`], to `$query`; a statement with
/// more parameters binds the rest after it.
macro_rules! bind_gap {
    ($query:expr, $g:expr, $stamp:expr, $day:expr, $reference:expr) => {
        $query
            .bind($stamp)
            .bind($day)
            .bind(&$g.question)
            .bind(&$g.language)
            .bind(&$g.channel)
            .bind(&$g.reason)
            .bind(join(&$g.themes))
            .bind(join(&$g.audiences))
            .bind(join(&$g.stages))
            .bind(join(&$g.opgaven))
            .bind(&$g.municipality)
            .bind(&$g.subregion)
            .bind(join(&$g.offers))
            .bind(&$g.conversation_id)
            .bind(&$g.person)
            .bind($reference)
    };
}

/// Adds `n` (which may be negative) to the gaps of a day, reason, channel and status, inside an
/// open transaction: `gap_days` moves in step with every write to `gaps`.
macro_rules! count_gaps {
    ($tx:expr, $day:expr, $reason:expr, $channel:expr, $status:expr, $n:expr) => {
        sqlx::query(
            "INSERT INTO gap_days (day, reason, channel, status, n) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (day, reason, channel, status) DO UPDATE SET n = gap_days.n + excluded.n",
        )
        .bind($day)
        .bind($reason)
        .bind($channel)
        .bind($status)
        .bind($n)
        .execute(&mut *$tx)
        .await?
    };
}

/// One gap to write: under a reference (`None` for imports, which are never replayed), at a time.
pub(crate) struct GapWrite<'a> {
    pub gap: &'a NewGap,
    pub reference: Option<&'a str>,
    pub stamp: String,
    pub day: String,
}

impl<'a> GapWrite<'a> {
    /// Now, or the time a spooled gap happened.
    pub(crate) fn new(
        gap: &'a NewGap,
        reference: Option<&'a str>,
        created_at: Option<&str>,
    ) -> Self {
        let (stamp, day) = match created_at {
            Some(at) => (at.to_owned(), at.get(..10).unwrap_or_default().to_owned()),
            None => super::clock::now(),
        };
        GapWrite {
            gap,
            reference,
            stamp,
            day,
        }
    }
}

impl Store {
    /// Writes gaps in one transaction with the demand they count, and yields their ids in order.
    /// A reference written before stores nothing again and yields the first id.
    pub(crate) async fn write_gaps(&self, items: &[GapWrite<'_>]) -> Result<Vec<i64>, StoreError> {
        const EXISTING: &str = "SELECT id FROM gaps WHERE ref = $1";
        let ids = with_writer!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut ids = Vec::with_capacity(items.len());
            let mut cells = Cells::default();
            let mut days: std::collections::BTreeMap<(&str, &str, &str), i64> = Default::default();
            for w in items {
                let g = w.gap;
                let inserted = bind_gap!(sqlx::query(INSERT_GAP), g, &w.stamp, &w.day, w.reference)
                    .fetch_optional(&mut *tx)
                    .await?;
                let id = match inserted {
                    Some(row) => {
                        cells.add(&w.day, &g.demand_key());
                        *days.entry((w.day.as_str(), g.reason.as_str(), g.channel.as_str())).or_default() += 1;
                        row.try_get::<i64, _>(0)?
                    }
                    None => sqlx::query(EXISTING).bind(w.reference).fetch_one(&mut *tx).await?.try_get::<i64, _>(0)?,
                };
                ids.push(id);
            }
            // A spooled gap replayed after its day is over lands on a closed day: write_cells
            // removes that day's sums.
            write_cells!(tx, &self.db, cells);
            for ((day, reason, channel), n) in days {
                count_gaps!(tx, day, reason, channel, "new", n);
            }
            tx.commit().await?;
            ids
        });
        Ok(ids)
    }
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

const GAP_COLUMNS: &str = "id, created_at, question, language, channel, reason, themes, audiences, stages, opgaven, municipality, subregion, offers, status, note, covered_by, updated_at";

#[derive(sqlx::FromRow)]
struct GapRow {
    id: i64,
    created_at: String,
    question: Option<String>,
    language: String,
    channel: String,
    reason: String,
    themes: String,
    audiences: String,
    stages: String,
    opgaven: String,
    municipality: Option<String>,
    subregion: Option<String>,
    offers: String,
    status: String,
    note: Option<String>,
    covered_by: Option<String>,
    updated_at: Option<String>,
}

fn record(r: GapRow) -> GapRecord {
    GapRecord {
        id: r.id,
        created_at: r.created_at,
        question: r.question,
        language: r.language,
        channel: r.channel,
        reason: r.reason,
        themes: split(&r.themes),
        audiences: split(&r.audiences),
        stages: split(&r.stages),
        opgaven: split(&r.opgaven)
            .iter()
            .filter_map(|o| o.parse().ok())
            .collect(),
        municipality: r.municipality,
        subregion: r.subregion,
        offers: split(&r.offers),
        status: r.status,
        note: r.note,
        covered_by: r.covered_by,
        updated_at: r.updated_at,
    }
}

impl Store {
    /// Inserts a gap, and counts it as demand, in one short transaction; returns its id once
    /// committed, so an id the API hands out is durable.
    pub async fn insert_gap(&self, g: &NewGap) -> Result<i64, StoreError> {
        let reference = uuid::Uuid::new_v4().to_string();
        self.insert_gap_ref(g, &reference, None).await
    }

    /// Inserts a gap under a reference chosen beforehand (and, for a spooled gap, the time it
    /// happened). Writing the same reference again stores nothing and returns the first id.
    pub async fn insert_gap_ref(
        &self,
        g: &NewGap,
        reference: &str,
        created_at: Option<&str>,
    ) -> Result<i64, StoreError> {
        if let Some(id) = self.group_commit(g, reference, created_at).await {
            return id;
        }
        let ids = self
            .write_gaps(&[GapWrite::new(g, Some(reference), created_at)])
            .await?;
        Ok(ids[0])
    }

    /// Records "not helpful" on one answer, `turn` of the gap's conversation, once: the first time
    /// as a new gap (counted as demand, like any gap), after that by replacing the comment
    /// (`question`) of that gap. A repeat without a comment leaves the comment as it was. Returns
    /// the gap's id and whether it was already there.
    ///
    /// Not through the group commit: insert-or-update is one transaction of its own, and the
    /// unique index on (conversation, turn) makes two racing posts one gap on either backend.
    pub async fn record_not_helpful(
        &self,
        g: &NewGap,
        turn: i64,
    ) -> Result<(i64, bool), StoreError> {
        const INSERT: &str = "INSERT INTO gaps (created_at, day, question, language, channel, reason, themes, audiences, stages, opgaven, municipality, subregion, offers, conversation_id, person, ref, feedback_turn) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
             ON CONFLICT (conversation_id, feedback_turn) DO NOTHING RETURNING id";
        const UPDATE: &str = "UPDATE gaps SET question = COALESCE($1, question), updated_at = $2 \
             WHERE conversation_id = $3 AND feedback_turn = $4 RETURNING id";
        let (stamp, day) = super::clock::now();
        let reference = uuid::Uuid::new_v4().to_string();
        let found = with_writer!(self, pool => {
            let mut tx = pool.begin().await?;
            let inserted = bind_gap!(sqlx::query(INSERT), g, &stamp, &day, &reference)
                .bind(turn)
                .fetch_optional(&mut *tx)
                .await?;
            let found = match inserted {
                Some(row) => {
                    let mut cells = Cells::default();
                    cells.add(&day, &g.demand_key());
                    write_cells!(tx, &self.db, cells);
                    count_gaps!(tx, &day, &g.reason, &g.channel, "new", 1_i64);
                    (row.try_get::<i64, _>(0)?, false)
                }
                None => {
                    let row = sqlx::query(UPDATE)
                        .bind(&g.question)
                        .bind(&stamp)
                        .bind(&g.conversation_id)
                        .bind(turn)
                        .fetch_one(&mut *tx)
                        .await?;
                    (row.try_get::<i64, _>(0)?, true)
                }
            };
            tx.commit().await?;
            found
        });
        Ok(found)
    }

    /// Looks a gap up by the reference the API gave out.
    pub async fn gap_by_ref(&self, reference: &str) -> Result<Option<GapRecord>, StoreError> {
        let sql = format!("SELECT {GAP_COLUMNS} FROM gaps WHERE ref = $1");
        let row: Option<GapRow> = with_pool!(self, pool => sqlx::query_as(&sql).bind(reference).fetch_optional(pool).await?);
        Ok(row.map(record))
    }

    /// Inserts many gaps in one transaction (imports and generated benchmark data), on the days
    /// given with each.
    pub async fn insert_gaps_on(&self, gaps: &[(String, NewGap)]) -> Result<(), StoreError> {
        let items: Vec<GapWrite<'_>> = gaps
            .iter()
            .map(|(day, g)| GapWrite {
                gap: g,
                reference: None,
                stamp: format!("{day}T12:00:00Z"),
                day: day.clone(),
            })
            .collect();
        self.write_gaps(&items).await?;
        Ok(())
    }

    pub async fn gap(&self, id: i64) -> Result<Option<GapRecord>, StoreError> {
        let sql = format!("SELECT {GAP_COLUMNS} FROM gaps WHERE id = $1");
        let row: Option<GapRow> =
            with_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?);
        Ok(row.map(record))
    }

    /// The gaps triage has labelled, oldest first: `addressed` with a covering offer, or
    /// `not-a-gap`, and still with their (redacted) text. Examples are read from the records each
    /// time rather than copied, so erasure and retention apply to them as to the gap text.
    pub async fn triaged_examples(&self) -> Result<Vec<GapRecord>, StoreError> {
        let sql = format!(
            "SELECT {GAP_COLUMNS} FROM gaps WHERE question IS NOT NULL AND \
             ((status = 'addressed' AND covered_by IS NOT NULL AND covered_by <> '') OR status = 'not-a-gap') \
             ORDER BY id"
        );
        let rows: Vec<GapRow> =
            with_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?);
        Ok(rows.into_iter().map(record).collect())
    }

    pub async fn recent_gaps(&self, limit: i64) -> Result<Vec<GapRecord>, StoreError> {
        Ok(self
            .list_gaps(&GapFilter {
                limit,
                ..GapFilter::default()
            })
            .await?
            .1)
    }

    /// A page of gaps matching the filter, newest first, with the total that match.
    pub async fn list_gaps(&self, f: &GapFilter) -> Result<(i64, Vec<GapRecord>), StoreError> {
        let (clause, args) = f.where_clause();
        // Filters that `gap_days` keeps (period, reason, channel, status) sum its rows; the others
        // count the gaps themselves.
        let count_sql = if f.counted_by_day() {
            format!("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM gap_days{clause}")
        } else {
            format!("SELECT COUNT(*) FROM gaps{clause}")
        };
        let n = args.len();
        let page_sql = format!(
            "SELECT {GAP_COLUMNS} FROM gaps{clause} ORDER BY day DESC, id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let (total, rows) = with_pool!(self, pool => {
            let mut count = sqlx::query(&count_sql);
            let mut page = sqlx::query_as::<_, GapRow>(&page_sql);
            for a in &args {
                count = count.bind(a);
                page = page.bind(a);
            }
            let total: i64 = count.fetch_one(pool).await?.try_get(0)?;
            let rows = page.bind(f.limit).bind(f.offset).fetch_all(pool).await?;
            (total, rows)
        });
        Ok((total, rows.into_iter().map(record).collect()))
    }

    /// The gap texts of a period (newest first, at most `limit`) with what clustering needs.
    pub async fn gap_texts(
        &self,
        from: &str,
        to: &str,
        limit: i64,
    ) -> Result<Vec<GapText>, StoreError> {
        const SQL: &str = "SELECT id, question, language, themes, subregion, person FROM gaps \
             WHERE day >= $1 AND day <= $2 AND question IS NOT NULL AND reason <> 'handoff' \
             ORDER BY day DESC, id DESC LIMIT $3";
        let rows: Vec<super::SixColumns> = with_pool!(self, pool => sqlx::query_as(SQL).bind(from).bind(to).bind(limit).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(
                |(id, question, language, themes, subregion, person)| GapText {
                    id,
                    question,
                    language,
                    themes: split(&themes),
                    subregion,
                    person,
                },
            )
            .collect())
    }

    /// Triage: sets what is given (status, note, covering offer) and stamps the change.
    pub async fn triage_gap(&self, id: i64, t: &Triage) -> Result<Option<GapRecord>, StoreError> {
        let (stamp, _) = super::clock::now();
        const SQL: &str = "UPDATE gaps SET status = COALESCE($1, status), note = COALESCE($2, note), \
             covered_by = COALESCE($3, covered_by), updated_at = $4 WHERE id = $5";
        const BEFORE: &str = "SELECT day, reason, channel, status FROM gaps WHERE id = $1";
        let found = with_writer!(self, pool => {
            let mut tx = pool.begin().await?;
            let before: Option<(String, String, String, String)> =
                sqlx::query_as(BEFORE).bind(id).fetch_optional(&mut *tx).await?;
            if let Some((day, reason, channel, old)) = &before {
                sqlx::query(SQL)
                    .bind(&t.status)
                    .bind(&t.note)
                    .bind(&t.covered_by)
                    .bind(&stamp)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                if let Some(new) = t.status.as_deref().filter(|s| s != old) {
                    count_gaps!(tx, day, reason, channel, old, -1_i64);
                    count_gaps!(tx, day, reason, channel, new, 1_i64);
                }
            }
            tx.commit().await?;
            before.is_some()
        });
        if !found {
            return Ok(None);
        }
        self.gap(id).await
    }

    /// Retention: removes the (redacted) text of gaps older than `days`; the records and counts stay.
    pub async fn forget_old_texts(&self, days: u32) -> Result<u64, StoreError> {
        let cutoff = super::stamp(-time::Duration::days(i64::from(days)));
        const SQL: &str =
            "UPDATE gaps SET question = NULL WHERE question IS NOT NULL AND created_at < $1";
        let n = with_writer!(self, pool => sqlx::query(SQL).bind(&cutoff).execute(pool).await?.rows_affected());
        Ok(n)
    }

    /// Erasure on request: deletes every gap record of one conversation.
    pub async fn erase_conversation(&self, conversation_id: &str) -> Result<u64, StoreError> {
        const COUNTS: &str = "SELECT day, reason, channel, status, COUNT(*) FROM gaps \
             WHERE conversation_id = $1 GROUP BY day, reason, channel, status";
        const SQL: &str = "DELETE FROM gaps WHERE conversation_id = $1";
        let n = with_writer!(self, pool => {
            let mut tx = pool.begin().await?;
            let counts: Vec<(String, String, String, String, i64)> =
                sqlx::query_as(COUNTS).bind(conversation_id).fetch_all(&mut *tx).await?;
            for (day, reason, channel, status, n) in &counts {
                count_gaps!(tx, day, reason, channel, status, -n);
            }
            let n = sqlx::query(SQL).bind(conversation_id).execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
            n
        });
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
        let salt: String = with_writer!(self, pool => {
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
