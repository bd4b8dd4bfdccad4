//! What material planning (MRP) needs to know of the warehouse, read in three whole-company
//! queries: usable stock on hand, the open stock documents that will bring goods in or take
//! them out (purchase receipts, sales deliveries, returns) and the safety stock of the reorder
//! rules. Stock of a lot on quality hold is not usable and is left out.

use kernel::db::Tx;
use kernel::{Ctx, Result};

use crate::permissions::STOCK_READ;

/// An open stock document's move that crosses the company's walls: goods coming in (a
/// receipt, `incoming`) or going out (a delivery).
#[derive(Clone, Debug)]
pub struct OpenMove {
    pub product_id: String,
    /// The document's scheduled date (YYYY-MM-DD…).
    pub date: String,
    /// Scaled by 10^4.
    pub quantity: i64,
    pub incoming: bool,
    /// What the document is for (e.g. `sales.order`), else the stock document itself.
    pub origin_kind: String,
    pub origin_id: String,
    /// The stock document's number, to show whom the quantity is for.
    pub number: String,
}

/// Usable stock per product in internal locations (scaled 10^4), lots on hold left out.
pub fn usable_stock(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<(String, i64)>> {
    ctx.require(STOCK_READ)?;
    tx.query(
        "select q.product_id, sum(q.quantity) from inventory_quant q
         join inventory_location l on l.id = q.location_id
         left join inventory_lot t on t.id = q.lot_id
         where q.company_id = $1 and l.kind = 'internal' and (t.id is null or t.held = 0)
         group by q.product_id",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| Ok((r.get(0)?, r.get(1)?)))
    .collect()
}

/// Open moves (draft, waiting or ready) between an internal location and the outside world.
pub fn open_moves(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<OpenMove>> {
    ctx.require(STOCK_READ)?;
    tx.query(
        "select m.product_id, p.scheduled_date, m.quantity, case when t.kind = 'internal' then 1 else 0 end,
                coalesce(p.origin_kind, 'inventory.picking'), coalesce(p.origin_id, p.id), p.number
         from inventory_move m
         join inventory_picking p on p.id = m.picking_id
         join inventory_location f on f.id = m.from_location_id
         join inventory_location t on t.id = m.to_location_id
         where m.company_id = $1 and m.state in ('draft', 'waiting', 'ready')
           and ((f.kind = 'internal' and t.kind in ('customer', 'supplier'))
             or (t.kind = 'internal' and f.kind in ('customer', 'supplier')))",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| {
        Ok(OpenMove {
            product_id: r.get(0)?,
            date: r.get(1)?,
            quantity: r.get(2)?,
            incoming: r.get::<i64>(3)? == 1,
            origin_kind: r.get(4)?,
            origin_id: r.get(5)?,
            number: r.get(6)?,
        })
    })
    .collect()
}

/// Safety stock per product: the reorder rules' minimum plus safety quantity, over all
/// locations (scaled 10^4).
pub fn safety_stock(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<(String, i64)>> {
    ctx.require(STOCK_READ)?;
    tx.query(
        "select product_id, sum(min_qty + safety_qty) from inventory_reorder_rule where company_id = $1 group by product_id",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| Ok((r.get(0)?, r.get(1)?)))
    .collect()
}
