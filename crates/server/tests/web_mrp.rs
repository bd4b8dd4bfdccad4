//! MRP in the web client, over HTTP as a browser would drive it, on SQLite and PostgreSQL: the
//! planning data of items set through the form (and a refused one with its problem beside the
//! field), a forecast added, MRP run from the planner's page, the planned orders with the
//! quantities and dates worked out by hand, their pegging pages, the selected orders and then
//! all confirmed into work orders and purchases, and the capacity grid with an overloaded day
//! and a work center's days off.

use serde_json::json;
use testkit::session::WebSession;
use testkit::{ADMIN_PASSWORD, Client, TestApp, spawn};

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

fn day(app: &TestApp, days: i64) -> String {
    kernel::clock::format_date(app.system_ctx().today() + time::Duration::days(days))
}

/// The text of an HTML fragment, each tag a space, spaces squeezed.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The planned orders on the planner's page, in the page's order: product, make/buy, quantity,
/// release, due, late, low-level code (the checkbox cell left out).
fn planned_rows(html: &str) -> Vec<Vec<String>> {
    html.split("<tr class=\"planned")
        .skip(1)
        .map(|row| {
            let row = row.split("</tr>").next().unwrap();
            row.split("<td").skip(2).map(|cell| text(&format!("<td{cell}"))).collect()
        })
        .collect()
}

/// The id of the planned order of `code` due on `due`.
fn planned_id(admin: &Client, code: &str, due: &str) -> String {
    let list = admin.get("/api/v1/production/planned-orders?state=planned").json;
    list.as_array()
        .unwrap()
        .iter()
        .find(|o| o["product_code"] == code && o["due_date"] == due)
        .unwrap_or_else(|| panic!("no planned {code} due {due}: {list}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A table of a top and four legs, assembled on a line of 4 hours a day; a paint shop that
/// never works; stock of 2 tables and 15 legs; a confirmed sales order for 10 tables.
fn tables(app: &TestApp) -> (Client, String) {
    let admin = app.admin();
    ok(&admin.post("/api/v1/parties", &json!({"code": "C1", "name": "家具城", "kind": "customer"})));
    ok(&admin.post(
        "/api/v1/products",
        &json!({"code": "TABLE", "name": "餐桌", "kind": "stockable", "uom": "pcs", "tax": "VAT13", "list_price": "800"}),
    ));
    for (code, name) in [("TOP", "桌面"), ("LEG", "桌腿")] {
        ok(&admin.post("/api/v1/products", &json!({"code": code, "name": name, "kind": "stockable", "uom": "pcs"})));
    }
    ok(&admin.post(
        "/api/v1/production/boms",
        &json!({"product": "TABLE", "lines": [{"component": "TOP", "quantity": "1"}, {"component": "LEG", "quantity": "4"}]}),
    ));
    for (code, hours, days) in [("ASM", 4, "1111111"), ("PAINT", 8, "0000000")] {
        ok(&admin.post(
            "/api/v1/production/work-centers",
            &json!({"code": code, "name": format!("{code} 线"), "capacity": 1, "hours_per_day": hours, "working_days": days}),
        ));
    }
    ok(&admin.post(
        "/api/v1/production/routings",
        &json!({"product": "TABLE", "operations": [{"name": "装配", "work_center": "ASM", "setup_minutes": "60", "run_minutes": "30"}]}),
    ));
    let receipt = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "lines": [{"product": "TABLE", "quantity": "2", "unit_cost": "500"},
            {"product": "LEG", "quantity": "15", "unit_cost": "20"}]}),
    );
    ok(&receipt);
    ok(&admin.post(&format!("/api/v1/pickings/{}/validate", receipt.json["id"].as_str().unwrap()), &json!({})));
    let order = admin.post(
        "/api/v1/sales/orders",
        &json!({"customer": "C1", "confirm": true, "lines": [{"product": "TABLE", "quantity": "10"}]}),
    );
    assert_eq!((order.status, order.json["state"].as_str()), (201, Some("confirmed")), "{}", order.body);
    let order_id = order.json["id"].as_str().unwrap().to_string();
    (admin, order_id)
}

#[test]
fn the_planner_sets_items_runs_mrp_follows_pegging_and_confirms_from_the_pages() {
    let app = spawn();
    let (admin, sales_order) = tables(&app);
    let web = WebSession::login(&app.base, "admin", ADMIN_PASSWORD);
    let d = |n: i64| day(&app, n);

    // Planning data through the form: tables made in 3 days; tops bought in 2 days, at least
    // 10; legs bought in 5 days, in tens.
    assert!(page(&web, "/production/planning").contains("action=\"/production/planning/item\""));
    let set = |fields: &[(&str, &str)]| web.post("/production/planning/item", fields);
    let saved = set(&[("product", "TABLE"), ("procurement", "make"), ("lead_days", "3")]);
    assert_eq!(location(&saved), "/production/planning?product=TABLE&ok=ui.saved");
    location(&set(&[
        ("product", "TOP"),
        ("procurement", "buy"),
        ("lot_policy", "minimum"),
        ("min_qty", "10"),
        ("lead_days", "2"),
    ]));
    // A mistake: a multiple policy without the multiple comes back with the problem beside it.
    let refused = set(&[("product", "LEG"), ("procurement", "buy"), ("lot_policy", "multiple"), ("lead_days", "5")]);
    assert_eq!(refused.status(), 422);
    let html = refused.text().unwrap();
    let field = html.split("<label for=\"field-multiple\"").next().unwrap();
    assert!(field.ends_with("<div class=\"field invalid\">"), "the multiple field is marked");
    let after = html.split("<label for=\"field-multiple\"").nth(1).unwrap().split("</div>").next().unwrap();
    assert!(after.contains("必填"), "the message is beside the field: {after}");
    assert!(html.contains("value=\"LEG\""), "what was typed is kept");
    let unknown = set(&[("product", "NOPE")]);
    assert_eq!(unknown.status(), 422);
    assert!(unknown.text().unwrap().contains("产品不存在：NOPE"));
    let wrong_lead = set(&[("product", "LEG"), ("lead_days", "soon")]);
    assert_eq!(wrong_lead.status(), 422);
    assert!(wrong_lead.text().unwrap().contains("提前期应为 0 到 3650 天"));
    location(&set(&[
        ("product", "LEG"),
        ("procurement", "buy"),
        ("lot_policy", "multiple"),
        ("multiple", "10"),
        ("lead_days", "5"),
        ("backflush", "1"),
    ]));
    // The current values are shown for a product.
    let leg = page(&web, "/production/planning?product=LEG");
    assert!(leg.contains("value=\"10.0000\"") && leg.contains("value=\"5\""), "multiple and lead time");
    assert!(leg.contains("<option value=\"multiple\" selected>") && leg.contains("<option value=\"buy\" selected>"));
    assert!(
        leg.contains("name=\"backflush\" value=\"1\" checked")
            && !leg.contains("name=\"make_to_order\" value=\"1\" checked")
    );
    let item = admin.get("/api/v1/production/items?product=TOP").json;
    assert_eq!(
        (item["lot_policy"].as_str(), item["min_qty"].as_str(), item["lead_days"].as_i64()),
        (Some("minimum"), Some("10.0000"), Some(2))
    );

    // A forecast of 5 tables in 40 days (another month: the sales order does not consume it).
    let bad = web.post("/production/planning/forecast", &[("product", "TABLE"), ("date", &d(40)), ("quantity", "0")]);
    assert_eq!(bad.status(), 422);
    assert!(bad.text().unwrap().contains("<div class=\"field invalid\"><label for=\"forecast-quantity\""));
    let added = web.post(
        "/production/planning/forecast",
        &[("product", "TABLE"), ("date", &d(40)), ("quantity", "5"), ("note", "展会")],
    );
    assert_eq!(location(&added), "/production/planning?ok=ui.mrp.forecast_added");
    let planning = page(&web, "/production/planning?ok=ui.mrp.forecast_added");
    assert!(planning.contains("已添加预测") && planning.contains(&d(40)) && planning.contains("展会"));

    // Run MRP from the page (a post without the form's token is refused).
    assert_eq!(web.post_without_csrf("/production/mrp/run", &[]).status(), 403);
    assert!(page(&web, "/production/mrp").contains("当前计划没有待确认的计划订单"), "no plan yet");
    let ran = location(&web.post("/production/mrp/run", &[]));
    assert_eq!(ran, "/production/mrp?orders=6&items=3&late=3&ok=ui.mrp.ran");
    let html = page(&web, &ran);
    assert!(html.contains("MRP 已运行：3 个物料，计划订单 6 条，其中延迟 3 条"), "the flash counts");
    // By hand, by release date, then low-level code and product:
    // tables 10 − 2 on hand = 8 due today, released 3 days earlier → today, late; the forecast's
    //   5 due on day 40, released on day 37;
    // legs 4 × 8 = 32 today − 15 on hand = 17 → 20 in tens (late), 3 left; 4 × 5 = 20 on day 37
    //   − 3 = 17 → 20, released 5 days earlier on day 32;
    // tops 8 today → the minimum of 10 (late), 2 left; 5 on day 37 − 2 = 3 → 10, released on 35.
    let row = |code: &str, name: &str, kind: &str, qty: &str, release: i64, due: i64, late: bool, llc: &str| {
        vec![
            format!("{code} {name}"),
            kind.to_string(),
            format!("{qty}.0000"),
            d(release),
            d(due),
            if late { "延迟".to_string() } else { String::new() },
            llc.to_string(),
        ]
    };
    let expected = vec![
        row("TABLE", "餐桌", "自制", "8", 0, 0, true, "0"),
        row("LEG", "桌腿", "采购", "20", 0, 0, true, "1"),
        row("TOP", "桌面", "采购", "10", 0, 0, true, "1"),
        row("LEG", "桌腿", "采购", "20", 32, 37, false, "1"),
        row("TOP", "桌面", "采购", "10", 35, 37, false, "1"),
        row("TABLE", "餐桌", "自制", "5", 37, 40, false, "0"),
    ];
    assert_eq!(planned_rows(&html), expected);
    assert_eq!(html.matches("<tr class=\"planned late\"").count(), 3, "late rows highlighted");
    // Filtered by kind.
    let bought = planned_rows(&page(&web, "/production/mrp?kind=buy"));
    assert_eq!(bought, expected.iter().filter(|r| r[1] == "采购").cloned().collect::<Vec<_>>());

    // Pegging: the first tables cover the sales order, the second the forecast; the first tops
    // cover both table orders (8 and the 2 left of the lot), each linking to its own page.
    let (table_now, table_later) = (planned_id(&admin, "TABLE", &d(0)), planned_id(&admin, "TABLE", &d(40)));
    let (top_now, leg_now) = (planned_id(&admin, "TOP", &d(0)), planned_id(&admin, "LEG", &d(0)));
    assert!(html.contains(&format!("href=\"/production/mrp/planned/{table_now}\"")));
    let pegs = |id: &str| -> (String, Vec<String>) {
        let html = page(&web, &format!("/production/mrp/planned/{id}"));
        let rows = html.split("<tr class=\"peg\">").skip(1).map(|r| text(r.split("</tr>").next().unwrap())).collect();
        (html, rows)
    };
    let (html, rows) = pegs(&table_now);
    assert!(html.contains("需求追溯") && html.contains(&format!("href=\"/sales/orders/{sales_order}\"")));
    assert_eq!(rows.len(), 1);
    assert!(rows[0].starts_with("销售订单 ") && rows[0].ends_with(&format!("{} 8.0000", d(0))), "{rows:?}");
    let (_, rows) = pegs(&table_later);
    assert_eq!(rows, [format!("预测 预测 {} {} 5.0000", d(40), d(40))]);
    let (html, rows) = pegs(&top_now);
    assert_eq!(rows, [format!("上级计划订单 TABLE {} 8.0000", d(0)), format!("上级计划订单 TABLE {} 2.0000", d(37))]);
    assert!(html.contains(&format!("href=\"/production/mrp/planned/{table_now}\"")));
    assert!(html.contains(&format!("href=\"/production/mrp/planned/{table_later}\"")));
    assert_eq!(web.get("/production/mrp/planned/nope").status(), 404);

    // Confirm: nothing ticked is refused; the first tables and legs; a stale id; then all.
    let none = web.post("/production/mrp/confirm", &[("scope", "selected")]);
    assert_eq!(none.status(), 422);
    assert!(none.text().unwrap().contains("请先勾选要确认的计划订单"));
    let picked = location(&web.post(
        "/production/mrp/confirm",
        &[("ids", table_now.as_str()), ("ids", leg_now.as_str()), ("scope", "selected")],
    ));
    let orders = admin.get("/api/v1/production/work-orders").json;
    let first = orders.as_array().unwrap();
    assert_eq!(first.len(), 1);
    let first_number = first[0]["number"].as_str().unwrap().to_string();
    assert_eq!(first[0]["origin"]["id"].as_str(), Some(sales_order.as_str()), "made for the sales order");
    assert_eq!((first[0]["quantity"].as_str(), first[0]["due_date"].as_str()), (Some("8.0000"), Some(d(0).as_str())));
    assert!(picked.ends_with("&purchases=1&ok=ui.mrp.confirmed"), "{picked}");
    let html = page(&web, &picked);
    assert!(
        html.contains(&format!("已生成生产工单 1 张：{first_number}；1 条计划采购已转交采购")),
        "the flash lists the work order"
    );
    assert_eq!(planned_rows(&html).len(), 4);
    assert!(!html.contains(&format!("data-id=\"{table_now}\"")));
    let stale = web.post("/production/mrp/confirm", &[("ids", table_now.as_str()), ("scope", "selected")]);
    assert_eq!(stale.status(), 404);
    assert!(stale.text().unwrap().contains("计划订单不存在或已确认"));
    let all = location(&web.post("/production/mrp/confirm", &[]));
    let orders = admin.get("/api/v1/production/work-orders").json;
    let numbers: Vec<String> =
        orders.as_array().unwrap().iter().map(|o| o["number"].as_str().unwrap().to_string()).collect();
    assert_eq!(numbers.len(), 2);
    let second_number = numbers.iter().find(|n| **n != first_number).unwrap().clone();
    let html = page(&web, &all);
    assert!(html.contains(&format!("已生成生产工单 1 张：{second_number}；3 条计划采购已转交采购")), "{all}");
    assert!(planned_rows(&html).is_empty() && html.contains("当前计划没有待确认的计划订单"));
    // The work orders made are on the work orders' page; the confirmed planned order links its
    // work order, the bought one its requisition.
    let list = page(&web, "/production/work-orders");
    assert!(list.contains(&first_number) && list.contains(&second_number));
    let (html, _) = pegs(&table_now);
    assert!(
        html.contains("已确认")
            && html.contains(&format!("/production/work-orders/{}", first[0]["id"].as_str().unwrap()))
    );
    let (html, _) = pegs(&leg_now);
    assert!(html.contains("/purchasing/requisitions/"), "the requisition is linked");
    // The navigation offers the three pages.
    let home = page(&web, "/");
    for href in ["/production/mrp", "/production/capacity", "/production/planning"] {
        assert!(home.contains(&format!("href=\"{href}\"")), "{href} in the navigation");
    }
    app.assert_invariants();
}

#[test]
fn the_capacity_grid_shows_an_overloaded_day_and_days_off() {
    let app = spawn();
    let (admin, _) = tables(&app);
    ok(&admin.post("/api/v1/production/items", &json!({"product": "TABLE", "lead_days": 3})));
    ok(&admin
        .post("/api/v1/production/forecasts", &json!({"product": "TABLE", "date": day(&app, 40), "quantity": "5"})));
    let web = WebSession::login(&app.base, "admin", ADMIN_PASSWORD);
    location(&web.post("/production/mrp/run", &[]));
    let d = |n: i64| day(&app, n);
    let cell = |html: &str, center: &str, date: &str| -> String {
        let row = html.split(&format!("<tr data-center=\"{center}\">")).nth(1).unwrap().split("</tr>").next().unwrap();
        let cell = row.split("<td").find(|c| c.contains(&format!("data-date=\"{date}\""))).unwrap();
        format!("<td{}", cell.split("</td>").next().unwrap())
    };
    // Today: the 8 tables' 60 + 8 × 30 = 300 minutes on a 4-hour line (240): 125.0 %.
    let html = page(&web, "/production/capacity");
    assert!(html.contains("href=\"/production/mrp.css\""));
    let today = cell(&html, "ASM", &d(0));
    assert!(today.contains("class=\"over\"") && text(&today) == "300 / 240 125.0%", "{today}");
    let tomorrow = cell(&html, "ASM", &d(1));
    assert!(!tomorrow.contains("over") && text(&tomorrow) == "0 / 240 0.0%", "{tomorrow}");
    // Fourteen days by default; the paint shop never works.
    assert_eq!(html.matches("data-date=").count(), 28);
    assert!(!html.contains(&format!("data-date=\"{}\"", d(14))));
    let paint = cell(&html, "PAINT", &d(3));
    assert!(paint.contains("class=\"off\"") && text(&paint) == "休息", "{paint}");
    // From day 37 for 3 days: the forecast's 5 tables, 60 + 5 × 30 = 210 minutes spread over
    // days 37 to 39 (released on 37, due on 40): 70 a day, 29.2 %.
    let later = page(&web, &format!("/production/capacity?from={}&days=3", d(37)));
    assert_eq!(later.matches("data-date=").count(), 6);
    for n in 37..40 {
        let c = cell(&later, "ASM", &d(n));
        assert!(!c.contains("over") && text(&c) == "70 / 240 29.2%", "{c}");
    }
    // A wrong date comes back with the problem beside the field.
    let wrong = web.get("/production/capacity?from=someday");
    assert_eq!(wrong.status(), 422);
    let html = wrong.text().unwrap();
    assert!(html.contains("<div class=\"field invalid\"><label for=\"capacity-from\"") && html.contains("日期无效"));
    // A read-only user sees the plan and the grid, without the planner's buttons and forms.
    app.user_in(app.company, "viewer", &["readonly"]);
    let viewer = WebSession::login(&app.base, "viewer", "viewer-password");
    let plan = page(&viewer, "/production/mrp");
    assert_eq!(plan.matches("<tr class=\"planned").count(), 6, "two orders each of tables, tops and legs");
    assert!(!plan.contains("action=\"/production/mrp/run\"") && !plan.contains("name=\"ids\""));
    assert!(page(&viewer, "/production/capacity").contains("data-center=\"ASM\""));
    assert!(!page(&viewer, "/production/planning").contains("action=\"/production/planning/item\""));
    assert_eq!(viewer.post("/production/mrp/run", &[]).status(), 403);
    assert_eq!(viewer.post("/production/mrp/confirm", &[]).status(), 403);
    let css = web.get("/production/mrp.css");
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(css.text().unwrap().contains("td.over"));
}
