//! The routing taxonomy: themes, audiences, stages, policy tasks and places, with the everyday words
//! that point to each.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use super::problem::Problem;
use crate::domain::Language;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    pub nl: String,
    pub en: String,
    pub de: String,
}

impl Labels {
    pub fn get(&self, lang: Language) -> &str {
        lang.pick(&self.nl, &self.en, &self.de)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Opgave {
    pub id: u8,
    pub label: Labels,
}

/// A theme, audience or stage.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub id: String,
    pub label: Labels,
    /// Only themes carry the policy tasks they report against.
    #[serde(default)]
    pub opgaven: Vec<u8>,
    #[serde(default)]
    pub words: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subregion {
    pub id: String,
    pub label: Labels,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Municipality {
    pub id: String,
    pub name: String,
    pub subregion: String,
    pub places: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Outside {
    pub places: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynonymGroup {
    pub words: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTaxonomy {
    opgaven: Vec<Opgave>,
    themes: Vec<Term>,
    audiences: Vec<Term>,
    stages: Vec<Term>,
    subregions: Vec<Subregion>,
    municipalities: Vec<Municipality>,
    #[serde(default)]
    outside: Outside,
    #[serde(default)]
    synonyms: Vec<SynonymGroup>,
}

/// Region ids that are wider than a sub-region, from narrow to wide.
pub const WIDE_REGIONS: [&str; 3] = ["drenthe", "noord-nederland", "nederland"];

#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub opgaven: Vec<Opgave>,
    pub themes: Vec<Term>,
    pub audiences: Vec<Term>,
    pub stages: Vec<Term>,
    pub subregions: Vec<Subregion>,
    pub municipalities: Vec<Municipality>,
    pub outside_places: Vec<String>,
    pub synonyms: Vec<Vec<String>>,
}

/// How an offer's regions relate to where the asker is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionMatch {
    /// The offer is limited to the asker's municipality (or sub-region).
    Local,
    /// The offer covers the asker through Drenthe, Noord-Nederland or the whole country.
    Wide,
    /// The offer is limited to other places.
    Elsewhere,
}

impl Taxonomy {
    pub fn parse(text: &str, file: &str) -> Result<Taxonomy, Vec<Problem>> {
        let raw: RawTaxonomy = super::problem::from_toml(text, file)?;
        let mut problems = Vec::new();
        let mut err = |field: &str, msg: String| {
            problems.push(Problem::error(file.to_owned(), Some(field), msg));
        };
        for (section, terms) in [
            ("themes", &raw.themes),
            ("audiences", &raw.audiences),
            ("stages", &raw.stages),
        ] {
            let mut seen = HashSet::new();
            for t in terms {
                if !seen.insert(t.id.as_str()) {
                    err(section, format!("duplicate id `{}`", t.id));
                }
                if t.words.is_empty() {
                    err(section, format!("`{}` has no words", t.id));
                }
            }
        }
        let opgave_ids: HashSet<u8> = raw.opgaven.iter().map(|o| o.id).collect();
        for t in &raw.themes {
            for o in &t.opgaven {
                if !opgave_ids.contains(o) {
                    err("themes", format!("`{}` names unknown opgave {o}", t.id));
                }
            }
        }
        let sub_ids: HashSet<&str> = raw.subregions.iter().map(|s| s.id.as_str()).collect();
        for m in &raw.municipalities {
            if !sub_ids.contains(m.subregion.as_str()) {
                err(
                    "municipalities",
                    format!("`{}` names unknown sub-region `{}`", m.id, m.subregion),
                );
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Taxonomy {
            opgaven: raw.opgaven,
            themes: raw.themes,
            audiences: raw.audiences,
            stages: raw.stages,
            subregions: raw.subregions,
            municipalities: raw.municipalities,
            outside_places: raw.outside.places,
            synonyms: raw.synonyms.into_iter().map(|g| g.words).collect(),
        })
    }

    pub fn theme(&self, id: &str) -> Option<&Term> {
        self.themes.iter().find(|t| t.id == id)
    }
    pub fn audience(&self, id: &str) -> Option<&Term> {
        self.audiences.iter().find(|t| t.id == id)
    }
    pub fn stage(&self, id: &str) -> Option<&Term> {
        self.stages.iter().find(|t| t.id == id)
    }
    pub fn municipality(&self, id: &str) -> Option<&Municipality> {
        self.municipalities.iter().find(|m| m.id == id)
    }
    pub fn subregion(&self, id: &str) -> Option<&Subregion> {
        self.subregions.iter().find(|s| s.id == id)
    }

    /// Is `id` a region an offer may name?
    pub fn is_region(&self, id: &str) -> bool {
        WIDE_REGIONS.contains(&id)
            || self.municipality(id).is_some()
            || self.subregion(id).is_some()
    }

    /// The label of any region id in a language.
    pub fn region_label(&self, id: &str, lang: Language) -> String {
        if let Some(m) = self.municipality(id) {
            return m.name.clone();
        }
        if let Some(s) = self.subregion(id) {
            return s.label.get(lang).to_owned();
        }
        match id {
            "drenthe" => "Drenthe".into(),
            "noord-nederland" => lang
                .pick(
                    "Noord-Nederland",
                    "the Northern Netherlands",
                    "die Nordniederlande",
                )
                .into(),
            "nederland" => lang
                .pick(
                    "heel Nederland",
                    "the whole Netherlands",
                    "die ganzen Niederlande",
                )
                .into(),
            other => other.into(),
        }
    }

    /// The policy tasks of a set of themes, sorted and without repeats.
    pub fn opgaven_of(&self, themes: &[String]) -> Vec<u8> {
        let mut out: Vec<u8> = themes
            .iter()
            .filter_map(|t| self.theme(t))
            .flat_map(|t| t.opgaven.iter().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// How the regions of an offer relate to an asker in `municipality` (or only known to be in
    /// `subregion`, or outside Drenthe when `outside` is set).
    pub fn region_match(
        &self,
        offer_regions: &[String],
        municipality: Option<&str>,
        subregion: Option<&str>,
        outside: bool,
    ) -> RegionMatch {
        let mut best = RegionMatch::Elsewhere;
        for r in offer_regions {
            let m = match r.as_str() {
                "nederland" | "noord-nederland" => RegionMatch::Wide,
                "drenthe" if !outside => RegionMatch::Wide,
                "drenthe" => RegionMatch::Elsewhere,
                other => {
                    let sub = municipality
                        .and_then(|m| self.municipality(m))
                        .map(|m| m.subregion.as_str())
                        .or(subregion);
                    if Some(other) == municipality || Some(other) == sub {
                        RegionMatch::Local
                    } else if municipality.is_none() && !outside {
                        // Place unknown: a local offer may still fit, but less surely.
                        RegionMatch::Wide
                    } else {
                        RegionMatch::Elsewhere
                    }
                }
            };
            best = match (best, m) {
                (RegionMatch::Local, _) | (_, RegionMatch::Local) => RegionMatch::Local,
                (RegionMatch::Wide, _) | (_, RegionMatch::Wide) => RegionMatch::Wide,
                _ => RegionMatch::Elsewhere,
            };
        }
        best
    }

    /// Region ids that serve someone in `region` (a municipality, sub-region or wide region):
    /// the region itself and every wider one. Used for the search facet filter.
    pub fn regions_serving(&self, region: &str) -> Vec<String> {
        let mut out = vec![region.to_owned()];
        if let Some(m) = self.municipality(region) {
            out.push(m.subregion.clone());
        }
        let start = match region {
            "noord-nederland" => 1,
            "nederland" => 2,
            _ => 0,
        };
        for w in &WIDE_REGIONS[start..] {
            if !out.iter().any(|r| r == w) {
                out.push((*w).to_owned());
            }
        }
        out
    }

    /// Every place name (folded) mapped to its municipality id, for recognising places in text.
    pub fn place_index(&self) -> HashMap<String, String> {
        let mut out = HashMap::new();
        for m in &self.municipalities {
            out.insert(super::fold(&m.name), m.id.clone());
            for p in &m.places {
                out.insert(super::fold(p), m.id.clone());
            }
        }
        out
    }
}
