//! Opportunities (商机): a possible sale to a customer moving through the pipeline's stages,
//! with expected revenue, probability and close date; won or lost with a reason. A quotation
//! made from an opportunity is an ordinary sales order, and confirming it wins the opportunity
//! (a reaction to `sales::OrderConfirmed`, listed in wiring.rs).

use kernel::db::{Row, Tx};
use kernel::listing::{Filter, ListPage, ListQuery, ListSpec, col};
use kernel::{Ctx, Currency, Error, Money, Result, audit};
use serde::{Deserialize, Serialize};

use crate::lead::LeadId;
use crate::permissions::{READ, WRITE};
use crate::stage::{find_stage, parse_percent, percent_text, stages};

kernel::define_id!(
    /// An opportunity.
    OpportunityId
);

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "杭州茶行 春茶采购", "customer": "C0001", "stage": "needs", "expected_revenue": "50000",
    "expected_close": "2099-04-30"}))]
pub struct OpportunityInput {
    pub name: String,
    /// The customer's id or code.
    pub customer: Option<String>,
    /// Stage id or code; the first stage by default.
    pub stage: Option<String>,
    /// CNY.
    pub expected_revenue: Option<String>,
    /// Percent; the stage's by default.
    pub probability: Option<String>,
    pub expected_close: Option<String>,
    /// The owning salesperson (a user id); the caller by default.
    pub owner_id: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Opportunity {
    pub id: String,
    pub name: String,
    pub partner_id: Option<String>,
    pub partner_name: Option<String>,
    pub lead_id: Option<String>,
    pub stage_id: String,
    pub stage_code: String,
    pub stage_name: String,
    /// open, won or lost
    pub state: String,
    pub expected_revenue: String,
    /// Percent.
    pub probability: String,
    /// Expected revenue × probability.
    pub weighted_revenue: String,
    pub expected_close: Option<String>,
    pub owner_id: Option<String>,
    pub lost_reason: Option<String>,
    pub closed_at: Option<String>,
    pub order_id: Option<String>,
    pub created_at: String,
    pub version: i64,
}

pub(crate) fn yuan(fen: i64) -> String {
    Money::from_minor(fen, Currency::CNY).to_string()
}

pub(crate) fn parse_yuan(text: &Option<String>, field: &str) -> Result<i64> {
    match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(0),
        Some(t) => Money::parse(t, Currency::CNY)
            .map(|m| m.minor())
            .ok()
            .filter(|m| *m >= 0)
            .ok_or_else(|| Error::field(field.to_string(), "crm.amount_invalid")),
    }
}

fn parse_day(text: &Option<String>, field: &str) -> Result<Option<String>> {
    match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => kernel::clock::parse_date(t)
            .map(|d| Some(kernel::clock::format_date(d)))
            .map_err(|_| Error::field(field.to_string(), "crm.date_invalid")),
    }
}

/// An opportunity by its name or its customer's.
pub static OPPORTUNITY_SEARCH: kernel::search::SearchIndex = kernel::search::SearchIndex {
    kind: "crm.opportunity",
    source: "select o.id, o.company_id, o.name, p.name from crm_opportunity o left join party_party p on p.id = o.partner_id",
    id: "o.id",
};

pub const OPPORTUNITY_LIST: ListSpec = ListSpec {
    from: "crm_opportunity o join crm_stage s on s.id = o.stage_id left join party_party p on p.id = o.partner_id",
    id: "o.id",
    company: "o.company_id",
    columns: &[
        col("name", "o.name", true, Filter::Prefix),
        col("customer", "coalesce(p.name, '')", true, Filter::Prefix),
        col("stage", "s.code", true, Filter::Equals),
        col("state", "o.state", true, Filter::Equals),
        col("expected_revenue", "o.expected_revenue", true, Filter::None),
        col("expected_close", "coalesce(o.expected_close, '')", true, Filter::Range),
        col("owner_id", "coalesce(o.owner_id, '')", false, Filter::Equals),
        col("partner_id", "coalesce(o.partner_id, '')", false, Filter::Equals),
    ],
    search: &["o.name", "p.name"],
    index: Some(&OPPORTUNITY_SEARCH),
    default_sort: "expected_close",
    default_desc: false,
};

/// Opportunities the caller may see: own ones under a role limited to own records.
pub fn list_opportunities(tx: &mut Tx<'_>, ctx: &Ctx, query: &ListQuery) -> Result<ListPage> {
    ctx.require(READ)?;
    let scope = crate::team::owner_scope(ctx, "o.owner_id");
    OPPORTUNITY_LIST.fetch(tx, ctx, query, scope.as_ref().map(|(c, v)| (c.as_str(), v.clone())))
}

pub(crate) const SELECT: &str =
    "select o.id, o.name, o.partner_id, p.name, o.lead_id, o.stage_id, s.code, s.name, o.state,
        o.expected_revenue, o.probability_bp, o.expected_close, o.owner_id, o.lost_reason, o.closed_at, o.order_id,
        o.created_at, o.version
     from crm_opportunity o join crm_stage s on s.id = o.stage_id left join party_party p on p.id = o.partner_id";

pub(crate) fn opportunity_of(r: &Row) -> Result<Opportunity> {
    let (revenue, bp): (i64, i64) = (r.get(9)?, r.get(10)?);
    let weighted = kernel::money::div_round_half_up(i128::from(revenue) * i128::from(bp), 10_000);
    Ok(Opportunity {
        id: r.get(0)?,
        name: r.get(1)?,
        partner_id: r.get(2)?,
        partner_name: r.get(3)?,
        lead_id: r.get(4)?,
        stage_id: r.get(5)?,
        stage_code: r.get(6)?,
        stage_name: r.get(7)?,
        state: r.get(8)?,
        expected_revenue: yuan(revenue),
        probability: percent_text(bp),
        weighted_revenue: yuan(i64::try_from(weighted).unwrap_or(0)),
        expected_close: r.get(11)?,
        owner_id: r.get(12)?,
        lost_reason: r.get(13)?,
        closed_at: r.get(14)?,
        order_id: r.get(15)?,
        created_at: r.get(16)?,
        version: r.get(17)?,
    })
}

pub fn get_opportunity(tx: &mut Tx<'_>, ctx: &Ctx, id: OpportunityId) -> Result<Opportunity> {
    ctx.require(READ)?;
    let r = tx
        .query_opt(&format!("{SELECT} where o.company_id = $1 and o.id = $2"), &[&ctx.company(), &id])?
        .ok_or_else(|| Error::not_found("crm.opportunity_not_found"))?;
    let opportunity = opportunity_of(&r)?;
    if !crate::team::may_see(tx, ctx, opportunity.owner_id.as_deref())? {
        return Err(Error::not_found("crm.opportunity_not_found"));
    }
    Ok(opportunity)
}

/// Adds an open opportunity's figures to (or, with `sign` −1, takes them from) its column's
/// totals, in the same transaction as the change.
pub(crate) fn tally(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    stage: &str,
    owner: Option<&str>,
    revenue: i64,
    probability_bp: i64,
    sign: i64,
) -> Result<()> {
    tx.execute(
        "insert into crm_pipeline_total (company_id, stage_id, owner_id, open_count, expected, weighted)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (company_id, stage_id, owner_id) do update set
             open_count = crm_pipeline_total.open_count + excluded.open_count,
             expected = crm_pipeline_total.expected + excluded.expected,
             weighted = crm_pipeline_total.weighted + excluded.weighted",
        &[&ctx.company(), &stage, &owner.unwrap_or(""), &sign, &(sign * revenue), &(sign * revenue * probability_bp)],
    )?;
    Ok(())
}

/// Revenue (fen) and probability (bp) of an opportunity as stored.
fn figures(tx: &mut Tx<'_>, id: &str) -> Result<(i64, i64)> {
    let r = tx.query_one("select expected_revenue, probability_bp from crm_opportunity where id = $1", &[&id])?;
    Ok((r.get(0)?, r.get(1)?))
}

pub fn create_opportunity(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    input: &OpportunityInput,
    lead: Option<LeadId>,
) -> Result<Opportunity> {
    ctx.require(WRITE)?;
    let name = input.name.trim();
    if name.is_empty() {
        return Err(Error::field("name", "crm.required"));
    }
    let partner = match input.customer.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(key) => Some(
            party::trading_terms(tx, ctx, key)?
                .filter(|t| t.is_customer())
                .ok_or_else(|| Error::field("customer", "crm.customer_unknown"))?
                .id,
        ),
        None => None,
    };
    let stage = match input.stage.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(key) => find_stage(tx, ctx, key)?,
        None => stages(tx, ctx)?.into_iter().next().ok_or_else(|| Error::field("stage", "crm.stage_unknown"))?,
    };
    let probability = match input.probability.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => parse_percent(p, "probability")?,
        None => stage.probability_bp,
    };
    let revenue = parse_yuan(&input.expected_revenue, "expected_revenue")?;
    let close = parse_day(&input.expected_close, "expected_close")?;
    let owner = match input.owner_id.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        Some(o) => Some(o.to_string()),
        None => ctx.actor().user().map(|u| u.to_string()),
    };
    let id = OpportunityId::new();
    let now = ctx.now_text();
    tx.execute(
        "insert into crm_opportunity (id, company_id, name, partner_id, lead_id, stage_id, state, expected_revenue,
             probability_bp, expected_close, owner_id, created_at, created_by, updated_at)
         values ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $10, $11, $12, $11)",
        &[
            &id,
            &ctx.company(),
            &name,
            &partner,
            &lead.map(|l| l.to_string()),
            &stage.id,
            &revenue,
            &probability,
            &close,
            &owner,
            &now,
            &ctx.actor().label(),
        ],
    )?;
    tally(tx, ctx, &stage.id, owner.as_deref(), revenue, probability, 1)?;
    audit::record(tx, ctx, "crm.opportunity.create", "crm.opportunity", &id, serde_json::json!({"stage": stage.code}))?;
    get_opportunity(tx, &ctx.clone().with_own_records_only(false), id)
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"stage": "proposal", "version": 1}))]
pub struct MoveInput {
    pub stage: String,
    /// The version read (the kanban card's); refused if someone moved it meanwhile.
    pub version: Option<i64>,
}

/// Moves an open opportunity to another stage (the kanban drag); its probability follows the
/// stage.
pub fn move_stage(tx: &mut Tx<'_>, ctx: &Ctx, id: OpportunityId, input: &MoveInput) -> Result<Opportunity> {
    ctx.require(WRITE)?;
    let current = get_opportunity(tx, ctx, id)?;
    if current.state != "open" {
        return Err(Error::conflict("crm.opportunity_closed").with_param("state", &current.state));
    }
    let stage = find_stage(tx, ctx, &input.stage)?;
    let version = input.version.unwrap_or(current.version);
    let (revenue, old_bp) = figures(tx, &current.id)?;
    let changed = tx.execute(
        "update crm_opportunity set stage_id = $1, probability_bp = $2, updated_at = $3, version = version + 1
         where company_id = $4 and id = $5 and state = 'open' and version = $6",
        &[&stage.id, &stage.probability_bp, &ctx.now_text(), &ctx.company(), &id, &version],
    )?;
    if changed == 0 {
        return Err(Error::conflict("crm.opportunity_changed"));
    }
    tally(tx, ctx, &current.stage_id, current.owner_id.as_deref(), revenue, old_bp, -1)?;
    tally(tx, ctx, &stage.id, current.owner_id.as_deref(), revenue, stage.probability_bp, 1)?;
    audit::record(
        tx,
        ctx,
        "crm.opportunity.move",
        "crm.opportunity",
        &id,
        serde_json::json!({"from": current.stage_code, "to": stage.code}),
    )?;
    get_opportunity(tx, ctx, id)
}

/// Closes an open opportunity as won or lost (lost needs a reason).
pub fn close(tx: &mut Tx<'_>, ctx: &Ctx, id: OpportunityId, won: bool, reason: &str) -> Result<Opportunity> {
    ctx.require(WRITE)?;
    let current = get_opportunity(tx, ctx, id)?;
    if !won && reason.trim().is_empty() {
        return Err(Error::field("reason", "crm.reason_required"));
    }
    let (revenue, old_bp) = figures(tx, &current.id)?;
    let (state, bp) = if won { ("won", 10_000) } else { ("lost", 0) };
    let changed = tx.execute(
        "update crm_opportunity set state = $1, probability_bp = $2, lost_reason = $3, closed_at = $4, updated_at = $4,
             version = version + 1
         where company_id = $5 and id = $6 and state = 'open'",
        &[&state, &bp, &(!won).then(|| reason.trim().to_string()), &ctx.now_text(), &ctx.company(), &id],
    )?;
    if changed == 0 {
        return Err(Error::conflict("crm.opportunity_closed").with_param("state", &current.state));
    }
    tally(tx, ctx, &current.stage_id, current.owner_id.as_deref(), revenue, old_bp, -1)?;
    audit::record(
        tx,
        ctx,
        &format!("crm.opportunity.{state}"),
        "crm.opportunity",
        &id,
        serde_json::json!({"reason": reason}),
    )?;
    get_opportunity(tx, ctx, id)
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"lines": [{"product": "TEA-001", "quantity": "100", "unit_price": "500"}], "valid_until": "2099-12-31"}))]
pub struct QuotationInput {
    pub lines: Vec<sales::OrderLineInput>,
    pub valid_until: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// A quotation for the opportunity's customer, owned by its salesperson: a draft sales order
/// linked to the opportunity, whose confirmation will win it.
pub fn create_quotation(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    id: OpportunityId,
    input: &QuotationInput,
) -> Result<sales::SalesOrder> {
    ctx.require(WRITE)?;
    let opportunity = get_opportunity(tx, ctx, id)?;
    if opportunity.state != "open" {
        return Err(Error::conflict("crm.opportunity_closed").with_param("state", &opportunity.state));
    }
    let customer = opportunity.partner_id.clone().ok_or_else(|| Error::field("customer", "crm.customer_required"))?;
    let order = sales::create_order(
        tx,
        ctx,
        &sales::OrderInput {
            customer,
            order_date: None,
            valid_until: input.valid_until.clone(),
            salesperson_id: opportunity.owner_id.clone(),
            price_includes_tax: None,
            currency: None,
            note: if input.note.is_empty() { opportunity.name.clone() } else { input.note.clone() },
            lines: input.lines.clone(),
            confirm: false,
        },
    )?;
    tx.execute(
        "update crm_opportunity set order_id = $1, updated_at = $2, version = version + 1 where company_id = $3 and id = $4",
        &[&order.id, &ctx.now_text(), &ctx.company(), &id],
    )?;
    audit::record(
        tx,
        ctx,
        "crm.opportunity.quotation",
        "crm.opportunity",
        &id,
        serde_json::json!({"order": order.number}),
    )?;
    Ok(order)
}

/// A confirmed sales order wins the opportunity it was quoted from.
pub fn order_confirmed(tx: &mut Tx<'_>, ctx: &Ctx, event: &sales::OrderConfirmed) -> Result<()> {
    let open = tx.query(
        "select stage_id, owner_id, expected_revenue, probability_bp from crm_opportunity
         where company_id = $1 and order_id = $2 and state = 'open'",
        &[&ctx.company(), &event.order_id],
    )?;
    for r in open {
        let (stage, owner): (String, Option<String>) = (r.get(0)?, r.get(1)?);
        tally(tx, ctx, &stage, owner.as_deref(), r.get(2)?, r.get(3)?, -1)?;
    }
    let won = tx.execute(
        "update crm_opportunity set state = 'won', probability_bp = 10000, closed_at = $1, updated_at = $1,
             version = version + 1
         where company_id = $2 and order_id = $3 and state = 'open'",
        &[&ctx.now_text(), &ctx.company(), &event.order_id],
    )?;
    if won > 0 {
        audit::record(
            tx,
            ctx,
            "crm.opportunity.won",
            "sales.order",
            &event.order_id,
            serde_json::json!({"by": "order"}),
        )?;
    }
    Ok(())
}
