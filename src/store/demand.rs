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

use super::cells::{Cells, DemandKey, MAX_PENDING_CELLS, write_cells};
use super::{Store, StoreError, with_pool, with_writer};

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

impl Store {
    /// Counts one question (or feedback) in its cells, today, without its text. The count is
    /// held in memory until the next [`flush_demand`](Self::flush_demand); it cannot fail.
    pub async fn count_demand(&self, key: &DemandKey<'_>) -> Result<(), StoreError> {
        self.pending.lock().add(&super::clock::today(), key);
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
            self.pending.add_referrals(&super::clock::today(), offers);
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
