//! The terminal commands for people and exports, run as the real binary against the same database
//! as a running server: a token made with `wegwijzer token create` opens the API, a revoked one
//! no longer does, and `gaps export` writes what the API exports.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{backends, spawn_app};
use reqwest::StatusCode;

fn wegwijzer(args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wegwijzer"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run wegwijzer");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn tokens_and_users_from_the_terminal_open_the_api_and_exports_match() {
    for b in backends() {
        let app = spawn_app(b).await;
        let db = app.db.url.clone();
        let (ok, out, err) = wegwijzer(
            &[
                "token",
                "create",
                "--name",
                "partner-tool",
                "--role",
                "officer",
                "--database-url",
                &db,
            ],
            None,
        );
        assert!(ok, "{err}");
        let token = out.lines().last().unwrap().trim().to_owned();
        assert_eq!(token.len(), 43, "{out}");
        let get = |path: &str, t: &str| app.client.get(app.url(path)).bearer_auth(t).send();
        assert_eq!(
            get("/api/gaps", &token).await.unwrap().status(),
            StatusCode::OK
        );

        // Listing never shows the token; revoking closes the door.
        let (ok, list, _) = wegwijzer(&["token", "list", "--database-url", &db], None);
        assert!(
            ok && list.contains("partner-tool") && !list.contains(&token),
            "{list}"
        );
        let id = list
            .lines()
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned();
        assert!(wegwijzer(&["token", "revoke", &id, "--database-url", &db], None).0);
        assert_eq!(
            get("/api/gaps", &token).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
        assert!(
            !wegwijzer(&["token", "revoke", &id, "--database-url", &db], None).0,
            "twice is an error"
        );

        // Users: the password comes from stdin, short ones are refused, bad roles too.
        let (ok, out, err) = wegwijzer(
            &[
                "user",
                "add",
                "--name",
                "a.dejong",
                "--role",
                "officer",
                "--database-url",
                &db,
            ],
            Some("een lang genoeg wachtwoord\n"),
        );
        assert!(ok, "{err}");
        assert!(out.contains("added a.dejong (officer)"), "{out}");
        let (ok, _, err) = wegwijzer(
            &[
                "user",
                "add",
                "--name",
                "b",
                "--role",
                "officer",
                "--database-url",
                &db,
            ],
            Some("kort\n"),
        );
        assert!(!ok && err.contains("at least 12"), "{err}");
        let (ok, _, err) = wegwijzer(
            &[
                "user",
                "add",
                "--name",
                "c",
                "--role",
                "admin",
                "--database-url",
                &db,
            ],
            Some("een lang genoeg wachtwoord\n"),
        );
        assert!(!ok && err.contains("unknown role"), "{err}");
        let store = wegwijzer::store::Store::connect(&db).await.unwrap();
        let (_, caller, hash) = store.user_for_login("a.dejong").await.unwrap().unwrap();
        assert_eq!(caller.role, wegwijzer::auth::Role::Officer);
        assert!(wegwijzer::auth::verify_password(
            "een lang genoeg wachtwoord",
            &hash
        ));

        // A gap, then the export from the terminal.
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
        let gap_id = answer["gap"]["id"].as_i64().expect("a handoff is logged");
        let (ok, csv, err) = wegwijzer(
            &["gaps", "export", "--format", "csv", "--database-url", &db],
            None,
        );
        assert!(ok, "{err}");
        assert!(csv.starts_with("\u{feff}id;created_at;"), "{csv}");
        assert!(
            csv.lines().any(|l| l.starts_with(&format!("{gap_id};"))),
            "{csv}"
        );
        let (ok, json, err) = wegwijzer(
            &[
                "gaps",
                "export",
                "--what",
                "matrix",
                "--format",
                "json",
                "--rows",
                "opgave",
                "--cols",
                "channel",
                "--database-url",
                &db,
            ],
            None,
        );
        assert!(ok, "{err}");
        let m: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(m["matrix"]["rows"], "opgave");
        assert_eq!(m["matrix"]["suppressed_below"], 5);
        assert!(m["codebook"]["matrix"].is_array());

        let audit = store.audit_trail(20).await.unwrap();
        for action in ["token.create", "token.revoke", "user.add", "export"] {
            assert!(
                audit.iter().any(|a| a.action == action),
                "{action}: {audit:?}"
            );
        }
        store.close().await;
    }
}

/// The date `days` from now, as `token create` and `token list` print it (their stamps start so).
fn date_in(days: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::days(days))
        .date()
        .to_string()
}

#[tokio::test]
async fn tokens_expire_with_a_clear_401_and_any_case_of_the_bearer_scheme_works() {
    for b in backends() {
        let app = spawn_app(b).await;
        let db = app.db.url.clone();
        let (ok, out, err) = wegwijzer(
            &[
                "token",
                "create",
                "--name",
                "nightly-export",
                "--role",
                "adviser",
                "--expires-in",
                "30",
                "--database-url",
                &db,
            ],
            None,
        );
        assert!(ok, "{err}");
        assert!(
            out.contains(&format!("valid until {}", date_in(30))),
            "{out}"
        );
        let token = out.lines().last().unwrap().trim().to_owned();

        // RFC 9110: the scheme is case-insensitive.
        for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
            let r = app
                .client
                .get(app.url("/api/gaps"))
                .header("authorization", format!("{scheme} {token}"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{b:?}: {scheme}");
        }

        // Without --expires-in a token lasts a year; out of range is refused.
        let (ok, _, err) = wegwijzer(
            &[
                "token",
                "create",
                "--name",
                "dashboard",
                "--role",
                "officer",
                "--database-url",
                &db,
            ],
            None,
        );
        assert!(ok, "{err}");
        let (ok, _, err) = wegwijzer(
            &[
                "token",
                "create",
                "--name",
                "forever",
                "--role",
                "officer",
                "--expires-in",
                "0",
                "--database-url",
                &db,
            ],
            None,
        );
        assert!(!ok && err.contains("--expires-in"), "{err}");

        // A token past its expiry: 401 that says so, unlike an unknown token.
        let store = wegwijzer::store::Store::connect(&db).await.unwrap();
        let expired = wegwijzer::auth::new_secret().unwrap();
        store
            .create_token(
                "old-tool",
                wegwijzer::auth::Role::Officer,
                &expired,
                time::Duration::minutes(-1),
            )
            .await
            .unwrap();
        let refusal = |t: String| {
            let r = app.client.get(app.url("/api/gaps")).bearer_auth(t).send();
            async move {
                let r = r.await.unwrap();
                assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
                let body: serde_json::Value = r.json().await.unwrap();
                assert_eq!(body["error"]["code"], "unauthorized", "{body}");
                body["error"]["message"].as_str().unwrap().to_owned()
            }
        };
        let message = refusal(expired.clone()).await;
        assert!(message.contains("has expired"), "{b:?}: {message}");
        let message = refusal(wegwijzer::auth::new_secret().unwrap()).await;
        assert!(
            message.contains("unknown") && !message.contains("expired"),
            "{message}"
        );

        // The list shows every token's expiry, and which have passed.
        let (ok, list, err) = wegwijzer(&["token", "list", "--database-url", &db], None);
        assert!(ok, "{err}");
        assert!(list.lines().next().unwrap().contains("expires"), "{list}");
        let line = |name: &str| {
            list.lines()
                .find(|l| l.contains(name))
                .unwrap_or_else(|| panic!("{name} in {list}"))
                .to_owned()
        };
        assert!(line("nightly-export").contains(&date_in(30)), "{list}");
        assert!(!line("nightly-export").contains("(expired)"), "{list}");
        assert!(line("dashboard").contains(&date_in(365)), "{list}");
        assert!(line("old-tool").contains("(expired)"), "{list}");
        store.close().await;
    }
}
