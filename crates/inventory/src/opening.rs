//! Opening stock (库存期初) of a company moving in: by product, location and lot, with the unit
//! cost it is carried at. Entered (or imported) while the books are being initialised; when
//! initialisation ends it is received on the day before the start, one receipt per location,
//! from the supplier location with `origin = ledger.opening` — the ledger's opening balances
//! carry its value, so no voucher is made, and the two are checked equal. Reopening
//! initialisation takes the same goods out again, which only works while nothing else moved them.

use std::collections::BTreeMap;

use kernel::db::Tx;
use kernel::import::{ImportColumn, ImportRow, Importer};
use kernel::{Ctx, Currency, Error, Money, Quantity, Result, UnitPrice, audit};
use serde::{Deserialize, Serialize};

use crate::location::{LocationKind, location_by_path, virtual_location};
use crate::lot::Tracking;
use crate::permissions::{STOCK_COUNT, STOCK_MOVE, STOCK_READ};
use crate::picking::{MoveInput, PickingId, PickingInput, PickingKind, ValidateInput, open_picking, validate_only};
use crate::stock::product_info;
use crate::valuation::value_of;

/// The origin kind of the opening receipts (the ledger's opening vouchers have the same kind).
pub const ORIGIN: &str = "ledger.opening";

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"product": "TEA-001", "location": "WH/STOCK", "quantity": "1200", "unit_cost": "0.35"}))]
pub struct OpeningStockInput {
    /// Product code or id.
    pub product: String,
    /// Location path; the first warehouse's stock by default.
    pub location: Option<String>,
    pub lot: Option<String>,
    pub expiry_date: Option<String>,
    pub quantity: String,
    /// CNY per unit, excluding VAT.
    pub unit_cost: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OpeningStockLine {
    pub id: String,
    pub product_id: String,
    pub product_code: String,
    pub product_name: String,
    pub location: String,
    pub lot: Option<String>,
    pub expiry_date: Option<String>,
    pub quantity: String,
    pub unit_cost: String,
    pub value: String,
    /// The receipt that placed it, once initialisation ended.
    pub picking_id: Option<String>,
}

fn placed(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<bool> {
    Ok(tx
        .query_opt(
            "select 1 from inventory_opening_stock where company_id = $1 and picking_id is not null limit 1",
            &[&ctx.company()],
        )?
        .is_some())
}

/// Enters (or replaces, by product, location and lot) a line of opening stock.
pub fn set_opening_stock(tx: &mut Tx<'_>, ctx: &Ctx, input: &OpeningStockInput) -> Result<OpeningStockLine> {
    ctx.require(STOCK_COUNT)?;
    if placed(tx, ctx)? {
        return Err(Error::conflict("inventory.opening_placed"));
    }
    let mut problems = Error::invalid("validation.failed");
    let product = product_info(tx, ctx, &input.product).ok();
    match &product {
        None => {
            problems =
                problems.with_field("product", "inventory.product_unknown").with_param("product", input.product.trim())
        }
        Some(p) if !p.stockable => problems = problems.with_field("product", "inventory.opening_not_stockable"),
        _ => {}
    }
    let location = match input.location.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        Some(path) => location_by_path(tx, ctx, path).ok(),
        None => crate::location::default_stock_location(tx, ctx).ok(),
    };
    match &location {
        None => {
            problems = problems
                .with_field("location", "inventory.location_unknown")
                .with_param("path", input.location.as_deref().unwrap_or_default())
        }
        Some(l) if l.kind != LocationKind::Internal => {
            problems = problems.with_field("location", "inventory.count_location_internal")
        }
        _ => {}
    }
    let quantity: Option<Quantity> = input.quantity.trim().parse().ok().filter(|q: &Quantity| q.scaled() > 0);
    if quantity.is_none() {
        problems = problems.with_field("quantity", "inventory.quantity_invalid");
    }
    let unit_cost: Option<UnitPrice> =
        input.unit_cost.trim().replace(',', "").parse().ok().filter(|c: &UnitPrice| c.scaled() >= 0);
    if unit_cost.is_none() {
        problems = problems.with_field("unit_cost", "inventory.opening_cost_invalid");
    }
    let lot = input.lot.as_deref().map(str::trim).unwrap_or_default().to_string();
    if let Some(p) = &product {
        match (p.tracking, lot.is_empty()) {
            (Tracking::None, false) => problems = problems.with_field("lot", "inventory.product_not_tracked"),
            (Tracking::None, true) | (_, false) => {}
            (_, true) => {
                problems = problems.with_field("lot", "inventory.lot_required").with_param("product", &p.code);
            }
        }
    }
    let expiry = match input.expiry_date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(text) => match kernel::clock::parse_date(text) {
            Ok(d) => Some(kernel::clock::format_date(d)),
            Err(_) => {
                problems = problems.with_field("expiry_date", "inventory.date_invalid");
                None
            }
        },
        None => None,
    };
    if !problems.fields().is_empty() {
        return Err(problems);
    }
    let (Some(product), Some(location), Some(quantity), Some(unit_cost)) = (product, location, quantity, unit_cost)
    else {
        return Err(problems);
    };
    let value = value_of(quantity, unit_cost)?;
    tx.execute(
        "delete from inventory_opening_stock where company_id = $1 and product_id = $2 and location_id = $3 and lot_code = $4",
        &[&ctx.company(), &product.id, &location.id, &lot],
    )?;
    let id = kernel::id::Uuid::now_v7().to_string();
    tx.execute(
        "insert into inventory_opening_stock (id, company_id, product_id, location_id, lot_code, expiry_date, quantity, unit_cost,
             value, created_at, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            &id,
            &ctx.company(),
            &product.id,
            &location.id,
            &lot,
            &expiry,
            &quantity,
            &unit_cost.to_string(),
            &value,
            &ctx.now_text(),
            &ctx.actor().label(),
        ],
    )?;
    audit::record(
        tx,
        ctx,
        "inventory.opening.set",
        "product.product",
        &product.id,
        serde_json::json!({"location": location.path, "lot": lot, "quantity": quantity.to_string(), "value": value}),
    )?;
    list_opening_stock(tx, ctx)?.into_iter().find(|l| l.id == id).ok_or_else(|| Error::internal("opening line lost"))
}

pub fn list_opening_stock(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<OpeningStockLine>> {
    ctx.require(STOCK_READ)?;
    tx.query(
        "select o.id, p.id, p.code, p.name, l.path, o.lot_code, o.expiry_date, o.quantity, o.unit_cost, o.value, o.picking_id
         from inventory_opening_stock o join product_product p on p.id = o.product_id
         join inventory_location l on l.id = o.location_id
         where o.company_id = $1 order by p.code, l.path, o.lot_code",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| {
        let lot: String = r.get(5)?;
        Ok(OpeningStockLine {
            id: r.get(0)?,
            product_id: r.get(1)?,
            product_code: r.get(2)?,
            product_name: r.get(3)?,
            location: r.get(4)?,
            lot: (!lot.is_empty()).then_some(lot),
            expiry_date: r.get(6)?,
            quantity: Quantity::from_scaled(r.get(7)?).to_string(),
            unit_cost: r.get(8)?,
            value: Money::from_minor(r.get(9)?, Currency::CNY).to_string(),
            picking_id: r.get(10)?,
        })
    })
    .collect()
}

pub fn delete_opening_stock(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<()> {
    ctx.require(STOCK_COUNT)?;
    if placed(tx, ctx)? {
        return Err(Error::conflict("inventory.opening_placed"));
    }
    let deleted =
        tx.execute("delete from inventory_opening_stock where company_id = $1 and id = $2", &[&ctx.company(), &id])?;
    if deleted == 0 {
        return Err(Error::not_found("inventory.opening_not_found"));
    }
    audit::record(tx, ctx, "inventory.opening.delete", "inventory.opening_stock", &id, serde_json::json!({}))
}

/// The opening stock's value (fen): what the stock accounts must open with.
pub fn opening_stock_value(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<i64> {
    tx.scalar("select coalesce(sum(value), 0) from inventory_opening_stock where company_id = $1", &[&ctx.company()])
}

struct Placed {
    id: String,
    product: String,
    location: String,
    lot: String,
    expiry: Option<String>,
    quantity: i64,
    unit_cost: String,
}

fn lines(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Placed>> {
    tx.query(
        "select o.id, o.product_id, l.path, o.lot_code, o.expiry_date, o.quantity, o.unit_cost
         from inventory_opening_stock o join inventory_location l on l.id = o.location_id
         where o.company_id = $1 order by l.path, o.id",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| {
        Ok(Placed {
            id: r.get(0)?,
            product: r.get(1)?,
            location: r.get(2)?,
            lot: r.get(3)?,
            expiry: r.get(4)?,
            quantity: r.get(5)?,
            unit_cost: r.get(6)?,
        })
    })
    .collect()
}

/// The signed value (fen) the done lines of a picking moved into valued stock.
fn picking_value(tx: &mut Tx<'_>, id: PickingId) -> Result<i64> {
    tx.scalar(
        "select coalesce(sum(v.value), 0) from inventory_valuation_layer v join inventory_move_line ml on ml.id = v.line_id
         join inventory_move m on m.id = ml.move_id where m.picking_id = $1",
        &[&id],
    )
}

/// The opening lines per location path: one stock document each.
fn by_location(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<BTreeMap<String, Vec<Placed>>> {
    let mut grouped: BTreeMap<String, Vec<Placed>> = BTreeMap::new();
    for line in lines(tx, ctx)? {
        grouped.entry(line.location.clone()).or_default().push(line);
    }
    Ok(grouped)
}

/// Opens the document, validates it on `date` and answers the value it moved into stock.
fn move_on(tx: &mut Tx<'_>, ctx: &Ctx, input: &PickingInput, date: time::Date) -> Result<(PickingId, i64)> {
    let picking = open_picking(tx, ctx, input).map_err(|e| match (e.kind(), input.strict) {
        // Taking the stock out again: what cannot be reserved has moved since.
        (kernel::ErrorKind::Internal, _) | (_, false) => e,
        _ => Error::conflict("inventory.opening_moved"),
    })?;
    let done = ValidateInput { lines: None, date: Some(kernel::clock::format_date(date)), backorder: false };
    validate_only(tx, ctx, picking, &done)?;
    Ok((picking, picking_value(tx, picking)?))
}

/// Receives the opening stock on `date` (the day before the first period), one receipt per
/// location; returns its value (fen). Part of ending initialisation, whose permission guards it.
pub fn place(tx: &mut Tx<'_>, ctx: &Ctx, date: time::Date) -> Result<i64> {
    let ctx = &ctx.with_granted(&[STOCK_MOVE, STOCK_READ]);
    let supplier = virtual_location(tx, ctx, LocationKind::Supplier)?;
    let by_location = by_location(tx, ctx)?;
    let mut total = 0;
    for (location, lines) in by_location {
        let input = PickingInput {
            kind: Some(PickingKind::Receipt),
            from: Some(supplier.path.clone()),
            to: Some(location),
            origin_kind: Some(ORIGIN.into()),
            origin_id: Some(ctx.company().to_string()),
            scheduled_date: Some(kernel::clock::format_date(date)),
            note: "期初库存".into(),
            lines: lines
                .iter()
                .map(|l| MoveInput {
                    product: l.product.clone(),
                    quantity: Quantity::from_scaled(l.quantity).to_string(),
                    lot: (!l.lot.is_empty()).then(|| l.lot.clone()),
                    expiry_date: l.expiry.clone(),
                    unit_cost: Some(l.unit_cost.clone()),
                    origin: None,
                })
                .collect(),
            confirm: true,
            ..PickingInput::default()
        };
        let (picking, value) = move_on(tx, ctx, &input, date)?;
        total += value;
        for line in &lines {
            tx.execute("update inventory_opening_stock set picking_id = $1 where id = $2", &[&picking, &line.id])?;
        }
    }
    audit::record(
        tx,
        ctx,
        "inventory.opening.place",
        "inventory.opening_stock",
        &ctx.company(),
        serde_json::json!({"value": total}),
    )?;
    Ok(total)
}

/// Takes the opening stock out again on `date` (initialisation reopened): the same goods go
/// back to the supplier location, each location's at once, refused if anything else moved
/// them meanwhile. Returns the value taken out (fen).
pub fn withdraw(tx: &mut Tx<'_>, ctx: &Ctx, date: time::Date) -> Result<i64> {
    let ctx = &ctx.with_granted(&[STOCK_MOVE, STOCK_READ]);
    let supplier = virtual_location(tx, ctx, LocationKind::Supplier)?;
    let by_location = by_location(tx, ctx)?;
    let mut total = 0;
    for (location, lines) in by_location {
        let input = PickingInput {
            kind: Some(PickingKind::Delivery),
            from: Some(location),
            to: Some(supplier.path.clone()),
            origin_kind: Some(ORIGIN.into()),
            origin_id: Some(ctx.company().to_string()),
            scheduled_date: Some(kernel::clock::format_date(date)),
            note: "反初始化：退回期初库存".into(),
            lines: lines
                .iter()
                .map(|l| MoveInput {
                    product: l.product.clone(),
                    quantity: Quantity::from_scaled(l.quantity).to_string(),
                    lot: (!l.lot.is_empty()).then(|| l.lot.clone()),
                    ..MoveInput::default()
                })
                .collect(),
            confirm: true,
            strict: true,
            ..PickingInput::default()
        };
        total -= move_on(tx, ctx, &input, date)?.1;
    }
    tx.execute("update inventory_opening_stock set picking_id = null where company_id = $1", &[&ctx.company()])?;
    audit::record(
        tx,
        ctx,
        "inventory.opening.withdraw",
        "inventory.opening_stock",
        &ctx.company(),
        serde_json::json!({"value": total}),
    )?;
    Ok(total)
}

/// Opening stock from a spreadsheet, through `set_opening_stock`.
pub struct OpeningStockImporter;

const COLUMNS: &[ImportColumn] = &[
    ImportColumn { key: "product", required: true, example: "M8-30" },
    ImportColumn { key: "location", required: false, example: "WH/STOCK" },
    ImportColumn { key: "lot", required: false, example: "" },
    ImportColumn { key: "expiry_date", required: false, example: "" },
    ImportColumn { key: "quantity", required: true, example: "1200" },
    ImportColumn { key: "unit_cost", required: true, example: "0.35" },
];

impl Importer for OpeningStockImporter {
    fn name(&self) -> &'static str {
        "opening-stock"
    }

    fn columns(&self) -> &'static [ImportColumn] {
        COLUMNS
    }

    fn import_row(&self, tx: &mut Tx<'_>, ctx: &Ctx, row: &ImportRow<'_>) -> Result<()> {
        let input = OpeningStockInput {
            product: row.text("product"),
            location: row.get("location").map(str::to_string),
            lot: row.get("lot").map(str::to_string),
            expiry_date: row.get("expiry_date").map(str::to_string),
            quantity: row.text("quantity"),
            unit_cost: row.text("unit_cost"),
        };
        set_opening_stock(tx, ctx, &input).map(|_| ())
    }

    fn export_page(&self, tx: &mut Tx<'_>, ctx: &Ctx, after: &str, _limit: i64) -> Result<Vec<Vec<String>>> {
        if !after.is_empty() {
            return Ok(Vec::new());
        }
        Ok(list_opening_stock(tx, ctx)?
            .into_iter()
            .map(|l| {
                vec![
                    l.product_code,
                    l.location,
                    l.lot.unwrap_or_default(),
                    l.expiry_date.unwrap_or_default(),
                    l.quantity,
                    l.unit_cost,
                ]
            })
            .collect())
    }
}
