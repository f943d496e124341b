//! The review list with its demand: each due offer ([`crate::knowledge::review::due`]) with how
//! often it was recommended and how many gaps named it in the last days, most-asked first, so the
//! owners start where a stale figure misleads the most people. As Markdown and CSV.

use std::collections::HashMap;

use crate::knowledge::KnowledgeBase;
use crate::knowledge::review::{Due, due};
use crate::store::Store;

/// Days of demand the list shows.
pub const DEMAND_DAYS: i64 = 90;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    #[serde(flatten)]
    pub due: Due,
    /// Times recommended in the last [`DEMAND_DAYS`] days.
    pub referred: i64,
    /// Gap records naming the offer in that time.
    pub gaps: i64,
}

/// The due offers, most-asked first. Without a store (or when it does not answer) the demand is 0
/// and `false` says it is unknown: the list itself never depends on the database.
pub async fn list(
    kb: &KnowledgeBase,
    store: Option<&Store>,
    today: time::Date,
) -> (Vec<Row>, bool) {
    let since = crate::knowledge::format_date(today - time::Duration::days(DEMAND_DAYS));
    let demand: Option<HashMap<String, (i64, i64)>> = match store {
        Some(s) => match s.offer_demand(&since).await {
            Ok(d) => Some(d),
            Err(e) => {
                tracing::warn!(error = %e, "review list without demand: the database did not answer");
                None
            }
        },
        None => None,
    };
    let known = demand.is_some();
    let demand = demand.unwrap_or_default();
    let mut rows: Vec<Row> = due(kb, today)
        .into_iter()
        .map(|d| {
            let (referred, gaps) = demand.get(&d.id).copied().unwrap_or_default();
            Row {
                due: d,
                referred,
                gaps,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        (b.referred + b.gaps)
            .cmp(&(a.referred + a.gaps))
            .then_with(|| a.due.id.cmp(&b.due.id))
    });
    (rows, known)
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn markdown(rows: &[Row], demand_known: bool) -> String {
    let mut out = format!(
        "# Aanbod om te controleren\n\n{} offer(s) due. Demand: the last {DEMAND_DAYS} days{}.\n\n\
         | offer | owner | why due | recommended | gaps |\n| --- | --- | --- | ---: | ---: |\n",
        rows.len(),
        if demand_known {
            ""
        } else {
            " (unknown: no database)"
        }
    );
    for r in rows {
        out.push_str(&format!(
            "| `{}` {} | {} | {} | {} | {} |\n",
            r.due.id,
            cell(&r.due.name),
            cell(&r.due.owner),
            cell(&r.due.reasons.join("; ")),
            r.referred,
            r.gaps
        ));
    }
    out
}

pub fn csv(rows: &[Row]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "name",
        "owner",
        "reasons",
        "recommended_90d",
        "gaps_90d",
    ])?;
    for r in rows {
        w.write_record([
            r.due.id.as_str(),
            r.due.name.as_str(),
            r.due.owner.as_str(),
            &r.due.reasons.join("; "),
            &r.referred.to_string(),
            &r.gaps.to_string(),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
