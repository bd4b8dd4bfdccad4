//! The finance reports in the web client, each with drill-down and export to XLSX and PDF:
//! 科目余额表 (an account opens its 明细账; by auxiliary dimension), 明细账 (a line opens its
//! voucher), 序时账, 总账 (a month opens its 明细账), and the statements 资产负债表, 利润表 and
//! 现金流量表 (a row opens the 科目余额表 of the accounts that make it). So every figure leads
//! down to the vouchers behind it.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use kernel::Ctx;
use maud::{Markup, html};

use crate::state::AppState;
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page, error_page_for};
use crate::ui::report::{self, Report, ReportColumn, ReportRow};

/// How a statement is read (资产负债表, 利润表, 现金流量表).
type StatementReader = fn(&mut kernel::db::Tx<'_>, &Ctx, &str) -> kernel::Result<ledger::statements::Statement>;

/// Lines per page of the 明细账 and 序时账 on screen (exports hold every line).
const PAGE: i64 = 200;

fn this_month(state: &AppState) -> String {
    let now = kernel::clock::china_date(state.clock.now());
    format!("{:04}-{:02}", now.year(), u8::from(now.month()))
}

/// Reads a report and the company's name in one transaction.
async fn load<T: Send + 'static>(
    state: &AppState,
    page: &Page,
    read: impl FnOnce(&mut kernel::db::Tx<'_>, &Ctx) -> kernel::Result<T> + Send + 'static,
) -> Result<(String, T), Response> {
    let ctx = page.ctx(state);
    state
        .blocking(move |state| {
            state.db.read(|tx| {
                let company = crate::printing::company_name(tx, &ctx)?;
                Ok((company, read(tx, &ctx)?))
            })
        })
        .await
        .map_err(|error| error_page_for(page, StatusCode::UNPROCESSABLE_ENTITY, &error.0))
}

/// The form choosing what a report covers: one input per (name, label, type, value).
fn filters(page: &Page, action: &str, inputs: &[(&str, &str, &str, String)]) -> Markup {
    html! {
        form.filters method="get" action=(action) {
            @for (name, label, kind, value) in inputs {
                label { (page.t(label)) " " input type=(kind) name=(name) value=(value); } " "
            }
            button type="submit" { (page.t("ui.inventory.show")) }
        }
    }
}

fn balance_columns(page: &Page, first: &str) -> Vec<ReportColumn> {
    let mut columns = vec![ReportColumn::text(page.t(first), 1.2), ReportColumn::text(page.t("ui.ledger.name"), 2.2)];
    for (part, side) in [
        ("ui.inventory.opening", "ui.ledger.debit"),
        ("ui.inventory.opening", "ui.ledger.credit"),
        ("ui.ledger.this_period", "ui.ledger.debit"),
        ("ui.ledger.this_period", "ui.ledger.credit"),
        ("ui.inventory.closing", "ui.ledger.debit"),
        ("ui.inventory.closing", "ui.ledger.credit"),
    ] {
        columns.push(ReportColumn::amount(format!("{}{}", page.t(part), page.t(side))));
    }
    columns
}

fn balance_cells(r: &ledger::balance::BalanceRow) -> Vec<String> {
    vec![
        r.code.clone(),
        r.name.clone(),
        r.opening_debit.clone(),
        r.opening_credit.clone(),
        r.period_debit.clone(),
        r.period_credit.clone(),
        r.closing_debit.clone(),
        r.closing_credit.clone(),
    ]
}

/// 科目余额表 of a period; `accounts` (codes, comma-separated) narrows it to what a statement
/// row is made of.
pub async fn trial_balance(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let get = |key: &str| query_param(query.as_deref(), key);
    let period = get("period").unwrap_or_else(|| this_month(&state));
    let accounts = get("accounts").unwrap_or_default();
    let p = period.clone();
    let (company, tb) = match load(&state, &page, move |tx, ctx| ledger::trial_balance(tx, ctx, &p)).await {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let wanted: Vec<&str> = accounts.split(',').map(str::trim).filter(|c| !c.is_empty()).collect();
    let mut rows: Vec<ReportRow> = tb
        .rows
        .iter()
        .filter(|r| wanted.is_empty() || wanted.iter().any(|w| r.code.starts_with(w)))
        .map(|r| {
            let link = format!("/finance/books/account?account={}&from={period}&to={period}", r.code);
            ReportRow { total: r.level == 1, ..ReportRow::linked(balance_cells(r), link) }
        })
        .collect();
    if wanted.is_empty() {
        rows.push(ReportRow { total: true, ..ReportRow::new(balance_cells(&tb.totals)) });
    }
    let here = format!("/finance/trial-balance?period={period}&accounts={accounts}");
    let report = Report {
        title: page.t("ui.ledger.trial_balance"),
        subtitle: period.clone(),
        file_stem: format!("trial-balance-{period}"),
        company,
        columns: balance_columns(&page, "ui.ledger.code"),
        rows,
        facts: if wanted.is_empty() { vec![] } else { vec![(page.t("ui.ledger.account"), accounts.clone())] },
    };
    let form = filters(&page, "/finance/trial-balance", &[("period", "ui.ledger.period", "month", period.clone())]);
    let below = html! { p { a href=(format!("/finance/trial-balance/dimension?period={period}")) { (page.t("ui.ledger.by_dimension")) } } };
    report::respond(&page, report, get("format").as_deref(), form, &here, below)
}

/// 辅助核算余额表: an account's balances per customer, supplier, product, department…
pub async fn dimension_balance(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let get = |key: &str| query_param(query.as_deref(), key);
    let period = get("period").unwrap_or_else(|| this_month(&state));
    let account = get("account").unwrap_or_else(|| "1122".into());
    let dimension = get("dimension").unwrap_or_else(|| "customer".into());
    let (p, a, d) = (period.clone(), account.clone(), dimension.clone());
    let loaded =
        load(&state, &page, move |tx, ctx| ledger::dimension_balance::dimension_balance(tx, ctx, &a, &p, &d)).await;
    let (company, balance) = match loaded {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let mut rows: Vec<ReportRow> = balance.rows.iter().map(|r| ReportRow::new(balance_cells(r))).collect();
    rows.push(ReportRow { total: true, ..ReportRow::new(balance_cells(&balance.totals)) });
    let here = format!("/finance/trial-balance/dimension?period={period}&account={account}&dimension={dimension}");
    let report = Report {
        title: page.t("ui.ledger.by_dimension"),
        subtitle: format!("{} {} · {period}", balance.account_code, balance.account_name),
        file_stem: format!("dimension-balance-{account}-{dimension}-{period}"),
        company,
        columns: balance_columns(&page, &format!("ui.ledger.dimension.{dimension}")),
        rows,
        facts: vec![],
    };
    let form = html! {
        form.filters method="get" action="/finance/trial-balance/dimension" {
            label { (page.t("ui.ledger.period")) " " input type="month" name="period" value=(period); } " "
            label { (page.t("ui.ledger.account")) " " input type="text" name="account" value=(account) size="10" data-lookup="accounts"; } " "
            label { (page.t("ui.ledger.dimension")) " "
                select name="dimension" {
                    @for d in ["customer", "supplier", "employee", "department", "project", "product"] {
                        option value=(d) selected[d == dimension] { (page.t(&format!("ui.ledger.dimension.{d}"))) }
                    }
                }
            } " "
            button type="submit" { (page.t("ui.inventory.show")) }
        }
    };
    report::respond(&page, report, get("format").as_deref(), form, &here, html! {})
}

fn book_line_columns(page: &Page, with_account: bool, with_balance: bool) -> Vec<ReportColumn> {
    let mut columns =
        vec![ReportColumn::text(page.t("ui.ledger.voucher"), 1.0), ReportColumn::text(page.t("ui.ledger.date"), 1.1)];
    if with_account {
        columns.push(ReportColumn::text(page.t("ui.ledger.account"), 1.1));
    }
    columns.push(ReportColumn::text(page.t("ui.ledger.summary"), 3.0));
    columns.push(ReportColumn::amount(page.t("ui.ledger.debit")));
    columns.push(ReportColumn::amount(page.t("ui.ledger.credit")));
    if with_balance {
        columns.push(ReportColumn::text(page.t("ui.ledger.side"), 0.5));
        columns.push(ReportColumn::amount(page.t("ui.ledger.balance")));
    }
    columns
}

/// Previous / next links for a paged book.
fn pager(page: &Page, here: &str, offset: i64, more: bool) -> Markup {
    html! {
        p.pager {
            @if offset > 0 { a href=(format!("{here}&offset={}", (offset - PAGE).max(0))) { (page.t("ui.report.previous")) } " " }
            @if more { a href=(format!("{here}&offset={}", offset + PAGE)) { (page.t("ui.report.next")) } }
        }
    }
}

/// 明细账 of an account over a range of months, paged on screen; each line opens its voucher.
pub async fn account_book(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let get = |key: &str| query_param(query.as_deref(), key);
    let month = this_month(&state);
    let account = get("account").unwrap_or_else(|| "1002".into());
    let from = get("from").unwrap_or_else(|| month.clone());
    let to = get("to").unwrap_or_else(|| month.clone());
    let format = get("format");
    let offset = get("offset").and_then(|o| o.parse().ok()).unwrap_or(0i64);
    let (a, f, t, whole) = (account.clone(), from.clone(), to.clone(), format.is_some());
    let loaded = load(&state, &page, move |tx, ctx| {
        if whole {
            ledger::books::account_ledger(tx, ctx, &a, &f, &t)
        } else {
            ledger::books::account_ledger_page(tx, ctx, &a, &f, &t, offset, PAGE)
        }
    })
    .await;
    let (company, book) = match loaded {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let rows = book
        .lines
        .iter()
        .map(|l| {
            ReportRow::linked(
                vec![
                    l.voucher.clone(),
                    l.date.clone(),
                    l.summary.clone(),
                    l.debit.clone(),
                    l.credit.clone(),
                    l.side.clone(),
                    l.balance.clone(),
                ],
                format!("/finance/vouchers/{}", l.voucher_id),
            )
        })
        .collect();
    let here = format!("/finance/books/account?account={account}&from={from}&to={to}");
    let report = Report {
        title: page.t("ui.ledger.account_book"),
        subtitle: format!("{} {} · {from} – {to}", book.account_code, book.account_name),
        file_stem: format!("account-book-{account}-{from}-{to}"),
        company,
        columns: book_line_columns(&page, false, true),
        rows,
        facts: vec![
            (page.t("ui.inventory.opening"), format!("{} {}", book.opening_side, book.opening)),
            (page.t("ui.ledger.period_debit"), book.period_debit.clone()),
            (page.t("ui.ledger.period_credit"), book.period_credit.clone()),
            (page.t("ui.inventory.closing"), format!("{} {}", book.closing_side, book.closing)),
        ],
    };
    let form = filters(
        &page,
        "/finance/books/account",
        &[
            ("account", "ui.ledger.account", "text", account.clone()),
            ("from", "ui.ledger.from", "month", from.clone()),
            ("to", "ui.ledger.to", "month", to.clone()),
        ],
    );
    let below = pager(&page, &here, book.offset, book.more);
    report::respond(&page, report, format.as_deref(), form, &here, below)
}

/// 序时账 of a month, paged on screen; each line opens its voucher.
pub async fn journal_book(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let get = |key: &str| query_param(query.as_deref(), key);
    let period = get("period").unwrap_or_else(|| this_month(&state));
    let format = get("format");
    let offset = get("offset").and_then(|o| o.parse().ok()).unwrap_or(0i64).max(0);
    let (p, whole) = (period.clone(), format.is_some());
    let loaded = load(&state, &page, move |tx, ctx| {
        if whole {
            ledger::books::journal(tx, ctx, &p)
        } else {
            // One more than shown tells whether a next page exists.
            ledger::books::journal_page(tx, ctx, &p, offset, PAGE + 1)
        }
    })
    .await;
    let (company, mut lines) = match loaded {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let more = !whole && lines.len() as i64 > PAGE;
    lines.truncate(if whole { lines.len() } else { PAGE as usize });
    let rows = lines
        .iter()
        .map(|l| {
            ReportRow::linked(
                vec![
                    l.voucher.clone(),
                    l.date.clone(),
                    l.account_code.clone(),
                    l.summary.clone(),
                    l.debit.clone(),
                    l.credit.clone(),
                ],
                format!("/finance/vouchers/{}", l.voucher_id),
            )
        })
        .collect();
    let here = format!("/finance/books/journal?period={period}");
    let report = Report {
        title: page.t("ui.ledger.journal"),
        subtitle: period.clone(),
        file_stem: format!("journal-{period}"),
        company,
        columns: book_line_columns(&page, true, false),
        rows,
        facts: vec![],
    };
    let form = filters(&page, "/finance/books/journal", &[("period", "ui.ledger.period", "month", period.clone())]);
    let below = pager(&page, &here, offset, more);
    report::respond(&page, report, format.as_deref(), form, &here, below)
}

/// 总账 of an account for a year, month by month; each month opens its 明细账.
pub async fn general_book(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let get = |key: &str| query_param(query.as_deref(), key);
    let account = get("account").unwrap_or_else(|| "1002".into());
    let year = get("year").and_then(|y| y.parse().ok()).unwrap_or_else(|| state.clock.now().year());
    let a = account.clone();
    let loaded = load(&state, &page, move |tx, ctx| {
        let book = ledger::books::general_ledger(tx, ctx, &a, year)?;
        let name = ledger::account::by_code(tx, ctx, &a)?.name;
        Ok((book, name))
    })
    .await;
    let (company, ((opening, months), name)) = match loaded {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let rows = months
        .iter()
        .map(|m| {
            ReportRow::linked(
                vec![m.period.clone(), m.debit.clone(), m.credit.clone(), m.side.clone(), m.balance.clone()],
                format!("/finance/books/account?account={account}&from={0}&to={0}", m.period),
            )
        })
        .collect();
    let here = format!("/finance/books/general?account={account}&year={year}");
    let report = Report {
        title: page.t("ui.ledger.general_book"),
        subtitle: format!("{account} {name} · {year}"),
        file_stem: format!("general-ledger-{account}-{year}"),
        company,
        columns: vec![
            ReportColumn::text(page.t("ui.ledger.period"), 1.0),
            ReportColumn::amount(page.t("ui.ledger.debit")),
            ReportColumn::amount(page.t("ui.ledger.credit")),
            ReportColumn::text(page.t("ui.ledger.side"), 0.5),
            ReportColumn::amount(page.t("ui.ledger.balance")),
        ],
        rows,
        facts: vec![(page.t("ui.ledger.year_opening"), opening)],
    };
    let form = filters(
        &page,
        "/finance/books/general",
        &[
            ("account", "ui.ledger.account", "text", account.clone()),
            ("year", "ui.ledger.year", "number", year.to_string()),
        ],
    );
    report::respond(&page, report, get("format").as_deref(), form, &here, html! {})
}

/// 资产负债表, 利润表 or 现金流量表 of a month; a row opens the 科目余额表 of its accounts.
pub async fn statement(
    State(state): State<AppState>,
    page: Page,
    Path(kind): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let get = |key: &str| query_param(query.as_deref(), key);
    let period = get("period").unwrap_or_else(|| this_month(&state));
    let (read, current, other): (StatementReader, &str, &str) = match kind.as_str() {
        "balance-sheet" => (ledger::statements::balance_sheet, "ui.ledger.closing_balance", "ui.ledger.year_opening"),
        "income" => (ledger::statements::income_statement, "ui.ledger.this_month", "ui.ledger.year_to_date"),
        "cash-flow" => (ledger::cash_flow::cash_flow, "ui.ledger.this_month", "ui.ledger.year_to_date"),
        _ => return error_page(&page, StatusCode::NOT_FOUND, "http.not_found"),
    };
    let p = period.clone();
    let (company, statement) = match load(&state, &page, move |tx, ctx| read(tx, ctx, &p)).await {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let rows = statement
        .rows
        .iter()
        .map(|r| {
            let cells = vec![r.label.clone(), r.row.to_string(), r.current.clone(), r.other.clone()];
            if r.accounts.is_empty() {
                ReportRow { total: true, ..ReportRow::new(cells) }
            } else {
                let link = format!("/finance/trial-balance?period={period}&accounts={}", r.accounts.join(","));
                ReportRow::linked(cells, link)
            }
        })
        .collect();
    let here = format!("/finance/statements/{kind}?period={period}");
    let report = Report {
        title: statement.title.clone(),
        subtitle: period.clone(),
        file_stem: format!("{kind}-{period}"),
        company,
        columns: vec![
            ReportColumn::text(page.t("ui.ledger.item"), 4.0),
            ReportColumn::text(page.t("ui.ledger.row"), 0.6),
            ReportColumn::amount(page.t(current)),
            ReportColumn::amount(page.t(other)),
        ],
        rows,
        facts: vec![],
    };
    let form = filters(
        &page,
        &format!("/finance/statements/{kind}"),
        &[("period", "ui.ledger.period", "month", period.clone())],
    );
    report::respond(&page, report, get("format").as_deref(), form, &here, html! {})
}

/// The voucher printed (记账凭证).
pub async fn voucher_pdf(State(state): State<AppState>, page: Page, Path(id): Path<String>) -> Response {
    let Ok(id) = ledger::VoucherId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "ledger.voucher_not_found");
    };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.read(|tx| crate::printing::voucher_pdf(tx, &ctx, id))).await {
        Ok((file, bytes)) => crate::download::attachment(bytes, crate::download::PDF, &file),
        Err(error) => error_page_for(&page, StatusCode::NOT_FOUND, &error.0),
    }
}
