//! Production engineering data (工程数据) in the web client, to look at: the BOM versions, a
//! BOM with its lines, its multi-level explosion for a quantity, where its product is used and
//! its cost roll-up; and the work centers with the routings of operations run on them.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use kernel::db::Tx;
use kernel::{Ctx, Result};
use maud::html;
use production::permissions::READ;

use crate::state::AppState;
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page, error_page_for, shell};

/// A BOM version in the list.
struct BomRow {
    id: String,
    product: String,
    product_name: String,
    code: String,
    kind: String,
    quantity: i64,
    valid_from: String,
    valid_to: Option<String>,
    lines: i64,
}

/// Every BOM version of the company (the latest 500 by product), in one query.
fn list_boms(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<BomRow>> {
    ctx.require(READ)?;
    tx.query(
        "select b.id, p.code, p.name, b.code, b.kind, b.quantity, b.valid_from, b.valid_to,
             (select count(*) from production_bom_line l where l.bom_id = b.id)
         from production_bom b join product_product p on p.id = b.product_id
         where b.company_id = $1 order by p.code, b.valid_from desc, b.code desc limit 500",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| {
        Ok(BomRow {
            id: r.get(0)?,
            product: r.get(1)?,
            product_name: r.get(2)?,
            code: r.get(3)?,
            kind: r.get(4)?,
            quantity: r.get(5)?,
            valid_from: r.get(6)?,
            valid_to: r.get(7)?,
            lines: r.get(8)?,
        })
    })
    .collect()
}

pub async fn boms(State(state): State<AppState>, page: Page) -> Response {
    let ctx = page.ctx(&state);
    let rows = match state.blocking(move |state| state.db.read(|tx| list_boms(tx, &ctx))).await {
        Ok(rows) => rows,
        Err(error) => return error_page_for(&page, StatusCode::FORBIDDEN, &error.0),
    };
    let body = html! {
        h1 { (page.t("ui.production.boms")) }
        table.list {
            thead { tr {
                th { (page.t("ui.production.product")) }
                th { (page.t("ui.production.version")) }
                th { (page.t("ui.production.kind")) }
                th.num { (page.t("ui.production.quantity")) }
                th { (page.t("ui.production.valid_from")) }
                th { (page.t("ui.production.valid_to")) }
                th.num { (page.t("ui.production.lines")) }
            } }
            tbody {
                @for b in &rows {
                    tr {
                        td { a href=(format!("/production/boms/{}", b.id)) { (b.product) " " (b.product_name) } }
                        td { (b.code) }
                        td { (page.t(&format!("ui.production.kind.{}", b.kind))) }
                        td.num { (kernel::Quantity::from_scaled(b.quantity)) }
                        td { (b.valid_from) }
                        td { (b.valid_to.clone().unwrap_or_default()) }
                        td.num { (b.lines) }
                    }
                }
                @if rows.is_empty() { tr { td colspan="7" { (page.t("ui.production.none")) } } }
            }
        }
    };
    shell(&page, &page.t("ui.production.boms"), body)
}

/// What the BOM page shows besides the BOM; each part may fail on its own (no stock valuation,
/// a product without a BOM on the day) without hiding the rest.
struct Analysis {
    explosion: std::result::Result<production::Explosion, kernel::Error>,
    used: std::result::Result<Vec<production::explode::Usage>, kernel::Error>,
    cost: std::result::Result<production::costing::CostRollup, kernel::Error>,
}

pub async fn bom(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(id) = production::BomId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "production.bom_not_found");
    };
    let quantity = query_param(query.as_deref(), "quantity");
    let ctx = page.ctx(&state);
    let wanted = quantity.clone();
    let loaded = state
        .blocking(move |state| {
            state.db.read(|tx| {
                let bom = production::get_bom(tx, &ctx, id)?;
                let quantity = wanted.unwrap_or_else(|| bom.quantity.clone());
                // The day this version is valid on: today when it is, else its first day.
                let today = kernel::clock::format_date(ctx.today());
                let open = bom.valid_to.as_deref().is_none_or(|to| to >= today.as_str());
                let date = if bom.valid_from <= today && open { today } else { bom.valid_from.clone() };
                let analysis = Analysis {
                    explosion: production::explode(tx, &ctx, &bom.product_id, &quantity, Some(&date)),
                    used: production::where_used(tx, &ctx, &bom.product_id),
                    cost: production::costing::roll_up(tx, &ctx, &bom.product_id, Some(&quantity), Some(&date)),
                };
                Ok((bom, quantity, analysis))
            })
        })
        .await;
    let (bom, quantity, analysis) = match loaded {
        Ok(found) => found,
        Err(error) => return error_page_for(&page, StatusCode::NOT_FOUND, &error.0),
    };
    let problem = |error: &kernel::Error| html! { div.flash.error role="alert" { (page.t_with(error.fields().first().map(|f| f.code).unwrap_or(error.code()), error.params())) } };
    let body = html! {
        h1 { (bom.product_code) " · " (bom.code) }
        p { a href="/production/boms" { "← " (page.t("ui.production.boms")) } }
        dl.facts {
            dt { (page.t("ui.production.kind")) } dd { (page.t(&format!("ui.production.kind.{}", bom.kind))) }
            dt { (page.t("ui.production.quantity")) } dd { (bom.quantity) }
            dt { (page.t("ui.production.valid_from")) } dd { (bom.valid_from) }
            dt { (page.t("ui.production.valid_to")) } dd { (bom.valid_to.clone().unwrap_or_default()) }
            @if !bom.note.is_empty() { dt { (page.t("ui.production.note")) } dd { (bom.note) } }
        }
        section.panel {
            h2 { (page.t("ui.production.lines")) }
            table.list {
                thead { tr { th.num { "#" } th { (page.t("ui.production.component")) } th.num { (page.t("ui.production.quantity")) } th.num { (page.t("ui.production.scrap_percent")) } th { (page.t("ui.production.byproduct")) } } }
                tbody { @for l in &bom.lines { tr {
                    td.num { (l.seq) } td { (l.component_code) " " (l.component_name) } td.num { (l.quantity) } td.num { (l.scrap) }
                    td { @if l.byproduct { "✓" } }
                } } }
            }
        }
        form.inline method="get" action=(format!("/production/boms/{}", bom.id)) {
            label for="explode-quantity" { (page.t("ui.production.explode_for")) } " "
            input #explode-quantity type="text" inputmode="decimal" name="quantity" value=(quantity);
            " " button type="submit" { (page.t("ui.apply")) }
        }
        section.panel {
            h2 { (page.t("ui.production.explosion")) }
            @match &analysis.explosion {
                Ok(explosion) => {
                    table.list {
                        thead { tr { th.num { (page.t("ui.production.level")) } th { (page.t("ui.production.component")) } th.num { (page.t("ui.production.quantity")) } th { } } }
                        tbody { @for l in &explosion.lines { tr {
                            td.num { (l.level) } td { ("· ".repeat(usize::try_from(l.level).unwrap_or(1).saturating_sub(1))) (l.code) " " (l.name) } td.num { (l.quantity) }
                            td {
                                @if l.phantom { span.badge { (page.t("ui.production.kind.phantom")) } }
                                @else if l.byproduct { span.badge { (page.t("ui.production.byproduct")) } }
                                @else if l.manufactured { span.badge { (page.t("ui.production.manufactured")) } }
                            }
                        } } }
                    }
                    h2 { (page.t("ui.production.materials_total")) }
                    table.list {
                        tbody { @for m in &explosion.materials { tr { td { (m.code) " " (m.name) } td.num { (m.quantity) } } } }
                    }
                },
                Err(error) => { (problem(error)) },
            }
        }
        section.panel {
            h2 { (page.t("ui.production.cost_rollup")) }
            @match &analysis.cost {
                Ok(cost) => {
                    table.list {
                        tbody {
                            tr { td { (page.t("ui.production.material_cost")) } td.num { (cost.materials) } }
                            tr { td { (page.t("ui.production.labour_cost")) } td.num { (cost.labour) } }
                            tr { td { (page.t("ui.production.machine_cost")) } td.num { (cost.machine) } }
                            tr { td { (page.t("ui.production.overhead_cost")) } td.num { (cost.overhead) } }
                            tr.total { td { (page.t("ui.production.total_cost")) } td.num { (cost.total) } }
                            tr { td { (page.t("ui.production.unit_cost")) } td.num { (cost.unit_cost) } }
                        }
                    }
                    table.list {
                        thead { tr { th { (page.t("ui.production.component")) } th.num { (page.t("ui.production.quantity")) } th.num { (page.t("ui.production.amount")) } th { (page.t("ui.production.cost_source")) } } }
                        tbody { @for m in &cost.material_lines { tr { td { (m.code) } td.num { (m.quantity) } td.num { (m.amount) } td { (m.source) } } } }
                    }
                    table.list {
                        thead { tr { th { (page.t("ui.production.operation")) } th { (page.t("ui.production.work_center")) } th.num { (page.t("ui.production.minutes")) } th.num { (page.t("ui.production.labour_cost")) } th.num { (page.t("ui.production.machine_cost")) } th.num { (page.t("ui.production.overhead_cost")) } } }
                        tbody { @for o in &cost.operations { tr { td { (o.name) } td { (o.work_center) } td.num { (o.minutes) } td.num { (o.labour) } td.num { (o.machine) } td.num { (o.overhead) } } } }
                    }
                },
                Err(error) => { (problem(error)) },
            }
        }
        section.panel {
            h2 { (page.t("ui.production.where_used")) }
            @match &analysis.used {
                Ok(used) => {
                    @if used.is_empty() { p { (page.t("ui.production.none")) } }
                    ul { @for u in used { li { (page.t("ui.production.level")) " " (u.level) ": " (u.code) " " (u.name) " (" (u.bom_code) ")" } } }
                },
                Err(error) => { (problem(error)) },
            }
        }
    };
    shell(&page, &format!("{} · {}", bom.product_code, bom.code), body)
}

/// A routing's operation in the list: product, routing code and the operation.
struct RoutingRow {
    product: String,
    routing: String,
    seq: i64,
    name: String,
    work_center: String,
    setup: i64,
    run: i64,
    key: bool,
}

/// Every routing's operations, in one query.
fn list_routings(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<RoutingRow>> {
    ctx.require(READ)?;
    tx.query(
        "select p.code, r.code, o.seq, o.name, w.code, o.setup_minutes, o.run_minutes, o.key_operation
         from production_operation o join production_routing r on r.id = o.routing_id
         join product_product p on p.id = r.product_id join production_work_center w on w.id = o.work_center_id
         where r.company_id = $1 order by p.code, r.code, o.seq limit 2000",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| {
        Ok(RoutingRow {
            product: r.get(0)?,
            routing: r.get(1)?,
            seq: r.get(2)?,
            name: r.get(3)?,
            work_center: r.get(4)?,
            setup: r.get(5)?,
            run: r.get(6)?,
            key: r.get(7)?,
        })
    })
    .collect()
}

pub async fn routings(State(state): State<AppState>, page: Page) -> Response {
    let ctx = page.ctx(&state);
    let loaded = state
        .blocking(move |state| {
            state.db.read(|tx| Ok((production::routing::list_work_centers(tx, &ctx)?, list_routings(tx, &ctx)?)))
        })
        .await;
    let (centers, operations) = match loaded {
        Ok(found) => found,
        Err(error) => return error_page_for(&page, StatusCode::FORBIDDEN, &error.0),
    };
    let body = html! {
        h1 { (page.t("ui.production.routings")) }
        section.panel {
            h2 { (page.t("ui.production.work_centers")) }
            table.list {
                thead { tr {
                    th { (page.t("ui.production.code")) } th { (page.t("ui.production.name")) } th { (page.t("ui.production.workshop")) }
                    th.num { (page.t("ui.production.capacity")) } th.num { (page.t("ui.production.hours_per_day")) } th { (page.t("ui.production.working_days")) }
                    th.num { (page.t("ui.production.labour_rate")) } th.num { (page.t("ui.production.machine_rate")) } th.num { (page.t("ui.production.overhead_percent")) }
                    th { }
                } }
                tbody { @for c in &centers { tr {
                    td { (c.code) } td { (c.name) } td { (c.workshop) } td.num { (c.capacity) } td.num { (c.hours_per_day) } td { (c.working_days) }
                    td.num { (c.labour_rate) } td.num { (c.machine_rate) } td.num { (c.overhead) }
                    td { @if !c.workshop.is_empty() { a href=(format!("/shop/board?workshop={}", form_urlencoded::byte_serialize(c.workshop.as_bytes()).collect::<String>())) { (page.t("ui.production.board")) } } }
                } } }
            }
        }
        section.panel {
            h2 { (page.t("ui.production.routings")) }
            table.list {
                thead { tr {
                    th { (page.t("ui.production.product")) } th { (page.t("ui.production.routing")) } th.num { (page.t("ui.production.seq")) }
                    th { (page.t("ui.production.operation")) } th { (page.t("ui.production.work_center")) }
                    th.num { (page.t("ui.production.setup_minutes")) } th.num { (page.t("ui.production.run_minutes")) } th { (page.t("ui.production.key_operation")) }
                } }
                tbody { @for o in &operations { tr {
                    td { (o.product) } td { (o.routing) } td.num { (o.seq) } td { (o.name) } td { (o.work_center) }
                    td.num { (kernel::Quantity::from_scaled(o.setup)) } td.num { (kernel::Quantity::from_scaled(o.run)) } td { @if o.key { "✓" } }
                } } }
            }
        }
    };
    shell(&page, &page.t("ui.production.routings"), body)
}
