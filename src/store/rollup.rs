//! Sums of the demand table per pair of dimensions, per closed day and per closed month, so the
//! white-spot matrix of a year reads a few thousand summed rows instead of grouping every demand
//! row of the year (half a million on a busy two years: over a second on SQLite, whose GROUP BY
//! sorts every input row).
//!
//! A sum (a "bucket") is computed the first time a matrix needs it and kept. Only days that are
//! over are summed: [`closed_until`] is the day before yesterday, which leaves a margin for the
//! clocks of several instances and for counts held in memory over midnight. Writes that still land
//! on an earlier day (a spooled gap replayed later, counts held while the database was away)
//! remove that day's and that month's buckets in the same transaction ([`invalidate`]), and the
//! next matrix sums them again. On PostgreSQL both sides take one advisory lock, so a bucket being
//! summed cannot miss a late write committed in between.

use std::collections::{BTreeSet, HashSet};

use time::Date;

use super::cells::{DemandColumn, DemandRow, LOCK};
use super::{Db, Store, StoreError, with_pool, with_writer};
use crate::knowledge::{format_date, parse_date};

/// The last day that may be summed, for a given today.
pub(crate) fn closed_until(today: Date) -> Date {
    today - time::Duration::days(2)
}

/// How a period of days is read: whole closed months and closed days from buckets, the rest
/// (yesterday and today, at most) from the demand table itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Plan {
    /// `YYYY-MM`, consecutive.
    pub months: Vec<String>,
    /// `YYYY-MM-DD`.
    pub days: Vec<String>,
    /// Days read from the demand table, both ends included.
    pub raw: Option<(String, String)>,
}

impl Plan {
    pub(crate) fn new(from: Date, to: Date, today: Date) -> Plan {
        let closed = closed_until(today);
        let mut plan = Plan::default();
        let mut d = from;
        while d <= to {
            if d > closed {
                plan.raw = Some((format_date(d), format_date(to)));
                break;
            }
            let month_end = last_of_month(d);
            if d.day() == 1 && month_end <= to && month_end <= closed {
                plan.months.push(format_date(d)[..7].to_owned());
                d = month_end + time::Duration::days(1);
            } else {
                plan.days.push(format_date(d));
                d += time::Duration::days(1);
            }
        }
        plan
    }

    /// The days as runs of consecutive days: at most two (before and after the whole months).
    fn day_runs(&self) -> Vec<(&str, &str)> {
        let mut runs: Vec<(&str, &str)> = Vec::new();
        let mut prev: Option<Date> = None;
        for d in &self.days {
            let date = parse_date(d);
            let follows =
                matches!((prev, date), (Some(p), Some(x)) if x == p + time::Duration::days(1));
            match runs.last_mut() {
                Some(run) if follows => run.1 = d,
                _ => runs.push((d, d)),
            }
            prev = date;
        }
        runs
    }
}

fn last_of_month(d: Date) -> Date {
    let first_of_next = match d.month() {
        time::Month::December => Date::from_calendar_date(d.year() + 1, time::Month::January, 1),
        m => Date::from_calendar_date(d.year(), m.next(), 1),
    };
    first_of_next.map_or(d, |n| n - time::Duration::days(1))
}

fn dims(rows: DemandColumn, cols: DemandColumn) -> String {
    format!("{}:{}", rows.sql(), cols.sql())
}

impl Store {
    /// Demand between two days (inclusive, `YYYY-MM-DD`) grouped by two dimensions and outcome,
    /// from the buckets (summing those still missing) and the demand table for the open days.
    pub async fn demand_by(
        &self,
        rows: DemandColumn,
        cols: DemandColumn,
        from: &str,
        to: &str,
    ) -> Result<Vec<DemandRow>, StoreError> {
        self.flush_demand().await?;
        let (Some(f), Some(t)) = (parse_date(from), parse_date(to)) else {
            return Ok(Vec::new());
        };
        let today = parse_date(&super::clock::today()).unwrap_or(t);
        let plan = Plan::new(f, t, today);
        let key = dims(rows, cols);
        self.sum_missing(rows, cols, &key, &plan).await?;

        let mut out = Vec::new();
        if !plan.months.is_empty() || !plan.days.is_empty() {
            // The months are consecutive and the days two runs at most (before and after the
            // months): three exact ranges. A range over all the days would also take in day
            // buckets that other matrices summed inside these months.
            const SQL: &str = "SELECT row_value, col_value, outcome, CAST(SUM(n) AS BIGINT) FROM demand_rollup \
                 WHERE dims = $1 AND ((grain = 'm' AND period >= $2 AND period <= $3) \
                 OR (grain = 'd' AND period >= $4 AND period <= $5) OR (grain = 'd' AND period >= $6 AND period <= $7)) \
                 GROUP BY row_value, col_value, outcome";
            let (m0, m1) = ends(&plan.months);
            let runs = plan.day_runs();
            debug_assert!(runs.len() <= 2, "{plan:?}");
            let run = |i: usize| runs.get(i).copied().unwrap_or(("~", ""));
            let summed: Vec<(String, String, String, i64)> = with_pool!(self, pool => {
                sqlx::query_as(SQL)
                    .bind(&key)
                    .bind(m0)
                    .bind(m1)
                    .bind(run(0).0)
                    .bind(run(0).1)
                    .bind(run(1).0)
                    .bind(run(1).1)
                    .fetch_all(pool)
                    .await?
            });
            out.extend(summed);
        }
        if let Some((a, b)) = &plan.raw {
            let sql = format!(
                "SELECT {r}, {c}, outcome, CAST(SUM(n) AS BIGINT) FROM demand \
                 WHERE day >= $1 AND day <= $2 GROUP BY {r}, {c}, outcome",
                r = rows.sql(),
                c = cols.sql()
            );
            let open: Vec<(String, String, String, i64)> = with_pool!(self, pool => {
                sqlx::query_as(&sql).bind(a).bind(b).fetch_all(pool).await?
            });
            out.extend(open);
        }
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

    /// Drops every sum, to be computed again as matrices need them: after the demand table was
    /// changed by hand, and for the benchmark of a matrix read with nothing summed yet.
    pub async fn clear_demand_sums(&self) -> Result<(), StoreError> {
        with_writer!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM demand_rollup").execute(&mut *tx).await?;
            sqlx::query("DELETE FROM demand_rollup_done").execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Sums the buckets of the plan that are not there yet, each in its own short transaction so
    /// the single SQLite writer is never held for long.
    async fn sum_missing(
        &self,
        rows: DemandColumn,
        cols: DemandColumn,
        key: &str,
        plan: &Plan,
    ) -> Result<(), StoreError> {
        // Extra rows of other days in the range do no harm here: only the plan's are looked up.
        const DONE: &str = "SELECT grain, period FROM demand_rollup_done WHERE dims = $1 \
             AND ((grain = 'm' AND period >= $2 AND period <= $3) OR (grain = 'd' AND period >= $4 AND period <= $5))";
        let (m0, m1) = ends(&plan.months);
        let (d0, d1) = ends(&plan.days);
        let done: Vec<(String, String)> = with_pool!(self, pool => {
            sqlx::query_as(DONE).bind(key).bind(m0).bind(m1).bind(d0).bind(d1).fetch_all(pool).await?
        });
        let done: HashSet<(String, String)> = done.into_iter().collect();
        let wanted: BTreeSet<(&str, &String)> = plan
            .months
            .iter()
            .map(|m| ("m", m))
            .chain(plan.days.iter().map(|d| ("d", d)))
            .filter(|(g, p)| !done.contains(&((*g).to_owned(), (*p).clone())))
            .collect();
        for (grain, period) in wanted {
            let (first, last) = if grain == "m" {
                let first = format!("{period}-01");
                let last = parse_date(&first).map(last_of_month).map(format_date);
                (first, last.unwrap_or_default())
            } else {
                (period.clone(), period.clone())
            };
            self.sum_bucket(rows, cols, key, grain, period, &first, &last)
                .await?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn sum_bucket(
        &self,
        rows: DemandColumn,
        cols: DemandColumn,
        key: &str,
        grain: &str,
        period: &str,
        first: &str,
        last: &str,
    ) -> Result<(), StoreError> {
        let sum = format!(
            "INSERT INTO demand_rollup (dims, grain, period, row_value, col_value, outcome, n) \
             SELECT $1, $2, $3, {r}, {c}, outcome, CAST(SUM(n) AS BIGINT) FROM demand \
             WHERE day >= $4 AND day <= $5 GROUP BY {r}, {c}, outcome \
             ON CONFLICT (dims, grain, period, row_value, col_value, outcome) DO NOTHING",
            r = rows.sql(),
            c = cols.sql()
        );
        const DONE: &str = "INSERT INTO demand_rollup_done (dims, grain, period) VALUES ($1, $2, $3) \
             ON CONFLICT (dims, grain, period) DO NOTHING";
        let postgres = matches!(self.db, Db::Postgres(_));
        with_writer!(self, pool => {
            let mut tx = pool.begin().await?;
            if postgres {
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(LOCK).execute(&mut *tx).await?;
            }
            sqlx::query(&sum)
                .bind(key)
                .bind(grain)
                .bind(period)
                .bind(first)
                .bind(last)
                .execute(&mut *tx)
                .await?;
            sqlx::query(DONE).bind(key).bind(grain).bind(period).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }
}

/// The first and last of a sorted list, or a range that matches nothing.
fn ends(v: &[String]) -> (&str, &str) {
    match (v.first(), v.last()) {
        (Some(a), Some(b)) => (a, b),
        _ => ("~", ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_year_is_whole_months_between_closed_days_and_the_open_days_at_the_end() {
        let p = Plan::new(
            date!(2025 - 11 - 30),
            date!(2026 - 11 - 29),
            date!(2026 - 11 - 29),
        );
        assert_eq!(p.months.first().map(String::as_str), Some("2025-12"));
        assert_eq!(p.months.last().map(String::as_str), Some("2026-10"));
        assert_eq!(p.months.len(), 11);
        // 30 Nov 2025, then 1–27 Nov 2026 (closed until the day before yesterday).
        assert_eq!(p.days.len(), 1 + 27);
        assert_eq!(p.days[0], "2025-11-30");
        assert_eq!(p.days.last().map(String::as_str), Some("2026-11-27"));
        assert_eq!(
            p.raw,
            Some(("2026-11-28".to_owned(), "2026-11-29".to_owned()))
        );
        assert_eq!(
            p.day_runs(),
            vec![("2025-11-30", "2025-11-30"), ("2026-11-01", "2026-11-27")]
        );
    }

    #[test]
    fn a_period_in_the_past_needs_no_raw_days_and_a_future_one_only_raw_days() {
        let past = Plan::new(
            date!(2024 - 01 - 01),
            date!(2024 - 12 - 31),
            date!(2026 - 11 - 29),
        );
        assert_eq!(past.months.len(), 12);
        assert!(past.days.is_empty() && past.raw.is_none());
        let open = Plan::new(
            date!(2026 - 11 - 28),
            date!(2026 - 12 - 31),
            date!(2026 - 11 - 29),
        );
        assert!(open.months.is_empty() && open.days.is_empty());
        assert_eq!(
            open.raw,
            Some(("2026-11-28".to_owned(), "2026-12-31".to_owned()))
        );
        // A month that has not closed yet is read by day.
        let partial = Plan::new(
            date!(2026 - 11 - 01),
            date!(2026 - 11 - 15),
            date!(2026 - 11 - 29),
        );
        assert!(partial.months.is_empty());
        assert_eq!(partial.days.len(), 15);
    }

    #[test]
    fn months_end_where_the_calendar_says() {
        assert_eq!(last_of_month(date!(2024 - 02 - 10)), date!(2024 - 02 - 29));
        assert_eq!(last_of_month(date!(2026 - 12 - 31)), date!(2026 - 12 - 31));
        assert_eq!(last_of_month(date!(2026 - 04 - 01)), date!(2026 - 04 - 30));
    }
}
