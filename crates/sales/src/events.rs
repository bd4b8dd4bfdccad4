//! What sales tells the modules above it and the ledger glue (listed in
//! `crates/server/src/wiring.rs`).

use kernel::bus::Event;

/// A quotation became a sales order (CRM marks its opportunity won).
#[derive(Clone, Debug)]
pub struct OrderConfirmed {
    pub order_id: String,
    pub number: String,
    pub customer_id: String,
    pub salesperson_id: Option<String>,
    /// Minor units of `currency`.
    pub total: i64,
    pub currency: String,
}

impl Event for OrderConfirmed {
    const NAME: &'static str = "sales.order_confirmed";
}

/// Amounts of one VAT rate on an invoice (minor units of the invoice's currency).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxAmounts {
    pub tax_code: String,
    pub output_account_role: String,
    pub untaxed: i64,
    pub tax: i64,
}

/// An invoice or credit note was posted: the ledger books the receivable, revenue and output
/// VAT (a credit note in red ink).
#[derive(Clone, Debug)]
pub struct InvoicePosted {
    pub invoice_id: String,
    pub number: String,
    pub credit_note: bool,
    pub date: time::Date,
    pub customer_id: String,
    pub currency: String,
    /// CNY per unit of `currency`, scaled by 10^8 (10^8 for CNY).
    pub rate_e8: i64,
    pub total: i64,
    pub by_tax: Vec<TaxAmounts>,
}

impl Event for InvoicePosted {
    const NAME: &'static str = "sales.invoice_posted";
}
