//! Importing customers and suppliers from CSV/XLSX through the same service as the form.

use kernel::crypto::Vault;
use kernel::db::Tx;
use kernel::import::{ImportColumn, ImportRow, Importer};
use kernel::{Ctx, Error, Result};

use crate::party::{Contact, PartyInput, PartyKind, insert_party};

pub struct PartyImporter<'a> {
    pub vault: &'a Vault,
    /// The kind when the sheet has no `kind` column (customers / suppliers imports).
    pub default_kind: PartyKind,
}

const COLUMNS: &[ImportColumn] = &[
    ImportColumn { key: "code", required: true, example: "C0001" },
    ImportColumn { key: "name", required: true, example: "上海华东贸易有限公司" },
    ImportColumn { key: "kind", required: false, example: "customer" },
    ImportColumn { key: "uscc", required: false, example: "91310000MA1FL4B24G" },
    ImportColumn { key: "group_code", required: false, example: "wholesale" },
    ImportColumn { key: "grade", required: false, example: "A" },
    ImportColumn { key: "tags", required: false, example: "重点;华东" },
    ImportColumn { key: "source", required: false, example: "展会" },
    ImportColumn { key: "payment_term", required: false, example: "" },
    ImportColumn { key: "credit_limit", required: false, example: "50000" },
    ImportColumn { key: "currency", required: false, example: "CNY" },
    ImportColumn { key: "phone", required: false, example: "021-65529988" },
    ImportColumn { key: "mobile", required: false, example: "13812341234" },
    ImportColumn { key: "email", required: false, example: "buyer@example.com" },
    ImportColumn { key: "country", required: false, example: "CN" },
    ImportColumn { key: "province", required: false, example: "上海市" },
    ImportColumn { key: "city", required: false, example: "上海市" },
    ImportColumn { key: "district", required: false, example: "浦东新区" },
    ImportColumn { key: "address", required: false, example: "世纪大道 100 号" },
    ImportColumn { key: "postal_code", required: false, example: "200120" },
    ImportColumn { key: "note", required: false, example: "" },
    ImportColumn { key: "contact_name", required: false, example: "张三" },
    ImportColumn { key: "contact_title", required: false, example: "采购经理" },
    ImportColumn { key: "contact_mobile", required: false, example: "13900001111" },
    ImportColumn { key: "contact_email", required: false, example: "zhangsan@example.com" },
];

impl Importer for PartyImporter<'_> {
    fn export_page(&self, tx: &mut Tx<'_>, ctx: &Ctx, after: &str, limit: i64) -> Result<Vec<Vec<String>>> {
        export_page(tx, ctx, self.vault, Some(self.default_kind), after, limit)
    }

    fn name(&self) -> &'static str {
        match self.default_kind {
            PartyKind::Supplier => "suppliers",
            _ => "customers",
        }
    }

    fn columns(&self) -> &'static [ImportColumn] {
        COLUMNS
    }

    fn import_row(&self, tx: &mut Tx<'_>, ctx: &Ctx, row: &ImportRow<'_>) -> Result<()> {
        let kind = match row.get("kind") {
            Some(text) => PartyKind::parse(text).ok_or_else(|| Error::field("kind", "party.kind_invalid"))?,
            None => self.default_kind,
        };
        let contacts = match row.get("contact_name") {
            Some(name) => vec![Contact {
                name: name.to_string(),
                title: row.text("contact_title"),
                mobile: row.get("contact_mobile").map(str::to_string),
                email: row.get("contact_email").map(str::to_string),
                is_primary: true,
                ..Contact::default()
            }],
            None => Vec::new(),
        };
        let input = PartyInput {
            code: row.text("code"),
            name: row.text("name"),
            kind,
            uscc: row.get("uscc").map(str::to_string),
            group_code: row.text("group_code"),
            grade: row.text("grade"),
            tags: row
                .text("tags")
                .split([';', ',', '，', '；'])
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
            owner_id: None,
            source: row.text("source"),
            payment_term: row.get("payment_term").map(str::to_string),
            credit_limit: row.get("credit_limit").map(str::to_string),
            currency: row.get("currency").map(str::to_string),
            phone: row.get("phone").map(str::to_string),
            mobile: row.get("mobile").map(str::to_string),
            email: row.get("email").map(str::to_string),
            country: row.get("country").map(str::to_string),
            province: row.text("province"),
            city: row.text("city"),
            district: row.text("district"),
            address: row.get("address").map(str::to_string),
            postal_code: row.text("postal_code"),
            note: row.text("note"),
            contacts,
            bank_accounts: Vec::new(),
            version: 0,
        };
        insert_party(tx, ctx, self.vault, &input).map(|_| ())
    }
}

/// The header of exports: the import columns, so an export can be imported again.
pub fn export_header() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.key).collect()
}

/// One page of parties in the import layout, ordered by code, after `after` (a code).
/// Two queries per page (parties, then their primary contacts), personal data decrypted, or
/// masked for callers without `party.pii.view`.
pub fn export_page(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    vault: &Vault,
    kind: Option<PartyKind>,
    after: &str,
    limit: i64,
) -> Result<Vec<Vec<String>>> {
    use crate::permissions::{CUSTOMER_READ, PII_VIEW, SUPPLIER_READ};
    if !ctx.may(CUSTOMER_READ) && !ctx.may(SUPPLIER_READ) {
        return Err(Error::forbidden("auth.permission_denied").with_param("permission", CUSTOMER_READ.name()));
    }
    let masked = !ctx.may(PII_VIEW);
    let reveal = |stored: Option<String>| -> Result<String> {
        Ok(match stored {
            Some(s) => {
                let plain = vault.decrypt(&s)?;
                if masked { kernel::crypto::mask(&plain) } else { plain }
            }
            None => String::new(),
        })
    };
    let kinds = match kind {
        Some(PartyKind::Customer) => "('customer', 'both')",
        Some(PartyKind::Supplier) => "('supplier', 'both')",
        _ => "('customer', 'supplier', 'both')",
    };
    let own = ctx.own_records_only().then(|| ctx.actor().user()).flatten();
    let rows = tx.query(
        &format!(
            "select p.id, p.code, p.name, p.kind, p.uscc, p.group_code, p.grade, p.tags, p.source, t.code, p.credit_limit_minor,
                    p.currency, p.phone_enc, p.mobile_enc, p.email_enc, p.country, p.province, p.city, p.district, p.address_enc,
                    p.postal_code, p.note
             from party_party p left join party_payment_term t on t.id = p.payment_term_id
             where p.company_id = $1 and p.code > $2 and p.kind in {kinds} and p.active = 1 and ($3 = '' or p.owner_id = $3)
             order by p.code limit $4"
        ),
        &[&ctx.company(), &after, &own.map(|o| o.to_string()).unwrap_or_default(), &limit],
    )?;
    let ids: Vec<String> = rows.iter().map(|r| r.get(0)).collect::<Result<_>>()?;
    let mut contacts: std::collections::HashMap<String, (String, String, String, String)> =
        std::collections::HashMap::new();
    if !ids.is_empty() {
        let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
        let company = ctx.company();
        let mut params: Vec<&dyn kernel::db::ToValue> = vec![&company];
        params.extend(ids.iter().map(|i| i as &dyn kernel::db::ToValue));
        for row in tx.query(
            &format!(
                "select party_id, name, title, mobile_enc, email_enc from party_contact
                 where company_id = $1 and party_id in ({}) order by is_primary desc, name",
                placeholders.join(", ")
            ),
            &params,
        )? {
            let party: String = row.get(0)?;
            // Rows come primary contact first: keep the first per party.
            if let std::collections::hash_map::Entry::Vacant(slot) = contacts.entry(party) {
                slot.insert((row.get(1)?, row.get(2)?, reveal(row.get(3)?)?, reveal(row.get(4)?)?));
            }
        }
    }
    rows.iter()
        .map(|r| {
            let id: String = r.get(0)?;
            let currency = kernel::Currency::from_code(&r.get::<String>(11)?).unwrap_or(kernel::Currency::CNY);
            let (cname, ctitle, cmobile, cemail) = contacts.remove(&id).unwrap_or_default();
            Ok(vec![
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get::<Option<String>>(4)?.unwrap_or_default(),
                r.get(5)?,
                r.get(6)?,
                r.get::<String>(7)?.replace(',', ";"),
                r.get(8)?,
                r.get::<Option<String>>(9)?.unwrap_or_default(),
                kernel::Money::from_minor(r.get(10)?, currency).to_string(),
                currency.code().to_string(),
                reveal(r.get(12)?)?,
                reveal(r.get(13)?)?,
                reveal(r.get(14)?)?,
                r.get(15)?,
                r.get(16)?,
                r.get(17)?,
                r.get(18)?,
                reveal(r.get(19)?)?,
                r.get(20)?,
                r.get(21)?,
                cname,
                ctitle,
                cmobile,
                cemail,
            ])
        })
        .collect()
}
