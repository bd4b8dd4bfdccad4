//! `tiangong bench o2c|p2p [--orders N] [--clients C] [--batch B] [--http]`: order to cash and procure to pay
//! end to end. Each order has 5 lines and goes through every step a user takes, each step its
//! own transaction: create and confirm (stock reserved or receipt created), the warehouse
//! validates the delivery or receipt, the invoice or vendor bill is drawn and posted (vouchers
//! booked), and the payment is registered and matched. In-process on a fresh embedded
//! database with `clients` threads at once (taking turns at SQLite's one writer), or with
//! `--http` through the JSON API of a server in another process, `clients` API clients at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use kernel::Ctx;
use kernel::clock::SystemClock;
use kernel::db::Tx;
use serde::de::IgnoredAny;
use serde_json::{Value, json};

use super::bench::{fresh, spawn_server, wait_until_answering};
use crate::runtime;
use crate::settings::Settings;

const PRODUCTS: usize = 5;
const PARTNERS: usize = 100;

/// Which flow to run.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    OrderToCash,
    ProcureToPay,
}

impl Flow {
    fn name(self) -> &'static str {
        match self {
            Flow::OrderToCash => "o2c",
            Flow::ProcureToPay => "p2p",
        }
    }
}

fn line_quantities(order: u64) -> impl Iterator<Item = (usize, u64)> {
    (0..PRODUCTS).map(move |p| (p, 1 + (order + p as u64) % 4))
}

/// Products, stock for the deliveries, and the partners, written through the domain functions.
fn setup_in_process(prepared: &runtime::Prepared, ctx: &Ctx, flow: Flow) -> anyhow::Result<()> {
    let vault = prepared.state.keys.vault()?;
    prepared.db.write(|tx| {
        for p in 0..PRODUCTS {
            product::create_product(
                tx,
                ctx,
                &product::ProductInput {
                    code: format!("B{p}"),
                    name: format!("基准产品{p}"),
                    kind: "stockable".into(),
                    uom: "pcs".into(),
                    tax: Some("VAT13".into()),
                    list_price: Some(format!("{}", 100 + p * 10)),
                    ..Default::default()
                },
            )?;
        }
        if flow == Flow::OrderToCash {
            inventory::create_picking(
                tx,
                ctx,
                &inventory::PickingInput {
                    kind: Some(inventory::PickingKind::Receipt),
                    lines: (0..PRODUCTS)
                        .map(|p| inventory::MoveInput {
                            product: format!("B{p}"),
                            quantity: "100000000".into(),
                            unit_cost: Some("50".into()),
                            ..Default::default()
                        })
                        .collect(),
                    confirm: true,
                    ..Default::default()
                },
            )
            .and_then(|picking| inventory::validate(tx, ctx, picking.id, &Default::default()))?;
        }
        let kind = if flow == Flow::OrderToCash { party::PartyKind::Customer } else { party::PartyKind::Supplier };
        for c in 0..PARTNERS {
            party::insert_party(
                tx,
                ctx,
                &vault,
                &party::PartyInput {
                    code: format!("P{c:03}"),
                    name: format!("基准往来单位{c}"),
                    kind,
                    ..Default::default()
                },
            )?;
        }
        Ok(())
    })?;
    Ok(())
}

/// What an order has become after a step: its id and partner, then the invoice or bill.
#[derive(Clone)]
struct Progress {
    order: String,
    partner: String,
    document: Option<(String, String)>,
}

/// Step 1: the order, created and confirmed (stock reserved, or the receipt waiting): its id.
fn enter(tx: &mut Tx<'_>, ctx: &Ctx, flow: Flow, n: u64) -> kernel::Result<String> {
    let partner = format!("P{:03}", n as usize % PARTNERS);
    Ok(match flow {
        Flow::OrderToCash => {
            let lines = line_quantities(n)
                .map(|(p, q)| sales::OrderLineInput {
                    product: format!("B{p}"),
                    quantity: q.to_string(),
                    ..Default::default()
                })
                .collect();
            let input = sales::OrderInput { customer: partner, lines, confirm: true, ..Default::default() };
            sales::enter_order(tx, ctx, &input)?.to_string()
        }
        Flow::ProcureToPay => {
            let lines = line_quantities(n)
                .map(|(p, q)| purchasing::PurchaseLineInput {
                    product: format!("B{p}"),
                    quantity: q.to_string(),
                    unit_price: Some(format!("{}", 50 + p)),
                    ..Default::default()
                })
                .collect();
            let input =
                purchasing::PurchaseOrderInput { supplier: partner, lines, confirm: true, ..Default::default() };
            purchasing::enter_order(tx, ctx, &input)?.to_string()
        }
    })
}

/// The answer to step 1, as the API gives it (the order's view): whose order it is.
fn entered(tx: &mut Tx<'_>, ctx: &Ctx, flow: Flow, order: String) -> kernel::Result<Progress> {
    let partner = match flow {
        Flow::OrderToCash => sales::get_order(tx, ctx, sales::OrderId::parse(&order)?)?.customer_id,
        Flow::ProcureToPay => purchasing::get_order(tx, ctx, purchasing::PurchaseOrderId::parse(&order)?)?.supplier_id,
    };
    Ok(Progress { order, partner, document: None })
}

/// Before step 2: the order's delivery or receipt, as the warehouse finds it.
fn picking_of(tx: &mut Tx<'_>, ctx: &Ctx, flow: Flow, progress: &Progress) -> kernel::Result<inventory::PickingId> {
    let pickings = match flow {
        Flow::OrderToCash => sales::order::order_pickings(tx, ctx, sales::OrderId::parse(&progress.order)?)?,
        Flow::ProcureToPay => {
            purchasing::order::order_pickings(tx, ctx, purchasing::PurchaseOrderId::parse(&progress.order)?)?
        }
    };
    pickings.first().map(|p| p.id).ok_or_else(|| kernel::Error::internal("the order has no picking"))
}

/// Step 2: the warehouse validates the delivery or receipt in full.
fn move_goods(tx: &mut Tx<'_>, ctx: &Ctx, picking: inventory::PickingId) -> kernel::Result<()> {
    inventory::validate_only(tx, ctx, picking, &Default::default()).map(|_| ())
}

/// Step 3: the invoice or vendor bill, drawn and posted (vouchers booked): its id.
fn invoice(tx: &mut Tx<'_>, ctx: &Ctx, flow: Flow, progress: &Progress) -> kernel::Result<String> {
    Ok(match flow {
        Flow::OrderToCash => {
            let request = sales::InvoiceRequest { post: true, ..Default::default() };
            sales::draw_invoice(tx, ctx, sales::OrderId::parse(&progress.order)?, &request)?.to_string()
        }
        Flow::ProcureToPay => {
            let request = purchasing::BillRequest { post: true, ..Default::default() };
            purchasing::draw_bill(tx, ctx, purchasing::PurchaseOrderId::parse(&progress.order)?, &request)?.to_string()
        }
    })
}

/// The answer to step 3 (the invoice's or bill's view): its id and total.
fn invoiced(tx: &mut Tx<'_>, ctx: &Ctx, flow: Flow, document: String) -> kernel::Result<(String, String)> {
    let total = match flow {
        Flow::OrderToCash => sales::get_invoice(tx, ctx, sales::InvoiceId::parse(&document)?)?.total,
        Flow::ProcureToPay => purchasing::get_bill(tx, ctx, purchasing::BillId::parse(&document)?)?.total,
    };
    Ok((document, total))
}

/// Step 4: the payment, registered and matched against the document (which becomes paid).
fn pay(tx: &mut Tx<'_>, ctx: &Ctx, flow: Flow, progress: &Progress) -> kernel::Result<()> {
    let (document, total) = progress.document.clone().unwrap_or_default();
    let (direction, kind) = match flow {
        Flow::OrderToCash => (ledger::Direction::Receipt, "sales.invoice"),
        Flow::ProcureToPay => (ledger::Direction::Payment, "purchasing.bill"),
    };
    let input = ledger::PaymentInput {
        direction,
        partner_id: progress.partner.clone(),
        amount: total,
        date: None,
        account: None,
        reference: String::new(),
        documents: vec![kernel::id::DocRef { kind: kind.into(), id: document }],
        currency: None,
        rate: None,
        method: None,
    };
    ledger::register_payment(tx, ctx, &input).map(|_| ())
}

/// One order, each step its own transaction as users work (transactions of several clients at
/// once may be committed together), each answer read after the commit as the API reads it; the
/// time of each step is added up.
fn one_order(db: &kernel::db::Db, ctx: &Ctx, flow: Flow, n: u64, steps: &mut [f64; 4]) -> anyhow::Result<()> {
    let mut clock = Instant::now();
    let mut lap = |i: usize| {
        steps[i] += clock.elapsed().as_secs_f64();
        clock = Instant::now();
    };
    let writer_ctx = ctx.clone();
    let order = db.write_queued(move |tx| enter(tx, &writer_ctx, flow, n))?;
    let mut progress = db.read(|tx| entered(tx, ctx, flow, order))?;
    lap(0);
    let picking = db.read(|tx| picking_of(tx, ctx, flow, &progress))?;
    let writer_ctx = ctx.clone();
    db.write_queued(move |tx| move_goods(tx, &writer_ctx, picking))?;
    lap(1);
    let (writer_ctx, known) = (ctx.clone(), progress.clone());
    let document = db.write_queued(move |tx| invoice(tx, &writer_ctx, flow, &known))?;
    progress.document = Some(db.read(|tx| invoiced(tx, ctx, flow, document))?);
    lap(2);
    let (writer_ctx, known) = (ctx.clone(), progress.clone());
    db.write_queued(move |tx| pay(tx, &writer_ctx, flow, &known))?;
    lap(3);
    Ok(())
}

/// `batch` orders end to end in one transaction (an EDI or import batch).
fn batch_of_orders(db: &kernel::db::Db, ctx: &Ctx, flow: Flow, orders: std::ops::Range<u64>) -> anyhow::Result<()> {
    db.write(|tx| {
        for n in orders.clone() {
            let order = enter(tx, ctx, flow, n)?;
            let mut progress = entered(tx, ctx, flow, order)?;
            let picking = picking_of(tx, ctx, flow, &progress)?;
            move_goods(tx, ctx, picking)?;
            let document = invoice(tx, ctx, flow, &progress)?;
            progress.document = Some(invoiced(tx, ctx, flow, document)?);
            pay(tx, ctx, flow, &progress)?;
        }
        Ok(())
    })?;
    Ok(())
}

pub fn run(
    settings: &Settings,
    flow: Flow,
    orders: u64,
    batch: u64,
    http: bool,
    clients: u32,
) -> anyhow::Result<Value> {
    if http {
        return over_http(flow, orders, clients.max(1));
    }
    let (_data, prepared) = fresh(settings)?;
    let db = &prepared.db;
    let first = prepared.bootstrapped.clone().context("bench needs an empty database")?;
    let ctx = runtime::system_ctx(Arc::new(SystemClock)).for_company(first.company, runtime::all_permissions());
    setup_in_process(&prepared, &ctx, flow)?;
    let commits_before = kernel::db::commit_counts();
    let started = Instant::now();
    let mut steps = [0f64; 4];
    let clients = clients.max(1);
    if batch <= 1 && clients > 1 {
        let next = AtomicU64::new(0);
        std::thread::scope(|scope| -> anyhow::Result<()> {
            let threads: Vec<_> = (0..clients)
                .map(|_| {
                    scope.spawn(|| -> anyhow::Result<()> {
                        let mut own_steps = [0f64; 4];
                        loop {
                            let n = next.fetch_add(1, Ordering::Relaxed);
                            if n >= orders {
                                return Ok(());
                            }
                            one_order(db, &ctx, flow, n, &mut own_steps)?;
                        }
                    })
                })
                .collect();
            for thread in threads {
                thread.join().map_err(|_| anyhow::anyhow!("a client thread panicked"))??;
            }
            Ok(())
        })?;
    } else if batch <= 1 {
        for n in 0..orders {
            one_order(db, &ctx, flow, n, &mut steps)?;
        }
    } else {
        for first in (0..orders).step_by(batch as usize) {
            batch_of_orders(db, &ctx, flow, first..(first + batch).min(orders))?;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let commits = kernel::db::commit_counts().0 - commits_before.0;
    for line in kernel::db::profile::report(150) {
        eprintln!("{line}");
    }
    let reports = db.read(|tx| kernel::invariant::run_all(tx, &crate::wiring::invariants()))?;
    if let Some(broken) = reports.iter().find(|r| !r.ok) {
        bail!("invariant {} broken after the run: {:?}", broken.name, broken.violations);
    }
    Ok(json!({
        "scenario": flow.name(),
        "mode": "in-process",
        "clients": if batch <= 1 { clients } else { 1 },
        "orders": orders,
        "lines_per_order": PRODUCTS,
        "orders_per_transaction": batch.max(1),
        "transactions_per_order": if batch <= 1 { 4.0 } else { 1.0 / batch as f64 },
        // Several clients' transactions may share a commit (group commit).
        "commits_per_order": (commits as f64 / orders.max(1) as f64 * 1000.0).round() / 1000.0,
        "seconds": (seconds * 1000.0).round() / 1000.0,
        "orders_per_second": (orders as f64 / seconds).round(),
        // Average milliseconds per step (one transaction each, one client): create and confirm,
        // deliver or receive, invoice or bill, pay.
        "ms_per_step": if batch <= 1 && clients == 1 { json!(steps.map(|s| (s * 1e6 / orders.max(1) as f64).round() / 1000.0)) } else { Value::Null },
        "invariants": "ok",
    }))
}

/// The same flow through the JSON API: `clients` API clients at once, each with its own connection.
fn over_http(flow: Flow, orders: u64, clients: u32) -> anyhow::Result<Value> {
    let password = "bench-password-1";
    let (server, _) = spawn_server(password)?;
    wait_until_answering(server.port, Duration::from_secs(30))?;
    let base = format!("http://127.0.0.1:{}", server.port);
    let client = reqwest::blocking::Client::new();
    let token: Value = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": "admin", "password": password}))
        .send()?
        .error_for_status()?
        .json()?;
    let token = token["token"].as_str().context("no token")?.to_string();
    // The clients are tasks on one thread of their own: a load generator that leaves the two
    // cores to the server (sixteen blocking clients cost a third of a core in hand-offs between
    // their threads and the HTTP library's).
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let api = Arc::new(Api { client: reqwest::Client::new(), base, token });
    let call = |method: reqwest::Method, path: &str, body: Value| {
        runtime.block_on(api.call::<Value>(method, path, Some(body)))
    };
    let post = reqwest::Method::POST;
    let kind = if flow == Flow::OrderToCash { "customer" } else { "supplier" };
    let mut partner_ids = Vec::new();
    for p in 0..PRODUCTS {
        call(
            post.clone(),
            "/api/v1/products",
            json!({"code": format!("B{p}"), "name": format!("基准产品{p}"), "kind": "stockable", "uom": "pcs",
                "tax": "VAT13", "list_price": format!("{}", 100 + p * 10)}),
        )?;
    }
    if flow == Flow::OrderToCash {
        let receipt = call(
            post.clone(),
            "/api/v1/pickings",
            json!({"kind": "receipt", "confirm": true, "lines": (0..PRODUCTS)
                .map(|p| json!({"product": format!("B{p}"), "quantity": "100000000", "unit_cost": "50"})).collect::<Vec<_>>()}),
        )?;
        call(post.clone(), &format!("/api/v1/pickings/{}/validate", receipt["id"].as_str().unwrap_or("")), json!({}))?;
    }
    for c in 0..PARTNERS {
        let party = call(
            post.clone(),
            "/api/v1/parties",
            json!({"code": format!("P{c:03}"), "name": format!("基准往来单位{c}"), "kind": kind}),
        )?;
        partner_ids.push(party["id"].as_str().unwrap_or("").to_string());
    }
    let partner_ids = Arc::new(partner_ids);
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..clients {
            let (api, partner_ids, next) = (api.clone(), partner_ids.clone(), next.clone());
            tasks.spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= orders {
                        return anyhow::Ok(());
                    }
                    order_over_http(&api, flow, n, &partner_ids[n as usize % PARTNERS]).await?;
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.map_err(|_| anyhow::anyhow!("a client task panicked"))??;
        }
        anyhow::Ok(())
    })?;
    let seconds = started.elapsed().as_secs_f64();
    let invariants = server.invariants()?;
    drop(server);
    Ok(json!({
        "scenario": flow.name(),
        "mode": "http",
        "invariants": invariants,
        "clients": clients,
        "orders": orders,
        "lines_per_order": PRODUCTS,
        "requests_per_order": 5,
        "seconds": (seconds * 1000.0).round() / 1000.0,
        "orders_per_second": (orders as f64 / seconds).round(),
    }))
}

/// A bench client's view of the API: where it is and the token to call it with.
struct Api {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    /// One request; the answer is read into `T`, which names only the fields the client uses
    /// (the load generator shares the server's two cores, so it does not build a tree of every
    /// answer: `IgnoredAny` when nothing is needed).
    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<T> {
        let mut request = self.client.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let bytes = response.bytes().await?;
        if !status.is_success() {
            bail!("{path}: {status} {}", String::from_utf8_lossy(&bytes));
        }
        serde_json::from_slice(&bytes).with_context(|| format!("{path}: unexpected answer"))
    }
}

/// One order through the API, as a user's screens make it: five requests.
/// What the bench client reads of an answer that created something: its id.
#[derive(serde::Deserialize)]
struct Created {
    id: String,
}

/// What it reads of a drawn invoice or bill: the id and the total to pay.
#[derive(serde::Deserialize)]
struct Drawn {
    id: String,
    total: Value,
}

async fn order_over_http(api: &Api, flow: Flow, n: u64, partner: &str) -> anyhow::Result<()> {
    let lines: Vec<Value> = line_quantities(n)
        .map(|(p, q)| json!({"product": format!("B{p}"), "quantity": q.to_string(), "unit_price": format!("{}", 50 + p)}))
        .collect();
    let (orders_path, doc_path, doc_kind, direction) = match flow {
        Flow::OrderToCash => ("/api/v1/sales/orders", "invoices", "sales.invoice", "receipt"),
        Flow::ProcureToPay => ("/api/v1/purchasing/orders", "bills", "purchasing.bill", "payment"),
    };
    let body = match flow {
        Flow::OrderToCash => json!({"customer": partner, "confirm": true, "lines": lines}),
        Flow::ProcureToPay => json!({"supplier": partner, "confirm": true, "lines": lines}),
    };
    let post = reqwest::Method::POST;
    let order: Created = api.call(post.clone(), orders_path, Some(body)).await?;
    let id = order.id;
    let pickings: Vec<Created> = api.call(reqwest::Method::GET, &format!("{orders_path}/{id}/pickings"), None).await?;
    let picking = &pickings.first().context("no picking")?.id;
    let _: IgnoredAny =
        api.call(post.clone(), &format!("/api/v1/pickings/{picking}/validate"), Some(json!({}))).await?;
    let document: Drawn =
        api.call(post.clone(), &format!("{orders_path}/{id}/{doc_path}"), Some(json!({"post": true}))).await?;
    let _: IgnoredAny = api
        .call(
            post,
            "/api/v1/payments",
            Some(json!({"direction": direction, "partner_id": partner, "amount": document.total,
                "documents": [{"kind": doc_kind, "id": document.id}]})),
        )
        .await?;
    Ok(())
}
