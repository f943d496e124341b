//! Hostile input against the real server, endpoint by endpoint: every case must get a clear 4xx
//! JSON error (`{"error":{"code","message"}}`) or a safe 200 answer, never a 5xx, and the server
//! must still answer afterwards.

mod common;

use common::{TestApp, backends, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

/// What a case must get back.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// This exact 4xx, as a JSON error.
    Error(u16),
    /// A 200 with a JSON body.
    Ok,
}

struct Case {
    name: &'static str,
    method: Method,
    path: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    expect: Expect,
}

fn case(name: &'static str, method: Method, path: impl Into<String>, expect: Expect) -> Case {
    Case {
        name,
        method,
        path: path.into(),
        content_type: None,
        body: Vec::new(),
        expect,
    }
}

fn get(name: &'static str, path: impl Into<String>, expect: Expect) -> Case {
    case(name, Method::GET, path, expect)
}

/// A POST with a raw body and a content type (or none).
fn post_raw(
    name: &'static str,
    path: &str,
    content_type: Option<&'static str>,
    body: impl Into<Vec<u8>>,
    expect: Expect,
) -> Case {
    Case {
        content_type,
        body: body.into(),
        ..case(name, Method::POST, path, expect)
    }
}

fn post_json(name: &'static str, path: &str, body: Value, expect: Expect) -> Case {
    post_raw(
        name,
        path,
        Some("application/json"),
        serde_json::to_vec(&body).unwrap(),
        expect,
    )
}

fn ask(name: &'static str, question: impl Into<String>, expect: Expect) -> Case {
    post_json(
        name,
        "/api/ask",
        json!({"question": question.into(), "log": false}),
        expect,
    )
}

const JSON: Option<&str> = Some("application/json");

fn ask_cases() -> Vec<Case> {
    use Expect::*;
    let long = "subsidie ".repeat(1112); // 10,008 characters
    let mib = {
        let mut b = br#"{"question":""#.to_vec();
        b.extend(std::iter::repeat_n(b'a', 1024 * 1024));
        b.extend(br#""}"#);
        b
    };
    vec![
        post_raw("empty body", "/api/ask", JSON, "", Error(400)),
        post_raw("whitespace body", "/api/ask", JSON, " \n\t ", Error(400)),
        post_raw("empty object", "/api/ask", JSON, "{}", Error(400)),
        ask("empty question", "", Error(400)),
        ask("whitespace question", " \t\n\u{3000} ", Error(400)),
        ask(
            "only control characters",
            "\u{0}\u{7}\u{1b}\u{7f}\u{85}",
            Error(400),
        ),
        ask(
            "only bidi and zero-width marks",
            "\u{202e}\u{200b}\u{2066}\u{feff}",
            Error(400),
        ),
        ask("10,000 characters", long.clone(), Error(400)),
        post_raw("1 MiB body", "/api/ask", JSON, mib.clone(), Error(413)),
        post_raw(
            "1 MiB body, no content type",
            "/api/ask",
            None,
            mib,
            Error(415),
        ),
        post_raw(
            "invalid JSON",
            "/api/ask",
            JSON,
            r#"{"question": "subsidie"#,
            Error(400),
        ),
        post_raw(
            "trailing garbage after JSON",
            "/api/ask",
            JSON,
            r#"{"question": "subsidie"} {"#,
            Error(400),
        ),
        post_raw(
            "invalid UTF-8 in a string",
            "/api/ask",
            JSON,
            b"{\"question\": \"subsidie \xff\xfe\xc0\xaf\"}".to_vec(),
            Error(400),
        ),
        post_raw(
            "invalid UTF-8 body",
            "/api/ask",
            JSON,
            b"\xff\xfe\x00\x80".to_vec(),
            Error(400),
        ),
        post_raw(
            "lone surrogate escape",
            "/api/ask",
            JSON,
            r#"{"question": "subsidie \ud800"}"#,
            Error(400),
        ),
        post_raw(
            "deeply nested JSON",
            "/api/ask",
            JSON,
            format!(
                "{{\"question\": {}1{}}}",
                "[".repeat(5000),
                "]".repeat(5000)
            ),
            Error(400),
        ),
        post_raw(
            "duplicate field",
            "/api/ask",
            JSON,
            r#"{"question": "a", "question": "b"}"#,
            Error(400),
        ),
        post_json("JSON array", "/api/ask", json!(["subsidie"]), Error(400)),
        post_json("JSON null", "/api/ask", json!(null), Error(400)),
        post_json(
            "question is a number",
            "/api/ask",
            json!({"question": 42}),
            Error(400),
        ),
        post_json(
            "unknown field",
            "/api/ask",
            json!({"question": "subsidie", "admin": true}),
            Error(400),
        ),
        post_json(
            "unknown channel",
            "/api/ask",
            json!({"question": "subsidie", "channel": "'; DROP TABLE gaps; --"}),
            Error(400),
        ),
        post_json(
            "log is a string",
            "/api/ask",
            json!({"question": "subsidie", "log": "no"}),
            Error(400),
        ),
        post_json(
            "path traversal as conversation id",
            "/api/ask",
            json!({"question": "subsidie", "conversation_id": "../../etc/passwd", "log": false}),
            Error(400),
        ),
        post_json(
            "very long conversation id",
            "/api/ask",
            json!({"question": "subsidie", "conversation_id": "a".repeat(10_000), "log": false}),
            Error(400),
        ),
        post_json(
            "conversation id with NUL",
            "/api/ask",
            json!({"question": "subsidie", "conversation_id": "abc\u{0}def", "log": false}),
            Error(400),
        ),
        post_json(
            "unknown but well-formed conversation id",
            "/api/ask",
            json!({"question": "subsidie", "conversation_id": "no-such-conversation", "log": false}),
            Ok,
        ),
        post_raw(
            "text/plain",
            "/api/ask",
            Some("text/plain"),
            r#"{"question":"subsidie"}"#,
            Error(415),
        ),
        post_raw(
            "form-encoded",
            "/api/ask",
            Some("application/x-www-form-urlencoded"),
            "question=subsidie",
            Error(415),
        ),
        post_raw(
            "no content type",
            "/api/ask",
            None,
            r#"{"question":"subsidie"}"#,
            Error(415),
        ),
        post_raw(
            "multipart",
            "/api/ask",
            Some("multipart/form-data; boundary=x"),
            "--x\r\nContent-Disposition: form-data; name=\"question\"\r\n\r\nsubsidie\r\n--x--\r\n",
            Error(415),
        ),
        ask(
            "control characters around a question",
            "\u{0}\u{8}subsidie\u{7f} voor \u{1b}[31mstarters\r\n",
            Ok,
        ),
        ask(
            "right-to-left override",
            "\u{202e}eidisbus\u{202c} voor een \u{200f}starter in Assen",
            Ok,
        ),
        ask("Arabic and Hebrew", "هل هناك دعم للشركات الناشئة؟ שלום", Ok),
        ask(
            "emoji",
            "🚀🚀 starten met een 🍞 bakkerij in Emmen? 👩‍👩‍👧‍👦🏳️‍🌈",
            Ok,
        ),
        ask(
            "HTML and script",
            "<script>alert(document.cookie)</script><img src=x onerror=alert(1)> subsidie",
            Ok,
        ),
        ask(
            "SQL fragments",
            "'; DROP TABLE gaps; -- subsidie\" OR 1=1 UNION SELECT * FROM users",
            Ok,
        ),
        ask(
            "template and format strings",
            "{{7*7}} ${jndi:ldap://x} %s%s%n {0} subsidie",
            Ok,
        ),
        ask("path traversal text", "../../../../etc/passwd subsidie", Ok),
        ask(
            "combining marks",
            format!("s{}ubsidie", "\u{301}".repeat(500)),
            Ok,
        ),
        ask("exactly the maximum length", "a".repeat(2000), Ok),
        ask("one long word", "x".repeat(1999), Ok),
        ask("digits only", "1234567890 ".repeat(180), Ok),
        get("GET on a POST route", "/api/ask", Error(405)),
        case("PUT on a POST route", Method::PUT, "/api/ask", Error(405)),
    ]
}

fn feedback_cases(conversation: &str) -> Vec<Case> {
    use Expect::*;
    vec![
        post_raw("empty body", "/api/feedback", JSON, "", Error(400)),
        post_raw(
            "invalid JSON",
            "/api/feedback",
            JSON,
            "{helpful:",
            Error(400),
        ),
        post_raw(
            "invalid UTF-8",
            "/api/feedback",
            JSON,
            b"{\"conversation_id\": \"\xc3\x28\", \"helpful\": true}".to_vec(),
            Error(400),
        ),
        post_json(
            "missing helpful",
            "/api/feedback",
            json!({"conversation_id": conversation}),
            Error(400),
        ),
        post_json(
            "helpful is a string",
            "/api/feedback",
            json!({"conversation_id": conversation, "helpful": "yes"}),
            Error(400),
        ),
        post_json(
            "unknown field",
            "/api/feedback",
            json!({"conversation_id": conversation, "helpful": true, "rating": 5}),
            Error(400),
        ),
        post_json(
            "path traversal id",
            "/api/feedback",
            json!({"conversation_id": "../../etc/passwd", "helpful": true}),
            Error(400),
        ),
        post_json(
            "very long id",
            "/api/feedback",
            json!({"conversation_id": "a".repeat(10_000), "helpful": false}),
            Error(400),
        ),
        post_json(
            "empty id",
            "/api/feedback",
            json!({"conversation_id": "", "helpful": false}),
            Error(400),
        ),
        post_json(
            "unknown conversation",
            "/api/feedback",
            json!({"conversation_id": "no-such-conversation", "helpful": false}),
            Error(404),
        ),
        post_json(
            "comment of 10,000 characters",
            "/api/feedback",
            json!({"conversation_id": conversation, "helpful": false, "comment": "x".repeat(10_000)}),
            Error(400),
        ),
        post_raw(
            "1 MiB comment",
            "/api/feedback",
            JSON,
            format!(
                r#"{{"conversation_id":"{conversation}","helpful":false,"comment":"{}"}}"#,
                "x".repeat(1024 * 1024)
            ),
            Error(413),
        ),
        post_raw(
            "text/plain",
            "/api/feedback",
            Some("text/plain"),
            format!(r#"{{"conversation_id":"{conversation}","helpful":true}}"#),
            Error(415),
        ),
        post_json(
            "hostile comment",
            "/api/feedback",
            json!({"conversation_id": conversation, "helpful": false,
                   "comment": "<script>alert(1)</script>'; DROP TABLE gaps; -- \u{202e}🙈\u{0}"}),
            Ok,
        ),
        post_json(
            "helpful",
            "/api/feedback",
            json!({"conversation_id": conversation, "helpful": true, "comment": "   "}),
            Ok,
        ),
        get("GET on a POST route", "/api/feedback", Error(405)),
    ]
}

fn read_cases() -> Vec<Case> {
    use Expect::*;
    let long_q = "a".repeat(10_000);
    vec![
        get("search: no query", "/api/search", Ok),
        get("search: empty q", "/api/search?q=", Ok),
        get("search: whitespace", "/api/search?q=%20%09%0A", Ok),
        get(
            "search: 10,000 characters",
            format!("/api/search?q={long_q}"),
            Error(400),
        ),
        // Query strings are decoded lossily: the bytes become U+FFFD and the search is harmless.
        get("search: invalid UTF-8", "/api/search?q=%FF%FE%C0%AF", Ok),
        get(
            "search: raw NUL and controls",
            "/api/search?q=%00%07%1B",
            Ok,
        ),
        get(
            "search: bidi marks",
            "/api/search?q=%E2%80%AEsubsidie%E2%80%AC",
            Ok,
        ),
        get("search: emoji", "/api/search?q=%F0%9F%9A%80%20subsidie", Ok),
        get(
            "search: HTML",
            "/api/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            Ok,
        ),
        get(
            "search: SQL",
            "/api/search?q=%27%3B%20DROP%20TABLE%20gaps%3B%20--",
            Ok,
        ),
        get(
            "search: tantivy query syntax",
            "/api/search?q=title%3A(%22a%20AND%20%5B*%20TO%20%7D~2%5E9%20-%20%2B",
            Ok,
        ),
        get(
            "search: unknown parameter",
            "/api/search?q=x&debug=1",
            Error(400),
        ),
        get(
            "search: negative limit",
            "/api/search?q=x&limit=-1",
            Error(400),
        ),
        get("search: zero limit", "/api/search?q=x&limit=0", Error(400)),
        get(
            "search: huge limit",
            "/api/search?q=x&limit=99999999999999999999999",
            Error(400),
        ),
        get(
            "search: limit not a number",
            "/api/search?q=x&limit=ten",
            Error(400),
        ),
        get(
            "search: traversal as theme",
            "/api/search?q=x&theme=..%2F..%2Fetc",
            Error(400),
        ),
        get(
            "search: unknown language",
            "/api/search?q=x&lang=xx",
            Error(400),
        ),
        get(
            "search: unknown kind",
            "/api/search?q=x&kind=%3Cb%3E",
            Error(400),
        ),
        get(
            "search: repeated parameter",
            "/api/search?q=a&q=b",
            Error(400),
        ),
        get("search: broken percent-encoding", "/api/search?q=%zz%", Ok),
        get("offers: all", "/api/offers", Ok),
        get("offers: text query", "/api/offers?q=subsidie", Error(400)),
        get(
            "offers: unknown theme",
            "/api/offers?theme=%27%20OR%201%3D1",
            Error(400),
        ),
        get(
            "offers: unknown status",
            "/api/offers?status=%00",
            Error(400),
        ),
        get("offers: unknown parameter", "/api/offers?x=1", Error(400)),
        get("offer: unknown id", "/api/offers/no-such-offer", Error(404)),
        get(
            "offer: encoded traversal",
            "/api/offers/..%2F..%2Fetc%2Fpasswd",
            Error(400),
        ),
        // The client resolves `..` before sending: this asks for /api/, which does not exist.
        get("offer: dot-dot", "/api/offers/..", Error(404)),
        get(
            "offer: backslashes",
            "/api/offers/..%5C..%5Cwindows",
            Error(400),
        ),
        get("offer: NUL", "/api/offers/wbso%00", Error(400)),
        get("offer: invalid UTF-8", "/api/offers/%FF%FE", Error(400)),
        get("offer: emoji", "/api/offers/%F0%9F%9A%80", Error(400)),
        get("offer: upper case", "/api/offers/WBSO", Error(400)),
        get(
            "offer: very long id",
            format!("/api/offers/{}", "a".repeat(10_000)),
            Error(400),
        ),
        get(
            "offer: SQL",
            "/api/offers/1%27%20OR%20%271%27%3D%271",
            Error(400),
        ),
        get("offer: trailing slash", "/api/offers/wbso/", Error(404)),
        get(
            "offer: extra segment",
            "/api/offers/wbso/../../x",
            Error(404),
        ),
        case(
            "offer: DELETE",
            Method::DELETE,
            "/api/offers/wbso",
            Error(405),
        ),
        get("healthz with junk query", "/healthz?x=%FF%00&<script>", Ok),
        get(
            "readyz with junk query",
            "/readyz?'; DROP TABLE gaps; --",
            Ok,
        ),
        post_raw("POST healthz", "/healthz", JSON, "{}", Error(405)),
        post_raw(
            "POST readyz with 1 MiB",
            "/readyz",
            JSON,
            vec![b'a'; 1024 * 1024],
            Error(405),
        ),
        get(
            "unknown API route with traversal",
            "/api/files/..%2f..%2fetc%2fpasswd",
            Error(404),
        ),
        get(
            "unknown route with traversal",
            "/api/offers%2F..%2F..%2Fadmin",
            Error(404),
        ),
    ]
}

/// Sends one case and checks the answer's shape; the JSON body, or what was wrong.
async fn run(app: &TestApp, c: &Case) -> Result<Value, String> {
    let mut req = app
        .client
        .request(c.method.clone(), app.url(&c.path))
        .body(c.body.clone());
    if let Some(ct) = c.content_type {
        req = req.header("content-type", ct);
    }
    let r = req
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    let status = r.status().as_u16();
    let content_type = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = r.text().await.unwrap_or_default();
    let shown: String = text.chars().take(300).collect();
    if status >= 500 {
        return Err(format!("server error {status}: {shown}"));
    }
    if !content_type.starts_with("application/json") {
        return Err(format!(
            "{status} with content type {content_type:?}: {shown}"
        ));
    }
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| format!("{status}, body is not JSON ({e}): {shown}"))?;
    // Nothing we send back may carry live markup, whatever we were sent.
    if text.contains("<script") || text.contains("onerror=") {
        return Err(format!("echoes markup: {shown}"));
    }
    match c.expect {
        Expect::Ok if status == 200 => Ok(v),
        Expect::Ok => Err(format!("wanted 200, got {status}: {shown}")),
        Expect::Error(want) if status != want => {
            Err(format!("wanted {want}, got {status}: {shown}"))
        }
        Expect::Error(_) => {
            let code = v["error"]["code"].as_str().unwrap_or("");
            let message = v["error"]["message"].as_str().unwrap_or("");
            if code.is_empty() || message.is_empty() {
                return Err(format!("not an error object: {shown}"));
            }
            if message.chars().count() > 500 {
                return Err(format!(
                    "error message of {} characters",
                    message.chars().count()
                ));
            }
            Ok(v)
        }
    }
}

async fn still_up(app: &TestApp) -> bool {
    let r = app.client.get(app.url("/healthz")).send().await;
    r.is_ok_and(|r| r.status().is_success())
}

#[tokio::test]
async fn hostile_input_gets_a_clear_error_or_a_safe_answer() {
    for b in backends() {
        let app = spawn_app(b).await;
        let mut failures = Vec::new();
        let mut n = 0;
        let mut check = async |c: &Case| {
            n += 1;
            let r = run(&app, c).await;
            if let Err(e) = &r {
                failures.push(format!("{b:?} {} {}: {e}", c.method, c.name));
            }
            assert!(
                still_up(&app).await,
                "the server stopped answering after {:?}",
                c.name
            );
            r.ok()
        };
        for c in ask_cases().iter().chain(read_cases().iter()) {
            check(c).await;
        }
        // Feedback needs a live conversation to be hostile about.
        let v = check(&ask(
            "a real question",
            "subsidie voor starters",
            Expect::Ok,
        ))
        .await
        .expect("a plain question is answered");
        let conversation = v["conversation_id"].as_str().expect("conversation id");
        for c in &feedback_cases(conversation) {
            check(c).await;
        }
        // And it still answers properly.
        let v = check(&ask(
            "afterwards",
            "WBSO voor softwareontwikkeling",
            Expect::Ok,
        ))
        .await
        .unwrap_or_default();
        assert!(!v["answer"].as_str().unwrap_or("").is_empty(), "{v}");
        assert!(n > 100, "only {n} cases");
        assert!(
            failures.is_empty(),
            "{} of {n} cases failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}

#[tokio::test]
async fn a_wrong_method_is_a_json_405_that_names_the_allowed_ones() {
    let app = spawn_app(common::Backend::Sqlite).await;
    let r = app.client.get(app.url("/api/ask")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 405);
    let allow = r.headers().get("allow").and_then(|v| v.to_str().ok());
    assert_eq!(allow, Some("POST"));
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "method_not_allowed");
}
