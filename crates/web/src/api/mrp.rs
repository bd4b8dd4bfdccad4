//! MRP over the API: planning data and forecasts, the run, planned orders with their pegging,
//! bulk confirmation, and the capacity load per work center and day.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use production::mrp;
use production::permissions::{PLAN, READ};
use serde::Deserialize;
use utoipa_axum::routes;

use crate::access::{Access, ApiRouter};
use crate::extract::{ApiJson, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

/// Set a product's planning data (make or buy, lot sizing, lead time, make-to-order).
#[utoipa::path(post, path = "/api/v1/production/items", tag = "production", request_body = mrp::ItemInput,
    responses((status = 200, body = mrp::ItemSettings), (status = 422, body = Problem)))]
async fn set_item(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<mrp::ItemInput>,
) -> Result<Json<mrp::ItemSettings>, ApiError> {
    state.write(&caller, move |tx, ctx, _| mrp::set_item(tx, ctx, &input)).await.map(Json)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ItemQuery {
    /// Product code or id.
    product: String,
}

/// A product's planning data (the defaults when none was set).
#[utoipa::path(get, path = "/api/v1/production/items", tag = "production", params(ItemQuery),
    responses((status = 200, body = mrp::ItemSettings), (status = 422, body = Problem)))]
async fn get_item(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<ItemQuery>,
) -> Result<Json<mrp::ItemSettings>, ApiError> {
    state.read(&caller, move |tx, ctx| mrp::get_item(tx, ctx, &query.product)).await.map(Json)
}

/// Add a demand forecast.
#[utoipa::path(post, path = "/api/v1/production/forecasts", tag = "production", request_body = mrp::ForecastInput,
    responses((status = 201, body = mrp::Forecast), (status = 422, body = Problem)))]
async fn add_forecast(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<mrp::ForecastInput>,
) -> Result<(StatusCode, Json<mrp::Forecast>), ApiError> {
    let forecast = state.write(&caller, move |tx, ctx, _| mrp::add_forecast(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(forecast)))
}

/// Forecasts from today on.
#[utoipa::path(get, path = "/api/v1/production/forecasts", tag = "production",
    responses((status = 200, body = Vec<mrp::Forecast>)))]
async fn forecasts(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Vec<mrp::Forecast>>, ApiError> {
    state.read(&caller, mrp::list_forecasts).await.map(Json)
}

/// Run MRP (regenerative): the planned orders of the last run are replaced.
#[utoipa::path(post, path = "/api/v1/production/mrp/run", tag = "production",
    responses((status = 200, body = mrp::RunSummary), (status = 422, body = Problem)))]
async fn run(State(state): State<AppState>, Caller(caller): Caller) -> Result<Json<mrp::RunSummary>, ApiError> {
    let summary = state.write(&caller, move |tx, ctx, _| mrp::run_mrp(tx, ctx)).await?;
    // The earlier plan is no longer shown; its rows go in batches, each its own transaction,
    // so that other writers get their turn in between.
    let ctx = state.ctx(&caller);
    state
        .blocking(move |state| {
            while state.db.write(|tx| mrp::purge_stale(tx, &ctx, 20_000))? > 0 {}
            Ok(())
        })
        .await?;
    Ok(Json(summary))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PlannedQuery {
    /// planned, confirmed or ordered (all by default).
    state: Option<String>,
    /// make or buy (both by default).
    kind: Option<String>,
    /// At most this many (1,000 by default).
    limit: Option<i64>,
}

/// Planned orders by release date.
#[utoipa::path(get, path = "/api/v1/production/planned-orders", tag = "production", params(PlannedQuery),
    responses((status = 200, body = Vec<mrp::PlannedOrderView>)))]
async fn planned_orders(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<PlannedQuery>,
) -> Result<Json<Vec<mrp::PlannedOrderView>>, ApiError> {
    state
        .read(&caller, move |tx, ctx| {
            mrp::list_planned(tx, ctx, query.state.as_deref(), query.kind.as_deref(), query.limit)
        })
        .await
        .map(Json)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PeggingQuery {
    planned_order: String,
}

/// The demands a planned order covers (pegging).
#[utoipa::path(get, path = "/api/v1/production/pegging", tag = "production", params(PeggingQuery),
    responses((status = 200, body = Vec<production::mrp::run::PegLine>), (status = 404, body = Problem)))]
async fn pegging(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<PeggingQuery>,
) -> Result<Json<Vec<production::mrp::run::PegLine>>, ApiError> {
    state.read(&caller, move |tx, ctx| mrp::pegging_of(tx, ctx, &query.planned_order)).await.map(Json)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ids": []}))]
struct PlannedConfirmInput {
    /// The planned orders to confirm; all planned ones when empty.
    #[serde(default)]
    ids: Vec<String>,
}

/// Confirm planned orders in bulk: make orders become work orders, buy orders one purchase
/// requisition.
#[utoipa::path(post, path = "/api/v1/production/planned-orders/confirm", tag = "production", request_body = PlannedConfirmInput,
    responses((status = 200, body = mrp::Confirmed), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn confirm(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<PlannedConfirmInput>,
) -> Result<Json<mrp::Confirmed>, ApiError> {
    state.write(&caller, move |tx, ctx, _| mrp::confirm_planned(tx, ctx, &input.ids)).await.map(Json)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct CapacityQuery {
    /// First day (today by default).
    from: Option<String>,
    /// How many days (14 by default, at most 120).
    days: Option<i64>,
}

/// Capacity load per work center and day, overloads flagged.
#[utoipa::path(get, path = "/api/v1/production/capacity", tag = "production", params(CapacityQuery),
    responses((status = 200, body = Vec<mrp::CapacityDay>), (status = 422, body = Problem)))]
async fn capacity(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<CapacityQuery>,
) -> Result<Json<Vec<mrp::CapacityDay>>, ApiError> {
    state
        .read(&caller, move |tx, ctx| mrp::capacity_load(tx, ctx, query.from.as_deref(), query.days.unwrap_or(14)))
        .await
        .map(Json)
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Permission(PLAN), routes!(set_item))
        .routes(Access::Permission(READ), routes!(get_item))
        .routes(Access::Permission(PLAN), routes!(add_forecast))
        .routes(Access::Permission(READ), routes!(forecasts))
        .routes(Access::Permission(PLAN), routes!(run))
        .routes(Access::Permission(READ), routes!(planned_orders))
        .routes(Access::Permission(READ), routes!(pegging))
        .routes(Access::Permission(PLAN), routes!(confirm))
        .routes(Access::Permission(READ), routes!(capacity))
}
