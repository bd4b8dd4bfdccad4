//! Liveness, open to anyone, and metrics, open only to the configured addresses (loopback by
//! default): request counts and latencies by route tell an outsider what the company does.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::routes;

use crate::access::{Access, ApiRouter};
use crate::extract::ClientAddr;
use crate::problem::ApiError;
use crate::state::AppState;

/// Liveness: answers `ok` while the process serves requests.
#[utoipa::path(get, path = "/healthz", tag = "meta", responses((status = 200, description = "Serving", body = String)))]
async fn healthz() -> &'static str {
    "ok"
}

/// Prometheus metrics in text format, for callers from `metrics_allow` (loopback by default).
#[utoipa::path(get, path = "/metrics", tag = "meta", responses(
    (status = 200, description = "Prometheus text", body = String),
    (status = 403, description = "The caller's address may not read metrics", body = crate::problem::Problem),
))]
async fn metrics(State(state): State<AppState>, ClientAddr(peer): ClientAddr, headers: HeaderMap) -> Response {
    let Some(address) = caller_address(peer, &headers) else {
        return ApiError(kernel::Error::forbidden("http.metrics_address")).into_response();
    };
    if !state.settings.metrics_allow.iter().any(|net| net.contains(&address)) {
        return ApiError(kernel::Error::forbidden("http.metrics_address").with_param("address", address))
            .into_response();
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render()).into_response()
}

/// The address that decides: behind a proxy (an `X-Forwarded-For` header) the client the proxy
/// appended last, which the client cannot forge; otherwise the socket's peer.
fn caller_address(peer: Option<std::net::SocketAddr>, headers: &HeaderMap) -> Option<std::net::IpAddr> {
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    match forwarded.last() {
        Some(last) => last.parse().ok(),
        None => peer.map(|p| p.ip()),
    }
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Public, routes!(healthz)).routes(Access::Public, routes!(metrics))
}
