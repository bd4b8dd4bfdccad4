//! 系统初始化 (opening balances) on a page: the first month, the checks that must pass (试算平衡,
//! stock = stock accounts) with the button that ends initialisation, and the three kinds of
//! opening data — balances by account and dimension with the year's turnover, unpaid invoices
//! and bills, opening stock — each entered in a row form or imported from its XLSX template
//! (with the import page's dry run). Reopening is offered until the first month is closed.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use inventory::opening::{OpeningStockInput, OpeningStockLine};
use kernel::Error;
use kernel::db::Tx;
use ledger::opening::{Opening, OpeningBalance, OpeningBalanceInput, OpeningItem, OpeningItemInput};
use maud::{Markup, html};

use super::{FormData, see_other};
use crate::state::AppState;
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{flash, shell};
use crate::ui::quantities::Digits;

const HOME: &str = "/finance/opening";

/// What the page shows.
struct Data {
    status: Opening,
    balances: Vec<OpeningBalance>,
    items: Vec<OpeningItem>,
    stock: Vec<OpeningStockLine>,
    /// The opening stock's value (fen).
    stock_value: i64,
    /// Partner id → (code, name).
    partners: std::collections::HashMap<String, (String, String)>,
    digits: Digits,
}

fn load(tx: &mut Tx<'_>, ctx: &kernel::Ctx, catalog: &kernel::i18n::Catalog) -> kernel::Result<Data> {
    let status = crate::api::opening::opening_status(tx, ctx, catalog)?;
    let balances = ledger::opening::list_balances(tx, ctx)?;
    let items = ledger::opening::list_items(tx, ctx)?;
    let stock = if ctx.may(inventory::permissions::STOCK_READ) {
        inventory::opening::list_opening_stock(tx, ctx)?
    } else {
        Vec::new()
    };
    let ids: Vec<String> = balances
        .iter()
        .filter_map(|b| b.partner_id.clone())
        .chain(items.iter().map(|i| i.partner_id.clone()))
        .collect();
    let partners = party::lookup::names_of(tx, ctx, &ids)?;
    let stock_value = inventory::opening::opening_stock_value(tx, ctx)?;
    let digits = Digits::load(tx, ctx, stock.iter().map(|l| l.product_code.as_str()))?;
    Ok(Data { status, balances, items, stock, stock_value, partners, digits })
}

fn amount(text: &str) -> String {
    kernel::money::with_thousands(text)
}

fn partner(data: &Data, id: &str) -> String {
    data.partners.get(id).map(|(code, name)| format!("{code} {name}")).unwrap_or_else(|| id.to_string())
}

fn delete_button(page: &Page, action: &str, allowed: bool) -> Markup {
    html! {
        @if allowed {
            form.inline method="post" action=(action) {
                input type="hidden" name="_csrf" value=(page.csrf());
                button.link type="submit" { (page.t("ui.delete")) }
            }
        }
    }
}

fn render(page: &Page, data: &Data, ok: Option<&str>, error: Option<&Error>) -> Response {
    let status = &data.status;
    let entering = status.state == "entering";
    let post = page.may(ledger::permissions::POST) && entering;
    let stock_write = page.may(inventory::permissions::STOCK_COUNT) && entering;
    let error_text = error.map(|e| {
        let mut text = page.t_with(e.code(), e.params());
        for field in e.fields() {
            text.push_str(&format!(" · {}: {}", field.field, page.t_with(field.code, &field.params)));
        }
        text
    });
    let body = html! {
        h1 { (page.t("ui.opening.title")) " " span.badge.(status.state) { (page.t(&format!("ui.opening.state.{}", status.state))) } }
        (flash(page, ok, error_text.as_deref()))
        p.muted { (page.t("ui.opening.intro")) }
        section.panel data-opening-status {
            h2 { (page.t("ui.opening.check")) }
            form.inline method="post" action="/finance/opening/start" {
                input type="hidden" name="_csrf" value=(page.csrf());
                label for="start_period" { (page.t("ui.opening.start_period")) } " "
                input #start_period type="month" name="start_period" value=(status.start_period) readonly[!post];
                @if post { " " button type="submit" { (page.t("ui.save")) } }
            }
            table.report {
                tbody {
                    tr { th { (page.t("ui.opening.balance_debit")) } td.num { (amount(&status.balance_debit)) }
                         th { (page.t("ui.opening.balance_credit")) } td.num { (amount(&status.balance_credit)) } }
                    tr { th { (page.t("ui.opening.ytd_debit")) } td.num { (amount(&status.ytd_debit)) }
                         th { (page.t("ui.opening.ytd_credit")) } td.num { (amount(&status.ytd_credit)) } }
                    tr { th { (page.t("ui.opening.receivable")) } td.num { (amount(&status.receivable)) }
                         th { (page.t("ui.opening.payable")) } td.num { (amount(&status.payable)) } }
                    tr { th { (page.t("ui.opening.stock_accounts")) } td.num { (amount(&status.stock_accounts)) }
                         th { (page.t("ui.opening.stock_value")) }
                         td.num { (amount(&kernel::Money::from_minor(data.stock_value, kernel::Currency::CNY).to_string())) } }
                }
            }
            @if entering {
                @if status.problems.is_empty() {
                    p.ok data-ready { "✓ " (page.t("ui.opening.ready")) }
                } @else {
                    ul.problems data-problems {
                        @for problem in &status.problems { li data-problem=(problem.code) { (problem.message) } }
                    }
                }
            } @else {
                p { (page.t("ui.opening.ended_by")) " " (status.ended_by.clone().unwrap_or_default()) " · " (status.ended_at.clone().unwrap_or_default()) }
            }
            @if status.can_end && page.may(ledger::permissions::POST) {
                form method="post" action="/finance/opening/end" {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    button.primary type="submit" data-end { (page.t("ui.opening.end")) }
                }
            }
            @if status.can_reopen {
                form method="post" action="/finance/opening/reopen" {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    button type="submit" data-reopen { (page.t("ui.opening.reopen")) }
                }
            }
        }

        section.panel data-opening-balances {
            h2 { (page.t("ui.opening.balances")) " " a.button href="/imports?type=opening-balances" { (page.t("ui.opening.import")) } }
            table.list {
                thead { tr {
                    th { (page.t("ui.ledger.account")) } th { (page.t("ui.opening.dimension")) }
                    th.num { (page.t("ui.opening.debit")) } th.num { (page.t("ui.opening.credit")) }
                    th.num { (page.t("ui.opening.ytd_debit")) } th.num { (page.t("ui.opening.ytd_credit")) } th {}
                } }
                tbody {
                    @for b in &data.balances {
                        tr data-row {
                            td { (b.account_code) " " (b.account_name) }
                            td { @if let Some(p) = &b.partner_id { (partner(data, p)) } " " (b.department.clone().unwrap_or_default()) " " (b.project.clone().unwrap_or_default()) }
                            td.num { (amount(&b.debit)) } td.num { (amount(&b.credit)) }
                            td.num { (amount(&b.ytd_debit)) } td.num { (amount(&b.ytd_credit)) }
                            td { (delete_button(page, &format!("/finance/opening/balances/{}/delete", b.id), post)) }
                        }
                    }
                }
            }
            @if post {
                form.row-form method="post" action="/finance/opening/balances" {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    input type="text" name="account" data-lookup="accounts" placeholder=(page.t("ui.ledger.account")) aria-label=(page.t("ui.ledger.account")) required;
                    input type="text" name="partner" data-lookup="customers" placeholder=(page.t("ui.opening.partner")) aria-label=(page.t("ui.opening.partner"));
                    input type="text" name="debit" inputmode="decimal" placeholder=(page.t("ui.opening.debit")) aria-label=(page.t("ui.opening.debit"));
                    input type="text" name="credit" inputmode="decimal" placeholder=(page.t("ui.opening.credit")) aria-label=(page.t("ui.opening.credit"));
                    input type="text" name="ytd_debit" inputmode="decimal" placeholder=(page.t("ui.opening.ytd_debit")) aria-label=(page.t("ui.opening.ytd_debit"));
                    input type="text" name="ytd_credit" inputmode="decimal" placeholder=(page.t("ui.opening.ytd_credit")) aria-label=(page.t("ui.opening.ytd_credit"));
                    button type="submit" { (page.t("ui.opening.add")) }
                }
            }
        }

        section.panel data-opening-items {
            h2 { (page.t("ui.opening.items")) " " a.button href="/imports?type=opening-items" { (page.t("ui.opening.import")) } }
            table.list {
                thead { tr {
                    th { (page.t("ui.opening.side")) } th { (page.t("ui.opening.partner")) } th { (page.t("ui.opening.number")) }
                    th { (page.t("ui.opening.date")) } th { (page.t("ui.opening.due_date")) } th.num { (page.t("ui.opening.amount")) } th {}
                } }
                tbody {
                    @for i in &data.items {
                        tr data-row {
                            td { (page.t(&format!("ui.opening.side.{}", i.side))) } td { (partner(data, &i.partner_id)) }
                            td { (i.number) } td { (i.date) } td { (i.due_date) } td.num { (amount(&i.amount)) }
                            td { (delete_button(page, &format!("/finance/opening/items/{}/delete", i.id), post)) }
                        }
                    }
                }
            }
            @if post {
                form.row-form method="post" action="/finance/opening/items" {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    select name="side" aria-label=(page.t("ui.opening.side")) {
                        option value="receivable" { (page.t("ui.opening.side.receivable")) }
                        option value="payable" { (page.t("ui.opening.side.payable")) }
                    }
                    input type="text" name="partner" data-lookup="customers" placeholder=(page.t("ui.opening.partner")) aria-label=(page.t("ui.opening.partner")) required;
                    input type="text" name="number" placeholder=(page.t("ui.opening.number")) aria-label=(page.t("ui.opening.number")) required;
                    input type="date" name="date" aria-label=(page.t("ui.opening.date")) required;
                    input type="date" name="due_date" aria-label=(page.t("ui.opening.due_date"));
                    input type="text" name="amount" inputmode="decimal" placeholder=(page.t("ui.opening.amount")) aria-label=(page.t("ui.opening.amount")) required;
                    button type="submit" { (page.t("ui.opening.add")) }
                }
            }
        }

        @if page.may(inventory::permissions::STOCK_READ) {
            section.panel data-opening-stock {
                h2 { (page.t("ui.opening.stock")) " " a.button href="/imports?type=opening-stock" { (page.t("ui.opening.import")) } }
                table.list {
                    thead { tr {
                        th { (page.t("ui.inventory.product")) } th { (page.t("ui.opening.location")) } th { (page.t("ui.inventory.lot")) }
                        th.num { (page.t("ui.opening.quantity")) } th.num { (page.t("ui.opening.unit_cost")) } th.num { (page.t("ui.opening.amount")) } th {}
                    } }
                    tbody {
                        @for l in &data.stock {
                            tr data-row {
                                td { (l.product_code) " " (l.product_name) } td { (l.location) } td { (l.lot.clone().unwrap_or_default()) }
                                td.num { (data.digits.show(&l.product_code, &l.quantity)) } td.num { (l.unit_cost) } td.num { (amount(&l.value)) }
                                td { (delete_button(page, &format!("/finance/opening/stock/{}/delete", l.id), stock_write)) }
                            }
                        }
                    }
                }
                @if stock_write {
                    form.row-form method="post" action="/finance/opening/stock" {
                        input type="hidden" name="_csrf" value=(page.csrf());
                        input type="text" name="product" data-lookup="products" placeholder=(page.t("ui.inventory.product")) aria-label=(page.t("ui.inventory.product")) required;
                        input type="text" name="location" data-lookup="locations" placeholder=(page.t("ui.opening.location")) aria-label=(page.t("ui.opening.location"));
                        input type="text" name="lot" data-lookup="lots" placeholder=(page.t("ui.inventory.lot")) aria-label=(page.t("ui.inventory.lot"));
                        input type="text" name="quantity" inputmode="decimal" placeholder=(page.t("ui.opening.quantity")) aria-label=(page.t("ui.opening.quantity")) required;
                        input type="text" name="unit_cost" inputmode="decimal" placeholder=(page.t("ui.opening.unit_cost")) aria-label=(page.t("ui.opening.unit_cost")) required;
                        button type="submit" { (page.t("ui.opening.add")) }
                    }
                }
            }
        }
    };
    let mut response = shell(page, &page.t("ui.opening.title"), body);
    if let Some(error) = error {
        *response.status_mut() = if error.kind() == kernel::ErrorKind::Conflict {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
    }
    response
}

async fn answer(state: AppState, page: Page, ok: Option<String>, error: Option<Error>) -> Response {
    let ctx = page.ctx(&state);
    let data = state
        .blocking(move |state| {
            let catalog = state.catalog.clone();
            state.db.write(|tx| load(tx, &ctx, &catalog))
        })
        .await;
    match data {
        Ok(data) => render(&page, &data, ok.as_deref(), error.as_ref()),
        Err(error) => error.into_response(),
    }
}

pub async fn show(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let ok = query_param(query.as_deref(), "ok");
    answer(state, page, ok, None).await
}

/// Runs one change; back to the page with a note, or the page again with the reason.
async fn act<F>(state: AppState, page: Page, work: F) -> Response
where
    F: Fn(&mut Tx<'_>, &kernel::Ctx) -> kernel::Result<()> + Send + 'static,
{
    let ctx = page.ctx(&state);
    let done = state.blocking(move |state| state.db.write(|tx| work(tx, &ctx))).await;
    match done {
        Ok(()) => see_other(HOME, Some("ui.saved")),
        Err(error) => answer(state, page, None, Some(error.0)).await,
    }
}

fn optional(form: &FormData, name: &str) -> Option<String> {
    Some(form.text(name)).filter(|v| !v.trim().is_empty())
}

pub async fn set_start(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let period = form.text("start_period");
    act(state, page, move |tx, ctx| ledger::opening::set_start_period(tx, ctx, &period).map(|_| ())).await
}

pub async fn add_balance(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let input = OpeningBalanceInput {
        account: form.text("account"),
        partner: optional(&form, "partner"),
        product: optional(&form, "product"),
        employee: optional(&form, "employee"),
        department: optional(&form, "department"),
        project: optional(&form, "project"),
        debit: optional(&form, "debit"),
        credit: optional(&form, "credit"),
        ytd_debit: optional(&form, "ytd_debit"),
        ytd_credit: optional(&form, "ytd_credit"),
    };
    act(state, page, move |tx, ctx| ledger::opening::set_balance(tx, ctx, &input).map(|_| ())).await
}

pub async fn delete_balance(State(state): State<AppState>, page: Page, Path(id): Path<String>) -> Response {
    act(state, page, move |tx, ctx| ledger::opening::delete_balance(tx, ctx, &id)).await
}

pub async fn add_item(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let input = OpeningItemInput {
        side: form.text("side"),
        partner: form.text("partner"),
        number: form.text("number"),
        date: form.text("date"),
        due_date: optional(&form, "due_date"),
        amount: form.text("amount"),
        summary: form.text("summary"),
    };
    act(state, page, move |tx, ctx| ledger::opening::set_item(tx, ctx, &input).map(|_| ())).await
}

pub async fn delete_item(State(state): State<AppState>, page: Page, Path(id): Path<String>) -> Response {
    act(state, page, move |tx, ctx| ledger::opening::delete_item(tx, ctx, &id)).await
}

pub async fn add_stock(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let input = OpeningStockInput {
        product: form.text("product"),
        location: optional(&form, "location"),
        lot: optional(&form, "lot"),
        expiry_date: optional(&form, "expiry_date"),
        quantity: form.text("quantity"),
        unit_cost: form.text("unit_cost"),
    };
    act(state, page, move |tx, ctx| inventory::opening::set_opening_stock(tx, ctx, &input).map(|_| ())).await
}

pub async fn delete_stock(State(state): State<AppState>, page: Page, Path(id): Path<String>) -> Response {
    act(state, page, move |tx, ctx| inventory::opening::delete_opening_stock(tx, ctx, &id)).await
}

pub async fn end(State(state): State<AppState>, page: Page) -> Response {
    act(state, page, |tx, ctx| ledger::opening::end_initialisation(tx, ctx).map(|_| ())).await
}

pub async fn reopen(State(state): State<AppState>, page: Page) -> Response {
    act(state, page, |tx, ctx| ledger::opening::reopen_initialisation(tx, ctx).map(|_| ())).await
}
