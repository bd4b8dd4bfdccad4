//! What production tells the modules above it (the ledger, through `wiring.rs`).

use kernel::bus::Event;

/// A job report cost labour, machine time and overhead on a work order (fen): the ledger books
/// 生产成本 against 应付职工薪酬 (labour) and 制造费用 (machine time and overhead applied).
#[derive(Clone, Debug)]
pub struct JobCosted {
    pub work_order_id: String,
    pub number: String,
    pub date: time::Date,
    pub labour: i64,
    pub machine: i64,
    pub overhead: i64,
}

impl Event for JobCosted {
    const NAME: &'static str = "production.job_costed";
}

/// A planned purchase the planner confirmed (quantity scaled 10^4, date YYYY-MM-DD).
#[derive(Clone, Debug)]
pub struct PlannedPurchase {
    pub planned_order_id: String,
    pub product_id: String,
    pub quantity: i64,
    pub needed_by: String,
}

/// Planned purchases were confirmed: purchasing makes a requisition of them (wiring.rs) and
/// reports it back with `mrp::requisition_made`.
#[derive(Clone, Debug)]
pub struct PurchasesPlanned {
    pub lines: Vec<PlannedPurchase>,
}

impl Event for PurchasesPlanned {
    const NAME: &'static str = "production.purchases_planned";
}

/// A closed work order's work in progress left over (fen; negative when the goods received
/// were valued above what it cost): the ledger moves it from 生产成本 to cost of sales.
#[derive(Clone, Debug)]
pub struct WorkOrderSettled {
    pub work_order_id: String,
    pub number: String,
    pub date: time::Date,
    pub amount: i64,
}

impl Event for WorkOrderSettled {
    const NAME: &'static str = "production.work_order_settled";
}
