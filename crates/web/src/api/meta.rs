//! Liveness and metrics, open to anyone (put them behind the proxy's own rules if needed).

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use utoipa_axum::routes;

use crate::access::{Access, ApiRouter};
use crate::state::AppState;

/// Liveness: answers `ok` while the process serves requests.
#[utoipa::path(get, path = "/healthz", tag = "meta", responses((status = 200, description = "Serving", body = String)))]
async fn healthz() -> &'static str {
    "ok"
}

/// Prometheus metrics in text format.
#[utoipa::path(get, path = "/metrics", tag = "meta", responses((status = 200, description = "Prometheus text", body = String)))]
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render())
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Public, routes!(healthz)).routes(Access::Public, routes!(metrics))
}
