//! What a customer bought, for the customer 360 view: counts and totals over all their orders
//! and invoices (read through the per-customer indexes, so a customer with ten thousand orders
//! costs a few index ranges) and the latest quotations, orders, deliveries and invoices.

use kernel::db::Tx;
use kernel::{Ctx, Currency, Money, Result};
use serde::Serialize;

use crate::permissions::{INVOICE_READ, ORDER_READ};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RecentDocument {
    pub id: String,
    pub number: String,
    /// quotation/order state, picking state, invoice state
    pub state: String,
    pub date: String,
    pub currency: String,
    pub total: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct InvoicedAmount {
    pub currency: String,
    /// Untaxed, invoices less credit notes (posted or paid).
    pub untaxed: String,
    #[serde(skip)]
    pub minor: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerSales {
    /// Confirmed or done orders.
    pub orders: i64,
    pub quotations: i64,
    pub last_order_date: Option<String>,
    /// Lifetime revenue per currency.
    pub invoiced: Vec<InvoicedAmount>,
    pub recent_quotations: Vec<RecentDocument>,
    pub recent_orders: Vec<RecentDocument>,
    pub recent_deliveries: Vec<RecentDocument>,
    pub recent_invoices: Vec<RecentDocument>,
}

fn money(minor: i64, currency: &str) -> String {
    Money::from_minor(minor, Currency::from_code(currency).unwrap_or(Currency::CNY)).to_string()
}

/// Under a role limited to own records, only the caller's documents count (`$n` is the caller).
fn own(ctx: &Ctx, column: &str, n: u8) -> (String, String) {
    match (ctx.own_records_only(), ctx.actor().user()) {
        (true, Some(user)) => (format!("and {column} = ${n}"), user.to_string()),
        _ => (format!("and ${n} = ''"), String::new()),
    }
}

fn recent(tx: &mut Tx<'_>, sql: &str, ctx: &Ctx, customer: &str, limit: i64) -> Result<Vec<RecentDocument>> {
    let (_, user) = own(ctx, "", 4);
    tx.query(sql, &[&ctx.company(), &customer, &limit, &user])?
        .iter()
        .map(|r| {
            let (currency, total): (String, i64) = (r.get(4)?, r.get(5)?);
            Ok(RecentDocument {
                id: r.get(0)?,
                number: r.get::<Option<String>>(1)?.unwrap_or_default(),
                state: r.get(2)?,
                date: r.get(3)?,
                total: if currency.is_empty() { String::new() } else { money(total, &currency) },
                currency,
            })
        })
        .collect()
}

/// The customer's sales history, `limit` latest documents of each kind.
pub fn customer_sales(tx: &mut Tx<'_>, ctx: &Ctx, customer: &str, limit: i64) -> Result<CustomerSales> {
    ctx.require(ORDER_READ)?;
    let company = ctx.company();
    let (mine3, user) = own(ctx, "salesperson_id", 3);
    let (mine, _) = own(ctx, "salesperson_id", 4);
    let (mine_o, _) = own(ctx, "o.salesperson_id", 4);
    let counts = tx.query_one(
        &format!(
            "select coalesce(sum(case when state in ('confirmed', 'done') then 1 else 0 end), 0),
                    coalesce(sum(case when state in ('draft', 'sent') then 1 else 0 end), 0),
                    max(case when state in ('confirmed', 'done') then order_date end)
             from sales_order where company_id = $1 and customer_id = $2 {mine3}"
        ),
        &[&company, &customer, &user],
    )?;
    let mut invoiced = Vec::new();
    if ctx.may(INVOICE_READ) {
        for r in tx.query(
            &format!(
                "select currency, coalesce(sum(case when kind = 'credit_note' then -untaxed else untaxed end), 0)
                 from sales_invoice where company_id = $1 and customer_id = $2 and state in ('posted', 'paid')
                   {mine3} group by currency order by currency"
            ),
            &[&company, &customer, &user],
        )? {
            let (currency, minor): (String, i64) = (r.get(0)?, r.get(1)?);
            invoiced.push(InvoicedAmount { untaxed: money(minor, &currency), currency, minor });
        }
    }
    let orders = format!(
        "select id, number, state, order_date, currency, total from sales_order
         where company_id = $1 and customer_id = $2 and state {{}} {mine} order by order_date desc, number desc limit $3"
    );
    let recent_quotations = recent(tx, &orders.replace("{}", "in ('draft', 'sent')"), ctx, customer, limit)?;
    let recent_orders =
        recent(tx, &orders.replace("{}", "in ('confirmed', 'done', 'cancelled')"), ctx, customer, limit)?;
    let recent_deliveries = recent(
        tx,
        &format!(
            "select p.id, p.number, p.state, coalesce(p.done_date, p.scheduled_date), '', 0
             from sales_order o join inventory_picking p on p.company_id = o.company_id
                  and p.origin_kind = 'sales.order' and p.origin_id = o.id
             where o.company_id = $1 and o.customer_id = $2 {mine_o} order by o.order_date desc, p.number desc limit $3"
        ),
        ctx,
        customer,
        limit,
    )?;
    let recent_invoices = if ctx.may(INVOICE_READ) {
        recent(
            tx,
            &format!(
                "select id, number, state, invoice_date, currency, case when kind = 'credit_note' then -total else total end
                 from sales_invoice where company_id = $1 and customer_id = $2 and state <> 'cancelled' {mine}
                 order by invoice_date desc, created_at desc limit $3"
            ),
            ctx,
            customer,
            limit,
        )?
    } else {
        Vec::new()
    };
    Ok(CustomerSales {
        orders: counts.get(0)?,
        quotations: counts.get(1)?,
        last_order_date: counts.get(2)?,
        invoiced,
        recent_quotations,
        recent_orders,
        recent_deliveries,
        recent_invoices,
    })
}

/// A customer's order dates for the lifecycle: first and latest confirmed order, and the one
/// before the latest (to tell a customer won back after a long gap).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderDates {
    pub customer_id: String,
    pub first: Option<String>,
    pub last: Option<String>,
    pub previous: Option<String>,
}

/// Order dates of every customer with confirmed orders, in one read: each customer's orders
/// ranked newest first by a window function.
pub fn order_dates(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<OrderDates>> {
    tx.query(
        "select customer_id, min(d), max(d), max(case when rn = 2 then d end) from (
             select customer_id, order_date as d,
                    row_number() over (partition by customer_id order by order_date desc, id desc) as rn
             from sales_order where company_id = $1 and state in ('confirmed', 'done')
         ) ranked group by customer_id",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| Ok(OrderDates { customer_id: r.get(0)?, first: r.get(1)?, last: r.get(2)?, previous: r.get(3)? }))
    .collect()
}

/// One customer's order dates: three short index reads, whatever the number of orders.
pub fn customer_order_dates(tx: &mut Tx<'_>, ctx: &Ctx, customer: &str) -> Result<OrderDates> {
    let edge = |tx: &mut Tx<'_>, sql: &str, before: &str| -> Result<Option<String>> {
        let mut best: Option<String> = None;
        // One indexed read per state (the index is by customer, state and date).
        for state in ["confirmed", "done"] {
            let found: Option<String> = tx.scalar(sql, &[&ctx.company(), &customer, &state, &before])?;
            best = match (best, found) {
                (Some(a), Some(b)) => Some(if sql.contains("min(") { a.min(b) } else { a.max(b) }),
                (a, b) => a.or(b),
            };
        }
        Ok(best)
    };
    let min = "select min(order_date) from sales_order where company_id = $1 and customer_id = $2 and state = $3 and order_date < $4";
    let max = "select max(order_date) from sales_order where company_id = $1 and customer_id = $2 and state = $3 and order_date < $4";
    let first = edge(tx, min, "9999-12-31")?;
    let last = edge(tx, max, "9999-12-31")?;
    // The order before the latest: the latest on an earlier day.
    let previous = match &last {
        Some(last) => edge(tx, max, last)?,
        None => None,
    };
    Ok(OrderDates { customer_id: customer.to_string(), first, last, previous })
}
