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

/// A back-dated move changed the value of later moves of a product: `delta` (fen) is the change
/// in the product's stock value beyond the back-dated move's own (negative when the later
/// outgoing moves now take more out of stock).
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

/// Value that crossed between valued stock and one kind of place in a document, summed (fen,
/// positive into stock) per product category and warehouse. The ledger makes one voucher per document from these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValuedFlow {
    pub from_kind: LocationKind,
    pub to_kind: LocationKind,
    pub value: i64,
    /// The products' category as codes from the root (`ALL/RAW/STEEL`), and the code of the
    /// warehouse whose stock changed: what the ledger's posting rules choose accounts by.
    pub category: Option<String>,
    pub warehouse: Option<String>,
}

/// A quantity a document moved for one origin line (a sales or purchase order line), summed
/// per product and direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MovedQuantity {
    pub origin: DocRef,
    pub product_id: String,
    pub from_kind: LocationKind,
    pub to_kind: LocationKind,
    pub quantity: Quantity,
}

/// A stock document was done (receipt, delivery, count…), with the values it moved.
#[derive(Clone, Debug)]
pub struct StockDocumentDone {
    pub picking_id: String,
    pub number: String,
    pub date: time::Date,
    pub partner_id: Option<String>,
    pub origin: Option<DocRef>,
    pub flows: Vec<ValuedFlow>,
    /// What was done for each origin line.
    pub moved: Vec<MovedQuantity>,
}

impl Event for StockDocumentDone {
    const NAME: &'static str = "inventory.document_done";
}
