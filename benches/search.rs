//! Index build, search and the assistant end to end, on the real knowledge base and on a generated
//! one of 5,000 offers (the real offers recombined, with their own ids and varied names).

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use wegwijzer::assistant::{Assistant, MemoryConversations};
use wegwijzer::catalog::Catalog;
use wegwijzer::domain::{Language, OfferId, Question};
use wegwijzer::knowledge::{KnowledgeBase, Offer};
use wegwijzer::search::{Filters, SearchIndex};

fn real() -> KnowledgeBase {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    KnowledgeBase::load(&dir, time::macros::date!(2026 - 11 - 27))
        .expect("knowledge")
        .0
}

const WORDS: [&str; 16] = [
    "regio",
    "plus",
    "noord",
    "zuid",
    "innovatie",
    "groei",
    "fonds",
    "impuls",
    "programma",
    "loket",
    "netwerk",
    "kennis",
    "start",
    "export",
    "energie",
    "talent",
];

/// A base of `n` offers built from the real ones: every copy gets a new id, a varied name and a
/// varied keyword, so the index has many distinct documents and terms.
fn generated(n: usize) -> KnowledgeBase {
    let kb = real();
    let offers: Vec<Offer> = (0..n)
        .map(|i| {
            let mut o: Offer = (*kb.offers[i % kb.offers.len()]).clone();
            let w1 = WORDS[i % WORDS.len()];
            let w2 = WORDS[(i / WORDS.len()) % WORDS.len()];
            o.id = OfferId::parse(&format!("gen-{i}")).unwrap();
            o.name = format!("{} {w1} {w2} {i}", o.name);
            o.keywords.push(format!("{w2}{w1}{i}"));
            o
        })
        .collect();
    KnowledgeBase::from_parts(kb.taxonomy.clone(), kb.intents.clone(), offers)
}

fn bench(c: &mut Criterion) {
    let real_kb = real();
    let big_kb = generated(5000);
    c.bench_function("index_build/real", |b| {
        b.iter(|| SearchIndex::build(&real_kb).unwrap())
    });
    let mut g = c.benchmark_group("slow");
    g.sample_size(10);
    g.bench_function("index_build/5000", |b| {
        b.iter(|| SearchIndex::build(&big_kb).unwrap())
    });
    g.finish();

    let real_cat = Catalog::build(real()).unwrap();
    let big_cat = Catalog::build(generated(5000)).unwrap();
    // A typical 4-word query with a typo and a synonym in it.
    let query = "subsidie opleidng personeel bouwbedrijf";
    for (name, cat) in [("real", &real_cat), ("5000", &big_cat)] {
        c.bench_function(&format!("query/{name}"), |b| {
            b.iter(|| {
                cat.index
                    .search(
                        &cat.kb,
                        query,
                        &[Language::Nl],
                        &Filters::default(),
                        10,
                        false,
                    )
                    .unwrap()
            })
        });
    }
    wegwijzer::assistant::warm_up();
    let assistant = Assistant::new(MemoryConversations::default());
    let q =
        Question::parse("Mijn bouwbedrijf in Emmen zoekt subsidie om timmerlieden bij te scholen")
            .unwrap();
    for (name, cat) in [("real", &real_cat), ("5000", &big_cat)] {
        c.bench_function(&format!("ask/{name}"), |b| {
            b.iter(|| assistant.ask(cat, &q, None))
        });
    }
    // Criterion reports means; the target is a p99 over varied questions, so time every
    // question of our own set (and the development set when it is beside the repo) one by one.
    let mix = question_mix();
    for (name, cat) in [("real", &real_cat), ("5000", &big_cat)] {
        let mut times: Vec<std::time::Duration> = Vec::new();
        for _ in 0..5 {
            for q in &mix {
                let start = std::time::Instant::now();
                std::hint::black_box(assistant.ask(cat, q, None));
                times.push(start.elapsed());
            }
        }
        times.sort();
        let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
        eprintln!(
            "ask_mix/{name}: {} asks of {} questions: p50 {:.2?}, p99 {:.2?}, max {:.2?}",
            times.len(),
            mix.len(),
            at(0.50),
            at(0.99),
            times[times.len() - 1]
        );
    }
}

/// Every question of tests/routing-questions.tsv and, when present, ../shared/eval's dev set.
fn question_mix() -> Vec<Question> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        root.join("tests/routing-questions.tsv"),
        root.join("../shared/eval/dev-questions.tsv"),
    ]
    .iter()
    .filter_map(|p| std::fs::read_to_string(p).ok())
    .flat_map(|text| {
        text.lines()
            .skip(1)
            .filter_map(|l| l.split('\t').nth(4).and_then(|q| Question::parse(q).ok()))
            .collect::<Vec<_>>()
    })
    .collect()
}

criterion_group!(benches, bench);
criterion_main!(benches);
