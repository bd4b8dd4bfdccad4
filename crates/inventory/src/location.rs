//! Warehouses and locations. A warehouse is a tree of locations (warehouse view → zone → bin)
//! whose internal locations hold stock; virtual locations (supplier, customer, production,
//! scrap, inventory loss, transit) are where goods come from and go to, so every change of
//! quantity is a move between two locations.

use kernel::db::{Row, Tx};
use kernel::{Ctx, Error, Result, audit};
use serde::{Deserialize, Serialize};

use crate::permissions::{SETUP, STOCK_READ};

kernel::define_id!(
    /// A location: a bin, a zone, a warehouse's view, or a virtual location.
    LocationId
);
kernel::define_id!(
    /// A warehouse.
    WarehouseId
);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    /// Groups other locations; holds no stock itself.
    View,
    Internal,
    Supplier,
    Customer,
    Production,
    Scrap,
    /// Inventory loss: where count variances go to and come from.
    Loss,
    /// Goods between two warehouses.
    Transit,
}

impl LocationKind {
    pub const ALL: [LocationKind; 8] = [
        LocationKind::View,
        LocationKind::Internal,
        LocationKind::Supplier,
        LocationKind::Customer,
        LocationKind::Production,
        LocationKind::Scrap,
        LocationKind::Loss,
        LocationKind::Transit,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LocationKind::View => "view",
            LocationKind::Internal => "internal",
            LocationKind::Supplier => "supplier",
            LocationKind::Customer => "customer",
            LocationKind::Production => "production",
            LocationKind::Scrap => "scrap",
            LocationKind::Loss => "loss",
            LocationKind::Transit => "transit",
        }
    }

    pub fn parse(code: &str) -> Option<LocationKind> {
        LocationKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Stock here is the company's and is valued (internal and in transit); moves between
    /// valued locations change no value.
    pub fn is_valued(self) -> bool {
        matches!(self, LocationKind::Internal | LocationKind::Transit)
    }

    /// The virtual locations every company has, with their path (top level).
    pub const VIRTUAL: [(LocationKind, &'static str, &'static str); 6] = [
        (LocationKind::Supplier, "SUPPLIER", "供应商"),
        (LocationKind::Customer, "CUSTOMER", "客户"),
        (LocationKind::Production, "PRODUCTION", "生产"),
        (LocationKind::Scrap, "SCRAP", "报废"),
        (LocationKind::Loss, "LOSS", "盘点损益"),
        (LocationKind::Transit, "TRANSIT", "在途"),
    ];
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Location {
    #[schema(value_type = String)]
    pub id: LocationId,
    pub warehouse_id: Option<String>,
    pub parent_path: Option<String>,
    pub code: String,
    pub name: String,
    /// `WH/STOCK/A-01`
    pub path: String,
    pub kind: LocationKind,
    /// Stock may go below zero here (or anywhere in its warehouse when the warehouse allows it).
    pub allow_negative: bool,
}

/// A location under a parent (`parent` is the parent's path).
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"parent": "WH/STOCK", "code": "A-01", "name": "A 区 01 货架", "kind": "internal"}))]
pub struct LocationInput {
    pub parent: String,
    pub code: String,
    pub name: String,
    #[serde(default = "internal")]
    pub kind: LocationKind,
    #[serde(default)]
    pub allow_negative: bool,
}

fn internal() -> LocationKind {
    LocationKind::Internal
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Warehouse {
    #[schema(value_type = String)]
    pub id: WarehouseId,
    pub code: String,
    pub name: String,
    /// Path of its main stock location (`WH/STOCK`).
    pub stock_location: String,
    pub allow_negative: bool,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "SH", "name": "上海仓"}))]
pub struct WarehouseInput {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub allow_negative: bool,
}

const LOCATION_COLUMNS: &str = "l.id, l.warehouse_id, p.path, l.code, l.name, l.path, l.kind, l.allow_negative";

fn location_of(row: &Row) -> Result<Location> {
    let kind: String = row.get(6)?;
    Ok(Location {
        id: row.get(0)?,
        warehouse_id: row.get(1)?,
        parent_path: row.get(2)?,
        code: row.get(3)?,
        name: row.get(4)?,
        path: row.get(5)?,
        kind: LocationKind::parse(&kind).ok_or_else(|| Error::internal(format!("location kind {kind}")))?,
        allow_negative: row.get(7)?,
    })
}

fn check_code(code: &str) -> Result<String> {
    let code = code.trim().to_uppercase();
    if code.is_empty() || code.len() > 40 || code.contains('/') {
        return Err(Error::field("code", "inventory.location_code_invalid"));
    }
    Ok(code)
}

/// Inserts a location `code` at `place` (its warehouse and parent, both none for virtual ones).
fn insert_location(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    place: (Option<&str>, Option<&Location>),
    code: &str,
    name: &str,
    kind: LocationKind,
    allow_negative: bool,
) -> Result<Location> {
    let (warehouse, parent) = place;
    let path = match parent {
        Some(p) => format!("{}/{code}", p.path),
        None => code.to_string(),
    };
    if tx
        .query_opt("select 1 from inventory_location where company_id = $1 and path = $2", &[&ctx.company(), &path])?
        .is_some()
    {
        return Err(Error::field("code", "inventory.location_exists").with_param("path", &path));
    }
    let id = LocationId::new();
    tx.execute(
        "insert into inventory_location (id, company_id, warehouse_id, parent_id, code, name, path, kind, allow_negative, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &id,
            &ctx.company(),
            &warehouse,
            &parent.map(|p| p.id),
            &code,
            &name.trim(),
            &path,
            &kind.code(),
            &allow_negative,
            &ctx.now_text(),
        ],
    )?;
    Ok(Location {
        id,
        warehouse_id: warehouse.map(str::to_string),
        parent_path: parent.map(|p| p.path.clone()),
        code: code.to_string(),
        name: name.trim().to_string(),
        path,
        kind,
        allow_negative,
    })
}

/// The virtual locations and a first warehouse (`WH`, 主仓库) of a new company.
pub(crate) fn seed(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<()> {
    for (kind, code, name) in LocationKind::VIRTUAL {
        insert_location(tx, ctx, (None, None), code, name, kind, false)?;
    }
    create_warehouse(tx, ctx, &WarehouseInput { code: "WH".into(), name: "主仓库".into(), allow_negative: false })?;
    Ok(())
}

pub fn create_warehouse(tx: &mut Tx<'_>, ctx: &Ctx, input: &WarehouseInput) -> Result<Warehouse> {
    ctx.require(SETUP)?;
    let code = check_code(&input.code)?;
    if input.name.trim().is_empty() {
        return Err(Error::field("name", "inventory.name_required"));
    }
    if LocationKind::VIRTUAL.iter().any(|(_, c, _)| *c == code) {
        return Err(Error::field("code", "inventory.location_exists").with_param("path", &code));
    }
    let id = WarehouseId::new();
    let warehouse = id.to_string();
    let view = insert_location(tx, ctx, (Some(&warehouse), None), &code, &input.name, LocationKind::View, false)?;
    let stock =
        insert_location(tx, ctx, (Some(&warehouse), Some(&view)), "STOCK", "库存", LocationKind::Internal, false)?;
    tx.execute(
        "insert into inventory_warehouse (id, company_id, code, name, view_location_id, stock_location_id, allow_negative, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[&id, &ctx.company(), &code, &input.name.trim(), &view.id, &stock.id, &input.allow_negative, &ctx.now_text()],
    )?;
    audit::record(
        tx,
        ctx,
        "inventory.warehouse.create",
        "inventory.warehouse",
        &id,
        serde_json::json!({"code": code}),
    )?;
    Ok(Warehouse {
        id,
        code,
        name: input.name.trim().into(),
        stock_location: stock.path,
        allow_negative: input.allow_negative,
    })
}

pub fn list_warehouses(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Warehouse>> {
    ctx.require(STOCK_READ)?;
    tx.query(
        "select w.id, w.code, w.name, l.path, w.allow_negative from inventory_warehouse w
         join inventory_location l on l.id = w.stock_location_id where w.company_id = $1 order by w.code",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| {
        Ok(Warehouse {
            id: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            stock_location: r.get(3)?,
            allow_negative: r.get(4)?,
        })
    })
    .collect()
}

/// A location under another (zones and bins; or a sub-view).
pub fn create_location(tx: &mut Tx<'_>, ctx: &Ctx, input: &LocationInput) -> Result<Location> {
    ctx.require(SETUP)?;
    let code = check_code(&input.code)?;
    if input.name.trim().is_empty() {
        return Err(Error::field("name", "inventory.name_required"));
    }
    if !matches!(input.kind, LocationKind::Internal | LocationKind::View) {
        return Err(Error::field("kind", "inventory.location_kind_fixed"));
    }
    let parent = location_by_path(tx, ctx, &input.parent)
        .map_err(|_| Error::field("parent", "inventory.location_unknown").with_param("path", &input.parent))?;
    let Some(warehouse) = parent.warehouse_id.clone() else {
        return Err(Error::field("parent", "inventory.location_not_in_warehouse"));
    };
    let location = insert_location(
        tx,
        ctx,
        (Some(&warehouse), Some(&parent)),
        &code,
        &input.name,
        input.kind,
        input.allow_negative,
    )?;
    audit::record(
        tx,
        ctx,
        "inventory.location.create",
        "inventory.location",
        &location.id,
        serde_json::json!({"path": location.path}),
    )?;
    Ok(location)
}

pub fn location_by_path(tx: &mut Tx<'_>, ctx: &Ctx, path: &str) -> Result<Location> {
    let path = path.trim().trim_matches('/').to_uppercase();
    tx.query_opt(
        &format!(
            "select {LOCATION_COLUMNS} from inventory_location l left join inventory_location p on p.id = l.parent_id
             where l.company_id = $1 and l.path = $2"
        ),
        &[&ctx.company(), &path],
    )?
    .map(|r| location_of(&r))
    .transpose()?
    .ok_or_else(|| Error::not_found("inventory.location_unknown").with_param("path", path))
}

pub fn get_location(tx: &mut Tx<'_>, ctx: &Ctx, id: LocationId) -> Result<Location> {
    tx.query_opt(
        &format!(
            "select {LOCATION_COLUMNS} from inventory_location l left join inventory_location p on p.id = l.parent_id
             where l.company_id = $1 and l.id = $2"
        ),
        &[&ctx.company(), &id],
    )?
    .map(|r| location_of(&r))
    .transpose()?
    .ok_or_else(|| Error::not_found("inventory.location_unknown").with_param("path", id))
}

/// The company's virtual location of a kind.
pub fn virtual_location(tx: &mut Tx<'_>, ctx: &Ctx, kind: LocationKind) -> Result<Location> {
    let (_, path, _) = LocationKind::VIRTUAL
        .iter()
        .find(|(k, _, _)| *k == kind)
        .ok_or_else(|| Error::internal(format!("no virtual location of kind {}", kind.code())))?;
    location_by_path(tx, ctx, path)
}

/// The stock location of the company's first warehouse: where documents go by default.
pub fn default_stock_location(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Location> {
    let path: Option<String> = tx
        .query_opt(
            "select l.path from inventory_warehouse w join inventory_location l on l.id = w.stock_location_id
             where w.company_id = $1 order by w.created_at, w.id limit 1",
            &[&ctx.company()],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    location_by_path(tx, ctx, &path.ok_or_else(|| Error::not_found("inventory.no_warehouse"))?)
}

pub fn list_locations(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Location>> {
    ctx.require(STOCK_READ)?;
    tx.query(
        &format!(
            "select {LOCATION_COLUMNS} from inventory_location l left join inventory_location p on p.id = l.parent_id
             where l.company_id = $1 and l.active = 1 order by l.path"
        ),
        &[&ctx.company()],
    )?
    .iter()
    .map(location_of)
    .collect()
}

/// Whether stock of `product` may go below zero at `location`: the location, its warehouse or
/// the product allows it.
pub(crate) fn negative_allowed(tx: &mut Tx<'_>, ctx: &Ctx, location: LocationId, product: &str) -> Result<bool> {
    let row = tx.query_one(
        "select l.allow_negative, coalesce(w.allow_negative, 0),
                coalesce((select allow_negative from inventory_product where company_id = $1 and product_id = $3), 0)
         from inventory_location l left join inventory_warehouse w on w.id = l.warehouse_id
         where l.company_id = $1 and l.id = $2",
        &[&ctx.company(), &location, &product],
    )?;
    Ok(row.get::<bool>(0)? || row.get::<i64>(1)? != 0 || row.get::<i64>(2)? != 0)
}

/// The code of a warehouse (by id), for what other modules key on codes.
pub fn warehouse_code(tx: &mut Tx<'_>, ctx: &Ctx, warehouse_id: &str) -> Result<Option<String>> {
    tx.query_opt(
        "select code from inventory_warehouse where company_id = $1 and id = $2",
        &[&ctx.company(), &warehouse_id],
    )?
    .map(|r| r.get(0))
    .transpose()
}
