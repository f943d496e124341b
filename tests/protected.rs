//! Walks every route the router serves (found from the `.route("…")` literals in `src/`, so a new
//! route is walked without anyone adding it here) and checks that only the routes listed as
//! public answer someone who is not signed in. Everything else (gaps, insights, exports, the
//! dashboard, operators' endpoints) must refuse: 401 or 403 from the API, a redirect to the login
//! or a refusal from the web pages. An adviser's token must not open the officers' exports.

mod common;

use common::{Backend, TestApp, api_token, route_literals, spawn_app};
use reqwest::{Method, StatusCode, redirect};
use wegwijzer::auth::Role;

/// Routes anyone may use, with why.
const PUBLIC: &[(&str, &str)] = &[
    ("/", "the chat"),
    ("/feedback", "the chat's feedback form"),
    ("/aanbod", "the offer search"),
    ("/aanbod/{id}", "an offer's page"),
    ("/privacy", "the privacy statement"),
    ("/over", "how Wegwijzer works, as in the Algoritmeregister"),
    ("/toegankelijkheid", "the accessibility statement"),
    ("/login", "the login form"),
    ("/logout", "ends a session; harmless without one"),
    ("/static/{name}", "the binary's own assets"),
    ("/healthz", "liveness, no data"),
    ("/readyz", "readiness, no data"),
    (
        "/metrics",
        "operational counters without any text; restrict at the proxy (docs/deploy.md)",
    ),
    ("/api/ask", "the assistant"),
    ("/api/feedback", "feedback on an answer"),
    ("/api/offers", "the public knowledge base"),
    ("/api/offers/{id}", "the public knowledge base"),
    ("/api/search", "the public knowledge base"),
    ("/api/openapi.json", "the API's description"),
];

/// The exports for partners: only officers; an adviser's token gets 403.
const OFFICERS_ONLY: &[&str] = &[
    "/api/gaps.csv",
    "/api/insights/matrix.csv",
    "/api/insights/matrix.json",
];

/// What advisers may read besides officers.
const ADVISERS_READ: &[&str] = &[
    "/api/gaps",
    "/api/insights/matrix",
    "/api/insights/clusters",
    "/api/insights/codebook",
];

const METHODS: [Method; 4] = [Method::GET, Method::POST, Method::PATCH, Method::DELETE];

fn concrete(path: &str) -> String {
    path.replace("{id}", "1").replace("{name}", "wegwijzer.css")
}

/// The routes actually served, each under its real prefix (the API's are nested under `/api`).
async fn served_routes(app: &TestApp, client: &reqwest::Client) -> Vec<String> {
    let mut out = Vec::new();
    for lit in route_literals() {
        for path in [lit.clone(), format!("/api{lit}")] {
            // An unused method on a served route is a 405; an unknown path is a 404.
            let r = client
                .request(Method::OPTIONS, app.url(&concrete(&path)))
                .send()
                .await
                .unwrap();
            if r.status() != StatusCode::NOT_FOUND {
                out.push(path);
            }
        }
    }
    out
}

fn refuses(status: StatusCode, location: Option<&str>) -> bool {
    matches!(
        status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::METHOD_NOT_ALLOWED
    ) || (status.is_redirection() && location.is_some_and(|l| l.starts_with("/login")))
}

#[tokio::test]
async fn every_route_but_the_public_ones_refuses_an_anonymous_caller() {
    let app = spawn_app(Backend::Sqlite).await;
    let client = reqwest::Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap();
    let routes = served_routes(&app, &client).await;
    assert!(routes.len() >= 25, "found only {routes:?}");
    for (p, _) in PUBLIC {
        assert!(
            routes.iter().any(|r| r == p),
            "PUBLIC lists {p}, not served"
        );
    }

    let mut protected = 0;
    for path in routes
        .iter()
        .filter(|r| !PUBLIC.iter().any(|(p, _)| p == *r))
    {
        let mut answered = 0;
        for m in METHODS {
            let r = client
                .request(m.clone(), app.url(&concrete(path)))
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            let location = r
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .map(str::to_owned);
            assert!(
                refuses(r.status(), location.as_deref()),
                "{m} {path} answered {} to an anonymous caller; protect it or list it in PUBLIC",
                r.status()
            );
            if r.status() != StatusCode::METHOD_NOT_ALLOWED {
                answered += 1;
            }
        }
        assert!(answered > 0, "{path}: every method 405");
        protected += 1;
    }
    assert!(protected >= 10, "only {protected} protected routes found");
}

#[tokio::test]
async fn advisers_read_the_log_and_the_matrix_but_only_officers_export() {
    let app = spawn_app(Backend::Sqlite).await;
    let adviser = api_token(&app.db.url, Role::Adviser).await;
    let officer = api_token(&app.db.url, Role::Officer).await;
    let routes = served_routes(&app, &app.client).await;
    for path in OFFICERS_ONLY {
        assert!(routes.iter().any(|r| r == path), "{path} is not served");
        let r = app
            .client
            .get(app.url(path))
            .bearer_auth(&adviser)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "adviser on {path}");
        let r = app
            .client
            .get(app.url(path))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "officer on {path}");
    }
    for path in ADVISERS_READ {
        assert!(routes.iter().any(|r| r == path), "{path} is not served");
        let r = app
            .client
            .get(app.url(path))
            .bearer_auth(&adviser)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "adviser on {path}");
    }
}
