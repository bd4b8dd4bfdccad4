//! Purchasing: requisitions, requests for quotation with their comparison table, purchase
//! orders with their state actions, returns to supplier, vendor bills with the three-way match
//! and its tolerances.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use inventory::Picking;
use purchasing::bill::BillRequest;
use purchasing::permissions::{
    BILL_READ, BILL_RELEASE, BILL_WRITE, ORDER_CANCEL, ORDER_CONFIRM, ORDER_READ, ORDER_WRITE, REQUISITION_APPROVE,
    REQUISITION_WRITE, RETURN, RFQ_WRITE, SETUP,
};
use purchasing::requisition::{self, Requisition, RequisitionId, RequisitionInput};
use purchasing::rfq::{self, AwardInput, QuoteInput, Rfq, RfqId, RfqInput};
use purchasing::{
    BILL_LIST, Bill, BillId, PURCHASE_LIST, PurchaseOrder, PurchaseOrderId, PurchaseOrderInput, SupplierReturnInput,
    Tolerances,
};
use serde::Deserialize;
use utoipa_axum::routes;

use super::listing::{list_query, page_json};
use crate::access::{Access, ApiRouter};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct OrderQuery {
    /// Searches number and supplier name.
    q: Option<String>,
    number: Option<String>,
    state: Option<String>,
    supplier_id: Option<String>,
    order_date: Option<String>,
    sort: Option<String>,
    desc: Option<bool>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// Purchase orders.
#[utoipa::path(get, path = "/api/v1/purchasing/orders", tag = "purchasing", params(OrderQuery), responses((status = 200, body = Object)))]
async fn list_orders(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<OrderQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let filters = [
        ("number", &query.number),
        ("state", &query.state),
        ("supplier_id", &query.supplier_id),
        ("order_date", &query.order_date),
    ];
    let list_query =
        list_query(query.q.clone(), &filters, query.sort.clone(), query.desc, query.cursor.clone(), query.limit);
    let page = state.read(&caller, move |tx, ctx| purchasing::list_orders(tx, ctx, &list_query)).await?;
    Ok(Json(page_json(&PURCHASE_LIST, page)))
}

/// Write a purchase order (prices from the supplier's price list unless given); `confirm`
/// confirms it at once.
#[utoipa::path(post, path = "/api/v1/purchasing/orders", tag = "purchasing", request_body = PurchaseOrderInput,
    responses((status = 201, body = PurchaseOrder), (status = 422, body = Problem)))]
async fn create_order(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<PurchaseOrderInput>,
) -> Result<(StatusCode, Json<PurchaseOrder>), ApiError> {
    let created = state
        .write_then_read(&caller, move |tx, ctx, _| purchasing::enter_order(tx, ctx, &input), purchasing::get_order)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One purchase order with received, returned and billed quantities and allowed actions.
#[utoipa::path(get, path = "/api/v1/purchasing/orders/{id}", tag = "purchasing", params(("id" = String, Path)),
    responses((status = 200, body = PurchaseOrder), (status = 404, body = Problem)))]
async fn get_order(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<PurchaseOrderId>,
) -> Result<Json<PurchaseOrder>, ApiError> {
    state.read(&caller, move |tx, ctx| purchasing::get_order(tx, ctx, id)).await.map(Json)
}

/// Confirm: the receipt is created and waits for the goods.
#[utoipa::path(post, path = "/api/v1/purchasing/orders/{id}/confirm", tag = "purchasing", params(("id" = String, Path)),
    responses((status = 200, body = PurchaseOrder), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn confirm(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<PurchaseOrderId>,
) -> Result<Json<PurchaseOrder>, ApiError> {
    state.write(&caller, move |tx, ctx, _| purchasing::confirm_order(tx, ctx, id)).await.map(Json)
}

/// Cancel a draft, or a confirmed order with nothing received or billed.
#[utoipa::path(post, path = "/api/v1/purchasing/orders/{id}/cancel", tag = "purchasing", params(("id" = String, Path)),
    responses((status = 200, body = PurchaseOrder), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn cancel(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<PurchaseOrderId>,
) -> Result<Json<PurchaseOrder>, ApiError> {
    state.write(&caller, move |tx, ctx, _| purchasing::cancel_order(tx, ctx, id)).await.map(Json)
}

/// The order's receipts and returns.
#[utoipa::path(get, path = "/api/v1/purchasing/orders/{id}/pickings", tag = "purchasing", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Picking>), (status = 404, body = Problem)))]
async fn order_pickings(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<PurchaseOrderId>,
) -> Result<Json<Vec<Picking>>, ApiError> {
    state.read(&caller, move |tx, ctx| purchasing::order::order_pickings(tx, ctx, id)).await.map(Json)
}

/// Send goods back to the supplier (a delivery to SUPPLIER, reserved at once).
#[utoipa::path(post, path = "/api/v1/purchasing/orders/{id}/returns", tag = "purchasing", params(("id" = String, Path)), request_body = SupplierReturnInput,
    responses((status = 201, body = Picking), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_return(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<PurchaseOrderId>,
    ApiJson(input): ApiJson<SupplierReturnInput>,
) -> Result<(StatusCode, Json<Picking>), ApiError> {
    let created = state.write(&caller, move |tx, ctx, _| purchasing::return_to_supplier(tx, ctx, id, &input)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Enter the supplier's bill against the order (three-way match against order and receipt);
/// a debit note when more went back than was billed.
#[utoipa::path(post, path = "/api/v1/purchasing/orders/{id}/bills", tag = "purchasing", params(("id" = String, Path)), request_body = BillRequest,
    responses((status = 201, body = Bill), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn bill_order(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<PurchaseOrderId>,
    ApiJson(input): ApiJson<BillRequest>,
) -> Result<(StatusCode, Json<Bill>), ApiError> {
    let created = state
        .write_then_read(&caller, move |tx, ctx, _| purchasing::draw_bill(tx, ctx, id, &input), purchasing::get_bill)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct BillQuery {
    q: Option<String>,
    number: Option<String>,
    kind: Option<String>,
    state: Option<String>,
    match_state: Option<String>,
    supplier_id: Option<String>,
    order_id: Option<String>,
    bill_date: Option<String>,
    due_date: Option<String>,
    sort: Option<String>,
    desc: Option<bool>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// Vendor bills and debit notes.
#[utoipa::path(get, path = "/api/v1/purchasing/bills", tag = "purchasing", params(BillQuery), responses((status = 200, body = Object)))]
async fn list_bills(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<BillQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let filters = [
        ("number", &query.number),
        ("kind", &query.kind),
        ("state", &query.state),
        ("match_state", &query.match_state),
        ("supplier_id", &query.supplier_id),
        ("order_id", &query.order_id),
        ("bill_date", &query.bill_date),
        ("due_date", &query.due_date),
    ];
    let list_query =
        list_query(query.q.clone(), &filters, query.sort.clone(), query.desc, query.cursor.clone(), query.limit);
    let page = state.read(&caller, move |tx, ctx| purchasing::list_bills(tx, ctx, &list_query)).await?;
    Ok(Json(page_json(&BILL_LIST, page)))
}

/// One bill with its lines and match result.
#[utoipa::path(get, path = "/api/v1/purchasing/bills/{id}", tag = "purchasing", params(("id" = String, Path)),
    responses((status = 200, body = Bill), (status = 404, body = Problem)))]
async fn get_bill(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<BillId>,
) -> Result<Json<Bill>, ApiError> {
    state.read(&caller, move |tx, ctx| purchasing::get_bill(tx, ctx, id)).await.map(Json)
}

/// Post a draft bill: numbered and booked (暂估 cleared, input VAT, payable).
#[utoipa::path(post, path = "/api/v1/purchasing/bills/{id}/post", tag = "purchasing", params(("id" = String, Path)),
    responses((status = 200, body = Bill), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn post_bill(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<BillId>,
) -> Result<Json<Bill>, ApiError> {
    state.write(&caller, move |tx, ctx, _| purchasing::post_bill(tx, ctx, id)).await.map(Json)
}

/// Release a bill blocked by the three-way match for payment.
#[utoipa::path(post, path = "/api/v1/purchasing/bills/{id}/release", tag = "purchasing", params(("id" = String, Path)),
    responses((status = 200, body = Bill), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn release_bill(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<BillId>,
) -> Result<Json<Bill>, ApiError> {
    state.write(&caller, move |tx, ctx, _| purchasing::release_bill(tx, ctx, id)).await.map(Json)
}

/// Cancel a draft bill.
#[utoipa::path(post, path = "/api/v1/purchasing/bills/{id}/cancel", tag = "purchasing", params(("id" = String, Path)),
    responses((status = 200, body = Bill), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn cancel_bill(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<BillId>,
) -> Result<Json<Bill>, ApiError> {
    state.write(&caller, move |tx, ctx, _| purchasing::bill::cancel_bill(tx, ctx, id)).await.map(Json)
}

/// The three-way match tolerances.
#[utoipa::path(put, path = "/api/v1/purchasing/tolerances", tag = "purchasing", request_body = Tolerances,
    responses((status = 200, body = Tolerances), (status = 422, body = Problem)))]
async fn set_tolerances(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<Tolerances>,
) -> Result<Json<Tolerances>, ApiError> {
    state.write(&caller, move |tx, ctx, _| purchasing::bill::set_tolerances(tx, ctx, &input)).await.map(Json)
}

/// Ask for goods (a requisition, draft).
#[utoipa::path(post, path = "/api/v1/purchasing/requisitions", tag = "purchasing", request_body = RequisitionInput,
    responses((status = 201, body = Requisition), (status = 422, body = Problem)))]
async fn create_requisition(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<RequisitionInput>,
) -> Result<(StatusCode, Json<Requisition>), ApiError> {
    let created = state.write(&caller, move |tx, ctx, _| requisition::create_requisition(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// A requisition for everything the reorder rules say to order now.
#[utoipa::path(post, path = "/api/v1/purchasing/requisitions/from-replenishment", tag = "purchasing",
    responses((status = 201, body = Requisition), (status = 409, body = Problem)))]
async fn requisition_from_replenishment(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<(StatusCode, Json<Requisition>), ApiError> {
    let created = state.write(&caller, move |tx, ctx, _| requisition::requisition_from_replenishment(tx, ctx)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One requisition.
#[utoipa::path(get, path = "/api/v1/purchasing/requisitions/{id}", tag = "purchasing", params(("id" = String, Path)),
    responses((status = 200, body = Requisition), (status = 404, body = Problem)))]
async fn get_requisition(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<RequisitionId>,
) -> Result<Json<Requisition>, ApiError> {
    state.read(&caller, move |tx, ctx| requisition::get_requisition(tx, ctx, id)).await.map(Json)
}

/// Approve a draft requisition.
#[utoipa::path(post, path = "/api/v1/purchasing/requisitions/{id}/approve", tag = "purchasing", params(("id" = String, Path)),
    responses((status = 200, body = Requisition), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn approve_requisition(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<RequisitionId>,
) -> Result<Json<Requisition>, ApiError> {
    state.write(&caller, move |tx, ctx, _| requisition::approve_requisition(tx, ctx, id)).await.map(Json)
}

/// Turn an approved requisition into draft purchase orders, one per supplier.
#[utoipa::path(post, path = "/api/v1/purchasing/requisitions/{id}/order", tag = "purchasing", params(("id" = String, Path)),
    responses((status = 201, body = Vec<PurchaseOrder>), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn order_requisition(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<RequisitionId>,
) -> Result<(StatusCode, Json<Vec<PurchaseOrder>>), ApiError> {
    let created = state.write(&caller, move |tx, ctx, _| requisition::order_requisition(tx, ctx, id)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Ask several suppliers for prices.
#[utoipa::path(post, path = "/api/v1/purchasing/rfqs", tag = "purchasing", request_body = RfqInput,
    responses((status = 201, body = Rfq), (status = 422, body = Problem)))]
async fn create_rfq(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<RfqInput>,
) -> Result<(StatusCode, Json<Rfq>), ApiError> {
    let created = state.write(&caller, move |tx, ctx, _| rfq::create_rfq(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The comparison table: every supplier's quote per line, the best marked, totals per supplier.
#[utoipa::path(get, path = "/api/v1/purchasing/rfqs/{id}", tag = "purchasing", params(("id" = String, Path)),
    responses((status = 200, body = Rfq), (status = 404, body = Problem)))]
async fn get_rfq(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<RfqId>,
) -> Result<Json<Rfq>, ApiError> {
    state.read(&caller, move |tx, ctx| rfq::get_rfq(tx, ctx, id)).await.map(Json)
}

/// Record what a supplier quoted.
#[utoipa::path(post, path = "/api/v1/purchasing/rfqs/{id}/quotes", tag = "purchasing", params(("id" = String, Path)), request_body = QuoteInput,
    responses((status = 200, body = Rfq), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn record_quote(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<RfqId>,
    ApiJson(input): ApiJson<QuoteInput>,
) -> Result<Json<Rfq>, ApiError> {
    state.write(&caller, move |tx, ctx, _| rfq::record_quote(tx, ctx, id, &input)).await.map(Json)
}

/// Award: purchase orders at the quoted prices (best per line unless chosen).
#[utoipa::path(post, path = "/api/v1/purchasing/rfqs/{id}/award", tag = "purchasing", params(("id" = String, Path)), request_body = AwardInput,
    responses((status = 201, body = Vec<PurchaseOrder>), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn award(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<RfqId>,
    ApiJson(input): ApiJson<AwardInput>,
) -> Result<(StatusCode, Json<Vec<PurchaseOrder>>), ApiError> {
    let created = state.write(&caller, move |tx, ctx, _| rfq::award(tx, ctx, id, &input)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The purchase order as PDF, to send to the supplier.
#[utoipa::path(get, path = "/api/v1/purchasing/orders/{id}/pdf", tag = "purchasing", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = Problem)))]
async fn order_pdf(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<PurchaseOrderId>,
) -> Result<axum::response::Response, ApiError> {
    let (file, bytes) = state.read(&caller, move |tx, ctx| crate::printing::purchase_order_pdf(tx, ctx, id)).await?;
    Ok(crate::download::attachment(bytes, crate::download::PDF, &file))
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Permission(ORDER_READ), routes!(list_orders))
        .routes(Access::Permission(ORDER_WRITE), routes!(create_order))
        .routes(Access::Permission(ORDER_READ), routes!(get_order))
        .routes(Access::Permission(ORDER_CONFIRM), routes!(confirm))
        .routes(Access::Permission(ORDER_CANCEL), routes!(cancel))
        .routes(Access::Permission(ORDER_READ), routes!(order_pickings))
        .routes(Access::Permission(RETURN), routes!(create_return))
        .routes(Access::Permission(BILL_WRITE), routes!(bill_order))
        .routes(Access::Permission(BILL_READ), routes!(list_bills))
        .routes(Access::Permission(BILL_READ), routes!(get_bill))
        .routes(Access::Permission(BILL_WRITE), routes!(post_bill))
        .routes(Access::Permission(BILL_RELEASE), routes!(release_bill))
        .routes(Access::Permission(BILL_WRITE), routes!(cancel_bill))
        .routes(Access::Permission(SETUP), routes!(set_tolerances))
        .routes(Access::Permission(REQUISITION_WRITE), routes!(create_requisition))
        .routes(Access::Permission(REQUISITION_WRITE), routes!(requisition_from_replenishment))
        .routes(Access::Permission(ORDER_READ), routes!(get_requisition))
        .routes(Access::Permission(REQUISITION_APPROVE), routes!(approve_requisition))
        .routes(Access::Permission(ORDER_WRITE), routes!(order_requisition))
        .routes(Access::Permission(RFQ_WRITE), routes!(create_rfq))
        .routes(Access::Permission(RFQ_WRITE), routes!(get_rfq))
        .routes(Access::Permission(RFQ_WRITE), routes!(record_quote))
        .routes(Access::Permission(RFQ_WRITE), routes!(award))
        .routes(Access::Permission(ORDER_READ), routes!(order_pdf))
}
