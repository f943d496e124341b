//! The OpenAPI document against the real router: every route served under `/api` is documented
//! (or listed below as deliberately left out), and everything documented is served.

mod common;

use common::{Backend, route_literals, spawn_app};
use serde_json::Value;

/// Routes under `/api` that the public document leaves out on purpose, with why. A new route
/// must be documented in `src/http/openapi.json` or added here.
const EXEMPT: &[(&str, &str)] = &[
    ("/api/admin/reload", "operators only, admin token"),
    ("/api/gaps", "advisers and officers, login or bearer token"),
    (
        "/api/gaps/{id}",
        "advisers and officers, login or bearer token",
    ),
    ("/api/gaps.csv", "officers, login or bearer token"),
    ("/api/insights/clusters", "officers, login or bearer token"),
    ("/api/insights/codebook", "officers, login or bearer token"),
    ("/api/insights/matrix", "officers, login or bearer token"),
    (
        "/api/insights/matrix.csv",
        "officers, login or bearer token",
    ),
    (
        "/api/insights/matrix.json",
        "officers, login or bearer token",
    ),
];

/// Whether the router serves `path` (a route, not the not-found fallback): an unused method on a
/// served route is a 405, anywhere else a 404.
async fn served(app: &common::TestApp, path: &str) -> bool {
    let concrete = path.replace("{id}", "x");
    let r = app
        .client
        .request(reqwest::Method::OPTIONS, app.url(&concrete))
        .send()
        .await
        .unwrap();
    r.status().as_u16() != 404
}

#[tokio::test]
async fn every_api_route_is_documented_and_every_documented_path_is_served() {
    let app = spawn_app(Backend::Sqlite).await;
    let r = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let doc: Value = r.json().await.expect("the document parses");
    let paths = doc["paths"].as_object().expect("paths");

    let mut under_api = Vec::new();
    for lit in route_literals() {
        let api = format!("/api{lit}");
        if served(&app, &api).await {
            under_api.push(api);
        }
    }
    assert!(under_api.len() >= 6, "found only {under_api:?}");
    for p in &under_api {
        let exempt = EXEMPT.iter().any(|(e, _)| e == p);
        assert!(
            paths.contains_key(p) || exempt,
            "{p} is served but neither in src/http/openapi.json nor in EXEMPT"
        );
        assert!(
            !(paths.contains_key(p) && exempt),
            "{p} is documented and exempt"
        );
    }
    for (p, _) in EXEMPT {
        assert!(
            served(&app, p).await,
            "EXEMPT lists {p}, which is not served"
        );
    }
    for (p, ops) in paths {
        assert!(served(&app, p).await, "{p} is documented but not served");
        for method in ops.as_object().unwrap().keys() {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = app
                .client
                .request(m, app.url(&p.replace("{id}", "wbso")))
                .send()
                .await
                .unwrap();
            assert_ne!(
                r.status().as_u16(),
                405,
                "{method} {p} is documented but refused"
            );
        }
    }
    for schema in [
        "Error",
        "Answer",
        "AskRequest",
        "FeedbackRequest",
        "OfferDetail",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "no {schema} schema"
        );
    }
}
