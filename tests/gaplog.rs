//! The unmet-demand log for advisers and officers, end to end on the real router and both
//! backends: access by role, the gap list and triage, adviser-logged gaps, the white-spot matrix,
//! clusters, and the exports for partners.

mod common;

use common::{TestApp, backends, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use wegwijzer::auth::Role;
use wegwijzer::store::{NewGap, Store};

/// Creates an API token of a role directly in the app's database.
async fn token(app: &TestApp, role: Role) -> String {
    common::api_token(&app.db.url, role).await
}

async fn ask(app: &TestApp, q: &str) -> Value {
    app.client
        .post(app.url("/api/ask"))
        .json(&json!({"question": q}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn gap_routes_need_the_right_role() {
    for b in backends() {
        let app = spawn_app(b).await;
        let adviser = token(&app, Role::Adviser).await;
        let officer = token(&app, Role::Officer).await;
        let routes = [
            ("GET", "/api/gaps", StatusCode::OK, StatusCode::OK),
            (
                "GET",
                "/api/gaps/1",
                StatusCode::NOT_FOUND,
                StatusCode::NOT_FOUND,
            ),
            (
                "PATCH",
                "/api/gaps/1",
                StatusCode::FORBIDDEN,
                StatusCode::NOT_FOUND,
            ),
            (
                "GET",
                "/api/gaps.csv",
                StatusCode::FORBIDDEN,
                StatusCode::OK,
            ),
            (
                "GET",
                "/api/insights/matrix",
                StatusCode::OK,
                StatusCode::OK,
            ),
            (
                "GET",
                "/api/insights/matrix.csv",
                StatusCode::FORBIDDEN,
                StatusCode::OK,
            ),
            (
                "GET",
                "/api/insights/matrix.json",
                StatusCode::FORBIDDEN,
                StatusCode::OK,
            ),
            (
                "GET",
                "/api/insights/clusters",
                StatusCode::OK,
                StatusCode::OK,
            ),
            (
                "GET",
                "/api/insights/codebook",
                StatusCode::OK,
                StatusCode::OK,
            ),
        ];
        for (method, path, as_adviser, as_officer) in routes {
            let req = |auth: Option<&str>| {
                let mut r = app.client.request(method.parse().unwrap(), app.url(path));
                if method == "PATCH" {
                    r = r.json(&json!({"status": "reviewed"}));
                }
                if let Some(t) = auth {
                    r = r.bearer_auth(t);
                }
                r.send()
            };
            let none = req(None).await.unwrap();
            assert_eq!(
                none.status(),
                StatusCode::UNAUTHORIZED,
                "{b:?} {method} {path}"
            );
            assert_eq!(none.headers()["www-authenticate"], "Bearer");
            let body: Value = none.json().await.unwrap();
            assert_eq!(body["error"]["code"], "unauthorized");
            assert_eq!(
                req(Some("not-a-token")).await.unwrap().status(),
                StatusCode::UNAUTHORIZED
            );
            assert_eq!(
                req(Some(&adviser)).await.unwrap().status(),
                as_adviser,
                "{b:?} adviser {method} {path}"
            );
            assert_eq!(
                req(Some(&officer)).await.unwrap().status(),
                as_officer,
                "{b:?} officer {method} {path}"
            );
        }
        // A revoked token no longer works.
        let store = Store::connect(&app.db.url).await.unwrap();
        let id = store.tokens().await.unwrap()[0].id;
        assert!(store.revoke_token(id).await.unwrap());
        store.close().await;
        let r = app
            .client
            .get(app.url("/api/gaps"))
            .bearer_auth(&adviser)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_gap_from_the_chat_can_be_found_triaged_and_audited() {
    for b in backends() {
        let app = spawn_app(b).await;
        let officer = token(&app, Role::Officer).await;
        let answer = ask(
            &app,
            "Ik wil subsidie voor een zonnepanelenpark op de maan, bel me op 06-12345678",
        )
        .await;
        let gap_id = answer["gap"]["id"].as_i64();
        // Whatever the outcome, a gap or handoff is logged with an id; find it in the list.
        let list: Value = app
            .client
            .get(app.url("/api/gaps?limit=10"))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = gap_id.unwrap_or_else(|| panic!("{b:?}: expected a logged gap: {answer}"));
        assert_eq!(list["total"], 1, "{b:?}: {list}");
        let gap = &list["gaps"][0];
        assert_eq!(gap["id"], id);
        let text = gap["question"].as_str().unwrap();
        assert!(
            !text.contains("12345678") && text.contains("[telefoon]"),
            "{text}"
        );
        assert_eq!(gap["status"], "new");

        // Filters narrow the list; bad filters are a 400 with a message.
        let other_reason = if gap["reason"] == "no_offer" {
            "handoff"
        } else {
            "no_offer"
        };
        let filtered: Value = app
            .client
            .get(app.url(&format!("/api/gaps?reason={other_reason}")))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(filtered["total"], 0, "{filtered}");
        for bad in [
            "reason=nonsense",
            "from=2026-13-01",
            "limit=0",
            "status=done",
            "limit=100000",
        ] {
            let r = app
                .client
                .get(app.url(&format!("/api/gaps?{bad}")))
                .bearer_auth(&officer)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
            let e: Value = r.json().await.unwrap();
            assert!(e["error"]["message"].as_str().is_some());
        }

        let patch = |body: Value| {
            app.client
                .patch(app.url(&format!("/api/gaps/{id}")))
                .bearer_auth(&officer)
                .json(&body)
                .send()
        };
        let r = patch(json!({"status": "addressed", "note": "Zie Energiefonds; bel 0612345678", "covered_by": "energiefonds-drenthe"})).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let triaged: Value = r.json().await.unwrap();
        assert_eq!(triaged["status"], "addressed");
        assert_eq!(triaged["covered_by"], "energiefonds-drenthe");
        assert!(
            !triaged["note"].as_str().unwrap().contains("0612345678"),
            "notes are redacted"
        );
        assert_eq!(
            patch(json!({"status": "klaar"})).await.unwrap().status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            patch(json!({"covered_by": "geen-aanbod"}))
                .await
                .unwrap()
                .status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            patch(json!({})).await.unwrap().status(),
            StatusCode::BAD_REQUEST
        );
        let missing = app
            .client
            .patch(app.url("/api/gaps/999999"))
            .bearer_auth(&officer)
            .json(&json!({"status": "reviewed"}))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let one: Value = app
            .client
            .get(app.url(&format!("/api/gaps/{id}")))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(one["status"], "addressed");

        let store = Store::connect(&app.db.url).await.unwrap();
        let audit = store.audit_trail(10).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|a| a.action == "gap.triage"
                    && a.target.as_deref() == Some(&id.to_string()[..])),
            "{audit:?}"
        );
        store.close().await;
    }
}

#[tokio::test]
async fn an_adviser_logs_a_gap_in_the_same_taxonomy() {
    for b in backends() {
        let app = spawn_app(b).await;
        let adviser = token(&app, Role::Adviser).await;
        let r = app
            .client
            .post(app.url("/api/gaps"))
            .bearer_auth(&adviser)
            .json(&json!({
                "question": "Bakker in Emmen zoekt hulp bij export naar Duitsland, mail jan@bakkerij.nl",
                "note": "telefoongesprek"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let gap: Value = r.json().await.unwrap();
        assert_eq!(gap["channel"], "adviser");
        assert_eq!(gap["reason"], "no_offer");
        assert_eq!(gap["municipality"], "emmen");
        assert_eq!(gap["subregion"], "zuidoost-drenthe");
        assert!(
            gap["themes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t == "internationaal"),
            "{gap}"
        );
        assert!(!gap["question"].as_str().unwrap().contains("jan@"), "{gap}");
        // The adviser's own classification wins; unknown ids are refused.
        let r = app
            .client
            .post(app.url("/api/gaps"))
            .bearer_auth(&adviser)
            .json(&json!({"question": "iets", "themes": ["ruimtevaart"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let r = app
            .client
            .post(app.url("/api/gaps"))
            .bearer_auth(&adviser)
            .json(&json!({"question": "  "}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }
}

fn gap(theme: &str, subregion: &str, reason: &str, text: &str) -> NewGap {
    NewGap {
        question: Some(text.into()),
        language: "nl".into(),
        channel: "web".into(),
        reason: reason.into(),
        themes: vec![theme.into()],
        subregion: Some(subregion.into()),
        ..NewGap::default()
    }
}

#[tokio::test]
async fn the_matrix_puts_demand_beside_supply_and_suppresses_small_cells_for_partners() {
    for b in backends() {
        let app = spawn_app(b).await;
        let officer = token(&app, Role::Officer).await;
        let store = Store::connect(&app.db.url).await.unwrap();
        let today = time::OffsetDateTime::now_utc().date();
        let day = |d: i64| wegwijzer::knowledge::format_date(today - time::Duration::days(d));
        let mut rows = Vec::new();
        // Six export gaps in Zuidoost-Drenthe this period, two the period before; one elsewhere.
        for i in 0..6 {
            rows.push((
                day(i),
                gap(
                    "internationaal",
                    "zuidoost-drenthe",
                    "no_offer",
                    "export naar Duitsland, douane en btw",
                ),
            ));
        }
        for i in 0..2 {
            rows.push((
                day(400 + i),
                gap(
                    "internationaal",
                    "zuidoost-drenthe",
                    "no_offer",
                    "exporteren",
                ),
            ));
        }
        rows.push((
            day(1),
            gap(
                "internationaal",
                "noord-drenthe",
                "region_mismatch",
                "export",
            ),
        ));
        store.insert_gaps_on(&rows).await.unwrap();
        store.close().await;
        // And one answered question through the API.
        ask(
            &app,
            "Ik wil een bakkerij starten in Emmen en zoek een lening van 20.000 euro",
        )
        .await;

        let m: Value = app
            .client
            .get(app.url("/api/insights/matrix"))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(m["rows"], "theme");
        assert_eq!(m["cols"], "subregion");
        let cell = |m: &Value, r: &str, c: &str| -> Value {
            m["cells"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["row"] == r && x["col"] == c)
                .cloned()
                .unwrap_or_else(|| panic!("no cell {r} {c}"))
        };
        let c = cell(&m, "internationaal", "zuidoost-drenthe");
        assert_eq!(c["questions"], 6, "{b:?} {c}");
        assert_eq!(c["gaps"], 6);
        assert_eq!(c["gap_share"], 1.0);
        assert_eq!(c["previous_questions"], 2);
        assert_eq!(c["trend"], 2.0);
        assert!(
            c["supply"].as_u64().unwrap() >= 1,
            "offers for export exist: {c}"
        );
        assert_eq!(cell(&m, "internationaal", "noord-drenthe")["gaps"], 1);
        // Every theme and sub-region is there, with or without demand.
        assert!(m["row_values"].as_array().unwrap().len() >= 13);
        let answered: i64 = m["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["questions"].as_i64().unwrap_or(0))
            .sum();
        assert!(answered > 7, "the answered question counts too: {answered}");

        // Other dimensions; the same one twice is refused.
        let r = app
            .client
            .get(app.url("/api/insights/matrix?rows=opgave&cols=channel"))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let r = app
            .client
            .get(app.url("/api/insights/matrix?rows=theme&cols=theme"))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);

        // The partner CSV: BOM, semicolons, small cells empty.
        let r = app
            .client
            .get(app.url("/api/insights/matrix.csv"))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap();
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("attachment")
        );
        let csv = r.text().await.unwrap();
        assert!(csv.starts_with('\u{feff}'));
        let header = csv.lines().next().unwrap();
        assert!(
            header.contains("questions;gaps;handoffs;gap_share;supply"),
            "{header}"
        );
        let line = |row: &str, col: &str| {
            csv.lines()
                .find(|l| {
                    l.starts_with(&format!("theme;{row};"))
                        && l.contains(&format!(";subregion;{col};"))
                })
                .unwrap()
                .to_owned()
        };
        assert!(
            line("internationaal", "zuidoost-drenthe").contains(";6;6;0;1.000;"),
            "{}",
            line("internationaal", "zuidoost-drenthe")
        );
        assert!(
            line("internationaal", "noord-drenthe").contains(";;;;;"),
            "one question is suppressed: {}",
            line("internationaal", "noord-drenthe")
        );

        let codebook: Value = app
            .client
            .get(app.url("/api/insights/codebook"))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for col in header.trim_start_matches('\u{feff}').split(';') {
            assert!(
                codebook["matrix"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["name"] == col),
                "codebook lacks {col}"
            );
        }
        let store = Store::connect(&app.db.url).await.unwrap();
        assert!(
            store
                .audit_trail(10)
                .await
                .unwrap()
                .iter()
                .any(|a| a.action == "export" && a.target.as_deref() == Some("matrix.csv"))
        );
        store.close().await;
    }
}

#[tokio::test]
async fn clusters_group_similar_unanswered_questions() {
    for b in backends() {
        let app = spawn_app(b).await;
        let adviser = token(&app, Role::Adviser).await;
        let store = Store::connect(&app.db.url).await.unwrap();
        let today = wegwijzer::knowledge::format_date(time::OffsetDateTime::now_utc().date());
        let texts = [
            "Hoe regel ik een verblijfsvergunning voor een buitenlandse medewerker?",
            "verblijfsvergunning aanvragen voor buitenlandse werknemer",
            "Wie helpt met de verblijfsvergunning van een medewerker uit India?",
            "Subsidie voor een zwembad bij mijn camping",
            "subsidie zwembad camping",
            "iets heel anders over belastingaangifte",
        ];
        let rows: Vec<_> = texts
            .iter()
            .map(|t| {
                (
                    today.clone(),
                    gap("personeel", "noord-drenthe", "no_offer", t),
                )
            })
            .collect();
        store.insert_gaps_on(&rows).await.unwrap();
        store.close().await;
        let r: Value = app
            .client
            .get(app.url("/api/insights/clusters"))
            .bearer_auth(&adviser)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let clusters = r["clusters"].as_array().unwrap();
        assert_eq!(r["gaps_considered"], 6);
        assert_eq!(clusters.len(), 2, "{b:?}: {r}");
        assert_eq!(clusters[0]["size"], 3);
        assert!(
            clusters[0]["top_terms"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t.as_str().unwrap().starts_with("verblijfsvergun")),
            "{r}"
        );
        assert_eq!(clusters[0]["examples"].as_array().unwrap().len(), 3);
        assert_eq!(clusters[1]["size"], 2);
    }
}

#[tokio::test]
async fn the_gaps_csv_opens_in_dutch_excel_and_neutralises_formulas() {
    for b in backends() {
        let app = spawn_app(b).await;
        let officer = token(&app, Role::Officer).await;
        let store = Store::connect(&app.db.url).await.unwrap();
        let today = wegwijzer::knowledge::format_date(time::OffsetDateTime::now_utc().date());
        store
            .insert_gaps_on(&[(
                today,
                gap(
                    "financiering",
                    "noord-drenthe",
                    "no_offer",
                    "=HYPERLINK(\"x\"); lening",
                ),
            )])
            .await
            .unwrap();
        store.close().await;
        let r = app
            .client
            .get(app.url("/api/gaps.csv"))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let csv = r.text().await.unwrap();
        assert!(csv.starts_with("\u{feff}id;created_at;"), "{csv}");
        assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\"); lening\""), "{csv}");
    }
}
