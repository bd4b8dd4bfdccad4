//! Order to cash through the API, on SQLite and PostgreSQL: quotations, confirmation with the
//! credit limit and stock reservation, partial deliveries, invoices booked with 13 % VAT,
//! receipts that mark them paid, returns with credit notes in red ink, cancellation at every
//! state, and what a salesperson may see. The books balance after every scenario.

use serde_json::{Value, json};
use testkit::external::pdf_text;
use testkit::{Client, spawn};

/// A stockable tea at 100.00 + 13 % VAT, a service, 20 teas in stock at 50.00, and a customer.
fn setup(admin: &Client, credit_limit: &str) -> String {
    let tea = admin.post(
        "/api/v1/products",
        &json!({"code": "TEA", "name": "龙井茶", "kind": "stockable", "uom": "pcs", "tax": "VAT13", "list_price": "100"}),
    );
    assert_eq!(tea.status, 201, "{}", tea.body);
    admin.post(
        "/api/v1/products",
        &json!({"code": "SETUP", "name": "安装服务", "kind": "service", "uom": "pcs", "tax": "VAT6", "list_price": "200"}),
    );
    let receipt = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "lines": [{"product": "TEA", "quantity": "20", "unit_cost": "50"}]}),
    );
    let id = receipt.json["id"].as_str().unwrap();
    assert_eq!(admin.post(&format!("/api/v1/pickings/{id}/validate"), &json!({"date": "2026-11-01"})).status, 200);
    let customer = admin.post(
        "/api/v1/parties",
        &json!({"code": "C1", "name": "杭州茶行", "kind": "customer", "credit_limit": credit_limit}),
    );
    assert_eq!(customer.status, 201, "{}", customer.body);
    customer.json["id"].as_str().unwrap().to_string()
}

fn voucher_lines(client: &Client, kind: &str, id: &str) -> Vec<(String, String, String)> {
    let vouchers = client.get(&format!("/api/v1/vouchers?kind={kind}&id={id}")).json;
    assert_eq!(vouchers.as_array().map(Vec::len), Some(1), "{vouchers}");
    vouchers[0]["lines"]
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
        .collect()
}

fn delivery_of(client: &Client, order: &str) -> Value {
    let pickings = client.get(&format!("/api/v1/sales/orders/{order}/pickings")).json;
    pickings
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "delivery" && p["state"] != "done" && p["state"] != "cancelled")
        .cloned()
        .unwrap_or(Value::Null)
}

fn action(client: &Client, order: &str, what: &str) -> testkit::Answer {
    client.post(&format!("/api/v1/sales/orders/{order}/{what}"), &json!({}))
}

#[test]
fn order_to_cash_with_partial_delivery_vat_and_payment() {
    let app = spawn();
    let admin = app.admin();
    let customer = setup(&admin, "0");
    let quote = admin.post(
        "/api/v1/sales/orders",
        &json!({"customer": "C1", "order_date": "2026-11-02", "valid_until": "2099-12-31",
            "lines": [{"product": "TEA", "quantity": "10"},
                      {"product": "TEA", "quantity": "2", "unit_price": "90", "discount": "10"},
                      {"product": "SETUP", "quantity": "1"}]}),
    );
    assert_eq!(quote.status, 201, "{}", quote.body);
    let order = quote.json["id"].as_str().unwrap().to_string();
    // 10 × 100 = 1,000.00 + 130.00; 2 × 90 × 90 % = 162.00 + 21.06; service 200.00 + 12.00.
    assert_eq!((quote.json["untaxed"].as_str(), quote.json["tax"].as_str()), (Some("1362.00"), Some("163.06")));
    assert_eq!(quote.json["total"], "1525.06");
    assert_eq!(quote.json["state"], "draft");
    assert!(quote.json["number"].as_str().unwrap().starts_with("SO-2026-"));
    assert_eq!(action(&admin, &order, "send").json["state"], "sent");
    let confirmed = action(&admin, &order, "confirm");
    assert_eq!(confirmed.json["state"], "confirmed", "{}", confirmed.body);
    // The service counts as delivered; the teas wait in a reserved delivery.
    assert_eq!(confirmed.json["lines"][2]["delivered"], "1.0000");
    let delivery = delivery_of(&admin, &order);
    assert_eq!(delivery["state"], "ready", "{delivery}");
    assert_eq!(delivery["origin"]["id"], order);
    let reserved: Vec<&str> =
        delivery["moves"].as_array().unwrap().iter().map(|m| m["reserved"].as_str().unwrap()).collect();
    assert_eq!(reserved, vec!["10.0000", "2.0000"]);
    // Deliver 6 of the 10 and none of the 2: a backorder keeps the rest.
    let moves = delivery["moves"].as_array().unwrap();
    let first_move = moves.iter().find(|m| m["quantity"] == "10.0000").unwrap()["id"].as_str().unwrap();
    let done = admin.post(
        &format!("/api/v1/pickings/{}/validate", delivery["id"].as_str().unwrap()),
        &json!({"date": "2026-11-03", "lines": [{"move_id": first_move, "quantity": "6"}]}),
    );
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.json["backorder"]["id"].is_string());
    let after = admin.get(&format!("/api/v1/sales/orders/{order}")).json;
    assert_eq!(
        (after["lines"][0]["delivered"].as_str(), after["lines"][1]["delivered"].as_str()),
        (Some("6.0000"), Some("0.0000"))
    );
    assert_eq!(
        (after["delivery_status"].as_str(), after["invoice_status"].as_str()),
        (Some("partial"), Some("to_invoice"))
    );
    // Invoice what was delivered: 6 teas and the service.
    let invoice = admin.post(
        &format!("/api/v1/sales/orders/{order}/invoices"),
        &json!({"basis": "delivered", "date": "2026-11-04", "post": true}),
    );
    assert_eq!(invoice.status, 201, "{}", invoice.body);
    let inv = invoice.json["id"].as_str().unwrap().to_string();
    assert_eq!((invoice.json["untaxed"].as_str(), invoice.json["tax"].as_str()), (Some("800.00"), Some("90.00")));
    assert_eq!((invoice.json["total"].as_str(), invoice.json["state"].as_str()), (Some("890.00"), Some("posted")));
    assert_eq!(invoice.json["buyer_name"], "杭州茶行");
    let mut lines = voucher_lines(&admin, "sales.invoice", &inv);
    lines.sort();
    assert_eq!(
        lines,
        vec![
            ("1122".into(), "890.00".into(), "".into()),
            // 13% on 600.00 and 6% on 200.00 in one 销项税额 line (the rates are on the invoice).
            ("22210102".into(), "".into(), "90.00".into()),
            ("5001".into(), "".into(), "800.00".into()),
        ]
    );
    // The invoice and the order print as PDF with the company header and the amount in words.
    let pdf = admin.get(&format!("/api/v1/sales/invoices/{inv}/pdf"));
    assert_eq!((pdf.status, pdf.header("content-type")), (200, Some("application/pdf")));
    let order_pdf = admin.get(&format!("/api/v1/sales/orders/{order}/pdf"));
    let delivery_pdf = admin.get(&format!("/api/v1/pickings/{}/pdf", delivery["id"].as_str().unwrap()));
    assert_eq!((order_pdf.status, delivery_pdf.status), (200, 200));
    if let Some(text) = pdf_text(&pdf.bytes) {
        assert!(text.contains("销售发票") && text.contains("捌佰玖拾元整") && text.contains("杭州茶行"), "{text}");
        assert!(pdf_text(&order_pdf.bytes).unwrap().contains("销售订单"));
        assert!(pdf_text(&delivery_pdf.bytes).unwrap().contains("送货单"));
    }
    // Nothing more to invoice until more is delivered.
    let again = admin.post(&format!("/api/v1/sales/orders/{order}/invoices"), &json!({}));
    assert_eq!(again.code(), "sales.nothing_to_invoice");
    // A receipt of part, then the rest: the invoice is paid.
    let pay = |amount: &str| {
        admin.post(
            "/api/v1/payments",
            &json!({"direction": "receipt", "partner_id": customer, "amount": amount, "date": "2026-11-05",
                "reference": "工行回单", "documents": [{"kind": "sales.invoice", "id": inv}]}),
        )
    };
    let first = pay("500");
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.json["settled"][0]["amount"], "500.00");
    let half = admin.get(&format!("/api/v1/sales/invoices/{inv}")).json;
    assert_eq!((half["state"].as_str(), half["paid"].as_str()), (Some("posted"), Some("500.00")));
    let rest = pay("400");
    assert_eq!(rest.json["unapplied"], "10.00", "10.00 stays as an advance");
    let paid = admin.get(&format!("/api/v1/sales/invoices/{inv}")).json;
    assert_eq!((paid["state"].as_str(), paid["paid"].as_str()), (Some("paid"), Some("890.00")));
    let receipt_lines = voucher_lines(&admin, "ledger.payment", rest.json["id"].as_str().unwrap());
    assert!(receipt_lines.contains(&("1002".into(), "400.00".into(), String::new())), "{receipt_lines:?}");
    // Deliver the backorder, invoice the rest: the order is done.
    let backorder = done.json["backorder"]["id"].as_str().unwrap();
    assert_eq!(
        admin.post(&format!("/api/v1/pickings/{backorder}/validate"), &json!({"date": "2026-11-06"})).status,
        200
    );
    let last =
        admin.post(&format!("/api/v1/sales/orders/{order}/invoices"), &json!({"post": true, "date": "2026-11-06"}));
    assert_eq!(last.json["total"], "635.06", "{}", last.body);
    // Sales by rate for the VAT return: the teas at 13 %, the service at 6 %.
    let by_rate = admin.get("/api/v1/sales/vat-by-rate?period=2026-11").json;
    let rates: Vec<(&str, &str, &str)> = by_rate
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["tax_code"].as_str().unwrap(), r["untaxed"].as_str().unwrap(), r["tax"].as_str().unwrap()))
        .collect();
    assert_eq!(rates, vec![("VAT13", "1162.00", "151.06"), ("VAT6", "200.00", "12.00")], "{by_rate}");
    let finished = admin.get(&format!("/api/v1/sales/orders/{order}")).json;
    assert_eq!((finished["state"].as_str(), finished["invoice_status"].as_str()), (Some("done"), Some("invoiced")));
    // Cost of goods: 12 teas at 50.00 left stock against 5401.
    let tb = admin.get("/api/v1/trial-balance?period=2026-11").json;
    let row = |code: &str| tb["rows"].as_array().unwrap().iter().find(|r| r["code"] == code).cloned().unwrap();
    assert_eq!(row("5401")["period_debit"], "600.00");
    assert_eq!(row("1122")["closing_debit"], "625.06", "1,525.06 invoiced − 900.00 received");
    assert_eq!(row("5001")["period_credit"], "1362.00");
    app.assert_invariants();
}

#[test]
fn the_credit_limit_needs_an_override() {
    let app = spawn();
    let admin = app.admin();
    setup(&admin, "1000");
    let (_, seller) = app.user_in(app.company, "seller", &["sales"]);
    let order = seller
        .post("/api/v1/sales/orders", &json!({"customer": "C1", "lines": [{"product": "TEA", "quantity": "10"}]}));
    assert_eq!(order.status, 201, "{}", order.body);
    let id = order.json["id"].as_str().unwrap().to_string();
    let refused = action(&seller, &id, "confirm");
    assert_eq!((refused.status, refused.code()), (409, "sales.credit_limit_exceeded"));
    assert_eq!(refused.json["params"]["exposure"], "1130.00", "{}", refused.body);
    // The salesperson's role holds sales.*, including the override, but must ask for it.
    let (_, clerk) = app.user_in(app.company, "clerk", &["readonly"]);
    assert_eq!(
        clerk.post(&format!("/api/v1/sales/orders/{id}/confirm"), &json!({"override_credit": true})).status,
        403
    );
    let overridden = seller.post(&format!("/api/v1/sales/orders/{id}/confirm"), &json!({"override_credit": true}));
    assert_eq!(overridden.json["state"], "confirmed", "{}", overridden.body);
    assert!(overridden.json["credit_approved_by"].is_string());
    // An unconfirmed order and open receivables count against the limit too.
    let small = seller
        .post("/api/v1/sales/orders", &json!({"customer": "C1", "lines": [{"product": "SETUP", "quantity": "1"}]}));
    let small_id = small.json["id"].as_str().unwrap();
    assert_eq!(action(&seller, small_id, "confirm").code(), "sales.credit_limit_exceeded");
    app.assert_invariants();
}

#[test]
fn cancellation_at_every_state() {
    let app = spawn();
    let admin = app.admin();
    setup(&admin, "0");
    let new_order = || {
        let o = admin
            .post("/api/v1/sales/orders", &json!({"customer": "C1", "lines": [{"product": "TEA", "quantity": "5"}]}));
        o.json["id"].as_str().unwrap().to_string()
    };
    // A quotation past its validity is not confirmed as it stands.
    let stale = admin.post(
        "/api/v1/sales/orders",
        &json!({"customer": "C1", "valid_until": "2026-01-31", "lines": [{"product": "TEA", "quantity": "1"}]}),
    );
    let stale_id = stale.json["id"].as_str().unwrap();
    let refused = action(&admin, stale_id, "confirm");
    assert_eq!((refused.status, refused.code()), (409, "sales.quotation_expired"), "{}", refused.body);
    // Draft and sent quotations cancel.
    let draft = new_order();
    assert_eq!(action(&admin, &draft, "cancel").json["state"], "cancelled");
    assert_eq!(action(&admin, &draft, "confirm").code(), "sales.order_state", "nothing happens to a cancelled order");
    let sent = new_order();
    action(&admin, &sent, "send");
    assert_eq!(action(&admin, &sent, "cancel").json["state"], "cancelled");
    // A confirmed order cancels and gives its reservation back.
    let confirmed = new_order();
    action(&admin, &confirmed, "confirm");
    let delivery = delivery_of(&admin, &confirmed)["id"].as_str().unwrap().to_string();
    assert_eq!(action(&admin, &confirmed, "cancel").json["state"], "cancelled");
    assert_eq!(admin.get(&format!("/api/v1/pickings/{delivery}")).json["state"], "cancelled");
    // All 20 can be reserved again.
    let all = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "delivery", "strict": true, "lines": [{"product": "TEA", "quantity": "20"}]}),
    );
    assert_eq!(all.json["state"], "ready", "{}", all.body);
    let all_id = all.json["id"].as_str().unwrap();
    admin.post(&format!("/api/v1/pickings/{all_id}/cancel"), &json!({}));
    // Once goods have left, cancelling is refused: return them instead.
    let shipped = new_order();
    action(&admin, &shipped, "confirm");
    let d = delivery_of(&admin, &shipped);
    let mv = d["moves"][0]["id"].as_str().unwrap();
    admin.post(
        &format!("/api/v1/pickings/{}/validate", d["id"].as_str().unwrap()),
        &json!({"lines": [{"move_id": mv, "quantity": "2"}]}),
    );
    assert_eq!(action(&admin, &shipped, "cancel").code(), "sales.order_delivered");
    // A done order has no cancel at all.
    let rest = delivery_of(&admin, &shipped)["id"].as_str().unwrap().to_string();
    admin.post(&format!("/api/v1/pickings/{rest}/validate"), &json!({}));
    admin.post(&format!("/api/v1/sales/orders/{shipped}/invoices"), &json!({"post": true}));
    let done = admin.get(&format!("/api/v1/sales/orders/{shipped}")).json;
    assert_eq!(done["state"], "done");
    assert!(!done["actions"].as_array().unwrap().contains(&json!("cancel")));
    assert_eq!(action(&admin, &shipped, "cancel").code(), "sales.order_state");
    app.assert_invariants();
}

#[test]
fn returns_come_back_to_stock_with_a_credit_note_in_red() {
    let app = spawn();
    let admin = app.admin();
    let customer = setup(&admin, "0");
    let o = admin.post(
        "/api/v1/sales/orders",
        &json!({"customer": "C1", "confirm": true, "price_includes_tax": true,
            "lines": [{"product": "TEA", "quantity": "10", "unit_price": "113"}]}),
    );
    assert_eq!(o.json["state"], "confirmed", "{}", o.body);
    assert_eq!((o.json["untaxed"].as_str(), o.json["tax"].as_str()), (Some("1000.00"), Some("130.00")));
    let order = o.json["id"].as_str().unwrap().to_string();
    let line = o.json["lines"][0]["id"].as_str().unwrap().to_string();
    let d = delivery_of(&admin, &order)["id"].as_str().unwrap().to_string();
    admin.post(&format!("/api/v1/pickings/{d}/validate"), &json!({}));
    let invoice = admin.post(&format!("/api/v1/sales/orders/{order}/invoices"), &json!({"post": true}));
    assert_eq!(invoice.json["total"], "1130.00");
    // More than was delivered cannot come back.
    let too_much = admin.post(
        &format!("/api/v1/sales/orders/{order}/returns"),
        &json!({"lines": [{"line_id": line, "quantity": "11"}]}),
    );
    assert_eq!(too_much.json["errors"][0]["code"], "sales.return_too_much", "{}", too_much.body);
    let rma = admin.post(
        &format!("/api/v1/sales/orders/{order}/returns"),
        &json!({"reason": "破损", "lines": [{"line_id": line, "quantity": "3"}]}),
    );
    assert_eq!(rma.status, 201, "{}", rma.body);
    assert_eq!(rma.json["from"], "CUSTOMER");
    let rma_id = rma.json["id"].as_str().unwrap();
    assert_eq!(admin.post(&format!("/api/v1/pickings/{rma_id}/validate"), &json!({})).status, 200);
    let back = admin.get(&format!("/api/v1/sales/orders/{order}")).json;
    assert_eq!(
        (back["lines"][0]["returned"].as_str(), back["invoice_status"].as_str()),
        (Some("3.0000"), Some("to_invoice"))
    );
    let credit = admin.post(&format!("/api/v1/sales/orders/{order}/invoices"), &json!({"post": true}));
    assert_eq!(credit.status, 201, "{}", credit.body);
    assert_eq!((credit.json["kind"].as_str(), credit.json["total"].as_str()), (Some("credit_note"), Some("339.00")));
    assert!(credit.json["number"].as_str().unwrap().starts_with("RINV-"));
    let mut red = voucher_lines(&admin, "sales.invoice", credit.json["id"].as_str().unwrap());
    red.sort();
    assert_eq!(
        red,
        vec![
            ("1122".into(), "-339.00".into(), "".into()),
            ("22210102".into(), "".into(), "-39.00".into()),
            ("5001".into(), "".into(), "-300.00".into()),
        ]
    );
    // The returned teas came back at their cost: 10 out at 50.00, 3 back.
    let tb = admin.get(&format!("/api/v1/trial-balance?period={}", &kernel_month())).json;
    let row = |code: &str| tb["rows"].as_array().unwrap().iter().find(|r| r["code"] == code).cloned().unwrap();
    assert_eq!(row("5401")["closing_debit"], "350.00");
    // Matching the credit note against the invoice leaves 791.00 to pay.
    let matched = admin.post("/api/v1/reconcile/auto", &json!({"role": "receivable"}));
    assert_eq!(matched.status, 200, "{}", matched.body);
    let inv = admin.get(&format!("/api/v1/sales/invoices/{}", invoice.json["id"].as_str().unwrap())).json;
    assert_eq!(inv["paid"], "339.00");
    let pay = admin.post(
        "/api/v1/payments",
        &json!({"direction": "receipt", "partner_id": customer, "amount": "791",
            "documents": [{"kind": "sales.invoice", "id": invoice.json["id"]}]}),
    );
    assert_eq!(pay.json["unapplied"], "0.00", "{}", pay.body);
    let inv = admin.get(&format!("/api/v1/sales/invoices/{}", invoice.json["id"].as_str().unwrap())).json;
    assert_eq!(inv["state"], "paid");
    app.assert_invariants();
}

fn kernel_month() -> String {
    let now = time::OffsetDateTime::now_utc().to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap());
    format!("{}-{:02}", now.year(), u8::from(now.month()))
}

#[test]
fn a_salesperson_sees_own_orders_and_buttons_follow_permissions() {
    let app = spawn();
    let admin = app.admin();
    setup(&admin, "0");
    let (_, ann) = app.user_in(app.company, "ann", &["sales"]);
    let (bob_id, bob) = app.user_in(app.company, "bob", &["sales"]);
    let mine =
        ann.post("/api/v1/sales/orders", &json!({"customer": "C1", "lines": [{"product": "TEA", "quantity": "1"}]}));
    assert_eq!(mine.status, 201, "{}", mine.body);
    let id = mine.json["id"].as_str().unwrap();
    bob.post("/api/v1/sales/orders", &json!({"customer": "C1", "lines": [{"product": "TEA", "quantity": "2"}]}));
    assert_eq!(ann.get("/api/v1/sales/orders").json["items"].as_array().unwrap().len(), 1);
    assert_eq!(admin.get("/api/v1/sales/orders").json["items"].as_array().unwrap().len(), 2);
    assert_eq!(bob.get(&format!("/api/v1/sales/orders/{id}")).status, 404, "another's order does not exist for bob");
    assert_eq!(bob.post(&format!("/api/v1/sales/orders/{id}/confirm"), &json!({})).status, 404);
    let actions = mine.json["actions"].as_array().unwrap();
    assert!(actions.contains(&json!("confirm")) && actions.contains(&json!("send")));
    // The warehouse reads no orders; a read-only user sees them without buttons.
    let (_, keeper) = app.user_in(app.company, "keeper", &["warehouse"]);
    assert_eq!(keeper.get("/api/v1/sales/orders").status, 403);
    let (_, viewer) = app.user_in(app.company, "viewer", &["readonly"]);
    let seen = viewer.get(&format!("/api/v1/sales/orders/{id}"));
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert_eq!(seen.json["actions"], json!([]));
    // Bad input: every bad line at once, nothing written.
    let bad = ann.post(
        "/api/v1/sales/orders",
        &json!({"customer": "C1", "lines": [{"product": "NOPE", "quantity": "1"}, {"product": "TEA", "quantity": "-1"},
            {"product": "TEA", "quantity": "1", "discount": "150"}]}),
    );
    assert_eq!(bad.status, 422);
    let fields: Vec<&str> =
        bad.json["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["lines[0].product", "lines[1].quantity", "lines[2].discount"]);
    // Nor can ann write an order in bob's name (she would not see it): refused, nothing written.
    let for_bob = ann.post(
        "/api/v1/sales/orders",
        &json!({"customer": "C1", "salesperson_id": bob_id.to_string(), "lines": [{"product": "TEA", "quantity": "1"}]}),
    );
    assert_eq!(for_bob.status, 422, "{}", for_bob.body);
    assert_eq!(for_bob.json["errors"][0]["field"], "salesperson_id");
    assert_eq!(admin.get("/api/v1/sales/orders").json["items"].as_array().unwrap().len(), 2);
    app.assert_invariants();
}

/// A real SMTP server on loopback (Python's aiosmtpd, installed by `.ci/run`) writing what it
/// receives into a Maildir; None (the test says SKIPPED) where aiosmtpd is not installed.
struct SmtpServer {
    child: std::process::Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl SmtpServer {
    fn start() -> Option<SmtpServer> {
        if !testkit::external::python_module("aiosmtpd", "python3 -m pip install aiosmtpd") {
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let maildir = tempfile::tempdir().unwrap();
        let child = std::process::Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail"))
            .spawn()
            .expect("python3 -m aiosmtpd (pip install aiosmtpd)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Some(SmtpServer { child, port, maildir })
    }

    /// Every message received, raw.
    fn messages(&self) -> Vec<String> {
        let new = self.maildir.path().join("mail").join("new");
        std::fs::read_dir(new)
            .map(|d| d.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect())
            .unwrap_or_default()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_quotation_is_mailed_to_the_customer_as_pdf() {
    let app = spawn();
    let admin = app.admin();
    setup(&admin, "0");
    let quote = admin.post(
        "/api/v1/sales/orders",
        &json!({"customer": "C1", "valid_until": "2099-12-31", "lines": [{"product": "TEA", "quantity": "3"}]}),
    );
    let id = quote.json["id"].as_str().unwrap();
    let bad = admin.post(&format!("/api/v1/sales/orders/{id}/send"), &json!({"to": "not-an-address"}));
    assert_eq!(bad.json["errors"][0]["code"], "sales.email_invalid", "{}", bad.body);
    let sent = admin.post(&format!("/api/v1/sales/orders/{id}/send"), &json!({"to": "buyer@example.com"}));
    assert_eq!(sent.json["state"], "sent", "{}", sent.body);
    // The outbox delivers it after commit through the SMTP server.
    let Some(smtp) = SmtpServer::start() else { return };
    let mail = server::mail::MailConfig {
        smtp_url: format!("smtp://127.0.0.1:{}", smtp.port),
        from: "销售部 <sales@example.com>".into(),
    };
    let handlers = server::wiring::outbox_handlers(&mail);
    let policy = kernel::outbox::WorkerPolicy::default();
    let report = kernel::outbox::deliver_due(&app.db, app.clock.as_ref(), &policy, &handlers).unwrap();
    assert_eq!(report.delivered, 1, "{report:?}");
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    let raw = &messages[0];
    assert!(raw.contains("To: buyer@example.com"), "{raw}");
    assert!(raw.contains("application/pdf") && raw.contains(".pdf"), "{raw}");
    // The attachment is the quotation's PDF.
    let part = raw.replace("\r\n", "\n");
    let part = part.split("Content-Type: application/pdf").nth(1).unwrap();
    let body = part.split_once("\n\n").unwrap().1;
    let b64: String = body.lines().take_while(|l| !l.is_empty() && !l.starts_with("--")).collect();
    use base64::Engine;
    let pdf = base64::engine::general_purpose::STANDARD.decode(b64.trim()).unwrap();
    if let Some(text) = pdf_text(&pdf) {
        assert!(text.contains("报价单"), "{text}");
    }
    app.assert_invariants();
}

#[test]
fn a_usd_invoice_paid_at_a_later_rate_books_the_exchange_gain() {
    let app = spawn();
    let admin = app.admin();
    setup(&admin, "0");
    for (date, rate) in [("2026-11-01", "7.10"), ("2026-11-20", "7.20")] {
        let set = admin.post("/api/v1/exchange-rates", &json!({"currency": "USD", "date": date, "rate": rate}));
        assert!(set.status < 300, "{}", set.body);
    }
    let buyer = admin.post(
        "/api/v1/parties",
        &json!({"code": "US1", "name": "Boston Tea Co.", "kind": "customer", "currency": "USD", "country": "US"}),
    );
    assert_eq!(buyer.status, 201, "{}", buyer.body);
    let buyer = buyer.json["id"].as_str().unwrap().to_string();
    // An export: 10 teas at USD 100.00, VAT 0 %.
    let order = admin.post(
        "/api/v1/sales/orders",
        &json!({"customer": "US1", "order_date": "2026-11-02", "confirm": true,
            "lines": [{"product": "TEA", "quantity": "10", "unit_price": "100", "tax": "VAT0"}]}),
    );
    assert_eq!(
        (order.json["currency"].as_str(), order.json["total"].as_str()),
        (Some("USD"), Some("1000.00")),
        "{}",
        order.body
    );
    let id = order.json["id"].as_str().unwrap().to_string();
    let delivery = delivery_of(&admin, &id)["id"].as_str().unwrap().to_string();
    admin.post(&format!("/api/v1/pickings/{delivery}/validate"), &json!({"date": "2026-11-03"}));
    let invoice =
        admin.post(&format!("/api/v1/sales/orders/{id}/invoices"), &json!({"date": "2026-11-05", "post": true}));
    let inv = invoice.json["id"].as_str().unwrap().to_string();
    // Booked at the invoice date's rate: 1,000 × 7.10.
    let mut booked = voucher_lines(&admin, "sales.invoice", &inv);
    booked.sort();
    assert_eq!(
        booked,
        vec![("1122".into(), "7100.00".into(), "".into()), ("5001".into(), "".into(), "7100.00".into())]
    );
    // Paid on the 25th at 7.20: the bank gets 7,200.00, the receivable is cleared at 7,100.00,
    // and 100.00 is a realised exchange gain (小企业会计准则: 财务费用—汇兑损益, credited).
    let paid = admin.post(
        "/api/v1/payments",
        &json!({"direction": "receipt", "partner_id": buyer, "amount": "1000", "currency": "USD", "date": "2026-11-25",
            "documents": [{"kind": "sales.invoice", "id": inv}]}),
    );
    assert_eq!(paid.status, 201, "{}", paid.body);
    assert_eq!(
        (paid.json["amount"].as_str(), paid.json["exchange_difference"].as_str()),
        (Some("7200.00"), Some("100.00"))
    );
    let mut lines = voucher_lines(&admin, "ledger.payment", paid.json["id"].as_str().unwrap());
    lines.sort();
    assert_eq!(
        lines,
        vec![
            ("1002".into(), "7200.00".into(), "".into()),
            ("1122".into(), "".into(), "7100.00".into()),
            ("5603".into(), "".into(), "100.00".into()),
        ]
    );
    assert_eq!(admin.get(&format!("/api/v1/sales/invoices/{inv}")).json["state"], "paid");
    // A USD payment cannot settle a CNY invoice.
    let cny = admin.post(
        "/api/v1/sales/orders",
        &json!({"customer": "C1", "confirm": true, "lines": [{"product": "TEA", "quantity": "1", "unit_price": "10"}]}),
    );
    let cny_id = cny.json["id"].as_str().unwrap().to_string();
    let d = delivery_of(&admin, &cny_id)["id"].as_str().unwrap().to_string();
    admin.post(&format!("/api/v1/pickings/{d}/validate"), &json!({}));
    let cny_invoice = admin.post(&format!("/api/v1/sales/orders/{cny_id}/invoices"), &json!({"post": true}));
    let c1 = cny.json["customer_id"].as_str().unwrap();
    let wrong = admin.post(
        "/api/v1/payments",
        &json!({"direction": "receipt", "partner_id": c1, "amount": "1", "currency": "USD",
            "documents": [{"kind": "sales.invoice", "id": cny_invoice.json["id"]}]}),
    );
    assert_eq!(wrong.json["errors"][0]["code"], "ledger.payment_currency_mismatch", "{}", wrong.body);
    app.assert_invariants();
}

#[test]
fn open_usd_items_are_revalued_at_month_end_and_the_adjustment_reversed() {
    let app = spawn();
    let admin = app.admin();
    setup(&admin, "0");
    for (date, rate) in [("2026-10-01", "7.10"), ("2026-11-20", "7.20")] {
        let set = admin.post("/api/v1/exchange-rates", &json!({"currency": "USD", "date": date, "rate": rate}));
        assert!(set.status < 300, "{}", set.body);
    }
    let buyer = admin.post(
        "/api/v1/parties",
        &json!({"code": "US1", "name": "Boston Tea Co.", "kind": "customer", "currency": "USD", "country": "US"}),
    );
    let buyer = buyer.json["id"].as_str().unwrap().to_string();
    let order = admin.post(
        "/api/v1/sales/orders",
        &json!({"customer": "US1", "order_date": "2026-10-02", "confirm": true,
            "lines": [{"product": "TEA", "quantity": "10", "unit_price": "100", "tax": "VAT0"}]}),
    );
    let id = order.json["id"].as_str().unwrap().to_string();
    let delivery = delivery_of(&admin, &id)["id"].as_str().unwrap().to_string();
    admin.post(&format!("/api/v1/pickings/{delivery}/validate"), &json!({"date": "2026-10-03"}));
    let invoice =
        admin.post(&format!("/api/v1/sales/orders/{id}/invoices"), &json!({"date": "2026-10-05", "post": true}));
    let inv = invoice.json["id"].as_str().unwrap().to_string();
    // At the end of October the dollar stands at 7.15: USD 1,000.00 booked at 7,100.00 is worth
    // 7,150.00, an unrealised gain of 50.00, reversed on 1 November.
    let revalued = admin.post("/api/v1/periods/2026-10/revalue", &json!({"rates": {"USD": "7.15"}}));
    assert_eq!(revalued.status, 200, "{}", revalued.body);
    let item = &revalued.json["items"][0];
    assert_eq!(
        (
            item["open_foreign"].as_str(),
            item["booked"].as_str(),
            item["revalued"].as_str(),
            item["difference"].as_str()
        ),
        (Some("1000.00"), Some("7100.00"), Some("7150.00"), Some("50.00"))
    );
    assert_eq!(revalued.json["gain"], "50.00");
    let voucher = admin.get(&format!("/api/v1/vouchers/{}", revalued.json["voucher_id"].as_str().unwrap())).json;
    assert_eq!(voucher["date"], "2026-10-31");
    let mut lines: Vec<(String, String, String)> = voucher["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["account_code"].as_str().unwrap().into(),
                l["debit"].as_str().unwrap().into(),
                l["credit"].as_str().unwrap().into(),
            )
        })
        .collect();
    lines.sort();
    assert_eq!(lines, vec![("1122".into(), "50.00".into(), "".into()), ("5603".into(), "".into(), "50.00".into())]);
    let reversal = admin.get(&format!("/api/v1/vouchers/{}", revalued.json["reversal_id"].as_str().unwrap())).json;
    assert_eq!(reversal["date"], "2026-11-01");
    let october = admin.get("/api/v1/trial-balance?period=2026-10").json;
    let ar = october["rows"].as_array().unwrap().iter().find(|r| r["code"] == "1122").unwrap().clone();
    assert_eq!(ar["closing_debit"], "7150.00", "the balance sheet shows the month-end worth");
    assert_eq!(
        admin.post("/api/v1/periods/2026-10/revalue", &json!({})).code(),
        "ledger.already_revalued",
        "once per month"
    );
    // The adjustment and its reversal are not open items: only the invoice is.
    let open = admin.get(&format!("/api/v1/open-items?role=receivable&partner={buyer}")).json;
    assert_eq!(open.as_array().unwrap().len(), 1, "{open}");
    // Paid on 25 November at 7.20: the realised gain is still 100.00 against the booked rate.
    let paid = admin.post(
        "/api/v1/payments",
        &json!({"direction": "receipt", "partner_id": buyer, "amount": "1000", "currency": "USD", "date": "2026-11-25",
            "documents": [{"kind": "sales.invoice", "id": inv}]}),
    );
    assert_eq!(paid.json["exchange_difference"], "100.00", "{}", paid.body);
    let november = admin.get("/api/v1/trial-balance?period=2026-11").json;
    let ar = november["rows"].as_array().unwrap().iter().find(|r| r["code"] == "1122").cloned();
    assert!(ar.as_ref().is_none_or(|r| r["closing_debit"] == "" && r["closing_credit"] == ""), "{ar:?}");
    app.assert_invariants();
}
