//! Customers and suppliers: personal data encrypted at rest (the raw database never holds a
//! phone number in clear), masked for roles without the permission, found by exact phone
//! through the blind index, credit codes checked, duplicates flagged, merges keeping every
//! linked record, salespeople seeing their own customers, imports that write all or nothing,
//! Northwind loaded, keys rotated.

use std::path::Path;

use kernel::import::Sheet;
use serde_json::json;
use testkit::{TestApp, spawn};

const PHONE: &str = "13812345678";

fn customer(code: &str, mobile: &str) -> serde_json::Value {
    json!({"code": code, "name": format!("测试客户 {code}"), "kind": "customer", "mobile": mobile,
           "email": format!("{}@example.com", code.to_lowercase()), "province": "浙江省", "city": "杭州市",
           "district": "西湖区", "address": "文三路 90 号", "credit_limit": "20000",
           "contacts": [{"name": "王五", "mobile": mobile, "id_card": "110101199003078515"}],
           "bank_accounts": [{"bank_name": "招商银行", "holder": "测试客户", "account": "6225880212345678"}]})
}

/// Every byte the database holds: the SQLite files, or a dump of the test's PostgreSQL schema.
fn raw_database(app: &TestApp) -> Vec<u8> {
    match app.test_db.pg_schema() {
        None => {
            let dir = app.test_db.dir.path();
            let mut bytes = Vec::new();
            for name in ["tiangong.db", "tiangong.db-wal"] {
                if let Ok(b) = std::fs::read(dir.join(name)) {
                    bytes.extend(b);
                }
            }
            bytes
        }
        Some(schema) => {
            let url = testkit::postgres_url().unwrap();
            let output = std::process::Command::new("pg_dump")
                .args(["--data-only", "--schema", schema, &url])
                .output()
                .expect("pg_dump runs");
            assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
            output.stdout
        }
    }
}

#[test]
fn personal_data_never_reaches_the_database_in_clear() {
    let app = spawn();
    let admin = app.admin();
    let created = admin.post("/api/v1/parties", &customer("C1", PHONE));
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json["mobile"], PHONE, "the caller with the permission reads it back");
    // Checkpoint SQLite's WAL so the bytes are in the main file too, then scan everything.
    let _ = app.db.write(|tx| tx.execute("select 1", &[]));
    let raw = raw_database(&app);
    assert!(raw.len() > 1000);
    for secret in [PHONE, "c1@example.com", "文三路", "6225880212345678", "110101199003078515"] {
        assert!(!raw.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} found in the raw database");
    }
    // The blind index still finds it by exact phone, in any notation.
    let found = admin.get("/api/v1/parties/lookup?contact=%2B86%20138-1234-5678").json;
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["code"], "C1");
}

#[test]
fn roles_without_the_permission_see_masked_values() {
    let app = spawn();
    let admin = app.admin();
    let id = admin.post("/api/v1/parties", &customer("C2", PHONE)).json["id"].as_str().unwrap().to_string();
    let (_, warehouse) = app.user_in(app.company, "keeper", &["warehouse"]);
    let seen = warehouse.get(&format!("/api/v1/parties/{id}"));
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert_eq!(seen.json["mobile"], "138****5678");
    assert_eq!(seen.json["email"], "c***@example.com");
    assert_eq!(seen.json["masked"], true);
    assert_eq!(seen.json["contacts"][0]["id_card"], "110****8515");
    assert_eq!(seen.json["bank_accounts"][0]["account"], "622****5678");
    assert_ne!(seen.json["address"], "文三路 90 号");
}

#[test]
fn credit_codes_duplicates_and_merges() {
    let app = spawn();
    let admin = app.admin();
    let mut bad = customer("C3", "13900000001");
    bad["uscc"] = json!("91310000MA1FL4B24X");
    let refused = admin.post("/api/v1/parties", &bad);
    assert_eq!(refused.status, 422);
    assert_eq!(refused.json["errors"][0]["field"], "uscc");
    let mut first = customer("C4", "13900000002");
    first["uscc"] = json!("91310000MA1FL4B24G");
    let first = admin.post("/api/v1/parties", &first).json;
    assert!(first.get("duplicates").is_none());
    // Same credit code and same mobile under another code: created, with a warning.
    let mut second = customer("C5", "139 0000 0002");
    second["uscc"] = json!("91310000MA1FL4B24G");
    let second = admin.post("/api/v1/parties", &second);
    assert_eq!(second.status, 201);
    let matched: Vec<&str> =
        second.json["duplicates"].as_array().unwrap().iter().map(|d| d["matched_on"].as_str().unwrap()).collect();
    assert!(matched.contains(&"uscc"), "{matched:?}");
    assert_eq!(second.json["duplicates"][0]["party_id"], first["id"]);
    // Merge: the duplicate's contacts and bank accounts move over; it becomes inactive.
    let kept = first["id"].as_str().unwrap();
    let merged = admin.post(&format!("/api/v1/parties/{kept}/merge"), &json!({"remove": second.json["id"]}));
    assert_eq!(merged.status, 200, "{}", merged.body);
    assert_eq!(merged.json["contacts"].as_array().unwrap().len(), 2);
    assert_eq!(merged.json["bank_accounts"].as_array().unwrap().len(), 2);
    let gone = admin.get(&format!("/api/v1/parties/{}", second.json["id"].as_str().unwrap())).json;
    assert_eq!(gone["active"], false);
    assert_eq!(gone["merged_into"], kept);
    app.assert_invariants();
}

#[test]
fn salespeople_see_their_own_customers() {
    let app = spawn();
    let (_, li) = app.user_in(app.company, "li", &["sales"]);
    let (_, wang) = app.user_in(app.company, "wang", &["sales"]);
    assert_eq!(li.post("/api/v1/parties", &customer("LI1", "13700000001")).status, 201);
    let wangs = wang.post("/api/v1/parties", &customer("WANG1", "13700000002")).json;
    let listed = li.get("/api/v1/parties").json;
    let codes: Vec<&str> = listed["items"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["LI1"]);
    assert_eq!(li.get(&format!("/api/v1/parties/{}", wangs["id"].as_str().unwrap())).status, 404);
    // The administrator sees both.
    assert_eq!(app.admin().get("/api/v1/parties").json["items"].as_array().unwrap().len(), 2);
    // Sales may not create suppliers.
    let mut supplier = customer("S1", "13700000003");
    supplier["kind"] = json!("supplier");
    assert_eq!(li.post("/api/v1/parties", &supplier).status, 403);
}

#[test]
fn imports_report_every_bad_cell_and_write_all_or_nothing() {
    let app = spawn();
    let csv = "code,name,kind,uscc,mobile,email,credit_limit\n\
               A1,甲公司,customer,,13600000001,a@example.com,1000\n\
               A2,,customer,,13600000002,b@example.com,1000\n\
               A3,丙公司,partner,91310000MA1FL4B24X,13600000003,not-an-email,-5\n\
               A4,丁公司,supplier,,13600000004,d@example.com,\n";
    let sheet = Sheet::parse(csv.as_bytes(), "csv").unwrap();
    let vault = kernel::crypto::Vault::new(&kernel::crypto::KeyRing::generate()).unwrap();
    let importer = party::import::PartyImporter { vault: &vault, default_kind: party::PartyKind::Customer };
    let catalog = server::wiring::catalog();
    let ctx = app.system_ctx();
    let report =
        kernel::import::run(&app.db, &ctx, &importer, &sheet, false, &catalog, kernel::i18n::Locale::En, &|_| {})
            .unwrap();
    let cells: Vec<(usize, &str)> = report.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(cells, [(3, "name"), (4, "kind")], "{:?}", report.errors);
    assert_eq!(report.imported, 0);
    let count = || -> i64 { app.db.read(|tx| tx.scalar("select count(*) from party_party", &[])).unwrap() };
    assert_eq!(count(), 0, "nothing half-imported");
    // Fix the kind: the row's other problems are reported together.
    let fixed = csv.replace("partner", "customer").replace("A2,,", "A2,乙公司,");
    let sheet = Sheet::parse(fixed.as_bytes(), "csv").unwrap();
    let report =
        kernel::import::run(&app.db, &ctx, &importer, &sheet, true, &catalog, kernel::i18n::Locale::En, &|_| {})
            .unwrap();
    let cells: Vec<(usize, &str)> = report.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(cells, [(4, "uscc"), (4, "email"), (4, "credit_limit")]);
    assert!(report.errors[0].reason.contains("credit code"), "{:?}", report.errors);
    let clean = fixed.replace("91310000MA1FL4B24X", "").replace("not-an-email", "c@example.com").replace(",-5", ",5");
    let sheet = Sheet::parse(clean.as_bytes(), "csv").unwrap();
    let dry = kernel::import::run(&app.db, &ctx, &importer, &sheet, true, &catalog, kernel::i18n::Locale::En, &|_| {})
        .unwrap();
    assert!(dry.errors.is_empty() && dry.imported == 0 && count() == 0, "a clean dry run writes nothing");
    let real =
        kernel::import::run(&app.db, &ctx, &importer, &sheet, false, &catalog, kernel::i18n::Locale::En, &|_| {})
            .unwrap();
    assert_eq!((real.imported, count()), (4, 4));
    // Unknown columns are refused before any row.
    let sheet = Sheet::parse(b"code,name,colour\nX,Y,red\n", "csv").unwrap();
    let report =
        kernel::import::run(&app.db, &ctx, &importer, &sheet, false, &catalog, kernel::i18n::Locale::En, &|_| {})
            .unwrap();
    assert_eq!(report.errors[0].column, "colour");
}

fn northwind() -> Option<std::path::PathBuf> {
    let folder = std::env::var("TIANGONG_DATASETS")
        .map(|d| Path::new(&d).join("northwind"))
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets/northwind"));
    if folder.join("Customers.csv").exists() {
        Some(folder)
    } else {
        eprintln!("SKIPPED: Northwind data set not found (set TIANGONG_DATASETS)");
        None
    }
}

#[test]
fn northwind_customers_suppliers_and_employees_load() {
    let Some(folder) = northwind() else { return };
    let app = spawn();
    let vault = kernel::crypto::Vault::new(&kernel::crypto::KeyRing::generate()).unwrap();
    let ctx = app.system_ctx();
    let report = server::datasets::northwind::load(&app.db, &ctx, &vault, &folder).unwrap();
    // Figures computed from the CSVs themselves.
    let customers = Sheet::read(&folder.join("Customers.csv")).unwrap();
    let suppliers = Sheet::read(&folder.join("Suppliers.csv")).unwrap();
    let employees = Sheet::read(&folder.join("Employees.csv")).unwrap();
    assert_eq!(
        (report.customers, report.suppliers, report.employees),
        (customers.rows.len(), suppliers.rows.len(), employees.rows.len())
    );
    let count = |kind: &str| -> i64 {
        app.db.read(|tx| tx.scalar("select count(*) from party_party where kind = $1", &[&kind])).unwrap()
    };
    assert_eq!(count("customer") as usize, customers.rows.len());
    assert_eq!(count("supplier") as usize, suppliers.rows.len());
    let germans = customers.rows.iter().filter(|r| r[8] == "Germany").count() as i64;
    let stored: i64 = app
        .db
        .read(|tx| tx.scalar("select count(*) from party_party where country = 'Germany' and kind = 'customer'", &[]))
        .unwrap();
    assert_eq!(stored, germans);
    // A value read back through decryption equals the CSV's.
    let first = &customers.rows[0];
    let id: party::PartyId =
        app.db.read(|tx| tx.scalar("select id from party_party where code = $1", &[&first[0]])).unwrap();
    let party = app.db.read(|tx| party::get_party(tx, &ctx, &vault, id)).unwrap();
    assert_eq!(
        (party.name.as_str(), party.phone.as_deref(), party.contacts[0].name.as_str()),
        (first[1].as_str(), Some(first[9].as_str()), first[2].as_str())
    );
}

#[test]
fn rotating_keys_reencrypts_everything_and_search_keeps_working() {
    let app = spawn();
    let admin = app.admin();
    for i in 0..5 {
        assert_eq!(admin.post("/api/v1/parties", &customer(&format!("R{i}"), &format!("1350000000{i}"))).status, 201);
    }
    let file = app.test_db.dir.path().join("keys").join("tiangong-keys.json");
    let mut ring = kernel::crypto::KeyRing::load_or_create(&file).unwrap();
    let old_key = ring.current.clone();
    ring.rotate();
    ring.save(&file).unwrap();
    // Before re-encryption, the running server still finds and reads the old values.
    assert_eq!(admin.get("/api/v1/parties/lookup?contact=13500000003").json[0]["code"], "R3");
    let vault = kernel::crypto::Vault::new(&ring).unwrap();
    let rewritten = party::rotate::reencrypt_all(&app.db, &vault, 2).unwrap();
    assert!(rewritten >= 5 * 6, "{rewritten}");
    let stale: i64 = app
        .db
        .read(|tx| {
            tx.scalar("select count(*) from party_party where mobile_enc like $1", &[&format!("v1.{old_key}.%")])
        })
        .unwrap();
    assert_eq!(stale, 0);
    assert_eq!(party::rotate::reencrypt_all(&app.db, &vault, 2).unwrap(), 0, "a second run has nothing to do");
    let found = admin.get("/api/v1/parties/lookup?contact=13500000003").json;
    assert_eq!(found[0]["code"], "R3");
    assert_eq!(found[0]["mobile"], "13500000003");
}
