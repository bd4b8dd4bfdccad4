//! The sales half of `tiangong import northwind`: Northwind's orders and order lines become
//! sales orders that are confirmed, delivered and invoiced (posted), dated as in the data.
//!
//! * Amounts: Northwind's figures are taken as amounts in the company currency (CNY); the
//!   data set has no currency of its own. Prices are net (`price_includes_tax: false`), each
//!   line at its own `OrderDetails.UnitPrice` (which often differs from the product's list
//!   price) with `Discount` × 100 as the percent off, so a line's net amount is
//!   Quantity × UnitPrice × (1 − Discount) rounded half-up to the cent, as the sales module
//!   rounds it. VAT is the product's (13 %) on top; net sales are the invoices' untaxed amounts.
//! * Dates: the order on `OrderDate`; its delivery validated and its invoice dated and posted on
//!   `ShippedDate`, or on the order date for the orders Northwind never shipped.
//! * Stock: before the first order, one receipt per supplier brings in each product's quantity
//!   sold plus its `UnitsInStock`, so no delivery waits and what is left at the end is
//!   Northwind's stock figure. Northwind has no purchase costs: goods enter at 60 % of the list
//!   price. The receipts are booked against 暂估 payables (no vendor bills follow).
//! * Order: orders are created and confirmed in `OrderID` order (their numbers follow
//!   Northwind's), then delivered and invoiced in shipping-date order, so stock moves arrive in
//!   date order and never need a back-dated revaluation.

use std::collections::{BTreeMap, HashMap};

use inventory::{MoveInput, PickingInput, PickingKind, PickingState, ValidateInput};
use kernel::db::Tx;
use kernel::import::Sheet;
use kernel::{Ctx, Currency, Error, Money, Quantity, Result, UnitPrice};
use sales::{InvoiceBasis, InvoiceRequest, OrderId, OrderInput, OrderLineInput};

use super::northwind::{cell, product_code};

/// What the orders part loaded.
#[derive(Default)]
pub(super) struct OrdersReport {
    pub receipts: usize,
    pub orders: usize,
    pub order_lines: usize,
    pub invoices: usize,
    /// Σ of the invoices' untaxed amounts, in fen.
    pub net_sales: i64,
}

/// The CSVs the orders part reads.
pub(super) struct OrderSheets<'a> {
    pub orders: &'a Sheet,
    pub details: &'a Sheet,
    pub products: &'a Sheet,
}

struct NwOrder {
    id: String,
    customer: String,
    order_date: String,
    /// The shipped date, else the order date.
    ship_date: String,
    lines: Vec<OrderLineInput>,
}

/// `YYYY-MM-DD` from a Northwind date cell (the part before any time), checked.
fn day(text: &str, field: &str, order: &str) -> Result<String> {
    let date = text.get(..10).unwrap_or(text);
    kernel::clock::parse_date(date)
        .map(kernel::clock::format_date)
        .map_err(|_| Error::field(field, "kernel.date.invalid").with_param("order", order))
}

/// Northwind's discount (a fraction such as `0.15`) as the percent the sales module takes
/// (`15`); refused when finer than 0.01 % (the sales module keeps basis points).
fn discount_percent(text: &str, order: &str) -> Result<String> {
    let invalid = || Error::field("Discount", "sales.discount_invalid").with_param("order", order);
    if text.is_empty() {
        return Ok("0".into());
    }
    let fraction: UnitPrice = text.parse().map_err(|_| invalid())?;
    // 6 decimals of a fraction → basis points are 4 of them.
    let scaled = fraction.scaled();
    if scaled % 100 != 0 || !(0..=1_000_000).contains(&scaled) {
        return Err(invalid());
    }
    let bp = scaled / 100;
    Ok(format!("{}.{:02}", bp / 100, bp % 100))
}

fn read_orders(sheets: &OrderSheets<'_>) -> Result<Vec<NwOrder>> {
    let (orders, details) = (sheets.orders, sheets.details);
    let mut lines: HashMap<&str, Vec<OrderLineInput>> = HashMap::new();
    for row in &details.rows {
        let c = |column: &str| cell(details, row, column);
        let order = c("OrderID");
        let line = OrderLineInput {
            product: product_code(c("ProductID")),
            quantity: c("Quantity").to_string(),
            unit_price: Some(c("UnitPrice").to_string()),
            discount: Some(discount_percent(c("Discount"), order)?),
            ..OrderLineInput::default()
        };
        lines.entry(order).or_default().push(line);
    }
    let mut read = Vec::with_capacity(orders.rows.len());
    for row in &orders.rows {
        let c = |column: &str| cell(orders, row, column);
        let id = c("OrderID").to_string();
        let order_date = day(c("OrderDate"), "OrderDate", &id)?;
        let ship_date = match c("ShippedDate") {
            "" => order_date.clone(),
            shipped => day(shipped, "ShippedDate", &id)?,
        };
        read.push(NwOrder {
            customer: c("CustomerID").to_string(),
            lines: lines.remove(id.as_str()).unwrap_or_default(),
            id,
            order_date,
            ship_date,
        });
    }
    if let Some(orphan) = lines.keys().next() {
        return Err(Error::field("OrderID", "sales.order_not_found").with_param("order", orphan));
    }
    // Numerically by OrderID (the file is, but do not rely on it).
    read.sort_by_key(|o| (o.id.parse::<u64>().unwrap_or(u64::MAX), o.id.clone()));
    Ok(read)
}

/// One receipt per supplier, validated on `date`: each product's quantity sold plus its
/// `UnitsInStock`, at 60 % of its list price.
fn receive_stock(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    sheets: &OrderSheets<'_>,
    orders: &[NwOrder],
    suppliers: &HashMap<String, String>,
    date: &str,
) -> Result<usize> {
    let mut sold: HashMap<String, i64> = HashMap::new();
    for line in orders.iter().flat_map(|o| &o.lines) {
        let quantity: Quantity = line.quantity.parse()?;
        *sold.entry(line.product.clone()).or_default() += quantity.scaled();
    }
    let products = sheets.products;
    // Supplier id (as in the CSV) → lines; products without a supplier come from nobody in particular.
    let mut by_supplier: BTreeMap<String, Vec<MoveInput>> = BTreeMap::new();
    for row in &products.rows {
        let c = |column: &str| cell(products, row, column);
        let code = product_code(c("ProductID"));
        let in_stock: Quantity = match c("UnitsInStock") {
            "" => Quantity::ZERO,
            text => text.parse()?,
        };
        let quantity = Quantity::from_scaled(sold.remove(&code).unwrap_or(0)).checked_add(in_stock)?;
        if quantity.scaled() <= 0 {
            continue;
        }
        let list_price: UnitPrice = match c("UnitPrice") {
            "" => UnitPrice::from_scaled(0),
            text => text.parse()?,
        };
        by_supplier.entry(c("SupplierID").to_string()).or_default().push(MoveInput {
            product: code,
            quantity: quantity.to_string(),
            unit_cost: Some(list_price.mul_ratio(6, 10)?.to_string()),
            ..MoveInput::default()
        });
    }
    if let Some(product) = sold.keys().next() {
        return Err(Error::field("ProductID", "sales.product_unknown").with_param("product", product));
    }
    let mut receipts = 0;
    for (supplier, lines) in by_supplier {
        let receipt = inventory::create_picking(
            tx,
            ctx,
            &PickingInput {
                kind: Some(PickingKind::Receipt),
                partner_id: suppliers.get(&supplier).cloned(),
                scheduled_date: Some(date.to_string()),
                note: "Northwind: opening stock (quantity sold + UnitsInStock, at 60 % of the list price)".into(),
                lines,
                confirm: true,
                ..PickingInput::default()
            },
        )?;
        inventory::validate(
            tx,
            ctx,
            receipt.id,
            &ValidateInput { date: Some(date.to_string()), backorder: false, ..ValidateInput::default() },
        )?;
        receipts += 1;
    }
    Ok(receipts)
}

/// Loads the orders inside the caller's transaction. `suppliers` maps Northwind's SupplierID to
/// the supplier's party id.
pub(super) fn load_orders(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    sheets: &OrderSheets<'_>,
    suppliers: &HashMap<String, String>,
) -> Result<OrdersReport> {
    let orders = read_orders(sheets)?;
    let mut report = OrdersReport::default();
    let Some(first) = orders.iter().map(|o| o.order_date.as_str()).min() else {
        return Ok(report);
    };
    // The first day of the month of the first order.
    let opening = format!("{}-01", &first[..7]);
    report.receipts = receive_stock(tx, ctx, sheets, &orders, suppliers, &opening)?;
    let mut confirmed: Vec<(&NwOrder, OrderId)> = Vec::with_capacity(orders.len());
    for order in &orders {
        let created = sales::create_order(
            tx,
            ctx,
            &OrderInput {
                customer: order.customer.clone(),
                order_date: Some(order.order_date.clone()),
                price_includes_tax: Some(false),
                // Northwind's amounts are taken as CNY, the company currency.
                currency: Some(Currency::CNY.code().to_string()),
                note: format!("Northwind order {}", order.id),
                lines: order.lines.clone(),
                confirm: true,
                ..OrderInput::default()
            },
        )
        .map_err(|e| e.with_param("order", &order.id))?;
        report.orders += 1;
        report.order_lines += created.lines.len();
        confirmed.push((order, created.id));
    }
    confirmed.sort_by(|(a, _), (b, _)| a.ship_date.cmp(&b.ship_date));
    for (order, id) in confirmed {
        let ship_date = Some(order.ship_date.clone());
        for picking in sales::order::order_pickings(tx, ctx, id)? {
            if picking.kind == PickingKind::Delivery
                && !matches!(picking.state, PickingState::Done | PickingState::Cancelled)
            {
                inventory::validate(
                    tx,
                    ctx,
                    picking.id,
                    &ValidateInput { date: ship_date.clone(), backorder: true, ..ValidateInput::default() },
                )
                .map_err(|e| e.with_param("order", &order.id))?;
            }
        }
        let invoice = sales::invoice_order(
            tx,
            ctx,
            id,
            &InvoiceRequest { basis: InvoiceBasis::Delivered, date: ship_date, post: true },
        )
        .map_err(|e| e.with_param("order", &order.id))?;
        report.invoices += 1;
        report.net_sales += Money::parse(&invoice.untaxed, Currency::CNY)?.minor();
    }
    Ok(report)
}
