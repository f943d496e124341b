//! `GET /api/openapi.json`: the public API described for clients and fuzzers. Hand-written next to
//! the handlers (`openapi.json`) and checked against the real router by `tests/openapi.rs`.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use super::AppState;

/// The document, as served.
pub const DOCUMENT: &str = include_str!("openapi.json");

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi))
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_document_is_json_with_every_referenced_schema() {
        let doc: serde_json::Value = serde_json::from_str(super::DOCUMENT).expect("valid JSON");
        assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
        let text = super::DOCUMENT;
        // Every `$ref` points at something the document defines.
        for r in text.split("\"$ref\": \"#/").skip(1) {
            let pointer = format!("/{}", r.split('"').next().unwrap());
            assert!(doc.pointer(&pointer).is_some(), "dangling $ref {pointer}");
        }
    }
}
