//! What a conversation remembers between messages: only what was understood (language, themes,
//! audience, place, amount, the pending clarifying question), never the text. Behind a small trait
//! so a database-backed store can serve several instances; the in-memory one expires idle state.

use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::domain::Language;

/// Which clarifying question is waiting for an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pending {
    /// "What is your question about?" (a theme)
    Topic,
    /// "For which stage?" (a stage, for a known theme)
    Stage,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConversationState {
    pub language: Option<Language>,
    pub themes: Vec<String>,
    pub audiences: Vec<String>,
    pub stages: Vec<String>,
    pub municipality: Option<String>,
    pub amount_eur: Option<u64>,
    pub employees: Option<u32>,
    pub pending: Option<Pending>,
    pub turns: u32,
    pub clarifications: u32,
    /// The offers of the last answer (ids only), for "this did not help" feedback.
    pub last_offers: Vec<String>,
}

pub trait ConversationStore: Send + Sync {
    fn load(&self, id: &str) -> Option<ConversationState>;
    fn save(&self, id: &str, state: ConversationState);
}

/// Conversations in memory, forgotten after `ttl` without a message; at most `capacity` are kept
/// (the least recently used go first) so memory stays bounded under load. Eviction is O(1): the
/// earlier map scanned all entries under its lock for every new conversation once it was full,
/// which a stream of new conversations (a load test, or anyone opening many) turned into
/// milliseconds per message.
pub struct MemoryConversations {
    ttl: Duration,
    inner: Mutex<lru::LruCache<String, (Instant, ConversationState)>>,
}

impl MemoryConversations {
    pub fn new(ttl: Duration, capacity: usize) -> MemoryConversations {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        MemoryConversations {
            ttl,
            inner: Mutex::new(lru::LruCache::new(capacity)),
        }
    }
}

impl Default for MemoryConversations {
    fn default() -> Self {
        MemoryConversations::new(Duration::from_secs(30 * 60), 50_000)
    }
}

impl ConversationStore for MemoryConversations {
    fn load(&self, id: &str) -> Option<ConversationState> {
        let mut map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(id) {
            Some((at, state)) if at.elapsed() < self.ttl => Some(state.clone()),
            Some(_) => {
                map.pop(id);
                None
            }
            None => None,
        }
    }

    fn save(&self, id: &str, state: ConversationState) {
        let mut map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        map.put(id.to_owned(), (Instant::now(), state));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_expires_after_ttl() {
        let store = MemoryConversations::new(Duration::from_millis(20), 10);
        store.save("a", ConversationState::default());
        assert!(store.load("a").is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert!(store.load("a").is_none());
    }

    #[test]
    fn capacity_evicts_the_oldest() {
        let store = MemoryConversations::new(Duration::from_secs(60), 2);
        store.save("a", ConversationState::default());
        std::thread::sleep(Duration::from_millis(2));
        store.save("b", ConversationState::default());
        store.save("c", ConversationState::default());
        assert!(store.load("a").is_none());
        assert!(store.load("b").is_some() && store.load("c").is_some());
    }

    #[test]
    fn a_full_store_keeps_the_recent_conversations() {
        let store = MemoryConversations::new(Duration::from_secs(60), 1000);
        for i in 0..5000 {
            let state = ConversationState {
                turns: i,
                ..Default::default()
            };
            store.save(&format!("c{i}"), state);
            // Conversations still talking stay, however many new ones arrive.
            if i % 100 == 0 {
                assert!(store.load("c0").is_some(), "c0 evicted at {i}");
            }
        }
        assert_eq!(store.load("c4999").map(|s| s.turns), Some(4999));
        assert!(store.load("c1000").is_none());
        assert_eq!(store.inner.lock().unwrap().len(), 1000);
    }
}
