//! Ranking weights and decision thresholds (`knowledge/ranking.toml`): data, not code, fitted by
//! `wegwijzer tune` with cross-validation and reviewed like the offers. A missing file means the
//! defaults below, which are the lexical weights the assistant was hand-tuned with.

use serde::{Deserialize, Serialize};

use super::problem::Problem;

/// How the signals combine into one score per offer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Weights {
    /// The tantivy (BM25) ranking, relative to the best hit.
    pub search: f32,
    /// Share of the question's themes the offer carries.
    pub theme: f32,
    pub audience: f32,
    pub stage: f32,
    /// Semantic similarity of the question to the offer's need lines and summary, as
    /// `exp((sim - best_sim) / temperature)`: 1 for the closest offer. 0 turns semantics off.
    pub semantic: f32,
    pub temperature: f32,
}

impl Default for Weights {
    fn default() -> Weights {
        Weights {
            search: 1.0,
            theme: 0.8,
            audience: 0.3,
            stage: 0.2,
            semantic: 0.0,
            temperature: 0.02,
        }
    }
}

/// Thresholds that turn evidence into an outcome. Similarities are cosines of e5 vectors.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// Below this best score nothing fits: a gap (lexical scores).
    pub min_answer_score: f32,
    /// The same with the semantic signal in the score, whose scale it changes.
    pub semantic_min_answer_score: f32,
    /// With semantics: a question whose closest offer or known need is below this similarity, and
    /// that the lexicon finds no business word in, is not a business-support question.
    pub out_of_scope_sim: f32,
    /// With semantics: a question closer to a topic of `out-of-scope.toml` than to any offer or
    /// known need by at least this much is not a business-support question.
    pub off_topic_margin: f32,
    /// With semantics: a blocklisted topic still counts as business when the question is at least
    /// this close to an offer or a known need.
    pub business_sim: f32,
    /// With semantics: a question at least this close to an open offer is no gap for want of
    /// known words or themes.
    pub answer_sim: f32,
    /// With semantics: a question this close to a known uncovered need ...
    pub uncovered_sim: f32,
    /// ... and closer to it than to any open offer by this margin is a gap.
    pub uncovered_margin: f32,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            min_answer_score: 0.55,
            semantic_min_answer_score: 0.55,
            out_of_scope_sim: 0.0,
            business_sim: 2.0,
            off_topic_margin: 2.0,
            answer_sim: 2.0,
            uncovered_sim: 2.0,
            uncovered_margin: 0.0,
        }
    }
}

/// Everything `tune` fits.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Ranking {
    pub weights: Weights,
    pub thresholds: Thresholds,
}

impl Ranking {
    pub fn parse(text: &str, file: &str) -> Result<Ranking, Problem> {
        let r: Ranking = toml::from_str(text)
            .map_err(|e| Problem::error(file.to_owned(), None, e.message().to_owned()))?;
        let w = r.weights;
        for (field, v) in [
            ("weights.search", w.search),
            ("weights.theme", w.theme),
            ("weights.audience", w.audience),
            ("weights.stage", w.stage),
            ("weights.semantic", w.semantic),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Problem::error(
                    file.to_owned(),
                    Some(field),
                    format!("must be a number >= 0, got {v}"),
                ));
            }
        }
        if !(w.temperature.is_finite() && w.temperature > 0.0) {
            return Err(Problem::error(
                file.to_owned(),
                Some("weights.temperature"),
                format!("must be > 0, got {}", w.temperature),
            ));
        }
        Ok(r)
    }

    /// The same ranking with the semantic signal and its thresholds off: what runs when no
    /// embedder answers.
    pub fn lexical(&self) -> Ranking {
        Ranking {
            weights: Weights {
                semantic: 0.0,
                ..self.weights
            },
            // Every semantic gate shut, as in the defaults; the minimum scores stay as fitted.
            thresholds: Thresholds {
                min_answer_score: self.thresholds.min_answer_score,
                semantic_min_answer_score: self.thresholds.semantic_min_answer_score,
                ..Thresholds::default()
            },
        }
    }

    /// The thresholds in force: with a question vector, the score includes the semantic signal.
    pub fn thresholds_for(&self, semantic: bool) -> Thresholds {
        if semantic {
            Thresholds {
                min_answer_score: self.thresholds.semantic_min_answer_score,
                ..self.thresholds
            }
        } else {
            self.lexical().thresholds
        }
    }

    /// The file `tune` writes.
    pub fn to_toml(&self, header: &str) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!("{header}\n{body}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_table_takes_the_defaults_and_bad_values_name_the_field() {
        let r = Ranking::parse("[weights]\nsemantic = 0.5\n", "r.toml").unwrap();
        assert_eq!(r.weights.semantic, 0.5);
        assert_eq!(r.weights.theme, Weights::default().theme);
        assert_eq!(r.thresholds, Thresholds::default());
        let e = Ranking::parse("[weights]\nsemantic = -1.0\n", "r.toml").unwrap_err();
        assert!(e.to_string().contains("weights.semantic"), "{e}");
        assert!(Ranking::parse("[weights]\nsemntic = 1.0\n", "r.toml").is_err());
    }

    #[test]
    fn written_ranking_reads_back_the_same() {
        let mut r = Ranking::default();
        r.weights.semantic = 0.7;
        r.thresholds.uncovered_sim = 0.86;
        let text = r.to_toml("# fitted");
        assert_eq!(Ranking::parse(&text, "r.toml").unwrap(), r);
        assert_eq!(r.lexical().weights.semantic, 0.0);
    }
}
