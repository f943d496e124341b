//! Review as a workflow: which offers are due for a check, and why. An offer is due when its review
//! is older than 11 months, a source is older than 3 years, a source is marked uncertain or cut
//! short, or its next round's date has passed. `wegwijzer review`, the officers' dashboard
//! ("Aanbod om te controleren"), `/metrics` and the daily warning of `serve` all use this list.

use time::{Date, Duration};

use super::{KnowledgeBase, format_date};

/// A review is due after this many days (11 months).
pub const REVIEW_DAYS: i64 = 335;
/// A source older than this many years makes the offer due.
pub const SOURCE_YEARS: i32 = 3;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Due {
    pub id: String,
    pub name: String,
    pub owner: String,
    /// Why it is due, in Dutch (the reviewers' language), one reason per entry.
    pub reasons: Vec<String>,
}

/// Every offer that is due on `today`, in the base's order (callers sort by demand).
pub fn due(kb: &KnowledgeBase, today: Date) -> Vec<Due> {
    kb.offers
        .iter()
        .filter_map(|o| {
            let mut reasons = Vec::new();
            if today - o.last_reviewed > Duration::days(REVIEW_DAYS) {
                reasons.push(format!(
                    "laatst nagekeken {} (meer dan 11 maanden geleden)",
                    format_date(o.last_reviewed)
                ));
            }
            for (i, s) in o.sources.iter().enumerate() {
                let n = i + 1;
                // A closed scheme's sources describe what was; they need no refreshing.
                if o.status != crate::domain::Status::Closed
                    && s.year().is_some_and(|y| y < today.year() - SOURCE_YEARS)
                {
                    reasons.push(format!(
                        "bron {n} is van {} (ouder dan 3 jaar): {}",
                        s.date, s.url
                    ));
                }
                if s.uncertain {
                    reasons.push(format!("bron {n} is onzeker of verouderd: {}", s.url));
                }
                if s.partial {
                    reasons.push(format!("bron {n} heeft een afgekort adres: {}", s.url));
                }
            }
            if let Some(d) = o.next_round
                && d < today
            {
                reasons.push(format!("de volgende ronde ({}) is voorbij", format_date(d)));
            }
            (!reasons.is_empty()).then(|| Due {
                id: o.id.to_string(),
                name: o.name.clone(),
                owner: o.owner.clone(),
                reasons,
            })
        })
        .collect()
}
