//! Sales in the web client: quotations and orders (the list, the quotation form with its line
//! rows for a new or an edited quotation, and the order with its quantities, deliveries,
//! invoices and the buttons `SalesOrder.actions` allows, the credit override and returns).
//! Invoices, e-invoice fields and receipts are in `sales_invoices`.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use inventory::Picking;
use kernel::db::{Row, Tx, Value};
use kernel::listing::{ListPage, ListQuery, ListSpec};
use kernel::{Ctx, Currency, Error, Money, Quantity, Result};
use maud::{Markup, html};
use sales::permissions::{CREDIT_OVERRIDE, INVOICE_READ, ORDER_WRITE};
use sales::{
    INVOICE_LIST, InvoiceBasis, InvoiceRequest, ORDER_LIST, OrderAction, OrderId, OrderInput, OrderLineInput,
    OrderState, ReturnInput, ReturnLineInput, SalesOrder,
};

use super::{FormData, see_other};
use crate::problem::ApiError;
use crate::state::AppState;
use crate::ui::form;
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page, error_page_for, flash, shell};
use crate::ui::list::{self, ColumnView, FilterField, FilterInput, ListParams, ListView, Show};
use crate::ui::quantities::Digits;

const ORDER_COLUMNS: &[ColumnView] = &[
    ColumnView { key: "number", label: "ui.sales.number", show: Show::Link },
    ColumnView { key: "customer", label: "ui.sales.customer", show: Show::Text },
    ColumnView { key: "order_date", label: "ui.sales.order_date", show: Show::Text },
    ColumnView { key: "valid_until", label: "ui.sales.valid_until", show: Show::Text },
    ColumnView { key: "state", label: "ui.state", show: Show::Badge("ui.sales.state.") },
    ColumnView { key: "total", label: "ui.sales.total", show: Show::Amount },
    ColumnView { key: "currency", label: "ui.sales.currency", show: Show::Text },
];

const STATES: [OrderState; 5] =
    [OrderState::Draft, OrderState::Sent, OrderState::Confirmed, OrderState::Done, OrderState::Cancelled];

fn states(page: &Page) -> Vec<(String, String)> {
    STATES.iter().map(|s| (s.code().to_string(), page.t(&format!("ui.sales.state.{}", s.code())))).collect()
}

/// The amount columns of a list page (minor units) as money text, in the row's currency
/// (`currency_key`) or in yuan.
pub(super) fn money_columns(page: ListPage, spec: &ListSpec, amounts: &[&str], currency_key: Option<&str>) -> ListPage {
    let index = |key: &str| spec.columns.iter().position(|c| c.key == key);
    let amount_at: Vec<usize> = amounts.iter().filter_map(|k| index(k)).collect();
    let currency_at = currency_key.and_then(index);
    let rows = page
        .rows
        .into_iter()
        .map(|row| {
            let currency = currency_at
                .and_then(|i| match row.values().get(i) {
                    Some(Value::Text(code)) => Currency::from_code(code).ok(),
                    _ => None,
                })
                .unwrap_or(Currency::CNY);
            let values = row
                .values()
                .iter()
                .enumerate()
                .map(|(i, value)| match value {
                    Value::Int(minor) if amount_at.contains(&i) => {
                        Value::Text(Money::from_minor(*minor, currency).to_string())
                    }
                    other => other.clone(),
                })
                .collect();
            Row::new(values)
        })
        .collect();
    ListPage { rows, next_cursor: page.next_cursor, total: page.total }
}

fn order_rows(tx: &mut Tx<'_>, ctx: &Ctx, query: &ListQuery) -> Result<ListPage> {
    Ok(money_columns(sales::list_orders(tx, ctx, query)?, &ORDER_LIST, &["total"], Some("currency")))
}

/// Quotations and orders (a salesperson under the default role sees own ones).
pub async fn orders(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let view = ListView {
        key: "sales.orders",
        title: "ui.sales.orders",
        base: "/sales/orders",
        spec: &ORDER_LIST,
        columns: ORDER_COLUMNS,
        filters: vec![
            FilterField { key: "number", label: "ui.sales.number", input: FilterInput::Text },
            FilterField { key: "state", label: "ui.state", input: FilterInput::Choice(states(&page)) },
        ],
        bulk: vec![],
        new_href: page.may(ORDER_WRITE).then_some("/sales/orders/new"),
    };
    list::handle(&state, &page, view, ListParams::parse(query.as_deref()), order_rows).await
}

/// The message an error gives for `field`, if it names it.
pub(super) fn field_message(page: &Page, error: Option<&Error>, field: &str) -> Option<String> {
    let error = error?;
    error.fields().iter().find(|f| f.field == field).map(|f| {
        let params = if f.params.is_empty() { error.params() } else { &f.params };
        page.t_with(f.code, params)
    })
}

/// The messages of the fields an error names that are not in `shown`.
pub(super) fn other_messages(page: &Page, error: Option<&Error>, shown: &dyn Fn(&str) -> bool) -> Vec<String> {
    let Some(error) = error else { return Vec::new() };
    error
        .fields()
        .iter()
        .filter(|f| !shown(&f.field))
        .map(|f| page.t_with(f.code, if f.params.is_empty() { error.params() } else { &f.params }))
        .collect()
}

/// The HTTP status of a refused form.
pub(super) fn status_of(error: &Error) -> StatusCode {
    StatusCode::from_u16(error.kind().http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
}

/// One field of a form: label, input, and the message beside it. A field that names another
/// record gives the lookup it picks from (`Some("customers")`, see /api/v1/lookup): app.js
/// makes it a search-as-you-type picker, and without JavaScript it stays a typed code.
pub(super) fn text_field(
    page: &Page,
    name: &str,
    label: &str,
    kind: &str,
    value: &str,
    lookup: Option<&str>,
    error: Option<&Error>,
) -> Markup {
    let message = field_message(page, error, name);
    let id = format!("field-{name}");
    html! {
        div.field.invalid[message.is_some()] {
            label for=(id) { (page.t(label)) }
            input #(id) type=(kind) name=(name) value=(value) data-lookup=[lookup] aria-invalid=[message.is_some().then_some("true")];
            @if let Some(message) = message { span.error role="alert" { (message) } }
        }
    }
}

/// A line row of the quotation form as typed.
#[derive(Clone, Debug, Default)]
struct LineRow {
    product: String,
    quantity: String,
    price: String,
    discount: String,
    tax: String,
}

/// The quotation form as typed (or as stored, when editing).
#[derive(Clone, Debug, Default)]
struct OrderForm {
    customer: String,
    order_date: String,
    valid_until: String,
    includes_tax: bool,
    note: String,
    currency: String,
    version: Option<i64>,
    lines: Vec<LineRow>,
}

impl OrderForm {
    fn from_form(form: &FormData) -> OrderForm {
        let columns =
            ["line_product", "line_quantity", "line_price", "line_discount", "line_tax"].map(|name| form.all(name));
        let rows = columns.iter().map(Vec::len).max().unwrap_or(0);
        let at = |c: usize, i: usize| columns[c].get(i).map(|v| v.trim().to_string()).unwrap_or_default();
        let lines = (0..rows)
            .map(|i| LineRow {
                product: at(0, i),
                quantity: at(1, i),
                price: at(2, i),
                discount: at(3, i),
                tax: at(4, i),
            })
            // A row with anything typed in it is a line; empty rows are spare.
            .filter(|l| [&l.product, &l.quantity, &l.price, &l.discount, &l.tax].iter().any(|v| !v.is_empty()))
            .collect();
        OrderForm {
            customer: form.text("customer"),
            order_date: form.text("order_date"),
            valid_until: form.text("valid_until"),
            includes_tax: form.get("price_includes_tax").is_some(),
            note: form.text("note"),
            currency: form.text("currency"),
            version: form.text("version").parse().ok(),
            lines,
        }
    }

    fn from_order(order: &SalesOrder) -> OrderForm {
        OrderForm {
            customer: order.customer_code.clone(),
            order_date: order.order_date.clone(),
            valid_until: order.valid_until.clone().unwrap_or_default(),
            includes_tax: order.price_includes_tax,
            note: order.note.clone(),
            currency: order.currency.clone(),
            version: Some(order.version),
            lines: order
                .lines
                .iter()
                .map(|l| LineRow {
                    product: l.product_code.clone(),
                    quantity: l.quantity.clone(),
                    price: l.unit_price.clone(),
                    discount: l.discount.clone(),
                    tax: l.tax_code.clone(),
                })
                .collect(),
        }
    }

    fn input(&self) -> OrderInput {
        let opt = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        OrderInput {
            customer: self.customer.clone(),
            order_date: opt(&self.order_date),
            valid_until: opt(&self.valid_until),
            price_includes_tax: Some(self.includes_tax),
            currency: opt(&self.currency),
            note: self.note.clone(),
            lines: self
                .lines
                .iter()
                .map(|l| OrderLineInput {
                    product: l.product.clone(),
                    quantity: l.quantity.clone(),
                    unit_price: opt(&l.price),
                    discount: opt(&l.discount),
                    tax: opt(&l.tax),
                    description: None,
                })
                .collect(),
            ..OrderInput::default()
        }
    }
}

/// What the quotation form offers to pick from beside the pickers: the company's tax codes
/// (a handful by nature, all of them). Customers and products are pickers over the lookups.
#[derive(Default)]
struct Choices {
    taxes: Vec<(String, String)>,
}

async fn choices(state: &AppState, page: &Page) -> Choices {
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

const LINE_FIELDS: [(&str, &str, &str); 5] = [
    ("line_product", "product", "ui.sales.product"),
    ("line_quantity", "quantity", "ui.sales.quantity"),
    ("line_price", "unit_price", "ui.sales.unit_price_optional"),
    ("line_discount", "discount", "ui.sales.discount"),
    ("line_tax", "tax", "ui.sales.tax_code"),
];

/// The quotation form, new (`order` None) or editing an order.
fn order_form_page(
    page: &Page,
    choices: &Choices,
    order: Option<(&str, &str)>,
    values: &OrderForm,
    spare: usize,
    error: Option<&Error>,
) -> Response {
    let (title, action) = match order {
        Some((id, number)) => (format!("{} {number}", page.t("ui.sales.edit")), format!("/sales/orders/{id}/edit")),
        None => (page.t("ui.sales.new"), "/sales/orders/new".to_string()),
    };
    let back = order.map(|(id, _)| format!("/sales/orders/{id}")).unwrap_or_else(|| "/sales/orders".to_string());
    let rows = values.lines.len() + spare;
    let header_fields = ["customer", "order_date", "valid_until", "note"];
    let known = |field: &str| {
        header_fields.contains(&field)
            || (0..rows).any(|i| LINE_FIELDS.iter().any(|(_, name, _)| field == format!("lines[{i}].{name}")))
    };
    let others = other_messages(page, error, &known);
    let body = html! {
        h1 { (title) }
        form.panel method="post" action=(action) data-save {
            input type="hidden" name="_csrf" value=(page.csrf());
            @if let Some(version) = values.version { input type="hidden" name="version" value=(version); }
            @if let Some((_, number)) = order { input type="hidden" name="number" value=(number); }
            @if !values.currency.is_empty() { input type="hidden" name="currency" value=(values.currency); }
            (form::form_error(page, error))
            @for message in &others { div.flash.error role="alert" { (message) } }
            div.form-grid {
                (text_field(page, "customer", "ui.sales.customer_code", "text", &values.customer, Some("customers"), error))
                (text_field(page, "order_date", "ui.sales.order_date", "date", &values.order_date, None, error))
                (text_field(page, "valid_until", "ui.sales.valid_until", "date", &values.valid_until, None, error))
                div.field {
                    label { input type="checkbox" name="price_includes_tax" value="1" checked[values.includes_tax]; " " (page.t("ui.sales.price_includes_tax")) }
                }
                (text_field(page, "note", "ui.sales.note", "text", &values.note, None, error))
            }
            datalist #sales-taxes { @for (code, name) in &choices.taxes { option value=(code) { (name) } } }
            p.meta { (page.t("ui.sales.price_hint")) }
            table.list.edit-rows {
                thead { tr {
                    th { "#" }
                    @for (_, _, label) in LINE_FIELDS { th { (page.t(label)) } }
                } }
                tbody {
                    @for i in 0..rows {
                        @let line = values.lines.get(i).cloned().unwrap_or_default();
                        @let cells = [&line.product, &line.quantity, &line.price, &line.discount, &line.tax];
                        tr {
                            td { (i + 1) }
                            @for ((input, name, label), value) in LINE_FIELDS.iter().zip(cells) {
                                @let message = field_message(page, error, &format!("lines[{i}].{name}"));
                                @let list = (*input == "line_tax").then_some("sales-taxes");
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
            p {
                button.primary type="submit" { (page.t("ui.save")) } " "
                button type="submit" name="more" value="1" { (page.t("ui.sales.more_lines")) } " "
                a href=(back) { (page.t("ui.cancel")) }
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
    order_form_page(&page, &choices, None, &OrderForm { order_date: today, ..OrderForm::default() }, 3, None)
}

pub async fn create(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let values = OrderForm::from_form(&form);
    if form.get("more").is_some() {
        let choices = choices(&state, &page).await;
        return order_form_page(&page, &choices, None, &values, 5, None);
    }
    let input = values.input();
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| sales::create_order(tx, &ctx, &input))).await {
        Ok(order) => see_other(&format!("/sales/orders/{}", order.id), Some("ui.saved")),
        Err(error) => {
            let choices = choices(&state, &page).await;
            order_form_page(&page, &choices, None, &values, 2, Some(&error.0))
        }
    }
}

pub async fn edit_form(State(state): State<AppState>, page: Page, Path(id): Path<String>) -> Response {
    let Ok(id) = OrderId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "sales.order_not_found");
    };
    let ctx = page.ctx(&state);
    let order = match state.blocking(move |state| state.db.read(|tx| sales::get_order(tx, &ctx, id))).await {
        Ok(order) => order,
        Err(error) => return error_page_for(&page, status_of(&error.0), &error.0),
    };
    if !order.actions.contains(&OrderAction::Edit) {
        return see_other(&format!("/sales/orders/{id}"), None);
    }
    let choices = choices(&state, &page).await;
    let values = OrderForm::from_order(&order);
    order_form_page(&page, &choices, Some((&id.to_string(), &order.number)), &values, 2, None)
}

pub async fn update(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = OrderId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "sales.order_not_found");
    };
    let values = OrderForm::from_form(&form);
    let number = form.text("number");
    let key = id.to_string();
    if form.get("more").is_some() {
        let choices = choices(&state, &page).await;
        return order_form_page(&page, &choices, Some((&key, &number)), &values, 5, None);
    }
    let input = values.input();
    let version = values.version.unwrap_or(-1);
    let ctx = page.ctx(&state);
    match state
        .blocking(move |state| state.db.write(|tx| sales::update_order(tx, &ctx, id, Some(version), &input)))
        .await
    {
        Ok(order) => see_other(&format!("/sales/orders/{}", order.id), Some("ui.saved")),
        Err(error) => {
            let choices = choices(&state, &page).await;
            order_form_page(&page, &choices, Some((&key, &number)), &values, 2, Some(&error.0))
        }
    }
}

/// An invoice of the order as its list shows it.
pub(super) struct InvoiceRow {
    id: String,
    number: String,
    kind: String,
    state: String,
    date: String,
    total: String,
    paid: String,
}

fn order_invoices(tx: &mut Tx<'_>, ctx: &Ctx, order: OrderId, currency: &str) -> Result<Vec<InvoiceRow>> {
    let query = ListQuery {
        filters: vec![("order_id".to_string(), order.to_string())],
        limit: Some(200),
        ..ListQuery::default()
    };
    let at = |key: &str| INVOICE_LIST.columns.iter().position(|c| c.key == key).unwrap_or(0);
    let currency = Currency::from_code(currency).unwrap_or(Currency::CNY);
    let money = |minor: i64| Money::from_minor(minor, currency).to_string();
    sales::list_invoices(tx, ctx, &query)?
        .rows
        .iter()
        .map(|r| {
            Ok(InvoiceRow {
                id: r.get(INVOICE_LIST.columns.len())?,
                number: r.get(at("number"))?,
                kind: r.get(at("kind"))?,
                state: r.get(at("state"))?,
                date: r.get(at("invoice_date"))?,
                total: money(r.get(at("total"))?),
                paid: money(r.get(at("paid"))?),
            })
        })
        .collect()
}

struct OrderView {
    order: SalesOrder,
    pickings: Vec<Picking>,
    invoices: Vec<InvoiceRow>,
    digits: Digits,
}

async fn load(state: &AppState, page: &Page, id: OrderId) -> std::result::Result<OrderView, ApiError> {
    let ctx = page.ctx(state);
    let invoices = page.may(INVOICE_READ);
    state
        .blocking(move |state| {
            state.db.read(|tx| {
                let order = sales::get_order(tx, &ctx, id)?;
                let pickings = sales::order::order_pickings(tx, &ctx, id)?;
                let invoices = if invoices { order_invoices(tx, &ctx, id, &order.currency)? } else { Vec::new() };
                let digits = Digits::load(tx, &ctx, order.lines.iter().map(|l| l.product_id.as_str()))?;
                Ok(OrderView { order, pickings, invoices, digits })
            })
        })
        .await
}

/// What went wrong on the order page, and where it is shown.
enum Problem<'a> {
    /// A state action refused (shown above the buttons).
    Action(&'a Error),
    /// The return form refused.
    Return(&'a Error, &'a FormData),
}

fn remaining(line: &sales::order::OrderLine) -> i64 {
    let q = |t: &str| t.parse::<Quantity>().map(|q| q.scaled()).unwrap_or(0);
    q(&line.delivered) - q(&line.returned)
}

fn order_page(page: &Page, view: &OrderView, problem: Option<Problem>, ok: Option<&str>) -> Response {
    let order = &view.order;
    let id = order.id.to_string();
    let may = |action: OrderAction| order.actions.contains(&action);
    let action_error = match &problem {
        Some(Problem::Action(e)) => Some(*e),
        _ => None,
    };
    let (return_error, return_form) = match &problem {
        Some(Problem::Return(e, f)) => (Some(*e), Some(*f)),
        _ => (None, None),
    };
    let over_limit = action_error.is_some_and(|e| e.code() == "sales.credit_limit_exceeded");
    // Goods come back on lines that went out on a delivery (services never do).
    let shipped: Vec<&str> = view
        .pickings
        .iter()
        .filter(|p| matches!(p.kind, inventory::PickingKind::Delivery))
        .flat_map(|p| p.moves.iter().map(|m| m.product_id.as_str()))
        .collect();
    let returnable: Vec<_> =
        order.lines.iter().filter(|l| remaining(l) > 0 && shipped.contains(&l.product_id.as_str())).collect();
    let typed = |name: &str| return_form.map(|f| f.text(name)).unwrap_or_default();
    let return_message = |field: &str| {
        field_message(page, return_error, &format!("lines[0].{field}"))
            .or_else(|| if field == "line_id" { field_message(page, return_error, "lines") } else { None })
    };
    let body = html! {
        h1 {
            (page.t(if matches!(order.state, OrderState::Draft | OrderState::Sent) { "ui.sales.quotation" } else { "ui.sales.order" }))
            " " (order.number) " "
            (form::badge(page, "ui.sales.state.", order.state.code()))
        }
        (flash(page, ok, None))
        @if let Some(error) = action_error {
            div.flash.error role="alert" { (page.t_with(error.code(), error.params())) }
            @for f in error.fields() { div.flash.error role="alert" { (page.t_with(f.code, if f.params.is_empty() { error.params() } else { &f.params })) } }
        }
        dl.facts {
            dt { (page.t("ui.sales.customer")) } dd { (order.customer_code) " " (order.customer_name) }
            dt { (page.t("ui.sales.order_date")) } dd { (order.order_date) }
            @if let Some(until) = &order.valid_until { dt { (page.t("ui.sales.valid_until")) } dd { (until) } }
            dt { (page.t("ui.sales.currency")) } dd { (order.currency) }
            dt { (page.t("ui.sales.price_includes_tax")) } dd { (page.t(if order.price_includes_tax { "ui.sales.yes" } else { "ui.sales.no" })) }
            dt { (page.t("ui.sales.delivery_status")) } dd { (form::badge(page, "ui.sales.delivery.", &order.delivery_status)) }
            dt { (page.t("ui.sales.invoice_status")) } dd { (form::badge(page, "ui.sales.invoicing.", &order.invoice_status)) }
            @if let Some(by) = &order.credit_approved_by { dt { (page.t("ui.sales.credit_approved_by")) } dd { (by) } }
            @if let Some(approval) = &order.approval {
                dt { (page.t("ui.approvals.title")) }
                dd { a href=(format!("/office/approvals/{}", approval.request_id)) { (approval.number) } " " (form::badge(page, "ui.approvals.state.", &approval.state)) }
            }
            @if !order.note.is_empty() { dt { (page.t("ui.sales.note")) } dd { (order.note) } }
        }
        p { a.button href=(format!("/api/v1/sales/orders/{id}/pdf")) { (page.t("ui.sales.print_pdf")) } }
        table.list {
            caption.sr-only { (page.t("ui.sales.lines")) }
            thead { tr {
                th { "#" } th { (page.t("ui.sales.product")) }
                th.num { (page.t("ui.sales.ordered")) } th.num { (page.t("ui.sales.delivered")) }
                th.num { (page.t("ui.sales.returned")) } th.num { (page.t("ui.sales.invoiced")) }
                th.num { (page.t("ui.sales.unit_price")) } th.num { (page.t("ui.sales.discount")) } th { (page.t("ui.sales.tax_code")) }
                th.num { (page.t("ui.sales.untaxed")) } th.num { (page.t("ui.sales.tax")) } th.num { (page.t("ui.sales.total")) }
            } }
            tbody {
                @for l in &order.lines {
                    tr {
                        td { (l.seq) } td { (l.product_code) " " (l.description) }
                        @let shown = |q: &str| view.digits.show(&l.product_id, q);
                        td.num { (shown(&l.quantity)) } td.num { (shown(&l.delivered)) } td.num { (shown(&l.returned)) } td.num { (shown(&l.invoiced)) }
                        td.num { (l.unit_price) } td.num { (l.discount) "%" } td { (l.tax_code) " (" (l.tax_rate) "%)" }
                        td.num { (l.untaxed) } td.num { (l.tax) } td.num { (l.total) }
                    }
                }
                tr.total {
                    td colspan="9" { strong { (page.t("ui.sales.sum")) } }
                    td.num { strong { (order.untaxed) } } td.num { strong { (order.tax) } } td.num { strong { (order.total) } }
                }
            }
        }
        @let buttons = order.actions.iter().any(|a| !matches!(a, OrderAction::Return));
        @if buttons {
            form.actions method="post" action=(format!("/sales/orders/{id}/act")) {
                input type="hidden" name="_csrf" value=(page.csrf());
                @if may(OrderAction::Edit) { a.button href=(format!("/sales/orders/{id}/edit")) { (page.t("ui.sales.act.edit")) } " " }
                @if may(OrderAction::Send) {
                    input type="email" name="mail_to" placeholder=(page.t("ui.sales.mail_to")) title=(page.t("ui.sales.mail_to")) " "
                    button type="submit" name="action" value="send" { (page.t("ui.sales.act.send")) } " "
                }
                @if may(OrderAction::Confirm) { button.primary type="submit" name="action" value="confirm" { (page.t("ui.sales.act.confirm")) } " " }
                @if may(OrderAction::Invoice) {
                    button type="submit" name="action" value="invoice" { (page.t("ui.sales.act.invoice")) } " "
                    button type="submit" name="action" value="invoice_ordered" { (page.t("ui.sales.act.invoice_ordered")) } " "
                }
                @if may(OrderAction::Cancel) {
                    button.danger type="submit" name="action" value="cancel" data-confirm=(page.t("ui.sales.cancel_confirm")) { (page.t("ui.sales.act.cancel")) }
                }
            }
        }
        @if over_limit && may(OrderAction::Confirm) && page.may(CREDIT_OVERRIDE) {
            form.actions method="post" action=(format!("/sales/orders/{id}/act")) {
                input type="hidden" name="_csrf" value=(page.csrf());
                input type="hidden" name="override_credit" value="1";
                button.danger type="submit" name="action" value="confirm" { (page.t("ui.sales.act.override")) }
            }
        }
        @if may(OrderAction::Return) && !returnable.is_empty() {
            section.panel aria-labelledby="return-title" {
                h2 #return-title { (page.t("ui.sales.return")) }
                @if let Some(error) = return_error {
                    @if error.fields().is_empty() { div.flash.error role="alert" { (page.t_with(error.code(), error.params())) } }
                }
                form method="post" action=(format!("/sales/orders/{id}/return")) {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    div.form-grid {
                        @let message = return_message("line_id");
                        div.field.invalid[message.is_some()] {
                            label for="return-line" { (page.t("ui.sales.return_line")) }
                            select #return-line name="line_id" {
                                @for l in &returnable {
                                    option value=(l.id) selected[typed("line_id") == l.id] {
                                        (l.seq) ". " (l.product_code) " " (l.description) " (" (page.t("ui.sales.returnable")) " " (view.digits.show(&l.product_id, &Quantity::from_scaled(remaining(l)).to_string())) ")"
                                    }
                                }
                            }
                            @if let Some(message) = message { span.error role="alert" { (message) } }
                        }
                        @let message = return_message("quantity");
                        div.field.invalid[message.is_some()] {
                            label for="return-quantity" { (page.t("ui.sales.quantity")) }
                            input #return-quantity type="text" inputmode="decimal" name="quantity" value=(typed("quantity")) required aria-invalid=[message.is_some().then_some("true")];
                            @if let Some(message) = message { span.error role="alert" { (message) } }
                        }
                        div.field {
                            label for="return-reason" { (page.t("ui.sales.return_reason")) }
                            input #return-reason type="text" name="reason" value=(typed("reason"));
                        }
                    }
                    p { button type="submit" { (page.t("ui.sales.act.return")) } }
                }
            }
        }
        section.panel aria-labelledby="pickings-title" {
            h2 #pickings-title { (page.t("ui.sales.pickings")) }
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
        @if page.may(INVOICE_READ) {
            section.panel aria-labelledby="invoices-title" {
                h2 #invoices-title { (page.t("ui.sales.invoices")) }
                @if view.invoices.is_empty() { p.meta { (page.t("ui.list.empty")) } } @else {
                    table.list {
                        thead { tr {
                            th { (page.t("ui.sales.number")) } th { (page.t("ui.sales.kind")) } th { (page.t("ui.state")) }
                            th { (page.t("ui.sales.invoice_date")) } th.num { (page.t("ui.sales.total")) } th.num { (page.t("ui.sales.paid")) }
                        } }
                        tbody {
                            @for i in &view.invoices {
                                tr {
                                    td { a href=(format!("/sales/invoices/{}", i.id)) { (if i.number.is_empty() { page.t("ui.sales.draft_invoice") } else { i.number.clone() }) } }
                                    td { (form::badge(page, "ui.sales.kind.", &i.kind)) }
                                    td { (form::badge(page, "ui.sales.invoice_state.", &i.state)) }
                                    td { (i.date) } td.num { (i.total) } td.num { (i.paid) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let mut response = shell(page, &order.number, body);
    if let Some(Problem::Action(e) | Problem::Return(e, _)) = problem {
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
    let Ok(id) = OrderId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "sales.order_not_found");
    };
    let ok = query_param(query.as_deref(), "ok");
    match load(&state, &page, id).await {
        Ok(view) => order_page(&page, &view, None, ok.as_deref()),
        Err(error) => error_page_for(&page, status_of(&error.0), &error.0),
    }
}

/// What `act` answers for a confirmation that went to the approvers instead.
const SUBMITTED: &str = "submitted";

/// The order's buttons: send, confirm (with the credit override), invoice, cancel.
pub async fn act(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = OrderId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "sales.order_not_found");
    };
    let action = form.text("action");
    let override_credit = form.get("override_credit") == Some("1");
    let mail_to = form.text("mail_to");
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| {
                let invoice = |tx: &mut Tx<'_>, basis| {
                    let request = InvoiceRequest { basis, date: None, post: true };
                    sales::invoice_order(tx, &ctx, id, &request).map(|i| Some(i.id.to_string()))
                };
                match action.as_str() {
                    // With an address, the quotation goes out as PDF by mail (through the outbox).
                    "send" if !mail_to.trim().is_empty() => {
                        crate::printing::mail_quotation(tx, &ctx, id, &mail_to, "").map(|_| None)
                    }
                    "send" => sales::send_quotation(tx, &ctx, id).map(|_| None),
                    // Over the company's limits the order is submitted for approval instead.
                    "confirm" => sales::confirm_order(tx, &ctx, id, override_credit)
                        .map(|o| o.approval.filter(|a| a.state == "pending").map(|_| SUBMITTED.to_string())),
                    "cancel" => sales::cancel_order(tx, &ctx, id).map(|_| None),
                    "invoice" => invoice(tx, InvoiceBasis::Delivered),
                    "invoice_ordered" => invoice(tx, InvoiceBasis::Ordered),
                    other => Err(Error::bad_request("sales.order_state")
                        .with_param("state", "?")
                        .with_param("action", other.to_string())),
                }
            })
        })
        .await;
    match result {
        Ok(Some(submitted)) if submitted == SUBMITTED => {
            see_other(&format!("/sales/orders/{id}"), Some("ui.approvals.submitted"))
        }
        Ok(Some(invoice)) => see_other(&format!("/sales/invoices/{invoice}"), Some("ui.sales.invoice_created")),
        Ok(None) => see_other(&format!("/sales/orders/{id}"), Some("ui.saved")),
        Err(error) => match load(&state, &page, id).await {
            Ok(view) => order_page(&page, &view, Some(Problem::Action(&error.0)), None),
            Err(e) => e.into_response(),
        },
    }
}

/// A return (RMA) of one delivered line.
pub async fn create_return(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let Ok(id) = OrderId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "sales.order_not_found");
    };
    let input = ReturnInput {
        reason: form.text("reason"),
        lines: vec![ReturnLineInput { line_id: form.text("line_id"), quantity: form.text("quantity") }],
        to: None,
    };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| sales::create_return(tx, &ctx, id, &input))).await {
        Ok(_) => see_other(&format!("/sales/orders/{id}"), Some("ui.sales.return_created")),
        Err(error) => match load(&state, &page, id).await {
            Ok(view) => order_page(&page, &view, Some(Problem::Return(&error.0, &form)), None),
            Err(e) => e.into_response(),
        },
    }
}
