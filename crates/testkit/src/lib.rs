//! Test support: `spawn()` starts a real Tiangong (the same assembly as `tiangong serve`) on a
//! fresh database and a free port, in the background of the test.
//!
//! The backend follows the environment: with `TIANGONG_TEST_DATABASE_URL=postgres://…` each
//! app gets a schema of its own in that database (dropped afterwards); otherwise a SQLite
//! file in a temporary folder. Tests run in parallel without sharing anything.

pub mod browser;
mod clock;
pub mod external;
mod http;
pub mod openapi;
pub mod session;

use std::net::SocketAddr;
use std::sync::Arc;

use kernel::db::{Backend, Db, DbConfig};
use kernel::identity::{self, CompanyId, NewCompany, NewUser, UserId};
use kernel::{Ctx, PermissionSet};
use server::runtime;
use server::settings::Settings;

pub use clock::TestClock;
pub use http::{Answer, Client};

/// The password of the `admin` user of every test app.
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";

/// The PostgreSQL URL tests use, if the environment selects PostgreSQL.
pub fn postgres_url() -> Option<String> {
    std::env::var("TIANGONG_TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres"))
}

/// A fresh database without a server: SQLite in a temporary folder, or a fresh PostgreSQL
/// schema. Dropping it removes the schema.
pub struct TestDb {
    pub config: DbConfig,
    pub dir: tempfile::TempDir,
    pg_schema: Option<(String, String)>,
}

impl TestDb {
    pub fn new() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary folder");
        match postgres_url() {
            Some(url) => {
                let schema = format!("t_{}", kernel::id::Uuid::now_v7().simple());
                let mut admin = postgres::Client::connect(&url, postgres::NoTls)
                    .expect("PostgreSQL from TIANGONG_TEST_DATABASE_URL");
                admin.batch_execute(&format!("create schema \"{schema}\"")).expect("create schema");
                let mut config = DbConfig::new(url.clone());
                config.pg_schema = Some(schema.clone());
                config.pool_size = 8;
                TestDb { config, dir, pg_schema: Some((url, schema)) }
            }
            None => {
                let mut config = DbConfig::new(format!("sqlite://{}", dir.path().join("tiangong.db").display()));
                config.readers = 4;
                TestDb { config, dir, pg_schema: None }
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.config.backend()
    }

    /// The schema name on PostgreSQL (for tools such as pg_dump).
    pub fn pg_schema(&self) -> Option<&str> {
        self.pg_schema.as_ref().map(|(_, s)| s.as_str())
    }
}

impl Default for TestDb {
    fn default() -> Self {
        TestDb::new()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((url, schema)) = &self.pg_schema
            && let Ok(mut admin) = postgres::Client::connect(url, postgres::NoTls)
        {
            let _ = admin.batch_execute(&format!("drop schema if exists \"{schema}\" cascade"));
        }
    }
}

/// A running app on a fresh database.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub base: String,
    pub db: Db,
    pub clock: Arc<TestClock>,
    /// The first company ("Demo Company") and its administrator.
    pub company: CompanyId,
    pub admin: UserId,
    runtime: Option<tokio::runtime::Runtime>,
    // Dropped last: the database outlives the server.
    pub test_db: TestDb,
}

/// Starts an app on a fresh database of the backend the environment selects.
pub fn spawn() -> TestApp {
    let test_db = TestDb::new();
    let clock = Arc::new(TestClock::default());
    let settings = Settings {
        admin_password: ADMIN_PASSWORD.into(),
        data_dir: test_db.dir.path().to_path_buf(),
        ..Settings::default()
    };
    let prepared = runtime::prepare(&test_db.config, &settings, clock.clone()).expect("app prepared");
    let first = prepared.bootstrapped.clone().expect("fresh database bootstrapped");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("free port");
    let port = listener.local_addr().expect("bound").port();
    let app = web::app(prepared.state).into_make_service_with_connect_info::<SocketAddr>();
    runtime.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        db: prepared.db,
        clock,
        company: first.company,
        admin: first.admin,
        runtime: Some(runtime),
        test_db,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl TestApp {
    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// An HTTP client for this app, without credentials.
    pub fn client(&self) -> Client {
        Client::new(&self.base, None)
    }

    /// A client logged in through `POST /api/v1/auth/token`.
    pub fn login(&self, username: &str, password: &str) -> Client {
        let answer =
            self.client().post("/api/v1/auth/token", &serde_json::json!({"username": username, "password": password}));
        assert_eq!(answer.status, 200, "login of {username} failed: {}", answer.body);
        let token = answer.json["token"].as_str().expect("token").to_string();
        Client::new(&self.base, Some(token))
    }

    /// The administrator of the first company.
    pub fn admin(&self) -> Client {
        self.login("admin", ADMIN_PASSWORD)
    }

    /// The system acting in the first company with every permission.
    pub fn system_ctx(&self) -> Ctx {
        self.ctx_in(self.company)
    }

    pub fn ctx_in(&self, company: CompanyId) -> Ctx {
        Ctx::system(company, runtime::all_permissions()).with_clock(self.clock.clone())
    }

    /// Creates a user in `company` with the given role codes; returns its id and a client.
    pub fn user_in(&self, company: CompanyId, username: &str, roles: &[&str]) -> (UserId, Client) {
        let password = format!("{username}-password");
        let ctx = self.ctx_in(company);
        let user = self
            .db
            .write(|tx| {
                identity::create_user(
                    tx,
                    &ctx,
                    &NewUser {
                        username: username.into(),
                        display_name: username.into(),
                        email: None,
                        password: password.clone(),
                        locale: None,
                        roles: roles.iter().map(|r| r.to_string()).collect(),
                    },
                )
            })
            .expect("user created");
        (user.id, self.login(username, &password))
    }

    /// A second company with its own administrator (for tenant isolation tests).
    pub fn other_company(&self, code: &str) -> (CompanyId, Client) {
        let system = Ctx::system(self.company, runtime::all_permissions()).with_clock(self.clock.clone());
        let company = self
            .db
            .write(|tx| {
                identity::create_company(
                    tx,
                    &system,
                    &NewCompany { name: format!("Company {code}"), code: code.into(), base_currency: None },
                    &server::wiring::permissions(),
                )
            })
            .expect("company created");
        let (_, client) = self.user_in(company.id, &format!("admin-{}", code.to_lowercase()), &["admin"]);
        (company.id, client)
    }

    /// Runs every registered invariant and panics with the violations if any fails.
    pub fn assert_invariants(&self) {
        let reports =
            self.db.read(|tx| kernel::invariant::run_all(tx, &server::wiring::invariants())).expect("invariants ran");
        let failed: Vec<_> = reports.iter().filter(|r| !r.ok).collect();
        assert!(failed.is_empty(), "invariants violated: {failed:#?}");
    }
}

/// All permissions, for tests that act as the system.
pub fn all_permissions() -> PermissionSet {
    runtime::all_permissions()
}
