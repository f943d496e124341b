//! Triage that teaches the router: gaps triaged as `addressed` (with a covering offer) or
//! `not-a-gap` come out of `wegwijzer examples export` as labelled questions in the eval format,
//! which `eval` scores and `tune` takes; retention and erasure apply to them as to the gap text.

mod common;

use common::{backends, spawn_app};
use serde_json::{Value, json};
use wegwijzer::auth::Role;
use wegwijzer::catalog::Catalog;
use wegwijzer::domain::Outcome;

async fn log_gap(app: &common::TestApp, token: &str, question: &str) -> i64 {
    let r = app
        .client
        .post(app.url("/api/gaps"))
        .bearer_auth(token)
        .json(&json!({"question": question}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn triage(app: &common::TestApp, token: &str, id: i64, body: Value) {
    let r = app
        .client
        .patch(app.url(&format!("/api/gaps/{id}")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "{body}");
}

#[tokio::test]
async fn triaged_gaps_become_labelled_questions_that_eval_scores_and_retention_removes() {
    let (catalog, _) = Catalog::load(&common::knowledge_dir()).unwrap();
    for b in backends() {
        let app = spawn_app(b).await;
        let adviser = common::api_token(&app.db.url, Role::Adviser).await;
        let officer = common::api_token(&app.db.url, Role::Officer).await;
        let covered = log_gap(&app, &adviser, "De bank zegt nee tegen een kleine lening voor mijn nieuwe webwinkel, bel me op 06-12345678").await;
        let not_a_gap = log_gap(
            &app,
            &adviser,
            "Waar vind ik de KVK-inschrijving voor mijn eenmanszaak?",
        )
        .await;
        let untouched = log_gap(&app, &adviser, "Ik zoek een bedrijfspand in Emmen").await;
        triage(
            &app,
            &officer,
            covered,
            json!({"status": "addressed", "covered_by": "qredits"}),
        )
        .await;
        triage(&app, &officer, not_a_gap, json!({"status": "not-a-gap"})).await;
        triage(&app, &officer, untouched, json!({"status": "reviewed"})).await;

        let store = wegwijzer::store::Store::connect(&app.db.url).await.unwrap();
        let tsv =
            wegwijzer::insights::examples::to_eval_tsv(&store.triaged_examples().await.unwrap());
        let rows = wegwijzer::eval::parse(&tsv).expect("the export is in the eval format");
        assert_eq!(rows.len(), 2, "{b:?}: only the labelled gaps:\n{tsv}");
        let addressed = rows.iter().find(|r| r.id == format!("g{covered}")).unwrap();
        assert_eq!(addressed.outcomes, [Outcome::Answered]);
        assert_eq!(addressed.offers, ["qredits"]);
        assert!(
            !addressed.question.contains("12345678"),
            "the redacted text: {tsv}"
        );
        let other = rows
            .iter()
            .find(|r| r.id == format!("g{not_a_gap}"))
            .unwrap();
        assert!(!other.outcomes.contains(&Outcome::Gap) && other.outcomes.len() == 4);
        // eval takes them as a regression set.
        let report = wegwijzer::eval::run(&catalog, &rows);
        assert_eq!(report.rows, 2);

        // Retention: once the text is gone, so is the example.
        store.forget_old_texts(0).await.unwrap();
        assert!(store.triaged_examples().await.unwrap().is_empty(), "{b:?}");
        store.close().await;
    }
}

#[test]
fn the_export_command_writes_the_eval_header_even_without_examples() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("x.db").display());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wegwijzer"))
        .args(["examples", "export", "--database-url", &url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "id\tlang\toutcome\toffers\tquestion\n"
    );
}
