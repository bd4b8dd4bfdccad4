//! What must hold of stock at every moment (run by `tiangong verify` and after scenario tests):
//! quants equal the done lines, reservations never exceed stock where stock may not go
//! negative, and Σ valuation layers equal each product's value.

use std::collections::HashMap;

use kernel::Quantity;
use kernel::db::Tx;
use kernel::invariant::Invariant;

type QuantKey = (String, String, String, String);

/// Grouped sums keyed by company, product, location and lot. Compared in memory: one pass over
/// each side, whatever the number of moves (a join of two aggregates is quadratic on SQLite).
fn sums(tx: &mut Tx<'_>, sql: &str) -> kernel::Result<HashMap<QuantKey, i64>> {
    tx.query(sql, &[])?.iter().map(|r| Ok(((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?), r.get(4)?))).collect()
}

/// Quants of valued (internal and transit) locations.
fn quants(tx: &mut Tx<'_>, column: &str) -> kernel::Result<HashMap<QuantKey, i64>> {
    sums(
        tx,
        &format!(
            "select q.company_id, q.product_id, q.location_id, q.lot_id, q.{column} from inventory_quant q
             join inventory_location l on l.id = q.location_id where l.kind in ('internal', 'transit')"
        ),
    )
}

fn describe(key: &QuantKey) -> String {
    format!("company {} product {} location {} lot '{}'", key.0, key.1, key.2, key.3)
}

fn on_hand_equals_moves(tx: &mut Tx<'_>) -> kernel::Result<Vec<String>> {
    let quants = quants(tx, "quantity")?;
    let into = sums(
        tx,
        "select l.company_id, l.product_id, l.to_location_id, l.lot_id, sum(l.quantity) from inventory_move_line l
         join inventory_location t on t.id = l.to_location_id
         where l.state = 'done' and t.kind in ('internal', 'transit') group by l.company_id, l.product_id, l.to_location_id, l.lot_id",
    )?;
    let out = sums(
        tx,
        "select l.company_id, l.product_id, l.from_location_id, l.lot_id, sum(l.quantity) from inventory_move_line l
         join inventory_location f on f.id = l.from_location_id
         where l.state = 'done' and f.kind in ('internal', 'transit') group by l.company_id, l.product_id, l.from_location_id, l.lot_id",
    )?;
    let mut moved: HashMap<QuantKey, i64> = into;
    for (key, quantity) in out {
        *moved.entry(key).or_default() -= quantity;
    }
    let mut problems = Vec::new();
    for key in quants.keys().chain(moved.keys()).collect::<std::collections::BTreeSet<_>>() {
        let (quant, moves) = (quants.get(key).copied().unwrap_or(0), moved.get(key).copied().unwrap_or(0));
        if quant != moves {
            problems.push(format!(
                "{}: quant {} but moves {}",
                describe(key),
                Quantity::from_scaled(quant),
                Quantity::from_scaled(moves)
            ));
        }
    }
    Ok(problems)
}

fn reservations_within_stock(tx: &mut Tx<'_>) -> kernel::Result<Vec<String>> {
    let on_hand = quants(tx, "quantity")?;
    let reserved = quants(tx, "reserved")?;
    let lines = sums(
        tx,
        "select company_id, product_id, from_location_id, lot_id, sum(quantity) from inventory_move_line
         where state = 'reserved' group by company_id, product_id, from_location_id, lot_id",
    )?;
    // Where stock may go below zero: the location, its warehouse, or the product says so.
    let negative: HashMap<(String, String, String), bool> = tx
        .query(
            "select q.company_id, q.product_id, q.location_id,
                    l.allow_negative + coalesce(w.allow_negative, 0) + coalesce(p.allow_negative, 0)
             from inventory_quant q join inventory_location l on l.id = q.location_id
             left join inventory_warehouse w on w.id = l.warehouse_id
             left join inventory_product p on p.company_id = q.company_id and p.product_id = q.product_id",
            &[],
        )?
        .iter()
        .map(|r| Ok(((r.get(0)?, r.get(1)?, r.get(2)?), r.get::<i64>(3)? > 0)))
        .collect::<kernel::Result<_>>()?;
    let mut problems = Vec::new();
    // Every valued quant has a `reserved` entry (zero or more), so this visits every quant.
    for key in reserved.keys().chain(lines.keys()).collect::<std::collections::BTreeSet<_>>() {
        let held = reserved.get(key).copied().unwrap_or(0);
        let stock = on_hand.get(key).copied().unwrap_or(0);
        let booked = lines.get(key).copied().unwrap_or(0);
        let may_go_negative = negative.get(&(key.0.clone(), key.1.clone(), key.2.clone())).copied().unwrap_or(false);
        if held != booked || held < 0 || (!may_go_negative && (held > stock || stock < 0)) {
            problems.push(format!(
                "{}: on hand {}, reserved {} (reserved lines {})",
                describe(key),
                Quantity::from_scaled(stock),
                Quantity::from_scaled(held),
                Quantity::from_scaled(booked)
            ));
        }
    }
    Ok(problems)
}

fn valuation_equals_layers(tx: &mut Tx<'_>) -> kernel::Result<Vec<String>> {
    let mut problems = crate::valuation::check_totals(tx)?;
    // The product's quantity is what its valued locations hold.
    let mut held: HashMap<(String, String), i64> = HashMap::new();
    for ((company, product, _, _), quantity) in quants(tx, "quantity")? {
        *held.entry((company, product)).or_default() += quantity;
    }
    for r in tx.query("select company_id, product_id, quantity from inventory_product", &[])? {
        let key: (String, String) = (r.get(0)?, r.get(1)?);
        let (valued, located) = (r.get::<i64>(2)?, held.get(&key).copied().unwrap_or(0));
        if valued != located {
            problems.push(format!(
                "company {} product {}: valued quantity {} but locations hold {}",
                key.0,
                key.1,
                Quantity::from_scaled(valued),
                Quantity::from_scaled(located)
            ));
        }
    }
    Ok(problems)
}

pub const INVARIANTS: &[Invariant] = &[
    Invariant {
        name: "inventory.on_hand",
        description: "on hand = Σ done moves per product, location and lot",
        check: on_hand_equals_moves,
    },
    Invariant {
        name: "inventory.reserved",
        description: "reserved = reserved lines, and ≤ on hand where negative stock is not allowed",
        check: reservations_within_stock,
    },
    Invariant {
        name: "inventory.valuation",
        description: "Σ valuation layers = stock value and quantity per product",
        check: valuation_equals_layers,
    },
];
