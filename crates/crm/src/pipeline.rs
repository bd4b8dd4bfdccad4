//! The pipeline as a whole: the kanban board (each stage's count, expected and weighted revenue,
//! and its first cards, paged per stage so a hundred thousand open opportunities stay quick),
//! the weighted forecast by salesperson and month, and the CRM reports — pipeline by stage and
//! owner, win rate, average sales cycle, activity counts, and the lead-to-order funnel.

use std::collections::BTreeMap;

use kernel::db::Tx;
use kernel::{Ctx, Result};
use serde::{Deserialize, Serialize};

use crate::opportunity::{Opportunity, SELECT, opportunity_of, yuan};
use crate::permissions::READ;
use crate::stage::{Stage, stages};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Column {
    pub stage: Stage,
    pub count: i64,
    pub expected_revenue: String,
    pub weighted_revenue: String,
    /// The first cards (soonest expected close first).
    pub cards: Vec<Opportunity>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct BoardQuery {
    /// Cards per stage (20 by default, at most 200).
    pub limit: Option<i64>,
    /// Show one stage from this card on (the next page of a column).
    pub stage: Option<String>,
    pub offset: Option<i64>,
}

// The record rule (own and managed teams' records) as SQL on `$n`.
use crate::team::owner_clause as own;

/// The kanban board of open opportunities.
pub fn board(tx: &mut Tx<'_>, ctx: &Ctx, query: &BoardQuery) -> Result<Vec<Column>> {
    ctx.require(READ)?;
    let limit = query.limit.unwrap_or(20).clamp(1, 200);
    let offset = query.offset.unwrap_or(0).max(0);
    let (mine, user) = own(ctx, "o.owner_id", 3);
    // The totals kept with every change (per stage and owner), not a scan of the opportunities.
    let (mine_totals, _) = own(ctx, "t.owner_id", 2);
    let mut totals: BTreeMap<String, (i64, i64, i128)> = BTreeMap::new();
    for r in tx.query(
        &format!(
            "select t.stage_id, coalesce(sum(t.open_count), 0), coalesce(sum(t.expected), 0), coalesce(sum(t.weighted), 0)
             from crm_pipeline_total t where t.company_id = $1 {mine_totals} group by t.stage_id"
        ),
        &[&ctx.company(), &user],
    )? {
        let weighted: i64 = r.get(3)?;
        totals.insert(r.get(0)?, (r.get(1)?, r.get(2)?, i128::from(weighted)));
    }
    let mut columns = Vec::new();
    for stage in stages(tx, ctx)? {
        if let Some(only) = &query.stage
            && only != &stage.code
            && only != &stage.id
        {
            continue;
        }
        let (count, expected, weighted) = totals.get(&stage.id).copied().unwrap_or((0, 0, 0));
        let cards = tx
            .query(
                &format!(
                    "{SELECT} where o.company_id = $1 and o.state = 'open' and o.stage_id = $2 {mine}
                     order by coalesce(o.expected_close, '9999'), o.id limit $4 offset $5"
                ),
                &[&ctx.company(), &stage.id, &user, &limit, &offset],
            )?
            .iter()
            .map(opportunity_of)
            .collect::<Result<Vec<_>>>()?;
        columns.push(Column {
            count,
            expected_revenue: yuan(expected),
            weighted_revenue: yuan(i64::try_from(kernel::money::div_round_half_up(weighted, 10_000)).unwrap_or(0)),
            cards,
            stage,
        });
    }
    Ok(columns)
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ForecastRow {
    pub owner_id: Option<String>,
    /// The owner's sales team (code), when the owner is in one.
    pub team: Option<String>,
    /// YYYY-MM of the expected close ("" when none is set).
    pub month: String,
    pub opportunities: i64,
    pub expected_revenue: String,
    pub weighted_revenue: String,
    #[serde(skip)]
    pub weighted_fen: i64,
}

/// The weighted pipeline forecast: open opportunities by salesperson (with their team) and
/// month of expected close.
pub fn forecast(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<ForecastRow>> {
    ctx.require(READ)?;
    let (mine, user) = own(ctx, "owner_id", 2);
    let teams = teams_of_members(tx, ctx)?;
    tx.query(
        &format!(
            "select owner_id, substr(coalesce(expected_close, ''), 1, 7), count(*), coalesce(sum(expected_revenue), 0),
                    coalesce(sum(expected_revenue * probability_bp), 0)
             from crm_opportunity where company_id = $1 and state = 'open' {mine}
             group by owner_id, substr(coalesce(expected_close, ''), 1, 7) order by 2, 1"
        ),
        &[&ctx.company(), &user],
    )?
    .iter()
    .map(|r| {
        let weighted: i64 = r.get(4)?;
        let weighted = i64::try_from(kernel::money::div_round_half_up(i128::from(weighted), 10_000)).unwrap_or(0);
        let owner: Option<String> = r.get(0)?;
        Ok(ForecastRow {
            team: owner.as_ref().and_then(|o| teams.get(o).cloned()),
            owner_id: owner,
            month: r.get(1)?,
            opportunities: r.get(2)?,
            expected_revenue: yuan(r.get(3)?),
            weighted_revenue: yuan(weighted),
            weighted_fen: weighted,
        })
    })
    .collect()
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TeamForecast {
    pub team: Option<String>,
    pub month: String,
    pub opportunities: i64,
    pub weighted_revenue: String,
}

/// The forecast summed per team and month (salespeople in no team under `None`).
pub fn forecast_by_team(rows: &[ForecastRow]) -> Vec<TeamForecast> {
    let mut sums: BTreeMap<(Option<String>, String), (i64, i64)> = BTreeMap::new();
    for r in rows {
        let entry = sums.entry((r.team.clone(), r.month.clone())).or_default();
        *entry = (entry.0 + r.opportunities, entry.1 + r.weighted_fen);
    }
    sums.into_iter()
        .map(|((team, month), (n, fen))| TeamForecast { team, month, opportunities: n, weighted_revenue: yuan(fen) })
        .collect()
}

/// Each team member's team (the first by code when in several).
fn teams_of_members(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for r in tx.query(
        "select m.user_id, t.code from crm_team_member m join crm_team t on t.id = m.team_id
         where t.company_id = $1 order by t.code desc",
        &[&ctx.company()],
    )? {
        out.insert(r.get(0)?, r.get(1)?);
    }
    Ok(out)
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OwnerFigures {
    pub owner_id: Option<String>,
    pub open: i64,
    pub open_revenue: String,
    pub won: i64,
    pub lost: i64,
    /// Won ÷ (won + lost), percent.
    pub win_rate: String,
    /// Days from creation to won, on average.
    pub average_cycle_days: String,
    pub activities: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Funnel {
    pub leads: i64,
    pub qualified: i64,
    pub opportunities: i64,
    pub quoted: i64,
    pub won: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StageFigures {
    pub stage: String,
    pub open: i64,
    pub expected_revenue: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CrmReport {
    pub by_stage: Vec<StageFigures>,
    pub by_owner: Vec<OwnerFigures>,
    pub funnel: Funnel,
}

fn days_between(from: &str, to: &str) -> Option<i64> {
    let day = |t: &str| kernel::clock::parse_date(t.get(..10)?).ok();
    Some((day(to)? - day(from)?).whole_days())
}

/// Pipeline by stage and owner, win rate, average sales cycle, activity counts per salesperson
/// and the lead-to-order funnel.
pub fn report(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<CrmReport> {
    ctx.require(READ)?;
    let company = ctx.company();
    let (mine, user) = own(ctx, "owner_id", 2);
    let stage_names: BTreeMap<String, (i64, String)> =
        stages(tx, ctx)?.into_iter().map(|s| (s.id.clone(), (s.seq, s.name))).collect();
    let mut by_stage: Vec<(i64, String, i64, i64)> = Vec::new();
    for r in tx.query(
        &format!(
            "select stage_id, count(*), coalesce(sum(expected_revenue), 0) from crm_opportunity
             where company_id = $1 and state = 'open' {mine} group by stage_id"
        ),
        &[&company, &user],
    )? {
        let id: String = r.get(0)?;
        let (seq, name) = stage_names.get(&id).cloned().unwrap_or((0, id));
        by_stage.push((seq, name, r.get(1)?, r.get(2)?));
    }
    by_stage.sort();
    let mut owners: BTreeMap<Option<String>, OwnerFigures> = BTreeMap::new();
    let blank = |owner: &Option<String>| OwnerFigures {
        owner_id: owner.clone(),
        open: 0,
        open_revenue: yuan(0),
        won: 0,
        lost: 0,
        win_rate: "0".into(),
        average_cycle_days: "0".into(),
        activities: 0,
    };
    let mut cycles: BTreeMap<Option<String>, (i64, i64)> = BTreeMap::new();
    let mut open_fen: BTreeMap<Option<String>, i64> = BTreeMap::new();
    for r in tx.query(
        &format!(
            "select owner_id, state, expected_revenue, created_at, closed_at from crm_opportunity
             where company_id = $1 {mine}"
        ),
        &[&company, &user],
    )? {
        let owner: Option<String> = r.get(0)?;
        let state: String = r.get(1)?;
        let figures = owners.entry(owner.clone()).or_insert_with(|| blank(&owner));
        match state.as_str() {
            "open" => {
                figures.open += 1;
                *open_fen.entry(owner.clone()).or_default() += r.get::<i64>(2)?;
            }
            "won" => {
                figures.won += 1;
                let (created, closed): (String, Option<String>) = (r.get(3)?, r.get(4)?);
                if let Some(days) = closed.and_then(|c| days_between(&created, &c)) {
                    let cycle = cycles.entry(owner.clone()).or_default();
                    *cycle = (cycle.0 + days, cycle.1 + 1);
                }
            }
            _ => figures.lost += 1,
        }
    }
    for r in tx.query(
        &format!("select owner_id, count(*) from crm_activity where company_id = $1 {mine} group by owner_id"),
        &[&company, &user],
    )? {
        let owner: Option<String> = r.get(0)?;
        owners.entry(owner.clone()).or_insert_with(|| blank(&owner)).activities = r.get(1)?;
    }
    for (owner, figures) in owners.iter_mut() {
        let closed = figures.won + figures.lost;
        if closed > 0 {
            figures.win_rate = crate::stage::percent_text(figures.won * 10_000 / closed);
        }
        figures.open_revenue = yuan(open_fen.get(owner).copied().unwrap_or(0));
        if let Some((days, n)) = cycles.get(owner).filter(|c| c.1 > 0) {
            // Tenths of a day, rounded half up.
            let tenths = (days * 20 + n) / (2 * n);
            figures.average_cycle_days = format!("{}.{}", tenths / 10, tenths % 10);
        }
    }
    let count = |tx: &mut Tx<'_>, sql: &str| -> Result<i64> { tx.scalar(&format!("{sql} {mine}"), &[&company, &user]) };
    let funnel = Funnel {
        leads: count(tx, "select count(*) from crm_lead where company_id = $1")?,
        qualified: count(tx, "select count(*) from crm_lead where company_id = $1 and state = 'qualified'")?,
        opportunities: count(tx, "select count(*) from crm_opportunity where company_id = $1")?,
        quoted: count(tx, "select count(*) from crm_opportunity where company_id = $1 and order_id is not null")?,
        won: count(tx, "select count(*) from crm_opportunity where company_id = $1 and state = 'won'")?,
    };
    Ok(CrmReport {
        by_stage: by_stage
            .into_iter()
            .map(|(_, stage, open, revenue)| StageFigures { stage, open, expected_revenue: yuan(revenue) })
            .collect(),
        by_owner: owners.into_values().collect(),
        funnel,
    })
}

/// Recomputes the kept column totals from the opportunities (after a bulk load, or to repair).
pub fn rebuild_totals(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<()> {
    tx.execute("delete from crm_pipeline_total where company_id = $1", &[&ctx.company()])?;
    tx.execute(
        "insert into crm_pipeline_total (company_id, stage_id, owner_id, open_count, expected, weighted)
         select company_id, stage_id, coalesce(owner_id, ''), count(*), sum(expected_revenue),
                sum(expected_revenue * probability_bp)
         from crm_opportunity where company_id = $1 and state = 'open' group by company_id, stage_id, coalesce(owner_id, '')",
        &[&ctx.company()],
    )?;
    Ok(())
}

/// The kept column totals equal the open opportunities, per company, stage and owner (both
/// directions: every open group has its totals row, and every non-empty totals row its group).
fn totals_match(tx: &mut Tx<'_>) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let sql = "select o.company_id, o.stage_id, o.n, coalesce(t.open_count, 0), o.w, coalesce(t.weighted, 0)
         from (select company_id, stage_id, coalesce(owner_id, '') as owner_id, count(*) as n,
                      sum(expected_revenue * probability_bp) as w
               from crm_opportunity where state = 'open' group by company_id, stage_id, coalesce(owner_id, '')) o
         left join crm_pipeline_total t on t.company_id = o.company_id and t.stage_id = o.stage_id and t.owner_id = o.owner_id
         union all
         select t.company_id, t.stage_id, 0, t.open_count, 0, t.weighted from crm_pipeline_total t
         where (t.open_count <> 0 or t.weighted <> 0) and not exists (
             select 1 from crm_opportunity o where o.company_id = t.company_id and o.stage_id = t.stage_id
               and coalesce(o.owner_id, '') = t.owner_id and o.state = 'open')";
    for r in tx.query(sql, &[])? {
        let (n, kept, w, kept_w): (i64, i64, i64, i64) = (r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
        if n != kept || w != kept_w {
            problems.push(format!(
                "company {} stage {}: {n} open opportunities (Σ {w}) but the totals say {kept} (Σ {kept_w})",
                r.get::<String>(0)?,
                r.get::<String>(1)?
            ));
        }
    }
    Ok(problems)
}

pub const INVARIANTS: &[kernel::invariant::Invariant] = &[kernel::invariant::Invariant {
    name: "crm.pipeline_totals",
    description: "the kanban's kept totals = the open opportunities per stage and owner",
    check: totals_match,
}];
