//! The web client: server-rendered pages in Chinese and English over the same services as
//! the API. Reusable views (list, form, kanban board, dashboard charts) are implemented once
//! here and configured by each page. Every asset is served by the binary; pages work as plain
//! forms, and a small script adds drag and drop, shortcuts and bulk selection.

mod assets;
mod chart;
mod form;
mod guard;
mod layout;
mod list;
mod messages;
mod pages;
mod quantities;
mod report;

use axum::Router;
use axum::routing::get;

pub use layout::CSP;
pub use messages::{
    CRM_MESSAGES, INVENTORY_MESSAGES, MESSAGES, PARTY_MESSAGES, PRODUCTION_MESSAGES, PURCHASING_MESSAGES,
    SALES_MESSAGES,
};

use crate::state::AppState;

/// Every page and the assets.
pub fn router(state: &AppState) -> Router<AppState> {
    pages::mount(state).route("/assets/{name}", get(assets::serve))
}
