//! Importing customers and suppliers from CSV/XLSX through the same service as the form.

use kernel::crypto::Vault;
use kernel::db::Tx;
use kernel::import::{ImportColumn, ImportRow, Importer};
use kernel::{Ctx, Error, Result};

use crate::party::{Contact, PartyInput, PartyKind, create_party};

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
        create_party(tx, ctx, self.vault, &input).map(|_| ())
    }
}
