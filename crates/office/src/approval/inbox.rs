//! The inbox (待办 / 已办 / 我发起的 / 抄送我的) and one request as its page shows it: the
//! steps with who decided what, the timeline, and what the caller may do. Each box is one
//! indexed query on the caller's rows, newest first, paged by time.

use kernel::db::Tx;
use kernel::{Ctx, Error, Result};
use serde::Serialize;

use super::condition::Facts;
use super::flow::{Mode, link_of};
use super::request::{self, PlannedStep};
use super::timeline::{TimelineEntry, timeline};

/// Which box.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Box {
    Todo,
    Done,
    Mine,
    Cc,
}

impl Box {
    pub fn parse(code: &str) -> Option<Box> {
        match code {
            "todo" => Some(Box::Todo),
            "done" => Some(Box::Done),
            "mine" => Some(Box::Mine),
            "cc" => Some(Box::Cc),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Box::Todo => "todo",
            Box::Done => "done",
            Box::Mine => "mine",
            Box::Cc => "cc",
        }
    }
}

/// One line of a box.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct InboxItem {
    pub request_id: String,
    /// The caller's task (to decide from the list); none in 我发起的 and 抄送我的.
    pub task_id: Option<String>,
    pub number: String,
    pub kind: String,
    pub title: String,
    pub submitter: String,
    pub state: String,
    /// When it arrived in this box (the cursor of the next page).
    pub at: String,
    pub link: String,
}

/// A page of the caller's box, newest first, older than `before` when given.
pub fn inbox(tx: &mut Tx<'_>, ctx: &Ctx, which: Box, before: Option<&str>, limit: u32) -> Result<Vec<InboxItem>> {
    let user = ctx.actor().user().ok_or_else(|| Error::forbidden("office.approval.not_approver"))?;
    let before = before.unwrap_or("9999");
    let limit = i64::from(limit.clamp(1, 200));
    let select = "select r.id, t.id, r.number, r.doc_kind, r.title, s.display_name, r.state, ";
    let sql = match which {
        Box::Todo => format!(
            "{select} t.created_at from office_approval_task t join office_approval_request r on r.id = t.request_id
             join kernel_user s on s.id = r.submitter_id
             where t.company_id = $1 and t.approver_id = $2 and t.state = 'pending' and t.created_at < $3
             order by t.created_at desc limit $4"
        ),
        Box::Done => format!(
            "{select} t.decided_at from office_approval_task t join office_approval_request r on r.id = t.request_id
             join kernel_user s on s.id = r.submitter_id
             where t.company_id = $1 and t.approver_id = $2 and t.state in ('approved', 'rejected', 'returned', 'transferred')
               and t.decided_at < $3
             order by t.decided_at desc limit $4"
        ),
        Box::Mine => "select r.id, null, r.number, r.doc_kind, r.title, s.display_name, r.state, r.created_at
             from office_approval_request r join kernel_user s on s.id = r.submitter_id
             where r.company_id = $1 and r.submitter_id = $2 and r.created_at < $3
             order by r.created_at desc limit $4"
            .to_string(),
        Box::Cc => "select r.id, null, r.number, r.doc_kind, r.title, s.display_name, r.state, c.created_at
             from office_approval_cc c join office_approval_request r on r.id = c.request_id
             join kernel_user s on s.id = r.submitter_id
             where c.company_id = $1 and c.user_id = $2 and c.created_at < $3
             order by c.created_at desc limit $4"
            .to_string(),
    };
    tx.query(&sql, &[&ctx.company(), &user, &before, &limit])?
        .iter()
        .map(|r| {
            let request_id: String = r.get(0)?;
            let link = request::request_link(&request_id);
            Ok(InboxItem {
                request_id,
                task_id: r.get(1)?,
                number: r.get(2)?,
                kind: r.get(3)?,
                title: r.get(4)?,
                submitter: r.get(5)?,
                state: r.get(6)?,
                at: r.get(7)?,
                link,
            })
        })
        .collect()
}

/// How many tasks wait for the caller: the home page's "approvals waiting".
pub fn waiting_count(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<i64> {
    let Some(user) = ctx.actor().user() else { return Ok(0) };
    tx.scalar(
        "select count(*) from office_approval_task where company_id = $1 and approver_id = $2 and state = 'pending'",
        &[&ctx.company(), &user],
    )
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    pub id: String,
    pub step: i64,
    pub approver: String,
    pub approver_name: String,
    pub on_behalf_of: Option<String>,
    pub origin: String,
    pub state: String,
    pub comment: String,
    pub decided_at: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StepView {
    pub name: String,
    pub mode: Mode,
    pub tasks: Vec<TaskView>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RequestView {
    pub id: String,
    pub number: String,
    pub kind: String,
    pub doc_id: String,
    pub doc_link: String,
    pub title: String,
    pub submitter: String,
    pub submitter_name: String,
    pub state: String,
    pub step: i64,
    pub flow_version: i64,
    #[schema(value_type = Object)]
    pub facts: Facts,
    pub steps: Vec<StepView>,
    pub timeline: Vec<TimelineEntry>,
    /// The caller's pending task on this request, if any: what the decide buttons act on.
    pub my_task: Option<String>,
    /// Whether the caller may withdraw it (the submitter, while pending).
    pub may_withdraw: bool,
}

/// A request as its page shows it, to those who take part in it (submitter, approvers, those
/// copied) or hold `office.approval.manage`.
pub fn get_request(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<RequestView> {
    let stored = request::load(tx, ctx, id)?;
    let user = ctx.actor().user();
    let row = tx
        .query_opt(
            "select r.flow_version, r.facts, u.username, u.display_name from office_approval_request r
             join kernel_user u on u.id = r.submitter_id where r.id = $1",
            &[&id],
        )?
        .ok_or_else(|| Error::not_found("office.approval.not_found"))?;
    let (flow_version, facts, submitter, submitter_name): (i64, String, String, String) =
        (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
    let tasks: Vec<(TaskView, String)> = tx
        .query(
            "select t.id, t.step, u.username, u.display_name, b.display_name, t.origin, t.state, t.comment, t.decided_at, t.approver_id
             from office_approval_task t join kernel_user u on u.id = t.approver_id left join kernel_user b on b.id = t.on_behalf_of
             where t.request_id = $1 order by t.step, t.created_at, t.id",
            &[&id],
        )?
        .iter()
        .map(|r| {
            Ok((
                TaskView {
                    id: r.get(0)?,
                    step: r.get(1)?,
                    approver: r.get(2)?,
                    approver_name: r.get(3)?,
                    on_behalf_of: r.get(4)?,
                    origin: r.get(5)?,
                    state: r.get(6)?,
                    comment: r.get(7)?,
                    decided_at: r.get(8)?,
                },
                r.get(9)?,
            ))
        })
        .collect::<Result<_>>()?;
    let me = user.map(|u| u.to_string());
    let involved = me.as_deref().is_some_and(|me| {
        me == stored.submitter.to_string()
            || tasks.iter().any(|(_, approver)| approver == me)
            || stored.plan.iter().any(|s: &PlannedStep| s.approvers.iter().any(|a| a.to_string() == me))
    });
    let copied: i64 = match user {
        Some(user) => {
            tx.scalar("select count(*) from office_approval_cc where request_id = $1 and user_id = $2", &[&id, &user])?
        }
        None => 0,
    };
    if !involved && copied == 0 && !ctx.may(crate::permissions::APPROVAL_MANAGE) {
        return Err(Error::not_found("office.approval.not_found"));
    }
    let my_task = tasks
        .iter()
        .find(|(t, approver)| t.state == "pending" && me.as_deref() == Some(approver.as_str()))
        .map(|(t, _)| t.id.clone());
    let steps = stored
        .plan
        .iter()
        .enumerate()
        .map(|(i, s)| StepView {
            name: s.name.clone(),
            mode: s.mode,
            tasks: tasks.iter().filter(|(t, _)| t.step == i as i64).map(|(t, _)| t.clone()).collect(),
        })
        .collect();
    Ok(RequestView {
        doc_link: link_of(&stored.kind, &stored.doc_id),
        id: stored.id.clone(),
        number: stored.number.clone(),
        kind: stored.kind.clone(),
        doc_id: stored.doc_id.clone(),
        title: stored.title.clone(),
        may_withdraw: stored.state == "pending" && user == Some(stored.submitter),
        submitter,
        submitter_name,
        state: stored.state.clone(),
        step: stored.step as i64,
        flow_version,
        facts: serde_json::from_str(&facts).map_err(Error::internal)?,
        steps,
        timeline: timeline(tx, id)?,
        my_task,
    })
}

/// Where a document's latest approval request stands: what its page shows and links to.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ApprovalState {
    pub request_id: String,
    pub number: String,
    /// pending, approved, rejected, returned or withdrawn.
    pub state: String,
}

impl ApprovalState {
    pub fn pending(&self) -> bool {
        self.state == "pending"
    }
}

/// The latest request of a document, if it ever asked for approval.
pub fn latest_of(tx: &mut Tx<'_>, ctx: &Ctx, kind: &str, doc_id: &str) -> Result<Option<ApprovalState>> {
    tx.query_opt(
        "select id, number, state from office_approval_request where company_id = $1 and doc_kind = $2 and doc_id = $3
         order by created_at desc, id desc limit 1",
        &[&ctx.company(), &kind, &doc_id],
    )?
    .map(|r| Ok(ApprovalState { request_id: r.get(0)?, number: r.get(1)?, state: r.get(2)? }))
    .transpose()
}
