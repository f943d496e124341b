//! How well the redactor does on the shipped sets: the battery of planted personal data
//! (`data/pii-battery.tsv`, recall per class) and ordinary business questions
//! (`data/business-precision.tsv`, the share of their words kept). `wegwijzer redaction` prints both;
//! `tests/redaction.rs` holds them to their floors.

use std::collections::{BTreeMap, HashMap};

use super::Redactor;

pub const BATTERY: &str = include_str!("data/pii-battery.tsv");
/// Rows written after the detectors were tuned on the battery, and never tuned on: how the redactor
/// does on text it has not seen.
pub const HOLDOUT: &str = include_str!("data/pii-holdout.tsv");
pub const BUSINESS: &str = include_str!("data/business-precision.tsv");

/// One planted fragment that reached the output.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Leak {
    pub id: String,
    pub fragment: String,
    pub output: String,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ClassRecall {
    pub fragments: usize,
    pub masked: usize,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Recall {
    /// Per class (`name_mid_sentence`, `email_spelled`, …).
    pub classes: BTreeMap<String, ClassRecall>,
    pub fragments: usize,
    pub masked: usize,
    pub leaks: Vec<Leak>,
}

impl Recall {
    pub fn recall(&self) -> f64 {
        ratio(self.masked, self.fragments)
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub battery: Recall,
    pub holdout: Recall,
    /// Words of the business questions, and how many came through unchanged.
    pub business_words: usize,
    pub business_kept: usize,
    /// Business questions that lost a word, with what came out.
    pub business_changed: Vec<(String, String)>,
}

impl Report {
    pub fn precision(&self) -> f64 {
        ratio(self.business_kept, self.business_words)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Runs both sets through `redactor` (the way a gap is stored: [`Redactor::redact_or_none`]).
pub fn evaluate(redactor: &Redactor) -> Report {
    let mut report = Report {
        battery: recall(redactor, BATTERY),
        holdout: recall(redactor, HOLDOUT),
        business_words: 0,
        business_kept: 0,
        business_changed: Vec::new(),
    };
    let texts = BUSINESS
        .lines()
        .skip(1)
        .filter_map(|row| row.rsplit_once('\t').map(|(_, text)| text));
    (
        report.business_words,
        report.business_kept,
        report.business_changed,
    ) = kept_words(redactor, texts);
    report
}

/// Words kept over any list of ordinary questions (no personal data in them), with the questions
/// that lost a word: precision on text the detectors were not tuned on, such as the routing sets.
pub fn kept_words<'a>(
    redactor: &Redactor,
    questions: impl IntoIterator<Item = &'a str>,
) -> (usize, usize, Vec<(String, String)>) {
    let (mut total, mut kept, mut changed) = (0, 0, Vec::new());
    for text in questions {
        let output = redactor
            .redact_or_none(text)
            .map(|r| r.text)
            .unwrap_or_default();
        let mut out_words: HashMap<&str, usize> = HashMap::new();
        for w in words(&output) {
            *out_words.entry(w).or_default() += 1;
        }
        let mut lost = false;
        for w in words(text) {
            total += 1;
            match out_words.get_mut(w) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    kept += 1;
                }
                _ => lost = true,
            }
        }
        if lost {
            changed.push((text.to_string(), output));
        }
    }
    (total, kept, changed)
}

/// Recall over a battery file: `id, lang, class, text, pii` with the fragments split by `||`.
pub fn recall(redactor: &Redactor, tsv: &str) -> Recall {
    let mut report = Recall::default();
    for row in tsv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = row.split('\t').collect();
        let [id, _lang, class, text, pii] = cols[..] else {
            continue;
        };
        let output = redactor
            .redact_or_none(text)
            .map(|r| r.text)
            .unwrap_or_default();
        let entry = report.classes.entry(class.to_string()).or_default();
        for fragment in pii.split("||").map(str::trim).filter(|f| !f.is_empty()) {
            entry.fragments += 1;
            report.fragments += 1;
            if contains_token(&output, fragment) {
                report.leaks.push(Leak {
                    id: id.to_string(),
                    fragment: fragment.to_string(),
                    output: output.clone(),
                });
            } else {
                entry.masked += 1;
                report.masked += 1;
            }
        }
    }
    report
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// `fragment` occurs in `text` as whole words (not inside a longer word or number).
pub fn contains_token(text: &str, fragment: &str) -> bool {
    text.match_indices(fragment).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + fragment.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fragment_counts_only_as_whole_words() {
        assert!(contains_token("bel Jan even", "Jan"));
        assert!(!contains_token("bel Janssen even", "Jan"));
        assert!(!contains_token("op [postcode] 120", "12"));
    }

    #[test]
    fn the_reports_sums_add_up() {
        let r = evaluate(&crate::privacy::testing::REDACTOR);
        for b in [&r.battery, &r.holdout] {
            assert_eq!(
                b.fragments,
                b.classes.values().map(|c| c.fragments).sum::<usize>()
            );
            assert_eq!(b.masked + b.leaks.len(), b.fragments);
        }
        assert!(r.business_words > 1000);
    }
}
