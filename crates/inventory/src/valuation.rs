//! Perpetual valuation per product, by moving average or FIFO. Every done line that enters or
//! leaves valued stock (internal and transit locations) makes a valuation layer; the product's
//! totals (`inventory_product`) and daily totals (`inventory_value_day`) move with it in the
//! same transaction, so Σ layers = stock value at every moment.
//!
//! A line entered with a past date is placed in the product's history by (date, id) and only
//! that product's later layers are revalued: moving average replays from the new layer on;
//! FIFO re-runs the product's consumption in memory and rewrites only what changed.

use kernel::db::Tx;
use kernel::money::div_round_half_up;
use kernel::{Ctx, Currency, Error, Quantity, Result, UnitPrice};

use crate::events::StockRevalued;

/// How a product's outgoing stock is valued (from the product master).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Costing {
    Average,
    Fifo,
}

impl Costing {
    pub fn parse(code: &str) -> Costing {
        if code == "fifo" { Costing::Fifo } else { Costing::Average }
    }
}

/// Value (fen) of a quantity at a unit cost, half-up.
pub fn value_of(quantity: Quantity, unit_cost: UnitPrice) -> Result<i64> {
    Ok(unit_cost.times(quantity, Currency::CNY)?.minor())
}

fn ratio(value: i64, numerator: i64, denominator: i64) -> i64 {
    i64::try_from(div_round_half_up(i128::from(value) * i128::from(numerator), i128::from(denominator)))
        .unwrap_or(i64::MAX)
}

/// One layer as the replay sees it. Quantities are scaled (4 decimals), values fen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer {
    pub id: String,
    pub quantity: i64,
    pub value: i64,
    /// Incoming layers with a price keep their value; others follow the running cost.
    pub priced: bool,
    pub remaining_qty: i64,
    pub remaining_value: i64,
}

/// The running state of one product's valuation.
#[derive(Clone, Debug, Default)]
pub struct Running {
    pub quantity: i64,
    pub value: i64,
    /// The unit cost of the last incoming layer, for stock that goes below zero.
    pub last_unit_cost: i64,
}

impl Running {
    /// What taking `out` (scaled, > 0) out of stock is worth under moving average.
    fn average_out(&self, out: i64) -> i64 {
        if self.quantity <= 0 {
            ratio(self.last_unit_cost, out, 100_000_000)
        } else if out == self.quantity {
            self.value
        } else if out < self.quantity {
            ratio(self.value, out, self.quantity)
        } else {
            self.value + ratio(self.value, out - self.quantity, self.quantity)
        }
    }

    /// The running unit cost (for layers without a price).
    fn unit_cost(&self) -> i64 {
        if self.quantity > 0 { ratio(self.value, 100_000_000, self.quantity) } else { self.last_unit_cost }
    }
}

/// Values `layers` in order after `running`: incoming layers add their value (unpriced ones
/// at the running cost), outgoing ones take theirs by the method; FIFO consumes the open
/// incoming layers, starting with the open ones before `first` (oldest first). Returns the
/// indexes of layers whose value or remainder changed.
pub fn replay(costing: Costing, running: &mut Running, layers: &mut [Layer], first: usize) -> Vec<usize> {
    let mut changed = Vec::new();
    // FIFO queue: indexes of incoming layers with something left, in order.
    let mut queue: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
    if costing == Costing::Fifo {
        for (i, layer) in layers.iter().enumerate().take(first) {
            if layer.quantity > 0 && layer.remaining_qty > 0 {
                queue.push_back(i);
            }
        }
    }
    for i in first..layers.len() {
        let before = layers[i].clone();
        if layers[i].quantity > 0 {
            if !layers[i].priced {
                layers[i].value = ratio(running.unit_cost(), layers[i].quantity, 100_000_000);
            }
            running.last_unit_cost = ratio(layers[i].value, 100_000_000, layers[i].quantity);
            if costing == Costing::Fifo {
                layers[i].remaining_qty = layers[i].quantity;
                layers[i].remaining_value = layers[i].value;
                queue.push_back(i);
            }
        } else {
            let out = -layers[i].quantity;
            let value = match costing {
                Costing::Average => running.average_out(out),
                Costing::Fifo => {
                    let mut left = out;
                    let mut value = 0;
                    while left > 0 {
                        let Some(&front) = queue.front() else { break };
                        let layer = &mut layers[front];
                        let take = left.min(layer.remaining_qty);
                        let taken = if take == layer.remaining_qty {
                            layer.remaining_value
                        } else {
                            ratio(layer.remaining_value, take, layer.remaining_qty)
                        };
                        layer.remaining_qty -= take;
                        layer.remaining_value -= taken;
                        value += taken;
                        left -= take;
                        if layer.remaining_qty == 0 {
                            queue.pop_front();
                        }
                        if !changed.contains(&front) {
                            changed.push(front);
                        }
                    }
                    // Below zero: the rest at the last incoming cost.
                    value + ratio(running.last_unit_cost, left, 100_000_000)
                }
            };
            layers[i].value = -value;
        }
        running.quantity += layers[i].quantity;
        running.value += layers[i].value;
        if layers[i] != before && !changed.contains(&i) {
            changed.push(i);
        }
    }
    changed
}

/// A layer about to be recorded for a done line.
pub(crate) struct NewLayer<'a> {
    pub product_id: &'a str,
    pub costing: Costing,
    pub line_id: &'a str,
    pub date: &'a str,
    /// Signed: positive into valued stock.
    pub quantity: Quantity,
    /// Incoming at this cost; `None` values it at the running cost.
    pub unit_cost: Option<UnitPrice>,
}

/// What recording a layer did.
pub(crate) struct Recorded {
    pub value: i64,
    pub revalued: Option<StockRevalued>,
}

struct LayerRow {
    layer: Layer,
    date: String,
}

fn load_layers(tx: &mut Tx<'_>, ctx: &Ctx, product: &str, after: Option<(&str, &str)>) -> Result<Vec<LayerRow>> {
    let (date, id) = after.unwrap_or(("", ""));
    tx.query(
        "select id, quantity, value, priced, remaining_qty, remaining_value, date from inventory_valuation_layer
         where company_id = $1 and product_id = $2 and (date > $3 or (date = $3 and id >= $4))
         order by date, id",
        &[&ctx.company(), &product, &date, &id],
    )?
    .iter()
    .map(|r| {
        Ok(LayerRow {
            layer: Layer {
                id: r.get(0)?,
                quantity: r.get(1)?,
                value: r.get(2)?,
                priced: r.get(3)?,
                remaining_qty: r.get(4)?,
                remaining_value: r.get(5)?,
            },
            date: r.get(6)?,
        })
    })
    .collect()
}

fn add_value_day(tx: &mut Tx<'_>, ctx: &Ctx, product: &str, day: &str, quantity: i64, value: i64) -> Result<()> {
    let (qty_in, qty_out) = if quantity >= 0 { (quantity, 0) } else { (0, -quantity) };
    let (value_in, value_out) = if quantity >= 0 { (value, 0) } else { (0, -value) };
    tx.execute(
        "insert into inventory_value_day (company_id, product_id, day, qty_in, qty_out, value_in, value_out)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (company_id, product_id, day) do update set qty_in = inventory_value_day.qty_in + excluded.qty_in,
             qty_out = inventory_value_day.qty_out + excluded.qty_out, value_in = inventory_value_day.value_in + excluded.value_in,
             value_out = inventory_value_day.value_out + excluded.value_out",
        &[&ctx.company(), &product, &day, &qty_in, &qty_out, &value_in, &value_out],
    )?;
    Ok(())
}

/// The product's totals now, and the date of its latest layer.
fn product_totals(tx: &mut Tx<'_>, ctx: &Ctx, product: &str) -> Result<(Running, String)> {
    let row = tx.query_opt(
        "select quantity, value, last_unit_cost, last_date from inventory_product where company_id = $1 and product_id = $2",
        &[&ctx.company(), &product],
    )?;
    Ok(match row {
        Some(r) => (Running { quantity: r.get(0)?, value: r.get(1)?, last_unit_cost: r.get(2)? }, r.get(3)?),
        None => (Running::default(), String::new()),
    })
}

/// Records the layer of a done line and returns its value; a back-dated line revalues the
/// product's later layers.
pub(crate) fn record(tx: &mut Tx<'_>, ctx: &Ctx, new: &NewLayer<'_>) -> Result<Recorded> {
    let id = kernel::id::Uuid::now_v7().to_string();
    let (mut running, last_date) = product_totals(tx, ctx, new.product_id)?;
    let backdated = new.date < last_date.as_str();
    let quantity = new.quantity.scaled();
    // The value as if it came last; a back-dated layer is corrected by the replay below.
    let mut layers = Vec::new();
    let first = if new.costing == Costing::Fifo && quantity < 0 && !backdated {
        // Forward FIFO: only the open layers matter.
        for r in tx.query(
            "select id, quantity, value, priced, remaining_qty, remaining_value from inventory_valuation_layer
             where company_id = $1 and product_id = $2 and open = 1 order by date, id",
            &[&ctx.company(), &new.product_id],
        )? {
            layers.push(Layer {
                id: r.get(0)?,
                quantity: r.get(1)?,
                value: r.get(2)?,
                priced: r.get(3)?,
                remaining_qty: r.get(4)?,
                remaining_value: r.get(5)?,
            });
        }
        layers.len()
    } else {
        0
    };
    let value = match new.unit_cost {
        Some(cost) if quantity > 0 => value_of(new.quantity, cost)?,
        _ => 0,
    };
    layers.push(Layer {
        id: id.clone(),
        quantity,
        value,
        priced: new.unit_cost.is_some() && quantity > 0,
        remaining_qty: 0,
        remaining_value: 0,
    });
    let changed = replay(new.costing, &mut running, &mut layers, first);
    let Some(mine) = layers.pop() else { return Err(Error::internal("valuation layer lost")) };
    for i in changed.into_iter().filter(|&i| i < layers.len()) {
        let l = &layers[i];
        tx.execute(
            "update inventory_valuation_layer set remaining_qty = $1, remaining_value = $2, open = $3 where id = $4",
            &[&l.remaining_qty, &l.remaining_value, &(l.remaining_qty > 0), &l.id],
        )?;
    }
    let open = new.costing == Costing::Fifo && mine.remaining_qty > 0;
    tx.execute(
        "insert into inventory_valuation_layer (id, company_id, product_id, line_id, date, quantity, value, remaining_qty,
             remaining_value, open, priced, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        &[
            &id,
            &ctx.company(),
            &new.product_id,
            &new.line_id,
            &new.date,
            &quantity,
            &mine.value,
            &mine.remaining_qty,
            &mine.remaining_value,
            &open,
            &mine.priced,
            &ctx.now_text(),
        ],
    )?;
    let unit_cost = if quantity > 0 { ratio(mine.value, 100_000_000, quantity) } else { 0 };
    // SET expressions all read the row as it was.
    tx.execute(
        "insert into inventory_product (company_id, product_id, quantity, value, last_date, last_unit_cost)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (company_id, product_id) do update set quantity = inventory_product.quantity + excluded.quantity,
             value = inventory_product.value + excluded.value,
             last_unit_cost = case when excluded.quantity > 0 and excluded.last_date >= inventory_product.last_date
                                   then excluded.last_unit_cost else inventory_product.last_unit_cost end,
             last_date = case when excluded.last_date > inventory_product.last_date
                              then excluded.last_date else inventory_product.last_date end",
        &[&ctx.company(), &new.product_id, &quantity, &mine.value, &new.date, &unit_cost],
    )?;
    add_value_day(tx, ctx, new.product_id, new.date, quantity, mine.value)?;
    if !backdated {
        return Ok(Recorded { value: mine.value, revalued: None });
    }
    let (value, revalued) = revalue_after(tx, ctx, new.product_id, new.costing, new.date, &id)?;
    Ok(Recorded { value, revalued: Some(revalued) })
}

/// Replays a product's layers from (date, id) on and writes what changed: layer values and
/// remainders, the lines' values, daily totals and the product's value. Returns the value of
/// the layer at (date, id) and what changed.
fn revalue_after(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    product: &str,
    costing: Costing,
    date: &str,
    id: &str,
) -> Result<(i64, StockRevalued)> {
    let (mut running, mut rows, first) = match costing {
        Costing::Average => {
            // The state just before the new layer, from the sums of everything before it.
            let before = tx.query_one(
                "select coalesce(sum(quantity), 0), coalesce(sum(value), 0) from inventory_valuation_layer
                 where company_id = $1 and product_id = $2 and (date < $3 or (date = $3 and id < $4))",
                &[&ctx.company(), &product, &date, &id],
            )?;
            let last = tx
                .query_opt(
                    "select quantity, value from inventory_valuation_layer where company_id = $1 and product_id = $2
                     and quantity > 0 and (date < $3 or (date = $3 and id < $4)) order by date desc, id desc limit 1",
                    &[&ctx.company(), &product, &date, &id],
                )?
                .map(|r| Ok::<_, Error>(ratio(r.get(1)?, 100_000_000, r.get(0)?)))
                .transpose()?
                .unwrap_or(0);
            let running = Running { quantity: before.get(0)?, value: before.get(1)?, last_unit_cost: last };
            (running, load_layers(tx, ctx, product, Some((date, id)))?, 0)
        }
        // FIFO consumption depends on everything before: run the product's whole history.
        Costing::Fifo => {
            let rows = load_layers(tx, ctx, product, None)?;
            (Running::default(), rows, 0)
        }
    };
    let old: Vec<Layer> = rows.iter().map(|r| r.layer.clone()).collect();
    let mut layers: Vec<Layer> = old.clone();
    replay(costing, &mut running, &mut layers, first);
    let mut delta = 0;
    let mut count = 0;
    let mut mine = 0;
    // Value changes per day, written once per day at the end.
    let mut days: std::collections::BTreeMap<&str, (i64, i64)> = std::collections::BTreeMap::new();
    for (i, (before, after)) in old.iter().zip(&layers).enumerate() {
        if after.id == id {
            mine = after.value;
        }
        if before == after {
            continue;
        }
        count += 1;
        if costing == Costing::Average {
            // Moving average keeps no remainders: only the value changes.
            tx.execute("update inventory_valuation_layer set value = $1 where id = $2", &[&after.value, &after.id])?;
        } else {
            tx.execute(
                "update inventory_valuation_layer set value = $1, remaining_qty = $2, remaining_value = $3, open = $4 where id = $5",
                &[&after.value, &after.remaining_qty, &after.remaining_value, &(after.remaining_qty > 0), &after.id],
            )?;
        }
        if before.value != after.value {
            let change = after.value - before.value;
            delta += change;
            let day = days.entry(rows[i].date.as_str()).or_default();
            if after.quantity >= 0 {
                day.0 += change;
            } else {
                day.1 -= change;
            }
        }
    }
    for (day, (value_in, value_out)) in days {
        tx.execute(
            "update inventory_value_day set value_in = value_in + $1, value_out = value_out + $2
             where company_id = $3 and product_id = $4 and day = $5",
            &[&value_in, &value_out, &ctx.company(), &product, &day],
        )?;
    }
    rows.clear();
    // The new layer was recorded at its provisional value; the product total follows the replay.
    tx.execute(
        "update inventory_product set value = value + $1 where company_id = $2 and product_id = $3",
        &[&delta, &ctx.company(), &product],
    )?;
    let mine_delta = layers.iter().find(|l| l.id == id).map(|l| l.value).unwrap_or(mine)
        - old.iter().find(|l| l.id == id).map(|l| l.value).unwrap_or(0);
    let day = kernel::clock::parse_date(date)?;
    Ok((mine, StockRevalued { product_id: product.to_string(), date: day, delta: delta - mine_delta, layers: count }))
}

/// Σ layers per product against the product's totals (an invariant). Both sides are read
/// grouped and compared in memory.
pub(crate) fn check_totals(tx: &mut Tx<'_>) -> Result<Vec<String>> {
    type Totals = std::collections::HashMap<(String, String), (i64, i64)>;
    let read = |tx: &mut Tx<'_>, sql: &str| -> Result<Totals> {
        tx.query(sql, &[])?.iter().map(|r| Ok(((r.get(0)?, r.get(1)?), (r.get(2)?, r.get(3)?)))).collect()
    };
    let products = read(tx, "select company_id, product_id, quantity, value from inventory_product")?;
    let layers = read(
        tx,
        "select company_id, product_id, sum(quantity), sum(value) from inventory_valuation_layer group by company_id, product_id",
    )?;
    let keys: std::collections::BTreeSet<_> = products.keys().chain(layers.keys()).collect();
    Ok(keys
        .into_iter()
        .filter_map(|key| {
            let (p, l) = (products.get(key).copied().unwrap_or((0, 0)), layers.get(key).copied().unwrap_or((0, 0)));
            (p != l).then(|| {
                format!(
                    "company {} product {}: totals {} / {} fen, layers {} / {} fen",
                    key.0,
                    key.1,
                    Quantity::from_scaled(p.0),
                    p.1,
                    Quantity::from_scaled(l.0),
                    l.1
                )
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(quantity: i64, value: i64) -> Layer {
        Layer {
            id: String::new(),
            quantity: quantity * 10_000,
            value,
            priced: quantity > 0,
            remaining_qty: 0,
            remaining_value: 0,
        }
    }

    #[test]
    fn moving_average_worked_example() {
        // In 10 @ 10.00, in 10 @ 12.00 → average 11.00; out 5 = 55.00; in 5 @ 14.00 → 20 units
        // worth 165 + 70 = 235.00; out 20 = 235.00.
        let mut layers = vec![layer(10, 10_000), layer(10, 12_000), layer(-5, 0), layer(5, 7_000), layer(-20, 0)];
        let mut running = Running::default();
        replay(Costing::Average, &mut running, &mut layers, 0);
        assert_eq!(layers[2].value, -5_500);
        assert_eq!(layers[4].value, -23_500);
        assert_eq!((running.quantity, running.value), (0, 0));
    }

    #[test]
    fn average_rounds_half_up_and_clears_to_zero() {
        // 3 units worth 10.00: one out is 3.33, the next 3.33, the last the remaining 3.34.
        let mut layers = vec![layer(3, 1_000), layer(-1, 0), layer(-1, 0), layer(-1, 0)];
        let mut running = Running::default();
        replay(Costing::Average, &mut running, &mut layers, 0);
        assert_eq!([layers[1].value, layers[2].value, layers[3].value], [-333, -334, -333]);
        assert_eq!(running.value, 0);
    }

    #[test]
    fn fifo_worked_example() {
        // In 10 @ 10.00, in 10 @ 12.00; out 15 = 100 + 60 = 160.00; out 5 = 60.00.
        let mut layers = vec![layer(10, 10_000), layer(10, 12_000), layer(-15, 0), layer(-5, 0)];
        let mut running = Running::default();
        replay(Costing::Fifo, &mut running, &mut layers, 0);
        assert_eq!(layers[2].value, -16_000);
        assert_eq!(layers[3].value, -6_000);
        assert_eq!((layers[0].remaining_qty, layers[1].remaining_qty), (0, 0));
        assert_eq!(running.value, 0);
    }

    #[test]
    fn below_zero_takes_the_last_cost() {
        let mut layers = vec![layer(2, 2_000), layer(-3, 0), layer(1, 1_000)];
        let mut running = Running::default();
        replay(Costing::Average, &mut running, &mut layers, 0);
        assert_eq!(layers[1].value, -3_000);
        assert_eq!((running.quantity, running.value), (0, 0));
    }

    #[test]
    fn value_rounds_half_up_to_the_fen() {
        let q = Quantity::units(3).unwrap();
        assert_eq!(value_of(q, UnitPrice::from_scaled(3_333_333)).unwrap(), 1_000);
        assert_eq!(value_of(q, UnitPrice::from_scaled(3_331_666)).unwrap(), 999);
    }
}
