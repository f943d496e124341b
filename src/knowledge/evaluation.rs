//! The evaluation figures published on `/over`: written by `wegwijzer eval FILE --record
//! knowledge/evaluation.toml` over the shipped question sets and kept with the knowledge snapshot,
//! so the page never shows a figure typed by hand. `tests/pages.rs` re-runs the lexical evaluation
//! and fails when the record no longer matches it.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// One figure: hits out of total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fraction {
    pub hits: usize,
    pub total: usize,
}

impl Fraction {
    pub fn value(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.hits as f64 / self.total as f64
        }
    }
}

/// The evaluation of one question set in one mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetRecord {
    /// The question file, relative to the repository ("tests/holdout-questions.tsv").
    pub file: String,
    /// `semantic` or `lexical`.
    pub mode: String,
    /// The day it was recorded (`YYYY-MM-DD`).
    pub recorded: String,
    pub rows: usize,
    pub top1: Fraction,
    pub top3: Fraction,
    pub gap_precision: Fraction,
    pub gap_recall: Fraction,
    pub language: Fraction,
    pub right: Fraction,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    #[serde(default)]
    pub sets: Vec<SetRecord>,
}

pub const FILE: &str = "evaluation.toml";

impl Evaluation {
    /// The record in `dir`, or an empty one when there is none yet.
    pub fn load(dir: &Path) -> Result<Evaluation, String> {
        let path = dir.join(FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.message()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Evaluation::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// Puts `record` in place of the one for the same file and mode.
    pub fn put(&mut self, record: SetRecord) {
        self.sets
            .retain(|s| !(s.file == record.file && s.mode == record.mode));
        self.sets.push(record);
        self.sets
            .sort_by(|a, b| (&a.file, &a.mode).cmp(&(&b.file, &b.mode)));
    }

    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let header = "# Written by `wegwijzer eval FILE --record knowledge/evaluation.toml`; shown on /over.\n\
                      # Do not edit by hand: tests/pages.rs re-runs the lexical evaluation and compares.\n\n";
        let body = toml::to_string(self).map_err(std::io::Error::other)?;
        std::fs::write(dir.join(FILE), format!("{header}{body}"))
    }
}
