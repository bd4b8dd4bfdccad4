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
