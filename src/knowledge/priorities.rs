//! The weights of the officers' priority score (`knowledge/priorities.toml`; the defaults when the
//! file is absent), reviewed like the rest of the knowledge. The formula is in
//! [`crate::insights::priorities`] and `README.md`.

use serde::{Deserialize, Serialize};

use super::problem::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PriorityWeights {
    /// On `ln(1 + unmet)`: how many gaps the cell had in the period.
    pub volume: f64,
    /// On the growth of the cell's gaps against the previous period (only rises count, capped at 3).
    pub growth: f64,
    /// On the gap share: gaps among the cell's questions.
    pub share: f64,
    /// On the scarcity of supply, `1 / (1 + open offers)`.
    pub supply: f64,
}

impl Default for PriorityWeights {
    fn default() -> Self {
        PriorityWeights {
            volume: 1.0,
            growth: 0.5,
            share: 1.0,
            supply: 0.5,
        }
    }
}

pub fn parse(text: &str, file: &str) -> Result<PriorityWeights, Vec<Problem>> {
    let w: PriorityWeights = toml::from_str(text).map_err(|e| {
        vec![Problem::error(
            file.to_owned(),
            None,
            e.message().to_owned(),
        )]
    })?;
    for (field, v) in [
        ("volume", w.volume),
        ("growth", w.growth),
        ("share", w.share),
        ("supply", w.supply),
    ] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(vec![Problem::error(
                file.to_owned(),
                Some(field),
                format!("a weight is a number ≥ 0, got {v}"),
            )]);
        }
    }
    Ok(w)
}
