//! Vendor bills in the web client: the list, and the bill with its lines, the three-way match
//! (its notes shown first while the bill is blocked), the buttons its state allows (post and
//! cancel a draft, 放行 a blocked bill) and the payment to the supplier (登记付款), which the
//! ledger refuses while the bill is blocked.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::listing::{ListPage, ListQuery};
use kernel::{Ctx, Currency, Error, Money, Result};
use ledger::{Direction, PaymentInput};
use maud::html;
use purchasing::permissions::{BILL_RELEASE, BILL_WRITE, ORDER_READ};
use purchasing::{BILL_LIST, Bill, BillId, PurchaseOrderId};

use super::purchasing::{match_badge, plain};
use super::sales::{money_columns, other_messages, status_of, text_field};
use super::{FormData, see_other};
use crate::problem::ApiError;
use crate::state::AppState;
use crate::ui::form;
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page, error_page_for, flash, shell};
use crate::ui::list::{self, ColumnView, FilterField, FilterInput, ListParams, ListView, Show};

const BILL_COLUMNS: &[ColumnView] = &[
    ColumnView { key: "number", label: "ui.purchasing.number", show: Show::Link },
    ColumnView { key: "kind", label: "ui.purchasing.kind", show: Show::Badge("ui.purchasing.kind.") },
    ColumnView { key: "supplier", label: "ui.purchasing.supplier", show: Show::Text },
    ColumnView { key: "bill_date", label: "ui.purchasing.bill_date", show: Show::Text },
    ColumnView { key: "due_date", label: "ui.purchasing.due_date", show: Show::Text },
    ColumnView { key: "match_state", label: "ui.purchasing.match_state", show: Show::Badge("ui.purchasing.match.") },
    ColumnView { key: "state", label: "ui.state", show: Show::Badge("ui.purchasing.bill_state.") },
    ColumnView { key: "total", label: "ui.purchasing.total", show: Show::Amount },
];

const BILL_STATES: [&str; 4] = ["draft", "posted", "paid", "cancelled"];
const MATCH_STATES: [&str; 3] = ["matched", "blocked", "released"];
const KINDS: [&str; 2] = ["bill", "debit_note"];

fn choices(page: &Page, prefix: &str, codes: &[&str]) -> Vec<(String, String)> {
    codes.iter().map(|c| (c.to_string(), page.t(&format!("{prefix}{c}")))).collect()
}

fn bill_rows(tx: &mut Tx<'_>, ctx: &Ctx, query: &ListQuery) -> Result<ListPage> {
    Ok(money_columns(purchasing::list_bills(tx, ctx, query)?, &BILL_LIST, &["total"], None))
}

pub async fn bills(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let view = ListView {
        key: "purchasing.bills",
        title: "ui.purchasing.bills",
        base: "/purchasing/bills",
        spec: &BILL_LIST,
        columns: BILL_COLUMNS,
        filters: vec![
            FilterField { key: "number", label: "ui.purchasing.number", input: FilterInput::Text },
            FilterField { key: "supplier", label: "ui.purchasing.supplier", input: FilterInput::Text },
            FilterField {
                key: "match_state",
                label: "ui.purchasing.match_state",
                input: FilterInput::Choice(choices(&page, "ui.purchasing.match.", &MATCH_STATES)),
            },
            FilterField {
                key: "state",
                label: "ui.state",
                input: FilterInput::Choice(choices(&page, "ui.purchasing.bill_state.", &BILL_STATES)),
            },
            FilterField {
                key: "kind",
                label: "ui.purchasing.kind",
                input: FilterInput::Choice(choices(&page, "ui.purchasing.kind.", &KINDS)),
            },
        ],
        bulk: vec![],
        new_href: None,
    };
    list::handle(&state, &page, view, ListParams::parse(query.as_deref()), bill_rows).await
}

/// What is still to be paid, in the bill's currency (minor units).
fn open_minor(bill: &Bill) -> i64 {
    let currency = Currency::from_code(&bill.currency).unwrap_or(Currency::CNY);
    let minor = |text: &str| Money::parse(text, currency).map(|m| m.minor()).unwrap_or(0);
    minor(&bill.total) - minor(&bill.paid)
}

struct BillView {
    bill: Bill,
    supplier: String,
    order_number: Option<String>,
}

async fn load(state: &AppState, page: &Page, id: BillId) -> std::result::Result<BillView, ApiError> {
    let ctx = page.ctx(state);
    let orders = page.may(ORDER_READ);
    state
        .blocking(move |state| {
            state.db.read(|tx| {
                let bill = purchasing::get_bill(tx, &ctx, id)?;
                let supplier =
                    party::trading_terms(tx, &ctx, &bill.supplier_id)?.map(|s| format!("{} {}", s.code, s.name));
                let order_number = match (&bill.order_id, orders) {
                    (Some(order), true) => {
                        Some(purchasing::get_order(tx, &ctx, PurchaseOrderId::parse(order)?)?.number)
                    }
                    _ => None,
                };
                Ok(BillView { supplier: supplier.unwrap_or_else(|| bill.supplier_id.clone()), bill, order_number })
            })
        })
        .await
}

/// What went wrong on the bill page, and which form it belongs to.
enum Problem<'a> {
    Action(&'a Error),
    Payment(&'a Error, &'a FormData),
}

fn bill_page(page: &Page, view: &BillView, problem: Option<Problem>, ok: Option<&str>) -> Response {
    let bill = &view.bill;
    let id = bill.id.to_string();
    let currency = Currency::from_code(&bill.currency).unwrap_or(Currency::CNY);
    let open = open_minor(bill);
    let (action_error, payment) = match &problem {
        Some(Problem::Action(e)) => (Some(*e), None),
        Some(Problem::Payment(e, f)) => (None, Some((*e, *f))),
        None => (None, None),
    };
    let payment_error = payment.map(|(e, _)| e);
    let default_amount =
        if bill.currency == "CNY" && open > 0 { Money::from_minor(open, currency).to_string() } else { String::new() };
    let typed_payment =
        |name: &str, default: &str| payment.map(|(_, f)| f.text(name)).unwrap_or_else(|| default.to_string());
    let draft = bill.state == "draft";
    let blocked = bill.match_state == "blocked";
    let may_post = draft && page.may(BILL_WRITE);
    let may_release = blocked && page.may(BILL_RELEASE);
    let payable = page.may(ledger::permissions::PAYMENT) && bill.state == "posted" && bill.kind == "bill";
    let title = format!(
        "{} {}",
        page.t(&format!("ui.purchasing.kind.{}", bill.kind)),
        bill.number.clone().unwrap_or_else(|| page.t("ui.purchasing.draft_bill"))
    );
    let body = html! {
        h1 { (title) " " (form::badge(page, "ui.purchasing.bill_state.", &bill.state)) " " (match_badge(page, &bill.match_state)) }
        (flash(page, ok, None))
        @if blocked {
            div.flash.error role="alert" {
                strong { (page.t("ui.purchasing.blocked_title")) }
                ul { @for note in &bill.match_notes { li { (note) } } }
            }
        } @else if !bill.match_notes.is_empty() {
            section.panel aria-labelledby="notes-title" {
                h2 #notes-title { (page.t("ui.purchasing.match_notes")) }
                ul { @for note in &bill.match_notes { li { (note) } } }
            }
        }
        (form::form_error(page, action_error))
        dl.facts {
            dt { (page.t("ui.purchasing.supplier")) } dd { (view.supplier) }
            @if bill.state != "draft" { (super::ledger::voucher_link(page, "purchasing.bill", &id)) }
            @if let Some(order) = &bill.order_id {
                dt { (page.t("ui.purchasing.order")) }
                dd {
                    @if let Some(number) = &view.order_number { a href=(format!("/purchasing/orders/{order}")) { (number) } }
                    @else { "—" }
                }
            }
            dt { (page.t("ui.purchasing.supplier_reference")) } dd { (if bill.supplier_reference.is_empty() { "—" } else { &bill.supplier_reference }) }
            dt { (page.t("ui.purchasing.bill_date")) } dd { (bill.bill_date) }
            dt { (page.t("ui.purchasing.due_date")) } dd { (bill.due_date) }
            dt { (page.t("ui.purchasing.currency")) } dd { (bill.currency) }
            dt { (page.t("ui.purchasing.untaxed")) } dd { (bill.untaxed) }
            dt { (page.t("ui.purchasing.tax")) } dd { (bill.tax) }
            dt { (page.t("ui.purchasing.total")) } dd { strong { (bill.total) } }
            dt { (page.t("ui.purchasing.paid")) } dd { (bill.paid) }
            @if matches!(bill.state.as_str(), "posted" | "paid") {
                dt { (page.t("ui.purchasing.open")) } dd { (Money::from_minor(open, currency).to_string()) }
            }
        }
        table.list {
            caption.sr-only { (page.t("ui.purchasing.lines")) }
            thead { tr {
                th { "#" } th { (page.t("ui.purchasing.product")) } th.num { (page.t("ui.purchasing.quantity")) }
                th.num { (page.t("ui.purchasing.unit_price")) } th { (page.t("ui.purchasing.tax_code")) }
                th.num { (page.t("ui.purchasing.untaxed")) } th.num { (page.t("ui.purchasing.tax")) } th.num { (page.t("ui.purchasing.total")) }
            } }
            tbody {
                @for l in &bill.lines {
                    tr {
                        td { (l.seq) } td { (l.description) } td.num { (l.quantity) }
                        td.num { (plain(&l.unit_price)) } td { (l.tax_code) }
                        td.num { (l.untaxed) } td.num { (l.tax) } td.num { (l.total) }
                    }
                }
                tr.total {
                    td colspan="5" { strong { (page.t("ui.purchasing.sum")) } }
                    td.num { strong { (bill.untaxed) } } td.num { strong { (bill.tax) } } td.num { strong { (bill.total) } }
                }
            }
        }
        @if may_post || may_release {
            form.actions method="post" action=(format!("/purchasing/bills/{id}/act")) {
                input type="hidden" name="_csrf" value=(page.csrf());
                @if may_post { button.primary type="submit" name="action" value="post" { (page.t("ui.purchasing.act.post")) } " " }
                @if may_release {
                    button type="submit" name="action" value="release" data-confirm=(page.t("ui.purchasing.release_confirm")) { (page.t("ui.purchasing.act.release")) } " "
                }
                @if may_post {
                    button.danger type="submit" name="action" value="cancel" data-confirm=(page.t("ui.purchasing.cancel_bill_confirm")) { (page.t("ui.purchasing.act.cancel_bill")) }
                }
            }
        }
        @if payable {
            section.panel aria-labelledby="payment-title" {
                h2 #payment-title { (page.t("ui.purchasing.payment")) }
                form method="post" action=(format!("/purchasing/bills/{id}/payment")) {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    @if let Some(error) = payment_error { @if error.fields().is_empty() { (form::form_error(page, Some(error))) } }
                    @for message in other_messages(page, payment_error, &|f: &str| ["amount", "date", "account"].contains(&f)) { div.flash.error role="alert" { (message) } }
                    @if blocked && payment_error.is_none() { p.meta { (page.t("ui.purchasing.payment_blocked_hint")) } }
                    div.form-grid {
                        (text_field(page, "amount", "ui.purchasing.payment_amount", "text", &typed_payment("amount", &default_amount), None, payment_error))
                        (text_field(page, "date", "ui.purchasing.payment_date", "date", &typed_payment("date", ""), None, payment_error))
                        (text_field(page, "account", "ui.purchasing.payment_account", "text", &typed_payment("account", ""), Some("accounts"), payment_error))
                        (text_field(page, "reference", "ui.purchasing.payment_reference", "text", &typed_payment("reference", ""), None, payment_error))
                    }
                    p.meta { (page.t("ui.purchasing.payment_hint")) }
                    p { button.primary type="submit" { (page.t("ui.purchasing.act.register_payment")) } }
                }
            }
        }
    };
    let mut response = shell(page, &title, body);
    if let Some(Problem::Action(e) | Problem::Payment(e, _)) = problem {
        *response.status_mut() = status_of(e);
    }
    response
}

/// After a refused form: the bill again with the problem beside the form.
async fn refused(state: &AppState, page: &Page, id: BillId, problem: Problem<'_>) -> Response {
    match load(state, page, id).await {
        Ok(view) => bill_page(page, &view, Some(problem), None),
        Err(e) => e.into_response(),
    }
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(id) = BillId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "purchasing.bill_not_found");
    };
    let ok = query_param(query.as_deref(), "ok");
    match load(&state, &page, id).await {
        Ok(view) => bill_page(&page, &view, None, ok.as_deref()),
        Err(error) => error_page_for(&page, status_of(&error.0), &error.0),
    }
}

/// Post or cancel a draft; release a blocked bill for payment.
pub async fn act(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = BillId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "purchasing.bill_not_found");
    };
    let action = form.text("action");
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| match action.as_str() {
                "post" => purchasing::post_bill(tx, &ctx, id),
                "cancel" => purchasing::bill::cancel_bill(tx, &ctx, id),
                "release" => purchasing::release_bill(tx, &ctx, id),
                other => Err(Error::bad_request("purchasing.bill_state")
                    .with_param("state", "?")
                    .with_param("action", other.to_string())),
            })
        })
        .await;
    match result {
        Ok(_) => see_other(&format!("/purchasing/bills/{id}"), Some("ui.saved")),
        Err(error) => refused(&state, &page, id, Problem::Action(&error.0)).await,
    }
}

/// 登记付款: a payment to the supplier matched against this bill (refused while it is blocked).
pub async fn payment(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = BillId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "purchasing.bill_not_found");
    };
    let opt = |name: &str| Some(form.text(name)).filter(|v| !v.is_empty());
    let (amount, date, account, reference) = (form.text("amount"), opt("date"), opt("account"), form.text("reference"));
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| {
                let bill = purchasing::get_bill(tx, &ctx, id)?;
                if bill.state != "posted" || bill.kind != "bill" {
                    return Err(Error::conflict("purchasing.bill_state")
                        .with_param("state", bill.state)
                        .with_param("action", "payment"));
                }
                ledger::register_payment(
                    tx,
                    &ctx,
                    &PaymentInput {
                        direction: Direction::Payment,
                        partner_id: bill.supplier_id,
                        amount,
                        date,
                        account,
                        reference,
                        documents: vec![DocRef::new("purchasing.bill", id)],
                        currency: None,
                        rate: None,
                        method: None,
                    },
                )
            })
        })
        .await;
    match result {
        Ok(_) => see_other(&format!("/purchasing/bills/{id}"), Some("ui.purchasing.payment_registered")),
        Err(error) => refused(&state, &page, id, Problem::Payment(&error.0, &form)).await,
    }
}
