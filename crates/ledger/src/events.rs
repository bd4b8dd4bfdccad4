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
