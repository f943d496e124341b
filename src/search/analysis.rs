//! Text analysis for Dutch, English and German: one tantivy analyzer per language (lowercase,
//! accent folding, stop words, Snowball stemming) and a Dutch/German compound splitter driven by
//! the knowledge base's own vocabulary.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language as StemLanguage, LowerCaser, RemoveLongFilter, SimpleTokenizer,
    Stemmer, StopWordFilter, TextAnalyzer,
};

use crate::domain::Language;
use crate::knowledge::{KnowledgeBase, fold, words};

/// The tokenizer name registered on the index for a language.
pub fn tokenizer_name(lang: Language) -> &'static str {
    lang.pick("wz_nl", "wz_en", "wz_de")
}

/// Builds the analyzer chain for one language.
pub fn analyzer(lang: Language) -> TextAnalyzer {
    let stem = lang.pick(
        StemLanguage::Dutch,
        StemLanguage::English,
        StemLanguage::German,
    );
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter);
    match StopWordFilter::new(stem) {
        Some(stop) => builder.filter(stop).filter(Stemmer::new(stem)).build(),
        None => builder.filter(Stemmer::new(stem)).build(),
    }
}

/// Runs a language's analyzer over text and returns the terms it emits.
pub fn analyze(analyzer: &TextAnalyzer, text: &str) -> Vec<String> {
    let mut a = analyzer.clone();
    let mut stream = a.token_stream(text);
    let mut out = Vec::new();
    while let Some(tok) = stream.next() {
        out.push(tok.text.clone());
    }
    out
}

/// Folded word → its analysed term, or None for a stop word.
type WordTerms = FxHashMap<Box<str>, Option<Box<str>>>;

/// The three analyzers, built once, with the analysed form of every word of a vocabulary.
#[derive(Clone)]
pub struct Analyzers {
    nl: TextAnalyzer,
    en: TextAnalyzer,
    de: TextAnalyzer,
    /// Per language: folded word → its term (None for a stop word). Analysis works word by word
    /// (the tokenizer splits where [`words`] does, and every filter sees one token), so looking a
    /// word up gives what the analyzer would; a question's words are mostly the knowledge base's
    /// own, and running the analyzer chain for each was a tenth of the cost of an answer.
    known: Arc<[WordTerms; 3]>,
}

impl Default for Analyzers {
    fn default() -> Self {
        Analyzers {
            nl: analyzer(Language::Nl),
            en: analyzer(Language::En),
            de: analyzer(Language::De),
            known: Arc::default(),
        }
    }
}

impl Analyzers {
    /// Analyzers that know the terms of `vocabulary` (folded words) in advance.
    pub fn with_vocabulary<'a>(vocabulary: impl IntoIterator<Item = &'a str>) -> Analyzers {
        let mut a = Analyzers::default();
        let mut known: [WordTerms; 3] = Default::default();
        for word in vocabulary {
            for lang in Language::ALL {
                let term = analyze(a.get(lang), word).into_iter().next();
                known[lang as usize].insert(word.into(), term.map(String::into_boxed_str));
            }
        }
        a.known = Arc::new(known);
        a
    }

    pub fn get(&self, lang: Language) -> &TextAnalyzer {
        lang.pick(&self.nl, &self.en, &self.de)
    }

    pub fn analyze(&self, lang: Language, text: &str) -> Vec<String> {
        let known = &self.known[lang as usize];
        if known.is_empty() {
            return analyze(self.get(lang), text);
        }
        let folded = fold(text);
        let mut out = Vec::new();
        for w in words(&folded) {
            match known.get(w) {
                Some(Some(term)) => out.push(term.to_string()),
                Some(None) => {}
                None => out.extend(analyze(self.get(lang), w)),
            }
        }
        out
    }
}

/// Splits compounds into words of the knowledge base's vocabulary
/// (opleidingssubsidie → opleiding + subsidie; energieinvesteringsaftrek → energie + investering +
/// aftrek). tantivy's own `SplitCompoundWords` replaces the compound by its parts and knows no
/// linking letters (the Dutch `s` in opleiding-s-subsidie), so we expand text ourselves and keep the
/// whole word beside its parts: an exact compound still scores above its parts.
#[derive(Debug, Clone, Default)]
pub struct Decompounder {
    vocab: HashSet<String>,
}

/// Every text of a knowledge base's offers and taxonomy words, folded, as one string.
pub fn knowledge_text(kb: &KnowledgeBase) -> String {
    let mut text = String::new();
    for o in &kb.offers {
        for s in [
            &o.name,
            &o.name_en,
            &o.summary.nl,
            &o.summary.en,
            &o.summary.de,
            &o.how_to_apply.nl,
            &o.body,
        ] {
            text.push_str(s);
            text.push(' ');
        }
        for k in &o.keywords {
            text.push_str(k);
            text.push(' ');
        }
    }
    let t = &kb.taxonomy;
    for term in t.themes.iter().chain(&t.audiences).chain(&t.stages) {
        for w in &term.words {
            text.push_str(w);
            text.push(' ');
        }
    }
    for group in &t.synonyms {
        for w in group {
            text.push_str(w);
            text.push(' ');
        }
    }
    fold(&text)
}

/// Parts shorter than this are not trusted (they would split ordinary words into noise).
const MIN_PART: usize = 3;
/// Words shorter than this are never split.
const MIN_COMPOUND: usize = 7;
const LINKS: [&str; 3] = ["s", "en", "e"];

impl Decompounder {
    pub fn from_words<'a>(words_iter: impl IntoIterator<Item = &'a str>) -> Decompounder {
        let vocab = words_iter
            .into_iter()
            .filter(|w| w.chars().count() >= MIN_PART && w.chars().all(char::is_alphabetic))
            .map(str::to_owned)
            .collect();
        Decompounder { vocab }
    }

    pub fn contains(&self, word: &str) -> bool {
        self.vocab.contains(word)
    }

    /// The parts of a folded word, or None when it is not a compound of known words.
    pub fn split(&self, word: &str) -> Option<Vec<String>> {
        if word.len() < MIN_COMPOUND || !word.is_ascii() {
            return None;
        }
        let parts = self.split_from(word, 0, 4)?;
        (parts.len() >= 2).then_some(parts)
    }

    /// Fewest-parts split of `word[start..]`, longest first part first.
    fn split_from(&self, word: &str, start: usize, budget: usize) -> Option<Vec<String>> {
        let rest = &word[start..];
        if self.vocab.contains(rest) && start > 0 {
            return Some(vec![rest.to_owned()]);
        }
        if budget <= 1 {
            return None;
        }
        let mut best: Option<Vec<String>> = None;
        for end in (start + MIN_PART..word.len()).rev() {
            let head = &word[start..end];
            if end - start == word.len() && start == 0 {
                continue;
            }
            if !self.vocab.contains(head) {
                continue;
            }
            let mut nexts = vec![end];
            for link in LINKS {
                if word[end..].starts_with(link) && end + link.len() < word.len() {
                    nexts.push(end + link.len());
                }
            }
            for next in nexts {
                if word.len() - next < MIN_PART {
                    continue;
                }
                if let Some(mut tail) = self.split_from(word, next, budget - 1) {
                    let mut parts = vec![head.to_owned()];
                    parts.append(&mut tail);
                    if best.as_ref().is_none_or(|b| parts.len() < b.len()) {
                        best = Some(parts);
                    }
                }
            }
            if best.as_ref().is_some_and(|b| b.len() == 2) {
                break;
            }
        }
        best
    }

    /// Folds text and appends the parts of each compound after it, ready for an analyzer.
    pub fn expand(&self, text: &str) -> String {
        self.expand_with(text, &mut HashMap::new())
    }

    /// As [`expand`](Self::expand), remembering each word's split in `cache`: building an index
    /// meets the same words thousands of times.
    pub fn expand_with(
        &self,
        text: &str,
        cache: &mut HashMap<String, Option<Vec<String>>>,
    ) -> String {
        let folded = fold(text);
        let mut out = String::with_capacity(folded.len() + 16);
        for w in words(&folded) {
            out.push_str(w);
            out.push(' ');
            let parts = match cache.get(w) {
                Some(p) => p,
                None => cache.entry(w.to_owned()).or_insert_with(|| self.split(w)),
            };
            if let Some(parts) = parts {
                for p in parts {
                    out.push_str(p);
                    out.push(' ');
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d() -> Decompounder {
        Decompounder::from_words([
            "opleiding",
            "subsidie",
            "energie",
            "investering",
            "aftrek",
            "mkb",
            "fonds",
            "slim",
            "regeling",
            "bakker",
        ])
    }

    #[test]
    fn compounds_split_with_linking_s() {
        assert_eq!(
            d().split("opleidingssubsidie").unwrap(),
            ["opleiding", "subsidie"]
        );
        assert_eq!(
            d().split("energieinvesteringsaftrek").unwrap(),
            ["energie", "investering", "aftrek"]
        );
        assert_eq!(d().split("mkbfonds").unwrap(), ["mkb", "fonds"]);
        assert_eq!(d().split("slimregeling").unwrap(), ["slim", "regeling"]);
    }

    #[test]
    fn ordinary_words_are_not_split() {
        assert_eq!(d().split("bakkerij"), None);
        assert_eq!(d().split("subsidie"), None);
        assert_eq!(d().split("ondernemer"), None);
    }

    #[test]
    fn expansion_keeps_the_compound() {
        assert_eq!(
            d().expand("Opleidingssubsidie!"),
            "opleidingssubsidie opleiding subsidie "
        );
    }

    #[test]
    fn analyzers_fold_stem_and_drop_stop_words() {
        let a = Analyzers::default();
        assert_eq!(
            a.analyze(Language::Nl, "de Financiële ondernemers"),
            ["financiel", "ondernemer"]
        );
        assert_eq!(
            a.analyze(Language::En, "the loans for starters"),
            ["loan", "starter"]
        );
        assert_eq!(a.analyze(Language::De, "die Förderungen"), ["forder"]);
    }

    #[test]
    fn known_words_analyse_as_the_analyzer_does() {
        let text = "Ik zoek financiering voor mijn bakkerij en de opleidingssubsidie; \
                    Förderung für kleine Unternehmen! I'm looking for grants, 2026, café-eigenaar";
        let plain = Analyzers::default();
        let folded = fold(text);
        // Every other word known in advance, the rest analysed as they come.
        let known: Vec<&str> = words(&folded).step_by(2).collect();
        let with = Analyzers::with_vocabulary(known);
        for lang in Language::ALL {
            assert_eq!(
                with.analyze(lang, text),
                plain.analyze(lang, text),
                "{lang:?}"
            );
        }
    }
}
