//! Procure to pay in the demo company. Every other week the buyer looks at what the work orders
//! of the next six weeks will take and what is in stock or on order, and orders the difference
//! from each item's supplier (traded goods are kept at a level); the goods arrive after the
//! supplier's lead time, some in two deliveries, lot-tracked materials under their lot (copper
//! wire through incoming inspection: one lot accepted by concession, one still on hold); the
//! supplier's invoice is booked and paid when due. Two bills break the three-way match: one
//! bills more than has arrived (blocked, waiting), one a higher price (released, then paid).
//! One order is cancelled, one is still a draft.

use inventory::{PickingKind, PickingState, Processed, ValidateInput};
use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::{Ctx, Result};
use production::quality::{DispositionInput, InspectionInput, MeasuredValue};
use purchasing::bill::BillLineInput;
use purchasing::{BillId, BillRequest, PurchaseLineInput, PurchaseOrderId, PurchaseOrderInput};
use time::{Date, Duration};

use super::masters::{self, Kind, SUPPLIERS};
use super::{Step as StoryStep, Story, fen, iso, qty, scaled, yuan};

/// Traded goods are kept at these levels.
const LEVELS: &[(&str, i64)] = &[("TG-VFD-22", 24), ("TG-CPL-LT4", 60), ("TG-MPR-5", 30)];

#[derive(Debug)]
pub enum Step {
    Review,
    Receive(usize, bool),
    Bill(usize),
    Release(usize),
    Pay(usize),
    Dispose(String),
    CancelOrder(usize),
    /// An order the supplier cannot fill, cancelled two days later.
    WithdrawnOrder,
    /// Housings for the work orders to come, ordered in the last days (still on its way).
    LateOrder,
    TrialOrder,
    DraftOrder,
}

fn step(s: Step) -> StoryStep {
    StoryStep::Procurement(s)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Twist {
    None,
    /// Billed in full after the first of two deliveries: blocked.
    OverBilled,
    /// Billed 4 % above the order price: blocked, then released.
    PriceUp,
    Cancelled,
    /// A trial order of copper wire from a second source, whose lot fails inspection.
    Trial,
}

struct Ordered {
    id: PurchaseOrderId,
    supplier: usize,
    /// Item code, quantity ordered and received (scaled).
    lines: Vec<(&'static str, i64, i64)>,
    twist: Twist,
}

struct Billed {
    id: BillId,
    supplier: usize,
    total: i64,
    due: Date,
}

/// A supplier payment that the bank statement brings.
pub struct BankPayment {
    pub date: Date,
    pub supplier: usize,
    pub amount: i64,
}

#[derive(Default)]
pub struct State {
    orders: Vec<Ordered>,
    bills: Vec<Billed>,
    reviews: usize,
    copper_receipts: usize,
    lots: usize,
    pub bank: Vec<BankPayment>,
}

pub fn plan(story: &mut Story<'_>) {
    let first = story.start;
    story.at(first, step(Step::Review));
    let withdrawn = story.day(58);
    story.at(withdrawn, step(Step::WithdrawnOrder));
    let trial = story.day(74);
    story.at(trial, step(Step::TrialOrder));
    let late = story.last - Duration::days(3);
    story.at(late, step(Step::LateOrder));
    let draft = story.last - Duration::days(1);
    story.at(draft, step(Step::DraftOrder));
}

pub fn run(tx: &mut Tx<'_>, story: &mut Story<'_>, s: Step) -> Result<()> {
    let buyer = story.people.buyer.clone();
    match s {
        Step::Review => review(tx, story, &buyer),
        Step::Receive(i, last) => receive(tx, story, i, last),
        Step::Bill(i) => bill(tx, story, &buyer, i),
        Step::Release(b) => {
            purchasing::release_bill(tx, &story.people.admin.clone(), story.procurement.bills[b].id)?;
            story.tick();
            schedule_payment(story, b);
            Ok(())
        }
        Step::Pay(b) => pay(tx, story, b),
        Step::Dispose(nonconformance) => {
            let input = DispositionInput {
                disposition: "concession".into(),
                note: "击穿电压略低，经评审让步接收，限用于低压产品".into(),
            };
            production::quality::dispose(tx, &story.people.production.clone(), &nonconformance, &input)?;
            story.tick();
            Ok(())
        }
        Step::CancelOrder(i) => {
            purchasing::cancel_order(tx, &buyer, story.procurement.orders[i].id)?;
            story.tick();
            Ok(())
        }
        Step::WithdrawnOrder => {
            let lines = vec![("TG-VFD-22", 20 * kernel::Quantity::ONE)];
            order(tx, story, &buyer, 12, lines, Twist::Cancelled, true)
        }
        Step::TrialOrder => {
            let lines = vec![("RM-CU-080", 200 * kernel::Quantity::ONE)];
            order(tx, story, &buyer, 15, lines, Twist::Trial, true)
        }
        Step::LateOrder => {
            let lines = vec![("RM-CI-112", 60 * kernel::Quantity::ONE), ("RM-SH-24", 60 * kernel::Quantity::ONE)];
            order(tx, story, &buyer, 16, lines, Twist::None, true)
        }
        Step::DraftOrder => {
            let lines = vec![("TG-CPL-LT4", 80 * kernel::Quantity::ONE), ("TG-MPR-5", 40 * kernel::Quantity::ONE)];
            order(tx, story, &buyer, 13, lines, Twist::None, false)?;
            Ok(())
        }
    }
}

/// The fortnightly review: what the next six weeks' work orders need, less what is usable in
/// stock and what is on order, is ordered with half the need again to spare (in round lots),
/// one order per supplier.
fn review(tx: &mut Tx<'_>, story: &mut Story<'_>, buyer: &Ctx) -> Result<()> {
    let horizon = story.offset(story.date()) + 42;
    let mut wanted: Vec<(&'static str, i64)> = super::manufacturing::needs(story, horizon)
        .into_iter()
        .filter(|(code, _)| masters::find(code).kind == Kind::Raw)
        .collect();
    wanted.extend(LEVELS.iter().map(|(code, level)| (*code, level * kernel::Quantity::ONE)));
    let mut by_supplier: Vec<(usize, Vec<(&'static str, i64)>)> = Vec::new();
    for (code, need) in wanted {
        let item = masters::find(code);
        let on_order: i64 = story
            .procurement
            .orders
            .iter()
            .filter(|o| o.twist != Twist::Cancelled)
            .flat_map(|o| o.lines.iter())
            .filter(|(c, ..)| *c == code)
            .map(|(_, ordered, received)| ordered - received)
            .sum();
        let short = need - super::available(tx, buyer, code)? - on_order;
        let level = LEVELS.iter().any(|(c, _)| *c == code);
        if short <= 0 || (level && short * 3 < need) {
            continue;
        }
        let lot_size = match item.uom {
            "kg" => 50,
            _ if item.cost.starts_with("0.") => 1000,
            _ => 10,
        } * kernel::Quantity::ONE;
        let quantity = if level { need } else { (short + need / 2 + lot_size - 1) / lot_size * lot_size };
        // Iron housings come from two foundries in turn.
        let supplier = match (code, story.procurement.reviews % 2) {
            ("RM-CI-112", 1) => 16,
            _ => item.supplier,
        };
        match by_supplier.iter_mut().find(|(s, _)| *s == supplier) {
            Some((_, lines)) => lines.push((code, quantity)),
            None => by_supplier.push((supplier, vec![(code, quantity)])),
        }
    }
    story.procurement.reviews += 1;
    for (supplier, lines) in by_supplier {
        order(tx, story, buyer, supplier, lines, Twist::None, true)?;
    }
    story.after(14, step(Step::Review));
    Ok(())
}

/// A purchase order, confirmed (its receipt waiting) or left a draft.
fn order(
    tx: &mut Tx<'_>,
    story: &mut Story<'_>,
    buyer: &Ctx,
    supplier: usize,
    lines: Vec<(&'static str, i64)>,
    mut twist: Twist,
    confirm: bool,
) -> Result<()> {
    let spec = &SUPPLIERS[supplier];
    let offset = story.offset(story.date());
    let input_lines = lines
        .iter()
        .map(|(code, quantity)| {
            let cost = fen(masters::find(code).cost).unwrap_or(0);
            let variation = story.rng.range(-15, 15);
            let price = (cost * (1000 + variation) / 1000).max(1);
            PurchaseLineInput {
                product: (*code).into(),
                quantity: qty(*quantity),
                unit_price: Some(yuan(price)),
                ..Default::default()
            }
        })
        .collect();
    let id = purchasing::enter_order(
        tx,
        buyer,
        &PurchaseOrderInput {
            supplier: story.masters.suppliers[supplier].code.clone(),
            expected_date: Some(iso(story.date() + Duration::days(spec.lead_days))),
            note: if offset < 7 { "开业备料".into() } else { "按生产计划补货".into() },
            lines: input_lines,
            confirm,
            source: format!("周计划 第{}周", offset / 7 + 1),
            ..Default::default()
        },
    )?;
    story.tick();
    let index = story.procurement.orders.len();
    let seen = |t: Twist| story.procurement.orders.iter().any(|o| o.twist == t);
    if confirm && twist == Twist::None {
        if offset > 55 && !seen(Twist::OverBilled) {
            twist = Twist::OverBilled;
        } else if offset > 30 && supplier != 6 && !seen(Twist::PriceUp) {
            twist = Twist::PriceUp;
        }
    }
    let split = match twist {
        Twist::OverBilled => true,
        Twist::PriceUp | Twist::Trial => false,
        _ => offset > 10 && story.rng.chance(25),
    };
    let lines = lines.into_iter().map(|(code, quantity)| (code, quantity, 0)).collect();
    story.procurement.orders.push(Ordered { id, supplier, lines, twist });
    if !confirm {
        return Ok(());
    }
    if twist == Twist::Cancelled {
        story.after(2, step(Step::CancelOrder(index)));
        return Ok(());
    }
    let days = spec.lead_days + story.rng.range(0, 2);
    story.after(days, step(Step::Receive(index, !split)));
    Ok(())
}

/// The goods arrive: all of what is still open, or (the first of two deliveries) about 70 %.
fn receive(tx: &mut Tx<'_>, story: &mut Story<'_>, i: usize, last: bool) -> Result<()> {
    let ctx = story.people.warehouse.clone();
    let id = story.procurement.orders[i].id;
    let open = purchasing::order::order_pickings(tx, &ctx, id)?
        .into_iter()
        .find(|p| p.kind == PickingKind::Receipt && !matches!(p.state, PickingState::Done | PickingState::Cancelled));
    let Some(picking) = open else { return Ok(()) };
    let yymm = format!("{:02}{:02}", story.date().year() % 100, u8::from(story.date().month()));
    let mut lines = Vec::new();
    let mut copper_lot = None;
    for m in &picking.moves {
        let open = scaled(&m.quantity)? - scaled(&m.done)?;
        let part = if last { open } else { open * 7 / 10 / kernel::Quantity::ONE * kernel::Quantity::ONE };
        if part <= 0 {
            continue;
        }
        let item = masters::find(&m.product_code);
        let lot = item.lot.then(|| {
            story.procurement.lots += 1;
            format!("{}{yymm}-{:03}", &item.code[3..5], story.procurement.lots)
        });
        if item.code == "RM-CU-080" {
            copper_lot = lot.clone();
        }
        let expiry = item.shelf_life.map(|days| iso(story.date() + Duration::days(days)));
        lines.push(Processed { move_id: m.id.clone(), quantity: qty(part), lot, expiry_date: expiry });
        if let Some(line) = story.procurement.orders[i].lines.iter_mut().find(|(c, ..)| *c == item.code) {
            line.2 += part;
        }
    }
    inventory::validate_only(tx, &ctx, picking.id, &ValidateInput { lines: Some(lines), date: None, backorder: true })?;
    story.tick();
    let twist = story.procurement.orders[i].twist;
    if let Some(lot) = copper_lot {
        inspect_copper(tx, story, &lot, twist == Twist::Trial)?;
    }
    if !last {
        let days = story.rng.range(4, 7);
        story.after(days, step(Step::Receive(i, true)));
        if twist == Twist::OverBilled {
            story.after(1, step(Step::Bill(i)));
        }
    } else if twist != Twist::OverBilled {
        let days = story.rng.range(1, 3);
        story.after(days, step(Step::Bill(i)));
    }
    Ok(())
}

/// Incoming inspection of a copper wire lot: the second fails and is accepted by concession,
/// the trial order's fails and stays on hold; the others pass.
fn inspect_copper(tx: &mut Tx<'_>, story: &mut Story<'_>, lot: &str, trial: bool) -> Result<()> {
    if !trial {
        story.procurement.copper_receipts += 1;
    }
    let n = story.procurement.copper_receipts;
    let failed = n == 2 || trial;
    let value = |name: &str, v: &str| MeasuredValue { characteristic: name.into(), value: v.into() };
    let inspection = production::quality::record_inspection(
        tx,
        &story.people.production.clone(),
        &InspectionInput {
            plan: "IQC-CU".into(),
            work_order_id: None,
            lot: Some(lot.into()),
            inspector: "质检员 何静".into(),
            values: vec![
                value("漆膜厚度", if trial { "0.026" } else { "0.038" }),
                value("击穿电压", if failed { "2850" } else { "4200" }),
            ],
        },
    )?;
    story.tick();
    if n == 2
        && !trial
        && let Some(nonconformance) = inspection.nonconformance_id
    {
        story.after(2, step(Step::Dispose(nonconformance)));
    }
    Ok(())
}

/// The supplier's invoice: what arrived at the order price; the over-billing and the higher
/// price as the supplier typed them.
fn bill(tx: &mut Tx<'_>, story: &mut Story<'_>, buyer: &Ctx, i: usize) -> Result<()> {
    let (order_id, twist) = (story.procurement.orders[i].id, story.procurement.orders[i].twist);
    let lines = match twist {
        Twist::OverBilled | Twist::PriceUp => {
            let order = purchasing::get_order(tx, buyer, order_id)?;
            let mut lines = Vec::new();
            for line in &order.lines {
                let quantity = if twist == Twist::OverBilled { &line.quantity } else { &line.received };
                let price = line.unit_price.parse::<kernel::UnitPrice>()?;
                let price = if twist == Twist::PriceUp { price.mul_ratio(104, 100)? } else { price };
                lines.push(BillLineInput {
                    line_id: line.id.clone(),
                    quantity: quantity.clone(),
                    unit_price: Some(price.to_string()),
                });
            }
            Some(lines)
        }
        _ => None,
    };
    // 数电票号码: twenty digits, the year first.
    let date = story.date();
    let reference = format!(
        "{:02}{:02}{:016}",
        date.year() % 100,
        u8::from(date.month()),
        story.rng.range(0, 9_999_999_999_999_999)
    );
    let request = BillRequest { supplier_reference: reference, date: None, lines, post: true };
    let id = purchasing::draw_bill(tx, buyer, order_id, &request)?;
    story.tick();
    let bill = purchasing::get_bill(tx, buyer, id)?;
    let index = story.procurement.bills.len();
    story.procurement.bills.push(Billed {
        id,
        supplier: story.procurement.orders[i].supplier,
        total: fen(&bill.total)?,
        due: kernel::clock::parse_date(&bill.due_date)?,
    });
    match (bill.match_state.as_str(), twist) {
        ("blocked", Twist::PriceUp) => {
            story.after(2, step(Step::Release(index)));
        }
        ("blocked", _) => {}
        _ => schedule_payment(story, index),
    }
    Ok(())
}

fn schedule_payment(story: &mut Story<'_>, b: usize) {
    let due = story.procurement.bills[b].due - Duration::days(story.rng.range(0, 3));
    let earliest = story.date() + Duration::days(2);
    story.at(due.max(earliest), step(Step::Pay(b)));
}

/// The cashier pays the bill when due; in the last days the payment is left for the bank
/// statement to bring.
fn pay(tx: &mut Tx<'_>, story: &mut Story<'_>, b: usize) -> Result<()> {
    let bill = &story.procurement.bills[b];
    if story.date() >= super::trade::bank_window(story) {
        story.procurement.bank.push(BankPayment { date: story.date(), supplier: bill.supplier, amount: bill.total });
        return Ok(());
    }
    let input = ledger::PaymentInput {
        direction: ledger::Direction::Payment,
        partner_id: story.masters.suppliers[bill.supplier].id.clone(),
        amount: yuan(bill.total),
        date: None,
        account: None,
        reference: "支付货款".into(),
        documents: vec![DocRef::new("purchasing.bill", bill.id)],
        currency: None,
        rate: None,
        method: None,
    };
    ledger::register_payment(tx, &story.people.cashier.clone(), &input)?;
    story.tick();
    Ok(())
}
