//! Order to cash in the demo company: sixty quotations over four months that end in every state
//! a quotation or order can have — drafts, sent ones, one left to expire, lost ones, orders
//! cancelled before shipping, orders waiting for stock, partly and fully delivered — each
//! delivery invoiced, and the invoices paid as their customers pay: on time, late, half now and
//! half later, or not at all (overdue). Payments that arrive in the last days come in through
//! the bank statement instead, for the accountant to reconcile.

use inventory::{PickingKind, PickingState, Processed, ValidateInput};
use kernel::Result;
use kernel::db::Tx;
use kernel::id::DocRef;
use sales::{InvoiceBasis, InvoiceId, InvoiceRequest, OrderId, OrderInput, OrderLineInput};
use time::{Date, Duration};

use super::masters::Pays;
use super::{Step as StoryStep, Story, fen, iso, qty, scaled, yuan};

/// Where a quotation ends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Draft,
    Sent,
    Expired,
    Lost,
    /// Confirmed, then cancelled by the customer before anything shipped.
    Withdrawn,
    Ordered,
}

#[derive(Debug)]
pub enum Step {
    Quote(usize),
    Send(usize),
    Confirm(usize),
    Cancel(usize),
    Deliver(usize, u8),
    /// Invoice, and which part of it is paid.
    Pay(usize, Part),
}

#[derive(Clone, Copy, Debug)]
pub enum Part {
    Full,
    Half,
    Rest,
}

fn step(s: Step) -> StoryStep {
    StoryStep::Trade(s)
}

struct Sale {
    customer: usize,
    fate: Fate,
    lines: Vec<OrderLineInput>,
    id: Option<OrderId>,
}

/// An invoice the story has posted.
pub struct Invoiced {
    pub id: InvoiceId,
    pub number: String,
    pub customer: usize,
    pub total: i64,
    pub paid: i64,
}

/// A customer's payment that the bank statement brings (not registered by hand).
pub struct BankReceipt {
    pub date: Date,
    pub customer: usize,
    pub amount: i64,
    pub reference: String,
}

#[derive(Default)]
pub struct State {
    sales: Vec<Sale>,
    pub invoices: Vec<Invoiced>,
    pub bank: Vec<BankReceipt>,
}

/// What is sold, with its weight among order lines and its quantity range.
const SOLD: &[(&str, i64, i64, i64)] = &[
    ("FG-YE3-90L4", 30, 2, 8),
    ("FG-YE3-112M4", 20, 1, 8),
    ("FG-RV63", 20, 2, 8),
    ("FG-GM90", 12, 1, 5),
    ("TG-VFD-22", 8, 1, 6),
    ("TG-CPL-LT4", 5, 4, 20),
    ("TG-MPR-5", 5, 2, 10),
];

const ORDERS: usize = 60;
/// The order too big for the stock.
const BIG: usize = 50;

/// The days from which customers' payments come through the bank statement.
pub fn bank_window(story: &Story<'_>) -> Date {
    story.last - Duration::days(7)
}

pub fn plan(story: &mut Story<'_>) {
    let customers = story.masters.customers.len();
    let pick = |story: &mut Story<'_>, pays: &[Pays]| -> usize {
        let fitting: Vec<usize> = story
            .masters
            .customers
            .iter()
            .enumerate()
            .filter(|(_, c)| pays.contains(&c.pays))
            .map(|(i, _)| i)
            .collect();
        *story.rng.pick(&fitting)
    };
    for i in 0..ORDERS {
        let offset = 4 + (i as i64) * 112 / ORDERS as i64 + story.rng.range(0, 1);
        let customer = match i % 15 {
            4 => pick(story, &[Pays::Never]),
            9 => pick(story, &[Pays::InParts]),
            _ => story.rng.range(0, customers as i64 - 1) as usize,
        };
        let fate = if offset >= 110 {
            [Fate::Draft, Fate::Sent, Fate::Ordered][i % 3]
        } else if offset >= 100 && i % 4 == 1 {
            Fate::Sent
        } else if i % 12 == 5 {
            Fate::Lost
        } else if i % 20 == 13 {
            Fate::Expired
        } else if i % 23 == 8 {
            Fate::Withdrawn
        } else {
            Fate::Ordered
        };
        let lines = if i == BIG {
            // A project order larger than the gear motors in stock: shipped in part, the rest waits.
            vec![
                OrderLineInput { product: "FG-YE3-90L4".into(), quantity: "12".into(), ..Default::default() },
                OrderLineInput { product: "FG-GM90".into(), quantity: "60".into(), ..Default::default() },
            ]
        } else {
            lines(story)
        };
        story.trade.sales.push(Sale { customer, fate, lines, id: None });
        let date = story.day(offset);
        story.at(date, step(Step::Quote(i)));
    }
}

/// One to three products (weighted, no product twice), sometimes with installation hours and a
/// discount.
fn lines(story: &mut Story<'_>) -> Vec<OrderLineInput> {
    let rng = &mut story.rng;
    let count = rng.range(1, 3);
    let discount = rng.chance(20).then(|| (*rng.pick(&["3", "5", "8"])).to_string());
    let mut lines: Vec<OrderLineInput> = Vec::new();
    while (lines.len() as i64) < count {
        let total: i64 = SOLD.iter().map(|s| s.1).sum();
        let mut roll = rng.range(1, total);
        let Some((code, _, low, high)) = SOLD.iter().find(|s| {
            roll -= s.1;
            roll <= 0
        }) else {
            break;
        };
        if lines.iter().any(|l| l.product == *code) {
            continue;
        }
        lines.push(OrderLineInput {
            product: (*code).into(),
            quantity: rng.range(*low, *high).to_string(),
            discount: discount.clone(),
            ..Default::default()
        });
    }
    if rng.chance(25) {
        lines.push(OrderLineInput {
            product: "SV-INST".into(),
            quantity: rng.range(4, 16).to_string(),
            ..Default::default()
        });
    }
    lines
}

/// Takes over an order confirmed elsewhere in the story (an opportunity's quotation won): it
/// is delivered, invoiced and paid like the others.
pub fn adopt(story: &mut Story<'_>, id: OrderId, customer: usize) {
    story.trade.sales.push(Sale { customer, fate: Fate::Ordered, lines: Vec::new(), id: Some(id) });
    let index = story.trade.sales.len() - 1;
    let days = story.rng.range(1, 3);
    story.after(days, step(Step::Deliver(index, 0)));
}

fn order(story: &Story<'_>, i: usize) -> Result<OrderId> {
    story.trade.sales[i].id.ok_or_else(|| kernel::Error::internal("the demo's order is missing"))
}

pub fn run(tx: &mut Tx<'_>, story: &mut Story<'_>, s: Step) -> Result<()> {
    match s {
        Step::Quote(i) => quote(tx, story, i),
        Step::Send(i) => {
            let sale = &story.trade.sales[i];
            let ctx = story.people.sales[story.masters.customers[sale.customer].rep].clone();
            sales::send_quotation(tx, &ctx, order(story, i)?)?;
            story.tick();
            let days = story.rng.range(1, 4);
            match story.trade.sales[i].fate {
                Fate::Lost => story.after(days + 6, step(Step::Cancel(i))),
                Fate::Ordered | Fate::Withdrawn => story.after(days, step(Step::Confirm(i))),
                _ => false,
            };
            Ok(())
        }
        Step::Confirm(i) => {
            let ctx = story.people.sales[0].clone();
            sales::confirm_entered(tx, &ctx, order(story, i)?, true)?;
            story.tick();
            let days = story.rng.range(1, 3);
            if story.trade.sales[i].fate == Fate::Withdrawn {
                story.after(days, step(Step::Cancel(i)));
            } else {
                story.after(days, step(Step::Deliver(i, 0)));
            }
            Ok(())
        }
        Step::Cancel(i) => {
            let ctx = story.people.sales[story.masters.customers[story.trade.sales[i].customer].rep].clone();
            sales::cancel_order(tx, &ctx, order(story, i)?)?;
            story.tick();
            Ok(())
        }
        Step::Deliver(i, tries) => deliver(tx, story, i, tries),
        Step::Pay(invoice, part) => pay(tx, story, invoice, part),
    }
}

fn quote(tx: &mut Tx<'_>, story: &mut Story<'_>, i: usize) -> Result<()> {
    let sale = &story.trade.sales[i];
    let customer = &story.masters.customers[sale.customer];
    let ctx = story.people.sales[customer.rep].clone();
    let validity = if sale.fate == Fate::Expired { 14 } else { 30 };
    let id = sales::enter_order(
        tx,
        &ctx,
        &OrderInput {
            customer: customer.code.clone(),
            valid_until: Some(iso(story.date() + Duration::days(validity))),
            note: format!("{}询价", customer.name.trim_end_matches("有限公司")),
            lines: sale.lines.clone(),
            ..Default::default()
        },
    )?;
    story.trade.sales[i].id = Some(id);
    story.tick();
    if story.trade.sales[i].fate != Fate::Draft {
        let days = story.rng.range(0, 1);
        story.after(days, step(Step::Send(i)));
    }
    Ok(())
}

/// The warehouse ships what is reserved (reserving first what has arrived since); the rest
/// waits in a backorder and is tried again a few days later. Each shipment is invoiced.
fn deliver(tx: &mut Tx<'_>, story: &mut Story<'_>, i: usize, tries: u8) -> Result<()> {
    let ctx = story.people.warehouse.clone();
    let id = order(story, i)?;
    let open = sales::order::order_pickings(tx, &ctx, id)?
        .into_iter()
        .find(|p| p.kind == PickingKind::Delivery && matches!(p.state, PickingState::Waiting | PickingState::Ready));
    let Some(mut picking) = open else { return Ok(()) };
    if picking.state == PickingState::Waiting {
        picking = inventory::reserve(tx, &ctx, picking.id, false)?;
    }
    let mut lines = Vec::new();
    let mut complete = true;
    for m in &picking.moves {
        let (reserved, wanted) = (scaled(&m.reserved)?, scaled(&m.quantity)? - scaled(&m.done)?);
        complete &= reserved >= wanted;
        if reserved > 0 {
            lines.push(Processed { move_id: m.id.clone(), quantity: qty(reserved), lot: None, expiry_date: None });
        }
    }
    if !lines.is_empty() {
        let lines = if complete { None } else { Some(lines) };
        inventory::validate_only(tx, &ctx, picking.id, &ValidateInput { lines, date: None, backorder: true })?;
        story.tick();
        invoice(tx, story, i)?;
    }
    if !complete {
        let days = story.rng.range(3, 6);
        story.after(days, step(Step::Deliver(i, tries.saturating_add(1))));
    }
    Ok(())
}

fn invoice(tx: &mut Tx<'_>, story: &mut Story<'_>, i: usize) -> Result<()> {
    let ctx = story.people.accountant.clone();
    let id = order(story, i)?;
    let request = InvoiceRequest { basis: InvoiceBasis::Delivered, date: None, post: true };
    let invoice = sales::invoice_order(tx, &ctx, id, &request)?;
    story.tick();
    let customer = story.trade.sales[i].customer;
    let due = kernel::clock::parse_date(&invoice.due_date)?;
    let index = story.trade.invoices.len();
    story.trade.invoices.push(Invoiced {
        id: invoice.id,
        number: invoice.number.clone().unwrap_or_default(),
        customer,
        total: fen(&invoice.total)?,
        paid: 0,
    });
    let rng = &mut story.rng;
    let plan: Vec<(Date, Part)> = match story.masters.customers[customer].pays {
        Pays::OnTime => vec![(due - Duration::days(rng.range(0, 6)), Part::Full)],
        Pays::Late => vec![(due + Duration::days(rng.range(5, 20)), Part::Full)],
        Pays::InParts => vec![
            (due + Duration::days(rng.range(-2, 3)), Part::Half),
            (due + Duration::days(rng.range(25, 40)), Part::Rest),
        ],
        Pays::Never => Vec::new(),
    };
    let earliest = story.date() + Duration::days(3);
    for (date, part) in plan {
        story.at(date.max(earliest), step(Step::Pay(index, part)));
    }
    Ok(())
}

/// The customer pays: registered by the cashier from the bank's advice, or, in the last days,
/// left for the bank statement.
fn pay(tx: &mut Tx<'_>, story: &mut Story<'_>, index: usize, part: Part) -> Result<()> {
    let invoice = &story.trade.invoices[index];
    let amount = match part {
        Part::Full => invoice.total,
        Part::Half => invoice.total / 2,
        Part::Rest => invoice.total - invoice.paid,
    };
    if amount <= 0 {
        return Ok(());
    }
    let customer = &story.masters.customers[invoice.customer];
    let reference = format!("货款 {}", invoice.number);
    if story.date() >= bank_window(story) {
        story.trade.bank.push(BankReceipt { date: story.date(), customer: invoice.customer, amount, reference });
        story.trade.invoices[index].paid += amount;
        return Ok(());
    }
    let input = ledger::PaymentInput {
        direction: ledger::Direction::Receipt,
        partner_id: customer.id.clone(),
        amount: yuan(amount),
        date: None,
        account: None,
        reference,
        documents: vec![DocRef::new("sales.invoice", invoice.id)],
        currency: None,
        rate: None,
        method: None,
    };
    ledger::register_payment(tx, &story.people.cashier.clone(), &input)?;
    story.trade.invoices[index].paid += amount;
    story.tick();
    Ok(())
}
