//! The current company's details (公司信息): name, taxpayer number (统一社会信用代码, check
//! character verified), address and telephone, bank and account — what its invoices and
//! statements print, and the first of the first steps.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kernel::Error;
use kernel::identity::permissions::COMPANY_MANAGE;
use kernel::identity::{self, Company, CompanyUpdate};
use maud::html;

use super::{FormData, see_other};
use crate::state::AppState;
use crate::ui::form::{self, Field, Input};
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{flash, shell};

/// The form's fields: (name, label) in the order shown.
const FIELDS: [(&str, &str); 6] = [
    ("name", "ui.company.name"),
    ("tax_number", "ui.company.tax_number"),
    ("address", "ui.company.address"),
    ("phone", "ui.company.phone"),
    ("bank_name", "ui.company.bank_name"),
    ("bank_account", "ui.company.bank_account"),
];

fn value_of(company: &Company, field: &str) -> String {
    match field {
        "name" => company.name.clone(),
        "tax_number" => company.tax_number.clone(),
        "address" => company.address.clone(),
        "phone" => company.phone.clone(),
        "bank_name" => company.bank_name.clone(),
        "bank_account" => company.bank_account.clone(),
        _ => String::new(),
    }
}

fn details_page(
    page: &Page,
    company: &Company,
    form: Option<&FormData>,
    error: Option<&Error>,
    ok: Option<&str>,
) -> Response {
    let value = |name: &str| form.map(|f| f.text(name)).unwrap_or_else(|| value_of(company, name));
    let fields: Vec<Field> = FIELDS
        .iter()
        .map(|(name, label)| {
            let field = Field::new(name, label, Input::Text, value(name));
            if *name == "name" { field.required() } else { field }
        })
        .collect();
    let body = html! {
        h1 { (page.t("ui.company.details")) " · " (company.code) }
        (flash(page, ok, None))
        form.panel method="post" action="/settings/company" data-save {
            input type="hidden" name="_csrf" value=(page.csrf());
            input type="hidden" name="version" value=(company.version);
            (form::form_error(page, error.filter(|e| e.fields().is_empty())))
            (form::fields(page, &fields, error))
            @if page.may(COMPANY_MANAGE) { p { button.primary type="submit" { (page.t("ui.save")) } } }
        }
    };
    let mut response = shell(page, &page.t("ui.company.details"), body);
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

pub async fn show(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let ctx = page.ctx(&state);
    let company = state.blocking(move |state| state.db.read(|tx| identity::get_company(tx, &ctx, ctx.company()))).await;
    match company {
        Ok(company) => details_page(&page, &company, None, None, query_param(query.as_deref(), "ok").as_deref()),
        Err(error) => error.into_response(),
    }
}

pub async fn save(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let input = CompanyUpdate {
        name: Some(form.text("name")),
        active: None,
        tax_number: Some(form.text("tax_number")),
        address: Some(form.text("address")),
        phone: Some(form.text("phone")),
        bank_name: Some(form.text("bank_name")),
        bank_account: Some(form.text("bank_account")),
        version: form.text("version").parse().unwrap_or_default(),
    };
    let ctx = page.ctx(&state);
    let saved = state
        .blocking(move |state| state.db.write(|tx| identity::update_company(tx, &ctx, ctx.company(), &input)))
        .await;
    match saved {
        Ok(_) => see_other("/settings/company", Some("ui.saved")),
        Err(error) => {
            let ctx = page.ctx(&state);
            match state.blocking(move |state| state.db.read(|tx| identity::get_company(tx, &ctx, ctx.company()))).await
            {
                Ok(company) => details_page(&page, &company, Some(&form), Some(&error.0), None),
                Err(error) => error.into_response(),
            }
        }
    }
}
