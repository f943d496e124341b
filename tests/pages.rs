//! Knowledge you can trust, as people see it: the automated-assistant disclosure on the first answer,
//! `/over` in three languages with evaluation figures that a fresh run reproduces, and offer pages
//! that show rounds, figures with their sources, and cut-short sources without a link.

mod common;

use common::{Backend, spawn_app};
use serde_json::{Value, json};
use wegwijzer::catalog::Catalog;
use wegwijzer::knowledge::evaluation::Fraction;

async fn get(app: &common::TestApp, path: &str) -> String {
    let r = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "{path}");
    r.text().await.unwrap()
}

#[tokio::test]
async fn the_first_answer_of_a_conversation_says_it_is_automated_and_the_next_does_not() {
    let app = spawn_app(Backend::Sqlite).await;
    for (q, word) in [
        (
            "Ik wil een bakkerij beginnen in Emmen, waar kan ik een lening krijgen?",
            "geautomatiseerde assistent",
        ),
        (
            "I want to start a bakery in Emmen, where can I get a loan?",
            "automated assistant",
        ),
        (
            "Ich möchte in Emmen eine Bäckerei eröffnen, wo bekomme ich einen Kredit?",
            "automatisierten Assistenten",
        ),
    ] {
        let a: Value = app
            .client
            .post(app.url("/api/ask"))
            .json(&json!({"question": q}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let d = a["disclosure"].as_str().unwrap_or_default();
        assert!(d.contains(word), "{q}: {a}");
        assert!(d.contains("IBDO"), "how to reach a person: {d}");
        let next: Value = app
            .client
            .post(app.url("/api/ask"))
            .json(&json!({"question": q, "conversation_id": a["conversation_id"]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            next["disclosure"].is_null(),
            "only the first answer: {next}"
        );
    }
}

fn percent(f: Fraction) -> String {
    format!("{:.0}% ({}/{})", f.value() * 100.0, f.hits, f.total)
}

#[tokio::test]
async fn over_renders_in_three_languages_with_the_recorded_figures() {
    let app = spawn_app(Backend::Sqlite).await;
    let (catalog, _) = Catalog::load(&common::knowledge_dir()).unwrap();
    let sets = &catalog.kb.evaluation.sets;
    assert!(!sets.is_empty(), "knowledge/evaluation.toml records no set");
    for (lang, heading, words) in [
        (
            "nl",
            "Over Wegwijzer",
            [
                "Doel en grondslag",
                "geen generatief model",
                "Menselijk toezicht",
                "Bezwaar en verwijdering",
            ],
        ),
        (
            "en",
            "About Wegwijzer",
            [
                "Purpose and legal basis",
                "no generative model",
                "Human oversight",
                "Objection and erasure",
            ],
        ),
        (
            "de",
            "Über Wegwijzer",
            [
                "Zweck und Rechtsgrundlage",
                "kein generatives Modell",
                "Menschliche Aufsicht",
                "Widerspruch und Löschung",
            ],
        ),
    ] {
        let html = get(&app, &format!("/over?lang={lang}")).await;
        assert!(html.contains(heading), "{lang}");
        for w in words {
            assert!(html.contains(w), "{lang}: {w}");
        }
        for s in sets {
            assert!(html.contains(&s.file), "{lang}: {}", s.file);
            assert!(
                html.contains(&percent(s.top1)),
                "{lang}: top1 of {}",
                s.file
            );
        }
    }
}

#[test]
fn the_recorded_evaluation_is_what_a_fresh_run_gives() {
    let (catalog, _) = Catalog::load(&common::knowledge_dir()).unwrap();
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let lexical: Vec<_> = catalog
        .kb
        .evaluation
        .sets
        .iter()
        .filter(|s| s.mode == "lexical")
        .collect();
    assert!(!lexical.is_empty(), "no lexical set recorded");
    for s in lexical {
        let text = std::fs::read_to_string(root.join(&s.file)).unwrap();
        let rows = wegwijzer::eval::parse(&text).unwrap();
        let r = wegwijzer::eval::run(&catalog, &rows);
        let f = |x: wegwijzer::eval::Ratio| Fraction {
            hits: x.hits,
            total: x.total,
        };
        assert_eq!(
            (
                s.rows,
                s.top1,
                s.top3,
                s.gap_precision,
                s.gap_recall,
                s.language,
                s.right
            ),
            (
                r.rows,
                f(r.top1),
                f(r.top3),
                f(r.gap_precision),
                f(r.gap_recall),
                f(r.language),
                f(r.right)
            ),
            "{}: the record is stale; run `wegwijzer eval {} --lexical --record`",
            s.file,
            s.file
        );
    }
}

#[tokio::test]
async fn offer_pages_show_rounds_figures_with_sources_and_no_link_for_a_cut_source() {
    let app = spawn_app(Backend::Sqlite).await;
    let (catalog, _) = Catalog::load(&common::knowledge_dir()).unwrap();
    let kb = &catalog.kb;
    let rounds = kb
        .offers
        .iter()
        .find(|o| o.rounds && o.status == wegwijzer::domain::Status::Open)
        .expect("a scheme that opens in rounds");
    let html = get(&app, &format!("/aanbod/{}", rounds.id.as_str())).await;
    assert!(
        html.contains("open in rondes; check of er nu een ronde open is"),
        "{}",
        rounds.id.as_str()
    );
    let en = get(&app, &format!("/aanbod/{}?lang=en", rounds.id.as_str())).await;
    assert!(en.contains("open in rounds; check whether a round is open now"));

    let with_figures = kb
        .offers
        .iter()
        .find(|o| !o.figures.is_empty())
        .expect("an offer with figures");
    let html = get(&app, &format!("/aanbod/{}", with_figures.id.as_str())).await;
    let f = &with_figures.figures[0];
    let s = &with_figures.sources[f.source];
    assert!(
        html.contains(&format!(
            "{}: {} (bron: {}",
            f.label,
            f.value.display(wegwijzer::domain::Language::Nl),
            s.host()
        )),
        "{html}"
    );

    let partial = kb
        .offers
        .iter()
        .find_map(|o| o.sources.iter().find(|s| s.partial).map(|s| (o, s)))
        .expect("a cut-short source");
    let html = get(&app, &format!("/aanbod/{}", partial.0.id.as_str())).await;
    assert!(html.contains(&partial.1.url), "the address is still shown");
    assert!(
        !html.contains(&format!("href=\"{}\"", partial.1.url)),
        "but not as a link"
    );
    assert!(html.contains("adres onvolledig"));
}

#[tokio::test]
async fn an_answer_never_says_open_for_a_round_scheme_without_the_rounds_note() {
    let app = spawn_app(Backend::Sqlite).await;
    let a: Value = app
        .client
        .post(app.url("/api/ask"))
        .json(&json!({"question": "Is er subsidie om het leren en ontwikkelen van mijn medewerkers op te zetten, een ontwikkelplan en loopbaanadvies?"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cards = a["offers"].as_array().cloned().unwrap_or_default();
    let slim = cards
        .iter()
        .find(|c| c["id"] == "slim-subsidie")
        .unwrap_or_else(|| panic!("{a}"));
    assert_eq!(slim["rounds"], true, "{slim}");
    assert!(!slim["figures"].as_array().unwrap().is_empty(), "{slim}");
}

#[tokio::test]
async fn the_review_lists_due_offers_with_owner_and_demand_most_asked_first() {
    for b in common::backends() {
        let app = spawn_app(b).await;
        let (catalog, _) = Catalog::load(&common::knowledge_dir()).unwrap();
        let today = time::OffsetDateTime::now_utc().date();
        let due = wegwijzer::knowledge::review::due(&catalog.kb, today);
        assert!(
            !due.is_empty(),
            "the real base has offers to check (cut-short sources at least)"
        );
        // Demand: answers that recommend a due offer move it to the top.
        let store = wegwijzer::store::Store::connect(&app.db.url).await.unwrap();
        let last = due.last().unwrap().id.clone();
        store.count_referrals(&[last.clone(), last.clone()]);
        let (rows, known) =
            wegwijzer::insights::review::list(&catalog.kb, Some(&store), today).await;
        assert!(known);
        assert_eq!(rows[0].due.id, last, "most-asked first");
        assert_eq!(rows[0].referred, 2);
        assert!(!rows[0].due.owner.is_empty() && !rows[0].due.reasons.is_empty());
        let md = wegwijzer::insights::review::markdown(&rows, known);
        assert!(md.starts_with("# Aanbod om te controleren") && md.contains(&format!("`{last}`")));
        let csv = wegwijzer::insights::review::csv(&rows).unwrap();
        assert_eq!(csv.lines().count(), rows.len() + 1);
        // Without a database the list still comes, with the demand unknown.
        let (bare, known) = wegwijzer::insights::review::list(&catalog.kb, None, today).await;
        assert_eq!(bare.len(), rows.len());
        assert!(!known);
        store.close().await;
    }
}

#[test]
fn an_old_review_makes_every_open_offer_due() {
    let (catalog, _) = Catalog::load(&common::knowledge_dir()).unwrap();
    // Two years on, every open offer's review is overdue.
    let later = time::OffsetDateTime::now_utc().date() + time::Duration::days(730);
    let due = wegwijzer::knowledge::review::due(&catalog.kb, later);
    let open = catalog
        .kb
        .offers
        .iter()
        .filter(|o| o.status != wegwijzer::domain::Status::Closed)
        .count();
    assert!(due.len() >= open, "{} due of {open} open", due.len());
    assert!(
        due.iter()
            .all(|d| d.reasons.iter().any(|r| r.contains("meer dan 11 maanden")))
    );
}
