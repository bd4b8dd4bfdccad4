//! The CRM through the API, on SQLite and PostgreSQL: leads from the public form (rate limit,
//! honeypot) and by hand with the duplicate check, qualification into customer, contact and
//! opportunity, the pipeline (stages, board, won by the confirmed quotation, lost with a
//! reason), activities and follow-up reminders, customer 360, the record rules, and scoring on
//! a small labelled history with known answers.

use serde_json::{Value, json};
use testkit::{Client, spawn};

fn lead(client: &Client, body: Value) -> Value {
    let created = client.post("/api/v1/crm/leads", &body);
    assert_eq!(created.status, 201, "{}", created.body);
    created.json
}

#[test]
fn the_public_form_takes_leads_with_a_rate_limit_and_a_honeypot() {
    let app = spawn();
    let public = app.client();
    let code = app.admin().get("/api/v1/companies").json[0]["code"].as_str().unwrap().to_string();
    let send = |body: Value, from: &str| {
        public.send(
            public
                .request(reqwest::Method::POST, &format!("/api/v1/public/{code}/leads"))
                .header("x-forwarded-for", from)
                .json(&body),
        )
    };
    let ok = send(
        json!({"name": "李女士", "organization": "苏州茶坊", "phone": "13900139000", "message": "批发价?"}),
        "10.0.0.1",
    );
    assert_eq!(ok.status, 202, "{}", ok.body);
    // A bot fills the hidden field: answered alike, nothing stored.
    let bot = send(json!({"name": "x", "phone": "1", "website": "http://spam"}), "10.0.0.1");
    assert_eq!(bot.status, 202);
    let no_contact = send(json!({"name": "无名"}), "10.0.0.1");
    assert_eq!((no_contact.status, no_contact.json["errors"][0]["code"].as_str()), (422, Some("crm.contact_required")));
    let leads = app.admin().get("/api/v1/crm/leads").json;
    let items = leads["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{leads}");
    assert_eq!((items[0]["source"].as_str(), items[0]["organization"].as_str()), (Some("web"), Some("苏州茶坊")));
    // Five submissions per client in ten minutes; another client is not held back.
    for _ in 0..3 {
        assert_eq!(send(json!({"name": "李", "phone": "13900139001"}), "10.0.0.1").status, 202);
    }
    let limited = send(json!({"name": "李", "phone": "13900139002"}), "10.0.0.1");
    assert_eq!((limited.status, limited.code()), (429, "crm.too_many_requests"));
    assert_eq!(send(json!({"name": "王", "phone": "13900139003"}), "10.0.0.2").status, 202);
    assert_eq!(send(json!({"name": "王", "phone": "1"}), "10.0.0.3").status, 202);
    let unknown = public.post("/api/v1/public/NOPE/leads", &json!({"name": "x", "phone": "1"}));
    assert_eq!(unknown.status, 404);
    app.assert_invariants();
}

#[test]
fn a_lead_is_checked_for_duplicates_and_qualified_into_customer_contact_and_opportunity() {
    let app = spawn();
    let admin = app.admin();
    let existing = admin.post(
        "/api/v1/parties",
        &json!({"code": "C001", "name": "宁波海曙茶叶有限公司", "kind": "customer", "phone": "0574-88886666"}),
    );
    assert_eq!(existing.status, 201, "{}", existing.body);
    let first = lead(
        &admin,
        json!({"contact_name": "王经理", "organization": "杭州龙井茶庄", "email": "wang@lj.cn", "source": "exhibition"}),
    );
    assert_eq!(first["duplicates"], json!([]));
    // Same email as a lead, same organisation (legal form aside) as a customer.
    let second = lead(
        &admin,
        json!({"contact_name": "王先生", "organization": "宁波海曙茶叶", "email": "WANG@lj.cn", "phone": "13800138000"}),
    );
    let matched: Vec<(&str, &str)> = second["duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["kind"].as_str().unwrap(), d["matched_on"].as_str().unwrap()))
        .collect();
    assert_eq!(matched, [("lead", "email"), ("customer", "organization")]);
    let bad = admin.post("/api/v1/crm/leads", &json!({"contact_name": " ", "email": "nope"}));
    assert_eq!(bad.json["errors"][0]["field"], "contact_name");

    // Qualification: a customer with the lead's person as contact, and an opportunity.
    let id = first["id"].as_str().unwrap();
    let qualified = admin.post(
        &format!("/api/v1/crm/leads/{id}/qualify"),
        &json!({"expected_revenue": "120000", "expected_close": "2099-03-31"}),
    );
    assert_eq!(qualified.status, 201, "{}", qualified.body);
    assert_eq!(
        (
            qualified.json["state"].as_str(),
            qualified.json["stage_code"].as_str(),
            qualified.json["probability"].as_str()
        ),
        (Some("open"), Some("contact"), Some("10"))
    );
    assert_eq!(qualified.json["weighted_revenue"], "12000.00");
    let partner = qualified.json["partner_id"].as_str().unwrap().to_string();
    let customer = admin.get(&format!("/api/v1/parties/{partner}")).json;
    assert_eq!(customer["name"], "杭州龙井茶庄");
    assert_eq!(customer["contacts"][0]["name"], "王经理");
    assert_eq!(customer["email"], "wang@lj.cn");
    let again = admin.post(&format!("/api/v1/crm/leads/{id}/qualify"), &json!({}));
    assert_eq!((again.status, again.code()), (409, "crm.lead_state"));
    // The second lead joins the existing customer instead of creating one.
    let joined = admin.post(
        &format!("/api/v1/crm/leads/{}/qualify", second["id"].as_str().unwrap()),
        &json!({"customer": "C001", "opportunity": "海曙 年度采购"}),
    );
    assert_eq!(joined.json["partner_id"], existing.json["id"], "{}", joined.body);
    app.assert_invariants();
}

#[test]
fn the_pipeline_moves_quotes_and_is_won_by_the_confirmed_order() {
    let app = spawn();
    let admin = app.admin();
    admin.post("/api/v1/products", &json!({"code": "TEA", "name": "龙井茶", "kind": "stockable", "uom": "pcs", "tax": "VAT13", "list_price": "100"}));
    let receipt = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "lines": [{"product": "TEA", "quantity": "50", "unit_cost": "40"}]}),
    );
    admin.post(&format!("/api/v1/pickings/{}/validate", receipt.json["id"].as_str().unwrap()), &json!({}));
    admin.post("/api/v1/parties", &json!({"code": "C1", "name": "杭州茶行", "kind": "customer"}));
    let stages = admin.get("/api/v1/crm/stages").json;
    assert_eq!(stages.as_array().unwrap().len(), 5, "the default stages");
    let added =
        admin.post("/api/v1/crm/stages", &json!({"code": "demo", "name": "产品演示", "probability": "40", "seq": 25}));
    assert_eq!(added.status, 201, "{}", added.body);
    let open = |name: &str, revenue: &str| {
        let created = admin.post(
            "/api/v1/crm/opportunities",
            &json!({"name": name, "customer": "C1", "expected_revenue": revenue, "expected_close": "2099-05-31"}),
        );
        assert_eq!(created.status, 201, "{}", created.body);
        created.json
    };
    let big = open("春茶大单", "10000");
    let small = open("小单", "1000");
    let id = big["id"].as_str().unwrap();
    let moved = admin
        .post(&format!("/api/v1/crm/opportunities/{id}/move"), &json!({"stage": "demo", "version": big["version"]}));
    assert_eq!((moved.json["stage_code"].as_str(), moved.json["probability"].as_str()), (Some("demo"), Some("40")));
    let stale = admin
        .post(&format!("/api/v1/crm/opportunities/{id}/move"), &json!({"stage": "needs", "version": big["version"]}));
    assert_eq!((stale.status, stale.code()), (409, "crm.opportunity_changed"));
    let board = admin.get("/api/v1/crm/pipeline").json;
    let column = |code: &str| board.as_array().unwrap().iter().find(|c| c["stage"]["code"] == code).unwrap().clone();
    assert_eq!(
        (column("demo")["count"].as_i64(), column("demo")["weighted_revenue"].as_str()),
        (Some(1), Some("4000.00"))
    );
    assert_eq!(column("contact")["cards"][0]["name"], "小单");
    // A quotation from the opportunity; confirming the order wins it.
    let quote = admin.post(
        &format!("/api/v1/crm/opportunities/{id}/quotation"),
        &json!({"lines": [{"product": "TEA", "quantity": "10", "unit_price": "100"}], "valid_until": "2099-12-31"}),
    );
    assert_eq!(quote.status, 201, "{}", quote.body);
    let order = quote.json["id"].as_str().unwrap();
    let confirmed = admin.post(&format!("/api/v1/sales/orders/{order}/confirm"), &json!({}));
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    let won = admin.get(&format!("/api/v1/crm/opportunities/{id}")).json;
    assert_eq!(
        (won["state"].as_str(), won["probability"].as_str(), won["order_id"].as_str()),
        (Some("won"), Some("100"), Some(order))
    );
    // Lost needs a reason; a closed opportunity does not move.
    let small_id = small["id"].as_str().unwrap();
    let no_reason = admin.post(&format!("/api/v1/crm/opportunities/{small_id}/lost"), &json!({}));
    assert_eq!(no_reason.json["errors"][0]["code"], "crm.reason_required");
    let lost = admin.post(&format!("/api/v1/crm/opportunities/{small_id}/lost"), &json!({"reason": "价格"}));
    assert_eq!((lost.json["state"].as_str(), lost.json["lost_reason"].as_str()), (Some("lost"), Some("价格")));
    let closed = admin.post(&format!("/api/v1/crm/opportunities/{small_id}/move"), &json!({"stage": "demo"}));
    assert_eq!(closed.code(), "crm.opportunity_closed");
    let report = admin.get("/api/v1/crm/report").json;
    assert_eq!(report["by_owner"][0]["win_rate"], "50", "{report}");
    assert_eq!(
        (
            report["funnel"]["opportunities"].as_i64(),
            report["funnel"]["quoted"].as_i64(),
            report["funnel"]["won"].as_i64()
        ),
        (Some(2), Some(1), Some(1))
    );
    app.assert_invariants();
}

#[test]
fn activities_fill_the_timeline_and_the_customer_360_reads_everything_live() {
    let app = spawn();
    let admin = app.admin();
    admin.post("/api/v1/products", &json!({"code": "TEA", "name": "龙井茶", "kind": "stockable", "uom": "pcs", "tax": "VAT13", "list_price": "100"}));
    let receipt = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "lines": [{"product": "TEA", "quantity": "50", "unit_cost": "40"}]}),
    );
    admin.post(&format!("/api/v1/pickings/{}/validate", receipt.json["id"].as_str().unwrap()), &json!({}));
    let customer = admin.post("/api/v1/parties", &json!({"code": "C1", "name": "杭州茶行", "kind": "customer"}));
    let customer_id = customer.json["id"].as_str().unwrap().to_string();
    let (salesperson, sales) = app.user_in(app.company, "xiaoli", &["sales"]);
    let call = sales.post(
        "/api/v1/crm/activities",
        &json!({"kind": "call", "subject": "电话回访", "outcome": "对春茶感兴趣", "next_step": "寄样品", "customer": "C1"}),
    );
    assert_eq!(call.status, 201, "{}", call.body);
    let follow_up = sales.post(
        "/api/v1/crm/activities",
        &json!({"kind": "visit", "subject": "上门拜访", "customer": "C1", "due_at": "2099-12-01T10:00"}),
    );
    assert_eq!(
        (follow_up.json["done"].as_bool(), follow_up.json["due_at"].as_str()),
        (Some(false), Some("2099-12-01T10:00"))
    );
    let reminders: i64 = app
        .db
        .read(|tx| {
            tx.scalar(
                "select count(*) from office_notification where user_id = $1 and title like $2",
                &[&salesperson.to_string(), &"跟进提醒%"],
            )
        })
        .unwrap();
    assert_eq!(reminders, 1, "the follow-up is reminded in the notification area");
    assert_eq!(sales.get("/api/v1/crm/activities").json.as_array().unwrap().len(), 1, "one follow-up to do");
    let done = sales.post(
        &format!("/api/v1/crm/activities/{}/complete", follow_up.json["id"].as_str().unwrap()),
        &json!({"outcome": "签了意向"}),
    );
    assert_eq!(done.json["done"], true);
    let bad = sales.post("/api/v1/crm/activities", &json!({"kind": "fax", "subject": "x", "customer": "C1"}));
    assert_eq!(bad.json["errors"][0]["code"], "crm.activity_kind_invalid");
    // Two orders, one invoiced and partly paid.
    let order = |qty: &str| {
        let o = admin.post(
            "/api/v1/sales/orders",
            &json!({"customer": "C1", "order_date": "2026-11-02", "confirm": true,
                "lines": [{"product": "TEA", "quantity": qty, "unit_price": "100"}]}),
        );
        assert_eq!(o.status, 201, "{}", o.body);
        o.json["id"].as_str().unwrap().to_string()
    };
    let first = order("10");
    order("5");
    let invoice = admin.post(
        &format!("/api/v1/sales/orders/{first}/invoices"),
        &json!({"basis": "ordered", "date": "2026-11-05", "post": true}),
    );
    assert_eq!(invoice.status, 201, "{}", invoice.body);
    let paid = admin.post(
        "/api/v1/payments",
        &json!({"direction": "receipt", "partner_id": customer_id, "amount": "500", "date": "2026-11-20",
            "documents": [{"kind": "sales.invoice", "id": invoice.json["id"]}]}),
    );
    assert_eq!(paid.status, 201, "{}", paid.body);
    let view = admin.get(&format!("/api/v1/parties/{customer_id}/360"));
    assert_eq!(view.status, 200, "{}", view.body);
    let v = &view.json;
    assert_eq!(v["customer"]["name"], "杭州茶行");
    assert_eq!((v["activity_count"].as_i64(), v["activities"][0]["subject"].as_str()), (Some(2), Some("上门拜访")));
    assert_eq!(v["sales"]["orders"], 2);
    assert_eq!(v["sales"]["recent_invoices"].as_array().unwrap().len(), 1);
    assert_eq!(v["sales"]["recent_deliveries"].as_array().unwrap().len(), 2);
    assert_eq!((v["lifetime_value"].as_str(), v["average_order_value"].as_str()), (Some("1000.00"), Some("500.00")));
    assert_eq!(v["open_balance"], "630.00", "1,130.00 invoiced less 500.00 paid");
    assert_eq!(v["payments"][0]["amount"], "500.00");
    assert_eq!(v["last_purchase_date"], "2026-11-02");
    // The code works as well as the id.
    assert_eq!(admin.get("/api/v1/parties/C1/360").status, 200);
    app.assert_invariants();
}

#[test]
fn a_salesperson_sees_own_leads_and_opportunities_only() {
    let app = spawn();
    let admin = app.admin();
    let (_, alice) = app.user_in(app.company, "alice", &["sales"]);
    let (_, bob) = app.user_in(app.company, "bob", &["sales"]);
    let mine = lead(&alice, json!({"contact_name": "甲", "phone": "13800000001"}));
    lead(&bob, json!({"contact_name": "乙", "phone": "13800000002"}));
    let names = |client: &Client| -> Vec<String> {
        client.get("/api/v1/crm/leads").json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["contact_name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&alice), ["甲"]);
    assert_eq!(names(&bob), ["乙"]);
    assert_eq!(names(&admin).len(), 2, "the administrator sees all");
    let id = mine["id"].as_str().unwrap();
    assert_eq!(bob.get(&format!("/api/v1/crm/leads/{id}")).status, 404);
    assert_eq!(bob.post(&format!("/api/v1/crm/leads/{id}/qualify"), &json!({})).status, 404);
    let opp = alice.post(&format!("/api/v1/crm/leads/{id}/qualify"), &json!({"expected_revenue": "100"}));
    assert_eq!(opp.status, 201, "{}", opp.body);
    let opp_id = opp.json["id"].as_str().unwrap();
    assert_eq!(bob.get(&format!("/api/v1/crm/opportunities/{opp_id}")).status, 404);
    assert_eq!(bob.post(&format!("/api/v1/crm/opportunities/{opp_id}/won"), &json!({})).status, 404);
    let board = bob.get("/api/v1/crm/pipeline").json;
    assert!(board.as_array().unwrap().iter().all(|c| c["count"] == 0), "{board}");
    let alice_board = alice.get("/api/v1/crm/pipeline").json;
    assert_eq!(alice_board[0]["count"], 1);
    app.assert_invariants();
}

#[test]
fn scoring_learns_from_won_and_lost_leads_and_explains_itself() {
    let app = spawn();
    let admin = app.admin();
    let new_lead = |source: &str| {
        lead(
            &admin,
            json!({"contact_name": "客户", "source": source, "industry": "食品", "region": "浙江", "size": "small"}),
        )["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // History: four exhibition leads won; three web leads and one exhibition lead lost.
    for _ in 0..4 {
        let id = new_lead("exhibition");
        let opp = admin.post(&format!("/api/v1/crm/leads/{id}/qualify"), &json!({}));
        assert_eq!(opp.status, 201, "{}", opp.body);
        admin.post(&format!("/api/v1/crm/opportunities/{}/won", opp.json["id"].as_str().unwrap()), &json!({}));
    }
    for source in ["web", "web", "web", "exhibition"] {
        let id = new_lead(source);
        assert_eq!(admin.post(&format!("/api/v1/crm/leads/{id}/lose"), &json!({"reason": "无预算"})).status, 200);
    }
    let candidate = new_lead("exhibition");
    let from_web = new_lead("web");
    let trained = admin.post("/api/v1/crm/scoring/train", &json!({}));
    assert_eq!(
        (trained.json["won"].as_i64(), trained.json["lost"].as_i64(), trained.json["scored"].as_i64()),
        (Some(4), Some(4), Some(2))
    );
    // Odds 1 × (5/7)/(2/7) = 2.5 → 71.4 %; the web form: (1/7)/(4/7) = 0.25 → 20.0 %.
    let score = admin.get(&format!("/api/v1/crm/leads/{candidate}/score")).json;
    assert_eq!(score["probability"], "71.4", "{score}");
    assert_eq!(
        (score["factors"][0]["feature"].as_str(), score["factors"][0]["value"].as_str()),
        (Some("source"), Some("exhibition"))
    );
    assert_eq!(score["factors"][0]["weight"], 0.92);
    assert_eq!(score["factors"][1]["weight"], 0.0, "what every lead shares tells nothing");
    assert_eq!(admin.get(&format!("/api/v1/crm/leads/{from_web}/score")).json["probability"], "20.0");
    // On a schedule: the worker retrains a model once it is a day old, taking in new history.
    assert_eq!(admin.post(&format!("/api/v1/crm/leads/{from_web}/lose"), &json!({"reason": "无回应"})).status, 200);
    let ctx = app.system_ctx();
    assert!(!app.db.write(|tx| crm::scoring::retrain_if_stale(tx, &ctx)).unwrap(), "fresh: kept");
    app.clock.advance(time::Duration::days(2));
    assert!(app.db.write(|tx| crm::scoring::retrain_if_stale(tx, &ctx)).unwrap(), "a day old: retrained");
    let retrained = admin.post("/api/v1/crm/scoring/train", &json!({}));
    assert_eq!(retrained.json["lost"], 5);
    app.assert_invariants();
}

#[test]
fn teams_take_web_leads_in_turn_and_a_manager_sees_the_team() {
    let app = spawn();
    let admin = app.admin();
    let (manager_id, manager) = app.user_in(app.company, "manager", &["sales"]);
    let (alice_id, alice) = app.user_in(app.company, "alice", &["sales"]);
    let (bob_id, bob) = app.user_in(app.company, "bob", &["sales"]);
    let (carol_id, carol) = app.user_in(app.company, "carol", &["sales"]);
    let east = admin.post(
        "/api/v1/crm/teams",
        &json!({"code": "east", "name": "华东销售部", "manager_id": manager_id.to_string(),
            "members": [alice_id.to_string(), bob_id.to_string()]}),
    );
    assert_eq!(east.status, 201, "{}", east.body);
    admin.post("/api/v1/crm/teams", &json!({"code": "rest", "name": "其他地区", "members": [carol_id.to_string()]}));
    let rule = admin.post("/api/v1/crm/assignment-rules", &json!({"kind": "region", "value": "浙江", "team": "east"}));
    assert_eq!(rule.status, 201, "{}", rule.body);
    admin.post("/api/v1/crm/assignment-rules", &json!({"kind": "round_robin", "team": "rest"}));
    let bad = admin.post("/api/v1/crm/assignment-rules", &json!({"kind": "lottery", "team": "rest"}));
    assert_eq!(bad.json["errors"][0]["code"], "crm.rule_kind_invalid");
    let code = admin.get("/api/v1/companies").json[0]["code"].as_str().unwrap().to_string();
    let public = app.client();
    for (i, region) in ["浙江", "浙江", "广东", "浙江"].iter().enumerate() {
        let sent = public.post(
            &format!("/api/v1/public/{code}/leads"),
            &json!({"name": format!("客户{i}"), "phone": format!("1390000000{i}"), "region": region}),
        );
        assert_eq!(sent.status, 202, "{}", sent.body);
    }
    let owners: Vec<String> = admin.get("/api/v1/crm/leads?sort=created_at").json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["contact_name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(owners.len(), 4);
    let count = |client: &Client| client.get("/api/v1/crm/leads").json["items"].as_array().unwrap().len();
    // 浙江 leads go to alice and bob in turn; the rest to carol; the manager sees the team's.
    assert_eq!((count(&alice), count(&bob), count(&carol)), (2, 1, 1));
    assert_eq!(count(&manager), 3);
    let carols = carol.get("/api/v1/crm/leads").json["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(manager.get(&format!("/api/v1/crm/leads/{carols}")).status, 404, "not the manager's team");
    let alices = alice.get("/api/v1/crm/leads").json["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(manager.get(&format!("/api/v1/crm/leads/{alices}")).status, 200);
    assert_eq!(bob.get(&format!("/api/v1/crm/leads/{alices}")).status, 404, "a colleague's lead is not one's own");
    // The forecast by salesperson, team and month.
    for (client, revenue) in [(&alice, "1000"), (&bob, "3000"), (&carol, "500")] {
        let opened = client.post(
            "/api/v1/crm/opportunities",
            &json!({"name": "商机", "expected_revenue": revenue, "expected_close": "2099-05-20"}),
        );
        assert_eq!(opened.status, 201, "{}", opened.body);
    }
    let forecast = admin.get("/api/v1/crm/forecast").json;
    let teams: Vec<(Option<&str>, &str, &str)> = forecast["by_team"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["team"].as_str(), t["month"].as_str().unwrap(), t["weighted_revenue"].as_str().unwrap()))
        .collect();
    // First stage: 10 % of 1,000 + 3,000 for east, of 500 for the rest.
    assert_eq!(teams, [(Some("east"), "2099-05", "400.00"), (Some("rest"), "2099-05", "50.00")]);
    assert_eq!(manager.get("/api/v1/crm/forecast").json["by_owner"].as_array().unwrap().len(), 2, "the team's");
    app.assert_invariants();
}

#[test]
fn contracts_have_milestones_tied_to_invoices_and_remind_before_renewal() {
    let app = spawn();
    let admin = app.admin();
    admin.post("/api/v1/products", &json!({"code": "SVC", "name": "茶艺培训", "kind": "service", "uom": "pcs", "tax": "VAT6", "list_price": "100"}));
    let customer = admin.post("/api/v1/parties", &json!({"code": "C1", "name": "杭州茶行", "kind": "customer"}));
    let customer_id = customer.json["id"].as_str().unwrap().to_string();
    let today = kernel::clock::format_date(app.system_ctx().today());
    let in_days = |n: i64| {
        let day = kernel::clock::parse_date(&today).unwrap() + time::Duration::days(n);
        kernel::clock::format_date(day)
    };
    let bad = admin.post(
        "/api/v1/crm/contracts",
        &json!({"name": "年度合同", "customer": "C1", "amount": "1000", "start_date": "2026-12-01", "end_date": "2026-11-01",
            "milestones": [{"name": "首付", "due_date": "2026-12-05", "amount": "300"}]}),
    );
    let fields: Vec<&str> =
        bad.json["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["end_date", "milestones"], "{}", bad.body);
    let created = admin.post(
        "/api/v1/crm/contracts",
        &json!({"name": "年度培训合同", "customer": "C1", "amount": "1000", "start_date": in_days(-300), "end_date": in_days(20),
            "terms": "按月培训", "milestones": [{"name": "首付", "due_date": in_days(-290), "amount": "300"},
                                             {"name": "尾款", "due_date": in_days(10), "amount": "700"}]}),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        (created.json["state"].as_str(), created.json["number"].as_str().map(|n| n.starts_with("HT-"))),
        (Some("draft"), Some(true))
    );
    let id = created.json["id"].as_str().unwrap().to_string();
    let active = admin.post(&format!("/api/v1/crm/contracts/{id}/activate"), &json!({}));
    assert_eq!(active.json["state"], "active", "{}", active.body);
    assert_eq!(admin.post(&format!("/api/v1/crm/contracts/{id}/activate"), &json!({})).code(), "crm.contract_state");
    // The first milestone is billed and paid.
    let order = admin.post(
        "/api/v1/sales/orders",
        &json!({"customer": "C1", "confirm": true, "lines": [{"product": "SVC", "quantity": "1", "unit_price": "300"}]}),
    );
    let order_id = order.json["id"].as_str().unwrap();
    let invoice = admin.post(&format!("/api/v1/sales/orders/{order_id}/invoices"), &json!({"post": true}));
    let invoice_id = invoice.json["id"].as_str().unwrap().to_string();
    let milestone = created.json["milestones"][0]["id"].as_str().unwrap();
    let linked = admin.post(
        &format!("/api/v1/crm/contracts/{id}/milestones"),
        &json!({"milestone_id": milestone, "invoice_id": invoice_id}),
    );
    assert_eq!(linked.json["milestones"][0]["invoice_state"], "posted", "{}", linked.body);
    admin.post(
        "/api/v1/payments",
        &json!({"direction": "receipt", "partner_id": customer_id, "amount": invoice.json["total"],
            "documents": [{"kind": "sales.invoice", "id": invoice_id}]}),
    );
    let paid = admin.get(&format!("/api/v1/crm/contracts/{id}")).json;
    assert_eq!(
        (paid["milestones"][0]["invoice_state"].as_str(), paid["paid"].as_str()),
        (Some("paid"), Some("300.00"))
    );
    // Twenty days from its end: the owner is reminded once.
    let ctx = app.system_ctx();
    assert_eq!(app.db.write(|tx| crm::contract::remind_renewals(tx, &ctx)).unwrap(), 1);
    assert_eq!(app.db.write(|tx| crm::contract::remind_renewals(tx, &ctx)).unwrap(), 0, "once");
    let reminders: i64 = app
        .db
        .read(|tx| tx.scalar("select count(*) from office_notification where title like $1", &[&"合同续签提醒%"]))
        .unwrap();
    assert_eq!(reminders, 1);
    // On customer 360 with the lifecycle stage and satisfaction.
    for (kind, score) in [("nps", 10), ("nps", 9), ("nps", 3), ("csat", 4), ("csat", 5)] {
        let answer = admin.post("/api/v1/crm/satisfaction", &json!({"customer": "C1", "kind": kind, "score": score}));
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    assert_eq!(
        admin.post("/api/v1/crm/satisfaction", &json!({"customer": "C1", "kind": "nps", "score": 11})).json["errors"]
            [0]["code"],
        "crm.score_out_of_range"
    );
    let view = admin.get(&format!("/api/v1/parties/{customer_id}/360")).json;
    assert_eq!(view["contracts"][0]["number"], created.json["number"]);
    assert_eq!(view["lifecycle_stage"], "new", "first order today");
    // NPS: 2 promoters, 1 detractor of 3 → 33; CSAT 4.5.
    assert_eq!((view["satisfaction"]["nps"].as_i64(), view["satisfaction"]["csat"].as_str()), (Some(33), Some("4.5")));
    let summary = admin.get("/api/v1/crm/lifecycle").json;
    let counts: std::collections::HashMap<String, i64> = summary["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c[0].as_str().unwrap().to_string(), c[1].as_i64().unwrap()))
        .collect();
    assert_eq!((counts["new"], counts["prospect"]), (1, 0));
    let bad_thresholds =
        admin.put("/api/v1/crm/lifecycle", &json!({"new_days": 30, "active_days": 200, "churn_days": 100}));
    assert_eq!(bad_thresholds.json["errors"][0]["code"], "crm.thresholds_invalid");
    let terminated = admin.post(&format!("/api/v1/crm/contracts/{id}/terminate"), &json!({"reason": "客户要求"}));
    assert_eq!(terminated.json["state"], "terminated");
    app.assert_invariants();
}

#[test]
fn leads_import_from_a_spreadsheet_with_row_errors_and_export_again() {
    use testkit::ADMIN_PASSWORD;
    use testkit::session::WebSession;
    let app = spawn();
    let web = WebSession::login(&app.base, "admin", ADMIN_PASSWORD);
    let upload = |csv: &str| {
        let form = reqwest::blocking::multipart::Form::new()
            .text("type", "leads")
            .part("file", reqwest::blocking::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("leads.csv"));
        web.client.post(format!("{}/imports/run?_csrf={}", app.base, web.csrf())).multipart(form).send().unwrap()
    };
    // A bad email on row 3: the row and column are named, nothing is written.
    let bad = upload(
        "contact_name,organization,phone,email,region\n王经理,杭州茶庄,13800000001,wang@x.cn,浙江\n李四,苏州茶坊,,not-an-email,江苏\n",
    );
    let report = bad.text().unwrap();
    assert!(report.contains("<td>3</td><td>email</td>"), "{report}");
    let admin = app.admin();
    assert_eq!(admin.get("/api/v1/crm/leads").json["items"].as_array().unwrap().len(), 0);
    let good = upload(
        "contact_name,organization,phone,email,region\n王经理,杭州茶庄,13800000001,wang@x.cn,浙江\n李四,苏州茶坊,13800000002,,江苏\n",
    );
    assert!(good.text().unwrap().contains("已导入 2 行"));
    let leads = admin.get("/api/v1/crm/leads?sort=contact_name").json;
    let items = leads["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|l| l["source"] == "import"), "{leads}");
    let exported = web.get("/imports/export?type=leads&format=csv").text().unwrap();
    assert!(exported.contains("王经理") && exported.contains("13800000001"), "{exported}");
    app.assert_invariants();
}
