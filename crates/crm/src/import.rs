//! Leads from a spreadsheet (CSV or XLSX), through the import page and `tiangong import leads`:
//! each row is a lead with the same checks as one entered by hand, owned by the assignment
//! rules' choice (else by whoever imports), and the export reads them back in the same columns.

use kernel::crypto::{Vault, mask};
use kernel::db::Tx;
use kernel::import::{ImportColumn, ImportRow, Importer};
use kernel::{Ctx, Result};

use crate::lead::{LeadInput, insert_lead};
use crate::permissions::{READ, WRITE};

const COLUMNS: &[ImportColumn] = &[
    // Filled by the export so that pages follow each other; ignored on import.
    ImportColumn { key: "lead_id", required: false, example: "" },
    ImportColumn { key: "contact_name", required: true, example: "王经理" },
    ImportColumn { key: "organization", required: false, example: "宁波海曙茶叶有限公司" },
    ImportColumn { key: "phone", required: false, example: "13800138000" },
    ImportColumn { key: "email", required: false, example: "wang@example.cn" },
    ImportColumn { key: "source", required: false, example: "exhibition" },
    ImportColumn { key: "industry", required: false, example: "食品" },
    ImportColumn { key: "region", required: false, example: "浙江" },
    ImportColumn { key: "size", required: false, example: "small" },
    ImportColumn { key: "note", required: false, example: "2026 茶博会" },
];

pub struct LeadImporter<'a> {
    pub vault: &'a Vault,
}

impl Importer for LeadImporter<'_> {
    fn name(&self) -> &'static str {
        "leads"
    }

    fn columns(&self) -> &'static [ImportColumn] {
        COLUMNS
    }

    fn import_row(&self, tx: &mut Tx<'_>, ctx: &Ctx, row: &ImportRow<'_>) -> Result<()> {
        ctx.require(WRITE)?;
        let input = LeadInput {
            contact_name: row.text("contact_name"),
            organization: row.text("organization"),
            phone: row.get("phone").map(str::to_string),
            email: row.get("email").map(str::to_string),
            source: row.get("source").unwrap_or("import").to_string(),
            industry: row.text("industry"),
            region: row.text("region"),
            size: row.text("size"),
            note: row.text("note"),
            owner_id: None,
        };
        let owner = match crate::team::assign(tx, ctx, &input.region, &input.industry)? {
            Some(owner) => Some(owner),
            None => ctx.actor().user().map(|u| u.to_string()),
        };
        insert_lead(tx, ctx, self.vault, &input, owner).map(|_| ())
    }

    fn export_page(&self, tx: &mut Tx<'_>, ctx: &Ctx, after: &str, limit: i64) -> Result<Vec<Vec<String>>> {
        ctx.require(READ)?;
        let plain = ctx.may(party::permissions::PII_VIEW);
        let (own, user) = crate::team::owner_clause(ctx, "owner_id", 4);
        let rows = tx.query(
            &format!(
                "select id, contact_name, organization, phone_enc, email_enc, source, industry, region, size, note
                 from crm_lead where company_id = $1 and id > $2 {own} order by id limit $3"
            ),
            &[&ctx.company(), &after, &limit, &user],
        )?;
        rows.iter()
            .map(|r| {
                let reveal = |stored: Option<String>| -> Result<String> {
                    Ok(match stored {
                        Some(s) => {
                            let v = self.vault.decrypt(&s)?;
                            if plain { v } else { mask(&v) }
                        }
                        None => String::new(),
                    })
                };
                Ok(vec![
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    reveal(r.get(3)?)?,
                    reveal(r.get(4)?)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                ])
            })
            .collect()
    }
}
