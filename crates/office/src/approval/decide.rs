//! Deciding: approve, reject, return (to the submitter or an earlier step), transfer (转交) and
//! adding an approver before or after oneself (加签). Each acts on one pending task of the
//! caller; every write is guarded on the task still being pending, so no task (and no request)
//! is decided twice. When a step is complete the next starts; after the last, or on a
//! rejection, return or withdrawal, `ApprovalDecided` tells the document.

use kernel::db::Tx;
use kernel::identity::UserId;
use kernel::{Ctx, Error, Result, audit};
use serde::{Deserialize, Serialize};

use super::flow::Mode;
use super::request::{self, Seat, Stored};
use super::{ApprovalDecided, Outcome, timeline};
use crate::notification::notify;

/// What the approver decides.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "decision", rename_all = "snake_case", deny_unknown_fields)]
#[schema(example = json!({"decision": "approve", "comment": "同意"}))]
pub enum Decision {
    Approve {
        #[serde(default)]
        comment: String,
    },
    Reject {
        #[serde(default)]
        comment: String,
    },
    /// Back to the submitter (`step` left out) or to an earlier step (0 = the first).
    Return {
        #[serde(default)]
        step: Option<usize>,
        #[serde(default)]
        comment: String,
    },
    /// Hands the task to another member (转交).
    Transfer {
        to: String,
        #[serde(default)]
        comment: String,
    },
    /// 加签: `user` decides before the caller, who decides after them; or after the caller
    /// approves, and the step then also waits for them.
    Add {
        user: String,
        before: bool,
        #[serde(default)]
        comment: String,
    },
}

struct Task {
    id: String,
    request: String,
    step: usize,
    approver: UserId,
    on_behalf_of: Option<UserId>,
    origin: String,
    state: String,
    unblocks: Option<String>,
    required: bool,
}

fn load_task(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<Task> {
    let row = tx
        .query_opt(
            "select id, request_id, step, approver_id, on_behalf_of, origin, state, unblocks_id, required
             from office_approval_task where id = $1 and company_id = $2",
            &[&id, &ctx.company()],
        )?
        .ok_or_else(|| Error::not_found("office.approval.not_found"))?;
    Ok(Task {
        id: row.get(0)?,
        request: row.get(1)?,
        step: usize::try_from(row.get::<i64>(2)?).unwrap_or(0),
        approver: row.get(3)?,
        on_behalf_of: row.get(4)?,
        origin: row.get(5)?,
        state: row.get(6)?,
        unblocks: row.get(7)?,
        required: row.get(8)?,
    })
}

/// Marks a pending task decided; zero rows is someone else's decision first.
fn close_task(tx: &mut Tx<'_>, ctx: &Ctx, task: &str, state: &str, comment: &str) -> Result<()> {
    let changed = tx.execute(
        "update office_approval_task set state = $1, comment = $2, decided_at = $3, version = version + 1
         where id = $4 and state = 'pending'",
        &[&state, &comment, &ctx.now_text(), &task],
    )?;
    if changed == 0 {
        return Err(Error::conflict("office.approval.not_pending"));
    }
    Ok(())
}

/// Skips the still open tasks of a step (or of every step).
fn skip_open(tx: &mut Tx<'_>, request: &str, step: Option<usize>) -> Result<()> {
    match step {
        Some(step) => tx.execute(
            "update office_approval_task set state = 'skipped', version = version + 1
             where request_id = $1 and step = $2 and state in ('pending', 'waiting')",
            &[&request, &(step as i64)],
        )?,
        None => tx.execute(
            "update office_approval_task set state = 'skipped', version = version + 1
             where request_id = $1 and state in ('pending', 'waiting')",
            &[&request],
        )?,
    };
    Ok(())
}

/// Decides the caller's pending task `task_id`.
pub fn decide(tx: &mut Tx<'_>, ctx: &Ctx, task_id: &str, decision: &Decision) -> Result<()> {
    let task = load_task(tx, ctx, task_id)?;
    let request = request::load(tx, ctx, &task.request)?;
    if ctx.actor().user() != Some(task.approver) {
        return Err(Error::forbidden("office.approval.not_approver"));
    }
    if task.state != "pending" || request.state != "pending" || task.step != request.step {
        return Err(Error::conflict("office.approval.not_pending").with_param("state", &request.state));
    }
    let target = apply(tx, ctx, &request, &task, decision)?;
    // Written last: the audit chain's head is locked from its first entry in a transaction to
    // the commit, so the decision holds it as briefly as it can.
    audit::record(
        tx,
        ctx,
        &format!("office.approval.{}", decision.action()),
        "office.approval",
        &request.id,
        serde_json::json!({"task": task.id, "step": task.step, "target": target.map(|t| t.to_string()),
            "on_behalf_of": task.on_behalf_of.map(|u| u.to_string())}),
    )
}

impl Decision {
    /// The decision as the timeline and the audit log name it.
    fn action(&self) -> &'static str {
        match self {
            Decision::Approve { .. } => "approved",
            Decision::Reject { .. } => "rejected",
            Decision::Return { .. } => "returned",
            Decision::Transfer { .. } => "transferred",
            Decision::Add { before: true, .. } => "added_before",
            Decision::Add { before: false, .. } => "added_after",
        }
    }
}

/// Carries out a decision on a pending task; answers the user a transfer or addition went to.
fn apply(tx: &mut Tx<'_>, ctx: &Ctx, request: &Stored, task: &Task, decision: &Decision) -> Result<Option<UserId>> {
    match decision {
        Decision::Approve { comment } => approve(tx, ctx, request, task, comment).map(|()| None),
        Decision::Reject { comment } => {
            close_task(tx, ctx, &task.id, "rejected", comment)?;
            note(tx, ctx, request, task, "rejected", None, comment)?;
            finish(tx, ctx, request, Outcome::Rejected, comment).map(|()| None)
        }
        Decision::Return { step: None, comment } => {
            close_task(tx, ctx, &task.id, "returned", comment)?;
            note(tx, ctx, request, task, "returned", None, comment)?;
            finish(tx, ctx, request, Outcome::Returned, comment).map(|()| None)
        }
        Decision::Return { step: Some(back), comment } => {
            if *back >= request.step {
                return Err(Error::field("step", "office.approval.return_step"));
            }
            close_task(tx, ctx, &task.id, "returned", comment)?;
            note(tx, ctx, request, task, "returned", None, comment)?;
            skip_open(tx, &request.id, Some(request.step))?;
            move_to(tx, ctx, request, *back).map(|()| None)
        }
        Decision::Transfer { to, comment } => {
            let target = seat_for(tx, ctx, request, task, to)?;
            close_task(tx, ctx, &task.id, "transferred", comment)?;
            // The one it goes to takes the seat as it was: waited for, or required.
            let seat = Seat { unblocks: task.unblocks.as_deref(), required: task.required };
            request::open_task(tx, ctx, request, task.step, target, Some(task.approver), "transfer", seat, None)?;
            note(tx, ctx, request, task, "transferred", Some(target), comment)?;
            Ok(Some(target))
        }
        Decision::Add { user, before: true, comment } => {
            let target = seat_for(tx, ctx, request, task, user)?;
            let changed = tx.execute(
                "update office_approval_task set state = 'waiting', version = version + 1 where id = $1 and state = 'pending'",
                &[&task.id],
            )?;
            if changed == 0 {
                return Err(Error::conflict("office.approval.not_pending"));
            }
            let seat = Seat { unblocks: Some(&task.id), required: false };
            request::open_task(tx, ctx, request, task.step, target, None, "added_before", seat, None)?;
            note(tx, ctx, request, task, "added_before", Some(target), comment)?;
            Ok(Some(target))
        }
        Decision::Add { user, before: false, comment } => {
            let target = seat_for(tx, ctx, request, task, user)?;
            let seat = Seat { unblocks: None, required: true };
            request::open_task(tx, ctx, request, task.step, target, None, "added_after", seat, None)?;
            note(tx, ctx, request, task, "added_after", Some(target), comment)?;
            approve(tx, ctx, request, task, comment)?;
            Ok(Some(target))
        }
    }
}

/// The member a task may go to: active in the company, not the submitter, not already deciding
/// this step.
fn seat_for(tx: &mut Tx<'_>, ctx: &Ctx, request: &Stored, task: &Task, login: &str) -> Result<UserId> {
    let user = crate::org::member_id(tx, ctx, login)?
        .ok_or_else(|| Error::field("user", "office.org.user_unknown").with_param("user", login))?;
    if user == request.submitter || user == task.approver {
        return Err(Error::field("user", "office.approval.seat_invalid"));
    }
    let seated: i64 = tx.scalar(
        "select count(*) from office_approval_task where request_id = $1 and step = $2 and approver_id = $3 and state in ('pending', 'waiting')",
        &[&request.id, &(task.step as i64), &user],
    )?;
    if seated > 0 {
        return Err(Error::field("user", "office.approval.seat_invalid"));
    }
    Ok(user)
}

/// One line of the request's timeline.
fn note(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    request: &Stored,
    task: &Task,
    action: &str,
    target: Option<UserId>,
    comment: &str,
) -> Result<()> {
    let target = target.map(|t| t.to_string());
    timeline::record(tx, ctx, &request.id, action, Some(task.step), target.as_deref(), comment)
}

fn approve(tx: &mut Tx<'_>, ctx: &Ctx, request: &Stored, task: &Task, comment: &str) -> Result<()> {
    close_task(tx, ctx, &task.id, "approved", comment)?;
    note(tx, ctx, request, task, "approved", None, comment)?;
    // An escalated seat is one seat: whichever of the approver and the manager decides first.
    tx.execute(
        "update office_approval_task set state = 'skipped', version = version + 1
         where request_id = $1 and step = $2 and state = 'pending'
           and ((origin = 'escalation' and on_behalf_of = $3) or ($4 = 'escalation' and approver_id = $5))",
        &[&request.id, &(task.step as i64), &task.approver, &task.origin, &task.on_behalf_of],
    )?;
    if let Some(waiting) = &task.unblocks {
        tx.execute(
            "update office_approval_task set state = 'pending', version = version + 1 where id = $1 and state = 'waiting'",
            &[waiting],
        )?;
        let approver: UserId = tx.scalar("select approver_id from office_approval_task where id = $1", &[waiting])?;
        notify(
            tx,
            ctx,
            approver,
            &format!("待审批 {} {}", request.number, request.title),
            &request::request_link(&request.id),
        )?;
    }
    if step_complete(tx, request, task)? {
        skip_open(tx, &request.id, Some(request.step))?;
        if request.step + 1 < request.plan.len() {
            move_to(tx, ctx, request, request.step + 1)?;
        } else {
            finish(tx, ctx, request, Outcome::Approved, comment)?;
        }
    }
    Ok(())
}

/// 会签: nobody of the step is left to decide. 或签: one approved who decides a seat (an approver
/// added before only opens the seat they were added to) and no required one (added after) left.
fn step_complete(tx: &mut Tx<'_>, request: &Stored, task: &Task) -> Result<bool> {
    let open: i64 = tx.scalar(
        "select count(*) from office_approval_task where request_id = $1 and step = $2 and state in ('pending', 'waiting')",
        &[&request.id, &(request.step as i64)],
    )?;
    let mode = request.plan.get(request.step).map(|s| s.mode).unwrap_or(Mode::All);
    Ok(match mode {
        Mode::All => open == 0,
        Mode::Any => {
            let required_open: i64 = tx.scalar(
                "select count(*) from office_approval_task where request_id = $1 and step = $2
                 and state in ('pending', 'waiting') and required = 1",
                &[&request.id, &(request.step as i64)],
            )?;
            let decided_seat = task.unblocks.is_none();
            (decided_seat && required_open == 0) || open == 0
        }
    })
}

/// Moves the request to `step` and opens its tasks (guarded on the version read).
fn move_to(tx: &mut Tx<'_>, ctx: &Ctx, request: &Stored, step: usize) -> Result<()> {
    let changed = tx.execute(
        "update office_approval_request set step = $1, version = version + 1 where id = $2 and version = $3 and state = 'pending'",
        &[&(step as i64), &request.id, &request.version],
    )?;
    if changed == 0 {
        return Err(Error::conflict("office.approval.not_pending"));
    }
    let moved = Stored { step, version: request.version + 1, ..request.clone() };
    request::start_step(tx, ctx, &moved, step)
}

/// Ends the request with `outcome`, closes what is open, tells the submitter and those copied,
/// and publishes `ApprovalDecided` for the document.
pub(crate) fn finish(tx: &mut Tx<'_>, ctx: &Ctx, request: &Stored, outcome: Outcome, comment: &str) -> Result<()> {
    let changed = tx.execute(
        "update office_approval_request set state = $1, decided_at = $2, version = version + 1
         where id = $3 and version = $4 and state = 'pending'",
        &[&outcome.code(), &ctx.now_text(), &request.id, &request.version],
    )?;
    if changed == 0 {
        return Err(Error::conflict("office.approval.not_pending").with_param("state", &request.state));
    }
    skip_open(tx, &request.id, None)?;
    if outcome == Outcome::Withdrawn {
        timeline::record(tx, ctx, &request.id, "withdrawn", None, None, comment)?;
        audit::record(tx, ctx, "office.approval.withdraw", "office.approval", &request.id, serde_json::json!({}))?;
    } else if outcome == Outcome::Approved {
        timeline::record(tx, ctx, &request.id, "completed", None, None, "")?;
    }
    let link = request::request_link(&request.id);
    let title = format!("{} {} {}", outcome.label_zh(), request.number, request.title);
    if ctx.actor().user() != Some(request.submitter) {
        notify(tx, ctx, request.submitter, &title, &link)?;
    }
    let copied: Vec<UserId> = tx
        .query("select user_id from office_approval_cc where request_id = $1", &[&request.id])?
        .iter()
        .map(|r| r.get(0))
        .collect::<std::result::Result<_, _>>()?;
    if outcome == Outcome::Approved {
        for user in copied {
            notify(tx, ctx, user, &format!("抄送 {title}"), &link)?;
        }
    }
    tx.publish(
        ctx,
        &ApprovalDecided {
            request_id: request.id.clone(),
            kind: request.kind.clone(),
            doc_id: request.doc_id.clone(),
            outcome,
            comment: comment.to_string(),
        },
    )
}

/// Reminds approvers whose step has timed out and escalates each such task to the approver's
/// manager (who may then decide in the approver's place). Run by the worker; returns how many
/// tasks were escalated.
pub fn escalate_overdue(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<usize> {
    let now = ctx.now_text();
    let overdue = tx.query(
        "select t.id, t.request_id, t.approver_id from office_approval_task t
         where t.company_id = $1 and t.state = 'pending' and t.due_at is not null and t.due_at <= $2 and t.reminded_at is null
         order by t.due_at limit 500",
        &[&ctx.company(), &now],
    )?;
    let mut escalated = 0;
    for row in overdue.iter() {
        let (task_id, request_id, approver): (String, String, UserId) = (row.get(0)?, row.get(1)?, row.get(2)?);
        let changed = tx.execute(
            "update office_approval_task set reminded_at = $1 where id = $2 and reminded_at is null",
            &[&now, &task_id],
        )?;
        if changed == 0 {
            continue;
        }
        let request = request::load(tx, ctx, &request_id)?;
        let task = load_task(tx, ctx, &task_id)?;
        let link = request::request_link(&request.id);
        notify(tx, ctx, approver, &format!("催办 {} {}", request.number, request.title), &link)?;
        timeline::record(tx, ctx, &request.id, "reminded", Some(task.step), Some(&approver.to_string()), "")?;
        let manager = crate::org::manager_chain(tx, ctx, approver, 1)?.into_iter().next();
        if let Some(manager) = manager.filter(|m| *m != request.submitter) {
            let seated: i64 = tx.scalar(
                "select count(*) from office_approval_task where request_id = $1 and step = $2 and approver_id = $3 and state in ('pending', 'waiting')",
                &[&request.id, &(task.step as i64), &manager],
            )?;
            if seated == 0 {
                let seat = Seat::default();
                request::open_task(tx, ctx, &request, task.step, manager, Some(approver), "escalation", seat, None)?;
                timeline::record(tx, ctx, &request.id, "escalated", Some(task.step), Some(&manager.to_string()), "")?;
                escalated += 1;
            }
        }
    }
    Ok(escalated)
}
