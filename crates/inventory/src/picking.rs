//! Stock documents (pickings): receipts, deliveries, internal transfers, scrap, counts, and
//! transfers between warehouses through transit. Each asks for moves (a product and a quantity
//! between two locations); reservation turns them into move lines per source location and lot;
//! validation does the lines (partial processing leaves a backorder with the rest).
//!
//! States: draft → waiting → ready (everything reserved) → done, or cancelled. The table of
//! `PickingState::allows` is the whole lifecycle; the UI's buttons and the API follow it.

use std::collections::HashMap;

use kernel::db::{Row, Tx};
use kernel::id::DocRef;
use kernel::listing::{Filter, ListPage, ListQuery, ListSpec, col};
use kernel::sequence::{DocType, next_number};
use kernel::{Ctx, Error, Quantity, Result, UnitPrice, audit};
use serde::{Deserialize, Serialize};

use crate::location::{
    Location, LocationId, LocationKind, default_stock_location, get_location, location_by_path, virtual_location,
};
use crate::lot::{Tracking, lot_for};
use crate::permissions::{STOCK_MOVE, STOCK_READ};
use crate::stock::{self, DoneLine, ProductInfo, product_info};

kernel::define_id!(
    /// A stock document.
    PickingId
);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PickingKind {
    Receipt,
    Delivery,
    Internal,
    Scrap,
    Count,
    /// Out of a warehouse into transit; its arrival is a `transit_in` made when it is done.
    TransitOut,
    TransitIn,
}

impl PickingKind {
    pub const ALL: [PickingKind; 7] = [
        PickingKind::Receipt,
        PickingKind::Delivery,
        PickingKind::Internal,
        PickingKind::Scrap,
        PickingKind::Count,
        PickingKind::TransitOut,
        PickingKind::TransitIn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PickingKind::Receipt => "receipt",
            PickingKind::Delivery => "delivery",
            PickingKind::Internal => "internal",
            PickingKind::Scrap => "scrap",
            PickingKind::Count => "count",
            PickingKind::TransitOut => "transit_out",
            PickingKind::TransitIn => "transit_in",
        }
    }

    pub fn parse(code: &str) -> Option<PickingKind> {
        PickingKind::ALL.into_iter().find(|k| k.code() == code)
    }

    fn numbers(self) -> DocType {
        let (code, prefix) = match self {
            PickingKind::Receipt => ("inventory.receipt", "IN"),
            PickingKind::Delivery => ("inventory.delivery", "OUT"),
            PickingKind::Internal => ("inventory.internal", "INT"),
            PickingKind::Scrap => ("inventory.scrap", "SCR"),
            PickingKind::Count => ("inventory.count", "CNT"),
            PickingKind::TransitOut => ("inventory.transit_out", "TRO"),
            PickingKind::TransitIn => ("inventory.transit_in", "TRI"),
        };
        DocType { code, prefix }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PickingState {
    Draft,
    Waiting,
    Ready,
    Done,
    Cancelled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PickingAction {
    Confirm,
    Reserve,
    Unreserve,
    Validate,
    Cancel,
}

impl PickingState {
    pub const ALL: [PickingState; 5] =
        [PickingState::Draft, PickingState::Waiting, PickingState::Ready, PickingState::Done, PickingState::Cancelled];

    pub fn code(self) -> &'static str {
        match self {
            PickingState::Draft => "draft",
            PickingState::Waiting => "waiting",
            PickingState::Ready => "ready",
            PickingState::Done => "done",
            PickingState::Cancelled => "cancelled",
        }
    }

    pub fn parse(code: &str) -> Option<PickingState> {
        PickingState::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The whole lifecycle: which actions each state allows. Anything else is refused.
    pub fn allows(self, action: PickingAction) -> bool {
        use PickingAction::*;
        match self {
            PickingState::Draft => matches!(action, Confirm | Validate | Cancel),
            PickingState::Waiting => matches!(action, Reserve | Unreserve | Validate | Cancel),
            PickingState::Ready => matches!(action, Unreserve | Validate | Cancel),
            PickingState::Done | PickingState::Cancelled => false,
        }
    }

    pub fn actions(self) -> Vec<PickingAction> {
        use PickingAction::*;
        [Confirm, Reserve, Unreserve, Validate, Cancel].into_iter().filter(|a| self.allows(*a)).collect()
    }
}

/// One line of a new document.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    /// Product id or code.
    pub product: String,
    /// Decimal quantity in the product's unit.
    pub quantity: String,
    /// A lot or serial code: received under it, or (out of stock) the one asked for.
    pub lot: Option<String>,
    pub expiry_date: Option<String>,
    /// Receipts: the unit cost (CNY, excluding VAT) the goods enter stock at.
    pub unit_cost: Option<String>,
    /// The document line this move serves (`sales.order_line`, `purchasing.order_line`); by
    /// default the picking's origin.
    #[serde(default, skip)]
    pub origin: Option<DocRef>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "delivery", "from": "WH/STOCK", "lines": [{"product": "TEA-001", "quantity": "2"}],
    "origin_kind": "sales.order", "origin_id": "SO-2026-0001"}))]
pub struct PickingInput {
    pub kind: Option<PickingKind>,
    /// Location path; the default depends on the kind (receipts come from SUPPLIER into the
    /// first warehouse's stock, deliveries go from there to CUSTOMER).
    pub from: Option<String>,
    pub to: Option<String>,
    pub partner_id: Option<String>,
    pub origin_kind: Option<String>,
    pub origin_id: Option<String>,
    pub scheduled_date: Option<String>,
    #[serde(default)]
    pub note: String,
    pub lines: Vec<MoveInput>,
    /// Confirm and reserve at once; with `strict`, fail (writing nothing) unless everything
    /// can be reserved.
    #[serde(default)]
    pub confirm: bool,
    #[serde(default)]
    pub strict: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MoveLineView {
    pub id: String,
    pub from: String,
    pub to: String,
    pub lot: Option<String>,
    pub quantity: String,
    pub state: String,
    /// Signed value in CNY (into valued stock +, out −).
    pub value: String,
    pub date: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MoveView {
    pub id: String,
    pub product_id: String,
    pub product_code: String,
    pub product_name: String,
    pub quantity: String,
    pub reserved: String,
    pub done: String,
    pub lot: Option<String>,
    pub state: PickingState,
    pub lines: Vec<MoveLineView>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Picking {
    #[schema(value_type = String)]
    pub id: PickingId,
    pub number: String,
    pub kind: PickingKind,
    pub state: PickingState,
    pub from: String,
    pub to: String,
    pub final_location: Option<String>,
    pub partner_id: Option<String>,
    pub origin: Option<DocRef>,
    pub backorder_of: Option<String>,
    pub scheduled_date: String,
    pub done_date: Option<String>,
    pub note: String,
    pub version: i64,
    pub moves: Vec<MoveView>,
    pub actions: Vec<PickingAction>,
}

/// Quantities done on validation; without them, everything is done.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"lines": [{"move_id": "0193…", "quantity": "3", "lot": "L2026-11"}], "date": "2026-11-27"}))]
pub struct ValidateInput {
    pub lines: Option<Vec<Processed>>,
    /// The effective date (may be in the past); today by default.
    pub date: Option<String>,
    /// Leave the rest in a backorder (default) or cancel it.
    #[serde(default = "yes")]
    pub backorder: bool,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Processed {
    pub move_id: String,
    pub quantity: String,
    pub lot: Option<String>,
    pub expiry_date: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Validated {
    pub picking: Picking,
    pub backorder: Option<Picking>,
    /// A transfer out to transit: its arrival.
    pub arrival: Option<Picking>,
}

/// A picking by its number.
pub static PICKING_SEARCH: kernel::search::SearchIndex = kernel::search::SearchIndex {
    kind: "inventory.picking",
    source: "select p.id, p.company_id, p.number from inventory_picking p",
    id: "p.id",
};

pub const PICKING_LIST: ListSpec = ListSpec {
    from: "inventory_picking p join inventory_location f on f.id = p.from_location_id join inventory_location t on t.id = p.to_location_id",
    id: "p.id",
    company: "p.company_id",
    columns: &[
        col("number", "p.number", true, Filter::Prefix),
        col("kind", "p.kind", true, Filter::Equals),
        col("state", "p.state", true, Filter::Equals),
        col("from", "f.path", false, Filter::Prefix),
        col("to", "t.path", false, Filter::Prefix),
        col("scheduled_date", "p.scheduled_date", true, Filter::Range),
        col("origin", "coalesce(p.origin_id, '')", false, Filter::Equals),
        // Still to be done (waiting for goods or ready), and expected before the given day.
        col("open", "case when p.state in ('waiting', 'ready') then 'yes' else 'no' end", false, Filter::Equals),
        col("scheduled_before", "p.scheduled_date", false, Filter::Before),
    ],
    search: &["p.number", "coalesce(p.origin_id, '')"],
    index: Some(&PICKING_SEARCH),
    default_sort: "scheduled_date",
    default_desc: true,
};

pub fn list_pickings(tx: &mut Tx<'_>, ctx: &Ctx, query: &ListQuery) -> Result<ListPage> {
    ctx.require(STOCK_READ)?;
    PICKING_LIST.fetch(tx, ctx, query, None)
}

fn parse_quantity(text: &str, field: &str) -> Result<Quantity> {
    let quantity: Quantity =
        text.trim().parse().map_err(|_| Error::field(field.to_string(), "inventory.quantity_invalid"))?;
    if quantity.scaled() <= 0 {
        return Err(Error::field(field.to_string(), "inventory.quantity_invalid"));
    }
    Ok(quantity)
}

fn parse_date(text: Option<&str>, field: &str, ctx: &Ctx) -> Result<time::Date> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => {
            kernel::clock::parse_date(text).map_err(|_| Error::field(field.to_string(), "inventory.date_invalid"))
        }
        None => Ok(ctx.today()),
    }
}

/// The default source and destination of a kind of document.
fn default_ends(tx: &mut Tx<'_>, ctx: &Ctx, kind: PickingKind) -> Result<(Location, Location)> {
    Ok(match kind {
        PickingKind::Receipt => (virtual_location(tx, ctx, LocationKind::Supplier)?, default_stock_location(tx, ctx)?),
        PickingKind::Delivery => (default_stock_location(tx, ctx)?, virtual_location(tx, ctx, LocationKind::Customer)?),
        PickingKind::Scrap => (default_stock_location(tx, ctx)?, virtual_location(tx, ctx, LocationKind::Scrap)?),
        PickingKind::TransitOut => {
            (default_stock_location(tx, ctx)?, virtual_location(tx, ctx, LocationKind::Transit)?)
        }
        PickingKind::TransitIn => (virtual_location(tx, ctx, LocationKind::Transit)?, default_stock_location(tx, ctx)?),
        PickingKind::Internal | PickingKind::Count => {
            let stock = default_stock_location(tx, ctx)?;
            (stock.clone(), stock)
        }
    })
}

fn resolve(tx: &mut Tx<'_>, ctx: &Ctx, path: Option<&str>, fallback: Location, field: &str) -> Result<Location> {
    match path.map(str::trim).filter(|p| !p.is_empty()) {
        Some(path) => location_by_path(tx, ctx, path)
            .map_err(|_| Error::field(field.to_string(), "inventory.location_unknown").with_param("path", path)),
        None => Ok(fallback),
    }
}

/// Creates a document in draft (and, asked, confirms and reserves it).
///
/// Returns the document's id, without reading it back.
pub fn open_picking(tx: &mut Tx<'_>, ctx: &Ctx, input: &PickingInput) -> Result<PickingId> {
    ctx.require(STOCK_MOVE)?;
    let kind = input.kind.unwrap_or(PickingKind::Internal);
    if kind == PickingKind::Count {
        return Err(Error::field("kind", "inventory.count_has_own_form"));
    }
    let (default_from, default_to) = default_ends(tx, ctx, kind)?;
    let from = resolve(tx, ctx, input.from.as_deref(), default_from, "from")?;
    let (to, final_location) = if kind == PickingKind::TransitOut {
        // `to` is where the goods finally go; they travel through transit.
        let target = resolve(tx, ctx, input.to.as_deref(), default_to.clone(), "to")?;
        if target.kind != LocationKind::Internal || target.warehouse_id == from.warehouse_id {
            return Err(Error::field("to", "inventory.transit_target_invalid"));
        }
        (virtual_location(tx, ctx, LocationKind::Transit)?, Some(target))
    } else {
        (resolve(tx, ctx, input.to.as_deref(), default_to, "to")?, None)
    };
    if from.id == to.id && kind != PickingKind::Count {
        return Err(Error::field("to", "inventory.same_location"));
    }
    if from.kind == LocationKind::View || to.kind == LocationKind::View {
        return Err(Error::field("from", "inventory.view_location"));
    }
    if input.lines.is_empty() {
        return Err(Error::field("lines", "inventory.no_lines"));
    }
    let scheduled = parse_date(input.scheduled_date.as_deref(), "scheduled_date", ctx)?;
    let origin = match (&input.origin_kind, &input.origin_id) {
        (Some(kind), Some(id)) if !kind.trim().is_empty() => Some(DocRef::new(kind.trim(), id.trim())),
        _ => None,
    };
    let id = PickingId::new();
    let number = next_number(tx, ctx, kind.numbers(), scheduled, &DocRef::new("inventory.picking", id))?;
    let now = ctx.now_text();
    tx.execute(
        "insert into inventory_picking (id, company_id, number, kind, state, from_location_id, to_location_id, final_location_id,
             partner_id, origin_kind, origin_id, scheduled_date, note, created_at, created_by, updated_at)
         values ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $13)",
        &[
            &id,
            &ctx.company(),
            &number,
            &kind.code(),
            &from.id,
            &to.id,
            &final_location.as_ref().map(|l| l.id),
            &input.partner_id,
            &origin.as_ref().map(|o| o.kind.clone()),
            &origin.as_ref().map(|o| o.id.clone()),
            &kernel::clock::format_date(scheduled),
            &input.note,
            &now,
            &ctx.actor().label(),
        ],
    )?;
    let mut problems = Error::invalid("validation.failed");
    for (i, line) in input.lines.iter().enumerate() {
        if let Err(error) = add_move(tx, ctx, id, &from, &to, line, line.origin.as_ref().or(origin.as_ref())) {
            if error.fields().is_empty() {
                return Err(error);
            }
            for field in error.fields() {
                problems = problems.with_field(format!("lines[{i}].{}", field.field), field.code);
            }
        }
    }
    if !problems.fields().is_empty() {
        return Err(problems);
    }
    audit::record(
        tx,
        ctx,
        "inventory.picking.create",
        "inventory.picking",
        &id,
        serde_json::json!({"number": number, "kind": kind.code()}),
    )?;
    if input.confirm || input.strict {
        confirm_only(tx, ctx, id, input.strict)?;
    }
    Ok(id)
}

/// `open_picking`, answered with the document.
pub fn create_picking(tx: &mut Tx<'_>, ctx: &Ctx, input: &PickingInput) -> Result<Picking> {
    let id = open_picking(tx, ctx, input)?;
    get_picking(tx, ctx, id)
}

fn add_move(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    picking: PickingId,
    from: &Location,
    to: &Location,
    line: &MoveInput,
    origin: Option<&DocRef>,
) -> Result<()> {
    let product = product_info(tx, ctx, &line.product)?;
    if !product.stockable {
        return Err(Error::field("product", "inventory.product_not_stockable"));
    }
    let quantity = parse_quantity(&line.quantity, "quantity")?;
    let unit_cost = match line.unit_cost.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(text) => Some(
            text.parse::<UnitPrice>()
                .ok()
                .filter(|c| c.scaled() >= 0)
                .ok_or_else(|| Error::field("unit_cost", "inventory.unit_cost_invalid"))?,
        ),
        None => None,
    };
    let lot = match line.lot.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        Some(code) if product.tracking != Tracking::None => {
            lot_for(tx, ctx, &product.id, code, line.expiry_date.as_deref())?.to_string()
        }
        Some(_) => return Err(Error::field("lot", "inventory.product_not_tracked")),
        None => String::new(),
    };
    tx.execute(
        "insert into inventory_move (id, company_id, picking_id, product_id, from_location_id, to_location_id, lot_id, quantity,
             unit_cost, state, origin_kind, origin_id, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', $10, $11, $12)",
        &[
            &kernel::id::Uuid::now_v7(),
            &ctx.company(),
            &picking,
            &product.id,
            &from.id,
            &to.id,
            &lot,
            &quantity,
            &unit_cost,
            &origin.map(|o| o.kind.clone()),
            &origin.map(|o| o.id.clone()),
            &ctx.now_text(),
        ],
    )?;
    Ok(())
}

/// The values a document moves, summed by kind of place, and the quantities per origin line,
/// for `StockDocumentDone`.
#[derive(Default)]
pub(crate) struct Flows(Vec<crate::events::ValuedFlow>, Vec<crate::events::MovedQuantity>);

impl Flows {
    /// Value between `from` and `to` of a product in `category`, in stock of `warehouse`.
    pub(crate) fn add(
        &mut self,
        (from, to): (LocationKind, LocationKind),
        value: i64,
        category: &Option<String>,
        warehouse: &Option<String>,
    ) {
        if value == 0 {
            return;
        }
        let same = |f: &&mut crate::events::ValuedFlow| {
            f.from_kind == from && f.to_kind == to && &f.category == category && &f.warehouse == warehouse
        };
        match self.0.iter_mut().find(same) {
            Some(flow) => flow.value += value,
            None => self.0.push(crate::events::ValuedFlow {
                from_kind: from,
                to_kind: to,
                value,
                category: category.clone(),
                warehouse: warehouse.clone(),
            }),
        }
    }

    /// A quantity done for a document line (an order line), told to the module that owns it.
    pub(crate) fn moved(
        &mut self,
        origin: Option<&DocRef>,
        product_id: &str,
        from: LocationKind,
        to: LocationKind,
        quantity: Quantity,
    ) {
        let Some(origin) = origin else { return };
        match self
            .1
            .iter_mut()
            .find(|m| &m.origin == origin && m.from_kind == from && m.to_kind == to && m.product_id == product_id)
        {
            Some(m) => m.quantity = Quantity::from_scaled(m.quantity.scaled() + quantity.scaled()),
            None => self.1.push(crate::events::MovedQuantity {
                origin: origin.clone(),
                product_id: product_id.to_string(),
                from_kind: from,
                to_kind: to,
                quantity,
            }),
        }
    }

    /// Tells the modules above that the document is done, with what it moved.
    pub(crate) fn publish(self, tx: &mut Tx<'_>, ctx: &Ctx, id: PickingId, date: time::Date) -> Result<()> {
        let row = tx.query_one(
            "select number, partner_id, origin_kind, origin_id from inventory_picking where id = $1",
            &[&id],
        )?;
        let origin = match (row.get::<Option<String>>(2)?, row.get::<Option<String>>(3)?) {
            (Some(kind), Some(id)) => Some(DocRef { kind, id }),
            _ => None,
        };
        tx.publish(
            ctx,
            &crate::events::StockDocumentDone {
                picking_id: id.to_string(),
                number: row.get(0)?,
                date,
                partner_id: row.get(1)?,
                origin,
                flows: self.0,
                moved: self.1,
            },
        )
    }
}

/// Products and locations already read in this operation: a document names the same few
/// again and again.
#[derive(Default)]
struct Known {
    products: HashMap<String, ProductInfo>,
    locations: HashMap<LocationId, Location>,
    warehouses: HashMap<String, String>,
}

impl Known {
    fn product(&mut self, tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<ProductInfo> {
        if let Some(product) = self.products.get(id) {
            return Ok(product.clone());
        }
        let product = product_info(tx, ctx, id)?;
        self.products.insert(id.to_string(), product.clone());
        Ok(product)
    }

    fn warehouse_code(&mut self, tx: &mut Tx<'_>, ctx: &Ctx, location: &Location) -> Result<Option<String>> {
        let Some(id) = &location.warehouse_id else { return Ok(None) };
        if let Some(code) = self.warehouses.get(id) {
            return Ok(Some(code.clone()));
        }
        let code = crate::location::warehouse_code(tx, ctx, id)?;
        if let Some(code) = &code {
            self.warehouses.insert(id.clone(), code.clone());
        }
        Ok(code)
    }

    fn location(&mut self, tx: &mut Tx<'_>, ctx: &Ctx, id: LocationId) -> Result<Location> {
        if let Some(location) = self.locations.get(&id) {
            return Ok(location.clone());
        }
        let location = get_location(tx, ctx, id)?;
        self.locations.insert(id, location.clone());
        Ok(location)
    }
}

/// A line made for doing: its id, quantity, lot, whether it was reserved, its source, and
/// whether it is already stored done.
type LineToDo = (String, i64, String, bool, LocationId, bool);

/// A move as the services handle it.
#[derive(Clone, Debug)]
struct MoveRow {
    id: String,
    product: String,
    from: LocationId,
    to: LocationId,
    lot: String,
    quantity: i64,
    unit_cost: Option<UnitPrice>,
    state: PickingState,
    origin: Option<DocRef>,
}

fn moves_of(tx: &mut Tx<'_>, picking: PickingId) -> Result<Vec<MoveRow>> {
    tx.query(
        "select id, product_id, from_location_id, to_location_id, lot_id, quantity, unit_cost, state, origin_kind, origin_id
         from inventory_move where picking_id = $1 order by id",
        &[&picking],
    )?
    .iter()
    .map(|r| {
        let origin = match (r.get::<Option<String>>(8)?, r.get::<Option<String>>(9)?) {
            (Some(kind), Some(id)) => Some(DocRef { kind, id }),
            _ => None,
        };
        Ok(MoveRow {
            id: r.get(0)?,
            product: r.get(1)?,
            from: r.get(2)?,
            to: r.get(3)?,
            lot: r.get(4)?,
            quantity: r.get(5)?,
            unit_cost: r.get::<Option<i64>>(6)?.map(UnitPrice::from_scaled),
            state: PickingState::parse(&r.get::<String>(7)?).unwrap_or(PickingState::Draft),
            origin,
        })
    })
    .collect()
}

struct Header {
    kind: PickingKind,
    state: PickingState,
    version: i64,
}

fn header(tx: &mut Tx<'_>, ctx: &Ctx, id: PickingId) -> Result<Header> {
    let row = tx
        .query_opt(
            "select kind, state, version from inventory_picking where company_id = $1 and id = $2",
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("inventory.picking_not_found"))?;
    Ok(Header {
        kind: PickingKind::parse(&row.get::<String>(0)?).unwrap_or(PickingKind::Internal),
        state: PickingState::parse(&row.get::<String>(1)?).unwrap_or(PickingState::Draft),
        version: row.get(2)?,
    })
}

fn guard(header: &Header, action: PickingAction) -> Result<()> {
    if header.state.allows(action) {
        Ok(())
    } else {
        Err(Error::conflict("inventory.action_not_allowed")
            .with_param("state", header.state.code())
            .with_param("action", format!("{action:?}").to_lowercase()))
    }
}

/// Moves the document from `from` to `to`; zero rows changed means someone else moved it first.
fn set_state(tx: &mut Tx<'_>, ctx: &Ctx, id: PickingId, from: &Header, to: PickingState) -> Result<()> {
    let changed = tx.execute(
        "update inventory_picking set state = $1, version = version + 1, updated_at = $2
         where company_id = $3 and id = $4 and state = $5 and version = $6",
        &[&to.code(), &ctx.now_text(), &ctx.company(), &id, &from.state.code(), &from.version],
    )?;
    if changed == 0 {
        return Err(Error::conflict("inventory.picking_changed"));
    }
    Ok(())
}

fn reserved_of(tx: &mut Tx<'_>, move_id: &str) -> Result<i64> {
    tx.scalar(
        "select coalesce(sum(quantity), 0) from inventory_move_line where move_id = $1 and state = 'reserved'",
        &[&move_id],
    )
}

/// Reserves what is available of a move (FEFO over its source's subtree); with `strict`, all
/// of it or an `inventory.insufficient_stock` error. Returns whether the move is fully reserved.
fn reserve_move(tx: &mut Tx<'_>, ctx: &Ctx, known: &mut Known, mv: &MoveRow, strict: bool) -> Result<bool> {
    let from = known.location(tx, ctx, mv.from)?;
    if !from.kind.is_valued() {
        return Ok(true);
    }
    // A move just confirmed has no lines yet.
    let reserved = if mv.state == PickingState::Draft { 0 } else { reserved_of(tx, &mv.id)? };
    let mut need = mv.quantity - reserved;
    if need <= 0 {
        return Ok(true);
    }
    for candidate in stock::available_under(tx, ctx, &mv.product, &from, &mv.lot)? {
        let mut take = need.min(candidate.available);
        while take > 0 {
            if stock::reserve_quant(tx, ctx, &mv.product, candidate.location, &candidate.lot, take)? {
                tx.execute(
                    "insert into inventory_move_line (id, company_id, move_id, product_id, from_location_id, to_location_id, lot_id,
                         quantity, state, origin_kind, origin_id, created_at)
                     values ($1, $2, $3, $4, $5, $6, $7, $8, 'reserved', $9, $10, $11)",
                    &[
                        &kernel::id::Uuid::now_v7(),
                        &ctx.company(),
                        &mv.id,
                        &mv.product,
                        &candidate.location,
                        &mv.to,
                        &candidate.lot,
                        &take,
                        &mv.origin.as_ref().map(|o| o.kind.clone()),
                        &mv.origin.as_ref().map(|o| o.id.clone()),
                        &ctx.now_text(),
                    ],
                )?;
                need -= take;
                break;
            }
            // Someone reserved part of it meanwhile: take what is left now.
            let left: i64 = tx.scalar(
                "select coalesce(max(quantity - reserved), 0) from inventory_quant
                 where company_id = $1 and product_id = $2 and location_id = $3 and lot_id = $4",
                &[&ctx.company(), &mv.product, &candidate.location, &candidate.lot],
            )?;
            take = need.min(left);
        }
        if need == 0 {
            break;
        }
    }
    if need > 0 && strict {
        let product = known.product(tx, ctx, &mv.product)?;
        return Err(stock::insufficient(&product.code, &from.path));
    }
    Ok(need <= 0)
}

fn set_move_state(tx: &mut Tx<'_>, move_id: &str, state: PickingState) -> Result<()> {
    tx.execute("update inventory_move set state = $1 where id = $2", &[&state.code(), &move_id])?;
    Ok(())
}

/// Reserves every open move; the document is ready when all are.
fn reserve_all(tx: &mut Tx<'_>, ctx: &Ctx, id: PickingId, strict: bool) -> Result<PickingState> {
    let mut known = Known::default();
    let mut short = Vec::new();
    for mv in moves_of(tx, id)?
        .into_iter()
        .filter(|m| matches!(m.state, PickingState::Draft | PickingState::Waiting | PickingState::Ready))
    {
        if !reserve_move(tx, ctx, &mut known, &mv, strict)? {
            short.push(mv.id);
        }
    }
    // Open moves are ready, except those still short of stock.
    tx.execute(
        "update inventory_move set state = 'ready' where picking_id = $1 and state in ('draft', 'waiting', 'ready')",
        &[&id],
    )?;
    for move_id in &short {
        set_move_state(tx, move_id, PickingState::Waiting)?;
    }
    Ok(if short.is_empty() { PickingState::Ready } else { PickingState::Waiting })
}

/// Draft → waiting, then reserves what it can (ready when everything is reserved).
///
/// Reads nothing back (see `confirm` for the answer).
pub fn confirm_only(tx: &mut Tx<'_>, ctx: &Ctx, id: PickingId, strict: bool) -> Result<()> {
    ctx.require(STOCK_MOVE)?;
    let current = header(tx, ctx, id)?;
    guard(&current, PickingAction::Confirm)?;
    set_state(tx, ctx, id, &current, PickingState::Waiting)?;
    let state = reserve_all(tx, ctx, id, strict)?;
    if state == PickingState::Ready {
        let now = header(tx, ctx, id)?;
        set_state(tx, ctx, id, &now, PickingState::Ready)?;
    }
    audit::record(
        tx,
        ctx,
        "inventory.picking.confirm",
        "inventory.picking",
        &id,
        serde_json::json!({"state": state.code()}),
    )?;
    Ok(())
}

/// `confirm_only`, answered with the document.
pub fn confirm(tx: &mut Tx<'_>, ctx: &Ctx, id: PickingId, strict: bool) -> Result<Picking> {
    confirm_only(tx, ctx, id, strict)?;
    get_picking(tx, ctx, id)
}

/// Checks availability again (waiting → ready when everything is reserved now).
pub fn reserve(tx: &mut Tx<'_>, ctx: &Ctx, id: PickingId, strict: bool) -> Result<Picking> {
    ctx.require(STOCK_MOVE)?;
    let current = header(tx, ctx, id)?;
    guard(&current, PickingAction::Reserve)?;
    if reserve_all(tx, ctx, id, strict)? == PickingState::Ready {
        set_state(tx, ctx, id, &current, PickingState::Ready)?;
    }
    get_picking(tx, ctx, id)
}

/// Gives back every reservation of a document's open moves.
fn release(tx: &mut Tx<'_>, ctx: &Ctx, id: PickingId) -> Result<()> {
    let lines = tx.query(
        "select l.id, l.product_id, l.from_location_id, l.lot_id, l.quantity from inventory_move_line l
         join inventory_move m on m.id = l.move_id where m.picking_id = $1 and l.state = 'reserved'",
        &[&id],
    )?;
    for line in lines {
        let line_id: String = line.get(0)?;
        let from = get_location(tx, ctx, line.get(2)?)?;
        if from.kind.is_valued() {
            stock::unreserve_quant(tx, ctx, &line.get::<String>(1)?, from.id, &line.get::<String>(3)?, line.get(4)?)?;
        }
        tx.execute("delete from inventory_move_line where id = $1", &[&line_id])?;
    }
    Ok(())
}

pub fn unreserve(tx: &mut Tx<'_>, ctx: &Ctx, id: PickingId) -> Result<Picking> {
    ctx.require(STOCK_MOVE)?;
    let current = header(tx, ctx, id)?;
    guard(&current, PickingAction::Unreserve)?;
    release(tx, ctx, id)?;
    tx.execute(
        "update inventory_move set state = 'waiting' where picking_id = $1 and state in ('draft', 'waiting', 'ready')",
        &[&id],
    )?;
    set_state(tx, ctx, id, &current, PickingState::Waiting)?;
    get_picking(tx, ctx, id)
}

pub fn cancel(tx: &mut Tx<'_>, ctx: &Ctx, id: PickingId) -> Result<Picking> {
    ctx.require(STOCK_MOVE)?;
    let current = header(tx, ctx, id)?;
    guard(&current, PickingAction::Cancel)?;
    release(tx, ctx, id)?;
    tx.execute("update inventory_move set state = 'cancelled' where picking_id = $1", &[&id])?;
    set_state(tx, ctx, id, &current, PickingState::Cancelled)?;
    audit::record(tx, ctx, "inventory.picking.cancel", "inventory.picking", &id, serde_json::json!({}))?;
    get_picking(tx, ctx, id)
}

/// A quantity to do of a move, under a lot (code) or none.
struct Portion {
    quantity: i64,
    lot_code: Option<String>,
    expiry: Option<String>,
}

fn portions(mv: &MoveRow, input: &ValidateInput) -> Result<Vec<Portion>> {
    match &input.lines {
        None => Ok(vec![Portion { quantity: mv.quantity, lot_code: None, expiry: None }]),
        Some(lines) => lines
            .iter()
            .enumerate()
            .filter(|(_, p)| p.move_id == mv.id)
            .map(|(i, p)| {
                Ok(Portion {
                    quantity: parse_quantity(&p.quantity, &format!("lines[{i}].quantity"))?.scaled(),
                    lot_code: p.lot.clone().filter(|l| !l.trim().is_empty()),
                    expiry: p.expiry_date.clone(),
                })
            })
            .collect(),
    }
}

/// Does the processed quantities: lines posted (quants, valuation, events), the rest in a
/// backorder; a transfer out to transit makes its arrival.
pub fn validate(tx: &mut Tx<'_>, ctx: &Ctx, id: PickingId, input: &ValidateInput) -> Result<Validated> {
    let done = validate_only(tx, ctx, id, input)?;
    validated_view(tx, ctx, done)
}

/// The documents a validation touched: the one done, and its backorder and arrival if any.
#[derive(Clone, Copy, Debug)]
pub struct ValidatedIds {
    pub picking: PickingId,
    pub backorder: Option<PickingId>,
    pub arrival: Option<PickingId>,
}

/// The views of the documents a validation touched (read after it, possibly after its commit).
pub fn validated_view(tx: &mut Tx<'_>, ctx: &Ctx, done: ValidatedIds) -> Result<Validated> {
    Ok(Validated {
        picking: get_picking(tx, ctx, done.picking)?,
        backorder: done.backorder.map(|id| get_picking(tx, ctx, id)).transpose()?,
        arrival: done.arrival.map(|id| get_picking(tx, ctx, id)).transpose()?,
    })
}

/// `validate` without building the answer: the ids of what it touched.
pub fn validate_only(tx: &mut Tx<'_>, ctx: &Ctx, id: PickingId, input: &ValidateInput) -> Result<ValidatedIds> {
    // The answer is the documents' view: whoever cannot read it is refused before anything is
    // written, as when the view was read inside the transaction.
    ctx.require(STOCK_READ)?;
    let current = header(tx, ctx, id)?;
    if current.kind == PickingKind::Count {
        // Counts need the count permission (checked there), not the one to move stock.
        guard(&current, PickingAction::Validate)?;
        crate::count::validate_count(tx, ctx, id, input.date.as_deref())?;
        return Ok(ValidatedIds { picking: id, backorder: None, arrival: None });
    }
    ctx.require(STOCK_MOVE)?;
    guard(&current, PickingAction::Validate)?;
    let date = parse_date(input.date.as_deref(), "date", ctx)?;
    let day = kernel::clock::format_date(date);
    if let Some(lines) = &input.lines {
        let moves: Vec<String> = moves_of(tx, id)?.into_iter().map(|m| m.id).collect();
        if let Some(i) = lines.iter().position(|l| !moves.contains(&l.move_id)) {
            return Err(Error::field(format!("lines[{i}].move_id"), "inventory.move_unknown"));
        }
    }
    let mut rest: Vec<(MoveRow, i64)> = Vec::new();
    let mut done_lines: Vec<(String, String)> = Vec::new();
    let mut known = Known::default();
    let mut flows = Flows::default();
    for mv in moves_of(tx, id)?.into_iter().filter(|m| !matches!(m.state, PickingState::Done | PickingState::Cancelled))
    {
        let product = known.product(tx, ctx, &mv.product)?;
        let portions = portions(&mv, input)?;
        let total: i64 = portions.iter().map(|p| p.quantity).sum();
        if total > mv.quantity {
            return Err(Error::field("lines", "inventory.processed_too_much").with_param("product", &product.code));
        }
        let from = known.location(tx, ctx, mv.from)?;
        let to = known.location(tx, ctx, mv.to)?;
        let lines = if from.kind.is_valued() {
            take_from_stock(tx, ctx, &mv, &product, &from, &portions, &day)?
        } else {
            receive(tx, ctx, &mv, &product, &portions, &day)?
        };
        for (line_id, quantity, lot, reserved, source, stored_done) in &lines {
            let line_from = known.location(tx, ctx, *source)?;
            let value = stock::post_line(
                tx,
                ctx,
                &DoneLine {
                    line_id,
                    picking_id: &id.to_string(),
                    product: &product,
                    from: &line_from,
                    to: &to,
                    lot,
                    quantity: Quantity::from_scaled(*quantity),
                    reserved: *reserved,
                    stored_done: *stored_done,
                    date,
                    unit_cost: mv.unit_cost,
                    origin: mv.origin.clone(),
                },
            )?;
            // The warehouse whose valued stock changed: the source's when goods leave it.
            let valued = if line_from.kind.is_valued() { &line_from } else { &to };
            let warehouse = known.warehouse_code(tx, ctx, valued)?;
            flows.add((line_from.kind, to.kind), value, &product.category_path, &warehouse);
            flows.moved(mv.origin.as_ref(), &product.id, line_from.kind, to.kind, Quantity::from_scaled(*quantity));
            done_lines.push((line_id.clone(), lot.clone()));
        }
        if total < mv.quantity {
            rest.push((mv.clone(), mv.quantity - total));
        }
        if total == 0 {
            tx.execute("update inventory_move set state = 'cancelled', quantity = 0 where id = $1", &[&mv.id])?;
        } else if total < mv.quantity {
            tx.execute("update inventory_move set state = 'done', quantity = $1 where id = $2", &[&total, &mv.id])?;
        }
    }
    // Moves done in full, in one statement.
    tx.execute(
        "update inventory_move set state = 'done' where picking_id = $1 and state in ('draft', 'waiting', 'ready')",
        &[&id],
    )?;
    if done_lines.is_empty() {
        return Err(Error::field("lines", "inventory.nothing_processed"));
    }
    let fresh = header(tx, ctx, id)?;
    set_state(tx, ctx, id, &fresh, PickingState::Done)?;
    tx.execute("update inventory_picking set done_date = $1 where id = $2", &[&kernel::clock::format_date(date), &id])?;
    audit::record(
        tx,
        ctx,
        "inventory.picking.validate",
        "inventory.picking",
        &id,
        serde_json::json!({"date": kernel::clock::format_date(date), "rest": rest.len()}),
    )?;
    flows.publish(tx, ctx, id, date)?;
    let backorder = if !rest.is_empty() && input.backorder { Some(make_backorder(tx, ctx, id, &rest)?) } else { None };
    let arrival = if current.kind == PickingKind::TransitOut { Some(make_arrival(tx, ctx, id)?) } else { None };
    Ok(ValidatedIds { picking: id, backorder, arrival })
}

/// Lines of goods coming from outside valued stock (receipts, production): one per portion,
/// under its lot (required for tracked products; one unit per serial).
fn receive(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    mv: &MoveRow,
    product: &ProductInfo,
    portions: &[Portion],
    day: &str,
) -> Result<Vec<LineToDo>> {
    let mut lines = Vec::new();
    for portion in portions.iter().filter(|p| p.quantity > 0) {
        let lot = match (&portion.lot_code, product.tracking) {
            (Some(code), Tracking::Lot | Tracking::Serial) => {
                lot_for(tx, ctx, &product.id, code, portion.expiry.as_deref())?.to_string()
            }
            (None, Tracking::Lot | Tracking::Serial) if !mv.lot.is_empty() => mv.lot.clone(),
            (None, Tracking::Lot | Tracking::Serial) => {
                return Err(Error::field("lot", "inventory.lot_required").with_param("product", &product.code));
            }
            (Some(_), Tracking::None) => return Err(Error::field("lot", "inventory.product_not_tracked")),
            (None, Tracking::None) => String::new(),
        };
        if product.tracking == Tracking::Serial && portion.quantity != Quantity::ONE {
            return Err(Error::field("quantity", "inventory.serial_quantity").with_param("product", &product.code));
        }
        let line_id = kernel::id::Uuid::now_v7().to_string();
        insert_line(tx, ctx, &line_id, mv, (mv.from, &lot, portion.quantity), Some(day))?;
        lines.push((line_id, portion.quantity, lot, false, mv.from, true));
    }
    Ok(lines)
}

/// Stores a line of a move: `part` is its source, lot and quantity. A line about to be done
/// is stored done on `done_on` (posting it then needs no second write).
fn insert_line(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    id: &str,
    mv: &MoveRow,
    (from, lot, quantity): (LocationId, &str, i64),
    done_on: Option<&str>,
) -> Result<()> {
    tx.execute(
        "insert into inventory_move_line (id, company_id, move_id, product_id, from_location_id, to_location_id, lot_id, quantity,
             state, date, origin_kind, origin_id, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        &[
            &id,
            &ctx.company(),
            &mv.id,
            &mv.product,
            &from,
            &mv.to,
            &lot,
            &quantity,
            &if done_on.is_some() { "done" } else { "reserved" },
            &done_on,
            &mv.origin.as_ref().map(|o| o.kind.clone()),
            &mv.origin.as_ref().map(|o| o.id.clone()),
            &ctx.now_text(),
        ],
    )?;
    Ok(())
}

/// Lines of goods leaving valued stock: the reserved lines first (the asked lot's, when a
/// portion names one), then whatever else is available, then — where allowed — below zero.
/// Reservations not used are given back.
fn take_from_stock(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    mv: &MoveRow,
    product: &ProductInfo,
    from: &Location,
    portions: &[Portion],
    day: &str,
) -> Result<Vec<LineToDo>> {
    let reserved: Vec<(String, LocationId, String, i64)> = tx
        .query(
            "select id, from_location_id, lot_id, quantity from inventory_move_line where move_id = $1 and state = 'reserved' order by id",
            &[&mv.id],
        )?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .collect::<Result<_>>()?;
    let mut left: Vec<i64> = reserved.iter().map(|r| r.3).collect();
    let mut lines = Vec::new();
    for portion in portions.iter().filter(|p| p.quantity > 0) {
        let lot = match &portion.lot_code {
            Some(code) => Some(
                crate::lot::lot_by_code(tx, ctx, &product.id, code)
                    .map_err(|_| Error::field("lot", "inventory.lot_unknown"))?
                    .id
                    .to_string(),
            ),
            None => None,
        };
        let mut need = portion.quantity;
        // 1. Reserved lines (of the asked lot).
        for (i, (line_id, location, line_lot, _)) in reserved.iter().enumerate() {
            if need == 0 {
                break;
            }
            if left[i] == 0 || lot.as_ref().is_some_and(|l| l != line_lot) {
                continue;
            }
            let take = need.min(left[i]);
            left[i] -= take;
            need -= take;
            let done_id = if take == reserved[i].3 && left[i] == 0 {
                line_id.clone()
            } else {
                // Part of a reserved line: split the done part off.
                let id = kernel::id::Uuid::now_v7().to_string();
                insert_line(tx, ctx, &id, mv, (*location, line_lot, take), Some(day))?;
                tx.execute(
                    "update inventory_move_line set quantity = quantity - $1 where id = $2",
                    &[&take, &line_id],
                )?;
                id
            };
            let stored_done = done_id != *line_id;
            lines.push((done_id, take, line_lot.clone(), true, *location, stored_done));
        }
        // 2. Unreserved stock, FEFO.
        if need > 0 {
            for candidate in stock::available_under(tx, ctx, &product.id, from, lot.as_deref().unwrap_or(""))? {
                if need == 0 {
                    break;
                }
                let take = need.min(candidate.available);
                let id = kernel::id::Uuid::now_v7().to_string();
                insert_line(tx, ctx, &id, mv, (candidate.location, &candidate.lot, take), Some(day))?;
                lines.push((id, take, candidate.lot.clone(), false, candidate.location, true));
                need -= take;
            }
        }
        // 3. Below zero, where allowed (post_line refuses otherwise).
        if need > 0 {
            if product.tracking != Tracking::None && lot.is_none() {
                return Err(stock::insufficient(&product.code, &from.path));
            }
            let id = kernel::id::Uuid::now_v7().to_string();
            let lot = lot.unwrap_or_default();
            insert_line(tx, ctx, &id, mv, (from.id, &lot, need), Some(day))?;
            lines.push((id, need, lot, false, from.id, true));
        }
    }
    // Reservations not used go back to stock.
    for (i, (line_id, location, lot, _)) in reserved.iter().enumerate() {
        if left[i] > 0 {
            stock::unreserve_quant(tx, ctx, &product.id, *location, lot, left[i])?;
            if left[i] == reserved[i].3 {
                tx.execute("delete from inventory_move_line where id = $1", &[&line_id])?;
            } else {
                tx.execute(
                    "update inventory_move_line set quantity = quantity - $1 where id = $2",
                    &[&left[i], &line_id],
                )?;
            }
        }
    }
    Ok(lines)
}

fn copy_header(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    source: PickingId,
    kind: PickingKind,
    from: LocationId,
    to: LocationId,
    backorder: bool,
) -> Result<PickingId> {
    let row = tx.query_one(
        "select partner_id, origin_kind, origin_id, scheduled_date, note from inventory_picking where id = $1",
        &[&source],
    )?;
    let id = PickingId::new();
    let scheduled: String = row.get(3)?;
    let date = kernel::clock::parse_date(&scheduled).unwrap_or(ctx.today());
    let number = next_number(tx, ctx, kind.numbers(), date, &DocRef::new("inventory.picking", id))?;
    let now = ctx.now_text();
    tx.execute(
        "insert into inventory_picking (id, company_id, number, kind, state, from_location_id, to_location_id, partner_id,
             origin_kind, origin_id, backorder_of, scheduled_date, note, created_at, created_by, updated_at)
         values ($1, $2, $3, $4, 'waiting', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $13)",
        &[
            &id,
            &ctx.company(),
            &number,
            &kind.code(),
            &from,
            &to,
            &row.get::<Option<String>>(0)?,
            &row.get::<Option<String>>(1)?,
            &row.get::<Option<String>>(2)?,
            &backorder.then_some(source),
            &scheduled,
            &row.get::<String>(4)?,
            &now,
            &ctx.actor().label(),
        ],
    )?;
    Ok(id)
}

fn copy_move(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    picking: PickingId,
    mv: &MoveRow,
    (from, to): (LocationId, LocationId),
    lot: &str,
    quantity: i64,
) -> Result<()> {
    tx.execute(
        "insert into inventory_move (id, company_id, picking_id, product_id, from_location_id, to_location_id, lot_id, quantity,
             unit_cost, state, origin_kind, origin_id, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'waiting', $10, $11, $12)",
        &[
            &kernel::id::Uuid::now_v7(),
            &ctx.company(),
            &picking,
            &mv.product,
            &from,
            &to,
            &lot,
            &quantity,
            &mv.unit_cost,
            &mv.origin.as_ref().map(|o| o.kind.clone()),
            &mv.origin.as_ref().map(|o| o.id.clone()),
            &ctx.now_text(),
        ],
    )?;
    Ok(())
}

/// The rest of a partly done document, waiting (reserved again as far as stock allows).
fn make_backorder(tx: &mut Tx<'_>, ctx: &Ctx, source: PickingId, rest: &[(MoveRow, i64)]) -> Result<PickingId> {
    let (from, to) = {
        let row = tx.query_one(
            "select from_location_id, to_location_id, kind, final_location_id from inventory_picking where id = $1",
            &[&source],
        )?;
        (row.get::<LocationId>(0)?, row.get::<LocationId>(1)?)
    };
    let kind = header(tx, ctx, source)?.kind;
    let id = copy_header(tx, ctx, source, kind, from, to, true)?;
    let final_location: Option<String> =
        tx.query_one("select final_location_id from inventory_picking where id = $1", &[&source])?.get(0)?;
    tx.execute("update inventory_picking set final_location_id = $1 where id = $2", &[&final_location, &id])?;
    for (mv, quantity) in rest {
        copy_move(tx, ctx, id, mv, (mv.from, mv.to), &mv.lot, *quantity)?;
    }
    if reserve_all(tx, ctx, id, false)? == PickingState::Ready {
        let now = header(tx, ctx, id)?;
        set_state(tx, ctx, id, &now, PickingState::Ready)?;
    }
    Ok(id)
}

/// The arrival of a transfer out to transit: the same lots, from transit to the final location,
/// reserved at once (the goods are in transit).
fn make_arrival(tx: &mut Tx<'_>, ctx: &Ctx, source: PickingId) -> Result<PickingId> {
    let row =
        tx.query_one("select to_location_id, final_location_id from inventory_picking where id = $1", &[&source])?;
    let transit: LocationId = row.get(0)?;
    let target: LocationId = row
        .get::<Option<LocationId>>(1)?
        .ok_or_else(|| Error::internal("transfer to transit without a final location"))?;
    let id = copy_header(tx, ctx, source, PickingKind::TransitIn, transit, target, false)?;
    let done = tx.query(
        "select l.product_id, l.lot_id, sum(l.quantity), min(m.id) from inventory_move_line l join inventory_move m on m.id = l.move_id
         where m.picking_id = $1 and l.state = 'done' group by l.product_id, l.lot_id order by l.product_id, l.lot_id",
        &[&source],
    )?;
    let moves = moves_of(tx, source)?;
    for r in done {
        let move_id: String = r.get(3)?;
        let mv = moves.iter().find(|m| m.id == move_id).ok_or_else(|| Error::internal("move lost"))?;
        copy_move(tx, ctx, id, mv, (transit, target), &r.get::<String>(1)?, r.get(2)?)?;
    }
    if reserve_all(tx, ctx, id, true)? == PickingState::Ready {
        let now = header(tx, ctx, id)?;
        set_state(tx, ctx, id, &now, PickingState::Ready)?;
    }
    Ok(id)
}

fn yuan(fen: i64) -> String {
    kernel::Money::from_minor(fen, kernel::Currency::CNY).to_string()
}

pub fn get_picking(tx: &mut Tx<'_>, ctx: &Ctx, id: PickingId) -> Result<Picking> {
    ctx.require(STOCK_READ)?;
    let row = tx
        .query_opt(
            "select p.id, p.number, p.kind, p.state, f.path, t.path, fl.path, p.partner_id, p.origin_kind, p.origin_id, p.backorder_of,
                    p.scheduled_date, p.done_date, p.note, p.version
             from inventory_picking p join inventory_location f on f.id = p.from_location_id
             join inventory_location t on t.id = p.to_location_id left join inventory_location fl on fl.id = p.final_location_id
             where p.company_id = $1 and p.id = $2",
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("inventory.picking_not_found"))?;
    let lines = tx.query(
        "select l.move_id, l.id, f.path, t.path, lot.code, l.quantity, l.state, coalesce(v.value, 0), l.date
         from inventory_move_line l join inventory_move m on m.id = l.move_id
         left join inventory_valuation_layer v on v.line_id = l.id
         join inventory_location f on f.id = l.from_location_id join inventory_location t on t.id = l.to_location_id
         left join inventory_lot lot on lot.id = l.lot_id
         where m.picking_id = $1 order by l.id",
        &[&id],
    )?;
    let moves = tx.query(
        "select m.id, m.product_id, p.code, p.name, m.quantity, m.state, lot.code from inventory_move m
         join product_product p on p.id = m.product_id left join inventory_lot lot on lot.id = m.lot_id
         where m.picking_id = $1 order by m.id",
        &[&id],
    )?;
    let mut by_move: HashMap<String, Vec<&Row>> = HashMap::new();
    for line in &lines {
        by_move.entry(line.get(0)?).or_default().push(line);
    }
    let moves = moves
        .iter()
        .map(|m| {
            let move_id: String = m.get(0)?;
            let mine = by_move.remove(&move_id).unwrap_or_default();
            let sum = |state: &str| -> Result<i64> {
                mine.iter().filter(|l| l.get::<String>(6).is_ok_and(|s| s == state)).map(|l| l.get::<i64>(5)).sum()
            };
            let state: String = m.get(5)?;
            Ok(MoveView {
                reserved: Quantity::from_scaled(sum("reserved")?).to_string(),
                done: Quantity::from_scaled(sum("done")?).to_string(),
                id: move_id,
                product_id: m.get(1)?,
                product_code: m.get(2)?,
                product_name: m.get(3)?,
                quantity: Quantity::from_scaled(m.get(4)?).to_string(),
                lot: m.get(6)?,
                state: PickingState::parse(&state).unwrap_or(PickingState::Draft),
                lines: mine
                    .iter()
                    .map(|l| {
                        Ok(MoveLineView {
                            id: l.get(1)?,
                            from: l.get(2)?,
                            to: l.get(3)?,
                            lot: l.get(4)?,
                            quantity: Quantity::from_scaled(l.get(5)?).to_string(),
                            state: l.get(6)?,
                            value: yuan(l.get(7)?),
                            date: l.get(8)?,
                        })
                    })
                    .collect::<Result<_>>()?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let state = PickingState::parse(&row.get::<String>(3)?).unwrap_or(PickingState::Draft);
    let origin = match (row.get::<Option<String>>(8)?, row.get::<Option<String>>(9)?) {
        (Some(kind), Some(id)) => Some(DocRef { kind, id }),
        _ => None,
    };
    Ok(Picking {
        id: row.get(0)?,
        number: row.get(1)?,
        kind: PickingKind::parse(&row.get::<String>(2)?).unwrap_or(PickingKind::Internal),
        state,
        from: row.get(4)?,
        to: row.get(5)?,
        final_location: row.get(6)?,
        partner_id: row.get(7)?,
        origin,
        backorder_of: row.get(10)?,
        scheduled_date: row.get(11)?,
        done_date: row.get(12)?,
        note: row.get(13)?,
        version: row.get(14)?,
        moves,
        actions: state.actions(),
    })
}

/// The documents that came from an origin (a sales order, a purchase order…), newest first.
pub fn pickings_of_origin(tx: &mut Tx<'_>, ctx: &Ctx, origin: &DocRef) -> Result<Vec<Picking>> {
    ctx.require(STOCK_READ)?;
    let ids: Vec<PickingId> = tx
        .query(
            "select id from inventory_picking where company_id = $1 and origin_kind = $2 and origin_id = $3 order by id desc",
            &[&ctx.company(), &origin.kind, &origin.id],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect::<Result<_>>()?;
    ids.into_iter().map(|id| get_picking(tx, ctx, id)).collect()
}
