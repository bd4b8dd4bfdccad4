//! The `tiangong` binary as an operator uses it: first start, migrate, users, verify, backup
//! and restore while writes go on, and a worker killed mid-delivery. These run on SQLite in a
//! temporary data folder (the PostgreSQL paths use pg_dump; see docs/deployment-postgresql.md).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kernel::bus::Bus;
use kernel::db::{Db, DbConfig};
use serde_json::json;

fn tiangong(data: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tiangong"));
    command.arg("--data").arg(data).env_remove("TIANGONG_DATABASE_URL").env("TIANGONG_LOG", "warn");
    command
}

fn run(command: &mut Command) -> (bool, String) {
    let output = command.output().expect("tiangong runs");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `tiangong serve` and waits for its "serving" line; returns the first lines printed.
fn serve(data: &Path, port: u16, envs: &[(&str, &str)]) -> (Server, String) {
    let mut command = tiangong(data);
    command.args(["serve", "--addr", &format!("127.0.0.1:{port}")]).stdout(Stdio::piped()).stderr(Stdio::null());
    for (k, v) in envs {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let mut line = String::new();
        if lines.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        printed.push_str(&line);
        if line.contains("serving on") {
            break;
        }
    }
    assert!(printed.contains("serving on"), "server did not start: {printed}");
    (Server(child), printed)
}

fn open_db(data: &Path) -> Db {
    Db::open(&DbConfig::new(format!("sqlite://{}", data.join("tiangong.db").display())), Arc::new(Bus::new())).unwrap()
}

#[test]
fn first_start_prints_the_generated_admin_password_once() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let (server, printed) = serve(data.path(), port, &[]);
    let password = printed
        .lines()
        .find_map(|l| l.split("password ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("password printed")
        .to_string();
    let client = reqwest::blocking::Client::new();
    let answer = client
        .post(format!("http://127.0.0.1:{port}/api/v1/auth/token"))
        .json(&json!({"username": "admin", "password": password}))
        .send()
        .unwrap();
    assert_eq!(answer.status(), 200);
    drop(server);
    assert!(data.path().join("tiangong.db").exists(), "the database lives in the data folder");
    // A second start creates nothing and prints no password.
    let (_server, printed) = serve(data.path(), free_port(), &[]);
    assert!(!printed.contains("password"), "{printed}");
}

#[test]
fn migrate_users_and_verify_from_the_command_line() {
    let data = tempfile::tempdir().unwrap();
    let (ok, out) = run(tiangong(data.path()).arg("migrate"));
    assert!(ok, "{out}");
    let all: usize = server::wiring::MIGRATIONS.iter().map(|m| m.migrations.len()).sum();
    assert!(out.contains(&format!("{all} migration(s) applied")), "{out}");
    let (ok, out) = run(tiangong(data.path()).arg("migrate"));
    assert!(ok && out.contains("0 migration(s)"), "{out}");
    // `user add` needs a company: the first start of `serve` (or any command) has bootstrapped none yet.
    let (ok, out) = run(tiangong(data.path()).args(["user", "add", "li", "--roles", "sales"]));
    assert!(!ok, "no company yet: {out}");
    let port = free_port();
    let (server, _) = serve(data.path(), port, &[("TIANGONG_ADMIN_PASSWORD", "initial-admin-pw")]);
    drop(server);
    let (ok, out) = run(tiangong(data.path()).args([
        "user",
        "add",
        "li",
        "--name",
        "李四",
        "--roles",
        "sales,crm",
        "--password",
        "li-password-1",
    ]));
    assert!(ok, "{out}");
    assert!(out.contains("roles [crm, sales]"), "{out}");
    let (ok, out) = run(tiangong(data.path()).args(["user", "add", "li"]));
    assert!(!ok && out.contains("用户名已被使用"), "duplicate usernames are refused clearly: {out}");
    let (ok, out) = run(tiangong(data.path()).args(["user", "roles", "li", "readonly"]));
    assert!(ok && out.contains("[readonly]"), "{out}");
    let (ok, out) = run(tiangong(data.path()).args(["user", "passwd", "li"]));
    assert!(ok && out.contains("password: "), "a generated password is shown: {out}");
    let (ok, out) = run(tiangong(data.path()).args(["user", "list"]));
    assert!(ok && out.contains("admin") && out.contains("李四"), "{out}");
    let (ok, out) = run(tiangong(data.path()).args(["verify", "--json"]));
    assert!(ok, "{out}");
    let report: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(report["ok"], true);
    assert!(report["invariants"].as_array().unwrap().len() >= 2);
    // Tampering with history makes verify fail.
    open_db(data.path())
        .write(|tx| tx.execute("update kernel_audit set actor = 'someone-else' where chain_seq = 1", &[]))
        .unwrap();
    let (ok, out) = run(tiangong(data.path()).arg("verify"));
    assert!(!ok, "{out}");
    assert!(out.contains("kernel.audit_chain"), "{out}");
}

#[test]
fn backup_while_writing_then_restore() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let (_server, _) = serve(data.path(), port, &[("TIANGONG_ADMIN_PASSWORD", "initial-admin-pw")]);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::blocking::Client::new();
    let token: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": "admin", "password": "initial-admin-pw"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (stop, base, token) = (stop.clone(), base.clone(), token.clone());
        std::thread::spawn(move || {
            let client = reqwest::blocking::Client::new();
            let mut written = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let body = json!({"code": format!("r{written}"), "name_zh": "角色", "name_en": "Role", "permissions": ["kernel.user.read"]});
                let answer =
                    client.post(format!("{base}/api/v1/roles")).bearer_auth(&token).json(&body).send().unwrap();
                assert_eq!(answer.status(), 201);
                written += 1;
            }
            written
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let backup = data.path().join("backup.db");
    let (ok, out) = run(tiangong(data.path()).arg("backup").arg(&backup));
    assert!(ok, "{out}");
    std::thread::sleep(Duration::from_millis(200));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(written > 0);
    // Restore into a fresh folder: a consistent snapshot, invariants intact.
    let restored = tempfile::tempdir().unwrap();
    let (ok, out) = run(tiangong(restored.path()).arg("restore").arg(&backup));
    assert!(ok, "{out}");
    let (ok, out) = run(tiangong(restored.path()).arg("verify"));
    assert!(ok, "the restored copy is consistent: {out}");
    let db = open_db(restored.path());
    let roles: i64 =
        db.read(|tx| tx.scalar("select count(*) from kernel_role where code like 'r%' and builtin = 0", &[])).unwrap();
    let audited: i64 =
        db.read(|tx| tx.scalar("select count(*) from kernel_audit where action = 'kernel.role.create'", &[])).unwrap();
    assert!(roles > 0 && roles <= written, "{roles} of {written}");
    assert_eq!(roles, audited, "every role in the copy has its audit entry, and no more");
    // Restoring over an existing database needs --force.
    let (ok, out) = run(tiangong(restored.path()).arg("restore").arg(&backup));
    assert!(!ok && out.contains("--force"), "{out}");
}

/// A webhook receiver that holds the first request until told, so the server can be killed
/// after sending and before marking.
fn slow_receiver(port: u16, first_arrived: std::sync::mpsc::Sender<String>) -> std::thread::JoinHandle<Vec<String>> {
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    std::thread::spawn(move || {
        let mut keys = Vec::new();
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut buffer = vec![0_u8; 8192];
            let n = stream.read(&mut buffer).unwrap_or(0);
            let request = String::from_utf8_lossy(&buffer[..n]).to_string();
            let key = request
                .lines()
                .find_map(|l| l.strip_prefix("idempotency-key: ").or_else(|| l.strip_prefix("Idempotency-Key: ")))
                .unwrap_or_default()
                .trim()
                .to_string();
            keys.push(key.clone());
            if keys.len() == 1 {
                first_arrived.send(key).unwrap();
                std::thread::sleep(Duration::from_secs(3));
            }
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            if keys.len() == 2 {
                return keys;
            }
        }
        keys
    })
}

#[test]
fn a_killed_worker_loses_no_message() {
    let data = tempfile::tempdir().unwrap();
    let receiver_port = free_port();
    let (arrived_tx, arrived_rx) = std::sync::mpsc::channel();
    let receiver = slow_receiver(receiver_port, arrived_tx);
    let envs = [
        ("TIANGONG_ADMIN_PASSWORD", "initial-admin-pw"),
        ("TIANGONG_OUTBOX_LEASE_SECONDS", "2"),
        ("TIANGONG_OUTBOX_POLL_MS", "100"),
    ];
    let (server, _) = serve(data.path(), free_port(), &envs);
    let db = open_db(data.path());
    let company: kernel::identity::CompanyId = db.read(|tx| tx.scalar("select id from kernel_company", &[])).unwrap();
    let ctx = kernel::Ctx::system(company, Default::default());
    db.write(|tx| {
        kernel::outbox::enqueue(
            tx,
            &ctx,
            "webhook.post",
            &json!({"url": format!("http://127.0.0.1:{receiver_port}/hook"), "body": {}}),
            Some("order-42-mail"),
        )
    })
    .unwrap();
    // The worker sent it; kill the whole server before it can mark it delivered.
    let key = arrived_rx.recv_timeout(Duration::from_secs(20)).expect("first delivery");
    drop(server);
    assert_eq!(key, "order-42-mail");
    let state: String = db.read(|tx| tx.scalar("select state from kernel_outbox", &[])).unwrap();
    assert_eq!(state, "pending", "the kill happened between send and mark");
    // A new server process picks it up once the lease has run out.
    let (_server, _) = serve(data.path(), free_port(), &envs);
    let keys = receiver.join().unwrap();
    assert_eq!(keys, ["order-42-mail", "order-42-mail"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let state: String = db.read(|tx| tx.scalar("select state from kernel_outbox", &[])).unwrap();
        if state == "done" {
            break;
        }
        assert!(Instant::now() < deadline, "still {state}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn import_and_export_reference_data_from_the_command_line() {
    let data = tempfile::tempdir().unwrap();
    let (server, _) = serve(data.path(), free_port(), &[("TIANGONG_ADMIN_PASSWORD", "initial-admin-pw")]);
    drop(server);
    let file = data.path().join("units.csv");
    std::fs::write(&file, "category,code,name,factor_num,factor_den\nunit,pallet,托,480,1\nunit,bad,坏,0,1\n").unwrap();
    let (ok, out) = run(tiangong(data.path()).args(["import", "uoms"]).arg(&file));
    assert!(!ok && out.contains("row 3") && out.contains("factor_num") && out.contains("nothing written"), "{out}");
    std::fs::write(&file, "category,code,name,factor_num,factor_den\nunit,pallet,托,480,1\n").unwrap();
    let (ok, out) = run(tiangong(data.path()).args(["import", "uoms"]).arg(&file));
    assert!(ok && out.contains("imported 1 rows"), "{out}");
    let leads = data.path().join("leads.csv");
    std::fs::write(&leads, "contact_name,organization,phone\n王经理,杭州茶庄,13800000001\n").unwrap();
    let (ok, out) = run(tiangong(data.path()).args(["import", "leads"]).arg(&leads));
    assert!(ok && out.contains("imported 1 rows"), "{out}");
    for kind in
        ["uoms", "taxes", "categories", "exchange-rates", "prices", "products", "customers", "suppliers", "leads"]
    {
        let target = data.path().join(format!("{kind}.xlsx"));
        let (ok, out) = run(tiangong(data.path()).args(["export", kind]).arg(&target));
        assert!(ok, "{kind}: {out}");
        let sheet = kernel::import::Sheet::read(&target).unwrap();
        let (ok, template) = run(tiangong(data.path()).args(["import", "template", kind]));
        assert!(ok);
        assert_eq!(sheet.headers.join(","), template.lines().next().unwrap(), "{kind}: the export imports again");
    }
    let units = kernel::import::Sheet::read(&data.path().join("uoms.xlsx")).unwrap();
    assert!(units.rows.iter().any(|r| r.join(",") == "unit,pallet,托,480,1,0"), "{:?}", units.rows);
    let taxes = kernel::import::Sheet::read(&data.path().join("taxes.xlsx")).unwrap();
    assert_eq!(taxes.rows.len(), 7, "VAT 13/9/6/3/1/0 and exempt");
    let (ok, out) = run(tiangong(data.path()).args(["export", "widgets"]).arg(data.path().join("w.csv")));
    assert!(!ok && out.contains("known: customers, suppliers"), "{out}");
}

#[test]
fn commands_on_a_folder_without_a_database_say_so_in_one_line() {
    let data = tempfile::tempdir().unwrap();
    let empty = data.path().join("nothing-here");
    for args in
        [&["verify"][..], &["user", "list"], &["export", "customers", "/tmp/x.csv"], &["backup", "/tmp/never.db"]]
    {
        let (ok, text) = run(tiangong(&empty).args(args));
        assert!(!ok, "{args:?} succeeded on an empty folder");
        assert_eq!(text.trim().lines().count(), 1, "{args:?}: {text}");
        assert!(text.contains("no database at") && text.contains("tiangong serve"), "{args:?}: {text}");
        assert!(!text.to_lowercase().contains("sql"), "{args:?}: no internal SQL error: {text}");
    }
    assert!(!empty.join("tiangong.db").exists(), "nothing was created");
}
