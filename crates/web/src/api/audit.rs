//! The audit log of the current company, newest first, with filters.

use axum::Json;
use axum::extract::State;
use kernel::audit::{self, AuditEntry, AuditFilter};
use kernel::identity::permissions::AUDIT_READ;
use kernel::page::{Page, PageRequest};
use utoipa_axum::routes;

use crate::access::{Access, ApiRouter};
use crate::extract::{ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

/// Audit entries, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditFilter, PageRequest),
    responses((status = 200, body = Page<AuditEntry>)))]
async fn list_audit(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(filter): ApiQuery<AuditFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<AuditEntry>>, ApiError> {
    state
        .read(&caller, move |tx, ctx| {
            ctx.require(AUDIT_READ)?;
            audit::list(tx, ctx, &filter, &page)
        })
        .await
        .map(Json)
}

/// One audit entry.
#[utoipa::path(get, path = "/api/v1/audit/{id}", tag = "audit", params(("id" = String, Path)),
    responses((status = 200, body = AuditEntry), (status = 404, body = Problem)))]
async fn get_audit(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<AuditEntry>, ApiError> {
    state
        .read(&caller, move |tx, ctx| {
            ctx.require(AUDIT_READ)?;
            audit::get(tx, ctx, &id)
        })
        .await
        .map(Json)
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Permission(AUDIT_READ), routes!(list_audit))
        .routes(Access::Permission(AUDIT_READ), routes!(get_audit))
}
