//! Search finds a record by any part of its number, name, code or region, in Chinese and in
//! Latin text, through the search index; the index follows every change in the same
//! transaction; one-character queries still work; and pages of hits go on with a cursor.

use serde_json::{Value, json};
use testkit::{Client, spawn};

fn party(admin: &Client, code: &str, name: &str, province: &str, city: &str) -> Value {
    let answer = admin.post(
        "/api/v1/parties",
        &json!({"code": code, "name": name, "kind": "customer", "province": province, "city": city}),
    );
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.json
}

fn codes(client: &Client, path: &str) -> Vec<String> {
    let answer = client.get(path);
    assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    let mut codes: Vec<String> =
        answer.json["items"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap().to_string()).collect();
    codes.sort();
    codes
}

fn encoded(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[test]
fn any_part_of_a_name_code_or_region_is_found_in_chinese_and_latin() {
    let app = spawn();
    let admin = app.admin();
    let shanghai = party(&admin, "SH-001", "上海螺丝厂", "上海", "上海");
    party(&admin, "SZ-002", "苏州轴承有限公司", "江苏", "苏州");
    party(&admin, "ACME-7", "Acme Bolts Ltd", "广东", "深圳");
    let search = |q: &str| codes(&admin, &format!("/api/v1/parties?q={}", encoded(q)));
    assert_eq!(search("上海"), ["SH-001"]);
    assert_eq!(search("螺丝"), ["SH-001"]);
    assert_eq!(search("海螺丝厂"), ["SH-001"]);
    assert_eq!(search("轴承有限"), ["SZ-002"]);
    assert_eq!(search("苏州"), ["SZ-002"], "by city");
    assert_eq!(search("深圳"), ["ACME-7"]);
    assert_eq!(search("bolts"), ["ACME-7"], "case does not matter");
    assert_eq!(search("ＢＯＬＴＳ"), ["ACME-7"], "full-width Latin is Latin");
    assert_eq!(search("me-7"), ["ACME-7"], "any part of the code");
    assert_eq!(search("acme ltd"), ["ACME-7"], "every word must be there");
    assert!(search("上丝").is_empty(), "the characters must be adjacent");
    assert!(search("厂SH").is_empty(), "a match never runs from one field into the next");
    assert_eq!(search("上"), ["SH-001"], "one character still searches (without the index)");

    // The index follows a change in the same transaction: the old name is gone at once.
    let id = shanghai["id"].as_str().unwrap();
    let current = admin.get(&format!("/api/v1/parties/{id}")).json;
    let renamed = admin.put(
        &format!("/api/v1/parties/{id}"),
        &json!({"code": "SH-001", "name": "浦东紧固件公司", "kind": "customer", "province": "上海", "city": "上海",
                "version": current["version"]}),
    );
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert!(search("螺丝").is_empty());
    assert_eq!(search("紧固件"), ["SH-001"]);
    app.assert_invariants();
}

#[test]
fn products_and_documents_are_found_by_any_part_of_code_and_number() {
    let app = spawn();
    let admin = app.admin();
    for (code, name) in [("M6-BOLT", "六角螺栓 M6×20"), ("BRG-6204", "深沟球轴承 6204"), ("MOTOR-1", "三相电机")]
    {
        let answer = admin.post(
            "/api/v1/products",
            &json!({"code": code, "name": name, "kind": "stockable", "uom": "pcs", "list_price": "10"}),
        );
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    let search = |q: &str| codes(&admin, &format!("/api/v1/products?q={}", encoded(q)));
    assert_eq!(search("螺栓"), ["M6-BOLT"]);
    assert_eq!(search("6204"), ["BRG-6204"], "code and name both hold it, found once");
    assert_eq!(search("bolt"), ["M6-BOLT"]);
    assert_eq!(search("电机"), ["MOTOR-1"]);

    party(&admin, "C1", "杭州茶行", "浙江", "杭州");
    let order = admin
        .post("/api/v1/sales/orders", &json!({"customer": "C1", "lines": [{"product": "MOTOR-1", "quantity": "2"}]}));
    assert_eq!(order.status, 201, "{}", order.body);
    let number = order.json["number"].as_str().unwrap().to_string();
    let tail = &number[number.len() - 4..];
    for q in [tail, &number[..6], "茶行", &number.to_lowercase()] {
        let found = admin.get(&format!("/api/v1/sales/orders?q={}", encoded(q)));
        let numbers: Vec<&str> =
            found.json["items"].as_array().unwrap().iter().filter_map(|i| i["number"].as_str()).collect();
        assert_eq!(numbers, [number.as_str()], "order found by {q}");
    }
    // The global search finds records of every kind the user may read.
    let web = testkit::session::WebSession::login(&app.base, "admin", testkit::ADMIN_PASSWORD);
    let page = web.get(&format!("/search?q={}", encoded("茶行"))).text().unwrap();
    assert!(page.contains("杭州茶行") && page.contains(&number), "party and order: {page}");
    let page = web.get(&format!("/search?q={}", encoded("轴承"))).text().unwrap();
    assert!(page.contains("BRG-6204"), "product: {page}");
    app.assert_invariants();
}

#[test]
fn hits_come_newest_first_in_pages_with_filters_applied() {
    let app = spawn();
    let admin = app.admin();
    for n in 0..65 {
        let kind = if n % 5 == 0 { "supplier" } else { "customer" };
        let answer = admin.post(
            "/api/v1/parties",
            &json!({"code": format!("P{n:03}"), "name": format!("宁波客户{n:03}"), "kind": kind}),
        );
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    party(&admin, "OTHER", "无关公司", "", "");
    let first = admin.get(&format!("/api/v1/parties?q={}&limit=20", encoded("宁波")));
    let items = first.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 20);
    assert_eq!(items[0]["code"], "P064", "newest first");
    let mut seen: Vec<String> = items.iter().map(|i| i["code"].as_str().unwrap().to_string()).collect();
    let mut cursor = first.json["next_cursor"].as_str().map(str::to_string);
    while let Some(next) = cursor {
        let page = admin.get(&format!("/api/v1/parties?q={}&limit=20&cursor={next}", encoded("宁波")));
        seen.extend(page.json["items"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap().to_string()));
        cursor = page.json["next_cursor"].as_str().map(str::to_string);
    }
    assert_eq!(seen.len(), 65, "every hit once: {seen:?}");
    let suppliers = codes(&admin, &format!("/api/v1/parties?q={}&kind=supplier&limit=100", encoded("客户")));
    assert_eq!(suppliers.len(), 13, "the filter applies to the hits");
    assert!(suppliers.iter().all(|c| c[1..].parse::<u32>().unwrap() % 5 == 0));
    app.assert_invariants();
}
