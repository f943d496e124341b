//! The knowledge base: support offers loaded from `knowledge/offers/*.md` and the routing taxonomy
//! from `knowledge/taxonomy.toml`, validated so that every later module can trust them.
//! It owns parsing and validation only; indexing is `search`'s, routing is `assistant`'s.

mod dates;
pub mod evaluation;
pub mod figures;
mod intents;
mod off_topic;
mod offer;
pub mod priorities;
mod problem;
mod ranking;
pub mod review;
mod taxonomy;
mod text;
mod uncovered;

pub use intents::Intents;
pub use off_topic::OffTopic;
pub use offer::{NEEDS_PER_LANGUAGE, Needs, Offer, Source, Texts, format_date, parse_date};
pub use problem::{Problem, Severity};
pub use ranking::{Ranking, Thresholds, Weights};
pub use taxonomy::{Municipality, RegionMatch, Taxonomy, Term};
pub use text::{fold, words};
pub use uncovered::UncoveredNeed;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::domain::OfferId;

/// Every offer and the taxonomy, as loaded and validated from one knowledge directory.
#[derive(Debug)]
pub struct KnowledgeBase {
    pub taxonomy: Taxonomy,
    pub intents: Intents,
    pub offers: Vec<Arc<Offer>>,
    /// Needs no offer serves (`uncovered-needs.toml`; none when the file is absent).
    pub uncovered: Vec<UncoveredNeed>,
    /// Topics Wegwijzer is not for (`out-of-scope.toml`; none when the file is absent).
    pub off_topic: Vec<OffTopic>,
    /// Weights and thresholds (`ranking.toml`; the defaults when absent).
    pub ranking: Ranking,
    /// The recorded evaluation figures (`evaluation.toml`; none when absent), shown on `/over`.
    pub evaluation: evaluation::Evaluation,
    /// The officers' priority weights (`priorities.toml`; the defaults when absent).
    pub priorities: priorities::PriorityWeights,
    by_id: HashMap<OfferId, usize>,
}

/// Loading failed: at least one problem of severity error. All problems are kept so that
/// `wegwijzer check` can print every one, not just the first.
#[derive(Debug, thiserror::Error)]
#[error("knowledge base has {} error(s); first: {}", .problems.iter().filter(|p| p.is_error()).count(), .problems.iter().find(|p| p.is_error()).map(|p| p.to_string()).unwrap_or_default())]
pub struct LoadError {
    pub problems: Vec<Problem>,
}

fn labels(l: &taxonomy::Labels) -> [&str; 3] {
    [l.nl.as_str(), l.en.as_str(), l.de.as_str()]
}

impl KnowledgeBase {
    /// Proper names the base knows: offers and their providers, places in and around Drenthe, and
    /// the taxonomy's labels and words. The redactor keeps them when they are capitalised.
    pub fn proper_names(&self) -> Vec<&str> {
        let t = &self.taxonomy;
        let mut names: Vec<&str> = Vec::new();
        for o in &self.offers {
            names.extend([o.name.as_str(), o.name_en.as_str(), o.provider.as_str()]);
            names.extend(o.name_de.as_deref());
            names.extend(o.keywords.iter().map(String::as_str));
        }
        for m in &t.municipalities {
            names.push(&m.name);
            names.extend(m.places.iter().map(String::as_str));
        }
        names.extend(t.outside_places.iter().map(String::as_str));
        for term in t.themes.iter().chain(&t.audiences).chain(&t.stages) {
            names.extend(labels(&term.label));
            names.extend(term.words.iter().map(String::as_str));
        }
        for r in &t.subregions {
            names.extend(labels(&r.label));
        }
        for o in &t.opgaven {
            names.extend(labels(&o.label));
        }
        names.extend(t.synonyms.iter().flatten().map(String::as_str));
        names
    }

    /// The running text of every offer in every language: summaries, how to apply, needs, bodies.
    pub fn prose(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for o in &self.offers {
            for texts in [&o.summary, &o.how_to_apply] {
                out.extend([texts.nl.as_str(), texts.en.as_str(), texts.de.as_str()]);
            }
            out.extend(
                o.needs
                    .nl
                    .iter()
                    .chain(&o.needs.en)
                    .chain(&o.needs.de)
                    .map(String::as_str),
            );
            out.push(&o.body);
        }
        out
    }

    /// Loads `dir/taxonomy.toml` and `dir/offers/*.md`. Returns the base with its warnings, or every
    /// problem found when any is an error. `today` decides which reviews are stale.
    pub fn load(dir: &Path, today: time::Date) -> Result<(KnowledgeBase, Vec<Problem>), LoadError> {
        let mut problems = Vec::new();
        let tax_path = dir.join("taxonomy.toml");
        let taxonomy = match std::fs::read_to_string(&tax_path) {
            Ok(text) => match Taxonomy::parse(&text, &display(&tax_path)) {
                Ok(t) => Some(t),
                Err(mut p) => {
                    problems.append(&mut p);
                    None
                }
            },
            Err(e) => {
                problems.push(Problem::error(
                    display(&tax_path),
                    None,
                    format!("cannot read file: {e}"),
                ));
                None
            }
        };
        let intents_path = dir.join("intents.toml");
        let intents = match std::fs::read_to_string(&intents_path) {
            Ok(text) => match Intents::parse(&text, &display(&intents_path)) {
                Ok(i) => Some(i),
                Err(p) => {
                    problems.push(p);
                    None
                }
            },
            Err(e) => {
                problems.push(Problem::error(
                    display(&intents_path),
                    None,
                    format!("cannot read file: {e}"),
                ));
                None
            }
        };
        let offers_dir = dir.join("offers");
        let mut paths: Vec<PathBuf> = match std::fs::read_dir(&offers_dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "md"))
                .collect(),
            Err(e) => {
                problems.push(Problem::error(
                    display(&offers_dir),
                    None,
                    format!("cannot read directory: {e}"),
                ));
                Vec::new()
            }
        };
        paths.sort();
        let (Some(taxonomy), Some(intents)) = (taxonomy, intents) else {
            return Err(LoadError { problems });
        };
        if paths.is_empty() && problems.is_empty() {
            problems.push(Problem::error(
                display(&offers_dir),
                None,
                "no offer files (*.md) found".into(),
            ));
        }
        duplicate_ids(&paths, &mut problems);
        let mut offers: Vec<Arc<Offer>> = Vec::new();
        let mut by_id: HashMap<OfferId, usize> = HashMap::new();
        for path in &paths {
            let shown = display(path);
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    problems.push(Problem::error(
                        shown,
                        None,
                        format!("cannot read file: {e}"),
                    ));
                    continue;
                }
            };
            match Offer::parse(&text, path, &shown, &taxonomy, today, &mut problems) {
                Some(offer) => {
                    if by_id.contains_key(&offer.id) {
                        continue; // reported by duplicate_ids
                    }
                    by_id.insert(offer.id.clone(), offers.len());
                    offers.push(Arc::new(offer));
                }
                None => continue,
            }
        }
        repeated_needs(&offers, &mut problems);
        let uncovered = load_optional(&dir.join("uncovered-needs.toml"), &mut problems, |t, f| {
            uncovered::parse(t, f, &taxonomy)
        })
        .unwrap_or_default();
        let off_topic = load_optional(
            &dir.join("out-of-scope.toml"),
            &mut problems,
            off_topic::parse,
        )
        .unwrap_or_default();
        let ranking = load_optional(&dir.join("ranking.toml"), &mut problems, |t, f| {
            Ranking::parse(t, f).map_err(|p| vec![p])
        })
        .unwrap_or_default();
        let priorities = load_optional(
            &dir.join("priorities.toml"),
            &mut problems,
            priorities::parse,
        )
        .unwrap_or_default();
        let evaluation = evaluation::Evaluation::load(dir).unwrap_or_else(|m| {
            problems.push(Problem::error(
                display(&dir.join(evaluation::FILE)),
                None,
                m,
            ));
            evaluation::Evaluation::default()
        });
        if problems.iter().any(Problem::is_error) {
            return Err(LoadError { problems });
        }
        Ok((
            KnowledgeBase {
                taxonomy,
                intents,
                offers,
                by_id,
                uncovered,
                off_topic,
                ranking,
                evaluation,
                priorities,
            },
            problems,
        ))
    }

    /// Builds a base from already validated parts (used by the generated benchmark base).
    pub fn from_parts(taxonomy: Taxonomy, intents: Intents, offers: Vec<Offer>) -> KnowledgeBase {
        let offers: Vec<Arc<Offer>> = offers.into_iter().map(Arc::new).collect();
        let by_id = offers
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.clone(), i))
            .collect();
        KnowledgeBase {
            taxonomy,
            intents,
            offers,
            by_id,
            uncovered: Vec::new(),
            off_topic: Vec::new(),
            ranking: Ranking::default(),
            evaluation: evaluation::Evaluation::default(),
            priorities: priorities::PriorityWeights::default(),
        }
    }

    pub fn get(&self, id: &str) -> Option<&Arc<Offer>> {
        let id = OfferId::parse(id).ok()?;
        self.by_id.get(&id).map(|&i| &self.offers[i])
    }

    pub fn index_of(&self, id: &OfferId) -> Option<usize> {
        self.by_id.get(id).copied()
    }
}

/// Reads an optional knowledge file; a file that is there but broken is an error naming it.
fn load_optional<T>(
    path: &Path,
    problems: &mut Vec<Problem>,
    parse: impl FnOnce(&str, &str) -> Result<T, Vec<Problem>>,
) -> Option<T> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            problems.push(Problem::error(
                display(path),
                None,
                format!("cannot read file: {e}"),
            ));
            return None;
        }
    };
    match parse(&text, &display(path)) {
        Ok(v) => Some(v),
        Err(mut p) => {
            problems.append(&mut p);
            None
        }
    }
}

/// A need line that two offers share says nothing about which of them fits: each line must be
/// one offer's own.
fn repeated_needs(offers: &[Arc<Offer>], problems: &mut Vec<Problem>) {
    let mut seen: HashMap<String, &str> = HashMap::new();
    for o in offers {
        for (lang, line) in o.needs.iter() {
            let key = fold(line);
            match seen.get(&key) {
                Some(first) if *first != o.id.as_str() => problems.push(Problem::error(
                    format!("knowledge/offers/{}.md", o.id),
                    Some(&format!("needs.{lang}")),
                    format!("line `{line}` is also a need of `{first}`"),
                )),
                Some(_) => {}
                None => {
                    seen.insert(key, o.id.as_str());
                }
            }
        }
    }
}

/// Two files declaring the same `id`. Checked on the raw front matter, before validation, so the
/// duplicate is reported even when the files have other problems too.
fn duplicate_ids(paths: &[PathBuf], problems: &mut Vec<Problem>) {
    let mut seen: HashMap<String, String> = HashMap::new();
    for path in paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Some(front) = text
            .strip_prefix("+++")
            .and_then(|r| r.split("\n+++").next())
        else {
            continue;
        };
        let Ok(value) = front.parse::<toml::Table>() else {
            continue;
        };
        let Some(id) = value.get("id").and_then(|v| v.as_str()) else {
            continue;
        };
        let shown = display(path);
        if let Some(first) = seen.get(id) {
            problems.push(Problem::error(
                shown,
                Some("id"),
                format!("duplicate id `{id}`, already used by {first}"),
            ));
        } else {
            seen.insert(id.to_owned(), shown);
        }
    }
}

/// Paths are shown relative to the working directory when possible, so messages read
/// `knowledge/offers/nom.md` rather than an absolute path.
fn display(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let rel = cwd
        .as_deref()
        .and_then(|c| path.strip_prefix(c).ok())
        .unwrap_or(path);
    rel.display().to_string()
}
