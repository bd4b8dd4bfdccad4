//! Bank statements through the API, on SQLite and PostgreSQL: a bank's CSV read through a column
//! mapping (bad cells reported by row and column, nothing stored), lines matched automatically
//! to open invoices and bills by the number in the reference or by the counterparty's name (the
//! documents become paid), bank charges booked by hand, and a statement imported twice taking
//! each numbered line once.

use base64::Engine;
use serde_json::{Value, json};
use testkit::{Client, spawn};

fn statement(client: &Client, csv: &str) -> testkit::Answer {
    client.post(
        "/api/v1/bank-statements",
        &json!({"account": "1002", "file_name": "icbc.csv", "format": "csv",
            "content_base64": base64::engine::general_purpose::STANDARD.encode(csv),
            "mapping": {"date": "交易日期", "inflow": "收入金额", "outflow": "支出金额", "counterparty": "对方户名",
                "reference": "摘要", "transaction_id": "流水号"}}),
    )
}

#[test]
fn bank_lines_pay_invoices_and_bills() {
    let app = spawn();
    let admin = app.admin();
    admin.post(
        "/api/v1/products",
        &json!({"code": "TEA", "name": "茶", "kind": "stockable", "uom": "pcs", "tax": "VAT13"}),
    );
    let customer =
        admin.post("/api/v1/parties", &json!({"code": "C1", "name": "杭州茶行", "kind": "customer"})).json["id"]
            .as_str()
            .unwrap()
            .to_string();
    admin.post("/api/v1/parties", &json!({"code": "S1", "name": "龙井茶场", "kind": "supplier"}));
    // A purchase of 10 at 50.00 received and billed (565.00), a sale of 4 at 100.00 invoiced (452.00).
    let po = admin.post(
        "/api/v1/purchasing/orders",
        &json!({"supplier": "S1", "confirm": true, "lines": [{"product": "TEA", "quantity": "10", "unit_price": "50"}]}),
    );
    let po_id = po.json["id"].as_str().unwrap().to_string();
    let receipt =
        admin.get(&format!("/api/v1/purchasing/orders/{po_id}/pickings")).json[0]["id"].as_str().unwrap().to_string();
    admin.post(&format!("/api/v1/pickings/{receipt}/validate"), &json!({}));
    let bill = admin.post(&format!("/api/v1/purchasing/orders/{po_id}/bills"), &json!({"post": true}));
    assert_eq!(bill.json["total"], "565.00", "{}", bill.body);
    let so = admin.post(
        "/api/v1/sales/orders",
        &json!({"customer": "C1", "confirm": true, "lines": [{"product": "TEA", "quantity": "4", "unit_price": "100"}]}),
    );
    let so_id = so.json["id"].as_str().unwrap().to_string();
    let delivery =
        admin.get(&format!("/api/v1/sales/orders/{so_id}/pickings")).json[0]["id"].as_str().unwrap().to_string();
    admin.post(&format!("/api/v1/pickings/{delivery}/validate"), &json!({}));
    let invoice = admin.post(&format!("/api/v1/sales/orders/{so_id}/invoices"), &json!({"post": true}));
    assert_eq!(invoice.json["total"], "452.00");
    let number = invoice.json["number"].as_str().unwrap();
    // A bad date and a bad amount are reported where they are; nothing is stored.
    let bad = statement(
        &admin,
        "交易日期,收入金额,支出金额,对方户名,摘要,流水号\n2026-13-01,1,,某人,,A1\n2026-11-05,abc,,某人,,A2\n",
    );
    assert_eq!(bad.status, 422, "{}", bad.body);
    let fields: Vec<&str> =
        bad.json["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["rows[2].交易日期", "rows[3].收入金额"]);
    let missing = admin.post(
        "/api/v1/bank-statements",
        &json!({"account": "1002", "format": "csv", "content_base64": base64::engine::general_purpose::STANDARD.encode("日期,金额\n"),
            "mapping": {"date": "交易日期", "amount": "金额"}}),
    );
    assert_eq!(missing.json["errors"][0]["field"], "mapping.date", "{}", missing.body);
    // The statement: the customer pays naming the invoice, the supplier is paid by name, the
    // bank takes a charge, and someone unknown sends money.
    let csv = format!(
        "交易日期,收入金额,支出金额,对方户名,摘要,流水号\n\
         2026/11/20,\"452.00\",,杭州茶行有限公司,货款 {number},B001\n\
         20261121,,\"565.00\",龙井茶场,付货款,B002\n\
         2026-11-22,,5.00,,手续费,B003\n\
         2026-11-23,88.00,,陌生人,,B004\n"
    );
    let imported = statement(&admin, &csv);
    assert_eq!(imported.status, 201, "{}", imported.body);
    let id = imported.json["id"].as_str().unwrap().to_string();
    let lines = imported.json["lines"].as_array().unwrap().clone();
    assert_eq!(
        lines.iter().map(|l| l["amount"].as_str().unwrap()).collect::<Vec<_>>(),
        vec!["452.00", "-565.00", "-5.00", "88.00"]
    );
    let report = admin.post(&format!("/api/v1/bank-statements/{id}/auto-match"), &json!({}));
    assert_eq!((report.json["matched"].as_i64(), report.json["open"].as_i64()), (Some(2), Some(2)), "{}", report.body);
    let paid = admin.get(&format!("/api/v1/sales/invoices/{}", invoice.json["id"].as_str().unwrap())).json;
    assert_eq!(paid["state"], "paid");
    let bill_now = admin.get(&format!("/api/v1/purchasing/bills/{}", bill.json["id"].as_str().unwrap())).json;
    assert_eq!(bill_now["state"], "paid");
    // The charge is booked to 财务费用 by hand; the unknown receipt stays open for now.
    let charge = lines[2]["id"].as_str().unwrap();
    let booked = admin.post(&format!("/api/v1/bank-lines/{charge}/match"), &json!({"account": "5603"}));
    assert_eq!(booked.json["state"], "booked", "{}", booked.body);
    // The stranger turns out to be the customer paying in advance.
    let stranger = lines[3]["id"].as_str().unwrap();
    let advance = admin.post(&format!("/api/v1/bank-lines/{stranger}/match"), &json!({"partner_id": customer}));
    assert_eq!(advance.json["state"], "matched", "{}", advance.body);
    // Importing the same file again takes nothing twice.
    let again = statement(&admin, &csv);
    assert_eq!(
        (again.json["skipped"].as_i64(), again.json["lines"].as_array().map(Vec::len)),
        (Some(4), Some(0)),
        "{}",
        again.body
    );
    // The bank account: 452 + 88 in, 565 + 5 out.
    let tb = admin.get("/api/v1/trial-balance?period=2026-11").json;
    let row =
        |code: &str| tb["rows"].as_array().unwrap().iter().find(|r| r["code"] == code).cloned().unwrap_or(Value::Null);
    assert_eq!(
        (row("1002")["period_debit"].as_str(), row("1002")["period_credit"].as_str()),
        (Some("540.00"), Some("570.00"))
    );
    assert_eq!(row("5603")["period_debit"], "5.00");
    app.assert_invariants();
}
