//! `/dashboard`: the officers' view of demand and gaps (advisers see a reduced view).

use axum::Router;

use crate::http::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
