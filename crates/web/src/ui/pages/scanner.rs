//! Scanner screens for a tablet on the warehouse floor: receiving, picking, putaway (internal
//! transfers) and counting. A keyboard-wedge scanner types into the focused field and presses
//! Enter; each scan answers with a large visual OK or error (no sound), and the tally so far.
//! The tally travels in the form itself, so any app server can take the next scan; nothing is
//! written until the document is finished.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use inventory::{Picking, PickingId, PickingState, Processed, ValidateInput};
use kernel::{Error, Quantity};
use maud::{Markup, html};

use super::{FormData, see_other};
use crate::state::AppState;
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page, error_page_for, shell};

/// Scanned quantities by key (a move id, or a product id when counting), in scaled units.
type Tally = Vec<(String, i64)>;

fn tally_of(form: &FormData) -> Tally {
    form.all("tally")
        .iter()
        .filter_map(|t| {
            let (key, quantity) = t.split_once('=')?;
            Some((key.to_string(), quantity.parse().ok()?))
        })
        .collect()
}

fn add(tally: &mut Tally, key: &str, quantity: i64) -> i64 {
    match tally.iter_mut().find(|(k, _)| k == key) {
        Some((_, q)) => {
            *q += quantity;
            *q
        }
        None => {
            tally.push((key.to_string(), quantity));
            quantity
        }
    }
}

fn counted(tally: &Tally, key: &str) -> i64 {
    tally.iter().find(|(k, _)| k == key).map(|(_, q)| *q).unwrap_or(0)
}

/// The big answer to the last scan.
enum Answer {
    None,
    Ok(String),
    Error(String),
}

fn banner(answer: &Answer) -> Markup {
    html! {
        @match answer {
            Answer::None => {},
            Answer::Ok(text) => div.scan-answer.scan-ok role="status" { "✓ " (text) },
            Answer::Error(text) => div.scan-answer.scan-error role="alert" { "✗ " (text) },
        }
    }
}

fn hidden_tally(tally: &Tally) -> Markup {
    html! { @for (key, quantity) in tally { input type="hidden" name="tally" value=(format!("{key}={quantity}")); } }
}

/// The field the scanner types into. Its OK button comes first in the form, so the scanner's
/// Enter submits a scan, never the "finish" button further down.
fn scan_field(page: &Page, label: &str) -> Markup {
    html! {
        label.scan-label for="scan" { (page.t(label)) }
        div.scan-row {
            input #scan.scan-input type="text" name="code" autofocus autocomplete="off" inputmode="none" enterkeyhint="go";
            button.scan-go type="submit" name="scan" value="1" { (page.t("ui.scan.ok")) }
        }
    }
}

/// The start: open documents to work on, a field for a document's number, and counting.
async fn start(state: &AppState, page: &Page, answer: Answer) -> Response {
    let ctx = page.ctx(state);
    let open = state
        .blocking(move |state| {
            state.db.read(|tx| {
                let query = kernel::listing::ListQuery {
                    filters: vec![("state".into(), "ready".into())],
                    limit: Some(30),
                    ..kernel::listing::ListQuery::default()
                };
                inventory::list_pickings(tx, &ctx, &query)
            })
        })
        .await;
    let rows = match open {
        Ok(page) => page.rows,
        Err(error) => return error.into_response(),
    };
    let text = |row: &kernel::db::Row, i: usize| row.get::<String>(i).unwrap_or_default();
    let body = html! {
        h1 { (page.t("ui.scan.title")) }
        (banner(&answer))
        form.panel.scan method="post" action="/inventory/scan" {
            input type="hidden" name="_csrf" value=(page.csrf());
            input type="hidden" name="mode" value="open";
            (scan_field(page, "ui.scan.document"))
        }
        section.panel {
            h2 { (page.t("ui.scan.ready")) }
            ul.scan-list {
                @for row in &rows {
                    li { a.button href=(format!("/inventory/scan?picking={}", text(row, 7))) { (text(row, 0)) " · " (page.t(&format!("ui.inventory.kind.{}", text(row, 1)))) " · " (text(row, 3)) " → " (text(row, 4)) } }
                }
            }
        }
        form.panel method="get" action="/inventory/scan" {
            h2 { (page.t("ui.scan.count")) }
            label for="count-location" { (page.t("ui.inventory.location")) }
            input #count-location type="text" name="count" placeholder="WH/STOCK" required;
            button type="submit" { (page.t("ui.scan.start_count")) }
        }
    };
    shell(page, &page.t("ui.scan.title"), body)
}

fn picking_screen(page: &Page, picking: &Picking, tally: &Tally, answer: &Answer) -> Response {
    let body = html! {
        h1 { (picking.number) " · " (page.t(&format!("ui.inventory.kind.{}", picking.kind.code()))) }
        (banner(answer))
        form.panel.scan method="post" action="/inventory/scan" {
            input type="hidden" name="_csrf" value=(page.csrf());
            input type="hidden" name="mode" value="picking";
            input type="hidden" name="picking" value=(picking.id);
            (hidden_tally(tally))
            (scan_field(page, "ui.scan.product"))
            table.list.scan-table {
                thead { tr { th { (page.t("ui.inventory.product")) } th.num { (page.t("ui.scan.scanned")) } th.num { (page.t("ui.inventory.quantity")) } } }
                tbody {
                    @for m in &picking.moves {
                        @let done = Quantity::from_scaled(counted(tally, &m.id));
                        tr.complete[done.to_string() == m.quantity] { td { (m.product_code) " " (m.product_name) } td.num { (done) } td.num { (m.quantity) } }
                    }
                }
            }
            p {
                button.primary type="submit" name="finish" value="1" { (page.t("ui.scan.finish")) } " "
                a href=(format!("/inventory/pickings/{}", picking.id)) { (page.t("ui.cancel")) }
            }
        }
    };
    let mut response = shell(page, &picking.number, body);
    if matches!(answer, Answer::Error(_)) {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

fn count_screen(page: &Page, location: &str, tally: &Tally, names: &[(String, String)], answer: &Answer) -> Response {
    let body = html! {
        h1 { (page.t("ui.scan.count")) " · " (location) }
        (banner(answer))
        form.panel.scan method="post" action="/inventory/scan" {
            input type="hidden" name="_csrf" value=(page.csrf());
            input type="hidden" name="mode" value="count";
            input type="hidden" name="count" value=(location);
            (hidden_tally(tally))
            (scan_field(page, "ui.scan.product"))
            table.list.scan-table {
                thead { tr { th { (page.t("ui.inventory.product")) } th.num { (page.t("ui.scan.counted")) } } }
                tbody { @for (key, quantity) in tally { tr { td { (names.iter().find(|(id, _)| id == key).map(|(_, n)| n.as_str()).unwrap_or(key)) } td.num { (Quantity::from_scaled(*quantity)) } } } }
            }
            p { button.primary type="submit" name="finish" value="1" { (page.t("ui.scan.finish_count")) } }
        }
    };
    let mut response = shell(page, &page.t("ui.scan.count"), body);
    if matches!(answer, Answer::Error(_)) {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// A document by id or by its number (what the printed barcode carries).
fn find_picking(tx: &mut kernel::db::Tx<'_>, ctx: &kernel::Ctx, key: &str) -> kernel::Result<Picking> {
    let key = key.trim();
    if let Ok(id) = PickingId::parse(key) {
        return inventory::get_picking(tx, ctx, id);
    }
    let id: PickingId = tx
        .query_opt("select id from inventory_picking where company_id = $1 and number = $2", &[&ctx.company(), &key])?
        .ok_or_else(|| Error::not_found("inventory.picking_not_found"))?
        .get(0)?;
    inventory::get_picking(tx, ctx, id)
}

pub async fn show(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let get = |key: &str| query_param(query.as_deref(), key);
    if let Some(location) = get("count") {
        return count_screen(&page, &location.to_uppercase(), &Vec::new(), &[], &Answer::None);
    }
    let Some(key) = get("picking") else { return start(&state, &page, Answer::None).await };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.read(|tx| find_picking(tx, &ctx, &key))).await {
        Ok(picking) => picking_screen(&page, &picking, &Vec::new(), &Answer::None),
        Err(error) => error_page_for(&page, StatusCode::NOT_FOUND, &error.0),
    }
}

/// One scan (or the finish button) of any screen.
pub async fn scan(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    match form.text("mode").as_str() {
        "picking" => picking_scan(&state, &page, &form).await,
        "count" => count_scan(&state, &page, &form).await,
        _ => {
            // A document number scanned on the start screen.
            let key = form.text("code");
            let ctx = page.ctx(&state);
            match state.blocking(move |state| state.db.read(|tx| find_picking(tx, &ctx, &key))).await {
                Ok(picking) => see_other(&format!("/inventory/scan?picking={}", picking.id), None),
                Err(error) => start(&state, &page, Answer::Error(page.t(error.0.code()))).await,
            }
        }
    }
}

async fn picking_scan(state: &AppState, page: &Page, form: &FormData) -> Response {
    let Ok(id) = PickingId::parse(&form.text("picking")) else {
        return error_page(page, StatusCode::NOT_FOUND, "inventory.picking_not_found");
    };
    let mut tally = tally_of(form);
    let (finish, code) = (form.text("finish") == "1", form.text("code"));
    let ctx = page.ctx(state);
    let lines: Vec<Processed> = tally
        .iter()
        .filter(|(_, q)| *q > 0)
        .map(|(move_id, q)| Processed {
            move_id: move_id.clone(),
            quantity: Quantity::from_scaled(*q).to_string(),
            lot: None,
            expiry_date: None,
        })
        .collect();
    let result = state
        .blocking(move |state| {
            if finish {
                let input = ValidateInput { lines: Some(lines), backorder: true, date: None };
                return state.db.write(|tx| inventory::validate(tx, &ctx, id, &input)).map(|v| (v.picking, None));
            }
            state.db.read(|tx| {
                let picking = inventory::get_picking(tx, &ctx, id)?;
                let product =
                    if code.is_empty() { None } else { inventory::stock::product_by_scan(tx, &ctx, &code).ok() };
                Ok((picking, Some(product)))
            })
        })
        .await;
    let (picking, scanned) = match result {
        Ok(found) => found,
        Err(error) => match state
            .blocking({
                let ctx = page.ctx(state);
                move |state| state.db.read(|tx| inventory::get_picking(tx, &ctx, id))
            })
            .await
        {
            Ok(picking) => {
                return picking_screen(
                    page,
                    &picking,
                    &tally,
                    &Answer::Error(page.t_with(error.0.code(), error.0.params())),
                );
            }
            Err(e) => return e.into_response(),
        },
    };
    let Some(scanned) = scanned else {
        return see_other(&format!("/inventory/pickings/{}", picking.id), Some("ui.saved"));
    };
    if picking.state == PickingState::Done || picking.state == PickingState::Cancelled {
        return picking_screen(page, &picking, &tally, &Answer::Error(page.t("ui.scan.document_closed")));
    }
    let answer = match scanned {
        None => Answer::Error(page.t_with("ui.scan.unknown", &[("code", form.text("code"))])),
        Some(product) => {
            // The first open move of that product that still wants more.
            let wanted = picking.moves.iter().find(|m| {
                m.product_id == product.id
                    && m.quantity.parse::<Quantity>().map(|q| counted(&tally, &m.id) < q.scaled()).unwrap_or(false)
            });
            match wanted {
                Some(m) => {
                    let now = add(&mut tally, &m.id, Quantity::ONE);
                    Answer::Ok(format!(
                        "{} {} · {} / {}",
                        m.product_code,
                        m.product_name,
                        Quantity::from_scaled(now),
                        m.quantity
                    ))
                }
                None if picking.moves.iter().any(|m| m.product_id == product.id) => {
                    Answer::Error(page.t_with("ui.scan.enough", &[("product", product.code.clone())]))
                }
                None => Answer::Error(page.t_with("ui.scan.not_on_document", &[("product", product.code.clone())])),
            }
        }
    };
    picking_screen(page, &picking, &tally, &answer)
}

async fn count_scan(state: &AppState, page: &Page, form: &FormData) -> Response {
    let location = form.text("count").to_uppercase();
    let mut tally = tally_of(form);
    let (finish, code) = (form.text("finish") == "1", form.text("code"));
    let ctx = page.ctx(state);
    let keys: Vec<String> = tally.iter().map(|(k, _)| k.clone()).collect();
    let (counted_lines, loc) = (tally.clone(), location.clone());
    let result = state
        .blocking(move |state| {
            if finish {
                let input = inventory::CountInput {
                    location: loc,
                    lines: counted_lines
                        .iter()
                        .map(|(product, q)| inventory::CountLineInput {
                            product: product.clone(),
                            lot: None,
                            counted: Quantity::from_scaled(*q).to_string(),
                        })
                        .collect(),
                    note: String::new(),
                };
                return state.db.write(|tx| {
                    let count = inventory::create_count(tx, &ctx, &input)?;
                    inventory::validate(tx, &ctx, count.id, &ValidateInput::default())
                        .map(|v| (Some(v.picking.id), None, Vec::new()))
                });
            }
            state.db.read(|tx| {
                let product = inventory::stock::product_by_scan(tx, &ctx, &code).ok();
                let mut names = Vec::new();
                for key in keys.iter().chain(product.as_ref().map(|p| &p.id)) {
                    if let Ok(p) = inventory::stock::product_info(tx, &ctx, key) {
                        names.push((p.id.clone(), p.code.clone()));
                    }
                }
                Ok((None, Some(product), names))
            })
        })
        .await;
    match result {
        Ok((Some(done), _, _)) => see_other(&format!("/inventory/pickings/{done}"), Some("ui.saved")),
        Ok((None, Some(Some(product)), names)) => {
            let now = add(&mut tally, &product.id, Quantity::ONE);
            let answer = Answer::Ok(format!("{} · {}", product.code, Quantity::from_scaled(now)));
            count_screen(page, &location, &tally, &names, &answer)
        }
        Ok((None, _, names)) => count_screen(
            page,
            &location,
            &tally,
            &names,
            &Answer::Error(page.t_with("ui.scan.unknown", &[("code", form.text("code"))])),
        ),
        Err(error) => {
            count_screen(page, &location, &tally, &[], &Answer::Error(page.t_with(error.0.code(), error.0.params())))
        }
    }
}
