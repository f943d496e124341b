//! "Waar eerst op letten": cells ranked by the documented priority score, on generated history,
//! through `/api/insights/priorities` and on the dashboard, on SQLite and PostgreSQL.

mod common;

use common::{backends, spawn_app};
use serde_json::Value;
use wegwijzer::auth::Role;
use wegwijzer::knowledge::format_date;
use wegwijzer::store::NewGap;

fn gap(theme: &str, subregion: &str) -> NewGap {
    NewGap {
        question: Some(format!("Vraag over {theme} in {subregion}")),
        language: "nl".into(),
        channel: "web".into(),
        reason: "no_offer".into(),
        themes: vec![theme.into()],
        subregion: Some(subregion.into()),
        ..NewGap::default()
    }
}

#[tokio::test]
async fn cells_are_ranked_by_unmet_demand_its_growth_share_and_scarce_supply() {
    let today = time::OffsetDateTime::now_utc().date();
    let from = today - time::Duration::days(27);
    let now = |i: i64| format_date(today - time::Duration::days(i % 27));
    let before = |i: i64| format_date(from - time::Duration::days(1 + i % 27));
    for b in backends() {
        let app = spawn_app(b).await;
        let store = wegwijzer::store::Store::connect(&app.db.url).await.unwrap();
        let mut history = Vec::new();
        // Rising and large: 12 now against 2 before.
        for i in 0..12 {
            history.push((now(i), gap("financiering", "zuidoost-drenthe")));
        }
        for i in 0..2 {
            history.push((before(i), gap("financiering", "zuidoost-drenthe")));
        }
        // Falling: 3 now against 6 before.
        for i in 0..3 {
            history.push((now(i), gap("personeel", "noord-drenthe")));
        }
        for i in 0..6 {
            history.push((before(i), gap("personeel", "noord-drenthe")));
        }
        // Small: 1 now.
        history.push((now(0), gap("financiering", "noord-drenthe")));
        store.insert_gaps_on(&history).await.unwrap();
        let officer = common::api_token(&app.db.url, Role::Officer).await;
        let url = format!(
            "/api/insights/priorities?rows=theme&cols=subregion&from={}&to={}",
            format_date(from),
            format_date(today)
        );
        let r = app
            .client
            .get(app.url(&url))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{b:?}");
        let v: Value = r.json().await.unwrap();
        let p = v["priorities"].as_array().unwrap();
        assert_eq!(p.len(), 3, "{b:?}: {v}");
        let key = |x: &Value| {
            format!(
                "{}×{}",
                x["row"].as_str().unwrap(),
                x["col"].as_str().unwrap()
            )
        };
        assert_eq!(key(&p[0]), "financiering×zuidoost-drenthe", "{v}");
        assert_eq!(p[0]["unmet"], 12);
        assert_eq!(p[0]["unmet_before"], 2);
        assert_eq!(p[0]["growth"], 3.0, "capped at 3");
        assert!(
            p[0]["link"]
                .as_str()
                .unwrap()
                .contains("theme=financiering")
        );
        assert!(
            !p[0]["opgaven"].as_array().unwrap().is_empty(),
            "a theme reports against policy tasks"
        );
        let falling = p
            .iter()
            .find(|x| key(x) == "personeel×noord-drenthe")
            .unwrap();
        assert_eq!(falling["growth"], 0.0, "only rises count");
        // Scores descend.
        let scores: Vec<f64> = p.iter().map(|x| x["score"].as_f64().unwrap()).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
        assert_eq!(
            v["weights"]["volume"], 1.0,
            "the weights of knowledge/priorities.toml"
        );
        // Bad input is a JSON error.
        let r = app
            .client
            .get(app.url("/api/insights/priorities?limit=0"))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400);
        store.close().await;
    }
}

#[test]
fn broken_priority_weights_name_the_file_and_the_field() {
    let e = wegwijzer::knowledge::priorities::parse("volume = -1\n", "knowledge/priorities.toml")
        .unwrap_err();
    let shown = e[0].to_string();
    assert!(
        shown.contains("knowledge/priorities.toml") && shown.contains("volume"),
        "{shown}"
    );
    assert!(wegwijzer::knowledge::priorities::parse("colour = 1\n", "p.toml").is_err());
    let w = wegwijzer::knowledge::priorities::parse("growth = 2\n", "p.toml").unwrap();
    assert_eq!(
        (w.volume, w.growth),
        (1.0, 2.0),
        "missing weights keep their defaults"
    );
}
