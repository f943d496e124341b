//! A durable local spool for gap records the database cannot take right now (PostgreSQL down,
//! SQLite locked beyond its timeout). A record is appended as one JSON line and fsynced before the
//! answer goes out, so an acknowledged gap survives a crash; a background task replays the spool
//! into the database when it answers again. Each record carries a reference (`gap.ref` in the
//! API) that makes replay idempotent: a record written twice is stored once.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use crate::store::{NewGap, Store, StoreError};

/// One spooled gap: when it happened and what to store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Spooled {
    pub reference: String,
    pub created_at: String,
    pub gap: NewGap,
}

#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    #[error("spool file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("spool record could not be encoded: {0}")]
    Encode(#[from] serde_json::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct Spool {
    path: PathBuf,
    /// Serialises appends and replays within this process; one process owns one spool file.
    lock: Mutex<()>,
    /// Records in the file, kept in step with it so `/readyz` and the replay task need not read
    /// the file to know whether anything waits.
    pending: AtomicUsize,
}

impl Spool {
    /// Opens (creating) the spool directory; the file itself is created on the first append.
    pub fn open(dir: &Path) -> Result<Spool, SpoolError> {
        std::fs::create_dir_all(dir).map_err(|source| SpoolError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let path = dir.join("gaps.jsonl");
        let pending = File::open(&path)
            .map(|f| {
                BufReader::new(f)
                    .lines()
                    .map_while(Result::ok)
                    .filter(|l| !l.trim().is_empty())
                    .count()
            })
            .unwrap_or(0);
        Ok(Spool {
            path,
            lock: Mutex::new(()),
            pending: AtomicUsize::new(pending),
        })
    }

    fn io(&self, source: std::io::Error) -> SpoolError {
        SpoolError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Appends a record and waits until it is on disk.
    pub fn append(&self, record: &Spooled) -> Result<(), SpoolError> {
        let mut line = serde_json::to_string(record)?;
        line.push('\n');
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| self.io(e))?;
        f.write_all(line.as_bytes()).map_err(|e| self.io(e))?;
        f.sync_data().map_err(|e| self.io(e))?;
        self.pending.fetch_add(1, Ordering::Release);
        Ok(())
    }

    /// How many records wait to be written to the database.
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::Acquire)
    }

    /// Writes every spooled record to the database (idempotently, by reference) and empties the
    /// spool. On a database error nothing is removed: the next replay tries again. A line that
    /// cannot be read (a torn write at a crash) is kept aside in `gaps.rejected.jsonl`.
    pub async fn replay(&self, store: &Store) -> Result<usize, SpoolError> {
        let records = {
            let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
            let text = match std::fs::read_to_string(&self.path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
                Err(e) => return Err(self.io(e)),
            };
            let mut good = Vec::new();
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                match serde_json::from_str::<Spooled>(line) {
                    Ok(r) => good.push(r),
                    Err(_) => self.reject(line)?,
                }
            }
            good
        };
        if records.is_empty() {
            self.remove_replayed(0)?;
            return Ok(0);
        }
        for r in &records {
            store
                .insert_gap_ref(&r.gap, &r.reference, Some(&r.created_at))
                .await?;
        }
        self.remove_replayed(records.len())?;
        Ok(records.len())
    }

    /// Drops the first `n` records (those just replayed), keeping any appended meanwhile.
    fn remove_replayed(&self, n: usize) -> Result<(), SpoolError> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(self.io(e)),
        };
        let rest: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .filter(|l| serde_json::from_str::<Spooled>(l).is_ok())
            .skip(n)
            .collect();
        let tmp = self.path.with_extension("jsonl.tmp");
        {
            let mut f = File::create(&tmp).map_err(|e| self.io(e))?;
            for l in &rest {
                writeln!(f, "{l}").map_err(|e| self.io(e))?;
            }
            f.sync_data().map_err(|e| self.io(e))?;
        }
        std::fs::rename(&tmp, &self.path).map_err(|e| self.io(e))?;
        self.pending.store(rest.len(), Ordering::Release);
        Ok(())
    }

    fn reject(&self, line: &str) -> Result<(), SpoolError> {
        let path = self.path.with_file_name("gaps.rejected.jsonl");
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| self.io(e))?;
        writeln!(f, "{line}").map_err(|e| self.io(e))
    }
}
