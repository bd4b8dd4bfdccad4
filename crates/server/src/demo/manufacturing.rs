//! The shop floor of the demo company: the work orders of four months —
//! closed, done, running with part of their job reports (报工) and goods received, one held by
//! a failed first-article inspection (首检不合格, its nonconformance open), one waiting for its
//! materials and one still a draft. Materials are issued only when they are there; when they
//! are not, the issue waits for the buyer's next delivery.

use kernel::db::Tx;
use kernel::{Ctx, Result};
use production::quality::{InspectionInput, MeasuredValue};
use production::work_order::{self, FinishedGoods, JobReport, WorkOrderId, WorkOrderInput};

use super::engineering::{explode, operations};
use super::{Step as StoryStep, Story, iso, qty, scaled};

/// How far a work order gets in the story.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Closed,
    Done,
    /// Issued and partly reported: the first operation in full, the next in part.
    Running,
    /// Held by a failed first-article inspection.
    Held,
    Confirmed,
    Draft,
}

/// The work orders: the day they are made, product, quantity, lot and how far they get.
const PLAN: &[(i64, &str, i64, &str, Fate)] = &[
    (1, "SF-ST-90", 240, "", Fate::Closed),
    (1, "SF-RT-90", 240, "", Fate::Closed),
    (2, "SF-HS-90", 240, "", Fate::Closed),
    (3, "FG-RV63", 100, "RV63-A01", Fate::Closed),
    (6, "FG-YE3-90L4", 120, "90L-A01", Fate::Closed),
    (7, "FG-YE3-112M4", 60, "112M-A01", Fate::Closed),
    (16, "FG-GM90", 40, "GM90-A01", Fate::Closed),
    (38, "FG-RV63", 120, "RV63-A02", Fate::Closed),
    (40, "FG-GM90", 30, "GM90-A02", Fate::Closed),
    (52, "FG-YE3-90L4", 100, "90L-A02", Fate::Closed),
    (66, "FG-YE3-112M4", 60, "112M-A02", Fate::Done),
    (88, "SF-ST-90", 120, "", Fate::Closed),
    (88, "SF-RT-90", 120, "", Fate::Closed),
    (89, "SF-HS-90", 120, "", Fate::Done),
    (98, "FG-YE3-90L4", 100, "90L-A03", Fate::Running),
    (103, "FG-YE3-112M4", 50, "112M-A03", Fate::Held),
    (108, "FG-RV63", 60, "RV63-A03", Fate::Running),
    (111, "FG-GM90", 30, "GM90-A03", Fate::Confirmed),
    (114, "FG-YE3-112M4", 40, "112M-A04", Fate::Draft),
];

const WORKERS: &[&str] = &["王师傅", "李班长", "周师傅", "吴师傅", "郑师傅", "冯师傅"];
const DEFECTS: &[&str] = &["绕组匝间短路", "铸铝气孔", "尺寸超差", "运行噪音超标", "漆膜划伤"];

#[derive(Debug)]
pub enum Step {
    Create(usize),
    /// Issue the materials (a retry when waiting for them).
    Issue(usize, bool),
    Inspect(usize),
    /// Work order, operation (0-based), part (0 or 1).
    Report(usize, usize, u8),
    Receive(usize),
    Close(usize),
}

fn step(s: Step) -> StoryStep {
    StoryStep::Manufacturing(s)
}

#[derive(Default)]
pub struct State {
    /// The work orders made so far, by plan index.
    orders: Vec<Option<WorkOrderId>>,
    issued: Vec<bool>,
    /// A retry of the issue is scheduled.
    waiting: Vec<bool>,
    /// Good quantity passed by each operation, and good and scrapped together (scaled).
    good: Vec<Vec<i64>>,
    reported: Vec<Vec<i64>>,
    pub job_reports: usize,
}

/// The work orders of the plan, each on its day.
pub fn plan(story: &mut Story<'_>) {
    let n = PLAN.len();
    story.manufacturing.orders = vec![None; n];
    story.manufacturing.issued = vec![false; n];
    story.manufacturing.waiting = vec![false; n];
    story.manufacturing.good = vec![Vec::new(); n];
    story.manufacturing.reported = vec![Vec::new(); n];
    for (i, (day, ..)) in PLAN.iter().enumerate() {
        let date = story.day(*day);
        story.at(date, step(Step::Create(i)));
    }
}

/// What the planned work orders not yet issued will take of each bought item, for those made
/// up to `until` days into the story (phantom kits exploded), scaled.
pub fn needs(story: &Story<'_>, until: i64) -> Vec<(&'static str, i64)> {
    let mut needs: Vec<(&'static str, i64)> = Vec::new();
    for (i, (day, product, quantity, _, fate)) in PLAN.iter().enumerate() {
        if *day > until
            || matches!(fate, Fate::Confirmed | Fate::Draft)
            || story.manufacturing.issued.get(i) == Some(&true)
        {
            continue;
        }
        explode(product, quantity * kernel::Quantity::ONE, &mut needs);
    }
    needs
}

pub fn run(tx: &mut Tx<'_>, story: &mut Story<'_>, s: Step) -> Result<()> {
    let ctx = story.people.production.clone();
    match s {
        Step::Create(i) => create(tx, story, &ctx, i),
        Step::Issue(i, retry) => issue(tx, story, i, retry),
        Step::Inspect(i) => inspect(tx, story, &ctx, i),
        Step::Report(i, op, part) => report(tx, story, &ctx, i, op, part),
        Step::Receive(i) => receive(tx, story, i),
        Step::Close(i) => {
            let id = order(story, i)?;
            work_order::act(tx, &ctx, id, "close")?;
            story.tick();
            Ok(())
        }
    }
}

/// Whether making `product` takes `item` directly.
fn needs_item(product: &str, item: &str) -> bool {
    super::engineering::BOMS.iter().any(|(p, _, lines)| *p == product && lines.iter().any(|(c, _)| *c == item))
}

fn order(story: &Story<'_>, i: usize) -> Result<WorkOrderId> {
    story.manufacturing.orders[i].ok_or_else(|| kernel::Error::internal("the demo's work order is missing"))
}

fn create(tx: &mut Tx<'_>, story: &mut Story<'_>, ctx: &Ctx, i: usize) -> Result<()> {
    let (_, product, quantity, lot, fate) = PLAN[i];
    let made = work_order::create_work_order(
        tx,
        ctx,
        &WorkOrderInput {
            product: product.into(),
            quantity: quantity.to_string(),
            due_date: Some(iso(story.date() + time::Duration::days(10))),
            lot: (!lot.is_empty()).then(|| lot.to_string()),
            confirm: fate != Fate::Draft,
            ..Default::default()
        },
    )?;
    story.manufacturing.orders[i] = Some(WorkOrderId::parse(&made.id)?);
    story.manufacturing.good[i] = vec![0; operations(product)];
    story.manufacturing.reported[i] = vec![0; operations(product)];
    story.tick();
    if !matches!(fate, Fate::Draft | Fate::Confirmed) {
        story.after(1, step(Step::Issue(i, false)));
    }
    Ok(())
}

/// Issues the materials when every one is there; otherwise tries again every other day (the
/// buyer's review orders what the plan needs) and as soon as a work order making one of them
/// receives its goods.
fn issue(tx: &mut Tx<'_>, story: &mut Story<'_>, i: usize, retry: bool) -> Result<()> {
    if retry {
        story.manufacturing.waiting[i] = false;
    }
    if story.manufacturing.issued[i] {
        return Ok(());
    }
    let ctx = story.people.warehouse.clone();
    let id = order(story, i)?;
    let current = work_order::get_work_order(tx, &ctx, id)?;
    for material in &current.materials {
        let missing = scaled(&material.planned)? - scaled(&material.issued)?;
        if super::available(tx, &ctx, &material.code)? < missing {
            if !story.manufacturing.waiting[i] {
                story.manufacturing.waiting[i] = true;
                story.after(2, step(Step::Issue(i, true)));
            }
            return Ok(());
        }
    }
    work_order::issue_materials(tx, &ctx, id, None)?;
    story.manufacturing.issued[i] = true;
    story.tick();
    if PLAN[i].1 == "FG-YE3-112M4" {
        story.after(0, step(Step::Inspect(i)));
    } else {
        let days = story.rng.range(0, 1);
        story.after(days, step(Step::Report(i, 0, 0)));
    }
    Ok(())
}

/// The first-article inspection: passed, except on the order the story holds.
fn inspect(tx: &mut Tx<'_>, story: &mut Story<'_>, ctx: &Ctx, i: usize) -> Result<()> {
    let id = order(story, i)?;
    let held = PLAN[i].4 == Fate::Held;
    let value = |name: &str, v: &str| MeasuredValue { characteristic: name.into(), value: v.into() };
    production::quality::record_inspection(
        tx,
        ctx,
        &InspectionInput {
            plan: "FA-112M".into(),
            work_order_id: Some(id.to_string()),
            lot: None,
            inspector: "质检员 何静".into(),
            values: vec![
                value("空载电流", if held { "4.1" } else { "3.8" }),
                value("绝缘电阻", if held { "42" } else { "120" }),
                value("温升", if held { "91" } else { "68" }),
            ],
        },
    )?;
    story.tick();
    if held {
        // The two sample motors are scrapped; the order waits for the nonconformance's decision.
        work_order::record_job(
            tx,
            ctx,
            id,
            &JobReport {
                operation: 10,
                scrap: Some("2".into()),
                defect_reason: "首件温升超标、绝缘电阻偏低".into(),
                worker: WORKERS[0].into(),
                ..Default::default()
            },
        )?;
        story.manufacturing.reported[i][0] += 2 * kernel::Quantity::ONE;
        story.manufacturing.job_reports += 1;
        story.tick();
    } else {
        story.after(0, step(Step::Report(i, 0, 0)));
    }
    Ok(())
}

/// 报工: each operation in two reports (about 60 % then the rest of what the one before
/// passed), now and then a unit or two scrapped with its defect.
fn report(tx: &mut Tx<'_>, story: &mut Story<'_>, ctx: &Ctx, i: usize, op: usize, part: u8) -> Result<()> {
    let (_, product, quantity, _, fate) = PLAN[i];
    let id = order(story, i)?;
    let passed = if op == 0 { quantity * kernel::Quantity::ONE } else { story.manufacturing.good[i][op - 1] };
    let reachable = passed - story.manufacturing.reported[i][op];
    let mut chunk = if part == 0 { passed * 6 / 10 / kernel::Quantity::ONE * kernel::Quantity::ONE } else { reachable };
    chunk = chunk.min(reachable);
    let scrap = if chunk > 10 * kernel::Quantity::ONE && story.rng.chance(25) {
        story.rng.range(1, 2) * kernel::Quantity::ONE
    } else {
        0
    };
    if chunk > 0 {
        work_order::record_job(
            tx,
            ctx,
            id,
            &JobReport {
                operation: (op as i64 + 1) * 10,
                good: Some(qty(chunk - scrap)),
                scrap: (scrap > 0).then(|| qty(scrap)),
                defect_reason: if scrap > 0 { (*story.rng.pick(DEFECTS)).into() } else { String::new() },
                worker: (*story.rng.pick(WORKERS)).into(),
                ..Default::default()
            },
        )?;
        story.manufacturing.good[i][op] += chunk - scrap;
        story.manufacturing.reported[i][op] += chunk;
        story.manufacturing.job_reports += 1;
        story.tick();
    }
    let ops = operations(product);
    let last = op + 1 == ops;
    if fate == Fate::Running && op == 1.min(ops - 1) && part == 0 {
        // Running: the rest is still on the shop floor; what passed the last operation is in.
        if last {
            story.after(0, step(Step::Receive(i)));
        }
        return Ok(());
    }
    let days = story.rng.range(0, 1);
    match (part, last) {
        (0, _) => story.after(days, step(Step::Report(i, op, 1))),
        (_, false) => story.after(days, step(Step::Report(i, op + 1, 0))),
        (_, true) => story.after(0, step(Step::Receive(i))),
    };
    Ok(())
}

/// 完工入库 of what the last operation passed; in full, the order is done (and later closed).
fn receive(tx: &mut Tx<'_>, story: &mut Story<'_>, i: usize) -> Result<()> {
    let ctx = story.people.warehouse.clone();
    let fate = PLAN[i].4;
    let id = order(story, i)?;
    let current = work_order::get_work_order(tx, &ctx, id)?;
    let passed = story.manufacturing.good[i].last().copied().unwrap_or(0);
    let to_receive = passed - current.received_scaled;
    if to_receive > 0 {
        work_order::receive(tx, &ctx, id, &FinishedGoods { quantity: qty(to_receive), ..Default::default() })?;
        story.tick();
        // The orders waiting for these goods take them before the warehouse ships them.
        let made = PLAN[i].1;
        for (j, (_, product, _, _, fate)) in PLAN.iter().enumerate() {
            let waits = story.manufacturing.orders[j].is_some() && !story.manufacturing.issued[j];
            if waits && needs_item(product, made) && !matches!(fate, Fate::Draft | Fate::Confirmed) {
                issue(tx, story, j, false)?;
            }
        }
    }
    if fate == Fate::Running {
        return Ok(());
    }
    let now = work_order::get_work_order(tx, &ctx, id)?;
    if now.state == "in_progress" {
        // Scrap left fewer units than ordered: the order is finished with what was made.
        work_order::act(tx, &story.people.production, id, "finish")?;
        story.tick();
    }
    if fate == Fate::Closed {
        let days = story.rng.range(2, 4);
        story.after(days, step(Step::Close(i)));
    }
    Ok(())
}
