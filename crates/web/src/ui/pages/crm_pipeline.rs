//! CRM in the web client, the pipeline: the kanban board of open opportunities (drag a card to
//! another stage, or use its stage menu without a script), each column with its count and
//! expected and weighted revenue; the opportunity page with won / lost, the quotation made
//! from it, and its activities; the pipeline report with the forecast; and customer 360.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use crm::permissions::WRITE;
use crm::{Opportunity, OpportunityId};
use maud::html;

use super::crm::timeline;
use super::{FormData, see_other};
use crate::state::AppState;
use crate::ui::form;
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page, error_page_for, flash, shell};

pub async fn board(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let ctx = page.ctx(&state);
    let request = crm::pipeline::BoardQuery { limit: Some(50), ..Default::default() };
    let columns = match state.blocking(move |state| state.db.write(|tx| crm::pipeline::board(tx, &ctx, &request))).await
    {
        Ok(columns) => columns,
        Err(error) => return error_page_for(&page, StatusCode::UNPROCESSABLE_ENTITY, &error.0),
    };
    let ok = query_param(query.as_deref(), "ok");
    let write = page.may(WRITE);
    let body = html! {
        h1 { (page.t("ui.crm.pipeline")) }
        (flash(&page, ok.as_deref(), None))
        div.toolbar { span.grow {} span { (page.t("ui.kanban.hint")) } }
        div.board {
            @for column in &columns {
                section.column data-stage=(column.stage.code) aria-label=(column.stage.name) {
                    header {
                        span { (column.stage.name) " " (column.stage.probability) "% (" (column.count) ")" }
                        span.sum title=(page.t("ui.crm.weighted_revenue")) { "¥" (column.weighted_revenue) " / " (column.expected_revenue) }
                    }
                    @for card in &column.cards {
                        article.card draggable[write] data-id=(card.id) data-move=(format!("/crm/opportunities/{}/move", card.id)) {
                            a href=(format!("/crm/opportunities/{}", card.id)) { (card.name) }
                            div.meta {
                                (card.partner_name.clone().unwrap_or_default()) " · ¥" (card.expected_revenue)
                                @if let Some(close) = &card.expected_close { " · " (close) }
                            }
                            @if write {
                                form.moves method="post" action=(format!("/crm/opportunities/{}/move", card.id)) {
                                    input type="hidden" name="_csrf" value=(page.csrf());
                                    select name="stage" aria-label=(page.t("ui.crm.stage")) {
                                        @for other in &columns { option value=(other.stage.code) selected[other.stage.code == column.stage.code] { (other.stage.name) } }
                                    }
                                    " " button type="submit" { (page.t("ui.crm.move")) }
                                }
                            }
                        }
                    }
                    @if column.count > column.cards.len() as i64 {
                        p.meta { (page.t("ui.crm.more_cards")) " " (column.count - column.cards.len() as i64) }
                    }
                }
            }
        }
    };
    shell(&page, &page.t("ui.crm.pipeline"), body)
}

/// A card dropped on another column (JSON to the script) or the stage menu (redirect).
pub async fn move_to(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    let wants_json = headers.get(header::ACCEPT).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let Ok(id) = OpportunityId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "crm.opportunity_not_found");
    };
    let input = crm::opportunity::MoveInput { stage: form.text("stage"), version: None };
    let ctx = page.ctx(&state);
    let result =
        state.blocking(move |state| state.db.write(|tx| crm::opportunity::move_stage(tx, &ctx, id, &input))).await;
    super::move_answer(&page, result.map(|o| (o.id, o.stage_code)), wants_json, "/crm/pipeline")
}

fn opportunity_page(
    page: &Page,
    o: &Opportunity,
    activities: &[crm::Activity],
    ok: Option<&str>,
    error: Option<&kernel::Error>,
) -> Response {
    let body = html! {
        h1 { (o.name) " " (form::badge(page, "ui.crm.opportunity_state.", &o.state)) }
        (flash(page, ok, None))
        (form::form_error(page, error))
        dl.facts {
            @if let Some(p) = &o.partner_id { dt { (page.t("ui.crm.customer")) } dd { a href=(format!("/parties/{p}/360")) { (o.partner_name.clone().unwrap_or_default()) } } }
            dt { (page.t("ui.crm.stage")) } dd { (o.stage_name) }
            dt { (page.t("ui.crm.expected_revenue")) } dd { "¥" (o.expected_revenue) }
            dt { (page.t("ui.crm.probability")) } dd { (o.probability) "%" }
            dt { (page.t("ui.crm.weighted_revenue")) } dd { "¥" (o.weighted_revenue) }
            dt { (page.t("ui.crm.expected_close")) } dd { (o.expected_close.clone().unwrap_or_default()) }
            @if let Some(order) = &o.order_id { dt { (page.t("ui.crm.quotation")) } dd { a href=(format!("/sales/orders/{order}")) { (page.t("ui.inventory.open")) } } }
            @if let Some(reason) = &o.lost_reason { dt { (page.t("ui.crm.lost_reason")) } dd { (reason) } }
            @if let Some(lead) = &o.lead_id { dt { (page.t("ui.crm.lead")) } dd { a href=(format!("/crm/leads/{lead}")) { (page.t("ui.inventory.open")) } } }
        }
        @if o.state == "open" && page.may(WRITE) {
            section.panel {
                form.inline method="post" action=(format!("/crm/opportunities/{}/act", o.id)) {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    button.primary type="submit" name="action" value="won" { (page.t("ui.crm.won")) } " "
                    input type="text" name="reason" placeholder=(page.t("ui.crm.lost_reason")) aria-label=(page.t("ui.crm.lost_reason"));
                    " " button type="submit" name="action" value="lost" { (page.t("ui.crm.lost")) }
                }
                @if o.order_id.is_none() && o.partner_id.is_some() {
                    form.inline method="post" action=(format!("/crm/opportunities/{}/quotation", o.id)) {
                        input type="hidden" name="_csrf" value=(page.csrf());
                        input type="text" name="product" data-lookup="products" required placeholder=(page.t("ui.crm.product")) aria-label=(page.t("ui.crm.product"));
                        " " input type="text" inputmode="decimal" name="quantity" required placeholder=(page.t("ui.crm.quantity")) aria-label=(page.t("ui.crm.quantity"));
                        " " input type="text" inputmode="decimal" name="unit_price" placeholder=(page.t("ui.crm.unit_price")) aria-label=(page.t("ui.crm.unit_price"));
                        " " button type="submit" { (page.t("ui.crm.make_quotation")) }
                    }
                }
            }
        }
        (timeline(page, activities, ("opportunity_id", &o.id), &format!("/crm/opportunities/{}", o.id)))
    };
    let mut response = shell(page, &o.name, body);
    if error.is_some() {
        *response.status_mut() = StatusCode::CONFLICT;
    }
    response
}

async fn show_opportunity(
    state: &AppState,
    page: &Page,
    id: OpportunityId,
    ok: Option<&str>,
    error: Option<&kernel::Error>,
) -> Response {
    let ctx = page.ctx(state);
    let loaded = state
        .blocking(move |state| {
            state.db.read(|tx| {
                let o = crm::get_opportunity(tx, &ctx, id)?;
                let activities = crm::activity::activities_of(tx, &ctx, "opportunity_id", &o.id)?;
                Ok((o, activities))
            })
        })
        .await;
    match loaded {
        Ok((o, activities)) => opportunity_page(page, &o, &activities, ok, error),
        Err(e) => error_page_for(page, StatusCode::NOT_FOUND, &e.0),
    }
}

pub async fn opportunity(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(id) = OpportunityId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "crm.opportunity_not_found");
    };
    let ok = query_param(query.as_deref(), "ok");
    show_opportunity(&state, &page, id, ok.as_deref(), None).await
}

/// Won or lost from the opportunity page.
pub async fn act(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = OpportunityId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "crm.opportunity_not_found");
    };
    let (won, reason) = (form.text("action") == "won", form.text("reason"));
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| crm::opportunity::close(tx, &ctx, id, won, &reason))).await {
        Ok(_) => see_other(&format!("/crm/opportunities/{id}"), Some("ui.saved")),
        Err(error) => show_opportunity(&state, &page, id, None, Some(&error.0)).await,
    }
}

/// A one-line quotation from the opportunity page (more lines are added on the quotation).
pub async fn quotation(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = OpportunityId::parse(&id) else {
        return error_page(&page, StatusCode::NOT_FOUND, "crm.opportunity_not_found");
    };
    let line: sales::OrderLineInput = match serde_json::from_value(serde_json::json!({
        "product": form.text("product"),
        "quantity": form.text("quantity"),
        "unit_price": Some(form.text("unit_price")).filter(|p| !p.is_empty()),
    })) {
        Ok(line) => line,
        Err(_) => return error_page(&page, StatusCode::UNPROCESSABLE_ENTITY, "crm.required"),
    };
    let input = crm::opportunity::QuotationInput { lines: vec![line], valid_until: None, note: String::new() };
    let ctx = page.ctx(&state);
    match state
        .blocking(move |state| state.db.write(|tx| crm::opportunity::create_quotation(tx, &ctx, id, &input)))
        .await
    {
        Ok(order) => see_other(&format!("/sales/orders/{}", order.id), Some("ui.saved")),
        Err(error) => show_opportunity(&state, &page, id, None, Some(&error.0)).await,
    }
}

/// The pipeline report and forecast.
pub async fn report(State(state): State<AppState>, page: Page) -> Response {
    let ctx = page.ctx(&state);
    let loaded = state
        .blocking(move |state| {
            state.db.write(|tx| Ok((crm::pipeline::report(tx, &ctx)?, crm::pipeline::forecast(tx, &ctx)?)))
        })
        .await;
    let (report, forecast) = match loaded {
        Ok(loaded) => loaded,
        Err(e) => return error_page_for(&page, StatusCode::UNPROCESSABLE_ENTITY, &e.0),
    };
    let f = &report.funnel;
    let body = html! {
        h1 { (page.t("ui.crm.report")) }
        section.panel {
            h2 { (page.t("ui.crm.funnel")) }
            table.list { tbody {
                tr { td { (page.t("ui.crm.leads")) } td.num { (f.leads) } }
                tr { td { (page.t("ui.crm.lead_state.qualified")) } td.num { (f.qualified) } }
                tr { td { (page.t("ui.crm.opportunities")) } td.num { (f.opportunities) } }
                tr { td { (page.t("ui.crm.quotation")) } td.num { (f.quoted) } }
                tr { td { (page.t("ui.crm.opportunity_state.won")) } td.num { (f.won) } }
            } }
            (crate::ui::chart::funnel(&page.t("ui.crm.funnel"), &[
                crate::ui::chart::Point { label: page.t("ui.crm.leads"), value: f.leads as f64 },
                crate::ui::chart::Point { label: page.t("ui.crm.lead_state.qualified"), value: f.qualified as f64 },
                crate::ui::chart::Point { label: page.t("ui.crm.opportunities"), value: f.opportunities as f64 },
                crate::ui::chart::Point { label: page.t("ui.crm.quotation"), value: f.quoted as f64 },
                crate::ui::chart::Point { label: page.t("ui.crm.opportunity_state.won"), value: f.won as f64 },
            ]))
        }
        section.panel {
            h2 { (page.t("ui.crm.by_stage")) }
            table.list {
                thead { tr { th { (page.t("ui.crm.stage")) } th.num { (page.t("ui.crm.open")) } th.num { (page.t("ui.crm.expected_revenue")) } } }
                tbody { @for s in &report.by_stage { tr { td { (s.stage) } td.num { (s.open) } td.num { (s.expected_revenue) } } } }
            }
        }
        section.panel {
            h2 { (page.t("ui.crm.by_owner")) }
            table.list {
                thead { tr {
                    th { (page.t("ui.crm.owner")) } th.num { (page.t("ui.crm.open")) } th.num { (page.t("ui.crm.expected_revenue")) }
                    th.num { (page.t("ui.crm.opportunity_state.won")) } th.num { (page.t("ui.crm.opportunity_state.lost")) }
                    th.num { (page.t("ui.crm.win_rate")) } th.num { (page.t("ui.crm.cycle_days")) } th.num { (page.t("ui.crm.activities")) }
                } }
                tbody { @for o in &report.by_owner { tr {
                    td { (o.owner_id.clone().unwrap_or_else(|| "—".into())) } td.num { (o.open) } td.num { (o.open_revenue) }
                    td.num { (o.won) } td.num { (o.lost) } td.num { (o.win_rate) "%" } td.num { (o.average_cycle_days) } td.num { (o.activities) }
                } } }
            }
        }
        section.panel {
            h2 { (page.t("ui.crm.forecast")) }
            table.list {
                thead { tr { th { (page.t("ui.crm.month")) } th { (page.t("ui.crm.team")) } th { (page.t("ui.crm.owner")) } th.num { (page.t("ui.crm.opportunities")) } th.num { (page.t("ui.crm.expected_revenue")) } th.num { (page.t("ui.crm.weighted_revenue")) } } }
                tbody { @for r in &forecast { tr {
                    td { (if r.month.is_empty() { "—" } else { &r.month }) } td { (r.team.clone().unwrap_or_else(|| "—".into())) } td { (r.owner_id.clone().unwrap_or_else(|| "—".into())) }
                    td.num { (r.opportunities) } td.num { (r.expected_revenue) } td.num { (r.weighted_revenue) }
                } } }
            }
        }
    };
    shell(&page, &page.t("ui.crm.report"), body)
}

/// Customer 360 (客户全景).
pub async fn customer_360(State(state): State<AppState>, page: Page, Path(id): Path<String>) -> Response {
    let ctx = page.ctx(&state);
    let loaded = state
        .blocking(move |state| {
            let vault = state.keys.vault()?;
            state.db.read(|tx| crm::customer360::customer_360(tx, &ctx, &vault, &id))
        })
        .await;
    let v = match loaded {
        Ok(v) => v,
        Err(e) => return error_page_for(&page, StatusCode::NOT_FOUND, &e.0),
    };
    let c = &v.customer;
    let docs = |title: &str, base: &str, rows: &[sales::customer::RecentDocument]| {
        html! {
            section.panel {
                h2 { (page.t(title)) }
                table.list { tbody { @for d in rows { tr {
                    td { @if base.is_empty() { (d.number) } @else { a href=(format!("{base}/{}", d.id)) { (d.number) } } }
                    td { (d.date) } td { (d.state) } td.num { (d.currency) " " (d.total) }
                } } } }
            }
        }
    };
    let body = html! {
        h1 { (page.t("ui.crm.customer_360")) " · " (c.name) }
        div.kpis {
            div.kpi { span { (page.t("ui.crm.lifetime_value")) } strong { "¥" (v.lifetime_value) } }
            div.kpi { span { (page.t("ui.crm.open_balance")) } strong { "¥" (v.open_balance) } }
            div.kpi { span { (page.t("ui.crm.average_order")) } strong { "¥" (v.average_order_value) } }
            div.kpi { span { (page.t("ui.crm.last_purchase")) } strong { (v.last_purchase_date.clone().unwrap_or_else(|| "—".into())) } }
            div.kpi { span { (page.t("ui.crm.orders")) } strong { (v.sales.orders) } }
        }
        section.panel {
            h2 { (page.t("ui.crm.contacts")) }
            p { a href=(format!("/parties/{}", c.id)) { (c.code) " " (c.name) } }
            ul { @for contact in &c.contacts { li { (contact.name) " " (contact.title) " " (contact.mobile.clone().or(contact.phone.clone()).unwrap_or_default()) " " (contact.email.clone().unwrap_or_default()) } } }
        }
        section.panel {
            h2 { (page.t("ui.crm.opportunities")) }
            table.list { tbody { @for o in &v.opportunities { tr {
                td { a href=(format!("/crm/opportunities/{}", o.id)) { (o.name) } } td { (o.stage_name) } td { (page.t(&format!("ui.crm.opportunity_state.{}", o.state))) } td.num { (o.expected_revenue) }
            } } } }
        }
        (docs("ui.crm.quotations", "/sales/orders", &v.sales.recent_quotations))
        (docs("ui.crm.orders", "/sales/orders", &v.sales.recent_orders))
        (docs("ui.crm.deliveries", "/inventory/pickings", &v.sales.recent_deliveries))
        (docs("ui.crm.invoices", "/sales/invoices", &v.sales.recent_invoices))
        section.panel {
            h2 { (page.t("ui.crm.contracts")) }
            @if page.may(crm::permissions::WRITE) { p { a.button href=(format!("/crm/contracts/new?customer={}", c.code)) { "+ " (page.t("ui.crm.new_contract")) } } }
            table.list { tbody { @for k in &v.contracts { tr {
                td { a href=(format!("/crm/contracts/{}", k.id)) { (k.number) } } td { (k.name) }
                td { (page.t(&format!("ui.crm.contract_state.{}", k.state))) } td { (k.start_date) " – " (k.end_date) } td.num { (k.amount) }
            } } } }
            p.meta {
                (page.t("ui.crm.lifecycle")) " " strong { (page.t(&format!("ui.crm.lifecycle.{}", v.lifecycle_stage))) }
                @if let Some(nps) = v.satisfaction.nps { " · NPS " (nps) }
                @if let Some(csat) = &v.satisfaction.csat { " · CSAT " (csat) }
            }
        }
        section.panel {
            h2 { (page.t("ui.crm.payments")) }
            table.list { tbody { @for p in &v.payments { tr { td { a href=(format!("/finance/vouchers/{}", p.voucher_id)) { (p.date) } } td { (p.summary) } td.num { (p.amount) } } } } }
        }
        p.meta { (page.t("ui.crm.activity_count")) " " (v.activity_count) }
        (timeline(&page, &v.activities, ("customer", &c.id.to_string()), &format!("/parties/{}/360", c.id)))
    };
    shell(&page, &c.name, body)
}
