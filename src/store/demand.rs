//! Demand counted without text: one row per day and cell (theme × audience × stage × place ×
//! channel × outcome). Every question and every feedback adds to it, so the white-spot matrix reads
//! this small table rather than the gap records.
//!
//! Answered questions are counted in memory first and written in one transaction about once a
//! second ([`Store::flush_demand`]): a write transaction per answered question cost the single
//! SQLite writer (and PostgreSQL a round trip) on the hottest path, and while the database is away
//! the counts wait here instead of being lost. Reads flush first, so this instance's counts are
//! always visible to its own queries. Gap records still count their demand in their own
//! transaction, so a gap and its count are stored together or not at all.

use std::collections::HashMap;

use sqlx::Row;

use super::{Store, StoreError, with_pool, with_writer};

/// Distinct cells held in memory at most while the database cannot take them (a day has far
/// fewer); past it further counts are dropped and logged rather than growing without bound.
const MAX_PENDING_CELLS: usize = 100_000;

/// One demand cell of one day, as the table keys it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct CellKey {
    pub day: String,
    pub theme: String,
    pub audience: String,
    pub stage: String,
    pub municipality: String,
    pub subregion: String,
    pub channel: String,
    pub outcome: String,
}

/// Counts per cell, summed before they are written: one upsert per cell, however many questions.
#[derive(Debug, Default)]
pub(crate) struct Cells(pub HashMap<CellKey, i64>);

impl Cells {
    /// Adds one question to its cells on `day`.
    pub(crate) fn add(&mut self, day: &str, key: &DemandKey<'_>) {
        for (theme, audience, stage) in cells_of(key) {
            let k = CellKey {
                day: day.to_owned(),
                theme: theme.to_owned(),
                audience: audience.to_owned(),
                stage: stage.to_owned(),
                municipality: key.municipality.unwrap_or("").to_owned(),
                subregion: key.subregion.unwrap_or("").to_owned(),
                channel: key.channel.to_owned(),
                outcome: key.outcome.to_owned(),
            };
            self.add_n(k, 1);
        }
    }

    fn add_n(&mut self, k: CellKey, n: i64) {
        if let Some(v) = self.0.get_mut(&k) {
            *v += n;
        } else if self.0.len() < MAX_PENDING_CELLS {
            self.0.insert(k, n);
        } else {
            tracing::warn!(
                "demand counts waiting for the database exceed their bound; one dropped"
            );
        }
    }

    /// The closed days among the cells, whose sums a write makes stale.
    pub(crate) fn late_days(&self) -> std::collections::BTreeSet<&str> {
        self.0
            .keys()
            .map(|k| k.day.as_str())
            .filter(|d| super::rollup::may_have_buckets(d))
            .collect()
    }
}

/// Writes summed cells inside an open transaction, first removing the sums of closed days they
/// land on (see `rollup`).
macro_rules! write_cells {
    ($tx:expr, $db:expr, $cells:expr) => {
        for day in $cells.late_days() {
            $crate::store::rollup::invalidate!($tx, $db, day);
        }
        for (k, n) in &$cells.0 {
            sqlx::query($crate::store::demand::UPSERT)
                .bind(&k.day)
                .bind(&k.theme)
                .bind(&k.audience)
                .bind(&k.stage)
                .bind(&k.municipality)
                .bind(&k.subregion)
                .bind(&k.channel)
                .bind(&k.outcome)
                .bind(n)
                .execute(&mut *$tx)
                .await?;
        }
    };
}
pub(crate) use write_cells;

/// Counts not yet written, shared by every clone of the store.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    cells: std::sync::Mutex<Cells>,
    /// (day, offer id) → times recommended, written with the cells.
    referrals: std::sync::Mutex<HashMap<(String, String), i64>>,
    /// One flush at a time, so a reader that flushes sees every earlier count committed.
    flushing: tokio::sync::Mutex<()>,
}

const REFERRAL_UPSERT: &str = "INSERT INTO offer_referrals (day, offer, n) VALUES ($1, $2, $3) \
     ON CONFLICT (day, offer) DO UPDATE SET n = offer_referrals.n + excluded.n";

impl Pending {
    fn lock(&self) -> std::sync::MutexGuard<'_, Cells> {
        self.cells.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn take(&self) -> Cells {
        std::mem::take(&mut *self.lock())
    }

    /// Puts counts back after a failed write, to be written by a later flush.
    fn restore(&self, taken: Cells) {
        let mut cells = self.lock();
        for (k, n) in taken.0 {
            cells.add_n(k, n);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.lock().0.len()
    }

    fn referrals(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), i64>> {
        self.referrals.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn add_referrals(&self, day: &str, offers: &[String]) {
        let mut r = self.referrals();
        for o in offers {
            let key = (day.to_owned(), o.clone());
            if r.len() >= MAX_PENDING_CELLS && !r.contains_key(&key) {
                tracing::warn!(
                    "offer referrals waiting for the database exceed their bound; one dropped"
                );
                continue;
            }
            *r.entry(key).or_default() += 1;
        }
    }

    fn take_referrals(&self) -> HashMap<(String, String), i64> {
        std::mem::take(&mut *self.referrals())
    }

    fn restore_referrals(&self, taken: HashMap<(String, String), i64>) {
        let mut r = self.referrals();
        for (k, n) in taken {
            *r.entry(k).or_default() += n;
        }
    }
}

/// The cell(s) a question counts in. Empty lists count once under `''` ("not understood").
#[derive(Debug, Clone, Default)]
pub struct DemandKey<'a> {
    pub themes: &'a [String],
    pub audiences: &'a [String],
    pub stages: &'a [String],
    pub municipality: Option<&'a str>,
    pub subregion: Option<&'a str>,
    pub channel: &'a str,
    pub outcome: &'a str,
}

pub(crate) const UPSERT: &str = "INSERT INTO demand (day, theme, audience, stage, municipality, subregion, channel, outcome, n) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
     ON CONFLICT (day, theme, audience, stage, municipality, subregion, channel, outcome) \
     DO UPDATE SET n = demand.n + excluded.n";

/// A question with two themes counts in both theme rows: the matrix shows where demand lies, not
/// a partition of questions. The combinations are bounded: the assistant understands few of each.
pub(crate) fn cells_of<'a>(key: &'a DemandKey<'a>) -> Vec<(&'a str, &'a str, &'a str)> {
    fn or_none(v: &[String]) -> Vec<&str> {
        if v.is_empty() {
            vec![""]
        } else {
            v.iter().take(4).map(String::as_str).collect()
        }
    }
    let mut out = Vec::new();
    for t in or_none(key.themes) {
        for a in or_none(key.audiences) {
            for s in or_none(key.stages) {
                out.push((t, a, s));
            }
        }
    }
    out
}

/// One aggregated row of the demand table for the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemandRow {
    pub row: String,
    pub col: String,
    pub outcome: String,
    pub n: i64,
}

/// A dimension of the demand table the matrix can group by (opgave is derived from theme).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemandColumn {
    Theme,
    Audience,
    Stage,
    Municipality,
    Subregion,
    Channel,
}

impl DemandColumn {
    pub(crate) fn sql(self) -> &'static str {
        match self {
            DemandColumn::Theme => "theme",
            DemandColumn::Audience => "audience",
            DemandColumn::Stage => "stage",
            DemandColumn::Municipality => "municipality",
            DemandColumn::Subregion => "subregion",
            DemandColumn::Channel => "channel",
        }
    }
}

impl Store {
    /// Counts one question (or feedback) in its cells, today, without its text. The count is
    /// held in memory until the next [`flush_demand`](Self::flush_demand); it cannot fail.
    pub async fn count_demand(&self, key: &DemandKey<'_>) -> Result<(), StoreError> {
        self.pending.lock().add(&super::gaps::today(), key);
        Ok(())
    }

    /// Writes the counts held in memory in one transaction. On failure they stay held (up to a
    /// bound) and the next flush tries again. Run about once a second, before every read of the
    /// demand table and at shutdown.
    pub async fn flush_demand(&self) -> Result<(), StoreError> {
        let _one_at_a_time = self.pending.flushing.lock().await;
        let cells = self.pending.take();
        let referrals = self.pending.take_referrals();
        if cells.0.is_empty() && referrals.is_empty() {
            return Ok(());
        }
        // Counts held over midnight (or while the database was away) may land on a closed day:
        // write_cells takes care of its sums.
        let written: Result<(), StoreError> = async {
            with_writer!(self, pool => {
                let mut tx = pool.begin().await?;
                write_cells!(tx, &self.db, cells);
                for ((day, offer), n) in &referrals {
                    sqlx::query(REFERRAL_UPSERT)
                        .bind(day)
                        .bind(offer)
                        .bind(n)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
            });
            Ok(())
        }
        .await;
        if written.is_err() {
            self.pending.restore(cells);
            self.pending.restore_referrals(referrals);
        }
        written
    }

    /// Counts that an answer recommended these offers, today (held like the demand counts).
    pub fn count_referrals(&self, offers: &[String]) {
        if !offers.is_empty() {
            self.pending.add_referrals(&super::gaps::today(), offers);
        }
    }

    /// Per offer since `since_day` (`YYYY-MM-DD`, inclusive): how often it was recommended, and how
    /// many gap records name it.
    pub async fn offer_demand(
        &self,
        since_day: &str,
    ) -> Result<HashMap<String, (i64, i64)>, StoreError> {
        self.flush_demand().await?;
        let mut out: HashMap<String, (i64, i64)> = HashMap::new();
        let referred: Vec<(String, i64)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT offer, CAST(SUM(n) AS BIGINT) FROM offer_referrals WHERE day >= $1 GROUP BY offer",
            )
            .bind(since_day)
            .fetch_all(pool)
            .await?
        });
        for (offer, n) in referred {
            out.entry(offer).or_default().0 += n;
        }
        let named: Vec<(String,)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT offers FROM gaps WHERE day >= $1 AND offers <> ''")
                .bind(since_day)
                .fetch_all(pool)
                .await?
        });
        for (offers,) in named {
            for o in offers.split(',').filter(|o| !o.is_empty()) {
                out.entry(o.to_owned()).or_default().1 += 1;
            }
        }
        Ok(out)
    }

    /// Distinct cells counted in memory and not yet written (for `/readyz` and tests).
    pub fn pending_demand_cells(&self) -> usize {
        self.pending.len()
    }

    /// Total counted for an outcome (all days and cells), counting each question once per theme.
    pub async fn counted(&self, outcome: &str) -> Result<i64, StoreError> {
        // PostgreSQL sums BIGINT into NUMERIC: cast back so both backends return a BIGINT.
        const SQL: &str =
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM demand WHERE outcome = $1";
        self.flush_demand().await?;
        let n: i64 = with_pool!(self, pool => {
            sqlx::query(SQL).bind(outcome).fetch_one(pool).await?.try_get::<i64, _>(0)?
        });
        Ok(n)
    }
}
