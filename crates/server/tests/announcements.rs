//! Announcements on SQLite and PostgreSQL: to everyone, to a department with the departments
//! under it, to a role; read receipts when opened, "must read" acknowledgement once, the
//! publisher's counts and who has not read it, the home page's reminder, and nothing for those
//! not addressed.

use serde_json::json;
use testkit::session::WebSession;
use testkit::{ADMIN_PASSWORD, spawn};

#[test]
fn announcements_reach_their_audience_with_receipts_and_acknowledgements() {
    let app = spawn();
    let admin = app.admin();
    let user = |name: &str, role: &str| app.user_in(app.company, name, &[role]).1;
    let (wang, li, zhao) = (user("wang", "sales"), user("li", "warehouse"), user("zhao", "finance"));
    for (code, name, parent) in [("HQ", "总部", None), ("SAL", "销售部", Some("HQ")), ("EAST", "华东区", Some("SAL"))]
    {
        let saved = admin.post("/api/v1/org/departments", &json!({"code": code, "name": name, "parent": parent}));
        assert_eq!(saved.status, 200, "{}", saved.body);
    }
    for (member, department) in [("wang", "EAST"), ("li", "HQ")] {
        let placed = admin.put(&format!("/api/v1/org/members/{member}"), &json!({"department": department}));
        assert_eq!(placed.status, 200, "{}", placed.body);
    }
    // Everyone, must read: four addressees (admin included).
    let holiday = admin.post(
        "/api/v1/announcements",
        &json!({"title": "春节放假通知", "body": "2月10日至2月17日放假。\n2月18日上班。", "audience": "all", "must_read": true}),
    );
    assert_eq!(holiday.status, 201, "{}", holiday.body);
    let holiday = holiday.json["id"].as_str().unwrap().to_string();
    // The sales department and those under it: only wang (in 华东区).
    let sales = admin.post(
        "/api/v1/announcements",
        &json!({"title": "销售政策调整", "body": "新价格表下月生效。", "audience": "department", "audience_code": "SAL"}),
    );
    let sales = sales.json["id"].as_str().unwrap().to_string();
    let finance = admin.post(
        "/api/v1/announcements",
        &json!({"title": "月结安排", "body": "25日关账。", "audience": "role", "audience_code": "finance"}),
    );
    assert_eq!(finance.status, 201, "{}", finance.body);
    let bad = admin.post(
        "/api/v1/announcements",
        &json!({"title": "", "body": "x", "audience": "department", "audience_code": "NOPE"}),
    );
    assert_eq!(bad.code(), "validation.failed");
    assert_eq!(wang.post("/api/v1/announcements", &json!({"title": "x", "body": "x", "audience": "all"})).status, 403);
    let titles = |client: &testkit::Client| -> Vec<String> {
        client
            .get("/api/v1/announcements")
            .json
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["title"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(titles(&wang), ["销售政策调整", "春节放假通知"], "his department's (through 华东区) and everyone's");
    assert_eq!(titles(&li), ["春节放假通知"]);
    assert_eq!(titles(&zhao), ["月结安排", "春节放假通知"]);
    assert_eq!(li.get(&format!("/api/v1/announcements/{sales}")).status, 404, "not addressed");
    // Opening it is the receipt; acknowledging is once, and only for a must-read one.
    let opened = wang.get(&format!("/api/v1/announcements/{holiday}")).json;
    assert!(opened["read_at"].is_string() && opened["acknowledged_at"].is_null(), "{opened}");
    let receipts = admin.get(&format!("/api/v1/announcements/{holiday}/receipts")).json;
    assert_eq!(
        (receipts["addressed"].as_i64(), receipts["read"].as_i64(), receipts["acknowledged"].as_i64()),
        (Some(4), Some(1), Some(0))
    );
    assert_eq!(receipts["unread"], json!(["admin", "li", "zhao"]));
    let acknowledged = wang.post(&format!("/api/v1/announcements/{holiday}/acknowledge"), &json!({}));
    assert!(acknowledged.json["acknowledged_at"].is_string(), "{}", acknowledged.body);
    assert_eq!(
        wang.post(&format!("/api/v1/announcements/{sales}/acknowledge"), &json!({})).code(),
        "office.announcement.not_must_read"
    );
    let acked_li = li.post(&format!("/api/v1/announcements/{holiday}/acknowledge"), &json!({}));
    assert!(acked_li.json["read_at"].is_string(), "acknowledging reads it too");
    let receipts = admin.get(&format!("/api/v1/announcements/{holiday}/receipts")).json;
    assert_eq!((receipts["read"].as_i64(), receipts["acknowledged"].as_i64()), (Some(2), Some(2)));
    // The pages: zhao's home reminds of the must-read one; its page acknowledges it.
    let web = WebSession::login(&app.base, "zhao", "zhao-password");
    let home = web.get("/").text().unwrap();
    assert!(home.contains("data-queue=\"ui.home.announcements_to_acknowledge\""), "the home page reminds");
    let list = web.get("/office/announcements").text().unwrap();
    assert!(list.contains("春节放假通知") && list.contains("必读") && list.contains("未读"), "{list}");
    let page = web.get(&format!("/office/announcements/{holiday}")).text().unwrap();
    assert!(page.contains("2月18日上班。") && page.contains("我已阅读并知悉"), "{page}");
    let done = web.post(&format!("/office/announcements/{holiday}/acknowledge"), &[]);
    assert_eq!(done.status(), 303);
    assert!(!web.get("/").text().unwrap().contains("announcements_to_acknowledge"));
    // The publisher's page shows the counts (opening it, the publisher has read it too).
    let publisher = WebSession::login(&app.base, "admin", ADMIN_PASSWORD);
    let page = publisher.get(&format!("/office/announcements/{holiday}")).text().unwrap();
    assert!(page.contains("发送 4 人，已读 4 人，已确认 3 人"), "{page}");
    let published =
        publisher.post("/office/announcements", &[("title", "消防演练"), ("body", "周五下午。"), ("audience", "all")]);
    assert_eq!(published.status(), 303);
    assert!(titles(&li).contains(&"消防演练".to_string()));
}
