//! What Wegwijzer is not for (`knowledge/out-of-scope.toml`): topics, each with example phrasings
//! in nl/en/de. They are the contrast class of the semantic scope decision: a question closer in
//! meaning to one of these than to any offer or known need is not a business-support question.
//! Reviewed like the offers; the phrasings are examples of a meaning, not keywords.

use serde::Deserialize;

use super::offer::Needs;
use super::problem::Problem;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    topic: Vec<RawTopic>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    id: String,
    #[serde(default)]
    nl: Vec<String>,
    #[serde(default)]
    en: Vec<String>,
    #[serde(default)]
    de: Vec<String>,
}

/// One topic outside Wegwijzer's scope.
#[derive(Debug, Clone)]
pub struct OffTopic {
    pub id: String,
    pub lines: Needs,
}

pub fn parse(text: &str, file: &str) -> Result<Vec<OffTopic>, Vec<Problem>> {
    let raw: File = super::problem::from_toml(text, file)?;
    let mut problems = Vec::new();
    let mut ids = std::collections::HashSet::new();
    let mut out = Vec::new();
    for t in raw.topic {
        let mut err = |field: &str, msg: String| {
            problems.push(Problem::error(
                file.to_owned(),
                Some(&format!("topic `{}`: {field}", t.id)),
                msg,
            ))
        };
        if !ids.insert(t.id.clone()) {
            err("id", "duplicate id".into());
        }
        let lines = Needs {
            nl: t.nl,
            en: t.en,
            de: t.de,
        };
        for lang in lines.empty_languages() {
            err(lang.code(), "must give at least one line".into());
        }
        out.push(OffTopic { id: t.id, lines });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_topic_needs_every_language_and_a_unique_id() {
        let ok = "[[topic]]\nid = \"weer\"\nnl = [\"wordt het morgen mooi weer\"]\nen = [\"weather tomorrow\"]\nde = [\"Wetter morgen\"]\n";
        assert_eq!(super::parse(ok, "o.toml").unwrap().len(), 1);
        let twice = format!("{ok}{ok}");
        let e = super::parse(&twice, "o.toml").unwrap_err();
        assert!(e[0].to_string().contains("duplicate id"), "{:?}", e);
        let no_de = "[[topic]]\nid = \"x\"\nnl = [\"a\"]\nen = [\"b\"]\n";
        let e = super::parse(no_de, "o.toml").unwrap_err();
        assert!(e[0].to_string().contains("topic `x`: de"), "{:?}", e);
    }
}
