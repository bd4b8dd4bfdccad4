//! Pickers: every field that names another record asks /api/v1/lookup/<kind> as the user
//! types or scans, and gets code, name and one key figure, with no cap on how many records
//! there are to choose from (the 501st customer can be picked); the forms render pickers, not
//! capped lists of choices; and each lookup keeps the caller's rights.

use serde_json::{Value, json};
use testkit::{Client, spawn};

fn encoded(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn choices(client: &Client, kind: &str, q: &str) -> Vec<Value> {
    let answer = client.get(&format!("/api/v1/lookup/{kind}?q={}", encoded(q)));
    assert_eq!(answer.status, 200, "{kind} {q}: {}", answer.body);
    answer.json["items"].as_array().unwrap().clone()
}

fn codes(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["code"].as_str().unwrap()).collect()
}

#[test]
fn the_five_hundred_and_first_customer_is_picked_with_its_credit_left() {
    let app = spawn();
    let admin = app.admin();
    for n in 1..=505 {
        let answer = admin.post(
            "/api/v1/parties",
            &json!({"code": format!("C{n:03}"), "name": format!("客户{n:03}号"), "kind": "customer"}),
        );
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    let answer = admin.post(
        "/api/v1/parties",
        &json!({"code": "C501X", "name": "温州阀门厂", "kind": "customer", "city": "温州", "credit_limit": "50000"}),
    );
    assert_eq!(answer.status, 201, "{}", answer.body);
    admin.post("/api/v1/parties", &json!({"code": "S1", "name": "温州供应商", "kind": "supplier"}));

    // An exact code comes first, then every code holding what was typed.
    let found = choices(&admin, "customers", "C501");
    assert_eq!(codes(&found)[..2], ["C501", "C501X"], "{found:?}");
    assert_eq!(codes(&choices(&admin, "customers", "505号")), ["C505"]);
    let wenzhou = choices(&admin, "customers", "温州");
    assert_eq!(codes(&wenzhou), ["C501X"], "suppliers are not offered as customers");
    assert_eq!(wenzhou[0]["name"], "温州阀门厂");
    assert_eq!(wenzhou[0]["remaining_credit"], "50,000.00", "{wenzhou:?}");
    assert_eq!(wenzhou[0]["detail"], "温州");
    assert_eq!(codes(&choices(&admin, "suppliers", "温州")), ["S1"]);
    let limited = admin.get("/api/v1/lookup/customers?q=C&limit=3");
    assert_eq!(limited.json["items"].as_array().unwrap().len(), 3, "one character: code prefix, limited");

    // The order form's customer field is a picker, not a list of the first 500.
    let web = testkit::session::WebSession::login(&app.base, "admin", testkit::ADMIN_PASSWORD);
    let form = web.get("/sales/orders/new").text().unwrap();
    assert!(form.contains(r#"data-lookup="customers""#) && form.contains(r#"data-lookup="products""#), "{form}");
    assert!(!form.contains("C001"), "no page embeds the customers");
    assert!(form.contains(r#"name="lookup-labels""#));
    // Without JavaScript the field is a typed code, and the 501st customer takes an order.
    let product = admin.post(
        "/api/v1/products",
        &json!({"code": "VALVE-1", "name": "球阀", "kind": "stockable", "uom": "pcs", "list_price": "100"}),
    );
    assert_eq!(product.status, 201, "{}", product.body);
    let order = admin.post(
        "/api/v1/sales/orders",
        &json!({"customer": "C501X", "lines": [{"product": "VALVE-1", "quantity": "3"}]}),
    );
    assert_eq!(order.status, 201, "{}", order.body);
    app.assert_invariants();
}

#[test]
fn products_show_on_hand_and_price_and_each_lookup_keeps_the_callers_rights() {
    let app = spawn();
    let admin = app.admin();
    for (code, name, price) in
        [("M6-BOLT", "六角螺栓 M6×20", "0.35"), ("M6-NUT", "六角螺母 M6", "0.12"), ("MOTOR-1", "三相电机", "1280")]
    {
        let answer = admin.post(
            "/api/v1/products",
            &json!({"code": code, "name": name, "kind": "stockable", "uom": "pcs", "list_price": price}),
        );
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    let found = choices(&admin, "products", "螺栓");
    assert_eq!(codes(&found), ["M6-BOLT"]);
    assert_eq!(found[0]["price"], "0.35");
    assert_eq!(found[0]["on_hand"], "0");
    assert_eq!(found[0]["uom"], "pcs");
    // A scanner types the whole code: it comes first.
    assert_eq!(codes(&choices(&admin, "products", "M6-NUT"))[0], "M6-NUT");
    assert_eq!(codes(&choices(&admin, "products", "m6")).len(), 2, "any part of the code, any case");

    // Small lists by nature answer from the whole list: accounts, locations, colleagues.
    assert_eq!(codes(&choices(&admin, "accounts", "1002"))[0], "1002");
    assert!(!choices(&admin, "accounts", "银行存款").is_empty());
    assert!(!choices(&admin, "locations", "").is_empty(), "the company's own locations");
    let (_, clerk) = app.user_in(app.company, "wangwu", &["sales"]);
    assert_eq!(codes(&choices(&clerk, "users", "adm")), ["admin"], "any member picks a colleague");
    // A salesperson reads no ledger account through a picker, and is offered only own customers.
    assert_eq!(clerk.get("/api/v1/lookup/accounts?q=1").status, 403);
    admin.post("/api/v1/parties", &json!({"code": "ADM-1", "name": "总部大客户", "kind": "customer"}));
    assert!(choices(&admin, "customers", "大客户").len() == 1);
    assert!(choices(&clerk, "customers", "大客户").is_empty(), "own customers only");
    let (_, maker) = app.user_in(app.company, "zhaoliu", &["production"]);
    assert_eq!(maker.get("/api/v1/lookup/customers?q=x").status, 403);
    let (_, nobody) = app.user_in(app.company, "nobody", &[]);
    assert_eq!(nobody.get("/api/v1/lookup/products?q=M6").status, 403);
    assert_eq!(app.client().get("/api/v1/lookup/users?q=a").status, 401);

    // Another company's records are never offered.
    let (_, other) = app.other_company("OTHER");
    assert!(choices(&other, "products", "M6").is_empty());
    app.assert_invariants();
}
