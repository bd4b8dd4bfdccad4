//! Sales teams (销售团队) and territories: a team has a manager and members; assignment rules
//! give new leads without an owner (the web form, imports) to a team's members in turn —
//! round robin, or by the lead's region or industry. The record rules of ARCHITECTURE §6: under
//! a role limited to own records, a salesperson sees own leads, opportunities and activities,
//! and a manager also those of the members of the teams they manage.

use kernel::db::{Tx, Value};
use kernel::{Ctx, Error, Result, audit};
use serde::{Deserialize, Serialize};

use crate::permissions::{READ, SETUP};

/// Teams managed by `$n` — the members whose records a manager sees.
const MANAGED: &str =
    "select m.user_id from crm_team_member m join crm_team t on t.id = m.team_id where t.manager_id =";

/// The own-records rule on `column` for list queries (`{}` placeholders), or `None` when the
/// caller sees every record.
pub fn owner_scope(ctx: &Ctx, column: &str) -> Option<(String, Vec<Value>)> {
    match (ctx.own_records_only(), ctx.actor().user()) {
        (true, Some(user)) => {
            let user = user.to_string();
            Some((
                format!("{column} = {{}} or {column} in ({MANAGED} {{}})"),
                vec![Value::Text(user.clone()), Value::Text(user)],
            ))
        }
        _ => None,
    }
}

/// The own-records rule as `and …` on `column` with the caller as `$n`, and the value to bind
/// (empty, and the clause always true, when the caller sees every record).
pub fn owner_clause(ctx: &Ctx, column: &str, n: u8) -> (String, String) {
    match (ctx.own_records_only(), ctx.actor().user()) {
        (true, Some(user)) => (format!("and ({column} = ${n} or {column} in ({MANAGED} ${n}))"), user.to_string()),
        _ => (format!("and ${n} = ''"), String::new()),
    }
}

/// Whether the caller may see a record owned by `owner`.
pub fn may_see(tx: &mut Tx<'_>, ctx: &Ctx, owner: Option<&str>) -> Result<bool> {
    let (true, Some(user)) = (ctx.own_records_only(), ctx.actor().user()) else { return Ok(true) };
    let user = user.to_string();
    match owner {
        Some(owner) if owner == user => Ok(true),
        Some(owner) => {
            let n: i64 = tx.scalar(
                "select count(*) from crm_team_member m join crm_team t on t.id = m.team_id
                 where t.company_id = $1 and t.manager_id = $2 and m.user_id = $3",
                &[&ctx.company(), &user, &owner],
            )?;
            Ok(n > 0)
        }
        None => Ok(false),
    }
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "east", "name": "华东销售部", "manager_id": null, "members": []}))]
pub struct TeamInput {
    pub code: String,
    pub name: String,
    /// The manager (a user id), who sees the members' records.
    pub manager_id: Option<String>,
    /// Member user ids, in the order round robin takes them.
    #[serde(default)]
    pub members: Vec<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Team {
    pub id: String,
    pub code: String,
    pub name: String,
    pub manager_id: Option<String>,
    pub members: Vec<String>,
}

fn check_user(tx: &mut Tx<'_>, ctx: &Ctx, user: &str, field: &str) -> Result<()> {
    let n: i64 = tx.scalar(
        "select count(*) from kernel_membership where user_id = $1 and company_id = $2",
        &[&user, &ctx.company()],
    )?;
    if n == 0 { Err(Error::field(field.to_string(), "crm.owner_unknown")) } else { Ok(()) }
}

/// Creates a team, or replaces the manager and members of the team with that code.
pub fn save_team(tx: &mut Tx<'_>, ctx: &Ctx, input: &TeamInput) -> Result<Team> {
    ctx.require(SETUP)?;
    let code = input.code.trim();
    if code.is_empty() || input.name.trim().is_empty() {
        return Err(Error::field(if code.is_empty() { "code" } else { "name" }, "crm.required"));
    }
    let manager = input.manager_id.as_deref().map(str::trim).filter(|m| !m.is_empty());
    if let Some(m) = manager {
        check_user(tx, ctx, m, "manager_id")?;
    }
    for (i, member) in input.members.iter().enumerate() {
        check_user(tx, ctx, member.trim(), &format!("members[{i}]"))?;
    }
    let existing: Option<String> = tx
        .query_opt("select id from crm_team where company_id = $1 and code = $2", &[&ctx.company(), &code])?
        .map(|r| r.get(0))
        .transpose()?;
    let id = match existing {
        Some(id) => {
            tx.execute(
                "update crm_team set name = $1, manager_id = $2 where id = $3",
                &[&input.name.trim(), &manager, &id],
            )?;
            tx.execute("delete from crm_team_member where team_id = $1", &[&id])?;
            id
        }
        None => {
            let id = kernel::id::Uuid::now_v7().to_string();
            tx.execute(
                "insert into crm_team (id, company_id, code, name, manager_id, created_at) values ($1, $2, $3, $4, $5, $6)",
                &[&id, &ctx.company(), &code, &input.name.trim(), &manager, &ctx.now_text()],
            )?;
            id
        }
    };
    for (seq, member) in input.members.iter().enumerate() {
        tx.execute(
            "insert into crm_team_member (team_id, user_id, seq) values ($1, $2, $3)",
            &[&id, &member.trim(), &(seq as i64)],
        )?;
    }
    audit::record(tx, ctx, "crm.team.save", "crm.team", &id, serde_json::json!({"members": input.members.len()}))?;
    team(tx, ctx, &id)
}

fn team(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<Team> {
    let r = tx
        .query_opt(
            "select id, code, name, manager_id from crm_team where company_id = $1 and id = $2",
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("crm.team_not_found"))?;
    let members = tx
        .query("select user_id from crm_team_member where team_id = $1 order by seq", &[&id])?
        .iter()
        .map(|m| m.get(0))
        .collect::<Result<Vec<String>>>()?;
    Ok(Team { id: r.get(0)?, code: r.get(1)?, name: r.get(2)?, manager_id: r.get(3)?, members })
}

pub fn list_teams(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Team>> {
    ctx.require(READ)?;
    let ids: Vec<String> = tx
        .query("select id from crm_team where company_id = $1 order by code", &[&ctx.company()])?
        .iter()
        .map(|r| r.get(0))
        .collect::<Result<_>>()?;
    ids.iter().map(|id| team(tx, ctx, id)).collect()
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "region", "value": "浙江", "team": "east", "seq": 10}))]
pub struct RuleInput {
    /// round_robin (every lead), region or industry.
    pub kind: String,
    /// The region or industry it matches (empty for round robin).
    #[serde(default)]
    pub value: String,
    /// The team's code whose members take the leads in turn.
    pub team: String,
    /// Rules are tried in this order (lowest first); after the last by default.
    pub seq: Option<i64>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AssignmentRule {
    pub id: String,
    pub seq: i64,
    pub kind: String,
    pub value: String,
    pub team_code: String,
}

pub fn save_rule(tx: &mut Tx<'_>, ctx: &Ctx, input: &RuleInput) -> Result<AssignmentRule> {
    ctx.require(SETUP)?;
    let kind = input.kind.trim();
    if !["round_robin", "region", "industry"].contains(&kind) {
        return Err(Error::field("kind", "crm.rule_kind_invalid"));
    }
    if kind != "round_robin" && input.value.trim().is_empty() {
        return Err(Error::field("value", "crm.required"));
    }
    let team: String = tx
        .query_opt(
            "select id from crm_team where company_id = $1 and code = $2",
            &[&ctx.company(), &input.team.trim()],
        )?
        .map(|r| r.get(0))
        .transpose()?
        .ok_or_else(|| Error::field("team", "crm.team_not_found"))?;
    let last: i64 =
        tx.scalar("select coalesce(max(seq), 0) from crm_assignment_rule where company_id = $1", &[&ctx.company()])?;
    let id = kernel::id::Uuid::now_v7().to_string();
    let seq = input.seq.unwrap_or(last + 10);
    tx.execute(
        "insert into crm_assignment_rule (id, company_id, seq, kind, match_value, team_id, next_member) values ($1, $2, $3, $4, $5, $6, 0)",
        &[&id, &ctx.company(), &seq, &kind, &input.value.trim(), &team],
    )?;
    audit::record(
        tx,
        ctx,
        "crm.assignment_rule.create",
        "crm.assignment_rule",
        &id,
        serde_json::json!({"kind": kind}),
    )?;
    Ok(AssignmentRule {
        id,
        seq,
        kind: kind.into(),
        value: input.value.trim().into(),
        team_code: input.team.trim().into(),
    })
}

pub fn list_rules(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<AssignmentRule>> {
    ctx.require(READ)?;
    tx.query(
        "select r.id, r.seq, r.kind, r.match_value, t.code from crm_assignment_rule r join crm_team t on t.id = r.team_id
         where r.company_id = $1 order by r.seq, r.id",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| Ok(AssignmentRule { id: r.get(0)?, seq: r.get(1)?, kind: r.get(2)?, value: r.get(3)?, team_code: r.get(4)? }))
    .collect()
}

/// The owner the first matching rule gives a new lead (its team's next member in turn), if any.
pub fn assign(tx: &mut Tx<'_>, ctx: &Ctx, region: &str, industry: &str) -> Result<Option<String>> {
    let rules = tx.query(
        "select id, kind, match_value, team_id from crm_assignment_rule where company_id = $1 order by seq, id",
        &[&ctx.company()],
    )?;
    for r in rules {
        let (id, kind, value, team): (String, String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        let matches = match kind.as_str() {
            "region" => region.trim() == value,
            "industry" => industry.trim() == value,
            _ => true,
        };
        if !matches {
            continue;
        }
        let members: Vec<String> = tx
            .query("select user_id from crm_team_member where team_id = $1 order by seq", &[&team])?
            .iter()
            .map(|m| m.get(0))
            .collect::<Result<_>>()?;
        if members.is_empty() {
            continue;
        }
        // Taking the turn is one update, so concurrent leads go to different members.
        let turn: i64 = tx.scalar(
            "update crm_assignment_rule set next_member = next_member + 1 where id = $1 returning next_member - 1",
            &[&id],
        )?;
        return Ok(Some(members[turn.rem_euclid(members.len() as i64) as usize].clone()));
    }
    Ok(None)
}
