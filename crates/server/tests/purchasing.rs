//! Procure to pay through the API, on SQLite and PostgreSQL: orders priced from supplier price
//! lists with their lead times, receipts at the order price (暂估), vendor bills with the
//! three-way match that blocks payment, returns to supplier with debit notes in red ink,
//! requisitions from the reorder rules, requests for quotation with the comparison table, and
//! cancellation. The books balance after every scenario.

use serde_json::{Value, json};
use testkit::{Client, spawn};

/// A stockable tea with 13 % VAT, two suppliers (S1 sells it at 50.00 with 7 days' lead time,
/// S2 at 52.00 in 3 days).
fn setup(admin: &Client) -> (String, String) {
    let tea = admin.post(
        "/api/v1/products",
        &json!({"code": "TEA", "name": "龙井茶", "kind": "stockable", "uom": "pcs", "tax": "VAT13"}),
    );
    assert_eq!(tea.status, 201, "{}", tea.body);
    let tea = tea.json["id"].as_str().unwrap().to_string();
    let mut suppliers = Vec::new();
    for (code, price, lead) in [("S1", "50", 7), ("S2", "52", 3)] {
        let s =
            admin.post("/api/v1/parties", &json!({"code": code, "name": format!("供应商{code}"), "kind": "supplier"}));
        assert_eq!(s.status, 201, "{}", s.body);
        let id = s.json["id"].as_str().unwrap().to_string();
        let price = admin.post(
            &format!("/api/v1/products/{tea}/suppliers"),
            &json!({"supplier_id": id, "min_qty": "1", "price": price, "currency": "CNY", "lead_time_days": lead}),
        );
        assert!(price.status < 300, "{}", price.body);
        suppliers.push(id);
    }
    (suppliers[0].clone(), suppliers[1].clone())
}

fn voucher_lines(client: &Client, kind: &str, id: &str) -> Vec<(String, String, String)> {
    let vouchers = client.get(&format!("/api/v1/vouchers?kind={kind}&id={id}")).json;
    assert_eq!(vouchers.as_array().map(Vec::len), Some(1), "{vouchers}");
    let mut lines: Vec<_> = vouchers[0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["account_code"].as_str().unwrap().to_string(),
                l["debit"].as_str().unwrap().to_string(),
                l["credit"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    lines.sort();
    lines
}

fn open_receipt(client: &Client, order: &str) -> Value {
    let pickings = client.get(&format!("/api/v1/purchasing/orders/{order}/pickings")).json;
    pickings
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "receipt" && p["state"] != "done" && p["state"] != "cancelled")
        .cloned()
        .unwrap_or(Value::Null)
}

fn receive(client: &Client, order: &str, quantity: Option<&str>) -> Value {
    let receipt = open_receipt(client, order);
    let body = match quantity {
        Some(q) => json!({"lines": [{"move_id": receipt["moves"][0]["id"], "quantity": q}], "date": "2026-11-10"}),
        None => json!({"date": "2026-11-10"}),
    };
    let done = client.post(&format!("/api/v1/pickings/{}/validate", receipt["id"].as_str().unwrap()), &body);
    assert_eq!(done.status, 200, "{}", done.body);
    done.json
}

#[test]
fn procure_to_pay_with_the_three_way_match() {
    let app = spawn();
    let admin = app.admin();
    let (s1, _) = setup(&admin);
    let po = admin.post(
        "/api/v1/purchasing/orders",
        &json!({"supplier": "S1", "order_date": "2026-11-02", "lines": [{"product": "TEA", "quantity": "10"}]}),
    );
    assert_eq!(po.status, 201, "{}", po.body);
    // The supplier's price and lead time apply: 10 × 50.00 + 13 %, expected 7 days later.
    assert_eq!((po.json["total"].as_str(), po.json["expected_date"].as_str()), (Some("565.00"), Some("2026-11-09")));
    let order = po.json["id"].as_str().unwrap().to_string();
    let line = po.json["lines"][0]["id"].as_str().unwrap().to_string();
    let confirmed = admin.post(&format!("/api/v1/purchasing/orders/{order}/confirm"), &json!({}));
    assert_eq!(confirmed.json["state"], "confirmed", "{}", confirmed.body);
    // 8 of 10 arrive: stock and the 暂估 payable at the order price; a backorder waits for 2.
    let done = receive(&admin, &order, Some("8"));
    assert!(done["backorder"]["id"].is_string());
    let receipt_id = done["picking"]["id"].as_str().unwrap();
    assert_eq!(
        voucher_lines(&admin, "inventory.picking", receipt_id),
        vec![("1405".into(), "400.00".into(), String::new()), ("220202".into(), String::new(), "400.00".into())]
    );
    assert_eq!(admin.get(&format!("/api/v1/purchasing/orders/{order}")).json["lines"][0]["received"], "8.0000");
    // The supplier bills 10 at 50.00: more than came in, so the bill is booked but blocked.
    let over = admin.post(
        &format!("/api/v1/purchasing/orders/{order}/bills"),
        &json!({"supplier_reference": "24112000000098765432", "date": "2026-11-11", "post": true,
            "lines": [{"line_id": line, "quantity": "10", "unit_price": "50"}]}),
    );
    assert_eq!(over.status, 201, "{}", over.body);
    assert_eq!((over.json["match_state"].as_str(), over.json["state"].as_str()), (Some("blocked"), Some("posted")));
    assert!(over.json["match_notes"][0].as_str().unwrap().contains("超过已收货"), "{}", over.body);
    let bill = over.json["id"].as_str().unwrap().to_string();
    let pay = |amount: &str| {
        admin.post(
            "/api/v1/payments",
            &json!({"direction": "payment", "partner_id": s1, "amount": amount, "date": "2026-11-12",
                "documents": [{"kind": "purchasing.bill", "id": bill}]}),
        )
    };
    let refused = pay("565");
    assert_eq!((refused.status, refused.code()), (409, "purchasing.bill_blocked"), "{}", refused.body);
    // Nothing of the payment was written: no bank movement this month.
    let tb = admin.get("/api/v1/trial-balance?period=2026-11").json;
    assert!(tb["rows"].as_array().unwrap().iter().all(|r| r["code"] != "1002"), "{tb}");
    // Someone with the release permission lets it through (the rest was agreed to come).
    let (_, buyer) = app.user_in(app.company, "buyer", &["purchasing"]);
    assert_eq!(
        buyer.post(&format!("/api/v1/purchasing/bills/{bill}/release"), &json!({})).json["match_state"],
        "released"
    );
    // Booked: the 暂估 account is cleared for all 10 billed at the order price (500.00, though
    // only 400.00 was accrued: it shows a 100.00 debit until the last 2 arrive), input VAT
    // 65.00, payable 565.00.
    assert_eq!(
        voucher_lines(&admin, "purchasing.bill", &bill),
        vec![
            ("220201".into(), String::new(), "565.00".into()),
            ("220202".into(), "500.00".into(), String::new()),
            ("22210101".into(), "65.00".into(), String::new()),
        ]
    );
    let paid = pay("565");
    assert_eq!(paid.status, 201, "{}", paid.body);
    let b = admin.get(&format!("/api/v1/purchasing/bills/{bill}")).json;
    assert_eq!((b["state"].as_str(), b["paid"].as_str()), (Some("paid"), Some("565.00")));
    // The last 2 arrive: everything received and billed, the order is done.
    receive(&admin, &order, None);
    assert_eq!(admin.get(&format!("/api/v1/purchasing/orders/{order}")).json["state"], "done");
    app.assert_invariants();
}

#[test]
fn prices_outside_the_tolerance_block_and_inside_pass() {
    let app = spawn();
    let admin = app.admin();
    setup(&admin);
    let order = |confirm: bool| {
        let po = admin.post(
            "/api/v1/purchasing/orders",
            &json!({"supplier": "S1", "confirm": confirm, "lines": [{"product": "TEA", "quantity": "10"}]}),
        );
        (po.json["id"].as_str().unwrap().to_string(), po.json["lines"][0]["id"].as_str().unwrap().to_string())
    };
    let bill = |order: &str, line: &str, price: &str| {
        admin.post(
            &format!("/api/v1/purchasing/orders/{order}/bills"),
            &json!({"lines": [{"line_id": line, "quantity": "10", "unit_price": price}]}),
        )
    };
    // Default tolerance 1 %: 50.40 passes, 50.60 does not.
    let (first, first_line) = order(true);
    receive(&admin, &first, None);
    let inside = bill(&first, &first_line, "50.40");
    assert_eq!((inside.json["match_state"].as_str(), inside.json["state"].as_str()), (Some("matched"), Some("draft")));
    admin.post(&format!("/api/v1/purchasing/bills/{}/cancel", inside.json["id"].as_str().unwrap()), &json!({}));
    let outside = bill(&first, &first_line, "50.60");
    assert_eq!(outside.json["match_state"], "blocked");
    assert!(outside.json["match_notes"][0].as_str().unwrap().contains("相差超过 1%"), "{}", outside.body);
    admin.post(&format!("/api/v1/purchasing/bills/{}/cancel", outside.json["id"].as_str().unwrap()), &json!({}));
    // A wider tolerance lets it through; the price difference goes to cost of sales.
    let set =
        admin.put("/api/v1/purchasing/tolerances", &json!({"price_tolerance_bp": 200, "quantity_tolerance_bp": 0}));
    assert_eq!(set.status, 200, "{}", set.body);
    let wider = bill(&first, &first_line, "50.60");
    assert_eq!(wider.json["match_state"], "matched");
    let posted =
        admin.post(&format!("/api/v1/purchasing/bills/{}/post", wider.json["id"].as_str().unwrap()), &json!({}));
    assert_eq!(
        voucher_lines(&admin, "purchasing.bill", posted.json["id"].as_str().unwrap()),
        vec![
            ("220201".into(), String::new(), "571.78".into()),
            ("220202".into(), "500.00".into(), String::new()),
            ("22210101".into(), "65.78".into(), String::new()),
            ("5401".into(), "6.00".into(), String::new()),
        ]
    );
    // Nothing received, nothing billed: a draft order cancels, a confirmed one with its receipt.
    let (draft, _) = order(false);
    assert_eq!(admin.post(&format!("/api/v1/purchasing/orders/{draft}/cancel"), &json!({})).json["state"], "cancelled");
    let (waiting, _) = order(true);
    let receipt = open_receipt(&admin, &waiting)["id"].as_str().unwrap().to_string();
    assert_eq!(
        admin.post(&format!("/api/v1/purchasing/orders/{waiting}/cancel"), &json!({})).json["state"],
        "cancelled"
    );
    assert_eq!(admin.get(&format!("/api/v1/pickings/{receipt}")).json["state"], "cancelled");
    // Once goods came in, cancelling is refused (return them); a done order has no cancel.
    let (part, _) = order(true);
    receive(&admin, &part, Some("3"));
    assert_eq!(
        admin.post(&format!("/api/v1/purchasing/orders/{part}/cancel"), &json!({})).code(),
        "purchasing.order_received"
    );
    assert_eq!(
        admin.post(&format!("/api/v1/purchasing/orders/{first}/cancel"), &json!({})).code(),
        "purchasing.order_state"
    );
    app.assert_invariants();
}

#[test]
fn returns_to_the_supplier_make_a_debit_note_in_red() {
    let app = spawn();
    let admin = app.admin();
    setup(&admin);
    let po = admin.post(
        "/api/v1/purchasing/orders",
        &json!({"supplier": "S1", "confirm": true, "lines": [{"product": "TEA", "quantity": "10"}]}),
    );
    let order = po.json["id"].as_str().unwrap().to_string();
    let line = po.json["lines"][0]["id"].as_str().unwrap().to_string();
    receive(&admin, &order, None);
    let bill = admin.post(&format!("/api/v1/purchasing/orders/{order}/bills"), &json!({"post": true}));
    assert_eq!((bill.json["total"].as_str(), bill.json["match_state"].as_str()), (Some("565.00"), Some("matched")));
    let too_much = admin.post(
        &format!("/api/v1/purchasing/orders/{order}/returns"),
        &json!({"lines": [{"line_id": line, "quantity": "11"}]}),
    );
    assert_eq!(too_much.json["errors"][0]["code"], "purchasing.return_too_much");
    let back = admin.post(
        &format!("/api/v1/purchasing/orders/{order}/returns"),
        &json!({"reason": "质量不合格", "lines": [{"line_id": line, "quantity": "2"}]}),
    );
    assert_eq!((back.status, back.json["to"].as_str()), (201, Some("SUPPLIER")), "{}", back.body);
    let id = back.json["id"].as_str().unwrap();
    assert_eq!(admin.post(&format!("/api/v1/pickings/{id}/validate"), &json!({})).status, 200);
    let debit = admin.post(&format!("/api/v1/purchasing/orders/{order}/bills"), &json!({"post": true}));
    assert_eq!((debit.json["kind"].as_str(), debit.json["total"].as_str()), (Some("debit_note"), Some("113.00")));
    assert!(debit.json["number"].as_str().unwrap().starts_with("DN-"));
    assert_eq!(
        voucher_lines(&admin, "purchasing.bill", debit.json["id"].as_str().unwrap()),
        vec![
            ("220201".into(), String::new(), "-113.00".into()),
            ("220202".into(), "-100.00".into(), String::new()),
            ("22210101".into(), "-13.00".into(), String::new()),
        ]
    );
    assert_eq!(admin.get(&format!("/api/v1/purchasing/orders/{order}")).json["state"], "done");
    app.assert_invariants();
}

#[test]
fn requisitions_from_reorder_rules_and_quotations_compared() {
    let app = spawn();
    let admin = app.admin();
    let (s1, s2) = setup(&admin);
    let rule = admin.put(
        "/api/v1/reorder-rules",
        &json!({"product": "TEA", "location": "WH/STOCK", "min_qty": "5", "max_qty": "20"}),
    );
    assert_eq!(rule.status, 204, "{}", rule.body);
    let requisition = admin.post("/api/v1/purchasing/requisitions/from-replenishment", &json!({}));
    assert_eq!(requisition.status, 201, "{}", requisition.body);
    assert_eq!(requisition.json["lines"][0]["quantity"], "20.0000");
    assert_eq!(requisition.json["lines"][0]["supplier_id"], s1, "the cheaper supplier is proposed");
    let id = requisition.json["id"].as_str().unwrap();
    assert_eq!(
        admin.post(&format!("/api/v1/purchasing/requisitions/{id}/order"), &json!({})).code(),
        "purchasing.requisition_state"
    );
    assert_eq!(
        admin.post(&format!("/api/v1/purchasing/requisitions/{id}/approve"), &json!({})).json["state"],
        "approved"
    );
    let orders = admin.post(&format!("/api/v1/purchasing/requisitions/{id}/order"), &json!({}));
    assert_eq!(orders.status, 201, "{}", orders.body);
    assert_eq!(
        (orders.json[0]["supplier_id"].as_str(), orders.json[0]["total"].as_str()),
        (Some(s1.as_str()), Some("1130.00"))
    );
    assert_eq!(orders.json[0]["source"], requisition.json["number"]);
    // A request for quotation to both, the comparison, and the award of the best price.
    let rfq = admin.post(
        "/api/v1/purchasing/rfqs",
        &json!({"suppliers": ["S1", "S2"], "lines": [{"product": "TEA", "quantity": "100"}]}),
    );
    assert_eq!(rfq.status, 201, "{}", rfq.body);
    let rfq_id = rfq.json["id"].as_str().unwrap().to_string();
    let rfq_line = rfq.json["lines"][0]["line_id"].as_str().unwrap().to_string();
    for (supplier, price, lead) in [("S1", "49", 7), ("S2", "47.5", 3)] {
        let quoted = admin.post(
            &format!("/api/v1/purchasing/rfqs/{rfq_id}/quotes"),
            &json!({"supplier": supplier, "lines": [{"line_id": rfq_line, "unit_price": price, "lead_time_days": lead}]}),
        );
        assert_eq!(quoted.status, 200, "{}", quoted.body);
    }
    let table = admin.get(&format!("/api/v1/purchasing/rfqs/{rfq_id}")).json;
    let quotes = table["lines"][0]["quotes"].as_array().unwrap();
    let best: Vec<&str> =
        quotes.iter().filter(|q| q["best"] == true).map(|q| q["supplier_id"].as_str().unwrap()).collect();
    assert_eq!(best, vec![s2.as_str()]);
    assert_eq!(
        table["suppliers"].as_array().unwrap().iter().find(|s| s["supplier_id"] == s2).unwrap()["amount"],
        "4750.00"
    );
    let awarded = admin.post(&format!("/api/v1/purchasing/rfqs/{rfq_id}/award"), &json!({"confirm": true}));
    assert_eq!(awarded.status, 201, "{}", awarded.body);
    assert_eq!(
        (awarded.json[0]["supplier_id"].as_str(), awarded.json[0]["state"].as_str()),
        (Some(s2.as_str()), Some("confirmed"))
    );
    assert_eq!(awarded.json[0]["lines"][0]["unit_price"], "47.500000");
    assert_eq!(
        admin.post(&format!("/api/v1/purchasing/rfqs/{rfq_id}/award"), &json!({})).code(),
        "purchasing.rfq_state"
    );
    app.assert_invariants();
}
