//! The history of a request as a timeline: submitted, each decision, transfer, addition,
//! reminder and escalation, with who did it and the comment.

use kernel::db::Tx;
use kernel::id::Uuid;
use kernel::{Ctx, Result};
use serde::Serialize;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    pub at: String,
    /// Login of who acted, or `system`.
    pub actor: String,
    pub actor_name: String,
    /// submitted, approved, rejected, returned, withdrawn, transferred, added_before,
    /// added_after, reminded, escalated, completed.
    pub action: String,
    pub step: Option<i64>,
    /// The user a transfer or an addition went to.
    pub target: Option<String>,
    pub comment: String,
}

pub(crate) fn record(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    request: &str,
    action: &str,
    step: Option<usize>,
    target: Option<&str>,
    comment: &str,
) -> Result<()> {
    tx.execute(
        "insert into office_approval_event (id, request_id, at, actor, action, step, target_id, comment) values ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &Uuid::now_v7(),
            &request,
            &ctx.now_text(),
            &ctx.actor().label(),
            &action,
            &step.map(|s| s as i64),
            &target,
            &comment,
        ],
    )?;
    Ok(())
}

pub fn timeline(tx: &mut Tx<'_>, request: &str) -> Result<Vec<TimelineEntry>> {
    tx.query(
        "select e.at, coalesce(u.username, e.actor), coalesce(u.display_name, e.actor), e.action, e.step, t.display_name, e.comment
         from office_approval_event e left join kernel_user u on u.id = e.actor left join kernel_user t on t.id = e.target_id
         where e.request_id = $1 order by e.at, e.id",
        &[&request],
    )?
    .iter()
    .map(|r| {
        Ok(TimelineEntry {
            at: r.get(0)?,
            actor: r.get(1)?,
            actor_name: r.get(2)?,
            action: r.get(3)?,
            step: r.get(4)?,
            target: r.get(5)?,
            comment: r.get(6)?,
        })
    })
    .collect()
}
