//! The MRP calculation itself, pure and in memory: low-level codes from the BOM graph, then
//! item by item in low-level-code order, gross requirements netted against stock and
//! scheduled receipts day by day, the net requirement of a day lot-sized into planned orders
//! that are offset by their lead time, and each planned make order exploded into the
//! requirements of its components on its release day. Every planned quantity is pegged to the
//! demand it covers. Days are Julian day numbers; quantities are scaled by 10^4.

use std::collections::VecDeque;

use crate::explode::needed;

/// How planned quantities are sized.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LotPolicy {
    /// What the day needs (then raised to the minimum and rounded up to the multiple, if set).
    #[default]
    LotForLot,
    /// As many lots of exactly `lot` as the day needs.
    Fixed,
    /// At least `min`.
    Minimum,
    /// Whole multiples of `multiple`.
    Multiple,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct LotSizing {
    pub policy: LotPolicy,
    pub lot: i64,
    pub min: i64,
    pub multiple: i64,
}

impl LotSizing {
    /// The planned quantities for a net requirement.
    pub fn sizes(&self, net: i64) -> Vec<i64> {
        if self.policy == LotPolicy::Fixed && self.lot > 0 {
            let count = (net + self.lot - 1) / self.lot;
            return vec![self.lot; usize::try_from(count).unwrap_or(0)];
        }
        let mut quantity = net;
        if self.min > 0 {
            quantity = quantity.max(self.min);
        }
        if self.multiple > 0 {
            quantity = (quantity + self.multiple - 1) / self.multiple * self.multiple;
        }
        vec![quantity]
    }
}

/// A component of a make item's BOM, per `output` units of the item.
#[derive(Clone, Debug)]
pub struct Component {
    pub item: usize,
    pub per: i64,
    pub output: i64,
    pub scrap_bp: i64,
}

/// Lead time: fixed days, or the routing's minutes for the quantity over a working day.
#[derive(Clone, Copy, Debug, Default)]
pub struct Lead {
    pub days: Option<i64>,
    /// Minutes once per order, scaled 10^4.
    pub setup_minutes: i64,
    /// Minutes per unit, scaled 10^4.
    pub run_minutes: i64,
    pub day_minutes: i64,
}

impl Lead {
    pub fn days_for(&self, quantity: i64) -> i64 {
        if let Some(days) = self.days {
            return days;
        }
        if self.day_minutes <= 0 {
            return 0;
        }
        // Minutes scaled 10^4: setup once, run per unit.
        let minutes = i128::from(self.setup_minutes) + i128::from(self.run_minutes) * i128::from(quantity) / 10_000;
        let day = i128::from(self.day_minutes) * 10_000;
        let days = (minutes + day - 1) / day;
        i64::try_from(days).unwrap_or(i64::MAX)
    }
}

#[derive(Clone, Debug, Default)]
pub struct PlanItem {
    /// Made in house (a BOM); otherwise bought.
    pub make: bool,
    /// A phantom kit: never stocked or ordered; its components are needed directly.
    pub phantom: bool,
    pub components: Vec<Component>,
    pub lot: LotSizing,
    pub lead: Lead,
    pub on_hand: i64,
}

/// Who needs a quantity: an outside demand (an index the caller understands: a sales order, a
/// forecast, safety stock, a work order's material) or a planned order of a parent assembly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    External(usize),
    Planned(usize),
}

#[derive(Clone, Debug)]
pub struct Demand {
    pub item: usize,
    pub day: i64,
    pub quantity: i64,
    pub source: Source,
}

/// A scheduled receipt: an open purchase receipt, a work order's remaining output, a confirmed
/// planned purchase.
#[derive(Clone, Debug)]
pub struct Receipt {
    pub item: usize,
    pub day: i64,
    pub quantity: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedOrder {
    pub item: usize,
    pub make: bool,
    pub quantity: i64,
    pub release: i64,
    pub due: i64,
    /// The release day is before today: it was moved to today and the order is late.
    pub late: bool,
    pub low_level_code: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peg {
    pub order: usize,
    pub source: Source,
    pub day: i64,
    pub quantity: i64,
}

#[derive(Debug, Default)]
pub struct Plan {
    pub orders: Vec<PlannedOrder>,
    pub pegs: Vec<Peg>,
    pub low_level_codes: Vec<u32>,
}

/// The BOM graph has a cycle (refused when BOMs are saved, so only with damaged data).
#[derive(Debug, PartialEq, Eq)]
pub struct Cycle;

/// Low-level codes: 0 for an item no BOM uses, else one more than the deepest parent.
pub fn low_level_codes(items: &[PlanItem]) -> Result<Vec<u32>, Cycle> {
    let mut parents = vec![0usize; items.len()];
    for item in items {
        for c in &item.components {
            parents[c.item] += 1;
        }
    }
    let mut codes = vec![0u32; items.len()];
    let mut ready: Vec<usize> = (0..items.len()).filter(|i| parents[*i] == 0).collect();
    let mut done = 0;
    while let Some(i) = ready.pop() {
        done += 1;
        for c in &items[i].components {
            codes[c.item] = codes[c.item].max(codes[i] + 1);
            parents[c.item] -= 1;
            if parents[c.item] == 0 {
                ready.push(c.item);
            }
        }
    }
    if done == items.len() { Ok(codes) } else { Err(Cycle) }
}

/// Plans every item from `demands` and `receipts`, nothing planned before `today`.
pub fn plan(items: &[PlanItem], demands: Vec<Demand>, receipts: Vec<Receipt>, today: i64) -> Result<Plan, Cycle> {
    let codes = low_level_codes(items)?;
    let mut by_item: Vec<Vec<Demand>> = vec![Vec::new(); items.len()];
    for d in demands {
        by_item[d.item].push(d);
    }
    let mut supply: Vec<Vec<(i64, i64)>> = vec![Vec::new(); items.len()];
    for r in receipts {
        supply[r.item].push((r.day, r.quantity));
    }
    let mut order_of_items: Vec<usize> = (0..items.len()).collect();
    order_of_items.sort_by_key(|i| codes[*i]);
    let mut plan = Plan::default();
    for item in order_of_items {
        let demands = std::mem::take(&mut by_item[item]);
        if demands.is_empty() || items[item].phantom {
            continue;
        }
        let receipts = std::mem::take(&mut supply[item]);
        let first = plan.orders.len();
        net_item(item, &items[item], codes[item], demands, receipts, today, &mut plan);
        // Each new make order needs its components on its release day.
        for index in first..plan.orders.len() {
            let order = plan.orders[index].clone();
            if order.make {
                explode_into(items, item, order.quantity, order.release, Source::Planned(index), &mut by_item, 0);
            }
        }
    }
    plan.low_level_codes = codes;
    Ok(plan)
}

/// The requirements `quantity` of `item` puts on its components, through phantom kits.
fn explode_into(
    items: &[PlanItem],
    item: usize,
    quantity: i64,
    day: i64,
    source: Source,
    by_item: &mut [Vec<Demand>],
    depth: u32,
) {
    for c in &items[item].components {
        let q = needed(quantity, c.per, c.output, c.scrap_bp);
        if q <= 0 {
            continue;
        }
        if items[c.item].phantom && depth < 32 {
            explode_into(items, c.item, q, day, source, by_item, depth + 1);
        } else {
            by_item[c.item].push(Demand { item: c.item, day, quantity: q, source });
        }
    }
}

/// Gross to net for one item: stock and receipts first, then what earlier planned lots left
/// over, then new planned orders for what remains of each day.
fn net_item(
    item: usize,
    data: &PlanItem,
    code: u32,
    mut demands: Vec<Demand>,
    mut receipts: Vec<(i64, i64)>,
    today: i64,
    plan: &mut Plan,
) {
    demands.sort_by_key(|d| d.day.max(today));
    receipts.sort_unstable();
    let mut free = data.on_hand.max(0);
    let mut next_receipt = 0;
    let mut lots: VecDeque<(usize, i64)> = VecDeque::new();
    let mut start = 0;
    while start < demands.len() {
        let day = demands[start].day.max(today);
        let end = start + demands[start..].iter().take_while(|d| d.day.max(today) == day).count();
        while next_receipt < receipts.len() && receipts[next_receipt].0 <= day {
            free += receipts[next_receipt].1;
            next_receipt += 1;
        }
        let mut uncovered: Vec<(Source, i64)> = Vec::new();
        for d in &demands[start..end] {
            let from_stock = free.clamp(0, d.quantity);
            free -= from_stock;
            let rest = take_from_lots(&mut lots, d.source, day, d.quantity - from_stock, &mut plan.pegs);
            if rest > 0 {
                uncovered.push((d.source, rest));
            }
        }
        let net: i64 = uncovered.iter().map(|u| u.1).sum();
        if net > 0 {
            for quantity in data.lot.sizes(net) {
                let lead = data.lead.days_for(quantity);
                let release = day - lead;
                lots.push_back((plan.orders.len(), quantity));
                plan.orders.push(PlannedOrder {
                    item,
                    make: data.make,
                    quantity,
                    release: release.max(today),
                    due: day,
                    late: release < today,
                    low_level_code: code,
                });
            }
            for (source, quantity) in uncovered {
                take_from_lots(&mut lots, source, day, quantity, &mut plan.pegs);
            }
        }
        start = end;
    }
}

/// Covers `quantity` for `source` from the open planned lots, oldest first, pegging each part;
/// returns what is left uncovered.
fn take_from_lots(
    lots: &mut VecDeque<(usize, i64)>,
    source: Source,
    day: i64,
    mut quantity: i64,
    pegs: &mut Vec<Peg>,
) -> i64 {
    while quantity > 0 {
        let Some(front) = lots.front_mut() else { break };
        let take = front.1.min(quantity);
        pegs.push(Peg { order: front.0, source, day, quantity: take });
        front.1 -= take;
        quantity -= take;
        if front.1 == 0 {
            lots.pop_front();
        }
    }
    quantity
}

#[cfg(test)]
mod tests {
    use super::*;

    const U: i64 = 10_000;

    fn bought(on_hand: i64, lead: i64, lot: LotSizing) -> PlanItem {
        PlanItem {
            lot,
            lead: Lead { days: Some(lead), ..Lead::default() },
            on_hand: on_hand * U,
            ..PlanItem::default()
        }
    }

    #[test]
    fn lot_sizes() {
        let lfl = LotSizing::default();
        assert_eq!(lfl.sizes(7), vec![7]);
        let fixed = LotSizing { policy: LotPolicy::Fixed, lot: 10, ..LotSizing::default() };
        assert_eq!(fixed.sizes(25), vec![10, 10, 10]);
        let min = LotSizing { policy: LotPolicy::Minimum, min: 50, ..LotSizing::default() };
        assert_eq!(min.sizes(20), vec![50]);
        assert_eq!(min.sizes(70), vec![70]);
        let multiple = LotSizing { policy: LotPolicy::Multiple, multiple: 12, ..LotSizing::default() };
        assert_eq!(multiple.sizes(25), vec![36]);
        assert_eq!(multiple.sizes(24), vec![24]);
    }

    #[test]
    fn low_level_codes_take_the_deepest_use() {
        // 0 uses 1 and 2; 1 uses 2: item 2 is at level 2, not 1.
        let mut items = vec![PlanItem::default(), PlanItem::default(), PlanItem::default()];
        items[0].components = vec![
            Component { item: 1, per: U, output: U, scrap_bp: 0 },
            Component { item: 2, per: U, output: U, scrap_bp: 0 },
        ];
        items[1].components = vec![Component { item: 2, per: U, output: U, scrap_bp: 0 }];
        assert_eq!(low_level_codes(&items), Ok(vec![0, 1, 2]));
        items[2].components = vec![Component { item: 0, per: U, output: U, scrap_bp: 0 }];
        assert_eq!(low_level_codes(&items), Err(Cycle));
    }

    #[test]
    fn nets_offsets_explodes_and_pegs() {
        // A bike (make, 2 days) needs 2 wheels (buy, 5 days, multiples of 10) with 5 % scrap.
        let mut bike = PlanItem { make: true, lead: Lead { days: Some(2), ..Lead::default() }, ..PlanItem::default() };
        bike.on_hand = 3 * U;
        bike.components = vec![Component { item: 1, per: 2 * U, output: U, scrap_bp: 500 }];
        let wheel = bought(4, 5, LotSizing { policy: LotPolicy::Multiple, multiple: 10 * U, ..LotSizing::default() });
        let today = 100;
        let demands = vec![
            Demand { item: 0, day: 110, quantity: 5 * U, source: Source::External(0) },
            Demand { item: 0, day: 120, quantity: 4 * U, source: Source::External(1) },
        ];
        // A receipt of 1 bike on day 115 covers part of the second demand.
        let receipts = vec![Receipt { item: 0, day: 115, quantity: U }];
        let plan = plan(&[bike, wheel], demands, receipts, today).unwrap_or_default();
        // Bikes: 5 − 3 on hand = 2 on day 110 (released 108); 4 − 1 received = 3 on day 120.
        let bikes: Vec<_> =
            plan.orders.iter().filter(|o| o.item == 0).map(|o| (o.quantity, o.release, o.due)).collect();
        assert_eq!(bikes, vec![(2 * U, 108, 110), (3 * U, 118, 120)]);
        // Wheels: 2 × 2 × 1.05 = 4.2 on day 108, 4 on hand → 0.2 → 10 (multiple), released 103;
        // 6.3 on day 118 comes out of the 9.8 left over: no new order.
        let wheels: Vec<_> =
            plan.orders.iter().filter(|o| o.item == 1).map(|o| (o.quantity, o.release, o.due)).collect();
        assert_eq!(wheels, vec![(10 * U, 103, 108)]);
        assert_eq!(plan.low_level_codes, vec![0, 1]);
        // Pegging: each bike order to its sales demand, the wheel order to both bike orders.
        let wheel_order = plan.orders.iter().position(|o| o.item == 1).unwrap_or(99);
        let pegs: Vec<_> =
            plan.pegs.iter().filter(|p| p.order == wheel_order).map(|p| (p.source, p.quantity)).collect();
        assert_eq!(pegs, vec![(Source::Planned(0), 2000), (Source::Planned(1), 63_000)]);
        assert!(plan.pegs.contains(&Peg { order: 0, source: Source::External(0), day: 110, quantity: 2 * U }));
        assert!(plan.pegs.contains(&Peg { order: 1, source: Source::External(1), day: 120, quantity: 3 * U }));
    }

    #[test]
    fn past_due_demand_is_planned_today_and_late() {
        let item = bought(0, 7, LotSizing { policy: LotPolicy::Fixed, lot: 4 * U, ..LotSizing::default() });
        let demands = vec![Demand { item: 0, day: 95, quantity: 5 * U, source: Source::External(0) }];
        let plan = plan(&[item], demands, Vec::new(), 100).unwrap_or_default();
        assert_eq!(plan.orders.len(), 2);
        assert!(plan.orders.iter().all(|o| o.late && o.release == 100 && o.due == 100 && o.quantity == 4 * U));
        let pegged: i64 = plan.pegs.iter().map(|p| p.quantity).sum();
        assert_eq!(pegged, 5 * U);
    }

    #[test]
    fn phantom_kits_pass_their_components_through() {
        // 0 (make) uses kit 1 (phantom) which uses 2 (buy) ×3.
        let mut top = PlanItem { make: true, ..PlanItem::default() };
        top.components = vec![Component { item: 1, per: U, output: U, scrap_bp: 0 }];
        let mut kit = PlanItem { make: true, phantom: true, ..PlanItem::default() };
        kit.components = vec![Component { item: 2, per: 3 * U, output: U, scrap_bp: 0 }];
        let part = bought(0, 0, LotSizing::default());
        let demands = vec![Demand { item: 0, day: 100, quantity: 2 * U, source: Source::External(0) }];
        let plan = plan(&[top, kit, part], demands, Vec::new(), 100).unwrap_or_default();
        let items: Vec<_> = plan.orders.iter().map(|o| (o.item, o.quantity)).collect();
        assert_eq!(items, vec![(0, 2 * U), (2, 6 * U)]);
    }

    #[test]
    fn routing_lead_time() {
        // 60 minutes setup + 1.5 minutes per unit, 480 minutes a day: 400 units → 660 min → 2 days.
        let lead = Lead { days: None, setup_minutes: 60 * U, run_minutes: 15_000, day_minutes: 480 };
        assert_eq!(lead.days_for(400 * U), 2);
        assert_eq!(lead.days_for(U), 1);
    }
}
