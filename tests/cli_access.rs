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
