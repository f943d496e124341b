//! Vectors kept on disk, keyed by model, side and a hash of the text, so a restart re-embeds
//! nothing and a reload re-embeds only the lines that changed. One append-only file: a record is
//! the 32-byte key, the dimension (u32) and the floats (little endian). A torn last record (a
//! crash mid-write) is ignored on load and written again when next needed.
//!
//! Only knowledge text goes here; `serve` never writes a question's vector to disk.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::{EmbedError, Embedder, Side, Vector};

const MAGIC: &[u8; 4] = b"WWV1";
const FILE: &str = "vectors.bin";

pub type Key = [u8; 32];

pub struct VectorCache {
    path: Option<PathBuf>,
    map: Mutex<HashMap<Key, Vector>>,
}

impl VectorCache {
    /// A cache that forgets at exit (tests, and a read-only disk).
    pub fn memory() -> VectorCache {
        VectorCache {
            path: None,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Opens (or creates) the cache file in `dir`.
    pub fn open(dir: &Path) -> std::io::Result<VectorCache> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(FILE);
        let map = match std::fs::read(&path) {
            Ok(bytes) => parse(&bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::write(&path, MAGIC)?;
                HashMap::new()
            }
            Err(e) => return Err(e),
        };
        Ok(VectorCache {
            path: Some(path),
            map: Mutex::new(map),
        })
    }

    pub fn key(model: &str, side: Side, text: &str) -> Key {
        let mut h = Sha256::new();
        for part in [model, side.as_str(), text] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        h.finalize().into()
    }

    pub fn len(&self) -> usize {
        self.map.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, key: &Key) -> Option<Vector> {
        self.map.lock().ok()?.get(key).cloned()
    }

    /// Remembers the vectors and appends them to the file. A write failure only costs the disk
    /// copy: the vectors stay in memory.
    pub fn put_all(&self, entries: Vec<(Key, Vector)>) {
        if entries.is_empty() {
            return;
        }
        if let Some(path) = &self.path
            && let Err(e) = append(path, &entries)
        {
            tracing::warn!(error = %e, path = %path.display(), "could not write the vector cache");
        }
        if let Ok(mut m) = self.map.lock() {
            m.extend(entries);
        }
    }

    /// The vectors of `texts`, from the cache where it has them and from `embedder` for the rest.
    /// Returns them in order with the number that had to be computed.
    pub async fn embed(
        &self,
        embedder: &dyn Embedder,
        texts: &[String],
        side: Side,
    ) -> Result<(Vec<Vector>, usize), EmbedError> {
        let keys: Vec<Key> = texts
            .iter()
            .map(|t| Self::key(embedder.model(), side, t))
            .collect();
        let mut out: Vec<Option<Vector>> = keys.iter().map(|k| self.get(k)).collect();
        let missing: Vec<usize> = (0..texts.len()).filter(|&i| out[i].is_none()).collect();
        if !missing.is_empty() {
            let todo: Vec<String> = missing.iter().map(|&i| texts[i].clone()).collect();
            let vectors = embedder.embed(&todo, side).await?;
            let mut fresh = Vec::with_capacity(vectors.len());
            for (&i, v) in missing.iter().zip(vectors) {
                fresh.push((keys[i], v.clone()));
                out[i] = Some(v);
            }
            self.put_all(fresh);
        }
        Ok((out.into_iter().flatten().collect(), missing.len()))
    }
}

fn parse(bytes: &[u8]) -> HashMap<Key, Vector> {
    let mut map = HashMap::new();
    let Some(mut rest) = bytes.strip_prefix(MAGIC.as_slice()) else {
        return map;
    };
    while rest.len() >= 36 {
        let key: Key = rest[..32].try_into().expect("32 bytes");
        let dim = u32::from_le_bytes(rest[32..36].try_into().expect("4 bytes")) as usize;
        let end = 36 + dim * 4;
        if dim == 0 || rest.len() < end {
            break;
        }
        let v: Vec<f32> = rest[36..end]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect();
        map.insert(key, v.into());
        rest = &rest[end..];
    }
    map
}

fn append(path: &Path, entries: &[(Key, Vector)]) -> std::io::Result<()> {
    let mut buf = Vec::new();
    for (k, v) in entries {
        buf.extend_from_slice(k);
        buf.extend_from_slice(&(v.len() as u32).to_le_bytes());
        for x in v.iter() {
            buf.extend_from_slice(&x.to_le_bytes());
        }
    }
    let mut f = std::fs::OpenOptions::new().append(true).open(path)?;
    f.write_all(&buf)?;
    f.sync_data()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_survive_a_reopen_and_a_torn_tail_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let k1 = VectorCache::key("m", Side::Passage, "een");
        let k2 = VectorCache::key("m", Side::Passage, "twee");
        {
            let c = VectorCache::open(dir.path()).unwrap();
            c.put_all(vec![
                (k1, vec![1.0, 0.0].into()),
                (k2, vec![0.0, 1.0].into()),
            ]);
        }
        // A crash in the middle of a third record.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join(FILE))
            .unwrap();
        f.write_all(&[7u8; 40]).unwrap();
        let c = VectorCache::open(dir.path()).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(&*c.get(&k2).unwrap(), &[0.0, 1.0]);
    }

    #[test]
    fn keys_differ_by_model_side_and_text() {
        let k = VectorCache::key("m", Side::Query, "x");
        assert_ne!(k, VectorCache::key("n", Side::Query, "x"));
        assert_ne!(k, VectorCache::key("m", Side::Passage, "x"));
        assert_ne!(k, VectorCache::key("m", Side::Query, "y"));
    }
}
