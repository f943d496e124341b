//! Starts the real application on 127.0.0.1:0 against a temporary SQLite file, or against a fresh
//! PostgreSQL database when `TEST_DATABASE_URL` is set; the database is dropped afterwards.
#![allow(dead_code)]

use std::path::PathBuf;

use sqlx::Connection;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use wegwijzer::config::Config;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite always; PostgreSQL too when `TEST_DATABASE_URL` is set (CI sets it).
pub fn backends() -> Vec<Backend> {
    let mut b = vec![Backend::Sqlite];
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        b.push(Backend::Postgres);
    }
    b
}

pub fn knowledge_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge")
}

/// A database of its own for one test: a temp SQLite file or a new PostgreSQL database.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("nested/wegwijzer.db").display()
                );
                TestDb {
                    url,
                    _dir: Some(dir),
                    pg: None,
                }
            }
            Backend::Postgres => {
                let admin = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
                let name = format!("wz_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .expect("connect to TEST_DATABASE_URL");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                conn.close().await.ok();
                let base = admin
                    .rsplit_once('/')
                    .map(|(b, _)| b.to_owned())
                    .unwrap_or(admin.clone());
                TestDb {
                    url: format!("{base}/{name}"),
                    _dir: None,
                    pg: Some((admin, name)),
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            // Drop runs outside async: use a runtime of its own on a plain thread.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async move {
                    if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut c)
                                .await;
                    }
                });
            })
            .join();
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    _stop: oneshot::Sender<()>,
    pub db: TestDb,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, None).await
}

pub async fn spawn_app_with(backend: Backend, admin_token: Option<&str>) -> TestApp {
    spawn_app_opts(
        backend,
        Options {
            admin_token: admin_token.map(str::to_owned),
            ..Options::default()
        },
    )
    .await
}

/// Settings a test may change. The rate limit is off unless a test turns it on: the tests send
/// many requests from 127.0.0.1.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub admin_token: Option<String>,
    pub rate_limit_per_minute: u32,
    pub trusted_proxies: usize,
    /// The embedder; semantics off when `None`.
    pub embed: Option<wegwijzer::config::EmbedConfig>,
    /// Connection limits: timeouts and caps.
    pub connections: wegwijzer::config::ConnectionConfig,
}

pub async fn spawn_app_opts(backend: Backend, options: Options) -> TestApp {
    let db = TestDb::new(backend).await;
    let config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: db.url.clone(),
        knowledge_dir: knowledge_dir(),
        conversation_ttl_minutes: 30,
        retention_days: 180,
        admin_token: options.admin_token,
        rate_limit_per_minute: options.rate_limit_per_minute,
        trusted_proxies: options.trusted_proxies,
        connections: options.connections,
        spool_dir: std::env::temp_dir().join(format!("wegwijzer-spool-{}", uuid::Uuid::new_v4())),
        discord: Default::default(),
        embed: options
            .embed
            .unwrap_or_else(wegwijzer::config::EmbedConfig::off),
    };
    let state = wegwijzer::startup::build_state(&config)
        .await
        .expect("build state");
    let limits = wegwijzer::http::conn::Limits::new(&config.connections, config.trusted_proxies);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        wegwijzer::startup::serve_with(listener, state, limits, async {
            let _ = rx.await;
        })
        .await
        .expect("serve");
    });
    TestApp {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        backend,
        _stop: tx,
        db,
    }
}

/// A new API token of a role, created directly in the database at `db_url`.
pub async fn api_token(db_url: &str, role: wegwijzer::auth::Role) -> String {
    let store = wegwijzer::store::Store::connect(db_url).await.unwrap();
    let token = wegwijzer::auth::new_secret().unwrap();
    store
        .create_token("test", role, &token, time::Duration::days(30))
        .await
        .unwrap();
    store.close().await;
    token
}

/// Every `.route("…")` path literal in `src/`, for the tests that walk the whole router.
pub fn route_literals() -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                // rustfmt may break a long `.route(` call before its path.
                for part in text.split(".route(").skip(1) {
                    if let Some(rest) = part.trim_start().strip_prefix('"') {
                        out.push(rest.split('"').next().unwrap().to_owned());
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut out,
    );
    out.sort();
    out.dedup();
    out
}
