//! What operators see at `/metrics`: one place that names every metric, records it through the
//! `metrics` facade and renders the Prometheus text format. Labels are closed sets (matched routes,
//! statuses, outcomes, languages, reasons) so the number of series stays bounded; never a question.

use std::sync::OnceLock;
use std::time::Duration;

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

const REQUESTS: &str = "wegwijzer_http_requests_total";
const REQUEST_SECONDS: &str = "wegwijzer_http_request_duration_seconds";
const RATE_LIMITED: &str = "wegwijzer_http_rate_limited_total";
const ANSWERS: &str = "wegwijzer_answers_total";
const GAPS: &str = "wegwijzer_gaps_total";
const RELOADS: &str = "wegwijzer_knowledge_reloads_total";
const DATABASE_ERRORS: &str = "wegwijzer_database_errors_total";
const DISCORD_CONNECTED: &str = "wegwijzer_discord_connected";
const SEMANTIC: &str = "wegwijzer_semantic_enabled";
const SEMANTIC_FALLBACKS: &str = "wegwijzer_semantic_fallbacks_total";
const EMBEDDER_UP: &str = "wegwijzer_embedder_up";
const EMBEDDER_RESTARTS: &str = "wegwijzer_embedder_restarts_total";
const OFFERS_DUE: &str = "wegwijzer_offers_due_for_review";
const CONNECTIONS_OPEN: &str = "wegwijzer_connections_open";
const CONNECTIONS_REFUSED: &str = "wegwijzer_connections_refused_total";
const CONNECTIONS_TIMED_OUT: &str = "wegwijzer_connections_timed_out_total";

/// Latency buckets in seconds: the service answers in about a millisecond, so the resolution is
/// there, with room for a slow database.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process-wide recorder once (later calls return the same handle). When a runtime is
/// running, a task drains histogram samples every few seconds so memory stays flat between scrapes.
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let handle = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(REQUEST_SECONDS.into()), BUCKETS)
            .expect("the bucket list is not empty")
            .install_recorder()
            .expect("no other metrics recorder is installed");
        describe();
        gauge!(DISCORD_CONNECTED).set(0.0);
        gauge!(SEMANTIC).set(0.0);
        counter!(SEMANTIC_FALLBACKS, "reason" => "none").absolute(0);
        gauge!(CONNECTIONS_OPEN).set(0.0);
        for limit in ["process", "address"] {
            counter!(CONNECTIONS_REFUSED, "limit" => limit).absolute(0);
        }
        for phase in ["header", "idle"] {
            counter!(CONNECTIONS_TIMED_OUT, "phase" => phase).absolute(0);
        }
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let h = handle.clone();
            rt.spawn(async move {
                let mut every = tokio::time::interval(Duration::from_secs(5));
                loop {
                    every.tick().await;
                    h.run_upkeep();
                }
            });
        }
        handle
    })
}

/// The Prometheus text exposition of every metric.
pub fn render() -> String {
    install().render()
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        REQUESTS,
        "HTTP requests by matched route, method and status."
    );
    describe_histogram!(
        REQUEST_SECONDS,
        Unit::Seconds,
        "HTTP request latency by matched route and method."
    );
    describe_counter!(
        RATE_LIMITED,
        "Requests refused with 429 by the rate limiter."
    );
    describe_counter!(
        ANSWERS,
        "Assistant answers by channel, outcome and language."
    );
    describe_counter!(GAPS, "Gap records written, by reason.");
    describe_counter!(RELOADS, "Knowledge loads after start, by result.");
    describe_counter!(DATABASE_ERRORS, "Database errors seen by the store.");
    describe_gauge!(
        DISCORD_CONNECTED,
        "1 while the Discord gateway is connected."
    );
    describe_gauge!(
        SEMANTIC,
        "1 while answers use the semantic signal (offer vectors built, embedder configured); 0 when lexical-only."
    );
    describe_counter!(
        SEMANTIC_FALLBACKS,
        "Answers given lexically because the question's vector was not there in time, by reason."
    );
    describe_gauge!(
        EMBEDDER_UP,
        "1 while the supervised embedder child answers."
    );
    describe_counter!(
        EMBEDDER_RESTARTS,
        "Restarts of the supervised embedder child."
    );
    describe_gauge!(
        OFFERS_DUE,
        "Offers due for review (old review, old, uncertain or cut-short source, passed round): `wegwijzer review`."
    );
    describe_gauge!(CONNECTIONS_OPEN, "HTTP connections open now.");
    describe_counter!(
        CONNECTIONS_REFUSED,
        "New connections refused (503, closed) by the cap they hit: `process` or `address`."
    );
    describe_counter!(
        CONNECTIONS_TIMED_OUT,
        "Connections closed by a timeout: `header` (no complete request head in time) or `idle` (kept alive without a next request)."
    );
}

/// How many offers are due for review, set at every load and once a day.
pub fn offers_due(n: usize) {
    gauge!(OFFERS_DUE).set(n as f64);
}

/// Whether answers use the semantic signal.
pub fn semantic_enabled(on: bool) {
    gauge!(SEMANTIC).set(if on { 1.0 } else { 0.0 });
}

pub fn semantic_fallback(reason: &'static str) {
    counter!(SEMANTIC_FALLBACKS, "reason" => reason).increment(1);
}

pub fn embedder_up(up: bool) {
    gauge!(EMBEDDER_UP).set(if up { 1.0 } else { 0.0 });
}

pub fn embedder_restart() {
    counter!(EMBEDDER_RESTARTS).increment(1);
}

pub fn http_request(route: &str, method: &str, status: u16, elapsed: Duration) {
    let status = status.to_string();
    counter!(REQUESTS, "route" => route.to_owned(), "method" => method.to_owned(), "status" => status)
        .increment(1);
    histogram!(REQUEST_SECONDS, "route" => route.to_owned(), "method" => method.to_owned())
        .record(elapsed.as_secs_f64());
}

pub fn rate_limited() {
    counter!(RATE_LIMITED).increment(1);
}

pub fn answer(channel: &'static str, outcome: &'static str, language: &'static str) {
    counter!(ANSWERS, "channel" => channel, "outcome" => outcome, "language" => language)
        .increment(1);
}

pub fn gap(reason: &'static str) {
    counter!(GAPS, "reason" => reason).increment(1);
}

pub fn knowledge_reload(ok: bool) {
    counter!(RELOADS, "result" => if ok { "ok" } else { "error" }).increment(1);
}

pub fn database_error() {
    counter!(DATABASE_ERRORS).increment(1);
}

/// The Discord bot reports its gateway connection here.
pub fn discord_connected(connected: bool) {
    gauge!(DISCORD_CONNECTED).set(if connected { 1.0 } else { 0.0 });
}

/// A connection was admitted (`+1`) or has closed (`-1`).
pub fn connections_open(delta: f64) {
    gauge!(CONNECTIONS_OPEN).increment(delta);
}

pub fn connection_refused(limit: &'static str) {
    counter!(CONNECTIONS_REFUSED, "limit" => limit).increment(1);
}

pub fn connection_timed_out(phase: &'static str) {
    counter!(CONNECTIONS_TIMED_OUT, "phase" => phase).increment(1);
}
