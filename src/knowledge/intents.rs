//! `knowledge/intents.toml`: the words that mark a message as asking for a person, out of scope,
//! still vague, or asking for money. Kept beside the taxonomy so they are reviewed like knowledge.

use serde::Deserialize;

use super::problem::Problem;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handoff {
    pub people: Vec<String>,
    pub contact: Vec<String>,
    pub phrases: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutOfScope {
    pub topics: Vec<String>,
    pub injection: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordList {
    pub words: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intents {
    pub handoff: Handoff,
    pub out_of_scope: OutOfScope,
    pub vague: WordList,
    pub money: WordList,
    pub business: WordList,
    pub staff: Staff,
    /// Business needs no offer serves: a question about one is a gap.
    #[serde(default = "no_words")]
    pub uncovered: WordList,
}

fn no_words() -> WordList {
    WordList { words: Vec::new() }
}

/// The two sides of the staff theme.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Staff {
    pub hiring: Vec<String>,
    pub training: Vec<String>,
}

impl Intents {
    pub fn parse(text: &str, file: &str) -> Result<Intents, Problem> {
        toml::from_str(text)
            .map_err(|e| Problem::error(file.to_owned(), None, e.message().to_owned()))
    }
}
