//! Understanding one message: language, themes, audiences, stages, place, amount, company size and
//! intent. Pure: the same text and lexicon always give the same understanding.

use std::sync::LazyLock;

use lingua::{LanguageDetector, LanguageDetectorBuilder};
use regex::Regex;
use serde::Serialize;

use crate::catalog::lexicon::{Analysed, Lexicon, Matches};
use crate::domain::Language;
use crate::knowledge::{Taxonomy, fold, words};
use crate::search::{Analyzers, Decompounder};

/// What the message asks for, beyond its topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// A business-support question.
    Support,
    /// Asks for a human adviser.
    Person,
    /// Not what Wegwijzer is for.
    OutOfScope,
}

#[derive(Debug, Clone, Serialize)]
pub struct Understanding {
    pub language: Language,
    /// Whether the language was read from the text (false: too short, fallen back).
    #[serde(skip)]
    pub language_sure: bool,
    pub themes: Matches,
    pub audiences: Matches,
    pub stages: Matches,
    pub municipality: Option<String>,
    pub subregion: Option<String>,
    /// Only places outside Drenthe were named.
    pub outside_drenthe: bool,
    /// "Drenthe" or "Drents" was named.
    pub mentions_drenthe: bool,
    pub amount_eur: Option<u64>,
    pub employees: Option<u32>,
    pub intent: Intent,
    /// Out of scope only because a topic list says so (not markup or an injection): semantic
    /// evidence may overrule it.
    #[serde(skip)]
    pub blocklisted: bool,
    pub asks_money: bool,
    /// The message talks about a business (a firm, a sector, customers, …) or a taxonomy term.
    pub business: bool,
    /// The share of the message that is only vague words.
    pub vagueness: f32,
    /// Content words that neither the knowledge base nor the taxonomy knows.
    pub unknown_words: Vec<String>,
    /// Number of content words (analysed, stop words dropped).
    pub content_words: usize,
    #[serde(skip)]
    pub analysed: Analysed,
}

static DETECTOR: LazyLock<LanguageDetector> = LazyLock::new(|| {
    LanguageDetectorBuilder::from_languages(&[
        lingua::Language::Dutch,
        lingua::Language::English,
        lingua::Language::German,
    ])
    .with_preloaded_language_models()
    .build()
});

/// Loads the language models now rather than on the first question.
pub fn warm_up() {
    LazyLock::force(&DETECTOR);
}

/// Small, frequent words that settle the language of short messages where n-grams cannot.
const MARKERS: &[(&str, Language)] = &[
    ("hilfe", Language::De),
    ("frage", Language::De),
    ("danke", Language::De),
    ("vraag", Language::Nl),
    ("hulp", Language::Nl),
    ("ik", Language::Nl),
    ("het", Language::Nl),
    ("een", Language::Nl),
    ("mijn", Language::Nl),
    ("voor", Language::Nl),
    ("welke", Language::Nl),
    ("hoe", Language::Nl),
    ("wat", Language::Nl),
    ("waar", Language::Nl),
    ("kan", Language::Nl),
    ("wil", Language::Nl),
    ("zijn", Language::Nl),
    ("bedrijf", Language::Nl),
    ("geen", Language::Nl),
    ("nodig", Language::Nl),
    ("bij", Language::Nl),
    ("ook", Language::Nl),
    ("niet", Language::Nl),
    ("graag", Language::Nl),
    ("vraagje", Language::Nl),
    ("the", Language::En),
    ("my", Language::En),
    ("i", Language::En),
    ("is", Language::En),
    ("for", Language::En),
    ("how", Language::En),
    ("what", Language::En),
    ("where", Language::En),
    ("can", Language::En),
    ("want", Language::En),
    ("need", Language::En),
    ("company", Language::En),
    ("business", Language::En),
    ("funding", Language::En),
    ("please", Language::En),
    ("help", Language::En),
    ("with", Language::En),
    ("grant", Language::En),
    ("someone", Language::En),
    ("tell", Language::En),
    ("ich", Language::De),
    ("und", Language::De),
    ("der", Language::De),
    ("die", Language::De),
    ("das", Language::De),
    ("mein", Language::De),
    ("meine", Language::De),
    ("wie", Language::De),
    ("nicht", Language::De),
    ("mir", Language::De),
    ("mich", Language::De),
    ("bitte", Language::De),
    ("ein", Language::De),
    ("einen", Language::De),
    ("wo", Language::De),
    ("gibt", Language::De),
    ("brauche", Language::De),
    ("unternehmen", Language::De),
    ("firma", Language::De),
    ("hallo", Language::Nl),
];

/// Detects nl, en or de. Short or ambiguous messages fall back to `fallback` (the conversation's
/// language, else Dutch).
pub fn detect_language(text: &str, fallback: Option<Language>) -> (Language, bool) {
    let folded = fold(text);
    let ws: Vec<&str> = words(&folded).collect();
    let mut votes = [0f64; 3];
    for w in &ws {
        for &(m, l) in MARKERS {
            if *w == m {
                votes[l as usize] += 1.0;
            }
        }
    }
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    // lingua adds at most 2.0 in all (its confidences sum to 1): a lead of more than 2.5 marker
    // words cannot be overturned or made unsure by it, so it need not run (it was a fifth of the
    // cost of answering).
    let mut by_markers = votes;
    by_markers.sort_by(|a, b| b.total_cmp(a));
    let decided = by_markers[0] - by_markers[1] > 2.5;
    if letters >= 12 && !decided {
        let values = DETECTOR.compute_language_confidence_values(text);
        for (lang, conf) in values {
            let l = match lang {
                lingua::Language::Dutch => Language::Nl,
                lingua::Language::English => Language::En,
                _ => Language::De,
            };
            votes[l as usize] += conf * 2.0;
        }
    }
    let mut best = 0;
    for i in 1..3 {
        if votes[i] > votes[best] {
            best = i;
        }
    }
    let mut sorted = votes;
    sorted.sort_by(|a, b| b.total_cmp(a));
    let sure = sorted[0] >= 0.9 && sorted[0] - sorted[1] >= 0.5;
    if !sure {
        return (fallback.unwrap_or(Language::Nl), false);
    }
    (Language::ALL[best], true)
}

static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        (?:€|eur(?:o)?\b)?\s*
        (?P<num>\d{1,3}(?:[.,\s]\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?)
        \s*
        (?P<unit>k\b|duizend|mille|tausend|thousand|miljoen|mln|million|millionen|mio|m\b)?
        \s*(?P<cur>€|euro|eur\b)?",
    )
    .expect("amount regex")
});

/// Finds an amount of money: "€ 80.000", "2 miljoen", "40k", "20.000 euro".
pub fn parse_amount(text: &str) -> Option<u64> {
    for c in AMOUNT.captures_iter(text) {
        let whole = c.get(0)?.as_str();
        let has_euro = whole.contains('€') || whole.to_lowercase().contains("eur");
        let unit = c.name("unit").map(|m| m.as_str().to_lowercase());
        if !has_euro && unit.is_none() {
            continue;
        }
        let raw = c.name("num")?.as_str();
        let value = parse_number(raw)?;
        let factor = match unit.as_deref() {
            Some("k" | "duizend" | "mille" | "tausend" | "thousand") => 1_000.0,
            Some("miljoen" | "mln" | "million" | "millionen" | "mio" | "m") => 1_000_000.0,
            _ => 1.0,
        };
        let eur = value * factor;
        if (100.0..1e11).contains(&eur) {
            return Some(eur.round() as u64);
        }
    }
    None
}

/// "20.000" and "20,000" are thousands; "2,5" and "2.5" are decimals.
fn parse_number(raw: &str) -> Option<f64> {
    let cleaned: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let groups: Vec<&str> = cleaned.split(['.', ',']).collect();
    if groups.len() > 1 && groups[1..].iter().all(|g| g.len() == 3) {
        return groups.concat().parse().ok();
    }
    if groups.len() == 2 {
        return format!("{}.{}", groups[0], groups[1]).parse().ok();
    }
    if groups.len() > 2 {
        // 1.250.000,50
        let (int, dec) = cleaned.rsplit_once(',')?;
        return format!("{}.{}", int.replace('.', ""), dec).parse().ok();
    }
    cleaned.parse().ok()
}

const NUMBER_WORDS: [(&str, u32); 24] = [
    ("een", 1),
    ("twee", 2),
    ("drie", 3),
    ("vier", 4),
    ("vijf", 5),
    ("zes", 6),
    ("zeven", 7),
    ("acht", 8),
    ("negen", 9),
    ("tien", 10),
    ("twaalf", 12),
    ("twintig", 20),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("ten", 10),
    ("zwei", 2),
    ("drei", 3),
    ("funf", 5),
    ("sechs", 6),
    ("zehn", 10),
];

const STAFF_WORDS: [&str; 12] = [
    "medewerkers",
    "werknemers",
    "mensen",
    "personeelsleden",
    "fte",
    "employees",
    "staff",
    "people",
    "mitarbeiter",
    "mitarbeitende",
    "beschaftigte",
    "angestellte",
];

/// Company size from "zes medewerkers", "12 employees", "5 Mitarbeiter".
pub fn parse_employees(folded_words: &[String]) -> Option<u32> {
    folded_words.windows(2).find_map(|w| {
        if !STAFF_WORDS.contains(&w[1].as_str()) {
            return None;
        }
        w[0].parse::<u32>().ok().or_else(|| {
            NUMBER_WORDS
                .iter()
                .find(|(n, _)| *n == w[0])
                .map(|(_, v)| *v)
        })
    })
}

static MARKUP_OR_SQL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        <\s*/?\s*(script|iframe|img|svg|object|embed|style|a|div|body|html)\b
        | \b(drop|truncate|alter)\s+table\b
        | \bunion\s+(all\s+)?select\b
        | \bselect\s+[\w*,\s]+\s+from\b
        | \binsert\s+into\b
        | \bdelete\s+from\b
        | '\s*or\s+'?\d+'?\s*=\s*'?\d+
        | ;\s*--
        | \{\{.*\}\}
        | javascript:",
    )
    .expect("markup regex")
});

/// Whether a message is markup or SQL rather than a question.
pub fn is_markup_or_sql(text: &str) -> bool {
    MARKUP_OR_SQL.is_match(text)
}

pub struct Understander<'a> {
    pub lexicon: &'a Lexicon,
    pub taxonomy: &'a Taxonomy,
    pub analyzers: &'a Analyzers,
    pub decompounder: &'a Decompounder,
}

impl Understander<'_> {
    pub fn understand(&self, text: &str, fallback: Option<Language>) -> Understanding {
        let (language, language_sure) = detect_language(text, fallback);
        let a = self
            .lexicon
            .analyse(text, language, self.analyzers, self.decompounder);
        let themes = self.lexicon.themes(&a);
        let audiences = self.lexicon.audiences(&a);
        let stages = self.lexicon.stages(&a);
        let (municipality, outside) = self.lexicon.place(&a.words);
        let subregion = municipality
            .as_deref()
            .and_then(|m| self.taxonomy.municipality(m))
            .map(|m| m.subregion.clone());
        let mentions_drenthe = a
            .words
            .iter()
            .any(|w| w == "drenthe" || w == "drents" || w == "drentse");
        let topical = !themes.is_empty() || !audiences.is_empty();
        let (intent, blocklisted) = self.intent(text, &a, topical);
        let content_words = a.terms[language as usize].len();
        let business = topical
            || !stages.is_empty()
            || self.lexicon.business(&a)
            || self.lexicon.asks_money(&a);
        Understanding {
            language,
            language_sure,
            amount_eur: parse_amount(text),
            employees: parse_employees(&a.words),
            // Naming a sum is asking for money as much as saying "loan".
            asks_money: self.lexicon.asks_money(&a) || parse_amount(text).is_some(),
            business,
            vagueness: self.lexicon.vague_share(&a),
            unknown_words: a.unknown.clone(),
            themes,
            audiences,
            stages,
            municipality,
            subregion,
            outside_drenthe: outside && !mentions_drenthe,
            mentions_drenthe,
            intent,
            blocklisted,
            content_words,
            analysed: a,
        }
    }

    /// What the message asks for, and whether a blocklisted topic decided it. Markup, SQL or an
    /// injection is out of scope before anything else, even when it asks for a person; a
    /// blocklisted topic is out of scope only when no theme or audience was recognised
    /// (`topical`): a business question that also mentions a blocklisted word stays support.
    fn intent(&self, text: &str, a: &Analysed, topical: bool) -> (Intent, bool) {
        let hostile = is_markup_or_sql(text) || self.lexicon.injection(a);
        let blocklisted = !hostile && self.lexicon.off_topic(a) > 0.0 && !topical;
        let intent = if hostile {
            Intent::OutOfScope
        } else if self.lexicon.wants_person(a) {
            Intent::Person
        } else if blocklisted {
            Intent::OutOfScope
        } else {
            Intent::Support
        };
        (intent, blocklisted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_the_usual_forms() {
        assert_eq!(
            parse_amount("ik zoek € 80.000 voor een machine"),
            Some(80_000)
        );
        assert_eq!(parse_amount("we need 2 miljoen"), Some(2_000_000));
        assert_eq!(parse_amount("about 40k"), Some(40_000));
        assert_eq!(parse_amount("zo'n 20.000 euro"), Some(20_000));
        assert_eq!(parse_amount("2,5 miljoen euro"), Some(2_500_000));
        assert_eq!(parse_amount("€15000"), Some(15_000));
        assert_eq!(parse_amount("in 2025 met zes medewerkers"), None);
        assert_eq!(parse_amount("zestig procent"), None);
    }

    #[test]
    fn company_size_from_words_and_digits() {
        let ws = |s: &str| words(&fold(s)).map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(parse_employees(&ws("wij hebben zes medewerkers")), Some(6));
        assert_eq!(parse_employees(&ws("we have 12 employees")), Some(12));
        assert_eq!(parse_employees(&ws("geen personeel")), None);
    }

    #[test]
    fn language_of_clear_sentences() {
        assert_eq!(
            detect_language("Waar kan ik gratis advies krijgen over mijn bedrijf?", None).0,
            Language::Nl
        );
        assert_eq!(
            detect_language("Where can I get free business advice?", None).0,
            Language::En
        );
        assert_eq!(
            detect_language("Ich brauche einen Kredit für meine Firma", None).0,
            Language::De
        );
    }

    #[test]
    fn short_messages_fall_back_to_the_conversation() {
        assert_eq!(
            detect_language("ok", Some(Language::De)),
            (Language::De, false)
        );
        assert_eq!(detect_language("wbso", None), (Language::Nl, false));
    }

    #[test]
    fn markup_and_sql_are_recognised() {
        assert!(is_markup_or_sql("' OR 1=1; DROP TABLE gaps; --"));
        assert!(is_markup_or_sql("<script>alert(1)</script>"));
        assert!(!is_markup_or_sql("Ik wil een bedrijf starten; wat nu?"));
    }
}
