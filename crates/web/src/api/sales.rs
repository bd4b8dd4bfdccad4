//! Sales: quotations and orders with their state actions, returns, invoices and credit notes
//! with their e-invoice fields, and receipts and payments registered against them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use inventory::Picking;
use ledger::{Payment, PaymentInput};
use sales::permissions::{INVOICE_READ, INVOICE_WRITE, ORDER_CANCEL, ORDER_CONFIRM, ORDER_READ, ORDER_WRITE, RETURN};
use sales::{
    EInvoiceInput, INVOICE_LIST, Invoice, InvoiceId, InvoiceRequest, ORDER_LIST, OrderId, OrderInput, ReturnInput,
    SalesOrder,
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
    /// Searches number and customer name.
    q: Option<String>,
    number: Option<String>,
    state: Option<String>,
    customer_id: Option<String>,
    /// `2026-01-01..2026-12-31`
    order_date: Option<String>,
    sort: Option<String>,
    desc: Option<bool>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// Quotations and sales orders (a salesperson under the default role sees own ones).
#[utoipa::path(get, path = "/api/v1/sales/orders", tag = "sales", params(OrderQuery), responses((status = 200, body = Object)))]
async fn list_orders(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<OrderQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let filters = [
        ("number", &query.number),
        ("state", &query.state),
        ("customer_id", &query.customer_id),
        ("order_date", &query.order_date),
    ];
    let list_query =
        list_query(query.q.clone(), &filters, query.sort.clone(), query.desc, query.cursor.clone(), query.limit);
    let page = state.read(&caller, move |tx, ctx| sales::list_orders(tx, ctx, &list_query)).await?;
    Ok(Json(page_json(&ORDER_LIST, page)))
}

/// Write a quotation; prices come from the customer's price list unless given; `confirm`
/// confirms it at once.
#[utoipa::path(post, path = "/api/v1/sales/orders", tag = "sales", request_body = OrderInput,
    responses((status = 201, body = SalesOrder), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_order(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<OrderInput>,
) -> Result<(StatusCode, Json<SalesOrder>), ApiError> {
    let created =
        state.write_then_read(&caller, move |tx, ctx, _| sales::enter_order(tx, ctx, &input), sales::get_order).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One order with its lines, delivered, returned and invoiced quantities and allowed actions.
#[utoipa::path(get, path = "/api/v1/sales/orders/{id}", tag = "sales", params(("id" = String, Path)),
    responses((status = 200, body = SalesOrder), (status = 404, body = Problem)))]
async fn get_order(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<OrderId>,
) -> Result<Json<SalesOrder>, ApiError> {
    state.read(&caller, move |tx, ctx| sales::get_order(tx, ctx, id)).await.map(Json)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct VersionQuery {
    /// The version the edit was made on (optimistic locking); without it the edit applies to
    /// whatever is current.
    version: Option<i64>,
}

/// Rewrite a quotation (draft or sent).
#[utoipa::path(put, path = "/api/v1/sales/orders/{id}", tag = "sales", params(("id" = String, Path), VersionQuery), request_body = OrderInput,
    responses((status = 200, body = SalesOrder), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_order(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<OrderId>,
    ApiQuery(version): ApiQuery<VersionQuery>,
    ApiJson(input): ApiJson<OrderInput>,
) -> Result<Json<SalesOrder>, ApiError> {
    state.write(&caller, move |tx, ctx, _| sales::update_order(tx, ctx, id, version.version, &input)).await.map(Json)
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "buyer@example.com", "message": ""}))]
struct SendInput {
    /// Mail the quotation as PDF to this address; without it, only mark it sent.
    to: Option<String>,
    /// The mail's text; a standard one by default.
    #[serde(default)]
    message: String,
}

/// Send a quotation: marked sent and, with `to`, mailed as PDF (through the outbox).
#[utoipa::path(post, path = "/api/v1/sales/orders/{id}/send", tag = "sales", params(("id" = String, Path)), request_body = SendInput,
    responses((status = 200, body = SalesOrder), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn send(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<OrderId>,
    ApiJson(input): ApiJson<SendInput>,
) -> Result<Json<SalesOrder>, ApiError> {
    state
        .write(&caller, move |tx, ctx, _| match input.to.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(to) => crate::printing::mail_quotation(tx, ctx, id, to, &input.message),
            None => sales::send_quotation(tx, ctx, id),
        })
        .await
        .map(Json)
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"override_credit": false}))]
struct ConfirmInput {
    /// Confirm over the customer's credit limit (needs `sales.credit.override`).
    #[serde(default)]
    override_credit: bool,
}

/// Confirm: checks the credit limit, reserves stock and creates the delivery
/// (`sales.credit_limit_exceeded` 409 when over the limit).
#[utoipa::path(post, path = "/api/v1/sales/orders/{id}/confirm", tag = "sales", params(("id" = String, Path)), request_body = ConfirmInput,
    responses((status = 200, body = SalesOrder), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn confirm(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<OrderId>,
    ApiJson(input): ApiJson<ConfirmInput>,
) -> Result<Json<SalesOrder>, ApiError> {
    state.write(&caller, move |tx, ctx, _| sales::confirm_order(tx, ctx, id, input.override_credit)).await.map(Json)
}

/// Cancel: a quotation, or an order with nothing delivered or invoiced (its reservations are
/// released).
#[utoipa::path(post, path = "/api/v1/sales/orders/{id}/cancel", tag = "sales", params(("id" = String, Path)),
    responses((status = 200, body = SalesOrder), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn cancel(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<OrderId>,
) -> Result<Json<SalesOrder>, ApiError> {
    state.write(&caller, move |tx, ctx, _| sales::cancel_order(tx, ctx, id)).await.map(Json)
}

/// The order's deliveries and returns.
#[utoipa::path(get, path = "/api/v1/sales/orders/{id}/pickings", tag = "sales", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Picking>), (status = 404, body = Problem)))]
async fn order_pickings(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<OrderId>,
) -> Result<Json<Vec<Picking>>, ApiError> {
    state.read(&caller, move |tx, ctx| sales::order::order_pickings(tx, ctx, id)).await.map(Json)
}

/// Take goods back (RMA): a return receipt from the customer into stock; when it is done, the
/// quantities are due for a credit note.
#[utoipa::path(post, path = "/api/v1/sales/orders/{id}/returns", tag = "sales", params(("id" = String, Path)), request_body = ReturnInput,
    responses((status = 201, body = Picking), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_return(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<OrderId>,
    ApiJson(input): ApiJson<ReturnInput>,
) -> Result<(StatusCode, Json<Picking>), ApiError> {
    let created = state.write(&caller, move |tx, ctx, _| sales::create_return(tx, ctx, id, &input)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Invoice the order (delivered or ordered quantities, net of returns and earlier invoices); a
/// credit note when more came back than was invoiced.
#[utoipa::path(post, path = "/api/v1/sales/orders/{id}/invoices", tag = "sales", params(("id" = String, Path)), request_body = InvoiceRequest,
    responses((status = 201, body = Invoice), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn invoice_order(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<OrderId>,
    ApiJson(input): ApiJson<InvoiceRequest>,
) -> Result<(StatusCode, Json<Invoice>), ApiError> {
    let created = state
        .write_then_read(&caller, move |tx, ctx, _| sales::draw_invoice(tx, ctx, id, &input), sales::get_invoice)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct InvoiceQuery {
    q: Option<String>,
    number: Option<String>,
    kind: Option<String>,
    state: Option<String>,
    customer_id: Option<String>,
    order_id: Option<String>,
    invoice_date: Option<String>,
    due_date: Option<String>,
    sort: Option<String>,
    desc: Option<bool>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// Invoices and credit notes.
#[utoipa::path(get, path = "/api/v1/sales/invoices", tag = "sales", params(InvoiceQuery), responses((status = 200, body = Object)))]
async fn list_invoices(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<InvoiceQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let filters = [
        ("number", &query.number),
        ("kind", &query.kind),
        ("state", &query.state),
        ("customer_id", &query.customer_id),
        ("order_id", &query.order_id),
        ("invoice_date", &query.invoice_date),
        ("due_date", &query.due_date),
    ];
    let list_query =
        list_query(query.q.clone(), &filters, query.sort.clone(), query.desc, query.cursor.clone(), query.limit);
    let page = state.read(&caller, move |tx, ctx| sales::list_invoices(tx, ctx, &list_query)).await?;
    Ok(Json(page_json(&INVOICE_LIST, page)))
}

/// One invoice with its lines and e-invoice fields.
#[utoipa::path(get, path = "/api/v1/sales/invoices/{id}", tag = "sales", params(("id" = String, Path)),
    responses((status = 200, body = Invoice), (status = 404, body = Problem)))]
async fn get_invoice(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<InvoiceId>,
) -> Result<Json<Invoice>, ApiError> {
    state.read(&caller, move |tx, ctx| sales::get_invoice(tx, ctx, id)).await.map(Json)
}

/// Post a draft invoice: numbered, booked (receivable, revenue, output VAT).
#[utoipa::path(post, path = "/api/v1/sales/invoices/{id}/post", tag = "sales", params(("id" = String, Path)),
    responses((status = 200, body = Invoice), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn post_invoice(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<InvoiceId>,
) -> Result<Json<Invoice>, ApiError> {
    state.write(&caller, move |tx, ctx, _| sales::post_invoice(tx, ctx, id)).await.map(Json)
}

/// Cancel a draft invoice.
#[utoipa::path(post, path = "/api/v1/sales/invoices/{id}/cancel", tag = "sales", params(("id" = String, Path)),
    responses((status = 200, body = Invoice), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn cancel_invoice(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<InvoiceId>,
) -> Result<Json<Invoice>, ApiError> {
    state.write(&caller, move |tx, ctx, _| sales::cancel_invoice(tx, ctx, id)).await.map(Json)
}

/// Set the 数电票 fields: buyer details on a draft, the platform's number once issued.
#[utoipa::path(put, path = "/api/v1/sales/invoices/{id}/einvoice", tag = "sales", params(("id" = String, Path)), request_body = EInvoiceInput,
    responses((status = 200, body = Invoice), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn set_einvoice(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<InvoiceId>,
    ApiJson(input): ApiJson<EInvoiceInput>,
) -> Result<Json<Invoice>, ApiError> {
    state.write(&caller, move |tx, ctx, _| sales::set_einvoice(tx, ctx, id, &input)).await.map(Json)
}

/// Register a receipt from a customer or a payment to a supplier: a 收/付 voucher matched
/// against the invoices or bills named (they become paid when settled in full).
#[utoipa::path(post, path = "/api/v1/payments", tag = "ledger", request_body = PaymentInput,
    responses((status = 201, body = Payment), (status = 422, body = Problem)))]
async fn register_payment(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(input): ApiJson<PaymentInput>,
) -> Result<(StatusCode, Json<Payment>), ApiError> {
    let created = state.write(&caller, move |tx, ctx, _| ledger::register_payment(tx, ctx, &input)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The quotation or sales order as PDF (A4, Chinese, amount in capitals).
#[utoipa::path(get, path = "/api/v1/sales/orders/{id}/pdf", tag = "sales", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = Problem)))]
async fn order_pdf(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<OrderId>,
) -> Result<axum::response::Response, ApiError> {
    let (file, bytes) = state.read(&caller, move |tx, ctx| crate::printing::sales_order_pdf(tx, ctx, id)).await?;
    Ok(crate::download::attachment(bytes, crate::download::PDF, &file))
}
/// The invoice or credit note as PDF.
#[utoipa::path(get, path = "/api/v1/sales/invoices/{id}/pdf", tag = "sales", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = Problem)))]
async fn invoice_pdf(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<InvoiceId>,
) -> Result<axum::response::Response, ApiError> {
    let (file, bytes) = state.read(&caller, move |tx, ctx| crate::printing::invoice_pdf(tx, ctx, id)).await?;
    Ok(crate::download::attachment(bytes, crate::download::PDF, &file))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PeriodQuery {
    /// YYYY-MM
    period: String,
}

/// Sales by VAT rate of a month: net amount and output tax of posted invoices, credit notes
/// subtracted (the detail of the VAT return's sales side).
#[utoipa::path(get, path = "/api/v1/sales/vat-by-rate", tag = "sales", params(PeriodQuery),
    responses((status = 200, body = Vec<sales::vat_report::RateLine>), (status = 422, body = Problem)))]
async fn vat_by_rate(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<Json<Vec<sales::vat_report::RateLine>>, ApiError> {
    state.read(&caller, move |tx, ctx| sales::vat_report::sales_by_rate(tx, ctx, &query.period)).await.map(Json)
}

pub fn mount(api: ApiRouter) -> ApiRouter {
    api.routes(Access::Permission(ORDER_READ), routes!(list_orders))
        .routes(Access::Permission(ORDER_WRITE), routes!(create_order))
        .routes(Access::Permission(ORDER_READ), routes!(get_order))
        .routes(Access::Permission(ORDER_WRITE), routes!(update_order))
        .routes(Access::Permission(ORDER_WRITE), routes!(send))
        .routes(Access::Permission(ORDER_CONFIRM), routes!(confirm))
        .routes(Access::Permission(ORDER_CANCEL), routes!(cancel))
        .routes(Access::Permission(ORDER_READ), routes!(order_pickings))
        .routes(Access::Permission(RETURN), routes!(create_return))
        .routes(Access::Permission(INVOICE_WRITE), routes!(invoice_order))
        .routes(Access::Permission(INVOICE_READ), routes!(list_invoices))
        .routes(Access::Permission(INVOICE_READ), routes!(get_invoice))
        .routes(Access::Permission(INVOICE_WRITE), routes!(post_invoice))
        .routes(Access::Permission(INVOICE_WRITE), routes!(cancel_invoice))
        .routes(Access::Permission(INVOICE_WRITE), routes!(set_einvoice))
        .routes(Access::Permission(ledger::permissions::PAYMENT), routes!(register_payment))
        .routes(Access::Permission(ORDER_READ), routes!(order_pdf))
        .routes(Access::Permission(INVOICE_READ), routes!(invoice_pdf))
        .routes(Access::Permission(INVOICE_READ), routes!(vat_by_rate))
}
