//! `wegwijzer tune`: fits the semantic weights and decision thresholds (`knowledge/ranking.toml`)
//! on labelled questions, by coordinate search over a grid, and reports the k-fold
//! cross-validated figures so that a fit which only memorises shows up.
//!
//! Only the semantic part is fitted: the lexical weights stay as they are, so the answers without
//! an embedder do not change. Each question is understood and retrieved once
//! ([`crate::assistant::prepare`]); each candidate only re-ranks and re-decides, which is cheap.
//! Rows that continue a conversation are left out (their state depends on the turn before).

use crate::assistant::{ConversationState, Prepared, conclude, prepare};
use crate::catalog::Catalog;
use crate::embed::Vector;
use crate::eval::{Report, Row, score_row};
use crate::knowledge::Ranking;

/// One labelled question, understood and retrieved.
pub struct Case {
    pub row: Row,
    prepared: Prepared,
}

/// A fitted parameter: its name in `ranking.toml`, the values tried, and how to set it.
pub struct Knob {
    pub name: &'static str,
    pub values: Vec<f32>,
    pub set: fn(&mut Ranking, f32),
}

fn steps(from: f32, to: f32, step: f32) -> Vec<f32> {
    let n = ((to - from) / step).round() as usize;
    (0..=n).map(|i| from + step * i as f32).collect()
}

/// The grid. "Never" (2.0, above any cosine) is always a candidate for the semantic gates, so a
/// gate that does not help stays shut.
pub fn knobs() -> Vec<Knob> {
    let never = |mut v: Vec<f32>| {
        v.push(2.0);
        v
    };
    vec![
        Knob {
            name: "weights.semantic",
            values: vec![0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0],
            set: |r, v| r.weights.semantic = v,
        },
        Knob {
            name: "weights.temperature",
            values: vec![0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.06],
            set: |r, v| r.weights.temperature = v,
        },
        Knob {
            name: "thresholds.semantic_min_answer_score",
            values: steps(0.3, 1.3, 0.05),
            set: |r, v| r.thresholds.semantic_min_answer_score = v,
        },
        Knob {
            name: "thresholds.out_of_scope_sim",
            values: [vec![0.0], steps(0.70, 0.84, 0.01)].concat(),
            set: |r, v| r.thresholds.out_of_scope_sim = v,
        },
        Knob {
            name: "thresholds.off_topic_margin",
            values: never(steps(-0.02, 0.04, 0.005)),
            set: |r, v| r.thresholds.off_topic_margin = v,
        },
        Knob {
            name: "thresholds.business_sim",
            values: never(steps(0.76, 0.90, 0.01)),
            set: |r, v| r.thresholds.business_sim = v,
        },
        Knob {
            name: "thresholds.answer_sim",
            values: never(steps(0.78, 0.92, 0.01)),
            set: |r, v| r.thresholds.answer_sim = v,
        },
        Knob {
            name: "thresholds.uncovered_sim",
            values: never(steps(0.80, 0.94, 0.01)),
            set: |r, v| r.thresholds.uncovered_sim = v,
        },
        Knob {
            name: "thresholds.uncovered_margin",
            values: steps(-0.03, 0.05, 0.01),
            set: |r, v| r.thresholds.uncovered_margin = v,
        },
    ]
}

/// The standalone rows, understood once with their vectors.
pub fn prepare_cases(catalog: &Catalog, rows: &[Row], vectors: &[Option<Vector>]) -> Vec<Case> {
    rows.iter()
        .enumerate()
        .filter(|(_, r)| !r.continues())
        .map(|(i, row)| {
            let mut state = ConversationState::default();
            let v = vectors.get(i).and_then(|v| v.as_deref());
            Case {
                row: row.clone(),
                prepared: prepare(catalog, &row.question, &mut state, v),
            }
        })
        .collect()
}

/// The figures of `ranking` on `cases`, added to `report`.
pub fn score_into(report: &mut Report, catalog: &Catalog, cases: &[&Case], ranking: &Ranking) {
    for c in cases {
        let mut state = ConversationState::default();
        let answer = conclude(catalog, &c.prepared, &mut state, ranking);
        score_row(report, &c.row, &answer);
    }
}

/// The figures of `ranking` on `cases`, on two threads (this machine's cores).
pub fn score(catalog: &Catalog, cases: &[&Case], ranking: &Ranking) -> Report {
    let (a, b) = cases.split_at(cases.len() / 2);
    let (mut left, right) = std::thread::scope(|s| {
        let h = s.spawn(|| {
            let mut r = Report::default();
            score_into(&mut r, catalog, b, ranking);
            r
        });
        let mut r = Report::default();
        score_into(&mut r, catalog, a, ranking);
        (r, h.join().expect("scoring does not panic"))
    });
    left.merge(right);
    left
}

/// What the search maximises: rows fully right first, then answered rows right first and in the
/// first three, which give the ranking weights a smoother signal.
fn objective(r: &Report) -> usize {
    10 * r.right.hits + 3 * r.top1.hits + 2 * r.top3.hits
}

/// Starting points of the search besides the current ranking: coordinate search finds a local
/// best, and the gates only help together (a semantic "answer" gate needs the uncovered-need gate
/// beside it, or true gaps become answers). The seed has every semantic gate on at a middling
/// similarity; the search moves each from there.
fn seeds(start: Ranking) -> Vec<Ranking> {
    let mut on = start;
    on.weights.semantic = 1.0;
    on.weights.temperature = 0.03;
    let t = &mut on.thresholds;
    t.off_topic_margin = 0.0;
    t.business_sim = 0.88;
    t.answer_sim = 0.87;
    t.uncovered_sim = 0.86;
    t.uncovered_margin = 0.0;
    vec![start, on]
}

/// The best of a coordinate search from `start` and from each seed.
pub fn fit(catalog: &Catalog, cases: &[&Case], start: Ranking, passes: usize) -> Ranking {
    let starts = seeds(start);
    starts
        .into_iter()
        .map(|s| descend(catalog, cases, s, passes))
        .max_by_key(|r| objective(&score(catalog, cases, r)))
        .unwrap_or(start)
}

/// Coordinate search from `start`: each knob in turn takes its best value with the others held,
/// for `passes` rounds. A value replaces the current one only when strictly better.
fn descend(catalog: &Catalog, cases: &[&Case], start: Ranking, passes: usize) -> Ranking {
    let mut best = start;
    let mut best_score = objective(&score(catalog, cases, &best));
    for _ in 0..passes {
        let before = best_score;
        for knob in knobs() {
            for &v in &knob.values {
                let mut candidate = best;
                (knob.set)(&mut candidate, v);
                let s = objective(&score(catalog, cases, &candidate));
                if s > best_score {
                    best = candidate;
                    best_score = s;
                }
            }
        }
        if best_score == before {
            break;
        }
    }
    best
}

/// The fold of a row: stable across runs and independent of the file's order.
fn fold_of(id: &str, k: usize) -> usize {
    let h = id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    (h % k as u64) as usize
}

/// k-fold cross-validation: each fold is scored with the ranking fitted on the others; the
/// report adds up the held-out answers. Returns it with each fold's fit.
pub fn cross_validate(
    catalog: &Catalog,
    cases: &[Case],
    k: usize,
    start: Ranking,
    passes: usize,
) -> (Report, Vec<Ranking>) {
    let k = k.max(2);
    let mut report = Report::default();
    let mut fits = Vec::new();
    for fold in 0..k {
        let (test, train): (Vec<&Case>, Vec<&Case>) =
            cases.iter().partition(|c| fold_of(&c.row.id, k) == fold);
        let fitted = fit(catalog, &train, start, passes);
        score_into(&mut report, catalog, &test, &fitted);
        fits.push(fitted);
    }
    (report, fits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_stable_and_all_used() {
        let ids: Vec<String> = (0..200).map(|i| format!("d{i:03}")).collect();
        let mut seen = [0usize; 5];
        for id in &ids {
            let f = fold_of(id, 5);
            assert_eq!(f, fold_of(id, 5));
            seen[f] += 1;
        }
        assert!(seen.iter().all(|&n| n > 20), "{seen:?}");
    }

    #[test]
    fn every_knob_sets_what_it_names() {
        for knob in knobs() {
            let mut r = Ranking::default();
            (knob.set)(&mut r, 0.123);
            let text = r.to_toml("");
            let (table, field) = knob.name.split_once('.').unwrap();
            let parsed: toml::Table = toml::from_str(&text).unwrap();
            let v = parsed[table][field].as_float().unwrap();
            assert!((v - 0.123).abs() < 1e-6, "{}", knob.name);
        }
    }
}
