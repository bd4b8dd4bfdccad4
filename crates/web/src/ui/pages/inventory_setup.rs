//! The warehouse set-up on one page: warehouses, the location tree (zones and bins) and the
//! reorder rules, each with a form to add one.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use inventory::permissions::SETUP;
use inventory::reorder::{ReorderRule, ReorderRuleInput};
use inventory::{Location, LocationInput, LocationKind, Warehouse, WarehouseInput};
use kernel::Error;
use maud::html;

use super::{FormData, see_other};
use crate::problem::ApiError;
use crate::state::AppState;
use crate::ui::form::{self, Field, Input};
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{flash, shell};

struct Setup {
    warehouses: Vec<Warehouse>,
    locations: Vec<Location>,
    rules: Vec<ReorderRule>,
}

async fn load(state: &AppState, page: &Page) -> Result<Setup, ApiError> {
    let ctx = page.ctx(state);
    state
        .blocking(move |state| {
            state.db.read(|tx| {
                Ok(Setup {
                    warehouses: inventory::list_warehouses(tx, &ctx)?,
                    locations: inventory::list_locations(tx, &ctx)?,
                    rules: inventory::reorder::list_rules(tx, &ctx)?,
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
    // Each form shows the error only when it was the one sent.
    let sent = |field: &str| error.filter(|_| form.is_some_and(|f| f.get(field).is_some()));
    let parents: Vec<(String, String)> = setup
        .locations
        .iter()
        .filter(|l| l.warehouse_id.is_some())
        .map(|l| (l.path.clone(), format!("{} {}", l.path, l.name)))
        .collect();
    let internal: Vec<(String, String)> = setup
        .locations
        .iter()
        .filter(|l| l.kind == LocationKind::Internal)
        .map(|l| (l.path.clone(), format!("{} {}", l.path, l.name)))
        .collect();
    let may = page.may(SETUP);
    let body = html! {
        h1 { (page.t("ui.inventory.setup")) }
        (flash(page, ok, None))
        (form::form_error(page, error.filter(|e| e.fields().is_empty())))
        div.columns-2 {
            section.panel {
                h2 { (page.t("ui.inventory.warehouses")) }
                table.list { tbody { @for w in &setup.warehouses { tr { td { (w.code) } td { (w.name) } td { (w.stock_location) } td { @if w.allow_negative { (page.t("ui.inventory.negative_allowed")) } } } } } }
                @if may {
                    form method="post" action="/inventory/setup/warehouses" {
                        input type="hidden" name="_csrf" value=(page.csrf());
                        (form::fields(page, &[
                            Field::new("warehouse_code", "ui.product.code", Input::Text, value("warehouse_code")).required(),
                            Field::new("warehouse_name", "ui.product.name", Input::Text, value("warehouse_name")).required(),
                        ], sent("warehouse_code")))
                        p { button.primary type="submit" { (page.t("ui.inventory.add_warehouse")) } }
                    }
                }
            }
            section.panel {
                h2 { (page.t("ui.inventory.locations")) }
                ul.tree { @for l in &setup.locations { li { code { (l.path) } " " (l.name) " " span.meta { (page.t(&format!("ui.inventory.location_kind.{}", l.kind.code()))) } } } }
                @if may {
                    form method="post" action="/inventory/setup/locations" {
                        input type="hidden" name="_csrf" value=(page.csrf());
                        (form::fields(page, &[
                            Field::new("parent", "ui.inventory.parent", Input::Select(parents), value("parent")).required(),
                            Field::new("location_code", "ui.product.code", Input::Text, value("location_code")).required(),
                            Field::new("location_name", "ui.product.name", Input::Text, value("location_name")).required(),
                        ], sent("location_code")))
                        p { button.primary type="submit" { (page.t("ui.inventory.add_location")) } }
                    }
                }
            }
        }
        section.panel {
            h2 { (page.t("ui.inventory.reorder_rules")) }
            table.list {
                thead { tr { th { (page.t("ui.inventory.product")) } th { (page.t("ui.inventory.location")) } th.num { "min" } th.num { "max" } th.num { (page.t("ui.inventory.safety")) } th.num { (page.t("ui.inventory.multiple")) } } }
                tbody { @for r in &setup.rules { tr { td { (r.product_code) } td { (r.location) } td.num { (r.min_qty) } td.num { (r.max_qty) } td.num { (r.safety_qty) } td.num { (r.multiple) } } } }
            }
            @if may {
                form method="post" action="/inventory/setup/reorder" {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    (form::fields(page, &[
                        Field::new("product", "ui.inventory.product", Input::Text, value("product")).required(),
                        Field::new("location", "ui.inventory.location", Input::Select(internal), value("location")).required(),
                        Field::new("min_qty", "ui.inventory.min", Input::Decimal, value("min_qty")).required(),
                        Field::new("max_qty", "ui.inventory.max", Input::Decimal, value("max_qty")).required(),
                        Field::new("safety_qty", "ui.inventory.safety", Input::Decimal, value("safety_qty")),
                        Field::new("multiple", "ui.inventory.multiple", Input::Decimal, value("multiple")),
                    ], sent("min_qty")))
                    p { button.primary type="submit" { (page.t("ui.save")) } " " a href="/inventory/replenishment" { (page.t("ui.inventory.replenishment")) } }
                }
            }
        }
    };
    let mut response = shell(page, &page.t("ui.inventory.setup"), body);
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

/// Saves through `work`, then back to the page, or the page again with the problem.
async fn saved<F>(state: &AppState, page: &Page, form: &FormData, work: F) -> Response
where
    F: FnOnce(&mut kernel::db::Tx<'_>, &kernel::Ctx) -> kernel::Result<()> + Send + 'static,
{
    let ctx = page.ctx(state);
    match state.blocking(move |state| state.db.write(|tx| work(tx, &ctx))).await {
        Ok(()) => see_other("/inventory/setup", Some("ui.saved")),
        Err(error) => match load(state, page).await {
            // Field names of the services, mapped onto this page's fields.
            Ok(setup) => setup_page(page, &setup, Some(form), Some(&rename_fields(error.0, form)), None),
            Err(e) => e.into_response(),
        },
    }
}

/// The services name `code` and `name`; this page has one of each per form.
fn rename_fields(error: Error, form: &FormData) -> Error {
    let prefix = if form.get("warehouse_code").is_some() {
        "warehouse_"
    } else if form.get("location_code").is_some() {
        "location_"
    } else {
        return error;
    };
    let mut renamed = Error::invalid("validation.failed");
    if error.fields().is_empty() {
        return error;
    }
    for field in error.fields() {
        let name = if matches!(field.field.as_str(), "code" | "name") {
            format!("{prefix}{}", field.field)
        } else {
            field.field.clone()
        };
        renamed = renamed.with_field(name, field.code);
    }
    renamed
}

pub async fn add_warehouse(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let input =
        WarehouseInput { code: form.text("warehouse_code"), name: form.text("warehouse_name"), allow_negative: false };
    saved(&state, &page, &form, move |tx, ctx| inventory::create_warehouse(tx, ctx, &input).map(|_| ())).await
}

pub async fn add_location(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let input = LocationInput {
        parent: form.text("parent"),
        code: form.text("location_code"),
        name: form.text("location_name"),
        kind: LocationKind::Internal,
        allow_negative: false,
    };
    saved(&state, &page, &form, move |tx, ctx| inventory::create_location(tx, ctx, &input).map(|_| ())).await
}

pub async fn set_rule(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let opt = |name: &str| Some(form.text(name)).filter(|v| !v.is_empty());
    let input = ReorderRuleInput {
        product: form.text("product"),
        location: form.text("location"),
        min_qty: form.text("min_qty"),
        max_qty: form.text("max_qty"),
        safety_qty: opt("safety_qty"),
        multiple: opt("multiple"),
    };
    saved(&state, &page, &form, move |tx, ctx| inventory::reorder::set_rule(tx, ctx, &input)).await
}
