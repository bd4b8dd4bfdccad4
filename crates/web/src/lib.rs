//! Tiangong's HTTP face (layer 5): the JSON API under `/api/v1` with its OpenAPI document,
//! and (with the web client issue) the server-rendered UI. Handlers are thin: they parse,
//! call a service on a blocking thread, and shape the answer.

pub mod access;
mod api;
mod download;
pub mod extract;
pub mod metrics;
pub mod printing;
pub mod problem;
pub mod state;
pub mod transfer;
pub mod ui;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::middleware::from_fn_with_state;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa_swagger_ui::SwaggerUi;

pub use state::{AppState, WebSettings};

/// The web layer's own messages (HTTP-level errors).
pub const MESSAGES: &[kernel::i18n::Message] = problem::MESSAGES;

/// The web client's own tables (list preferences, saved filters), applied last.
pub const MIGRATIONS: kernel::db::ModuleMigrations = kernel::db::ModuleMigrations {
    module: "web",
    migrations: &[kernel::migration!(20261126020000, "web"), kernel::migration!(20261207000200, "first_steps")],
};

/// The whole application as one router, ready to serve.
pub fn app(state: AppState) -> Router {
    let (api, openapi) = api::router(&state);
    let docs: Router<AppState> = SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi).into();
    Router::new()
        .merge(api)
        .merge(docs)
        .merge(ui::router(&state))
        .layer(from_fn_with_state(state.clone(), metrics::record))
        .layer(DefaultBodyLimit::max(state.settings.max_body_bytes))
        .layer(from_fn_with_state(state.clone(), problem::render_problems))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(CompressionLayer::new())
        .with_state(state)
}
