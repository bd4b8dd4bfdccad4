//! `tiangong user add|passwd|roles|list`: user administration from the shell.

use std::sync::Arc;

use clap::Subcommand;
use kernel::clock::SystemClock;
use kernel::db::{Db, Tx};
use kernel::identity::{self, CompanyId, NewUser};
use kernel::page::PageRequest;
use kernel::{Ctx, Error};

use crate::runtime;
use crate::settings::Settings;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user in a company.
    Add {
        username: String,
        /// Display name (default: the username).
        #[arg(long)]
        name: Option<String>,
        /// Password; when absent, TIANGONG_NEW_PASSWORD, else one is generated and printed.
        #[arg(long)]
        password: Option<String>,
        /// Role codes, comma-separated (admin, sales, purchasing, warehouse, production,
        /// finance, hr, crm, support, readonly).
        #[arg(long, value_delimiter = ',')]
        roles: Vec<String>,
        /// Company code (default: the first company).
        #[arg(long)]
        company: Option<String>,
    },
    /// Set a user's password (ends the user's sessions and tokens).
    Passwd {
        username: String,
        /// The new password; when absent, TIANGONG_NEW_PASSWORD, else one is generated.
        #[arg(long)]
        password: Option<String>,
    },
    /// Replace a user's roles in a company.
    Roles {
        username: String,
        /// Role codes, comma-separated.
        #[arg(value_delimiter = ',')]
        roles: Vec<String>,
        #[arg(long)]
        company: Option<String>,
    },
    /// List the users of a company.
    List {
        #[arg(long)]
        company: Option<String>,
    },
}

fn company_id(tx: &mut Tx<'_>, code: Option<&str>) -> kernel::Result<CompanyId> {
    let row = match code {
        Some(code) => tx.query_opt("select id from kernel_company where code = $1", &[&code])?,
        // The first company made: ids (UUIDv7) follow the order companies were really made in, while
        // the demo company's `created_at` lies in the past of its story.
        None => tx.query_opt("select id from kernel_company order by id limit 1", &[])?,
    };
    row.ok_or_else(|| Error::not_found("kernel.company.not_found"))?.get(0)
}

fn user_id(tx: &mut Tx<'_>, username: &str) -> kernel::Result<identity::UserId> {
    identity::find_user_by_username(tx, username)?
        .map(|(id, _, _)| id)
        .ok_or_else(|| Error::not_found("kernel.user.not_found"))
}

fn password_or_generated(given: Option<String>) -> (String, bool) {
    if let Some(password) = given.or_else(|| std::env::var("TIANGONG_NEW_PASSWORD").ok()).filter(|p| !p.is_empty()) {
        return (password, false);
    }
    (identity::generate_password(), true)
}

fn open(settings: &Settings) -> anyhow::Result<(Db, Ctx)> {
    let clock = Arc::new(SystemClock);
    let db = runtime::open_existing(&runtime::db_config(settings))?;
    runtime::migrate(&db, clock.as_ref())?;
    Ok((db, runtime::system_ctx(clock)))
}

fn fail(error: Error) -> anyhow::Error {
    let catalog = crate::wiring::catalog();
    let mut text = catalog.text(kernel::i18n::Locale::ZhCn, error.code(), error.params());
    for field in error.fields() {
        text.push_str(&format!(
            "；{}：{}",
            field.field,
            catalog.text(kernel::i18n::Locale::ZhCn, field.code, error.params())
        ));
    }
    anyhow::anyhow!("{text} ({})", error.code())
}

pub fn run(settings: &Settings, command: UserCommand) -> anyhow::Result<()> {
    let (db, system) = open(settings)?;
    let permissions = runtime::all_permissions();
    match command {
        UserCommand::Add { username, name, password, roles, company } => {
            let (password, generated) = password_or_generated(password);
            let user = db
                .write(|tx| {
                    let company = company_id(tx, company.as_deref())?;
                    let ctx = system.for_company(company, permissions.clone());
                    identity::create_user(
                        tx,
                        &ctx,
                        &NewUser {
                            display_name: name.clone().unwrap_or_else(|| username.clone()),
                            username: username.clone(),
                            email: None,
                            password: password.clone(),
                            locale: None,
                            roles: roles.clone(),
                        },
                    )
                })
                .map_err(fail)?;
            println!("created user {} ({}) with roles [{}]", user.username, user.id, user.roles.join(", "));
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::Passwd { username, password } => {
            let (password, generated) = password_or_generated(password);
            db.write(|tx| {
                let id = user_id(tx, &username)?;
                let company = company_of(tx, id)?;
                identity::set_password(tx, &system.for_company(company, permissions.clone()), id, &password)
            })
            .map_err(fail)?;
            println!("password of {username} changed");
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::Roles { username, roles, company } => {
            let user = db
                .write(|tx| {
                    let company = company_id(tx, company.as_deref())?;
                    let id = user_id(tx, &username)?;
                    identity::set_roles(tx, &system.for_company(company, permissions.clone()), id, &roles)
                })
                .map_err(fail)?;
            println!("{}: [{}]", user.username, user.roles.join(", "));
        }
        UserCommand::List { company } => {
            let mut cursor = None;
            println!("{:<24} {:<24} {:<7} roles", "username", "name", "active");
            loop {
                let page = db
                    .read(|tx| {
                        let company = company_id(tx, company.as_deref())?;
                        let ctx = system.for_company(company, permissions.clone());
                        identity::list_users(
                            tx,
                            &ctx,
                            &Default::default(),
                            &PageRequest { limit: Some(500), cursor: cursor.clone() },
                        )
                    })
                    .map_err(fail)?;
                for user in &page.items {
                    println!(
                        "{:<24} {:<24} {:<7} {}",
                        user.username,
                        user.display_name,
                        user.active,
                        user.roles.join(",")
                    );
                }
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
        }
    }
    Ok(())
}

/// The company in which to act on a user: the user's default one, else the first it belongs to.
fn company_of(tx: &mut Tx<'_>, user: identity::UserId) -> kernel::Result<CompanyId> {
    tx.query_opt(
        "select m.company_id from kernel_membership m join kernel_user u on u.id = m.user_id where m.user_id = $1
         order by case when m.company_id = u.default_company_id then 0 else 1 end, m.created_at limit 1",
        &[&user],
    )?
    .ok_or_else(|| Error::not_found("kernel.company.not_found"))?
    .get(0)
}
