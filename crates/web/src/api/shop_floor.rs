//! The shop floor over the API, for tablets and big screens that speak JSON: start and pause an
//! operation, the open operations of running work orders, and the workshop board (output,
//! yield, OEE).

use axum::Json;
use axum::extract::State;
use production::permissions::{READ, WORK};
use serde::Deserialize;
use utoipa_axum::routes;

use crate::access::{Access, ApiRouter};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

/// The worker named in the body, or the caller.
fn worker_of(input: &production::shop_floor::RunInput, caller: &kernel::identity::Principal) -> String {
    input
        .worker
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| caller.display_name.clone())
}

/// Start (开工) an operation of a running work order.
#[utoipa::path(post, path = "/api/v1/production/operations/{id}/start", tag = "production",
    params(("id" = String, Path, description = "The work order operation's id")),
    request_body = production::shop_floor::RunInput,
    responses((status = 200, body = production::shop_floor::Run), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn start(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<production::shop_floor::RunInput>,
) -> Result<Json<production::shop_floor::Run>, ApiError> {
    let worker = worker_of(&input, &caller);
    state
        .write(&caller, move |tx, ctx, _| production::shop_floor::start_operation(tx, ctx, &id, &worker))
        .await
        .map(Json)
}

/// Pause (暂停) the worker's run of an operation; its minutes count into the next job report.
#[utoipa::path(post, path = "/api/v1/production/operations/{id}/pause", tag = "production",
    params(("id" = String, Path, description = "The work order operation's id")),
    request_body = production::shop_floor::RunInput,
    responses((status = 200, body = production::shop_floor::Run), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn pause(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<production::shop_floor::RunInput>,
) -> Result<Json<production::shop_floor::Run>, ApiError> {
    let worker = worker_of(&input, &caller);
    state
        .write(&caller, move |tx, ctx, _| production::shop_floor::pause_operation(tx, ctx, &id, &worker))
        .await
        .map(Json)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct OpenQuery {
    /// Whose runs to show on each operation (the caller by default).
    worker: Option<String>,
}

/// The open operations of confirmed and in-progress work orders, earliest due first, with what
/// is left to do and the worker's runs on each.
#[utoipa::path(get, path = "/api/v1/production/operations", tag = "production", params(OpenQuery),
    responses((status = 200, body = Vec<production::shop_floor::OpenOperation>)))]
async fn open_operations(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<OpenQuery>,
) -> Result<Json<Vec<production::shop_floor::OpenOperation>>, ApiError> {
    let worker = query.worker.filter(|w| !w.trim().is_empty()).unwrap_or_else(|| caller.display_name.clone());
    state.read(&caller, move |tx, ctx| production::shop_floor::open_operations(tx, ctx, Some(&worker))).await.map(Json)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct BoardQuery {
    /// The workshop's code (every workshop when empty).
    workshop: Option<String>,
    /// The day (today by default).
    date: Option<String>,
}

/// The workshop board (车间大屏): per work center, the day's good and scrapped units, yield,
/// availability, performance, quality and OEE.
#[utoipa::path(get, path = "/api/v1/production/board", tag = "production", params(BoardQuery),
    responses((status = 200, body = production::board::Board), (status = 422, body = Problem)))]
async fn board(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<BoardQuery>,
) -> Result<Json<production::board::Board>, ApiError> {
    state
        .read(&caller, move |tx, ctx| {
            production::board::board(tx, ctx, query.workshop.as_deref(), query.date.as_deref())
        })
        .await
        .map(Json)
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Permission(WORK), routes!(start))
        .routes(Access::Permission(WORK), routes!(pause))
        .routes(Access::Permission(READ), routes!(open_operations))
        .routes(Access::Permission(READ), routes!(board))
}
