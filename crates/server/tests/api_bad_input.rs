//! Bad input gets a clear problem and never a 5xx: malformed JSON → 400, unknown fields and
//! wrong types → 422, oversized bodies → 413; random bodies to every POST and PUT → no 5xx.

use proptest::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::openapi::{Operation, operations};
use testkit::{Client, spawn};

const ANY_ID: &str = "01900000-0000-7000-8000-000000000000";

fn writes(doc: &Value) -> Vec<Operation> {
    operations(doc)
        .into_iter()
        .filter(|o| (o.method == Method::POST || o.method == Method::PUT) && o.has_body)
        .collect()
}

fn raw(client: &Client, operation: &Operation, body: impl Into<reqwest::blocking::Body>) -> testkit::Answer {
    client.send(
        client
            .request(operation.method.clone(), &operation.with_id(ANY_ID))
            .header("content-type", "application/json")
            .body(body),
    )
}

#[test]
fn malformed_unknown_and_mistyped_bodies_are_refused_clearly() {
    let app = spawn();
    let admin = app.admin();
    let doc = app.client().get("/api/openapi.json").json;
    for operation in writes(&doc) {
        let answer = raw(&admin, &operation, "{,\"name\": ");
        assert_eq!(answer.status, 400, "malformed JSON to {} {}: {}", operation.method, operation.path, answer.body);
        assert_eq!(answer.code(), "http.json_syntax");
        assert_eq!(answer.header("content-type"), Some("application/problem+json"));

        let mut extra = operation.body_example.clone().unwrap_or(json!({}));
        extra["surely_not_a_field"] = json!(1);
        let answer = raw(&admin, &operation, extra.to_string());
        assert_eq!(answer.status, 422, "unknown field to {} {}: {}", operation.method, operation.path, answer.body);
        assert_eq!(answer.code(), "http.json_data");

        // PostgreSQL cannot store NUL in text: refused as bad input on both backends.
        let mut nul = operation.body_example.clone().unwrap_or(json!({}));
        nul["note"] = json!("a\u{0}b");
        let answer = raw(&admin, &operation, nul.to_string());
        assert_eq!(answer.status, 422, "NUL in text to {} {}: {}", operation.method, operation.path, answer.body);
        assert_eq!(answer.code(), "http.json_nul");

        if let Some(Value::Object(example)) = &operation.body_example {
            for (field, value) in example {
                // Null examples stand for optional scalars: an object is wrong for any of them.
                let wrong = match value {
                    Value::String(_) => json!(12345),
                    Value::Null => json!({"not": "a scalar"}),
                    _ => json!("not the right type"),
                };
                let mut body = Value::Object(example.clone());
                body[field] = wrong;
                let answer = raw(&admin, &operation, body.to_string());
                assert_eq!(
                    answer.status, 422,
                    "wrong type for {field} to {} {}: {}",
                    operation.method, operation.path, answer.body
                );
            }
        }
    }
}

#[test]
fn wrong_content_type_and_oversized_bodies() {
    let app = spawn();
    let admin = app.admin();
    let answer =
        admin.send(admin.request(Method::POST, "/api/v1/users").header("content-type", "text/plain").body("hello"));
    assert_eq!(answer.status, 400);
    assert_eq!(answer.code(), "http.unsupported_media_type");
    let huge = format!("{{\"username\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let answer = admin.send(
        admin.request(Method::POST, "/api/v1/users").header("content-type", "application/json").body(huge.clone()),
    );
    assert_eq!(answer.status, 413, "{}", answer.body);
    assert_eq!(answer.code(), "http.payload_too_large");
    // The same through the idempotency path, which buffers the body itself (on a new
    // connection: the server closed the last one without reading its body).
    let admin = testkit::Client::new(&app.base, admin.token().map(str::to_string));
    let answer = admin.send(
        admin
            .request(Method::POST, "/api/v1/users")
            .header("content-type", "application/json")
            .header("idempotency-key", "big-1")
            .body(huge),
    );
    assert_eq!(answer.status, 413, "{}", answer.body);
    // The server closed those connections without reading the bodies: start afresh.
    let admin = testkit::Client::new(&app.base, admin.token().map(str::to_string));
    // Unknown routes and methods answer as problems too.
    assert_eq!(admin.get("/api/v1/nowhere").code(), "http.not_found");
    let answer = admin.send(admin.request(Method::PATCH, "/api/v1/users"));
    assert_eq!(answer.status, 405);
    assert_eq!(answer.code(), "http.method_not_allowed");
    // Bad query parameters.
    let answer = admin.get("/api/v1/users?limit=many");
    assert_eq!(answer.status, 422);
    assert_eq!(answer.code(), "http.query_invalid");
    let answer = admin.get("/api/v1/users?cursor=%25%25");
    assert_eq!(answer.status, 422, "{}", answer.body);
    // An unparseable id names no record.
    assert_eq!(admin.get("/api/v1/users/not-an-id").status, 404);
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,40}".prop_map(Value::from),
        prop::sample::select(vec![
            "admin",
            "zh-CN",
            "en",
            "CNY",
            "sales",
            "",
            "12.5",
            "2026-13-45",
            "kernel.user.read"
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "username",
                    "display_name",
                    "password",
                    "name",
                    "code",
                    "email",
                    "locale",
                    "roles",
                    "version",
                    "permissions",
                    "active",
                    "base_currency",
                    "name_zh",
                    "name_en",
                    "own_records_only",
                    "company",
                    "x",
                ])
                .prop_map(str::to_string),
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[test]
fn random_bodies_never_cause_a_server_error() {
    let app = spawn();
    let admin = app.admin();
    let doc = app.client().get("/api/openapi.json").json;
    let targets = writes(&doc);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig { cases: 48, ..ProptestConfig::default() });
    runner
        .run(
            &(prop::sample::select(targets), arbitrary_json(), prop::collection::vec(any::<u8>(), 0..64)),
            |(operation, body, bytes)| {
                let answer = raw(&admin, &operation, body.to_string());
                prop_assert!(
                    answer.status < 500,
                    "{} {} with {} → {}: {}",
                    operation.method,
                    operation.path,
                    body,
                    answer.status,
                    answer.body
                );
                let answer = raw(&admin, &operation, bytes.clone());
                prop_assert!(
                    answer.status < 500,
                    "{} {} with raw bytes → {}",
                    operation.method,
                    operation.path,
                    answer.status
                );
                Ok(())
            },
        )
        .unwrap();
    app.assert_invariants();
}
