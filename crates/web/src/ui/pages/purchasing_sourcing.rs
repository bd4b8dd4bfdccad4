//! Where purchase orders come from, in the web client: requisitions (drawn from the reorder
//! suggestions, approved, turned into orders one per proposed supplier) and requests for
//! quotation (the suppliers asked and the lines, the quotes typed in per supplier, the
//! comparison table with the best price per line, and the award that orders the best prices).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kernel::Error;
use maud::html;
use purchasing::PurchaseOrder;
use purchasing::permissions::{ORDER_WRITE, REQUISITION_APPROVE, RFQ_WRITE};
use purchasing::requisition::{self, Requisition, RequisitionId};
use purchasing::rfq::{self, AwardInput, QuoteInput, QuoteLineInput, Rfq, RfqId, RfqInput, RfqLineInput};

use super::purchasing::plain;
use super::sales::{field_message, other_messages, status_of, text_field};
use super::{FormData, see_other};
use crate::problem::ApiError;
use crate::state::AppState;
use crate::ui::form;
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page, error_page_for, flash, shell};

/// Where to go once orders were made: the order itself when there is one, else the list.
fn to_orders(orders: &[PurchaseOrder]) -> Response {
    match orders {
        [one] => see_other(&format!("/purchasing/orders/{}", one.id), Some("ui.purchasing.orders_created")),
        _ => see_other("/purchasing/orders?f.state=draft", Some("ui.purchasing.orders_created")),
    }
}

/// 按补货建议生成请购单: a requisition for everything the reorder rules say to order now.
pub async fn from_replenishment(State(state): State<AppState>, page: Page) -> Response {
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| requisition::requisition_from_replenishment(tx, &ctx))).await
    {
        Ok(created) => see_other(&format!("/purchasing/requisitions/{}", created.id), Some("ui.saved")),
        Err(error) => error_page_for(&page, status_of(&error.0), &error.0),
    }
}

struct RequisitionView {
    requisition: Requisition,
    /// Per line: the product's name and the proposed supplier's.
    names: Vec<(String, Option<String>)>,
}

async fn load_requisition(
    state: &AppState,
    page: &Page,
    id: RequisitionId,
) -> std::result::Result<RequisitionView, ApiError> {
    let ctx = page.ctx(state);
    state
        .blocking(move |state| {
            state.db.read(|tx| {
                let requisition = requisition::get_requisition(tx, &ctx, id)?;
                let mut names = Vec::new();
                for line in &requisition.lines {
                    let product = product::trade_info(tx, &ctx, &line.product_id)?.map(|p| p.name).unwrap_or_default();
                    let supplier = match &line.supplier_id {
                        Some(s) => party::trading_terms(tx, &ctx, s)?.map(|t| format!("{} {}", t.code, t.name)),
                        None => None,
                    };
                    names.push((product, supplier));
                }
                Ok(RequisitionView { requisition, names })
            })
        })
        .await
}

fn requisition_page(page: &Page, view: &RequisitionView, error: Option<&Error>, ok: Option<&str>) -> Response {
    let r = &view.requisition;
    let id = r.id.to_string();
    let may_approve = r.state == "draft" && page.may(REQUISITION_APPROVE);
    let may_order = r.state == "approved" && page.may(ORDER_WRITE);
    let title = format!("{} {}", page.t("ui.purchasing.requisition"), r.number);
    let body = html! {
        h1 { (title) " " (form::badge(page, "ui.purchasing.requisition_state.", &r.state)) }
        (flash(page, ok, None))
        (form::form_error(page, error))
        @for message in other_messages(page, error, &|_: &str| false) { div.flash.error role="alert" { (message) } }
        dl.facts {
            dt { (page.t("ui.purchasing.source")) } dd { (page.t(&format!("ui.purchasing.requisition_source.{}", r.source))) }
            @if !r.note.is_empty() { dt { (page.t("ui.purchasing.note")) } dd { (r.note) } }
        }
        table.list {
            caption.sr-only { (page.t("ui.purchasing.lines")) }
            thead { tr {
                th { "#" } th { (page.t("ui.purchasing.product")) } th.num { (page.t("ui.purchasing.quantity")) }
                th { (page.t("ui.purchasing.needed_by")) } th { (page.t("ui.purchasing.proposed_supplier")) }
            } }
            tbody {
                @for (i, (l, (product, supplier))) in r.lines.iter().zip(&view.names).enumerate() {
                    @let message = field_message(page, error, &format!("lines[{i}].supplier"));
                    tr {
                        td { (i + 1) } td { (l.product_code) " " (product) } td.num { (l.quantity) }
                        td { (l.needed_by.clone().unwrap_or_else(|| "—".into())) }
                        td {
                            (supplier.clone().unwrap_or_else(|| page.t("ui.purchasing.no_supplier")))
                            @if let Some(message) = message { " " span.error role="alert" { (message) } }
                        }
                    }
                }
            }
        }
        @if may_approve || may_order {
            form.actions method="post" action=(format!("/purchasing/requisitions/{id}/act")) {
                input type="hidden" name="_csrf" value=(page.csrf());
                @if may_approve { button.primary type="submit" name="action" value="approve" { (page.t("ui.purchasing.act.approve")) } " " }
                @if may_order { button.primary type="submit" name="action" value="order" { (page.t("ui.purchasing.act.order")) } }
            }
        }
    };
    let mut response = shell(page, &title, body);
    if let Some(error) = error {
        *response.status_mut() = status_of(error);
    }
    response
}

pub async fn requisition(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(id) = RequisitionId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "purchasing.requisition_not_found");
    };
    let ok = query_param(query.as_deref(), "ok");
    match load_requisition(&state, &page, id).await {
        Ok(view) => requisition_page(&page, &view, None, ok.as_deref()),
        Err(error) => error_page_for(&page, status_of(&error.0), &error.0),
    }
}

/// Approve a draft requisition, or turn an approved one into orders (one per supplier).
pub async fn requisition_act(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    let Ok(id) = RequisitionId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "purchasing.requisition_not_found");
    };
    let action = form.text("action");
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| match action.as_str() {
                "approve" => requisition::approve_requisition(tx, &ctx, id).map(|_| None),
                "order" => requisition::order_requisition(tx, &ctx, id).map(Some),
                _ => Err(Error::bad_request("purchasing.requisition_state").with_param("state", "?")),
            })
        })
        .await;
    match result {
        Ok(Some(orders)) => to_orders(&orders),
        Ok(None) => see_other(&format!("/purchasing/requisitions/{id}"), Some("ui.saved")),
        Err(error) => match load_requisition(&state, &page, id).await {
            Ok(view) => requisition_page(&page, &view, Some(&error.0), None),
            Err(e) => e.into_response(),
        },
    }
}

/// The request for quotation form as typed.
#[derive(Clone, Debug, Default)]
struct RfqForm {
    suppliers: Vec<String>,
    deadline: String,
    note: String,
    lines: Vec<(String, String)>,
}

impl RfqForm {
    fn from_form(form: &FormData) -> RfqForm {
        let products = form.all("line_product");
        let quantities = form.all("line_quantity");
        let lines = (0..products.len().max(quantities.len()))
            .map(|i| {
                let at = |c: &[String]| c.get(i).map(|v| v.trim().to_string()).unwrap_or_default();
                (at(&products), at(&quantities))
            })
            .filter(|(p, q)| !p.is_empty() || !q.is_empty())
            .collect();
        RfqForm {
            suppliers: form
                .all("supplier")
                .into_iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            deadline: form.text("deadline"),
            note: form.text("note"),
            lines,
        }
    }

    fn input(&self) -> RfqInput {
        RfqInput {
            suppliers: self.suppliers.clone(),
            lines: self.lines.iter().map(|(p, q)| RfqLineInput { product: p.clone(), quantity: q.clone() }).collect(),
            deadline: Some(self.deadline.clone()).filter(|d| !d.is_empty()),
            note: self.note.clone(),
        }
    }
}

fn rfq_form_page(page: &Page, values: &RfqForm, spare: usize, error: Option<&Error>) -> Response {
    let title = page.t("ui.purchasing.rfq_new");
    let supplier_rows = values.suppliers.len() + spare;
    let line_rows = values.lines.len() + spare;
    let known = |field: &str| {
        ["deadline", "note", "suppliers"].contains(&field)
            || (0..supplier_rows).any(|i| field == format!("suppliers[{i}]"))
            || (0..line_rows).any(|i| field == format!("lines[{i}].product") || field == format!("lines[{i}].quantity"))
    };
    let others = other_messages(page, error, &known);
    let body = html! {
        h1 { (title) }
        form.panel method="post" action="/purchasing/rfqs/new" data-save {
            input type="hidden" name="_csrf" value=(page.csrf());
            (form::form_error(page, error))
            @for message in &others { div.flash.error role="alert" { (message) } }
            div.form-grid {
                (text_field(page, "deadline", "ui.purchasing.deadline", "date", &values.deadline, None, error))
                (text_field(page, "note", "ui.purchasing.note", "text", &values.note, None, error))
            }
            h2 { (page.t("ui.purchasing.rfq_suppliers")) }
            table.list.edit-rows {
                thead { tr { th { "#" } th { (page.t("ui.purchasing.supplier_code")) } } }
                tbody {
                    @for i in 0..supplier_rows {
                        @let message = field_message(page, error, &format!("suppliers[{i}]"))
                            .or_else(|| if i == 0 { field_message(page, error, "suppliers") } else { None });
                        tr {
                            td { (i + 1) }
                            td {
                                div.field.invalid[message.is_some()] {
                                    input type="text" name="supplier" value=(values.suppliers.get(i).cloned().unwrap_or_default()) data-lookup="suppliers"
                                        aria-label=(format!("{} {}", page.t("ui.purchasing.supplier_code"), i + 1))
                                        aria-invalid=[message.is_some().then_some("true")];
                                    @if let Some(message) = message { span.error role="alert" { (message) } }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (page.t("ui.purchasing.lines")) }
            table.list.edit-rows {
                thead { tr { th { "#" } th { (page.t("ui.purchasing.product")) } th { (page.t("ui.purchasing.quantity")) } } }
                tbody {
                    @for i in 0..line_rows {
                        @let (product, quantity) = values.lines.get(i).cloned().unwrap_or_default();
                        tr {
                            td { (i + 1) }
                            @for (name, field, value, label, list) in [("line_product", "product", &product, "ui.purchasing.product", Some("products")), ("line_quantity", "quantity", &quantity, "ui.purchasing.quantity", None)] {
                                @let message = field_message(page, error, &format!("lines[{i}].{field}"));
                                td {
                                    div.field.invalid[message.is_some()] {
                                        input type="text" name=(name) value=(value) data-lookup=[list]
                                            inputmode=[list.is_none().then_some("decimal")]
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

pub async fn rfq_new_form(page: Page) -> Response {
    rfq_form_page(&page, &RfqForm::default(), 2, None)
}

pub async fn rfq_create(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let values = RfqForm::from_form(&form);
    if form.get("more").is_some() {
        return rfq_form_page(&page, &values, 3, None);
    }
    let input = values.input();
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| rfq::create_rfq(tx, &ctx, &input))).await {
        Ok(created) => see_other(&format!("/purchasing/rfqs/{}", created.id), Some("ui.saved")),
        Err(error) => rfq_form_page(&page, &values, 1, Some(&error.0)),
    }
}

/// What went wrong on the request's page.
enum Problem<'a> {
    /// A supplier's quote refused: the supplier, the error, what was typed, the rows sent.
    Quote(&'a str, &'a Error, &'a FormData, &'a [usize]),
    Award(&'a Error),
}

async fn load_rfq(state: &AppState, page: &Page, id: RfqId) -> std::result::Result<Rfq, ApiError> {
    let ctx = page.ctx(state);
    state.blocking(move |state| state.db.read(|tx| rfq::get_rfq(tx, &ctx, id))).await
}

/// A supplier's quote for a line, if it quoted.
fn quote_of<'a>(line: &'a rfq::ComparisonLine, supplier: &str) -> Option<&'a rfq::QuoteCell> {
    line.quotes.iter().find(|q| q.supplier_id == supplier)
}

fn rfq_page(page: &Page, rfq: &Rfq, problem: Option<Problem>, ok: Option<&str>) -> Response {
    let id = rfq.id.to_string();
    let open = rfq.state == "open";
    let award_error = match &problem {
        Some(Problem::Award(e)) => Some(*e),
        _ => None,
    };
    let title = format!("{} {}", page.t("ui.purchasing.rfq"), rfq.number);
    let body = html! {
        h1 { (title) " " (form::badge(page, "ui.purchasing.rfq_state.", &rfq.state)) }
        (flash(page, ok, None))
        (form::form_error(page, award_error))
        @for message in other_messages(page, award_error, &|_: &str| false) { div.flash.error role="alert" { (message) } }
        @if let Some(deadline) = &rfq.deadline { dl.facts { dt { (page.t("ui.purchasing.deadline")) } dd { (deadline) } } }
        section.panel aria-labelledby="compare-title" {
            h2 #compare-title { (page.t("ui.purchasing.comparison")) }
            table.list.comparison {
                thead { tr {
                    th { "#" } th { (page.t("ui.purchasing.product")) } th.num { (page.t("ui.purchasing.quantity")) }
                    @for s in &rfq.suppliers { th.num scope="col" { (s.supplier_name) } }
                } }
                tbody {
                    @for (i, line) in rfq.lines.iter().enumerate() {
                        tr {
                            td { (i + 1) } td { (line.product_code) } td.num { (plain(&line.quantity)) }
                            @for s in &rfq.suppliers {
                                @match quote_of(line, &s.supplier_id) {
                                    Some(q) if q.best => td.num.best {
                                        mark { strong { (plain(&q.unit_price)) } } " " span.badge.done { (page.t("ui.purchasing.best_price")) }
                                        div.meta { (q.amount) " · " (page.t_with("ui.purchasing.lead_days", &[("days", q.lead_time_days.to_string())])) }
                                    },
                                    Some(q) => td.num {
                                        (plain(&q.unit_price))
                                        div.meta { (q.amount) " · " (page.t_with("ui.purchasing.lead_days", &[("days", q.lead_time_days.to_string())])) }
                                    },
                                    None => td.num { span.meta { (page.t("ui.purchasing.not_quoted")) } },
                                }
                            }
                        }
                    }
                    tr.total {
                        td colspan="3" { strong { (page.t("ui.purchasing.supplier_totals")) } }
                        @for s in &rfq.suppliers {
                            td.num {
                                strong { (s.amount) }
                                div.meta { (page.t_with("ui.purchasing.lines_quoted", &[("quoted", s.lines_quoted.to_string()), ("lines", rfq.lines.len().to_string())])) }
                            }
                        }
                    }
                }
            }
            p.meta { (page.t("ui.purchasing.comparison_hint")) }
        }
        @if open && page.may(ORDER_WRITE) {
            form.actions method="post" action=(format!("/purchasing/rfqs/{id}/award")) {
                input type="hidden" name="_csrf" value=(page.csrf());
                label { input type="checkbox" name="confirm" value="1"; " " (page.t("ui.purchasing.confirm_at_once")) }
                " "
                button.primary type="submit" data-confirm=(page.t("ui.purchasing.award_confirm")) { (page.t("ui.purchasing.act.award")) }
            }
        }
        @if open && page.may(RFQ_WRITE) {
            @for (n, s) in rfq.suppliers.iter().enumerate() {
                @let (error, typed, sent) = match &problem {
                    Some(Problem::Quote(supplier, e, f, sent)) if *supplier == s.supplier_id => (Some(*e), Some(*f), *sent),
                    _ => (None, None, &[][..]),
                };
                @let message = |row: usize, field: &str| {
                    let k = sent.iter().position(|r| *r == row)?;
                    field_message(page, error, &format!("lines[{k}].{field}"))
                };
                @let known = |field: &str| (0..sent.len()).any(|k| field == format!("lines[{k}].unit_price") || field == format!("lines[{k}].lead_time_days"));
                @let typed_at = |name: &str, row: usize| typed.and_then(|f| f.all(name).get(row).cloned());
                section.panel aria-labelledby=(format!("quote-title-{n}")) {
                    h2 id=(format!("quote-title-{n}")) { (page.t("ui.purchasing.quote_entry")) " " (s.supplier_name) }
                    @if let Some(error) = error { @if error.fields().is_empty() { (form::form_error(page, Some(error))) } }
                    @for m in other_messages(page, error, &known) { div.flash.error role="alert" { (m) } }
                    form method="post" action=(format!("/purchasing/rfqs/{id}/quote")) {
                        input type="hidden" name="_csrf" value=(page.csrf());
                        input type="hidden" name="supplier" value=(s.supplier_id);
                        table.list.edit-rows {
                            thead { tr {
                                th { "#" } th { (page.t("ui.purchasing.product")) } th.num { (page.t("ui.purchasing.quantity")) }
                                th { (page.t("ui.purchasing.quote_price")) } th { (page.t("ui.purchasing.lead_time")) }
                            } }
                            tbody {
                                @for (row, line) in rfq.lines.iter().enumerate() {
                                    @let stored = quote_of(line, &s.supplier_id);
                                    @let price = typed_at("quote_price", row).unwrap_or_else(|| stored.map(|q| plain(&q.unit_price)).unwrap_or_default());
                                    @let lead = typed_at("quote_lead", row).unwrap_or_else(|| stored.map(|q| q.lead_time_days.to_string()).unwrap_or_default());
                                    tr {
                                        td { (row + 1) } td { (line.product_code) } td.num { (plain(&line.quantity)) }
                                        @for (name, field, value, label) in [("quote_price", "unit_price", &price, "ui.purchasing.quote_price"), ("quote_lead", "lead_time_days", &lead, "ui.purchasing.lead_time")] {
                                            @let m = message(row, field);
                                            td {
                                                div.field.invalid[m.is_some()] {
                                                    @if name == "quote_price" { input type="hidden" name="quote_line" value=(line.line_id); }
                                                    input type="text" inputmode="decimal" name=(name) value=(value)
                                                        aria-label=(format!("{} {} {}", s.supplier_name, page.t(label), row + 1))
                                                        aria-invalid=[m.is_some().then_some("true")];
                                                    @if let Some(m) = m { span.error role="alert" { (m) } }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        p { button type="submit" { (page.t("ui.purchasing.act.save_quote")) } }
                    }
                }
            }
        }
    };
    let mut response = shell(page, &title, body);
    if let Some(Problem::Quote(_, e, _, _) | Problem::Award(e)) = problem {
        *response.status_mut() = status_of(e);
    }
    response
}

pub async fn rfq(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(id) = RfqId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "purchasing.rfq_not_found");
    };
    let ok = query_param(query.as_deref(), "ok");
    match load_rfq(&state, &page, id).await {
        Ok(rfq) => rfq_page(&page, &rfq, None, ok.as_deref()),
        Err(error) => error_page_for(&page, status_of(&error.0), &error.0),
    }
}

async fn rfq_refused(state: &AppState, page: &Page, id: RfqId, problem: Problem<'_>) -> Response {
    match load_rfq(state, page, id).await {
        Ok(rfq) => rfq_page(page, &rfq, Some(problem), None),
        Err(e) => e.into_response(),
    }
}

/// A supplier's quote: rows with a price are quoted, empty rows are left out.
pub async fn quote(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = RfqId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "purchasing.rfq_not_found");
    };
    let supplier = form.text("supplier");
    let (ids, prices, leads) = (form.all("quote_line"), form.all("quote_price"), form.all("quote_lead"));
    let cell = |column: &[String], row: usize| column.get(row).map(|v| v.trim().to_string()).unwrap_or_default();
    let mut sent = Vec::new();
    let mut lines = Vec::new();
    let mut problems = Error::invalid("validation.failed");
    for (row, line_id) in ids.iter().enumerate() {
        let price = cell(&prices, row);
        if price.is_empty() {
            continue;
        }
        let lead = cell(&leads, row);
        let lead_time_days = match lead.parse::<i64>() {
            Ok(days) if days >= 0 => days,
            _ if lead.is_empty() => 0,
            _ => {
                problems = problems
                    .with_field(format!("lines[{}].lead_time_days", sent.len()), "ui.purchasing.lead_time_invalid");
                0
            }
        };
        sent.push(row);
        lines.push(QuoteLineInput { line_id: line_id.clone(), unit_price: price, lead_time_days });
    }
    if !problems.fields().is_empty() {
        return rfq_refused(&state, &page, id, Problem::Quote(&supplier, &problems, &form, &sent)).await;
    }
    let input = QuoteInput { supplier: supplier.clone(), lines };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| rfq::record_quote(tx, &ctx, id, &input))).await {
        Ok(_) => see_other(&format!("/purchasing/rfqs/{id}"), Some("ui.purchasing.quote_saved")),
        Err(error) => rfq_refused(&state, &page, id, Problem::Quote(&supplier, &error.0, &form, &sent)).await,
    }
}

/// 授标: orders at the best price of each line, one per supplier.
pub async fn award(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = RfqId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "purchasing.rfq_not_found");
    };
    let input = AwardInput { choices: None, confirm: form.get("confirm").is_some() };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| rfq::award(tx, &ctx, id, &input))).await {
        Ok(orders) => to_orders(&orders),
        Err(error) => rfq_refused(&state, &page, id, Problem::Award(&error.0)).await,
    }
}
