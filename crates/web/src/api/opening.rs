//! 系统初始化 over the API: the first period, opening balances, open items and opening stock
//! while they are entered, the checks, and ending or reopening initialisation.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use inventory::opening::{OpeningStockInput, OpeningStockLine};
use kernel::db::Tx;
use kernel::i18n::Catalog;
use kernel::{Ctx, Result};
use ledger::opening::{Opening, OpeningBalance, OpeningBalanceInput, OpeningItem, OpeningItemInput};
use ledger::permissions::{POST, READ, REOPEN};
use serde::Deserialize;
use utoipa_axum::routes;

use crate::access::{Access, ApiRouter};
use crate::extract::{ApiJson, ApiPath, Caller};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

/// Where initialisation stands, the opening stock's value checked against the stock accounts
/// and every problem in the caller's language.
pub fn opening_status(tx: &mut Tx<'_>, ctx: &Ctx, catalog: &Catalog) -> Result<Opening> {
    let stock = inventory::opening::opening_stock_value(tx, ctx)?;
    let ended = ledger::opening::is_ended(tx, ctx)?;
    // Once ended the stock is in the books and the invariants speak for it.
    let mut status = ledger::opening::status(tx, ctx, (!ended).then_some(stock))?;
    for problem in &mut status.problems {
        problem.message = catalog.text(ctx.locale(), problem.code, &problem.params);
    }
    Ok(status)
}

/// Where initialisation stands and what keeps it from ending.
#[utoipa::path(get, path = "/api/v1/opening", tag = "ledger", responses((status = 200, body = Opening)))]
async fn get_opening(State(state): State<AppState>, Caller(caller): Caller) -> Result<Json<Opening>, ApiError> {
    let catalog = state.catalog.clone();
    state.write(&caller, move |tx, ctx, _| opening_status(tx, ctx, &catalog)).await.map(Json)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"start_period": "2026-07"}))]
struct StartInput {
    /// YYYY-MM: the first month the books run in.
    start_period: String,
}

/// Set the first month the books run in (while the openings are entered).
#[utoipa::path(put, path = "/api/v1/opening/start", tag = "ledger", request_body = StartInput,
    responses((status = 200, body = Opening), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn set_start(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<StartInput>,
) -> Result<Json<Opening>, ApiError> {
    let catalog = state.catalog.clone();
    state
        .write(&caller, move |tx, ctx, _| {
            ledger::opening::set_start_period(tx, ctx, &input.start_period)?;
            opening_status(tx, ctx, &catalog)
        })
        .await
        .map(Json)
}

/// The opening balances entered, by account and dimension.
#[utoipa::path(get, path = "/api/v1/opening/balances", tag = "ledger", responses((status = 200, body = Vec<OpeningBalance>)))]
async fn list_balances(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Vec<OpeningBalance>>, ApiError> {
    state.read(&caller, ledger::opening::list_balances).await.map(Json)
}

/// Enter (or replace) an account's opening balance and year-to-date turnover; all zero removes it.
#[utoipa::path(post, path = "/api/v1/opening/balances", tag = "ledger", request_body = OpeningBalanceInput,
    responses((status = 200, body = Option<OpeningBalance>), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn set_balance(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<OpeningBalanceInput>,
) -> Result<Json<Option<OpeningBalance>>, ApiError> {
    state.write(&caller, move |tx, ctx, _| ledger::opening::set_balance(tx, ctx, &input)).await.map(Json)
}

#[utoipa::path(delete, path = "/api/v1/opening/balances/{id}", tag = "ledger", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_balance(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state.write(&caller, move |tx, ctx, _| ledger::opening::delete_balance(tx, ctx, &id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The unpaid invoices and bills entered.
#[utoipa::path(get, path = "/api/v1/opening/items", tag = "ledger", responses((status = 200, body = Vec<OpeningItem>)))]
async fn list_items(State(state): State<AppState>, Caller(caller): Caller) -> Result<Json<Vec<OpeningItem>>, ApiError> {
    state.read(&caller, ledger::opening::list_items).await.map(Json)
}

/// Enter (or replace, by side, partner and number) an unpaid invoice or bill.
#[utoipa::path(post, path = "/api/v1/opening/items", tag = "ledger", request_body = OpeningItemInput,
    responses((status = 201, body = OpeningItem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn set_item(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<OpeningItemInput>,
) -> Result<(StatusCode, Json<OpeningItem>), ApiError> {
    let item = state.write(&caller, move |tx, ctx, _| ledger::opening::set_item(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(item)))
}

#[utoipa::path(delete, path = "/api/v1/opening/items/{id}", tag = "ledger", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_item(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state.write(&caller, move |tx, ctx, _| ledger::opening::delete_item(tx, ctx, &id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The opening stock entered.
#[utoipa::path(get, path = "/api/v1/opening/stock", tag = "inventory", responses((status = 200, body = Vec<OpeningStockLine>)))]
async fn list_stock(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Vec<OpeningStockLine>>, ApiError> {
    state.read(&caller, inventory::opening::list_opening_stock).await.map(Json)
}

/// Enter (or replace, by product, location and lot) a line of opening stock.
#[utoipa::path(post, path = "/api/v1/opening/stock", tag = "inventory", request_body = OpeningStockInput,
    responses((status = 201, body = OpeningStockLine), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn set_stock(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<OpeningStockInput>,
) -> Result<(StatusCode, Json<OpeningStockLine>), ApiError> {
    let line = state.write(&caller, move |tx, ctx, _| inventory::opening::set_opening_stock(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(line)))
}

#[utoipa::path(delete, path = "/api/v1/opening/stock/{id}", tag = "inventory", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_stock(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state.write(&caller, move |tx, ctx, _| inventory::opening::delete_opening_stock(tx, ctx, &id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// End initialisation: post the opening vouchers, place the opening stock, lock the openings.
#[utoipa::path(post, path = "/api/v1/opening/end", tag = "ledger",
    responses((status = 200, body = Opening), (status = 409, body = Problem)))]
async fn end(State(state): State<AppState>, Caller(caller): Caller) -> Result<Json<Opening>, ApiError> {
    let catalog = state.catalog.clone();
    state
        .write(&caller, move |tx, ctx, _| {
            ledger::opening::end_initialisation(tx, ctx)?;
            opening_status(tx, ctx, &catalog)
        })
        .await
        .map(Json)
}

/// Reopen initialisation (反初始化) until the first period is closed.
#[utoipa::path(post, path = "/api/v1/opening/reopen", tag = "ledger",
    responses((status = 200, body = Opening), (status = 409, body = Problem)))]
async fn reopen(State(state): State<AppState>, Caller(caller): Caller) -> Result<Json<Opening>, ApiError> {
    let catalog = state.catalog.clone();
    state
        .write(&caller, move |tx, ctx, _| {
            ledger::opening::reopen_initialisation(tx, ctx)?;
            opening_status(tx, ctx, &catalog)
        })
        .await
        .map(Json)
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Permission(READ), routes!(get_opening))
        .routes(Access::Permission(POST), routes!(set_start))
        .routes(Access::Permission(READ), routes!(list_balances))
        .routes(Access::Permission(POST), routes!(set_balance))
        .routes(Access::Permission(POST), routes!(delete_balance))
        .routes(Access::Permission(READ), routes!(list_items))
        .routes(Access::Permission(POST), routes!(set_item))
        .routes(Access::Permission(POST), routes!(delete_item))
        .routes(Access::Permission(inventory::permissions::STOCK_READ), routes!(list_stock))
        .routes(Access::Permission(inventory::permissions::STOCK_COUNT), routes!(set_stock))
        .routes(Access::Permission(inventory::permissions::STOCK_COUNT), routes!(delete_stock))
        .routes(Access::Permission(POST), routes!(end))
        .routes(Access::Permission(REOPEN), routes!(reopen))
}
