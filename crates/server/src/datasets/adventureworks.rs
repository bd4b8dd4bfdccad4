//! `tiangong import adventureworks <folder>`: AdventureWorks' units of measure, product
//! categories and subcategories (as a two-level tree), vendors (as suppliers), products, and
//! vendor prices (supplier price, lead time, minimum order quantity), in one transaction.

use std::path::Path;

use kernel::crypto::Vault;
use kernel::db::Db;
use kernel::import::Sheet;
use kernel::{Ctx, Quantity, Result, UnitPrice};
use party::{PartyInput, PartyKind};
use product::{Category, ProductInput, SupplierPrice, Uom};
use serde::Serialize;

#[derive(Clone, Debug, Default, Serialize)]
pub struct AdventureWorksReport {
    pub units: usize,
    pub categories: usize,
    pub vendors: usize,
    pub products: usize,
    pub vendor_prices: usize,
    pub work_centers: usize,
    pub boms: usize,
    pub bom_lines: usize,
    pub routings: usize,
    pub planning_items: usize,
    pub reorder_rules: usize,
    pub work_orders: usize,
}

fn cell<'a>(sheet: &Sheet, row: &'a [String], column: &str) -> &'a str {
    sheet.headers.iter().position(|h| h == column).and_then(|i| row.get(i)).map(|s| s.trim()).unwrap_or_default()
}

/// Units AdventureWorks uses, in our categories: (code, category, factor numerator, denominator)
/// relative to the category's reference unit (piece, kilogram, metre, litre). Units without a
/// fixed relation (box, case, carton…) are counted in their own right.
const KNOWN_UNITS: &[(&str, &str, i64, i64)] = &[
    ("DZ", "unit", 12, 1),
    ("G", "weight", 1, 1000),
    ("MG", "weight", 1, 1_000_000),
    ("KG", "weight", 1, 1),
    ("LB", "weight", 45_359_237, 100_000_000),
    ("OZ", "weight", 28_349_523, 1_000_000_000),
    ("MM", "length", 1, 1000),
    ("CM", "length", 1, 100),
    ("DM", "length", 1, 10),
    ("M", "length", 1, 1),
    ("KM", "length", 1000, 1),
    ("IN", "length", 254, 10_000),
    ("ML", "volume", 1, 1000),
    ("L", "volume", 1, 1),
    ("GAL", "volume", 3_785_411_784, 1_000_000_000),
];

fn aw_uom(code: &str) -> String {
    format!("aw-{}", code.trim().to_lowercase())
}

pub fn load(db: &Db, ctx: &Ctx, vault: &Vault, folder: &Path) -> Result<AdventureWorksReport> {
    let units = Sheet::read(&folder.join("UnitMeasure.csv"))?;
    let categories = Sheet::read(&folder.join("ProductCategory.csv"))?;
    let subcategories = Sheet::read(&folder.join("ProductSubcategory.csv"))?;
    let vendors = Sheet::read(&folder.join("Vendor.csv"))?;
    let products = Sheet::read(&folder.join("Product.csv"))?;
    let vendor_prices = Sheet::read(&folder.join("ProductVendor.csv"))?;
    let locations = Sheet::read(&folder.join("Location.csv"))?;
    let bills = Sheet::read(&folder.join("BillOfMaterials.csv"))?;
    let work_orders = Sheet::read(&folder.join("WorkOrder.csv"))?;
    let work_order_routings = Sheet::read(&folder.join("WorkOrderRouting.csv"))?;
    let scrap_reasons = Sheet::read(&folder.join("ScrapReason.csv"))?;
    db.write(|tx| {
        let mut report = AdventureWorksReport::default();
        for row in &units.rows {
            let code = cell(&units, row, "UnitMeasureCode");
            let (category, num, den) = KNOWN_UNITS
                .iter()
                .find(|(c, ..)| *c == code)
                .map(|(_, cat, n, d)| (*cat, *n, *d))
                .unwrap_or(("unit", 1, 1));
            product::create_uom(
                tx,
                ctx,
                &Uom {
                    category: category.into(),
                    code: aw_uom(code),
                    name: cell(&units, row, "Name").to_string(),
                    factor_num: num,
                    factor_den: den,
                    digits: if category == "unit" { 0 } else { 3 },
                },
            )?;
            report.units += 1;
        }
        for row in &categories.rows {
            let c = |column: &str| cell(&categories, row, column);
            product::create_category(
                tx,
                ctx,
                &Category {
                    code: format!("AW-C{}", c("ProductCategoryID")),
                    name: c("Name").into(),
                    parent: None,
                    path: String::new(),
                },
            )?;
            report.categories += 1;
        }
        for row in &subcategories.rows {
            let c = |column: &str| cell(&subcategories, row, column);
            product::create_category(
                tx,
                ctx,
                &Category {
                    code: format!("AW-S{}", c("ProductSubcategoryID")),
                    name: c("Name").into(),
                    parent: Some(format!("AW-C{}", c("ProductCategoryID"))),
                    path: String::new(),
                },
            )?;
            report.categories += 1;
        }
        let mut vendor_ids = std::collections::HashMap::new();
        for row in &vendors.rows {
            let c = |column: &str| cell(&vendors, row, column);
            let (id, _) = party::insert_party(
                tx,
                ctx,
                vault,
                &PartyInput {
                    code: c("AccountNumber").into(),
                    name: c("Name").into(),
                    kind: PartyKind::Supplier,
                    grade: c("CreditRating").into(),
                    source: "adventureworks".into(),
                    country: Some("US".into()),
                    ..PartyInput::default()
                },
            )?;
            vendor_ids.insert(c("BusinessEntityID").to_string(), id.to_string());
            report.vendors += 1;
        }
        let mut product_ids = std::collections::HashMap::new();
        for row in &products.rows {
            let c = |column: &str| cell(&products, row, column);
            let id = product::insert_product(
                tx,
                ctx,
                &ProductInput {
                    code: c("ProductNumber").into(),
                    name: c("Name").into(),
                    kind: "stockable".into(),
                    category: Some(c("ProductSubcategoryID")).filter(|s| !s.is_empty()).map(|s| format!("AW-S{s}")),
                    uom: "pcs".into(),
                    tax: Some("VAT13".into()),
                    list_price: Some(c("ListPrice").to_string()),
                    ..ProductInput::default()
                },
            )?;
            product_ids.insert(c("ProductID").to_string(), id);
            report.products += 1;
        }
        for row in &vendor_prices.rows {
            let c = |column: &str| cell(&vendor_prices, row, column);
            let (Some(product), Some(vendor)) =
                (product_ids.get(c("ProductID")), vendor_ids.get(c("BusinessEntityID")))
            else {
                continue;
            };
            let parse_qty =
                |text: &str| text.parse::<Quantity>().map_err(|_| kernel::Error::invalid("product.quantity_invalid"));
            product::set_supplier_price(
                tx,
                ctx,
                *product,
                &SupplierPrice {
                    supplier_id: vendor.clone(),
                    supplier_code: String::new(),
                    min_qty: parse_qty(c("MinOrderQty"))?,
                    price: c("StandardPrice").parse::<UnitPrice>()?,
                    currency: "USD".into(),
                    lead_time_days: c("AverageLeadTime").parse().unwrap_or(0),
                    min_order_qty: parse_qty(c("MinOrderQty"))?,
                },
            )?;
            report.vendor_prices += 1;
        }
        load_production(tx, ctx, &mut report, &product_ids, &locations, &bills, (&work_orders, &work_order_routings))?;
        load_planning(tx, ctx, &mut report, &product_ids, &products)?;
        load_work_orders(tx, ctx, &mut report, &product_ids, &work_orders, &scrap_reasons)?;
        Ok(report)
    })
}

/// Work centers (the locations with working hours), the current BOMs (rows without an end
/// date, one version per assembly) and a routing per product derived from its work orders'
/// routings: the operations in sequence at their locations, run time = actual hours ÷ quantity.
fn load_production(
    tx: &mut kernel::db::Tx<'_>,
    ctx: &Ctx,
    report: &mut AdventureWorksReport,
    product_ids: &std::collections::HashMap<String, product::ProductId>,
    locations: &Sheet,
    bills: &Sheet,
    (work_orders, routings): (&Sheet, &Sheet),
) -> Result<()> {
    use std::collections::BTreeMap;
    let mut centers: BTreeMap<String, String> = BTreeMap::new();
    for row in &locations.rows {
        let c = |column: &str| cell(locations, row, column);
        // Availability is hours a week; storage places have none.
        let weekly: f64 = c("Availability").parse().unwrap_or(0.0);
        if weekly <= 0.0 {
            continue;
        }
        let code = format!("AW-L{}", c("LocationID"));
        production::routing::save_work_center(
            tx,
            ctx,
            &production::routing::WorkCenterInput {
                code: code.clone(),
                name: c("Name").into(),
                capacity: Some(1),
                hours_per_day: Some(((weekly / 5.0).round() as i64).clamp(1, 24)),
                working_days: Some("1111100".into()),
                labour_rate: Some(c("CostRate").into()),
                machine_rate: None,
                overhead: None,
                workshop: None,
            },
        )?;
        centers.insert(c("LocationID").to_string(), c("Name").to_string());
        report.work_centers += 1;
    }
    let mut assemblies: BTreeMap<String, Vec<&Vec<String>>> = BTreeMap::new();
    for row in &bills.rows {
        let c = |column: &str| cell(bills, row, column);
        if !c("ProductAssemblyID").is_empty() && c("EndDate").is_empty() {
            assemblies.entry(c("ProductAssemblyID").to_string()).or_default().push(row);
        }
    }
    for (assembly, rows) in &assemblies {
        let Some(product) = product_ids.get(assembly) else { continue };
        let from = rows.iter().map(|r| cell(bills, r, "StartDate")).min().unwrap_or("2010-01-01").to_string();
        let lines = rows
            .iter()
            .filter_map(|r| {
                product_ids.get(cell(bills, r, "ComponentID")).map(|component| production::bom::BomLineInput {
                    component: component.to_string(),
                    quantity: cell(bills, r, "PerAssemblyQty").to_string(),
                    scrap: None,
                    byproduct: false,
                })
            })
            .collect::<Vec<_>>();
        report.bom_lines += lines.len();
        production::create_bom(
            tx,
            ctx,
            &production::BomInput {
                product: product.to_string(),
                code: "AW".into(),
                kind: "normal".into(),
                quantity: None,
                valid_from: Some(from.chars().take(10).collect()),
                valid_to: None,
                note: "AdventureWorks BillOfMaterials".into(),
                lines,
            },
        )?;
        report.boms += 1;
    }
    // Quantities of the work orders, then hours per product and operation.
    let mut order_qty: std::collections::HashMap<&str, f64> = std::collections::HashMap::new();
    for row in &work_orders.rows {
        order_qty
            .insert(cell(work_orders, row, "WorkOrderID"), cell(work_orders, row, "OrderQty").parse().unwrap_or(0.0));
    }
    let mut operations: BTreeMap<(String, i64), (String, f64, f64)> = BTreeMap::new();
    for row in &routings.rows {
        let c = |column: &str| cell(routings, row, column);
        let entry = operations
            .entry((c("ProductID").to_string(), c("OperationSequence").parse().unwrap_or(0)))
            .or_insert_with(|| (c("LocationID").to_string(), 0.0, 0.0));
        entry.1 += c("ActualResourceHrs").parse::<f64>().unwrap_or(0.0);
        entry.2 += order_qty.get(c("WorkOrderID")).copied().unwrap_or(0.0);
    }
    let mut by_product: BTreeMap<String, Vec<production::routing::OperationInput>> = BTreeMap::new();
    for ((product, _), (location, hours, quantity)) in operations {
        if quantity <= 0.0 || !centers.contains_key(&location) {
            continue;
        }
        // Minutes per unit to four decimals (the data's hours are decimals, not money).
        let minutes = (hours * 60.0 / quantity * 10_000.0).round() / 10_000.0;
        by_product.entry(product).or_default().push(production::routing::OperationInput {
            name: centers[&location].clone(),
            work_center: format!("AW-L{location}"),
            setup_minutes: None,
            run_minutes: format!("{minutes:.4}"),
            key_operation: false,
        });
    }
    for (product, operations) in by_product {
        let Some(id) = product_ids.get(&product) else { continue };
        production::routing::save_routing(
            tx,
            ctx,
            &production::routing::RoutingInput { product: id.to_string(), code: "AW".into(), operations },
        )?;
        report.routings += 1;
    }
    Ok(())
}

/// Planning data from the product table: MakeFlag (made or bought) and DaysToManufacture (the
/// lead time of a made part); SafetyStockLevel and ReorderPoint as reorder rules of the main
/// stock location (minimum = reorder point, maximum = safety stock level).
fn load_planning(
    tx: &mut kernel::db::Tx<'_>,
    ctx: &Ctx,
    report: &mut AdventureWorksReport,
    product_ids: &std::collections::HashMap<String, product::ProductId>,
    products: &Sheet,
) -> Result<()> {
    for row in &products.rows {
        let c = |column: &str| cell(products, row, column);
        let Some(id) = product_ids.get(c("ProductID")) else { continue };
        let make = c("MakeFlag") == "1";
        production::mrp::set_item(
            tx,
            ctx,
            &production::mrp::ItemInput {
                product: id.to_string(),
                procurement: if make { "make" } else { "buy" }.into(),
                lead_days: if make { c("DaysToManufacture").parse().ok() } else { None },
                ..production::mrp::ItemInput::default()
            },
        )?;
        report.planning_items += 1;
        let (reorder, safety) = (c("ReorderPoint"), c("SafetyStockLevel"));
        let (min, max): (i64, i64) = (reorder.parse().unwrap_or(0), safety.parse().unwrap_or(0));
        if min > 0 {
            inventory::reorder::set_rule(
                tx,
                ctx,
                &inventory::reorder::ReorderRuleInput {
                    product: id.to_string(),
                    location: "WH/STOCK".into(),
                    min_qty: min.to_string(),
                    max_qty: max.max(min).to_string(),
                    safety_qty: None,
                    multiple: None,
                },
            )?;
            report.reorder_rules += 1;
        }
    }
    Ok(())
}

/// AdventureWorks' work orders as closed work orders: ordered, stocked and scrapped quantities,
/// the scrap reason by name, start, end and due dates.
fn load_work_orders(
    tx: &mut kernel::db::Tx<'_>,
    ctx: &Ctx,
    report: &mut AdventureWorksReport,
    product_ids: &std::collections::HashMap<String, product::ProductId>,
    work_orders: &Sheet,
    scrap_reasons: &Sheet,
) -> Result<()> {
    let reasons: std::collections::HashMap<&str, &str> = scrap_reasons
        .rows
        .iter()
        .map(|r| (cell(scrap_reasons, r, "ScrapReasonID"), cell(scrap_reasons, r, "Name")))
        .collect();
    let mut orders = Vec::with_capacity(work_orders.rows.len());
    for (i, row) in work_orders.rows.iter().enumerate() {
        let c = |column: &str| cell(work_orders, row, column);
        let Some(product) = product_ids.get(c("ProductID")) else { continue };
        let quantity = |column: &str| {
            c(column).parse::<Quantity>().map(|q| q.scaled()).map_err(|_| {
                kernel::Error::field(
                    format!("WorkOrder.csv row {} column {column}", i + 2),
                    "production.quantity_invalid",
                )
            })
        };
        let date = |column: &str| c(column).chars().take(10).collect::<String>();
        orders.push(production::work_order_history::HistoricWorkOrder {
            number: format!("AW-WO-{}", c("WorkOrderID")),
            product_id: product.to_string(),
            quantity: quantity("OrderQty")?,
            stocked: quantity("StockedQty")?,
            scrapped: quantity("ScrappedQty")?,
            scrap_reason: reasons.get(c("ScrapReasonID")).copied().unwrap_or_default().to_string(),
            start_date: date("StartDate"),
            end_date: date("EndDate"),
            due_date: date("DueDate"),
        });
    }
    report.work_orders = production::work_order_history::import_history(tx, ctx, &orders)?;
    Ok(())
}
