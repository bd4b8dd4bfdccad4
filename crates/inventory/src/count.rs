//! Stock counts (盘点): the counted quantity per product and lot at a location, compared with
//! the books when the count is validated; each difference posts as a move to or from the
//! inventory loss location (gains valued at the running cost).

use kernel::db::Tx;
use kernel::id::DocRef;
use kernel::sequence::{DocType, next_number};
use kernel::{Ctx, Error, Quantity, Result, audit};
use serde::Deserialize;

use crate::location::{LocationKind, location_by_path, virtual_location};
use crate::lot::{Tracking, lot_for};
use crate::permissions::STOCK_COUNT;
use crate::picking::{Picking, PickingId, get_picking};
use crate::stock::{self, DoneLine, product_info};

const COUNT_NUMBERS: DocType = DocType { code: "inventory.count", prefix: "CNT" };

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountLineInput {
    pub product: String,
    pub lot: Option<String>,
    /// The quantity found, in the product's unit.
    pub counted: String,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"location": "WH/STOCK", "lines": [{"product": "TEA-001", "counted": "48"}]}))]
pub struct CountInput {
    pub location: String,
    pub lines: Vec<CountLineInput>,
    #[serde(default)]
    pub note: String,
}

/// Records a count in draft: nothing moves until it is validated.
pub fn create_count(tx: &mut Tx<'_>, ctx: &Ctx, input: &CountInput) -> Result<Picking> {
    ctx.require(STOCK_COUNT)?;
    let location = location_by_path(tx, ctx, &input.location)
        .map_err(|_| Error::field("location", "inventory.location_unknown").with_param("path", &input.location))?;
    if location.kind != LocationKind::Internal {
        return Err(Error::field("location", "inventory.count_location_internal"));
    }
    if input.lines.is_empty() {
        return Err(Error::field("lines", "inventory.no_lines"));
    }
    let loss = virtual_location(tx, ctx, LocationKind::Loss)?;
    let id = PickingId::new();
    let number = next_number(tx, ctx, COUNT_NUMBERS, ctx.today(), &DocRef::new("inventory.picking", id))?;
    let now = ctx.now_text();
    tx.execute(
        "insert into inventory_picking (id, company_id, number, kind, state, from_location_id, to_location_id, scheduled_date, note,
             created_at, created_by, updated_at)
         values ($1, $2, $3, 'count', 'draft', $4, $5, $6, $7, $8, $9, $8)",
        &[&id, &ctx.company(), &number, &loss.id, &location.id, &kernel::clock::format_date(ctx.today()), &input.note, &now, &ctx.actor().label()],
    )?;
    for (i, line) in input.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        let product = product_info(tx, ctx, &line.product)
            .map_err(|_| Error::field(field("product"), "inventory.product_unknown"))?;
        let counted: Quantity =
            line.counted.trim().parse().map_err(|_| Error::field(field("counted"), "inventory.quantity_invalid"))?;
        if counted.is_negative() {
            return Err(Error::field(field("counted"), "inventory.quantity_invalid"));
        }
        let lot = match line.lot.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
            Some(code) if product.tracking != Tracking::None => lot_for(tx, ctx, &product.id, code, None)?.to_string(),
            Some(_) => return Err(Error::field(field("lot"), "inventory.product_not_tracked")),
            None if product.tracking != Tracking::None => {
                return Err(Error::field(field("lot"), "inventory.lot_required").with_param("product", &line.product));
            }
            None => String::new(),
        };
        tx.execute(
            "insert into inventory_count_line (id, company_id, picking_id, product_id, location_id, lot_id, counted, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[&kernel::id::Uuid::now_v7(), &ctx.company(), &id, &product.id, &location.id, &lot, &counted, &now],
        )?;
    }
    audit::record(tx, ctx, "inventory.count.create", "inventory.picking", &id, serde_json::json!({"number": number}))?;
    get_picking(tx, ctx, id)
}

/// Posts the differences between counted and booked quantities (called by `validate`).
pub(crate) fn validate_count(tx: &mut Tx<'_>, ctx: &Ctx, id: PickingId, date: Option<&str>) -> Result<Picking> {
    ctx.require(STOCK_COUNT)?;
    let date = match date {
        Some(text) => kernel::clock::parse_date(text).map_err(|_| Error::field("date", "inventory.date_invalid"))?,
        None => ctx.today(),
    };
    let loss = virtual_location(tx, ctx, LocationKind::Loss)?;
    let lines = tx.query(
        "select c.product_id, c.location_id, c.lot_id, c.counted, l.path from inventory_count_line c
         join inventory_location l on l.id = c.location_id where c.picking_id = $1 order by c.id",
        &[&id],
    )?;
    let mut flows = crate::picking::Flows::default();
    // A count names one location: read it once.
    let mut locations: std::collections::HashMap<String, crate::location::Location> = std::collections::HashMap::new();
    for row in lines {
        let product = product_info(tx, ctx, &row.get::<String>(0)?)?;
        let path: String = row.get(4)?;
        let location = match locations.get(&path) {
            Some(location) => location.clone(),
            None => {
                let location = location_by_path(tx, ctx, &path)?;
                locations.insert(path, location.clone());
                location
            }
        };
        let lot: String = row.get(2)?;
        let counted: i64 = row.get(3)?;
        let booked = stock::on_hand(tx, ctx, &product.id, location.id, &lot)?;
        let difference = counted - booked;
        if difference == 0 {
            continue;
        }
        let (from, to) = if difference > 0 { (&loss, &location) } else { (&location, &loss) };
        let move_id = kernel::id::Uuid::now_v7().to_string();
        let quantity = difference.abs();
        tx.execute(
            "insert into inventory_move (id, company_id, picking_id, product_id, from_location_id, to_location_id, lot_id, quantity,
                 state, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, 'done', $9)",
            &[&move_id, &ctx.company(), &id, &product.id, &from.id, &to.id, &lot, &quantity, &ctx.now_text()],
        )?;
        let line_id = kernel::id::Uuid::now_v7().to_string();
        tx.execute(
            "insert into inventory_move_line (id, company_id, move_id, product_id, from_location_id, to_location_id, lot_id, quantity,
                 state, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, 'reserved', $9)",
            &[&line_id, &ctx.company(), &move_id, &product.id, &from.id, &to.id, &lot, &quantity, &ctx.now_text()],
        )?;
        let value = stock::post_line(
            tx,
            ctx,
            &DoneLine {
                line_id: &line_id,
                picking_id: &id.to_string(),
                product: &product,
                from,
                to,
                lot: &lot,
                quantity: Quantity::from_scaled(quantity),
                reserved: false,
                stored_done: false,
                date,
                unit_cost: None,
                origin: Some(DocRef::new("inventory.picking", id)),
            },
        )?;
        let valued = if from.kind.is_valued() { from } else { to };
        let warehouse = match &valued.warehouse_id {
            Some(id) => crate::location::warehouse_code(tx, ctx, id)?,
            None => None,
        };
        flows.add((from.kind, to.kind), value, &product.category_path, &warehouse);
    }
    let changed = tx.execute(
        "update inventory_picking set state = 'done', done_date = $1, version = version + 1, updated_at = $2
         where company_id = $3 and id = $4 and state = 'draft'",
        &[&kernel::clock::format_date(date), &ctx.now_text(), &ctx.company(), &id],
    )?;
    if changed == 0 {
        return Err(Error::conflict("inventory.picking_changed"));
    }
    flows.publish(tx, ctx, id, date)?;
    audit::record(tx, ctx, "inventory.count.validate", "inventory.picking", &id, serde_json::json!({}))?;
    get_picking(tx, ctx, id)
}
