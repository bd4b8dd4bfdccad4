//! Traceability (批次追溯). When a work order receives finished goods under a lot, the lots of
//! the components issued to it are linked to that lot. Backward, a finished lot leads to every
//! component lot (through sub-assemblies) and the supplier receipt it came in by; forward, a
//! component lot leads to every finished lot made from it and every customer delivery of those
//! — the recall list, one recursive query.

use kernel::db::{ToValue, Tx};
use kernel::{Ctx, Error, Result};
use serde::Serialize;

use crate::permissions::READ;

/// Links the lots issued to a work order with the finished lots or serials (codes of its
/// `product`) that one receipt brought in: the components are read once for all of them. The
/// order's own receipts, of its product, are not components.
pub(crate) fn link_lots(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    work_order: &str,
    product: &str,
    finished_codes: &[String],
) -> Result<()> {
    if finished_codes.is_empty() {
        return Ok(());
    }
    let issued: Vec<String> = tx
        .query(
            "select distinct ml.lot_id
             from inventory_picking p join inventory_move m on m.picking_id = p.id join inventory_move_line ml on ml.move_id = m.id
             where p.company_id = $1 and p.origin_kind = 'production.work_order' and p.origin_id = $2
               and ml.state = 'done' and ml.lot_id <> '' and ml.product_id <> $3",
            &[&ctx.company(), &work_order, &product],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect::<Result<_>>()?;
    if issued.is_empty() {
        return Ok(());
    }
    let company = ctx.company().to_string();
    for codes in finished_codes.chunks(500) {
        let marks =
            |from: usize, count: usize| (from..from + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let mut params: Vec<&dyn ToValue> = vec![&company, &product, &work_order];
        params.extend(codes.iter().map(|c| c as &dyn ToValue));
        params.extend(issued.iter().map(|c| c as &dyn ToValue));
        // Every (finished, component) pair of the chunk in one statement.
        tx.execute(
            &format!(
                "insert into production_lot_link (company_id, finished_lot_id, component_lot_id, work_order_id)
                 select t.company_id, t.id, c.id, $3 from inventory_lot t join inventory_lot c on c.company_id = t.company_id
                 where t.company_id = $1 and t.product_id = $2 and t.code in ({}) and c.id in ({})
                 on conflict do nothing",
                marks(4, codes.len()),
                marks(4 + codes.len(), issued.len()),
            ),
            &params,
        )?;
    }
    Ok(())
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TraceLine {
    /// How many links away from the lot asked about (1: directly).
    pub depth: i64,
    pub lot: String,
    pub product_code: String,
    /// The stock document: the supplier receipt (backward) or the customer delivery (forward).
    pub document: Option<String>,
    pub partner_id: Option<String>,
    pub partner_name: Option<String>,
    pub date: Option<String>,
}

fn lot_id(tx: &mut Tx<'_>, ctx: &Ctx, code: &str) -> Result<String> {
    tx.query_opt("select id from inventory_lot where company_id = $1 and code = $2", &[&ctx.company(), &code.trim()])?
        .map(|r| r.get(0))
        .transpose()?
        .ok_or_else(|| Error::field("lot", "production.lot_unknown"))
}

fn lines(tx: &mut Tx<'_>, sql: &str, params: &[&dyn kernel::db::ToValue]) -> Result<Vec<TraceLine>> {
    tx.query(sql, params)?
        .iter()
        .map(|r| {
            Ok(TraceLine {
                depth: r.get(0)?,
                lot: r.get(1)?,
                product_code: r.get(2)?,
                document: r.get(3)?,
                partner_id: r.get(4)?,
                partner_name: r.get(5)?,
                date: r.get(6)?,
            })
        })
        .collect()
}

/// The lots reached from one lot through the links, with the stock documents of `kind`
/// (receipt or delivery) that moved them: `direction` names the link columns to follow.
fn walk(tx: &mut Tx<'_>, ctx: &Ctx, lot: &str, (from, to): (&str, &str), kind: &str) -> Result<Vec<TraceLine>> {
    let id = lot_id(tx, ctx, lot)?;
    lines(
        tx,
        &format!(
            // `|| ''` keeps the planner on the path: the company is checked on each link, not
            // used to walk an index (that scanned every link of the company at each step), and
            // the lots are looked up from what was reached (not all lots scanned against it).
            "with recursive reached(lot_id, depth) as (
                 select {to}, 1 from production_lot_link where company_id || '' = $1 and {from} = $2
                 union
                 select l.{to}, r.depth + 1 from reached r join production_lot_link l on l.{from} = r.lot_id
                 where l.company_id || '' = $1 and r.depth < 50
             )
             select min(reached.depth), lot.code, pr.code, pk.number, pk.partner_id, pp.name, pk.done_date
             from reached join inventory_lot lot on lot.id = reached.lot_id || '' join product_product pr on pr.id = lot.product_id
             left join inventory_move_line ml on ml.company_id = $1 and ml.lot_id = reached.lot_id and ml.state = 'done'
               and exists (select 1 from inventory_move dm join inventory_picking dp on dp.id = dm.picking_id
                           where dm.id = ml.move_id and dp.kind = $3)
             left join inventory_move m on m.id = ml.move_id
             left join inventory_picking pk on pk.id = m.picking_id
             left join party_party pp on pp.id = pk.partner_id
             group by lot.code, pr.code, pk.number, pk.partner_id, pp.name, pk.done_date
             order by 1, 2, 4"
        ),
        &[&ctx.company(), &id, &kind],
    )
}

/// Backward: every component lot in a finished lot, at any depth, with the supplier receipt each
/// came in by (none for lots made here).
pub fn backward(tx: &mut Tx<'_>, ctx: &Ctx, lot: &str) -> Result<Vec<TraceLine>> {
    ctx.require(READ)?;
    walk(tx, ctx, lot, ("finished_lot_id", "component_lot_id"), "receipt")
}

/// Forward (the recall list): every finished lot made from a component lot, at any depth, and
/// every customer delivery of them — one recursive query.
pub fn forward(tx: &mut Tx<'_>, ctx: &Ctx, lot: &str) -> Result<Vec<TraceLine>> {
    ctx.require(READ)?;
    walk(tx, ctx, lot, ("component_lot_id", "finished_lot_id"), "delivery")
}
