//! Triage that teaches the router: gaps an officer or adviser triaged become labelled questions in
//! the eval format (`../shared/eval/README.md`), for `wegwijzer eval` as a regression set and
//! `wegwijzer tune` as extra training rows.
//!
//! - `addressed` with a covering offer: the question should have been answered with that offer.
//! - `not-a-gap`: whatever the right answer was, it was not a gap (any other outcome passes).
//!
//! The text is the gap's redacted question, read from the record at export time: an erased or
//! expired gap text is no example any more.

use crate::store::GapRecord;

/// The outcomes a `not-a-gap` question may get: anything but a gap.
const NOT_A_GAP: &str = "answered|clarify|handoff|out_of_scope";

/// One eval row per labelled gap, with the header; gaps without a label or text are left out.
pub fn to_eval_tsv(records: &[GapRecord]) -> String {
    let mut out = String::from("id\tlang\toutcome\toffers\tquestion\n");
    for g in records {
        let Some(question) = g.question.as_deref() else {
            continue;
        };
        let (outcome, offers) = match (g.status.as_str(), g.covered_by.as_deref()) {
            ("addressed", Some(offer)) if !offer.is_empty() => ("answered", offer),
            ("not-a-gap", _) => (NOT_A_GAP, ""),
            _ => continue,
        };
        // One row a line: tabs and line breaks in a question would break the format.
        let question: String = question
            .chars()
            .map(|c| {
                if c == '\t' || c == '\n' || c == '\r' {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        out.push_str(&format!(
            "g{}\t{}\t{outcome}\t{offers}\t{}\n",
            g.id,
            g.language,
            question.trim()
        ));
    }
    out
}
