//! "What are people asking that we cannot answer": gap questions of a period grouped by the terms
//! they share after the search's own analysis (stop words out, stems in), largest groups first.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use crate::domain::Language;
use crate::search::Analyzers;
use crate::store::GapText;

#[derive(Debug, Clone, Serialize)]
pub struct Cluster {
    pub size: usize,
    /// Distinct people (monthly pseudonyms) behind the questions.
    pub people: usize,
    pub top_terms: Vec<String>,
    pub themes: Vec<(String, usize)>,
    pub subregions: Vec<(String, usize)>,
    /// Up to three redacted questions.
    pub examples: Vec<String>,
    pub gap_ids: Vec<i64>,
}

/// Two questions belong together when they share at least two terms and at least half of the
/// shorter one's terms (overlap coefficient): short questions are common, and one shared word
/// such as "subsidie" says little.
const JOIN_AT: f64 = 0.5;
const MIN_SHARED: usize = 2;

pub const MAX_CLUSTERS: usize = 20;

/// The analysed terms of a redacted question, without placeholders like `[telefoon]`.
fn terms(analyzers: &Analyzers, g: &GapText) -> HashSet<String> {
    let lang = Language::parse(&g.language).unwrap_or_default();
    let text: String = g
        .question
        .split_whitespace()
        .filter(|w| !w.starts_with('['))
        .collect::<Vec<_>>()
        .join(" ");
    analyzers
        .analyze(lang, &text)
        .into_iter()
        .filter(|t| t.chars().count() >= 3 && !t.chars().all(|c| c.is_ascii_digit()))
        .collect()
}

fn overlap(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let inter = a.intersection(b).count();
    let smaller = a.len().min(b.len());
    if inter < MIN_SHARED || smaller == 0 {
        0.0
    } else {
        inter as f64 / smaller as f64
    }
}

fn ranked(counts: HashMap<String, usize>, n: usize) -> Vec<(String, usize)> {
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

/// Groups gaps by single linkage: two questions that overlap enough (see [`JOIN_AT`]) are in the
/// same group, and so are their partners, whatever the order they came in. Candidates come from
/// an inverted index of the terms, so only questions that share a term are compared. Single
/// questions are left out: a cluster is a pattern.
pub fn cluster(analyzers: &Analyzers, gaps: &[GapText]) -> Vec<Cluster> {
    let analysed: Vec<HashSet<String>> = gaps.iter().map(|g| terms(analyzers, g)).collect();
    let mut postings: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, t) in analysed.iter().enumerate() {
        for term in t {
            postings.entry(term.as_str()).or_default().push(i);
        }
    }
    // Terms in a large share of the questions find too many candidates to be worth it; they
    // still count in the overlap once two questions are compared.
    let common = (gaps.len() / 5).max(50);
    let mut parent: Vec<usize> = (0..gaps.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut seen = HashSet::new();
    for (i, t) in analysed.iter().enumerate() {
        seen.clear();
        for term in t {
            let Some(list) = postings.get(term.as_str()).filter(|l| l.len() <= common) else {
                continue;
            };
            for &j in list.iter().take_while(|&&j| j < i) {
                if seen.insert(j) && overlap(&analysed[j], t) >= JOIN_AT {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                    parent[a] = b;
                }
            }
        }
    }
    let mut by_root: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, t) in analysed.iter().enumerate() {
        if !t.is_empty() {
            let r = root(&mut parent, i);
            by_root.entry(r).or_default().push(i);
        }
    }
    let groups: Vec<Vec<usize>> = by_root.into_values().collect();
    let mut out: Vec<Cluster> = groups
        .into_iter()
        .filter(|members| members.len() >= 2)
        .map(|members| {
            let mut term_counts: HashMap<String, usize> = HashMap::new();
            let mut theme_counts: HashMap<String, usize> = HashMap::new();
            let mut region_counts: HashMap<String, usize> = HashMap::new();
            let mut people = HashSet::new();
            for &m in &members {
                for t in &analysed[m] {
                    *term_counts.entry(t.clone()).or_default() += 1;
                }
                for th in &gaps[m].themes {
                    *theme_counts.entry(th.clone()).or_default() += 1;
                }
                if let Some(r) = &gaps[m].subregion {
                    *region_counts.entry(r.clone()).or_default() += 1;
                }
                people.insert(gaps[m].person.clone().unwrap_or_else(|| format!("#{m}")));
            }
            let mut examples: BTreeMap<&str, ()> = BTreeMap::new();
            for &m in &members {
                if examples.len() == 3 {
                    break;
                }
                examples.insert(&gaps[m].question, ());
            }
            Cluster {
                size: members.len(),
                people: people.len(),
                top_terms: ranked(term_counts, 5).into_iter().map(|(t, _)| t).collect(),
                themes: ranked(theme_counts, 5),
                subregions: ranked(region_counts, 5),
                examples: examples.into_keys().map(str::to_owned).collect(),
                gap_ids: members.iter().map(|&m| gaps[m].id).collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.size
            .cmp(&a.size)
            .then_with(|| b.people.cmp(&a.people))
            .then_with(|| a.gap_ids.cmp(&b.gap_ids))
    });
    out.truncate(MAX_CLUSTERS);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gap(id: i64, text: &str) -> GapText {
        GapText {
            id,
            question: text.into(),
            language: "nl".into(),
            themes: vec!["personeel".into()],
            subregion: None,
            person: Some(format!("p{}", id % 2)),
        }
    }

    #[test]
    fn questions_sharing_their_key_terms_group_and_loners_stay_out() {
        let a = Analyzers::default();
        let gaps: Vec<GapText> = [
            "Hoe regel ik een verblijfsvergunning voor een buitenlandse medewerker?",
            "verblijfsvergunning aanvragen voor buitenlandse werknemer",
            "Wie helpt met de verblijfsvergunning van een medewerker uit India? [telefoon]",
            "Subsidie voor een zwembad bij mijn camping",
            "subsidie voor een nieuwe website",
        ]
        .iter()
        .enumerate()
        .map(|(i, t)| gap(i as i64, t))
        .collect();
        let terms: Vec<_> = gaps.iter().map(|g| terms(&a, g)).collect();
        let c = cluster(&a, &gaps);
        assert_eq!(c.len(), 1, "{c:?} {terms:?}");
        assert_eq!(c[0].gap_ids, vec![0, 1, 2], "{terms:?}");
        assert_eq!(c[0].people, 2);
        assert!(!c[0].top_terms.iter().any(|t| t.contains("telefoon")));
    }
}
