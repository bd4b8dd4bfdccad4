//! A property test of production, on SQLite and PostgreSQL (production issue, point 10): random
//! production activity through the API — work orders made by hand or by MRP (planned orders
//! confirmed in bulk, purchases too), confirmed, issued, reported (good and scrap) operation by
//! operation, received in parts (with backflush for the top assembly), finished, closed or
//! cancelled, and stock bought in between — must keep every invariant after every step:
//! `tiangong verify`'s (trial balance zero, stock value = inventory accounts, no negative stock,
//! subledgers…) and production's own, read as a user would through the API:
//!
//! - 生产成本 (WIP account) = Σ over work orders of (materials issued + work booked − value
//!   received − settled), and each order's work in progress = actual cost − received − settled;
//! - an operation never passes more than the one before it, nor the first more than ordered;
//!   what is received never exceeds what the last operation passed; what is issued never
//!   exceeds what is planned;
//! - a closed work order has no work in progress left.

use proptest::prelude::*;
use serde_json::{Value, json};
use testkit::{Answer, Client, TestApp, spawn};

const PRODUCTS: [&str; 2] = ["SUB", "TOP"];
const MATERIALS: [&str; 2] = ["RAW-A", "RAW-B"];
const ACTIONS: [&str; 4] = ["confirm", "finish", "close", "cancel"];

/// A displayed decimal ("-339.00", "8.0000"; "" is zero) in units of 10^-scale.
fn minor(text: &str, scale: u32) -> i64 {
    let text = text.trim();
    if text.is_empty() {
        return 0;
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let fraction = format!("{fraction:0<width$}", width = scale as usize);
    let value = whole.parse::<i64>().unwrap() * 10_i64.pow(scale) + fraction.parse::<i64>().unwrap_or(0);
    if negative { -value } else { value }
}

fn fen(value: &Value) -> i64 {
    minor(value.as_str().unwrap_or_else(|| panic!("an amount, not {value}")), 2)
}

fn qty(value: &Value) -> i64 {
    minor(value.as_str().unwrap_or_else(|| panic!("a quantity, not {value}")), 4)
}

/// The answer succeeded with `status` (true) or was one of the documented refusals (false);
/// anything else fails the test.
fn done(answer: &Answer, status: u16, what: &str) -> bool {
    if answer.status == status {
        return true;
    }
    let allowed = [
        "production.work_order_state",
        "production.more_than_passed",
        "production.nothing_to_issue",
        "inventory.insufficient_stock",
        "inventory.not_enough_stock",
    ];
    assert!(
        answer.status == 409 && allowed.contains(&answer.code()),
        "{what}: unexpected {} {}",
        answer.status,
        answer.body
    );
    false
}

#[derive(Clone, Debug)]
enum Action {
    /// A work order for `quantity` of SUB or TOP, confirmed or left a draft.
    Make { product: usize, quantity: u8, confirm: bool },
    /// Issue a work order's materials (pick list).
    Issue { order: u8 },
    /// Report `good` and `scrap` on one of a work order's operations.
    Report { order: u8, operation: u8, good: u8, scrap: u8 },
    /// Receive finished goods.
    Receive { order: u8, quantity: u8 },
    /// Confirm, finish, close or cancel.
    Act { order: u8, action: usize },
    /// Buy raw material (a receipt at a price of its own).
    Restock { material: usize, quantity: u8, price: u16 },
    /// Run MRP, and confirm every planned order.
    Plan { confirm: bool },
    /// Take a work order as far as it goes: confirm, issue, report every operation passing all
    /// it received, receive all the last one passed, and finish.
    Complete { order: u8 },
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (0..2usize, 1..6u8, any::<bool>()).prop_map(|(product, quantity, confirm)| Action::Make {
            product,
            quantity,
            confirm
        }),
        any::<u8>().prop_map(|order| Action::Issue { order }),
        (any::<u8>(), 0..2u8, 0..4u8, 0..2u8).prop_map(|(order, operation, good, scrap)| Action::Report {
            order,
            operation,
            good,
            scrap
        }),
        (any::<u8>(), 1..4u8).prop_map(|(order, quantity)| Action::Receive { order, quantity }),
        (any::<u8>(), 0..4usize).prop_map(|(order, action)| Action::Act { order, action }),
        (0..2usize, 5..40u8, 100..900u16).prop_map(|(material, quantity, price)| Action::Restock {
            material,
            quantity,
            price
        }),
        any::<bool>().prop_map(|confirm| Action::Plan { confirm }),
        any::<u8>().prop_map(|order| Action::Complete { order }),
    ]
}

fn setup(admin: &Client) {
    for (code, costing) in [("RAW-A", "average"), ("RAW-B", "fifo"), ("SUB", "average"), ("TOP", "average")] {
        let made = admin.post(
            "/api/v1/products",
            &json!({"code": code, "name": code, "kind": "stockable", "uom": "pcs", "costing": costing}),
        );
        assert_eq!(made.status, 201, "{}", made.body);
    }
    for body in [
        json!({"product": "SUB", "lines": [{"component": "RAW-A", "quantity": "2"}, {"component": "RAW-B", "quantity": "1", "scrap": "10"}]}),
        json!({"product": "TOP", "lines": [{"component": "SUB", "quantity": "1"}, {"component": "RAW-A", "quantity": "1"}]}),
    ] {
        assert_eq!(admin.post("/api/v1/production/boms", &body).status, 201);
    }
    for (code, labour, machine, overhead) in [("CUT", "60", "30", "10"), ("ASM", "48", "0", "25")] {
        admin.post(
            "/api/v1/production/work-centers",
            &json!({"code": code, "name": code, "labour_rate": labour, "machine_rate": machine, "overhead": overhead}),
        );
    }
    for (product, operations) in [
        (
            "SUB",
            json!([{"name": "下料", "work_center": "CUT", "run_minutes": "5"}, {"name": "焊接", "work_center": "ASM", "run_minutes": "7"}]),
        ),
        ("TOP", json!([{"name": "总装", "work_center": "ASM", "setup_minutes": "10", "run_minutes": "12"}])),
    ] {
        let routing = admin.post("/api/v1/production/routings", &json!({"product": product, "operations": operations}));
        assert_eq!(routing.status, 201, "{}", routing.body);
    }
    admin.post("/api/v1/production/items", &json!({"product": "TOP", "backflush": true}));
    admin.put(
        "/api/v1/reorder-rules",
        &json!({"product": "RAW-A", "location": "WH/STOCK", "min_qty": "10", "max_qty": "60"}),
    );
    restock(admin, "RAW-A", 40, 300);
    restock(admin, "RAW-B", 20, 500);
}

fn restock(admin: &Client, material: &str, quantity: u8, price: u16) {
    let receipt = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "lines": [{"product": material, "quantity": quantity.to_string(),
            "unit_cost": format!("{}.{:02}", price / 100, price % 100)}]}),
    );
    assert_eq!(receipt.status, 201, "{}", receipt.body);
    let validated =
        admin.post(&format!("/api/v1/pickings/{}/validate", receipt.json["id"].as_str().unwrap()), &json!({}));
    assert_eq!(validated.status, 200, "{}", validated.body);
}

fn orders(admin: &Client) -> Vec<Value> {
    let mut list = admin.get("/api/v1/production/work-orders").json.as_array().unwrap().clone();
    list.sort_by(|a, b| a["number"].as_str().cmp(&b["number"].as_str()));
    list
}

fn pick(list: &[Value], index: u8) -> Option<String> {
    (!list.is_empty()).then(|| list[usize::from(index) % list.len()]["id"].as_str().unwrap().to_string())
}

fn step(admin: &Client, action: &Action) {
    let list = orders(admin);
    let path = |order: u8| pick(&list, order).map(|id| format!("/api/v1/production/work-orders/{id}"));
    match action {
        Action::Make { product, quantity, confirm } => {
            let made = admin.post(
                "/api/v1/production/work-orders",
                &json!({"product": PRODUCTS[*product], "quantity": quantity.to_string(), "confirm": confirm}),
            );
            assert_eq!(made.status, 201, "{}", made.body);
        }
        Action::Issue { order } => {
            if let Some(path) = path(*order) {
                done(&admin.post(&format!("{path}/issue"), &json!({})), 200, "issue");
            }
        }
        Action::Report { order, operation, good, scrap } => {
            let Some(path) = path(*order) else { return };
            let current = admin.get(&path).json;
            let operations = current["operations"].as_array().unwrap();
            if operations.is_empty() || good + scrap == 0 {
                return;
            }
            let op = &operations[usize::from(*operation) % operations.len()];
            done(
                &admin.post(
                    &format!("{path}/report"),
                    &json!({"operation": op["seq"], "good": good.to_string(), "scrap": scrap.to_string(),
                        "defect_reason": "尺寸超差", "worker": "王师傅"}),
                ),
                200,
                "report",
            );
        }
        Action::Receive { order, quantity } => {
            if let Some(path) = path(*order) {
                done(
                    &admin.post(&format!("{path}/receive"), &json!({"quantity": quantity.to_string()})),
                    200,
                    "receive",
                );
            }
        }
        Action::Act { order, action } => {
            if let Some(path) = path(*order) {
                done(&admin.post(&format!("{path}/act"), &json!({"action": ACTIONS[*action]})), 200, "act");
            }
        }
        Action::Restock { material, quantity, price } => restock(admin, MATERIALS[*material], *quantity, *price),
        Action::Complete { order } => {
            let Some(path) = path(*order) else { return };
            let current = admin.get(&path).json;
            if current["state"] == "draft" {
                done(&admin.post(&format!("{path}/act"), &json!({"action": "confirm"})), 200, "confirm");
            }
            if current["backflush"] == false {
                done(&admin.post(&format!("{path}/issue"), &json!({})), 200, "issue");
            }
            let mut available = qty(&current["quantity"]);
            for op in current["operations"].as_array().unwrap() {
                let open = available - qty(&op["good"]) - qty(&op["scrap"]);
                if open > 0 {
                    let good = format!("{}.{:04}", open / 10_000, open % 10_000);
                    let report = admin.post(
                        &format!("{path}/report"),
                        &json!({"operation": op["seq"], "good": good, "worker": "李师傅"}),
                    );
                    done(&report, 200, "report all");
                }
                available = admin.get(&path).json["operations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|o| o["seq"] == op["seq"])
                    .map_or(available, |o| qty(&o["good"]));
            }
            let current = admin.get(&path).json;
            let open = available - qty(&current["received"]);
            if open > 0 {
                let quantity = format!("{}.{:04}", open / 10_000, open % 10_000);
                done(&admin.post(&format!("{path}/receive"), &json!({"quantity": quantity})), 200, "receive all");
            }
            done(&admin.post(&format!("{path}/act"), &json!({"action": "finish"})), 200, "finish");
        }
        Action::Plan { confirm } => {
            let run = admin.post("/api/v1/production/mrp/run", &json!({}));
            assert_eq!(run.status, 200, "{}", run.body);
            if *confirm {
                let confirmed = admin.post("/api/v1/production/planned-orders/confirm", &json!({}));
                assert_eq!(confirmed.status, 200, "{}", confirmed.body);
            }
        }
    }
}

/// Production's own invariants, read through the API.
fn check(app: &TestApp, admin: &Client, what: &str) {
    app.assert_invariants();
    let mut wip = 0;
    for order in orders(admin) {
        let number = order["number"].as_str().unwrap();
        let left = fen(&order["actual_cost"]) - fen(&order["received_value"]) - fen(&order["settled"]);
        assert_eq!(fen(&order["wip"]), left, "{what}: {number}");
        if order["state"] == "closed" {
            assert_eq!(left, 0, "{what}: {number} closed with work in progress");
        }
        // The ledger has the materials issued and the work booked so far (the rest of the work
        // is booked at receipt, at closing and by the worker).
        wip += fen(&order["material_cost"]) + fen(&order["work_booked"])
            - fen(&order["received_value"])
            - fen(&order["settled"]);
        let mut available = qty(&order["quantity"]);
        for op in order["operations"].as_array().unwrap() {
            let (good, scrap) = (qty(&op["good"]), qty(&op["scrap"]));
            assert!(good + scrap <= available, "{what}: {number} op {} passed more than it got", op["seq"]);
            available = good;
        }
        assert!(qty(&order["received"]) <= available, "{what}: {number} received more than passed");
        for m in order["materials"].as_array().unwrap() {
            assert!(
                qty(&m["issued"]) <= qty(&m["planned"]),
                "{what}: {number} issued more than planned of {}",
                m["code"]
            );
        }
    }
    let period = kernel::clock::format_date(app.system_ctx().today())[..7].to_string();
    let tb = admin.get(&format!("/api/v1/trial-balance?period={period}")).json;
    let booked = tb["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "4001")
        .map_or(0, |r| fen(&r["closing_debit"]) - fen(&r["closing_credit"]));
    assert_eq!(booked, wip, "{what}: 生产成本 {booked} fen against work in progress {wip} fen");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, max_shrink_iters: 20, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_production_keeps_stock_ledger_and_work_in_progress_consistent(
        actions in proptest::collection::vec(action(), 4..=14)
    ) {
        let app = spawn();
        let admin = app.admin();
        setup(&admin);
        check(&app, &admin, "setup");
        for (i, action) in actions.iter().enumerate() {
            step(&admin, action);
            check(&app, &admin, &format!("step {i}: {action:?}"));
        }
    }
}
