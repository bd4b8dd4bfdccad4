//! Deny by default, proved over every operation of the OpenAPI document: anonymous callers
//! get 401, users lacking the permission get 403, and ids of another company are 404 on read,
//! update and delete.

use base64::Engine;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::openapi::{Operation, operations};
use testkit::{Client, spawn};

const ANY_ID: &str = "01900000-0000-7000-8000-000000000000";

fn send(client: &Client, operation: &Operation, path: &str) -> testkit::Answer {
    let mut request = client.request(operation.method.clone(), path);
    if operation.has_body {
        request = request.json(operation.body_example.as_ref().unwrap_or(&json!({})));
    }
    client.send(request)
}

#[test]
fn every_operation_declares_its_access() {
    let app = spawn();
    let doc = app.client().get("/api/openapi.json").json;
    assert_eq!(doc["openapi"].as_str().unwrap_or_default().get(..3), Some("3.1"));
    let operations = operations(&doc);
    assert!(operations.len() >= 20, "too few operations: {}", operations.len());
    for operation in &operations {
        assert_ne!(operation.access, "MISSING", "{} {} has no x-permission", operation.method, operation.path);
        if operation.method == Method::POST && operation.has_body {
            assert!(operation.body_example.is_some(), "POST {} has no request example", operation.path);
        }
    }
}

#[test]
fn anonymous_callers_get_401_everywhere_but_public_operations() {
    let app = spawn();
    let anonymous = app.client();
    let doc = anonymous.get("/api/openapi.json").json;
    for operation in operations(&doc).iter().filter(|o| o.access != "public") {
        let answer = send(&anonymous, operation, &operation.with_id(ANY_ID));
        assert_eq!(answer.status, 401, "{} {}: {}", operation.method, operation.path, answer.body);
        assert_eq!(answer.header("content-type"), Some("application/problem+json"));
        assert_eq!(answer.code(), "auth.required");
        // A forged token is no better than none.
        let forged = Client::new(&app.base, Some("tg_forged".into()));
        assert_eq!(send(&forged, operation, &operation.with_id(ANY_ID)).status, 401);
    }
}

#[test]
fn users_without_the_permission_get_403() {
    let app = spawn();
    let (_, nobody) = app.user_in(app.company, "nobody", &[]);
    let (_, readonly) = app.user_in(app.company, "reader", &["readonly"]);
    let doc = app.client().get("/api/openapi.json").json;
    for operation in operations(&doc).iter().filter(|o| o.needs_permission()) {
        let answer = send(&nobody, operation, &operation.with_id(ANY_ID));
        assert_eq!(answer.status, 403, "{} {}: {}", operation.method, operation.path, answer.body);
        assert_eq!(answer.code(), "auth.permission_denied");
        if !operation.access.ends_with(".read") {
            let answer = send(&readonly, operation, &operation.with_id(ANY_ID));
            assert_eq!(answer.status, 403, "read-only may not {} {}", operation.method, operation.path);
        }
    }
}

/// An id of a record that `owner` can see under `collection`: the first listed, or one made
/// from the create example.
fn id_in(owner: &Client, operations: &[Operation], collection: &str) -> String {
    let listed = owner.get(collection);
    let first = listed.json.get("items").and_then(|i| i.get(0)).or_else(|| listed.json.get(0)).cloned();
    if let Some(first) = first {
        return first["id"].as_str().expect("listed record has an id").to_string();
    }
    let create = operations
        .iter()
        .find(|o| o.method == Method::POST && o.path == collection)
        .unwrap_or_else(|| panic!("nothing listed and no way to create under {collection}"));
    let created = owner.post(collection, create.body_example.as_ref().expect("example"));
    assert!(created.status < 300, "creating under {collection}: {}", created.body);
    created.json["id"].as_str().expect("created record has an id").to_string()
}

#[test]
fn ids_of_another_company_are_not_found() {
    let app = spawn();
    let admin_a = app.admin();
    let (company_b, admin_b) = app.other_company("B");
    // Documents that name a product (stock documents) find the one their examples use.
    let product = admin_b
        .post("/api/v1/products", &json!({"code": "TEA-001", "name": "龙井", "kind": "stockable", "uom": "pcs"}));
    assert_eq!(product.status, 201, "{}", product.body);
    // Company B trades too: the partners the examples name, a purchase received and billed, a
    // sale delivered and invoiced, so that invoices and bills are listed.
    for (code, kind) in [("C0001", "customer"), ("S0001", "supplier"), ("S0002", "supplier")] {
        let party = admin_b.post("/api/v1/parties", &json!({"code": code, "name": code, "kind": kind}));
        assert_eq!(party.status, 201, "{}", party.body);
    }
    let po = admin_b.post(
        "/api/v1/purchasing/orders",
        &json!({"supplier": "S0001", "confirm": true, "lines": [{"product": "TEA-001", "quantity": "10", "unit_price": "5"}]}),
    );
    let po_id = po.json["id"].as_str().unwrap().to_string();
    let receipt = admin_b.get(&format!("/api/v1/purchasing/orders/{po_id}/pickings")).json[0]["id"].clone();
    admin_b.post(&format!("/api/v1/pickings/{}/validate", receipt.as_str().unwrap()), &json!({}));
    assert_eq!(admin_b.post(&format!("/api/v1/purchasing/orders/{po_id}/bills"), &json!({"post": true})).status, 201);
    let so = admin_b.post(
        "/api/v1/sales/orders",
        &json!({"customer": "C0001", "confirm": true, "lines": [{"product": "TEA-001", "quantity": "1", "unit_price": "9"}]}),
    );
    let so_id = so.json["id"].as_str().unwrap().to_string();
    let delivery = admin_b.get(&format!("/api/v1/sales/orders/{so_id}/pickings")).json[0]["id"].clone();
    admin_b.post(&format!("/api/v1/pickings/{}/validate", delivery.as_str().unwrap()), &json!({}));
    assert_eq!(admin_b.post(&format!("/api/v1/sales/orders/{so_id}/invoices"), &json!({"post": true})).status, 201);
    // And makes tea from leaves: a BOM and a work order.
    admin_b.post("/api/v1/products", &json!({"code": "LEAF", "name": "茶青", "kind": "stockable", "uom": "pcs"}));
    let bom = admin_b.post(
        "/api/v1/production/boms",
        &json!({"product": "TEA-001", "lines": [{"component": "LEAF", "quantity": "4"}]}),
    );
    assert_eq!(bom.status, 201, "{}", bom.body);
    // Roasted at a work center, confirmed, so its operation is open on the shop floor.
    admin_b.post("/api/v1/production/work-centers", &json!({"code": "ROAST", "name": "炒锅"}));
    admin_b.post(
        "/api/v1/production/routings",
        &json!({"product": "TEA-001", "operations": [{"name": "炒青", "work_center": "ROAST", "run_minutes": "1"}]}),
    );
    let work_order = admin_b
        .post("/api/v1/production/work-orders", &json!({"product": "TEA-001", "quantity": "5", "confirm": true}));
    assert_eq!(work_order.status, 201, "{}", work_order.body);
    // A final inspection that fails, so a nonconformance is listed.
    admin_b.post(
        "/api/v1/production/inspection-plans",
        &json!({"code": "FQC", "name": "终检", "kind": "fqc",
        "product": "TEA-001", "characteristics": [{"name": "水分", "upper": "7"}]}),
    );
    let inspected = admin_b.post(
        "/api/v1/production/inspections",
        &json!({"plan": "FQC", "values": [{"characteristic": "水分", "value": "9"}]}),
    );
    assert_eq!(inspected.json["result"], "fail", "{}", inspected.body);
    // And imports a bank statement with one line left open.
    let csv = "交易日期,收入金额,对方户名\n2026-11-05,10.00,某客户\n";
    let imported = admin_b.post(
        "/api/v1/bank-statements",
        &json!({"account": "1002", "format": "csv",
            "content_base64": base64::engine::general_purpose::STANDARD.encode(csv),
            "mapping": {"date": "交易日期", "inflow": "收入金额", "counterparty": "对方户名"}}),
    );
    assert_eq!(imported.status, 201, "{}", imported.body);
    // Company B gets an outbox message too, so every resource has something to point at.
    app.db
        .write(|tx| {
            kernel::outbox::enqueue(
                tx,
                &app.ctx_in(company_b),
                "webhook.post",
                &json!({"url": "http://127.0.0.1:9/"}),
                None,
            )
        })
        .expect("enqueue");
    let doc = app.client().get("/api/openapi.json").json;
    let operations = operations(&doc);
    let mut checked = 0;
    for operation in operations.iter().filter(|o| o.path.contains("{id}") && o.needs_permission()) {
        let collection = operation.collection().expect("collection");
        let id = id_in(&admin_b, &operations, collection);
        let own = send(
            &admin_b,
            &Operation { method: Method::GET, has_body: false, ..operation.clone() },
            &operation.with_id(&id),
        );
        let answer = send(&admin_a, operation, &operation.with_id(&id));
        assert_eq!(
            answer.status, 404,
            "{} {} with company B's id {id}: {} (B itself reads {})",
            operation.method, operation.path, answer.body, own.status
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} operations with ids");
    // And B's records are still there, untouched.
    assert_eq!(admin_b.get("/api/v1/companies").json.as_array().map(Vec::len), Some(1));
    let _: Value = admin_a.get("/api/v1/me").json;
}
