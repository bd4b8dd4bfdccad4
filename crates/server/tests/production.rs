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
    assert_eq!(payroll, ["50.00", "64.00"], "应付职工薪酬 per report");
    // Finished goods at the actual cost per planned unit, 67.05: 8 received = 536.40, and the
    // rest of 670.50 stays in 生产成本 (WIP).
    let period = kernel::clock::format_date(app.system_ctx().today())[..7].to_string();
    let tb = admin.get(&format!("/api/v1/trial-balance?period={period}")).json;
    let wip = tb["rows"].as_array().unwrap().iter().find(|r| r["code"] == "4001").unwrap().clone();
    assert_eq!(wip["closing_debit"], "134.10", "{wip}");
    assert_eq!(admin.post(&format!("{path}/act"), &json!({"action": "finish"})).json["state"], "done");
    assert_eq!(admin.post(&format!("{path}/act"), &json!({"action": "close"})).json["state"], "closed");
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
