//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/openapi.json`
//! and browsable at `/api/docs` (Swagger UI, served from the binary; no internet needed).
//!
//! Each file mounts one resource; every route declares its `Access` (see `access`).

mod announcements;
mod approvals;
mod audit;
mod auth;
mod calendar;
mod companies;
mod crm;
mod inventory;
mod ledger;
mod listing;
mod lookup;
mod meta;
mod mrp;
pub mod opening;
mod outbox;
pub mod parties;
mod production;
mod products;
mod purchasing;
mod roles;
mod sales;
mod shop_floor;
mod users;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use utoipa::Modify;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};

use crate::access::{ApiRouter, SESSION_COOKIE};
use crate::problem::{FieldProblem, Problem};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tiangong 天工 API",
        description = "ERP + MES + CRM. Authenticate with `POST /api/v1/auth/token`, then send `Authorization: Bearer <token>`. \
Errors are `application/problem+json` with a stable `code`. Lists use cursor pagination (`limit`, `cursor` → `next_cursor`). \
Every POST honours `Idempotency-Key`; updates carry the `version` read (a stale one gives 409). \
Each operation's `x-permission` names the permission it requires.",
        version = "1"
    ),
    modifiers(&SecuritySchemes),
    components(schemas(Problem, FieldProblem))
)]
struct BaseDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        components
            .add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(SESSION_COOKIE))));
    }
}

/// Every API route, each behind its access guard, and the OpenAPI document describing them.
pub fn router(state: &AppState) -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let api = ApiRouter::new(state.clone(), BaseDoc::openapi());
    let api = meta::mount(api);
    let api = auth::mount(api);
    let api = companies::mount(api);
    let api = users::mount(api);
    let api = roles::mount(api);
    let api = audit::mount(api);
    let api = outbox::mount(api);
    let api = parties::mount(api);
    let api = products::mount(api);
    let api = inventory::mount(api);
    let api = ledger::mount(api);
    let api = opening::mount(api);
    let api = sales::mount(api);
    let api = purchasing::mount(api);
    let api = crm::mount(api);
    let api = production::mount(api);
    let api = mrp::mount(api);
    let api = shop_floor::mount(api);
    let api = lookup::mount(api);
    let api = approvals::mount(api);
    let api = announcements::mount(api);
    let api = calendar::mount(api);
    api.split()
}

/// The client's address, for login throttling and the audit of logins.
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip().to_string())
            .unwrap_or_else(|| "unknown".to_string());
        Ok(ClientAddress(address))
    }
}
