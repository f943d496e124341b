//! The one place that wires knowledge, index, database and HTTP together, and the process's
//! signals: SIGHUP reloads the knowledge, SIGTERM and Ctrl-C shut down cleanly.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use arc_swap::ArcSwap;
use tokio::net::TcpListener;

use crate::app::App;
use crate::assistant::{Assistant, MemoryConversations};
use crate::catalog::Catalog;
use crate::config::Config;
use crate::embed::Semantics;
use crate::http::AppState;
use crate::http::conn::Limits;
use crate::router::router;
use crate::store::{Store, StoreError};

/// Builds the application state: knowledge, index, database (migrated).
pub async fn build_state(config: &Config) -> anyhow::Result<AppState> {
    crate::metrics::install();
    let dir = config.knowledge_dir.clone();
    let (catalog, warnings) =
        tokio::task::spawn_blocking(move || crate::app::load_catalog(&dir)).await??;
    crate::assistant::warm_up();
    let redactor = Arc::new(crate::app::redactor_for(&catalog.kb));
    let store = Store::connect(&config.database_url)
        .await
        .with_context(|| format!("connecting to {}", config.database_url_redacted()))?;
    let instance = format!("{}-{}", hostname(), std::process::id());
    let pseudonym_salt: Arc<str> = store.pseudonym_salt().await?.into();
    store
        .record_knowledge_load(catalog.kb.offers.len(), warnings, &instance)
        .await?;
    tracing::info!(
        offers = catalog.kb.offers.len(),
        backend = store.backend(),
        "knowledge loaded"
    );
    let app = App {
        catalog: Arc::new(ArcSwap::from_pointee(catalog)),
        assistant: Arc::new(Assistant::new(MemoryConversations::new(
            Duration::from_secs(config.conversation_ttl_minutes.max(1) * 60),
            50_000,
        ))),
        store,
        knowledge_dir: config.knowledge_dir.clone(),
        conversation_ttl: Duration::from_secs(config.conversation_ttl_minutes.max(1) * 60),
        instance,
        redactor,
        spool: Some(Arc::new(
            crate::spool::Spool::open(&config.spool_dir)
                .with_context(|| format!("opening the spool in {}", config.spool_dir.display()))?,
        )),
        pseudonym_salt,
        compute: Arc::new(crate::compute::ComputePool::per_core()),
        semantics: start_semantics(&config.embed),
        semantic_off: crate::embed::service::why_off(&config.embed).into(),
    };
    Ok(AppState {
        app,
        rate_limiter: Arc::new(crate::http::rate_limit::RateLimiter::per_minute(
            config.rate_limit_per_minute,
        )),
        trusted_proxies: config.trusted_proxies,
        admin_token: config.admin_token.clone().filter(|t| !t.is_empty()),
    })
}

/// The embedder, or lexical answers with the reason in the log.
fn start_semantics(config: &crate::config::EmbedConfig) -> Option<Arc<Semantics>> {
    let started = Semantics::start(config).map(Arc::new);
    match &started {
        Some(s) => tracing::info!(
            provider = s.provider.as_str(),
            model = s.model(),
            "semantic routing: starting the embedder"
        ),
        None => tracing::warn!(
            "semantic routing off, answers are lexical only: {}",
            crate::embed::service::why_off(config)
        ),
    }
    crate::metrics::semantic_enabled(false);
    started
}

/// How long a child embedder may take to load its model before the keeper checks again.
const EMBEDDER_START: Duration = Duration::from_secs(60);
/// How often the keeper checks that the current snapshot has its vectors and the embedder answers.
const KEEPER_TICK: Duration = Duration::from_secs(2);

/// Keeps the served snapshot's offer vectors in place: builds them once the embedder answers,
/// after a reload that could not, and after the embedder comes back. Answers stay lexical until
/// then; they never wait for it.
fn spawn_semantic_keeper(state: AppState) -> Option<tokio::task::JoinHandle<()>> {
    let sem = state.semantics.clone()?;
    Some(tokio::spawn(async move {
        sem.wait_ready(EMBEDDER_START).await;
        let mut tick = tokio::time::interval(KEEPER_TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let up = sem.is_up().await;
            let current = state.catalog.load_full();
            if current.semantic().is_some() || !up {
                crate::metrics::semantic_enabled(up && current.semantic().is_some());
                continue;
            }
            attach_vectors(&state, &sem, &current).await;
        }
    }))
}

/// Builds the vectors of `snapshot` and swaps them in, unless a reload replaced it meanwhile.
async fn attach_vectors(state: &AppState, sem: &Semantics, snapshot: &Catalog) -> bool {
    match sem.index(snapshot.kb.clone()).await {
        Ok((index, _)) => {
            let index = Arc::new(index);
            state.catalog.rcu(|c| {
                if Arc::ptr_eq(&c.kb, &snapshot.kb) {
                    Arc::new(c.with_semantic(index.clone()))
                } else {
                    c.clone()
                }
            });
            let on = state.catalog.load().semantic().is_some();
            crate::metrics::semantic_enabled(on);
            on
        }
        Err(e) => {
            tracing::warn!(error = %e, "offer vectors not built yet; answering lexically");
            false
        }
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "wegwijzer".into())
}

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// Once a day (and at start): logs a warning while any offer is due for review, and keeps the
/// `/metrics` gauge current, so an overdue review is noticed without anyone running a command.
fn spawn_review_warning(state: AppState) {
    tokio::spawn(async move {
        let mut every_day = tokio::time::interval(Duration::from_secs(24 * 60 * 60));
        loop {
            every_day.tick().await;
            let catalog = state.catalog.load_full();
            let due = crate::knowledge::review::due(&catalog.kb, today());
            crate::metrics::offers_due(due.len());
            if !due.is_empty() {
                let ids: Vec<&str> = due.iter().take(10).map(|d| d.id.as_str()).collect();
                tracing::warn!(
                    due = due.len(),
                    first = %ids.join(","),
                    "offers are due for review; run `wegwijzer review` or see the dashboard"
                );
            }
        }
    });
}

/// Serves on `listener` with the default connection limits until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    serve_with(listener, state, Limits::default(), shutdown).await
}

/// Serves on `listener` within `limits` until `shutdown` completes; then the open connections
/// finish (for at most `http::conn::SHUTDOWN_GRACE`) and the background work is wound up.
pub async fn serve_with(
    listener: TcpListener,
    state: AppState,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = router(state.clone());
    let flusher = spawn_demand_flush(state.store.clone());
    let keeper = spawn_semantic_keeper(state.clone());
    crate::http::conn::serve(listener, app, limits, shutdown).await;
    flusher.abort();
    if let Some(k) = keeper {
        k.abort();
    }
    if let Some(sem) = &state.semantics {
        sem.shutdown().await;
    }
    // Last chance to write spooled gaps; whatever stays is replayed at the next start.
    replay_spool(&state).await;
    state.store.close().await;
    Ok(())
}

pub async fn run(config: Config) -> anyhow::Result<()> {
    init_logging();
    let state = build_state(&config).await?;
    let listener = TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("binding {}", config.addr))?;
    let limits = Limits::new(&config.connections, config.trusted_proxies);
    tracing::info!(
        addr = %config.addr,
        max_connections = limits.max_connections,
        max_per_addr = limits.max_per_addr,
        header_timeout_s = limits.header_timeout.as_secs(),
        keepalive_idle_s = limits.keepalive_idle.map(|d| d.as_secs()),
        max_header_bytes = limits.max_header_bytes,
        "listening"
    );
    if config.trusted_proxies > 0 && config.connections.max_connections_per_addr > 0 {
        tracing::info!(
            "behind trusted proxies: connections come from the proxies, so no per-address connection cap"
        );
    }
    spawn_reload_on_sighup(state.clone());
    spawn_review_warning(state.clone());
    spawn_retention(state.store.clone(), config.retention_days);
    spawn_spool_replay(state.clone());
    spawn_matrix_warmup(state.store.clone());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    // The bot runs beside the web and never takes it down: it logs and retries on its own.
    let bot = config.discord.token.is_some().then(|| {
        tracing::info!("starting the Discord bot");
        tokio::spawn(crate::discord::run(
            state.app.clone(),
            config.discord.clone(),
            stopped,
        ))
    });
    let result = serve_with(listener, state, limits, async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    })
    .await;
    if let Some(bot) = bot
        && tokio::time::timeout(Duration::from_secs(10), bot)
            .await
            .is_err()
    {
        tracing::warn!("the Discord bot did not stop within 10 s");
    }
    result
}

/// Writes spooled gaps to the database, if any wait and it answers.
async fn replay_spool(state: &AppState) {
    let Some(spool) = &state.spool else { return };
    match spool.replay(&state.store).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(gaps = n, "spooled gaps written to the database"),
        Err(e) => tracing::warn!(error = %e, "spooled gaps not written yet"),
    }
}

/// Replays the spool at start and every few seconds while it holds records.
fn spawn_spool_replay(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            let pending = match &state.spool {
                Some(s) => s.pending(),
                None => return,
            };
            if pending > 0 {
                replay_spool(&state).await;
            }
        }
    });
}

/// Sums the closed days and months of the last two years for the dashboard's default matrix
/// (theme × sub-region, a year and the year before), in the background at start: on a large log
/// the first matrix would otherwise take seconds. Later days are summed as matrices need them.
fn spawn_matrix_warmup(store: Store) {
    use crate::store::DemandColumn;
    tokio::spawn(async move {
        let today = time::OffsetDateTime::now_utc().date();
        let Ok(year) = crate::insights::Period::parse(None, None, today) else {
            return;
        };
        let started = std::time::Instant::now();
        for period in [year, year.previous()] {
            let (from, to) = period.bounds();
            let summed = store
                .demand_by(DemandColumn::Theme, DemandColumn::Subregion, &from, &to)
                .await;
            if let Err(e) = summed {
                tracing::warn!(error = %e, "could not sum demand for the matrix yet");
                return;
            }
        }
        tracing::debug!(
            ms = started.elapsed().as_millis() as u64,
            "matrix sums ready"
        );
    });
}

/// Writes the demand counted in memory about once a second (see `store::demand`).
fn spawn_demand_flush(store: Store) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match store.flush_demand().await {
                Ok(()) | Err(StoreError::Unavailable) => {}
                Err(e) => tracing::warn!(error = %e, "demand counts not written yet"),
            }
        }
    })
}

/// Human-readable lines by default; one JSON object per line with `WEGWIJZER_LOG_FORMAT=json`,
/// each carrying the fields of its request's span (the request id among them).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "wegwijzer=info,tower_http=info".into());
    let json = std::env::var("WEGWIJZER_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if json {
        builder
            .json()
            .with_current_span(false)
            .with_span_list(true)
            .init();
    } else {
        builder.init();
    }
}

/// Deletes expired question texts at start and then daily.
fn spawn_retention(store: Store, days: u32) {
    tokio::spawn(async move {
        let mut every_day = tokio::time::interval(Duration::from_secs(24 * 60 * 60));
        loop {
            every_day.tick().await;
            if let Err(e) = store.forget_expired_conversations().await {
                tracing::warn!(error = %e, "could not remove expired conversations");
            }
            match store.forget_old_texts(days).await {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!(texts = n, days, "retention: deleted expired question texts")
                }
                Err(e) => tracing::warn!(error = %e, "retention run failed"),
            }
        }
    });
}

#[cfg(unix)]
fn spawn_reload_on_sighup(state: AppState) {
    use tokio::signal::unix::{SignalKind, signal};
    tokio::spawn(async move {
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            return;
        };
        while hup.recv().await.is_some() {
            if let Err(e) = state.app.reload().await {
                tracing::error!(
                    error = format!("{e:#}"),
                    "reload on SIGHUP failed; keeping the old knowledge"
                );
            }
        }
    });
}

#[cfg(not(unix))]
fn spawn_reload_on_sighup(_state: AppState) {}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
