//! The second warehouse: the Shanghai finished-goods store (上海成品仓) holds stock for the
//! customers of East China. Three times in the story the warehouse moves part of the motors and
//! reducers in stock there from the factory's main warehouse, lot by lot (first expiring first),
//! so that stock lies in two warehouses, each under its lots.

use inventory::{MoveInput, PickingInput, PickingKind, ValidateInput};
use kernel::Result;
use kernel::db::Tx;

use super::{Step as StoryStep, Story, qty};

/// What goes to Shanghai each time, at most (and never more than a third of what is free).
const SENT: &[(&str, i64)] = &[("FG-YE3-90L4", 12), ("FG-RV63", 5), ("FG-YE3-112M4", 6)];

#[derive(Debug)]
pub enum Step {
    Transfer,
}

pub fn plan(story: &mut Story<'_>) {
    for day in [30, 62, 96] {
        let date = story.day(day);
        story.at(date, StoryStep::Warehouse(Step::Transfer));
    }
}

pub fn run(tx: &mut Tx<'_>, story: &mut Story<'_>, _step: Step) -> Result<()> {
    let ctx = story.people.warehouse.clone();
    let mut lines = Vec::new();
    for (code, most) in SENT {
        let free = super::available(tx, &ctx, code)? / 3 / kernel::Quantity::ONE;
        let quantity = free.min(*most);
        if quantity > 0 {
            lines.push(MoveInput {
                product: (*code).into(),
                quantity: qty(quantity * kernel::Quantity::ONE),
                ..Default::default()
            });
        }
    }
    if lines.is_empty() {
        return Ok(());
    }
    let picking = inventory::create_picking(
        tx,
        &ctx,
        &PickingInput {
            kind: Some(PickingKind::Internal),
            from: Some("WH/STOCK".into()),
            to: Some("SH/STOCK".into()),
            note: "华东区域备货：调拨至上海成品仓".into(),
            lines,
            confirm: true,
            ..Default::default()
        },
    )?;
    story.tick();
    inventory::validate_only(tx, &ctx, picking.id, &ValidateInput { lines: None, date: None, backorder: false })?;
    story.tick();
    Ok(())
}
