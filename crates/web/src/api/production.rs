//! Production: BOMs with explosion, where-used and cost roll-up; work centers and routings.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use production::permissions::{ENGINEER, READ};
use serde::Deserialize;
use utoipa_axum::routes;

use crate::access::{Access, ApiRouter};
use crate::extract::{ApiJson, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

/// Write a BOM version of a product.
#[utoipa::path(post, path = "/api/v1/production/boms", tag = "production", request_body = production::BomInput,
    responses((status = 201, body = production::Bom), (status = 422, body = Problem)))]
async fn create_bom(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<production::BomInput>,
) -> Result<(StatusCode, Json<production::Bom>), ApiError> {
    let bom = state.write(&caller, move |tx, ctx, _| production::create_bom(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(bom)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ProductQuery {
    /// Product code or id.
    product: String,
    /// For explosion and costing: how many (1, or the BOM's lot size for costing, by default).
    quantity: Option<String>,
    /// The day whose BOM versions apply (today by default).
    date: Option<String>,
}

/// A product's BOM versions, newest first.
#[utoipa::path(get, path = "/api/v1/production/boms", tag = "production", params(ProductQuery),
    responses((status = 200, body = Vec<production::Bom>), (status = 422, body = Problem)))]
async fn boms(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<ProductQuery>,
) -> Result<Json<Vec<production::Bom>>, ApiError> {
    state.read(&caller, move |tx, ctx| production::bom::boms_of(tx, ctx, &query.product)).await.map(Json)
}

/// The multi-level explosion of a product's BOM for a quantity: the tree, the materials summed,
/// and the by-products.
#[utoipa::path(get, path = "/api/v1/production/explode", tag = "production", params(ProductQuery),
    responses((status = 200, body = production::Explosion), (status = 422, body = Problem)))]
async fn explode(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<ProductQuery>,
) -> Result<Json<production::Explosion>, ApiError> {
    state
        .read(&caller, move |tx, ctx| {
            production::explode(
                tx,
                ctx,
                &query.product,
                query.quantity.as_deref().unwrap_or("1"),
                query.date.as_deref(),
            )
        })
        .await
        .map(Json)
}

/// Where-used: the assemblies that contain a component, at any depth.
#[utoipa::path(get, path = "/api/v1/production/where-used", tag = "production", params(ProductQuery),
    responses((status = 200, body = Vec<production::explode::Usage>), (status = 422, body = Problem)))]
async fn where_used(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<ProductQuery>,
) -> Result<Json<Vec<production::explode::Usage>>, ApiError> {
    state.read(&caller, move |tx, ctx| production::where_used(tx, ctx, &query.product)).await.map(Json)
}

/// The cost roll-up of a lot: materials, labour, machine and overhead.
#[utoipa::path(get, path = "/api/v1/production/cost", tag = "production", params(ProductQuery),
    responses((status = 200, body = production::costing::CostRollup), (status = 422, body = Problem)))]
async fn cost(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<ProductQuery>,
) -> Result<Json<production::costing::CostRollup>, ApiError> {
    state
        .read(&caller, move |tx, ctx| {
            production::costing::roll_up(tx, ctx, &query.product, query.quantity.as_deref(), query.date.as_deref())
        })
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/api/v1/production/work-centers", tag = "production",
    responses((status = 200, body = Vec<production::routing::WorkCenter>)))]
async fn work_centers(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Vec<production::routing::WorkCenter>>, ApiError> {
    state.read(&caller, production::routing::list_work_centers).await.map(Json)
}

/// Add a work center, or change the one with that code.
#[utoipa::path(post, path = "/api/v1/production/work-centers", tag = "production",
    request_body = production::routing::WorkCenterInput,
    responses((status = 201, body = production::routing::WorkCenter), (status = 422, body = Problem)))]
async fn save_work_center(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<production::routing::WorkCenterInput>,
) -> Result<(StatusCode, Json<production::routing::WorkCenter>), ApiError> {
    let center = state.write(&caller, move |tx, ctx, _| production::routing::save_work_center(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(center)))
}

/// Save a product's routing (the same code replaces its operations).
#[utoipa::path(post, path = "/api/v1/production/routings", tag = "production", request_body = production::routing::RoutingInput,
    responses((status = 201, body = production::routing::Routing), (status = 422, body = Problem)))]
async fn save_routing(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<production::routing::RoutingInput>,
) -> Result<(StatusCode, Json<production::routing::Routing>), ApiError> {
    let routing = state.write(&caller, move |tx, ctx, _| production::routing::save_routing(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(routing)))
}

/// A product's routing with its operations.
#[utoipa::path(get, path = "/api/v1/production/routings", tag = "production", params(ProductQuery),
    responses((status = 200, body = production::routing::Routing), (status = 404, body = Problem)))]
async fn routing(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<ProductQuery>,
) -> Result<Json<production::routing::Routing>, ApiError> {
    state.read(&caller, move |tx, ctx| production::routing::get_routing(tx, ctx, &query.product)).await.map(Json)
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Permission(ENGINEER), routes!(create_bom))
        .routes(Access::Permission(READ), routes!(boms))
        .routes(Access::Permission(READ), routes!(explode))
        .routes(Access::Permission(READ), routes!(where_used))
        .routes(Access::Permission(READ), routes!(cost))
        .routes(Access::Permission(READ), routes!(work_centers))
        .routes(Access::Permission(ENGINEER), routes!(save_work_center))
        .routes(Access::Permission(ENGINEER), routes!(save_routing))
        .routes(Access::Permission(READ), routes!(routing))
}
