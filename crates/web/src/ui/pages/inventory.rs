//! Stock documents in the web client: the list, a new document with its lines, and the
//! document with its moves, the buttons its state allows and the quantities done now.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use inventory::permissions::STOCK_MOVE;
use inventory::{
    MoveInput, PICKING_LIST, Picking, PickingAction, PickingId, PickingInput, PickingKind, Processed, ValidateInput,
};
use kernel::Error;
use maud::html;

use super::{FormData, see_other};
use crate::state::AppState;
use crate::ui::form::{self, Field, Input};
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page, error_page_for, flash, shell};
use crate::ui::list::{self, ColumnView, FilterField, FilterInput, ListParams, ListView, Show};
use crate::ui::quantities::Digits;

const COLUMNS: &[ColumnView] = &[
    ColumnView { key: "number", label: "ui.inventory.number", show: Show::Link },
    ColumnView { key: "kind", label: "ui.inventory.kind", show: Show::Badge("ui.inventory.kind.") },
    ColumnView { key: "state", label: "ui.state", show: Show::Badge("ui.inventory.state.") },
    ColumnView { key: "from", label: "ui.inventory.from", show: Show::Text },
    ColumnView { key: "to", label: "ui.inventory.to", show: Show::Text },
    ColumnView { key: "scheduled_date", label: "ui.inventory.scheduled", show: Show::Text },
    ColumnView { key: "origin", label: "ui.inventory.origin", show: Show::Text },
];

fn kinds(page: &Page) -> Vec<(String, String)> {
    PickingKind::ALL
        .iter()
        .filter(|k| !matches!(k, PickingKind::Count | PickingKind::TransitIn))
        .map(|k| (k.code().to_string(), page.t(&format!("ui.inventory.kind.{}", k.code()))))
        .collect()
}

fn states(page: &Page) -> Vec<(String, String)> {
    inventory::PickingState::ALL
        .iter()
        .map(|s| (s.code().to_string(), page.t(&format!("ui.inventory.state.{}", s.code()))))
        .collect()
}

pub async fn pickings(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let view = ListView {
        key: "inventory.pickings",
        title: "ui.inventory.pickings",
        base: "/inventory/pickings",
        spec: &PICKING_LIST,
        columns: COLUMNS,
        filters: vec![
            FilterField { key: "number", label: "ui.inventory.number", input: FilterInput::Text },
            FilterField { key: "kind", label: "ui.inventory.kind", input: FilterInput::Choice(kinds(&page)) },
            FilterField { key: "state", label: "ui.state", input: FilterInput::Choice(states(&page)) },
        ],
        bulk: vec![],
        new_href: page.may(STOCK_MOVE).then_some("/inventory/pickings/new"),
    };
    list::handle(&state, &page, view, ListParams::parse(query.as_deref()), inventory::list_pickings).await
}

/// Locations a document can name (not views), as choices.
async fn location_choices(state: &AppState, page: &Page) -> Vec<(String, String)> {
    let ctx = page.ctx(state);
    state
        .blocking(move |state| state.db.read(|tx| inventory::list_locations(tx, &ctx)))
        .await
        .map(|all| {
            all.into_iter()
                .filter(|l| l.kind != inventory::LocationKind::View)
                .map(|l| (l.path.clone(), format!("{} {}", l.path, l.name)))
                .collect()
        })
        .unwrap_or_default()
}

fn new_page(
    page: &Page,
    locations: Vec<(String, String)>,
    values: Option<&FormData>,
    error: Option<&Error>,
) -> Response {
    let value = |name: &str| values.map(|f| f.text(name)).unwrap_or_default();
    let rows = values.map(|f| f.all("line_product").len()).unwrap_or(0).max(1) + 2;
    let cell = |name: &str, i: usize| values.and_then(|f| f.all(name).get(i).cloned()).unwrap_or_default();
    let body = html! {
        h1 { (page.t("ui.inventory.new")) }
        form.panel method="post" action="/inventory/pickings/new" data-save {
            input type="hidden" name="_csrf" value=(page.csrf());
            (form::form_error(page, error))
            (form::fields(page, &[
                Field::new("kind", "ui.inventory.kind", Input::Select(kinds(page)), value("kind")).required(),
                Field::new("from", "ui.inventory.from", Input::Select(locations.clone()), value("from")),
                Field::new("to", "ui.inventory.to", Input::Select(locations), value("to")),
                Field::new("scheduled_date", "ui.inventory.scheduled", Input::Date, value("scheduled_date")),
                Field::new("origin_id", "ui.inventory.origin", Input::Text, value("origin_id")),
            ], error))
            p.meta { (page.t("ui.inventory.default_ends")) }
            table.list.edit-rows {
                thead { tr { th { (page.t("ui.inventory.product")) } th { (page.t("ui.inventory.quantity")) } th { (page.t("ui.inventory.lot")) } th { (page.t("ui.inventory.unit_cost")) } } }
                tbody {
                    @for i in 0..rows {
                        tr {
                            td { input type="text" name="line_product" value=(cell("line_product", i)) data-lookup="products" aria-label=(format!("{} {}", page.t("ui.inventory.product"), i + 1)); }
                            td { input type="text" inputmode="decimal" name="line_quantity" value=(cell("line_quantity", i)) aria-label=(format!("{} {}", page.t("ui.inventory.quantity"), i + 1)); }
                            td { input type="text" name="line_lot" value=(cell("line_lot", i)) data-lookup="lots" aria-label=(format!("{} {}", page.t("ui.inventory.lot"), i + 1)); }
                            td { input type="text" inputmode="decimal" name="line_cost" value=(cell("line_cost", i)) aria-label=(format!("{} {}", page.t("ui.inventory.unit_cost"), i + 1)); }
                        }
                    }
                }
            }
            @if let Some(e) = error {
                @for f in e.fields().iter().filter(|f| f.field.starts_with("lines")) {
                    div.flash.error role="alert" { (f.field) ": " (page.t_with(f.code, if f.params.is_empty() { e.params() } else { &f.params })) }
                }
            }
            p { button.primary type="submit" { (page.t("ui.save")) } " " a href="/inventory/pickings" { (page.t("ui.cancel")) } }
        }
    };
    let mut response = shell(page, &page.t("ui.inventory.new"), body);
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

pub async fn new_form(State(state): State<AppState>, page: Page) -> Response {
    let locations = location_choices(&state, &page).await;
    new_page(&page, locations, None, None)
}

fn input_from(form: &FormData) -> PickingInput {
    let opt = |name: &str| Some(form.text(name)).filter(|v| !v.is_empty());
    let (products, quantities, lots, costs) =
        (form.all("line_product"), form.all("line_quantity"), form.all("line_lot"), form.all("line_cost"));
    let at = |values: &[String], i: usize| values.get(i).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let lines = (0..products.len())
        .filter_map(|i| {
            Some(MoveInput {
                product: at(&products, i)?,
                quantity: at(&quantities, i).unwrap_or_default(),
                lot: at(&lots, i),
                unit_cost: at(&costs, i),
                ..MoveInput::default()
            })
        })
        .collect();
    PickingInput {
        kind: PickingKind::parse(&form.text("kind")),
        from: opt("from"),
        to: opt("to"),
        scheduled_date: opt("scheduled_date"),
        origin_kind: opt("origin_id").map(|_| "manual".to_string()),
        origin_id: opt("origin_id"),
        lines,
        ..PickingInput::default()
    }
}

pub async fn create(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let input = input_from(&form);
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| inventory::create_picking(tx, &ctx, &input))).await {
        Ok(created) => see_other(&format!("/inventory/pickings/{}", created.id), Some("ui.saved")),
        Err(error) => {
            let locations = location_choices(&state, &page).await;
            new_page(&page, locations, Some(&form), Some(&error.0))
        }
    }
}

fn action_label(action: PickingAction) -> &'static str {
    match action {
        PickingAction::Confirm => "ui.inventory.act.confirm",
        PickingAction::Reserve => "ui.inventory.act.reserve",
        PickingAction::Unreserve => "ui.inventory.act.unreserve",
        PickingAction::Validate => "ui.inventory.act.validate",
        PickingAction::Cancel => "ui.inventory.act.cancel",
    }
}

fn action_code(action: PickingAction) -> &'static str {
    match action {
        PickingAction::Confirm => "confirm",
        PickingAction::Reserve => "reserve",
        PickingAction::Unreserve => "unreserve",
        PickingAction::Validate => "validate",
        PickingAction::Cancel => "cancel",
    }
}

fn picking_page(page: &Page, loaded: &(Picking, Digits), error: Option<&Error>, ok: Option<&str>) -> Response {
    let (picking, digits) = loaded;
    let open = matches!(
        picking.state,
        inventory::PickingState::Draft | inventory::PickingState::Waiting | inventory::PickingState::Ready
    );
    let may = page.may(STOCK_MOVE);
    let body = html! {
        h1 {
            (picking.number) " "
            (form::badge(page, "ui.inventory.kind.", picking.kind.code()))
            (form::badge(page, "ui.inventory.state.", picking.state.code()))
        }
        (flash(page, ok, None))
        (form::form_error(page, error))
        @if let Some(e) = error { @for f in e.fields() { div.flash.error role="alert" { (f.field) ": " (page.t_with(f.code, if f.params.is_empty() { e.params() } else { &f.params })) } } }
        dl.facts {
            dt { (page.t("ui.inventory.from")) } dd { (picking.from) }
            @if picking.state == inventory::PickingState::Done { (super::ledger::voucher_link(page, "inventory.picking", &picking.id.to_string())) }
            dt { (page.t("ui.inventory.to")) } dd { (picking.final_location.clone().unwrap_or(picking.to.clone())) }
            dt { (page.t("ui.inventory.scheduled")) } dd { (picking.scheduled_date) }
            @if let Some(done) = &picking.done_date { dt { (page.t("ui.inventory.done_date")) } dd { (done) } }
            @if let Some(origin) = &picking.origin { dt { (page.t("ui.inventory.origin")) } dd { (origin.kind) " " (origin.id) } }
            @if let Some(back) = &picking.backorder_of { dt { (page.t("ui.inventory.backorder_of")) } dd { a href=(format!("/inventory/pickings/{back}")) { (page.t("ui.inventory.open")) } } }
        }
        form.panel method="post" action=(format!("/inventory/pickings/{}/act", picking.id)) {
            input type="hidden" name="_csrf" value=(page.csrf());
            table.list {
                thead { tr {
                    th { (page.t("ui.inventory.product")) } th.num { (page.t("ui.inventory.quantity")) } th.num { (page.t("ui.inventory.reserved")) }
                    th.num { (page.t("ui.inventory.done")) } th { (page.t("ui.inventory.lines")) }
                    @if open && may { th.num { (page.t("ui.inventory.do_now")) } }
                } }
                tbody {
                    @for m in &picking.moves {
                        tr {
                            td { (m.product_code) " " (m.product_name) }
                            @let shown = |q: &str| digits.show(&m.product_id, q);
                            td.num { (shown(&m.quantity)) } td.num { (shown(&m.reserved)) } td.num { (shown(&m.done)) }
                            td { @for l in &m.lines { div.meta { (l.from) " → " (l.to) @if let Some(lot) = &l.lot { " · " (lot) } " · " (shown(&l.quantity)) " · " (page.t(&format!("ui.inventory.line.{}", l.state))) @if l.value != "0.00" { " · ¥" (l.value) } } } }
                            @if open && may {
                                td.num {
                                    input type="hidden" name="move_id" value=(m.id);
                                    input type="text" inputmode="decimal" name="do_quantity" value=(m.quantity) size="8" aria-label=(format!("{} {}", page.t("ui.inventory.do_now"), m.product_code));
                                }
                            }
                        }
                    }
                }
            }
            @if may {
                p.actions {
                    @for action in &picking.actions {
                        button type="submit" name="action" value=(action_code(*action)) { (page.t(action_label(*action))) } " "
                    }
                    @if open { a.button href=(format!("/inventory/scan?picking={}", picking.id)) { (page.t("ui.inventory.scan")) } }
                }
            }
        }
    };
    let mut response = shell(page, &picking.number, body);
    if error.is_some() {
        *response.status_mut() = StatusCode::CONFLICT;
    }
    response
}

/// The document and its products' unit decimals.
async fn load(state: &AppState, page: &Page, id: PickingId) -> Result<(Picking, Digits), crate::problem::ApiError> {
    let ctx = page.ctx(state);
    state
        .blocking(move |state| {
            state.db.read(|tx| {
                let picking = inventory::get_picking(tx, &ctx, id)?;
                let digits = Digits::load(tx, &ctx, picking.moves.iter().map(|m| m.product_id.as_str()))?;
                Ok((picking, digits))
            })
        })
        .await
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(id) = PickingId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "inventory.picking_not_found");
    };
    let ok = query_param(query.as_deref(), "ok");
    match load(&state, &page, id).await {
        Ok(picking) => picking_page(&page, &picking, None, ok.as_deref()),
        Err(error) => error_page_for(&page, StatusCode::NOT_FOUND, &error.0),
    }
}

/// The done quantities typed beside each move (all of a move when left as it is).
pub(super) fn processed(form: &FormData) -> Vec<Processed> {
    form.all("move_id")
        .into_iter()
        .zip(form.all("do_quantity"))
        // Zero leaves the move for the backorder; what does not parse goes on to be refused clearly.
        .filter(|(_, q)| {
            !q.trim().is_empty() && q.trim().parse::<kernel::Quantity>().map(|v| v.scaled() > 0).unwrap_or(true)
        })
        .map(|(move_id, quantity)| Processed {
            move_id,
            quantity: quantity.trim().to_string(),
            lot: None,
            expiry_date: None,
        })
        .collect()
}

pub async fn act(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = PickingId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "inventory.picking_not_found");
    };
    let action = form.text("action");
    let lines = processed(&form);
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| match action.as_str() {
                "confirm" => inventory::confirm(tx, &ctx, id, false).map(|p| p.id),
                "reserve" => inventory::reserve(tx, &ctx, id, false).map(|p| p.id),
                "unreserve" => inventory::unreserve(tx, &ctx, id).map(|p| p.id),
                "cancel" => inventory::cancel(tx, &ctx, id).map(|p| p.id),
                "validate" => {
                    let input =
                        ValidateInput { lines: (!lines.is_empty()).then_some(lines), backorder: true, date: None };
                    inventory::validate(tx, &ctx, id, &input).map(|v| v.backorder.map(|b| b.id).unwrap_or(v.picking.id))
                }
                _ => Err(Error::bad_request("inventory.action_not_allowed")),
            })
        })
        .await;
    match result {
        Ok(next) if next != id => {
            see_other(&format!("/inventory/pickings/{next}"), Some("ui.inventory.backorder_made"))
        }
        Ok(_) => see_other(&format!("/inventory/pickings/{id}"), Some("ui.saved")),
        Err(error) => match load(&state, &page, id).await {
            Ok(picking) => picking_page(&page, &picking, Some(&error.0), None),
            Err(e) => e.into_response(),
        },
    }
}
