//! Cost roll-up (成本卷算): what a lot of a product costs from its BOM and routing — each
//! material at its stock valuation (average or FIFO value on hand; the latest receipt's cost
//! when none is on hand), each made sub-assembly rolled up the same way at its own BOM's lot
//! size, phantom kits through their components; each operation's setup and run minutes at its
//! work center's labour and machine rates, plus the center's overhead. Amounts are fen, each
//! rounded half-up once.

use kernel::db::Tx;
use kernel::{Ctx, Error, Result};
use serde::Serialize;

use crate::bom::{Bom, bom_on, product_id, qty_text, yuan};
use crate::explode::needed;
use crate::permissions::READ;
use crate::routing::{routing_of, work_center};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MaterialCost {
    pub code: String,
    pub quantity: String,
    pub amount: String,
    /// stock (valuation on hand), last_receipt, rolled_up (made here), phantom, or none.
    pub source: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OperationCost {
    pub name: String,
    pub work_center: String,
    pub minutes: String,
    pub labour: String,
    pub machine: String,
    pub overhead: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CostRollup {
    pub product_id: String,
    pub quantity: String,
    pub materials: String,
    pub labour: String,
    pub machine: String,
    pub overhead: String,
    pub total: String,
    /// Total ÷ quantity, 2 decimals.
    pub unit_cost: String,
    pub material_lines: Vec<MaterialCost>,
    pub operations: Vec<OperationCost>,
}

fn div(numerator: i128, denominator: i128) -> i64 {
    if denominator == 0 {
        return 0;
    }
    i64::try_from(kernel::money::div_round_half_up(numerator, denominator)).unwrap_or(i64::MAX)
}

/// (materials, labour, machine, overhead) in fen for `quantity` (scaled) of a product with `bom`.
struct Totals {
    materials: i64,
    labour: i64,
    machine: i64,
    overhead: i64,
    lines: Vec<MaterialCost>,
    operations: Vec<OperationCost>,
}

fn roll(tx: &mut Tx<'_>, ctx: &Ctx, product: &str, bom: &Bom, quantity: i64, date: &str, depth: u32) -> Result<Totals> {
    if depth > 50 {
        return Err(Error::invalid("production.bom_cycle"));
    }
    let mut t = Totals { materials: 0, labour: 0, machine: 0, overhead: 0, lines: Vec::new(), operations: Vec::new() };
    for line in bom.lines.iter().filter(|l| !l.byproduct) {
        let q = needed(quantity, line.quantity_scaled, bom.quantity_scaled, line.scrap_bp);
        let (amount, source) = match bom_on(tx, ctx, &line.component_id, date)? {
            Some(sub) if sub.kind == "phantom" => {
                let inner = roll(tx, ctx, &line.component_id, &sub, q, date, depth + 1)?;
                (inner.materials + inner.labour + inner.machine + inner.overhead, "phantom")
            }
            Some(sub) => {
                // Made here: its cost per unit at its own lot size, times what is needed.
                let lot = roll(tx, ctx, &line.component_id, &sub, sub.quantity_scaled, date, depth + 1)?;
                let lot_total = lot.materials + lot.labour + lot.machine + lot.overhead;
                (div(i128::from(lot_total) * i128::from(q), i128::from(sub.quantity_scaled)), "rolled_up")
            }
            None => {
                let (on_hand, value, last) = inventory::stock::stock_cost(tx, ctx, &line.component_id)?;
                if on_hand > 0 {
                    (div(i128::from(value) * i128::from(q), i128::from(on_hand)), "stock")
                } else if last > 0 {
                    // Unit cost has 6 decimals of a yuan; quantities 4: fen = q × cost ÷ 10^8.
                    (div(i128::from(q) * i128::from(last), 100_000_000), "last_receipt")
                } else {
                    (0, "none")
                }
            }
        };
        t.materials += amount;
        t.lines.push(MaterialCost {
            code: line.component_code.clone(),
            quantity: qty_text(q),
            amount: yuan(amount),
            source: source.into(),
        });
    }
    if let Some(routing) = routing_of(tx, ctx, product)? {
        for op in &routing.operations {
            let center = work_center(tx, ctx, &op.work_center_id)?;
            // Minutes (scaled 10^4): setup once, run per unit.
            let minutes = i128::from(op.setup_scaled) + i128::from(op.run_scaled) * i128::from(quantity) / 10_000;
            let labour = div(minutes * i128::from(center.labour_fen), 60 * 10_000);
            let machine = div(minutes * i128::from(center.machine_fen), 60 * 10_000);
            let overhead = div(i128::from(labour + machine) * i128::from(center.overhead_bp), 10_000);
            t.labour += labour;
            t.machine += machine;
            t.overhead += overhead;
            t.operations.push(OperationCost {
                name: op.name.clone(),
                work_center: center.code.clone(),
                minutes: qty_text(i64::try_from(minutes).unwrap_or(i64::MAX)),
                labour: yuan(labour),
                machine: yuan(machine),
                overhead: yuan(overhead),
            });
        }
    }
    Ok(t)
}

/// The standard cost (fen) of `quantity` of a product made by `bom`, today: the roll-up.
pub(crate) fn standard_cost(tx: &mut Tx<'_>, ctx: &Ctx, product: &str, bom: &Bom, quantity: i64) -> Result<i64> {
    let t = roll(tx, ctx, product, bom, quantity, &kernel::clock::format_date(ctx.today()), 0)?;
    Ok(t.materials + t.labour + t.machine + t.overhead)
}

/// The cost of `quantity` of a product (its BOM's lot size by default) on `date` (today).
pub fn roll_up(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    product: &str,
    quantity: Option<&str>,
    date: Option<&str>,
) -> Result<CostRollup> {
    ctx.require(READ)?;
    let id = product_id(tx, ctx, product, "product")?;
    let date = match date.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => kernel::clock::format_date(
            kernel::clock::parse_date(d).map_err(|_| Error::field("date", "production.date_invalid"))?,
        ),
        None => kernel::clock::format_date(ctx.today()),
    };
    let bom = bom_on(tx, ctx, &id, &date)?.ok_or_else(|| Error::field("product", "production.no_bom"))?;
    let quantity = match quantity.map(str::trim).filter(|q| !q.is_empty()) {
        Some(q) => q
            .parse::<kernel::Quantity>()
            .ok()
            .map(|q| q.scaled())
            .filter(|q| *q > 0)
            .ok_or_else(|| Error::field("quantity", "production.quantity_invalid"))?,
        None => bom.quantity_scaled,
    };
    let t = roll(tx, ctx, &id, &bom, quantity, &date, 0)?;
    let total = t.materials + t.labour + t.machine + t.overhead;
    Ok(CostRollup {
        product_id: id,
        quantity: qty_text(quantity),
        materials: yuan(t.materials),
        labour: yuan(t.labour),
        machine: yuan(t.machine),
        overhead: yuan(t.overhead),
        total: yuan(total),
        unit_cost: yuan(div(i128::from(total) * 10_000, i128::from(quantity))),
        material_lines: t.lines,
        operations: t.operations,
    })
}
