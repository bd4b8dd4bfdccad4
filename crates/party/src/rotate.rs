//! Re-encryption of every personal-data column under the current key, in small batches so the
//! server keeps serving while it runs (`tiangong keys rotate`). Rows already under the current
//! key are skipped, so the command can be interrupted and run again.

use kernel::Result;
use kernel::crypto::{Vault, normalize_email, normalize_phone};
use kernel::db::Db;

/// A table's encrypted columns: (encrypted column, blind-index column, index field).
struct Table {
    name: &'static str,
    columns: &'static [(&'static str, Option<&'static str>, &'static str)],
}

const TABLES: &[Table] = &[
    Table {
        name: "party_party",
        columns: &[
            ("phone_enc", Some("phone_bidx"), "phone"),
            ("mobile_enc", Some("mobile_bidx"), "phone"),
            ("email_enc", Some("email_bidx"), "email"),
            ("address_enc", None, ""),
        ],
    },
    Table {
        name: "party_contact",
        columns: &[
            ("phone_enc", Some("phone_bidx"), "phone"),
            ("mobile_enc", Some("mobile_bidx"), "phone"),
            ("email_enc", Some("email_bidx"), "email"),
            ("id_card_enc", Some("id_card_bidx"), "id_card"),
        ],
    },
    Table { name: "party_bank_account", columns: &[("account_enc", Some("account_bidx"), "bank")] },
];

fn normalized(field: &str, plain: &str) -> String {
    match field {
        "email" => normalize_email(plain),
        "phone" => normalize_phone(plain),
        "id_card" => plain.trim().to_uppercase(),
        _ => plain.to_string(),
    }
}

/// Re-encrypts whatever is not yet under the vault's current key; returns the values rewritten.
pub fn reencrypt_all(db: &Db, vault: &Vault, batch: i64) -> Result<u64> {
    let current = format!("v1.{}.%", vault.current_key());
    let mut rewritten = 0_u64;
    for table in TABLES {
        for (column, index, field) in table.columns {
            loop {
                let done = db.write(|tx| {
                    let rows = tx.query(
                        &format!(
                            "select id, {column} from {} where {column} is not null and {column} not like $1 limit $2",
                            table.name
                        ),
                        &[&current, &batch],
                    )?;
                    for row in &rows {
                        let id: String = row.get(0)?;
                        let stored: String = row.get(1)?;
                        let plain = vault.decrypt(&stored)?;
                        let sealed = vault.encrypt(&plain)?;
                        match index {
                            Some(index) => tx.execute(
                                &format!("update {} set {column} = $1, {index} = $2 where id = $3", table.name),
                                &[&sealed, &vault.blind_index(field, &normalized(field, &plain)), &id],
                            )?,
                            None => tx.execute(
                                &format!("update {} set {column} = $1 where id = $2", table.name),
                                &[&sealed, &id],
                            )?,
                        };
                    }
                    Ok(rows.len())
                })?;
                rewritten += done as u64;
                if (done as i64) < batch {
                    break;
                }
            }
        }
    }
    Ok(rewritten)
}
