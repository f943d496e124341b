//! `GET /api/openapi.json`: the public API described for clients and fuzzers. Generated from the
//! request and response types (`utoipa`'s `ToSchema`) and the handlers' `#[utoipa::path]`
//! annotations, so a field cannot drift from what is served; `tests/openapi.rs` checks the routes
//! against the real router and real responses against these schemas.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use super::AppState;
use super::error::ErrorBody;
use super::{ask, feedback, health, offers};

/// The document's source: the paths and the schemas they use (the rest are found from those).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Wegwijzer public API",
        version = "0.1.0",
        description = "First-line help for entrepreneurs in Drenthe: search the knowledge base of business-support offers, ask the assistant, and say whether an answer helped. Every error is `{\"error\":{\"code\",\"message\"}}` with a 4xx or 5xx status. Request bodies are JSON (`Content-Type: application/json`) of at most 16 KiB. `/api/ask` and `/api/feedback` share one budget of requests per client; over it they answer 429 with `Retry-After`. Routes for advisers and officers (gaps, insights, exports) need a login or bearer token and are not described here.",
        license(name = "EUPL-1.2"),
    ),
    servers((url = "/")),
    paths(
        ask::ask_question,
        feedback::give_feedback,
        offers::search_offers,
        offers::list_offers,
        offers::get_offer,
        openapi,
        health::healthz,
        health::readyz,
    ),
    components(schemas(ErrorBody))
)]
struct ApiDoc;

/// The document, as served.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi))
}

/// This document
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "openapi",
    responses(
        (status = 200, description = "The OpenAPI document", body = Object, content_type = "application/json"),
        (status = 405, description = "The route does not take this method (see `Allow`)", body = ErrorBody),
    )
)]
async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_document_is_openapi_3_1_with_every_referenced_schema() {
        let doc = serde_json::to_value(super::document()).expect("serialises");
        assert!(
            doc["openapi"]
                .as_str()
                .is_some_and(|v| v.starts_with("3.1"))
        );
        let text = doc.to_string();
        // Every `$ref` points at something the document defines.
        for r in text.split("\"$ref\":\"#/").skip(1) {
            let pointer = format!("/{}", r.split('"').next().unwrap());
            assert!(doc.pointer(&pointer).is_some(), "dangling $ref {pointer}");
        }
    }
}
