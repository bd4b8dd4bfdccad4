//! Work orders (生产工单): made by hand or for a sales order (make-to-order); each copies the BOM
//! valid on its date (phantom kits exploded through) as its planned materials and the product's
//! routing as its operations. Materials are issued from stock to production (a stock document,
//! so the ledger books 生产成本 against 库存商品); job reporting (报工) records good and scrapped
//! quantities per operation with the defect reason, worker and times, an operation never
//! reporting more good units than the one before it passed; finished goods are received into
//! stock (under a lot when given) at the materials' cost per unit, up to what the last
//! operation passed; a work order is closed when done.
//!
//! States: draft → confirmed → in_progress → done → closed; cancelled from draft or confirmed.

use kernel::db::{Row, Tx};
use kernel::id::DocRef;
use kernel::sequence::{DocType, next_number};
use kernel::{Ctx, Currency, Error, Money, Quantity, Result, audit};
use serde::{Deserialize, Serialize};

use crate::bom::{bom_on, product_id, qty_text, yuan};
use crate::explode::needed;
use crate::permissions::{READ, WORK};
use crate::routing::routing_of;

kernel::define_id!(
    /// A work order.
    WorkOrderId
);

const NUMBERS: DocType = DocType { code: "production.work_order", prefix: "MO" };

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"product": "BIKE", "quantity": "10", "due_date": "2099-12-01", "lot": "B20991201"}))]
pub struct WorkOrderInput {
    pub product: String,
    pub quantity: String,
    pub due_date: Option<String>,
    /// The batch number (批次号) finished goods are received under; for a lot-tracked product
    /// the order's number when left out.
    pub lot: Option<String>,
    /// The sales order it is made for (make-to-order).
    pub sales_order_id: Option<String>,
    /// Issue the materials at receipt, in proportion to what is received (倒冲); the item's
    /// planning data decides when not given.
    #[serde(default)]
    pub backflush: Option<bool>,
    #[serde(default)]
    pub confirm: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Material {
    pub component_id: String,
    pub code: String,
    pub planned: String,
    pub issued: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WorkOrderOperation {
    pub id: String,
    pub seq: i64,
    pub name: String,
    pub work_center: String,
    pub good: String,
    pub scrap: String,
    #[serde(skip)]
    pub good_scaled: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WorkOrder {
    pub id: String,
    pub number: String,
    pub product_id: String,
    pub product_code: String,
    /// How the product is tracked: `none`, `lot` or `serial` (then received unit by unit).
    pub tracking: String,
    pub quantity: String,
    pub received: String,
    pub state: String,
    pub lot: Option<String>,
    pub due_date: Option<String>,
    pub origin: Option<DocRef>,
    /// The materials issued so far, at their stock value (CNY).
    pub material_cost: String,
    /// Reported labour, machine time and overhead (CNY), and the actual cost in all.
    pub labour_cost: String,
    pub machine_cost: String,
    pub overhead_cost: String,
    pub actual_cost: String,
    /// The roll-up of the order's quantity when it was made (CNY).
    pub standard_cost: String,
    /// Received into stock so far, at its value (CNY).
    pub received_value: String,
    /// Work in progress: the actual cost not yet received (CNY).
    pub wip: String,
    /// Actual cost against the standard cost of what was received (CNY; positive: over).
    pub variance: String,
    /// Settled at closing: work in progress left over, booked to cost of sales (CNY).
    pub settled: String,
    /// The work (labour, machine, overhead) booked to the ledger so far (CNY).
    pub work_booked: String,
    pub backflush: bool,
    pub materials: Vec<Material>,
    pub operations: Vec<WorkOrderOperation>,
    /// The serial numbers received so far, in the order received (products tracked by serial).
    pub serials: Vec<String>,
    pub version: i64,
    #[serde(skip)]
    pub quantity_scaled: i64,
    #[serde(skip)]
    pub received_scaled: i64,
    #[serde(skip)]
    pub actual_fen: i64,
    #[serde(skip)]
    pub received_fen: i64,
}

fn qty(text: &str, field: &str) -> Result<i64> {
    let q: Quantity =
        text.trim().parse().map_err(|_| Error::field(field.to_string(), "production.quantity_invalid"))?;
    Some(q.scaled()).filter(|q| *q > 0).ok_or_else(|| Error::field(field.to_string(), "production.quantity_invalid"))
}

pub fn create_work_order(tx: &mut Tx<'_>, ctx: &Ctx, input: &WorkOrderInput) -> Result<WorkOrder> {
    ctx.require(WORK)?;
    let product = product_id(tx, ctx, &input.product, "product")?;
    let quantity = qty(&input.quantity, "quantity")?;
    let today = kernel::clock::format_date(ctx.today());
    let bom = bom_on(tx, ctx, &product, &today)?.ok_or_else(|| Error::field("product", "production.no_bom"))?;
    let backflush = match input.backflush {
        Some(b) => b,
        None => tx
            .query_opt(
                "select backflush from production_item where company_id = $1 and product_id = $2",
                &[&ctx.company(), &product],
            )?
            .map(|r| r.get::<bool>(0))
            .transpose()?
            .unwrap_or(false),
    };
    let costing = ctx.with_granted(&[READ, inventory::permissions::VALUATION_READ, inventory::permissions::STOCK_READ]);
    let standard = crate::costing::standard_cost(tx, &costing, &product, &bom, quantity)?;
    let due = match input.due_date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(kernel::clock::format_date(
            kernel::clock::parse_date(d).map_err(|_| Error::field("due_date", "production.date_invalid"))?,
        )),
        None => None,
    };
    let origin =
        input.sales_order_id.as_deref().map(str::trim).filter(|o| !o.is_empty()).map(|o| DocRef::new("sales.order", o));
    let id = WorkOrderId::new();
    let number = next_number(tx, ctx, NUMBERS, ctx.today(), &DocRef::new("production.work_order", id))?;
    // A lot-tracked product made without a lot named is made under the order's number (批号 =
    // 工单号), so that its receipt never stops for want of one.
    let lot = match input.lot.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        Some(lot) => Some(lot.to_string()),
        None => {
            let tracking: String = tx.scalar("select tracking from product_product where id = $1", &[&product])?;
            (inventory::lot::Tracking::parse(&tracking) == inventory::lot::Tracking::Lot).then(|| number.clone())
        }
    };
    tx.execute(
        "insert into production_work_order (id, company_id, number, product_id, bom_id, quantity, received, state, lot, due_date,
             origin_kind, origin_id, material_cost, created_at, created_by, updated_at, backflush, standard_cost)
         values ($1, $2, $3, $4, $5, $6, 0, 'draft', $7, $8, $9, $10, 0, $11, $12, $11, $13, $14)",
        &[
            &id,
            &ctx.company(),
            &number,
            &product,
            &bom.id,
            &quantity,
            &lot,
            &due,
            &origin.as_ref().map(|o| o.kind.clone()),
            &origin.as_ref().map(|o| o.id.clone()),
            &ctx.now_text(),
            &ctx.actor().label(),
            &backflush,
            &standard,
        ],
    )?;
    // The planned materials: the BOM's components, phantom kits exploded through.
    let mut planned: Vec<(String, i64)> = Vec::new();
    let mut stack = vec![(bom, quantity)];
    while let Some((bom, quantity)) = stack.pop() {
        for line in bom.lines.iter().filter(|l| !l.byproduct) {
            let q = needed(quantity, line.quantity_scaled, bom.quantity_scaled, line.scrap_bp);
            match bom_on(tx, ctx, &line.component_id, &today)? {
                Some(kit) if kit.kind == "phantom" => stack.push((kit, q)),
                _ => match planned.iter_mut().find(|(c, _)| *c == line.component_id) {
                    Some(p) => p.1 += q,
                    None => planned.push((line.component_id.clone(), q)),
                },
            }
        }
    }
    for (seq, (component, q)) in planned.iter().enumerate() {
        tx.execute(
            "insert into production_work_order_material (id, work_order_id, seq, component_id, planned, issued) values ($1, $2, $3, $4, $5, 0)",
            &[&kernel::id::Uuid::now_v7(), &id, &(seq as i64 + 1), component, q],
        )?;
    }
    if let Some(routing) = routing_of(tx, ctx, &product)? {
        for op in &routing.operations {
            tx.execute(
                "insert into production_work_order_operation (id, work_order_id, seq, name, work_center_id, good, scrap, run_minutes)
                 values ($1, $2, $3, $4, $5, 0, 0, $6)",
                &[&kernel::id::Uuid::now_v7(), &id, &op.seq, &op.name, &op.work_center_id, &op.run_scaled],
            )?;
        }
    }
    audit::record(
        tx,
        ctx,
        "production.work_order.create",
        "production.work_order",
        &id,
        serde_json::json!({"number": number}),
    )?;
    if input.confirm {
        return act(tx, ctx, id, "confirm");
    }
    get_work_order(tx, ctx, id)
}

const SELECT: &str = "select w.id, w.number, w.product_id, p.code, w.quantity, w.received, w.state, w.lot, w.due_date,
        w.origin_kind, w.origin_id, w.material_cost, w.version, w.labour_cost, w.machine_cost, w.overhead_cost,
        w.standard_cost, w.received_value, w.settled, w.backflush, w.labour_posted + w.machine_posted + w.overhead_posted,
        p.tracking
     from production_work_order w join product_product p on p.id = w.product_id";

/// A work order's header from its row; materials and operations are filled by `with_lines`.
fn header_of(r: &Row) -> Result<WorkOrder> {
    let origin = match (r.get::<Option<String>>(9)?, r.get::<Option<String>>(10)?) {
        (Some(kind), Some(id)) => Some(DocRef { kind, id }),
        _ => None,
    };
    let (quantity, received): (i64, i64) = (r.get(4)?, r.get(5)?);
    let (material, labour, machine, overhead): (i64, i64, i64, i64) = (r.get(11)?, r.get(13)?, r.get(14)?, r.get(15)?);
    let (standard, received_value, settled): (i64, i64, i64) = (r.get(16)?, r.get(17)?, r.get(18)?);
    let actual = material + labour + machine + overhead;
    // The standard of what was received, against what it actually cost.
    let standard_received = if quantity > 0 {
        i64::try_from(kernel::money::div_round_half_up(
            i128::from(standard) * i128::from(received),
            i128::from(quantity),
        ))
        .unwrap_or(0)
    } else {
        0
    };
    Ok(WorkOrder {
        id: r.get(0)?,
        number: r.get(1)?,
        product_id: r.get(2)?,
        product_code: r.get(3)?,
        tracking: r.get(21)?,
        quantity: qty_text(quantity),
        received: qty_text(received),
        state: r.get(6)?,
        lot: r.get(7)?,
        due_date: r.get(8)?,
        origin,
        material_cost: yuan(material),
        labour_cost: yuan(labour),
        machine_cost: yuan(machine),
        overhead_cost: yuan(overhead),
        actual_cost: yuan(actual),
        standard_cost: yuan(standard),
        received_value: yuan(received_value),
        wip: yuan(actual - received_value - settled),
        variance: yuan(if received > 0 { received_value - standard_received } else { 0 }),
        settled: yuan(settled),
        work_booked: yuan(r.get(20)?),
        backflush: r.get(19)?,
        materials: Vec::new(),
        operations: Vec::new(),
        serials: Vec::new(),
        version: r.get(12)?,
        quantity_scaled: quantity,
        received_scaled: received,
        actual_fen: actual,
        received_fen: received_value,
    })
}

/// Fills the materials and operations of `orders`: two reads for all of them (500 at a time).
fn with_lines(tx: &mut Tx<'_>, orders: &mut [WorkOrder]) -> Result<()> {
    for chunk in orders.chunks_mut(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let ids: Vec<String> = chunk.iter().map(|o| o.id.clone()).collect();
        let params: Vec<&dyn kernel::db::ToValue> = ids.iter().map(|id| id as &dyn kernel::db::ToValue).collect();
        let materials = tx.query(
            &format!(
                "select m.work_order_id, m.component_id, p.code, m.planned, m.issued from production_work_order_material m
                 join product_product p on p.id = m.component_id where m.work_order_id in ({}) order by m.seq",
                marks.join(", ")
            ),
            &params,
        )?;
        for m in materials {
            let order: String = m.get(0)?;
            if let Some(o) = chunk.iter_mut().find(|o| o.id == order) {
                o.materials.push(Material {
                    component_id: m.get(1)?,
                    code: m.get(2)?,
                    planned: qty_text(m.get(3)?),
                    issued: qty_text(m.get(4)?),
                });
            }
        }
        let operations = tx.query(
            &format!(
                "select o.work_order_id, o.id, o.seq, o.name, c.code, o.good, o.scrap from production_work_order_operation o
                 join production_work_center c on c.id = o.work_center_id where o.work_order_id in ({}) order by o.seq",
                marks.join(", ")
            ),
            &params,
        )?;
        for op in operations {
            let order: String = op.get(0)?;
            if let Some(o) = chunk.iter_mut().find(|o| o.id == order) {
                let good: i64 = op.get(5)?;
                o.operations.push(WorkOrderOperation {
                    id: op.get(1)?,
                    seq: op.get(2)?,
                    name: op.get(3)?,
                    work_center: op.get(4)?,
                    good: qty_text(good),
                    scrap: qty_text(op.get(6)?),
                    good_scaled: good,
                });
            }
        }
        let serials = tx.query(
            &format!(
                "select w.id, t.code from production_work_order w
                 join product_product pr on pr.id = w.product_id and pr.tracking = 'serial'
                 join inventory_picking p on p.company_id = w.company_id and p.origin_kind = 'production.work_order'
                      and p.origin_id = w.id
                 join inventory_move m on m.picking_id = p.id and m.product_id = w.product_id
                 join inventory_move_line ml on ml.move_id = m.id and ml.state = 'done'
                 join inventory_lot t on t.id = ml.lot_id
                 where w.id in ({}) order by ml.id",
                marks.join(", ")
            ),
            &params,
        )?;
        for serial in serials {
            let order: String = serial.get(0)?;
            if let Some(o) = chunk.iter_mut().find(|o| o.id == order) {
                o.serials.push(serial.get(1)?);
            }
        }
    }
    Ok(())
}

pub fn get_work_order(tx: &mut Tx<'_>, ctx: &Ctx, id: WorkOrderId) -> Result<WorkOrder> {
    ctx.require(READ)?;
    let r = tx
        .query_opt(&format!("{SELECT} where w.company_id = $1 and w.id = $2"), &[&ctx.company(), &id])?
        .ok_or_else(|| Error::not_found("production.work_order_not_found"))?;
    let mut order = [header_of(&r)?];
    with_lines(tx, &mut order)?;
    let [order] = order;
    Ok(order)
}

/// The allowed transitions: (from, action) → to.
fn transition(state: &str, action: &str) -> Option<&'static str> {
    Some(match (state, action) {
        ("draft", "confirm") => "confirmed",
        ("confirmed" | "in_progress", "finish") => "done",
        ("done", "close") => "closed",
        ("draft" | "confirmed", "cancel") => "cancelled",
        _ => return None,
    })
}

/// A state change by name: confirm, finish, close or cancel.
pub fn act(tx: &mut Tx<'_>, ctx: &Ctx, id: WorkOrderId, action: &str) -> Result<WorkOrder> {
    ctx.require(WORK)?;
    let current = get_work_order(tx, ctx, id)?;
    let next = transition(&current.state, action)
        .ok_or_else(|| Error::conflict("production.work_order_state").with_param("state", &current.state))?;
    set_state(tx, ctx, id, &current.state, next)?;
    if next == "closed" {
        post_work(tx, ctx, &current.id)?;
        settle(tx, ctx, id, &current)?;
    }
    audit::record(
        tx,
        ctx,
        &format!("production.work_order.{action}"),
        "production.work_order",
        &id,
        serde_json::json!({}),
    )?;
    get_work_order(tx, ctx, id)
}

/// Closing settles the work in progress: what the order cost and did not pass on to the goods
/// received (work reported after the last receipt, rounding) goes to cost of sales.
fn settle(tx: &mut Tx<'_>, ctx: &Ctx, id: WorkOrderId, order: &WorkOrder) -> Result<()> {
    let left = order.actual_fen - order.received_fen;
    if left == 0 {
        return Ok(());
    }
    tx.execute("update production_work_order set settled = $1 where id = $2", &[&left, &id])?;
    tx.publish(
        ctx,
        &crate::events::WorkOrderSettled {
            work_order_id: id.to_string(),
            number: order.number.clone(),
            date: ctx.today(),
            amount: left,
        },
    )
}

fn set_state(tx: &mut Tx<'_>, ctx: &Ctx, id: WorkOrderId, from: &str, to: &str) -> Result<()> {
    let changed = tx.execute(
        "update production_work_order set state = $1, updated_at = $2, version = version + 1
         where company_id = $3 and id = $4 and state = $5",
        &[&to, &ctx.now_text(), &ctx.company(), &id, &from],
    )?;
    if changed == 0 {
        return Err(Error::conflict("production.work_order_state").with_param("state", from));
    }
    Ok(())
}

fn require_running(order: &WorkOrder) -> Result<()> {
    if matches!(order.state.as_str(), "confirmed" | "in_progress") {
        Ok(())
    } else {
        Err(Error::conflict("production.work_order_state").with_param("state", &order.state))
    }
}

fn start(tx: &mut Tx<'_>, ctx: &Ctx, id: WorkOrderId, order: &WorkOrder) -> Result<()> {
    if order.state == "confirmed" {
        set_state(tx, ctx, id, "confirmed", "in_progress")?;
    }
    Ok(())
}

/// Issues the planned materials not yet issued from the warehouse's stock to production, as
/// one stock document done at once (the pick list, 领料单).
pub fn issue_materials(tx: &mut Tx<'_>, ctx: &Ctx, id: WorkOrderId, date: Option<&str>) -> Result<WorkOrder> {
    ctx.require(WORK)?;
    let order = get_work_order(tx, ctx, id)?;
    require_running(&order)?;
    let rows = tx.query(
        "select m.id, m.component_id, m.planned - m.issued from production_work_order_material m
         where m.work_order_id = $1 and m.planned > m.issued order by m.seq",
        &[&id],
    )?;
    let lines: Vec<(String, String, i64)> =
        rows.iter().map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).collect::<Result<_>>()?;
    if lines.is_empty() {
        return Err(Error::conflict("production.nothing_to_issue"));
    }
    issue(tx, ctx, id, &order, &lines, date, "领料")?;
    start(tx, ctx, id, &order)?;
    get_work_order(tx, ctx, id)
}

/// Backflush (倒冲): before receiving, issues what the materials' plan says the units received
/// so far (`received`, scaled) consumed, less what was already issued.
fn backflush(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    id: WorkOrderId,
    order: &WorkOrder,
    received: i64,
    date: Option<&str>,
) -> Result<()> {
    let rows = tx.query(
        "select m.id, m.component_id, m.planned, m.issued from production_work_order_material m
         where m.work_order_id = $1 order by m.seq",
        &[&id],
    )?;
    let mut lines = Vec::new();
    for r in rows {
        let (material, component, planned, issued): (String, String, i64, i64) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        let due = i64::try_from(kernel::money::div_round_half_up(
            i128::from(planned) * i128::from(received),
            i128::from(order.quantity_scaled),
        ))
        .unwrap_or(planned);
        if due > issued {
            lines.push((material, component, due - issued));
        }
    }
    if !lines.is_empty() {
        issue(tx, ctx, id, order, &lines, date, "倒冲领料")?;
    }
    Ok(())
}

/// Moves `lines` (material row, component, quantity) from stock to production in one stock
/// document and adds their value to the order's material cost.
fn issue(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    id: WorkOrderId,
    order: &WorkOrder,
    lines: &[(String, String, i64)],
    date: Option<&str>,
    what: &str,
) -> Result<()> {
    let (number, value) = move_now(
        tx,
        ctx,
        inventory::picking::PickingInput {
            kind: Some(inventory::picking::PickingKind::Internal),
            from: None,
            to: Some("PRODUCTION".into()),
            origin_kind: Some("production.work_order".into()),
            origin_id: Some(id.to_string()),
            note: format!("{} {what}", order.number),
            lines: lines
                .iter()
                .map(|(_, component, q)| inventory::picking::MoveInput {
                    product: component.clone(),
                    quantity: qty_text(*q),
                    lot: None,
                    expiry_date: None,
                    unit_cost: None,
                    origin: None,
                })
                .collect(),
            confirm: true,
            strict: true,
            ..Default::default()
        },
        date,
    )?;
    // What left stock, at its value: the work order's material cost so far.
    let value = -value;
    for (material, _, q) in lines {
        tx.execute("update production_work_order_material set issued = issued + $1 where id = $2", &[q, material])?;
    }
    tx.execute("update production_work_order set material_cost = material_cost + $1 where id = $2", &[&value, &id])?;
    audit::record(
        tx,
        ctx,
        "production.work_order.issue",
        "production.work_order",
        &id,
        serde_json::json!({"picking": number}),
    )
}

/// Makes a stock document of `input` and validates it at once (dated `date`, today by
/// default); returns its number and the value (fen) of its lines: negative for what left
/// valued stock.
fn move_now(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    input: inventory::picking::PickingInput,
    date: Option<&str>,
) -> Result<(String, i64)> {
    let stock = ctx.with_granted(&[inventory::permissions::STOCK_MOVE]);
    let picking = inventory::picking::create_picking(tx, &stock, &input)?;
    let done = inventory::picking::validate(
        tx,
        &stock,
        picking.id,
        &inventory::picking::ValidateInput { lines: None, date: date.map(str::to_string), backorder: false },
    )?;
    let value = done
        .picking
        .moves
        .iter()
        .flat_map(|m| m.lines.iter())
        .map(|l| Money::parse(&l.value, Currency::CNY).map(|m| m.minor()).unwrap_or(0))
        .sum();
    Ok((done.picking.number, value))
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"operation": 10, "good": "8", "scrap": "1", "defect_reason": "焊点虚焊", "worker": "王师傅",
    "started_at": "2099-12-01T08:00", "ended_at": "2099-12-01T11:30"}))]
pub struct JobReport {
    /// The operation's sequence number (10, 20 …).
    pub operation: i64,
    #[serde(default)]
    pub good: Option<String>,
    #[serde(default)]
    pub scrap: Option<String>,
    #[serde(default)]
    pub defect_reason: String,
    #[serde(default)]
    pub worker: String,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    /// Minutes worked; from the start and end times when given, else the routing's run time
    /// for the quantity reported.
    pub minutes: Option<String>,
}

/// Job reporting (报工) on an operation: good and scrapped quantities (a defect reason with any
/// scrap), who and when. An operation cannot pass more good units than the one before it.
pub fn report_job(tx: &mut Tx<'_>, ctx: &Ctx, id: WorkOrderId, input: &JobReport) -> Result<WorkOrder> {
    record_job(tx, ctx, id, input)?;
    get_work_order(tx, ctx, id)
}

/// An operation of a work order as job reporting needs it, with its work center's rates.
struct ReportedOperation {
    id: String,
    seq: i64,
    good: i64,
    scrap: i64,
    run_minutes: i64,
    labour_rate: i64,
    machine_rate: i64,
    overhead_bp: i64,
}

/// The work of `report_job` without reading the order back: a handful of statements, since
/// the shop floor reports thousands of times a day. The work is costed on the order at once
/// and booked to the ledger with the order's other unbooked work (`post_work`).
pub fn record_job(tx: &mut Tx<'_>, ctx: &Ctx, id: WorkOrderId, input: &JobReport) -> Result<()> {
    ctx.require(WORK)?;
    let head = tx
        .query_opt(
            "select state, quantity, product_id from production_work_order where company_id = $1 and id = $2",
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("production.work_order_not_found"))?;
    let (state, quantity, product): (String, i64, String) = (head.get(0)?, head.get(1)?, head.get(2)?);
    if !matches!(state.as_str(), "confirmed" | "in_progress") {
        return Err(Error::conflict("production.work_order_state").with_param("state", &state));
    }
    let good = input.good.as_deref().map(|g| qty_or_zero(g, "good")).transpose()?.unwrap_or(0);
    let scrap = input.scrap.as_deref().map(|s| qty_or_zero(s, "scrap")).transpose()?.unwrap_or(0);
    if good == 0 && scrap == 0 {
        return Err(Error::field("good", "production.quantity_invalid"));
    }
    if scrap > 0 && input.defect_reason.trim().is_empty() {
        return Err(Error::field("defect_reason", "production.defect_reason_required"));
    }
    // A failed (or missing) first-article inspection holds batch production.
    if good > 0 && !crate::quality::first_article_cleared(tx, ctx, &id.to_string(), &product)? {
        return Err(Error::conflict("production.first_article_required"));
    }
    let ops = tx
        .query(
            "select o.id, o.seq, o.good, o.scrap, o.run_minutes, c.labour_rate, c.machine_rate, c.overhead_bp
             from production_work_order_operation o join production_work_center c on c.id = o.work_center_id
             where o.work_order_id = $1 order by o.seq",
            &[&id],
        )?
        .iter()
        .map(|r| {
            Ok(ReportedOperation {
                id: r.get(0)?,
                seq: r.get(1)?,
                good: r.get(2)?,
                scrap: r.get(3)?,
                run_minutes: r.get(4)?,
                labour_rate: r.get(5)?,
                machine_rate: r.get(6)?,
                overhead_bp: r.get(7)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let at = ops
        .iter()
        .position(|o| o.seq == input.operation)
        .ok_or_else(|| Error::field("operation", "production.operation_unknown"))?;
    let op = &ops[at];
    // 流转: what reaches this operation is what the previous passed (the order's quantity first).
    let available = if at == 0 { quantity } else { ops[at - 1].good };
    if op.good + op.scrap + good + scrap > available {
        return Err(Error::conflict("production.more_than_passed")
            .with_param("available", qty_text(available - op.good - op.scrap)));
    }
    tx.execute(
        "update production_work_order_operation set good = good + $1, scrap = scrap + $2 where id = $3",
        &[&good, &scrap, &op.id],
    )?;
    // What the work took (minutes scaled 10^4) and cost at the work center's rates.
    let minutes = job_minutes(tx, ctx, (&product, &op.id, op.run_minutes), input, good + scrap)?;
    let at_rate = |rate: i64| -> i64 {
        i64::try_from(kernel::money::div_round_half_up(i128::from(minutes) * i128::from(rate), 60 * 10_000))
            .unwrap_or(0)
    };
    let (labour, machine) = (at_rate(op.labour_rate), at_rate(op.machine_rate));
    let overhead = i64::try_from(kernel::money::div_round_half_up(
        i128::from(labour + machine) * i128::from(op.overhead_bp),
        10_000,
    ))
    .unwrap_or(0);
    // The first report starts the order.
    tx.execute(
        "update production_work_order set labour_cost = labour_cost + $1, machine_cost = machine_cost + $2,
             overhead_cost = overhead_cost + $3, state = 'in_progress', updated_at = $4, version = version + 1
         where id = $5 and state in ('confirmed', 'in_progress')",
        &[&labour, &machine, &overhead, &ctx.now_text(), &id],
    )?;
    tx.execute(
        "insert into production_job_report (id, company_id, work_order_id, operation_id, good, scrap, defect_reason, worker,
             started_at, ended_at, created_at, created_by, minutes, labour, machine, overhead)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        &[
            &kernel::id::Uuid::now_v7(),
            &ctx.company(),
            &id,
            &op.id,
            &good,
            &scrap,
            &input.defect_reason.trim(),
            &input.worker.trim(),
            &input.started_at,
            &input.ended_at,
            &ctx.now_text(),
            &ctx.actor().label(),
            &minutes,
            &labour,
            &machine,
            &overhead,
        ],
    )?;
    Ok(())
}

/// Books the work reported on a work order and not yet booked (`JobCosted`: 生产成本 against
/// 应付职工薪酬 and 制造费用), in one voucher. Runs before each receipt (whose value leaves
/// 生产成本), at closing, and daily for every open order (`post_open_work`).
pub fn post_work(tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<()> {
    let Some(r) = tx.query_opt(
        "select number, labour_cost - labour_posted, machine_cost - machine_posted, overhead_cost - overhead_posted
         from production_work_order where company_id = $1 and id = $2",
        &[&ctx.company(), &id],
    )?
    else {
        return Ok(());
    };
    let (number, labour, machine, overhead): (String, i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
    if labour == 0 && machine == 0 && overhead == 0 {
        return Ok(());
    }
    tx.execute(
        "update production_work_order set labour_posted = labour_cost, machine_posted = machine_cost,
             overhead_posted = overhead_cost where id = $1",
        &[&id],
    )?;
    tx.publish(
        ctx,
        &crate::events::JobCosted {
            work_order_id: id.to_string(),
            number,
            date: ctx.today(),
            labour,
            machine,
            overhead,
        },
    )
}

/// Books the unbooked work of every work order that has some (the daily worker); returns how
/// many orders were booked.
pub fn post_open_work(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<usize> {
    ctx.require(WORK)?;
    let ids: Vec<String> = tx
        .query(
            "select id from production_work_order where company_id = $1 and state in ('in_progress', 'done')
               and (labour_cost <> labour_posted or machine_cost <> machine_posted or overhead_cost <> overhead_posted)",
            &[&ctx.company()],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect::<Result<_>>()?;
    for id in &ids {
        post_work(tx, ctx, id)?;
    }
    Ok(ids.len())
}

/// The minutes (scaled 10^4) a report stands for: as given, else from its start and end times,
/// else the worker's started and paused runs on the tablet, else the routing's run minutes for
/// the quantity reported.
fn job_minutes(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    (product, operation, run_minutes): (&str, &str, i64),
    input: &JobReport,
    quantity: i64,
) -> Result<i64> {
    if let Some(text) = input.minutes.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        return qty_or_zero(text, "minutes");
    }
    let at = |text: &Option<String>| {
        text.as_deref().and_then(|t| {
            time::PrimitiveDateTime::parse(
                t,
                &time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]"),
            )
            .ok()
        })
    };
    if let (Some(start), Some(end)) = (at(&input.started_at), at(&input.ended_at)) {
        let minutes = (end - start).whole_minutes();
        if minutes < 0 {
            return Err(Error::field("ended_at", "production.times_invalid"));
        }
        return Ok(minutes * 10_000);
    }
    if let Some(run) = crate::shop_floor::take_run_minutes(tx, ctx, operation, &input.worker)? {
        return Ok(run);
    }
    // Orders made before operations kept their run time read the routing.
    let run = if run_minutes > 0 {
        run_minutes
    } else {
        routing_of(tx, ctx, product)?
            .and_then(|r| r.operations.into_iter().find(|o| o.seq == input.operation).map(|o| o.run_scaled))
            .unwrap_or(0)
    };
    Ok(i64::try_from(i128::from(run) * i128::from(quantity) / 10_000).unwrap_or(0))
}

fn qty_or_zero(text: &str, field: &str) -> Result<i64> {
    if text.trim().is_empty() {
        return Ok(0);
    }
    let q: Quantity =
        text.trim().parse().map_err(|_| Error::field(field.to_string(), "production.quantity_invalid"))?;
    Some(q.scaled()).filter(|q| *q >= 0).ok_or_else(|| Error::field(field.to_string(), "production.quantity_invalid"))
}

/// A receipt of finished goods: how many, when, and for a product tracked by serial number
/// the serial of each unit.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"quantity": "2", "date": "2099-12-02", "serials": ["SN-0001", "SN-0002"]}))]
pub struct FinishedGoods {
    pub quantity: String,
    /// The effective date; today by default.
    pub date: Option<String>,
    /// Serial-tracked products: one serial number per unit. Left out, they are numbered from
    /// the order's lot (or its number) and the units received before: `MO-2026-000001-0001` …
    #[serde(default)]
    pub serials: Vec<String>,
}

/// Receives finished goods (完工入库) into stock, up to what the last operation passed (the
/// order's quantity without a routing), at the work in progress per unit still to receive;
/// with backflush, the materials those units consumed are issued first. A lot-tracked product
/// enters under the order's lot; a serial-tracked one unit by unit under its serial number,
/// each traced to the component lots issued to the order.
pub fn receive(tx: &mut Tx<'_>, ctx: &Ctx, id: WorkOrderId, input: &FinishedGoods) -> Result<WorkOrder> {
    ctx.require(WORK)?;
    let order = get_work_order(tx, ctx, id)?;
    require_running(&order)?;
    let q = qty(&input.quantity, "quantity")?;
    let date = input.date.as_deref();
    let serials = serials_for(&order, q, &input.serials)?;
    let received = order.received_scaled;
    let passed = match order.operations.last() {
        Some(last) => last.good_scaled,
        None => order.quantity_scaled,
    };
    if received + q > passed {
        return Err(Error::conflict("production.more_than_passed").with_param("available", qty_text(passed - received)));
    }
    // The work reported so far is booked before the goods take their value out of 生产成本.
    post_work(tx, ctx, &order.id)?;
    let order = if order.backflush {
        backflush(tx, ctx, id, &order, received + q, date)?;
        get_work_order(tx, ctx, id)?
    } else {
        order
    };
    // Cost per unit: the work in progress (materials issued and work reported, less what earlier
    // receipts took) over the units still to receive, so that the last receipt clears it.
    let cost = order.actual_fen - order.received_fen;
    let units = (order.quantity_scaled - received).max(q);
    // Yuan per unit with 6 decimals: fen × 10^8 ÷ quantity (scaled 10^4).
    let unit_cost_e6 = kernel::money::div_round_half_up(i128::from(cost.max(0)) * 100_000_000, i128::from(units));
    let unit = kernel::UnitPrice::from_scaled(i64::try_from(unit_cost_e6).unwrap_or(0));
    let finished = |lot: Option<String>, quantity: String, unit_cost: String| inventory::picking::MoveInput {
        product: order.product_id.clone(),
        quantity,
        lot,
        expiry_date: None,
        unit_cost: Some(unit_cost),
        origin: None,
    };
    let lines = if serials.is_empty() {
        vec![finished(order.lot.clone(), qty_text(q), unit.to_string())]
    } else {
        // One unit per serial, priced in whole fen that add up to what the same units would be
        // worth under one lot, so that the order's work in progress clears to the fen.
        let total = kernel::money::div_round_half_up(unit_cost_e6 * i128::from(q), 100_000_000);
        let total = Money::from_minor(i64::try_from(total).unwrap_or(0), Currency::CNY);
        let parts = total.allocate(&vec![1; serials.len()])?;
        serials
            .iter()
            .zip(parts)
            .map(|(serial, part)| finished(Some(serial.clone()), "1".into(), part.to_string()))
            .collect()
    };
    let (_, value) = move_now(
        tx,
        ctx,
        inventory::picking::PickingInput {
            kind: Some(inventory::picking::PickingKind::Internal),
            from: Some("PRODUCTION".into()),
            to: None,
            origin_kind: Some("production.work_order".into()),
            origin_id: Some(id.to_string()),
            note: format!("{} 完工入库", order.number),
            lines,
            confirm: true,
            ..Default::default()
        },
        date,
    )?;
    tx.execute(
        "update production_work_order set received = received + $1, received_value = received_value + $2 where id = $3",
        &[&q, &value, &id],
    )?;
    // The genealogy of what was received (the order's lot, or each serial): the component lots
    // issued to this order.
    let received_codes = if serials.is_empty() { order.lot.iter().cloned().collect() } else { serials };
    crate::trace::link_lots(tx, ctx, &id.to_string(), &order.product_id, &received_codes)?;
    start(tx, ctx, id, &order)?;
    audit::record(
        tx,
        ctx,
        "production.work_order.receive",
        "production.work_order",
        &id,
        serde_json::json!({"quantity": qty_text(q)}),
    )?;
    let after = get_work_order(tx, ctx, id)?;
    if after.received_scaled >= after.quantity_scaled {
        return act(tx, ctx, id, "finish");
    }
    Ok(after)
}

/// The serial numbers of a receipt of `q` (scaled) units: none unless the product is tracked by
/// serial; then the ones given (one per unit, each once) or numbered on from the units received.
fn serials_for(order: &WorkOrder, q: i64, given: &[String]) -> Result<Vec<String>> {
    if inventory::lot::Tracking::parse(&order.tracking) != inventory::lot::Tracking::Serial {
        if !given.is_empty() {
            return Err(Error::field("serials", "production.serials_not_tracked"));
        }
        return Ok(Vec::new());
    }
    const UNIT: i64 = 10_000;
    if q % UNIT != 0 {
        return Err(Error::field("quantity", "production.serial_whole_units"));
    }
    let units = q / UNIT;
    if given.is_empty() {
        let base = order.lot.clone().unwrap_or_else(|| order.number.clone());
        let before = order.received_scaled / UNIT;
        return Ok((before + 1..=before + units).map(|n| format!("{base}-{n:04}")).collect());
    }
    let serials: Vec<String> = given.iter().map(|s| s.trim().to_string()).collect();
    if i64::try_from(serials.len()).unwrap_or(i64::MAX) != units {
        return Err(Error::field("serials", "production.serial_count")
            .with_param("given", serials.len())
            .with_param("expected", units));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(repeated) = serials.iter().find(|s| !seen.insert(s.as_str())) {
        return Err(Error::field("serials", "production.serial_repeated").with_param("serial", repeated));
    }
    Ok(serials)
}

/// The work orders that need someone's attention (the home page's queues).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    /// Still open after their due date.
    Late,
    /// On quality hold (质量冻结): their batch is held (it cannot be issued or delivered), or a
    /// failed first-article inspection with none passed since stops them reporting good units.
    Held,
}

impl Queue {
    pub fn parse(code: &str) -> Option<Queue> {
        match code {
            "late" => Some(Queue::Late),
            "held" => Some(Queue::Held),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Queue::Late => "late",
            Queue::Held => "held",
        }
    }

    /// The condition on `w` ($2 is today).
    fn condition(self) -> &'static str {
        match self {
            Queue::Late => "w.state in ('confirmed', 'in_progress') and w.due_date < $2",
            Queue::Held => {
                "w.state in ('confirmed', 'in_progress', 'done') and $2 <> '' and (
                     exists (select 1 from inventory_lot l
                         where l.company_id = w.company_id and l.product_id = w.product_id and l.code = w.lot and l.held = 1)
                     or (w.state <> 'done'
                         and exists (select 1 from production_inspection i where i.company_id = w.company_id
                             and i.work_order_id = w.id and i.kind = 'first' and i.result = 'fail')
                         and not exists (select 1 from production_inspection i where i.company_id = w.company_id
                             and i.work_order_id = w.id and i.kind = 'first' and i.result = 'pass')))"
            }
        }
    }
}

/// How many work orders are in a queue.
pub fn count_queue(tx: &mut Tx<'_>, ctx: &Ctx, queue: Queue) -> Result<i64> {
    ctx.require(READ)?;
    let today = kernel::clock::format_date(ctx.today());
    tx.scalar(
        &format!("select count(*) from production_work_order w where w.company_id = $1 and {}", queue.condition()),
        &[&ctx.company(), &today],
    )
}

/// The work orders of a queue, most overdue first (the first 200).
pub fn list_queue(tx: &mut Tx<'_>, ctx: &Ctx, queue: Queue) -> Result<Vec<WorkOrder>> {
    ctx.require(READ)?;
    let today = kernel::clock::format_date(ctx.today());
    let rows = tx.query(
        &format!(
            "{SELECT} where w.company_id = $1 and {} order by coalesce(w.due_date, ''), w.id limit 200",
            queue.condition()
        ),
        &[&ctx.company(), &today],
    )?;
    let mut orders = rows.iter().map(header_of).collect::<Result<Vec<_>>>()?;
    with_lines(tx, &mut orders)?;
    Ok(orders)
}

/// Work orders, latest first (the latest 200), in one state or all.
pub fn list_work_orders(tx: &mut Tx<'_>, ctx: &Ctx, state: Option<&str>) -> Result<Vec<WorkOrder>> {
    ctx.require(READ)?;
    let filter = if state.is_some() { "and w.state = $2" } else { "and $2 = ''" };
    let rows = tx.query(
        &format!("{SELECT} where w.company_id = $1 {filter} order by w.created_at desc, w.id desc limit 200"),
        &[&ctx.company(), &state.unwrap_or("")],
    )?;
    let mut orders = rows.iter().map(header_of).collect::<Result<Vec<_>>>()?;
    with_lines(tx, &mut orders)?;
    Ok(orders)
}
