//! The ledger through the API, on SQLite and PostgreSQL: the chart a company starts with,
//! vouchers from draft to posted with review by someone else and gapless numbers, red-ink
//! reversal, the trial balance, and the automatic vouchers of stock documents (stock value =
//! the inventory account after every step).

use serde_json::{Value, json};
use testkit::external::pdf_text;
use testkit::spawn;

fn line(account: &str, debit: &str, credit: &str) -> Value {
    let mut l = json!({"account": account, "summary": "测试"});
    if !debit.is_empty() {
        l["debit"] = json!(debit);
    }
    if !credit.is_empty() {
        l["credit"] = json!(credit);
    }
    l
}

#[test]
fn a_company_starts_with_the_small_enterprise_chart() {
    let app = spawn();
    let accounts = app.admin().get("/api/v1/accounts").json;
    let list = accounts.as_array().unwrap();
    let first_level = list.iter().filter(|a| a["code"].as_str().unwrap().len() == 4).count();
    assert_eq!(first_level, 66);
    let find = |code: &str| list.iter().find(|a| a["code"] == code).unwrap().clone();
    assert_eq!((find("1122")["name"].as_str(), find("1122")["role"].as_str()), (Some("应收账款"), Some("receivable")));
    assert_eq!(find("4001")["name"], "生产成本", "小企业会计准则 codes, not 企业会计准则");
    assert_eq!(find("22210102")["role"], "vat.output");
    assert_eq!(find("2221")["postable"], false, "a parent takes no postings");
}

#[test]
fn vouchers_are_reviewed_by_someone_else_posted_and_reversed_in_red() {
    let app = spawn();
    let (_, maker) = app.user_in(app.company, "maker", &["finance"]);
    let (_, checker) = app.user_in(app.company, "checker", &["finance"]);
    let body = json!({"date": "2026-11-03", "summary": "提取备用金", "attachments": 1,
        "lines": [line("1001", "500", ""), line("1002", "", "500")]});
    let first = maker.post("/api/v1/vouchers", &body);
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!((first.json["label"].as_str(), first.json["state"].as_str()), (Some("记-0001"), Some("draft")));
    // Bad vouchers are refused with the reason beside the line.
    let unbalanced = maker.post(
        "/api/v1/vouchers",
        &json!({"date": "2026-11-03", "lines": [line("1001", "500", ""), line("1002", "", "499.99")]}),
    );
    assert_eq!((unbalanced.status, unbalanced.json["errors"][0]["code"].as_str()), (422, Some("ledger.unbalanced")));
    let parent = maker.post(
        "/api/v1/vouchers",
        &json!({"date": "2026-11-03", "lines": [line("2221", "1", ""), line("1002", "", "1")]}),
    );
    assert_eq!(parent.json["errors"][0]["field"], "lines[0].account");
    let both = maker.post(
        "/api/v1/vouchers",
        &json!({"date": "2026-11-03", "lines": [line("1001", "1", "1"), line("1002", "", "1")]}),
    );
    assert_eq!(both.json["errors"][0]["code"], "ledger.one_side");
    // The refused ones took no number: the next is 记-0002.
    let second = maker.post(
        "/api/v1/vouchers",
        &json!({"word": "付", "date": "2026-11-04", "lines": [line("5602", "88.50", ""), line("1001", "", "88.50")]}),
    );
    assert_eq!(second.json["label"], "付-0001", "numbers run per word");
    let third = maker.post("/api/v1/vouchers", &body);
    assert_eq!(third.json["label"], "记-0002");
    let id = first.json["id"].as_str().unwrap();
    // The preparer may not review; someone else may. Posting needs a review first.
    assert_eq!(maker.post(&format!("/api/v1/vouchers/{id}/post"), &json!({})).code(), "ledger.voucher_state");
    assert_eq!(maker.post(&format!("/api/v1/vouchers/{id}/review"), &json!({})).code(), "ledger.review_own");
    assert_eq!(checker.post(&format!("/api/v1/vouchers/{id}/review"), &json!({})).json["state"], "reviewed");
    let posted = checker.post(&format!("/api/v1/vouchers/{id}/post"), &json!({}));
    assert_eq!(posted.json["state"], "posted");
    let tb = checker.get("/api/v1/trial-balance?period=2026-11").json;
    let row = |code: &str| tb["rows"].as_array().unwrap().iter().find(|r| r["code"] == code).cloned();
    assert_eq!(row("1001").unwrap()["period_debit"], "500.00");
    assert_eq!(row("1002").unwrap()["closing_credit"], "500.00");
    assert_eq!(tb["totals"]["period_debit"], tb["totals"]["period_credit"]);
    // Red ink: the same lines in negative amounts, posted at once, linked both ways.
    let red = checker.post(&format!("/api/v1/vouchers/{id}/reverse"), &json!({"date": "2026-11-05"}));
    assert_eq!(red.status, 201, "{}", red.body);
    assert_eq!(red.json["lines"][0]["debit"], "-500.00");
    assert_eq!(red.json["reverses"], id);
    assert_eq!(checker.get(&format!("/api/v1/vouchers/{id}")).json["reversed_by"], red.json["id"]);
    assert_eq!(
        checker.post(&format!("/api/v1/vouchers/{id}/reverse"), &json!({"date": "2026-11-05"})).code(),
        "ledger.not_reversible"
    );
    let tb = checker.get("/api/v1/trial-balance?period=2026-11").json;
    // Red ink takes the amounts out of the same columns: cash nets to nothing this period.
    assert!(tb["rows"].as_array().unwrap().iter().all(|r| r["code"] != "1001"), "{tb}");
    // Drafts and reviews are not in the balances; sales staff cannot see the books.
    let (_, seller) = app.user_in(app.company, "seller", &["sales"]);
    assert_eq!(seller.get("/api/v1/trial-balance?period=2026-11").status, 403);
    app.assert_invariants();
}

#[test]
fn stock_documents_make_their_vouchers() {
    let app = spawn();
    let admin = app.admin();
    admin.post("/api/v1/products", &json!({"code": "TEA", "name": "茶叶", "kind": "stockable", "uom": "pcs"}));
    let receipt = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "lines": [{"product": "TEA", "quantity": "10", "unit_cost": "10"}]}),
    );
    let id = receipt.json["id"].as_str().unwrap().to_string();
    admin.post(&format!("/api/v1/pickings/{id}/validate"), &json!({"date": "2026-11-02"}));
    let vouchers = admin.get(&format!("/api/v1/vouchers?kind=inventory.picking&id={id}")).json;
    let voucher = &vouchers[0];
    assert_eq!((voucher["word"].as_str(), voucher["state"].as_str()), (Some("转"), Some("posted")));
    let lines: Vec<(String, String, String)> = voucher["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["account_code"].as_str().unwrap().into(),
                l["debit"].as_str().unwrap().into(),
                l["credit"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [("1405".into(), "100.00".into(), String::new()), ("220202".into(), String::new(), "100.00".into())]
    );
    app.assert_invariants();
    // A delivery: cost of goods sold against stock; a count loss waits in 待处理财产损溢.
    let out = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "delivery", "lines": [{"product": "TEA", "quantity": "4"}], "confirm": true}),
    );
    let out_id = out.json["id"].as_str().unwrap().to_string();
    admin.post(&format!("/api/v1/pickings/{out_id}/validate"), &json!({"date": "2026-11-03"}));
    let cogs = admin.get(&format!("/api/v1/vouchers?kind=inventory.picking&id={out_id}")).json;
    assert_eq!(cogs[0]["lines"][0]["account_code"], "1405");
    assert_eq!(cogs[0]["lines"][0]["credit"], "40.00");
    assert_eq!(cogs[0]["lines"][1]["account_code"], "5401");
    let count = admin
        .post("/api/v1/stock-counts", &json!({"location": "WH/STOCK", "lines": [{"product": "TEA", "counted": "5"}]}));
    let count_id = count.json["id"].as_str().unwrap().to_string();
    admin.post(&format!("/api/v1/pickings/{count_id}/validate"), &json!({"date": "2026-11-04"}));
    let loss = admin.get(&format!("/api/v1/vouchers?kind=inventory.picking&id={count_id}")).json;
    assert!(loss[0]["lines"].as_array().unwrap().iter().any(|l| l["account_code"] == "1901" && l["debit"] == "10.00"));
    let tb = admin.get("/api/v1/trial-balance?period=2026-11").json;
    let stock = tb["rows"].as_array().unwrap().iter().find(|r| r["code"] == "1405").unwrap().clone();
    assert_eq!(stock["closing_debit"], "50.00", "5 units at 10.00 left");
    // A receipt dated before the delivery revalues it; the difference is booked too.
    let late = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "lines": [{"product": "TEA", "quantity": "10", "unit_cost": "4"}]}),
    );
    admin.post(
        &format!("/api/v1/pickings/{}/validate", late.json["id"].as_str().unwrap()),
        &json!({"date": "2026-11-01"}),
    );
    app.assert_invariants();
}

/// Posts a voucher through review (by the admin) and posting (by a second accountant).
fn booked(maker: &testkit::Client, checker: &testkit::Client, body: Value) -> Value {
    let made = maker.post("/api/v1/vouchers", &body);
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.json["id"].as_str().unwrap();
    assert_eq!(checker.post(&format!("/api/v1/vouchers/{id}/review"), &json!({})).status, 200);
    let posted = checker.post(&format!("/api/v1/vouchers/{id}/post"), &json!({}));
    assert_eq!(posted.status, 200, "{}", posted.body);
    posted.json
}

#[test]
fn month_end_carries_profit_and_loss_forward_and_closes() {
    let app = spawn();
    let admin = app.admin();
    let (_, checker) = app.user_in(app.company, "checker", &["finance"]);
    // A sale with 13% VAT: receivable 1,130.00 = revenue 1,000.00 + output VAT 130.00; an expense.
    let mut receivable = line("1122", "1130", "");
    receivable["partner_id"] = json!("C001");
    booked(
        &admin,
        &checker,
        json!({"date": "2026-11-10", "summary": "销售", "lines": [
        receivable, line("5001", "", "1000"), line("22210102", "", "130")]}),
    );
    booked(
        &admin,
        &checker,
        json!({"word": "付", "date": "2026-11-12", "summary": "办公费", "lines": [
        line("5602", "200", ""), line("1002", "", "200")]}),
    );
    // A draft in the month stops the close.
    let draft = admin.post(
        "/api/v1/vouchers",
        &json!({"date": "2026-11-20", "lines": [line("5602", "1", ""), line("1001", "", "1")]}),
    );
    assert_eq!(admin.post("/api/v1/periods/2026-11/close", &json!({})).code(), "ledger.unposted_vouchers");
    let draft_id = draft.json["id"].as_str().unwrap();
    checker.post(&format!("/api/v1/vouchers/{draft_id}/review"), &json!({}));
    checker.post(&format!("/api/v1/vouchers/{draft_id}/post"), &json!({}));
    // The statements balance before the close (profit not yet carried is profit all the same)…
    let statements = |admin: &testkit::Client| {
        let bs = admin.get("/api/v1/statements/balance-sheet?period=2026-11").json;
        let is = admin.get("/api/v1/statements/income?period=2026-11").json;
        let pick = |s: &Value, row: u64| {
            s["rows"].as_array().unwrap().iter().find(|r| r["row"] == row).unwrap()["current"].clone()
        };
        (pick(&bs, 4), pick(&bs, 30), pick(&bs, 53), pick(&bs, 51), pick(&is, 1), pick(&is, 14), pick(&is, 32))
    };
    let before = statements(&admin);
    assert_eq!(before.0, "1130.00", "应收账款");
    assert_eq!(before.1, before.2, "资产总计 = 负债和所有者权益总计");
    assert_eq!(
        (before.3.as_str(), before.4.as_str(), before.5.as_str(), before.6.as_str()),
        (Some("799.00"), Some("1000.00"), Some("201.00"), Some("799.00"))
    );
    let closed = admin.post("/api/v1/periods/2026-11/close", &json!({}));
    assert_eq!(closed.status, 200, "{}", closed.body);
    assert_eq!(closed.json["state"], "closed");
    // 结转损益: revenue and expenses end at zero; 本年利润 holds the profit 1,000 − 201 = 799.00.
    let carry = admin.get(&format!("/api/v1/vouchers/{}", closed.json["vouchers"][0].as_str().unwrap())).json;
    assert_eq!(carry["word"], "转");
    assert_eq!(carry["date"], "2026-11-30");
    let tb = admin.get("/api/v1/trial-balance?period=2026-11").json;
    let row = |code: &str| tb["rows"].as_array().unwrap().iter().find(|r| r["code"] == code).cloned().unwrap();
    assert_eq!((row("5001")["closing_debit"].as_str(), row("5001")["closing_credit"].as_str()), (Some(""), Some("")));
    assert_eq!(row("5602")["closing_debit"], "");
    assert_eq!(row("3103")["closing_credit"], "799.00");
    assert_eq!(tb["totals"]["closing_debit"], tb["totals"]["closing_credit"]);
    // The books: 明细账 of 1122 with its running balance; 序时账 in voucher order; 总账 by month.
    let detail = admin.get("/api/v1/books/account?account=1122&from=2026-11&to=2026-11").json;
    assert_eq!(detail["lines"][0]["voucher"], "记-0001");
    assert_eq!((detail["closing_side"].as_str(), detail["closing"].as_str()), (Some("借"), Some("1130.00")));
    // Paged one line at a time, the 明细账 shows the same lines with the same running balance.
    let whole = detail["lines"].as_array().unwrap();
    for (i, line) in whole.iter().enumerate() {
        let page = admin.get(&format!("/api/v1/books/account?account=1122&period=2026-11&limit=1&offset={i}")).json;
        assert_eq!(&page["lines"][0], line, "line {i}");
        assert_eq!(page["more"].as_bool(), Some(i + 1 < whole.len()));
        assert_eq!(
            (page["closing"].as_str(), page["period_debit"].as_str()),
            (detail["closing"].as_str(), detail["period_debit"].as_str())
        );
    }
    let journal = admin.get("/api/v1/books/journal?period=2026-11").json;
    let vouchers: Vec<&str> = journal.as_array().unwrap().iter().map(|l| l["voucher"].as_str().unwrap()).collect();
    assert_eq!(&vouchers[..3], ["记-0001", "记-0001", "记-0001"]);
    assert!(vouchers.contains(&"转-0001"), "the carry-forward voucher is in the journal");
    let general = admin.get("/api/v1/books/general?account=2221&year=2026").json;
    assert_eq!(general["months"][10]["credit"], "130.00", "output VAT under its parent 2221");
    assert_eq!(general["months"][10]["side"], "贷");
    // …and after it: the income statement shows the month's turnover, not the carry-forward.
    assert_eq!(statements(&admin), before);
    // Nothing more posts into the closed month, and it cannot be closed twice.
    let late = admin.post(
        "/api/v1/vouchers",
        &json!({"date": "2026-11-15", "lines": [line("5602", "1", ""), line("1001", "", "1")]}),
    );
    assert_eq!(late.code(), "ledger.period_closed");
    assert_eq!(admin.post("/api/v1/periods/2026-11/close", &json!({})).code(), "ledger.period_already_closed");
    // December closes after November; the year's profit goes to 利润分配.
    booked(
        &admin,
        &checker,
        json!({"date": "2026-12-05", "lines": [line("1002", "500", ""), line("5301", "", "500")]}),
    );
    let december = admin.post("/api/v1/periods/2026-12/close", &json!({}));
    assert_eq!(december.status, 200, "{}", december.body);
    assert_eq!(december.json["vouchers"].as_array().unwrap().len(), 2, "carry-forward and year-end");
    let tb = admin.get("/api/v1/trial-balance?period=2026-12").json;
    let row = |code: &str| tb["rows"].as_array().unwrap().iter().find(|r| r["code"] == code).cloned();
    assert_eq!(row("3104").unwrap()["closing_credit"], "1299.00");
    assert!(row("3103").is_none_or(|r| r["closing_credit"] == "" && r["closing_debit"] == ""));
    // 反结账 only from the latest closed month; audited; a seller may not.
    assert_eq!(admin.post("/api/v1/periods/2026-11/reopen", &json!({})).code(), "ledger.later_period_closed");
    let (_, seller) = app.user_in(app.company, "seller", &["sales"]);
    assert_eq!(seller.post("/api/v1/periods/2026-12/reopen", &json!({})).status, 403);
    assert_eq!(admin.post("/api/v1/periods/2026-12/reopen", &json!({})).json["state"], "open");
    let audit: i64 = app
        .db
        .read(|tx| tx.scalar("select count(*) from kernel_audit where action = 'ledger.period.reopen'", &[]))
        .unwrap();
    assert_eq!(audit, 1);
    app.assert_invariants();
}

#[test]
fn sub_accounts_dimensions_and_the_template_choice() {
    let app = spawn();
    let admin = app.admin();
    // Before any voucher the company may take the 企业会计准则 chart instead…
    assert_eq!(admin.put("/api/v1/ledger/template", &json!({"template": "enterprise"})).status, 204);
    let accounts = admin.get("/api/v1/accounts").json;
    let name = |code: &str| accounts.as_array().unwrap().iter().find(|a| a["code"] == code).unwrap()["name"].clone();
    assert_eq!(name("4001"), "实收资本");
    assert_eq!(name("6001"), "主营业务收入");
    assert_eq!(admin.put("/api/v1/ledger/template", &json!({"template": "small"})).status, 204);
    // Sub-accounts: 管理费用—办公费 under 5602, which then takes no postings itself.
    let sub = admin.post(
        "/api/v1/accounts",
        &json!({"parent": "5602", "code": "560201", "name": "办公费", "dimensions": ["department"]}),
    );
    assert_eq!(sub.status, 201, "{}", sub.body);
    assert_eq!(sub.json["role"], "admin_expense", "the role moves to the account that takes postings");
    assert_eq!(admin.post("/api/v1/accounts", &json!({"parent": "5602", "code": "5699", "name": "x"})).status, 422);
    // 辅助核算: receivables name their customer; the office account its department.
    let missing = admin.post(
        "/api/v1/vouchers",
        &json!({"date": "2026-11-03", "lines": [
        line("1122", "100", ""), line("560201", "", "100")]}),
    );
    let fields: Vec<&str> =
        missing.json["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["lines[0].partner_id", "lines[1].department"]);
    let mut ok_lines = vec![line("1122", "100", ""), line("560201", "", "100")];
    ok_lines[0]["partner_id"] = json!("C001");
    ok_lines[1]["department"] = json!("行政部");
    let made = admin.post("/api/v1/vouchers", &json!({"date": "2026-11-03", "lines": ok_lines}));
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(made.json["lines"][1]["department"], "行政部");
    assert_eq!(admin.put("/api/v1/accounts/1405/dimensions", &json!({"dimensions": ["warehouse"]})).status, 422);
    // …but not once there are vouchers.
    assert_eq!(
        admin.put("/api/v1/ledger/template", &json!({"template": "enterprise"})).code(),
        "ledger.template_in_use"
    );
    app.assert_invariants();
}

mod random_bookkeeping {
    use proptest::prelude::*;

    use super::*;

    #[derive(Clone, Debug)]
    enum Op {
        /// A manual voucher between two accounts, reviewed and posted (or left as a draft).
        Voucher(usize, usize, u32, bool),
        /// A receipt of stock at a cost, or a delivery (valued by the ledger's automatic voucher).
        Receive(u8, u16),
        Deliver(u8),
        /// Reverse the last posted manual voucher in red.
        Reverse,
    }

    const ACCOUNTS: [&str; 6] = ["1001", "1002", "5001", "5602", "2241", "22210102"];

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..6usize, 0..6usize, 1..100_000u32, any::<bool>()).prop_map(|(a, b, c, p)| Op::Voucher(a, b, c, p)),
            (1..20u8, 1..500u16).prop_map(|(q, c)| Op::Receive(q, c)),
            (1..20u8).prop_map(Op::Deliver),
            Just(Op::Reverse),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 5, .. ProptestConfig::default() })]
        #[test]
        fn random_business_keeps_the_books_balanced(ops in proptest::collection::vec(op(), 1..16)) {
            let app = spawn();
            let admin = app.admin();
            let (_, checker) = app.user_in(app.company, "checker", &["finance"]);
            admin.post("/api/v1/products", &json!({"code": "P", "name": "P", "kind": "stockable", "uom": "pcs"}));
            let mut posted: Vec<String> = Vec::new();
            for op in &ops {
                match op {
                    Op::Voucher(a, b, cents, post) => {
                        if a == b { continue; }
                        let amount = format!("{}.{:02}", cents / 100, cents % 100);
                        let made = admin.post("/api/v1/vouchers", &json!({"date": "2026-11-10", "lines": [
                            line(ACCOUNTS[*a], &amount, ""), line(ACCOUNTS[*b], "", &amount)]}));
                        prop_assert_eq!(made.status, 201);
                        if *post {
                            let id = made.json["id"].as_str().unwrap().to_string();
                            checker.post(&format!("/api/v1/vouchers/{id}/review"), &json!({}));
                            prop_assert_eq!(checker.post(&format!("/api/v1/vouchers/{id}/post"), &json!({})).status, 200);
                            posted.push(id);
                        }
                    }
                    Op::Receive(q, cost) => {
                        let doc = admin.post("/api/v1/pickings", &json!({"kind": "receipt", "lines": [{"product": "P", "quantity": q.to_string(), "unit_cost": format!("{}.{:02}", cost / 100, cost % 100)}]}));
                        let id = doc.json["id"].as_str().unwrap();
                        prop_assert_eq!(admin.post(&format!("/api/v1/pickings/{id}/validate"), &json!({"date": "2026-11-05"})).status, 200);
                    }
                    Op::Deliver(q) => {
                        let doc = admin.post("/api/v1/pickings", &json!({"kind": "delivery", "lines": [{"product": "P", "quantity": q.to_string()}], "strict": true}));
                        if doc.status == 201 {
                            let id = doc.json["id"].as_str().unwrap();
                            prop_assert_eq!(admin.post(&format!("/api/v1/pickings/{id}/validate"), &json!({"date": "2026-11-06"})).status, 200);
                        }
                    }
                    Op::Reverse => {
                        if let Some(id) = posted.pop() {
                            prop_assert_eq!(checker.post(&format!("/api/v1/vouchers/{id}/reverse"), &json!({"date": "2026-11-20"})).status, 201);
                        }
                    }
                }
                app.assert_invariants();
            }
            // The month closes, and still every invariant holds; the trial balance agrees.
            let drafts: Vec<String> = app.db.read(|tx| {
                tx.query("select id from ledger_voucher where state <> 'posted'", &[])?.iter().map(|r| r.get(0)).collect()
            }).unwrap();
            for id in drafts {
                checker.post(&format!("/api/v1/vouchers/{id}/review"), &json!({}));
                checker.post(&format!("/api/v1/vouchers/{id}/post"), &json!({}));
            }
            prop_assert_eq!(admin.post("/api/v1/periods/2026-11/close", &json!({})).status, 200);
            let tb = admin.get("/api/v1/trial-balance?period=2026-11").json;
            prop_assert_eq!(&tb["totals"]["closing_debit"], &tb["totals"]["closing_credit"]);
            app.assert_invariants();
        }
    }
}

#[test]
fn receivables_are_open_items_matched_aged_and_stated() {
    let app = spawn();
    let admin = app.admin();
    let (_, checker) = app.user_in(app.company, "checker", &["finance"]);
    let with_partner = |mut l: Value, partner: &str| {
        l["partner_id"] = json!(partner);
        l
    };
    // Two invoices of C001 and one of C002; C001 pays the first in two parts and part of the second.
    let invoice = |date: &str, amount: &str, partner: &str, reference: &str| {
        let mut receivable = with_partner(line("1122", amount, ""), partner);
        receivable["summary"] = json!(reference);
        booked(&admin, &checker, json!({"date": date, "lines": [receivable, line("5001", "", amount)]}))
    };
    invoice("2026-08-01", "1000", "C001", "INV-1");
    invoice("2026-10-20", "500", "C001", "INV-2");
    invoice("2026-11-01", "300", "C002", "INV-3");
    let receipt = |date: &str, amount: &str, partner: &str, reference: &str| {
        let mut settled = with_partner(line("1122", "", amount), partner);
        settled["summary"] = json!(reference);
        booked(&admin, &checker, json!({"word": "收", "date": date, "lines": [line("1002", amount, ""), settled]}))
    };
    receipt("2026-11-10", "500", "C001", "INV-2");
    receipt("2026-11-12", "600", "C001", "回款");
    assert_eq!(
        admin.get("/api/v1/open-items?role=receivable").json.as_array().unwrap().len(),
        5,
        "nothing matched yet"
    );
    let auto = admin.post("/api/v1/reconcile/auto", &json!({"role": "receivable"}));
    assert_eq!(auto.status, 200, "{}", auto.body);
    // INV-2 matched by reference and amount; the 600 goes to the oldest, INV-1, leaving 400 open.
    let open = admin.get("/api/v1/open-items?role=receivable&partner=C001").json;
    let open: Vec<(&str, &str)> = open
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["summary"].as_str().unwrap(), i["open"].as_str().unwrap()))
        .collect();
    assert_eq!(open, [("INV-1", "400.00")]);
    let aging = admin.get("/api/v1/aging?role=receivable&date=2026-11-30").json;
    let c001 = aging.as_array().unwrap().iter().find(|r| r["partner_id"] == "C001").unwrap();
    assert_eq!(
        (c001["over_90"].as_str(), c001["total"].as_str()),
        (Some("400.00"), Some("400.00")),
        "INV-1 is 121 days old"
    );
    let c002 = aging.as_array().unwrap().iter().find(|r| r["partner_id"] == "C002").unwrap();
    assert_eq!(c002["days_0_30"], "300.00");
    let statement = admin.get("/api/v1/statement-of-account?role=receivable&partner=C001").json;
    let balances: Vec<&str> = statement.as_array().unwrap().iter().map(|l| l["balance"].as_str().unwrap()).collect();
    assert_eq!(balances, ["1000.00", "1500.00", "1000.00", "400.00"]);
    // By hand: more than is open is refused; lines of different partners do not match.
    let c2 = admin.get("/api/v1/open-items?role=receivable&partner=C002").json;
    let inv1 = admin.get("/api/v1/open-items?role=receivable&partner=C001").json;
    let refused = admin.post(
        "/api/v1/reconcile",
        &json!({"debit_line_id": inv1[0]["line_id"], "credit_line_id": c2[0]["line_id"], "amount": "1"}),
    );
    assert_eq!(refused.status, 409);
    app.assert_invariants();
}

#[test]
fn the_vat_summary_of_a_month_carries_credit_forward() {
    let app = spawn();
    let admin = app.admin();
    let (_, checker) = app.user_in(app.company, "checker", &["finance"]);
    let with_partner = |mut l: Value, partner: &str| {
        l["partner_id"] = json!(partner);
        l
    };
    // October: a purchase with 130.00 input VAT and no sales: 130.00 to carry forward (留抵).
    booked(
        &admin,
        &checker,
        json!({"date": "2026-10-08", "lines": [
        line("1403", "1000", ""), line("22210101", "130", ""), line("1002", "", "1130")]}),
    );
    let october = admin.get("/api/v1/vat-summary?period=2026-10").json;
    assert_eq!(
        (october["input_tax"].as_str(), october["payable"].as_str(), october["credit_forward"].as_str()),
        (Some("130.00"), Some("0.00"), Some("130.00"))
    );
    // November: a sale of 2,000.00 with 260.00 output VAT; 260 − 130 carried = 130.00 payable.
    booked(
        &admin,
        &checker,
        json!({"date": "2026-11-10", "lines": [
        with_partner(line("1122", "2260", ""), "C001"), line("5001", "", "2000"), line("22210102", "", "260")]}),
    );
    let november = admin.get("/api/v1/vat-summary?period=2026-11").json;
    assert_eq!(november["sales"], "2000.00");
    assert_eq!(november["output_tax"], "260.00");
    assert_eq!(november["carried_credit"], "130.00");
    assert_eq!(november["payable"], "130.00");
    assert_eq!(admin.get("/api/v1/vat-summary?period=2026-13").status, 422);
    // The stock account moves with stock documents only (so stock value = the account).
    let manual = admin.post(
        "/api/v1/vouchers",
        &json!({"date": "2026-11-11", "lines": [line("1405", "1", ""), line("1002", "", "1")]}),
    );
    assert_eq!(manual.json["errors"][0]["code"], "ledger.account_automatic");
    app.assert_invariants();
}

/// The cash-flow row `row` of a statement: (本月金额, 本年累计金额).
fn row_of(statement: &Value, row: u64) -> (String, String) {
    let found = statement["rows"].as_array().unwrap().iter().find(|r| r["row"] == row).unwrap();
    (found["current"].as_str().unwrap().to_string(), found["other"].as_str().unwrap().to_string())
}

#[test]
fn the_cash_flow_statement_explains_the_change_in_cash() {
    let app = spawn();
    let admin = app.admin();
    let (_, checker) = app.user_in(app.company, "checker", &["finance"]);
    let book = |date: &str, lines: Vec<Value>| booked(&admin, &checker, json!({"date": date, "lines": lines}));
    // October: the owners pay in 100,000.00 (financing).
    book("2026-10-08", vec![line("1002", "100000", ""), line("3001", "", "100000")]);
    // November: a cash sale with 13% VAT (operating in, VAT included), raw materials bought with
    // input VAT (operating out), wages paid, a short-term loan (financing in), a machine
    // (investing out), a bank charge, and cash drawn from the bank (no flow at all).
    book("2026-11-03", vec![line("1002", "1130", ""), line("5001", "", "1000"), line("22210102", "", "130")]);
    book("2026-11-05", vec![line("1403", "500", ""), line("22210101", "65", ""), line("1002", "", "565")]);
    book("2026-11-10", vec![line("2211", "3000", ""), line("1002", "", "3000")]);
    book("2026-11-12", vec![line("1002", "20000", ""), line("2001", "", "20000")]);
    book("2026-11-15", vec![line("1601", "8000", ""), line("1002", "", "8000")]);
    book("2026-11-20", vec![line("5603", "5", ""), line("1002", "", "5")]);
    book("2026-11-21", vec![line("1001", "200", ""), line("1002", "", "200")]);

    let flows = admin.get("/api/v1/statements/cash-flow?period=2026-11");
    assert_eq!(flows.status, 200, "{}", flows.body);
    let month = |row| row_of(&flows.json, row).0;
    assert_eq!(month(1), "1130.00", "sales received, VAT included");
    assert_eq!(month(3), "565.00", "materials paid, input VAT included");
    assert_eq!(month(4), "3000.00");
    assert_eq!(month(6), "5.00", "the bank charge");
    assert_eq!(month(7), "-2440.00", "1,130 − 565 − 3,000 − 5");
    assert_eq!(month(12), "8000.00");
    assert_eq!(month(13), "-8000.00");
    assert_eq!((month(14), month(19)), ("20000.00".into(), "20000.00".into()));
    assert_eq!(month(20), "9560.00");
    assert_eq!((month(21), month(22)), ("100000.00".into(), "109560.00".into()));
    // Year to date includes October's capital and starts from the cash at 1 January.
    assert_eq!(row_of(&flows.json, 15).1, "100000.00");
    assert_eq!(row_of(&flows.json, 21).1, "0.00");
    assert_eq!(row_of(&flows.json, 22).1, "109560.00");
    // The closing cash is the balance sheet's 货币资金.
    let sheet = admin.get("/api/v1/statements/balance-sheet?period=2026-11").json;
    let cash = sheet["rows"].as_array().unwrap().iter().find(|r| r["row"] == 1).unwrap();
    assert_eq!(cash["current"], "109560.00");
    assert_eq!(cash["accounts"], json!(["1001", "1002", "1012"]), "a row names the accounts it drills into");
    app.assert_invariants();
}

#[test]
fn reports_drill_down_to_the_vouchers_and_export_to_xlsx_and_pdf() {
    use testkit::ADMIN_PASSWORD;
    use testkit::session::WebSession;
    let app = spawn();
    let admin = app.admin();
    let (_, checker) = app.user_in(app.company, "checker", &["finance"]);
    let receivable = |partner: &str, debit: &str, credit: &str| {
        let mut l = line("1122", debit, credit);
        l["partner_id"] = json!(partner);
        l
    };
    booked(
        &admin,
        &checker,
        json!({"date": "2026-10-20", "lines": [receivable("C001", "300", ""), line("5001", "", "300")]}),
    );
    let sale = booked(
        &admin,
        &checker,
        json!({"date": "2026-11-10", "summary": "销售", "attachments": 2, "lines": [
        receivable("C001", "1130", ""), line("5001", "", "1000"), line("22210102", "", "130")]}),
    );
    booked(
        &admin,
        &checker,
        json!({"date": "2026-11-11", "lines": [receivable("C002", "500", ""), line("5001", "", "500")]}),
    );
    booked(
        &admin,
        &checker,
        json!({"word": "收", "date": "2026-11-20", "lines": [line("1002", "800", ""), receivable("C001", "", "800")]}),
    );

    // 辅助核算余额表: the receivable per customer adds up to the account's row.
    let by_customer = admin.get("/api/v1/trial-balance/dimension?account=1122&period=2026-11&dimension=customer");
    assert_eq!(by_customer.status, 200, "{}", by_customer.body);
    let rows: Vec<(&str, &str, &str, &str, &str)> = by_customer.json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["code"].as_str().unwrap(),
                r["opening_debit"].as_str().unwrap(),
                r["period_debit"].as_str().unwrap(),
                r["period_credit"].as_str().unwrap(),
                r["closing_debit"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows, [("C001", "300.00", "1130.00", "800.00", "630.00"), ("C002", "", "500.00", "", "500.00")]);
    assert_eq!(by_customer.json["totals"]["closing_debit"], "1130.00");
    let tb = admin.get("/api/v1/trial-balance?period=2026-11").json;
    let ar = tb["rows"].as_array().unwrap().iter().find(|r| r["code"] == "1122").unwrap();
    assert_eq!(ar["closing_debit"], "1130.00");
    let unknown = admin.get("/api/v1/trial-balance/dimension?account=1122&period=2026-11&dimension=colour");
    assert_eq!((unknown.status, unknown.json["errors"][0]["code"].as_str()), (422, Some("ledger.dimension_unknown")));

    // The voucher printed: its layout's words, the amount in capitals, the attachments.
    let sale_id = sale["id"].as_str().unwrap();
    let printed = admin.get(&format!("/api/v1/vouchers/{sale_id}/pdf"));
    assert_eq!(printed.status, 200);
    let words = ["记账凭证", "记-0001", "应收账款", "1130.00", "壹仟壹佰叁拾元整", "附单据", "2 张", "制单"];
    if let Some(text) = pdf_text(&printed.bytes) {
        for expected in words {
            assert!(text.contains(expected), "{expected} missing from:\n{text}");
        }
    }

    // In the web client: statement row → 科目余额表 → 明细账 → voucher.
    let web = WebSession::login(&app.base, "admin", ADMIN_PASSWORD);
    let sheet = web.get("/finance/statements/balance-sheet?period=2026-11").text().unwrap();
    assert!(sheet.contains("/finance/trial-balance?period=2026-11&amp;accounts=1122,2203"), "应收账款 row drills down");
    let narrowed = web.get("/finance/trial-balance?period=2026-11&accounts=1122,2203").text().unwrap();
    assert!(narrowed.contains("/finance/books/account?account=1122&amp;from=2026-11&amp;to=2026-11"));
    assert!(!narrowed.contains("account=5001"), "only the row's accounts");
    let book = web.get("/finance/books/account?account=1122&from=2026-11&to=2026-11").text().unwrap();
    assert!(book.contains(&format!("/finance/vouchers/{sale_id}")), "a line opens its voucher");
    let voucher = web.get(&format!("/finance/vouchers/{sale_id}")).text().unwrap();
    assert!(voucher.contains(&format!("/finance/vouchers/{sale_id}/pdf")));
    let journal = web.get("/finance/books/journal?period=2026-11").text().unwrap();
    assert!(journal.contains(&format!("/finance/vouchers/{sale_id}")));
    let general = web.get("/finance/books/general?account=1122&year=2026").text().unwrap();
    assert!(general.contains("/finance/books/account?account=1122&amp;from=2026-11&amp;to=2026-11"));

    // Every report exports to XLSX and PDF with the same figures.
    for path in [
        "/finance/trial-balance?period=2026-11",
        "/finance/trial-balance/dimension?account=1122&period=2026-11&dimension=customer",
        "/finance/books/account?account=1122&from=2026-10&to=2026-11",
        "/finance/books/journal?period=2026-11",
        "/finance/books/general?account=1122&year=2026",
        "/finance/statements/balance-sheet?period=2026-11",
        "/finance/statements/income?period=2026-11",
        "/finance/statements/cash-flow?period=2026-11",
    ] {
        let xlsx = web.get(&format!("{path}&format=xlsx"));
        assert_eq!(xlsx.status(), 200, "{path}");
        assert!(xlsx.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"), "{path}");
        let bytes = xlsx.bytes().unwrap();
        assert!(bytes.starts_with(b"PK"), "{path}: an XLSX is a zip");
        let pdf = web.get(&format!("{path}&format=pdf"));
        assert_eq!(pdf.status(), 200, "{path}");
        let Some(text) = pdf_text(&pdf.bytes().unwrap()) else { continue };
        assert!(text.contains("单位负责人"), "{path}: {text}");
        if path.contains("1122") {
            assert!(text.contains("1130.00") || text.contains("630.00"), "{path}: {text}");
        }
    }
    let income = web.get("/finance/statements/income?period=2026-11&format=pdf").bytes().unwrap();
    if let Some(income) = pdf_text(&income) {
        assert!(income.contains("利润表") && income.contains("1500.00"), "{income}");
    }
    // A document and its voucher link to each other.
    admin.post("/api/v1/products", &json!({"code": "TEA", "name": "茶叶", "kind": "stockable", "uom": "pcs"}));
    let receipt = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "lines": [{"product": "TEA", "quantity": "2", "unit_cost": "10"}]}),
    );
    let picking = receipt.json["id"].as_str().unwrap().to_string();
    admin.post(&format!("/api/v1/pickings/{picking}/validate"), &json!({"date": "2026-11-25"}));
    let document = web.get(&format!("/inventory/pickings/{picking}")).text().unwrap();
    assert!(document.contains(&format!("/finance/vouchers/of?kind=inventory.picking&amp;id={picking}")));
    let found = web.get(&format!("/finance/vouchers/of?kind=inventory.picking&id={picking}"));
    assert_eq!(found.status(), 303);
    let voucher_page = found.headers()["location"].to_str().unwrap().to_string();
    assert!(web.get(&voucher_page).text().unwrap().contains(&format!("/inventory/pickings/{picking}")));
    app.assert_invariants();
}

#[test]
fn posting_rules_send_a_category_and_a_payment_method_to_their_accounts() {
    let app = spawn();
    let admin = app.admin();
    assert_eq!(admin.post("/api/v1/product-categories", &json!({"code": "RAW", "name": "原材料"})).status, 201);
    let steel = admin.post("/api/v1/product-categories", &json!({"code": "STEEL", "name": "钢材", "parent": "RAW"}));
    assert_eq!(steel.status, 201, "{}", steel.body);
    for (code, category) in [("PLATE", Some("STEEL")), ("TEA", None)] {
        let mut body = json!({"code": code, "name": code, "kind": "stockable", "uom": "pcs"});
        if let Some(category) = category {
            body["category"] = json!(category);
        }
        assert_eq!(admin.post("/api/v1/products", &body).status, 201);
    }
    // Raw materials (and everything under RAW) are stock in 1403 原材料, not 1405 库存商品.
    let rule = admin.post(
        "/api/v1/posting-rules",
        &json!({"role": "inventory", "kind": "product_category", "key": "RAW", "account": "1403"}),
    );
    assert_eq!(rule.status, 201, "{}", rule.body);
    let bad = admin
        .post("/api/v1/posting-rules", &json!({"role": "inventory", "kind": "colour", "key": "", "account": "2221"}));
    let fields: Vec<&str> =
        bad.json["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!((bad.status, fields), (422, vec!["kind", "key", "account"]));
    let receipt = admin.post(
        "/api/v1/pickings",
        &json!({"kind": "receipt", "lines": [{"product": "PLATE", "quantity": "10", "unit_cost": "30"},
            {"product": "TEA", "quantity": "5", "unit_cost": "8"}]}),
    );
    let id = receipt.json["id"].as_str().unwrap().to_string();
    assert_eq!(admin.post(&format!("/api/v1/pickings/{id}/validate"), &json!({"date": "2026-11-02"})).status, 200);
    let voucher = &admin.get(&format!("/api/v1/vouchers?kind=inventory.picking&id={id}")).json[0];
    let debits: Vec<(&str, &str)> = voucher["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["debit"] != "")
        .map(|l| (l["account_code"].as_str().unwrap(), l["debit"].as_str().unwrap()))
        .collect();
    assert_eq!(debits, [("1403", "300.00"), ("1405", "40.00")]);
    // 1403 now holds stock: no manual postings, and it cannot stop being a stock account.
    let manual = admin.post(
        "/api/v1/vouchers",
        &json!({"date": "2026-11-03", "lines": [line("1403", "1", ""), line("1001", "", "1")]}),
    );
    assert_eq!(manual.json["errors"][0]["code"], "ledger.account_automatic");
    let rule_id = rule.json["id"].as_str().unwrap();
    assert_eq!(admin.delete(&format!("/api/v1/posting-rules/{rule_id}")).code(), "ledger.rule_account_in_use");
    app.assert_invariants();

    // WeChat Pay receipts go to 1012 其他货币资金.
    let wechat = admin.post(
        "/api/v1/posting-rules",
        &json!({"role": "bank", "kind": "payment_method", "key": "wechat", "account": "1012"}),
    );
    assert_eq!(wechat.status, 201, "{}", wechat.body);
    assert_eq!(admin.get("/api/v1/posting-rules").json.as_array().unwrap().len(), 2);
    let customer = admin.post("/api/v1/parties", &json!({"code": "C001", "name": "客户", "kind": "customer"}));
    let paid = admin.post(
        "/api/v1/payments",
        &json!({"direction": "receipt", "partner_id": customer.json["id"], "amount": "88", "date": "2026-11-05",
            "method": "wechat"}),
    );
    assert_eq!(paid.status, 201, "{}", paid.body);
    let tb = admin.get("/api/v1/trial-balance?period=2026-11").json;
    let other_money = tb["rows"].as_array().unwrap().iter().find(|r| r["code"] == "1012").unwrap().clone();
    assert_eq!(other_money["period_debit"], "88.00");
    let wechat_id = wechat.json["id"].as_str().unwrap();
    assert_eq!(admin.delete(&format!("/api/v1/posting-rules/{wechat_id}")).status, 204);
    app.assert_invariants();
}
