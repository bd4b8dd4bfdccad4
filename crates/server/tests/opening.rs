//! 系统初始化 on SQLite and PostgreSQL: a company moving in on 1 July enters its opening
//! balances with the year's turnover, its unpaid invoices and bills, and its opening stock
//! (by API and from an XLSX template with a dry run); the checks (试算平衡, stock = stock
//! accounts) keep initialisation from ending until they pass; ending posts the openings so the
//! balance sheet's start-of-year column, the income statement's year column, aging and receipts
//! work from the first day; the books are locked before the start; reopening takes everything
//! out again until the first month is closed. The invariants hold after every step.

use kernel::import::Sheet;
use serde_json::{Value, json};
use testkit::Client;
use testkit::{TestApp, spawn};

fn setup(app: &TestApp) -> (String, String) {
    let admin = app.admin();
    let bolt = admin.post(
        "/api/v1/products",
        &json!({"code": "M8", "name": "螺栓 M8×30", "kind": "stockable", "uom": "pcs", "tax": "VAT13", "list_price": "20"}),
    );
    assert_eq!(bolt.status, 201, "{}", bolt.body);
    let customer = admin.post("/api/v1/parties", &json!({"code": "C1", "name": "苏州精工机械", "kind": "customer"}));
    let supplier = admin.post("/api/v1/parties", &json!({"code": "S1", "name": "无锡钢材", "kind": "supplier"}));
    (customer.json["id"].as_str().unwrap().to_string(), supplier.json["id"].as_str().unwrap().to_string())
}

fn balance(admin: &Client, body: Value) {
    let answer = admin.post("/api/v1/opening/balances", &body);
    assert_eq!(answer.status, 200, "{body} → {}", answer.body);
}

fn problems(admin: &Client) -> Vec<String> {
    let status = admin.get("/api/v1/opening").json;
    status["problems"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap().to_string()).collect()
}

fn row<'a>(statement: &'a Value, label: &str) -> &'a Value {
    statement["rows"].as_array().unwrap().iter().find(|r| r["label"].as_str().unwrap().contains(label)).unwrap()
}

fn on_hand(app: &TestApp) -> i64 {
    app.db.read(|tx| tx.scalar("select coalesce(sum(quantity), 0) from inventory_quant", &[])).unwrap()
}

#[test]
fn a_company_moving_in_mid_year_opens_its_books() {
    let app = spawn();
    let admin = app.admin();
    let (customer, _) = setup(&app);
    let start = admin.get("/api/v1/opening");
    assert_eq!((start.status, start.json["state"].as_str()), (200, Some("entering")), "{}", start.body);
    assert_eq!(admin.put("/api/v1/opening/start", &json!({"start_period": "2026-13"})).status, 422);
    assert_eq!(admin.put("/api/v1/opening/start", &json!({"start_period": "2026-07"})).json["start_period"], "2026-07");

    // Balances at 1 July and the turnover of January to June.
    balance(&admin, json!({"account": "1002", "debit": "500,000.00", "ytd_debit": "1200000", "ytd_credit": "900000"}));
    balance(&admin, json!({"account": "1405", "debit": "12000"}));
    balance(&admin, json!({"account": "3001", "credit": "217650"}));
    balance(&admin, json!({"account": "3103", "credit": "300000", "ytd_credit": "300000"}));
    balance(&admin, json!({"account": "5001", "ytd_credit": "1000000"}));
    balance(&admin, json!({"account": "5401", "ytd_debit": "700000"}));
    // Receivables open invoice by invoice, not as a balance.
    let refused = admin.post("/api/v1/opening/balances", &json!({"account": "1122", "debit": "11300"}));
    assert_eq!((refused.status, refused.json["errors"][0]["code"].as_str()), (422, Some("ledger.opening_use_items")));
    let both = admin.post("/api/v1/opening/balances", &json!({"account": "1001", "debit": "1", "credit": "1"}));
    assert_eq!(both.json["errors"][0]["code"], "ledger.one_side");

    // Unbalanced so far: the receivable, the payable and the stock are missing.
    let status = admin.get("/api/v1/opening").json;
    assert!(problems(&admin).contains(&"ledger.opening_unbalanced".to_string()), "{status}");
    let message = status["problems"][0]["message"].as_str().unwrap();
    assert!(message.contains("512,000.00") || message.contains("512000.00"), "{message}");
    let early = admin.post("/api/v1/opening/end", &json!({}));
    assert_eq!((early.status, early.code()), (409, "ledger.opening_unbalanced"), "{}", early.body);

    // The open items, from an XLSX template with a dry run first.
    let ctx = app.system_ctx();
    let catalog = server::wiring::catalog();
    let header = ["side", "partner", "number", "date", "due_date", "amount"];
    let good = [
        ["receivable", "C1", "INV-0317", "2026-05-20", "2026-06-19", "11300.00"],
        ["payable", "S1", "BILL-88", "2026-06-10", "2026-07-10", "5650.00"],
    ];
    let mut rows: Vec<Vec<String>> = good.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    rows.push(["receivable", "C9", "INV-0400", "2026-07-02", "", "10"].iter().map(|c| c.to_string()).collect());
    let vault = kernel::crypto::Vault::new(&kernel::crypto::KeyRing::generate()).unwrap();
    let importer = web::transfer::importer_for("opening-items", &vault).unwrap();
    // The spreadsheet as a user saves it, imported with or without the dry run.
    let import = |rows: &[Vec<String>], dry_run: bool| {
        let sheet = Sheet::parse(&kernel::import::table_bytes(&header, rows, "xlsx").unwrap(), "xlsx").unwrap();
        kernel::import::run(
            &app.db,
            &ctx,
            importer.as_ref(),
            &sheet,
            dry_run,
            &catalog,
            kernel::i18n::Locale::En,
            &|_| {},
        )
        .unwrap()
    };
    let report = import(&rows, true);
    let cells: Vec<(usize, &str)> = report.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(cells, [(4, "partner"), (4, "date")], "{:?}", report.errors);
    rows.pop();
    let dry = import(&rows, true);
    assert!(dry.errors.is_empty() && dry.dry_run);
    assert_eq!(admin.get("/api/v1/opening/items").json.as_array().map(Vec::len), Some(0), "a dry run writes nothing");
    let done = import(&rows, false);
    assert_eq!((done.imported, done.errors.len()), (2, 0));

    // Opening stock worth less than the stock account opens with: refused until it agrees.
    let stock = admin.post("/api/v1/opening/stock", &json!({"product": "M8", "quantity": "1000", "unit_cost": "11"}));
    assert_eq!(stock.status, 201, "{}", stock.body);
    assert_eq!(problems(&admin), ["ledger.opening_stock_mismatch"]);
    let mismatch = admin.post("/api/v1/opening/end", &json!({}));
    assert_eq!((mismatch.status, mismatch.code()), (409, "ledger.opening_stock_mismatch"), "{}", mismatch.body);
    admin.post("/api/v1/opening/stock", &json!({"product": "M8", "quantity": "1000", "unit_cost": "12"}));
    assert_eq!(admin.get("/api/v1/opening/stock").json.as_array().map(Vec::len), Some(1), "replaced, not added");
    assert_eq!(problems(&admin), Vec::<String>::new());
    app.assert_invariants();
    assert_eq!(on_hand(&app), 0, "nothing moves while the openings are entered");

    let ended = admin.post("/api/v1/opening/end", &json!({}));
    assert_eq!((ended.status, ended.json["state"].as_str()), (200, Some("ended")), "{}", ended.body);
    app.assert_invariants();
    assert_eq!(on_hand(&app), 1000 * 10_000, "the opening stock is in (quantities have 4 decimals)");

    // The reports from the first day.
    let tb = admin.get("/api/v1/trial-balance?period=2026-07").json;
    assert_eq!(
        (tb["totals"]["opening_debit"].as_str(), tb["totals"]["opening_credit"].as_str()),
        (Some("523300.00"), Some("523300.00"))
    );
    let sheet = admin.get("/api/v1/statements/balance-sheet?period=2026-07").json;
    assert_eq!(row(&sheet, "货币资金")["current"], "500000.00");
    assert_eq!(
        row(&sheet, "货币资金")["other"],
        "200000.00",
        "the start of the year: 500,000 less the half-year's 300,000"
    );
    let income = admin.get("/api/v1/statements/income?period=2026-07").json;
    assert_eq!(row(&income, "营业收入")["other"], "1000000.00", "the year so far: {income}");
    assert_eq!(row(&income, "营业成本")["other"], "700000.00");
    let aging = admin.get("/api/v1/aging?role=receivable&date=2026-07-31").json;
    assert_eq!(aging[0]["days_61_90"], "11300.00", "{aging}");

    // Locked: nothing changes the openings, nothing posts before the start.
    assert_eq!(
        admin.post("/api/v1/opening/balances", &json!({"account": "1001", "debit": "1"})).code(),
        "ledger.opening_ended"
    );
    assert_eq!(
        admin.post("/api/v1/opening/stock", &json!({"product": "M8", "quantity": "1", "unit_cost": "1"})).code(),
        "inventory.opening_placed"
    );
    let line = |account: &str, debit: &str, credit: &str| json!({"account": account, "debit": debit, "credit": credit});
    let march = admin.post(
        "/api/v1/vouchers",
        &json!({"date": "2026-03-10", "lines": [line("1001", "5", ""), line("1002", "", "5")]}),
    );
    assert_eq!(march.code(), "ledger.before_start", "{}", march.body);
    let june = admin.post(
        "/api/v1/vouchers",
        &json!({"date": "2026-06-30", "lines": [line("1001", "5", ""), line("1002", "", "5")]}),
    );
    assert_eq!(june.code(), "ledger.period_closed");

    // A receipt settles the opening invoice.
    let company = app.company.to_string();
    let receipt = admin.post(
        "/api/v1/payments",
        &json!({"direction": "receipt", "partner_id": customer, "amount": "11300", "date": "2026-07-05",
            "documents": [{"kind": "ledger.opening", "id": company}]}),
    );
    assert_eq!(receipt.status, 201, "{}", receipt.body);
    assert_eq!(receipt.json["unapplied"], "0.00");
    let open = admin.get(&format!("/api/v1/open-items?role=receivable&partner={customer}")).json;
    assert_eq!(open.as_array().map(Vec::len), Some(0), "{open}");
    app.assert_invariants();

    // Reopened: the openings leave the books, the receipt is an advance again, the stock is out.
    let reopened = admin.post("/api/v1/opening/reopen", &json!({}));
    assert_eq!((reopened.status, reopened.json["state"].as_str()), (200, Some("entering")), "{}", reopened.body);
    app.assert_invariants();
    assert_eq!(on_hand(&app), 0);
    let open = admin.get(&format!("/api/v1/open-items?role=receivable&partner={customer}")).json;
    assert_eq!(open[0]["open"], "-11300.00", "{open}");

    // Ended again, and the first month closed: no reopening any more.
    assert_eq!(admin.post("/api/v1/opening/end", &json!({})).json["state"], "ended");
    app.assert_invariants();
    let closed = admin.post("/api/v1/periods/2026-07/close", &json!({}));
    assert_eq!(closed.status, 200, "{}", closed.body);
    let late = admin.post("/api/v1/opening/reopen", &json!({}));
    assert_eq!((late.status, late.code()), (409, "ledger.opening_first_period_closed"));
    app.assert_invariants();
}

#[test]
fn starting_in_january_has_no_turnover_and_the_balances_open_the_year() {
    let app = spawn();
    let admin = app.admin();
    setup(&app);
    admin.put("/api/v1/opening/start", &json!({"start_period": "2026-01"}));
    balance(&admin, json!({"account": "1002", "debit": "80000", "ytd_debit": "5"}));
    balance(&admin, json!({"account": "3001", "credit": "80000"}));
    assert_eq!(problems(&admin), ["ledger.opening_ytd_january"]);
    balance(&admin, json!({"account": "1002", "debit": "80000"}));
    assert_eq!(admin.post("/api/v1/opening/end", &json!({})).json["state"], "ended");
    let sheet = admin.get("/api/v1/statements/balance-sheet?period=2026-01").json;
    assert_eq!(
        (row(&sheet, "货币资金")["current"].as_str(), row(&sheet, "货币资金")["other"].as_str()),
        (Some("80000.00"), Some("80000.00"))
    );
    app.assert_invariants();
}

#[test]
fn the_opening_page_enters_checks_and_ends_initialisation() {
    let app = spawn();
    setup(&app);
    let web = testkit::session::WebSession::login(&app.base, "admin", testkit::ADMIN_PASSWORD);
    let home = web.get("/").text().unwrap();
    assert!(home.contains("href=\"/finance/opening\""), "the first steps lead to the opening page");
    assert_eq!(web.post("/finance/opening/start", &[("start_period", "2026-07")]).status(), 303);
    let add = |fields: &[(&str, &str)]| web.post("/finance/opening/balances", fields);
    assert_eq!(add(&[("account", "1002"), ("debit", "10,000.00")]).status(), 303);
    // Refused with the reason on the page, nothing stored.
    let bad = add(&[("account", "1122"), ("debit", "1")]);
    assert_eq!(bad.status(), 422);
    assert!(bad.text().unwrap().contains("逐笔录入"));
    let page = web.get("/finance/opening").text().unwrap();
    assert!(page.contains("data-problem=\"ledger.opening_unbalanced\"") && page.contains("10,000.00"), "{page}");
    assert!(!page.contains("data-end"), "no end button while unbalanced");
    let item = web.post(
        "/finance/opening/items",
        &[("side", "payable"), ("partner", "S1"), ("number", "B-1"), ("date", "2026-06-01"), ("amount", "4000")],
    );
    assert_eq!(item.status(), 303);
    assert_eq!(web.post("/finance/opening/balances", &[("account", "3001"), ("credit", "6000")]).status(), 303);
    let page = web.get("/finance/opening").text().unwrap();
    assert!(page.contains("data-ready") && page.contains("data-end"), "{page}");
    assert_eq!(web.post("/finance/opening/end", &[]).status(), 303);
    let page = web.get("/finance/opening").text().unwrap();
    assert!(
        page.contains("已结束初始化")
            && page.contains("data-reopen")
            && !page.contains("action=\"/finance/opening/balances\"")
    );
    let home = web.get("/").text().unwrap();
    assert!(home.contains("data-step=\"opening\"") || !home.contains("data-first-steps"));
    if home.contains("data-step=\"opening\"") {
        let step = home.split("data-step=\"opening\"").nth(1).unwrap();
        assert!(step.split("</li>").next().unwrap().contains('✓'), "the step is ticked by the data");
    }
    app.assert_invariants();
}
