//! 设置 → 审批流: the approval flow of each document kind, drawn as a diagram of its steps, and a
//! plain form to change it — when the document needs approval, then each step with its name,
//! 会签 or 或签, who approves, when it applies and its timeout, and who is copied. Saving makes a
//! new version; a flow naming nobody who can approve is refused with the problem beside it.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use kernel::Error;
use maud::{Markup, html};
use office::approval::{Approver, Condition, Flow, FlowDefinition, FlowInput, KINDS, Mode, Op, Step};

use super::{FormData, see_other};
use crate::state::AppState;
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page_for, flash, shell};

const HOME: &str = "/settings/approvals";
/// Rows of the form: steps beyond what a flow has are left empty and ignored.
const STEP_ROWS: usize = 6;
const OPS: [(&str, Op); 7] =
    [(">", Op::Gt), (">=", Op::Ge), ("<", Op::Lt), ("<=", Op::Le), ("=", Op::Eq), ("!=", Op::Ne), ("in", Op::In)];
const APPROVER_KINDS: [&str; 5] = ["user", "role", "department_head", "manager", "manager_chain"];

fn op_text(op: Op) -> &'static str {
    OPS.iter().find(|(_, o)| *o == op).map(|(t, _)| *t).unwrap_or("=")
}

fn condition_text(page: &Page, c: &Condition) -> String {
    format!("{} {} {}", page.t(&format!("ui.approvals.fact.{}", c.field)), op_text(c.op), c.value)
}

fn approver_text(page: &Page, a: &Approver) -> String {
    match a {
        Approver::User { user } => user.clone(),
        Approver::Role { role } => format!("{} {role}", page.t("ui.flows.approver.role")),
        Approver::DepartmentHead { department: Some(d) } => {
            format!("{} {d}", page.t("ui.flows.approver.department_head"))
        }
        Approver::DepartmentHead { department: None } => page.t("ui.flows.own_department_head"),
        Approver::Manager { level } => page.t_with("ui.flows.manager_level", &[("level", level.to_string())]),
        Approver::ManagerChain { levels } => page.t_with("ui.flows.manager_chain", &[("levels", levels.to_string())]),
    }
}

/// The flow as boxes in a row, one per step, with who decides and when it applies.
fn diagram(page: &Page, definition: &FlowDefinition) -> Markup {
    html! {
        ol.flow-diagram {
            li.flow-node.start {
                strong { (page.t("ui.flows.submitted")) }
                @for c in &definition.when { div.meta { (condition_text(page, c)) } }
            }
            @for step in &definition.steps {
                li.flow-node {
                    strong { (step.name) }
                    div.meta { (page.t(&format!("ui.approvals.mode.{}", if step.mode == Mode::All { "all" } else { "any" }))) }
                    div { (step.approvers.iter().map(|a| approver_text(page, a)).collect::<Vec<_>>().join("、")) }
                    @for c in &step.when { div.meta { (page.t("ui.flows.only_when")) " " (condition_text(page, c)) } }
                    @if let Some(h) = step.timeout_hours { div.meta { (page.t_with("ui.flows.timeout", &[("hours", h.to_string())])) } }
                }
            }
            li.flow-node.end {
                strong { (page.t("ui.flows.approved")) }
                @if !definition.cc.is_empty() { div.meta { (page.t("ui.flows.cc")) " " (definition.cc.iter().map(|a| approver_text(page, a)).collect::<Vec<_>>().join("、")) } }
            }
        }
    }
}

pub async fn list(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let ctx = page.ctx(&state);
    let flows = match state.blocking(move |state| state.db.read(|tx| office::approval::list_flows(tx, &ctx))).await {
        Ok(flows) => flows,
        Err(error) => return error_page_for(&page, StatusCode::FORBIDDEN, &error.0),
    };
    let ok = query_param(query.as_deref(), "ok");
    let body = html! {
        h1 { (page.t("ui.flows.title")) }
        (flash(&page, ok.as_deref(), None))
        p.meta { (page.t("ui.flows.hint")) }
        @for kind in KINDS {
            @let flow = flows.iter().find(|f| f.doc_kind == kind.kind);
            section.panel {
                h2 {
                    (page.t(&format!("ui.approvals.kind.{}", kind.kind)))
                    @if let Some(f) = flow { " · " (f.name) " " span.meta { "v" (f.version) @if !f.active { " · " (page.t("ui.flows.inactive")) } } }
                }
                @match flow {
                    Some(f) => { (diagram(&page, &f.definition)) },
                    None => { p.meta { (page.t("ui.flows.none")) } },
                }
                p { a.button href=(format!("{HOME}/{}", kind.kind)) { (page.t("ui.flows.edit")) } }
            }
        }
    };
    shell(&page, &page.t("ui.flows.title"), body)
}

/// The form's values, from a saved flow or from what was sent.
struct Values {
    name: String,
    active: bool,
    when: Vec<(String, String, String)>,
    steps: Vec<StepValues>,
    cc: String,
}

#[derive(Default)]
struct StepValues {
    name: String,
    mode: String,
    kind: String,
    who: String,
    when: (String, String, String),
    timeout: String,
}

fn approver_values(approvers: &[Approver]) -> (String, String) {
    let mut kind = "user".to_string();
    let mut who = Vec::new();
    for a in approvers {
        let (k, w) = match a {
            Approver::User { user } => ("user", user.clone()),
            Approver::Role { role } => ("role", role.clone()),
            Approver::DepartmentHead { department } => ("department_head", department.clone().unwrap_or_default()),
            Approver::Manager { level } => ("manager", level.to_string()),
            Approver::ManagerChain { levels } => ("manager_chain", levels.to_string()),
        };
        kind = k.to_string();
        if !w.is_empty() {
            who.push(w);
        }
    }
    (kind, who.join(", "))
}

fn condition_values(c: Option<&Condition>) -> (String, String, String) {
    c.map(|c| (c.field.clone(), op_text(c.op).to_string(), c.value.clone())).unwrap_or_default()
}

impl Values {
    fn of(flow: Option<&Flow>) -> Values {
        let Some(flow) = flow else {
            return Values {
                name: String::new(),
                active: true,
                when: vec![Default::default(); 2],
                steps: Vec::new(),
                cc: String::new(),
            };
        };
        let d = &flow.definition;
        let mut when: Vec<_> = d.when.iter().map(|c| condition_values(Some(c))).collect();
        when.resize(2.max(when.len()), Default::default());
        Values {
            name: flow.name.clone(),
            active: flow.active,
            when,
            steps: d
                .steps
                .iter()
                .map(|s| {
                    let (kind, who) = approver_values(&s.approvers);
                    StepValues {
                        name: s.name.clone(),
                        mode: if s.mode == Mode::All { "all".into() } else { "any".into() },
                        kind,
                        who,
                        when: condition_values(s.when.first()),
                        timeout: s.timeout_hours.map(|h| h.to_string()).unwrap_or_default(),
                    }
                })
                .collect(),
            cc: d
                .cc
                .iter()
                .filter_map(|a| if let Approver::User { user } = a { Some(user.clone()) } else { None })
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    fn sent(form: &FormData) -> Values {
        let at = |name: String| form.text(&name);
        Values {
            name: form.text("name"),
            active: form.get("active").is_some(),
            when: (0..2)
                .map(|i| (at(format!("when{i}_field")), at(format!("when{i}_op")), at(format!("when{i}_value"))))
                .collect(),
            steps: (0..STEP_ROWS)
                .map(|i| StepValues {
                    name: at(format!("step{i}_name")),
                    mode: at(format!("step{i}_mode")),
                    kind: at(format!("step{i}_kind")),
                    who: at(format!("step{i}_who")),
                    when: (
                        at(format!("step{i}_when_field")),
                        at(format!("step{i}_when_op")),
                        at(format!("step{i}_when_value")),
                    ),
                    timeout: at(format!("step{i}_timeout")),
                })
                .collect(),
            cc: form.text("cc"),
        }
    }

    /// The flow the form describes; a row the form cannot read is an error at its field.
    fn input(&self) -> Result<FlowInput, Error> {
        let condition =
            |(field, op, value): &(String, String, String), at: String| -> Result<Option<Condition>, Error> {
                if field.trim().is_empty() {
                    return Ok(None);
                }
                let op = OPS
                    .iter()
                    .find(|(t, _)| *t == op.trim())
                    .map(|(_, o)| *o)
                    .ok_or_else(|| Error::field(at, "office.flow.condition_invalid"))?;
                Ok(Some(Condition { field: field.trim().into(), op, value: value.trim().into() }))
            };
        let mut when = Vec::new();
        for (i, c) in self.when.iter().enumerate() {
            when.extend(condition(c, format!("when{i}_field"))?);
        }
        let mut steps = Vec::new();
        for (i, s) in self.steps.iter().enumerate().filter(|(_, s)| !s.name.trim().is_empty()) {
            let who: Vec<&str> = s.who.split([',', '，', ' ']).map(str::trim).filter(|w| !w.is_empty()).collect();
            let number = |w: &str| {
                w.parse::<u8>().map_err(|_| Error::field(format!("step{i}_who"), "office.flow.level_invalid"))
            };
            let approvers = match s.kind.as_str() {
                "role" => who.iter().map(|r| Approver::Role { role: r.to_string() }).collect(),
                "department_head" if who.is_empty() => vec![Approver::DepartmentHead { department: None }],
                "department_head" => {
                    who.iter().map(|d| Approver::DepartmentHead { department: Some(d.to_string()) }).collect()
                }
                "manager" => vec![Approver::Manager { level: number(who.first().copied().unwrap_or("1"))? }],
                "manager_chain" => {
                    vec![Approver::ManagerChain { levels: number(who.first().copied().unwrap_or("1"))? }]
                }
                _ => who.iter().map(|u| Approver::User { user: u.to_string() }).collect(),
            };
            let timeout_hours = match s.timeout.trim() {
                "" => None,
                t => Some(
                    t.parse().map_err(|_| Error::field(format!("step{i}_timeout"), "office.flow.timeout_invalid"))?,
                ),
            };
            steps.push(Step {
                name: s.name.trim().into(),
                mode: if s.mode == "all" { Mode::All } else { Mode::Any },
                approvers,
                when: condition(&s.when, format!("step{i}_when_field"))?.into_iter().collect(),
                timeout_hours,
            });
        }
        let cc = self
            .cc
            .split([',', '，', ' '])
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(|u| Approver::User { user: u.into() })
            .collect();
        Ok(FlowInput { name: self.name.clone(), active: self.active, definition: FlowDefinition { when, steps, cc } })
    }
}

/// Where an engine error about `definition.steps[2].approvers[0].user` is shown on the form.
fn field_of(engine: &str) -> String {
    let step = engine
        .strip_prefix("definition.steps[")
        .and_then(|r| r.split(']').next())
        .and_then(|n| n.parse::<usize>().ok());
    match step {
        Some(i) if engine.contains(".when") => format!("step{i}_when_field"),
        Some(i) if engine.ends_with(".name") => format!("step{i}_name"),
        Some(i) => format!("step{i}_who"),
        None if engine.starts_with("definition.when") => "when0_field".into(),
        None if engine.starts_with("definition.cc") => "cc".into(),
        None => engine.to_string(),
    }
}

fn form_page(page: &Page, kind: &str, values: &Values, saved: Option<&Flow>, error: Option<&Error>) -> Response {
    let facts = KINDS.iter().find(|k| k.kind == kind).map(|k| k.facts).unwrap_or(&[]);
    let message = |field: &str| {
        error.and_then(|e| {
            e.fields()
                .iter()
                .find(|f| field_of(&f.field) == field || f.field == field)
                .map(|f| page.t_with(f.code, if f.params.is_empty() { e.params() } else { &f.params }))
        })
    };
    let fact_select = |name: String, chosen: &str| {
        html! {
            select name=(name) aria-label=(page.t("ui.flows.field")) {
                option value="" { "—" }
                @for f in facts { option value=(f) selected[*f == chosen] { (page.t(&format!("ui.approvals.fact.{f}"))) } }
            }
        }
    };
    let op_select = |name: String, chosen: &str| {
        html! { select name=(name) aria-label=(page.t("ui.flows.op")) { @for (t, _) in OPS { option value=(t) selected[t == chosen] { (t) } } } }
    };
    let mut rows: Vec<&StepValues> = values.steps.iter().collect();
    let blank = StepValues::default();
    while rows.len() < STEP_ROWS {
        rows.push(&blank);
    }
    let body = html! {
        p { a href=(HOME) { "← " (page.t("ui.flows.title")) } }
        h1 { (page.t(&format!("ui.approvals.kind.{kind}"))) }
        @if let Some(e) = error {
            div.flash.error role="alert" { (page.t_with(e.code(), e.params())) }
        }
        @if let Some(flow) = saved { section.panel { h2 { (page.t("ui.flows.current")) " v" (flow.version) } (diagram(page, &flow.definition)) } }
        form.panel method="post" action=(format!("{HOME}/{kind}")) {
            input type="hidden" name="_csrf" value=(page.csrf());
            div.form-grid {
                div.field.invalid[message("name").is_some()] {
                    label for="flow-name" { (page.t("ui.flows.name")) " *" }
                    input #flow-name type="text" name="name" value=(values.name) required;
                    @if let Some(m) = message("name") { span.error role="alert" { (m) } }
                }
                div.field {
                    label { input type="checkbox" name="active" value="1" checked[values.active]; " " (page.t("ui.flows.active")) }
                }
            }
            h2 { (page.t("ui.flows.needs_approval_when")) }
            @for (i, (field, op, value)) in values.when.iter().enumerate() {
                div.flow-condition.invalid[message(&format!("when{i}_field")).is_some()] {
                    (fact_select(format!("when{i}_field"), field)) " " (op_select(format!("when{i}_op"), op)) " "
                    input type="text" name=(format!("when{i}_value")) value=(value) aria-label=(page.t("ui.flows.value"));
                    @if let Some(m) = message(&format!("when{i}_field")) { span.error role="alert" { (m) } }
                }
            }
            h2 { (page.t("ui.approvals.steps")) }
            p.meta { (page.t("ui.flows.steps_hint")) }
            table.list.flow-steps {
                thead { tr {
                    th { "#" } th { (page.t("ui.flows.step_name")) } th { (page.t("ui.flows.mode")) } th { (page.t("ui.flows.approver_kind")) }
                    th { (page.t("ui.flows.who")) } th { (page.t("ui.flows.only_when")) } th { (page.t("ui.flows.timeout_hours")) }
                } }
                tbody {
                    @for (i, s) in rows.iter().enumerate() {
                        @let problem = message(&format!("step{i}_who")).or_else(|| message(&format!("step{i}_name"))).or_else(|| message(&format!("step{i}_when_field"))).or_else(|| message(&format!("step{i}_timeout")));
                        tr.invalid[problem.is_some()] {
                            td { (i + 1) }
                            td { input type="text" name=(format!("step{i}_name")) value=(s.name) size="10" aria-label=(page.t("ui.flows.step_name")); }
                            td { select name=(format!("step{i}_mode")) aria-label=(page.t("ui.flows.mode")) {
                                option value="any" selected[s.mode != "all"] { (page.t("ui.approvals.mode.any")) }
                                option value="all" selected[s.mode == "all"] { (page.t("ui.approvals.mode.all")) }
                            } }
                            td { select name=(format!("step{i}_kind")) aria-label=(page.t("ui.flows.approver_kind")) {
                                @for k in APPROVER_KINDS { option value=(k) selected[s.kind == k] { (page.t(&format!("ui.flows.approver.{k}"))) } }
                            } }
                            td {
                                input type="text" name=(format!("step{i}_who")) value=(s.who) size="14" aria-label=(page.t("ui.flows.who"));
                                @if let Some(m) = &problem { span.error role="alert" { (m) } }
                            }
                            td { (fact_select(format!("step{i}_when_field"), &s.when.0)) " " (op_select(format!("step{i}_when_op"), &s.when.1)) " "
                                input type="text" name=(format!("step{i}_when_value")) value=(s.when.2) size="8" aria-label=(page.t("ui.flows.value")); }
                            td { input type="text" inputmode="numeric" name=(format!("step{i}_timeout")) value=(s.timeout) size="4" aria-label=(page.t("ui.flows.timeout_hours")); }
                        }
                    }
                }
            }
            div.field.invalid[message("cc").is_some()] {
                label for="flow-cc" { (page.t("ui.flows.cc")) }
                input #flow-cc type="text" name="cc" value=(values.cc);
                @if let Some(m) = message("cc") { span.error role="alert" { (m) } }
            }
            p { button.primary type="submit" { (page.t("ui.save")) } }
        }
    };
    let mut response = shell(page, &page.t(&format!("ui.approvals.kind.{kind}")), body);
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

pub async fn form(State(state): State<AppState>, page: Page, Path(kind): Path<String>) -> Response {
    let ctx = page.ctx(&state);
    let wanted = kind.clone();
    match state.blocking(move |state| state.db.read(|tx| office::approval::get_flow(tx, &ctx, &wanted))).await {
        Ok(flow) if KINDS.iter().any(|k| k.kind == kind) => {
            form_page(&page, &kind, &Values::of(flow.as_ref()), flow.as_ref(), None)
        }
        Ok(_) => error_page_for(
            &page,
            StatusCode::NOT_FOUND,
            &Error::not_found("office.flow.kind_unknown").with_param("kind", &kind),
        ),
        Err(error) => error_page_for(&page, StatusCode::NOT_FOUND, &error.0),
    }
}

pub async fn save(State(state): State<AppState>, page: Page, Path(kind): Path<String>, form: FormData) -> Response {
    let mut values = Values::sent(&form);
    // Rows left empty drop out, so the n-th step the engine speaks of is the n-th row shown.
    values.steps.retain(|s| !s.name.trim().is_empty());
    let input = match values.input() {
        Ok(input) => input,
        Err(error) => return form_page(&page, &kind, &values, None, Some(&error)),
    };
    let ctx = page.ctx(&state);
    let wanted = kind.clone();
    match state.blocking(move |state| state.db.write(|tx| office::approval::save_flow(tx, &ctx, &wanted, &input))).await
    {
        Ok(_) => see_other(HOME, Some("ui.saved")),
        Err(error) => form_page(&page, &kind, &values, None, Some(&error.0)),
    }
}
