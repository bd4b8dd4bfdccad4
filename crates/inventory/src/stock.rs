//! Quantities on hand and reserved (quants), and the one way they change: a done move line,
//! out of one location and into another, in the same transaction as its valuation layer, its
//! daily totals and its event. Reservations are guarded updates, so two documents can never
//! reserve the same unit: `reserved + q <= quantity` is checked by the database row itself.

use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::{Ctx, Error, Quantity, Result, UnitPrice};

use crate::events::StockMoved;
use crate::location::{Location, LocationId};
use crate::lot::Tracking;
use crate::valuation::{self, Costing, NewLayer};

/// What inventory needs to know of a product.
#[derive(Clone, Debug)]
pub struct ProductInfo {
    pub id: String,
    pub code: String,
    pub costing: Costing,
    pub tracking: Tracking,
    pub stockable: bool,
    /// The category's codes from the root (`ALL/RAW`), for the ledger's posting rules.
    pub category_path: Option<String>,
}

pub fn product_info(tx: &mut Tx<'_>, ctx: &Ctx, product: &str) -> Result<ProductInfo> {
    // By id when it looks like one, else by code: indexed lookups (an `or` of both would scan).
    let key = product.trim();
    let by_id = kernel::id::Uuid::parse_str(key).is_ok();
    let sql = if by_id {
        "select p.id, p.code, p.costing, p.tracking, p.kind, c.path
         from product_product p left join product_category c on c.id = p.category_id
         where p.company_id = $1 and p.id = $2"
    } else {
        "select p.id, p.code, p.costing, p.tracking, p.kind, c.path
         from product_product p left join product_category c on c.id = p.category_id
         where p.company_id = $1 and p.code = $2"
    };
    let row = tx
        .query_opt(sql, &[&ctx.company(), &key])?
        .ok_or_else(|| Error::field("product", "inventory.product_unknown").with_param("product", product))?;
    let kind: String = row.get(4)?;
    Ok(ProductInfo {
        id: row.get(0)?,
        code: row.get(1)?,
        costing: Costing::parse(&row.get::<String>(2)?),
        tracking: Tracking::parse(&row.get::<String>(3)?),
        stockable: kind == "stockable",
        category_path: row.get(5)?,
    })
}

/// The product a scanner read: its barcode, else its code.
pub fn product_by_scan(tx: &mut Tx<'_>, ctx: &Ctx, scanned: &str) -> Result<ProductInfo> {
    let scanned = scanned.trim();
    let by_barcode: Option<String> = tx
        .query_opt(
            "select id from product_product where company_id = $1 and barcode = $2 and active = 1 limit 1",
            &[&ctx.company(), &scanned],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    product_info(tx, ctx, by_barcode.as_deref().unwrap_or(scanned))
}

/// Available (on hand − reserved) per quant of a product under a location (its subtree),
/// oldest expiry first (FEFO), then lot code and location path.
///
/// The subtree is the path range `PATH/` ≤ p < `PATH0` ('0' follows '/'): an index range, where a
/// `like` with a bound pattern would make SQLite re-plan the statement on every call.
pub(crate) struct Available {
    pub location: LocationId,
    pub lot: String,
    pub available: i64,
}

pub(crate) fn available_under(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    product: &str,
    location: &Location,
    lot: &str,
) -> Result<Vec<Available>> {
    tx.query(
        "select q.location_id, q.lot_id, q.quantity - q.reserved from inventory_quant q
         join inventory_location l on l.id = q.location_id
         left join inventory_lot t on t.id = q.lot_id
         where q.company_id = $1 and q.product_id = $2 and (l.id = $3 or (l.path >= $4 and l.path < $5)) and ($6 = '' or q.lot_id = $6)
           and q.quantity - q.reserved > 0 and coalesce(t.held, 0) = 0
         order by case when t.expiry_date is null then 1 else 0 end, t.expiry_date, t.code, l.path",
        &[&ctx.company(), &product, &location.id, &format!("{}/", location.path), &format!("{}0", location.path), &lot],
    )?
    .iter()
    .map(|r| Ok(Available { location: r.get(0)?, lot: r.get(1)?, available: r.get(2)? }))
    .collect()
}

/// What can be taken of a product (id or code) from a location and everything under it now, as
/// a scaled quantity: on hand less reserved, lots on quality hold left out.
pub fn available_at(tx: &mut Tx<'_>, ctx: &Ctx, product: &str, location_path: &str) -> Result<i64> {
    ctx.require(crate::permissions::STOCK_READ)?;
    let product = product_info(tx, ctx, product)?;
    let location = crate::location::location_by_path(tx, ctx, location_path)?;
    Ok(available_under(tx, ctx, &product.id, &location, "")?.iter().map(|a| a.available).sum())
}

/// Reserves `quantity` of one quant if it is still available; false when another document
/// took it first (the row is re-checked under its lock).
pub(crate) fn reserve_quant(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    product: &str,
    location: LocationId,
    lot: &str,
    quantity: i64,
) -> Result<bool> {
    Ok(tx.execute(
        "update inventory_quant set reserved = reserved + $1
         where company_id = $2 and product_id = $3 and location_id = $4 and lot_id = $5 and quantity - reserved >= $1",
        &[&quantity, &ctx.company(), &product, &location, &lot],
    )? == 1)
}

pub(crate) fn unreserve_quant(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    product: &str,
    location: LocationId,
    lot: &str,
    quantity: i64,
) -> Result<()> {
    tx.execute(
        "update inventory_quant set reserved = reserved - $1
         where company_id = $2 and product_id = $3 and location_id = $4 and lot_id = $5",
        &[&quantity, &ctx.company(), &product, &location, &lot],
    )?;
    Ok(())
}

/// Quantity on hand of one quant.
pub(crate) fn on_hand(tx: &mut Tx<'_>, ctx: &Ctx, product: &str, location: LocationId, lot: &str) -> Result<i64> {
    Ok(tx
        .query_opt(
            "select quantity from inventory_quant where company_id = $1 and product_id = $2 and location_id = $3 and lot_id = $4",
            &[&ctx.company(), &product, &location, &lot],
        )?
        .map(|r| r.get(0))
        .transpose()?
        .unwrap_or(0))
}

/// A line being done.
pub(crate) struct DoneLine<'a> {
    pub line_id: &'a str,
    pub picking_id: &'a str,
    pub product: &'a ProductInfo,
    pub from: &'a Location,
    pub to: &'a Location,
    pub lot: &'a str,
    pub quantity: Quantity,
    /// Whether the quantity was reserved at `from` (and so leaves the reservation too).
    pub reserved: bool,
    /// The line is already stored done (with its date); otherwise it is marked so here.
    pub stored_done: bool,
    pub date: time::Date,
    pub unit_cost: Option<UnitPrice>,
    pub origin: Option<DocRef>,
}

fn add_day(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    line: &DoneLine<'_>,
    location: LocationId,
    qty_in: i64,
    qty_out: i64,
) -> Result<()> {
    tx.execute(
        "insert into inventory_stock_day (company_id, product_id, location_id, lot_id, day, qty_in, qty_out)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (company_id, product_id, location_id, lot_id, day) do update
         set qty_in = inventory_stock_day.qty_in + excluded.qty_in, qty_out = inventory_stock_day.qty_out + excluded.qty_out",
        &[&ctx.company(), &line.product.id, &location, &line.lot, &kernel::clock::format_date(line.date), &qty_in, &qty_out],
    )?;
    Ok(())
}

/// Moves the quantity: out of `from`, into `to` (quants of valued locations only), daily
/// totals, the valuation layer, the line marked done with its value, and `StockMoved`.
/// Returns the line's value (fen, signed).
pub(crate) fn post_line(tx: &mut Tx<'_>, ctx: &Ctx, line: &DoneLine<'_>) -> Result<i64> {
    let q = line.quantity.scaled();
    if q <= 0 {
        return Err(Error::field("quantity", "inventory.quantity_invalid"));
    }
    if line.from.kind.is_valued() {
        let released = if line.reserved { q } else { 0 };
        // Taking unreserved stock must leave what others reserved.
        let taken = tx.execute(
            "update inventory_quant set quantity = quantity - $1, reserved = reserved - $2
             where company_id = $3 and product_id = $4 and location_id = $5 and lot_id = $6
               and quantity - reserved - $1 + $2 >= 0",
            &[&q, &released, &ctx.company(), &line.product.id, &line.from.id, &line.lot],
        )? == 1;
        if !taken {
            if !crate::location::negative_allowed(tx, ctx, line.from.id, &line.product.id)? {
                return Err(insufficient(&line.product.code, &line.from.path));
            }
            tx.execute(
                "insert into inventory_quant (company_id, product_id, location_id, lot_id, quantity, reserved)
                 values ($1, $2, $3, $4, $5, 0)
                 on conflict (company_id, product_id, location_id, lot_id) do update
                 set quantity = inventory_quant.quantity + excluded.quantity, reserved = inventory_quant.reserved - $6",
                &[&ctx.company(), &line.product.id, &line.from.id, &line.lot, &-q, &released],
            )?;
        }
        add_day(tx, ctx, line, line.from.id, 0, q)?;
    }
    if line.to.kind.is_valued() {
        tx.execute(
            "insert into inventory_quant (company_id, product_id, location_id, lot_id, quantity, reserved)
             values ($1, $2, $3, $4, $5, 0)
             on conflict (company_id, product_id, location_id, lot_id) do update
             set quantity = inventory_quant.quantity + excluded.quantity",
            &[&ctx.company(), &line.product.id, &line.to.id, &line.lot, &q],
        )?;
        if line.product.tracking == Tracking::Serial && !line.lot.is_empty() {
            let in_stock: i64 = tx.scalar(
                "select coalesce(sum(q.quantity), 0) from inventory_quant q join inventory_location l on l.id = q.location_id
                 where q.company_id = $1 and q.product_id = $2 and q.lot_id = $3 and l.kind in ('internal', 'transit')",
                &[&ctx.company(), &line.product.id, &line.lot],
            )?;
            if in_stock > Quantity::ONE {
                return Err(Error::field("lot", "inventory.serial_in_stock"));
            }
        }
        add_day(tx, ctx, line, line.to.id, q, 0)?;
    }
    let date = kernel::clock::format_date(line.date);
    let signed = match (line.from.kind.is_valued(), line.to.kind.is_valued()) {
        (false, true) => Some(line.quantity),
        (true, false) => Some(Quantity::from_scaled(-q)),
        _ => None,
    };
    let mut value = 0;
    if let Some(quantity) = signed {
        let recorded = valuation::record(
            tx,
            ctx,
            &NewLayer {
                product_id: &line.product.id,
                costing: line.product.costing,
                line_id: line.line_id,
                date: &date,
                quantity,
                unit_cost: line.unit_cost,
            },
        )?;
        value = recorded.value;
        if let Some(revalued) = recorded.revalued {
            tx.publish(ctx, &revalued)?;
        }
    }
    if !line.stored_done {
        tx.execute("update inventory_move_line set state = 'done', date = $1 where id = $2", &[&date, &line.line_id])?;
    }
    tx.publish(
        ctx,
        &StockMoved {
            line_id: line.line_id.to_string(),
            picking_id: line.picking_id.to_string(),
            product_id: line.product.id.clone(),
            from_kind: line.from.kind,
            to_kind: line.to.kind,
            quantity: line.quantity,
            value,
            date: line.date,
            origin: line.origin.clone(),
        },
    )?;
    Ok(value)
}

pub(crate) fn insufficient(product: &str, location: &str) -> Error {
    Error::conflict("inventory.insufficient_stock").with_param("product", product).with_param("location", location)
}

/// What a product's stock is worth: quantity (scaled), value (fen) and the unit cost of the
/// latest receipt (6 decimals) — for costing it elsewhere (a BOM's cost roll-up).
pub fn stock_cost(tx: &mut Tx<'_>, ctx: &Ctx, product_id: &str) -> Result<(i64, i64, i64)> {
    Ok(tx
        .query_opt(
            "select quantity, value, last_unit_cost from inventory_product where company_id = $1 and product_id = $2",
            &[&ctx.company(), &product_id],
        )?
        .map(|r| Ok::<_, Error>((r.get(0)?, r.get(1)?, r.get(2)?)))
        .transpose()?
        .unwrap_or((0, 0, 0)))
}
