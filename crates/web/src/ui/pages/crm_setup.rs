//! CRM setup in the web client: the pipeline's stages with their probabilities, the sales teams
//! (manager and members, by username), the assignment rules that give new leads to a team's
//! members in turn, and the lifecycle thresholds.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use crm::permissions::SETUP;
use kernel::Error;
use maud::html;

use super::{FormData, see_other};
use crate::state::AppState;
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page_for, flash, shell};

struct Loaded {
    stages: Vec<crm::stage::Stage>,
    teams: Vec<(crm::team::Team, String, Vec<String>)>,
    rules: Vec<crm::team::AssignmentRule>,
    thresholds: crm::lifecycle::Thresholds,
}

/// A user's name for the page (the id when unknown).
fn username(tx: &mut kernel::db::Tx<'_>, id: &str) -> kernel::Result<String> {
    Ok(tx
        .query_opt("select username from kernel_user where id = $1", &[&id])?
        .map(|r| r.get::<String>(0))
        .transpose()?
        .unwrap_or_else(|| id.to_string()))
}

async fn render(state: &AppState, page: &Page, ok: Option<&str>, error: Option<&Error>) -> Response {
    let ctx = page.ctx(state);
    let loaded = state
        .blocking(move |state| {
            state.db.write(|tx| {
                let mut teams = Vec::new();
                for team in crm::team::list_teams(tx, &ctx)? {
                    let manager = match &team.manager_id {
                        Some(m) => username(tx, m)?,
                        None => String::new(),
                    };
                    let members = team.members.iter().map(|m| username(tx, m)).collect::<kernel::Result<Vec<_>>>()?;
                    teams.push((team, manager, members));
                }
                Ok(Loaded {
                    stages: crm::stage::list_stages(tx, &ctx)?,
                    teams,
                    rules: crm::team::list_rules(tx, &ctx)?,
                    thresholds: crm::lifecycle::thresholds(tx, &ctx)?,
                })
            })
        })
        .await;
    let data = match loaded {
        Ok(data) => data,
        Err(e) => return error_page_for(page, StatusCode::UNPROCESSABLE_ENTITY, &e.0),
    };
    let may = page.may(SETUP);
    let csrf = page.csrf();
    let t = data.thresholds;
    let body = html! {
        h1 { (page.t("ui.crm.setup")) }
        (flash(page, ok, None))
        @if let Some(error) = error {
            div.flash.error role="alert" {
                (page.t_with(error.code(), error.params()))
                @for f in error.fields() { " · " (f.field) "：" (page.t_with(f.code, &f.params)) }
            }
        }
        section.panel {
            h2 { (page.t("ui.crm.stages")) }
            table.list {
                thead { tr { th { (page.t("ui.crm.code")) } th { (page.t("ui.crm.stage")) } th.num { (page.t("ui.crm.probability")) } th.num { (page.t("ui.crm.seq")) } } }
                tbody { @for s in &data.stages { tr { td { (s.code) } td { (s.name) } td.num { (s.probability) "%" } td.num { (s.seq) } } } }
            }
            @if may {
                form.inline method="post" action="/crm/setup/stages" {
                    input type="hidden" name="_csrf" value=(csrf);
                    input type="text" name="code" required placeholder=(page.t("ui.crm.code")) aria-label=(page.t("ui.crm.code"));
                    " " input type="text" name="name" required placeholder=(page.t("ui.crm.stage")) aria-label=(page.t("ui.crm.stage"));
                    " " input type="text" inputmode="decimal" name="probability" required placeholder=(page.t("ui.crm.probability")) aria-label=(page.t("ui.crm.probability"));
                    " " input type="number" name="seq" placeholder=(page.t("ui.crm.seq")) aria-label=(page.t("ui.crm.seq"));
                    " " button type="submit" { (page.t("ui.save")) }
                }
            }
        }
        section.panel {
            h2 { (page.t("ui.crm.teams")) }
            table.list {
                thead { tr { th { (page.t("ui.crm.code")) } th { (page.t("ui.crm.team")) } th { (page.t("ui.crm.manager")) } th { (page.t("ui.crm.members")) } } }
                tbody { @for (team, manager, members) in &data.teams { tr { td { (team.code) } td { (team.name) } td { (manager) } td { (members.join("、")) } } } }
            }
            @if may {
                form.inline method="post" action="/crm/setup/teams" {
                    input type="hidden" name="_csrf" value=(csrf);
                    input type="text" name="code" required placeholder=(page.t("ui.crm.code")) aria-label=(page.t("ui.crm.code"));
                    " " input type="text" name="name" required placeholder=(page.t("ui.crm.team")) aria-label=(page.t("ui.crm.team"));
                    " " input type="text" name="manager" placeholder=(page.t("ui.crm.manager")) aria-label=(page.t("ui.crm.manager"));
                    " " input type="text" name="members" placeholder=(page.t("ui.crm.members_hint")) aria-label=(page.t("ui.crm.members"));
                    " " button type="submit" { (page.t("ui.save")) }
                }
            }
        }
        section.panel {
            h2 { (page.t("ui.crm.assignment_rules")) }
            table.list {
                thead { tr { th.num { (page.t("ui.crm.seq")) } th { (page.t("ui.crm.rule_kind")) } th { (page.t("ui.crm.value")) } th { (page.t("ui.crm.team")) } } }
                tbody { @for r in &data.rules { tr { td.num { (r.seq) } td { (page.t(&format!("ui.crm.rule.{}", r.kind))) } td { (r.value) } td { (r.team_code) } } } }
            }
            @if may {
                form.inline method="post" action="/crm/setup/rules" {
                    input type="hidden" name="_csrf" value=(csrf);
                    select name="kind" aria-label=(page.t("ui.crm.rule_kind")) {
                        @for k in ["region", "industry", "round_robin"] { option value=(k) { (page.t(&format!("ui.crm.rule.{k}"))) } }
                    }
                    " " input type="text" name="value" placeholder=(page.t("ui.crm.value")) aria-label=(page.t("ui.crm.value"));
                    " " input type="text" name="team" required placeholder=(page.t("ui.crm.code")) aria-label=(page.t("ui.crm.team"));
                    " " button type="submit" { (page.t("ui.save")) }
                }
            }
        }
        section.panel {
            h2 { (page.t("ui.crm.lifecycle")) }
            form.inline method="post" action="/crm/setup/lifecycle" {
                input type="hidden" name="_csrf" value=(csrf);
                label { (page.t("ui.crm.new_days")) " " input type="number" name="new_days" value=(t.new_days) disabled[!may]; } " "
                label { (page.t("ui.crm.active_days")) " " input type="number" name="active_days" value=(t.active_days) disabled[!may]; } " "
                label { (page.t("ui.crm.churn_days")) " " input type="number" name="churn_days" value=(t.churn_days) disabled[!may]; } " "
                @if may { button type="submit" { (page.t("ui.save")) } }
            }
        }
    };
    let mut response = shell(page, &page.t("ui.crm.setup"), body);
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

pub async fn show(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let ok = query_param(query.as_deref(), "ok");
    render(&state, &page, ok.as_deref(), None).await
}

/// Runs a setup change and shows the page again (with the problem, if any).
async fn save(
    state: &AppState,
    page: &Page,
    work: impl FnOnce(&mut kernel::db::Tx<'_>, &kernel::Ctx) -> kernel::Result<()> + Send + 'static,
) -> Response {
    let ctx = page.ctx(state);
    match state.blocking(move |state| state.db.write(|tx| work(tx, &ctx))).await {
        Ok(()) => see_other("/crm/setup", Some("ui.saved")),
        Err(error) => render(state, page, None, Some(&error.0)).await,
    }
}

pub async fn stage(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let input = crm::stage::StageInput {
        code: form.text("code"),
        name: form.text("name"),
        probability: form.text("probability"),
        seq: form.text("seq").parse().ok(),
    };
    save(&state, &page, move |tx, ctx| crm::stage::save_stage(tx, ctx, &input).map(|_| ())).await
}

pub async fn team(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let (code, name, manager, members) =
        (form.text("code"), form.text("name"), form.text("manager"), form.text("members"));
    save(&state, &page, move |tx, ctx| {
        // People are named by username on the page.
        let mut user = |name: &str, field: &str| -> kernel::Result<String> {
            kernel::identity::find_user_by_username(tx, name)?
                .map(|(id, _, _)| id.to_string())
                .ok_or_else(|| Error::field(field.to_string(), "crm.owner_unknown"))
        };
        let manager_id = if manager.is_empty() { None } else { Some(user(&manager, "manager")?) };
        let members = members
            .split([',', '，', '、', ' '])
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(|m| user(m, "members"))
            .collect::<kernel::Result<Vec<_>>>()?;
        crm::team::save_team(tx, ctx, &crm::team::TeamInput { code, name, manager_id, members }).map(|_| ())
    })
    .await
}

pub async fn rule(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let input =
        crm::team::RuleInput { kind: form.text("kind"), value: form.text("value"), team: form.text("team"), seq: None };
    save(&state, &page, move |tx, ctx| crm::team::save_rule(tx, ctx, &input).map(|_| ())).await
}

pub async fn lifecycle(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let number = |name: &str| form.text(name).parse::<i64>().unwrap_or(0);
    let thresholds = crm::lifecycle::Thresholds {
        new_days: number("new_days"),
        active_days: number("active_days"),
        churn_days: number("churn_days"),
    };
    save(&state, &page, move |tx, ctx| crm::lifecycle::set_thresholds(tx, ctx, &thresholds).map(|_| ())).await
}
