//! The web pages against the real router: headers, the no-JavaScript chat, CSRF, assets, the offer
//! search, the 404 page, and login, the dashboard and logout, on every backend.

mod common;

use common::{Options, TestApp, backends, spawn_app, spawn_app_opts};
use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use reqwest::redirect::Policy;
use wegwijzer::auth::{Role, hash_password};
use wegwijzer::store::Store;
use wegwijzer::web::CONTENT_SECURITY_POLICY;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// A browser's worth of state: its cookies and the CSRF token of the last page it read, and the
/// address our (trusted) proxy says it comes from, if the test runs behind one.
#[derive(Default)]
struct Browser {
    cookies: Vec<(String, String)>,
    csrf: String,
    from: Option<String>,
}

impl Browser {
    fn from(addr: &str) -> Browser {
        Browser {
            from: Some(addr.to_owned()),
            ..Browser::default()
        }
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.cookies
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    fn request(&self, r: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let r = r.header(COOKIE, self.cookie_header());
        match &self.from {
            Some(addr) => r.header("x-forwarded-for", addr),
            None => r,
        }
    }

    fn take_cookies(&mut self, r: &reqwest::Response) {
        for v in r.headers().get_all(SET_COOKIE) {
            let line = v.to_str().unwrap();
            let (kv, _) = line.split_once(';').unwrap_or((line, ""));
            let (k, v) = kv.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !line.contains("Max-Age=0") {
                self.cookies.push((k.to_owned(), v.to_owned()));
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn get(&mut self, app: &TestApp, path: &str) -> (u16, String) {
        let r = self
            .request(client().get(app.url(path)))
            .send()
            .await
            .unwrap();
        self.take_cookies(&r);
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        if let Some(t) = csrf_in(&body) {
            self.csrf = t;
        }
        (status, body)
    }

    async fn post(
        &mut self,
        app: &TestApp,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let r = self
            .request(client().post(app.url(path)))
            .form(form)
            .send()
            .await
            .unwrap();
        self.take_cookies(&r);
        r
    }
}

fn csrf_in(html: &str) -> Option<String> {
    let at = html.find(r#"name="csrf" value=""#)? + r#"name="csrf" value=""#.len();
    Some(html[at..].split('"').next()?.to_owned())
}

#[tokio::test]
async fn every_page_renders_with_the_security_headers_and_its_language() {
    let app = spawn_app(common::Backend::Sqlite).await;
    for path in [
        "/",
        "/aanbod",
        "/aanbod?q=lening&theme=financiering",
        "/aanbod/ibdo",
        "/privacy",
        "/toegankelijkheid",
        "/over",
        "/login",
    ] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let h = r.headers();
        assert_eq!(h[CONTENT_TYPE], "text/html; charset=utf-8", "{path}");
        assert_eq!(h["content-security-policy"], CONTENT_SECURITY_POLICY);
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin");
        assert_eq!(h["x-frame-options"], "DENY");
        assert!(
            !h.contains_key("strict-transport-security"),
            "no HSTS over plain HTTP"
        );
        let body = r.text().await.unwrap();
        assert!(body.contains(r#"<html lang="nl">"#), "{path}");
        assert!(body.contains(r##"href="#main""##), "skip link on {path}");
        assert!(!body.contains("<script>"), "no inline script on {path}");
    }
    let body = app
        .client
        .get(app.url("/?lang=de"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains(r#"<html lang="de">"#));
    assert!(body.contains("Senden"));

    // Behind a TLS-terminating proxy, pages and the API carry HSTS.
    for path in ["/", "/api/offers"] {
        let r = app
            .client
            .get(app.url(path))
            .header("x-forwarded-proto", "https")
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.headers()["strict-transport-security"],
            "max-age=31536000; includeSubDomains",
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_chat_answers_a_plain_form_post_with_offer_cards_and_keeps_the_conversation() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let mut b = Browser::default();
        let (status, page) = b.get(&app, "/").await;
        assert_eq!(status, 200);
        assert!(page.contains("Typ geen persoonsgegevens"));
        let r = b
            .post(
                &app,
                "/",
                &[
                    ("csrf", &b.csrf.clone()),
                    ("q", "Wij zijn een metaalbewerker in Nieuw-Buinen (35 man) en willen een lasrobotlijn van € 800.000. De bank financiert de helft. Wie dicht het gat met een achtergestelde lening?"),
                    ("conversation_id", ""),
                ],
            )
            .await;
        assert_eq!(r.status(), 200, "{backend:?}");
        let html = r.text().await.unwrap();
        assert!(html.contains("ww-card"), "{backend:?}: no card");
        assert!(html.contains(r#"href="/aanbod/mkb-fonds-drenthe""#));
        assert!(html.contains("Dit hielp niet"));
        let conv = html
            .split(r#"name="conversation_id" value=""#)
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_owned();
        assert!(!conv.is_empty());
        // Not helpful, with a reason: a gap with a number.
        let csrf = csrf_in(&html).unwrap();
        let r = b
            .post(
                &app,
                "/feedback",
                &[
                    ("csrf", &csrf),
                    ("conversation_id", &conv),
                    ("helpful", "no"),
                    ("comment", "Ik zocht iets anders"),
                ],
            )
            .await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        let number = gap_number(&html, "doorgegeven aan de provincie, nr. ");
        // Pressing "not helpful" again on the same answer updates that report, not a new one.
        let csrf = csrf_in(&html).unwrap();
        let r = b
            .post(
                &app,
                "/feedback",
                &[
                    ("csrf", &csrf),
                    ("conversation_id", &conv),
                    ("helpful", "no"),
                    ("comment", "Ik zocht een lening, geen advies"),
                ],
            )
            .await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert_eq!(
            gap_number(&html, "reactie op dit antwoord is bijgewerkt, nr. "),
            number,
            "{backend:?}"
        );
        let store = Store::connect(&app.db.url).await.unwrap();
        let gap = store.gap(number).await.unwrap().unwrap();
        assert_eq!(
            gap.question.as_deref(),
            Some("Ik zocht een lening, geen advies")
        );
        let (total, _) = store
            .list_gaps(&wegwijzer::store::GapFilter {
                reason: Some("not_helpful".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(total, 1, "{backend:?}");
        store.close().await;
    }
}

/// The gap number an alert gives after `before`.
fn gap_number(html: &str, before: &str) -> i64 {
    let at = html
        .find(before)
        .unwrap_or_else(|| panic!("no {before:?} in {html}"))
        + before.len();
    html[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_clarifying_question_shows_its_options_as_buttons() {
    let app = spawn_app(common::Backend::Sqlite).await;
    let mut b = Browser::default();
    b.get(&app, "/").await;
    let csrf = b.csrf.clone();
    let html = b
        .post(&app, "/", &[("csrf", &csrf), ("q", "financiering")])
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"type="submit" name="q" value=""#), "{html}");
}

#[tokio::test]
async fn forms_without_the_right_csrf_token_are_refused() {
    let app = spawn_app(common::Backend::Sqlite).await;
    // No cookie at all.
    let r = client()
        .post(app.url("/"))
        .form(&[("csrf", "x"), ("q", "lening")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // The browser's cookie but another token, on every form.
    let mut b = Browser::default();
    b.get(&app, "/").await;
    for path in ["/", "/feedback", "/login", "/logout"] {
        let r = b
            .post(
                &app,
                path,
                &[
                    ("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                    ("q", "lening"),
                    ("conversation_id", "x"),
                    ("helpful", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status(), 403, "{path}");
    }
    // Another browser's token does not fit this browser's cookie.
    let mut other = Browser::default();
    other.get(&app, "/").await;
    let stolen = other.csrf.clone();
    let r = b
        .post(&app, "/", &[("csrf", &stolen), ("q", "lening")])
        .await;
    assert_eq!(r.status(), 403);
    let csrf = b.csrf.clone();
    let r = b.post(&app, "/", &[("csrf", &csrf), ("q", "lening")]).await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn assets_are_served_with_their_types_a_long_cache_and_an_etag() {
    let app = spawn_app(common::Backend::Sqlite).await;
    for (name, ty) in [
        ("wegwijzer.css", "text/css; charset=utf-8"),
        ("wegwijzer.js", "text/javascript; charset=utf-8"),
        ("logo.svg", "image/svg+xml"),
    ] {
        let r = app
            .client
            .get(app.url(&format!("/static/{name}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()[CONTENT_TYPE], ty);
        assert!(
            r.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("max-age=31536000")
        );
        let etag = r.headers()["etag"].clone();
        let again = app
            .client
            .get(app.url(&format!("/static/{name}")))
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304);
    }
    let r = app
        .client
        .get(app.url("/static/nope.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

fn hit_count(html: &str) -> usize {
    html.matches(r#"<li class="ww-hit">"#).count()
}

#[tokio::test]
async fn the_offer_search_forgives_typos_and_filters_by_facet_with_counts() {
    let app = spawn_app(common::Backend::Sqlite).await;
    let get = |p: &str| {
        let (c, u) = (app.client.clone(), app.url(p));
        async move { c.get(u).send().await.unwrap().text().await.unwrap() }
    };
    let exact = get("/aanbod?q=subsidie").await;
    let typo = get("/aanbod?q=subsidei").await;
    assert!(hit_count(&typo) > 0, "a typo still finds offers");
    assert!(hit_count(&exact) > 0);
    let closed = get("/aanbod?q=subsidei&status=closed").await;
    assert!(hit_count(&closed) > 0 && hit_count(&closed) < hit_count(&typo));
    assert_eq!(
        closed.matches("ww-badge--open").count(),
        0,
        "only closed offers"
    );
    // Facet options carry counts, and the active filter can be removed.
    assert!(closed.contains(r#"<option value="closed" selected>"#));
    assert!(closed.contains(r#"href="/aanbod?q=subsidei""#));
    // A stale filter value is dropped rather than refused.
    assert_eq!(
        hit_count(&get("/aanbod?q=subsidie&theme=bestaat-niet").await),
        hit_count(&exact)
    );
}

#[tokio::test]
async fn an_offer_page_shows_sources_last_review_and_similar_offers() {
    let app = spawn_app(common::Backend::Sqlite).await;
    let r = app
        .client
        .get(app.url("/aanbod/mkb-fonds-drenthe"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Bronnen") && html.contains("Laatst gecontroleerd"));
    assert!(html.contains("Vergelijkbaar aanbod"));
    let r = app
        .client
        .get(app.url("/aanbod/bestaat-niet"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn unknown_pages_get_a_page_and_unknown_api_paths_json() {
    let app = spawn_app(common::Backend::Sqlite).await;
    let r = app.client.get(app.url("/nope")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    assert!(r.text().await.unwrap().contains("Pagina niet gevonden"));
    let r = app.client.get(app.url("/api/nope")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(
        r.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
}

async fn add_user(app: &TestApp, name: &str, role: Role, password: &str) {
    let store = Store::connect(&app.db.url).await.unwrap();
    store
        .upsert_user(name, role, &hash_password(password).unwrap())
        .await
        .unwrap();
    store.close().await;
}

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn officers_sign_in_see_the_dashboard_triage_a_gap_and_sign_out() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        add_user(&app, "olga", Role::Officer, PASSWORD).await;
        let mut b = Browser::default();
        // Not signed in: every dashboard page sends to the login page.
        for path in ["/dashboard", "/dashboard/gap/new", "/dashboard/export"] {
            let r = client().get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 303, "{path}");
            assert!(
                r.headers()["location"]
                    .to_str()
                    .unwrap()
                    .starts_with("/login?next=")
            );
        }
        // A gap to triage: "not helpful" on a chat answer.
        b.get(&app, "/").await;
        let csrf = b.csrf.clone();
        let html = b
            .post(
                &app,
                "/",
                &[
                    ("csrf", &csrf),
                    ("q", "Ik zoek een lening voor mijn bakkerij in Assen"),
                ],
            )
            .await
            .text()
            .await
            .unwrap();
        let conv = html
            .split(r#"name="conversation_id" value=""#)
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_owned();
        let csrf = csrf_in(&html).unwrap();
        b.post(
            &app,
            "/feedback",
            &[
                ("csrf", &csrf),
                ("conversation_id", &conv),
                ("helpful", "no"),
            ],
        )
        .await;

        b.get(&app, "/login").await;
        let csrf = b.csrf.clone();
        let r = b
            .post(
                &app,
                "/login",
                &[("csrf", &csrf), ("name", "olga"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status(), 303, "{backend:?}");
        let set: Vec<String> = r
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        let session = set
            .iter()
            .find(|c| c.starts_with("wegwijzer_session="))
            .unwrap();
        assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"));
        assert!(!session.contains("Secure"), "plain HTTP: no Secure flag");

        let (status, html) = b.get(&app, "/dashboard").await;
        assert_eq!(status, 200);
        assert!(html.contains("ww-heat") && html.contains("ww-chart"));
        let id = html
            .split(r#"<tr class="utrecht-table__row" id="gap-"#)
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_owned();
        let csrf = b.csrf.clone();
        let r = b
            .post(
                &app,
                &format!("/dashboard/gap/{id}"),
                &[
                    ("csrf", &csrf),
                    ("status", "addressed"),
                    ("note", "opgepakt"),
                    ("covered_by", "ibdo"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let store = Store::connect(&app.db.url).await.unwrap();
        let gap = store.gap(id.parse().unwrap()).await.unwrap().unwrap();
        assert_eq!(gap.status, "addressed");
        assert_eq!(gap.covered_by.as_deref(), Some("ibdo"));
        store.close().await;

        // An adviser logs a question from a call.
        let (status, _) = b.get(&app, "/dashboard/gap/new").await;
        assert_eq!(status, 200);
        let csrf = b.csrf.clone();
        let r = b
            .post(
                &app,
                "/dashboard/gap/new",
                &[
                    ("csrf", &csrf),
                    ("question", "Kapper zoekt opvolger"),
                    ("reason", "no_offer"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        assert!(r.headers()["location"].to_str().unwrap().contains("saved="));

        let (status, html) = b.get(&app, "/dashboard/export").await;
        assert_eq!(status, 200);
        assert!(html.contains("/api/gaps.csv"));

        // Sign out: the old session no longer opens the dashboard.
        let old = b.cookie_header();
        let csrf = b.csrf.clone();
        let r = b.post(&app, "/logout", &[("csrf", &csrf)]).await;
        assert_eq!(r.status(), 303);
        let r = client()
            .get(app.url("/dashboard"))
            .header(COOKIE, old)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "the session ended on the server");
    }
}

#[tokio::test]
async fn advisers_see_no_triage_and_no_exports() {
    let app = spawn_app(common::Backend::Sqlite).await;
    add_user(&app, "arie", Role::Adviser, PASSWORD).await;
    let mut b = Browser::default();
    b.get(&app, "/login").await;
    let csrf = b.csrf.clone();
    b.post(
        &app,
        "/login",
        &[("csrf", &csrf), ("name", "arie"), ("password", PASSWORD)],
    )
    .await;
    let (status, html) = b.get(&app, "/dashboard").await;
    assert_eq!(status, 200);
    assert!(!html.contains("/dashboard/export"));
    let (status, _) = b.get(&app, "/dashboard/export").await;
    assert_eq!(status, 403);
    let csrf = b.csrf.clone();
    let r = b
        .post(
            &app,
            "/dashboard/gap/1",
            &[("csrf", &csrf), ("status", "reviewed")],
        )
        .await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn wrong_user_and_wrong_password_get_one_message_and_attempts_are_limited() {
    let app = spawn_app(common::Backend::Sqlite).await;
    add_user(&app, "olga", Role::Officer, PASSWORD).await;
    let mut b = Browser::default();
    b.get(&app, "/login").await;
    let mut bodies = Vec::new();
    for name in ["olga", "nobody"] {
        let csrf = b.csrf.clone();
        let r = b
            .post(
                &app,
                "/login",
                &[
                    ("csrf", &csrf),
                    ("name", name),
                    ("password", "wrong password!"),
                ],
            )
            .await;
        assert_eq!(r.status(), 401);
        bodies.push(r.text().await.unwrap());
    }
    let msg = "De combinatie van naam en wachtwoord klopt niet.";
    assert!(bodies.iter().all(|b| b.contains(msg)));
    // Two more failures of olga from this address (three in all) make the next attempt wait,
    // even with the right password, and the 429 says for how long.
    for _ in 0..2 {
        let csrf = b.csrf.clone();
        let r = b
            .post(
                &app,
                "/login",
                &[
                    ("csrf", &csrf),
                    ("name", "olga"),
                    ("password", "wrong password!"),
                ],
            )
            .await;
        assert_eq!(r.status(), 401);
    }
    let csrf = b.csrf.clone();
    let r = b
        .post(
            &app,
            "/login",
            &[("csrf", &csrf), ("name", "olga"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), 429);
    let wait = retry_after(&r);
    assert!((1..=2).contains(&wait), "Retry-After {wait}");
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Te veel pogingen. Probeer het over"),
        "{page}"
    );
}

/// The `Retry-After` of a 429, in seconds.
fn retry_after(r: &reqwest::Response) -> u64 {
    r.headers()
        .get("retry-after")
        .expect("a 429 says when to come back")
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in whole seconds")
}

async fn sign_in(app: &TestApp, b: &mut Browser, name: &str, password: &str) -> reqwest::Response {
    let (status, _) = b.get(app, "/login").await;
    assert_eq!(status, 200);
    let csrf = b.csrf.clone();
    b.post(
        app,
        "/login",
        &[("csrf", &csrf), ("name", name), ("password", password)],
    )
    .await
}

/// A handoff answer of the API: a gap to triage, by its id.
async fn handoff_gap(app: &TestApp) -> i64 {
    let answer: serde_json::Value = app
        .client
        .post(app.url("/api/ask"))
        .json(&serde_json::json!({"question": "Ik wil met iemand van IBDO bellen over mijn bakkerij"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["gap"]["id"].as_i64().expect("a handoff is logged")
}

async fn gap_status(app: &TestApp, id: i64) -> String {
    let store = Store::connect(&app.db.url).await.unwrap();
    let status = store.gap(id).await.unwrap().unwrap().status;
    store.close().await;
    status
}

/// A triage form posted with exactly these session and seed cookies and this token.
async fn triage_with(
    app: &TestApp,
    path: &str,
    session: &str,
    seed: &str,
    token: &str,
    status: &str,
) -> reqwest::Response {
    client()
        .post(app.url(path))
        .header(
            COOKIE,
            format!("wegwijzer_session={session}; wegwijzer_csrf={seed}"),
        )
        .form(&[
            ("csrf", token),
            ("status", status),
            ("note", ""),
            ("covered_by", ""),
        ])
        .send()
        .await
        .unwrap()
}

/// The planted-cookie attack: someone fetches the login page anonymously, keeps its seed cookie
/// and token, and plants both into an officer's browser (a sibling subdomain or a plain-HTTP
/// response can set cookies). With the officer's session, a token made for a seed is refused;
/// the token of the officer's own page works.
#[tokio::test]
async fn a_planted_anonymous_csrf_cookie_and_token_are_refused_with_an_officers_session() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        add_user(&app, "olga", Role::Officer, PASSWORD).await;
        let gap = handoff_gap(&app).await;

        let mut attacker = Browser::default();
        let (status, _) = attacker.get(&app, "/login").await;
        assert_eq!(status, 200);
        let planted_seed = attacker.cookie("wegwijzer_csrf").expect("a seed cookie");
        let planted_token = attacker.csrf.clone();

        let mut officer = Browser::default();
        officer.get(&app, "/login").await;
        let seed_before = officer.cookie("wegwijzer_csrf").unwrap();
        let token_before = officer.csrf.clone();
        let csrf = officer.csrf.clone();
        let r = officer
            .post(
                &app,
                "/login",
                &[("csrf", &csrf), ("name", "olga"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status(), 303, "{backend:?}");
        let session = officer.cookie("wegwijzer_session").expect("signed in");
        let seed_after = officer.cookie("wegwijzer_csrf").unwrap();
        assert_ne!(seed_after, seed_before, "login rotates the seed");

        // The officer's session with the attacker's seed cookie and token: refused.
        let triage = format!("/dashboard/gap/{gap}");
        let planted = triage_with(
            &app,
            &triage,
            &session,
            &planted_seed,
            &planted_token,
            "not-a-gap",
        )
        .await;
        assert_eq!(planted.status(), 403, "{backend:?}");
        assert_eq!(gap_status(&app, gap).await, "new", "nothing changed");

        // Her own token from before login was bound to her seed: after login it is refused too.
        let r = officer
            .post(
                &app,
                &triage,
                &[("csrf", &token_before), ("status", "not-a-gap")],
            )
            .await;
        assert_eq!(r.status(), 403, "the basis rotated at login");
        assert_eq!(gap_status(&app, gap).await, "new");

        // The token of her own signed-in page works, whatever seed cookie rides along.
        let (status, _) = officer.get(&app, "/dashboard").await;
        assert_eq!(status, 200);
        let session_token = officer.csrf.clone();
        assert_ne!(session_token, planted_token);
        let r = triage_with(
            &app,
            &triage,
            &session,
            &planted_seed,
            &session_token,
            "reviewed",
        )
        .await;
        assert_eq!(r.status(), 303, "{backend:?}");
        assert_eq!(gap_status(&app, gap).await, "reviewed");

        // And a session's token is no good without the session: not for the anonymous chat.
        let r = client()
            .post(app.url("/"))
            .header(COOKIE, format!("wegwijzer_csrf={planted_seed}"))
            .form(&[("csrf", session_token.as_str()), ("q", "lening")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
}

/// An attacker guessing an officer's password from one address is slowed down there; the officer
/// signs in from her own address all the while. Every failure and refusal is audited.
#[tokio::test]
async fn an_attackers_address_is_throttled_while_the_owner_signs_in_from_another() {
    for backend in backends() {
        let app = spawn_app_opts(
            backend,
            Options {
                trusted_proxies: 1,
                ..Options::default()
            },
        )
        .await;
        add_user(&app, "olga", Role::Officer, PASSWORD).await;
        let mut attacker = Browser::from("203.0.113.66");
        for _ in 0..3 {
            let r = sign_in(&app, &mut attacker, "olga", "wrong password!").await;
            assert_eq!(r.status(), 401);
        }
        // The attacker's fourth try waits, even with the right password.
        let r = sign_in(&app, &mut attacker, "olga", PASSWORD).await;
        assert_eq!(r.status(), 429, "{backend:?}");
        let wait = retry_after(&r);
        assert!((1..=2).contains(&wait), "Retry-After {wait}");
        assert!(attacker.cookie("wegwijzer_session").is_none());

        // The owner, from another address, signs in at once.
        let mut owner = Browser::from("198.51.100.7");
        let r = sign_in(&app, &mut owner, "olga", PASSWORD).await;
        assert_eq!(r.status(), 303, "{backend:?}");
        let (status, _) = owner.get(&app, "/dashboard").await;
        assert_eq!(status, 200);

        let store = Store::connect(&app.db.url).await.unwrap();
        let audit = store.audit_trail(50).await.unwrap();
        let count = |action: &str| audit.iter().filter(|a| a.action == action).count();
        assert_eq!(count("login.failed"), 3, "{audit:?}");
        assert_eq!(count("login.limited"), 1, "{audit:?}");
        assert_eq!(count("login"), 1, "{audit:?}");
        store.close().await;
    }
}

/// One address trying a few passwords on many names reaches the per-address cap: then it waits,
/// whatever name it tries; other addresses do not.
#[tokio::test]
async fn spraying_names_from_one_address_is_capped_with_retry_after() {
    let app = spawn_app_opts(
        common::Backend::Sqlite,
        Options {
            trusted_proxies: 1,
            ..Options::default()
        },
    )
    .await;
    add_user(&app, "olga", Role::Officer, PASSWORD).await;
    let mut sprayer = Browser::from("203.0.113.77");
    for i in 0..20 {
        let r = sign_in(&app, &mut sprayer, &format!("user{i}"), "Welkom2026!").await;
        assert_eq!(r.status(), 401, "attempt {i}");
    }
    let r = sign_in(&app, &mut sprayer, "olga", PASSWORD).await;
    assert_eq!(r.status(), 429);
    let wait = retry_after(&r);
    assert!(
        (14 * 60..=15 * 60).contains(&wait),
        "waits out the quarter of an hour: {wait}"
    );
    assert!(r.text().await.unwrap().contains("15 minuten"));
    let mut owner = Browser::from("198.51.100.7");
    assert_eq!(
        sign_in(&app, &mut owner, "olga", PASSWORD).await.status(),
        303
    );
}

/// An officer signed in through the login form: her session, seed cookie and signed-in form token.
async fn officer_session(app: &TestApp) -> (String, String, String) {
    add_user(app, "olga", Role::Officer, PASSWORD).await;
    let mut officer = Browser::default();
    officer.get(app, "/login").await;
    let csrf = officer.csrf.clone();
    let r = officer
        .post(
            app,
            "/login",
            &[("csrf", &csrf), ("name", "olga"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (status, _) = officer.get(app, "/dashboard").await;
    assert_eq!(status, 200);
    (
        officer.cookie("wegwijzer_session").unwrap(),
        officer.cookie("wegwijzer_csrf").unwrap(),
        officer.csrf.clone(),
    )
}

/// Bulk triage from the compact table: checked gaps get one status, the officer returns to the
/// same filtered view, and the form needs the session's CSRF token like every other.
#[tokio::test]
async fn bulk_triage_sets_the_status_of_the_checked_gaps_and_keeps_the_filters() {
    for b in common::backends() {
        let app = spawn_app(b).await;
        let store = wegwijzer::store::Store::connect(&app.db.url).await.unwrap();
        let mut ids = Vec::new();
        for q in [
            "Bakker zoekt een opvolger",
            "Hovenier zoekt scholing",
            "Kapper zoekt een pand",
        ] {
            let g = wegwijzer::store::NewGap {
                question: Some(q.into()),
                language: "nl".into(),
                channel: "web".into(),
                reason: "no_offer".into(),
                ..Default::default()
            };
            ids.push(store.insert_gap(&g).await.unwrap());
        }
        let (session, seed, token) = officer_session(&app).await;
        let post = |csrf: &str, status: &str, chosen: &[i64]| {
            let mut form: Vec<(String, String)> = vec![
                ("csrf".into(), csrf.into()),
                ("status".into(), status.into()),
                (
                    "back".into(),
                    "status=new&theme=financiering&evil=https://x".into(),
                ),
            ];
            form.extend(chosen.iter().map(|id| ("ids".to_owned(), id.to_string())));
            client()
                .post(app.url("/dashboard/gaps/bulk"))
                .header(
                    COOKIE,
                    format!("wegwijzer_session={session}; wegwijzer_csrf={seed}"),
                )
                .form(&form)
                .send()
        };
        let r = post(&token, "not-a-gap", &ids[..2]).await.unwrap();
        assert_eq!(r.status().as_u16(), 303, "{b:?}");
        let to = r.headers()["location"].to_str().unwrap();
        assert_eq!(
            to,
            "/dashboard?status=new&theme=financiering&bulk=2#gaps-heading"
        );
        for (i, id) in ids.iter().enumerate() {
            let g = store.gap(*id).await.unwrap().unwrap();
            assert_eq!(
                g.status,
                if i < 2 { "not-a-gap" } else { "new" },
                "{b:?} gap {id}"
            );
        }
        // Only the two bulk statuses, and never without the token.
        assert_eq!(
            post(&token, "addressed", &ids[2..])
                .await
                .unwrap()
                .status()
                .as_u16(),
            400
        );
        assert_eq!(
            post("forged", "reviewed", &ids[2..])
                .await
                .unwrap()
                .status()
                .as_u16(),
            403
        );
        assert_eq!(store.gap(ids[2]).await.unwrap().unwrap().status, "new");
        store.close().await;
    }
}
