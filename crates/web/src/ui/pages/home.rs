//! The home page: a dashboard of KPI tiles and charts over what the company has today.
//! Modules add their tiles as they land; everything is read live in one transaction.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::html;

use crate::state::AppState;
use crate::ui::chart::{self, Point};
use crate::ui::guard::Page;
use crate::ui::layout::shell;

struct Figures {
    users: i64,
    open_tasks: i64,
    pending_outbox: i64,
    audit_today: i64,
    tasks_by_stage: Vec<(office::TaskStage, i64)>,
    activity: Vec<(String, i64)>,
    outbox_states: Vec<(String, i64)>,
}

pub async fn dashboard(State(state): State<AppState>, page: Page) -> Response {
    let ctx = page.ctx(&state);
    let figures = state
        .blocking(move |state| {
            state.db.read(|tx| {
                let company = ctx.company();
                let today = kernel::clock::format_date(ctx.today());
                let since = kernel::clock::format_date(ctx.today() - time::Duration::days(13));
                let activity_rows = tx.query(
                    "select substr(at, 1, 10), count(*) from kernel_audit where company_id = $1 and at >= $2 group by substr(at, 1, 10) order by 1",
                    &[&company, &since],
                )?;
                let mut activity = Vec::new();
                for offset in (0..14).rev() {
                    let day = kernel::clock::format_date(ctx.today() - time::Duration::days(offset));
                    let n = activity_rows.iter().find(|r| r.get::<String>(0).ok().as_deref() == Some(day.as_str())).and_then(|r| r.get(1).ok()).unwrap_or(0);
                    activity.push((day[5..].to_string(), n));
                }
                let outbox_states = tx
                    .query("select state, count(*) from kernel_outbox where company_id = $1 group by state order by state", &[&company])?
                    .iter()
                    .map(|r| Ok((r.get(0)?, r.get(1)?)))
                    .collect::<kernel::Result<Vec<_>>>()?;
                let tasks_by_stage = office::count_by_stage(tx, &ctx)?;
                Ok(Figures {
                    users: tx.scalar("select count(*) from kernel_membership where company_id = $1", &[&company])?,
                    open_tasks: tasks_by_stage.iter().filter(|(s, _)| *s != office::TaskStage::Done).map(|(_, n)| n).sum(),
                    pending_outbox: outbox_states.iter().filter(|(s, _)| s == "pending").map(|(_, n)| n).sum(),
                    audit_today: tx.scalar("select count(*) from kernel_audit where company_id = $1 and at >= $2", &[&company, &today])?,
                    tasks_by_stage,
                    activity,
                    outbox_states,
                })
            })
        })
        .await;
    let figures = match figures {
        Ok(f) => f,
        Err(error) => return error.into_response(),
    };
    let stage_points: Vec<Point> = figures
        .tasks_by_stage
        .iter()
        .map(|(s, n)| Point { label: page.t(&format!("ui.task.stage.{}", s.code())), value: *n as f64 })
        .collect();
    let body = html! {
        h1 { (page.t("ui.dashboard")) }
        div.tiles {
            div.tile { div.value { (figures.users) } div.label { (page.t("ui.kpi.users")) } }
            div.tile { div.value { (figures.open_tasks) } div.label { (page.t("ui.kpi.open_tasks")) } }
            div.tile { div.value { (figures.audit_today) } div.label { (page.t("ui.kpi.changes_today")) } }
            div.tile { div.value { (figures.pending_outbox) } div.label { (page.t("ui.kpi.outbox_pending")) } }
        }
        div.charts {
            div.panel { (chart::line(&page.t("ui.chart.activity"), &figures.activity.iter().map(|(d, n)| Point { label: d.clone(), value: *n as f64 }).collect::<Vec<_>>())) }
            div.panel { (chart::bar(&page.t("ui.chart.tasks_by_stage"), &stage_points)) }
            div.panel { (chart::funnel(&page.t("ui.chart.task_funnel"), &stage_points)) }
            div.panel { (chart::pie(&page.t("ui.chart.outbox"), &figures.outbox_states.iter().map(|(s, n)| Point { label: page.t(&format!("ui.outbox.state.{s}")), value: *n as f64 }).collect::<Vec<_>>())) }
        }
    };
    shell(&page, &page.t("ui.dashboard"), body)
}
