//! What inventory tells the modules above it (the ledger posts these; sales and purchasing
//! mark their lines delivered or received). Listed in `crates/server/src/wiring.rs`.

use kernel::Quantity;
use kernel::bus::Event;
use kernel::id::DocRef;

use crate::location::LocationKind;

/// A quantity moved between two locations (one done move line), with the value it took into
/// or out of valued stock (fen, CNY; 0 within the company's own locations).
#[derive(Clone, Debug)]
pub struct StockMoved {
    pub line_id: String,
    pub picking_id: String,
    pub product_id: String,
    pub from_kind: LocationKind,
    pub to_kind: LocationKind,
    pub quantity: Quantity,
    /// Positive into valued stock, negative out of it.
    pub value: i64,
    pub date: time::Date,
    pub origin: Option<DocRef>,
}

impl Event for StockMoved {
    const NAME: &'static str = "inventory.stock_moved";
}

/// A back-dated move changed the value of later moves of a product: `delta` (fen) is what the
/// outgoing moves after `date` now take out of stock in addition (negative: less).
#[derive(Clone, Debug)]
pub struct StockRevalued {
    pub product_id: String,
    pub date: time::Date,
    pub delta: i64,
    /// How many later layers changed.
    pub layers: usize,
}

impl Event for StockRevalued {
    const NAME: &'static str = "inventory.stock_revalued";
}
