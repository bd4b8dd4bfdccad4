//! `tiangong import northwind <folder>`: Northwind's customers and suppliers as parties (with
//! their contact person), and its employees as contacts of a party standing for Northwind
//! Traders itself; its categories and products (each unit a piece, 13% VAT, the list price as
//! given); then its orders as confirmed, delivered and invoiced sales orders, after receipts
//! that bring in the stock they need (`northwind_orders`).

use std::collections::HashMap;
use std::path::Path;

use kernel::crypto::Vault;
use kernel::db::Db;
use kernel::import::Sheet;
use kernel::{Ctx, Result};
use party::{Contact, PartyInput, PartyKind, create_party};
use serde::Serialize;

use super::northwind_orders::{OrderSheets, load_orders};

#[derive(Clone, Debug, Default, Serialize)]
pub struct NorthwindReport {
    pub customers: usize,
    pub suppliers: usize,
    pub employees: usize,
    pub categories: usize,
    pub products: usize,
    /// Stock receipts made before the first order (one per supplier).
    pub receipts: usize,
    pub orders: usize,
    pub order_lines: usize,
    /// Posted invoices, one per order.
    pub invoices: usize,
    /// Σ of the invoices' untaxed amounts (company currency).
    pub net_sales: String,
}

/// Our code of a Northwind product.
pub(super) fn product_code(product_id: &str) -> String {
    format!("NW-P{:03}", product_id.parse::<u32>().unwrap_or(0))
}

pub(super) fn cell<'a>(sheet: &Sheet, row: &'a [String], column: &str) -> &'a str {
    sheet.headers.iter().position(|h| h == column).and_then(|i| row.get(i)).map(|s| s.trim()).unwrap_or_default()
}

fn opt(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

fn party_from(sheet: &Sheet, row: &[String], code: String, kind: PartyKind) -> PartyInput {
    let c = |column: &str| cell(sheet, row, column);
    PartyInput {
        code,
        name: c("CompanyName").to_string(),
        kind,
        source: "northwind".into(),
        phone: opt(c("Phone")),
        country: opt(c("Country")),
        province: c("Region").to_string(),
        city: c("City").to_string(),
        address: opt(c("Address")),
        postal_code: c("PostalCode").to_string(),
        contacts: opt(c("ContactName"))
            .map(|name| {
                vec![Contact {
                    name,
                    title: c("ContactTitle").to_string(),
                    phone: opt(c("Phone")),
                    is_primary: true,
                    ..Contact::default()
                }]
            })
            .unwrap_or_default(),
        ..PartyInput::default()
    }
}

/// Loads the folder's CSVs in one transaction: all or nothing.
pub fn load(db: &Db, ctx: &Ctx, vault: &Vault, folder: &Path) -> Result<NorthwindReport> {
    let customers = Sheet::read(&folder.join("Customers.csv"))?;
    let suppliers = Sheet::read(&folder.join("Suppliers.csv"))?;
    let employees = Sheet::read(&folder.join("Employees.csv"))?;
    let categories = Sheet::read(&folder.join("Categories.csv"))?;
    let products = Sheet::read(&folder.join("Products.csv"))?;
    let orders = Sheet::read(&folder.join("Orders.csv"))?;
    let details = Sheet::read(&folder.join("OrderDetails.csv"))?;
    db.write(|tx| {
        let mut report = NorthwindReport::default();
        for row in &customers.rows {
            let code = cell(&customers, row, "CustomerID").to_string();
            create_party(tx, ctx, vault, &party_from(&customers, row, code, PartyKind::Customer))?;
            report.customers += 1;
        }
        // Northwind's SupplierID → the party's id, for the stock receipts.
        let mut supplier_ids = HashMap::new();
        for row in &suppliers.rows {
            let nw_id = cell(&suppliers, row, "SupplierID");
            let code = format!("NW-S{:03}", nw_id.parse::<u32>().unwrap_or(0));
            let party = create_party(tx, ctx, vault, &party_from(&suppliers, row, code, PartyKind::Supplier))?;
            supplier_ids.insert(nw_id.to_string(), party.id.to_string());
            report.suppliers += 1;
        }
        let contacts: Vec<Contact> = employees
            .rows
            .iter()
            .map(|row| {
                let c = |column: &str| cell(&employees, row, column);
                Contact {
                    name: format!("{} {}", c("FirstName"), c("LastName")),
                    title: c("Title").to_string(),
                    phone: opt(c("HomePhone")),
                    ..Contact::default()
                }
            })
            .collect();
        report.employees = contacts.len();
        create_party(
            tx,
            ctx,
            vault,
            &PartyInput {
                code: "NW-SELF".into(),
                name: "Northwind Traders".into(),
                kind: PartyKind::Both,
                source: "northwind".into(),
                note: "The Northwind company itself; its employees are its contacts.".into(),
                contacts,
                ..PartyInput::default()
            },
        )?;
        for row in &categories.rows {
            let c = |column: &str| cell(&categories, row, column);
            product::create_category(
                tx,
                ctx,
                &product::Category {
                    code: format!("NW-C{}", c("CategoryID")),
                    name: c("CategoryName").to_string(),
                    parent: None,
                    path: String::new(),
                },
            )?;
            report.categories += 1;
        }
        for row in &products.rows {
            let c = |column: &str| cell(&products, row, column);
            product::insert_product(
                tx,
                ctx,
                &product::ProductInput {
                    code: product_code(c("ProductID")),
                    name: c("ProductName").to_string(),
                    kind: "stockable".into(),
                    category: opt(c("CategoryID")).map(|id| format!("NW-C{id}")),
                    uom: "pcs".into(),
                    tax: Some("VAT13".into()),
                    list_price: opt(c("UnitPrice")),
                    ..product::ProductInput::default()
                },
            )?;
            report.products += 1;
        }
        let sheets = OrderSheets { orders: &orders, details: &details, products: &products };
        let sales = load_orders(tx, ctx, &sheets, &supplier_ids)?;
        report.receipts = sales.receipts;
        report.orders = sales.orders;
        report.order_lines = sales.order_lines;
        report.invoices = sales.invoices;
        report.net_sales = kernel::Money::from_minor(sales.net_sales, kernel::Currency::CNY).to_string();
        Ok(report)
    })
}
