//! The inventory reports in the web client, each with its filters and an XLSX export: stock on
//! hand at any date, the stock ledger of a product, the 进销存 summary with turnover, lot aging
//! and expiry, and the replenishment suggestions of the reorder rules.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use inventory::permissions::VALUATION_READ;
use maud::{Markup, html};

use crate::state::AppState;
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page, error_page_for, shell};
use crate::ui::quantities::Digits;

fn xlsx(header: &[&str], rows: &[Vec<String>], name: &str) -> Response {
    match kernel::import::table_bytes(header, rows, "xlsx") {
        Ok(bytes) => crate::download::attachment(bytes, crate::download::XLSX, &format!("{name}.xlsx")),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn report_filters(page: &Page, action: &str, fields: &[(&'static str, &'static str, String, bool)]) -> Markup {
    html! {
        form.filters method="get" action=(action) {
            @for (name, label, value, date) in fields {
                label { (page.t(label)) " " input type=(if *date { "date" } else { "text" }) name=(name) value=(value); } " "
            }
            button type="submit" { (page.t("ui.inventory.show")) }
        }
    }
}

/// Stock on hand at the end of a day, by product, location and lot.
pub async fn stock(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let q = query.as_deref();
    let today = kernel::clock::format_date(kernel::clock::china_date(state.clock.now()));
    let (product, location, date) =
        (query_param(q, "product"), query_param(q, "location"), query_param(q, "date").unwrap_or(today));
    let ctx = page.ctx(&state);
    let (p, l, d) = (product.clone(), location.clone(), date.clone());
    let rows = state
        .blocking(move |state| {
            state.db.read(|tx| {
                let rows = inventory::report::on_hand_at(tx, &ctx, p.as_deref(), l.as_deref(), &d)?;
                let digits = Digits::load(tx, &ctx, rows.iter().map(|r| r.product_code.as_str()))?;
                Ok((rows, digits))
            })
        })
        .await;
    let (rows, digits) = match rows {
        Ok(loaded) => loaded,
        Err(error) => return error_page_for(&page, StatusCode::UNPROCESSABLE_ENTITY, &error.0),
    };
    if query_param(q, "format").as_deref() == Some("xlsx") {
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.product_code.clone(),
                    r.product_name.clone(),
                    r.location.clone(),
                    r.lot.clone().unwrap_or_default(),
                    r.quantity.clone(),
                ]
            })
            .collect();
        return xlsx(&["product", "name", "location", "lot", "quantity"], &cells, "stock-on-hand");
    }
    let body = html! {
        h1 { (page.t("ui.inventory.stock")) }
        (report_filters(&page, "/inventory/stock", &[
            ("product", "ui.inventory.product", product.clone().unwrap_or_default(), false),
            ("location", "ui.inventory.location", location.clone().unwrap_or_default(), false),
            ("date", "ui.inventory.date", date.clone(), true),
        ]))
        p { a.button href=(format!("/inventory/stock?product={}&location={}&date={}&format=xlsx", product.clone().unwrap_or_default(), location.clone().unwrap_or_default(), date)) { (page.t("ui.list.export_xlsx")) } }
        table.list {
            thead { tr { th { (page.t("ui.inventory.product")) } th { (page.t("ui.inventory.location")) } th { (page.t("ui.inventory.lot")) } th.num { (page.t("ui.inventory.quantity")) } } }
            tbody { @for r in &rows { tr { td { (r.product_code) " " (r.product_name) } td { (r.location) } td { (r.lot.clone().unwrap_or_default()) } td.num { (digits.show(&r.product_code, &r.quantity)) } } } }
        }
        @if rows.is_empty() { p.meta { (page.t("ui.list.empty")) } }
    };
    shell(&page, &page.t("ui.inventory.stock"), body)
}

/// 进销存汇总表 for a period.
pub async fn summary(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    if !page.may(VALUATION_READ) {
        return error_page(&page, StatusCode::FORBIDDEN, "auth.forbidden");
    }
    let q = query.as_deref();
    let today = kernel::clock::format_date(kernel::clock::china_date(state.clock.now()));
    let to = query_param(q, "to").unwrap_or(today);
    let from = query_param(q, "from").unwrap_or_else(|| format!("{}-01", &to[..7.min(to.len())]));
    let ctx = page.ctx(&state);
    let (f, t) = (from.clone(), to.clone());
    let loaded = state
        .blocking(move |state| {
            state.db.read(|tx| {
                let rows = inventory::report::movement_summary(tx, &ctx, &f, &t)?;
                let digits = Digits::load(tx, &ctx, rows.iter().map(|r| r.product_code.as_str()))?;
                Ok((rows, digits))
            })
        })
        .await;
    let (rows, digits) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return error_page_for(&page, StatusCode::UNPROCESSABLE_ENTITY, &error.0),
    };
    if query_param(q, "format").as_deref() == Some("xlsx") {
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.product_code.clone(),
                    r.product_name.clone(),
                    r.opening_quantity.clone(),
                    r.opening_value.clone(),
                    r.in_quantity.clone(),
                    r.in_value.clone(),
                    r.out_quantity.clone(),
                    r.out_value.clone(),
                    r.closing_quantity.clone(),
                    r.closing_value.clone(),
                    r.turnover.clone(),
                ]
            })
            .collect();
        let header = [
            "product",
            "name",
            "opening_qty",
            "opening_value",
            "in_qty",
            "in_value",
            "out_qty",
            "out_value",
            "closing_qty",
            "closing_value",
            "turnover",
        ];
        return xlsx(&header, &cells, "stock-summary");
    }
    let body = html! {
        h1 { (page.t("ui.inventory.summary")) }
        (report_filters(&page, "/inventory/summary", &[("from", "ui.inventory.from_date", from.clone(), true), ("to", "ui.inventory.to_date", to.clone(), true)]))
        p { a.button href=(format!("/inventory/summary?from={from}&to={to}&format=xlsx")) { (page.t("ui.list.export_xlsx")) } }
        table.list {
            thead {
                tr { th rowspan="2" { (page.t("ui.inventory.product")) } th colspan="2" { (page.t("ui.inventory.opening")) } th colspan="2" { (page.t("ui.inventory.in")) } th colspan="2" { (page.t("ui.inventory.out")) } th colspan="2" { (page.t("ui.inventory.closing")) } th rowspan="2" { (page.t("ui.inventory.turnover")) } }
                tr { @for _ in 0..4 { th.num { (page.t("ui.inventory.quantity")) } th.num { (page.t("ui.inventory.value")) } } }
            }
            tbody {
                @for r in &rows {
                    tr {
                        @let shown = |q: &str| digits.show(&r.product_code, q);
                        td { (r.product_code) " " (r.product_name) }
                        td.num { (shown(&r.opening_quantity)) } td.num { (r.opening_value) }
                        td.num { (shown(&r.in_quantity)) } td.num { (r.in_value) }
                        td.num { (shown(&r.out_quantity)) } td.num { (r.out_value) }
                        td.num { (shown(&r.closing_quantity)) } td.num { (r.closing_value) }
                        td.num { (r.turnover) }
                    }
                }
            }
        }
    };
    shell(&page, &page.t("ui.inventory.summary"), body)
}

/// The stock ledger of one product: every move in or out of stock with running quantity and value.
pub async fn ledger(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let q = query.as_deref();
    let today = kernel::clock::format_date(kernel::clock::china_date(state.clock.now()));
    let product = query_param(q, "product").unwrap_or_default();
    let to = query_param(q, "to").unwrap_or(today);
    let from = query_param(q, "from").unwrap_or_else(|| format!("{}-01", &to[..7.min(to.len())]));
    let filters = report_filters(
        &page,
        "/inventory/ledger",
        &[
            ("product", "ui.inventory.product", product.clone(), false),
            ("from", "ui.inventory.from_date", from.clone(), true),
            ("to", "ui.inventory.to_date", to.clone(), true),
        ],
    );
    if product.is_empty() {
        let body = html! { h1 { (page.t("ui.inventory.ledger")) } (filters) };
        return shell(&page, &page.t("ui.inventory.ledger"), body);
    }
    let ctx = page.ctx(&state);
    let (p, f, t) = (product.clone(), from.clone(), to.clone());
    let loaded = state
        .blocking(move |state| {
            state.db.read(|tx| {
                let ledger = inventory::report::stock_ledger(tx, &ctx, &p, &f, &t)?;
                let digits = Digits::load(tx, &ctx, [ledger.product_code.as_str()])?;
                Ok((ledger, digits))
            })
        })
        .await;
    let (ledger, digits) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => {
            // The filters stay, with the problem under them.
            let body = html! {
                h1 { (page.t("ui.inventory.ledger")) }
                (filters)
                div.flash.error role="alert" {
                    (page.t_with(error.0.code(), error.0.params()))
                    @for f in error.0.fields() { " " (page.t_with(f.code, if f.params.is_empty() { error.0.params() } else { &f.params })) }
                }
            };
            let mut response = shell(&page, &page.t("ui.inventory.ledger"), body);
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return response;
        }
    };
    if query_param(q, "format").as_deref() == Some("xlsx") {
        let cells: Vec<Vec<String>> = ledger
            .entries
            .iter()
            .map(|e| {
                vec![
                    e.date.clone(),
                    e.picking.clone().unwrap_or_default(),
                    e.from.clone(),
                    e.to.clone(),
                    e.lot.clone().unwrap_or_default(),
                    e.quantity_in.clone(),
                    e.quantity_out.clone(),
                    e.value.clone(),
                    e.balance_quantity.clone(),
                    e.balance_value.clone(),
                ]
            })
            .collect();
        let header = ["date", "document", "from", "to", "lot", "in", "out", "value", "balance_qty", "balance_value"];
        return xlsx(&header, &cells, "stock-ledger");
    }
    let shown = |q: &str| digits.show(&ledger.product_code, q);
    let body = html! {
        h1 { (page.t("ui.inventory.ledger")) " · " (ledger.product_code) }
        (filters)
        p { a.button href=(format!("/inventory/ledger?product={product}&from={from}&to={to}&format=xlsx")) { (page.t("ui.list.export_xlsx")) } }
        table.list {
            thead { tr {
                th { (page.t("ui.inventory.date")) } th { (page.t("ui.inventory.number")) } th { (page.t("ui.inventory.from")) } th { (page.t("ui.inventory.to")) }
                th { (page.t("ui.inventory.lot")) } th.num { (page.t("ui.inventory.in")) } th.num { (page.t("ui.inventory.out")) } th.num { (page.t("ui.inventory.value")) }
                th.num { (page.t("ui.inventory.balance")) } th.num { (page.t("ui.inventory.balance_value")) }
            } }
            tbody {
                tr.meta { td colspan="8" { (page.t("ui.inventory.opening")) } td.num { (shown(&ledger.opening_quantity)) } td.num { (ledger.opening_value) } }
                @for e in &ledger.entries {
                    tr {
                        td { (e.date) } td { (e.picking.clone().unwrap_or_default()) } td { (e.from) } td { (e.to) } td { (e.lot.clone().unwrap_or_default()) }
                        td.num { (shown(&e.quantity_in)) } td.num { (shown(&e.quantity_out)) } td.num { (e.value) } td.num { (shown(&e.balance_quantity)) } td.num { (e.balance_value) }
                    }
                }
                tr.meta { td colspan="8" { (page.t("ui.inventory.closing")) } td.num { (shown(&ledger.closing_quantity)) } td.num { (ledger.closing_value) } }
            }
        }
    };
    shell(&page, &page.t("ui.inventory.ledger"), body)
}

/// Lots in stock by expiry, with their age.
pub async fn lots(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let q = query.as_deref();
    let date = query_param(q, "date")
        .unwrap_or_else(|| kernel::clock::format_date(kernel::clock::china_date(state.clock.now())));
    let ctx = page.ctx(&state);
    let on = date.clone();
    let loaded = state
        .blocking(move |state| {
            state.db.read(|tx| {
                let rows = inventory::report::lot_aging(tx, &ctx, &on)?;
                let digits = Digits::load(tx, &ctx, rows.iter().map(|r| r.product_code.as_str()))?;
                Ok((rows, digits))
            })
        })
        .await;
    let (rows, digits) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return error_page_for(&page, StatusCode::UNPROCESSABLE_ENTITY, &error.0),
    };
    let days = |d: Option<i64>| d.map(|d| d.to_string()).unwrap_or_default();
    if query_param(q, "format").as_deref() == Some("xlsx") {
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.product_code.clone(),
                    r.lot.clone(),
                    r.location.clone(),
                    r.quantity.clone(),
                    r.received.clone().unwrap_or_default(),
                    days(r.age_days),
                    r.expiry_date.clone().unwrap_or_default(),
                    days(r.days_to_expiry),
                ]
            })
            .collect();
        return xlsx(
            &["product", "lot", "location", "quantity", "received", "age_days", "expiry", "days_to_expiry"],
            &cells,
            "lot-aging",
        );
    }
    let body = html! {
        h1 { (page.t("ui.inventory.lots")) }
        (report_filters(&page, "/inventory/lots", &[("date", "ui.inventory.date", date.clone(), true)]))
        p { a.button href=(format!("/inventory/lots?date={date}&format=xlsx")) { (page.t("ui.list.export_xlsx")) } }
        table.list {
            thead { tr {
                th { (page.t("ui.inventory.product")) } th { (page.t("ui.inventory.lot")) } th { (page.t("ui.inventory.location")) } th.num { (page.t("ui.inventory.quantity")) }
                th { (page.t("ui.inventory.received")) } th.num { (page.t("ui.inventory.age_days")) } th { (page.t("ui.inventory.expiry")) } th.num { (page.t("ui.inventory.days_to_expiry")) }
            } }
            tbody {
                @for r in &rows {
                    tr.expired[r.days_to_expiry.is_some_and(|d| d < 0)] {
                        td { (r.product_code) } td { (r.lot) } td { (r.location) } td.num { (digits.show(&r.product_code, &r.quantity)) } td { (r.received.clone().unwrap_or_default()) }
                        td.num { (days(r.age_days)) } td { (r.expiry_date.clone().unwrap_or_default()) } td.num { (days(r.days_to_expiry)) }
                    }
                }
            }
        }
    };
    shell(&page, &page.t("ui.inventory.lots"), body)
}

/// What the reorder rules say to order now.
pub async fn replenishment(State(state): State<AppState>, page: Page) -> Response {
    let ctx = page.ctx(&state);
    let loaded = state
        .blocking(move |state| {
            state.db.read(|tx| {
                let rows = inventory::reorder::suggestions(tx, &ctx)?;
                let digits = Digits::load(tx, &ctx, rows.iter().map(|r| r.product_code.as_str()))?;
                Ok((rows, digits))
            })
        })
        .await;
    let (rows, digits) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return error.into_response(),
    };
    let body = html! {
        h1 { (page.t("ui.inventory.replenishment")) }
        p.meta { (page.t("ui.inventory.replenishment_hint")) }
        table.list {
            thead { tr {
                th { (page.t("ui.inventory.product")) } th { (page.t("ui.inventory.location")) } th.num { (page.t("ui.inventory.on_hand")) } th.num { (page.t("ui.inventory.reserved")) }
                th.num { (page.t("ui.inventory.incoming")) } th.num { (page.t("ui.inventory.forecast")) } th.num { (page.t("ui.inventory.min_max")) } th.num { (page.t("ui.inventory.order_qty")) }
            } }
            tbody {
                @for r in &rows {
                    tr {
                        @let shown = |q: &str| digits.show(&r.product_code, q);
                        td { (r.product_code) } td { (r.location) } td.num { (shown(&r.on_hand)) } td.num { (shown(&r.reserved)) } td.num { (shown(&r.incoming)) }
                        td.num { (shown(&r.forecast)) } td.num { (shown(&r.min_qty)) " / " (shown(&r.max_qty)) } td.num { strong { (shown(&r.order_qty)) } }
                    }
                }
            }
        }
        @if rows.is_empty() { p.meta { (page.t("ui.list.empty")) } }
    };
    shell(&page, &page.t("ui.inventory.replenishment"), body)
}
