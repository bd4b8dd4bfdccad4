//! What the ledger tells the modules above it (listed in `crates/server/src/wiring.rs`).

use kernel::bus::Event;
use kernel::id::DocRef;

/// Lines of a document's voucher on a receivable or payable account were matched (a payment, a
/// credit note, a manual match): `open` of `amount` (fen, both positive) is still unsettled.
/// Sales and purchasing mark their invoice or bill paid when `open` reaches 0.
#[derive(Clone, Debug)]
pub struct DocumentSettled {
    pub document: DocRef,
    pub amount: i64,
    pub open: i64,
}

impl Event for DocumentSettled {
    const NAME: &'static str = "ledger.document_settled";
}

impl DocumentSettled {
    /// How much of a document of `total` (in its own currency) is settled, in proportion to the
    /// ledger's CNY figures (the ledger counts in CNY, the document in its currency).
    pub fn settled_of(&self, total: i64) -> i64 {
        if self.amount == 0 {
            return 0;
        }
        i64::try_from(i128::from(total) * i128::from(self.amount - self.open) / i128::from(self.amount))
            .unwrap_or(total)
    }
}

/// Initialisation ended: the opening vouchers are posted in the months before `start_period`
/// (the last of them ends on `date`), and the stock accounts open at `stock_accounts` (fen),
/// which the opening stock placed now must be worth.
#[derive(Clone, Debug)]
pub struct InitialisationEnded {
    pub start_period: String,
    pub date: time::Date,
    pub stock_accounts: i64,
}

impl Event for InitialisationEnded {
    const NAME: &'static str = "ledger.initialisation_ended";
}

/// Initialisation was reopened: the opening vouchers are gone, so the opening stock goes too.
#[derive(Clone, Debug)]
pub struct InitialisationReopened {
    pub start_period: String,
    pub date: time::Date,
    pub stock_accounts: i64,
}

impl Event for InitialisationReopened {
    const NAME: &'static str = "ledger.initialisation_reopened";
}
