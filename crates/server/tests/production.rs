//! Production master data through the API, on SQLite and PostgreSQL: multi-level BOMs with
//! scrap, phantom kits, by-products and dated versions; explosion and where-used; work centers
//! and routings; the cost roll-up from stock valuation and operations with every amount checked;
//! and the AdventureWorks BOMs compared with what the CSV itself says.

use serde_json::{Value, json};
use testkit::{Client, spawn};

fn product(admin: &Client, code: &str) {
    let created =
        admin.post("/api/v1/products", &json!({"code": code, "name": code, "kind": "stockable", "uom": "pcs"}));
    assert_eq!(created.status, 201, "{}", created.body);
}

fn bom(admin: &Client, body: Value) -> Value {
    let created = admin.post("/api/v1/production/boms", &body);
    assert_eq!(created.status, 201, "{}", created.body);
    created.json
}

fn quantities(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|l| (l["code"].as_str().unwrap().to_string(), l["quantity"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn boms_explode_through_levels_kits_and_versions() {
    let app = spawn();
    let admin = app.admin();
    for code in ["BIKE", "FRAME", "WHEEL", "TUBE", "PAINT", "SPOKE", "RIM", "SCREWKIT", "SCREW", "SHAVINGS"] {
        product(&admin, code);
    }
    // A bike: a frame (made), two wheels with 5 % scrap (made), a screw kit (phantom);
    // the frame gives off shavings as a by-product.
    bom(
        &admin,
        json!({"product": "BIKE", "valid_from": "2026-01-01", "lines": [
        {"component": "FRAME", "quantity": "1"}, {"component": "WHEEL", "quantity": "2", "scrap": "5"},
        {"component": "SCREWKIT", "quantity": "1"}]}),
    );
    bom(
        &admin,
        json!({"product": "FRAME", "quantity": "2", "valid_from": "2026-01-01", "lines": [
        {"component": "TUBE", "quantity": "3"}, {"component": "PAINT", "quantity": "0.5"},
        {"component": "SHAVINGS", "quantity": "0.2", "byproduct": true}]}),
    );
    bom(
        &admin,
        json!({"product": "WHEEL", "valid_from": "2026-01-01", "lines": [
        {"component": "RIM", "quantity": "1"}, {"component": "SPOKE", "quantity": "32"}]}),
    );
    bom(
        &admin,
        json!({"product": "SCREWKIT", "kind": "phantom", "valid_from": "2026-01-01", "lines": [
        {"component": "SCREW", "quantity": "8"}]}),
    );
    let explosion = admin.get("/api/v1/production/explode?product=BIKE&quantity=10&date=2026-06-01");
    assert_eq!(explosion.status, 200, "{}", explosion.body);
    let tree: Vec<(u64, String, String, bool)> = explosion.json["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["level"].as_u64().unwrap(),
                l["code"].as_str().unwrap().into(),
                l["quantity"].as_str().unwrap().into(),
                l["phantom"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        tree,
        [
            (1, "FRAME".into(), "10.0000".into(), false),
            // A frame BOM makes 2: 10 frames need 15 tubes, 2.5 paint, and give 1 of shavings.
            (2, "TUBE".into(), "15.0000".into(), false),
            (2, "PAINT".into(), "2.5000".into(), false),
            (2, "SHAVINGS".into(), "1.0000".into(), false),
            (1, "WHEEL".into(), "21.0000".into(), false),
            (2, "RIM".into(), "21.0000".into(), false),
            (2, "SPOKE".into(), "672.0000".into(), false),
            (1, "SCREWKIT".into(), "10.0000".into(), true),
            (2, "SCREW".into(), "80.0000".into(), false),
        ]
    );
    assert_eq!(
        quantities(&explosion.json["materials"]),
        [
            ("PAINT".into(), "2.5000".into()),
            ("RIM".into(), "21.0000".into()),
            ("SCREW".into(), "80.0000".into()),
            ("SPOKE".into(), "672.0000".into()),
            ("TUBE".into(), "15.0000".into())
        ]
    );
    assert_eq!(quantities(&explosion.json["byproducts"]), [("SHAVINGS".into(), "1.0000".into())]);
    // A new wheel version from July: 36 spokes. June keeps 32.
    bom(
        &admin,
        json!({"product": "WHEEL", "code": "V2", "valid_from": "2026-07-01", "lines": [
        {"component": "RIM", "quantity": "1"}, {"component": "SPOKE", "quantity": "36"}]}),
    );
    let july = admin.get("/api/v1/production/explode?product=WHEEL&quantity=1&date=2026-07-15").json;
    let june = admin.get("/api/v1/production/explode?product=WHEEL&quantity=1&date=2026-06-15").json;
    assert_eq!(
        (july["lines"][1]["quantity"].as_str(), june["lines"][1]["quantity"].as_str()),
        (Some("36.0000"), Some("32.0000"))
    );
    // Where-used goes up through every level.
    let used: Vec<(u64, String)> = admin
        .get("/api/v1/production/where-used?product=SPOKE")
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["level"].as_u64().unwrap(), u["code"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(used, [(1, "WHEEL".to_string()), (2, "BIKE".to_string())]);
    // A BOM may not contain its own product, however deep.
    let cycle = admin.post(
        "/api/v1/production/boms",
        &json!({"product": "TUBE", "lines": [{"component": "BIKE", "quantity": "1"}]}),
    );
    assert_eq!(cycle.json["errors"][0]["code"], "production.bom_cycle", "{}", cycle.body);
    let taken = admin.post(
        "/api/v1/production/boms",
        &json!({"product": "BIKE", "lines": [{"component": "TUBE", "quantity": "1"}]}),
    );
    assert_eq!(taken.json["errors"][0]["code"], "production.bom_code_taken");
    let no_bom = admin.get("/api/v1/production/explode?product=BIKE&quantity=1&date=2025-01-01");
    assert_eq!(no_bom.json["errors"][0]["code"], "production.no_bom");
    app.assert_invariants();
}

#[test]
fn a_cost_roll_up_adds_materials_at_stock_value_and_operations_at_their_rates() {
    let app = spawn();
    let admin = app.admin();
    for code in ["TABLE", "TOP", "LEG", "BOARD", "SCREW"] {
        product(&admin, code);
    }
    // Stock: boards at 40.00, screws at 0.10, legs at 15.00 (received at those costs).
    let receipt = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "lines": [{"product": "BOARD", "quantity": "10", "unit_cost": "40"},
            {"product": "SCREW", "quantity": "1000", "unit_cost": "0.10"}, {"product": "LEG", "quantity": "40", "unit_cost": "15"}]}),
    );
    admin.post(
        &format!("/api/v1/pickings/{}/validate", receipt.json["id"].as_str().unwrap()),
        &json!({"date": "2026-11-02"}),
    );
    for (code, name, labour, machine, overhead) in [("CUT", "开料", "60", "30", "10"), ("ASM", "组装", "48", "0", "25")]
    {
        let saved = admin.post(
            "/api/v1/production/work-centers",
            &json!({"code": code, "name": name, "labour_rate": labour, "machine_rate": machine, "overhead": overhead}),
        );
        assert_eq!(saved.status, 201, "{}", saved.body);
    }
    bom(&admin, json!({"product": "TOP", "lines": [{"component": "BOARD", "quantity": "1", "scrap": "10"}]}));
    bom(
        &admin,
        json!({"product": "TABLE", "lines": [
        {"component": "TOP", "quantity": "1"}, {"component": "LEG", "quantity": "4"}, {"component": "SCREW", "quantity": "16"}]}),
    );
    // The top: cut for 30 min setup + 10 min each; the table: 20 min assembly each.
    let routing = admin.post(
        "/api/v1/production/routings",
        &json!({"product": "TOP", "operations": [
        {"name": "开料", "work_center": "CUT", "setup_minutes": "30", "run_minutes": "10", "key_operation": true}]}),
    );
    assert_eq!(routing.status, 201, "{}", routing.body);
    admin.post(
        "/api/v1/production/routings",
        &json!({"product": "TABLE", "operations": [
        {"name": "组装", "work_center": "ASM", "run_minutes": "20"}]}),
    );
    let cost = admin.get("/api/v1/production/cost?product=TABLE&quantity=10").json;
    // A top (lot of 1): board 1.1 × 40 = 44.00; 40 min at 90/h = 40 + 20 = 60.00, overhead 6.00 → 110.00.
    // 10 tables: tops 1,100.00, legs 40 × 15 = 600.00, screws 160 × 0.10 = 16.00;
    // assembly 200 min at 48/h = 160.00, overhead 25 % = 40.00 → 1,916.00, 191.60 each.
    let lines: Vec<(String, String, String)> = cost["material_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["code"].as_str().unwrap().into(),
                l["amount"].as_str().unwrap().into(),
                l["source"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("TOP".into(), "1100.00".into(), "rolled_up".into()),
            ("LEG".into(), "600.00".into(), "stock".into()),
            ("SCREW".into(), "16.00".into(), "stock".into()),
        ],
        "{cost}"
    );
    assert_eq!(
        (cost["materials"].as_str(), cost["labour"].as_str(), cost["machine"].as_str(), cost["overhead"].as_str()),
        (Some("1716.00"), Some("160.00"), Some("0.00"), Some("40.00"))
    );
    assert_eq!((cost["total"].as_str(), cost["unit_cost"].as_str()), (Some("1916.00"), Some("191.60")));
    let top = admin.get("/api/v1/production/cost?product=TOP").json;
    assert_eq!(
        (
            top["materials"].as_str(),
            top["labour"].as_str(),
            top["machine"].as_str(),
            top["overhead"].as_str(),
            top["total"].as_str()
        ),
        (Some("44.00"), Some("40.00"), Some("20.00"), Some("6.00"), Some("110.00"))
    );
    let bad =
        admin.post("/api/v1/production/work-centers", &json!({"code": "X", "name": "X", "working_days": "11111"}));
    assert_eq!(bad.json["errors"][0]["code"], "production.working_days_invalid");
    let routing = admin.get("/api/v1/production/routings?product=TOP").json;
    assert_eq!(
        (routing["operations"][0]["work_center"].as_str(), routing["operations"][0]["key_operation"].as_bool()),
        (Some("CUT"), Some(true))
    );
    app.assert_invariants();
}

fn adventureworks() -> Option<std::path::PathBuf> {
    let folder =
        std::env::var("TIANGONG_DATASETS").map(|d| std::path::Path::new(&d).join("adventureworks")).unwrap_or_else(
            |_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets/adventureworks"),
        );
    if folder.join("BillOfMaterials.csv").exists() {
        Some(folder)
    } else {
        eprintln!("SKIPPED: AdventureWorks data set not found (set TIANGONG_DATASETS)");
        None
    }
}

#[test]
fn adventureworks_boms_explode_as_the_csv_says() {
    use std::collections::{BTreeMap, HashMap};
    let Some(folder) = adventureworks() else { return };
    let app = spawn();
    let vault = kernel::crypto::Vault::new(&kernel::crypto::KeyRing::generate()).unwrap();
    let report = server::datasets::adventureworks::load(&app.db, &app.system_ctx(), &vault, &folder).unwrap();
    let bills = kernel::import::Sheet::read(&folder.join("BillOfMaterials.csv")).unwrap();
    let products = kernel::import::Sheet::read(&folder.join("Product.csv")).unwrap();
    let col = |sheet: &kernel::import::Sheet, name: &str| sheet.headers.iter().position(|h| h == name).unwrap();
    let number: HashMap<String, String> = products
        .rows
        .iter()
        .map(|r| (r[col(&products, "ProductID")].clone(), r[col(&products, "ProductNumber")].clone()))
        .collect();
    // The current rows (no end date), per assembly: component and quantity per assembly.
    let mut current: BTreeMap<String, Vec<(String, i64)>> = BTreeMap::new();
    for r in &bills.rows {
        let (assembly, end) = (&r[col(&bills, "ProductAssemblyID")], &r[col(&bills, "EndDate")]);
        if !assembly.is_empty() && end.is_empty() {
            let qty: f64 = r[col(&bills, "PerAssemblyQty")].parse().unwrap();
            current.entry(assembly.clone()).or_default().push((r[col(&bills, "ComponentID")].clone(), qty as i64));
        }
    }
    assert_eq!(report.boms, current.len());
    assert_eq!(report.bom_lines, current.values().map(Vec::len).sum::<usize>());
    assert_eq!(report.work_centers, 7, "the seven locations with working hours");
    assert!(report.routings > 0);
    // Materials of a product computed from the CSV: quantities multiplied down the levels.
    fn leaves(
        current: &BTreeMap<String, Vec<(String, i64)>>,
        product: &str,
        qty: i64,
        out: &mut BTreeMap<String, i64>,
    ) {
        for (component, per) in &current[product] {
            if current.contains_key(component) {
                leaves(current, component, qty * per, out);
            } else {
                *out.entry(component.clone()).or_default() += qty * per;
            }
        }
    }
    let admin = app.admin();
    // Every top-level product (BOM level 0 rows), ten of each.
    let tops: Vec<String> = bills
        .rows
        .iter()
        .filter(|r| r[col(&bills, "ProductAssemblyID")].is_empty() && r[col(&bills, "EndDate")].is_empty())
        .map(|r| r[col(&bills, "ComponentID")].clone())
        .filter(|p| current.contains_key(p))
        .collect();
    assert!(tops.len() > 50, "{}", tops.len());
    for top in &tops {
        let mut expected = BTreeMap::new();
        leaves(&current, top, 10, &mut expected);
        let expected: Vec<(String, String)> = expected
            .into_iter()
            .map(|(id, q)| (number[&id].clone(), format!("{q}.0000")))
            .collect::<BTreeMap<_, _>>()
            .into_iter()
            .collect();
        let exploded = admin.get(&format!("/api/v1/production/explode?product={}&quantity=10", number[top]));
        assert_eq!(exploded.status, 200, "{}", exploded.body);
        assert_eq!(quantities(&exploded.json["materials"]), expected, "{}", number[top]);
    }
    // Work orders: per year of the due date, how many and the quantities ordered, stocked and
    // scrapped, as the CSV adds them up; and the same for the product with the most orders.
    let orders = kernel::import::Sheet::read(&folder.join("WorkOrder.csv")).unwrap();
    // Per year: orders, ordered, stocked, scrapped.
    type Totals = BTreeMap<String, (i64, i64, i64, i64)>;
    let mut by_year: Totals = BTreeMap::new();
    let mut by_product: HashMap<String, Totals> = HashMap::new();
    for r in &orders.rows {
        let year = r[col(&orders, "DueDate")][..4].to_string();
        let q = |name: &str| r[col(&orders, name)].parse::<i64>().unwrap();
        for totals in [
            by_year.entry(year.clone()).or_default(),
            by_product.entry(r[col(&orders, "ProductID")].clone()).or_default().entry(year).or_default(),
        ] {
            totals.0 += 1;
            totals.1 += q("OrderQty");
            totals.2 += q("StockedQty");
            totals.3 += q("ScrappedQty");
        }
    }
    assert_eq!(report.work_orders, orders.rows.len());
    let read = |path: &str| -> Totals {
        let answer = admin.get(path);
        assert_eq!(answer.status, 200, "{}", answer.body);
        let whole = |v: &Value| v.as_str().unwrap().strip_suffix(".0000").unwrap().parse::<i64>().unwrap();
        answer
            .json
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let totals = (
                    t["orders"].as_i64().unwrap(),
                    whole(&t["quantity"]),
                    whole(&t["received"]),
                    whole(&t["scrapped"]),
                );
                (t["year"].as_str().unwrap().to_string(), totals)
            })
            .collect()
    };
    assert_eq!(read("/api/v1/production/work-order-totals"), by_year);
    let (busiest, years) =
        by_product.iter().max_by_key(|(id, y)| (y.values().map(|t| t.0).sum::<i64>(), (*id).clone())).unwrap();
    assert_eq!(read(&format!("/api/v1/production/work-order-totals?product={}", number[busiest])), *years);
    // MRP over the whole of it: every made part with demand gets work orders, bought parts
    // purchases, the reorder points being the demand.
    let run = admin.post("/api/v1/production/mrp/run", &json!({}));
    assert_eq!(run.status, 200, "{}", run.body);
    assert!(run.json["planned_orders"].as_u64().unwrap() > 100, "{}", run.body);
    let make_flag: HashMap<String, bool> = products
        .rows
        .iter()
        .map(|r| (r[col(&products, "ProductNumber")].clone(), r[col(&products, "MakeFlag")] == "1"))
        .collect();
    let planned = admin.get("/api/v1/production/planned-orders?limit=10000").json;
    for order in planned.as_array().unwrap() {
        let code = order["product_code"].as_str().unwrap();
        assert_eq!(order["kind"] == "make", make_flag[code], "{code}");
    }
    app.assert_invariants();
}

#[test]
fn a_work_order_issues_materials_reports_jobs_and_receives_finished_goods() {
    let app = spawn();
    let admin = app.admin();
    for code in ["SEAT", "LEG", "SCREWKIT", "SCREW"] {
        product(&admin, code);
    }
    let chair = admin.post(
        "/api/v1/products",
        &json!({"code": "CHAIR", "name": "椅子", "kind": "stockable", "uom": "pcs", "tracking": "lot"}),
    );
    assert_eq!(chair.status, 201, "{}", chair.body);
    let receipt = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "lines": [{"product": "SEAT", "quantity": "20", "unit_cost": "30"},
            {"product": "LEG", "quantity": "100", "unit_cost": "5"}, {"product": "SCREW", "quantity": "500", "unit_cost": "0.10"}]}),
    );
    admin.post(
        &format!("/api/v1/pickings/{}/validate", receipt.json["id"].as_str().unwrap()),
        &json!({"date": "2026-11-02"}),
    );
    bom(&admin, json!({"product": "SCREWKIT", "kind": "phantom", "lines": [{"component": "SCREW", "quantity": "8"}]}));
    bom(
        &admin,
        json!({"product": "CHAIR", "lines": [{"component": "SEAT", "quantity": "1"},
        {"component": "LEG", "quantity": "4"}, {"component": "SCREWKIT", "quantity": "1"}]}),
    );
    for (code, labour, machine, overhead) in [("CUT", "60", "30", "10"), ("ASM", "48", "0", "25")] {
        admin.post(
            "/api/v1/production/work-centers",
            &json!({"code": code, "name": code, "labour_rate": labour, "machine_rate": machine, "overhead": overhead}),
        );
    }
    admin.post("/api/v1/production/routings", &json!({"product": "CHAIR", "operations": [
        {"name": "加工", "work_center": "CUT", "run_minutes": "5"}, {"name": "装配", "work_center": "ASM", "run_minutes": "10"}]}));
    let created =
        admin.post("/api/v1/production/work-orders", &json!({"product": "CHAIR", "quantity": "10", "lot": "CH-001"}));
    assert_eq!(created.status, 201, "{}", created.body);
    // The standard: 508.00 of materials at stock value, CUT 50 min (50.00 + 25.00 + 7.50), ASM
    // 100 min (80.00 + 20.00).
    assert_eq!(created.json["standard_cost"], "690.50");
    let id = created.json["id"].as_str().unwrap().to_string();
    let materials: Vec<(String, String)> = created.json["materials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["code"].as_str().unwrap().into(), m["planned"].as_str().unwrap().into()))
        .collect();
    // The kit is exploded through: screws, not kits.
    assert_eq!(
        materials,
        [("SEAT".into(), "10.0000".into()), ("LEG".into(), "40.0000".into()), ("SCREW".into(), "80.0000".into())]
    );
    let path = format!("/api/v1/production/work-orders/{id}");
    assert_eq!(
        admin.post(&format!("{path}/issue"), &json!({})).code(),
        "production.work_order_state",
        "a draft issues nothing"
    );
    assert_eq!(admin.post(&format!("{path}/act"), &json!({"action": "confirm"})).json["state"], "confirmed");
    let issued = admin.post(&format!("{path}/issue"), &json!({"date": "2026-11-10"}));
    assert_eq!(issued.status, 200, "{}", issued.body);
    // 10 × 30 + 40 × 5 + 80 × 0.10 = 508.00 issued to 生产成本.
    assert_eq!(
        (issued.json["state"].as_str(), issued.json["material_cost"].as_str()),
        (Some("in_progress"), Some("508.00"))
    );
    app.assert_invariants();
    // 报工: the first operation passes 9 and scraps 1; the second cannot pass more than 9.
    let report = |op: i64, good: &str, scrap: &str, reason: &str| {
        admin.post(
            &format!("{path}/report"),
            &json!({"operation": op, "good": good, "scrap": scrap, "defect_reason": reason, "worker": "王师傅"}),
        )
    };
    assert_eq!(report(10, "9", "1", "").json["errors"][0]["code"], "production.defect_reason_required");
    assert_eq!(report(10, "9", "1", "开裂").status, 200);
    let too_many = report(20, "10", "", "");
    assert_eq!((too_many.status, too_many.code()), (409, "production.more_than_passed"));
    assert_eq!(report(20, "8", "", "").status, 200);
    // Receive 8 (what the last operation passed), under the lot; a ninth is refused.
    assert_eq!(admin.post(&format!("{path}/receive"), &json!({"quantity": "9"})).code(), "production.more_than_passed");
    let received = admin.post(&format!("{path}/receive"), &json!({"quantity": "8", "date": "2026-11-12"}));
    assert_eq!(received.status, 200, "{}", received.body);
    assert_eq!(received.json["received"], "8.0000");
    let stock = admin.get("/api/v1/stock/on-hand?product=CHAIR").json;
    assert!(stock.to_string().contains("CH-001"), "received under the lot: {stock}");
    // The work reported is costed at the routing's run minutes: 50 min at CUT (60 + 30 an hour,
    // 10 % overhead) = 50.00 + 25.00 + 7.50; 80 min at ASM (48 an hour, 25 %) = 64.00 + 16.00.
    assert_eq!(
        (
            received.json["labour_cost"].as_str(),
            received.json["machine_cost"].as_str(),
            received.json["overhead_cost"].as_str(),
            received.json["actual_cost"].as_str()
        ),
        (Some("114.00"), Some("25.00"), Some("23.50"), Some("670.50"))
    );
    let vouchers = admin.get(&format!("/api/v1/vouchers?kind=production.work_order&id={id}")).json;
    let payroll: Vec<&str> = vouchers
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| v["lines"].as_array().unwrap().iter())
        .filter(|l| l["account_code"] == "2211")
        .map(|l| l["credit"].as_str().unwrap())
        .collect();
    assert_eq!(payroll, ["114.00"], "应付职工薪酬 of both reports, booked with the receipt");
    // Finished goods at the actual cost per planned unit, 67.05: 8 received = 536.40, and the
    // rest of 670.50 stays in 生产成本 (WIP).
    let period = kernel::clock::format_date(app.system_ctx().today())[..7].to_string();
    let tb = admin.get(&format!("/api/v1/trial-balance?period={period}")).json;
    let wip = tb["rows"].as_array().unwrap().iter().find(|r| r["code"] == "4001").unwrap().clone();
    assert_eq!(wip["closing_debit"], "134.10", "{wip}");
    assert_eq!(
        (received.json["received_value"].as_str(), received.json["wip"].as_str()),
        (Some("536.40"), Some("134.10"))
    );
    // 8 of 10 at standard would be 552.40: 16.00 under.
    assert_eq!(received.json["variance"], "-16.00");
    assert_eq!(admin.post(&format!("{path}/act"), &json!({"action": "finish"})).json["state"], "done");
    let closed = admin.post(&format!("{path}/act"), &json!({"action": "close"}));
    assert_eq!(closed.json["state"], "closed");
    // Closing settles the 134.10 still in progress to cost of sales: 生产成本 is empty.
    assert_eq!((closed.json["settled"].as_str(), closed.json["wip"].as_str()), (Some("134.10"), Some("0.00")));
    let tb = admin.get(&format!("/api/v1/trial-balance?period={period}")).json;
    let rows = tb["rows"].as_array().unwrap();
    let wip = rows.iter().find(|r| r["code"] == "4001").unwrap();
    assert_eq!((wip["closing_debit"].as_str(), wip["closing_credit"].as_str()), (Some(""), Some("")), "{wip}");
    let cogs = rows.iter().find(|r| r["code"] == "5401").unwrap();
    assert_eq!(cogs["closing_debit"], "134.10", "{cogs}");
    assert_eq!(admin.get("/api/v1/production/work-orders?state=closed").json.as_array().unwrap().len(), 1);
    app.assert_invariants();
}

#[test]
fn lots_trace_back_to_suppliers_and_forward_to_customers() {
    let app = spawn();
    let admin = app.admin();
    for code in ["LEAF", "TEA", "GIFT"] {
        let made = admin.post(
            "/api/v1/products",
            &json!({"code": code, "name": code, "kind": "stockable", "uom": "pcs", "tracking": "lot"}),
        );
        assert_eq!(made.status, 201, "{}", made.body);
    }
    let supplier = admin.post("/api/v1/parties", &json!({"code": "S1", "name": "龙井茶农合作社", "kind": "supplier"}));
    let customer = admin.post("/api/v1/parties", &json!({"code": "C1", "name": "杭州茶行", "kind": "customer"}));
    let receipt = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "partner_id": supplier.json["id"], "lines": [{"product": "LEAF", "quantity": "40", "lot": "L-A", "unit_cost": "2"}]}),
    );
    admin.post(&format!("/api/v1/pickings/{}/validate", receipt.json["id"].as_str().unwrap()), &json!({}));
    bom(&admin, json!({"product": "TEA", "lines": [{"component": "LEAF", "quantity": "2"}]}));
    bom(&admin, json!({"product": "GIFT", "lines": [{"component": "TEA", "quantity": "2"}]}));
    let make = |product: &str, quantity: &str, lot: &str| {
        let order = admin.post(
            "/api/v1/production/work-orders",
            &json!({"product": product, "quantity": quantity, "lot": lot, "confirm": true}),
        );
        assert_eq!(order.status, 201, "{}", order.body);
        let path = format!("/api/v1/production/work-orders/{}", order.json["id"].as_str().unwrap());
        let issued = admin.post(&format!("{path}/issue"), &json!({}));
        assert_eq!(issued.status, 200, "{}", issued.body);
        let received = admin.post(&format!("{path}/receive"), &json!({"quantity": quantity}));
        assert_eq!(received.json["state"], "done", "{}", received.body);
    };
    make("TEA", "10", "T-1");
    make("GIFT", "5", "G-1");
    let delivery = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "delivery", "partner_id": customer.json["id"], "confirm": true, "lines": [{"product": "GIFT", "quantity": "5", "lot": "G-1"}]}),
    );
    let validated =
        admin.post(&format!("/api/v1/pickings/{}/validate", delivery.json["id"].as_str().unwrap()), &json!({}));
    assert_eq!(validated.status, 200, "{}", validated.body);
    let row = |l: &Value| {
        (
            l["depth"].as_i64().unwrap(),
            l["lot"].as_str().unwrap().to_string(),
            l["partner_name"].as_str().map(str::to_string),
        )
    };
    // Backward from the gift box: the tea lot (made here), then the leaf lot and its supplier.
    let back = admin.get("/api/v1/production/trace?lot=G-1&direction=backward").json;
    let back: Vec<_> = back.as_array().unwrap().iter().map(row).collect();
    assert_eq!(back, [(1, "T-1".to_string(), None), (2, "L-A".to_string(), Some("龙井茶农合作社".to_string()))]);
    // Forward from the leaves (the recall list): the tea, the gift box, and who received it.
    let forward = admin.get("/api/v1/production/trace?lot=L-A&direction=forward").json;
    let forward: Vec<_> = forward.as_array().unwrap().iter().map(row).collect();
    assert_eq!(forward, [(1, "T-1".to_string(), None), (2, "G-1".to_string(), Some("杭州茶行".to_string()))]);
    assert_eq!(
        admin.get("/api/v1/production/trace?lot=NOPE&direction=forward").json["errors"][0]["code"],
        "production.lot_unknown"
    );
    app.assert_invariants();
}

#[test]
fn a_failed_first_article_inspection_holds_the_work_order_until_one_passes() {
    let app = spawn();
    let admin = app.admin();
    for code in ["CAKE", "LEAVES"] {
        product(&admin, code);
    }
    let receipt = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "lines": [{"product": "LEAVES", "quantity": "100", "unit_cost": "1"}]}),
    );
    admin.post(&format!("/api/v1/pickings/{}/validate", receipt.json["id"].as_str().unwrap()), &json!({}));
    bom(&admin, json!({"product": "CAKE", "lines": [{"component": "LEAVES", "quantity": "3"}]}));
    admin.post("/api/v1/production/work-centers", &json!({"code": "PRESS", "name": "压饼"}));
    admin.post(
        "/api/v1/production/routings",
        &json!({"product": "CAKE", "operations": [{"name": "压饼", "work_center": "PRESS", "run_minutes": "2"}]}),
    );
    let plan = admin.post(
        "/api/v1/production/inspection-plans",
        &json!({"code": "FA-CAKE", "name": "茶饼首检", "kind": "first", "product": "CAKE", "sample_size": 3,
            "characteristics": [{"name": "重量", "lower": "355", "upper": "360", "unit": "g"}, {"name": "厚度", "upper": "2.5", "unit": "cm"}]}),
    );
    assert_eq!(plan.status, 201, "{}", plan.body);
    let bad_plan = admin.post(
        "/api/v1/production/inspection-plans",
        &json!({"code": "X", "name": "X", "kind": "daily", "product": "CAKE", "characteristics": []}),
    );
    assert_eq!(bad_plan.json["errors"][0]["code"], "production.inspection_kind_invalid");
    let order =
        admin.post("/api/v1/production/work-orders", &json!({"product": "CAKE", "quantity": "20", "confirm": true}));
    let id = order.json["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/production/work-orders/{id}");
    admin.post(&format!("{path}/issue"), &json!({}));
    // No good quantity before the first article has passed.
    let early = admin.post(&format!("{path}/report"), &json!({"operation": 10, "good": "5"}));
    assert_eq!((early.status, early.code()), (409, "production.first_article_required"));
    // The first article is too heavy: the inspection fails and opens a nonconformance.
    let failed = admin.post(
        "/api/v1/production/inspections",
        &json!({"plan": "FA-CAKE", "work_order_id": id, "inspector": "李", "values": [{"characteristic": "重量", "value": "362"}, {"characteristic": "厚度", "value": "2.4"}]}),
    );
    assert_eq!(failed.status, 201, "{}", failed.body);
    assert_eq!((failed.json["result"].as_str(), failed.json["failed"][0].as_str()), (Some("fail"), Some("重量")));
    let nc = failed.json["nonconformance_id"].as_str().unwrap().to_string();
    let missing = admin.post(
        "/api/v1/production/inspections",
        &json!({"plan": "FA-CAKE", "work_order_id": id, "values": [{"characteristic": "重量", "value": "357"}]}),
    );
    assert_eq!(missing.json["errors"][0]["code"], "production.value_missing");
    assert_eq!(
        admin.post(&format!("{path}/report"), &json!({"operation": 10, "good": "5"})).code(),
        "production.first_article_required"
    );
    let disposed = admin.post(
        &format!("/api/v1/production/nonconformances/{nc}/dispose"),
        &json!({"disposition": "rework", "note": "重新压制"}),
    );
    assert_eq!(
        (disposed.json["state"].as_str(), disposed.json["disposition"].as_str()),
        (Some("disposed"), Some("rework"))
    );
    assert_eq!(
        admin
            .post(&format!("/api/v1/production/nonconformances/{nc}/dispose"), &json!({"disposition": "scrap"}))
            .code(),
        "production.nonconformance_disposed"
    );
    // Adjusted: the next first article passes, and production goes on.
    let passed = admin.post(
        "/api/v1/production/inspections",
        &json!({"plan": "FA-CAKE", "work_order_id": id, "values": [{"characteristic": "重量", "value": "357.5"}, {"characteristic": "厚度", "value": "2.5"}]}),
    );
    assert_eq!((passed.json["result"].as_str(), passed.json["nonconformance_id"].as_str()), (Some("pass"), None));
    assert_eq!(admin.post(&format!("{path}/report"), &json!({"operation": 10, "good": "5"})).status, 200);
    app.assert_invariants();
}

#[test]
fn a_lot_failing_incoming_inspection_is_held_until_accepted() {
    let app = spawn();
    let admin = app.admin();
    let tracked = admin.post(
        "/api/v1/products",
        &json!({"code": "LEAF", "name": "茶青", "kind": "stockable", "uom": "pcs", "tracking": "lot"}),
    );
    assert_eq!(tracked.status, 201, "{}", tracked.body);
    let receipt = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "lines": [{"product": "LEAF", "quantity": "10", "lot": "L-WET", "unit_cost": "2"}]}),
    );
    admin.post(&format!("/api/v1/pickings/{}/validate", receipt.json["id"].as_str().unwrap()), &json!({}));
    admin.post(
        "/api/v1/production/inspection-plans",
        &json!({"code": "IQC-LEAF", "name": "茶青来料检", "kind": "iqc", "product": "LEAF", "characteristics": [{"name": "水分", "upper": "75"}]}),
    );
    let failed = admin.post(
        "/api/v1/production/inspections",
        &json!({"plan": "IQC-LEAF", "lot": "L-WET", "values": [{"characteristic": "水分", "value": "80"}]}),
    );
    assert_eq!(failed.json["result"], "fail");
    // Held: a delivery cannot take it.
    let delivery = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "delivery", "lines": [{"product": "LEAF", "quantity": "2"}], "confirm": true, "strict": true}),
    );
    assert!(delivery.status >= 400, "a held lot is not reserved: {}", delivery.body);
    // Accepted by concession: released, and it ships.
    let nc = failed.json["nonconformance_id"].as_str().unwrap();
    admin.post(&format!("/api/v1/production/nonconformances/{nc}/dispose"), &json!({"disposition": "concession"}));
    let delivery = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "delivery", "lines": [{"product": "LEAF", "quantity": "2"}], "confirm": true, "strict": true}),
    );
    assert_eq!(delivery.status, 201, "{}", delivery.body);
    assert_eq!(
        admin.post(&format!("/api/v1/pickings/{}/validate", delivery.json["id"].as_str().unwrap()), &json!({})).status,
        200
    );
    app.assert_invariants();
}

/// Today plus `days`, as the server's clock sees it.
fn day(app: &testkit::TestApp, days: i64) -> String {
    kernel::clock::format_date(app.system_ctx().today() + time::Duration::days(days))
}

type PlannedRow = (String, String, String, String, String, bool);

fn planned(admin: &Client, state: &str) -> Vec<PlannedRow> {
    let list = admin.get(&format!("/api/v1/production/planned-orders?state={state}"));
    assert_eq!(list.status, 200, "{}", list.body);
    let mut rows: Vec<PlannedRow> = list
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["product_code"].as_str().unwrap().to_string(),
                o["kind"].as_str().unwrap().to_string(),
                o["quantity"].as_str().unwrap().to_string(),
                o["release_date"].as_str().unwrap().to_string(),
                o["due_date"].as_str().unwrap().to_string(),
                o["late"].as_bool().unwrap(),
            )
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn mrp_nets_by_low_level_code_sizes_lots_pegs_and_confirms_in_bulk() {
    let app = spawn();
    let admin = app.admin();
    let supplier = admin.post("/api/v1/parties", &json!({"code": "S1", "name": "车料供应商", "kind": "supplier"})).json;
    let customer = admin.post("/api/v1/parties", &json!({"code": "C1", "name": "车行", "kind": "customer"})).json;
    let made = admin.post(
        "/api/v1/products",
        &json!({"code": "BIKE", "name": "自行车", "kind": "stockable", "uom": "pcs", "tax": "VAT13", "list_price": "1000"}),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    for code in ["FRAME", "WHEEL", "RIM", "SPOKE"] {
        product(&admin, code);
    }
    // Suppliers' terms: the frame comes in 5 days, at least 10; rims and spokes from S1 too.
    let products = admin.get("/api/v1/products?limit=50").json;
    let id_of = |code: &str| {
        products["items"].as_array().unwrap().iter().find(|p| p["code"] == code).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for (code, lead, min_order) in [("FRAME", 5, "10"), ("RIM", 0, "0"), ("SPOKE", 0, "0")] {
        let price = admin.post(
            &format!("/api/v1/products/{}/suppliers", id_of(code)),
            &json!({"supplier_id": supplier["id"], "min_qty": "1", "price": "10", "currency": "CNY",
                "lead_time_days": lead, "min_order_qty": min_order}),
        );
        assert_eq!(price.status, 201, "{}", price.body);
    }
    bom(
        &admin,
        json!({"product": "BIKE", "lines": [{"component": "FRAME", "quantity": "1"}, {"component": "WHEEL", "quantity": "2"}]}),
    );
    bom(
        &admin,
        json!({"product": "WHEEL", "lines": [{"component": "RIM", "quantity": "1"}, {"component": "SPOKE", "quantity": "32"}]}),
    );
    for item in [
        json!({"product": "BIKE", "lead_days": 2}),
        json!({"product": "WHEEL", "lot_policy": "fixed", "lot_qty": "8", "lead_days": 1}),
        json!({"product": "RIM", "procurement": "buy", "lot_policy": "multiple", "multiple": "5", "lead_days": 3}),
        json!({"product": "SPOKE", "lot_policy": "minimum", "min_qty": "500", "lead_days": 4}),
    ] {
        let set = admin.post("/api/v1/production/items", &item);
        assert_eq!(set.status, 200, "{}", set.body);
    }
    let bad = admin.post("/api/v1/production/items", &json!({"product": "RIM", "lot_policy": "fixed"}));
    assert_eq!((bad.status, bad.json["errors"][0]["field"].as_str()), (422, Some("lot_qty")), "{}", bad.body);
    // An assembly line open every day: 60 minutes setup and 30 a bike, an hour a wheel.
    admin.post(
        "/api/v1/production/work-centers",
        &json!({"code": "ASM", "name": "总装", "hours_per_day": 8, "working_days": "1111111"}),
    );
    for (product, setup, run) in [("BIKE", "60", "30"), ("WHEEL", "0", "60")] {
        let routing = admin.post(
            "/api/v1/production/routings",
            &json!({"product": product, "operations": [{"name": "装配", "work_center": "ASM", "setup_minutes": setup, "run_minutes": run}]}),
        );
        assert_eq!(routing.status, 201, "{}", routing.body);
    }
    // Stock: a bike, two wheels, 100 spokes; spokes keep 50 in reserve (reorder minimum).
    let receipt = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "lines": [{"product": "BIKE", "quantity": "1", "unit_cost": "600"},
            {"product": "WHEEL", "quantity": "2", "unit_cost": "80"}, {"product": "SPOKE", "quantity": "100", "unit_cost": "0.5"}]}),
    );
    admin.post(&format!("/api/v1/pickings/{}/validate", receipt.json["id"].as_str().unwrap()), &json!({}));
    let rule = admin.put(
        "/api/v1/reorder-rules",
        &json!({"product": "SPOKE", "location": "WH/STOCK", "min_qty": "50", "max_qty": "600"}),
    );
    assert_eq!(rule.status, 204, "{}", rule.body);
    // Demand: a sales order for 5 bikes (delivery today), 3 spare wheels in 10 days, and a
    // forecast of 4 bikes in 40 days (another month: no sales order consumes it).
    let order = admin.post(
        "/api/v1/sales/orders",
        &json!({"customer": "C1", "confirm": true, "lines": [{"product": "BIKE", "quantity": "5"}]}),
    );
    assert_eq!(order.status, 201, "{}", order.body);
    assert_eq!(order.json["state"], "confirmed", "{}", order.body);
    let spare = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "delivery", "partner_id": customer["id"], "scheduled_date": day(&app, 10), "confirm": true,
            "lines": [{"product": "WHEEL", "quantity": "3"}]}),
    );
    assert_eq!(spare.status, 201, "{}", spare.body);
    let forecast =
        admin.post("/api/v1/production/forecasts", &json!({"product": "BIKE", "date": day(&app, 40), "quantity": "4"}));
    assert_eq!(forecast.status, 201, "{}", forecast.body);

    let run = admin.post("/api/v1/production/mrp/run", &json!({}));
    assert_eq!(run.status, 200, "{}", run.body);
    assert_eq!(run.json["planned_orders"], 11, "{}", run.body);
    let d = |n: i64| day(&app, n);
    let q = |n: &str| format!("{n}.0000");
    let row = |code: &str, kind: &str, n: &str, release: i64, due: i64, late: bool| {
        (code.to_string(), kind.to_string(), q(n), d(release), d(due), late)
    };
    let mut expected = vec![
        // Bikes: 5 − 1 on hand, due today (2 days' lead: late); the forecast's 4 in 40 days.
        row("BIKE", "make", "4", 0, 0, true),
        row("BIKE", "make", "4", 38, 40, false),
        // Frames: 4 today, 4 on day 38 — the minimum order of 10 covers both.
        row("FRAME", "buy", "10", 0, 0, true),
        // Wheels in fixed lots of 8: 8 − 2 on hand today; the spares take the 2 left and 1 of
        // a second lot; the second bike order takes the 7 left and 1 of a third.
        row("WHEEL", "make", "8", 0, 0, true),
        row("WHEEL", "make", "8", 9, 10, false),
        row("WHEEL", "make", "8", 37, 38, false),
        // Rims in fives: 8 → 10; 8 − 2 → 10; 8 − 4 → 5.
        row("RIM", "buy", "10", 0, 0, true),
        row("RIM", "buy", "10", 6, 9, false),
        row("RIM", "buy", "5", 34, 37, false),
        // Spokes: 50 safety + 256 today against 100 on hand → 500 minimum; 256 on day 9 from
        // what is left (294); day 37 needs 256 − 38 → another 500.
        row("SPOKE", "buy", "500", 0, 0, true),
        row("SPOKE", "buy", "500", 33, 37, false),
    ];
    expected.sort();
    assert_eq!(planned(&admin, "planned"), expected);

    // Pegging: the first bike order covers the sales order; the frame order both bike orders.
    let list = admin.get("/api/v1/production/planned-orders?state=planned").json;
    let find = |code: &str, due: i64| {
        list.as_array().unwrap().iter().find(|o| o["product_code"] == code && o["due_date"] == d(due).as_str()).unwrap()
            ["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let pegs = |id: &str| -> Vec<(String, String)> {
        let answer = admin.get(&format!("/api/v1/production/pegging?planned_order={id}"));
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer
            .json
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["demand_kind"].as_str().unwrap().to_string(), p["quantity"].as_str().unwrap().to_string()))
            .collect()
    };
    assert_eq!(pegs(&find("BIKE", 0)), [("sales.order".to_string(), q("4"))]);
    assert_eq!(pegs(&find("BIKE", 40)), [("production.forecast".to_string(), q("4"))]);
    assert_eq!(
        pegs(&find("FRAME", 0)),
        [("production.planned_order".to_string(), q("4")), ("production.planned_order".to_string(), q("4"))]
    );
    let spokes = pegs(&find("SPOKE", 0));
    assert!(spokes.contains(&("production.planned_order".to_string(), q("206"))), "{spokes:?}");
    assert_eq!(admin.get("/api/v1/production/pegging?planned_order=nope").status, 404);

    // Capacity: today the first bikes (60 + 4 × 30 = 180 min) and wheels (8 × 60 = 480) —
    // 660 of 480 minutes, overloaded; the second bike order is spread over days 38 and 39.
    let load = admin.get("/api/v1/production/capacity?days=41");
    assert_eq!(load.status, 200, "{}", load.body);
    let loads: Vec<(String, String, bool)> = load
        .json
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["load_minutes"] != "0.0000")
        .map(|l| {
            (
                l["date"].as_str().unwrap().to_string(),
                l["load_minutes"].as_str().unwrap().to_string(),
                l["overloaded"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        loads,
        [
            (d(0), q("660"), true),
            (d(9), q("480"), false),
            (d(37), q("480"), false),
            (d(38), q("90"), false),
            (d(39), q("90"), false)
        ]
    );
    assert_eq!(load.json[0]["capacity_minutes"], q("480"));
    assert_eq!(load.json[0]["load_percent"], "137.5");

    // Bulk confirmation: five work orders, one requisition of six lines.
    let confirmed = admin.post("/api/v1/production/planned-orders/confirm", &json!({}));
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert_eq!(confirmed.json["work_orders"].as_array().unwrap().len(), 5, "{}", confirmed.body);
    assert_eq!(confirmed.json["purchases"], 6);
    let orders = admin.get("/api/v1/production/work-orders").json;
    let for_sale: Vec<&Value> =
        orders.as_array().unwrap().iter().filter(|o| o["origin"]["kind"] == "sales.order").collect();
    assert_eq!(for_sale.len(), 1, "the bikes pegged to the sales order only are made for it");
    assert_eq!(
        (for_sale[0]["product_code"].as_str(), for_sale[0]["state"].as_str()),
        (Some("BIKE"), Some("confirmed"))
    );
    let bought = planned(&admin, "confirmed");
    assert_eq!(bought.len(), 11);
    let list = admin.get("/api/v1/production/planned-orders?state=confirmed&kind=buy").json;
    let numbers: std::collections::BTreeSet<&str> =
        list.as_array().unwrap().iter().map(|o| o["requisition_number"].as_str().unwrap()).collect();
    assert_eq!(numbers.len(), 1, "one requisition for every planned purchase");
    // The next run finds everything covered by the work orders and the planned purchases.
    let again = admin.post("/api/v1/production/mrp/run", &json!({}));
    assert_eq!(again.json["planned_orders"], 0, "{}", again.body);
    // Once the requisition is ordered, its planned purchases are no longer supply of their own.
    let requisition = list[0]["requisition_id"].as_str().unwrap().to_string();
    admin.post(&format!("/api/v1/purchasing/requisitions/{requisition}/approve"), &json!({}));
    let ordered = admin.post(&format!("/api/v1/purchasing/requisitions/{requisition}/order"), &json!({}));
    assert_eq!(ordered.status, 201, "{}", ordered.body);
    assert_eq!(planned(&admin, "ordered").len(), 6);

    // Make to order: bikes now get a work order of their own when a sales order is confirmed.
    admin.post("/api/v1/production/items", &json!({"product": "BIKE", "lead_days": 2, "make_to_order": true}));
    let order = admin.post(
        "/api/v1/sales/orders",
        &json!({"customer": "C1", "confirm": true, "lines": [{"product": "BIKE", "quantity": "2"}]}),
    );
    assert_eq!(order.json["state"], "confirmed", "{}", order.body);
    let orders = admin.get("/api/v1/production/work-orders").json;
    let mto: Vec<&Value> =
        orders.as_array().unwrap().iter().filter(|o| o["origin"]["id"] == order.json["id"]).collect();
    assert_eq!(mto.len(), 1);
    assert_eq!((mto[0]["quantity"].as_str(), mto[0]["state"].as_str()), (Some("2.0000"), Some("confirmed")));
    app.assert_invariants();
}

#[test]
fn backflush_issues_materials_in_proportion_to_what_is_received() {
    let app = spawn();
    let admin = app.admin();
    for code in ["BOARD", "CHIP", "KIT"] {
        product(&admin, code);
    }
    let receipt = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "lines": [{"product": "BOARD", "quantity": "10", "unit_cost": "20"},
            {"product": "CHIP", "quantity": "100", "unit_cost": "1.5"}]}),
    );
    admin.post(&format!("/api/v1/pickings/{}/validate", receipt.json["id"].as_str().unwrap()), &json!({}));
    bom(
        &admin,
        json!({"product": "KIT", "lines": [{"component": "BOARD", "quantity": "1"}, {"component": "CHIP", "quantity": "6"}]}),
    );
    // Backflush is the item's default.
    let item = admin.post("/api/v1/production/items", &json!({"product": "KIT", "backflush": true}));
    assert_eq!(item.status, 200, "{}", item.body);
    let order =
        admin.post("/api/v1/production/work-orders", &json!({"product": "KIT", "quantity": "10", "confirm": true}));
    assert_eq!((order.json["backflush"].as_bool(), order.json["standard_cost"].as_str()), (Some(true), Some("290.00")));
    let path = format!("/api/v1/production/work-orders/{}", order.json["id"].as_str().unwrap());
    // Receiving 4 issues 4 boards and 24 chips first: 80.00 + 36.00, all passed on to the kits.
    let first = admin.post(&format!("{path}/receive"), &json!({"quantity": "4"}));
    assert_eq!(first.status, 200, "{}", first.body);
    let issued: Vec<&str> =
        first.json["materials"].as_array().unwrap().iter().map(|m| m["issued"].as_str().unwrap()).collect();
    assert_eq!(issued, ["4.0000", "24.0000"]);
    assert_eq!(
        (first.json["material_cost"].as_str(), first.json["received_value"].as_str()),
        (Some("116.00"), Some("46.40")),
        "the unit cost is the cost so far over the order's 10"
    );
    let rest = admin.post(&format!("{path}/receive"), &json!({"quantity": "6"}));
    assert_eq!(rest.status, 200, "{}", rest.body);
    assert_eq!(rest.json["state"], "done");
    let issued: Vec<&str> =
        rest.json["materials"].as_array().unwrap().iter().map(|m| m["issued"].as_str().unwrap()).collect();
    assert_eq!(issued, ["10.0000", "60.0000"]);
    assert_eq!(admin.post(&format!("{path}/issue"), &json!({})).code(), "production.work_order_state");
    // The last receipt takes what is left in progress: 290.00 − 46.40 over the 6 units.
    assert_eq!((rest.json["received_value"].as_str(), rest.json["wip"].as_str()), (Some("290.00"), Some("0.00")));
    let closed = admin.post(&format!("{path}/act"), &json!({"action": "close"}));
    assert_eq!((closed.json["state"].as_str(), closed.json["settled"].as_str()), (Some("closed"), Some("0.00")));
    let stock = admin.get("/api/v1/stock/on-hand?product=CHIP").json;
    assert!(stock.to_string().contains("40"), "100 − 60 chips left: {stock}");
    app.assert_invariants();
}

/// Serial-tracked finished goods unit by unit; and a lot-tracked product made without a lot
/// named takes the order's number as its lot.
#[test]
fn serial_numbered_products_are_received_unit_by_unit_and_traced() {
    let app = spawn();
    let admin = app.admin();
    for (code, tracking) in [("MOTOR", "lot"), ("DRONE", "serial"), ("FRAME", "none"), ("KIT", "lot")] {
        let made = admin.post(
            "/api/v1/products",
            &json!({"code": code, "name": code, "kind": "stockable", "uom": "pcs", "tracking": tracking}),
        );
        assert_eq!(made.status, 201, "{}", made.body);
    }
    let supplier = admin.post("/api/v1/parties", &json!({"code": "S1", "name": "深圳电机厂", "kind": "supplier"}));
    // Three motors worth 10.00 in all, so that a drone costs 3.333… and its serials split fen.
    let receipt = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "partner_id": supplier.json["id"], "lines": [
            {"product": "MOTOR", "quantity": "3", "lot": "M-1", "unit_cost": "3.333333"},
            {"product": "MOTOR", "quantity": "1", "lot": "M-2", "unit_cost": "3.333333"},
            {"product": "FRAME", "quantity": "5", "unit_cost": "1"}]}),
    );
    admin.post(&format!("/api/v1/pickings/{}/validate", receipt.json["id"].as_str().unwrap()), &json!({}));
    bom(&admin, json!({"product": "DRONE", "lines": [{"component": "MOTOR", "quantity": "1"}]}));
    bom(&admin, json!({"product": "FRAME", "lines": [{"component": "MOTOR", "quantity": "1"}]}));
    let order =
        admin.post("/api/v1/production/work-orders", &json!({"product": "DRONE", "quantity": "3", "confirm": true}));
    assert_eq!((order.status, order.json["tracking"].as_str()), (201, Some("serial")), "{}", order.body);
    let number = order.json["number"].as_str().unwrap().to_string();
    let path = format!("/api/v1/production/work-orders/{}", order.json["id"].as_str().unwrap());
    let issued = admin.post(&format!("{path}/issue"), &json!({}));
    assert_eq!(issued.json["material_cost"], "10.00", "{}", issued.body);

    // Whole units only, one serial per unit, each once; nothing is received by a refused call.
    let refused = |body: Value| refused_at(&admin, &path, body);
    assert_eq!(refused(json!({"quantity": "1.5"})), ("quantity".into(), "production.serial_whole_units".into()));
    assert_eq!(
        refused(json!({"quantity": "2", "serials": ["SN-1"]})),
        ("serials".into(), "production.serial_count".into())
    );
    assert_eq!(
        refused(json!({"quantity": "2", "serials": ["SN-1", " SN-1 "]})),
        ("serials".into(), "production.serial_repeated".into())
    );
    assert_eq!(admin.get(&path).json["received"], "0.0000");

    // Two units under the serials given: 6.67 of the 10.00, split 3.34 and 3.33.
    let first = admin.post(&format!("{path}/receive"), &json!({"quantity": "2", "serials": ["SN-1", "SN-2"]}));
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.json["serials"], json!(["SN-1", "SN-2"]));
    assert_eq!(first.json["received_value"], "6.67");
    // The last unit numbered from the order; the work in progress clears to the fen.
    let last = admin.post(&format!("{path}/receive"), &json!({"quantity": "1"}));
    assert_eq!(last.status, 200, "{}", last.body);
    let generated = format!("{number}-0003");
    assert_eq!(last.json["serials"], json!(["SN-1", "SN-2", generated.clone()]));
    assert_eq!(
        (last.json["state"].as_str(), last.json["received_value"].as_str(), last.json["wip"].as_str()),
        (Some("done"), Some("10.00"), Some("0.00"))
    );
    let stock = admin.get("/api/v1/stock/on-hand?product=DRONE").json;
    let mut lots: Vec<(String, String)> = stock
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["lot"].as_str().unwrap().to_string(), r["quantity"].as_str().unwrap().to_string()))
        .collect();
    lots.sort();
    let mut expected: Vec<(String, String)> =
        ["SN-1", "SN-2", generated.as_str()].iter().map(|s| (s.to_string(), "1.0000".to_string())).collect();
    expected.sort();
    assert_eq!(lots, expected);
    // Each serial traces back to the motor lots issued to its order, and those to the supplier;
    // a serial received earlier is not taken for a component of the next.
    let back = admin.get(&format!("/api/v1/production/trace?lot={generated}&direction=backward")).json;
    let mut lots: Vec<&str> = back.as_array().unwrap().iter().map(|l| l["lot"].as_str().unwrap()).collect();
    lots.sort_unstable();
    assert_eq!(lots, ["M-1"], "{back}");
    let forward = admin.get("/api/v1/production/trace?lot=M-1&direction=forward").json;
    let mut lots: Vec<&str> = forward.as_array().unwrap().iter().map(|l| l["lot"].as_str().unwrap()).collect();
    lots.sort_unstable();
    let mut expected = vec!["SN-1", "SN-2", generated.as_str()];
    expected.sort_unstable();
    assert_eq!(lots, expected, "{forward}");

    // A serial already in stock cannot be made again, and a product without serials takes none.
    let again =
        admin.post("/api/v1/production/work-orders", &json!({"product": "DRONE", "quantity": "1", "confirm": true}));
    let again_path = format!("/api/v1/production/work-orders/{}", again.json["id"].as_str().unwrap());
    admin.post(&format!("{again_path}/issue"), &json!({}));
    assert_eq!(
        refused_at(&admin, &again_path, json!({"quantity": "1", "serials": ["SN-2"]})),
        ("lot".into(), "inventory.serial_in_stock".into())
    );
    let frame =
        admin.post("/api/v1/production/work-orders", &json!({"product": "FRAME", "quantity": "1", "confirm": true}));
    let frame_path = format!("/api/v1/production/work-orders/{}", frame.json["id"].as_str().unwrap());
    assert_eq!(
        refused_at(&admin, &frame_path, json!({"quantity": "1", "serials": ["X"]})),
        ("serials".into(), "production.serials_not_tracked".into())
    );
    // A lot-tracked product made without a lot named is made under the order's number.
    bom(&admin, json!({"product": "KIT", "lines": [{"component": "FRAME", "quantity": "1"}]}));
    let kit =
        admin.post("/api/v1/production/work-orders", &json!({"product": "KIT", "quantity": "2", "confirm": true}));
    assert_eq!(kit.json["lot"], kit.json["number"], "{}", kit.body);
    let kit_path = format!("/api/v1/production/work-orders/{}", kit.json["id"].as_str().unwrap());
    admin.post(&format!("{kit_path}/issue"), &json!({}));
    let kits = admin.post(&format!("{kit_path}/receive"), &json!({"quantity": "2"}));
    assert_eq!((kits.status, kits.json["serials"].clone()), (200, json!([])), "{}", kits.body);
    let stock = admin.get("/api/v1/stock/on-hand?product=KIT").json;
    assert_eq!(stock[0]["lot"], kit.json["number"], "{stock}");
    app.assert_invariants();
}

fn refused_at(admin: &Client, path: &str, body: Value) -> (String, String) {
    let answer = admin.post(&format!("{path}/receive"), &body);
    assert_eq!(answer.status, 422, "{}", answer.body);
    let error = &answer.json["errors"][0];
    (error["field"].as_str().unwrap().to_string(), error["code"].as_str().unwrap().to_string())
}
