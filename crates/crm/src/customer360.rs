//! Customer 360 (客户全景): everything about one customer in one read of the shared database —
//! the customer and contacts, the timeline of activities, opportunities, quotations, orders,
//! deliveries, invoices, payments and the open balance, with lifetime value, last purchase date
//! and average order value. Nothing is copied from other modules; each part is read through its
//! own module and index.

use kernel::crypto::Vault;
use kernel::db::Tx;
use kernel::{Ctx, Currency, Error, Money, Result};
use serde::Serialize;

use crate::activity::Activity;
use crate::opportunity::Opportunity;
use crate::permissions::READ;

/// How many of each kind of record the page shows (the counts cover all).
const RECENT: i64 = 20;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Payment {
    pub voucher_id: String,
    pub date: String,
    pub summary: String,
    pub amount: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Customer360 {
    pub customer: party::Party,
    pub activities: Vec<Activity>,
    pub activity_count: i64,
    pub opportunities: Vec<Opportunity>,
    pub sales: sales::customer::CustomerSales,
    pub payments: Vec<Payment>,
    /// What the customer owes (receivable open items, CNY).
    pub open_balance: String,
    /// Lifetime revenue in CNY (untaxed invoices less credit notes).
    pub lifetime_value: String,
    pub last_purchase_date: Option<String>,
    /// Lifetime value ÷ confirmed orders.
    pub average_order_value: String,
    pub contracts: Vec<crate::contract::Contract>,
    /// prospect, new, active, at_risk, churned or won_back.
    pub lifecycle_stage: String,
    pub satisfaction: crate::lifecycle::Satisfaction,
    /// Service tickets join here when the support module exists.
    pub tickets: Vec<String>,
}

fn yuan(fen: i64) -> String {
    Money::from_minor(fen, Currency::CNY).to_string()
}

pub fn customer_360(tx: &mut Tx<'_>, ctx: &Ctx, vault: &Vault, customer: &str) -> Result<Customer360> {
    ctx.require(READ)?;
    let terms = party::trading_terms(tx, ctx, customer)?.ok_or_else(|| Error::not_found("crm.customer_not_found"))?;
    let id = terms.id.clone();
    // The party module applies its own record rules (a salesperson's own customers).
    let party_id = party::PartyId::parse(&id).map_err(|_| Error::not_found("crm.customer_not_found"))?;
    let customer = party::get_party(tx, ctx, vault, party_id)?;
    let company = ctx.company();
    let (own_clause, user) = crate::team::owner_clause(ctx, "owner_id", 3);
    let activity_count: i64 = tx.scalar(
        &format!("select count(*) from crm_activity where company_id = $1 and partner_id = $2 {own_clause}"),
        &[&company, &id, &user],
    )?;
    let activities = tx
        .query(
            &format!(
                "{} where company_id = $1 and partner_id = $2 {own_clause} order by created_at desc, id desc limit $4",
                crate::activity::SELECT
            ),
            &[&company, &id, &user, &RECENT],
        )?
        .iter()
        .map(crate::activity::activity_of)
        .collect::<Result<Vec<_>>>()?;
    let opportunities = tx
        .query(
            &format!(
                "{} where o.company_id = $1 and o.partner_id = $2 {} order by o.created_at desc, o.id desc limit $4",
                crate::opportunity::SELECT,
                crate::team::owner_clause(ctx, "o.owner_id", 3).0
            ),
            &[&company, &id, &user, &RECENT],
        )?
        .iter()
        .map(crate::opportunity::opportunity_of)
        .collect::<Result<Vec<_>>>()?;
    let sales = sales::customer::customer_sales(tx, &ctx.with_granted(&[sales::permissions::ORDER_READ]), &id, RECENT)?;
    let (payments, open_balance) = if ctx.may(ledger::permissions::READ) || ctx.may(sales::permissions::INVOICE_READ) {
        let books = ctx.with_granted(&[ledger::permissions::READ]);
        let payments = ledger::open_items::partner_receipts(tx, &books, &id, RECENT)?
            .into_iter()
            .map(|(voucher_id, date, summary, fen)| Payment { voucher_id, date, summary, amount: yuan(fen) })
            .collect();
        (payments, ledger::open_items::partner_balance(tx, &books, "receivable", &id)?)
    } else {
        (Vec::new(), 0)
    };
    let contracts = crate::contract::contracts_of(tx, ctx, &id)?;
    let lifecycle_stage = crate::lifecycle::customer_stage(tx, ctx, &id)?.to_string();
    let satisfaction = crate::lifecycle::satisfaction_of(tx, ctx, &id)?;
    let lifetime = sales.invoiced.iter().filter(|a| a.currency == "CNY").map(|a| a.minor).sum::<i64>();
    let average = if sales.orders > 0 { lifetime / sales.orders } else { 0 };
    Ok(Customer360 {
        customer,
        activities,
        activity_count,
        opportunities,
        last_purchase_date: sales.last_order_date.clone(),
        sales,
        payments,
        open_balance: yuan(open_balance),
        lifetime_value: yuan(lifetime),
        average_order_value: yuan(average),
        contracts,
        lifecycle_stage,
        satisfaction,
        tickets: Vec::new(),
    })
}
