//! Purchasing in the web client: purchase orders (the list with the replenishment button, the
//! order form priced from the supplier's price list, and the order with its quantities,
//! receipts, returns and bills, the buttons `PurchaseOrder.actions` allows, the entry of the
//! supplier's bill for the three-way match and the return to supplier). Bills and payments to
//! suppliers are in `purchasing_bills`; requisitions and requests for quotation in
//! `purchasing_sourcing`.

use axum::body::{Body, to_bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use inventory::{Picking, PickingKind};
use kernel::db::Tx;
use kernel::listing::{ListPage, ListQuery};
use kernel::{Ctx, Error, Quantity, Result};
use maud::{Markup, html};
use purchasing::bill::BillLineInput;
use purchasing::permissions::{BILL_READ, ORDER_WRITE, REQUISITION_WRITE, RFQ_WRITE};
use purchasing::receipt::SupplierReturnLine;
use purchasing::{
    BILL_LIST, BillRequest, PURCHASE_LIST, PurchaseAction, PurchaseLineInput, PurchaseOrder, PurchaseOrderId,
    PurchaseOrderInput, PurchaseState, SupplierReturnInput,
};

use super::sales::{field_message, money_columns, other_messages, status_of, text_field};
use super::{FormData, see_other};
use crate::problem::ApiError;
use crate::state::AppState;
use crate::ui::form;
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page, error_page_for, flash, shell};
use crate::ui::list::{self, ColumnView, FilterField, FilterInput, ListParams, ListView, Show};
use crate::ui::quantities::Digits;

const ORDER_COLUMNS: &[ColumnView] = &[
    ColumnView { key: "number", label: "ui.purchasing.number", show: Show::Link },
    ColumnView { key: "supplier", label: "ui.purchasing.supplier", show: Show::Text },
    ColumnView { key: "order_date", label: "ui.purchasing.order_date", show: Show::Text },
    ColumnView { key: "expected_date", label: "ui.purchasing.expected_date", show: Show::Text },
    ColumnView { key: "state", label: "ui.state", show: Show::Badge("ui.purchasing.state.") },
    ColumnView { key: "total", label: "ui.purchasing.total", show: Show::Amount },
];

const STATES: [PurchaseState; 4] =
    [PurchaseState::Draft, PurchaseState::Confirmed, PurchaseState::Done, PurchaseState::Cancelled];

/// A decimal as typed by people: `10.0000` → `10`, `47.500000` → `47.5`.
pub(super) fn plain(text: &str) -> String {
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text.to_string() }
}

/// A scaled quantity, as `plain` shows it.
fn quantity_text(scaled: i64) -> String {
    plain(&Quantity::from_scaled(scaled).to_string())
}

fn scaled(text: &str) -> i64 {
    text.parse::<Quantity>().map(|q| q.scaled()).unwrap_or(0)
}

fn order_rows(tx: &mut Tx<'_>, ctx: &Ctx, query: &ListQuery) -> Result<ListPage> {
    Ok(money_columns(purchasing::list_orders(tx, ctx, query)?, &PURCHASE_LIST, &["total"], None))
}

/// Purchase orders, with the buttons to draw a requisition from the reorder suggestions and to
/// ask suppliers for quotations.
pub async fn orders(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let states = STATES.iter().map(|s| (s.code().to_string(), page.t(&format!("ui.purchasing.state.{}", s.code()))));
    let view = ListView {
        key: "purchasing.orders",
        title: "ui.purchasing.orders",
        base: "/purchasing/orders",
        spec: &PURCHASE_LIST,
        columns: ORDER_COLUMNS,
        filters: vec![
            FilterField { key: "number", label: "ui.purchasing.number", input: FilterInput::Text },
            FilterField { key: "supplier", label: "ui.purchasing.supplier", input: FilterInput::Text },
            FilterField { key: "state", label: "ui.state", input: FilterInput::Choice(states.collect()) },
        ],
        bulk: vec![],
        new_href: page.may(ORDER_WRITE).then_some("/purchasing/orders/new"),
    };
    let extra = html! {
        @if page.may(REQUISITION_WRITE) || page.may(RFQ_WRITE) {
            div.toolbar {
                @if page.may(REQUISITION_WRITE) {
                    form method="post" action="/purchasing/requisitions/from-replenishment" {
                        input type="hidden" name="_csrf" value=(page.csrf());
                        button type="submit" { (page.t("ui.purchasing.from_replenishment")) }
                    }
                }
                @if page.may(RFQ_WRITE) { a.button href="/purchasing/rfqs/new" { (page.t("ui.purchasing.rfq_new")) } }
            }
        }
    };
    let response = list::handle(&state, &page, view, ListParams::parse(query.as_deref()), order_rows).await;
    with_toolbar(response, extra).await
}

/// Puts `extra` before the list's toolbar (the list view has no slot of its own for buttons
/// that are not about its rows). Exports and refusals pass through unchanged.
async fn with_toolbar(response: Response, extra: Markup) -> Response {
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let extra = extra.into_string();
    if response.status() != StatusCode::OK || !html || extra.is_empty() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let text = String::from_utf8_lossy(&bytes);
    let marker = "<div class=\"toolbar\">";
    let text = match text.find(marker) {
        Some(at) => format!("{}{extra}{}", &text[..at], &text[at..]),
        None => text.into_owned(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(text))
}

/// A line row of the order form as typed.
#[derive(Clone, Debug, Default)]
struct LineRow {
    product: String,
    quantity: String,
    price: String,
    tax: String,
}

/// The order form as typed.
#[derive(Clone, Debug, Default)]
struct OrderForm {
    supplier: String,
    order_date: String,
    expected_date: String,
    includes_tax: bool,
    note: String,
    confirm: bool,
    lines: Vec<LineRow>,
}

impl OrderForm {
    fn from_form(form: &FormData) -> OrderForm {
        let columns = ["line_product", "line_quantity", "line_price", "line_tax"].map(|name| form.all(name));
        let rows = columns.iter().map(Vec::len).max().unwrap_or(0);
        let at = |c: usize, i: usize| columns[c].get(i).map(|v| v.trim().to_string()).unwrap_or_default();
        let lines = (0..rows)
            .map(|i| LineRow { product: at(0, i), quantity: at(1, i), price: at(2, i), tax: at(3, i) })
            // A row with anything typed in it is a line; empty rows are spare.
            .filter(|l| [&l.product, &l.quantity, &l.price, &l.tax].iter().any(|v| !v.is_empty()))
            .collect();
        OrderForm {
            supplier: form.text("supplier"),
            order_date: form.text("order_date"),
            expected_date: form.text("expected_date"),
            includes_tax: form.get("price_includes_tax").is_some(),
            note: form.text("note"),
            confirm: form.get("confirm").is_some(),
            lines,
        }
    }

    fn input(&self) -> PurchaseOrderInput {
        let opt = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        PurchaseOrderInput {
            supplier: self.supplier.clone(),
            order_date: opt(&self.order_date),
            expected_date: opt(&self.expected_date),
            price_includes_tax: Some(self.includes_tax),
            note: self.note.clone(),
            confirm: self.confirm,
            lines: self
                .lines
                .iter()
                .map(|l| PurchaseLineInput {
                    product: l.product.clone(),
                    quantity: l.quantity.clone(),
                    unit_price: opt(&l.price),
                    tax: opt(&l.tax),
                    description: None,
                })
                .collect(),
            ..PurchaseOrderInput::default()
        }
    }
}

/// What the purchasing forms offer to pick from beside the pickers: the company's tax codes
/// (a handful by nature, all of them). Suppliers and products are pickers over the lookups.
#[derive(Default)]
pub(super) struct Choices {
    pub taxes: Vec<(String, String)>,
}

pub(super) async fn choices(state: &AppState, page: &Page) -> Choices {
    let ctx = page.ctx(state);
    if !page.may(product::permissions::SETUP_READ) {
        return Choices::default();
    }
    state
        .blocking(move |state| {
            state.db.read(|tx| {
                let taxes = product::list_taxes(tx, &ctx)?.into_iter().map(|t| (t.code, t.name)).collect();
                Ok(Choices { taxes })
            })
        })
        .await
        .unwrap_or_default()
}

const LINE_FIELDS: [(&str, &str, &str); 4] = [
    ("line_product", "product", "ui.purchasing.product"),
    ("line_quantity", "quantity", "ui.purchasing.quantity"),
    ("line_price", "unit_price", "ui.purchasing.unit_price_optional"),
    ("line_tax", "tax", "ui.purchasing.tax_code"),
];

/// The new purchase order form.
fn order_form_page(
    page: &Page,
    choices: &Choices,
    values: &OrderForm,
    spare: usize,
    error: Option<&Error>,
) -> Response {
    let title = page.t("ui.purchasing.new");
    let rows = values.lines.len() + spare;
    let header_fields = ["supplier", "order_date", "expected_date", "note"];
    let known = |field: &str| {
        header_fields.contains(&field)
            || (0..rows).any(|i| LINE_FIELDS.iter().any(|(_, name, _)| field == format!("lines[{i}].{name}")))
    };
    let others = other_messages(page, error, &known);
    let body = html! {
        h1 { (title) }
        form.panel method="post" action="/purchasing/orders/new" data-save {
            input type="hidden" name="_csrf" value=(page.csrf());
            (form::form_error(page, error))
            @for message in &others { div.flash.error role="alert" { (message) } }
            div.form-grid {
                (text_field(page, "supplier", "ui.purchasing.supplier_code", "text", &values.supplier, Some("suppliers"), error))
                (text_field(page, "order_date", "ui.purchasing.order_date", "date", &values.order_date, None, error))
                (text_field(page, "expected_date", "ui.purchasing.expected_date_optional", "date", &values.expected_date, None, error))
                div.field {
                    label { input type="checkbox" name="price_includes_tax" value="1" checked[values.includes_tax]; " " (page.t("ui.purchasing.price_includes_tax")) }
                }
                (text_field(page, "note", "ui.purchasing.note", "text", &values.note, None, error))
            }
            datalist #purchasing-taxes { @for (code, name) in &choices.taxes { option value=(code) { (name) } } }
            p.meta { (page.t("ui.purchasing.price_hint")) }
            table.list.edit-rows {
                thead { tr {
                    th { "#" }
                    @for (_, _, label) in LINE_FIELDS { th { (page.t(label)) } }
                } }
                tbody {
                    @for i in 0..rows {
                        @let line = values.lines.get(i).cloned().unwrap_or_default();
                        @let cells = [&line.product, &line.quantity, &line.price, &line.tax];
                        tr {
                            td { (i + 1) }
                            @for ((input, name, label), value) in LINE_FIELDS.iter().zip(cells) {
                                @let message = field_message(page, error, &format!("lines[{i}].{name}"));
                                @let list = (*input == "line_tax").then_some("purchasing-taxes");
                                @let lookup = (*input == "line_product").then_some("products");
                                td {
                                    div.field.invalid[message.is_some()] {
                                        input type="text" name=(input) value=(value) list=[list] data-lookup=[lookup]
                                            inputmode=[(*input != "line_product" && *input != "line_tax").then_some("decimal")]
                                            aria-label=(format!("{} {}", page.t(label), i + 1))
                                            aria-invalid=[message.is_some().then_some("true")];
                                        @if let Some(message) = message { span.error role="alert" { (message) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            div.field {
                label { input type="checkbox" name="confirm" value="1" checked[values.confirm]; " " (page.t("ui.purchasing.confirm_at_once")) }
            }
            p {
                button.primary type="submit" { (page.t("ui.save")) } " "
                button type="submit" name="more" value="1" { (page.t("ui.purchasing.more_lines")) } " "
                a href="/purchasing/orders" { (page.t("ui.cancel")) }
            }
        }
    };
    let mut response = shell(page, &title, body);
    if let Some(error) = error {
        *response.status_mut() = status_of(error);
    }
    response
}

pub async fn new_form(State(state): State<AppState>, page: Page) -> Response {
    let choices = choices(&state, &page).await;
    let today = kernel::clock::format_date(page.ctx(&state).today());
    order_form_page(&page, &choices, &OrderForm { order_date: today, ..OrderForm::default() }, 3, None)
}

pub async fn create(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let values = OrderForm::from_form(&form);
    if form.get("more").is_some() {
        let choices = choices(&state, &page).await;
        return order_form_page(&page, &choices, &values, 5, None);
    }
    let input = values.input();
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| purchasing::create_order(tx, &ctx, &input))).await {
        Ok(order) => see_other(&format!("/purchasing/orders/{}", order.id), Some("ui.saved")),
        Err(error) => {
            let choices = choices(&state, &page).await;
            order_form_page(&page, &choices, &values, 2, Some(&error.0))
        }
    }
}

/// A bill or debit note of the order, as its list row gives it.
struct BillRow {
    id: String,
    number: String,
    kind: String,
    state: String,
    match_state: String,
    date: String,
    total: String,
}

fn order_bills(tx: &mut Tx<'_>, ctx: &Ctx, order: PurchaseOrderId) -> Result<Vec<BillRow>> {
    let query = ListQuery {
        filters: vec![("order_id".to_string(), order.to_string())],
        limit: Some(200),
        ..ListQuery::default()
    };
    let page = money_columns(purchasing::list_bills(tx, ctx, &query)?, &BILL_LIST, &["total"], None);
    let at = |key: &str| BILL_LIST.columns.iter().position(|c| c.key == key).unwrap_or(0);
    page.rows
        .iter()
        .map(|r| {
            Ok(BillRow {
                id: r.get(BILL_LIST.columns.len())?,
                number: r.get(at("number"))?,
                kind: r.get(at("kind"))?,
                state: r.get(at("state"))?,
                match_state: r.get(at("match_state"))?,
                date: r.get(at("bill_date"))?,
                total: r.get(at("total"))?,
            })
        })
        .collect()
}

struct OrderView {
    order: PurchaseOrder,
    pickings: Vec<Picking>,
    bills: Vec<BillRow>,
    digits: Digits,
}

async fn load(state: &AppState, page: &Page, id: PurchaseOrderId) -> std::result::Result<OrderView, ApiError> {
    let ctx = page.ctx(state);
    let bills = page.may(BILL_READ);
    state
        .blocking(move |state| {
            state.db.read(|tx| {
                let order = purchasing::get_order(tx, &ctx, id)?;
                let pickings = purchasing::order::order_pickings(tx, &ctx, id)?;
                let bills = if bills { order_bills(tx, &ctx, id)? } else { Vec::new() };
                let digits = Digits::load(tx, &ctx, order.lines.iter().map(|l| l.product_id.as_str()))?;
                Ok(OrderView { order, pickings, bills, digits })
            })
        })
        .await
}

/// What went wrong on the order page, and where it is shown.
enum Problem<'a> {
    /// A state action refused (shown above the buttons).
    Action(&'a Error),
    /// The bill form refused; the rows that were sent, by their place in the form.
    Bill(&'a Error, &'a FormData, &'a [usize]),
    /// The return form refused.
    Return(&'a Error, &'a FormData),
}

/// The match state as a badge: matched green, blocked red, released amber.
pub(super) fn match_badge(page: &Page, state: &str) -> Markup {
    let tone = match state {
        "matched" => "done",
        "blocked" => "dead",
        _ => "review",
    };
    html! { span.badge.(state).(tone) { (page.t(&format!("ui.purchasing.match.{state}"))) } }
}

fn order_page(page: &Page, view: &OrderView, problem: Option<Problem>, ok: Option<&str>) -> Response {
    let order = &view.order;
    let id = order.id.to_string();
    let may = |action: PurchaseAction| order.actions.contains(&action);
    let action_error = match &problem {
        Some(Problem::Action(e)) => Some(*e),
        _ => None,
    };
    let (bill_error, bill_form, bill_sent) = match &problem {
        Some(Problem::Bill(e, f, sent)) => (Some(*e), Some(*f), *sent),
        _ => (None, None, &[][..]),
    };
    let (return_error, return_form) = match &problem {
        Some(Problem::Return(e, f)) => (Some(*e), Some(*f)),
        _ => (None, None),
    };
    // The message of a bill row's field: the error names the row by its place among those sent.
    let bill_message = |row: usize, field: &str| {
        let sent = bill_sent.iter().position(|r| *r == row)?;
        field_message(page, bill_error, &format!("lines[{sent}].{field}"))
    };
    let bill_known = |field: &str| {
        ["supplier_reference", "date"].contains(&field)
            || (0..bill_sent.len())
                .any(|k| field == format!("lines[{k}].quantity") || field == format!("lines[{k}].unit_price"))
    };
    let bill_others = other_messages(page, bill_error, &bill_known);
    let bill_column = |name: &str, row: usize| bill_form.and_then(|f| f.all(name).get(row).cloned());
    let bill_typed = |name: &str| bill_form.map(|f| f.text(name)).unwrap_or_default();
    let post_at_once = bill_form.is_none_or(|f| f.get("post").is_some());
    // Goods go back on lines that came in on a receipt (services never do).
    let received: Vec<&str> = view
        .pickings
        .iter()
        .filter(|p| matches!(p.kind, PickingKind::Receipt))
        .flat_map(|p| p.moves.iter().map(|m| m.product_id.as_str()))
        .collect();
    let remaining = |l: &purchasing::order::PurchaseLine| scaled(&l.received) - scaled(&l.returned);
    let returnable: Vec<_> =
        order.lines.iter().filter(|l| remaining(l) > 0 && received.contains(&l.product_id.as_str())).collect();
    let return_typed = |name: &str| return_form.map(|f| f.text(name)).unwrap_or_default();
    let return_message = |field: &str| {
        field_message(page, return_error, &format!("lines[0].{field}"))
            .or_else(|| if field == "line_id" { field_message(page, return_error, "lines") } else { None })
    };
    let body = html! {
        h1 {
            (page.t("ui.purchasing.order")) " " (order.number) " "
            (form::badge(page, "ui.purchasing.state.", order.state.code()))
        }
        (flash(page, ok, None))
        @if let Some(error) = action_error {
            div.flash.error role="alert" { (page.t_with(error.code(), error.params())) }
            @for f in error.fields() { div.flash.error role="alert" { (page.t_with(f.code, if f.params.is_empty() { error.params() } else { &f.params })) } }
        }
        dl.facts {
            dt { (page.t("ui.purchasing.supplier")) } dd { (order.supplier_name) }
            @if let Some(approval) = &order.approval {
                dt { (page.t("ui.approvals.title")) }
                dd { a href=(format!("/office/approvals/{}", approval.request_id)) { (approval.number) } " " (form::badge(page, "ui.approvals.state.", &approval.state)) }
            }
            dt { (page.t("ui.purchasing.order_date")) } dd { (order.order_date) }
            dt { (page.t("ui.purchasing.expected_date")) } dd { (order.expected_date) }
            dt { (page.t("ui.purchasing.currency")) } dd { (order.currency) }
            dt { (page.t("ui.purchasing.price_includes_tax")) } dd { (page.t(if order.price_includes_tax { "ui.purchasing.yes" } else { "ui.purchasing.no" })) }
            @if !order.source.is_empty() { dt { (page.t("ui.purchasing.source")) } dd { (order.source) } }
            @if !order.note.is_empty() { dt { (page.t("ui.purchasing.note")) } dd { (order.note) } }
        }
        p { a.button href=(format!("/api/v1/purchasing/orders/{id}/pdf")) { (page.t("ui.purchasing.print_pdf")) } }
        table.list {
            caption.sr-only { (page.t("ui.purchasing.lines")) }
            thead { tr {
                th { "#" } th { (page.t("ui.purchasing.product")) }
                th.num { (page.t("ui.purchasing.ordered")) } th.num { (page.t("ui.purchasing.received")) }
                th.num { (page.t("ui.purchasing.returned")) } th.num { (page.t("ui.purchasing.billed")) }
                th.num { (page.t("ui.purchasing.unit_price")) } th { (page.t("ui.purchasing.tax_code")) }
                th.num { (page.t("ui.purchasing.untaxed")) } th.num { (page.t("ui.purchasing.tax")) } th.num { (page.t("ui.purchasing.total")) }
            } }
            tbody {
                @for l in &order.lines {
                    tr {
                        td { (l.seq) } td { (l.product_code) " " (l.description) }
                        @let shown = |q: &str| view.digits.show(&l.product_id, q);
                        td.num { (shown(&l.quantity)) } td.num { (shown(&l.received)) } td.num { (shown(&l.returned)) } td.num { (shown(&l.billed)) }
                        td.num { (plain(&l.unit_price)) } td { (l.tax_code) }
                        td.num { (l.untaxed) } td.num { (l.tax) } td.num { (l.total) }
                    }
                }
                tr.total {
                    td colspan="8" { strong { (page.t("ui.purchasing.sum")) } }
                    td.num { strong { (order.untaxed) } } td.num { strong { (order.tax) } } td.num { strong { (order.total) } }
                }
            }
        }
        @if may(PurchaseAction::Confirm) || may(PurchaseAction::Cancel) {
            form.actions method="post" action=(format!("/purchasing/orders/{id}/act")) {
                input type="hidden" name="_csrf" value=(page.csrf());
                @if may(PurchaseAction::Confirm) { button.primary type="submit" name="action" value="confirm" { (page.t("ui.purchasing.act.confirm")) } " " }
                @if may(PurchaseAction::Cancel) {
                    button.danger type="submit" name="action" value="cancel" data-confirm=(page.t("ui.purchasing.cancel_confirm")) { (page.t("ui.purchasing.act.cancel")) }
                }
            }
        }
        @if may(PurchaseAction::Bill) {
            section.panel aria-labelledby="bill-title" {
                h2 #bill-title { (page.t("ui.purchasing.bill_entry")) }
                @if let Some(error) = bill_error { @if error.fields().is_empty() { (form::form_error(page, Some(error))) } }
                @for message in &bill_others { div.flash.error role="alert" { (message) } }
                form method="post" action=(format!("/purchasing/orders/{id}/bill")) {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    div.form-grid {
                        (text_field(page, "supplier_reference", "ui.purchasing.supplier_reference", "text", &bill_typed("supplier_reference"), None, bill_error))
                        (text_field(page, "date", "ui.purchasing.bill_date", "date", &bill_typed("date"), None, bill_error))
                        div.field {
                            label { input type="checkbox" name="post" value="1" checked[post_at_once]; " " (page.t("ui.purchasing.post_at_once")) }
                        }
                    }
                    table.list.edit-rows {
                        thead { tr {
                            th { "#" } th { (page.t("ui.purchasing.product")) }
                            th.num { (page.t("ui.purchasing.billable")) } th.num { (page.t("ui.purchasing.order_price")) }
                            th { (page.t("ui.purchasing.bill_quantity")) } th { (page.t("ui.purchasing.bill_price")) }
                        } }
                        tbody {
                            @for (row, l) in order.lines.iter().enumerate() {
                                @let billable = scaled(&l.received) - scaled(&l.returned) - scaled(&l.billed);
                                @let quantity = bill_column("bill_quantity", row).unwrap_or_else(|| if billable > 0 { quantity_text(billable) } else { String::new() });
                                @let price = bill_column("bill_price", row).unwrap_or_else(|| plain(&l.unit_price));
                                tr {
                                    td { (l.seq) } td { (l.product_code) " " (l.description) }
                                    td.num { (view.digits.show(&l.product_id, &Quantity::from_scaled(billable).to_string())) } td.num { (plain(&l.unit_price)) }
                                    @for (name, field, value, label) in [("bill_quantity", "quantity", &quantity, "ui.purchasing.bill_quantity"), ("bill_price", "unit_price", &price, "ui.purchasing.bill_price")] {
                                        @let message = bill_message(row, field);
                                        td {
                                            div.field.invalid[message.is_some()] {
                                                @if name == "bill_quantity" { input type="hidden" name="bill_line" value=(l.id); }
                                                input type="text" inputmode="decimal" name=(name) value=(value)
                                                    aria-label=(format!("{} {}", page.t(label), l.seq))
                                                    aria-invalid=[message.is_some().then_some("true")];
                                                @if let Some(message) = message { span.error role="alert" { (message) } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    p.meta { (page.t("ui.purchasing.bill_hint")) }
                    p { button.primary type="submit" { (page.t("ui.purchasing.act.bill")) } }
                }
            }
        }
        @if may(PurchaseAction::Return) && !returnable.is_empty() {
            section.panel aria-labelledby="return-title" {
                h2 #return-title { (page.t("ui.purchasing.return")) }
                @if let Some(error) = return_error {
                    @if error.fields().is_empty() { div.flash.error role="alert" { (page.t_with(error.code(), error.params())) } }
                }
                form method="post" action=(format!("/purchasing/orders/{id}/return")) {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    div.form-grid {
                        @let message = return_message("line_id");
                        div.field.invalid[message.is_some()] {
                            label for="return-line" { (page.t("ui.purchasing.return_line")) }
                            select #return-line name="line_id" {
                                @for l in &returnable {
                                    option value=(l.id) selected[return_typed("line_id") == l.id] {
                                        (l.seq) ". " (l.product_code) " " (l.description) " (" (page.t("ui.purchasing.returnable")) " " (view.digits.show(&l.product_id, &Quantity::from_scaled(remaining(l)).to_string())) ")"
                                    }
                                }
                            }
                            @if let Some(message) = message { span.error role="alert" { (message) } }
                        }
                        @let message = return_message("quantity");
                        div.field.invalid[message.is_some()] {
                            label for="return-quantity" { (page.t("ui.purchasing.quantity")) }
                            input #return-quantity type="text" inputmode="decimal" name="quantity" value=(return_typed("quantity")) required aria-invalid=[message.is_some().then_some("true")];
                            @if let Some(message) = message { span.error role="alert" { (message) } }
                        }
                        div.field {
                            label for="return-reason" { (page.t("ui.purchasing.return_reason")) }
                            input #return-reason type="text" name="reason" value=(return_typed("reason"));
                        }
                    }
                    p { button type="submit" { (page.t("ui.purchasing.act.return")) } }
                }
            }
        }
        section.panel aria-labelledby="pickings-title" {
            h2 #pickings-title { (page.t("ui.purchasing.pickings")) }
            @if view.pickings.is_empty() { p.meta { (page.t("ui.list.empty")) } } @else {
                table.list {
                    thead { tr {
                        th { (page.t("ui.inventory.number")) } th { (page.t("ui.inventory.kind")) } th { (page.t("ui.state")) }
                        th { (page.t("ui.inventory.scheduled")) } th { (page.t("ui.inventory.done_date")) }
                    } }
                    tbody {
                        @for p in &view.pickings {
                            tr {
                                td {
                                    @if page.may(inventory::permissions::STOCK_READ) { a href=(format!("/inventory/pickings/{}", p.id)) { (p.number) } }
                                    @else { (p.number) }
                                }
                                td { (form::badge(page, "ui.inventory.kind.", p.kind.code())) }
                                td { (form::badge(page, "ui.inventory.state.", p.state.code())) }
                                td { (p.scheduled_date) } td { (p.done_date.clone().unwrap_or_default()) }
                            }
                        }
                    }
                }
            }
        }
        @if page.may(BILL_READ) {
            section.panel aria-labelledby="bills-title" {
                h2 #bills-title { (page.t("ui.purchasing.bills")) }
                @if view.bills.is_empty() { p.meta { (page.t("ui.list.empty")) } } @else {
                    table.list {
                        thead { tr {
                            th { (page.t("ui.purchasing.number")) } th { (page.t("ui.purchasing.kind")) } th { (page.t("ui.state")) }
                            th { (page.t("ui.purchasing.match_state")) } th { (page.t("ui.purchasing.bill_date")) } th.num { (page.t("ui.purchasing.total")) }
                        } }
                        tbody {
                            @for b in &view.bills {
                                tr {
                                    td { a href=(format!("/purchasing/bills/{}", b.id)) { (if b.number.is_empty() { page.t("ui.purchasing.draft_bill") } else { b.number.clone() }) } }
                                    td { (form::badge(page, "ui.purchasing.kind.", &b.kind)) }
                                    td { (form::badge(page, "ui.purchasing.bill_state.", &b.state)) }
                                    td { (match_badge(page, &b.match_state)) }
                                    td { (b.date) } td.num { (b.total) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let mut response = shell(page, &order.number, body);
    if let Some(Problem::Action(e) | Problem::Bill(e, _, _) | Problem::Return(e, _)) = problem {
        *response.status_mut() = status_of(e);
    }
    response
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(id) = PurchaseOrderId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "purchasing.order_not_found");
    };
    let ok = query_param(query.as_deref(), "ok");
    match load(&state, &page, id).await {
        Ok(view) => order_page(&page, &view, None, ok.as_deref()),
        Err(error) => error_page_for(&page, status_of(&error.0), &error.0),
    }
}

/// After a refused form: the order again with the problem beside the form.
async fn refused(state: &AppState, page: &Page, id: PurchaseOrderId, problem: Problem<'_>) -> Response {
    match load(state, page, id).await {
        Ok(view) => order_page(page, &view, Some(problem), None),
        Err(e) => e.into_response(),
    }
}

/// The order's buttons: confirm, cancel.
pub async fn act(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = PurchaseOrderId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "purchasing.order_not_found");
    };
    let action = form.text("action");
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| match action.as_str() {
                "confirm" => purchasing::confirm_order(tx, &ctx, id),
                "cancel" => purchasing::cancel_order(tx, &ctx, id),
                other => Err(Error::bad_request("purchasing.order_state")
                    .with_param("state", "?")
                    .with_param("action", other.to_string())),
            })
        })
        .await;
    match result {
        // Confirming an order over the company's limit submits it for approval instead.
        Ok(order) if order.approval.as_ref().is_some_and(|a| a.state == "pending") => {
            see_other(&format!("/purchasing/orders/{id}"), Some("ui.approvals.submitted"))
        }
        Ok(_) => see_other(&format!("/purchasing/orders/{id}"), Some("ui.saved")),
        Err(error) => refused(&state, &page, id, Problem::Action(&error.0)).await,
    }
}

/// 登记发票: the supplier's bill as typed from it, matched three ways. Rows left empty are not
/// billed; with every row empty, what was received and not billed (or a debit note for what
/// went back).
pub async fn bill(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = PurchaseOrderId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "purchasing.order_not_found");
    };
    let (ids, quantities, prices) = (form.all("bill_line"), form.all("bill_quantity"), form.all("bill_price"));
    let cell = |column: &[String], row: usize| column.get(row).map(|v| v.trim().to_string()).unwrap_or_default();
    let mut sent = Vec::new();
    let mut lines = Vec::new();
    for (row, line_id) in ids.iter().enumerate() {
        let quantity = cell(&quantities, row);
        if quantity.is_empty() {
            continue;
        }
        let price = cell(&prices, row);
        sent.push(row);
        lines.push(BillLineInput {
            line_id: line_id.clone(),
            quantity,
            unit_price: Some(price).filter(|p| !p.is_empty()),
        });
    }
    let request = BillRequest {
        supplier_reference: form.text("supplier_reference"),
        date: Some(form.text("date")).filter(|d| !d.is_empty()),
        lines: if lines.is_empty() { None } else { Some(lines) },
        post: form.get("post").is_some(),
    };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| purchasing::bill_order(tx, &ctx, id, &request))).await {
        Ok(bill) => see_other(&format!("/purchasing/bills/{}", bill.id), Some("ui.purchasing.bill_created")),
        Err(error) => refused(&state, &page, id, Problem::Bill(&error.0, &form, &sent)).await,
    }
}

/// A return to the supplier of one received line.
pub async fn create_return(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let Ok(id) = PurchaseOrderId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "purchasing.order_not_found");
    };
    let input = SupplierReturnInput {
        reason: form.text("reason"),
        lines: vec![SupplierReturnLine { line_id: form.text("line_id"), quantity: form.text("quantity") }],
        from: None,
    };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| purchasing::return_to_supplier(tx, &ctx, id, &input))).await {
        Ok(_) => see_other(&format!("/purchasing/orders/{id}"), Some("ui.purchasing.return_created")),
        Err(error) => refused(&state, &page, id, Problem::Return(&error.0, &form)).await,
    }
}
