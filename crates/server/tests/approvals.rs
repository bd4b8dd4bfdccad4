//! The approval engine through the API, on SQLite and PostgreSQL, on purchase orders over the
//! company's limit: a flow refused when a step names nobody; sequential steps, 会签 and 或签,
//! conditional steps; the order waiting as a draft until approved and confirmed by the last
//! approval; rejection, return to the submitter and to an earlier step, withdrawal, transfer,
//! 加签 before and after, delegation, a flow edited while a request is in flight, a timeout
//! escalating to the approver's manager, and the 403/404/409 answers that change nothing.

use std::sync::Arc;

use serde_json::{Value, json};
use testkit::session::WebSession;
use testkit::{Client, TestApp, spawn};

struct People {
    admin: Client,
    buyer: Client,
    mgr: Client,
    director: Client,
    head: Client,
    fin1: Client,
    fin2: Client,
}

/// A tea sold by S1 at 50.00 + 13 %; the 采购部 headed by `head`, the buyer under `mgr`
/// under `director`; two people in finance.
fn company(app: &TestApp) -> People {
    let admin = app.admin();
    let tea = admin.post(
        "/api/v1/products",
        &json!({"code": "TEA", "name": "龙井茶", "kind": "stockable", "uom": "pcs", "tax": "VAT13"}),
    );
    assert_eq!(tea.status, 201, "{}", tea.body);
    let supplier = admin.post("/api/v1/parties", &json!({"code": "S1", "name": "杭州茶厂", "kind": "supplier"}));
    let supplier = supplier.json["id"].as_str().unwrap().to_string();
    let tea = tea.json["id"].as_str().unwrap();
    let price = admin.post(
        &format!("/api/v1/products/{tea}/suppliers"),
        &json!({"supplier_id": supplier, "min_qty": "1", "price": "50", "currency": "CNY", "lead_time_days": 3}),
    );
    assert!(price.status < 300, "{}", price.body);
    let user = |name: &str, role: &str| app.user_in(app.company, name, &[role]).1;
    let people = People {
        buyer: user("buyer", "purchasing"),
        mgr: user("mgr", "purchasing"),
        director: user("director", "readonly"),
        head: user("head", "purchasing"),
        fin1: user("fin1", "finance"),
        fin2: user("fin2", "finance"),
        admin,
    };
    ok(&people.admin.post("/api/v1/org/departments", &json!({"code": "PUR", "name": "采购部", "head": "head"})));
    for (member, manager) in [("buyer", "mgr"), ("mgr", "director"), ("fin1", "director")] {
        ok(&people
            .admin
            .put(&format!("/api/v1/org/members/{member}"), &json!({"department": "PUR", "manager": manager})));
    }
    people
}

fn ok(answer: &testkit::Answer) {
    assert!(answer.status < 300, "{} {}", answer.status, answer.body);
}

fn flow(admin: &Client, steps: Value) -> Value {
    let saved = admin.put(
        "/api/v1/approvals/flows/purchasing.order",
        &json!({"name": "大额采购", "definition": {"when": [{"field": "amount", "op": "gt", "value": "50000"}],
            "steps": steps, "cc": [{"kind": "user", "user": "director"}]}}),
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    saved.json
}

/// A purchase order of `quantity` teas (50.00 + 13 % each), confirmed by the buyer.
fn order(buyer: &Client, quantity: &str) -> Value {
    let po = buyer.post(
        "/api/v1/purchasing/orders",
        &json!({"supplier": "S1", "lines": [{"product": "TEA", "quantity": quantity}]}),
    );
    assert_eq!(po.status, 201, "{}", po.body);
    let id = po.json["id"].as_str().unwrap();
    let confirmed = buyer.post(&format!("/api/v1/purchasing/orders/{id}/confirm"), &json!({}));
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    confirmed.json
}

/// The caller's pending task on the order's request.
fn task(client: &Client, order: &Value) -> String {
    let todo = client.get("/api/v1/approvals/inbox?box=todo").json;
    let request = order["approval"]["request_id"].as_str().unwrap();
    todo.as_array()
        .unwrap()
        .iter()
        .find(|i| i["request_id"] == request)
        .unwrap_or_else(|| panic!("no task for the request in {todo}"))["task_id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn has_task(client: &Client, order: &Value) -> bool {
    let request = order["approval"]["request_id"].as_str().unwrap();
    client.get("/api/v1/approvals/inbox").json.as_array().unwrap().iter().any(|i| i["request_id"] == request)
}

fn decide(client: &Client, task: &str, decision: Value) -> testkit::Answer {
    client.post(&format!("/api/v1/approvals/tasks/{task}/decide"), &decision)
}

fn approve(client: &Client, order: &Value) -> Value {
    let answer = decide(client, &task(client, order), json!({"decision": "approve", "comment": "同意"}));
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json
}

fn state_of(client: &Client, order: &Value) -> (String, String) {
    let id = order["id"].as_str().unwrap();
    let now = client.get(&format!("/api/v1/purchasing/orders/{id}")).json;
    (now["state"].as_str().unwrap().to_string(), now["approval"]["state"].as_str().unwrap_or("").to_string())
}

#[test]
fn a_purchase_order_over_the_limit_waits_for_its_steps_and_is_confirmed_by_the_last() {
    let app = spawn();
    let p = company(&app);
    // Refused when saved: an unknown role, an unknown user, a role nobody holds.
    for (approvers, code) in [
        (json!([{"kind": "role", "role": "nosuch"}]), "office.flow.role_unknown"),
        (json!([{"kind": "user", "user": "ghost"}]), "office.org.user_unknown"),
        (json!([{"kind": "role", "role": "support"}]), "office.flow.nobody"),
    ] {
        let refused = p.admin.put(
            "/api/v1/approvals/flows/purchasing.order",
            &json!({"name": "x", "definition": {"steps": [{"name": "审批", "mode": "any", "approvers": approvers}]}}),
        );
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert_eq!(refused.json["errors"][0]["code"], code, "{}", refused.body);
    }
    assert_eq!(p.buyer.put("/api/v1/approvals/flows/purchasing.order", &json!({})).status, 403);
    assert_eq!(p.admin.get("/api/v1/approvals/flows/purchasing.order").json, Value::Null, "nothing saved");
    // 主管 (或签) → 财务 (会签) → 总监 only above 100,000.
    let saved = flow(
        &p.admin,
        json!([
            {"name": "直属主管", "mode": "any", "approvers": [{"kind": "manager", "level": 1}]},
            {"name": "财务会签", "mode": "all", "approvers": [{"kind": "role", "role": "finance"}]},
            {"name": "总监", "mode": "any", "approvers": [{"kind": "user", "user": "director"}],
             "when": [{"field": "amount", "op": "gt", "value": "100000"}]}
        ]),
    );
    assert_eq!(saved["version"], 1);
    // Under the limit: confirmed at once (10 × 56.50 = 565.00).
    let small = order(&p.buyer, "10");
    assert_eq!((small["state"].as_str(), &small["approval"]), (Some("confirmed"), &Value::Null));
    // 1,200 × 56.50 = 67,800.00: the order waits as a draft.
    let big = order(&p.buyer, "1200");
    assert_eq!(big["state"], "draft", "{big}");
    assert_eq!(big["approval"]["state"], "pending");
    assert!(!big["actions"].as_array().unwrap().iter().any(|a| a == "confirm" || a == "cancel"), "{big}");
    let id = big["id"].as_str().unwrap();
    let again = p.buyer.post(&format!("/api/v1/purchasing/orders/{id}/confirm"), &json!({}));
    assert_eq!((again.status, again.code()), (409, "office.approval.pending"), "{}", again.body);
    let cancel = p.buyer.post(&format!("/api/v1/purchasing/orders/{id}/cancel"), &json!({}));
    assert_eq!((cancel.status, cancel.code()), (409, "office.approval.pending"));
    // Step 1 is the buyer's manager's; finance sees nothing yet and cannot decide it.
    let mine = p.buyer.get("/api/v1/approvals/inbox?box=mine").json;
    assert_eq!(mine[0]["request_id"], big["approval"]["request_id"]);
    assert!(!has_task(&p.fin1, &big) && !has_task(&p.head, &big));
    let mgr_task = task(&p.mgr, &big);
    let foreign = decide(&p.fin1, &mgr_task, json!({"decision": "approve"}));
    assert_eq!((foreign.status, foreign.code()), (403, "office.approval.not_approver"));
    let view = approve(&p.mgr, &big);
    assert_eq!((view["state"].as_str(), view["step"].as_i64()), (Some("pending"), Some(1)));
    assert_eq!(view["steps"].as_array().unwrap().len(), 2, "the director's step does not apply: {view}");
    let twice = decide(&p.mgr, &mgr_task, json!({"decision": "approve"}));
    assert_eq!((twice.status, twice.code()), (409, "office.approval.not_pending"));
    // 会签: both of finance; after the first the order still waits.
    approve(&p.fin1, &big);
    assert_eq!(state_of(&p.buyer, &big), ("draft".into(), "pending".into()));
    let done = approve(&p.fin2, &big);
    assert_eq!(done["state"], "approved", "{done}");
    assert_eq!(state_of(&p.buyer, &big), ("confirmed".into(), "approved".into()));
    let receipts = p.buyer.get(&format!("/api/v1/purchasing/orders/{id}/pickings")).json;
    assert_eq!(receipts[0]["kind"], "receipt", "the approval confirmed the order: {receipts}");
    // The timeline and the boxes.
    let actions: Vec<&str> =
        done["timeline"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["submitted", "approved", "approved", "approved", "completed"]);
    assert_eq!(done["timeline"][1]["actor"], "mgr");
    assert!(p.fin1.get("/api/v1/approvals/inbox?box=done").json.as_array().unwrap().len() == 1);
    assert_eq!(p.director.get("/api/v1/approvals/inbox?box=cc").json[0]["request_id"], big["approval"]["request_id"]);
    // Every decision is in the audit log.
    let audit = p.admin.get("/api/v1/audit?action=office.approval.approved").json;
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(3), "{audit}");
    // Another company sees no such request.
    let (_, other) = app.other_company("OTHER");
    let request = big["approval"]["request_id"].as_str().unwrap();
    assert_eq!(other.get(&format!("/api/v1/approvals/requests/{request}")).status, 404);
    assert_eq!(decide(&other, &mgr_task, json!({"decision": "approve"})).status, 404);
    // A bystander of this company does not see it either.
    assert_eq!(p.head.get(&format!("/api/v1/approvals/requests/{request}")).status, 404);
    app.assert_invariants();
}

#[test]
fn reject_withdraw_transfer_return_additions_and_delegation() {
    let app = spawn();
    let p = company(&app);
    flow(
        &p.admin,
        json!([
            {"name": "主管", "mode": "any", "approvers": [{"kind": "user", "user": "mgr"}]},
            {"name": "财务", "mode": "all", "approvers": [{"kind": "user", "user": "fin1"}]}
        ]),
    );
    // Rejected: the order stays a draft; confirming again submits a new request.
    let first = order(&p.buyer, "1000");
    let rejected = decide(&p.mgr, &task(&p.mgr, &first), json!({"decision": "reject", "comment": "价格太高"}));
    assert_eq!(rejected.json["state"], "rejected", "{}", rejected.body);
    assert_eq!(state_of(&p.buyer, &first), ("draft".into(), "rejected".into()));
    let id = first["id"].as_str().unwrap();
    let second = p.buyer.post(&format!("/api/v1/purchasing/orders/{id}/confirm"), &json!({})).json;
    assert_eq!(second["approval"]["state"], "pending");
    assert_ne!(second["approval"]["request_id"], first["approval"]["request_id"]);
    // Only the submitter withdraws.
    let request = second["approval"]["request_id"].as_str().unwrap().to_string();
    let withdraw = |client: &Client| client.post(&format!("/api/v1/approvals/requests/{request}/withdraw"), &json!({}));
    let waiting = task(&p.mgr, &second);
    assert_eq!(withdraw(&p.mgr).code(), "office.approval.not_submitter");
    assert_eq!(withdraw(&p.buyer).json["state"], "withdrawn");
    assert_eq!(withdraw(&p.buyer).code(), "office.approval.not_pending");
    let late = decide(&p.mgr, &waiting, json!({"decision": "approve"}));
    assert_eq!((late.status, late.code()), (409, "office.approval.not_pending"), "withdrawn: {}", late.body);
    // Transfer (转交): the head decides in the manager's place.
    let third = p.buyer.post(&format!("/api/v1/purchasing/orders/{id}/confirm"), &json!({})).json;
    let to_self = decide(&p.mgr, &task(&p.mgr, &third), json!({"decision": "transfer", "to": "buyer"}));
    assert_eq!(to_self.code(), "validation.failed", "not to the submitter: {}", to_self.body);
    ok(&decide(&p.mgr, &task(&p.mgr, &third), json!({"decision": "transfer", "to": "head", "comment": "出差"})));
    assert!(!has_task(&p.mgr, &third));
    approve(&p.head, &third);
    // Finance returns it to the first step: the manager decides again.
    let back =
        decide(&p.fin1, &task(&p.fin1, &third), json!({"decision": "return", "step": 0, "comment": "请主管复核"}));
    assert_eq!((back.json["state"].as_str(), back.json["step"].as_i64()), (Some("pending"), Some(0)), "{}", back.body);
    // 加签 before: the director first, then the manager.
    let mgr_task = task(&p.mgr, &third);
    ok(&decide(&p.mgr, &mgr_task, json!({"decision": "add", "user": "director", "before": true})));
    assert_eq!(decide(&p.mgr, &mgr_task, json!({"decision": "approve"})).code(), "office.approval.not_pending");
    approve(&p.director, &third);
    // 加签 after: the manager approves, and the step then waits for fin2 as well.
    let view = decide(&p.mgr, &task(&p.mgr, &third), json!({"decision": "add", "user": "fin2", "before": false})).json;
    assert_eq!(view["step"], 0, "{view}");
    approve(&p.fin2, &third);
    let done = approve(&p.fin1, &third);
    assert_eq!(done["state"], "approved", "{done}");
    let actions: Vec<&str> =
        done["timeline"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "submitted",
            "transferred",
            "approved",
            "returned",
            "added_before",
            "approved",
            "added_after",
            "approved",
            "approved",
            "approved",
            "completed"
        ]
    );
    assert_eq!(state_of(&p.buyer, &third).0, "confirmed");
    // Returned to the submitter: a draft again.
    let fourth = order(&p.buyer, "1001");
    let returned = decide(&p.mgr, &task(&p.mgr, &fourth), json!({"decision": "return", "comment": "补充报价单"}));
    assert_eq!(returned.json["state"], "returned");
    assert_eq!(state_of(&p.buyer, &fourth), ("draft".into(), "returned".into()));
    // Delegation: while fin1 is away, fin2 decides for fin1.
    let today = kernel::clock::format_date(app.system_ctx().today());
    ok(&p
        .fin1
        .post("/api/v1/approvals/delegations", &json!({"delegate": "fin2", "from_date": today, "to_date": today})));
    let bad = p.fin1.post(
        "/api/v1/approvals/delegations",
        &json!({"delegate": "fin2", "from_date": today, "to_date": "2000-01-01"}),
    );
    assert_eq!(bad.code(), "validation.failed");
    let fifth = order(&p.buyer, "1002");
    approve(&p.mgr, &fifth);
    assert!(!has_task(&p.fin1, &fifth), "delegated");
    let done = approve(&p.fin2, &fifth);
    assert_eq!(done["state"], "approved");
    assert_eq!(done["steps"][1]["tasks"][0]["on_behalf_of"], "fin1", "{done}");
    // A flow changed while a request is in flight: the request keeps its version.
    let sixth = order(&p.buyer, "1003");
    let v2 = flow(
        &p.admin,
        json!([
            {"name": "主管", "mode": "any", "approvers": [{"kind": "user", "user": "mgr"}]},
            {"name": "财务", "mode": "all", "approvers": [{"kind": "user", "user": "fin1"}]},
            {"name": "总监", "mode": "any", "approvers": [{"kind": "user", "user": "director"}]}
        ]),
    );
    assert_eq!(v2["version"], 2);
    approve(&p.mgr, &sixth);
    let done = approve(&p.fin2, &sixth);
    assert_eq!((done["state"].as_str(), done["flow_version"].as_i64()), (Some("approved"), Some(1)));
    assert_eq!(order(&p.buyer, "1004")["approval"]["state"], "pending", "new requests take version 2");
    app.assert_invariants();
}

#[test]
fn a_step_past_its_timeout_reminds_and_escalates_to_the_approvers_manager() {
    let app = spawn();
    let p = company(&app);
    flow(
        &p.admin,
        json!([{"name": "财务", "mode": "all", "approvers": [{"kind": "user", "user": "fin1"}], "timeout_hours": 24}]),
    );
    let po = order(&p.buyer, "1000");
    let clock: Arc<dyn kernel::clock::Clock> = app.clock.clone();
    assert_eq!(server::runtime::approvals_round(&app.db, &clock).unwrap(), 0, "not due yet");
    app.clock.advance(time::Duration::hours(25));
    assert_eq!(server::runtime::approvals_round(&app.db, &clock).unwrap(), 1);
    assert_eq!(server::runtime::approvals_round(&app.db, &clock).unwrap(), 0, "once");
    // fin1's manager, the director, may now decide in fin1's place.
    let done = approve(&p.director, &po);
    assert_eq!(done["state"], "approved", "{done}");
    let actions: Vec<&str> =
        done["timeline"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["submitted", "reminded", "escalated", "approved", "completed"]);
    assert!(!has_task(&p.fin1, &po));
    assert_eq!(state_of(&p.buyer, &po).0, "confirmed");
    let reminders: i64 = app
        .db
        .read(|tx| tx.scalar("select count(*) from office_notification where title like $1", &[&"催办%"]))
        .unwrap();
    assert_eq!(reminders, 1, "fin1 was reminded once");
}

#[test]
fn the_inbox_shows_cards_and_decides_in_one_click_and_in_bulk() {
    let app = spawn();
    let p = company(&app);
    flow(&p.admin, json!([{"name": "主管", "mode": "any", "approvers": [{"kind": "user", "user": "mgr"}]}]));
    // The buyer confirms through the order's page: it is submitted, not confirmed.
    let buyer = WebSession::login(&app.base, "buyer", "buyer-password");
    let draft = p.buyer.post(
        "/api/v1/purchasing/orders",
        &json!({"supplier": "S1", "lines": [{"product": "TEA", "quantity": "1000"}]}),
    );
    let id = draft.json["id"].as_str().unwrap();
    let confirmed = buyer.post(&format!("/purchasing/orders/{id}/act"), &[("action", "confirm")]);
    assert_eq!(confirmed.status(), 303);
    let target = confirmed.headers()["location"].to_str().unwrap().to_string();
    assert!(target.ends_with("ok=ui.approvals.submitted"), "{target}");
    let order_page = buyer.get(&target).text().unwrap();
    assert!(order_page.contains("已提交审批") && order_page.contains("审批中"), "{order_page}");
    let first = p.buyer.get(&format!("/api/v1/purchasing/orders/{id}")).json;
    let second = order(&p.buyer, "1100");
    let third = order(&p.buyer, "1200");
    // The manager's 待办: three cards, each with its own approve and reject.
    let mgr = WebSession::login(&app.base, "mgr", "mgr-password");
    // The home page counts them and links to the inbox.
    let home = mgr.get("/").text().unwrap();
    let at = home.find("data-queue=\"ui.home.approvals_waiting\"").expect("the approvals tile");
    let tile: String = home[at..].chars().take(300).collect();
    assert!(tile.contains(">3<"), "three waiting: {tile}");
    assert!(home[..at].rsplit("<a ").next().unwrap().contains("href=\"/office/approvals\""));
    let inbox = mgr.get("/office/approvals").text().unwrap();
    assert!(!inbox.contains(" style=\"") && !inbox.contains("<script>"), "no inline style or script");
    assert_eq!(inbox.matches("class=\"approval-card\"").count(), 3, "{inbox}");
    assert!(inbox.contains("杭州茶厂") && inbox.contains("批量同意") && inbox.contains("aria-current=\"page\""));
    let one = task(&p.mgr, &first);
    let decided = mgr.post(
        &format!("/office/approvals/tasks/{one}/decide"),
        &[("decision", "approve"), ("comment", "同意"), ("back", "/office/approvals")],
    );
    assert_eq!(decided.headers()["location"], "/office/approvals?ok=ui.approvals.decided");
    assert_eq!(state_of(&p.buyer, &first).0, "confirmed");
    // Bulk: the two left, one comment.
    let (two, three) = (task(&p.mgr, &second), task(&p.mgr, &third));
    let bulk = mgr
        .post("/office/approvals/bulk", &[("task", two.as_str()), ("task", three.as_str()), ("comment", "批量同意")]);
    assert_eq!(bulk.status(), 303);
    assert_eq!((state_of(&p.buyer, &second).0, state_of(&p.buyer, &third).0), ("confirmed".into(), "confirmed".into()));
    assert!(mgr.get("/office/approvals").text().unwrap().contains("没有审批"));
    // The request's page: the document's lines, the steps and the timeline; the buyer's 我发起的.
    let request = third["approval"]["request_id"].as_str().unwrap();
    let page = mgr.get(&format!("/office/approvals/{request}")).text().unwrap();
    assert!(
        page.contains("龙井茶") && page.contains("1,200") && page.contains("审批记录") && page.contains("批量同意"),
        "{page}"
    );
    let mine = buyer.get("/office/approvals?box=mine").text().unwrap();
    assert_eq!(mine.matches("class=\"approval-card\"").count(), 3);
    // A decision twice is refused and changes nothing.
    let again = mgr.post(&format!("/office/approvals/tasks/{one}/decide"), &[("decision", "reject")]);
    assert_eq!(again.status(), 409);
    assert_eq!(state_of(&p.buyer, &first).0, "confirmed");
}

/// Who a decided task stood for: its approver, or — for a transfer — the seat it was
/// transferred from, followed back.
fn seat_of<'a>(tasks: &'a [Value], task: &'a Value) -> &'a str {
    let mut at = task;
    for _ in 0..tasks.len() {
        if at["origin"] != "transfer" {
            break;
        }
        let from = at["on_behalf_of"].as_str().unwrap_or_default();
        match tasks.iter().find(|t| t["approver"] == from && t["state"] == "transferred") {
            Some(previous) => at = previous,
            None => break,
        }
    }
    at["approver"].as_str().unwrap_or_default()
}

#[test]
fn random_flows_and_random_decisions_never_approve_without_the_decisions_required() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    let app = spawn();
    let p = company(&app);
    let logins = ["mgr", "head", "fin1", "fin2", "director"];
    let clients = [&p.mgr, &p.head, &p.fin1, &p.fin2, &p.director];
    // A step: 或签 or 会签 over one to three of the five (by index); a decision: who acts and
    // what they do (0 approve, 1 reject, 2 return, 3 transfer, 4 add before, 5 add after) with
    // a second person for transfers and additions.
    let step = (any::<bool>(), proptest::collection::btree_set(0..5usize, 1..=3));
    let decision = (0..5usize, 0..12u8, 0..5usize);
    let case = (proptest::collection::vec(step, 1..=3), proptest::collection::vec(decision, 0..16));
    let mut runner = TestRunner::new(Config { cases: 48, failure_persistence: None, ..Config::default() });
    let quantity = std::cell::Cell::new(1000);
    runner
        .run(&case, |(steps, decisions)| {
            let steps: Vec<Value> = steps
                .iter()
                .enumerate()
                .map(|(i, (all, who))| {
                    json!({"name": format!("第{}步", i + 1), "mode": if *all { "all" } else { "any" },
                        "approvers": who.iter().map(|w| json!({"kind": "user", "user": logins[*w]})).collect::<Vec<_>>()})
                })
                .collect();
            flow(&p.admin, json!(steps));
            quantity.set(quantity.get() + 1);
            let po = order(&p.buyer, &quantity.get().to_string());
            let request = po["approval"]["request_id"].as_str().unwrap().to_string();
            for (pick, action, other) in decisions {
                // One of those holding a task of this request acts (approving more often than not).
                let holders: Vec<(usize, String)> = (0..clients.len())
                    .filter_map(|c| {
                        let todo = clients[c].get("/api/v1/approvals/inbox").json;
                        let found = todo.as_array().unwrap().iter().find(|i| i["request_id"] == request.as_str())?;
                        Some((c, found["task_id"].as_str().unwrap().to_string()))
                    })
                    .collect();
                let Some((actor, task)) = holders.get(pick % holders.len().max(1)).cloned() else { break };
                let client = clients[actor];
                let body = match action {
                    0..=6 => json!({"decision": "approve"}),
                    7 => json!({"decision": "reject"}),
                    8 => json!({"decision": "return"}),
                    9 => json!({"decision": "transfer", "to": logins[other]}),
                    10 => json!({"decision": "add", "user": logins[other], "before": true}),
                    _ => json!({"decision": "add", "user": logins[other], "before": false}),
                };
                let answer = decide(client, &task, body.clone());
                prop_assert!(answer.status == 200 || answer.status == 422, "{} {}", answer.status, answer.body);
                if answer.status == 200 {
                    // The same task again: decided already, refused, nothing changes.
                    let again = decide(client, &task, body);
                    prop_assert_eq!(again.status, 409, "{}", again.body);
                }
            }
            let view = p.buyer.get(&format!("/api/v1/approvals/requests/{request}")).json;
            let (order_state, _) = state_of(&p.buyer, &po);
            let receipts = p.buyer.get(&format!("/api/v1/purchasing/orders/{}/pickings", po["id"].as_str().unwrap())).json;
            if view["state"] == "approved" {
                prop_assert_eq!(order_state.as_str(), "confirmed");
                prop_assert_eq!(receipts.as_array().unwrap().len(), 1, "confirmed once");
                // Every step of the plan was decided as its mode requires.
                for (i, step) in view["steps"].as_array().unwrap().iter().enumerate() {
                    let tasks = step["tasks"].as_array().unwrap();
                    let approved: Vec<&Value> = tasks.iter().filter(|t| t["state"] == "approved").collect();
                    prop_assert!(!approved.is_empty(), "step {} approved by nobody: {}", i, view);
                    // Approvers added after someone were waited for (or whoever they transferred to).
                    for added in tasks.iter().filter(|t| t["origin"] == "added_after") {
                        let seat = added["approver"].as_str().unwrap();
                        prop_assert!(
                            added["state"] == "approved" || approved.iter().any(|t| t["origin"] == "transfer" && seat_of(tasks, t) == seat),
                            "an approver added after was not waited for: {}",
                            view
                        );
                    }
                    let (all, who) = &steps_of(&view, i);
                    if *all {
                        for planned in who {
                            prop_assert!(
                                approved.iter().any(|t| seat_of(tasks, t) == planned.as_str()),
                                "会签 step {} without {}: {}",
                                i,
                                planned,
                                view
                            );
                        }
                    }
                }
            } else {
                prop_assert_eq!(order_state.as_str(), "draft", "{}", view);
                prop_assert!(receipts.as_array().unwrap().is_empty());
                if view["state"] == "pending" {
                    // Left pending: withdrawn, so the next case starts clean.
                    let withdrawn = p.buyer.post(&format!("/api/v1/approvals/requests/{request}/withdraw"), &json!({}));
                    prop_assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
                }
            }
            Ok(())
        })
        .unwrap();
    app.assert_invariants();
}

/// Whether step `i` of the request is 会签, and the logins its flow seats (the first task of
/// each seat is the flow's own, delegation and escalation aside).
fn steps_of(view: &Value, i: usize) -> (bool, Vec<String>) {
    let step = &view["steps"][i];
    let seats = step["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["origin"] == "flow")
        .map(|t| t["approver"].as_str().unwrap().to_string())
        .collect();
    (step["mode"] == "all", seats)
}

#[test]
fn the_settings_page_draws_the_flow_and_refuses_one_that_names_nobody() {
    let app = spawn();
    let p = company(&app);
    let admin = WebSession::login(&app.base, "admin", testkit::ADMIN_PASSWORD);
    let list = admin.get("/settings/approvals").text().unwrap();
    assert!(list.contains("采购订单") && list.contains("未设置审批流"), "{list}");
    let form = admin.get("/settings/approvals/purchasing.order").text().unwrap();
    assert!(form.contains("name=\"step5_name\"") && !form.contains(" style=\""), "six step rows");
    let fields = |who: &'static str| {
        vec![
            ("name", "大额采购"),
            ("active", "1"),
            ("when0_field", "amount"),
            ("when0_op", ">"),
            ("when0_value", "50000"),
            ("step0_name", "直属主管"),
            ("step0_mode", "any"),
            ("step0_kind", "manager"),
            ("step0_who", "1"),
            // An empty row in between is dropped.
            ("step2_name", "财务会签"),
            ("step2_mode", "all"),
            ("step2_kind", "user"),
            ("step2_who", who),
            ("step2_when_field", "amount"),
            ("step2_when_op", ">="),
            ("step2_when_value", "100000"),
            ("step2_timeout", "24"),
            ("cc", "director"),
        ]
    };
    let refused = admin.post("/settings/approvals/purchasing.order", &fields("fin1, ghost"));
    assert_eq!(refused.status(), 422);
    let page = refused.text().unwrap();
    assert!(page.contains("用户不是本公司的有效成员：ghost") && page.contains("value=\"fin1, ghost\""), "{page}");
    let saved = admin.post("/settings/approvals/purchasing.order", &fields("fin1, fin2"));
    assert_eq!(saved.status(), 303);
    let flow = p.admin.get("/api/v1/approvals/flows/purchasing.order").json;
    assert_eq!(flow["definition"]["steps"].as_array().unwrap().len(), 2, "{flow}");
    assert_eq!(
        flow["definition"]["steps"][1]["approvers"],
        json!([{"kind": "user", "user": "fin1"}, {"kind": "user", "user": "fin2"}])
    );
    assert_eq!(flow["definition"]["steps"][1]["when"][0], json!({"field": "amount", "op": "ge", "value": "100000"}));
    assert_eq!(flow["definition"]["steps"][1]["timeout_hours"], 24);
    // The diagram: submitted → 直属主管 → 财务会签 → approved, with the conditions.
    let list = admin.get("/settings/approvals").text().unwrap();
    assert!(
        list.contains("flow-diagram") && list.contains("第 1 级主管") && list.contains("会签（全部同意）"),
        "{list}"
    );
    assert!(list.contains("金额（人民币） &gt; 50000") && list.contains("超时 24 小时后催办并升级"), "{list}");
    // Not for those without the permission.
    let buyer = WebSession::login(&app.base, "buyer", "buyer-password");
    assert_eq!(buyer.get("/settings/approvals").status(), 403);
}

#[test]
fn a_sales_order_over_the_credit_limit_or_the_discount_limit_waits_for_approval() {
    let app = spawn();
    let p = company(&app);
    ok(&p.admin.post(
        "/api/v1/products",
        &json!({"code": "POT", "name": "紫砂壶", "kind": "stockable", "uom": "pcs", "tax": "VAT13", "list_price": "100"}),
    ));
    let receipt = p.admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "lines": [{"product": "POT", "quantity": "50", "unit_cost": "40"}]}),
    );
    ok(&p.admin.post(&format!("/api/v1/pickings/{}/validate", receipt.json["id"].as_str().unwrap()), &json!({})));
    ok(&p.admin.post(
        "/api/v1/parties",
        &json!({"code": "C1", "name": "苏州茶馆", "kind": "customer", "credit_limit": "1000"}),
    ));
    ok(&p.admin.post("/api/v1/parties", &json!({"code": "C2", "name": "无锡茶庄", "kind": "customer"})));
    let seller = app.user_in(app.company, "seller", &["sales"]).1;
    // 信用审批: over the limit, finance decides; 折扣审批: above 10 %, the sales manager.
    let saved = p.admin.put(
        "/api/v1/approvals/flows/sales.order",
        &json!({"name": "销售审批", "definition": {"steps": [
            {"name": "信用审批", "mode": "any", "approvers": [{"kind": "user", "user": "fin1"}],
             "when": [{"field": "over_credit", "op": "eq", "value": "yes"}]},
            {"name": "折扣审批", "mode": "any", "approvers": [{"kind": "user", "user": "mgr"}],
             "when": [{"field": "discount", "op": "gt", "value": "10"}]}]}}),
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let quotation = |customer: &str, discount: &str| {
        let order = seller.post(
            "/api/v1/sales/orders",
            &json!({"customer": customer, "lines": [{"product": "POT", "quantity": "10", "discount": discount}]}),
        );
        assert_eq!(order.status, 201, "{}", order.body);
        order.json["id"].as_str().unwrap().to_string()
    };
    let confirm =
        |id: &str| seller.post(&format!("/api/v1/sales/orders/{id}/confirm"), &json!({"override_credit": true}));
    // Within both limits: no step applies, confirmed at once.
    let plain = confirm(&quotation("C2", "5"));
    assert_eq!(
        (plain.json["state"].as_str(), &plain.json["approval"]),
        (Some("confirmed"), &Value::Null),
        "{}",
        plain.body
    );
    // Over the credit limit (1,130.00 > 1,000): the override no longer passes, finance decides.
    let over = quotation("C1", "0");
    let waiting = confirm(&over);
    assert_eq!(
        (waiting.json["state"].as_str(), waiting.json["approval"]["state"].as_str()),
        (Some("draft"), Some("pending")),
        "{}",
        waiting.body
    );
    let edit = seller.put(
        &format!("/api/v1/sales/orders/{over}"),
        &json!({"customer": "C1", "lines": [{"product": "POT", "quantity": "1"}]}),
    );
    assert_eq!(edit.code(), "office.approval.pending", "{}", edit.body);
    let done = approve(&p.fin1, &waiting.json);
    assert_eq!(done["steps"].as_array().unwrap().len(), 1, "the discount step does not apply: {done}");
    let order = seller.get(&format!("/api/v1/sales/orders/{over}")).json;
    assert_eq!(order["state"], "confirmed", "{order}");
    assert!(order["credit_approved_by"].is_string(), "the approval is the credit approval: {order}");
    // A 15 % discount for a customer without a limit: the manager decides; rejected, it stays a quotation.
    let discounted = quotation("C2", "15");
    let waiting = confirm(&discounted);
    assert_eq!(waiting.json["approval"]["state"], "pending", "{}", waiting.body);
    let view = decide(&p.mgr, &task(&p.mgr, &waiting.json), json!({"decision": "reject", "comment": "折扣过大"}));
    assert_eq!(view.json["state"], "rejected");
    assert_eq!(seller.get(&format!("/api/v1/sales/orders/{discounted}")).json["state"], "draft");
    // The sales order's request page shows its lines with the discount.
    let mgr = WebSession::login(&app.base, "mgr", "mgr-password");
    let page = mgr
        .get(&format!("/office/approvals/{}", waiting.json["approval"]["request_id"].as_str().unwrap()))
        .text()
        .unwrap();
    assert!(page.contains("紫砂壶") && page.contains(">15%<") && page.contains("销售订单"), "{page}");
    app.assert_invariants();
}

#[test]
fn a_contract_above_the_amount_is_activated_by_its_approval() {
    let app = spawn();
    let p = company(&app);
    ok(&p.admin.post("/api/v1/parties", &json!({"code": "C1", "name": "杭州茶行", "kind": "customer"})));
    let saved = p.admin.put(
        "/api/v1/approvals/flows/crm.contract",
        &json!({"name": "合同审批", "definition": {"when": [{"field": "amount", "op": "gt", "value": "500"}],
            "steps": [{"name": "法务", "mode": "any", "approvers": [{"kind": "user", "user": "head"}]}]}}),
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let contract = |amount: &str| {
        let created = p.admin.post(
            "/api/v1/crm/contracts",
            &json!({"name": "年度合同", "customer": "C1", "amount": amount, "start_date": "2026-12-01", "end_date": "2027-11-30"}),
        );
        assert_eq!(created.status, 201, "{}", created.body);
        created.json["id"].as_str().unwrap().to_string()
    };
    let small = contract("300");
    let active = p.admin.post(&format!("/api/v1/crm/contracts/{small}/activate"), &json!({}));
    assert_eq!(active.json["state"], "active", "under the amount: at once");
    let big = contract("1000");
    let waiting = p.admin.post(&format!("/api/v1/crm/contracts/{big}/activate"), &json!({})).json;
    assert_eq!(
        (waiting["state"].as_str(), waiting["approval"]["state"].as_str()),
        (Some("draft"), Some("pending")),
        "{waiting}"
    );
    let terminate = p.admin.post(&format!("/api/v1/crm/contracts/{big}/terminate"), &json!({"reason": "x"}));
    assert_eq!(terminate.code(), "office.approval.pending", "{}", terminate.body);
    let done = approve(&p.head, &waiting);
    assert_eq!(done["state"], "approved");
    let now = p.admin.get(&format!("/api/v1/crm/contracts/{big}")).json;
    assert_eq!((now["state"].as_str(), now["approval"]["state"].as_str()), (Some("active"), Some("approved")), "{now}");
}
