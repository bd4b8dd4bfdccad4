//! API conventions: problem+json in the caller's language, cursor pagination, Idempotency-Key
//! on POST, optimistic locking, health and metrics.

use reqwest::Method;
use serde_json::json;
use testkit::spawn;

#[test]
fn problems_speak_the_callers_language() {
    let app = spawn();
    let admin = app.admin();
    let missing = "/api/v1/users/01900000-0000-7000-8000-000000000000";
    let zh = admin.send(admin.request(Method::GET, missing).header("accept-language", "zh-CN,zh;q=0.9"));
    let en = admin.send(admin.request(Method::GET, missing).header("accept-language", "en-US,en;q=0.8"));
    assert_eq!((zh.status, en.status), (404, 404));
    assert_eq!(zh.code(), "kernel.user.not_found");
    assert_eq!(en.code(), zh.code(), "the code is the same in every language");
    assert_eq!(zh.json["title"], "用户不存在");
    assert_eq!(en.json["title"], "User not found");
    assert_eq!(en.header("content-language"), Some("en"));
    // Without Accept-Language the user's own setting applies.
    let me = admin.get("/api/v1/me").json;
    let user = admin.get(&format!("/api/v1/users/{}", me["user_id"].as_str().unwrap())).json;
    let changed = admin.put(
        &format!("/api/v1/users/{}", me["user_id"].as_str().unwrap()),
        &json!({"locale": "en", "version": user["version"]}),
    );
    assert_eq!(changed.status, 200, "{}", changed.body);
    let fresh = app.admin();
    assert_eq!(fresh.get(missing).json["title"], "User not found");
    // Field errors carry their own code and message.
    let invalid =
        admin.post("/api/v1/users", &json!({"username": "x", "display_name": "X", "password": "long-enough-pw"}));
    assert_eq!(invalid.status, 422);
    assert_eq!(invalid.json["errors"][0]["field"], "username");
    assert_eq!(invalid.json["errors"][0]["code"], "kernel.user.username_invalid");
}

#[test]
fn cursor_pagination_walks_every_row_once() {
    let app = spawn();
    let admin = app.admin();
    for i in 0..23 {
        let answer = admin.post("/api/v1/users", &json!({"username": format!("user{i:02}"), "display_name": format!("用户{i}"), "password": "long-enough-pw"}));
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/users?limit=5&cursor={c}"),
            None => "/api/v1/users?limit=5".to_string(),
        };
        let page = admin.get(&path).json;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 5);
        seen.extend(items.iter().map(|u| u["username"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 24, "23 users and the admin");
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen, "sorted by username, no repeats");
    // Filters combine with pagination.
    let filtered = admin.get("/api/v1/users?q=user1&limit=100").json;
    assert_eq!(filtered["items"].as_array().unwrap().len(), 10);
}

#[test]
fn idempotency_key_returns_the_first_answer_and_does_the_work_once() {
    let app = spawn();
    let admin = app.admin();
    let body = json!({"username": "once", "display_name": "Once", "password": "long-enough-pw"});
    let post = |key: &str, body: &serde_json::Value| {
        admin.send(admin.request(Method::POST, "/api/v1/users").header("idempotency-key", key).json(body))
    };
    let first = post("create-once-1", &body);
    let second = post("create-once-1", &body);
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(second.status, 201);
    assert_eq!(first.json, second.json, "the same answer");
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    let users = admin.get("/api/v1/users?q=once").json;
    assert_eq!(users["items"].as_array().unwrap().len(), 1, "the work was done once");
    // The same key with another request is refused.
    let other =
        post("create-once-1", &json!({"username": "twice", "display_name": "Twice", "password": "long-enough-pw"}));
    assert_eq!(other.status, 422);
    assert_eq!(other.code(), "idempotency.key_reused");
    // Error answers are not kept: a corrected retry with the same key succeeds.
    let bad = post("fix-me", &json!({"username": "x", "display_name": "X", "password": "long-enough-pw"}));
    assert_eq!(bad.status, 422);
    let fixed = post("fix-me", &json!({"username": "fixed", "display_name": "X", "password": "long-enough-pw"}));
    assert_eq!(fixed.status, 201, "{}", fixed.body);
    // Concurrent duplicates: exactly one does the work.
    let handles: Vec<_> = (0..6)
        .map(|_| {
            let admin = admin.clone();
            std::thread::spawn(move || {
                admin.send(
                    admin
                        .request(Method::POST, "/api/v1/roles")
                        .header("idempotency-key", "role-race")
                        .json(&json!({"code": "race", "name_zh": "竞争", "name_en": "Race", "permissions": []})),
                )
            })
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap().status).collect();
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
    let roles = admin.get("/api/v1/roles").json;
    assert_eq!(roles.as_array().unwrap().iter().filter(|r| r["code"] == "race").count(), 1);
}

#[test]
fn stale_versions_are_refused_with_409() {
    let app = spawn();
    let admin = app.admin();
    let role = admin
        .post(
            "/api/v1/roles",
            &json!({"code": "clerk", "name_zh": "文员", "name_en": "Clerk", "permissions": ["kernel.user.read"]}),
        )
        .json;
    let path = format!("/api/v1/roles/{}", role["id"].as_str().unwrap());
    let version = role["version"].clone();
    let first = admin.put(&path, &json!({"name_en": "Office clerk", "version": version}));
    assert_eq!(first.status, 200, "{}", first.body);
    let stale = admin.put(&path, &json!({"name_en": "Lost update", "version": version}));
    assert_eq!(stale.status, 409);
    assert_eq!(stale.code(), "kernel.version_conflict");
    assert_eq!(admin.get(&path).json["name_en"], "Office clerk");
    // Unknown permissions are refused, and nothing is half-written.
    let bad = admin.put(
        &path,
        &json!({"name_en": "Half", "permissions": ["no.such.permission"], "version": first.json["version"]}),
    );
    assert_eq!(bad.status, 422);
    let after = admin.get(&path).json;
    assert_eq!(after["name_en"], "Office clerk");
    assert_eq!(after["version"], first.json["version"]);
}

#[test]
fn health_metrics_and_docs_are_served() {
    let app = spawn();
    let anonymous = app.client();
    let health = anonymous.get("/healthz");
    assert_eq!((health.status, health.body.as_str()), (200, "ok"));
    let metrics = anonymous.get("/metrics");
    assert_eq!(metrics.status, 200);
    assert!(metrics.header("content-type").unwrap().starts_with("text/plain"));
    assert!(metrics.body.contains("tiangong_http_requests_total{"), "{}", metrics.body);
    assert!(metrics.body.contains("route=\"/healthz\""));
    // Only from the allowed addresses (loopback by default): through a proxy, the client it
    // appended decides, whatever the client itself put in the header.
    let remote =
        anonymous.send(anonymous.request(reqwest::Method::GET, "/metrics").header("x-forwarded-for", "203.0.113.9"));
    assert_eq!((remote.status, remote.code()), (403, "http.metrics_address"), "{}", remote.body);
    assert!(!remote.body.contains("tiangong_http_requests_total"));
    let forged = anonymous
        .send(anonymous.request(reqwest::Method::GET, "/metrics").header("x-forwarded-for", "127.0.0.1, 198.51.100.7"));
    assert_eq!(forged.status, 403, "the address the proxy appended last decides");
    let proxied =
        anonymous.send(anonymous.request(reqwest::Method::GET, "/metrics").header("x-forwarded-for", "127.0.0.1"));
    assert_eq!(proxied.status, 200);
    let docs = anonymous.get("/api/docs/");
    assert_eq!(docs.status, 200);
    assert!(docs.body.contains("swagger"), "the browsable API page is served");
    assert!(!docs.body.contains("cdn"), "no CDN");
    let ui_script = anonymous.get("/api/docs/swagger-ui-bundle.js");
    assert_eq!(ui_script.status, 200, "Swagger UI assets come from the binary");
}
