//! The reference data of products on one page: tax rates, currencies, units, the category tree
//! and price lists, with forms to add categories and price lists.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kernel::Error;
use maud::html;
use product::permissions::{PRODUCT_WRITE, SETUP_WRITE};
use product::{Category, PriceList};

use super::{FormData, see_other};
use crate::state::AppState;
use crate::ui::form::{self, Field, Input};
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{flash, shell};

struct Setup {
    taxes: Vec<product::Tax>,
    currencies: Vec<product::CurrencyInfo>,
    uoms: Vec<product::Uom>,
    categories: Vec<Category>,
    price_lists: Vec<PriceList>,
    rates: Vec<product::ExchangeRate>,
}

async fn load(state: &AppState, page: &Page) -> Result<Setup, crate::problem::ApiError> {
    let ctx = page.ctx(state);
    state
        .blocking(move |state| {
            state.db.read(|tx| {
                Ok(Setup {
                    taxes: product::list_taxes(tx, &ctx)?,
                    currencies: product::list_currencies(tx, &ctx)?,
                    uoms: product::list_uoms(tx, &ctx)?,
                    categories: product::list_categories(tx, &ctx)?,
                    rates: product::list_rates(tx, &ctx, 30)?,
                    price_lists: if ctx.may(product::permissions::PRODUCT_READ) {
                        product::list_price_lists(tx, &ctx)?
                    } else {
                        Vec::new()
                    },
                })
            })
        })
        .await
}

fn setup_page(
    page: &Page,
    setup: &Setup,
    form: Option<&FormData>,
    error: Option<&Error>,
    ok: Option<&str>,
) -> Response {
    let value = |name: &str| form.map(|f| f.text(name)).unwrap_or_default();
    let body = html! {
        h1 { (page.t("ui.product_setup")) }
        (flash(page, ok, None))
        (form::form_error(page, error.filter(|e| e.fields().is_empty())))
        div.columns-2 {
            section.panel {
                h2 { (page.t("ui.product_setup.taxes")) }
                table.list { thead { tr { th { (page.t("ui.product.code")) } th { (page.t("ui.product.name")) } th.num { "%" } th { (page.t("ui.product_setup.accounts")) } } }
                    tbody { @for t in &setup.taxes { tr { td { (t.code) } td { (t.name) } td.num { (format!("{}.{:02}", t.rate_bp / 100, t.rate_bp % 100)) } td { (t.output_account_role) " / " (t.input_account_role) } } } } }
                h2 { (page.t("ui.product_setup.currencies")) }
                table.list { tbody { @for c in &setup.currencies { tr { td { (c.code) } td { (c.name) } td.num { (c.minor_units) } } } } }
                @if page.may(SETUP_WRITE) {
                    form method="post" action="/products/setup/currencies" {
                        input type="hidden" name="_csrf" value=(page.csrf());
                        (form::fields(page, &[
                            Field::new("currency_code", "ui.product.code", Input::Text, value("currency_code")).required(),
                            Field::new("currency_name", "ui.product.name", Input::Text, value("currency_name")).required(),
                            Field::new("minor_units", "ui.product_setup.minor_units", Input::Decimal, if value("minor_units").is_empty() { "2".into() } else { value("minor_units") }).required(),
                        ], error.filter(|_| form.is_some_and(|f| f.get("currency_code").is_some()))))
                        p { button.primary type="submit" { (page.t("ui.product_setup.add_currency")) } }
                    }
                }
                h2 { (page.t("ui.product_setup.rates")) }
                table.list { tbody { @for r in &setup.rates { tr { td { (r.date) } td { (r.currency) } td.num { (r.rate) } } } } }
                @if page.may(SETUP_WRITE) {
                    form method="post" action="/products/setup/rates" {
                        input type="hidden" name="_csrf" value=(page.csrf());
                        (form::fields(page, &[
                            Field::new("rate_currency", "ui.party.currency", Input::Select(setup.currencies.iter().filter(|c| c.code != "CNY").map(|c| (c.code.clone(), c.name.clone())).collect()), value("rate_currency")).required(),
                            Field::new("rate_date", "ui.product_setup.valid_from", Input::Date, value("rate_date")).required(),
                            Field::new("rate", "ui.product_setup.rate", Input::Decimal, value("rate")).required(),
                        ], None))
                        p { button.primary type="submit" { (page.t("ui.save")) } }
                    }
                }
            }
            section.panel {
                h2 { (page.t("ui.product_setup.units")) }
                table.list {
                    thead { tr { th { (page.t("ui.product_setup.uom_category")) } th { (page.t("ui.product.code")) } th { (page.t("ui.product.name")) } th.num { (page.t("ui.product_setup.factor")) } th.num { (page.t("ui.product_setup.digits")) } } }
                    tbody { @for u in &setup.uoms { tr { td { (u.category) } td { (u.code) } td { (u.name) } td.num { (u.factor_num) "/" (u.factor_den) } td.num { (u.digits) } } } }
                }
                @if page.may(SETUP_WRITE) {
                    p.meta { (page.t("ui.product_setup.factor_hint")) }
                    form method="post" action="/products/setup/uoms" {
                        input type="hidden" name="_csrf" value=(page.csrf());
                        @let categories: std::collections::BTreeSet<&str> = setup.uoms.iter().map(|u| u.category.as_str()).collect();
                        (form::fields(page, &[
                            Field::new("uom_category", "ui.product_setup.uom_category", Input::Select(categories.iter().map(|c| (c.to_string(), c.to_string())).collect()), value("uom_category")).required(),
                            Field::new("uom_code", "ui.product.code", Input::Text, value("uom_code")).required(),
                            Field::new("uom_name", "ui.product.name", Input::Text, value("uom_name")).required(),
                            Field::new("factor_num", "ui.product_setup.factor_num", Input::Decimal, value("factor_num")).required(),
                            Field::new("factor_den", "ui.product_setup.factor_den", Input::Decimal, if value("factor_den").is_empty() { "1".into() } else { value("factor_den") }),
                            Field::new("digits", "ui.product_setup.digits", Input::Decimal, if value("digits").is_empty() { "0".into() } else { value("digits") }),
                        ], error.filter(|_| form.is_some_and(|f| f.get("uom_code").is_some()))))
                        p { button.primary type="submit" { (page.t("ui.product_setup.add_uom")) } }
                    }
                }
            }
        }
        div.columns-2 {
            section.panel {
                h2 { (page.t("ui.product_setup.categories")) }
                ul { @for c in &setup.categories { li { code { (c.path) } " " (c.name) } } }
                @if page.may(SETUP_WRITE) {
                    form method="post" action="/products/setup/categories" {
                        input type="hidden" name="_csrf" value=(page.csrf());
                        (form::fields(page, &[
                            Field::new("code", "ui.product.code", Input::Text, value("code")).required(),
                            Field::new("name", "ui.product.name", Input::Text, value("name")).required(),
                            Field::new("parent", "ui.product_setup.parent", Input::Select(setup.categories.iter().map(|c| (c.code.clone(), c.path.clone())).collect()), value("parent")),
                        ], error))
                        p { button.primary type="submit" { (page.t("ui.save")) } }
                    }
                }
            }
            section.panel {
                h2 { (page.t("ui.product_setup.price_lists")) }
                table.list { tbody { @for l in &setup.price_lists {
                    tr { td { (l.code) } td { (l.name) } td { (if l.customer_group.is_empty() { page.t("ui.list.any") } else { l.customer_group.clone() }) }
                         td { (l.currency) } td { (if l.price_includes_tax { page.t("ui.product_setup.incl_vat") } else { page.t("ui.product_setup.excl_vat") }) }
                         td { (l.valid_from.clone().unwrap_or_default()) " – " (l.valid_to.clone().unwrap_or_default()) } }
                } } }
                @if page.may(PRODUCT_WRITE) {
                    form method="post" action="/products/setup/price-lists" {
                        input type="hidden" name="_csrf" value=(page.csrf());
                        (form::fields(page, &[
                            Field::new("list_code", "ui.product.code", Input::Text, value("list_code")).required(),
                            Field::new("list_name", "ui.product.name", Input::Text, value("list_name")).required(),
                            Field::new("customer_group", "ui.party.group", Input::Text, value("customer_group")),
                            Field::new("currency", "ui.party.currency", Input::Text, if value("currency").is_empty() { "CNY".into() } else { value("currency") }),
                            Field::new("includes_tax", "ui.product_setup.prices_are", Input::Select(vec![("1".into(), page.t("ui.product_setup.incl_vat")), ("0".into(), page.t("ui.product_setup.excl_vat"))]), value("includes_tax")),
                            Field::new("valid_from", "ui.product_setup.valid_from", Input::Date, value("valid_from")),
                            Field::new("valid_to", "ui.product_setup.valid_to", Input::Date, value("valid_to")),
                        ], error))
                        p { button.primary type="submit" { (page.t("ui.save")) } }
                    }
                }
            }
        }
    };
    let mut response = shell(page, &page.t("ui.product_setup"), body);
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

pub async fn show(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let ok = query_param(query.as_deref(), "ok");
    match load(&state, &page).await {
        Ok(setup) => setup_page(&page, &setup, None, None, ok.as_deref()),
        Err(error) => error.into_response(),
    }
}

pub async fn add_category(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let input = Category {
        code: form.text("code"),
        name: form.text("name"),
        parent: Some(form.text("parent")).filter(|p| !p.is_empty()),
        path: String::new(),
    };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| product::create_category(tx, &ctx, &input))).await {
        Ok(_) => see_other("/products/setup", Some("ui.saved")),
        Err(error) => match load(&state, &page).await {
            Ok(setup) => setup_page(&page, &setup, Some(&form), Some(&error.0), None),
            Err(e) => e.into_response(),
        },
    }
}

pub async fn add_price_list(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let input = PriceList {
        id: String::new(),
        code: form.text("list_code"),
        name: form.text("list_name"),
        customer_group: form.text("customer_group"),
        currency: form.text("currency"),
        price_includes_tax: form.text("includes_tax") != "0",
        valid_from: Some(form.text("valid_from")).filter(|v| !v.is_empty()),
        valid_to: Some(form.text("valid_to")).filter(|v| !v.is_empty()),
    };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| product::create_price_list(tx, &ctx, &input))).await {
        Ok(_) => see_other("/products/setup", Some("ui.saved")),
        Err(error) => match load(&state, &page).await {
            Ok(setup) => setup_page(&page, &setup, Some(&form), Some(&error.0), None),
            Err(e) => e.into_response(),
        },
    }
}

pub async fn add_rate(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let input = product::ExchangeRate {
        currency: form.text("rate_currency"),
        date: form.text("rate_date"),
        rate: form.text("rate"),
    };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| product::set_rate(tx, &ctx, &input))).await {
        Ok(_) => see_other("/products/setup", Some("ui.saved")),
        Err(error) => match load(&state, &page).await {
            Ok(setup) => setup_page(&page, &setup, Some(&form), Some(&error.0), None),
            Err(e) => e.into_response(),
        },
    }
}

pub async fn add_currency(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let Ok(minor_units) = form.text("minor_units").parse::<i64>() else {
        return refused(&state, &page, &form, Error::field("minor_units", "product.currency_minor_units")).await;
    };
    let input =
        product::CurrencyInfo { code: form.text("currency_code"), name: form.text("currency_name"), minor_units };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| product::add_currency(tx, &ctx, &input))).await {
        Ok(_) => see_other("/products/setup", Some("ui.saved")),
        Err(error) => refused(&state, &page, &form, error.0).await,
    }
}

/// A unit is `factor_num / factor_den` reference units of its category (1 箱 = 12/1 个).
pub async fn add_uom(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let factor = |name: &'static str| {
        let text = form.text(name);
        if text.is_empty() && name == "factor_den" { Ok(1) } else { text.parse::<i64>().map_err(|_| name) }
    };
    let (factor_num, factor_den) = match (factor("factor_num"), factor("factor_den")) {
        (Ok(n), Ok(d)) => (n, d),
        (Err(field), _) | (_, Err(field)) => {
            return refused(&state, &page, &form, Error::field(field, "product.uom_factor_invalid")).await;
        }
    };
    let digits = match form.text("digits") {
        text if text.is_empty() => 0,
        text => match text.parse::<u8>() {
            Ok(digits) => digits,
            Err(_) => return refused(&state, &page, &form, Error::field("digits", "product.uom_digits_invalid")).await,
        },
    };
    let input = product::Uom {
        category: form.text("uom_category"),
        code: form.text("uom_code"),
        name: form.text("uom_name"),
        factor_num,
        factor_den,
        digits,
    };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| product::create_uom(tx, &ctx, &input))).await {
        Ok(_) => see_other("/products/setup", Some("ui.saved")),
        Err(error) => refused(&state, &page, &form, error.0).await,
    }
}

/// The page again with the refused values and the problem beside its field.
async fn refused(state: &AppState, page: &Page, form: &FormData, error: Error) -> Response {
    match load(state, page).await {
        Ok(setup) => setup_page(page, &setup, Some(form), Some(&error), None),
        Err(e) => e.into_response(),
    }
}
