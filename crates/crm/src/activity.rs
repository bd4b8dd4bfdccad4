//! Activities and communication records (沟通记录): calls, visits, meetings, emails, WeChat
//! messages and notes, each with its outcome and next step, about a customer, a lead or an
//! opportunity. A scheduled follow-up (with a due time) reminds its owner in the notification
//! area; everything shows on the customer's timeline.

use kernel::db::{Row, Tx};
use kernel::identity::UserId;
use kernel::{Ctx, Error, Result, audit};
use serde::{Deserialize, Serialize};

use crate::permissions::{READ, WRITE};

pub const KINDS: [&str; 6] = ["call", "visit", "meeting", "email", "wechat", "note"];

kernel::define_id!(
    /// An activity or communication record.
    ActivityId
);

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "call", "subject": "电话回访", "outcome": "对春茶感兴趣", "next_step": "寄样品",
    "customer": "C0001", "due_at": "2099-12-01T10:00"}))]
pub struct ActivityInput {
    /// call, visit, meeting, email, wechat or note.
    pub kind: String,
    pub subject: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub next_step: String,
    /// The customer (id or code), the lead or the opportunity it is about (at least one).
    pub customer: Option<String>,
    pub lead_id: Option<String>,
    pub opportunity_id: Option<String>,
    /// A follow-up to do (YYYY-MM-DD or YYYY-MM-DDTHH:MM): scheduled, reminded, not yet done.
    pub due_at: Option<String>,
    /// The user who does it; the caller by default.
    pub owner_id: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Activity {
    pub id: String,
    pub kind: String,
    pub subject: String,
    pub outcome: String,
    pub next_step: String,
    pub partner_id: Option<String>,
    pub lead_id: Option<String>,
    pub opportunity_id: Option<String>,
    pub due_at: Option<String>,
    pub done: bool,
    pub owner_id: Option<String>,
    pub created_at: String,
    pub created_by: String,
}

pub(crate) const SELECT: &str =
    "select id, kind, subject, outcome, next_step, partner_id, lead_id, opportunity_id, due_at,
        done, owner_id, created_at, created_by from crm_activity";

pub(crate) fn activity_of(r: &Row) -> Result<Activity> {
    Ok(Activity {
        id: r.get(0)?,
        kind: r.get(1)?,
        subject: r.get(2)?,
        outcome: r.get(3)?,
        next_step: r.get(4)?,
        partner_id: r.get(5)?,
        lead_id: r.get(6)?,
        opportunity_id: r.get(7)?,
        due_at: r.get(8)?,
        done: r.get(9)?,
        owner_id: r.get(10)?,
        created_at: r.get(11)?,
        created_by: r.get(12)?,
    })
}

fn clean(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

/// A due time as stored: `YYYY-MM-DDTHH:MM` (a date alone is 09:00 that day).
fn parse_due(text: &str) -> Result<String> {
    let text = text.trim();
    let (day, time) = match text.split_once(['T', ' ']) {
        Some((day, time)) => (day, time),
        None => (text, "09:00"),
    };
    let ok_time = time.len() >= 5
        && time[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && &time[2..3] == ":"
        && time[3..5].parse::<u8>().is_ok_and(|m| m < 60);
    match kernel::clock::parse_date(day) {
        Ok(d) if ok_time => Ok(format!("{}T{}", kernel::clock::format_date(d), &time[..5])),
        _ => Err(Error::field("due_at", "crm.date_invalid")),
    }
}

/// Records an activity, or schedules a follow-up (reminding its owner).
pub fn record_activity(tx: &mut Tx<'_>, ctx: &Ctx, input: &ActivityInput) -> Result<Activity> {
    ctx.require(WRITE)?;
    let kind = input.kind.trim();
    if !KINDS.contains(&kind) {
        return Err(Error::field("kind", "crm.activity_kind_invalid"));
    }
    if input.subject.trim().is_empty() {
        return Err(Error::field("subject", "crm.required"));
    }
    let partner = match clean(&input.customer) {
        Some(key) => Some(
            party::trading_terms(tx, ctx, &key)?.ok_or_else(|| Error::field("customer", "crm.customer_unknown"))?.id,
        ),
        None => None,
    };
    let lead = clean(&input.lead_id);
    if let Some(lead) = &lead {
        let n: i64 =
            tx.scalar("select count(*) from crm_lead where company_id = $1 and id = $2", &[&ctx.company(), lead])?;
        if n == 0 {
            return Err(Error::field("lead_id", "crm.lead_not_found"));
        }
    }
    let opportunity = clean(&input.opportunity_id);
    // An activity about an opportunity belongs to its customer's timeline too.
    let mut partner = partner;
    if let Some(o) = &opportunity {
        let row = tx
            .query_opt(
                "select partner_id from crm_opportunity where company_id = $1 and id = $2",
                &[&ctx.company(), o],
            )?
            .ok_or_else(|| Error::field("opportunity_id", "crm.opportunity_not_found"))?;
        if partner.is_none() {
            partner = row.get(0)?;
        }
    }
    if partner.is_none() && lead.is_none() && opportunity.is_none() {
        return Err(Error::field("customer", "crm.activity_subject_required"));
    }
    let due = clean(&input.due_at).map(|d| parse_due(&d)).transpose()?;
    let owner = match clean(&input.owner_id) {
        Some(o) => Some(o),
        None => ctx.actor().user().map(|u| u.to_string()),
    };
    let id = ActivityId::new();
    tx.execute(
        "insert into crm_activity (id, company_id, kind, subject, outcome, next_step, partner_id, lead_id, opportunity_id,
             due_at, done, owner_id, created_at, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        &[
            &id,
            &ctx.company(),
            &kind,
            &input.subject.trim(),
            &input.outcome.trim(),
            &input.next_step.trim(),
            &partner,
            &lead,
            &opportunity,
            &due,
            &due.is_none(),
            &owner,
            &ctx.now_text(),
            &ctx.actor().label(),
        ],
    )?;
    // A follow-up reminds its owner in the notification area.
    if let (Some(due), Some(owner)) = (&due, &owner)
        && let Ok(user) = UserId::parse(owner)
    {
        let title = format!("跟进提醒 {} {}", due.replace('T', " "), input.subject.trim());
        office::notification::notify(tx, ctx, user, &title, &format!("/crm/activities/{id}"))?;
    }
    audit::record(tx, ctx, "crm.activity.create", "crm.activity", &id, serde_json::json!({"kind": kind}))?;
    get_activity(tx, ctx, id)
}

pub fn get_activity(tx: &mut Tx<'_>, ctx: &Ctx, id: ActivityId) -> Result<Activity> {
    ctx.require(READ)?;
    let r = tx
        .query_opt(&format!("{SELECT} where company_id = $1 and id = $2"), &[&ctx.company(), &id])?
        .ok_or_else(|| Error::not_found("crm.activity_not_found"))?;
    let activity = activity_of(&r)?;
    if !crate::team::may_see(tx, ctx, activity.owner_id.as_deref())? {
        return Err(Error::not_found("crm.activity_not_found"));
    }
    Ok(activity)
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "样品已寄出", "next_step": "一周后电话确认"}))]
pub struct CompleteInput {
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub next_step: String,
}

/// Marks a scheduled follow-up done, with what came of it.
pub fn complete_activity(tx: &mut Tx<'_>, ctx: &Ctx, id: ActivityId, input: &CompleteInput) -> Result<Activity> {
    ctx.require(WRITE)?;
    get_activity(tx, ctx, id)?;
    let changed = tx.execute(
        "update crm_activity set done = 1, outcome = $1, next_step = $2 where company_id = $3 and id = $4 and done = 0",
        &[&input.outcome.trim(), &input.next_step.trim(), &ctx.company(), &id],
    )?;
    if changed == 0 {
        return Err(Error::conflict("crm.activity_done"));
    }
    audit::record(tx, ctx, "crm.activity.complete", "crm.activity", &id, serde_json::json!({}))?;
    get_activity(tx, ctx, id)
}

/// The caller's follow-ups still to do, soonest first (overdue ones included).
pub fn my_follow_ups(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Activity>> {
    ctx.require(READ)?;
    let Some(user) = ctx.actor().user() else { return Ok(Vec::new()) };
    tx.query(
        &format!("{SELECT} where company_id = $1 and owner_id = $2 and done = 0 order by due_at limit 200"),
        &[&ctx.company(), &user.to_string()],
    )?
    .iter()
    .map(activity_of)
    .collect()
}

/// How many of the caller's follow-ups fall due today or are overdue (the home page's queue).
pub fn count_follow_ups_due(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<i64> {
    ctx.require(READ)?;
    let Some(user) = ctx.actor().user() else { return Ok(0) };
    let tomorrow = kernel::clock::format_date(ctx.today() + time::Duration::days(1));
    tx.scalar(
        "select count(*) from crm_activity where company_id = $1 and owner_id = $2 and done = 0 and due_at < $3",
        &[&ctx.company(), &user.to_string(), &tomorrow],
    )
}

/// The activities about one lead, opportunity or customer (`column` is `lead_id`,
/// `opportunity_id` or `partner_id`), newest first, the latest 200.
pub fn activities_of(tx: &mut Tx<'_>, ctx: &Ctx, column: &str, id: &str) -> Result<Vec<Activity>> {
    ctx.require(READ)?;
    let column = match column {
        "lead_id" | "opportunity_id" | "partner_id" => column,
        _ => return Err(Error::bad_request("crm.activity_subject_required")),
    };
    let (own, user) = crate::team::owner_clause(ctx, "owner_id", 3);
    tx.query(
        &format!("{SELECT} where company_id = $1 and {column} = $2 {own} order by created_at desc, id desc limit 200"),
        &[&ctx.company(), &id, &user],
    )?
    .iter()
    .map(activity_of)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::parse_due;

    #[test]
    fn due_times_are_a_day_and_a_time() {
        assert_eq!(parse_due("2099-12-01").unwrap(), "2099-12-01T09:00");
        assert_eq!(parse_due("2099-12-01T14:30").unwrap(), "2099-12-01T14:30");
        assert_eq!(parse_due("2099-12-01 08:05").unwrap(), "2099-12-01T08:05");
        assert!(parse_due("2099-12-01T25:00").is_err());
        assert!(parse_due("tomorrow").is_err());
    }
}
