//! The calendar on SQLite and PostgreSQL: rooms, meetings with invitees and answers, a room that
//! cannot be booked twice (also when two bookings race), free/busy, cancellation freeing the
//! room, the page's form, and the iCalendar feed a phone subscribes to.

use serde_json::json;
use testkit::session::WebSession;
use testkit::spawn;

#[test]
fn meetings_book_rooms_once_show_free_busy_and_reach_a_phone_calendar() {
    let app = spawn();
    let admin = app.admin();
    let wang = app.user_in(app.company, "wang", &["sales"]).1;
    let li = app.user_in(app.company, "li", &["warehouse"]).1;
    let room = admin.post("/api/v1/calendar/rooms", &json!({"code": "R301", "name": "3楼大会议室", "capacity": 12}));
    assert_eq!(room.status, 200, "{}", room.body);
    assert_eq!(wang.post("/api/v1/calendar/rooms", &json!({"code": "X", "name": "x"})).status, 403);
    let meeting = |client: &testkit::Client, title: &str, from: &str, to: &str| {
        client.post(
            "/api/v1/calendar/meetings",
            &json!({"title": title, "starts_at": from, "ends_at": to, "room": "R301", "invitees": ["li"]}),
        )
    };
    let first = meeting(&wang, "月度经营会", "2026-12-10T09:00", "2026-12-10T10:30");
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.json["starts_at"], "2026-12-10T01:00:00.000000Z", "Beijing 09:00");
    // Overlapping the room: refused with who has it; touching end to start is fine.
    let clash = meeting(&li, "库存盘点会", "2026-12-10T10:00", "2026-12-10T11:00");
    assert_eq!((clash.status, clash.code()), (409, "office.calendar.room_taken"), "{}", clash.body);
    assert!(clash.body.contains("月度经营会") && clash.body.contains("2026-12-10 09:00"), "{}", clash.body);
    assert_eq!(meeting(&li, "库存盘点会", "2026-12-10T10:30", "2026-12-10T11:00").status, 201);
    let backwards = meeting(&li, "x", "2026-12-10T12:00", "2026-12-10T11:00");
    assert_eq!(backwards.code(), "validation.failed");
    // Two bookings of the same slot at once: exactly one wins.
    let racers: Vec<u16> = std::thread::scope(|scope| {
        let (a, b) = (&wang, &li);
        let one = scope.spawn(move || meeting(a, "甲", "2026-12-11T14:00", "2026-12-11T15:00").status);
        let two = scope.spawn(move || meeting(b, "乙", "2026-12-11T14:30", "2026-12-11T15:30").status);
        vec![one.join().unwrap(), two.join().unwrap()]
    });
    let mut sorted = racers.clone();
    sorted.sort();
    assert_eq!(sorted, [201, 409], "{racers:?}");
    // Li answers; free/busy shows li busy at 09:00–10:30 and 10:30–11:00 on the 10th.
    let id = first.json["id"].as_str().unwrap();
    let answered = li.post(&format!("/api/v1/calendar/meetings/{id}/respond"), &json!({"accept": true}));
    assert_eq!(answered.json["invitees"], json!([["li", "accepted"]]), "{}", answered.body);
    let busy = admin.get("/api/v1/calendar/busy?users=li,wang&from=2026-12-10T00:00&to=2026-12-11T00:00").json;
    let li_busy = busy.as_array().unwrap().iter().filter(|b| b["user"] == "li").count();
    assert_eq!(li_busy, 2, "{busy}");
    // Cancelled by its organiser (only), the room is free again.
    assert_eq!(
        li.post(&format!("/api/v1/calendar/meetings/{id}/cancel"), &json!({})).code(),
        "office.calendar.not_cancellable"
    );
    assert_eq!(wang.post(&format!("/api/v1/calendar/meetings/{id}/cancel"), &json!({})).json["state"], "cancelled");
    assert_eq!(meeting(&li, "临时会", "2026-12-10T09:00", "2026-12-10T09:30").status, 201);
    // The feed: li's meetings as iCalendar, behind a secret address and nothing else.
    let feed = li.post("/api/v1/calendar/feed", &json!({})).json["path"].as_str().unwrap().to_string();
    let ics = app.client().get(&feed);
    assert_eq!(ics.status, 200);
    assert_eq!(ics.header("content-type"), Some("text/calendar; charset=utf-8"));
    assert!(ics.body.starts_with("BEGIN:VCALENDAR\r\n") && ics.body.contains("SUMMARY:库存盘点会"), "{}", ics.body);
    assert!(
        ics.body.contains("DTSTART:20261210T023000Z") && !ics.body.contains("月度经营会"),
        "cancelled ones leave: {}",
        ics.body
    );
    assert_eq!(app.client().get("/calendar/feed/not-a-secret.ics").status, 404);
    let renewed = li.post("/api/v1/calendar/feed", &json!({})).json["path"].as_str().unwrap().to_string();
    assert_eq!(app.client().get(&feed).status, 404, "the old address stops working");
    assert_eq!(app.client().get(&renewed).status, 200);
    // The page: the form refuses a taken room with the reason and keeps what was typed.
    let web = WebSession::login(&app.base, "wang", "wang-password");
    let refused = web.post(
        "/office/calendar",
        &[
            ("title", "周会"),
            ("starts_at", "2026-12-10T10:40"),
            ("ends_at", "2026-12-10T10:50"),
            ("room", "R301"),
            ("invitees", "li"),
        ],
    );
    assert_eq!(refused.status(), 409);
    let page = refused.text().unwrap();
    assert!(page.contains("已被「库存盘点会」预订") && page.contains("value=\"周会\""), "{page}");
    let done = web.post(
        "/office/calendar",
        &[
            ("title", "周会"),
            ("starts_at", "2026-12-10T13:00"),
            ("ends_at", "2026-12-10T14:00"),
            ("room", "R301"),
            ("invitees", "li"),
        ],
    );
    assert_eq!(done.status(), 303);
}
