//! Known uncovered needs (`knowledge/uncovered-needs.toml`): business needs the province knows no
//! offer serves. A question close to one of them is a gap, whatever words it shares with offers.
//! Reviewed like offers: when an offer starts serving a need, its entry goes.

use serde::Deserialize;

use super::offer::Needs;
use super::problem::Problem;
use super::taxonomy::Taxonomy;
use crate::domain::Language;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    need: Vec<RawNeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNeed {
    id: String,
    theme: String,
    opgave: i64,
    why: String,
    #[serde(default)]
    nl: Vec<String>,
    #[serde(default)]
    en: Vec<String>,
    #[serde(default)]
    de: Vec<String>,
}

/// One need no offer serves.
#[derive(Debug, Clone)]
pub struct UncoveredNeed {
    pub id: String,
    /// The taxonomy theme a gap for this need is counted under.
    pub theme: String,
    pub opgave: u8,
    /// Why no offer serves it: for reviewers.
    pub why: String,
    pub lines: Needs,
}

impl UncoveredNeed {
    pub fn lines(&self, lang: Language) -> &[String] {
        self.lines.get(lang)
    }
}

/// Parses the file; every problem names the file, the need's id and the field.
pub fn parse(
    text: &str,
    file: &str,
    taxonomy: &Taxonomy,
) -> Result<Vec<UncoveredNeed>, Vec<Problem>> {
    let raw: File = super::problem::from_toml(text, file)?;
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for n in raw.need {
        let mut err = |field: &str, msg: String| {
            problems.push(Problem::error(
                file.to_owned(),
                Some(&format!("need `{}`: {field}", n.id)),
                msg,
            ))
        };
        if !ids.insert(n.id.clone()) {
            err("id", "duplicate id".into());
        }
        if taxonomy.theme(&n.theme).is_none() {
            err("theme", format!("unknown theme `{}`", n.theme));
        }
        if !(1..=5).contains(&n.opgave) {
            err("opgave", format!("unknown policy task {} (1-5)", n.opgave));
        }
        if n.why.trim().is_empty() {
            err("why", "must say why no offer serves this need".into());
        }
        let lines = Needs {
            nl: n.nl,
            en: n.en,
            de: n.de,
        };
        for lang in lines.empty_languages() {
            err(lang.code(), "must give at least one line".into());
        }
        out.push(UncoveredNeed {
            id: n.id,
            theme: n.theme,
            opgave: n.opgave.clamp(1, 5) as u8,
            why: n.why,
            lines,
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}
