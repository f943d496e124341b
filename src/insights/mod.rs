//! The white-spot analysis for the province: demand beside supply by theme, audience, stage and
//! place ([`matrix`]), what people ask that nothing answers ([`clusters`]), and the exports for
//! partners with their codebook ([`export`]). Reads the store and the knowledge; writes nothing.

pub mod clusters;
pub mod examples;
pub mod export;
pub mod matrix;
pub mod priorities;
pub mod review;

use serde::Serialize;

/// A dimension the matrix can put on its rows or columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    Theme,
    Audience,
    Stage,
    Subregion,
    Municipality,
    Opgave,
    Channel,
}

impl Dimension {
    pub const ALL: [Dimension; 7] = [
        Dimension::Theme,
        Dimension::Audience,
        Dimension::Stage,
        Dimension::Subregion,
        Dimension::Municipality,
        Dimension::Opgave,
        Dimension::Channel,
    ];

    pub fn parse(s: &str) -> Result<Dimension, String> {
        Dimension::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown dimension `{}`: use one of {}",
                    s.chars().take(40).collect::<String>(),
                    Dimension::ALL.map(Dimension::as_str).join(", ")
                )
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Theme => "theme",
            Dimension::Audience => "audience",
            Dimension::Stage => "stage",
            Dimension::Subregion => "subregion",
            Dimension::Municipality => "municipality",
            Dimension::Opgave => "opgave",
            Dimension::Channel => "channel",
        }
    }
}

/// A period of whole days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: time::Date,
    pub to: time::Date,
}

impl Period {
    /// `from`/`to` as `YYYY-MM-DD`; by default the last 365 days up to today.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        today: time::Date,
    ) -> Result<Period, String> {
        let day = |name: &str, v: &str| {
            crate::knowledge::parse_date(v.trim())
                .ok_or_else(|| format!("`{name}` must be a date as YYYY-MM-DD"))
        };
        let to = match to.filter(|s| !s.trim().is_empty()) {
            Some(v) => day("to", v)?,
            None => today,
        };
        let from = match from.filter(|s| !s.trim().is_empty()) {
            Some(v) => day("from", v)?,
            None => to - time::Duration::days(364),
        };
        if from > to {
            return Err("`from` must not be after `to`".into());
        }
        if (to - from).whole_days() > 3660 {
            return Err("a period is at most ten years".into());
        }
        Ok(Period { from, to })
    }

    /// The period of the same length just before this one.
    pub fn previous(self) -> Period {
        let len = self.to - self.from + time::Duration::days(1);
        Period {
            from: self.from - len,
            to: self.to - len,
        }
    }

    pub fn bounds(self) -> (String, String) {
        (
            crate::knowledge::format_date(self.from),
            crate::knowledge::format_date(self.to),
        )
    }
}

/// Outcomes that are questions (clarifying questions are not counted: the reply that follows is).
pub const QUESTION_OUTCOMES: [&str; 6] = [
    "answered",
    "handoff",
    "no_offer",
    "offer_closed",
    "audience_mismatch",
    "region_mismatch",
];

/// Outcomes that are unmet demand, feedback included.
pub const GAP_OUTCOMES: [&str; 5] = [
    "no_offer",
    "offer_closed",
    "audience_mismatch",
    "region_mismatch",
    "not_helpful",
];

/// Cells with fewer questions than this are suppressed in what is shared with partners.
pub const MIN_CELL: i64 = 5;
