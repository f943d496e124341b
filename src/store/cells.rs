//! Demand cells and how they are written: the keys, the sums held before a write, the upsert, and
//! the day sums (`rollup`) a write to a closed day makes stale. `demand` (counting), `gaps` (a gap
//! and its count in one transaction) and `rollup` (the sums) all use this, and not each other.

use std::collections::HashMap;

/// The advisory lock (PostgreSQL) that orders summing against late writes.
pub(crate) const LOCK: i64 = 0x5765_6777_0001;

/// Distinct cells held in memory at most while the database cannot take them (a day has far
/// fewer); past it further counts are dropped and logged rather than growing without bound.
pub(crate) const MAX_PENDING_CELLS: usize = 100_000;

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

    pub(crate) fn add_n(&mut self, k: CellKey, n: i64) {
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
            .filter(|d| may_have_buckets(d))
            .collect()
    }
}

/// Writes summed cells inside an open transaction, first removing the sums of closed days they
/// land on (see `rollup`).
macro_rules! write_cells {
    ($tx:expr, $db:expr, $cells:expr) => {
        for day in $cells.late_days() {
            $crate::store::cells::invalidate!($tx, $db, day);
        }
        for (k, n) in &$cells.0 {
            sqlx::query($crate::store::cells::UPSERT)
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

/// Removes the buckets a write to `day` makes stale, inside the writer's open transaction. Days
/// from today on have no buckets and cost nothing.
macro_rules! invalidate {
    ($tx:expr, $db:expr, $day:expr) => {
        if $crate::store::cells::may_have_buckets($day) {
            if matches!($db, $crate::store::Db::Postgres(_)) {
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind($crate::store::cells::lock_id())
                    .execute(&mut *$tx)
                    .await?;
            }
            let month = $day.get(..7).unwrap_or_default();
            for sql in [
                "DELETE FROM demand_rollup WHERE (grain = 'd' AND period = $1) OR (grain = 'm' AND period = $2)",
                "DELETE FROM demand_rollup_done WHERE (grain = 'd' AND period = $1) OR (grain = 'm' AND period = $2)",
            ] {
                sqlx::query(sql).bind($day).bind(month).execute(&mut *$tx).await?;
            }
        }
    };
}
pub(crate) use invalidate;

pub(crate) fn lock_id() -> i64 {
    LOCK
}

/// Whether a day is before today (UTC): only such days can have been summed.
pub(crate) fn may_have_buckets(day: &str) -> bool {
    day < super::clock::today().as_str()
}
