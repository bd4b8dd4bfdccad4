//! The outbox viewer: messages waiting, delivered or dead, and retrying the dead.

use axum::Json;
use axum::extract::State;
use kernel::identity::permissions::{OUTBOX_MANAGE, OUTBOX_READ};
use kernel::outbox::{self, OutboxFilter, OutboxId, OutboxMessage};
use kernel::page::{Page, PageRequest};
use utoipa_axum::routes;

use crate::access::{Access, ApiRouter};
use crate::extract::{ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

/// Outbox messages of the current company, newest first.
#[utoipa::path(get, path = "/api/v1/outbox", tag = "outbox", params(OutboxFilter, PageRequest),
    responses((status = 200, body = Page<OutboxMessage>)))]
async fn list_outbox(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(filter): ApiQuery<OutboxFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<OutboxMessage>>, ApiError> {
    state
        .read(&caller, move |tx, ctx| {
            ctx.require(OUTBOX_READ)?;
            outbox::list(tx, ctx, &filter, &page)
        })
        .await
        .map(Json)
}

/// One outbox message.
#[utoipa::path(get, path = "/api/v1/outbox/{id}", tag = "outbox", params(("id" = String, Path)),
    responses((status = 200, body = OutboxMessage), (status = 404, body = Problem)))]
async fn get_outbox(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<OutboxId>,
) -> Result<Json<OutboxMessage>, ApiError> {
    state
        .read(&caller, move |tx, ctx| {
            ctx.require(OUTBOX_READ)?;
            outbox::get(tx, ctx, id)
        })
        .await
        .map(Json)
}

/// Put a failed or dead message back in the queue.
#[utoipa::path(post, path = "/api/v1/outbox/{id}/retry", tag = "outbox", params(("id" = String, Path)),
    responses((status = 200, body = OutboxMessage), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn retry_outbox(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<OutboxId>,
) -> Result<Json<OutboxMessage>, ApiError> {
    state.write(&caller, move |tx, ctx, _| outbox::retry(tx, ctx, id)).await.map(Json)
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Permission(OUTBOX_READ), routes!(list_outbox))
        .routes(Access::Permission(OUTBOX_READ), routes!(get_outbox))
        .routes(Access::Permission(OUTBOX_MANAGE), routes!(retry_outbox))
}
