//! The HTTP API against the real router and real databases.

mod common;

use common::{Backend, backends, spawn_app, spawn_app_with};
use serde_json::{Value, json};

async fn get(app: &common::TestApp, path: &str) -> (u16, Value) {
    let r = app.client.get(app.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn ask(app: &common::TestApp, body: Value) -> (u16, Value) {
    let r = app
        .client
        .post(app.url("/api/ask"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn first_hit(v: &Value) -> &str {
    v["hits"][0]["id"].as_str().unwrap_or("")
}

#[tokio::test]
async fn health_and_readiness_report_the_database() {
    for b in backends() {
        let app = spawn_app(b).await;
        let (s, v) = get(&app, "/healthz").await;
        assert_eq!((s, v["status"].as_str()), (200, Some("ok")));
        let (s, v) = get(&app, "/readyz").await;
        assert_eq!(s, 200, "{b:?}");
        assert_eq!(
            v["database"]["backend"],
            if b == Backend::Sqlite {
                "sqlite"
            } else {
                "postgres"
            }
        );
        assert_eq!(v["offers"], 52);
    }
}

#[tokio::test]
async fn search_finds_offers_despite_typos_compounds_and_languages() {
    let app = spawn_app(Backend::Sqlite).await;
    // (query, an acceptable first hit) — our own queries, not the evaluation set's.
    let cases = [
        ("microkrediet qredits", "qredits"),
        ("qreddits microkrediet", "qredits"),
        ("energieinvesteringsaftrek", "eia"),
        ("mkbfonds", "mkb-fonds-drenthe"),
        (
            "praktijkleerplaats bbl vergoeding",
            "subsidie-praktijkleren",
        ),
        ("speur en ontwikkelingswerk loonheffing", "wbso"),
        ("R&D tax credit software developers", "wbso"),
        (
            "export coaching voucher starters",
            "starters-international-business",
        ),
        ("Markteintritt Deutschland Handelskammer", "dnhk"),
        ("Grenzgänger Sozialversicherung", "grensinfopunt"),
        (
            "digital maturity scan test before invest",
            "edih-noord-nederland",
        ),
        ("vakantiepark vernieuwen", "vitale-vakantieparken"),
    ];
    for (q, want) in cases {
        let (s, v) = get(&app, &format!("/api/search?q={}&limit=3", urlencode(q))).await;
        assert_eq!(s, 200);
        assert_eq!(first_hit(&v), want, "query {q:?} → {v}");
    }
}

#[tokio::test]
async fn exact_words_rank_above_typos() {
    let app = spawn_app(Backend::Sqlite).await;
    let (_, exact) = get(&app, "/api/search?q=microkrediet&limit=1").await;
    let (_, typo) = get(&app, "/api/search?q=mikrokrediet&limit=1").await;
    assert_eq!(first_hit(&exact), first_hit(&typo));
    assert!(
        exact["hits"][0]["score"].as_f64().unwrap() > typo["hits"][0]["score"].as_f64().unwrap()
    );
}

#[tokio::test]
async fn facets_count_and_filters_narrow() {
    let app = spawn_app(Backend::Sqlite).await;
    let (s, all) = get(&app, "/api/search?q=subsidie&limit=100").await;
    assert_eq!(s, 200);
    let closed = all["facets"]["status"]["closed"].as_u64().unwrap();
    assert!(closed >= 1);
    let (_, only) = get(&app, "/api/search?q=subsidie&status=closed&limit=100").await;
    assert_eq!(only["total"].as_u64().unwrap(), closed);
    assert!(
        only["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["status"] == "closed")
    );
    // A municipality also matches offers for its sub-region, Drenthe, the North and the country,
    // but not offers limited to other municipalities.
    let (_, assen) = get(&app, "/api/offers?region=assen").await;
    let ids: Vec<&str> = assen["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"ibdo") && ids.contains(&"wbso") && ids.contains(&"nom-financiering"));
    assert!(
        !ids.contains(&"jtf-personeel-scholing"),
        "JTF is for Emmen only"
    );
    let (_, emmen) = get(&app, "/api/offers?region=emmen").await;
    assert!(
        emmen["offers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == "jtf-personeel-scholing")
    );
}

#[tokio::test]
async fn unknown_filters_and_bad_limits_are_400_json() {
    let app = spawn_app(Backend::Sqlite).await;
    for path in [
        "/api/search?q=x&theme=nonsense",
        "/api/search?q=x&region=atlantis",
        "/api/search?q=x&limit=0",
        "/api/search?q=x&limit=abc",
        "/api/search?q=x&status=maybe",
        "/api/search?q=x&unknown=1",
    ] {
        let (s, v) = get(&app, path).await;
        assert_eq!(s, 400, "{path}");
        assert_eq!(v["error"]["code"], "bad_request", "{path}");
        assert!(v["error"]["message"].as_str().unwrap().len() > 5);
    }
}

#[tokio::test]
async fn one_offer_in_full_with_sanitised_html() {
    let app = spawn_app(Backend::Sqlite).await;
    let (s, v) = get(&app, "/api/offers/mkb-advies-voucher").await;
    assert_eq!(s, 200);
    assert_eq!(v["status"], "closed");
    assert_eq!(v["closed_on"], "2025-04-30");
    assert!(v["body_html"].as_str().unwrap().contains("<h2>"));
    assert!(!v["body_markdown"].as_str().unwrap().is_empty());
    assert!(!v["sources"].as_array().unwrap().is_empty());
    let (s, v) = get(&app, "/api/offers/does-not-exist").await;
    assert_eq!((s, v["error"]["code"].as_str()), (404, Some("not_found")));
    let (s, _) = get(&app, "/api/offers/..%2F..%2Fetc%2Fpasswd").await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn ask_answers_in_the_askers_language_with_cited_offers() {
    for b in backends() {
        let app = spawn_app(b).await;
        let (s, v) = ask(&app, json!({"question": "Ich möchte eine kleine Bäckerei gründen und brauche einen Mikrokredit.", "log": false})).await;
        assert_eq!(s, 200);
        assert_eq!(v["language"], "de");
        assert_eq!(v["outcome"], "answered");
        assert_eq!(v["offers"][0]["id"], "qredits");
        let offer = &v["offers"][0];
        for field in ["name", "provider", "status", "why", "how_to_apply", "url"] {
            assert!(
                !offer[field].as_str().unwrap_or("").is_empty(),
                "{field} in {offer}"
            );
        }
        assert!(
            v["understood"]["themes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t == "financiering")
        );
    }
}

#[tokio::test]
async fn a_conversation_carries_what_was_understood() {
    let app = spawn_app(Backend::Sqlite).await;
    let (_, first) = ask(&app, json!({"question": "financiering?"})).await;
    assert_eq!(first["outcome"], "clarify");
    let options = first["clarify"]["options"].as_array().unwrap();
    assert!((3..=6).contains(&options.len()));
    let cid = first["conversation_id"].as_str().unwrap().to_owned();
    let (_, second) = ask(
        &app,
        json!({"question": "een webshop beginnen met 15.000 euro", "conversation_id": cid}),
    )
    .await;
    assert_eq!(second["conversation_id"], cid.as_str());
    assert_eq!(second["outcome"], "answered");
    assert_eq!(second["offers"][0]["id"], "qredits", "{second}");
    assert_eq!(second["understood"]["amount_eur"], 15000);
}

#[tokio::test]
async fn unknown_conversation_starts_a_new_one_and_says_so() {
    let app = spawn_app(Backend::Sqlite).await;
    let (s, v) = ask(&app, json!({"question": "Ik wil exporteren naar Duitsland", "conversation_id": "no-such-conversation"})).await;
    assert_eq!(s, 200);
    assert_ne!(v["conversation_id"], "no-such-conversation");
    assert!(v["notice"].as_str().is_some());
}

#[tokio::test]
async fn closed_schemes_are_shown_closed_and_reported_as_gaps() {
    let app = spawn_app(Backend::Sqlite).await;
    let (_, v) = ask(
        &app,
        json!({"question": "Kan ik nog de digitaliseringsvoucher van de provincie krijgen?"}),
    )
    .await;
    assert_eq!(v["outcome"], "gap", "{v}");
    assert_eq!(v["gap"]["reason"], "offer_closed");
    // It says what is true: what is passed on goes without the personal data Wegwijzer recognises,
    // not "anonymously", and asks not to type any.
    let text = v["answer"].as_str().unwrap_or_default();
    assert!(
        text.contains("zonder de persoonsgegevens die Wegwijzer herkent"),
        "{text}"
    );
    assert!(text.contains("Typ liever geen namen"), "{text}");
    assert!(!text.to_lowercase().contains("anoniem"), "{text}");
    let closed = v["offers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "digitaliseringsvoucher-drenthe")
        .unwrap();
    assert_eq!(closed["status"], "closed");
    assert!(
        v["offers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == "ibdo")
    );
}

#[tokio::test]
async fn handoff_and_out_of_scope() {
    let app = spawn_app(Backend::Sqlite).await;
    let (_, v) = ask(
        &app,
        json!({"question": "Can I please talk to an adviser on the phone?"}),
    )
    .await;
    assert_eq!(v["outcome"], "handoff");
    assert_eq!(v["offers"][0]["id"], "ibdo");
    let (_, v) = ask(
        &app,
        json!({"question": "Wat voor weer wordt het morgen in Assen?"}),
    )
    .await;
    assert_eq!(v["outcome"], "out_of_scope");
    assert!(v["offers"].as_array().unwrap().is_empty());
    let (_, v) = ask(&app, json!({"question": "<script>alert('x')</script>"})).await;
    assert_eq!(v["outcome"], "out_of_scope");
}

#[tokio::test]
async fn bad_ask_input_gets_a_clear_json_error() {
    let app = spawn_app(Backend::Sqlite).await;
    let long = "a".repeat(2001);
    for (body, code) in [
        (json!({"question": ""}), 400),
        (json!({"question": "   \n\t "}), 400),
        (json!({"question": long}), 400),
        (json!({"question": "hoi", "extra": 1}), 400),
        (json!({"question": "hoi", "channel": "fax"}), 400),
        (
            json!({"question": "hoi", "conversation_id": "../../etc"}),
            400,
        ),
        (json!({"nope": "hoi"}), 400),
    ] {
        let (s, v) = ask(&app, body.clone()).await;
        assert_eq!(s, code, "{body}");
        assert!(v["error"]["message"].as_str().is_some(), "{body} → {v}");
    }
    let r = app
        .client
        .post(app.url("/api/ask"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let r = app
        .client
        .post(app.url("/api/ask"))
        .header("content-type", "application/json")
        .body(vec![0xff, 0xfe, b'{'])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let r = app
        .client
        .post(app.url("/api/ask"))
        .body("question=hoi")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 415);
    let huge = json!({"question": "x".repeat(20_000)}).to_string();
    let r = app
        .client
        .post(app.url("/api/ask"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "payload_too_large");
}

#[tokio::test]
async fn reload_needs_the_admin_token() {
    let app = spawn_app(Backend::Sqlite).await;
    let r = app
        .client
        .post(app.url("/api/admin/reload"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    for b in backends() {
        let app = spawn_app_with(b, Some("s3cret")).await;
        let r = app
            .client
            .post(app.url("/api/admin/reload"))
            .bearer_auth("wrong")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403);
        let r = app
            .client
            .post(app.url("/api/admin/reload"))
            .bearer_auth("s3cret")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["offers"], 52);
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn gaps_are_logged_redacted_with_their_id_and_test_traffic_is_not() {
    for b in backends() {
        let app = spawn_app(b).await;
        let store = wegwijzer::store::Store::connect(&app.db.url).await.unwrap();
        let q = "Kan ik nog de digitaliseringsvoucher van de provincie krijgen? Mail naar jan.jansen@example.nl of bel 06-12345678.";
        let (_, test_traffic) = ask(&app, json!({"question": q, "log": false})).await;
        assert_eq!(test_traffic["outcome"], "gap");
        assert!(
            test_traffic["gap"]["id"].is_null(),
            "log:false is never recorded"
        );
        assert!(store.recent_gaps(10).await.unwrap().is_empty(), "{b:?}");

        let (_, v) = ask(&app, json!({"question": q, "channel": "web"})).await;
        let id = v["gap"]["id"].as_i64().expect("the stored gap's id");
        let gap = store
            .gap(id)
            .await
            .unwrap()
            .expect("durable once the id is returned");
        let text = gap.question.clone().unwrap_or_default();
        assert!(
            !text.contains("jan.jansen") && !text.contains("12345678"),
            "{b:?}: {text}"
        );
        assert!(text.contains("digitaliseringsvoucher"), "{text}");
        assert_eq!(
            (
                gap.reason.as_str(),
                gap.channel.as_str(),
                gap.language.as_str()
            ),
            ("offer_closed", "web", "nl")
        );
        assert!(
            gap.offers
                .contains(&"digitaliseringsvoucher-drenthe".to_owned())
        );

        let (_, h) = ask(
            &app,
            json!({"question": "Can someone call me back please?"}),
        )
        .await;
        assert_eq!(h["outcome"], "handoff");
        let hid = h["gap"]["id"].as_i64().expect("handoffs are logged too");
        assert_eq!(store.gap(hid).await.unwrap().unwrap().reason, "handoff");

        let (_, a) = ask(
            &app,
            json!({"question": "Ik wil een eenmanszaak inschrijven bij de KVK, hoe doe ik dat?"}),
        )
        .await;
        assert_eq!(a["outcome"], "answered");
        assert!(a["gap"].is_null());
        // Answered questions are counted in memory and written about once a second.
        let mut counted = 0;
        for _ in 0..50 {
            counted = store.counted("answered").await.unwrap();
            if counted >= 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(counted >= 1, "answered questions are counted");
        assert_eq!(
            store.recent_gaps(10).await.unwrap().len(),
            2,
            "answered questions leave no text"
        );
        let (_, _) = ask(&app, json!({"question": "Wie wint de Tour de France?"})).await;
        assert_eq!(
            store.recent_gaps(10).await.unwrap().len(),
            2,
            "out of scope is not demand"
        );
        store.close().await;
    }
}

#[tokio::test]
async fn not_helpful_feedback_becomes_a_redacted_gap() {
    for b in backends() {
        let app = spawn_app(b).await;
        let store = wegwijzer::store::Store::connect(&app.db.url).await.unwrap();
        let (_, a) = ask(
            &app,
            json!({"question": "Ik zoek een microkrediet om een kapsalon te starten in Assen"}),
        )
        .await;
        let cid = a["conversation_id"].as_str().unwrap().to_owned();
        let post = |body: Value| app.client.post(app.url("/api/feedback")).json(&body).send();
        let r = post(json!({"conversation_id": cid, "helpful": true}))
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let r = post(json!({"conversation_id": cid, "helpful": false, "comment": "Te weinig geld, mail me: a.b@example.nl"})).await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let v: Value = r.json().await.unwrap();
        let gap = store
            .gap(v["gap"]["id"].as_i64().unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(gap.reason, "not_helpful", "{b:?}");
        assert!(gap.themes.contains(&"financiering".to_owned()));
        assert_eq!(gap.municipality.as_deref(), Some("assen"));
        assert!(
            gap.offers.contains(&"qredits".to_owned()),
            "{:?}",
            gap.offers
        );
        let text = gap.question.unwrap();
        assert!(
            text.contains("[e-mail]") && !text.contains("a.b@example.nl"),
            "{text}"
        );
        let r = post(json!({"conversation_id": "unknown-conversation", "helpful": false}))
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 404);
        let r = post(json!({"conversation_id": cid, "helpful": "no"}))
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400);
        store.close().await;
    }
}

/// The not-helpful gaps in the log, counted both ways the gap list counts: by the per-day totals
/// (`gap_days`) and by the records themselves.
async fn not_helpful_gaps(
    store: &wegwijzer::store::Store,
) -> (i64, Vec<wegwijzer::store::GapRecord>) {
    let filter = wegwijzer::store::GapFilter {
        reason: Some("not_helpful".into()),
        limit: 100,
        ..Default::default()
    };
    let (total, records) = store.list_gaps(&filter).await.unwrap();
    assert_eq!(
        total,
        records.len() as i64,
        "gap_days in step with the gaps"
    );
    (total, records)
}

#[tokio::test]
async fn not_helpful_twice_on_one_answer_is_one_gap_with_the_newer_comment() {
    for b in backends() {
        let app = spawn_app(b).await;
        let store = wegwijzer::store::Store::connect(&app.db.url).await.unwrap();
        let (_, a) = ask(
            &app,
            json!({"question": "Ik zoek een microkrediet om een kapsalon te starten in Assen"}),
        )
        .await;
        let cid = a["conversation_id"].as_str().unwrap().to_owned();
        let post = |body: Value| {
            let request = app.client.post(app.url("/api/feedback")).json(&body).send();
            async move {
                let r = request.await.unwrap();
                assert_eq!(r.status().as_u16(), 200);
                r.json::<Value>().await.unwrap()
            }
        };
        let first =
            post(json!({"conversation_id": cid, "helpful": false, "comment": "Te weinig geld"}))
                .await;
        assert_eq!(first["updated"], false, "{b:?}: {first}");
        let id = first["gap"]["id"].as_i64().unwrap();

        let again = post(json!({"conversation_id": cid, "helpful": false, "comment": "Het bedrag is te laag, mail me: a.b@example.nl"})).await;
        assert_eq!(again["updated"], true, "{b:?}: {again}");
        assert_eq!(again["gap"]["id"].as_i64(), Some(id), "the same gap");
        assert_eq!(again["gap"]["reason"], "not_helpful");
        let gap = store.gap(id).await.unwrap().unwrap();
        let text = gap.question.clone().unwrap();
        assert!(
            text.contains("te laag") && !text.contains("Te weinig"),
            "{text}"
        );
        assert!(
            text.contains("[e-mail]") && !text.contains("a.b@example.nl"),
            "redacted as ever: {text}"
        );
        assert!(gap.updated_at.is_some());

        // Once more without a comment: still the one gap, the comment kept.
        let bare = post(json!({"conversation_id": cid, "helpful": false})).await;
        assert_eq!(bare["updated"], true);
        assert_eq!(
            store.gap(id).await.unwrap().unwrap().question.as_deref(),
            Some(text.as_str())
        );
        let (total, records) = not_helpful_gaps(&store).await;
        assert_eq!(total, 1, "{b:?}: {records:?}");

        // The next answer in the conversation is another answer: its own gap.
        let (_, next) = ask(
            &app,
            json!({"question": "En voor een bakkerij?", "conversation_id": cid}),
        )
        .await;
        assert_eq!(next["conversation_id"].as_str(), Some(cid.as_str()));
        let other =
            post(json!({"conversation_id": cid, "helpful": false, "comment": "Ook niet"})).await;
        assert_eq!(other["updated"], false, "{b:?}: {other}");
        let other_id = other["gap"]["id"].as_i64().unwrap();
        assert_ne!(other_id, id);
        let (total, _) = not_helpful_gaps(&store).await;
        assert_eq!(total, 2, "{b:?}");
        assert_eq!(
            store.gap(id).await.unwrap().unwrap().question.as_deref(),
            Some(text.as_str()),
            "the first answer's gap is untouched"
        );

        // A conversation of its own, same answer text: a gap of its own.
        let (_, fresh) = ask(
            &app,
            json!({"question": "Ik zoek een microkrediet om een kapsalon te starten in Assen"}),
        )
        .await;
        let fresh_cid = fresh["conversation_id"].as_str().unwrap().to_owned();
        let r = post(json!({"conversation_id": fresh_cid, "helpful": false})).await;
        assert_eq!(r["updated"], false);
        assert_eq!(not_helpful_gaps(&store).await.0, 3);
        store.close().await;
    }
}
