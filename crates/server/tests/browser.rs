//! End-to-end journeys in a real browser (headless Debian chromium through chromedriver):
//! log in, switch the language, create a record, find it through the list's search, edit it,
//! see its timeline; a user without the permission sees no button and a direct POST is
//! refused; the first hour of a new user (first start, the demo company, its home page, the
//! global search, pickers, an order). With `TIANGONG_SCREENSHOTS=1` it also refreshes the
//! screenshots in docs/ (taken on the demo company where it shows business data).

use std::path::PathBuf;

use testkit::browser::Browser;
use testkit::{ADMIN_PASSWORD, spawn};

fn screenshot(browser: &Browser, name: &str) {
    if std::env::var_os("TIANGONG_SCREENSHOTS").is_some() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        browser.screenshot(&dir.join(format!("{name}.png")));
    }
}

fn log_in(browser: &Browser, base: &str, username: &str, password: &str) {
    browser.goto(&format!("{base}/login"));
    browser.fill("#username", username);
    browser.fill("#password", password);
    browser.click_and_wait("button[type=submit]");
}

#[test]
fn a_user_logs_in_switches_language_and_works_on_a_task() {
    let Some(browser) = Browser::start("zh-CN") else { return };
    let app = spawn();
    let base = app.base.clone();

    browser.goto(&format!("{base}/"));
    assert_eq!(browser.current_path(), "/login", "anonymous visitors are sent to the login page");
    screenshot(&browser, "login");
    log_in(&browser, &base, "admin", "wrong-password");
    assert!(browser.text(".flash.error").contains("用户名或密码错误"));
    log_in(&browser, &base, "admin", ADMIN_PASSWORD);
    assert_eq!(browser.text("main h1"), "工作台");
    assert!(browser.text("nav.modules").contains("设置"));

    // Language switch from the user menu: the labels change to English.
    browser.click("details.menu > summary");
    browser.select("#locale", "en");
    browser.click_and_wait("form[action='/ui/locale'] button");
    assert_eq!(browser.text("main h1"), "Dashboard");
    assert!(browser.text("nav.modules").contains("Settings"));

    // Create a task through its form.
    browser.goto(&format!("{base}/office/tasks/new"));
    browser.fill("#field-title", "Quarterly stock count 季度盘点");
    browser.fill("#field-estimate_hours", "6.5");
    browser.fill("#field-estimate_hours", "abc");
    browser.click_and_wait("form[data-save] button.primary");
    assert!(browser.text(".field.invalid .error").contains("Invalid estimate"), "validation message beside the field");
    browser.fill("#field-estimate_hours", "6.5");
    browser.click_and_wait("form[data-save] button.primary");
    assert!(browser.text("main h1").contains("Quarterly stock count"));
    assert!(browser.text(".flash.ok").contains("Saved"));

    // Find it with the list's search.
    browser.goto(&format!("{base}/office/tasks"));
    browser.fill("input[name=q]", "quarterly");
    browser.click_and_wait("form.filters button.primary");
    assert!(browser.text("table.list tbody").contains("Quarterly stock count"));
    screenshot(&browser, "task-list");
    browser.click_and_wait("table.list tbody a");

    // Edit it, move it along its state machine, and see the timeline.
    browser.fill("#field-title", "Quarterly stock count, warehouse A");
    browser.click_and_wait("form[data-save] button.primary");
    assert!(browser.text("main h1").contains("warehouse A"));
    browser.click_and_wait("form.actions button[value=start]");
    assert!(browser.text("main h1 .badge").contains("Doing"));
    let timeline = browser.text("ol.timeline");
    assert!(
        timeline.contains("created the task") && timeline.contains("changed the task") && timeline.contains("started"),
        "{timeline}"
    );
    browser.fill("#comment", "@admin please check");
    browser.click_and_wait("form[action='/comments'] button");
    assert!(browser.text("ol.timeline").contains("please check"));
    screenshot(&browser, "task-form");
    browser.goto(&format!("{base}/office/tasks/board"));
    assert!(browser.text("section.column[data-stage=doing]").contains("warehouse A"));
    screenshot(&browser, "task-board");
    browser.goto(&format!("{base}/settings/roles"));
    screenshot(&browser, "roles");
    // A 10-inch tablet in portrait: the navigation folds above the content, nothing overflows.
    browser.resize(800, 1280);
    for path in ["/", "/office/tasks", "/office/tasks/board"] {
        browser.goto(&format!("{base}{path}"));
        let overflow = browser.script(
            "const done = arguments[arguments.length - 1];
             const main = document.querySelector('main');
             done(document.documentElement.scrollWidth > window.innerWidth + 1 && main.scrollWidth > main.clientWidth + 1);",
        );
        assert_eq!(overflow, false, "{path} overflows on a tablet");
    }
    browser.goto(&format!("{base}/office/tasks"));
    screenshot(&browser, "tablet-task-list");
    app.assert_invariants();
}

#[test]
fn without_the_permission_there_is_no_button_and_no_way_in() {
    let Some(browser) = Browser::start("zh-CN") else { return };
    let app = spawn();
    let base = app.base.clone();
    let (_, _) = app.user_in(app.company, "viewer", &["readonly"]);
    log_in(&browser, &base, "viewer", "viewer-password");
    assert_eq!(browser.text("main h1"), "工作台");
    browser.goto(&format!("{base}/office/tasks"));
    assert!(browser.exists("table.list"));
    assert!(!browser.exists("a[data-new]"), "a read-only user sees no New button");
    assert!(!browser.text("nav.modules").contains("设置") || !browser.exists("a[href='/settings/users/new']"));
    // A direct POST with a valid session and CSRF token is still refused.
    let status = browser.script(
        "const done = arguments[arguments.length - 1];
         const csrf = document.querySelector('meta[name=csrf-token]').content;
         const body = new URLSearchParams({_csrf: csrf, title: 'sneaky'});
         fetch('/office/tasks/new', {method: 'POST', body}).then(r => done(r.status));",
    );
    assert_eq!(status, 403);
    // And a POST without the CSRF token is refused before anything else.
    let status = browser.script(
        "const done = arguments[arguments.length - 1];
         fetch('/ui/locale', {method: 'POST', body: new URLSearchParams({locale: 'en'})}).then(r => done(r.status));",
    );
    assert_eq!(status, 403);
    // Logging out ends the session on the server: the old cookie no longer opens anything.
    browser.click("details.menu > summary");
    browser.click_and_wait("form[action='/logout'] button");
    assert_eq!(browser.current_path(), "/login");
    browser.goto(&format!("{base}/office/tasks"));
    assert_eq!(browser.current_path(), "/login");
}

#[test]
fn a_picker_scans_a_delivery_on_a_tablet() {
    let Some(browser) = Browser::start("zh-CN") else { return };
    let app = spawn();
    let base = app.base.clone();
    let admin = app.admin();
    admin.post(
        "/api/v1/products",
        &serde_json::json!({"code": "INK", "name": "墨水", "kind": "stockable", "uom": "pcs", "barcode": "6901234567892"}),
    );
    let receipt = admin.post(
        "/api/v1/pickings",
        &serde_json::json!({"kind": "receipt", "lines": [{"product": "INK", "quantity": "5", "unit_cost": "2"}]}),
    );
    admin.post(&format!("/api/v1/pickings/{}/validate", receipt.json["id"].as_str().unwrap()), &serde_json::json!({}));
    let delivery = admin.post(
        "/api/v1/pickings",
        &serde_json::json!({"kind": "delivery", "lines": [{"product": "INK", "quantity": "2"}], "confirm": true}),
    );
    browser.resize(800, 1280);
    log_in(&browser, &base, "admin", ADMIN_PASSWORD);
    // The document's number is scanned first, then the product twice; the field keeps the focus.
    browser.goto(&format!("{base}/inventory/scan"));
    browser.scan(delivery.json["number"].as_str().unwrap());
    assert!(browser.text("main h1").contains("OUT-"));
    browser.scan("6901234567892");
    assert!(browser.text(".scan-ok").contains("1.0000 / 2.0000"));
    browser.scan("0000000000000");
    assert!(browser.text(".scan-error").contains("无法识别的条码"));
    browser.scan("6901234567892");
    screenshot(&browser, "scanner");
    assert!(browser.text(".scan-ok").contains("2.0000 / 2.0000"));
    browser.click_and_wait("button[name=finish]");
    assert!(browser.text("main h1").contains("已完成"));
    app.assert_invariants();
}

#[test]
fn the_first_hour_first_start_demo_company_home_search_pickers_and_an_order() {
    let Some(browser) = Browser::start("zh-CN") else { return };
    let app = spawn();
    let base = app.base.clone();
    browser.resize(1400, 1000);
    log_in(&browser, &base, "admin", ADMIN_PASSWORD);
    assert!(browser.exists("[data-first-steps]"), "a first start shows the first steps");
    screenshot(&browser, "first-steps");
    browser.click_and_wait("form[data-demo] button");
    assert!(browser.text(".flash.ok").contains("天工演示制造有限公司"));

    // Into the demo company: its home page is full of work, each number a link.
    let companies = app.admin().get("/api/v1/companies").json;
    let demo = companies.as_array().unwrap().iter().find(|c| c["code"] == "TG-DEMO").unwrap()["id"].clone();
    browser.select("#company-switch", demo.as_str().unwrap());
    browser.click_and_wait("form[action='/ui/company'] button");
    let overdue = browser.text("[data-queue='ui.home.receivables_overdue'] .value");
    assert_ne!(overdue, "0", "the demo company has receivables overdue");
    screenshot(&browser, "dashboard");
    browser.click_and_wait("[data-queue='ui.home.receivables_overdue']");
    assert_eq!(browser.current_path(), "/sales/invoices");
    assert!(browser.exists("[data-queue-filter]"), "the list says it is filtered from the home page");
    screenshot(&browser, "invoices-overdue");

    // The global search finds products by two Chinese characters.
    browser.fill("#global-search", "电机");
    browser.scan("");
    assert!(browser.source().contains("FG-YE3-90L4"), "the search finds the motors");

    // A new order through the pickers: a customer by part of its name, a product by part of its.
    browser.goto(&format!("{base}/sales/orders/new"));
    browser.fill("input[name=customer]", "有限");
    browser.click(".form-grid .lookup-menu:not([hidden]) li");
    let customer = browser.script(
        "const done = arguments[arguments.length - 1]; done(document.querySelector('input[name=customer]').value);",
    );
    assert!(
        customer.as_str().is_some_and(|c| !c.is_empty() && !c.contains("有限")),
        "the picker took a code: {customer}"
    );
    browser.fill("input[name=line_product]", "电机");
    let offered = browser.text("table .lookup-menu:not([hidden])");
    assert!(offered.contains("FG-YE3"), "the product picker offers the motors: {offered}");
    screenshot(&browser, "picker");
    browser.click("table .lookup-menu:not([hidden]) li");
    browser.fill("input[name=line_quantity]", "2");
    browser.click_and_wait("form[data-save] button.primary");
    assert!(browser.text("main h1").contains("SO"), "the order is saved: {}", browser.text("main h1"));
    app.assert_invariants();
}

#[test]
fn an_approver_decides_from_the_inbox_on_a_phone() {
    let Some(browser) = Browser::start("zh-CN") else { return };
    let app = spawn();
    let admin = app.admin();
    let ok = |answer: testkit::Answer| assert!(answer.status < 300, "{}", answer.body);
    ok(admin.post(
        "/api/v1/products",
        &serde_json::json!({"code": "TEA", "name": "龙井茶", "kind": "stockable", "uom": "pcs"}),
    ));
    ok(admin.post("/api/v1/parties", &serde_json::json!({"code": "S1", "name": "杭州茶厂", "kind": "supplier"})));
    let (_, buyer) = app.user_in(app.company, "buyer", &["purchasing"]);
    app.user_in(app.company, "mgr", &["purchasing"]);
    ok(admin.put(
        "/api/v1/approvals/flows/purchasing.order",
        &serde_json::json!({"name": "采购审批", "definition": {"when": [{"field": "amount", "op": "gt", "value": "1000"}],
            "steps": [{"name": "主管", "mode": "any", "approvers": [{"kind": "user", "user": "mgr"}]}]}}),
    ));
    let po = buyer.post(
        "/api/v1/purchasing/orders",
        &serde_json::json!({"supplier": "S1", "confirm": true, "lines": [{"product": "TEA", "quantity": "100", "unit_price": "50"}]}),
    );
    assert_eq!(po.json["approval"]["state"], "pending", "{}", po.body);
    // A phone-sized window: the inbox's cards stack and their buttons are in reach.
    browser.resize(390, 844);
    log_in(&browser, &app.base, "mgr", "mgr-password");
    browser.goto(&format!("{}/office/approvals", app.base));
    assert!(browser.text(".approval-card").contains("杭州茶厂"));
    let fits = browser.script(
        "const done = arguments[arguments.length - 1];
         const card = document.querySelector('.approval-card').getBoundingClientRect();
         done(card.right <= window.innerWidth && document.documentElement.scrollWidth <= window.innerWidth + 1);",
    );
    assert_eq!(fits, true, "the card fits the phone's width, nothing scrolls sideways");
    screenshot(&browser, "approvals-phone");
    browser.fill(".approval-card input[name=comment]", "同意采购");
    browser.click_and_wait(".approval-card button[value=approve]");
    assert!(browser.text(".flash.ok").contains("审批已提交"));
    assert!(browser.text("main").contains("没有审批"));
    let id = po.json["id"].as_str().unwrap();
    assert_eq!(buyer.get(&format!("/api/v1/purchasing/orders/{id}")).json["state"], "confirmed");
}
