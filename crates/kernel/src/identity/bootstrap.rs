//! First start: an empty database gets the company "Demo Company" and the user `admin` with
//! every permission. The password is `TIANGONG_ADMIN_PASSWORD` when set, else generated and
//! shown once.

use base64::Engine;
use rand::RngCore;

use super::company::{NewCompany, create_company};
use super::user::{NewUser, create_user};
use super::{CompanyId, UserId};
use crate::Result;
use crate::ctx::Ctx;
use crate::db::Db;
use crate::permission::{PermissionInfo, PermissionSet};

/// What the first start created.
#[derive(Clone, Debug)]
pub struct Bootstrapped {
    pub company: CompanyId,
    pub admin: UserId,
    /// Set when the password was generated: print it once, it is stored only as a hash.
    pub generated_password: Option<String>,
}

/// A random 16-character password (96 bits from the OS's randomness).
pub fn generate_password() -> String {
    let mut bytes = [0_u8; 12];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Creates the demo company and the administrator if no company exists yet; otherwise does
/// nothing and returns `None`.
pub fn bootstrap(
    db: &Db,
    ctx_template: &Ctx,
    known: &[PermissionInfo],
    admin_password: Option<&str>,
) -> Result<Option<Bootstrapped>> {
    let (password, generated) = match admin_password.filter(|p| !p.is_empty()) {
        Some(password) => (password.to_string(), false),
        None => (generate_password(), true),
    };
    db.write(|tx| {
        let existing: i64 = tx.scalar("select count(*) from kernel_company", &[])?;
        if existing > 0 {
            return Ok(None);
        }
        let all = PermissionSet::new(known.iter().map(|p| p.permission.name()));
        let system =
            Ctx::system(CompanyId(crate::id::Uuid::nil()), all.clone()).with_clock(ctx_template.clock().clone());
        let company = create_company(
            tx,
            &system,
            &NewCompany { name: "Demo Company".into(), code: "DEMO".into(), base_currency: Some("CNY".into()) },
            known,
        )?;
        let in_company = system.for_company(company.id, all);
        let admin = create_user(
            tx,
            &in_company,
            &NewUser {
                username: "admin".into(),
                display_name: "管理员 Administrator".into(),
                email: None,
                password: password.clone(),
                locale: Some("zh-CN".into()),
                roles: vec!["admin".into()],
            },
        )?;
        Ok(Some(Bootstrapped {
            company: company.id,
            admin: admin.id,
            generated_password: generated.then_some(password),
        }))
    })
}
