//! The home page (工作台): each role's work as numbers that link to the lists filtered to exactly
//! that work. A number is counted through the same list function, filters and record rules that
//! its link opens, so the number and the list always agree; only the queues the user's
//! permissions reach are shown. A new company also sees its first steps (`first_steps.rs`)
//! until every one is done.

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use kernel::db::Tx;
use kernel::listing::{ListPage, ListQuery};
use kernel::{Ctx, Permission};
use maud::html;

use super::first_steps::{self, Step};
use crate::state::AppState;
use crate::ui::chart::{self, Point};
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{flash, shell};

/// A module's list function, as the list pages call it.
type ListFn = fn(&mut Tx<'_>, &Ctx, &ListQuery) -> kernel::Result<ListPage>;

/// One number on the home page: what it counts, where it leads, and whether it is a warning.
struct Queue {
    label: &'static str,
    href: String,
    count: i64,
    warning: bool,
}

/// The queues of one area (sales, warehouse, …).
struct Area {
    title: &'static str,
    queues: Vec<Queue>,
    /// The office area shows its tasks by stage as well.
    tasks_by_stage: Vec<(office::TaskStage, i64)>,
}

/// Counts the records of a list with `filters` and links to that list so filtered.
fn listed(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    label: &'static str,
    base: &str,
    list: ListFn,
    filters: &[(&str, String)],
) -> kernel::Result<Queue> {
    let query = ListQuery {
        filters: filters.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        count: true,
        ..Default::default()
    };
    let count = list(tx, ctx, &query)?.total.unwrap_or(0);
    let pairs: Vec<String> = filters
        .iter()
        .map(|(k, v)| format!("f.{k}={}", form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()))
        .collect();
    Ok(Queue { label, href: format!("{base}?{}", pairs.join("&")), count, warning: false })
}

fn warning(queue: Queue) -> Queue {
    Queue { warning: true, ..queue }
}

fn s(text: &str) -> String {
    text.to_string()
}

/// Every area the caller's permissions reach, with its queues counted now.
fn areas(tx: &mut Tx<'_>, ctx: &Ctx) -> kernel::Result<Vec<Area>> {
    let may = |p: Permission| ctx.may(p);
    let today = kernel::clock::format_date(ctx.today());
    let tomorrow = kernel::clock::format_date(ctx.today() + time::Duration::days(1));
    let next_week = kernel::clock::format_date(ctx.today() + time::Duration::days(8));
    let mut areas = Vec::new();

    let mut sales_queues = Vec::new();
    if may(sales::permissions::ORDER_READ) {
        let (base, list): (&str, ListFn) = ("/sales/orders", sales::order::list_orders);
        sales_queues.push(listed(tx, ctx, "ui.home.quotations_to_follow", base, list, &[("state", s("sent"))])?);
        sales_queues.push(listed(tx, ctx, "ui.home.quotations_draft", base, list, &[("state", s("draft"))])?);
        sales_queues.push(listed(
            tx,
            ctx,
            "ui.home.orders_to_deliver",
            base,
            list,
            &[("state", s("confirmed")), ("to_deliver", s("yes"))],
        )?);
        sales_queues.push(listed(
            tx,
            ctx,
            "ui.home.orders_to_invoice",
            base,
            list,
            &[("state", s("confirmed")), ("to_invoice", s("yes"))],
        )?);
    }
    if may(sales::permissions::INVOICE_READ) {
        sales_queues.push(warning(listed(
            tx,
            ctx,
            "ui.home.receivables_overdue",
            "/sales/invoices",
            sales::invoice::list_invoices,
            &[("kind", s("invoice")), ("state", s("posted")), ("due_before", today.clone())],
        )?));
    }
    areas.push(Area { title: "ui.home.area.sales", queues: sales_queues, tasks_by_stage: Vec::new() });

    let mut purchase_queues = Vec::new();
    if may(purchasing::permissions::ORDER_READ) {
        purchase_queues.push(listed(
            tx,
            ctx,
            "ui.home.purchases_to_confirm",
            "/purchasing/orders",
            purchasing::order::list_orders,
            &[("state", s("draft"))],
        )?);
    }
    if may(purchasing::permissions::BILL_READ) {
        let (base, list): (&str, ListFn) = ("/purchasing/bills", purchasing::bill::list_bills);
        purchase_queues.push(warning(listed(
            tx,
            ctx,
            "ui.home.bills_mismatched",
            base,
            list,
            &[("open", s("yes")), ("match_state", s("blocked"))],
        )?));
        purchase_queues.push(listed(
            tx,
            ctx,
            "ui.home.payables_due_week",
            base,
            list,
            &[("kind", s("bill")), ("state", s("posted")), ("due_before", next_week)],
        )?);
    }
    areas.push(Area { title: "ui.home.area.purchasing", queues: purchase_queues, tasks_by_stage: Vec::new() });

    let mut stock_queues = Vec::new();
    if may(inventory::permissions::STOCK_READ) {
        let (base, list): (&str, ListFn) = ("/inventory/pickings", inventory::picking::list_pickings);
        for (label, kind) in [("ui.home.receipts_today", "receipt"), ("ui.home.deliveries_today", "delivery")] {
            stock_queues.push(listed(
                tx,
                ctx,
                label,
                base,
                list,
                &[("kind", s(kind)), ("open", s("yes")), ("scheduled_before", tomorrow.clone())],
            )?);
        }
        let below = inventory::reorder::suggestions(tx, ctx)?.len();
        stock_queues.push(Queue {
            label: "ui.home.below_minimum",
            href: s("/inventory/replenishment"),
            count: i64::try_from(below).unwrap_or(i64::MAX),
            warning: true,
        });
    }
    areas.push(Area { title: "ui.home.area.inventory", queues: stock_queues, tasks_by_stage: Vec::new() });

    let mut production_queues = Vec::new();
    if may(production::permissions::READ) {
        use production::work_order::Queue as WorkQueue;
        for queue in [WorkQueue::Late, WorkQueue::Held] {
            production_queues.push(Queue {
                label: match queue {
                    WorkQueue::Late => "ui.home.work_orders_late",
                    WorkQueue::Held => "ui.home.work_orders_held",
                },
                href: format!("/production/work-orders?queue={}", queue.code()),
                count: production::work_order::count_queue(tx, ctx, queue)?,
                warning: true,
            });
        }
    }
    areas.push(Area { title: "ui.home.area.production", queues: production_queues, tasks_by_stage: Vec::new() });

    let mut crm_queues = Vec::new();
    if may(crm::permissions::READ) {
        crm_queues.push(listed(
            tx,
            ctx,
            "ui.home.leads_new",
            "/crm/leads",
            crm::lead::list_leads,
            &[("state", s("new"))],
        )?);
        crm_queues.push(Queue {
            label: "ui.home.follow_ups_due",
            href: s("/crm/follow-ups"),
            count: crm::activity::count_follow_ups_due(tx, ctx)?,
            warning: false,
        });
    }
    areas.push(Area { title: "ui.home.area.crm", queues: crm_queues, tasks_by_stage: Vec::new() });

    let mut office_queues = Vec::new();
    // Approvals waiting for this user: anyone may be an approver, whatever their roles.
    if ctx.actor().user().is_some() {
        office_queues.push(Queue {
            label: "ui.home.approvals_waiting",
            href: s("/office/approvals"),
            count: office::approval::waiting_count(tx, ctx)?,
            warning: false,
        });
        let unacknowledged = office::announcement::unacknowledged_count(tx, ctx)?;
        if unacknowledged > 0 {
            office_queues.push(warning(Queue {
                label: "ui.home.announcements_to_acknowledge",
                href: s("/office/announcements"),
                count: unacknowledged,
                warning: true,
            }));
        }
    }
    if let (true, Some(user)) = (may(office::permissions::TASK_READ), ctx.actor().user()) {
        office_queues.push(listed(
            tx,
            ctx,
            "ui.home.my_tasks",
            "/office/tasks",
            office::task::list_tasks,
            &[("assignee_id", user.to_string()), ("open", s("yes"))],
        )?);
    }
    let tasks_by_stage =
        if may(office::permissions::TASK_READ) { office::count_by_stage(tx, ctx)? } else { Vec::new() };
    areas.push(Area { title: "ui.home.area.office", queues: office_queues, tasks_by_stage });

    areas.retain(|a| !a.queues.is_empty());
    Ok(areas)
}

/// The administrator's view of the system itself: changes per day and the outbox.
struct SystemHealth {
    activity: Vec<(String, i64)>,
    outbox_states: Vec<(String, i64)>,
}

fn system_health(tx: &mut Tx<'_>, ctx: &Ctx) -> kernel::Result<Option<SystemHealth>> {
    if !ctx.may(kernel::identity::permissions::AUDIT_READ) {
        return Ok(None);
    }
    let company = ctx.company();
    let since = kernel::clock::format_date(ctx.today() - time::Duration::days(13));
    let rows = tx.query(
        "select substr(at, 1, 10), count(*) from kernel_audit where company_id = $1 and at >= $2 group by substr(at, 1, 10) order by 1",
        &[&company, &since],
    )?;
    let mut activity = Vec::new();
    for offset in (0..14).rev() {
        let day = kernel::clock::format_date(ctx.today() - time::Duration::days(offset));
        let n = rows
            .iter()
            .find(|r| r.get::<String>(0).ok().as_deref() == Some(day.as_str()))
            .and_then(|r| r.get(1).ok())
            .unwrap_or(0);
        activity.push((day[5..].to_string(), n));
    }
    let outbox_states = tx
        .query(
            "select state, count(*) from kernel_outbox where company_id = $1 group by state order by state",
            &[&company],
        )?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?)))
        .collect::<kernel::Result<Vec<_>>>()?;
    Ok(Some(SystemHealth { activity, outbox_states }))
}

pub async fn dashboard(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let ctx = page.ctx(&state);
    let loaded = state
        .blocking(move |state| {
            state.db.read(|tx| {
                let steps = first_steps::steps(tx, &ctx)?;
                let demo = first_steps::offer_demo(tx, &ctx, state.demo.as_ref().map(|d| d.code))?;
                Ok((areas(tx, &ctx)?, (steps, demo), system_health(tx, &ctx)?))
            })
        })
        .await;
    let (areas, (steps, demo), health): (Vec<Area>, (Vec<Step>, bool), Option<SystemHealth>) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return error.into_response(),
    };
    let body = html! {
        h1 { (page.t("ui.dashboard")) }
        (flash(&page, query_param(query.as_deref(), "ok").as_deref(), None))
        (first_steps::panel(&page, &steps, demo))
        @for area in &areas {
            section.work-area {
                h2 { (page.t(area.title)) }
                div.tiles {
                    @for queue in &area.queues {
                        a.tile.queue.warning[queue.warning && queue.count > 0] href=(queue.href) data-queue=(queue.label) {
                            div.value { (queue.count) }
                            div.label { (page.t(queue.label)) }
                        }
                    }
                }
                @if area.tasks_by_stage.iter().any(|(_, n)| *n > 0) {
                    div.panel { (chart::bar(&page.t("ui.chart.tasks_by_stage"), &area.tasks_by_stage.iter().map(|(s, n)| Point { label: page.t(&format!("ui.task.stage.{}", s.code())), value: *n as f64 }).collect::<Vec<_>>())) }
                }
            }
        }
        @if areas.is_empty() { p.muted { (page.t("ui.home.nothing")) } }
        @if let Some(health) = &health {
            details.system-health {
                summary { (page.t("ui.home.system")) }
                div.charts {
                    div.panel { (chart::line(&page.t("ui.chart.activity"), &health.activity.iter().map(|(d, n)| Point { label: d.clone(), value: *n as f64 }).collect::<Vec<_>>())) }
                    div.panel { (chart::pie(&page.t("ui.chart.outbox"), &health.outbox_states.iter().map(|(s, n)| Point { label: page.t(&format!("ui.outbox.state.{s}")), value: *n as f64 }).collect::<Vec<_>>())) }
                }
            }
        }
    };
    shell(&page, &page.t("ui.dashboard"), body)
}
