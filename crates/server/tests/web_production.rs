//! Production in the web client, over HTTP as a browser would drive it, on SQLite and
//! PostgreSQL: a work order made, confirmed, issued, reported and received through its forms
//! until the finished goods are in stock; the BOM and routing pages; the shop-floor tablet,
//! whose Start and Pause time the job a report then costs, and whose scan field opens the work
//! order scanned; and the workshop board's output, yield and OEE against figures worked out by
//! hand.

use serde_json::{Value, json};
use testkit::session::WebSession;
use testkit::{ADMIN_PASSWORD, Client, TestApp, spawn};

fn product(admin: &Client, code: &str, tracking: Option<&str>) {
    let mut body = json!({"code": code, "name": format!("{code} 名称"), "kind": "stockable", "uom": "pcs"});
    if let Some(tracking) = tracking {
        body["tracking"] = json!(tracking);
    }
    let created = admin.post("/api/v1/products", &body);
    assert_eq!(created.status, 201, "{}", created.body);
}

fn ok(answer: &testkit::Answer) {
    assert!(answer.status < 300, "{}", answer.body);
}

fn location(response: &reqwest::blocking::Response) -> String {
    assert_eq!(response.status(), 303, "expected a redirect");
    response.headers()["location"].to_str().unwrap().to_string()
}

fn page(web: &WebSession, path: &str) -> String {
    let answer = web.get(path);
    assert_eq!(answer.status(), 200, "{path}");
    let html = answer.text().unwrap();
    assert!(!html.contains(" style=\"") && !html.contains("<script>"), "{path}: inline style or script");
    html
}

/// A chair from a seat, four legs and a screw kit, cut and assembled; stock of the parts.
fn chairs(app: &TestApp) -> Client {
    let admin = app.admin();
    for code in ["SEAT", "LEG", "SCREWKIT", "SCREW"] {
        product(&admin, code, None);
    }
    product(&admin, "CHAIR", Some("lot"));
    let receipt = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "lines": [{"product": "SEAT", "quantity": "20", "unit_cost": "30"},
            {"product": "LEG", "quantity": "100", "unit_cost": "5"}, {"product": "SCREW", "quantity": "500", "unit_cost": "0.10"}]}),
    );
    ok(&admin.post(&format!("/api/v1/pickings/{}/validate", receipt.json["id"].as_str().unwrap()), &json!({})));
    ok(&admin.post(
        "/api/v1/production/boms",
        &json!({"product": "SCREWKIT", "kind": "phantom", "lines": [{"component": "SCREW", "quantity": "8"}]}),
    ));
    ok(&admin.post(
        "/api/v1/production/boms",
        &json!({"product": "CHAIR", "lines": [{"component": "SEAT", "quantity": "1"},
        {"component": "LEG", "quantity": "4"}, {"component": "SCREWKIT", "quantity": "1"}]}),
    ));
    for (code, labour, machine, overhead) in [("CUT", "60", "30", "10"), ("ASM", "48", "0", "25")] {
        ok(&admin.post(
            "/api/v1/production/work-centers",
            &json!({"code": code, "name": code, "labour_rate": labour, "machine_rate": machine, "overhead": overhead,
                "workshop": "木工车间"}),
        ));
    }
    ok(&admin.post(
        "/api/v1/production/routings",
        &json!({"product": "CHAIR", "operations": [
        {"name": "加工", "work_center": "CUT", "run_minutes": "5"}, {"name": "装配", "work_center": "ASM", "run_minutes": "10"}]}),
    ));
    admin
}

#[test]
fn a_work_order_goes_from_its_form_to_finished_goods_in_stock() {
    let app = spawn();
    let admin = chairs(&app);
    let web = WebSession::login(&app.base, "admin", ADMIN_PASSWORD);
    assert!(page(&web, "/production/work-orders/new").contains("name=\"confirm\""));
    // A mistake first: the form comes back with the problem beside the field.
    let refused = web.post("/production/work-orders/new", &[("product", "NOPE"), ("quantity", "10")]);
    assert_eq!(refused.status(), 422);
    assert!(refused.text().unwrap().contains("产品不存在：NOPE"));
    let created = web.post(
        "/production/work-orders/new",
        &[("product", "CHAIR"), ("quantity", "10"), ("due_date", "2099-12-01"), ("lot", "CH-9"), ("confirm", "1")],
    );
    let target = location(&created);
    assert!(target.starts_with("/production/work-orders/") && target.ends_with("?ok=ui.saved"), "{target}");
    let path = target.split('?').next().unwrap().to_string();
    let id = path.rsplit('/').next().unwrap().to_string();
    let html = page(&web, &path);
    // Confirmed: materials planned (the kit exploded into screws), operations, and the buttons of
    // a running order; no confirm any more.
    assert!(html.contains("已确认") && html.contains("SCREW") && html.contains(">80<") && html.contains("装配"));
    assert!(html.contains("/issue") && html.contains("/report") && html.contains("/receive"));
    assert!(!html.contains("name=\"serials\""), "a chair has no serial numbers");
    assert!(html.contains("value=\"finish\"") && !html.contains("value=\"confirm\""));
    // 领料: 10 × 30 + 40 × 5 + 80 × 0.10 = 508.00.
    assert_eq!(location(&web.post(&format!("{path}/issue"), &[])), format!("{path}?ok=ui.saved"));
    let html = page(&web, &path);
    assert!(html.contains("508.00") && html.contains("生产中"), "material cost shown");
    // 报工 through the form: 9 good and 1 scrapped at cutting; assembly cannot pass 10.
    let report = |seq: &str, good: &str, scrap: &str, reason: &str| {
        web.post(
            &format!("{path}/report"),
            &[("operation", seq), ("good", good), ("scrap", scrap), ("defect_reason", reason), ("worker", "王师傅")],
        )
    };
    let no_reason = report("10", "9", "1", "");
    assert_eq!(no_reason.status(), 422);
    assert!(no_reason.text().unwrap().contains("有报废时请填写不良原因"));
    location(&report("10", "9", "1", "开裂"));
    let too_many = report("20", "10", "", "");
    assert_eq!(too_many.status(), 409);
    assert!(too_many.text().unwrap().contains("超过上道工序的合格数量（可用 9.0000）"));
    location(&report("20", "8", "", ""));
    // The routing's minutes at the centers' rates: 50 min at CUT = 50.00 labour, 25.00 machine,
    // 7.50 overhead; 80 min at ASM = 64.00 labour, 16.00 overhead. 670.50 in all.
    let html = page(&web, &path);
    assert!(html.contains("114.00") && html.contains("25.00") && html.contains("23.50") && html.contains("670.50"));
    // 完工入库: 8, under the lot; a ninth is refused.
    assert_eq!(web.post(&format!("{path}/receive"), &[("quantity", "9")]).status(), 409);
    location(&web.post(&format!("{path}/receive"), &[("quantity", "8")]));
    let order = admin.get(&format!("/api/v1/production/work-orders/{id}")).json;
    assert_eq!((order["received"].as_str(), order["state"].as_str()), (Some("8.0000"), Some("in_progress")));
    let stock = admin.get("/api/v1/stock/on-hand?product=CHAIR").json;
    assert!(stock.to_string().contains("CH-9") && stock.to_string().contains("8.0000"), "in stock: {stock}");
    // The list, filtered by state, links to the order.
    let number = order["number"].as_str().unwrap();
    let running = page(&web, "/production/work-orders?state=in_progress");
    assert!(running.contains(number) && running.contains(&path));
    assert!(!page(&web, "/production/work-orders?state=draft").contains(number));
    // Finish and close through the state buttons.
    location(&web.post(&format!("{path}/act"), &[("action", "finish")]));
    assert_eq!(web.post(&format!("{path}/act"), &[("action", "finish")]).status(), 409, "finished already");
    location(&web.post(&format!("{path}/act"), &[("action", "close")]));
    assert!(page(&web, "/production/work-orders?state=closed").contains(number));
    assert!(page(&web, &path).contains("已关闭"));
    // A draft can be cancelled.
    let draft = location(&web.post("/production/work-orders/new", &[("product", "CHAIR"), ("quantity", "2")]));
    let draft = draft.split('?').next().unwrap().to_string();
    assert!(page(&web, &draft).contains("value=\"confirm\""));
    location(&web.post(&format!("{draft}/act"), &[("action", "cancel")]));
    assert!(page(&web, &draft).contains("已取消"));
    // The engineering pages: the BOM list and page with explosion, where-used and cost; the
    // work centers with their workshop and the routings.
    let boms = page(&web, "/production/boms");
    let chair_bom = admin.get("/api/v1/production/boms?product=CHAIR").json[0]["id"].as_str().unwrap().to_string();
    assert!(boms.contains(&format!("/production/boms/{chair_bom}")) && boms.contains("虚拟件"));
    let bom = page(&web, &format!("/production/boms/{chair_bom}?quantity=10"));
    assert!(bom.contains("多级展开") && bom.contains("80.0000") && bom.contains("40.0000") && bom.contains("成本卷算"));
    let kit = admin.get("/api/v1/production/boms?product=SCREWKIT").json[0]["id"].as_str().unwrap().to_string();
    assert!(page(&web, &format!("/production/boms/{kit}")).contains("CHAIR 名称"), "where-used names the chair");
    let routings = page(&web, "/production/routings");
    assert!(routings.contains("木工车间") && routings.contains("加工") && routings.contains("10.0000"));
    // The navigation offers production to whoever may read it.
    assert!(page(&web, "/").contains("href=\"/production/work-orders\""));
    app.assert_invariants();
}

#[test]
fn the_tablet_times_a_job_between_start_and_pause_and_a_scan_opens_the_order() {
    let app = spawn();
    let admin = app.admin();
    product(&admin, "GADGET", None);
    product(&admin, "PART", None);
    ok(&admin.post(
        "/api/v1/production/boms",
        &json!({"product": "GADGET", "lines": [{"component": "PART", "quantity": "1"}]}),
    ));
    ok(&admin
        .post("/api/v1/production/work-centers", &json!({"code": "BENCH", "name": "装配台", "labour_rate": "60"})));
    ok(&admin.post(
        "/api/v1/production/routings",
        &json!({"product": "GADGET", "operations": [{"name": "装配", "work_center": "BENCH", "run_minutes": "10"}]}),
    ));
    let order = admin.post(
        "/api/v1/production/work-orders",
        &json!({"product": "GADGET", "quantity": "20", "lot": "LOT-77", "confirm": true}),
    );
    assert_eq!(order.status, 201, "{}", order.body);
    let id = order.json["id"].as_str().unwrap().to_string();
    let operation = order.json["operations"][0]["id"].as_str().unwrap().to_string();
    let number = order.json["number"].as_str().unwrap().to_string();
    // Another order, so the scan has something to leave out.
    ok(&admin.post("/api/v1/production/work-orders", &json!({"product": "GADGET", "quantity": "3", "confirm": true})));
    let web = WebSession::login(&app.base, "admin", ADMIN_PASSWORD);
    let tablet = page(&web, "/shop/tablet?worker=王师傅");
    assert!(tablet.contains(&number) && tablet.contains("autofocus") && tablet.contains("开工"));
    assert_eq!(tablet.matches("<article").count(), 2, "both orders' operations are open");
    // The scanner types the lot code (in lower case) and Enter: that order's operations.
    let jumped = location(&web.get("/shop/tablet?worker=%E7%8E%8B%E5%B8%88%E5%82%85&scan=lot-77"));
    assert!(jumped.contains(&format!("order={id}")), "{jumped}");
    let one = page(&web, &jumped);
    assert_eq!(one.matches("<article").count(), 1);
    assert!(one.contains(&number) && one.contains("20.0000"), "the remaining 20");
    assert!(location(&web.get(&format!("/shop/tablet?scan={number}"))).contains(&format!("order={id}")));
    let unknown = web.get("/shop/tablet?scan=NOTHING-1");
    assert_eq!(unknown.status(), 422);
    assert!(unknown.text().unwrap().contains("没有与“NOTHING-1”对应的工单或批次"));
    // Start, twenty-five minutes, pause.
    let back = format!("/shop/tablet?worker=%E7%8E%8B%E5%B8%88%E5%82%85&order={id}");
    let form = |extra: &[(&'static str, String)]| {
        let mut fields = vec![("worker", "王师傅".to_string()), ("order", id.clone())];
        fields.extend_from_slice(extra);
        fields
    };
    let post = |path: &str, fields: Vec<(&'static str, String)>| {
        let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        web.post(path, &borrowed)
    };
    assert_eq!(
        location(&post("/shop/tablet/start", form(&[("operation", operation.clone())]))),
        format!("{back}&ok=ui.saved")
    );
    let running = page(&web, &back);
    assert!(running.contains("shop-op running") && running.contains("暂停"), "running, with the pause button");
    let twice = post("/shop/tablet/start", form(&[("operation", operation.clone())]));
    assert_eq!(twice.status(), 422);
    assert!(twice.text().unwrap().contains("该工人已开工"));
    app.clock.advance(time::Duration::minutes(25));
    location(&post("/shop/tablet/pause", form(&[("operation", operation.clone())])));
    assert!(page(&web, &back).contains("class=\"run-minutes\">25.0<"), "the minutes run are shown");
    let open = admin.get("/api/v1/production/operations?worker=王师傅").json;
    let mine = open.as_array().unwrap().iter().find(|o| o["id"] == operation.as_str()).unwrap().clone();
    assert_eq!((mine["run_minutes"].as_str(), mine["running_since"].clone()), (Some("25.0000"), Value::Null));
    // Report 5 without minutes: the 25 minutes run cost 25.00 of labour at 60 an hour, not
    // the routing's 5 × 10 = 50 minutes.
    let report = |good: &str| {
        post(
            "/shop/tablet/report",
            form(&[("work_order", id.clone()), ("operation", "10".into()), ("good", good.into())]),
        )
    };
    location(&report("5"));
    let after = admin.get(&format!("/api/v1/production/work-orders/{id}")).json;
    assert_eq!(
        (after["labour_cost"].as_str(), after["operations"][0]["good"].as_str()),
        (Some("25.00"), Some("5.0000"))
    );
    assert!(page(&web, &back).contains("15.0000"), "15 left to do");
    // The runs are reported once: a second report without a run takes the routing's 10 minutes.
    location(&report("1"));
    let after = admin.get(&format!("/api/v1/production/work-orders/{id}")).json;
    assert_eq!(after["labour_cost"].as_str(), Some("35.00"));
    // The same through the API, for the caller by default; a pause with nothing started is refused.
    let started = admin.post(&format!("/api/v1/production/operations/{operation}/start"), &json!({}));
    assert_eq!(started.status, 200, "{}", started.body);
    let worker = started.json["worker"].as_str().unwrap().to_string();
    assert!(!worker.is_empty() && started.json["ended_at"].is_null());
    app.clock.advance(time::Duration::seconds(90));
    let paused = admin.post(&format!("/api/v1/production/operations/{operation}/pause"), &json!({"worker": worker}));
    assert_eq!((paused.status, paused.json["minutes"].as_str()), (200, Some("1.5000")), "{}", paused.body);
    let again = admin.post(&format!("/api/v1/production/operations/{operation}/pause"), &json!({}));
    assert_eq!((again.status, again.code()), (409, "production.run_not_open"));
    let missing = admin.post("/api/v1/production/operations/no-such-operation/start", &json!({"worker": "王师傅"}));
    assert_eq!((missing.status, missing.code()), (404, "production.operation_not_found"));
    app.assert_invariants();
}

#[test]
fn the_board_shows_each_work_centers_output_yield_and_oee() {
    let app = spawn();
    let admin = app.admin();
    product(&admin, "BOX", None);
    product(&admin, "BOARD", None);
    ok(&admin.post(
        "/api/v1/production/boms",
        &json!({"product": "BOX", "lines": [{"component": "BOARD", "quantity": "6"}]}),
    ));
    // Workshop W1: cutting with two saws, assembly with one bench, a line that never works; W2
    // has the paint shop. Every day a working day, so the test does not depend on the weekday.
    for (code, workshop, capacity, days) in [
        ("CUT", "W1", 2, "1111111"),
        ("ASM", "W1", 1, "1111111"),
        ("OFF", "W1", 1, "0000000"),
        ("PAINT", "W2", 1, "1111111"),
    ] {
        ok(&admin.post(
            "/api/v1/production/work-centers",
            &json!({"code": code, "name": format!("{code} 线"), "workshop": workshop, "capacity": capacity,
                "hours_per_day": 8, "working_days": days}),
        ));
    }
    // Saved again without a workshop, a center stays in its workshop.
    let resaved = admin.post("/api/v1/production/work-centers", &json!({"code": "PAINT", "name": "喷漆线"}));
    assert_eq!((resaved.status, resaved.json["workshop"].as_str()), (201, Some("W2")), "{}", resaved.body);
    ok(&admin.post(
        "/api/v1/production/routings",
        &json!({"product": "BOX", "operations": [
        {"name": "开料", "work_center": "CUT", "run_minutes": "6"}, {"name": "组装", "work_center": "ASM", "run_minutes": "12"}]}),
    ));
    let order =
        admin.post("/api/v1/production/work-orders", &json!({"product": "BOX", "quantity": "100", "confirm": true}));
    let id = order.json["id"].as_str().unwrap().to_string();
    let report = |body: Value| ok(&admin.post(&format!("/api/v1/production/work-orders/{id}/report"), &body));
    report(json!({"operation": 10, "good": "40", "scrap": "2", "defect_reason": "崩边", "minutes": "300"}));
    report(json!({"operation": 10, "good": "38", "minutes": "180"}));
    report(json!({"operation": 20, "good": "30", "scrap": "3", "defect_reason": "错位", "minutes": "400"}));
    let board = admin.get("/api/v1/production/board?workshop=W1");
    assert_eq!(board.status, 200, "{}", board.body);
    let rows: Vec<Vec<String>> = board.json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            ["work_center", "good", "scrap", "yield_percent", "availability", "performance", "quality", "oee"]
                .iter()
                .map(|k| r[*k].as_str().unwrap_or("—").to_string())
                .collect()
        })
        .collect();
    // CUT: 78 good of 80 → 97.5 %; 480 min run of 2 × 8 h = 960 planned → 50 %; standard
    // 6 min × 80 = 480 of 480 run → 100 %; OEE 0.5 × 1 × 0.975 = 48.75 % → 48.8.
    // ASM: 30 of 33 → 90.9 %; 400 of 480 → 83.3 %; 12 × 33 = 396 of 400 → 99 %;
    // OEE (400/480)(396/400)(30/33) = 0.75 → 75.0. OFF: nothing planned, nothing reported.
    let expected = [
        ["ASM", "30.0000", "3.0000", "90.9", "83.3", "99.0", "90.9", "75.0"],
        ["CUT", "78.0000", "2.0000", "97.5", "50.0", "100.0", "97.5", "48.8"],
        ["OFF", "0.0000", "0.0000", "—", "—", "—", "—", "—"],
    ];
    assert_eq!(rows, expected.map(|r| r.map(String::from).to_vec()).to_vec());
    // The workshop together: 108 of 113 good; 880 of 1440 min; 876 standard of 880;
    // OEE (876/1440)(108/113) = 0.581416 → 58.1.
    let total = &board.json["total"];
    assert_eq!(
        ["good", "availability", "performance", "quality", "oee"].map(|k| total[k].as_str().unwrap_or("—")),
        ["108.0000", "61.1", "99.5", "95.6", "58.1"]
    );
    // Another workshop, another day: nothing of this.
    let paint = admin.get("/api/v1/production/board?workshop=W2").json;
    assert_eq!(paint["rows"].as_array().unwrap().len(), 1);
    assert_eq!(paint["rows"][0]["oee"], Value::Null);
    let yesterday = kernel::clock::format_date(app.system_ctx().today() - time::Duration::days(1));
    let before = admin.get(&format!("/api/v1/production/board?workshop=W1&date={yesterday}")).json;
    assert_eq!(before["total"]["good"], "0.0000");
    assert_eq!(admin.get("/api/v1/production/board?date=someday").code(), "validation.failed");
    // The big screen: dark, refreshing itself, one tile per center and the total.
    let web = WebSession::login(&app.base, "admin", ADMIN_PASSWORD);
    let html = page(&web, "/shop/board?workshop=W1");
    assert!(html.contains("http-equiv=\"refresh\" content=\"30\"") && html.contains("shop-board"));
    assert!(html.contains("data-center=\"CUT\"") && html.contains("48.8%") && html.contains("75.0%"));
    assert!(html.contains("58.1%") && html.contains("97.5%") && !html.contains("PAINT"));
    assert!(!html.contains(".0000"), "quantities as counted, not at storage precision: {html}");
    assert!(html.contains("<dd class=\"output\">108</dd>"), "in the unit's decimals (个: none): {html}");
    assert_eq!(total["digits"], 0);
    let css = web.get("/shop/shop.css");
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(css.text().unwrap().contains(".shop-board"));
}

#[test]
fn serial_numbers_are_given_in_the_receipt_form() {
    let app = spawn();
    let admin = app.admin();
    product(&admin, "CELL", None);
    product(&admin, "GPS", Some("serial"));
    let receipt = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "lines": [{"product": "CELL", "quantity": "5", "unit_cost": "4"}]}),
    );
    ok(&admin.post(&format!("/api/v1/pickings/{}/validate", receipt.json["id"].as_str().unwrap()), &json!({})));
    ok(&admin.post(
        "/api/v1/production/boms",
        &json!({"product": "GPS", "lines": [{"component": "CELL", "quantity": "1"}]}),
    ));
    let order =
        admin.post("/api/v1/production/work-orders", &json!({"product": "GPS", "quantity": "2", "confirm": true}));
    ok(&order);
    let path = format!("/production/work-orders/{}", order.json["id"].as_str().unwrap());
    let web = WebSession::login(&app.base, "admin", ADMIN_PASSWORD);
    location(&web.post(&format!("{path}/issue"), &[]));
    assert!(page(&web, &path).contains("name=\"serials\""), "the receipt form asks for serial numbers");
    let short = web.post(&format!("{path}/receive"), &[("quantity", "2"), ("serials", "G-1")]);
    assert_eq!(short.status(), 422);
    assert!(short.text().unwrap().contains("序列号数量（1）与入库数量（2）不一致"));
    // Separated as a person types them or a scanner sends them.
    location(&web.post(&format!("{path}/receive"), &[("quantity", "2"), ("serials", "G-1，G-2\n")]));
    let html = page(&web, &path);
    assert!(html.contains("G-1, G-2") && html.contains("已完工"), "serials shown, order done");
    app.assert_invariants();
}

#[test]
fn quantities_are_shown_in_the_decimals_of_their_unit() {
    let app = spawn();
    let admin = app.admin();
    product(&admin, "BOLT", None);
    let steel =
        admin.post("/api/v1/products", &json!({"code": "STEEL", "name": "钢板", "kind": "stockable", "uom": "kg"}));
    assert_eq!(steel.status, 201, "{}", steel.body);
    // A unit of its own, counted to one decimal.
    let roll = admin.post(
        "/api/v1/uoms",
        &json!({"category": "length", "code": "roll", "name": "卷", "factor_num": 50, "factor_den": 1, "digits": 1}),
    );
    assert_eq!(roll.status, 201, "{}", roll.body);
    let units = admin.get("/api/v1/uoms").json;
    let digits = |code: &str| units.as_array().unwrap().iter().find(|u| u["code"] == code).unwrap()["digits"].clone();
    assert_eq!((digits("pcs"), digits("kg"), digits("roll")), (json!(0), json!(3), json!(1)));
    let wrong = admin.post(
        "/api/v1/uoms",
        &json!({"category": "unit", "code": "fine", "name": "细", "factor_num": 1, "factor_den": 1, "digits": 6}),
    );
    assert_eq!(wrong.code(), "validation.failed", "{}", wrong.body);
    admin.post("/api/v1/products", &json!({"code": "CLOTH", "name": "布", "kind": "stockable", "uom": "roll"}));
    let receipt = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "lines": [{"product": "BOLT", "quantity": "1200", "unit_cost": "0.5"},
            {"product": "STEEL", "quantity": "1250.5", "unit_cost": "4"}, {"product": "CLOTH", "quantity": "3", "unit_cost": "80"}]}),
    );
    let id = receipt.json["id"].as_str().unwrap().to_string();
    ok(&admin.post(&format!("/api/v1/pickings/{id}/validate"), &json!({})));
    // The API keeps the stored precision; the pages show each unit's.
    let web = WebSession::login(&app.base, "admin", ADMIN_PASSWORD);
    let stock = page(&web, "/inventory/stock");
    assert!(stock.contains(">1,200<") && stock.contains(">1,250.500<") && stock.contains(">3.0<"), "{stock}");
    let document = page(&web, &format!("/inventory/pickings/{id}"));
    assert!(document.contains(">1,200<") && document.contains(">1,250.500<"), "{document}");
    assert!(!document.contains(">1200.0000<"), "{document}");
    let setup = page(&web, "/products/setup");
    assert!(setup.contains("小数位数") && setup.contains("name=\"digits\""), "{setup}");
}
