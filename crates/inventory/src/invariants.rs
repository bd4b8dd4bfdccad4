//! What must hold of stock at every moment (run by `tiangong verify` and after scenario tests):
//! quants equal the done lines, reservations never exceed stock where stock may not go
//! negative, and Σ valuation layers equal each product's value.

use kernel::Quantity;
use kernel::db::Tx;
use kernel::invariant::Invariant;

fn on_hand_equals_moves(tx: &mut Tx<'_>) -> kernel::Result<Vec<String>> {
    // Per product, location and lot: what came in minus what went out, against the quant.
    tx.query(
        "select coalesce(q.company_id, m.company_id), coalesce(q.product_id, m.product_id), coalesce(q.location_id, m.location_id),
                coalesce(q.lot_id, m.lot_id), coalesce(q.quantity, 0), coalesce(m.quantity, 0)
         from inventory_quant q
         full outer join (
             select company_id, product_id, location_id, lot_id, sum(quantity) as quantity from (
                 select company_id, product_id, to_location_id as location_id, lot_id, quantity from inventory_move_line where state = 'done'
                 union all
                 select company_id, product_id, from_location_id, lot_id, -quantity from inventory_move_line where state = 'done'
             ) s group by company_id, product_id, location_id, lot_id
         ) m on m.company_id = q.company_id and m.product_id = q.product_id and m.location_id = q.location_id and m.lot_id = q.lot_id
         left join inventory_location l on l.id = coalesce(q.location_id, m.location_id)
         where l.kind in ('internal', 'transit') and coalesce(q.quantity, 0) <> coalesce(m.quantity, 0)",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok(format!(
            "company {} product {} location {} lot '{}': quant {} but moves {}",
            r.get::<String>(0)?,
            r.get::<String>(1)?,
            r.get::<String>(2)?,
            r.get::<String>(3)?,
            Quantity::from_scaled(r.get(4)?),
            Quantity::from_scaled(r.get(5)?)
        ))
    })
    .collect()
}

fn reservations_within_stock(tx: &mut Tx<'_>) -> kernel::Result<Vec<String>> {
    tx.query(
        "select q.company_id, q.product_id, l.path, q.quantity, q.reserved,
                (select coalesce(sum(ml.quantity), 0) from inventory_move_line ml where ml.company_id = q.company_id
                   and ml.product_id = q.product_id and ml.from_location_id = q.location_id and ml.lot_id = q.lot_id and ml.state = 'reserved')
         from inventory_quant q join inventory_location l on l.id = q.location_id
         left join inventory_warehouse w on w.id = l.warehouse_id
         left join inventory_product p on p.company_id = q.company_id and p.product_id = q.product_id
         where q.reserved < 0
            or (q.reserved > q.quantity and l.allow_negative = 0 and coalesce(w.allow_negative, 0) = 0 and coalesce(p.allow_negative, 0) = 0)
            or (q.quantity < 0 and l.allow_negative = 0 and coalesce(w.allow_negative, 0) = 0 and coalesce(p.allow_negative, 0) = 0)
            or q.reserved <> (select coalesce(sum(ml.quantity), 0) from inventory_move_line ml where ml.company_id = q.company_id
                   and ml.product_id = q.product_id and ml.from_location_id = q.location_id and ml.lot_id = q.lot_id and ml.state = 'reserved')",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok(format!(
            "company {} product {} at {}: on hand {}, reserved {} (reserved lines {})",
            r.get::<String>(0)?,
            r.get::<String>(1)?,
            r.get::<String>(2)?,
            Quantity::from_scaled(r.get(3)?),
            Quantity::from_scaled(r.get(4)?),
            Quantity::from_scaled(r.get(5)?)
        ))
    })
    .collect()
}

fn valuation_equals_layers(tx: &mut Tx<'_>) -> kernel::Result<Vec<String>> {
    let mut problems = crate::valuation::check_totals(tx)?;
    // The product's quantity is what its valued locations hold.
    for r in tx.query(
        "select p.company_id, p.product_id, p.quantity, coalesce(q.quantity, 0) from inventory_product p
         left join (select q.company_id, q.product_id, sum(q.quantity) as quantity from inventory_quant q
                    join inventory_location l on l.id = q.location_id where l.kind in ('internal', 'transit')
                    group by q.company_id, q.product_id) q on q.company_id = p.company_id and q.product_id = p.product_id
         where p.quantity <> coalesce(q.quantity, 0)",
        &[],
    )? {
        problems.push(format!(
            "company {} product {}: valued quantity {} but locations hold {}",
            r.get::<String>(0)?,
            r.get::<String>(1)?,
            Quantity::from_scaled(r.get(2)?),
            Quantity::from_scaled(r.get(3)?)
        ));
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
