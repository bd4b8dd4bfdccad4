//! Products and their reference data: a new company starts with the Chinese VAT rates,
//! currencies and units; units convert exactly and only within their kind; exchange rates
//! apply from their date; imports check every row.

use kernel::import::Sheet;
use serde_json::json;
use testkit::spawn;

#[test]
fn a_company_starts_with_taxes_currencies_and_units() {
    let app = spawn();
    let admin = app.admin();
    let taxes = admin.get("/api/v1/taxes").json;
    let rates: Vec<i64> = taxes.as_array().unwrap().iter().map(|t| t["rate_bp"].as_i64().unwrap()).collect();
    assert_eq!(rates, [1300, 900, 600, 300, 100, 0, 0]);
    assert!(taxes.as_array().unwrap().iter().all(|t| t["output_account_role"].as_str().unwrap().starts_with("vat.")));
    let currencies = admin.get("/api/v1/currencies").json;
    let jpy = currencies.as_array().unwrap().iter().find(|c| c["code"] == "JPY").unwrap();
    assert_eq!(jpy["minor_units"], 0);
    let uoms = admin.get("/api/v1/uoms").json;
    assert!(uoms.as_array().unwrap().iter().any(|u| u["code"] == "box12" && u["factor_num"] == 12));
    // Another company gets its own set.
    let company = admin.post("/api/v1/companies", &json!({"name": "华北分公司", "code": "HB"}));
    assert_eq!(company.status, 201);
    let count: i64 = app
        .db
        .read(|tx| {
            tx.scalar(
                "select count(*) from product_tax where company_id = $1",
                &[&company.json["id"].as_str().unwrap()],
            )
        })
        .unwrap();
    assert_eq!(count, 7);
}

#[test]
fn products_with_categories_units_and_taxes() {
    let app = spawn();
    let admin = app.admin();
    assert_eq!(admin.post("/api/v1/product-categories", &json!({"code": "FOOD", "name": "食品"})).status, 201);
    let tea = admin.post("/api/v1/product-categories", &json!({"code": "TEA", "name": "茶叶", "parent": "FOOD"}));
    assert_eq!(tea.json["path"], "FOOD/TEA");
    let body = json!({"code": "TEA-001", "name": "西湖龙井 250g", "kind": "stockable", "category": "TEA", "uom": "pcs",
                      "purchase_uom": "box12", "barcode": "6901234567892", "tax": "VAT13", "tracking": "lot",
                      "shelf_life_days": 540, "list_price": "128.5"});
    let created = admin.post("/api/v1/products", &body);
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        (created.json["purchase_uom"].as_str(), created.json["sales_uom"].as_str()),
        (Some("box12"), Some("pcs"))
    );
    assert_eq!(created.json["list_price"], "128.500000");
    // A purchase unit of another kind (weight for a counted item) is refused beside its field.
    let mut wrong = body.clone();
    wrong["code"] = json!("TEA-002");
    wrong["purchase_uom"] = json!("kg");
    let refused = admin.post("/api/v1/products", &wrong);
    assert_eq!(refused.status, 422);
    assert_eq!(refused.json["errors"][0]["field"], "purchase_uom");
    let mut wrong = body.clone();
    wrong["code"] = json!("TEA-003");
    wrong["costing"] = json!("lifo");
    assert_eq!(admin.post("/api/v1/products", &wrong).json["errors"][0]["field"], "costing");
    // Found by name prefix and by barcode.
    let listed = admin.get("/api/v1/products?name=%E8%A5%BF%E6%B9%96").json;
    assert_eq!(listed["items"][0]["code"], "TEA-001");
    assert_eq!(admin.get("/api/v1/products?barcode=6901234567892").json["items"].as_array().unwrap().len(), 1);
    // Read-only users read, but may not write.
    let (_, reader) = app.user_in(app.company, "reader", &["readonly"]);
    assert_eq!(reader.get(&format!("/api/v1/products/{}", created.json["id"].as_str().unwrap())).status, 200);
    assert_eq!(reader.post("/api/v1/products", &body).status, 403);
    app.assert_invariants();
}

#[test]
fn exchange_rates_apply_from_their_date() {
    let app = spawn();
    let admin = app.admin();
    assert_eq!(
        admin.post("/api/v1/exchange-rates", &json!({"currency": "USD", "date": "2026-01-01", "rate": "7.1"})).status,
        201
    );
    assert_eq!(
        admin.post("/api/v1/exchange-rates", &json!({"currency": "USD", "date": "2026-06-01", "rate": "7.25"})).status,
        201
    );
    assert_eq!(
        admin.post("/api/v1/exchange-rates", &json!({"currency": "XYZ", "date": "2026-06-01", "rate": "1"})).status,
        422
    );
    assert_eq!(
        admin.post("/api/v1/exchange-rates", &json!({"currency": "USD", "date": "2026-06-01", "rate": "-1"})).status,
        422
    );
    let ctx = app.system_ctx();
    let on = |date| app.db.read(|tx| product::rate_on(tx, &ctx, "USD", date)).unwrap();
    assert_eq!(on(time::macros::date!(2026 - 03 - 15)), 710_000_000);
    assert_eq!(on(time::macros::date!(2026 - 06 - 01)), 725_000_000);
    assert!(app.db.read(|tx| product::rate_on(tx, &ctx, "USD", time::macros::date!(2025 - 12 - 31))).is_err());
}

#[test]
fn product_imports_check_every_row() {
    let app = spawn();
    let ctx = app.system_ctx();
    let catalog = server::wiring::catalog();
    let csv = "code,name,kind,uom,purchase_uom,tax,list_price\nP1,螺丝 M6,stockable,pcs,box12,VAT13,0.05\nP2,润滑油,consumable,l,kg,VAT13,35\nP3,安装服务,service,h,,VAT6,abc\n";
    let sheet = Sheet::parse(csv.as_bytes(), "csv").unwrap();
    let report = kernel::import::run(
        &app.db,
        &ctx,
        &product::import::ProductImporter,
        &sheet,
        false,
        &catalog,
        kernel::i18n::Locale::En,
        &|_| {},
    )
    .unwrap();
    let cells: Vec<(usize, &str)> = report.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(cells, [(3, "purchase_uom"), (4, "list_price")]);
    let count: i64 = app.db.read(|tx| tx.scalar("select count(*) from product_product", &[])).unwrap();
    assert_eq!(count, 0);
}

#[test]
fn supplier_prices_with_quantity_breaks() {
    let app = spawn();
    let admin = app.admin();
    let supplier = admin.post("/api/v1/parties", &json!({"code": "S1", "name": "杭州茶厂", "kind": "supplier"})).json;
    let customer = admin.post("/api/v1/parties", &json!({"code": "K1", "name": "茶客", "kind": "customer"})).json;
    let tea = admin
        .post("/api/v1/products", &json!({"code": "TEA-9", "name": "龙井", "kind": "stockable", "uom": "pcs"}))
        .json;
    let path = format!("/api/v1/products/{}/suppliers", tea["id"].as_str().unwrap());
    for (min_qty, price) in [("1", "90"), ("100", "85.5"), ("500", "80")] {
        let answer = admin.post(
            &path,
            &json!({"supplier_id": supplier["id"], "supplier_code": "LJ", "min_qty": min_qty, "price": price,
                                                "currency": "CNY", "lead_time_days": 7, "min_order_qty": "10"}),
        );
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    let refused =
        admin.post(&path, &json!({"supplier_id": customer["id"], "min_qty": "1", "price": "1", "currency": "CNY"}));
    assert_eq!(refused.status, 422, "a customer is not a supplier");
    assert_eq!(admin.get(&path).json.as_array().unwrap().len(), 3);
    let ctx = app.system_ctx();
    let id = product::ProductId::parse(tea["id"].as_str().unwrap()).unwrap();
    let at = |qty: &str| {
        app.db
            .read(|tx| product::price_for(tx, &ctx, id, supplier["id"].as_str().unwrap(), qty.parse().unwrap()))
            .unwrap()
            .map(|p| p.price.to_string())
    };
    assert_eq!(at("0.5"), None);
    assert_eq!(at("99").as_deref(), Some("90.000000"));
    assert_eq!(at("100").as_deref(), Some("85.500000"));
    assert_eq!(at("1000").as_deref(), Some("80.000000"));
}

fn adventureworks() -> Option<std::path::PathBuf> {
    let folder =
        std::env::var("TIANGONG_DATASETS").map(|d| std::path::Path::new(&d).join("adventureworks")).unwrap_or_else(
            |_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets/adventureworks"),
        );
    if folder.join("Product.csv").exists() {
        Some(folder)
    } else {
        eprintln!("SKIPPED: AdventureWorks data set not found (set TIANGONG_DATASETS)");
        None
    }
}

#[test]
fn adventureworks_products_vendors_and_prices_load() {
    let Some(folder) = adventureworks() else { return };
    let app = spawn();
    let vault = kernel::crypto::Vault::new(&kernel::crypto::KeyRing::generate()).unwrap();
    let ctx = app.system_ctx();
    let report = server::datasets::adventureworks::load(&app.db, &ctx, &vault, &folder).unwrap();
    let read = |name: &str| Sheet::read(&folder.join(name)).unwrap();
    let (products, vendors, prices, units) =
        (read("Product.csv"), read("Vendor.csv"), read("ProductVendor.csv"), read("UnitMeasure.csv"));
    let categories = read("ProductCategory.csv").rows.len() + read("ProductSubcategory.csv").rows.len();
    assert_eq!(
        (report.products, report.vendors, report.vendor_prices, report.units, report.categories),
        (products.rows.len(), vendors.rows.len(), prices.rows.len(), units.rows.len(), categories)
    );
    // Values: a product's list price and a vendor's price, as the CSVs give them.
    let column = |sheet: &Sheet, name: &str| sheet.headers.iter().position(|h| h == name).unwrap();
    let priced = products.rows.iter().find(|r| r[column(&products, "ListPrice")] != "0").unwrap();
    let stored: i64 = app
        .db
        .read(|tx| {
            tx.scalar(
                "select list_price from product_product where code = $1",
                &[&priced[column(&products, "ProductNumber")]],
            )
        })
        .unwrap();
    assert_eq!(
        kernel::UnitPrice::from_scaled(stored),
        priced[column(&products, "ListPrice")].parse::<kernel::UnitPrice>().unwrap()
    );
    let total_in_csv: kernel::UnitPrice = prices
        .rows
        .iter()
        .map(|r| r[column(&prices, "StandardPrice")].parse::<kernel::UnitPrice>().unwrap())
        .fold(kernel::UnitPrice::default(), |a, b| kernel::UnitPrice::from_scaled(a.scaled() + b.scaled()));
    let total_stored: i64 = app.db.read(|tx| tx.scalar("select sum(price) from product_supplier_price", &[])).unwrap();
    assert_eq!(total_stored, total_in_csv.scaled());
    // Subcategories hang under their categories.
    let nested: i64 = app
        .db
        .read(|tx| tx.scalar("select count(*) from product_category where path like 'AW-C%/AW-S%'", &[]))
        .unwrap();
    assert_eq!(nested as usize, read("ProductSubcategory.csv").rows.len());
}

#[test]
fn price_lists_by_group_date_and_quantity_with_vat() {
    let app = spawn();
    let admin = app.admin();
    let tea = admin
        .post(
            "/api/v1/products",
            &json!({"code": "TEA-1", "name": "龙井", "kind": "stockable", "uom": "pcs", "tax": "VAT13"}),
        )
        .json;
    let tea_id = tea["id"].as_str().unwrap();
    let general = admin
        .post(
            "/api/v1/price-lists",
            &json!({"code": "RETAIL", "name": "零售价", "currency": "CNY", "price_includes_tax": true}),
        )
        .json;
    let wholesale = admin.post(
        "/api/v1/price-lists",
        &json!({"code": "WS-2026", "name": "2026 批发价", "customer_group": "wholesale", "currency": "CNY", "price_includes_tax": false,
                "valid_from": "2026-01-01", "valid_to": "2026-12-31"}),
    );
    assert_eq!(wholesale.status, 201, "{}", wholesale.body);
    let bad = admin.post("/api/v1/price-lists", &json!({"code": "X", "name": "x", "currency": "CNY", "price_includes_tax": true, "valid_from": "2026-12-31", "valid_to": "2026-01-01"}));
    assert_eq!(bad.status, 422);
    for (list, min_qty, price) in [(&general, "1", "113"), (&wholesale.json, "1", "90"), (&wholesale.json, "100", "85")]
    {
        let answer = admin.post(
            &format!("/api/v1/price-lists/{}/items", list["id"].as_str().unwrap()),
            &json!({"product_id": tea_id, "min_qty": min_qty, "price": price}),
        );
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    let quote = |group: &str, qty: &str, date: &str| {
        admin
            .get(&format!("/api/v1/price-quote?product_id={tea_id}&customer_group={group}&quantity={qty}&date={date}"))
            .json
    };
    // Retail: 3 × 113 incl. 13% VAT = 339.00 = 300.00 + 39.00.
    let retail = quote("", "3", "2026-06-01");
    assert_eq!(
        (retail["price_list"].as_str(), retail["net"].as_str(), retail["vat"].as_str(), retail["gross"].as_str()),
        (Some("RETAIL"), Some("300.00"), Some("39.00"), Some("339.00"))
    );
    // Wholesale customers get their list, by quantity break, excluding VAT.
    let small = quote("wholesale", "10", "2026-06-01");
    assert_eq!(
        (small["price_list"].as_str(), small["unit_price"].as_str(), small["gross"].as_str()),
        (Some("WS-2026"), Some("90.000000"), Some("1017.00"))
    );
    assert_eq!(quote("wholesale", "150", "2026-06-01")["unit_price"], "85.000000");
    // Outside its validity the group falls back to the general list.
    assert_eq!(quote("wholesale", "150", "2027-01-05")["price_list"], "RETAIL");
}

#[test]
fn variants_from_attributes() {
    let app = spawn();
    let admin = app.admin();
    let shirt = admin
        .post("/api/v1/products", &json!({"code": "SHIRT", "name": "衬衫", "kind": "stockable", "uom": "pcs", "tax": "VAT13", "list_price": "99"}))
        .json;
    let path = format!("/api/v1/products/{}/variants", shirt["id"].as_str().unwrap());
    let made = admin.post(
        &path,
        &json!({"attributes": [{"name": "颜色", "values": ["红", "蓝"]}, {"name": "尺码", "values": ["S", "M", "L"]}]}),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let variants = made.json.as_array().unwrap();
    assert_eq!(variants.len(), 6);
    assert_eq!(variants[0]["code"], "SHIRT-红-S");
    assert_eq!(variants[0]["name"], "衬衫（红，S）");
    assert_eq!(variants[0]["attributes"]["尺码"], "S");
    assert_eq!(variants[5]["template_id"], shirt["id"]);
    assert_eq!(variants[5]["list_price"], "99.000000");
    assert_eq!(variants[5]["tax"], "VAT13");
    // Making them twice would duplicate codes: refused, and nothing half-made.
    assert_eq!(
        admin
            .post(
                &path,
                &json!({"attributes": [{"name": "颜色", "values": ["红"]}, {"name": "尺码", "values": ["S"]}]})
            )
            .status,
        422
    );
    assert_eq!(admin.post(&path, &json!({"attributes": []})).status, 422);
    let count: i64 =
        app.db.read(|tx| tx.scalar("select count(*) from product_product where template_id is not null", &[])).unwrap();
    assert_eq!(count, 6);
}

#[test]
fn reference_data_imports() {
    let app = spawn();
    let ctx = app.system_ctx();
    let catalog = server::wiring::catalog();
    let run = |importer: &dyn kernel::import::Importer, csv: &str| {
        let sheet = Sheet::parse(csv.as_bytes(), "csv").unwrap();
        kernel::import::run(&app.db, &ctx, importer, &sheet, false, &catalog, kernel::i18n::Locale::En, &|_| {})
            .unwrap()
    };
    let taxes = run(
        &product::import::TaxImporter,
        "code,name,rate_bp,output_account_role,input_account_role\nVAT5,增值税 5%,500,vat.output,vat.input\nBAD,坏,20000,vat.output,vat.input\n",
    );
    assert_eq!(taxes.errors.iter().map(|e| (e.row, e.column.as_str())).collect::<Vec<_>>(), [(3, "rate_bp")]);
    let taxes = run(
        &product::import::TaxImporter,
        "code,name,rate_bp,output_account_role,input_account_role\nVAT5,增值税 5%,500,vat.output,vat.input\n",
    );
    assert!(taxes.errors.is_empty());
    assert!(run(&product::import::UomImporter, "category,code,name,factor_num\nunit,dozen,打,12\n").errors.is_empty());
    let rates = run(&product::import::RateImporter, "currency,date,rate\nUSD,2026-11-26,7.12\nEUR,2026-13-01,7.9\n");
    assert_eq!(rates.errors[0].column, "date");
    assert!(run(&product::import::RateImporter, "currency,date,rate\nUSD,2026-11-26,7.12\n").errors.is_empty());
    let admin = app.admin();
    admin.post("/api/v1/products", &json!({"code": "P1", "name": "螺丝", "kind": "stockable", "uom": "dozen"}));
    admin.post(
        "/api/v1/price-lists",
        &json!({"code": "L1", "name": "价目表", "currency": "CNY", "price_includes_tax": true}),
    );
    let prices =
        run(&product::import::PriceListItemImporter, "price_list,product,min_qty,price\nL1,P1,1,12\nL1,P9,1,12\n");
    assert_eq!(prices.errors.iter().map(|e| (e.row, e.column.as_str())).collect::<Vec<_>>(), [(3, "product")]);
    assert!(
        run(&product::import::PriceListItemImporter, "price_list,product,min_qty,price\nL1,P1,1,12\n")
            .errors
            .is_empty()
    );
    // Each type exports in its import layout, so the file imports again.
    let vault = kernel::crypto::Vault::new(&kernel::crypto::KeyRing::generate()).unwrap();
    for (name, expected) in [
        ("taxes", "VAT5,增值税 5%,500,false,vat.output,vat.input"),
        ("uoms", "unit,dozen,打,12,1"),
        ("exchange-rates", "USD,2026-11-26,7.12000000"),
        ("prices", "L1,P1,1.0000,12.000000"),
        ("products", "P1,螺丝,stockable"),
    ] {
        let importer = web::transfer::importer_for(name, &vault).unwrap();
        let rows = kernel::import::export_all(&app.db, &ctx, importer.as_ref()).unwrap();
        assert!(rows.iter().all(|r| r.len() == importer.columns().len()), "{name}");
        let lines: Vec<String> = rows.iter().map(|r| r.join(",")).collect();
        assert!(lines.iter().any(|l| l.starts_with(expected)), "{name}: {lines:?}");
    }
    // A category tree exports parents first and imports again into another company.
    run(&product::import::CategoryImporter, "code,name,parent\nTEA,茶叶,\nGREEN,绿茶,TEA\nLJ,龙井,GREEN\n");
    let categories = web::transfer::importer_for("categories", &vault).unwrap();
    let rows = kernel::import::export_all(&app.db, &ctx, categories.as_ref()).unwrap();
    let header: Vec<&str> = categories.columns().iter().map(|c| c.key).collect();
    let csv = String::from_utf8(kernel::import::table_bytes(&header, &rows, "csv").unwrap()).unwrap();
    let (other, _) = app.other_company("C2");
    let other_ctx = app.ctx_in(other);
    let sheet = Sheet::parse(csv.as_bytes(), "csv").unwrap();
    let again = kernel::import::run(
        &app.db,
        &other_ctx,
        categories.as_ref(),
        &sheet,
        false,
        &catalog,
        kernel::i18n::Locale::En,
        &|_| {},
    )
    .unwrap();
    assert!(again.errors.is_empty() && again.imported == 3, "{:?}", again.errors);
}
