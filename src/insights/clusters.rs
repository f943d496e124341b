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

/// Two questions belong together when this share of their terms overlaps (Jaccard).
const JOIN_AT: f64 = 0.25;
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

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let inter = a.intersection(b).count();
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

fn ranked(counts: HashMap<String, usize>, n: usize) -> Vec<(String, usize)> {
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

/// Groups gaps greedily: each joins the group whose first question it overlaps most (above
/// [`JOIN_AT`]), or starts its own. Single questions are left out: a cluster is a pattern.
pub fn cluster(analyzers: &Analyzers, gaps: &[GapText]) -> Vec<Cluster> {
    let analysed: Vec<HashSet<String>> = gaps.iter().map(|g| terms(analyzers, g)).collect();
    // Group seeds keep the union of their members' terms, so a group can grow beyond its first
    // wording; members are indices into `gaps`.
    let mut groups: Vec<(HashSet<String>, Vec<usize>)> = Vec::new();
    for (i, t) in analysed.iter().enumerate() {
        if t.is_empty() {
            continue;
        }
        let best = groups
            .iter()
            .enumerate()
            .map(|(gi, (seed, _))| (gi, jaccard(seed, t)))
            .filter(|(_, s)| *s >= JOIN_AT)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((gi, _)) => groups[gi].1.push(i),
            None => groups.push((t.clone(), vec![i])),
        }
    }
    let mut out: Vec<Cluster> = groups
        .into_iter()
        .filter(|(_, members)| members.len() >= 2)
        .map(|(_, members)| {
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
    out.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| b.people.cmp(&a.people)));
    out.truncate(MAX_CLUSTERS);
    out
}
