//! Schema migrations: plain SQL files per module (`crates/<module>/migrations/<version>_<name>.sql`),
//! embedded in the binary, applied module by module in layer order, each in its own
//! transaction, recorded in `kernel_migration` with a checksum so an edited file is caught.
//!
//! Several app servers may start at once on PostgreSQL: each migration first claims its row
//! (`on conflict do nothing`); the loser waits on the row lock, finds it taken, and skips.

use sha2::{Digest, Sha256};

use super::Db;
use crate::{Error, Result};

#[derive(Clone, Copy, Debug)]
pub struct Migration {
    /// A timestamp `YYYYMMDDHHMMSS`, unique across all modules.
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// The migrations of one module, in the order they are applied.
#[derive(Clone, Copy, Debug)]
pub struct ModuleMigrations {
    pub module: &'static str,
    pub migrations: &'static [Migration],
}

/// Declares an embedded migration: `migration!(20261126000000, "identity")` reads
/// `migrations/20261126000000_identity.sql` of the calling crate.
#[macro_export]
macro_rules! migration {
    ($version:literal, $name:literal) => {
        $crate::db::Migration {
            version: $version,
            name: $name,
            sql: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/migrations/",
                stringify!($version),
                "_",
                $name,
                ".sql"
            )),
        }
    };
}

const BOOKKEEPING: &str = "create table if not exists kernel_migration (
    version bigint primary key,
    module text not null,
    name text not null,
    checksum text not null,
    applied_at text not null
)";

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

/// Applies every migration not yet applied; returns the versions applied now.
pub fn migrate(db: &Db, modules: &[ModuleMigrations], now: &str) -> Result<Vec<i64>> {
    let mut seen = std::collections::HashMap::new();
    for module in modules {
        for migration in module.migrations {
            if let Some(other) = seen.insert(migration.version, module.module) {
                return Err(Error::invalid("db.migration.duplicate_version")
                    .with_param("version", migration.version)
                    .with_param("modules", format!("{other}, {}", module.module)));
            }
        }
    }
    db.write(|tx| tx.batch(BOOKKEEPING))?;
    let applied: std::collections::HashMap<i64, String> = db.read(|tx| {
        tx.query("select version, checksum from kernel_migration", &[])?
            .iter()
            .map(|row| Ok((row.get(0)?, row.get(1)?)))
            .collect()
    })?;
    let mut newly = Vec::new();
    for module in modules {
        for migration in module.migrations {
            let sum = checksum(migration.sql);
            if let Some(recorded) = applied.get(&migration.version) {
                if *recorded != sum {
                    return Err(Error::invalid("db.migration.changed")
                        .with_param("version", migration.version)
                        .with_param("module", module.module));
                }
                continue;
            }
            let ran = db.write(|tx| {
                let claimed = tx.execute(
                    "insert into kernel_migration (version, module, name, checksum, applied_at)
                     values ($1, $2, $3, $4, $5) on conflict (version) do nothing",
                    &[&migration.version, &module.module, &migration.name, &sum, &now],
                )?;
                if claimed == 0 {
                    return Ok(false);
                }
                tx.batch(migration.sql)?;
                Ok(true)
            })?;
            if ran {
                tracing::info!(
                    module = module.module,
                    version = migration.version,
                    name = migration.name,
                    "migration applied"
                );
                newly.push(migration.version);
            }
        }
    }
    Ok(newly)
}

/// Every applied migration as (version, module, name).
pub fn applied_migrations(db: &Db) -> Result<Vec<(i64, String, String)>> {
    db.read(|tx| {
        tx.query("select version, module, name from kernel_migration order by version", &[])?
            .iter()
            .map(|row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .collect()
    })
}
