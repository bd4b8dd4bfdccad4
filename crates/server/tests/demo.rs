//! The demo company, on SQLite and PostgreSQL: made beside the first company, it holds its four
//! months of history (orders in every state, overdue and part-paid invoices, a blocked bill, a
//! closed month and an open one, a work order on quality hold, the pipeline across stages, a
//! bank statement to reconcile), every invariant holds afterwards, the first company's
//! administrator is its administrator too, and a second run is refused.

use std::collections::BTreeMap;

use kernel::clock::Clock;
use testkit::spawn;

fn states(app: &testkit::TestApp, sql: &str, company: &str) -> BTreeMap<String, i64> {
    app.db.read(|tx| tx.query(sql, &[&company])?.iter().map(|r| Ok((r.get(0)?, r.get(1)?))).collect()).unwrap()
}

fn count(app: &testkit::TestApp, sql: &str, company: &str) -> i64 {
    app.db.read(|tx| tx.scalar(sql, &[&company])).unwrap()
}

#[test]
fn the_demo_company_tells_its_story_and_is_made_once() {
    let app = spawn();
    let vault = kernel::crypto::Vault::new(&kernel::crypto::KeyRing::generate()).unwrap();
    let summary = server::demo::create(&app.db, &vault, app.clock.now()).expect("demo created");
    eprintln!("{summary:#?}");
    app.assert_invariants();
    let company = summary.company_id.as_str();
    assert_eq!(summary.code, "TG-DEMO");
    assert!(summary.customers >= 40 && summary.suppliers >= 20 && summary.products >= 30, "{summary:?}");

    // Quotations and orders in every state.
    let orders = states(&app, "select state, count(*) from sales_order where company_id = $1 group by state", company);
    for state in ["draft", "sent", "confirmed", "done", "cancelled"] {
        assert!(orders.get(state).copied().unwrap_or(0) > 0, "no sales order {state}: {orders:?}");
    }
    let partly: i64 = count(
        &app,
        "select count(*) from sales_order o where o.company_id = $1 and o.state = 'confirmed'
           and exists (select 1 from sales_order_line l where l.order_id = o.id and l.stockable = 1 and l.delivered > 0)
           and exists (select 1 from sales_order_line l where l.order_id = o.id and l.delivered < l.quantity)",
        company,
    );
    assert!(partly > 0, "no order delivered in part");
    // Invoices paid, part-paid and overdue (really: due before today, unpaid).
    let today = kernel::clock::format_date(kernel::clock::china_date(app.clock.now()));
    let overdue: i64 = app
        .db
        .read(|tx| {
            tx.scalar(
                "select count(*) from sales_invoice where company_id = $1 and state = 'posted' and paid = 0 and due_date < $2",
                &[&company, &today],
            )
        })
        .unwrap();
    assert!(overdue > 0, "no overdue invoice");
    assert!(summary.invoices_part_paid > 0, "no part-paid invoice: {summary:?}");
    assert!(summary.invoices_paid > 10, "{summary:?}");
    // Procure to pay: a bill blocked by the three-way match, orders done, a draft and a cancelled one.
    let bills =
        count(&app, "select count(*) from purchasing_bill where company_id = $1 and match_state = 'blocked'", company);
    assert_eq!(bills, 1, "one bill waits on the three-way match");
    let released =
        count(&app, "select count(*) from purchasing_bill where company_id = $1 and match_state = 'released'", company);
    assert_eq!(released, 1, "one bill was released and paid");
    let purchases =
        states(&app, "select state, count(*) from purchasing_order where company_id = $1 group by state", company);
    for state in ["draft", "confirmed", "done", "cancelled"] {
        assert!(purchases.get(state).copied().unwrap_or(0) > 0, "no purchase order {state}: {purchases:?}");
    }
    // Stock in both warehouses, under lots; a lot on quality hold.
    let warehouses = count(
        &app,
        "select count(distinct w.id) from inventory_quant q join inventory_location l on l.id = q.location_id
         join inventory_warehouse w on w.stock_location_id = l.id where q.company_id = $1 and q.quantity > 0 and q.lot_id <> ''",
        company,
    );
    assert_eq!(warehouses, 2, "lots in stock in both warehouses");
    let held = count(&app, "select count(*) from inventory_lot where company_id = $1 and held = 1", company);
    assert_eq!(held, 1, "one copper lot on hold");
    // The books: the first months closed, the last two open.
    assert!(summary.closed_periods.len() >= 2, "{summary:?}");
    let last_month = &summary.to[..7];
    assert!(!summary.closed_periods.iter().any(|p| p.as_str() >= last_month), "{summary:?}");
    let closed = count(&app, "select count(*) from ledger_period where company_id = $1 and state = 'closed'", company);
    assert_eq!(closed as usize, summary.closed_periods.len());
    // The bank statement: some lines reconciled by themselves, some left to do.
    assert!(summary.bank_lines_open > 0 && summary.bank_lines > summary.bank_lines_open, "{summary:?}");
    // Production: orders closed, running and one held by a failed first-article inspection.
    let work =
        states(&app, "select state, count(*) from production_work_order where company_id = $1 group by state", company);
    for state in ["draft", "confirmed", "in_progress", "done", "closed"] {
        assert!(work.get(state).copied().unwrap_or(0) > 0, "no work order {state}: {work:?}");
    }
    let on_hold = count(
        &app,
        "select count(*) from production_nonconformance n join production_inspection i on i.id = n.inspection_id
         join production_work_order w on w.id = i.work_order_id
         where n.company_id = $1 and n.state = 'open' and i.kind = 'first' and w.state = 'in_progress'",
        company,
    );
    assert_eq!(on_hold, 1, "one work order held by its first-article inspection");
    assert!(summary.job_reports > 30, "{summary:?}");
    // CRM: opportunities across stages, won and lost; leads in every state; contracts.
    let open_stages = count(
        &app,
        "select count(distinct stage_id) from crm_opportunity where company_id = $1 and state = 'open'",
        company,
    );
    assert!(open_stages >= 3, "open opportunities in {open_stages} stages");
    for state in ["won", "lost"] {
        assert!(summary.opportunities.get(state).copied().unwrap_or(0) > 0, "{summary:?}");
    }
    for state in ["new", "qualified", "lost"] {
        assert!(summary.leads.get(state).copied().unwrap_or(0) > 0, "{summary:?}");
    }
    let active = count(&app, "select count(*) from crm_contract where company_id = $1 and state = 'active'", company);
    assert!(active >= 3 && summary.contracts >= 4, "{summary:?}");
    assert!(summary.tasks.len() >= 3, "tasks in several stages: {summary:?}");
    // The first company's administrator administers the demo company too.
    let admin_role = app
        .db
        .read(|tx| {
            tx.scalar::<i64>(
                "select count(*) from kernel_user_role ur join kernel_role r on r.id = ur.role_id
                 where ur.user_id = $1 and ur.company_id = $2 and r.code = 'admin'",
                &[&app.admin, &company],
            )
        })
        .unwrap();
    assert_eq!(admin_role, 1);
    // The history lies in the past, in time order, up to the last working day.
    let (first, last): (String, String) = app
        .db
        .read(|tx| {
            let r = tx.query_one("select min(at), max(at) from kernel_audit where company_id = $1", &[&company])?;
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert!(first.as_str() < "2099" && last < kernel::clock::format_timestamp(app.clock.now()), "{first} … {last}");
    assert!(first[..10] <= *summary.from && last[..10] <= *today);
    // Once only.
    let again = server::demo::create(&app.db, &vault, app.clock.now()).unwrap_err();
    assert_eq!(again.code(), "demo.exists");
    app.assert_invariants();
}

/// The story is laid out backwards from the day it is told: on any day — a Sunday night, across
/// a new year (December closed with its year-end transfer), after a February — it is told in
/// full and the books hold.
#[test]
fn the_story_can_be_told_on_any_day() {
    for (moment, closed) in [
        ("2027-01-03T15:30:00Z", ["2026-09", "2026-10", "2026-11"]),
        ("2027-02-15T02:00:00Z", ["2026-10", "2026-11", "2026-12"]),
        ("2028-03-01T08:00:00Z", ["2027-11", "2027-12", "2028-01"]),
    ] {
        let app = spawn();
        let vault = kernel::crypto::Vault::new(&kernel::crypto::KeyRing::generate()).unwrap();
        let now = kernel::clock::parse_timestamp(moment).unwrap();
        let summary = server::demo::create(&app.db, &vault, now).unwrap_or_else(|e| panic!("{moment}: {e:?}"));
        app.assert_invariants();
        let today = kernel::clock::format_date(kernel::clock::china_date(now));
        assert!(summary.to < today, "{moment}: {summary:?}");
        assert_eq!(summary.closed_periods, closed, "{moment}");
        assert!(summary.invoices_overdue > 0 && summary.bills_blocked == 1, "{moment}: {summary:?}");
        assert!(summary.work_orders.contains_key("in_progress"), "{moment}: {summary:?}");
    }
}

/// The documents of a company as numbers, states and amounts (ids aside).
fn fingerprint(app: &testkit::TestApp, company: &str) -> Vec<(String, String, i64)> {
    app.db
        .read(|tx| {
            let mut rows = Vec::new();
            for sql in [
                "select number, state, total from sales_order where company_id = $1 order by number",
                "select number, state, total from purchasing_order where company_id = $1 order by number",
                "select coalesce(number, ''), state, paid from sales_invoice where company_id = $1 order by number",
                "select number, state, received from production_work_order where company_id = $1 order by number",
                "select label, state, 0 from (select word || '-' || period || '-' || number as label, state
                   from ledger_voucher where company_id = $1) v order by label",
            ] {
                for r in tx.query(sql, &[&company])? {
                    rows.push((r.get(0)?, r.get(1)?, r.get(2)?));
                }
            }
            Ok(rows)
        })
        .unwrap()
}

/// Same seed, same day: the same company, document for document.
#[test]
fn the_same_day_tells_the_same_story() {
    let now = kernel::clock::parse_timestamp("2027-05-20T03:00:00Z").unwrap();
    let told: Vec<_> = (0..2)
        .map(|_| {
            let app = spawn();
            let vault = kernel::crypto::Vault::new(&kernel::crypto::KeyRing::generate()).unwrap();
            let summary = server::demo::create(&app.db, &vault, now).unwrap();
            fingerprint(&app, &summary.company_id)
        })
        .collect();
    assert!(told[0].len() > 300, "{}", told[0].len());
    assert_eq!(told[0], told[1]);
}

/// `tiangong demo` on a new data folder: sets the folder up, makes the company, says so and that
/// the invariants hold; `verify` agrees; a second run is refused in one line; the first company
/// stays the one the commands act in by default.
#[test]
fn the_demo_command_makes_the_company_once() {
    let data = tempfile::tempdir().unwrap();
    let tiangong = || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tiangong"));
        command.arg("--data").arg(data.path()).env_remove("TIANGONG_DATABASE_URL").env("TIANGONG_LOG", "warn");
        command
    };
    let run = |args: &[&str]| {
        let output = tiangong().args(args).output().expect("tiangong runs");
        let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        (output.status.success(), text)
    };
    let (ok, text) = run(&["demo"]);
    assert!(ok, "{text}");
    assert!(text.contains("天工演示制造有限公司（TG-DEMO") && text.contains("all invariants hold"), "{text}");
    assert!(text.contains("password"), "a new folder gets its administrator, whose password is shown: {text}");
    let (ok, text) = run(&["verify"]);
    assert!(ok && text.contains("all invariants hold"), "{text}");
    let (ok, text) = run(&["demo"]);
    assert!(!ok && text.trim().lines().count() == 1 && text.contains("exists already"), "{text}");
    let (ok, text) = run(&["user", "list"]);
    assert!(ok && text.contains("admin") && !text.contains("demo.wangfang"), "{text}");
    let (ok, text) = run(&["user", "list", "--company", "TG-DEMO"]);
    assert!(ok && text.contains("demo.wangfang") && text.contains("admin"), "{text}");
}
