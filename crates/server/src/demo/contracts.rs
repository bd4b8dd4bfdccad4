//! The demo company's supply contracts with its larger customers: a year's framework each with
//! payment milestones that add up to its amount — three active (one ending within the renewal
//! notice, so the server's daily work reminds its owner), one still a draft awaiting approval —
//! and the first milestone of each active one tied to the invoice that bills it.

use crm::contract::{ContractId, ContractInput, MilestoneInput};
use kernel::Result;
use kernel::db::Tx;
use time::Duration;

use super::masters::Pays;
use super::{Step as StoryStep, Story, iso};

/// The contracts: day, amount (yuan), ends soon, stays a draft. Each goes to the customer that
/// has bought the most so far and has no contract yet.
const CONTRACTS: &[(i64, i64, bool, bool)] = &[
    (20, 360_000, true, false),
    (45, 240_000, false, false),
    (72, 180_000, false, false),
    (108, 500_000, false, true),
];

#[derive(Debug)]
pub enum Step {
    Contract(usize),
    Activate(usize),
    Link(usize),
}

fn step(s: Step) -> StoryStep {
    StoryStep::Contracts(s)
}

#[derive(Default)]
pub struct State {
    /// Each contract made: its customer, id and first milestone.
    contracts: Vec<Option<(usize, ContractId, String)>>,
}

pub fn plan(story: &mut Story<'_>) {
    story.contracts.contracts = vec![None; CONTRACTS.len()];
    for (c, (day, ..)) in CONTRACTS.iter().enumerate() {
        let date = story.day(*day);
        story.at(date, step(Step::Contract(c)));
    }
}

pub fn run(tx: &mut Tx<'_>, story: &mut Story<'_>, s: Step) -> Result<()> {
    match s {
        Step::Contract(c) => contract(tx, story, c),
        Step::Activate(c) => {
            if let Some((_, id, _)) = &story.contracts.contracts[c] {
                crm::contract::activate(tx, &story.people.sales[0].clone(), *id)?;
                story.tick();
            }
            Ok(())
        }
        Step::Link(c) => link(tx, story, c),
    }
}

fn contract(tx: &mut Tx<'_>, story: &mut Story<'_>, c: usize) -> Result<()> {
    let (_, amount, ends_soon, draft) = CONTRACTS[c];
    let customer = best_customer(story);
    let ctx = story.people.sales[0].clone();
    let start = story.date();
    let end = if ends_soon { story.today + Duration::days(20) } else { start + Duration::days(364) };
    let first = amount * 3 / 10;
    let second = amount * 4 / 10;
    let milestones = vec![
        MilestoneInput {
            name: "预付款 30%".into(),
            due_date: iso(start + Duration::days(15)),
            amount: first.to_string(),
        },
        MilestoneInput {
            name: "到货款 40%".into(),
            due_date: iso(start + Duration::days(120)),
            amount: second.to_string(),
        },
        MilestoneInput {
            name: "验收尾款".into(), due_date: iso(end), amount: (amount - first - second).to_string()
        },
    ];
    let made = crm::contract::create_contract(
        tx,
        &ctx,
        &ContractInput {
            name: format!("{} 年度供货框架合同", start.year()),
            customer: story.masters.customers[customer].code.clone(),
            opportunity_id: None,
            amount: amount.to_string(),
            start_date: iso(start),
            end_date: iso(end),
            terms: "按月滚动下单，货到验收后 30 天付款；质保 18 个月".into(),
            milestones,
        },
    )?;
    let first_milestone = made.milestones.first().map(|m| m.id.clone()).unwrap_or_default();
    story.contracts.contracts[c] = Some((customer, ContractId::parse(&made.id)?, first_milestone));
    story.tick();
    if !draft {
        story.after(2, step(Step::Activate(c)));
        story.after(20, step(Step::Link(c)));
    }
    Ok(())
}

/// The customer with the largest invoiced total so far among those without a contract (paying
/// ones first), else the first customer without one.
fn best_customer(story: &Story<'_>) -> usize {
    let taken: Vec<usize> = story.contracts.contracts.iter().flatten().map(|(c, ..)| *c).collect();
    let customers = &story.masters.customers;
    let free = |c: &usize| !taken.contains(c) && customers[*c].pays != Pays::Never;
    let mut totals: Vec<(usize, i64)> = Vec::new();
    for invoice in story.trade.invoices.iter().filter(|i| free(&i.customer)) {
        match totals.iter_mut().find(|(c, _)| *c == invoice.customer) {
            Some(entry) => entry.1 += invoice.total,
            None => totals.push((invoice.customer, invoice.total)),
        }
    }
    let best = totals.iter().max_by_key(|(c, total)| (*total, std::cmp::Reverse(*c))).map(|(c, _)| *c);
    best.unwrap_or_else(|| (0..customers.len()).find(|c| free(c)).unwrap_or(0))
}

/// The contract's first milestone is billed by the customer's first invoice; without one yet,
/// the salesperson looks again ten days later.
fn link(tx: &mut Tx<'_>, story: &mut Story<'_>, c: usize) -> Result<()> {
    let Some((customer, id, milestone)) = story.contracts.contracts[c].clone() else { return Ok(()) };
    let Some(invoice) = story.trade.invoices.iter().find(|i| i.customer == customer) else {
        story.after(10, step(Step::Link(c)));
        return Ok(());
    };
    let number = invoice.number.clone();
    crm::contract::link_invoice(tx, &story.people.sales[0].clone(), id, &milestone, &number)?;
    story.tick();
    Ok(())
}
