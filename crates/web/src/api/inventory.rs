//! Inventory: warehouses and locations, stock documents and their actions, counts, reorder
//! rules and replenishment, and the stock reports (JSON, or XLSX with `format=xlsx`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use inventory::count::CountInput;
use inventory::permissions::{SETUP, STOCK_COUNT, STOCK_MOVE, STOCK_READ, VALUATION_READ};
use inventory::reorder::{ReorderRuleInput, Suggestion};
use inventory::report::{LotAge, StockLedger, StockRow, SummaryRow, TraceRow};
use inventory::{
    Location, LocationInput, PICKING_LIST, Picking, PickingId, PickingInput, ValidateInput, Validated, Warehouse,
    WarehouseInput,
};
use serde::{Deserialize, Serialize};
use utoipa_axum::routes;

use super::listing::{list_query, page_json};
use crate::access::{Access, ApiRouter};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

/// Warehouses with their stock location.
#[utoipa::path(get, path = "/api/v1/warehouses", tag = "inventory", responses((status = 200, body = Vec<Warehouse>)))]
async fn list_warehouses(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Vec<Warehouse>>, ApiError> {
    state.read(&caller, inventory::list_warehouses).await.map(Json)
}

/// Create a warehouse (with its view and stock locations).
#[utoipa::path(post, path = "/api/v1/warehouses", tag = "inventory", request_body = WarehouseInput,
    responses((status = 201, body = Warehouse), (status = 422, body = Problem)))]
async fn create_warehouse(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<WarehouseInput>,
) -> Result<(StatusCode, Json<Warehouse>), ApiError> {
    let created = state.write(&caller, move |tx, ctx, _| inventory::create_warehouse(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Every location, in tree order.
#[utoipa::path(get, path = "/api/v1/locations", tag = "inventory", responses((status = 200, body = Vec<Location>)))]
async fn list_locations(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Vec<Location>>, ApiError> {
    state.read(&caller, inventory::list_locations).await.map(Json)
}

/// Add a zone or bin under a location of a warehouse.
#[utoipa::path(post, path = "/api/v1/locations", tag = "inventory", request_body = LocationInput,
    responses((status = 201, body = Location), (status = 422, body = Problem)))]
async fn create_location(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<LocationInput>,
) -> Result<(StatusCode, Json<Location>), ApiError> {
    let created = state.write(&caller, move |tx, ctx, _| inventory::create_location(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PickingQuery {
    /// Searches number and origin.
    q: Option<String>,
    number: Option<String>,
    kind: Option<String>,
    state: Option<String>,
    origin: Option<String>,
    sort: Option<String>,
    desc: Option<bool>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// Stock documents, with filters and cursor pages.
#[utoipa::path(get, path = "/api/v1/pickings", tag = "inventory", params(PickingQuery), responses((status = 200, body = Object)))]
async fn list_pickings(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<PickingQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let filters =
        [("number", &query.number), ("kind", &query.kind), ("state", &query.state), ("origin", &query.origin)];
    let list_query =
        list_query(query.q.clone(), &filters, query.sort.clone(), query.desc, query.cursor.clone(), query.limit);
    let page = state.read(&caller, move |tx, ctx| inventory::list_pickings(tx, ctx, &list_query)).await?;
    Ok(Json(page_json(&PICKING_LIST, page)))
}

/// Create a stock document (draft; `confirm` reserves at once, `strict` refuses unless all of
/// it can be reserved: `inventory.insufficient_stock`, nothing written).
#[utoipa::path(post, path = "/api/v1/pickings", tag = "inventory", request_body = PickingInput,
    responses((status = 201, body = Picking), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_picking(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<PickingInput>,
) -> Result<(StatusCode, Json<Picking>), ApiError> {
    let created = state.write(&caller, move |tx, ctx, _| inventory::create_picking(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One stock document with its moves and lines.
#[utoipa::path(get, path = "/api/v1/pickings/{id}", tag = "inventory", params(("id" = String, Path)),
    responses((status = 200, body = Picking), (status = 404, body = Problem)))]
async fn get_picking(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<PickingId>,
) -> Result<Json<Picking>, ApiError> {
    state.read(&caller, move |tx, ctx| inventory::get_picking(tx, ctx, id)).await.map(Json)
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"strict": false}))]
struct ReserveInput {
    #[serde(default)]
    strict: bool,
}

/// Confirm a draft: it waits for stock, or is ready when everything could be reserved.
#[utoipa::path(post, path = "/api/v1/pickings/{id}/confirm", tag = "inventory", params(("id" = String, Path)), request_body = ReserveInput,
    responses((status = 200, body = Picking), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn confirm(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<PickingId>,
    ApiJson(input): ApiJson<ReserveInput>,
) -> Result<Json<Picking>, ApiError> {
    state.write(&caller, move |tx, ctx, _| inventory::confirm(tx, ctx, id, input.strict)).await.map(Json)
}

/// Check availability again and reserve what has come in.
#[utoipa::path(post, path = "/api/v1/pickings/{id}/reserve", tag = "inventory", params(("id" = String, Path)), request_body = ReserveInput,
    responses((status = 200, body = Picking), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn reserve(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<PickingId>,
    ApiJson(input): ApiJson<ReserveInput>,
) -> Result<Json<Picking>, ApiError> {
    state.write(&caller, move |tx, ctx, _| inventory::reserve(tx, ctx, id, input.strict)).await.map(Json)
}

/// Give back the document's reservations.
#[utoipa::path(post, path = "/api/v1/pickings/{id}/unreserve", tag = "inventory", params(("id" = String, Path)),
    responses((status = 200, body = Picking), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn unreserve(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<PickingId>,
) -> Result<Json<Picking>, ApiError> {
    state.write(&caller, move |tx, ctx, _| inventory::unreserve(tx, ctx, id)).await.map(Json)
}

/// Do the document (all of it, or the quantities given; the rest goes to a backorder).
#[utoipa::path(post, path = "/api/v1/pickings/{id}/validate", tag = "inventory", params(("id" = String, Path)), request_body = ValidateInput,
    responses((status = 200, body = Validated), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn validate(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<PickingId>,
    ApiJson(input): ApiJson<ValidateInput>,
) -> Result<Json<Validated>, ApiError> {
    state
        .write_then_read(
            &caller,
            move |tx, ctx, _| inventory::validate_only(tx, ctx, id, &input),
            inventory::validated_view,
        )
        .await
        .map(Json)
}

/// Cancel a document that is not done (its reservations are given back).
#[utoipa::path(post, path = "/api/v1/pickings/{id}/cancel", tag = "inventory", params(("id" = String, Path)),
    responses((status = 200, body = Picking), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn cancel(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<PickingId>,
) -> Result<Json<Picking>, ApiError> {
    state.write(&caller, move |tx, ctx, _| inventory::cancel(tx, ctx, id)).await.map(Json)
}

/// Record a stock count (validate it like any document to post the differences).
#[utoipa::path(post, path = "/api/v1/stock-counts", tag = "inventory", request_body = CountInput,
    responses((status = 201, body = Picking), (status = 422, body = Problem)))]
async fn create_count(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<CountInput>,
) -> Result<(StatusCode, Json<Picking>), ApiError> {
    let created = state.write(&caller, move |tx, ctx, _| inventory::create_count(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Set the reorder rule of a product at a location.
#[utoipa::path(put, path = "/api/v1/reorder-rules", tag = "inventory", request_body = ReorderRuleInput,
    responses((status = 204), (status = 422, body = Problem)))]
async fn set_reorder_rule(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<ReorderRuleInput>,
) -> Result<StatusCode, ApiError> {
    state.write(&caller, move |tx, ctx, _| inventory::reorder::set_rule(tx, ctx, &input)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What to order now: rules whose forecast fell below their minimum.
#[utoipa::path(get, path = "/api/v1/replenishment", tag = "inventory", responses((status = 200, body = Vec<Suggestion>)))]
async fn replenishment(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<Vec<Suggestion>>, ApiError> {
    state.read(&caller, inventory::reorder::suggestions).await.map(Json)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ReportQuery {
    /// Product id or code.
    product: Option<String>,
    /// Location path (its subtree).
    location: Option<String>,
    lot: Option<String>,
    /// A day (YYYY-MM-DD); today by default.
    date: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// `json` (default) or `xlsx`.
    format: Option<String>,
}

/// Rows as JSON, or as an XLSX file with the field names as headers.
fn answer<T: Serialize>(rows: Vec<T>, format: Option<&str>, name: &str) -> Result<Response, ApiError> {
    if format != Some("xlsx") {
        return Ok(Json(rows).into_response());
    }
    let values: Vec<serde_json::Value> = rows.iter().map(|r| serde_json::to_value(r).unwrap_or_default()).collect();
    let header: Vec<String> =
        values.first().and_then(|v| v.as_object()).map(|o| o.keys().cloned().collect()).unwrap_or_default();
    let cells: Vec<Vec<String>> = values
        .iter()
        .map(|v| {
            header
                .iter()
                .map(|k| match &v[k] {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let bytes = kernel::import::table_bytes(&header, &cells, "xlsx")?;
    Ok(crate::download::attachment(bytes, crate::download::XLSX, &format!("{name}.xlsx")))
}

fn today(state: &AppState) -> String {
    kernel::clock::format_date(kernel::clock::china_date(state.clock.now()))
}

/// Stock on hand at the end of a day, by product, location and lot.
#[utoipa::path(get, path = "/api/v1/stock/on-hand", tag = "inventory", params(ReportQuery),
    responses((status = 200, body = Vec<StockRow>), (status = 422, body = Problem)))]
async fn on_hand(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let date = query.date.clone().unwrap_or_else(|| today(&state));
    let (product, location) = (query.product.clone(), query.location.clone());
    let rows = state
        .read(&caller, move |tx, ctx| {
            inventory::report::on_hand_at(tx, ctx, product.as_deref(), location.as_deref(), &date)
        })
        .await?;
    answer(rows, query.format.as_deref(), "stock-on-hand")
}

/// The stock ledger of a product: every move in or out of stock with running quantity and value.
#[utoipa::path(get, path = "/api/v1/stock/ledger", tag = "inventory", params(ReportQuery),
    responses((status = 200, body = StockLedger), (status = 422, body = Problem)))]
async fn ledger(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let product = query.product.clone().unwrap_or_default();
    let from = query.from.clone().unwrap_or_else(|| "2000-01-01".into());
    let to = query.to.clone().unwrap_or_else(|| today(&state));
    let ledger =
        state.read(&caller, move |tx, ctx| inventory::report::stock_ledger(tx, ctx, &product, &from, &to)).await?;
    if query.format.as_deref() == Some("xlsx") {
        return answer(ledger.entries, Some("xlsx"), "stock-ledger");
    }
    Ok(Json(ledger).into_response())
}

/// 进销存汇总表: opening, in, out, closing and turnover per product for a period.
#[utoipa::path(get, path = "/api/v1/stock/summary", tag = "inventory", params(ReportQuery),
    responses((status = 200, body = Vec<SummaryRow>), (status = 422, body = Problem)))]
async fn summary(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let to = query.to.clone().unwrap_or_else(|| today(&state));
    let from = query.from.clone().unwrap_or_else(|| format!("{}-01", &to[..7.min(to.len())]));
    let rows = state.read(&caller, move |tx, ctx| inventory::report::movement_summary(tx, ctx, &from, &to)).await?;
    answer(rows, query.format.as_deref(), "stock-summary")
}

/// Lots in stock by expiry, with their age.
#[utoipa::path(get, path = "/api/v1/stock/lots", tag = "inventory", params(ReportQuery),
    responses((status = 200, body = Vec<LotAge>), (status = 422, body = Problem)))]
async fn lots(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let date = query.date.clone().unwrap_or_else(|| today(&state));
    let rows = state.read(&caller, move |tx, ctx| inventory::report::lot_aging(tx, ctx, &date)).await?;
    answer(rows, query.format.as_deref(), "lot-aging")
}

/// Every done move of a lot or serial: from its receipt to each customer who received it.
#[utoipa::path(get, path = "/api/v1/stock/trace", tag = "inventory", params(ReportQuery),
    responses((status = 200, body = Vec<TraceRow>), (status = 404, body = Problem)))]
async fn trace(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Json<Vec<TraceRow>>, ApiError> {
    let (product, lot) = (query.product.clone().unwrap_or_default(), query.lot.clone().unwrap_or_default());
    state.read(&caller, move |tx, ctx| inventory::report::trace_lot(tx, ctx, &product, &lot)).await.map(Json)
}

/// The stock document as PDF (a delivery note for deliveries).
#[utoipa::path(get, path = "/api/v1/pickings/{id}/pdf", tag = "inventory", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = Problem)))]
async fn picking_pdf(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<PickingId>,
) -> Result<axum::response::Response, ApiError> {
    let (file, bytes) = state.read(&caller, move |tx, ctx| crate::printing::picking_pdf(tx, ctx, id)).await?;
    Ok(crate::download::attachment(bytes, crate::download::PDF, &file))
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Permission(STOCK_READ), routes!(list_warehouses))
        .routes(Access::Permission(SETUP), routes!(create_warehouse))
        .routes(Access::Permission(STOCK_READ), routes!(list_locations))
        .routes(Access::Permission(SETUP), routes!(create_location))
        .routes(Access::Permission(STOCK_READ), routes!(list_pickings))
        .routes(Access::Permission(STOCK_MOVE), routes!(create_picking))
        .routes(Access::Permission(STOCK_READ), routes!(get_picking))
        .routes(Access::Permission(STOCK_MOVE), routes!(confirm))
        .routes(Access::Permission(STOCK_MOVE), routes!(reserve))
        .routes(Access::Permission(STOCK_MOVE), routes!(unreserve))
        .routes(Access::Any(&[STOCK_MOVE, STOCK_COUNT]), routes!(validate))
        .routes(Access::Permission(STOCK_MOVE), routes!(cancel))
        .routes(Access::Permission(STOCK_COUNT), routes!(create_count))
        .routes(Access::Permission(SETUP), routes!(set_reorder_rule))
        .routes(Access::Permission(STOCK_READ), routes!(replenishment))
        .routes(Access::Permission(STOCK_READ), routes!(on_hand))
        .routes(Access::Permission(VALUATION_READ), routes!(ledger))
        .routes(Access::Permission(VALUATION_READ), routes!(summary))
        .routes(Access::Permission(STOCK_READ), routes!(lots))
        .routes(Access::Permission(STOCK_READ), routes!(trace))
        .routes(Access::Permission(STOCK_READ), routes!(picking_pdf))
}
