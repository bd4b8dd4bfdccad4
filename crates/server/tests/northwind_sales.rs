//! Northwind's orders loaded as sales: confirmed, delivered and invoiced on the data's dates;
//! net sales per customer and per year exactly as computed here from the CSVs (each line
//! Quantity × UnitPrice × (1 − Discount), rounded half-up to the cent, in exact integer
//! arithmetic); the revenue account (5001) agreeing; stock left as Northwind's UnitsInStock;
//! every invariant holding.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use testkit::spawn;

fn northwind() -> Option<PathBuf> {
    let folder = std::env::var("TIANGONG_DATASETS")
        .map(|d| Path::new(&d).join("northwind"))
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets/northwind"));
    if folder.join("Orders.csv").exists() {
        Some(folder)
    } else {
        eprintln!("SKIPPED: Northwind data set not found (set TIANGONG_DATASETS)");
        None
    }
}

/// A CSV's rows as column → value.
fn rows(folder: &Path, file: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(folder.join(file)).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            headers.iter().zip(record.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

const SCALE: u32 = 6;

/// A non-negative decimal string ("14", "9.8", "0.15") in millionths, exactly.
fn micros(text: &str) -> i128 {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    assert!(fraction.len() <= SCALE as usize && whole.bytes().all(|b| b.is_ascii_digit()), "unexpected number {text}");
    let fraction = format!("{fraction:0<width$}", width = SCALE as usize);
    whole.parse::<i128>().unwrap() * 10_i128.pow(SCALE) + fraction.parse::<i128>().unwrap()
}

/// Quantity × UnitPrice × (1 − Discount) in cents, half-up.
fn line_cents(quantity: &str, price: &str, discount: &str) -> i64 {
    let one = 10_i128.pow(SCALE);
    let discount = if discount.is_empty() { 0 } else { micros(discount) };
    // Three factors in millionths: the product is in 10^-18; a cent is 10^16 of those.
    let exact = micros(quantity) * micros(price) * (one - discount);
    let cent = 10_i128.pow(3 * SCALE - 2);
    i64::try_from((exact + cent / 2) / cent).unwrap()
}

fn yuan(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[test]
fn northwind_orders_load_as_sales_with_net_sales_per_customer_and_year() {
    let Some(folder) = northwind() else { return };
    let app = spawn();
    let vault = kernel::crypto::Vault::new(&kernel::crypto::KeyRing::generate()).unwrap();
    let ctx = app.system_ctx();
    let started = Instant::now();
    let report = server::datasets::northwind::load(&app.db, &ctx, &vault, &folder).unwrap();
    eprintln!("Northwind import ({:?}): {:?} in {:.1?}", app.db.backend(), report, started.elapsed());

    // Figures from the CSVs themselves.
    let orders = rows(&folder, "Orders.csv");
    let details = rows(&folder, "OrderDetails.csv");
    let products = rows(&folder, "Products.csv");
    let order_of: HashMap<&str, &HashMap<String, String>> = orders.iter().map(|o| (o["OrderID"].as_str(), o)).collect();
    let (mut per_customer, mut per_year) = (BTreeMap::<String, i64>::new(), BTreeMap::<String, i64>::new());
    let mut total = 0i64;
    for line in &details {
        let cents = line_cents(&line["Quantity"], &line["UnitPrice"], &line["Discount"]);
        let order = order_of[line["OrderID"].as_str()];
        *per_customer.entry(order["CustomerID"].clone()).or_default() += cents;
        *per_year.entry(order["OrderDate"][..4].to_string()).or_default() += cents;
        total += cents;
    }
    assert_eq!(
        (report.orders, report.order_lines, report.invoices, report.net_sales.as_str()),
        (orders.len(), details.len(), orders.len(), yuan(total).as_str())
    );

    let company = app.company;
    let (stored_customers, stored_years, revenue, not_done) = app
        .db
        .read(|tx| {
            let pairs = |tx: &mut kernel::db::Tx<'_>, sql: &str| -> kernel::Result<BTreeMap<String, i64>> {
                tx.query(sql, &[&company])?.iter().map(|r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?))).collect()
            };
            let customers = pairs(
                tx,
                "select c.code, sum(i.untaxed) from sales_invoice i join party_party c on c.id = i.customer_id
                 where i.company_id = $1 and i.kind = 'invoice' and i.state in ('posted', 'paid') group by c.code",
            )?;
            // The year of the order, not of the invoice (invoices are dated when shipped).
            let years = pairs(
                tx,
                "select substr(o.order_date, 1, 4), sum(i.untaxed) from sales_invoice i join sales_order o on o.id = i.order_id
                 where i.company_id = $1 and i.kind = 'invoice' and i.state in ('posted', 'paid')
                 group by substr(o.order_date, 1, 4)",
            )?;
            let revenue: i64 = tx.scalar(
                "select coalesce(sum(l.credit), 0) - coalesce(sum(l.debit), 0)
                 from ledger_line l join ledger_account a on a.id = l.account_id
                 where l.company_id = $1 and a.code = '5001'",
                &[&company],
            )?;
            let not_done: i64 =
                tx.scalar("select count(*) from sales_order where company_id = $1 and state <> 'done'", &[&company])?;
            Ok((customers, years, revenue, not_done))
        })
        .unwrap();
    assert_eq!(stored_customers.len(), 89, "89 of the 91 customers have orders");
    for (customer, cents) in &per_customer {
        assert_eq!(stored_customers.get(customer).map(|c| yuan(*c)), Some(yuan(*cents)), "net sales of {customer}");
    }
    assert_eq!(stored_customers, per_customer);
    for (year, cents) in &per_year {
        assert_eq!(stored_years.get(year).map(|c| yuan(*c)), Some(yuan(*cents)), "net sales of {year}");
    }
    assert_eq!(stored_years, per_year);
    assert_eq!(yuan(revenue), yuan(total), "the revenue account holds the net sales");
    assert_eq!(not_done, 0, "every order is delivered and invoiced");

    // Dated as in the data: each invoice and delivery on the shipped date (the order date
    // for the orders never shipped).
    let dated = app
        .db
        .read(|tx| {
            tx.query(
                "select o.note, o.order_date, i.invoice_date, p.done_date
                 from sales_order o join sales_invoice i on i.order_id = o.id
                 join inventory_picking p on p.origin_kind = 'sales.order' and p.origin_id = o.id and p.kind = 'delivery'
                 where o.company_id = $1",
                &[&company],
            )?
            .iter()
            .map(|r| Ok((r.get::<String>(0)?, r.get::<String>(1)?, r.get::<String>(2)?, r.get::<Option<String>>(3)?)))
            .collect::<kernel::Result<Vec<_>>>()
        })
        .unwrap();
    assert_eq!(dated.len(), orders.len());
    for (note, order_date, invoice_date, done_date) in dated {
        let id = note.strip_prefix("Northwind order ").unwrap();
        let order = order_of[id];
        let shipped = if order["ShippedDate"].is_empty() { &order["OrderDate"] } else { &order["ShippedDate"] };
        assert_eq!(
            (order_date.as_str(), invoice_date.as_str(), done_date.as_deref()),
            (&order["OrderDate"][..10], &shipped[..10], Some(&shipped[..10])),
            "order {id}"
        );
    }

    // Receipts brought in what was sold plus UnitsInStock: what is left is Northwind's figure.
    let left: BTreeMap<String, i64> = app
        .db
        .read(|tx| {
            tx.query(
                "select p.code, s.quantity from inventory_product s join product_product p on p.id = s.product_id
                 where s.company_id = $1 and s.quantity <> 0",
                &[&company],
            )?
            .iter()
            .map(|r| Ok((r.get::<String>(0)?, r.get::<i64>(1)? / 10_000)))
            .collect()
        })
        .unwrap();
    let in_stock: BTreeMap<String, i64> = products
        .iter()
        .map(|p| (format!("NW-P{:03}", p["ProductID"].parse::<u32>().unwrap()), p["UnitsInStock"].parse().unwrap()))
        .filter(|(_, q)| *q != 0)
        .collect();
    assert_eq!(left, in_stock);
    app.assert_invariants();
}
