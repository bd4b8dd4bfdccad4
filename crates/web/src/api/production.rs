//! Production: BOMs with explosion, where-used and cost roll-up; work centers and routings.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use production::permissions::{ENGINEER, READ, WORK};
use serde::Deserialize;
use utoipa_axum::routes;

use crate::access::{Access, ApiRouter};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
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

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct WorkOrderQuery {
    /// draft, confirmed, in_progress, done, closed or cancelled.
    state: Option<String>,
}

/// Work orders, latest first (the latest 200).
#[utoipa::path(get, path = "/api/v1/production/work-orders", tag = "production", params(WorkOrderQuery),
    responses((status = 200, body = Vec<production::work_order::WorkOrder>)))]
async fn work_orders(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<WorkOrderQuery>,
) -> Result<Json<Vec<production::work_order::WorkOrder>>, ApiError> {
    state
        .read(&caller, move |tx, ctx| production::work_order::list_work_orders(tx, ctx, query.state.as_deref()))
        .await
        .map(Json)
}

/// Make a work order: the BOM valid today becomes its materials, the routing its operations.
#[utoipa::path(post, path = "/api/v1/production/work-orders", tag = "production",
    request_body = production::work_order::WorkOrderInput,
    responses((status = 201, body = production::work_order::WorkOrder), (status = 422, body = Problem)))]
async fn create_work_order(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<production::work_order::WorkOrderInput>,
) -> Result<(StatusCode, Json<production::work_order::WorkOrder>), ApiError> {
    let order =
        state.write(&caller, move |tx, ctx, _| production::work_order::create_work_order(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(order)))
}

#[utoipa::path(get, path = "/api/v1/production/work-orders/{id}", tag = "production", params(("id" = String, Path)),
    responses((status = 200, body = production::work_order::WorkOrder), (status = 404, body = Problem)))]
async fn get_work_order(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<production::work_order::WorkOrderId>,
) -> Result<Json<production::work_order::WorkOrder>, ApiError> {
    state.read(&caller, move |tx, ctx| production::work_order::get_work_order(tx, ctx, id)).await.map(Json)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"action": "confirm"}))]
struct WorkOrderAction {
    /// confirm, finish, close or cancel.
    action: String,
}

/// A state change: confirm, finish, close or cancel.
#[utoipa::path(post, path = "/api/v1/production/work-orders/{id}/act", tag = "production", params(("id" = String, Path)),
    request_body = WorkOrderAction,
    responses((status = 200, body = production::work_order::WorkOrder), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn act_work_order(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<production::work_order::WorkOrderId>,
    ApiJson(input): ApiJson<WorkOrderAction>,
) -> Result<Json<production::work_order::WorkOrder>, ApiError> {
    state.write(&caller, move |tx, ctx, _| production::work_order::act(tx, ctx, id, &input.action)).await.map(Json)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"date": "2099-12-01"}))]
struct IssueInput {
    date: Option<String>,
}

/// Issue the materials not yet issued from stock to production (领料).
#[utoipa::path(post, path = "/api/v1/production/work-orders/{id}/issue", tag = "production", params(("id" = String, Path)),
    request_body = IssueInput,
    responses((status = 200, body = production::work_order::WorkOrder), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn issue(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<production::work_order::WorkOrderId>,
    ApiJson(input): ApiJson<IssueInput>,
) -> Result<Json<production::work_order::WorkOrder>, ApiError> {
    state
        .write(&caller, move |tx, ctx, _| production::work_order::issue_materials(tx, ctx, id, input.date.as_deref()))
        .await
        .map(Json)
}

/// Job reporting (报工) on an operation.
#[utoipa::path(post, path = "/api/v1/production/work-orders/{id}/report", tag = "production", params(("id" = String, Path)),
    request_body = production::work_order::JobReport,
    responses((status = 200, body = production::work_order::WorkOrder), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn report_job(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<production::work_order::WorkOrderId>,
    ApiJson(input): ApiJson<production::work_order::JobReport>,
) -> Result<Json<production::work_order::WorkOrder>, ApiError> {
    state.write(&caller, move |tx, ctx, _| production::work_order::report_job(tx, ctx, id, &input)).await.map(Json)
}

/// Receive finished goods (完工入库), up to what the last operation passed; a product tracked by
/// serial number unit by unit, under the serials given or numbered from the order.
#[utoipa::path(post, path = "/api/v1/production/work-orders/{id}/receive", tag = "production", params(("id" = String, Path)),
    request_body = production::work_order::FinishedGoods,
    responses((status = 200, body = production::work_order::WorkOrder), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn receive(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<production::work_order::WorkOrderId>,
    ApiJson(input): ApiJson<production::work_order::FinishedGoods>,
) -> Result<Json<production::work_order::WorkOrder>, ApiError> {
    state.write(&caller, move |tx, ctx, _| production::work_order::receive(tx, ctx, id, &input)).await.map(Json)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct LotQuery {
    /// The lot (batch) code.
    lot: String,
    /// backward (what went into it, from which supplier) or forward (what was made of it, and
    /// which customers received it: the recall list).
    direction: String,
}

/// Lot traceability, backward to suppliers or forward to customers.
#[utoipa::path(get, path = "/api/v1/production/trace", tag = "production", params(LotQuery),
    responses((status = 200, body = Vec<production::trace::TraceLine>), (status = 422, body = Problem)))]
async fn trace(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<LotQuery>,
) -> Result<Json<Vec<production::trace::TraceLine>>, ApiError> {
    state
        .read(&caller, move |tx, ctx| match query.direction.as_str() {
            "forward" => production::trace::forward(tx, ctx, &query.lot),
            "backward" => production::trace::backward(tx, ctx, &query.lot),
            _ => Err(kernel::Error::field("direction", "production.direction_invalid")),
        })
        .await
        .map(Json)
}

/// Inspection plans with their characteristics and limits.
#[utoipa::path(get, path = "/api/v1/production/inspection-plans", tag = "production",
    responses((status = 200, body = Vec<production::quality::Plan>)))]
async fn inspection_plans(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Vec<production::quality::Plan>>, ApiError> {
    state.read(&caller, production::quality::list_plans).await.map(Json)
}

/// Add an inspection plan (IQC, first-article, patrol, FQC, OQC) for a product.
#[utoipa::path(post, path = "/api/v1/production/inspection-plans", tag = "production",
    request_body = production::quality::PlanInput,
    responses((status = 201, body = production::quality::Plan), (status = 422, body = Problem)))]
async fn create_inspection_plan(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<production::quality::PlanInput>,
) -> Result<(StatusCode, Json<production::quality::Plan>), ApiError> {
    let plan = state.write(&caller, move |tx, ctx, _| production::quality::create_plan(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(plan)))
}

/// Record an inspection; a failure opens a nonconformance.
#[utoipa::path(post, path = "/api/v1/production/inspections", tag = "production",
    request_body = production::quality::InspectionInput,
    responses((status = 201, body = production::quality::Inspection), (status = 422, body = Problem)))]
async fn record_inspection(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<production::quality::InspectionInput>,
) -> Result<(StatusCode, Json<production::quality::Inspection>), ApiError> {
    let inspection =
        state.write(&caller, move |tx, ctx, _| production::quality::record_inspection(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(inspection)))
}

/// Nonconformances, latest first.
#[utoipa::path(get, path = "/api/v1/production/nonconformances", tag = "production",
    responses((status = 200, body = Vec<production::quality::Nonconformance>)))]
async fn nonconformances(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Vec<production::quality::Nonconformance>>, ApiError> {
    state.read(&caller, production::quality::list_nonconformances).await.map(Json)
}

/// Dispose of a nonconformance: rework, scrap or concession.
#[utoipa::path(post, path = "/api/v1/production/nonconformances/{id}/dispose", tag = "production",
    params(("id" = String, Path)), request_body = production::quality::DispositionInput,
    responses((status = 200, body = production::quality::Nonconformance), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn dispose(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<production::quality::DispositionInput>,
) -> Result<Json<production::quality::Nonconformance>, ApiError> {
    state.write(&caller, move |tx, ctx, _| production::quality::dispose(tx, ctx, &id, &input)).await.map(Json)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct TotalsQuery {
    /// Product code or id (all products by default).
    product: Option<String>,
}

/// Work orders per year: how many, quantities ordered, received and scrapped.
#[utoipa::path(get, path = "/api/v1/production/work-order-totals", tag = "production", params(TotalsQuery),
    responses((status = 200, body = Vec<production::work_order_history::WorkOrderTotals>), (status = 422, body = Problem)))]
async fn work_order_totals(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<TotalsQuery>,
) -> Result<Json<Vec<production::work_order_history::WorkOrderTotals>>, ApiError> {
    state
        .read(&caller, move |tx, ctx| production::work_order_history::totals(tx, ctx, query.product.as_deref()))
        .await
        .map(Json)
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
        .routes(Access::Permission(READ), routes!(work_orders))
        .routes(Access::Permission(READ), routes!(work_order_totals))
        .routes(Access::Permission(WORK), routes!(create_work_order))
        .routes(Access::Permission(READ), routes!(get_work_order))
        .routes(Access::Permission(WORK), routes!(act_work_order))
        .routes(Access::Permission(WORK), routes!(issue))
        .routes(Access::Permission(WORK), routes!(report_job))
        .routes(Access::Permission(WORK), routes!(receive))
        .routes(Access::Permission(READ), routes!(trace))
        .routes(Access::Permission(READ), routes!(inspection_plans))
        .routes(Access::Permission(WORK), routes!(create_inspection_plan))
        .routes(Access::Permission(WORK), routes!(record_inspection))
        .routes(Access::Permission(READ), routes!(nonconformances))
        .routes(Access::Permission(WORK), routes!(dispose))
}
