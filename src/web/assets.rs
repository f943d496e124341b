//! The stylesheet, script and images, compiled into the binary and served with a long cache
//! lifetime: their URLs carry a version (a hash of all assets), and an ETag answers revalidation.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::http::AppState;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: [Asset; 4] = [
    Asset {
        name: "wegwijzer.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("assets/wegwijzer.css"),
    },
    Asset {
        name: "wegwijzer.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("assets/wegwijzer.js"),
    },
    Asset {
        name: "logo.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("assets/logo.svg"),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("assets/favicon.svg"),
    },
];

pub fn router() -> Router<AppState> {
    Router::new().route("/static/{name}", get(serve))
}

fn etag(body: &[u8]) -> String {
    let h = Sha256::digest(body);
    format!("\"{}\"", hex(&h[..8]))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A short hash of every asset, appended to their URLs so a new release is fetched at once.
pub fn version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        let mut h = Sha256::new();
        for a in &ASSETS {
            h.update(a.body);
        }
        hex(&h.finalize()[..6])
    })
}

async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == name) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let tag = etag(asset.body);
    let cache = HeaderValue::from_static("public, max-age=31536000, immutable");
    let etag_value = HeaderValue::from_str(&tag).expect("hex is a valid header");
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag))
    {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag_value), (header::CACHE_CONTROL, cache)],
        )
            .into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::ETAG, etag_value),
            (header::CACHE_CONTROL, cache),
        ],
        asset.body,
    )
        .into_response()
}
