use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rustc_hash::FxHashSet;
use serde::Serialize;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query,
    TermQuery,
};
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, Schema,
    TextFieldIndexing, TextOptions,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, TantivyDocument, Term, doc};

use super::analysis::{Analyzers, Decompounder, knowledge_text, tokenizer_name};
use super::typos::Vocabulary;
use crate::domain::{Kind, Language, Status};
use crate::knowledge::{KnowledgeBase, Offer, fold, words};

/// One documented field per purpose, so no code looks fields up by name.
#[derive(Clone, Copy)]
struct Fields {
    /// Position of the offer in `KnowledgeBase::offers`.
    ord: Field,
    /// Names (nl, en, de) and the id: the strongest signal.
    name: [Field; 3],
    /// Summaries in all languages, keywords and provider.
    about: [Field; 3],
    /// Body, how-to-apply texts and contact.
    body: [Field; 3],
    /// Dutch summary and body as written, stored for snippets.
    snippet: Field,
    /// `/theme/x`, `/audience/x`, `/stage/x`, `/region/x`, `/kind/x`, `/status/x`.
    facets: Field,
}

const NAME_BOOST: f32 = 3.0;
const ABOUT_BOOST: f32 = 2.0;
const BODY_BOOST: f32 = 1.0;
/// Typo matches get a flat score (as tantivy's fuzzy query gives), so they are weighted well below
/// an exact term.
const FUZZY_BOOST: f32 = 0.35;
/// Synonyms count less than the word typed, so a synonym group cannot outweigh the literal match.
const SYNONYM_BOOST: f32 = 0.5;

/// The filters of a search: each is an id from the taxonomy (or a kind / status).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub theme: Option<String>,
    pub audience: Option<String>,
    pub stage: Option<String>,
    /// A municipality, sub-region or wide region: matches offers serving it.
    pub region: Option<String>,
    pub kind: Option<Kind>,
    pub status: Option<Status>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Index into `KnowledgeBase::offers`.
    #[serde(skip)]
    pub ord: usize,
    pub score: f32,
    /// HTML with matches in `<b>`; text is escaped.
    pub snippet: String,
}

/// Facet name → value → count, over all documents matching the query and filters.
pub type FacetCounts = BTreeMap<String, BTreeMap<String, u64>>;

#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    pub hits: Vec<Hit>,
    pub total: usize,
    pub facets: FacetCounts,
}

/// The index over one knowledge base snapshot. Built whole and replaced whole on reload.
pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
    analyzers: Analyzers,
    decompounder: Decompounder,
    /// Folded word → the other words of its synonym groups.
    synonyms: HashMap<String, Vec<String>>,
    /// Per language, the terms of the `about` field, for typo tolerance.
    typo_vocabulary: [Vocabulary; 3],
    /// Per field (name, about, body) and language, the terms it holds: a query leaves out the
    /// terms a field does not have. They could match nothing, but each would still cost a term
    /// lookup for its weight and another for its scorer, and most words of a question are not in
    /// most fields.
    field_terms: [[FxHashSet<Box<str>>; 3]; 3],
}

const FACET_ROOTS: [&str; 6] = ["theme", "audience", "stage", "region", "kind", "status"];

impl SearchIndex {
    pub fn build(kb: &KnowledgeBase) -> tantivy::Result<SearchIndex> {
        let knowledge = knowledge_text(kb);
        let vocabulary: FxHashSet<&str> = words(&knowledge).collect();
        let analyzers = Analyzers::with_vocabulary(vocabulary);
        let mut sb = Schema::builder();
        let text = |lang: Language| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer_name(lang))
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
        };
        let per_lang = |sb: &mut tantivy::schema::SchemaBuilder, base: &str| {
            Language::ALL.map(|l| sb.add_text_field(&format!("{base}_{}", l.code()), text(l)))
        };
        let ord = sb.add_u64_field("ord", STORED | FAST | INDEXED);
        let name = per_lang(&mut sb, "name");
        let about = per_lang(&mut sb, "about");
        let body = per_lang(&mut sb, "body");
        let snippet = sb.add_text_field("snippet", text(Language::Nl).set_stored());
        let facets = sb.add_facet_field("facets", FacetOptions::default());
        let fields = Fields {
            ord,
            name,
            about,
            body,
            snippet,
            facets,
        };
        let index = Index::create_in_ram(sb.build());
        for lang in Language::ALL {
            index
                .tokenizers()
                .register(tokenizer_name(lang), analyzers.get(lang).clone());
        }
        let decompounder = Decompounder::from_words(words(&knowledge));
        // One thread, so one segment: every query clause builds its scorer once per segment, and
        // with two segments (one per indexing thread) that was twice the work on every question
        // for a faster build of an index that is built once. No merging: the index is rebuilt
        // whole, never updated.
        let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 60_000_000)?;
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        let mut splits = HashMap::new();
        for (i, offer) in kb.offers.iter().enumerate() {
            writer.add_document(document(&fields, i, offer, &decompounder, &mut splits))?;
        }
        writer.commit()?;
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let terms_of = |fields: [Field; 3]| -> tantivy::Result<[Vec<String>; 3]> {
            let mut out: [Vec<String>; 3] = Default::default();
            for (i, field) in fields.into_iter().enumerate() {
                out[i] = field_terms(&reader, field)?;
            }
            Ok(out)
        };
        let (name_terms, about_terms, body_terms) = (
            terms_of(fields.name)?,
            terms_of(fields.about)?,
            terms_of(fields.body)?,
        );
        let as_set = |terms: &[Vec<String>; 3]| {
            terms
                .each_ref()
                .map(|t| t.iter().map(|term| term.as_str().into()).collect())
        };
        let field_terms = [
            as_set(&name_terms),
            as_set(&about_terms),
            as_set(&body_terms),
        ];
        let typo_vocabulary = about_terms.map(Vocabulary::new);
        let mut synonyms: HashMap<String, Vec<String>> = HashMap::new();
        for group in &kb.taxonomy.synonyms {
            let folded: Vec<String> = group.iter().map(|w| fold(w)).collect();
            for w in &folded {
                let entry = synonyms.entry(w.clone()).or_default();
                for other in &folded {
                    if other != w && !entry.contains(other) {
                        entry.push(other.clone());
                    }
                }
            }
        }
        Ok(SearchIndex {
            reader,
            fields,
            analyzers,
            decompounder,
            synonyms,
            typo_vocabulary,
            field_terms,
        })
    }

    pub fn analyzers(&self) -> &Analyzers {
        &self.analyzers
    }

    pub fn decompounder(&self) -> &Decompounder {
        &self.decompounder
    }

    /// The query for `text`: per word, exact terms boosted by field, a weaker fuzzy clause, and
    /// weaker synonyms; analysed in `langs` (a disjunction when several).
    fn text_query(&self, text: &str, langs: &[Language]) -> Option<Box<dyn Query>> {
        let folded = fold(text);
        let mut word_clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let typed: Vec<&str> = words(&folded).take(32).collect();
        for w in &typed {
            let mut per_lang: Vec<Box<dyn Query>> = Vec::new();
            for &lang in langs {
                if let Some(q) = self.word_query(w, lang) {
                    per_lang.push(q);
                }
            }
            match per_lang.len() {
                0 => {}
                1 => word_clauses.push((Occur::Should, per_lang.pop()?)),
                _ => word_clauses.push((
                    Occur::Should,
                    Box::new(DisjunctionMaxQuery::with_tie_breaker(per_lang, 0.1)),
                )),
            }
        }
        // Two-word synonyms ("business premises") are matched on adjacent typed words.
        for pair in typed.windows(2) {
            let phrase = format!("{} {}", pair[0], pair[1]);
            if let Some(syns) = self.synonyms.get(&phrase) {
                for &lang in langs {
                    let mut c: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                    for s in syns {
                        for t in self.analyzers.analyze(lang, s) {
                            c.push((Occur::Should, self.exact(lang, &t, SYNONYM_BOOST)));
                        }
                    }
                    if !c.is_empty() {
                        word_clauses.push((Occur::Should, Box::new(BooleanQuery::new(c))));
                    }
                }
            }
        }
        if word_clauses.is_empty() {
            None
        } else {
            Some(Box::new(BooleanQuery::new(word_clauses)))
        }
    }

    fn exact(&self, lang: Language, term: &str, boost: f32) -> Box<dyn Query> {
        let i = lang as usize;
        let f = &self.fields;
        let mut c: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(3);
        for (k, (field, b)) in [
            (f.name[i], NAME_BOOST),
            (f.about[i], ABOUT_BOOST),
            (f.body[i], BODY_BOOST),
        ]
        .into_iter()
        .enumerate()
        {
            if !self.field_terms[k][i].contains(term) {
                continue;
            }
            let tq = TermQuery::new(
                Term::from_field_text(field, term),
                IndexRecordOption::WithFreqs,
            );
            c.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(tq), b * boost)),
            ));
        }
        Box::new(BooleanQuery::new(c))
    }

    fn word_query(&self, word: &str, lang: Language) -> Option<Box<dyn Query>> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let terms = self.analyzers.analyze(lang, word);
        for t in &terms {
            clauses.push((Occur::Should, self.exact(lang, t, 1.0)));
            // Typo tolerance on the analysed term: distance 1 from 5 letters, 2 from 9. Words the
            // knowledge base knows exactly are not fuzzed, so a correct word never drifts.
            let n = t.chars().count();
            // A word that splits into known words is a compound, not a typo.
            if n >= 5
                && !self.decompounder.contains(word)
                && self.decompounder.split(word).is_none()
            {
                let d = if n >= 9 { 2 } else { 1 };
                let i = lang as usize;
                // One field only (it holds names, summaries and keywords), matched with a flat
                // score like tantivy's fuzzy query, whose automata were the costliest part of a
                // query (see `typos`).
                let near: Vec<(Occur, Box<dyn Query>)> = self.typo_vocabulary[i]
                    .near(t, d)
                    .into_iter()
                    .map(|v| {
                        let q = TermQuery::new(
                            Term::from_field_text(self.fields.about[i], v),
                            IndexRecordOption::Basic,
                        );
                        (Occur::Should, Box::new(q) as Box<dyn Query>)
                    })
                    .collect();
                if !near.is_empty() {
                    let flat = ConstScoreQuery::new(Box::new(BooleanQuery::new(near)), 1.0);
                    clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(flat), FUZZY_BOOST * ABOUT_BOOST)),
                    ));
                }
            }
        }
        if terms.is_empty() {
            return None; // a stop word
        }
        if let Some(parts) = self.decompounder.split(word) {
            for p in parts {
                for t in self.analyzers.analyze(lang, &p) {
                    clauses.push((Occur::Should, self.exact(lang, &t, 0.6)));
                }
            }
        }
        if let Some(syns) = self.synonyms.get(word) {
            for s in syns {
                for t in self.analyzers.analyze(lang, s) {
                    clauses.push((Occur::Should, self.exact(lang, &t, SYNONYM_BOOST)));
                }
            }
        }
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    fn filter_query(&self, filters: &Filters, kb: &KnowledgeBase) -> Vec<(Occur, Box<dyn Query>)> {
        let facet = |root: &str, v: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_facet(self.fields.facets, &Facet::from_path([root, v])),
                IndexRecordOption::Basic,
            ))
        };
        let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let singles = [
            ("theme", filters.theme.as_deref()),
            ("audience", filters.audience.as_deref()),
            ("stage", filters.stage.as_deref()),
            ("kind", filters.kind.map(Kind::as_str)),
            ("status", filters.status.map(Status::as_str)),
        ];
        for (root, v) in singles {
            if let Some(v) = v {
                out.push((Occur::Must, facet(root, v)));
            }
        }
        if let Some(region) = &filters.region {
            let any: Vec<(Occur, Box<dyn Query>)> = kb
                .taxonomy
                .regions_serving(region)
                .iter()
                .map(|r| (Occur::Should, facet("region", r)))
                .collect();
            out.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        out
    }

    /// Searches `text` (empty: everything) in `langs` with filters; returns up to `limit` hits,
    /// best first, the total and the facet counts.
    pub fn search(
        &self,
        kb: &KnowledgeBase,
        text: &str,
        langs: &[Language],
        filters: &Filters,
        limit: usize,
        with_snippets: bool,
    ) -> tantivy::Result<SearchResult> {
        let searcher = self.reader.searcher();
        let mut clauses = self.filter_query(filters, kb);
        let text_q = self.text_query(text, langs);
        let has_text = text_q.is_some();
        match text_q {
            Some(q) => clauses.push((Occur::Must, q)),
            None => clauses.push((Occur::Must, Box::new(AllQuery))),
        }
        let query = BooleanQuery::new(clauses);
        let mut fc = FacetCollector::for_field("facets");
        for root in FACET_ROOTS {
            fc.add_facet(Facet::from_path([root]));
        }
        let limit = limit.max(1);
        let (top, total, facet_counts) = searcher.search(
            &query,
            &(TopDocs::with_limit(limit).order_by_score(), Count, fc),
        )?;
        let mut facets: FacetCounts = BTreeMap::new();
        for root in FACET_ROOTS {
            let entry = facets.entry(root.to_owned()).or_default();
            for (f, n) in facet_counts.get(Facet::from_path([root])) {
                let s = f.to_path_string();
                let v = s.rsplit('/').next().unwrap_or_default().to_owned();
                entry.insert(v, n);
            }
        }
        let snippets = if with_snippets && has_text {
            self.snippet_generator(&searcher, text).ok()
        } else {
            None
        };
        let ords = OrdColumns::of(&searcher)?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let ord = ords.ord(addr);
            let snippet = match &snippets {
                Some(generator) => {
                    let d: TantivyDocument = searcher.doc(addr)?;
                    generator.snippet_from_doc(&d).to_html()
                }
                None => String::new(),
            };
            let snippet = if snippet.is_empty() && with_snippets {
                kb.offers
                    .get(ord)
                    .map(|o| html_escape(&o.summary.nl))
                    .unwrap_or_default()
            } else {
                snippet
            };
            hits.push(Hit {
                ord,
                score: if has_text { score } else { 0.0 },
                snippet,
            });
        }
        Ok(SearchResult {
            hits,
            total,
            facets,
        })
    }

    /// The ranking alone, without facets, counts or snippets: what the assistant needs.
    pub fn rank(
        &self,
        text: &str,
        langs: &[Language],
        limit: usize,
    ) -> tantivy::Result<Vec<(usize, f32)>> {
        let Some(query) = self.text_query(text, langs) else {
            return Ok(Vec::new());
        };
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())?;
        let ords = OrdColumns::of(&searcher)?;
        Ok(top
            .into_iter()
            .map(|(score, addr)| (ords.ord(addr), score))
            .collect())
    }

    /// Snippets come from the stored Dutch text, highlighted with the Dutch terms of the query.
    fn snippet_generator(
        &self,
        searcher: &tantivy::Searcher,
        text: &str,
    ) -> tantivy::Result<SnippetGenerator> {
        let expanded = self.decompounder.expand(text);
        let clauses: Vec<(Occur, Box<dyn Query>)> = self
            .analyzers
            .analyze(Language::Nl, &expanded)
            .into_iter()
            .map(|t| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.snippet, &t),
                    IndexRecordOption::WithFreqs,
                ));
                (Occur::Should, q)
            })
            .collect();
        let q = BooleanQuery::new(clauses);
        let mut g = SnippetGenerator::create(searcher, &q, self.fields.snippet)?;
        g.set_max_num_chars(180);
        Ok(g)
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}

/// The `ord` fast field (an offer's place in the knowledge base) of every segment of a searcher,
/// opened once per search rather than once per hit (opening it reads the column directory).
struct OrdColumns(Vec<tantivy::columnar::Column<u64>>);

impl OrdColumns {
    fn of(searcher: &tantivy::Searcher) -> tantivy::Result<OrdColumns> {
        searcher
            .segment_readers()
            .iter()
            .map(|r| r.fast_fields().u64("ord"))
            .collect::<tantivy::Result<Vec<_>>>()
            .map(OrdColumns)
    }

    fn ord(&self, addr: DocAddress) -> usize {
        self.0
            .get(addr.segment_ord as usize)
            .and_then(|c| c.first(addr.doc_id))
            .unwrap_or(0) as usize
    }
}

/// The terms of one field, read from the built index, sorted.
fn field_terms(reader: &IndexReader, field: Field) -> tantivy::Result<Vec<String>> {
    let mut terms = Vec::new();
    for segment in reader.searcher().segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            if let Ok(t) = std::str::from_utf8(stream.key()) {
                terms.push(t.to_owned());
            }
        }
    }
    terms.sort_unstable();
    terms.dedup();
    Ok(terms)
}

fn document(
    fields: &Fields,
    ord: usize,
    o: &Arc<Offer>,
    d: &Decompounder,
    splits: &mut HashMap<String, Option<Vec<String>>>,
) -> TantivyDocument {
    let names = format!(
        "{} {} {} {}",
        o.name,
        o.name_en,
        o.name_de.as_deref().unwrap_or(""),
        o.id.as_str().replace('-', " ")
    );
    // Each language's fields hold the texts written in that language plus the language-neutral
    // names and keywords; the Dutch body is indexed once, in Dutch. Indexing every text under
    // every analyzer tripled the work for no better ranking.
    let keywords = o.keywords.join(" . ");
    let body_text = o.body_text();
    let body_nl = format!("{body_text} {} {}", o.how_to_apply.nl, o.contact);
    let names = d.expand_with(&names, splits);
    let keywords = d.expand_with(&keywords, splits);
    let mut doc = doc!(
        fields.ord => ord as u64,
        fields.snippet => format!("{} {body_text}", o.summary.nl),
    );
    for lang in Language::ALL {
        let i = lang as usize;
        let about = format!(
            "{} {keywords} {}",
            d.expand_with(o.summary.get(lang), splits),
            o.provider
        );
        let body = match lang {
            Language::Nl => d.expand_with(&body_nl, splits),
            _ => d.expand_with(o.how_to_apply.get(lang), splits),
        };
        doc.add_text(fields.name[i], &names);
        doc.add_text(fields.about[i], &about);
        doc.add_text(fields.body[i], &body);
    }
    let mut add = |root: &str, v: &str| doc.add_facet(fields.facets, Facet::from_path([root, v]));
    for t in &o.themes {
        add("theme", t);
    }
    for a in &o.audiences {
        add("audience", a);
    }
    for s in &o.stages {
        add("stage", s);
    }
    for r in &o.regions {
        add("region", r);
    }
    add("kind", o.kind.as_str());
    add("status", o.status.as_str());
    doc
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
