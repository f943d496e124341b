//! The OpenAPI document against the real router: every route served under `/api` is documented
//! (or listed below as deliberately left out), everything documented is served, and what each
//! endpoint really answers is valid against the schema the document gives for that status.

mod common;

use std::collections::BTreeSet;

use common::{Backend, Options, route_literals, spawn_app, spawn_app_opts};
use serde_json::{Value, json};

/// Routes under `/api` that the public document leaves out on purpose, with why. A new route
/// must be documented (a `#[utoipa::path]` listed in `src/http/openapi.rs`) or added here.
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
        "/api/insights/priorities",
        "advisers and officers, login or bearer token",
    ),
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
            "{p} is served but neither in the OpenAPI document (src/http/openapi.rs) nor in EXEMPT"
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
        "FeedbackResponse",
        "SearchResponse",
        "OfferList",
        "OfferDetail",
        "Readiness",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "no {schema} schema"
        );
    }
}

// ---- Real responses against the generated schemas ----

/// A JSON Schema (2020-12, which OpenAPI 3.1 schemas are) for `schema`, with the document's
/// components embedded as `$defs` so `#/components/schemas/X` references resolve.
fn standalone(doc: &Value, schema: &Value) -> Value {
    let mut s = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": doc["components"]["schemas"],
    });
    for (k, v) in schema.as_object().expect("a schema is an object") {
        s[k] = v.clone();
    }
    let text = s
        .to_string()
        .replace("\"#/components/schemas/", "\"#/$defs/");
    serde_json::from_str(&text).unwrap()
}

/// The errors of `body` against `schema` (empty when it is valid); formats (dates) are checked too.
fn violations(doc: &Value, schema: &Value, body: &Value) -> Vec<String> {
    let schema = standalone(doc, schema);
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("not a valid JSON Schema ({e}): {schema}"));
    validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// The schema the document gives for the JSON body of `status` from `method path`.
fn response_schema(doc: &Value, method: &str, path: &str, status: u16) -> Value {
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "{method} {path} is not documented");
    let mut r = &op["responses"][status.to_string()];
    if let Some(pointer) = r["$ref"].as_str() {
        r = doc.pointer(pointer.trim_start_matches('#')).unwrap();
    }
    let schema = &r["content"]["application/json"]["schema"];
    assert!(
        schema.is_object(),
        "{method} {path} documents no JSON body for {status}: {r}"
    );
    schema.clone()
}

/// The schema of `method path`'s JSON request body.
fn request_schema(doc: &Value, method: &str, path: &str) -> Value {
    let schema =
        &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
    assert!(
        schema.is_object(),
        "{method} {path} documents no JSON request body"
    );
    schema.clone()
}

/// Calls the real app and checks each answer against the document; remembers what it checked.
struct Checker<'a> {
    app: &'a common::TestApp,
    doc: Value,
    seen: BTreeSet<(String, String, u16)>,
}

impl Checker<'_> {
    /// Sends one request (`path` is the documented path, `url` the concrete one), asserts the
    /// status, and validates the body against that status's schema. Returns the body.
    async fn call(
        &mut self,
        method: &str,
        path: &str,
        url: &str,
        body: Option<Value>,
        expect: u16,
    ) -> Value {
        self.send(method, method, path, url, body, expect).await
    }

    /// `documented path` called with the method `sent`, which it does not take: a 405 as documented.
    async fn wrong_method(&mut self, sent: &str, documented: &str, path: &str) -> Value {
        self.send(sent, documented, path, path, None, 405).await
    }

    async fn send(
        &mut self,
        sent: &str,
        method: &str,
        path: &str,
        url: &str,
        body: Option<Value>,
        expect: u16,
    ) -> Value {
        let m = reqwest::Method::from_bytes(sent.to_uppercase().as_bytes()).unwrap();
        let mut req = self.app.client.request(m, self.app.url(url));
        if let Some(b) = &body {
            if expect < 400 {
                let v = violations(&self.doc, &request_schema(&self.doc, method, path), b);
                assert!(
                    v.is_empty(),
                    "request to {method} {url} is off its schema: {v:?}\n{b}"
                );
            }
            req = req.json(b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        assert_eq!(status, expect, "{method} {url}: {text}");
        let value: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!("{method} {url} answered {status} with no JSON ({e}): {text}")
        });
        let schema = response_schema(&self.doc, method, path, status);
        let v = violations(&self.doc, &schema, &value);
        assert!(
            v.is_empty(),
            "{method} {url} answered {status} off its schema: {v:?}\n{value}"
        );
        let documented =
            &self.doc["paths"][path][method]["responses"][status.to_string()]["headers"];
        if let Some(h) = documented.as_object() {
            for name in h.keys() {
                assert!(
                    headers.contains_key(name.as_str()),
                    "{method} {url} answered {status} without its documented {name} header"
                );
            }
        }
        self.seen.insert((method.into(), path.into(), status));
        value
    }
}

async fn document(app: &common::TestApp) -> Value {
    app.client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn every_endpoint_answers_as_its_schema_says() {
    let app = spawn_app(Backend::Sqlite).await;
    let doc = document(&app).await;
    let mut c = Checker {
        app: &app,
        doc: doc.clone(),
        seen: BTreeSet::new(),
    };

    // The assistant, through each outcome it has.
    let (ask, p) = ("post", "/api/ask");
    let mut conversations = Vec::new();
    for q in [
        "Ich möchte eine kleine Bäckerei gründen und brauche einen Mikrokredit.",
        "financiering?",
        "Kan ik nog de digitaliseringsvoucher van de provincie krijgen?",
        "Can I please talk to an adviser on the phone?",
        "Wat voor weer wordt het morgen in Assen?",
        "Is er subsidie om het leren en ontwikkelen van mijn medewerkers op te zetten, een ontwikkelplan en loopbaanadvies?",
    ] {
        let a = c
            .call(ask, p, p, Some(json!({"question": q, "log": false})), 200)
            .await;
        conversations.push(a["conversation_id"].as_str().unwrap().to_owned());
    }
    let a = c
        .call(
            ask,
            p,
            p,
            Some(json!({"question": "een webshop beginnen met 15.000 euro", "conversation_id": conversations[1], "channel": "web"})),
            200,
        )
        .await;
    assert_eq!(a["outcome"], "answered", "{a}");
    let a = c
        .call(
            ask,
            p,
            p,
            Some(json!({"question": "Ik wil exporteren naar Duitsland", "conversation_id": "no-such-conversation"})),
            200,
        )
        .await;
    assert!(a["notice"].is_string(), "{a}");
    c.call(ask, p, p, Some(json!({"question": ""})), 400).await;
    c.call(ask, p, p, Some(json!({"question": "hoi", "extra": 1})), 400)
        .await;
    c.call(
        ask,
        p,
        p,
        Some(json!({"question": "hoi", "conversation_id": "../x"})),
        400,
    )
    .await;
    c.call(
        ask,
        p,
        p,
        Some(json!({"question": "x".repeat(20_000)})),
        413,
    )
    .await;
    c.wrong_method("get", ask, p).await;
    let r = app
        .client
        .post(app.url(p))
        .body(r#"{"question":"hoi"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 415);
    let body: Value = r.json().await.unwrap();
    let v = violations(&doc, &response_schema(&doc, ask, p, 415), &body);
    assert!(v.is_empty(), "{v:?}");
    c.seen.insert((ask.into(), p.into(), 415));

    // Feedback: helpful, not helpful (a gap), not helpful again (the gap updated), and the errors.
    let (post, p) = ("post", "/api/feedback");
    c.call(
        post,
        p,
        p,
        Some(json!({"conversation_id": conversations[0], "helpful": true})),
        200,
    )
    .await;
    let f = c
        .call(
            post,
            p,
            p,
            Some(json!({"conversation_id": conversations[2], "helpful": false, "comment": "niet wat ik zocht", "channel": "api"})),
            200,
        )
        .await;
    assert!(f["gap"]["id"].is_i64(), "{f}");
    let f = c
        .call(
            post,
            p,
            p,
            Some(json!({"conversation_id": conversations[2], "helpful": false, "comment": "toch niet"})),
            200,
        )
        .await;
    assert_eq!(f["updated"], true, "{f}");
    c.call(
        post,
        p,
        p,
        Some(json!({"conversation_id": "no-such-conversation", "helpful": true})),
        404,
    )
    .await;
    c.call(
        post,
        p,
        p,
        Some(json!({"conversation_id": "a b", "helpful": true})),
        400,
    )
    .await;
    c.call(post, p, p, Some(json!({"helpful": true})), 400)
        .await;

    // Search and the offer list.
    let (get, p) = ("get", "/api/search");
    let s = c.call(get, p, "/api/search?q=subsidie", None, 200).await;
    assert!(!s["hits"].as_array().unwrap().is_empty(), "{s}");
    c.call(
        get,
        p,
        "/api/search?q=lening&kind=loan&status=open&lang=nl&limit=3",
        None,
        200,
    )
    .await;
    c.call(get, p, "/api/search?theme=no-such-theme", None, 400)
        .await;
    c.call(get, p, "/api/search?limit=0", None, 400).await;
    let p = "/api/offers";
    let list = c.call(get, p, p, None, 200).await;
    c.call(get, p, "/api/offers?status=closed", None, 200).await;
    c.call(get, p, "/api/offers?q=x", None, 400).await;

    // Every offer in full: the detail schema is checked against the whole knowledge base.
    let p = "/api/offers/{id}";
    let ids: Vec<String> = list["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.len() > 10, "{list}");
    for id in &ids {
        c.call(get, p, &format!("/api/offers/{id}"), None, 200)
            .await;
    }
    c.call(get, p, "/api/offers/no-such-offer", None, 404).await;
    c.call(get, p, "/api/offers/Not%20An%20Id", None, 400).await;

    // The document itself, and the operator's probes.
    c.call(get, "/api/openapi.json", "/api/openapi.json", None, 200)
        .await;
    c.wrong_method("post", get, "/api/openapi.json").await;
    c.wrong_method("delete", get, "/api/search").await;
    c.wrong_method("put", get, "/readyz").await;
    c.call(get, "/healthz", "/healthz", None, 200).await;
    c.call(get, "/readyz", "/readyz", None, 200).await;

    // Every documented operation was called and its success checked.
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            assert!(
                c.seen.contains(&(method.clone(), path.clone(), 200)),
                "{method} {path}: no 200 checked against its schema"
            );
        }
    }
}

#[tokio::test]
async fn the_rate_limited_answer_is_as_documented() {
    let app = spawn_app_opts(
        Backend::Sqlite,
        Options {
            rate_limit_per_minute: 1,
            ..Options::default()
        },
    )
    .await;
    let doc = document(&app).await;
    let mut c = Checker {
        app: &app,
        doc,
        seen: BTreeSet::new(),
    };
    let (post, p) = ("post", "/api/ask");
    let a = c
        .call(
            post,
            p,
            p,
            Some(json!({"question": "financiering?", "log": false})),
            200,
        )
        .await;
    let id = a["conversation_id"].as_str().unwrap().to_owned();
    // Checked without the request schema: the call is valid, only over the budget.
    let mut limited = Vec::new();
    for (path, body) in [
        (
            "/api/ask",
            json!({"question": "financiering?", "log": false}),
        ),
        (
            "/api/feedback",
            json!({"conversation_id": id, "helpful": true}),
        ),
    ] {
        let r = app
            .client
            .post(app.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 429, "{path}");
        assert!(r.headers().contains_key("retry-after"), "{path}");
        limited.push((path, r.json::<Value>().await.unwrap()));
    }
    for (path, body) in limited {
        let schema = response_schema(&c.doc, post, path, 429);
        let v = violations(&c.doc, &schema, &body);
        assert!(v.is_empty(), "{path} 429 off its schema: {v:?}\n{body}");
        assert_eq!(body["error"]["code"], "rate_limited");
        assert!(
            c.doc["paths"][path][post]["responses"]["429"]["headers"]["Retry-After"].is_object(),
            "{path}: Retry-After not documented"
        );
    }
}

/// The check has teeth: a body with a field renamed on one side only is refused.
#[tokio::test]
async fn a_renamed_or_missing_field_is_refused_by_the_schema() {
    let app = spawn_app(Backend::Sqlite).await;
    let doc = document(&app).await;
    let answer: Value = app
        .client
        .post(app.url("/api/ask"))
        .json(&json!({"question": "financiering?", "log": false}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schema = response_schema(&doc, "post", "/api/ask", 200);
    assert!(violations(&doc, &schema, &answer).is_empty());

    // `outcome` renamed to `result` in the response: the required field is missing.
    let mut renamed = answer.clone();
    let outcome = renamed.as_object_mut().unwrap().remove("outcome").unwrap();
    renamed["result"] = outcome;
    let v = violations(&doc, &schema, &renamed);
    assert!(
        v.iter().any(|e| e.contains("outcome")),
        "a missing `outcome` passed: {v:?}"
    );

    // A nested field: `understood.themes` missing.
    let mut nested = answer.clone();
    nested["understood"]
        .as_object_mut()
        .unwrap()
        .remove("themes");
    assert!(!violations(&doc, &schema, &nested).is_empty());

    // A value outside its enum.
    let mut odd = answer.clone();
    odd["language"] = json!("fr");
    assert!(!violations(&doc, &schema, &odd).is_empty());

    // The error shape is closed: a renamed `message` is refused.
    let error = json!({"error": {"code": "bad_request", "msg": "x"}});
    let schema = response_schema(&doc, "post", "/api/ask", 400);
    assert!(!violations(&doc, &schema, &error).is_empty());

    // A request field renamed on the client's side is refused by the schema as by the server.
    let schema = request_schema(&doc, "post", "/api/feedback");
    let renamed = json!({"conversationId": "abc", "helpful": true});
    assert!(!violations(&doc, &schema, &renamed).is_empty());
}
