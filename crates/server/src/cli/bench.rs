//! `tiangong bench <scenario>…`: benchmark scenarios, each printing one JSON object.
//!
//! - `startup`: start a fresh server on an empty SQLite database; time to the first answered
//!   request, then idle memory (RSS) and binary size.
//! - `http`: a fresh server in another process, loaded by `wrk` (Debian package `wrk`) with
//!   32 connections: `GET /healthz`, then an authenticated JSON read of one user.
//! - `numbering`: documents numbered per second (one transaction each).
//! - `audit`: audit entries appended per second (one transaction each).
//! - `parties`: import of 100,000 customers with encrypted phone and email (CSV layout, through
//!   the importer and its validation, one transaction), their export to XLSX, then name-prefix
//!   and exact-phone searches over `--rows` customers (default 1,000,000).
//! - `ui-list`: the audit log list page (50 rows) over `--rows` audit entries (default
//!   1,000,000): server answer times for the first page, a deep page, a filtered and a
//!   searched page; and the compressed weight of the page shell with its CSS and script.
//!
//! - `o2c`, `p2p`: order to cash and procure to pay end to end (`bench_trade.rs`).
//! - `mrp` (`--items N`), `shop` (`--reports N`): production (`bench_production.rs`).
//! - `approvals` (`--rows N` requests): the approval engine (`bench_approvals.rs`).
//!
//! Numbers go to docs/benchmarks.md with the command that produced them.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use kernel::clock::SystemClock;
use kernel::id::DocRef;
use kernel::sequence::{DocType, next_number};
use serde_json::json;

use super::bench_trade::Flow;
use crate::runtime;
use crate::settings::Settings;

#[derive(Args)]
pub struct BenchArgs {
    /// Scenarios to run: startup, http, numbering, audit, ui-list, parties, moves, post, o2c, p2p, crm, mrp, shop, search, approvals (or `all`).
    #[arg(required = true)]
    scenarios: Vec<String>,
    /// Duration of each load run, in seconds (http).
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Connections of the load tool (http).
    #[arg(long, default_value_t = 32)]
    connections: u32,
    /// Transactions to run (numbering, audit).
    #[arg(long, default_value_t = 20_000)]
    count: u64,
    /// Records behind the list page (ui-list).
    #[arg(long, default_value_t = 1_000_000)]
    rows: u64,
    /// Orders to run end to end (o2c, p2p).
    #[arg(long, default_value_t = 2_000)]
    orders: u64,
    /// o2c/p2p in process: orders per transaction (1: each step its own transaction).
    #[arg(long, default_value_t = 1)]
    batch: u64,
    /// Run o2c/p2p through the HTTP API of a server in another process.
    #[arg(long)]
    http: bool,
    /// o2c/p2p: concurrent clients (threads in process, API clients with `--http`).
    #[arg(long, default_value_t = 16)]
    clients: u32,
    /// mrp: a synthetic structure of this many items (AdventureWorks without it).
    #[arg(long)]
    items: Option<u64>,
    /// shop: job reports to time.
    #[arg(long, default_value_t = 20_000)]
    reports: u64,
}

pub fn run(settings: &Settings, args: BenchArgs) -> anyhow::Result<()> {
    let all = [
        "startup",
        "http",
        "numbering",
        "audit",
        "ui-list",
        "parties",
        "moves",
        "post",
        "o2c",
        "p2p",
        "crm",
        "mrp",
        "shop",
        "search",
        "approvals",
    ];
    let scenarios: Vec<String> = if args.scenarios.iter().any(|s| s == "all") {
        all.iter().map(|s| s.to_string()).collect()
    } else {
        args.scenarios.clone()
    };
    for scenario in &scenarios {
        let result = match scenario.as_str() {
            "startup" => startup()?,
            "http" => {
                for line in http(&args)? {
                    anyhow::ensure!(line.get("invariants").is_some(), "scenario http does not report the invariants");
                    println!("{line}");
                }
                continue;
            }
            "numbering" => transactions(settings, "numbering", args.count)?,
            "audit" => transactions(settings, "audit", args.count)?,
            "ui-list" => ui_list(settings, args.rows)?,
            "parties" => parties(settings, args.rows)?,
            "moves" => super::bench_moves::moves(settings, args.rows)?,
            "post" => super::bench_post::post(settings, args.rows)?,
            "crm" => super::bench_crm::crm(settings)?,
            "mrp" => super::bench_production::mrp(settings, args.items)?,
            "shop" => super::bench_production::shop(settings, args.reports)?,
            "search" => super::bench_search::search(settings, args.rows)?,
            "approvals" => super::bench_approvals::approvals(settings, args.rows)?,
            "o2c" => {
                super::bench_trade::run(settings, Flow::OrderToCash, args.orders, args.batch, args.http, args.clients)?
            }
            "p2p" => {
                super::bench_trade::run(settings, Flow::ProcureToPay, args.orders, args.batch, args.http, args.clients)?
            }
            other => bail!("unknown scenario {other}; known: {}", all.join(", ")),
        };
        anyhow::ensure!(result.get("invariants").is_some(), "scenario {scenario} does not report the invariants");
        println!("{result}");
    }
    Ok(())
}

/// What every scenario's JSON says under `"invariants"`: "ok" when the books, the stock and
/// the audit chain still hold after the run, else each broken invariant with its first
/// violations (printed, not hidden: a figure from a run that broke the books is worth nothing).
pub(super) fn invariants(db: &kernel::db::Db) -> anyhow::Result<serde_json::Value> {
    let reports = db.read(|tx| kernel::invariant::run_all(tx, &crate::wiring::invariants()))?;
    let broken: Vec<serde_json::Value> = reports
        .iter()
        .filter(|r| !r.ok)
        .map(|r| json!({"name": r.name, "violations": r.violations.iter().take(3).collect::<Vec<_>>()}))
        .collect();
    Ok(if broken.is_empty() { json!("ok") } else { json!(broken) })
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A server of this very binary in a child process, on a fresh data folder.
pub(super) struct ChildServer {
    child: Child,
    pub(super) port: u16,
    _data: tempfile::TempDir,
}

impl ChildServer {
    /// The invariants of the child's database (its SQLite file, read while it runs).
    pub(super) fn invariants(&self) -> anyhow::Result<serde_json::Value> {
        let config = kernel::db::DbConfig::new(format!("sqlite://{}", self._data.path().join("tiangong.db").display()));
        invariants(&runtime::open(&config)?)
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(super) fn spawn_server(admin_password: &str) -> anyhow::Result<(ChildServer, Instant)> {
    let data = tempfile::tempdir()?;
    let port = free_port()?;
    let started = Instant::now();
    let child = Command::new(std::env::current_exe()?)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--data"])
        .arg(data.path())
        .env("TIANGONG_ADMIN_PASSWORD", admin_password)
        .env("TIANGONG_LOG", "warn")
        .env_remove("TIANGONG_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start the server")?;
    Ok((ChildServer { child, port, _data: data }, started))
}

/// Polls with a raw HTTP/1.1 request so that no client start-up cost is counted.
pub(super) fn wait_until_answering(port: u16, deadline: Duration) -> anyhow::Result<()> {
    use std::io::{Read, Write};
    let until = Instant::now() + deadline;
    while Instant::now() < until {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            let mut answer = String::new();
            if stream.read_to_string(&mut answer).is_ok() && answer.starts_with("HTTP/1.1 200") {
                return Ok(());
            }
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    bail!("the server did not answer within {deadline:?}")
}

fn rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some((kb / 1024.0 * 10.0).round() / 10.0)
}

fn startup() -> anyhow::Result<serde_json::Value> {
    let (server, started) = spawn_server("bench-password-1")?;
    wait_until_answering(server.port, Duration::from_secs(30))?;
    let first = started.elapsed();
    std::thread::sleep(Duration::from_secs(2));
    let binary = std::fs::metadata(std::env::current_exe()?)?.len();
    Ok(json!({
        "scenario": "startup",
        "ms_to_first_response": (first.as_secs_f64() * 1000.0 * 10.0).round() / 10.0,
        "idle_rss_mb": rss_mb(server.child.id()),
        "binary_mb": (binary as f64 / 1_048_576.0 * 10.0).round() / 10.0,
        "invariants": server.invariants()?,
    }))
}

fn wrk(url: &str, header: Option<&str>, args: &BenchArgs) -> anyhow::Result<(f64, f64)> {
    let mut command = Command::new("wrk");
    command.args(["-t2", &format!("-c{}", args.connections), &format!("-d{}s", args.seconds), "--latency"]);
    if let Some(header) = header {
        command.args(["-H", header]);
    }
    let output = command.arg(url).output().context("cannot run wrk; install it with `apt-get install wrk`")?;
    let text = String::from_utf8_lossy(&output.stdout);
    let rps = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .with_context(|| format!("unexpected wrk output:\n{text}"))?;
    let p99 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .map(str::trim)
        .and_then(parse_wrk_duration)
        .context("wrk printed no 99th percentile")?;
    let non_2xx = text.lines().any(|l| l.contains("Non-2xx"));
    anyhow::ensure!(!non_2xx, "wrk saw error answers:\n{text}");
    Ok((rps, p99))
}

/// "1.23ms" / "850.00us" / "1.02s" → milliseconds.
fn parse_wrk_duration(text: &str) -> Option<f64> {
    let (number, factor) = if let Some(v) = text.strip_suffix("us") {
        (v, 0.001)
    } else if let Some(v) = text.strip_suffix("ms") {
        (v, 1.0)
    } else if let Some(v) = text.strip_suffix('s') {
        (v, 1000.0)
    } else {
        return None;
    };
    number.trim().parse::<f64>().ok().map(|n| n * factor)
}

fn http(args: &BenchArgs) -> anyhow::Result<Vec<serde_json::Value>> {
    let password = "bench-password-1";
    let (server, _) = spawn_server(password)?;
    wait_until_answering(server.port, Duration::from_secs(30))?;
    let base = format!("http://127.0.0.1:{}", server.port);
    let client = reqwest::blocking::Client::new();
    let token: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": "admin", "password": password}))
        .send()?
        .error_for_status()?
        .json()?;
    let token = token["token"].as_str().context("no token")?.to_string();
    let me: serde_json::Value =
        client.get(format!("{base}/api/v1/me")).bearer_auth(&token).send()?.error_for_status()?.json()?;
    let user_id = me["user_id"].as_str().context("no user id")?;
    let mut out = Vec::new();
    let (rps, p99) = wrk(&format!("{base}/healthz"), None, args)?;
    out.push(json!({"scenario": "http_healthz", "connections": args.connections, "seconds": args.seconds, "requests_per_second": rps, "p99_ms": p99}));
    let (rps, p99) =
        wrk(&format!("{base}/api/v1/users/{user_id}"), Some(&format!("Authorization: Bearer {token}")), args)?;
    out.push(json!({"scenario": "http_read_record", "connections": args.connections, "seconds": args.seconds, "requests_per_second": rps, "p99_ms": p99}));
    let checked = server.invariants()?;
    for line in &mut out {
        line["invariants"] = checked.clone();
    }
    Ok(out)
}

fn transactions(settings: &Settings, scenario: &str, count: u64) -> anyhow::Result<serde_json::Value> {
    let (_data, prepared) = fresh(settings)?;
    let clock = Arc::new(SystemClock);
    let company = prepared.bootstrapped.as_ref().map(|b| b.company).context("bench needs an empty database")?;
    let ctx = runtime::system_ctx(clock).for_company(company, runtime::all_permissions());
    let doc_type = DocType { code: "bench.doc", prefix: "BD" };
    let started = Instant::now();
    for i in 0..count {
        prepared.db.write(|tx| match scenario {
            "numbering" => next_number(tx, &ctx, doc_type, ctx.today(), &DocRef::new("bench.doc", i)).map(|_| ()),
            _ => kernel::audit::record(tx, &ctx, "bench.touch", "bench.doc", &i, json!({"i": i})),
        })?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let backend = format!("{:?}", prepared.db.backend()).to_lowercase();
    Ok(json!({
        "scenario": scenario,
        "backend": backend,
        "transactions": count,
        "transactions_per_second": (count as f64 / elapsed).round(),
        "invariants": invariants(&prepared.db)?,
    }))
}

/// A fresh database (SQLite in a temporary folder, or `TIANGONG_DATABASE_URL`), bootstrapped,
/// with the admin password `bench-password-1`.
pub(super) fn fresh(settings: &Settings) -> anyhow::Result<(tempfile::TempDir, runtime::Prepared)> {
    let data = tempfile::tempdir()?;
    let mut settings = settings.clone();
    settings.data_dir = data.path().to_path_buf();
    settings.admin_password = "bench-password-1".into();
    if settings.database_url.is_empty() {
        settings.database_url = format!("sqlite://{}", data.path().join("bench.db").display());
    }
    let prepared = runtime::prepare(&runtime::db_config(&settings), &settings, Arc::new(SystemClock))?;
    Ok((data, prepared))
}

/// Runs `work` `runs` times; the p50 and p95 of its durations, in milliseconds.
pub(super) fn timed(runs: usize, mut work: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<(f64, f64)> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        work()?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok((percentile(&times, 0.5), percentile(&times, 0.95)))
}

/// Percentile of sorted durations, in milliseconds.
pub(super) fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    (sorted[index.min(sorted.len() - 1)] * 100.0).round() / 100.0
}

/// The web app served on a free local port, and a client logged in as the bench's admin.
pub(super) fn logged_in_server(
    state: web::AppState,
) -> anyhow::Result<(tokio::runtime::Runtime, String, reqwest::blocking::Client)> {
    let tokio = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let listener = tokio.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let port = listener.local_addr()?.port();
    let app = web::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio.spawn(async move { axum::serve(listener, app).await });
    let base_url = format!("http://127.0.0.1:{port}");
    let client = reqwest::blocking::Client::builder().cookie_store(true).build()?;
    let login = client.get(format!("{base_url}/login")).send()?.text()?;
    let token = login
        .split("name=\"_login_csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .context("login form")?
        .to_string();
    client
        .post(format!("{base_url}/login"))
        .form(&[
            ("_login_csrf", token.as_str()),
            ("username", "admin"),
            ("password", "bench-password-1"),
            ("next", "/"),
        ])
        .send()?
        .error_for_status()?;
    Ok((tokio, base_url, client))
}

fn ui_list(settings: &Settings, rows: u64) -> anyhow::Result<serde_json::Value> {
    let (_data, prepared) = fresh(settings)?;
    let first = prepared.bootstrapped.clone().context("bench needs an empty database")?;
    // Realistic volume: a million audit entries of one company, written in bulk.
    let started = Instant::now();
    // Written through the audit log itself, so the hash chain holds and the run can be verified.
    let ctx = runtime::system_ctx(Arc::new(SystemClock)).for_company(first.company, runtime::all_permissions());
    let mut written = 0_u64;
    while written < rows {
        let batch = (rows - written).min(50_000);
        prepared.db.write(|tx| {
            for i in written..written + batch {
                let action = ["sales.order.confirm", "inventory.move.done", "ledger.voucher.post", "office.task.start"]
                    [(i % 4) as usize];
                kernel::audit::record(tx, &ctx, action, "bench.doc", &format!("DOC-{i:08}"), json!({}))?;
            }
            Ok(())
        })?;
        written += batch;
    }
    let seeded_seconds = started.elapsed().as_secs_f64();
    let (_tokio, base_url, client) = logged_in_server(prepared.state.clone())?;
    let first_page = client.get(format!("{base_url}/settings/audit")).send()?.text()?;
    let deep = first_page
        .split("rel=\"next\" href=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .context("next page link")?
        .replace("&amp;", "&");
    let time_page = |path: &str| -> anyhow::Result<(f64, f64)> {
        let mut times = Vec::new();
        for _ in 0..100 {
            let started = Instant::now();
            let answer = client.get(format!("{base_url}{path}")).send()?;
            anyhow::ensure!(answer.status().is_success(), "{path} answered {}", answer.status());
            answer.bytes()?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        Ok((percentile(&times, 0.5), percentile(&times, 0.95)))
    };
    let (first_p50, first_p95) = time_page("/settings/audit")?;
    let (deep_p50, deep_p95) = time_page(&deep)?;
    let (filter_p50, filter_p95) = time_page("/settings/audit?f.action=ledger&sort=chain_seq&desc=1")?;
    let (search_p50, search_p95) = time_page("/settings/audit?q=DOC-0099999")?;
    let gzip_bytes = |path: &str| -> anyhow::Result<usize> {
        Ok(client.get(format!("{base_url}{path}")).header("accept-encoding", "gzip").send()?.bytes()?.len())
    };
    let page = gzip_bytes("/")?;
    let css = first_page
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .context("css link")?
        .to_string();
    let js =
        first_page.split("script src=\"").nth(1).and_then(|r| r.split('"').next()).context("script link")?.to_string();
    let shell_total = page + gzip_bytes(&css)? + gzip_bytes(&js)?;
    Ok(json!({
        "scenario": "ui-list",
        "invariants": invariants(&prepared.db)?,
        "backend": format!("{:?}", prepared.db.backend()).to_lowercase(),
        "records": rows,
        "seed_seconds": (seeded_seconds * 10.0).round() / 10.0,
        "first_page_ms": {"p50": first_p50, "p95": first_p95},
        "second_page_ms": {"p50": deep_p50, "p95": deep_p95},
        "filtered_page_ms": {"p50": filter_p50, "p95": filter_p95},
        "searched_page_ms": {"p50": search_p50, "p95": search_p95},
        "shell_gzip_bytes": shell_total,
    }))
}

const CITIES: [&str; 10] = ["杭州", "上海", "北京", "深圳", "广州", "成都", "苏州", "南京", "武汉", "宁波"];

fn parties(settings: &Settings, rows: u64) -> anyhow::Result<serde_json::Value> {
    use kernel::import::{Sheet, run};
    let (data, prepared) = fresh(settings)?;
    let clock = Arc::new(SystemClock);
    let first = prepared.bootstrapped.clone().context("bench needs an empty database")?;
    let ctx = runtime::system_ctx(clock).for_company(first.company, runtime::all_permissions());
    let vault = prepared.state.keys.vault()?;
    let imported = 100_000_u64.min(rows);
    let sheet = Sheet {
        headers: ["code", "name", "mobile", "email", "city"].iter().map(|s| s.to_string()).collect(),
        rows: (0..imported)
            .map(|i| {
                let city = CITIES[(i % 10) as usize];
                vec![
                    format!("C{i:07}"),
                    format!("{city}客户{i:07}有限公司"),
                    format!("139{i:08}"),
                    format!("buyer{i}@example.com"),
                    city.to_string(),
                ]
            })
            .collect(),
    };
    let importer = party::import::PartyImporter { vault: &vault, default_kind: party::PartyKind::Customer };
    let catalog = crate::wiring::catalog();
    let started = Instant::now();
    let report = run(&prepared.db, &ctx, &importer, &sheet, false, &catalog, kernel::i18n::Locale::ZhCn, &|_| {})?;
    let import_seconds = started.elapsed().as_secs_f64();
    eprintln!("imported {imported} in {import_seconds:.1} s");
    anyhow::ensure!(report.errors.is_empty(), "import failed: {:?}", report.errors.first());
    let file = data.path().join("customers.xlsx");
    let started = Instant::now();
    let exported = super::transfer::export_type(&prepared.db, &ctx, &vault, "customers", &file)?;
    let export_seconds = started.elapsed().as_secs_f64();
    eprintln!("exported in {export_seconds:.1} s");
    // The rest of the million, written in bulk with the same encryption and indexes.
    let mut written = imported;
    while written < rows {
        let batch = (rows - written).min(50_000);
        prepared.db.write(|tx| {
            for i in written..written + batch {
                let city = CITIES[(i % 10) as usize];
                let name = format!("{city}客户{i:07}有限公司");
                let mobile = format!("139{i:08}");
                let email = format!("buyer{i}@example.com");
                tx.execute(
                    "insert into party_party (id, company_id, code, name, name_key, kind, mobile_enc, mobile_bidx, email_enc, email_bidx,
                        city, created_at, created_by, updated_at)
                     values ($1, $2, $3, $4, $5, 'customer', $6, $7, $8, $9, $10, '2026-01-01T00:00:00.000000Z', 'bench', '2026-01-01T00:00:00.000000Z')",
                    &[
                        &kernel::id::Uuid::now_v7(),
                        &first.company,
                        &format!("C{i:07}"),
                        &name,
                        &name.to_lowercase(),
                        &vault.encrypt(&mobile)?,
                        &vault.blind_index("phone", &mobile),
                        &vault.encrypt(&email)?,
                        &vault.blind_index("email", &email),
                        &city,
                    ],
                )?;
            }
            Ok(())
        })?;
        written += batch;
    }
    let time = |work: &dyn Fn(u64) -> anyhow::Result<usize>| -> anyhow::Result<(f64, f64)> {
        let mut times = Vec::new();
        for i in 0..200 {
            let started = Instant::now();
            let found = work(i)?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            anyhow::ensure!(found > 0, "nothing found");
        }
        times.sort_by(f64::total_cmp);
        Ok((percentile(&times, 0.5), percentile(&times, 0.95)))
    };
    let (prefix_p50, prefix_p95) = time(&|i| {
        let prefix = format!("{}客户{:04}", CITIES[(i % 10) as usize], (i * 37) % (rows / 1000).max(1));
        let query = kernel::listing::ListQuery {
            filters: vec![("name".into(), prefix)],
            limit: Some(50),
            ..Default::default()
        };
        Ok(prepared.db.read(|tx| party::list_parties(tx, &ctx, &query))?.rows.len())
    })?;
    let (phone_p50, phone_p95) = time(&|i| {
        let phone = format!("139{:08}", (i * 4_999) % rows);
        Ok(prepared.db.read(|tx| party::find_by_contact(tx, &ctx, &vault, &phone))?.len())
    })?;
    Ok(json!({
        "scenario": "parties",
        "invariants": invariants(&prepared.db)?,
        "backend": format!("{:?}", prepared.db.backend()).to_lowercase(),
        "import_rows": imported,
        "import_seconds": (import_seconds * 100.0).round() / 100.0,
        "export_rows": exported,
        "export_xlsx_seconds": (export_seconds * 100.0).round() / 100.0,
        "customers": rows,
        "name_prefix_search_ms": {"p50": prefix_p50, "p95": prefix_p95},
        "exact_phone_search_ms": {"p50": phone_p50, "p95": phone_p95},
    }))
}
