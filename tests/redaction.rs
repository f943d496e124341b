//! Personal data written without cues stays out of storage (issue: privacy, second round).
//!
//! - the product side's battery of planted personal data (`src/privacy/data/pii-battery.tsv`): every
//!   fragment of every class, in Dutch, English and German, is masked;
//! - our own business questions (`business-precision.tsv`) keep at least 95 % of their words;
//! - random names from the shipped lists, in random places of random sentences, never come through;
//! - the battery, sent through the API as an entrepreneur and as an adviser (question and note),
//!   never shows up in `/api/gaps` or the CSV export, on SQLite and PostgreSQL.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use common::{backends, spawn_app};
use proptest::prelude::*;
use serde_json::{Value, json};
use wegwijzer::auth::Role;
use wegwijzer::knowledge::KnowledgeBase;
use wegwijzer::privacy::Redactor;
use wegwijzer::privacy::report::{self, BATTERY};

static REDACTOR: LazyLock<Redactor> = LazyLock::new(|| {
    let today = time::OffsetDateTime::now_utc().date();
    let (kb, _) = KnowledgeBase::load(&common::knowledge_dir(), today).expect("knowledge loads");
    wegwijzer::app::redactor_for(&kb)
});

struct Row {
    id: String,
    lang: String,
    class: String,
    text: String,
    fragments: Vec<String>,
}

fn battery() -> Vec<Row> {
    BATTERY
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            Row {
                id: c[0].into(),
                lang: c[1].into(),
                class: c[2].into(),
                text: c[3].into(),
                fragments: c[4].split("||").map(|f| f.trim().to_owned()).collect(),
            }
        })
        .collect()
}

#[test]
fn every_class_of_the_battery_is_masked_in_three_languages() {
    let rows = battery();
    let mut langs: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in &rows {
        langs.entry(&r.class).or_default().insert(&r.lang);
    }
    for (class, l) in &langs {
        assert_eq!(
            l.len(),
            3,
            "class {class} is not planted in nl, en and de: {l:?}"
        );
    }
    let all = report::evaluate(&REDACTOR);
    let r = &all.battery;
    println!(
        "held-out rows: {}/{} = {:.3}",
        all.holdout.masked,
        all.holdout.fragments,
        all.holdout.recall()
    );
    for (class, c) in &r.classes {
        println!("{class:<20} {}/{}", c.masked, c.fragments);
    }
    println!("recall {}/{} = {:.3}", r.masked, r.fragments, r.recall());
    assert!(r.fragments >= 200, "the battery shrank: {}", r.fragments);
    assert!(
        r.leaks.is_empty(),
        "{} fragment(s) reached the output:\n{}",
        r.leaks.len(),
        r.leaks
            .iter()
            .map(|l| format!("{} {:?}: {}", l.id, l.fragment, l.output))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn business_questions_keep_at_least_95_percent_of_their_words() {
    let r = report::evaluate(&REDACTOR);
    println!(
        "precision {}/{} = {:.3}",
        r.business_kept,
        r.business_words,
        r.precision()
    );
    for (i, o) in &r.business_changed {
        println!("{i}\n  -> {o}");
    }
    assert!(r.business_words > 1000);
    assert!(r.precision() >= 0.95, "precision {:.3}", r.precision());
}

fn list(file: &str) -> Vec<String> {
    let path = format!("{}/src/privacy/data/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

static FIRST: LazyLock<Vec<String>> = LazyLock::new(|| list("first-names.txt"));
static SURNAMES: LazyLock<Vec<String>> = LazyLock::new(|| list("common-surnames.txt"));

/// Sentences with a slot for a name at the start, mid-sentence, after a comma and at the end.
const TEMPLATES: &[&str] = &[
    "{} wil een bakkerij beginnen in Emmen, welke lening past?",
    "Kan ik een afspraak maken met {} over de lening?",
    "Ik heb een vraag namens {}, hij wil verduurzamen.",
    "Is er subsidie voor zonnepanelen? Groeten, {}",
    "Could you forward this to {}? She runs a shop in Assen.",
    "Ich habe mit {} gesprochen, er meint, ich soll mich an die NOM wenden.",
    "we zijn met {} een loonbedrijf gestart in zuidlaren",
    "Telefonat mit Frau {} über die Gärtnerei in Emlichheim.",
];

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_names_from_the_lists_never_come_through(
        first in 0..10_000usize,
        last in 0..10_000usize,
        template in 0..TEMPLATES.len(),
        style in 0..4usize,
    ) {
        let f = &FIRST[first % FIRST.len()];
        let l = &SURNAMES[last % SURNAMES.len()];
        let name = match style {
            0 => format!("{} {}", capitalise(f), capitalise(l)),
            1 => format!("{f} {l}"),
            2 => format!("{} {}", f.to_uppercase(), l.to_uppercase()),
            _ => capitalise(f),
        };
        let input = TEMPLATES[template].replace("{}", &name);
        let out = REDACTOR.redact_or_none(&input).map(|r| r.text).unwrap_or_default();
        let lower = out.to_lowercase();
        let words: BTreeSet<&str> = lower.split(|c: char| !c.is_alphanumeric()).collect();
        prop_assert!(!words.contains(f.as_str()), "{input:?} -> {out:?}");
        if style < 3 {
            prop_assert!(!words.contains(l.as_str()), "{input:?} -> {out:?}");
        }
    }
}

/// A row's text with its id at the end, so every stored record can be traced to its row and checked
/// against that row's fragments only (a place in one row may be a surname in another).
fn tagged(r: &Row) -> String {
    format!("{} (ref {})", r.text, r.id)
}

/// The row a stored text came from, by its tag.
fn row_of<'a>(rows: &'a [Row], text: &str) -> Option<&'a Row> {
    rows.iter()
        .find(|r| text.contains(&format!("(ref {})", r.id)))
}

fn leaked<'a>(r: &'a Row, stored: &str) -> Option<&'a str> {
    r.fragments
        .iter()
        .map(String::as_str)
        .find(|f| report::contains_token(stored, f))
}

#[tokio::test]
async fn the_battery_never_reaches_the_gap_log_or_its_export() {
    let rows = battery();
    let stamp = regex::Regex::new(r"\d{4}-\d{2}-\d{2}T[\d:.]+Z").unwrap();
    for b in backends() {
        let app = spawn_app(b).await;
        let adviser = common::api_token(&app.db.url, Role::Adviser).await;
        let officer = common::api_token(&app.db.url, Role::Officer).await;
        for r in &rows {
            // As an adviser logging a call: the text and the note.
            let res = app
                .client
                .post(app.url("/api/gaps"))
                .bearer_auth(&adviser)
                .json(&json!({"question": tagged(r), "note": tagged(r)}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), 201, "{b:?} {}", r.id);
            // As an entrepreneur: the question, then "not helpful" with the same text as comment.
            let a: Value = app
                .client
                .post(app.url("/api/ask"))
                .json(&json!({"question": tagged(r)}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let cid = a["conversation_id"].as_str().unwrap();
            let res = app
                .client
                .post(app.url("/api/feedback"))
                .json(&json!({"conversation_id": cid, "helpful": false, "comment": tagged(r)}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), 200, "{b:?} {}", r.id);
        }
        let page = app
            .client
            .get(app.url("/api/gaps?limit=500"))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let listed: Value = page.json().await.unwrap();
        let gaps = listed["gaps"].as_array().cloned().unwrap_or_default();
        assert!(
            gaps.len() >= rows.len() * 2,
            "{b:?}: only {} gaps listed",
            gaps.len()
        );
        let mut traced = 0;
        for g in &gaps {
            let stored = format!(
                "{} {}",
                g["question"].as_str().unwrap_or(""),
                g["note"].as_str().unwrap_or("")
            );
            let Some(r) = row_of(&rows, &stored) else {
                continue;
            };
            traced += 1;
            assert!(
                leaked(r, &stored).is_none(),
                "{b:?} /api/gaps: {} leaked {:?}: {stored}",
                r.id,
                leaked(r, &stored)
            );
        }
        assert!(
            traced >= rows.len() * 2,
            "{b:?}: only {traced} gaps traced to their rows"
        );
        let csv = app
            .client
            .get(app.url("/api/gaps.csv"))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let mut traced = 0;
        for line in csv.lines() {
            // Without the id and the timestamps, whose digits could be any house number.
            let line = stamp.replace_all(line.split_once(';').map_or("", |(_, rest)| rest), "");
            let line = line.as_ref();
            let Some(r) = row_of(&rows, line) else {
                continue;
            };
            traced += 1;
            assert!(
                leaked(r, line).is_none(),
                "{b:?} CSV: {} leaked {:?}: {line}",
                r.id,
                leaked(r, line)
            );
        }
        assert!(
            traced >= rows.len() * 2,
            "{b:?}: only {traced} CSV lines traced to their rows"
        );
    }
}
