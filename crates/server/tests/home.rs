//! The home page (工作台) on SQLite and PostgreSQL: each role's work as numbers that link to
//! the lists filtered to exactly that work, shown by the user's permissions; the first steps of
//! a new company with the company details (taxpayer number checked), ticked by the data or by
//! hand, gone when all are done.

use serde_json::json;
use testkit::session::WebSession;
use testkit::{ADMIN_PASSWORD, Client, spawn};

/// The number on the tile of `queue`, and where the tile leads.
fn tile(home: &str, queue: &str) -> Option<(i64, String)> {
    let at = home.find(&format!("data-queue=\"{queue}\""))?;
    let tag_start = home[..at].rfind("<a ")?;
    let tag = &home[tag_start..];
    let href = tag.split("href=\"").nth(1)?.split('"').next()?.replace("&amp;", "&");
    let value = tag.split("<div class=\"value\">").nth(1)?.split('<').next()?.trim().parse().ok()?;
    Some((value, href))
}

fn rows_in(list: &str) -> usize {
    list.matches("data-row=\"").count()
}

fn post_ok(admin: &Client, path: &str, body: serde_json::Value) -> serde_json::Value {
    let answer = admin.post(path, &body);
    assert!(answer.status == 200 || answer.status == 201, "{path}: {} {}", answer.status, answer.body);
    answer.json
}

/// A stockable product with stock, and a customer.
fn setup(admin: &Client) {
    post_ok(
        admin,
        "/api/v1/products",
        json!({"code": "BOLT", "name": "不锈钢螺栓 M8×30", "kind": "stockable", "uom": "pcs", "tax": "VAT13", "list_price": "2"}),
    );
    let receipt = post_ok(
        admin,
        "/api/v1/pickings",
        json!({"kind": "receipt", "lines": [{"product": "BOLT", "quantity": "1000", "unit_cost": "1"}]}),
    );
    post_ok(admin, &format!("/api/v1/pickings/{}/validate", receipt["id"].as_str().unwrap()), json!({}));
    post_ok(admin, "/api/v1/parties", json!({"code": "C1", "name": "上海机电有限公司", "kind": "customer"}));
}

fn order(admin: &Client, confirm: bool) -> String {
    let order = post_ok(
        admin,
        "/api/v1/sales/orders",
        json!({"customer": "C1", "confirm": confirm, "lines": [{"product": "BOLT", "quantity": "10"}]}),
    );
    order["id"].as_str().unwrap().to_string()
}

fn deliver(admin: &Client, order: &str) {
    let pickings = admin.get(&format!("/api/v1/sales/orders/{order}/pickings")).json;
    let delivery = pickings.as_array().unwrap().iter().find(|p| p["kind"] == "delivery").unwrap().clone();
    post_ok(admin, &format!("/api/v1/pickings/{}/validate", delivery["id"].as_str().unwrap()), json!({}));
}

#[test]
fn each_number_counts_exactly_the_list_it_opens() {
    let app = spawn();
    let admin = app.admin();
    setup(&admin);
    // A draft quotation and a sent one; an order to deliver; one delivered, to invoice; one
    // invoiced a month ago and unpaid: overdue.
    order(&admin, false);
    let sent = order(&admin, false);
    post_ok(&admin, &format!("/api/v1/sales/orders/{sent}/send"), json!({}));
    order(&admin, true);
    let delivered = order(&admin, true);
    deliver(&admin, &delivered);
    let invoiced = order(&admin, true);
    deliver(&admin, &invoiced);
    let month_ago = kernel::clock::format_date(
        kernel::clock::china_date(time::OffsetDateTime::now_utc()) - time::Duration::days(30),
    );
    post_ok(&admin, &format!("/api/v1/sales/orders/{invoiced}/invoices"), json!({"date": month_ago, "post": true}));

    // A work order due yesterday and still open: late; one due next month is not.
    post_ok(&admin, "/api/v1/products", json!({"code": "KIT", "name": "螺栓套件", "kind": "stockable", "uom": "pcs"}));
    post_ok(
        &admin,
        "/api/v1/production/boms",
        json!({"product": "KIT", "lines": [{"component": "BOLT", "quantity": "4"}]}),
    );
    let today = kernel::clock::china_date(time::OffsetDateTime::now_utc());
    for due in [today - time::Duration::days(1), today + time::Duration::days(30)] {
        let due = kernel::clock::format_date(due);
        post_ok(
            &admin,
            "/api/v1/production/work-orders",
            json!({"product": "KIT", "quantity": "5", "due_date": due, "confirm": true}),
        );
    }

    let web = WebSession::login(&app.base, "admin", ADMIN_PASSWORD);
    let home = web.get("/").text().unwrap();
    let (late, href) = tile(&home, "ui.home.work_orders_late").unwrap();
    assert_eq!(late, 1, "one work order is late");
    let late_list = web.get(&href).text().unwrap();
    let shown = late_list.matches("href=\"/production/work-orders/").count()
        - late_list.matches("href=\"/production/work-orders/new").count();
    assert_eq!(shown, 1, "the late queue lists that one");
    for (queue, expected) in [
        ("ui.home.quotations_draft", 1),
        ("ui.home.quotations_to_follow", 1),
        ("ui.home.orders_to_deliver", 1),
        ("ui.home.orders_to_invoice", 1),
        ("ui.home.receivables_overdue", 1),
        ("ui.home.deliveries_today", 1),
        ("ui.home.receipts_today", 0),
        ("ui.home.leads_new", 0),
    ] {
        let (count, href) = tile(&home, queue).unwrap_or_else(|| panic!("no tile {queue} on the home page"));
        assert_eq!(count, expected, "{queue}");
        let list = web.get(&href);
        assert_eq!(list.status(), 200, "{href}");
        let list = list.text().unwrap();
        if href.contains("f.") {
            assert_eq!(rows_in(&list), expected as usize, "{queue}: the list at {href} shows another number");
            if href.contains("f.to_deliver") || href.contains("f.due_before") {
                assert!(list.contains("data-queue-filter"), "{href} does not say it is filtered");
            }
        }
    }
    // The overdue invoice is the one drawn a month ago.
    let (_, href) = tile(&home, "ui.home.receivables_overdue").unwrap();
    assert!(web.get(&href).text().unwrap().contains(&month_ago), "the overdue list shows its invoice");

    // A salesperson sees the sales numbers only; a warehouse clerk none of them.
    let (_, _) = app.user_in(app.company, "li.xs", &["sales"]);
    let sales = WebSession::login(&app.base, "li.xs", "li.xs-password").get("/").text().unwrap();
    assert!(tile(&sales, "ui.home.orders_to_deliver").is_some());
    assert!(tile(&sales, "ui.home.payables_due_week").is_none(), "a salesperson sees no payables");
    assert!(!sales.contains("data-first-steps"), "only who manages the company sees the first steps");
    app.assert_invariants();
}

#[test]
fn a_new_company_walks_its_first_steps_until_none_is_left() {
    let app = spawn();
    let web = WebSession::login(&app.base, "admin", ADMIN_PASSWORD);
    let home = web.get("/").text().unwrap();
    assert!(home.contains("data-first-steps"), "a new company sees its first steps");
    for step in ["company", "bank", "chart", "warehouses", "users", "opening", "import"] {
        assert!(home.contains(&format!("data-step=\"{step}\"")), "step {step} is listed");
    }
    let undone = |home: &str| home.matches("/done\"").count();
    assert_eq!(undone(&home), 7, "nothing is done on a fresh start");

    // Company details: a taxpayer number with a wrong check character is refused, and nothing saved.
    let form = web.get("/settings/company").text().unwrap();
    let version = testkit::session::token_in(&form, "name=\"version\"").unwrap();
    let fields = |tax: &'static str| {
        vec![
            ("name", "Demo Company"),
            ("tax_number", tax),
            ("address", "上海市浦东新区张江路 100 号"),
            ("phone", "021-55550000"),
            ("bank_name", "招商银行上海张江支行"),
            ("bank_account", "1219 0933 1010 201"),
        ]
    };
    let mut refused = fields("91310000MA1FL8XQ0A");
    refused.push(("version", version.as_str()));
    let answer = web.post("/settings/company", &refused);
    assert_eq!(answer.status(), 422);
    assert!(answer.text().unwrap().contains("91310000MA1FL8XQ0A"), "the error names the number");
    let company = app.admin().get(&format!("/api/v1/companies/{}", app.company)).json;
    assert_eq!(company["tax_number"], "", "nothing half-written");

    let mut accepted = fields("91310000ma1fl8xq0x");
    accepted.push(("version", version.as_str()));
    assert_eq!(web.post("/settings/company", &accepted).status(), 303);
    let company = app.admin().get(&format!("/api/v1/companies/{}", app.company)).json;
    assert_eq!(company["tax_number"], "91310000MA1FL8XQ0X", "upper-cased");
    assert_eq!(company["bank_name"], "招商银行上海张江支行");
    let home = web.get("/").text().unwrap();
    assert_eq!(undone(&home), 5, "company details and bank account are ticked by the data");

    // Customers and products: ticked when both exist.
    let admin = app.admin();
    setup(&admin);
    // Users and roles: a second member.
    app.user_in(app.company, "wang.cw", &["finance"]);
    // The stock received booked a voucher: the chart is the one the books live with now.
    let home = web.get("/").text().unwrap();
    assert_eq!(undone(&home), 2, "users, the import and the chart are ticked by the data");

    // The rest by hand; unknown steps are refused.
    assert_eq!(web.post("/first-steps/nonsense/done", &[]).status(), 404);
    assert_eq!(web.post("/first-steps/warehouses/done", &[]).status(), 303);
    assert_eq!(undone(&web.get("/").text().unwrap()), 1);
    web.post("/first-steps/opening/done", &[]);
    let home = web.get("/").text().unwrap();
    assert!(!home.contains("data-first-steps"), "the checklist ends when every step is done");
    let audit = admin.get("/api/v1/audit?action=web.first_step.done").json;
    assert!(audit.to_string().contains("opening"), "marks are audited: {audit}");
    app.assert_invariants();
}

#[test]
fn the_first_start_home_offers_the_demo_company_whose_home_is_full_of_work() {
    let app = spawn();
    let web = WebSession::login(&app.base, "admin", ADMIN_PASSWORD);
    let home = web.get("/").text().unwrap();
    assert!(home.contains("data-demo"), "a first start offers the demo company");
    let made = web.post("/first-steps/demo", &[]);
    assert_eq!(made.status(), 303);
    let home = web.get(made.headers()["location"].to_str().unwrap()).text().unwrap();
    assert!(home.contains("天工演示制造有限公司"), "the flash and the switcher name the demo company");
    assert!(!home.contains("data-demo"), "it is offered once");
    assert_ne!(web.post("/first-steps/demo", &[]).status(), 303, "a second one is refused");

    let companies = app.admin().get("/api/v1/companies").json;
    let demo = companies.as_array().unwrap().iter().find(|c| c["code"] == "TG-DEMO").expect("the demo company").clone();
    assert_eq!(web.post("/ui/company", &[("company", demo["id"].as_str().unwrap())]).status(), 303);
    let home = web.get("/").text().unwrap();
    for queue in [
        "ui.home.orders_to_deliver",
        "ui.home.receivables_overdue",
        "ui.home.bills_mismatched",
        "ui.home.leads_new",
        "ui.home.work_orders_held",
    ] {
        let (count, href) = tile(&home, queue).unwrap_or_else(|| panic!("no tile {queue}"));
        assert!(count > 0, "the demo company has work in {queue}");
        if href.contains("f.") {
            assert_eq!(rows_in(&web.get(&href).text().unwrap()), count as usize, "{queue}");
        }
    }
    assert!(
        !home.contains("data-first-steps") || home.contains("data-step"),
        "the demo's first steps, if any, are real"
    );
    app.assert_invariants();
}
