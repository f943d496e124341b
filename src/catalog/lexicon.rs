//! The assistant's vocabulary, compiled once per knowledge snapshot: taxonomy words and intent
//! words as analysed patterns in each language, and place names. Matching a question against it
//! uses the same analysis as the search (folding, stemming, compounds) plus typo tolerance.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::domain::Language;
use crate::knowledge::{KnowledgeBase, fold, words};
use crate::search::{Analyzers, Decompounder};

/// A word or phrase, as the analysed terms of each language.
#[derive(Debug, Clone)]
struct Pattern {
    /// The word or phrase as written in the knowledge files, for explanations.
    source: String,
    /// The folded words as written: phrases whose words a stemmer would drop as stop words
    /// ("andere ondernemers", "zonder werk") must match word for word.
    words: Vec<String>,
    per_lang: [Vec<String>; 3],
    /// Phrases of several words are stronger evidence than a single word.
    weight: f32,
}

/// A set of patterns standing for one id (a theme, audience, stage or intent).
#[derive(Debug, Clone)]
pub struct Concept {
    pub id: String,
    patterns: Vec<Pattern>,
}

/// Concepts with their patterns indexed by the first word or term that any match needs, so a
/// message is checked only against the patterns its own words can reach instead of every pattern
/// of every concept (that scan was a seventh of the server's time under load). The index only
/// picks candidates: each is confirmed by the same test the scan used, so the result is the same.
#[derive(Debug, Clone, Default)]
pub struct ConceptSet {
    concepts: Vec<Concept>,
    /// Per concept: whether typos count (topics do; intent words are matched as written).
    fuzzy: Vec<bool>,
    /// A pattern's first folded word → (concept, pattern): word-for-word matches and compound
    /// heads (looked up by the endings of the message's words).
    by_word: FxHashMap<String, Vec<(u32, u32)>>,
    /// Per language, a pattern's first analysed term → (concept, pattern).
    by_term: [FxHashMap<String, Vec<(u32, u32)>>; 3],
    /// Per language, single-term patterns long enough for typo matching, by first letter (a typo
    /// match needs the first letter to agree).
    by_first_letter: [FxHashMap<char, Vec<(u32, u32)>>; 3],
}

impl ConceptSet {
    fn new(concepts: Vec<(Concept, bool)>) -> ConceptSet {
        let (concepts, fuzzy): (Vec<Concept>, Vec<bool>) = concepts.into_iter().unzip();
        let mut set = ConceptSet::default();
        for (ci, c) in concepts.iter().enumerate() {
            for (pi, p) in c.patterns.iter().enumerate() {
                let at = (ci as u32, pi as u32);
                if let Some(w) = p.words.first() {
                    set.by_word.entry(w.clone()).or_default().push(at);
                }
                for l in 0..3 {
                    if let Some(t) = p.per_lang[l].first() {
                        set.by_term[l].entry(t.clone()).or_default().push(at);
                    }
                    if fuzzy[ci]
                        && p.words.len() == 1
                        && let [t] = p.per_lang[l].as_slice()
                        && t.chars().count() >= FUZZY_MIN_CHARS
                        && let Some(first) = t.chars().next()
                    {
                        set.by_first_letter[l].entry(first).or_default().push(at);
                    }
                }
            }
        }
        set.concepts = concepts;
        set.fuzzy = fuzzy;
        set
    }

    /// Each concept's weight for a message: the sum of its matching patterns' weights, in
    /// pattern order (as the scan added them).
    fn weights(&self, a: &Analysed) -> Vec<f32> {
        let mut candidates: Vec<(u32, u32)> = Vec::new();
        let mut add = |hits: Option<&Vec<(u32, u32)>>| {
            if let Some(hits) = hits {
                candidates.extend_from_slice(hits);
            }
        };
        for w in &a.words {
            add(self.by_word.get(w));
            // Compound heads: every ending of six bytes or more after a first part of three.
            for (k, _) in w.char_indices() {
                if k >= 3 && w.len() - k >= 6 {
                    add(self.by_word.get(&w[k..]));
                }
            }
        }
        for (l, terms) in a.terms.iter().enumerate() {
            for t in terms {
                add(self.by_term[l].get(t));
            }
        }
        let l = a.language as usize;
        for t in &a.typo_candidates[l] {
            if let Some(first) = t.chars().next() {
                add(self.by_first_letter[l].get(&first));
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut weights = vec![0.0f32; self.concepts.len()];
        for (ci, pi) in candidates {
            let (ci, pi) = (ci as usize, pi as usize);
            let p = &self.concepts[ci].patterns[pi];
            if pattern_hit(p, a, self.fuzzy[ci]) {
                weights[ci] += p.weight;
            }
        }
        weights
    }
}

/// Where each list of concepts sits in the lexicon's one [`ConceptSet`].
#[derive(Debug, Clone)]
struct Layout {
    themes: Range<usize>,
    audiences: Range<usize>,
    stages: Range<usize>,
    handoff_people: usize,
    handoff_contact: usize,
    handoff_phrases: usize,
    oos_topics: usize,
    injection: usize,
    uncovered: usize,
    vague: usize,
    money: usize,
    business: usize,
    hiring: usize,
    training: usize,
}

/// Typo matching needs a pattern term of at least this many letters.
const FUZZY_MIN_CHARS: usize = 7;

/// The analysed form of a question, shared by every matcher.
#[derive(Debug, Clone)]
pub struct Analysed {
    /// Folded words as typed.
    pub words: Vec<String>,
    /// Per language: the analysed terms in order (stop words dropped), compound parts following
    /// their compound.
    pub terms: [Vec<String>; 3],
    /// Words that are neither in the knowledge vocabulary nor a place: typos or unknown needs.
    pub unknown: Vec<String>,
    /// The language the message was read in (typo matching happens only in that language).
    pub language: Language,
    /// Per language: the message's terms the knowledge base does not know, the only candidates
    /// for typo matching.
    typo_candidates: [Vec<String>; 3],
    /// The words and terms again as sets: every concept's every pattern is looked up in them,
    /// and a scan per pattern was most of the cost of understanding a message. Fx hashing, not
    /// the default SipHash, which was a seventh of the server's time under load. SipHash guards
    /// against keys picked to collide; here the keys are one message's words, bounded by the
    /// question's length limit, so the worst an attacker gets is a slow set of a few hundred.
    word_set: FxHashSet<String>,
    term_sets: [FxHashSet<String>; 3],
    longest_word: usize,
    /// The weight of every concept of the lexicon for this message (see [`Lexicon::analyse`]).
    weights: Vec<f32>,
}

impl Analysed {
    fn new(
        words: Vec<String>,
        terms: [Vec<String>; 3],
        unknown: Vec<String>,
        language: Language,
        typo_candidates: [Vec<String>; 3],
    ) -> Analysed {
        Analysed {
            word_set: words.iter().cloned().collect(),
            term_sets: terms.clone().map(|t| t.into_iter().collect()),
            longest_word: words.iter().map(String::len).max().unwrap_or(0),
            words,
            terms,
            unknown,
            language,
            typo_candidates,
            weights: Vec::new(),
        }
    }

    /// Whether the terms of `lang` hold `needle` in order (one term: a set lookup).
    fn has_terms(&self, lang: usize, needle: &[String]) -> bool {
        match needle {
            [] => false,
            [one] => self.term_sets[lang].contains(one),
            // A phrase: only scan when its every word is there at all.
            _ => {
                needle.iter().all(|t| self.term_sets[lang].contains(t))
                    && contains_seq(&self.terms[lang], needle)
            }
        }
    }

    fn has_words(&self, needle: &[String]) -> bool {
        match needle {
            [] => false,
            [one] => self.word_set.contains(one),
            _ => {
                needle.iter().all(|w| self.word_set.contains(w))
                    && contains_seq(&self.words, needle)
            }
        }
    }
}

pub struct Lexicon {
    /// Themes, audiences, stages and the intent word lists, matched in one pass per message
    /// (the weights are kept in [`Analysed`]).
    concepts: ConceptSet,
    layout: Layout,
    /// Per offer (by ord): which side of the staff theme it serves, read from its own words:
    /// positive for finding people, negative for training them, zero for both or neither.
    staff_side: Vec<f32>,
    /// Folded place name (words joined by a space) → municipality id.
    places: HashMap<String, String>,
    outside: HashSet<String>,
    /// The longest place name in words, to bound the n-gram scan.
    max_place_words: usize,
    /// Every analysed term the knowledge base knows, per language, for typo matching.
    known_terms: [HashSet<String>; 3],
    /// Per language: the vague words that are a single term (see [`Lexicon::vague_share`]).
    vague_terms: [FxHashSet<String>; 3],
    /// Per offer (by ord): the distinctive terms of its names with their weight (idf); terms in
    /// many names ("subsidie", "drenthe") weigh nothing.
    names: Vec<Vec<Vec<(String, f32)>>>,
    /// The weight of a name term found in at most two offers' names.
    unique_name_weight: f32,
}

/// How strongly a set of concepts matched: id → weight.
pub type Matches = Vec<(String, f32)>;

impl Lexicon {
    /// Compiles the vocabulary of one knowledge snapshot: the place tables, the staff side of
    /// every offer, every concept in one [`ConceptSet`] and the offers' distinctive name terms.
    pub fn build(
        kb: &KnowledgeBase,
        analyzers: &Analyzers,
        decompounder: &Decompounder,
    ) -> Lexicon {
        let i = &kb.intents;
        let (places, outside, max_place_words) = place_tables(&kb.taxonomy);
        let hiring_c = concept(analyzers, "hiring", &i.staff.hiring);
        let training_c = concept(analyzers, "training", &i.staff.training);
        // Read before the two concepts move into the concept set.
        let staff_side = staff_sides(kb, &hiring_c, &training_c, analyzers, decompounder);
        let (all, layout) = concept_list(kb, analyzers, hiring_c, training_c);
        let concepts = ConceptSet::new(all);
        let vague_terms = single_term_vague(&concepts, &layout);
        let n = kb.offers.len().max(1) as f32;
        Lexicon {
            names: offer_names(kb, analyzers, decompounder),
            unique_name_weight: (n / 2.0).ln() - 1e-3,
            concepts,
            vague_terms,
            layout,
            staff_side,
            places,
            outside,
            max_place_words,
            known_terms: known_terms(kb, analyzers, decompounder),
        }
    }

    pub fn analyse(
        &self,
        text: &str,
        language: Language,
        analyzers: &Analyzers,
        decompounder: &Decompounder,
    ) -> Analysed {
        let folded = fold(text);
        let ws: Vec<String> = words(&folded).map(str::to_owned).collect();
        let expanded = decompounder.expand(text);
        let terms = Language::ALL.map(|l| analyzers.analyze(l, &expanded));
        let place_words = self.place_words(&ws);
        let unknown = ws
            .iter()
            .filter(|w| w.len() >= 4 && !w.chars().all(|c| c.is_ascii_digit()))
            .filter(|w| !place_words.contains(*w))
            .filter(|w| decompounder.split(w).is_none())
            .filter(|w| {
                Language::ALL.iter().all(|&l| {
                    let t = analyzers.analyze(l, w);
                    !t.is_empty() && t.iter().all(|t| !self.known_terms[l as usize].contains(t))
                })
            })
            .cloned()
            .collect();
        let typo_candidates = Language::ALL.map(|l| {
            terms[l as usize]
                .iter()
                .filter(|t| {
                    t.chars().count() >= 6 && self.known_terms.iter().all(|k| !k.contains(*t))
                })
                .cloned()
                .collect()
        });
        let mut a = Analysed::new(ws, terms, unknown, language, typo_candidates);
        a.weights = self.concepts.weights(&a);
        a
    }

    /// Words that are part of a recognised place name.
    fn place_words(&self, ws: &[String]) -> HashSet<String> {
        let mut out = HashSet::new();
        for n in 1..=self.max_place_words {
            for win in ws.windows(n) {
                let key = win.join(" ");
                if self.places.contains_key(&key) || self.outside.contains(&key) {
                    out.extend(win.iter().cloned());
                }
            }
        }
        out
    }

    /// How much of an offer's distinctive name the message contains (0..1): "asks for it by name".
    pub fn name_match(&self, ord: usize, a: &Analysed) -> f32 {
        let Some(variants) = self.names.get(ord) else {
            return 0.0;
        };
        let nl = &a.terms[Language::Nl as usize];
        variants
            .iter()
            .map(|terms| {
                let total: f32 = terms.iter().map(|(_, w)| w).sum();
                let hits: Vec<f32> = terms
                    .iter()
                    .filter(|(t, _)| nl.contains(t))
                    .map(|(_, w)| *w)
                    .collect();
                let mut share = if total > 0.0 {
                    hits.iter().sum::<f32>() / total
                } else {
                    0.0
                };
                // One shared word ("fund" is in three names) does not name an offer; one word
                // unique to it ("wbso", "edih", "qredits") does.
                if hits.len() == 1 && hits[0] < self.unique_name_weight {
                    share *= 0.5;
                }
                share
            })
            .fold(0.0, f32::max)
    }

    /// Which words of which concept matched, for `wegwijzer ask --explain`.
    pub fn explain(&self, a: &Analysed) -> Vec<String> {
        let all = &self.concepts.concepts;
        let l = &self.layout;
        let groups: [(&str, &[Concept]); 3] = [
            ("theme", &all[l.themes.clone()]),
            ("audience", &all[l.audiences.clone()]),
            ("stage", &all[l.stages.clone()]),
        ];
        let mut out = Vec::new();
        for (kind, concepts) in groups {
            for c in concepts {
                for p in &c.patterns {
                    let one = Concept {
                        id: c.id.clone(),
                        patterns: vec![p.clone()],
                    };
                    if concept_weight(&one, a, true) > 0.0 {
                        out.push(format!("{kind} {} <- \"{}\"", c.id, p.source));
                    }
                }
            }
        }
        for (name, i) in [
            ("handoff-people", l.handoff_people),
            ("handoff-contact", l.handoff_contact),
            ("out-of-scope", l.oos_topics),
            ("uncovered", l.uncovered),
            ("vague", l.vague),
            ("money", l.money),
        ] {
            let c = &all[i];
            for p in &c.patterns {
                let one = Concept {
                    id: c.id.clone(),
                    patterns: vec![p.clone()],
                };
                if concept_weight(&one, a, false) > 0.0 {
                    out.push(format!("{name} <- \"{}\"", p.source));
                }
            }
        }
        for ord in 0..self.names.len() {
            let m = self.name_match(ord, a);
            if m > 0.0 {
                out.push(format!("names offer #{ord} {m:.2}"));
            }
        }
        out.push(format!("unknown words: {:?}", a.unknown));
        out
    }

    fn matches(&self, range: Range<usize>, a: &Analysed) -> Matches {
        let mut out: Matches = self.concepts.concepts[range.clone()]
            .iter()
            .zip(&a.weights[range])
            .filter(|(_, w)| **w > 0.0)
            .map(|(c, w)| (c.id.clone(), *w))
            .collect();
        out.sort_by(|x, y| y.1.total_cmp(&x.1));
        out
    }

    pub fn themes(&self, a: &Analysed) -> Matches {
        self.matches(self.layout.themes.clone(), a)
    }
    pub fn audiences(&self, a: &Analysed) -> Matches {
        self.matches(self.layout.audiences.clone(), a)
    }
    pub fn stages(&self, a: &Analysed) -> Matches {
        self.matches(self.layout.stages.clone(), a)
    }

    pub fn wants_person(&self, a: &Analysed) -> bool {
        let l = &self.layout;
        a.weights[l.handoff_phrases] > 0.0
            || (a.weights[l.handoff_people] > 0.0 && a.weights[l.handoff_contact] > 0.0)
    }
    pub fn off_topic(&self, a: &Analysed) -> f32 {
        a.weights[self.layout.oos_topics]
    }
    /// The message is about a need no offer serves (`[uncovered]` in intents.toml).
    pub fn uncovered(&self, a: &Analysed) -> bool {
        a.weights[self.layout.uncovered] > 0.0
    }
    pub fn injection(&self, a: &Analysed) -> bool {
        a.weights[self.layout.injection] > 0.0
    }
    /// The side of the staff theme a message is on: positive for hiring, negative for training.
    pub fn staff_need(&self, a: &Analysed) -> f32 {
        let h = a.weights[self.layout.hiring];
        let t = a.weights[self.layout.training];
        if h + t == 0.0 { 0.0 } else { (h - t) / (h + t) }
    }

    /// The side of the staff theme an offer serves (see `staff_side`).
    pub fn staff_side(&self, ord: usize) -> f32 {
        self.staff_side.get(ord).copied().unwrap_or(0.0)
    }

    /// Dutch analysis of a knowledge text, for reading offers with the intent word lists.
    fn analyse_plain(text: &str, analyzers: &Analyzers, decompounder: &Decompounder) -> Analysed {
        let folded = fold(text);
        let ws: Vec<String> = words(&folded).map(str::to_owned).collect();
        let expanded = decompounder.expand(text);
        let terms = Language::ALL.map(|l| {
            if l == Language::Nl {
                analyzers.analyze(l, &expanded)
            } else {
                Vec::new()
            }
        });
        Analysed::new(ws, terms, Vec::new(), Language::Nl, Default::default())
    }

    /// Whether the message talks about a business at all (a firm, customers, a sector, …).
    pub fn business(&self, a: &Analysed) -> bool {
        a.weights[self.layout.business] > 0.0
    }

    pub fn asks_money(&self, a: &Analysed) -> bool {
        a.weights[self.layout.money] > 0.0
    }
    /// The share of a message's terms that are only vague words (greetings, "help", "subsidie").
    pub fn vague_share(&self, a: &Analysed) -> f32 {
        let l = a.language as usize;
        let terms = &a.terms[l];
        if terms.is_empty() {
            return 1.0;
        }
        let vague = &self.vague_terms[l];
        terms.iter().filter(|t| vague.contains(t.as_str())).count() as f32 / terms.len() as f32
    }

    /// The municipality named in the words, or whether only places outside Drenthe are named.
    /// Drenthe places win over outside ones ("Nieuw-Amsterdam" is in Emmen). A place inside a
    /// person's name ("Jan de Vries", "mevrouw Annen") does not count, and a municipality named as
    /// such ("gemeente Emmen") or after a preposition of place ("uit Emmen") beats a bare one.
    pub fn place(&self, ws: &[String]) -> (Option<String>, bool) {
        let mut outside = false;
        let mut best: Option<(PlaceCue, usize, &String)> = None;
        for n in (1..=self.max_place_words).rev() {
            for (i, win) in ws.windows(n).enumerate() {
                let cue = place_cue(ws, i);
                if cue == PlaceCue::InName {
                    continue;
                }
                let key = win.join(" ");
                if let Some(id) = self.places.get(&key) {
                    if best.is_none_or(|(c, len, _)| (cue, n) > (c, len)) {
                        best = Some((cue, n, id));
                    }
                } else if self.outside.contains(&key) {
                    outside = true;
                }
            }
        }
        match best {
            Some((_, _, id)) => (Some(id.clone()), false),
            None => (None, outside),
        }
    }
}

fn pattern(analyzers: &Analyzers, text: &str) -> Pattern {
    let expanded = fold(text);
    let per_lang = Language::ALL.map(|l| analyzers.analyze(l, &expanded));
    let n = words(&expanded).count();
    Pattern {
        source: text.to_owned(),
        words: words(&expanded).map(str::to_owned).collect(),
        per_lang,
        weight: if n > 1 { 1.5 } else { 1.0 },
    }
}

/// Every concept the lexicon matches, as one list for one [`ConceptSet`], and where each group
/// sits in it. Topics (themes, audiences, stages) come first, with typo tolerance; then the
/// intent word lists without it, except the money and business words, where a typo still says
/// what the message is about. The staff concepts are made by the caller, which reads them first.
fn concept_list(
    kb: &KnowledgeBase,
    analyzers: &Analyzers,
    hiring_c: Concept,
    training_c: Concept,
) -> (Vec<(Concept, bool)>, Layout) {
    let concept = |id: &str, ws: &[String]| concept(analyzers, id, ws);
    let t = &kb.taxonomy;
    let i = &kb.intents;
    let mut all: Vec<(Concept, bool)> = Vec::new();
    let mut group = |concepts: Vec<Concept>, fuzzy: bool| -> Range<usize> {
        let start = all.len();
        all.extend(concepts.into_iter().map(|c| (c, fuzzy)));
        start..all.len()
    };
    let themes = group(term_concepts(analyzers, &t.themes), true);
    let audiences = group(term_concepts(analyzers, &t.audiences), true);
    let stages = group(term_concepts(analyzers, &t.stages), true);
    let mut one = |c: Concept, fuzzy: bool| group(vec![c], fuzzy).start;
    let layout = Layout {
        themes,
        audiences,
        stages,
        handoff_people: one(concept("people", &i.handoff.people), false),
        handoff_contact: one(concept("contact", &i.handoff.contact), false),
        handoff_phrases: one(concept("phrases", &i.handoff.phrases), false),
        oos_topics: one(concept("topics", &i.out_of_scope.topics), false),
        injection: one(concept("injection", &i.out_of_scope.injection), false),
        uncovered: one(concept("uncovered", &i.uncovered.words), false),
        vague: one(concept("vague", &i.vague.words), false),
        money: one(concept("money", &i.money.words), true),
        business: one(concept("business", &i.business.words), true),
        hiring: one(hiring_c, false),
        training: one(training_c, false),
    };
    (all, layout)
}

/// One concept per taxonomy term (a theme, audience or stage): its own words plus its label in
/// each language, so that naming the label counts as much as any listed word.
fn term_concepts(analyzers: &Analyzers, list: &[crate::knowledge::Term]) -> Vec<Concept> {
    list.iter()
        .map(|term| {
            let mut ws = term.words.clone();
            ws.push(term.label.nl.clone());
            ws.push(term.label.en.clone());
            ws.push(term.label.de.clone());
            concept(analyzers, &term.id, &ws)
        })
        .collect()
}

/// Per language, the vague words that analyse to a single term, kept apart for
/// [`Lexicon::vague_share`].
fn single_term_vague(concepts: &ConceptSet, layout: &Layout) -> [FxHashSet<String>; 3] {
    Language::ALL.map(|l| {
        let l = l as usize;
        concepts.concepts[layout.vague]
            .patterns
            .iter()
            .filter(|p| p.per_lang[l].len() == 1)
            .map(|p| p.per_lang[l][0].clone())
            .collect()
    })
}

fn concept(analyzers: &Analyzers, id: &str, ws: &[String]) -> Concept {
    Concept {
        id: id.to_owned(),
        patterns: ws
            .iter()
            .map(|w| pattern(analyzers, w))
            // Stop words ("iemand", "jemand") analyse to nothing; they still match word for word.
            .filter(|p| !p.words.is_empty())
            .collect(),
    }
}

/// Place names (folded, word for word) → municipality, the places outside Drenthe, and the
/// longest name in words.
fn place_tables(
    t: &crate::knowledge::Taxonomy,
) -> (HashMap<String, String>, HashSet<String>, usize) {
    let mut places = HashMap::new();
    let mut max_place_words = 1;
    for (name, id) in t.place_index() {
        let key = words(&name).collect::<Vec<_>>().join(" ");
        max_place_words = max_place_words.max(key.split(' ').count());
        places.insert(key, id);
    }
    let outside: HashSet<String> = t
        .outside_places
        .iter()
        .map(|p| words(&fold(p)).collect::<Vec<_>>().join(" "))
        .collect();
    for p in &outside {
        max_place_words = max_place_words.max(p.split(' ').count());
    }
    (places, outside, max_place_words)
}

/// Every term the knowledge base uses, per language, so a correctly spelled word is never
/// "corrected".
fn known_terms(
    kb: &KnowledgeBase,
    analyzers: &Analyzers,
    decompounder: &Decompounder,
) -> [HashSet<String>; 3] {
    let mut vocab_text = String::new();
    for o in &kb.offers {
        vocab_text.push_str(&format!(
            "{} {} {} {} {} {} {} ",
            o.name, o.name_en, o.summary.nl, o.summary.en, o.summary.de, o.body, o.provider
        ));
        vocab_text.push_str(&o.keywords.join(" "));
        vocab_text.push(' ');
    }
    let t = &kb.taxonomy;
    for term in t.themes.iter().chain(&t.audiences).chain(&t.stages) {
        vocab_text.push_str(&term.words.join(" "));
        vocab_text.push(' ');
    }
    let vocab_text = decompounder.expand(&vocab_text);
    Language::ALL.map(|l| analyzers.analyze(l, &vocab_text).into_iter().collect())
}

/// Per offer, each name variant (Dutch, English, German, id) as its distinctive terms with their
/// weights: the offer is named when any one variant is mostly present.
fn offer_names(
    kb: &KnowledgeBase,
    analyzers: &Analyzers,
    decompounder: &Decompounder,
) -> Vec<Vec<Vec<(String, f32)>>> {
    let variants: Vec<Vec<HashSet<String>>> = kb
        .offers
        .iter()
        .map(|o| {
            let id_words = o.id.as_str().replace('-', " ");
            [
                Some(o.name.as_str()),
                Some(o.name_en.as_str()),
                o.name_de.as_deref(),
                Some(id_words.as_str()),
            ]
            .into_iter()
            .flatten()
            .map(|text| {
                analyzers
                    .analyze(Language::Nl, &decompounder.expand(text))
                    .into_iter()
                    .filter(|t| t.len() >= 3)
                    .collect::<HashSet<String>>()
            })
            .collect()
        })
        .collect();
    let mut df: HashMap<String, usize> = HashMap::new();
    for offer in &variants {
        let all: HashSet<&String> = offer.iter().flatten().collect();
        for t in all {
            *df.entry(t.clone()).or_default() += 1;
        }
    }
    let n = kb.offers.len().max(1) as f32;
    variants
        .iter()
        .map(|offer| {
            offer
                .iter()
                .map(|set| {
                    set.iter()
                        .filter_map(|t| {
                            let d = df[t] as f32;
                            (d / n <= 0.12).then(|| (t.clone(), (n / d).ln()))
                        })
                        .collect::<Vec<_>>()
                })
                .filter(|v| !v.is_empty())
                .collect()
        })
        .collect()
}

/// Each offer's side of the staff theme: +1 finding people, -1 training them.
fn staff_sides(
    kb: &KnowledgeBase,
    hiring: &Concept,
    training: &Concept,
    analyzers: &Analyzers,
    decompounder: &Decompounder,
) -> Vec<f32> {
    kb.offers
        .iter()
        .map(|o| {
            let text = format!("{} {} {}", o.name, o.summary.nl, o.keywords.join(" . "));
            let a = Lexicon::analyse_plain(&text, analyzers, decompounder);
            let h = concept_weight_static(hiring, &a);
            let t = concept_weight_static(training, &a);
            if h + t == 0.0 { 0.0 } else { (h - t) / (h + t) }
        })
        .collect()
}

/// How a place name is introduced, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PlaceCue {
    /// After a surname particle or a title: part of a person's name.
    InName,
    Bare,
    /// After a preposition of place: "in", "uit", "from", "aus".
    Located,
    /// Named as a municipality: "gemeente Emmen".
    Municipality,
}

/// Words that make the next word part of a name: surname particles and titles.
const NAME_LEADS: [&str; 22] = [
    "de", "van", "der", "den", "ter", "ten", "te", "von", "vom", "zu", "meneer", "mevrouw", "dhr",
    "mevr", "mr", "mrs", "ms", "herr", "frau", "dr", "heer", "familie",
];
/// Prepositions of place: "in de Wijk" is a village, not a name.
const LOCATIVES: [&str; 19] = [
    "in", "uit", "bij", "nabij", "rond", "omgeving", "regio", "naar", "from", "near", "around",
    "at", "to", "aus", "bei", "nahe", "nach", "im", "um",
];
const MUNICIPALITY_WORDS: [&str; 5] = ["gemeente", "municipality", "gemeinde", "township", "gem"];

fn place_cue(ws: &[String], start: usize) -> PlaceCue {
    let before = |k: usize| start.checked_sub(k).map(|j| ws[j].as_str());
    match before(1) {
        Some(w) if MUNICIPALITY_WORDS.contains(&w) => PlaceCue::Municipality,
        Some(w) if LOCATIVES.contains(&w) => PlaceCue::Located,
        // "te" before a place is locative ("te Assen") unless a name particle precedes it.
        Some(w) if NAME_LEADS.contains(&w) => match before(2) {
            Some(l) if LOCATIVES.contains(&l) || MUNICIPALITY_WORDS.contains(&l) => {
                PlaceCue::Located
            }
            None if w == "te" => PlaceCue::Located,
            _ if w == "te" && !before(2).is_some_and(|p| NAME_LEADS.contains(&p)) => {
                PlaceCue::Located
            }
            _ => PlaceCue::InName,
        },
        _ => PlaceCue::Bare,
    }
}

/// The weight with which a concept matches, by testing every pattern: for explanations; answering
/// goes through `ConceptSet::weights`, which tests only the patterns a message can reach.
fn concept_weight(c: &Concept, a: &Analysed, fuzzy: bool) -> f32 {
    c.patterns
        .iter()
        .filter(|p| pattern_hit(p, a, fuzzy))
        .map(|p| p.weight)
        .sum()
}

fn pattern_hit(p: &Pattern, a: &Analysed, fuzzy: bool) -> bool {
    if p.words.len() > 1 {
        // Phrases: word for word, or stem for stem when the stemmer kept every word.
        if a.has_words(&p.words) {
            return true;
        }
        return Language::ALL.iter().any(|&l| {
            let i = l as usize;
            p.per_lang[i].len() == p.words.len() && a.has_terms(i, &p.per_lang[i])
        });
    }
    // Single words: stem for stem in the message's language, otherwise only word for word:
    // another language's stemmer conflates unrelated words (German strips "-er", so "koper"
    // and "kopen" meet; Dutch strips "-e", so "messe" becomes "mes").
    let lang = a.language as usize;
    if a.has_terms(lang, &p.per_lang[lang]) || a.has_words(&p.words) || head_hit(a, &p.words[0]) {
        return true;
    }
    // Typos: only in the message's own language, so another language's stemmer cannot
    // manufacture a near-miss.
    fuzzy
        && p.per_lang[lang].len() == 1
        && fuzzy_hit(&a.typo_candidates[lang], &p.per_lang[lang][0])
}

/// Dutch and German compounds end in the word that carries their meaning: "mikrokredit" is
/// a kind of "kredit", "opleidingssubsidie" a kind of "subsidie". A word ending in a pattern
/// word of six letters or more, after a first part of three or more, matches it.
fn head_hit(a: &Analysed, head: &str) -> bool {
    head.len() >= 6
        && a.longest_word >= head.len() + 3
        && a.words.iter().any(|w| {
            w.len() >= head.len() + 3
                && w.ends_with(head)
                && w.is_char_boundary(w.len() - head.len())
        })
}

/// A question term within edit distance of a pattern term, when the question term is not a
/// word the knowledge base knows in any language (so "exporteren" never drifts to "exporteur").
/// Distance 1 from 7 letters, 2 from 10; the first letter must agree, as typos there are rare
/// and such near-misses are usually other words ("zestig" is not "vestig").
fn fuzzy_hit(candidates: &[String], pattern: &str) -> bool {
    let n = pattern.chars().count();
    if n < FUZZY_MIN_CHARS || candidates.is_empty() {
        return false;
    }
    let max = if n >= 10 { 2 } else { 1 };
    candidates.iter().any(|t| {
        t.chars().next() == pattern.chars().next()
            && t.len().abs_diff(pattern.len()) <= max
            && strsim::damerau_levenshtein(t, pattern) <= max
    })
}

/// Concept matching without typo tolerance and without a lexicon (used while building one).
fn concept_weight_static(c: &Concept, a: &Analysed) -> f32 {
    let l = a.language as usize;
    c.patterns
        .iter()
        .filter(|p| a.has_words(&p.words) || (p.words.len() == 1 && a.has_terms(l, &p.per_lang[l])))
        .map(|p| p.weight)
        .sum()
}

fn contains_seq(hay: &[String], needle: &[String]) -> bool {
    if needle.is_empty() || needle.len() > hay.len() {
        return false;
    }
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    /// The index of first words and terms only picks candidates: on real messages (with typos,
    /// compounds, phrases and every language) it must give each concept exactly the weight that
    /// testing every pattern gives.
    #[test]
    fn indexed_matching_equals_the_full_scan() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        let (catalog, _) = Catalog::load(&dir).expect("the knowledge base loads");
        let lex = &catalog.lexicon;
        let questions = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/routing-questions.tsv"),
        )
        .unwrap();
        let mut messages: Vec<String> = questions
            .lines()
            .skip(1)
            .filter_map(|l| l.split('\t').nth(4).map(str::to_owned))
            .collect();
        // Typo'd variants: two letters swapped in every long word.
        let swapped: Vec<String> = messages
            .iter()
            .map(|q| {
                q.split(' ')
                    .map(|w| {
                        let c: Vec<char> = w.chars().collect();
                        if c.len() >= 7 {
                            let mut c = c.clone();
                            c.swap(2, 3);
                            c.into_iter().collect()
                        } else {
                            w.to_owned()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        messages.extend(swapped);
        assert!(messages.len() > 100);
        let mut hits = 0;
        for m in &messages {
            for language in Language::ALL {
                let a = lex.analyse(
                    m,
                    language,
                    catalog.index.analyzers(),
                    catalog.index.decompounder(),
                );
                for (ci, c) in lex.concepts.concepts.iter().enumerate() {
                    let scanned = concept_weight(c, &a, lex.concepts.fuzzy[ci]);
                    assert_eq!(
                        a.weights[ci], scanned,
                        "{} in {m:?} read as {language:?}",
                        c.id
                    );
                    hits += usize::from(scanned > 0.0);
                }
            }
        }
        // The comparison is about matches, not only about zeros.
        assert!(hits > messages.len(), "only {hits} matches");
    }

    #[test]
    fn a_place_inside_a_name_does_not_count_and_a_named_municipality_wins() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        let (catalog, _) = Catalog::load(&dir).expect("the knowledge base loads");
        let lex = &catalog.lexicon;
        let place = |s: &str| {
            let folded = fold(s);
            let ws: Vec<String> = words(&folded).map(str::to_owned).collect();
            lex.place(&ws).0
        };
        // Vries is a village in Tynaarlo; here it is a surname.
        assert_eq!(
            place("ik ben Jan de Vries en heb een bakkerij").as_deref(),
            None
        );
        assert_eq!(
            place("Met Jan de Vries, ik heb een winkel in Emmen").as_deref(),
            Some("emmen")
        );
        assert_eq!(
            place("mevrouw Annen belde namens gemeente Emmen").as_deref(),
            Some("emmen")
        );
        // Without a name around it, the village still is one.
        assert_eq!(place("mijn zaak zit in Vries").as_deref(), Some("tynaarlo"));
    }
}
