//! Contracts (合同), usually from a won opportunity: the parties, terms, amount, start and end,
//! payment milestones (付款节点) each tied to the sales invoice that bills it, a status, renewal
//! reminders before the end, and attachments (the kernel's, on kind `crm.contract`).
//!
//! Activation asks the approval engine first: when the company's flow for contracts applies
//! (above an amount, say), the contract stays a draft while the approvers decide, and the last
//! approval activates it. Without a flow a draft activates at once.

use kernel::db::{Row, Tx};
use kernel::id::DocRef;
use kernel::identity::UserId;
use kernel::sequence::{DocType, next_number};
use kernel::{Ctx, Error, Result, audit};
use serde::{Deserialize, Serialize};

use crate::opportunity::{parse_yuan, yuan};
use crate::permissions::{READ, WRITE};

kernel::define_id!(
    /// A contract.
    ContractId
);

const CONTRACT_NUMBERS: DocType = DocType { code: "crm.contract", prefix: "HT" };

/// Days before the end at which the owner is reminded to renew.
pub const RENEWAL_NOTICE_DAYS: i64 = 30;

/// The kind approval flows name contracts by.
pub const APPROVAL_KIND: &str = "crm.contract";

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneInput {
    pub name: String,
    pub due_date: String,
    /// CNY.
    pub amount: String,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "2027 年度供货合同", "customer": "C0001", "amount": "120000",
    "start_date": "2099-01-01", "end_date": "2099-12-31", "terms": "按季度供货，货到 30 天付款",
    "milestones": [{"name": "首付款", "due_date": "2099-01-15", "amount": "36000"},
                   {"name": "尾款", "due_date": "2099-12-15", "amount": "84000"}]}))]
pub struct ContractInput {
    pub name: String,
    /// The customer's id or code.
    pub customer: String,
    /// The won opportunity it comes from, if any.
    pub opportunity_id: Option<String>,
    /// CNY.
    pub amount: String,
    pub start_date: String,
    pub end_date: String,
    #[serde(default)]
    pub terms: String,
    /// Payment milestones; their amounts add up to the contract's.
    #[serde(default)]
    pub milestones: Vec<MilestoneInput>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Milestone {
    pub id: String,
    pub seq: i64,
    pub name: String,
    pub due_date: String,
    pub amount: String,
    /// The sales invoice billing it, and that invoice's state (posted, paid…).
    pub invoice_id: Option<String>,
    pub invoice_state: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Contract {
    pub id: String,
    pub number: String,
    pub name: String,
    pub partner_id: String,
    pub opportunity_id: Option<String>,
    pub amount: String,
    pub start_date: String,
    pub end_date: String,
    pub terms: String,
    /// draft, active, expired (past its end) or terminated
    pub state: String,
    pub owner_id: Option<String>,
    pub milestones: Vec<Milestone>,
    /// Milestones' amounts whose invoice is paid.
    pub paid: String,
    /// The latest approval request of the contract, if its activation asked for one.
    pub approval: Option<office::approval::ApprovalState>,
    #[serde(skip)]
    pub amount_fen: i64,
}

fn day(text: &str, field: &str) -> Result<String> {
    kernel::clock::parse_date(text.trim())
        .map(kernel::clock::format_date)
        .map_err(|_| Error::field(field.to_string(), "crm.date_invalid"))
}

pub fn create_contract(tx: &mut Tx<'_>, ctx: &Ctx, input: &ContractInput) -> Result<Contract> {
    ctx.require(WRITE)?;
    let mut problems = Error::invalid("validation.failed");
    if input.name.trim().is_empty() {
        problems = problems.with_field("name", "crm.required");
    }
    let partner = party::trading_terms(tx, ctx, &input.customer)?.filter(|t| t.is_customer());
    if partner.is_none() {
        problems = problems.with_field("customer", "crm.customer_unknown");
    }
    let amount = parse_yuan(&Some(input.amount.clone()), "amount");
    let (start, end) = (day(&input.start_date, "start_date"), day(&input.end_date, "end_date"));
    for e in [amount.as_ref().err(), start.as_ref().err(), end.as_ref().err()].into_iter().flatten() {
        for f in e.fields() {
            problems = problems.with_field(f.field.clone(), f.code);
        }
    }
    if let (Ok(s), Ok(e)) = (&start, &end)
        && e < s
    {
        problems = problems.with_field("end_date", "crm.end_before_start");
    }
    let mut milestones = Vec::new();
    for (i, m) in input.milestones.iter().enumerate() {
        match (parse_yuan(&Some(m.amount.clone()), "amount"), day(&m.due_date, "due_date")) {
            (Ok(a), Ok(d)) if !m.name.trim().is_empty() => milestones.push((m.name.trim().to_string(), d, a)),
            _ => problems = problems.with_field(format!("milestones[{i}]"), "crm.milestone_invalid"),
        }
    }
    if let Ok(total) = &amount
        && !milestones.is_empty()
        && milestones.iter().map(|m| m.2).sum::<i64>() != *total
    {
        problems = problems.with_field("milestones", "crm.milestones_sum");
    }
    if !problems.fields().is_empty() {
        return Err(problems);
    }
    let (partner, amount, start, end) = (partner.map(|p| p.id).unwrap_or_default(), amount?, start?, end?);
    let id = ContractId::new();
    let number = next_number(tx, ctx, CONTRACT_NUMBERS, ctx.today(), &DocRef::new("crm.contract", id))?;
    let owner = ctx.actor().user().map(|u| u.to_string());
    let opportunity = input.opportunity_id.as_deref().map(str::trim).filter(|o| !o.is_empty());
    tx.execute(
        "insert into crm_contract (id, company_id, number, name, partner_id, opportunity_id, amount, start_date, end_date,
             terms, state, owner_id, created_at, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'draft', $11, $12, $13)",
        &[&id, &ctx.company(), &number, &input.name.trim(), &partner, &opportunity, &amount, &start, &end, &input.terms.trim(), &owner, &ctx.now_text(), &ctx.actor().label()],
    )?;
    for (seq, (name, due, amount)) in milestones.iter().enumerate() {
        tx.execute(
            "insert into crm_contract_milestone (id, contract_id, seq, name, due_date, amount) values ($1, $2, $3, $4, $5, $6)",
            &[&kernel::id::Uuid::now_v7(), &id, &(seq as i64 + 1), name, due, amount],
        )?;
    }
    audit::record(tx, ctx, "crm.contract.create", "crm.contract", &id, serde_json::json!({"number": number}))?;
    get_contract(tx, ctx, id)
}

fn contract_of(tx: &mut Tx<'_>, ctx: &Ctx, r: &Row) -> Result<Contract> {
    let id: String = r.get(0)?;
    let end: String = r.get(8)?;
    let mut state: String = r.get(10)?;
    // An active contract past its end reads as expired.
    if state == "active" && end < kernel::clock::format_date(ctx.today()) {
        state = "expired".into();
    }
    let mut paid = 0;
    let milestones = tx
        .query(
            "select m.id, m.seq, m.name, m.due_date, m.amount, m.invoice_id, i.state
             from crm_contract_milestone m left join sales_invoice i on i.id = m.invoice_id
             where m.contract_id = $1 order by m.seq",
            &[&id],
        )?
        .iter()
        .map(|m| {
            let (amount, invoice_state): (i64, Option<String>) = (m.get(4)?, m.get(6)?);
            if invoice_state.as_deref() == Some("paid") {
                paid += amount;
            }
            Ok(Milestone {
                id: m.get(0)?,
                seq: m.get(1)?,
                name: m.get(2)?,
                due_date: m.get(3)?,
                amount: yuan(amount),
                invoice_id: m.get(5)?,
                invoice_state,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Contract {
        id,
        number: r.get(1)?,
        name: r.get(2)?,
        partner_id: r.get(3)?,
        opportunity_id: r.get(4)?,
        amount: yuan(r.get(5)?),
        amount_fen: r.get(5)?,
        start_date: r.get(7)?,
        end_date: end,
        terms: r.get(9)?,
        state,
        owner_id: r.get(11)?,
        milestones,
        paid: yuan(paid),
        approval: office::approval::latest_of(tx, ctx, APPROVAL_KIND, &r.get::<String>(0)?)?,
    })
}

const SELECT: &str =
    "select id, number, name, partner_id, opportunity_id, amount, 0, start_date, end_date, terms, state, owner_id
     from crm_contract";

pub fn get_contract(tx: &mut Tx<'_>, ctx: &Ctx, id: ContractId) -> Result<Contract> {
    ctx.require(READ)?;
    let r = tx
        .query_opt(&format!("{SELECT} where company_id = $1 and id = $2"), &[&ctx.company(), &id])?
        .ok_or_else(|| Error::not_found("crm.contract_not_found"))?;
    let contract = contract_of(tx, ctx, &r)?;
    if !crate::team::may_see(tx, ctx, contract.owner_id.as_deref())? {
        return Err(Error::not_found("crm.contract_not_found"));
    }
    Ok(contract)
}

/// A customer's contracts, latest first (for customer 360).
pub fn contracts_of(tx: &mut Tx<'_>, ctx: &Ctx, customer: &str) -> Result<Vec<Contract>> {
    ctx.require(READ)?;
    let (own, user) = crate::team::owner_clause(ctx, "owner_id", 3);
    let rows = tx.query(
        &format!(
            "{SELECT} where company_id = $1 and partner_id = $2 {own} order by start_date desc, number desc limit 50"
        ),
        &[&ctx.company(), &customer, &user],
    )?;
    rows.iter().map(|r| contract_of(tx, ctx, r)).collect()
}

/// What the approval flow of contracts may look at: the amount in yuan, the customer's code and
/// the owner's login.
fn approval_subject(tx: &mut Tx<'_>, contract: &Contract) -> Result<office::approval::Subject> {
    let r = tx.query_one(
        "select p.code, p.name, coalesce(u.username, '') from crm_contract c join party_party p on p.id = c.partner_id
         left join kernel_user u on u.id = c.owner_id where c.id = $1",
        &[&contract.id],
    )?;
    let (customer, customer_name, owner): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
    let facts = [("amount", contract.amount.clone()), ("customer", customer), ("owner", owner)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    Ok(office::approval::Subject {
        kind: APPROVAL_KIND.into(),
        id: contract.id.clone(),
        title: format!("{} {} {} {}", contract.number, contract.name, customer_name, contract.amount),
        facts,
    })
}

/// Activates a draft, or submits it for approval when the company's flow for contracts applies.
pub fn activate(tx: &mut Tx<'_>, ctx: &Ctx, id: ContractId) -> Result<Contract> {
    ctx.require(WRITE)?;
    let contract = get_contract(tx, ctx, id)?;
    if contract.state != "draft" {
        return Err(Error::conflict("crm.contract_state").with_param("state", &contract.state));
    }
    let subject = approval_subject(tx, &contract)?;
    if let office::approval::Gate::Submitted { number, .. } = office::approval::gate(tx, ctx, &subject)? {
        audit::record(tx, ctx, "crm.contract.submit", "crm.contract", &id, serde_json::json!({"approval": number}))?;
        return get_contract(tx, ctx, id);
    }
    activate_now(tx, ctx, id)?;
    get_contract(tx, ctx, id)
}

/// The approval of a contract has ended: approved, the contract is active (the approver acting
/// for its owner); otherwise it stays a draft.
pub fn approval_decided(tx: &mut Tx<'_>, ctx: &Ctx, event: &office::approval::ApprovalDecided) -> Result<()> {
    if event.kind != APPROVAL_KIND || event.outcome != office::approval::Outcome::Approved {
        return Ok(());
    }
    let id = ContractId::parse(&event.doc_id)?;
    activate_now(tx, &ctx.with_granted(&[WRITE]), id)
}

fn activate_now(tx: &mut Tx<'_>, ctx: &Ctx, id: ContractId) -> Result<()> {
    let changed = tx.execute(
        "update crm_contract set state = 'active', activated_at = $1 where company_id = $2 and id = $3 and state = 'draft'",
        &[&ctx.now_text(), &ctx.company(), &id],
    )?;
    if changed == 0 {
        return Err(Error::conflict("crm.contract_state").with_param("state", "?"));
    }
    audit::record(tx, ctx, "crm.contract.activate", "crm.contract", &id, serde_json::json!({}))
}

pub fn terminate(tx: &mut Tx<'_>, ctx: &Ctx, id: ContractId, reason: &str) -> Result<Contract> {
    ctx.require(WRITE)?;
    get_contract(tx, ctx, id)?;
    // Withdraw the approval first: the approvers are deciding on this contract.
    office::approval::require_not_pending(tx, ctx, APPROVAL_KIND, &id.to_string())?;
    let changed = tx.execute(
        "update crm_contract set state = 'terminated', terminated_reason = $1 where company_id = $2 and id = $3
           and state in ('draft', 'active')",
        &[&reason.trim(), &ctx.company(), &id],
    )?;
    if changed == 0 {
        return Err(Error::conflict("crm.contract_state").with_param("state", "terminated"));
    }
    audit::record(tx, ctx, "crm.contract.terminate", "crm.contract", &id, serde_json::json!({"reason": reason}))?;
    get_contract(tx, ctx, id)
}

/// Ties a payment milestone to the sales invoice that bills it (the customer's own), named by
/// its id or number.
pub fn link_invoice(tx: &mut Tx<'_>, ctx: &Ctx, id: ContractId, milestone: &str, invoice: &str) -> Result<Contract> {
    ctx.require(WRITE)?;
    let contract = get_contract(tx, ctx, id)?;
    // By id, or by the number printed on it (INV-2026-000001).
    let found = tx.query_opt(
        "select id, customer_id from sales_invoice where company_id = $1 and (id = $2 or number = $2)",
        &[&ctx.company(), &invoice.trim()],
    )?;
    let (invoice, customer): (String, String) = match found {
        Some(r) => (r.get(0)?, r.get(1)?),
        None => return Err(Error::field("invoice_id", "crm.invoice_not_customers")),
    };
    if customer != contract.partner_id {
        return Err(Error::field("invoice_id", "crm.invoice_not_customers"));
    }
    let changed = tx.execute(
        "update crm_contract_milestone set invoice_id = $1 where contract_id = $2 and id = $3",
        &[&invoice, &id, &milestone],
    )?;
    if changed == 0 {
        return Err(Error::not_found("crm.milestone_not_found"));
    }
    audit::record(tx, ctx, "crm.contract.milestone", "crm.contract", &id, serde_json::json!({"invoice": invoice}))?;
    get_contract(tx, ctx, id)
}

/// Reminds the owners of active contracts ending within `RENEWAL_NOTICE_DAYS` (once per
/// contract), in the notification area. Run by the background worker each day.
pub fn remind_renewals(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<usize> {
    let today = ctx.today();
    let horizon = kernel::clock::format_date(today + time::Duration::days(RENEWAL_NOTICE_DAYS));
    let due = tx.query(
        "select id, number, name, end_date, owner_id from crm_contract
         where company_id = $1 and state = 'active' and renewal_reminded_at is null and end_date <= $2 and end_date >= $3",
        &[&ctx.company(), &horizon, &kernel::clock::format_date(today)],
    )?;
    let mut reminded = 0;
    for r in due {
        let (id, number, name, end, owner): (String, String, String, String, Option<String>) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        if let Some(user) = owner.as_deref().and_then(|o| UserId::parse(o).ok()) {
            let title = format!("合同续签提醒 {number} {name} 将于 {end} 到期");
            office::notification::notify(tx, ctx, user, &title, &format!("/crm/contracts/{id}"))?;
        }
        tx.execute("update crm_contract set renewal_reminded_at = $1 where id = $2", &[&ctx.now_text(), &id])?;
        reminded += 1;
    }
    Ok(reminded)
}
