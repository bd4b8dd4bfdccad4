//! What purchasing tells the ledger glue (listed in `crates/server/src/wiring.rs`).

use kernel::bus::Event;

/// Input VAT of one rate on a bill (minor units of the bill's currency).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputTax {
    pub tax_code: String,
    pub input_account_role: String,
    pub tax: i64,
}

/// A vendor bill or debit note was posted: the ledger clears the receipt's 暂估 accrual, books
/// the price difference, expenses, input VAT and the payable (a debit note in red ink).
#[derive(Clone, Debug)]
pub struct BillPosted {
    pub bill_id: String,
    pub number: String,
    pub debit_note: bool,
    pub date: time::Date,
    pub supplier_id: String,
    pub currency: String,
    /// CNY per unit of `currency`, × 10^8.
    pub rate_e8: i64,
    /// Net amounts of goods and of services (minor units of `currency`).
    pub goods_untaxed: i64,
    pub expense_untaxed: i64,
    /// What the receipts accrued for the goods billed (CNY fen, at the order price).
    pub accrued: i64,
    pub by_tax: Vec<InputTax>,
}

impl Event for BillPosted {
    const NAME: &'static str = "purchasing.bill_posted";
}

/// An approved requisition became purchase orders (production stops counting the planned
/// purchases it was made of as supply).
#[derive(Clone, Debug)]
pub struct RequisitionOrdered {
    pub requisition_id: String,
}

impl Event for RequisitionOrdered {
    const NAME: &'static str = "purchasing.requisition_ordered";
}
