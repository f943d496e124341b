//! Storage: one API over SQLite (embedded, the default) and PostgreSQL (several instances), with
//! the migrations of each embedded and run at connect. Runtime queries only, so one binary serves
//! both backends; every query is exercised on both in the tests.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Row, SqlitePool};

pub mod breaker;
mod cells;
mod clock;
mod conversations;
mod demand;
mod gaps;
mod group_commit;
mod people;
mod rollup;
pub use cells::{DemandColumn, DemandKey, DemandRow};
pub use gaps::{GAP_STATUSES, GapFilter, GapRecord, GapText, NewGap, Triage, pseudonym};
pub use people::{AuditEntry, Session, TokenInfo, TokenStatus};

/// Runs the same body on whichever pool the store holds: the SQL is shared (sqlx's SQLite driver
/// takes `$1` parameters too), only the pool type differs. The call passes the [circuit
/// breaker](breaker) first (returning [`StoreError::Unavailable`] from the enclosing function
/// while the database is known to be away) and reports to it how the call went.
macro_rules! with_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        $crate::store::with_db!($store, read, $pool => $body)
    };
}
pub(crate) use with_pool;

/// Like [`with_pool`] for statements that write. SQLite has one writer at a time: writers that
/// share a pool wait for each other in SQLite's busy handler, which sleeps in steps of up to
/// 100 ms, so under load a short insert could take a second. One writer connection makes them
/// queue in order in the pool instead, and a read-then-write transaction can no longer fail with
/// "database is locked" when another writer got in between.
macro_rules! with_writer {
    ($store:expr, $pool:ident => $body:expr) => {
        $crate::store::with_db!($store, write, $pool => $body)
    };
}
pub(crate) use with_writer;

macro_rules! with_db {
    ($store:expr, $sqlite:ident, $pool:ident => $body:expr) => {{
        let store: &$crate::store::Store = $store;
        let admission = store.admit()?;
        let result: Result<_, $crate::store::StoreError> = async {
            Ok(match &store.db {
                $crate::store::Db::Sqlite { $sqlite: $pool, .. } => $body,
                $crate::store::Db::Postgres($pool) => $body,
            })
        }
        .await;
        admission.report(matches!(
            &result,
            Err($crate::store::StoreError::Database(e))
                if $crate::store::breaker::is_connection_failure(e)
        ));
        result?
    }};
}
pub(crate) use with_db;

/// A row of an id, three texts and two optional texts, as several queries read them.
type SixColumns = (i64, String, String, String, Option<String>, Option<String>);

/// Now plus `offset` in UTC as RFC 3339: every time the store writes (and compares as text).
fn stamp(offset: time::Duration) -> String {
    (time::OffsetDateTime::now_utc() + offset)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database url `{0}`: use sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    #[error("cannot create the directory for the database file: {0}")]
    Directory(#[source] std::io::Error),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("the database is unreachable; trying again shortly")]
    Unavailable,
    /// A batch of gaps written together failed; every gap of it gets the message.
    #[error("database error: {0}")]
    Batch(String),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

/// Every database error passes through here, so here it is counted for `/metrics`.
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        crate::metrics::database_error();
        StoreError::Database(e)
    }
}

#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
    breaker: std::sync::Arc<breaker::Breaker>,
    pending: std::sync::Arc<demand::Pending>,
    /// The group-commit writer of gap records (see `group_commit`); `None` in the writer's own
    /// copy of the store.
    batcher: Option<tokio::sync::mpsc::Sender<group_commit::Job>>,
}

#[derive(Clone, Debug)]
pub(crate) enum Db {
    /// Readers share `read`; every write goes through the single connection of `write`.
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
    },
    Postgres(PgPool),
}

/// One row of `knowledge_loads`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnowledgeLoad {
    pub id: i64,
    pub loaded_at: String,
    pub offers: i64,
    pub warnings: i64,
    pub instance: String,
}

impl Store {
    /// Connects, creating the SQLite file (and its directory) when needed, and runs migrations.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let store = if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5));
            if let Some(dir) = opts.get_filename().parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(StoreError::Directory)?;
            }
            // The file is read through a memory map (no read() per page), and the writer keeps a
            // larger page cache: an insert touches the gap table, its indexes and the demand
            // table, and with SQLite's default 2 MiB cache a large log made every one of those
            // a page miss.
            let opts = opts.pragma("mmap_size", "268435456");
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts.clone().pragma("cache_size", "-65536"))
                .await?;
            sqlx::migrate!("./migrations/sqlite").run(&write).await?;
            let read = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(opts.pragma("cache_size", "-16384"))
                .await?;
            Db::Sqlite { read, write }
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(opts)
                .await?;
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
            Db::Postgres(pool)
        } else {
            return Err(StoreError::UnsupportedUrl(redact_url(url)));
        };
        let mut store = Store {
            db: store,
            breaker: Default::default(),
            pending: Default::default(),
            batcher: None,
        };
        store.batcher = Some(group_commit::spawn(store.clone()));
        Ok(store)
    }

    pub fn backend(&self) -> &'static str {
        match self.db {
            Db::Sqlite { .. } => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Lets a call through the circuit breaker, or refuses it while the database is away.
    pub(crate) fn admit(&self) -> Result<breaker::Admission<'_>, StoreError> {
        self.breaker.admit().ok_or(StoreError::Unavailable)
    }

    /// Tells the breaker the database did not answer in time (a caller gave up waiting).
    pub fn report_unreachable(&self) {
        self.breaker.record_failure();
    }

    /// Whether the database answers, for `/readyz`: within a second, and not while the breaker
    /// says it is away.
    pub async fn ping(&self) -> bool {
        async fn select_one(store: &Store) -> Result<(), StoreError> {
            with_pool!(store, pool => sqlx::query("SELECT 1").execute(pool).await.map(drop)?);
            Ok(())
        }
        matches!(
            tokio::time::timeout(Duration::from_secs(1), select_one(self)).await,
            Ok(Ok(()))
        )
    }

    pub async fn record_knowledge_load(
        &self,
        offers: usize,
        warnings: usize,
        instance: &str,
    ) -> Result<i64, StoreError> {
        let now = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        const SQL: &str = "INSERT INTO knowledge_loads (loaded_at, offers, warnings, instance) VALUES ($1, $2, $3, $4) RETURNING id";
        let id = with_writer!(self, pool => sqlx::query(SQL)
            .bind(&now)
            .bind(offers as i64)
            .bind(warnings as i64)
            .bind(instance)
            .fetch_one(pool)
            .await?
            .try_get::<i64, _>(0)?);
        Ok(id)
    }

    pub async fn knowledge_loads(&self, limit: i64) -> Result<Vec<KnowledgeLoad>, StoreError> {
        const SQL: &str = "SELECT id, loaded_at, offers, warnings, instance FROM knowledge_loads ORDER BY id DESC LIMIT $1";
        let rows: Vec<(i64, String, i64, i64, String)> =
            with_pool!(self, pool => sqlx::query_as(SQL).bind(limit).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(
                |(id, loaded_at, offers, warnings, instance)| KnowledgeLoad {
                    id,
                    loaded_at,
                    offers,
                    warnings,
                    instance,
                },
            )
            .collect())
    }

    /// Writes what is still counted in memory, then closes the pools.
    pub async fn close(&self) {
        if let Err(e) = self.flush_demand().await {
            tracing::warn!(error = %e, cells = self.pending_demand_cells(), "demand counts not written at shutdown");
        }
        match &self.db {
            Db::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// A database address with its password replaced by `***`, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***@{}", &url[..s], &url[at + 1..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
