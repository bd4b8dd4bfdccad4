//! Identity: tokens, throttling of failed logins, deactivation, password changes, roles as
//! data.

use serde_json::json;
use testkit::{ADMIN_PASSWORD, spawn};

#[test]
fn token_login_me_and_logout() {
    let app = spawn();
    let answer = app.client().post("/api/v1/auth/token", &json!({"username": "admin", "password": ADMIN_PASSWORD}));
    assert_eq!(answer.status, 200);
    let token = answer.json["token"].as_str().unwrap().to_string();
    assert!(token.len() > 30);
    let admin = testkit::Client::new(&app.base, Some(token.clone()));
    let me = admin.get("/api/v1/me").json;
    assert_eq!(me["username"], "admin");
    assert_eq!(me["company_id"], app.company.to_string());
    assert!(me["permissions"].as_array().unwrap().iter().any(|p| p == "kernel.user.manage"));
    // The token is stored only as a hash.
    let stored: i64 =
        app.db.read(|tx| tx.scalar("select count(*) from kernel_api_token where token_hash = $1", &[&token])).unwrap();
    assert_eq!(stored, 0);
    assert_eq!(admin.delete("/api/v1/auth/token").status, 204);
    assert_eq!(admin.get("/api/v1/me").status, 401, "a revoked token opens nothing");
}

#[test]
fn five_failures_within_fifteen_minutes_throttle_the_username() {
    let app = spawn();
    let anonymous = app.client();
    for _ in 0..5 {
        let answer = anonymous.post("/api/v1/auth/token", &json!({"username": "admin", "password": "wrong-password"}));
        assert_eq!(answer.status, 401);
        assert_eq!(answer.code(), "auth.login.invalid");
    }
    let throttled = anonymous.post("/api/v1/auth/token", &json!({"username": "admin", "password": ADMIN_PASSWORD}));
    assert_eq!(throttled.status, 429, "even the right password waits: {}", throttled.body);
    assert_eq!(throttled.code(), "auth.login.throttled");
    let retry_after: i64 = throttled.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after));
    // Another username is not affected.
    let (_, _other) = app.user_in(app.company, "other", &["readonly"]);
    // After the window the user may try again.
    app.clock.advance(time::Duration::minutes(16));
    let answer = anonymous.post("/api/v1/auth/token", &json!({"username": "admin", "password": ADMIN_PASSWORD}));
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[test]
fn unknown_users_and_deactivated_users_cannot_log_in() {
    let app = spawn();
    let answer = app.client().post("/api/v1/auth/token", &json!({"username": "ghost", "password": "whatever-pass"}));
    assert_eq!(answer.status, 401);
    assert_eq!(answer.code(), "auth.login.invalid", "the same answer as a wrong password");
    let (id, client) = app.user_in(app.company, "leaver", &["sales"]);
    assert_eq!(client.get("/api/v1/me").status, 200);
    let admin = app.admin();
    let user = admin.get(&format!("/api/v1/users/{id}")).json;
    let answer = admin.put(&format!("/api/v1/users/{id}"), &json!({"active": false, "version": user["version"]}));
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(client.get("/api/v1/me").status, 401, "tokens of a deactivated user stop working");
    let answer = app.client().post("/api/v1/auth/token", &json!({"username": "leaver", "password": "leaver-password"}));
    assert_eq!(answer.code(), "auth.login.inactive");
}

#[test]
fn a_new_password_ends_old_tokens() {
    let app = spawn();
    let (id, client) = app.user_in(app.company, "changer", &["readonly"]);
    let admin = app.admin();
    let short = admin.post(&format!("/api/v1/users/{id}/password"), &json!({"password": "short"}));
    assert_eq!(short.status, 422);
    assert_eq!(
        admin.post(&format!("/api/v1/users/{id}/password"), &json!({"password": "brand-new-password"})).status,
        204
    );
    assert_eq!(client.get("/api/v1/me").status, 401);
    app.login("changer", "brand-new-password");
}

#[test]
fn roles_are_data_and_grant_exactly_their_permissions() {
    let app = spawn();
    let admin = app.admin();
    let roles = admin.get("/api/v1/roles").json;
    let codes: Vec<&str> = roles.as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    for expected in
        ["admin", "sales", "purchasing", "warehouse", "production", "finance", "hr", "crm", "support", "readonly"]
    {
        assert!(codes.contains(&expected), "default role {expected} missing: {codes:?}");
    }
    let readonly = roles.as_array().unwrap().iter().find(|r| r["code"] == "readonly").unwrap();
    assert!(readonly["permissions"].as_array().unwrap().iter().all(|p| p.as_str().unwrap().ends_with(".read")));
    // A custom role that may read users but not manage them.
    let role = admin.post("/api/v1/roles", &json!({"code": "auditor", "name_zh": "审计员", "name_en": "Auditor", "permissions": ["kernel.user.read", "kernel.audit.read"]}));
    assert_eq!(role.status, 201, "{}", role.body);
    let (_, auditor) = app.user_in(app.company, "auditor1", &["auditor"]);
    assert_eq!(auditor.get("/api/v1/users").status, 200);
    assert_eq!(auditor.get("/api/v1/audit").status, 200);
    assert_eq!(
        auditor.post("/api/v1/roles", &json!({"code": "x", "name_zh": "x", "name_en": "x", "permissions": []})).status,
        403
    );
    // The audit log saw all of it.
    let entries = admin.get("/api/v1/audit?action=kernel.role.create").json;
    assert_eq!(entries["items"][0]["subject_id"], role.json["id"]);
    app.assert_invariants();
}

/// Who stands behind a token is remembered for a moment (`kernel::identity::principal_cache`):
/// a change made through the server counts from the very next request, and a change made
/// behind its back (another app server on the same database) within the memory's two seconds.
#[test]
fn permission_changes_count_at_once_here_and_within_two_seconds_elsewhere() {
    let app = spawn();
    let admin = app.admin();
    let role = admin.post(
        "/api/v1/roles",
        &json!({"code": "viewer", "name_zh": "查看", "name_en": "Viewer", "permissions": ["kernel.user.read"]}),
    );
    assert_eq!(role.status, 201, "{}", role.body);
    let (_, viewer) = app.user_in(app.company, "viewer1", &["viewer"]);
    assert_eq!(viewer.get("/api/v1/users").status, 200);
    // Withdrawn through the API: refused on the next request, although the answer was fresh.
    let id = role.json["id"].as_str().unwrap();
    let withdrawn =
        admin.put(&format!("/api/v1/roles/{id}"), &json!({"permissions": [], "version": role.json["version"]}));
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    assert_eq!(viewer.get("/api/v1/users").status, 403);
    // Granted again behind the server's back, as another app server would: the remembered
    // refusal holds for at most two seconds.
    assert_eq!(viewer.get("/api/v1/users").status, 403);
    app.db
        .write(|tx| {
            tx.execute(
                "insert into kernel_role_permission (role_id, permission) values ($1, 'kernel.user.read')",
                &[&id],
            )
        })
        .unwrap();
    std::thread::sleep(kernel::identity::PRINCIPAL_TTL + std::time::Duration::from_millis(100));
    assert_eq!(viewer.get("/api/v1/users").status, 200);
    // Revoked behind its back: refused within two seconds as well.
    app.db.write(|tx| tx.execute("update kernel_api_token set revoked = 1", &[])).unwrap();
    std::thread::sleep(kernel::identity::PRINCIPAL_TTL + std::time::Duration::from_millis(100));
    assert_eq!(viewer.get("/api/v1/users").status, 401);
}
