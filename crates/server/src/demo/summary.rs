//! What the demo made, counted in the database once the story is told (not from the story's own
//! bookkeeping), for the command's summary line and the first-start page.

use std::collections::BTreeMap;

use kernel::Result;
use kernel::db::Tx;
use serde::Serialize;

use super::{CODE, NAME, Story, iso};

#[derive(Clone, Debug, Serialize)]
pub struct DemoSummary {
    pub company_id: String,
    pub code: String,
    pub name: String,
    /// The first and last day of the history.
    pub from: String,
    pub to: String,
    pub users: i64,
    pub customers: i64,
    pub suppliers: i64,
    pub products: i64,
    pub boms: i64,
    pub warehouses: i64,
    pub lots: i64,
    /// Sales orders and quotations by state (draft, sent, confirmed, done, cancelled).
    pub sales_orders: BTreeMap<String, i64>,
    pub invoices: i64,
    pub invoices_paid: i64,
    pub invoices_part_paid: i64,
    pub invoices_overdue: i64,
    pub purchase_orders: BTreeMap<String, i64>,
    pub bills: i64,
    /// Bills whose three-way match blocks their payment.
    pub bills_blocked: i64,
    pub payments: i64,
    pub work_orders: BTreeMap<String, i64>,
    pub job_reports: i64,
    pub open_nonconformances: i64,
    pub leads: BTreeMap<String, i64>,
    /// Open opportunities by stage, and the won and lost.
    pub opportunities: BTreeMap<String, i64>,
    pub activities: i64,
    pub contracts: i64,
    pub tasks: BTreeMap<String, i64>,
    pub vouchers: i64,
    pub closed_periods: Vec<String>,
    pub bank_lines: usize,
    pub bank_lines_open: usize,
}

fn count(tx: &mut Tx<'_>, company: &str, sql: &str) -> Result<i64> {
    tx.scalar(sql, &[&company])
}

fn by(tx: &mut Tx<'_>, company: &str, sql: &str) -> Result<BTreeMap<String, i64>> {
    tx.query(sql, &[&company])?.iter().map(|r| Ok((r.get(0)?, r.get(1)?))).collect()
}

pub fn count_all(tx: &mut Tx<'_>, story: &Story<'_>) -> Result<DemoSummary> {
    let c = story.company.to_string();
    let c = c.as_str();
    let today = iso(story.today);
    let mut opportunities = by(
        tx,
        c,
        "select s.code, count(*) from crm_opportunity o join crm_stage s on s.id = o.stage_id
         where o.company_id = $1 and o.state = 'open' group by s.code",
    )?;
    opportunities.extend(by(
        tx,
        c,
        "select state, count(*) from crm_opportunity where company_id = $1 and state <> 'open' group by state",
    )?);
    Ok(DemoSummary {
        company_id: c.to_string(),
        code: CODE.into(),
        name: NAME.into(),
        from: iso(story.start),
        to: iso(story.last),
        users: count(tx, c, "select count(*) from kernel_membership where company_id = $1")?,
        customers: count(tx, c, "select count(*) from party_party where company_id = $1 and kind <> 'supplier'")?,
        suppliers: count(tx, c, "select count(*) from party_party where company_id = $1 and kind = 'supplier'")?,
        products: count(tx, c, "select count(*) from product_product where company_id = $1")?,
        boms: count(tx, c, "select count(*) from production_bom where company_id = $1")?,
        warehouses: count(tx, c, "select count(*) from inventory_warehouse where company_id = $1")?,
        lots: count(tx, c, "select count(*) from inventory_lot where company_id = $1")?,
        sales_orders: by(tx, c, "select state, count(*) from sales_order where company_id = $1 group by state")?,
        invoices: count(tx, c, "select count(*) from sales_invoice where company_id = $1 and state <> 'draft'")?,
        invoices_paid: count(tx, c, "select count(*) from sales_invoice where company_id = $1 and state = 'paid'")?,
        invoices_part_paid: count(
            tx,
            c,
            "select count(*) from sales_invoice where company_id = $1 and state = 'posted' and paid > 0 and paid < total",
        )?,
        invoices_overdue: tx.scalar(
            "select count(*) from sales_invoice where company_id = $1 and state = 'posted' and due_date < $2",
            &[&c, &today],
        )?,
        purchase_orders: by(
            tx,
            c,
            "select state, count(*) from purchasing_order where company_id = $1 group by state",
        )?,
        bills: count(tx, c, "select count(*) from purchasing_bill where company_id = $1 and state <> 'draft'")?,
        bills_blocked: count(
            tx,
            c,
            "select count(*) from purchasing_bill where company_id = $1 and match_state = 'blocked'",
        )?,
        payments: count(tx, c, "select count(*) from ledger_payment where company_id = $1")?,
        work_orders: by(
            tx,
            c,
            "select state, count(*) from production_work_order where company_id = $1 group by state",
        )?,
        job_reports: count(tx, c, "select count(*) from production_job_report where company_id = $1")?,
        open_nonconformances: count(
            tx,
            c,
            "select count(*) from production_nonconformance where company_id = $1 and state = 'open'",
        )?,
        leads: by(tx, c, "select state, count(*) from crm_lead where company_id = $1 group by state")?,
        opportunities,
        activities: count(tx, c, "select count(*) from crm_activity where company_id = $1")?,
        contracts: count(tx, c, "select count(*) from crm_contract where company_id = $1")?,
        tasks: by(tx, c, "select stage, count(*) from office_task where company_id = $1 group by stage")?,
        vouchers: count(tx, c, "select count(*) from ledger_voucher where company_id = $1")?,
        closed_periods: story.finance.closed.clone(),
        bank_lines: story.finance.bank_lines,
        bank_lines_open: story.finance.bank_open,
    })
}

fn total(map: &BTreeMap<String, i64>) -> i64 {
    map.values().sum()
}

impl DemoSummary {
    /// The summary in one line each, Chinese and English.
    pub fn lines(&self) -> (String, String) {
        let zh = format!(
            "{}（{}，{} 至 {}）：{} 个客户、{} 家供应商、{} 种物料，{} 张销售单据、{} 张发票（{} 张逾期），\
             {} 张采购订单、{} 张工单、{} 条线索、{} 个商机、{} 份合同、{} 个任务，已结账 {}",
            self.name,
            self.code,
            self.from,
            self.to,
            self.customers,
            self.suppliers,
            self.products,
            total(&self.sales_orders),
            self.invoices,
            self.invoices_overdue,
            total(&self.purchase_orders),
            total(&self.work_orders),
            total(&self.leads),
            total(&self.opportunities),
            self.contracts,
            total(&self.tasks),
            self.closed_periods.join("、"),
        );
        let en = format!(
            "{} ({}, {} to {}): {} customers, {} suppliers, {} items, {} quotations and orders, {} invoices ({} overdue), \
             {} purchase orders, {} work orders, {} leads, {} opportunities, {} contracts, {} tasks; closed {}",
            self.name,
            self.code,
            self.from,
            self.to,
            self.customers,
            self.suppliers,
            self.products,
            total(&self.sales_orders),
            self.invoices,
            self.invoices_overdue,
            total(&self.purchase_orders),
            total(&self.work_orders),
            total(&self.leads),
            total(&self.opportunities),
            self.contracts,
            total(&self.tasks),
            self.closed_periods.join(", "),
        );
        (zh, en)
    }
}
