//! Demand counted without text: one row per day and cell (theme × audience × stage × place ×
//! channel × outcome). Every question and every feedback adds to it, so the white-spot matrix reads
//! this small table rather than the gap records.

use sqlx::Row;

use super::{Store, StoreError, with_pool, with_writer};

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
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1) \
     ON CONFLICT (day, theme, audience, stage, municipality, subregion, channel, outcome) \
     DO UPDATE SET n = demand.n + 1";

/// A question with two themes counts in both theme rows: the matrix shows where demand lies, not
/// a partition of questions. The combinations are bounded: the assistant understands few of each.
pub(crate) fn cells<'a>(key: &'a DemandKey<'a>) -> Vec<(&'a str, &'a str, &'a str)> {
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

/// Adds one question to its cells inside an open transaction (or on a pool).
macro_rules! add_demand {
    ($exec:expr, $day:expr, $key:expr) => {
        for (theme, audience, stage) in $crate::store::demand::cells($key) {
            sqlx::query($crate::store::demand::UPSERT)
                .bind($day)
                .bind(theme)
                .bind(audience)
                .bind(stage)
                .bind($key.municipality.unwrap_or(""))
                .bind($key.subregion.unwrap_or(""))
                .bind($key.channel)
                .bind($key.outcome)
                .execute(&mut *$exec)
                .await?;
        }
    };
}
pub(crate) use add_demand;

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
    fn sql(self) -> &'static str {
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
    /// Counts one question (or feedback) in its cells, today, without its text.
    pub async fn count_demand(&self, key: &DemandKey<'_>) -> Result<(), StoreError> {
        let day = super::gaps::today();
        with_writer!(self, pool => {
            let mut tx = pool.begin().await?;
            add_demand!(tx, &day, key);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Total counted for an outcome (all days and cells), counting each question once per theme.
    pub async fn counted(&self, outcome: &str) -> Result<i64, StoreError> {
        // PostgreSQL sums BIGINT into NUMERIC: cast back so both backends return a BIGINT.
        const SQL: &str =
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM demand WHERE outcome = $1";
        let n: i64 = with_pool!(self, pool => {
            sqlx::query(SQL).bind(outcome).fetch_one(pool).await?.try_get::<i64, _>(0)?
        });
        Ok(n)
    }

    /// Demand between two days (inclusive, `YYYY-MM-DD`) grouped by two dimensions and outcome.
    pub async fn demand_by(
        &self,
        rows: DemandColumn,
        cols: DemandColumn,
        from: &str,
        to: &str,
    ) -> Result<Vec<DemandRow>, StoreError> {
        let sql = format!(
            "SELECT {r}, {c}, outcome, CAST(SUM(n) AS BIGINT) FROM demand \
             WHERE day >= $1 AND day <= $2 GROUP BY {r}, {c}, outcome",
            r = rows.sql(),
            c = cols.sql()
        );
        let out: Vec<(String, String, String, i64)> = with_pool!(self, pool => {
            sqlx::query_as(&sql).bind(from).bind(to).fetch_all(pool).await?
        });
        Ok(out
            .into_iter()
            .map(|(row, col, outcome, n)| DemandRow {
                row,
                col,
                outcome,
                n,
            })
            .collect())
    }
}
