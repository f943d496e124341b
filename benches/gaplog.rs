//! The unmet-demand log at scale: 1,000,000 generated gap records over two years, then
//! - inserting gaps one by one as the API does (demand counted too): one writer alone (the time
//!   of one insert), and 64 at once as under load, where gaps arriving together share a
//!   transaction (group commit; criterion's time per gap is the inverse of the throughput),
//! - the white-spot matrix for a year, theme × sub-region (once with nothing summed yet, then as
//!   it is read again and again),
//! - a page of the gap list (with its total) for a year, and one filtered by reason.
//!
//! Runs on a SQLite file by default (kept in target/ so the data is generated once) or on
//! PostgreSQL with `BENCH_DATABASE_URL=postgres://…` (generated when the database is empty).
//! `BENCH_GAPS=100000` generates fewer records for a quick run.

use std::path::PathBuf;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use wegwijzer::domain::Language;
use wegwijzer::insights::{Dimension, Period, matrix};
use wegwijzer::knowledge::{KnowledgeBase, format_date};
use wegwijzer::store::{GapFilter, NewGap, Store};

fn real() -> KnowledgeBase {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    KnowledgeBase::load(&dir, time::macros::date!(2026 - 11 - 27))
        .expect("knowledge")
        .0
}

/// A small deterministic generator (xorshift): the same data on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Skewed towards the first items: real demand is not uniform.
    fn skewed<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let a = self.below(items.len());
        let b = self.below(items.len());
        &items[a.min(b)]
    }
}

const TEXTS: [&str; 6] = [
    "Is er subsidie voor [onderwerp] in onze gemeente?",
    "Wij zoeken financiering voor een nieuwe machine, ongeveer € 80.000",
    "Hoe regel ik een verblijfsvergunning voor een buitenlandse medewerker?",
    "Who can help us export to Germany?",
    "Gibt es Förderung für Digitalisierung in Drenthe?",
    "Ik wil mijn bedrijf overdragen aan mijn dochter, waar begin ik?",
];
const REASONS: [&str; 6] = [
    "no_offer",
    "no_offer",
    "handoff",
    "region_mismatch",
    "offer_closed",
    "not_helpful",
];
const CHANNELS: [&str; 4] = ["web", "web", "discord", "adviser"];

fn generate(kb: &KnowledgeBase, rng: &mut Rng) -> NewGap {
    let t = &kb.taxonomy;
    let mut themes = vec![rng.skewed(&t.themes).id.clone()];
    if rng.below(5) == 0 {
        themes.push(rng.skewed(&t.themes).id.clone());
        themes.dedup();
    }
    let audiences = match rng.below(3) {
        0 => vec![rng.skewed(&t.audiences).id.clone()],
        _ => vec![],
    };
    let stages = match rng.below(2) {
        0 => vec![rng.skewed(&t.stages).id.clone()],
        _ => vec![],
    };
    let municipality = (rng.below(10) < 7).then(|| rng.skewed(&t.municipalities).clone());
    NewGap {
        question: Some(TEXTS[rng.below(TEXTS.len())].to_owned()),
        language: "nl".into(),
        channel: CHANNELS[rng.below(CHANNELS.len())].into(),
        reason: REASONS[rng.below(REASONS.len())].into(),
        opgaven: t.opgaven_of(&themes),
        themes,
        audiences,
        stages,
        subregion: municipality.as_ref().map(|m| m.subregion.clone()),
        municipality: municipality.map(|m| m.id),
        offers: vec!["ibdo".into()],
        conversation_id: None,
        person: Some(format!("{:024x}", rng.next() % 200_000)),
    }
}

async fn prepared(kb: &KnowledgeBase, rt_today: time::Date) -> Store {
    let n: usize = std::env::var("BENCH_GAPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
        format!("sqlite://{}/bench-gaps-{n}.db?mode=rwc", dir.display())
    });
    let store = Store::connect(&url).await.expect("connect");
    let (have, _) = store
        .list_gaps(&GapFilter {
            limit: 1,
            ..GapFilter::default()
        })
        .await
        .expect("count");
    if have >= n as i64 {
        return store;
    }
    eprintln!("generating {} gap records into {url} …", n as i64 - have);
    let start = Instant::now();
    let mut rng = Rng(0x5eed_0000_0000_0001 + have as u64);
    let mut batch = Vec::with_capacity(10_000);
    for i in have as usize..n {
        let day = rt_today - time::Duration::days((i % 730) as i64);
        batch.push((format_date(day), generate(kb, &mut rng)));
        if batch.len() == 10_000 {
            store.insert_gaps_on(&batch).await.expect("insert");
            batch.clear();
        }
    }
    store.insert_gaps_on(&batch).await.expect("insert");
    eprintln!("generated in {:.1} s", start.elapsed().as_secs_f64());
    store
}

fn gaplog(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let kb = real();
    let today = time::OffsetDateTime::now_utc().date();
    let store = rt.block_on(prepared(&kb, today));
    let year = Period::parse(None, None, today).unwrap();
    let (from, to) = year.bounds();

    // The first matrix of a pair sums its closed days and months (then kept): time it once.
    rt.block_on(store.clear_demand_sums()).unwrap();
    let start = Instant::now();
    rt.block_on(matrix::build(
        &store,
        &kb,
        Dimension::Theme,
        Dimension::Subregion,
        year,
        Language::Nl,
        false,
    ))
    .unwrap();
    eprintln!(
        "gaplog/matrix_year_theme_subregion, nothing summed yet (once): {:.0} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );

    let mut g = c.benchmark_group("gaplog");
    g.sample_size(20);
    let mut rng = Rng(42);
    g.bench_function("insert_gap", |b| {
        b.to_async(&rt).iter(|| {
            let gap = generate(&kb, &mut rng);
            let store = store.clone();
            async move { store.insert_gap(&gap).await.unwrap() }
        })
    });
    g.bench_function("insert_gap_64_writers", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let gaps: Vec<NewGap> = (0..iters).map(|_| generate(&kb, &mut rng)).collect();
            let store = store.clone();
            async move {
                let start = Instant::now();
                let mut writers = tokio::task::JoinSet::new();
                let per_writer = gaps.len().div_ceil(64).max(1);
                for chunk in gaps.chunks(per_writer) {
                    let chunk = chunk.to_vec();
                    let store = store.clone();
                    writers.spawn(async move {
                        for gap in &chunk {
                            store.insert_gap(gap).await.unwrap();
                        }
                    });
                }
                while let Some(done) = writers.join_next().await {
                    done.unwrap();
                }
                start.elapsed()
            }
        })
    });
    g.bench_function("matrix_year_theme_subregion", |b| {
        b.to_async(&rt).iter(|| {
            matrix::build(
                &store,
                &kb,
                Dimension::Theme,
                Dimension::Subregion,
                year,
                Language::Nl,
                false,
            )
        })
    });
    let page = GapFilter {
        from: Some(from.clone()),
        to: Some(to.clone()),
        limit: 50,
        ..GapFilter::default()
    };
    g.bench_function("gap_list_page_year", |b| {
        b.to_async(&rt).iter(|| store.list_gaps(&page))
    });
    let by_reason = GapFilter {
        reason: Some("region_mismatch".into()),
        offset: 500,
        ..page.clone()
    };
    g.bench_function("gap_list_page_year_by_reason", |b| {
        b.to_async(&rt).iter(|| store.list_gaps(&by_reason))
    });
    g.finish();
}

criterion_group!(benches, gaplog);
criterion_main!(benches);
