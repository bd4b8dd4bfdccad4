//! Requests: what a document raises when its guarded transition needs approval. `gate` is the
//! one question every module asks; it answers "go ahead" or submits a request under the flow's
//! current version, with the steps that apply to this document and their approvers fixed at
//! submission. While a request is pending the document cannot pass the gate again.

use kernel::db::Tx;
use kernel::id::{DocRef, Uuid};
use kernel::identity::UserId;
use kernel::sequence::{DocType, next_number};
use kernel::{Ctx, Error, Result, audit};
use serde::{Deserialize, Serialize};

use super::condition::{Facts, all_hold};
use super::flow::{self, Approver, Mode};
use super::resolve;
use super::timeline;
use crate::notification::notify;

pub const REQUEST_NUMBERS: DocType = DocType { code: "office.approval", prefix: "AP" };

/// A document at its guarded transition.
#[derive(Clone, Debug)]
pub struct Subject {
    pub kind: String,
    pub id: String,
    /// Shown in the inbox: the document's number and a line about it.
    pub title: String,
    pub facts: Facts,
}

/// The gate's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gate {
    /// No flow applies: the transition goes ahead.
    Open,
    /// A request was submitted; the transition waits for `ApprovalDecided`.
    Submitted { request_id: String, number: String },
}

/// A step as fixed for one request.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlannedStep {
    pub name: String,
    pub mode: Mode,
    #[schema(value_type = Vec<String>)]
    pub approvers: Vec<UserId>,
    pub timeout_hours: Option<u32>,
}

/// The stored request row, as the engine works with it.
#[derive(Clone, Debug)]
pub(crate) struct Stored {
    pub id: String,
    pub number: String,
    pub kind: String,
    pub doc_id: String,
    pub title: String,
    pub submitter: UserId,
    pub state: String,
    pub step: usize,
    pub plan: Vec<PlannedStep>,
    pub version: i64,
}

pub(crate) fn load(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<Stored> {
    let row = tx
        .query_opt(
            "select id, number, doc_kind, doc_id, title, submitter_id, state, step, plan, version
             from office_approval_request where id = $1 and company_id = $2",
            &[&id, &ctx.company()],
        )?
        .ok_or_else(|| Error::not_found("office.approval.not_found"))?;
    Ok(Stored {
        id: row.get(0)?,
        number: row.get(1)?,
        kind: row.get(2)?,
        doc_id: row.get(3)?,
        title: row.get(4)?,
        submitter: row.get(5)?,
        state: row.get(6)?,
        step: usize::try_from(row.get::<i64>(7)?).unwrap_or(0),
        plan: serde_json::from_str(&row.get::<String>(8)?).map_err(Error::internal)?,
        version: row.get(9)?,
    })
}

/// The pending request of a document, if there is one.
pub fn pending_of(tx: &mut Tx<'_>, ctx: &Ctx, kind: &str, doc_id: &str) -> Result<Option<String>> {
    tx.query_opt(
        "select id from office_approval_request where company_id = $1 and doc_kind = $2 and doc_id = $3 and state = 'pending'",
        &[&ctx.company(), &kind, &doc_id],
    )?
    .map(|r| r.get(0))
    .transpose()
}

/// Refuses with `office.approval.pending` while the document waits for a decision: what a
/// module calls before letting a pending document be edited.
pub fn require_not_pending(tx: &mut Tx<'_>, ctx: &Ctx, kind: &str, doc_id: &str) -> Result<()> {
    match pending_of(tx, ctx, kind, doc_id)? {
        Some(id) => Err(Error::conflict("office.approval.pending").with_param("request", id)),
        None => Ok(()),
    }
}

/// The steps of `definition` that apply to these facts, with the approvers of each for this
/// submitter; a manager chain becomes one step per manager found.
fn plan(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    definition: &flow::FlowDefinition,
    facts: &Facts,
    submitter: UserId,
) -> Result<Vec<PlannedStep>> {
    let mut planned = Vec::new();
    // Who decides where a step finds nobody; read only when one does.
    let mut fallback: Option<Vec<UserId>> = None;
    let mut admins = |tx: &mut Tx<'_>| -> Result<Vec<UserId>> {
        if fallback.is_none() {
            fallback = Some(resolve::administrators(tx, ctx)?.into_iter().filter(|u| *u != submitter).collect());
        }
        Ok(fallback.clone().unwrap_or_default())
    };
    for step in definition.steps.iter().filter(|s| all_hold(&s.when, facts)) {
        let planned_step = |name: String, approvers: Vec<UserId>| PlannedStep {
            name,
            mode: step.mode,
            approvers,
            timeout_hours: step.timeout_hours,
        };
        if let [Approver::ManagerChain { levels }] = step.approvers.as_slice() {
            let chain = crate::org::manager_chain(tx, ctx, submitter, usize::from(*levels))?;
            if chain.is_empty() {
                planned.push(planned_step(step.name.clone(), admins(tx)?));
            }
            for (level, manager) in chain.into_iter().enumerate() {
                planned.push(planned_step(format!("{} ({})", step.name, level + 1), vec![manager]));
            }
        } else {
            let mut users: Vec<UserId> = Vec::new();
            for approver in &step.approvers {
                for user in resolve::for_request(tx, ctx, approver, submitter)? {
                    if !users.contains(&user) {
                        users.push(user);
                    }
                }
            }
            if users.is_empty() {
                users = admins(tx)?;
            }
            planned.push(planned_step(step.name.clone(), users));
        }
        if planned.last().is_some_and(|p| p.approvers.is_empty()) {
            return Err(Error::conflict("office.approval.nobody").with_param("step", &step.name));
        }
    }
    Ok(planned)
}

/// The flow a document of `submitter` would go through and its steps with their approvers,
/// or None when no flow applies. Reads only: what `gate` submits, and what the benchmark times.
pub fn evaluate(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    subject: &Subject,
    submitter: UserId,
) -> Result<Option<(flow::Flow, Vec<PlannedStep>)>> {
    let Some(flow) = flow::get_flow(tx, ctx, &subject.kind)? else { return Ok(None) };
    if !flow.active || !all_hold(&flow.definition.when, &subject.facts) {
        return Ok(None);
    }
    let steps = plan(tx, ctx, &flow.definition, &subject.facts, submitter)?;
    Ok((!steps.is_empty()).then_some((flow, steps)))
}

/// Asks whether the subject's transition needs approval, and submits the request when it does.
/// A document with a pending request is refused (`office.approval.pending`). The system itself
/// (reactions, imports, the demo) passes: it acts on decisions already made.
pub fn gate(tx: &mut Tx<'_>, ctx: &Ctx, subject: &Subject) -> Result<Gate> {
    let Some(submitter) = ctx.actor().user() else { return Ok(Gate::Open) };
    require_not_pending(tx, ctx, &subject.kind, &subject.id)?;
    let Some((flow, steps)) = evaluate(tx, ctx, subject, submitter)? else { return Ok(Gate::Open) };
    let id = Uuid::now_v7().to_string();
    let number = next_number(tx, ctx, REQUEST_NUMBERS, ctx.today(), &DocRef::new("office.approval", &id))?;
    let facts = serde_json::to_string(&subject.facts).map_err(Error::internal)?;
    let plan_text = serde_json::to_string(&steps).map_err(Error::internal)?;
    tx.execute(
        "insert into office_approval_request (id, company_id, number, doc_kind, doc_id, title, submitter_id, flow_id, flow_version,
             state, step, facts, plan, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', 0, $10, $11, $12)",
        &[
            &id,
            &ctx.company(),
            &number,
            &subject.kind,
            &subject.id,
            &subject.title,
            &submitter,
            &flow.id,
            &flow.version,
            &facts,
            &plan_text,
            &ctx.now_text(),
        ],
    )?;
    let mut cc: Vec<UserId> = Vec::new();
    for approver in &flow.definition.cc {
        for user in resolve::for_request(tx, ctx, approver, submitter)? {
            if !cc.contains(&user) {
                cc.push(user);
            }
        }
    }
    for user in &cc {
        tx.execute(
            "insert into office_approval_cc (company_id, request_id, user_id, created_at) values ($1, $2, $3, $4)",
            &[&ctx.company(), &id, user, &ctx.now_text()],
        )?;
    }
    timeline::record(tx, ctx, &id, "submitted", None, None, "")?;
    audit::record(
        tx,
        ctx,
        "office.approval.submit",
        "office.approval",
        &id,
        serde_json::json!({"kind": subject.kind, "doc": subject.id, "flow_version": flow.version, "steps": steps.len()}),
    )?;
    let stored = load(tx, ctx, &id)?;
    start_step(tx, ctx, &stored, 0)?;
    Ok(Gate::Submitted { request_id: id, number })
}

/// Opens the tasks of step `step`: one per approver, to the delegate where one stands in.
pub(crate) fn start_step(tx: &mut Tx<'_>, ctx: &Ctx, request: &Stored, step: usize) -> Result<()> {
    let planned = request.plan.get(step).ok_or_else(|| Error::internal("step out of plan"))?;
    let due =
        planned.timeout_hours.map(|h| kernel::clock::format_timestamp(ctx.now() + time::Duration::hours(h.into())));
    let mut seated: Vec<UserId> = Vec::new();
    for approver in &planned.approvers {
        let delegate = resolve::delegate_of(tx, ctx, *approver, &request.kind)?.filter(|d| *d != request.submitter);
        let (seat, on_behalf_of, origin) = match delegate {
            Some(delegate) => (delegate, Some(*approver), "delegation"),
            None => (*approver, None, "flow"),
        };
        if seated.contains(&seat) {
            continue;
        }
        seated.push(seat);
        open_task(tx, ctx, request, step, seat, on_behalf_of, origin, Seat::default(), due.as_deref())?;
    }
    Ok(())
}

/// What a task's place in its step is, beyond its approver.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Seat<'a> {
    /// The task waiting for this one (加签 before).
    pub unblocks: Option<&'a str>,
    /// Approved whatever the step's mode (加签 after).
    pub required: bool,
}

/// Inserts one pending task and tells its approver.
#[allow(clippy::too_many_arguments)]
pub(crate) fn open_task(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    request: &Stored,
    step: usize,
    approver: UserId,
    on_behalf_of: Option<UserId>,
    origin: &str,
    seat: Seat<'_>,
    due: Option<&str>,
) -> Result<String> {
    let id = Uuid::now_v7().to_string();
    tx.execute(
        "insert into office_approval_task (id, company_id, request_id, step, approver_id, on_behalf_of, origin, state, unblocks_id,
             required, created_at, due_at)
         values ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10, $11)",
        &[
            &id,
            &ctx.company(),
            &request.id,
            &(step as i64),
            &approver,
            &on_behalf_of,
            &origin,
            &seat.unblocks,
            &seat.required,
            &ctx.now_text(),
            &due,
        ],
    )?;
    notify(tx, ctx, approver, &format!("待审批 {} {}", request.number, request.title), &request_link(&request.id))?;
    Ok(id)
}

pub fn request_link(id: &str) -> String {
    format!("/office/approvals/{id}")
}

/// The submitter takes the request back while it is pending (撤回).
pub fn withdraw(tx: &mut Tx<'_>, ctx: &Ctx, id: &str, comment: &str) -> Result<()> {
    let request = load(tx, ctx, id)?;
    if ctx.actor().user() != Some(request.submitter) {
        return Err(Error::forbidden("office.approval.not_submitter"));
    }
    super::decide::finish(tx, ctx, &request, super::Outcome::Withdrawn, comment)
}
