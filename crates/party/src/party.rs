//! Parties: one model for customers, suppliers or both, with contacts, bank accounts, a
//! Chinese structured address (省/市/区/详细地址) or a free international one, payment terms,
//! credit limit, group, grade, tags, owner (salesperson) and source.
//!
//! Personal data never reaches the database in clear: phones, emails, ID numbers, bank
//! accounts and the detailed address are encrypted by the `Vault`, with blind indexes for exact
//! search; callers without `party.pii.view` get them masked.

use kernel::crypto::{Vault, mask, normalize_email, normalize_phone};
use kernel::db::{Row, Tx, Value};
use kernel::identity::UserId;
use kernel::listing::{Filter, ListPage, ListQuery, ListSpec, col};
use kernel::{Ctx, Error, Money, Result, audit};
use serde::{Deserialize, Serialize};

use crate::permissions::{CUSTOMER_READ, CUSTOMER_WRITE, MERGE, PII_VIEW, SUPPLIER_READ, SUPPLIER_WRITE};
use crate::uscc;

kernel::define_id!(
    /// A customer, a supplier, or both.
    PartyId
);

/// Whether a party buys, sells to us, or both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    #[default]
    Customer,
    Supplier,
    Both,
}

impl PartyKind {
    pub fn code(self) -> &'static str {
        match self {
            PartyKind::Customer => "customer",
            PartyKind::Supplier => "supplier",
            PartyKind::Both => "both",
        }
    }

    pub fn parse(code: &str) -> Option<PartyKind> {
        match code.trim().to_lowercase().as_str() {
            "customer" | "客户" => Some(PartyKind::Customer),
            "supplier" | "供应商" => Some(PartyKind::Supplier),
            "both" | "客户和供应商" => Some(PartyKind::Both),
            _ => None,
        }
    }

    fn is_customer(self) -> bool {
        self != PartyKind::Supplier
    }

    fn is_supplier(self) -> bool {
        self != PartyKind::Customer
    }
}

/// A contact person of a party.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default, skip_deserializing)]
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub title: String,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    /// 身份证号
    pub id_card: Option<String>,
    #[serde(default)]
    pub is_primary: bool,
}

/// A bank account of a party (the account number is personal data).
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankAccount {
    #[serde(default, skip_deserializing)]
    pub id: String,
    pub bank_name: String,
    pub holder: String,
    pub account: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Party {
    #[schema(value_type = String)]
    pub id: PartyId,
    pub code: String,
    pub name: String,
    pub kind: PartyKind,
    /// 统一社会信用代码
    pub uscc: Option<String>,
    pub group_code: String,
    pub grade: String,
    pub tags: Vec<String>,
    pub owner_id: Option<String>,
    pub source: String,
    pub payment_term: Option<String>,
    /// Decimal string in the party's currency.
    pub credit_limit: String,
    pub currency: String,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub country: String,
    pub province: String,
    pub city: String,
    pub district: String,
    /// The detailed address (street, building); with `country` other than CN, the whole
    /// international address.
    pub address: Option<String>,
    pub postal_code: String,
    pub note: String,
    pub active: bool,
    pub merged_into: Option<String>,
    /// Whether personal data is shown masked to this caller.
    pub masked: bool,
    pub contacts: Vec<Contact>,
    pub bank_accounts: Vec<BankAccount>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
    /// On create: existing parties with the same credit code, phone or email.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub duplicates: Vec<DuplicateHint>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DuplicateHint {
    pub party_id: String,
    pub name: String,
    /// `uscc`, `phone`, `mobile` or `email`.
    pub matched_on: String,
}

/// Everything a party is made of, for create and update (and for imports).
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "C0001", "name": "上海华东贸易有限公司", "kind": "customer", "uscc": "91310000MA1FL4B24G",
    "mobile": "13812341234", "email": "buyer@example.com", "province": "上海市", "city": "上海市", "district": "浦东新区",
    "address": "世纪大道 100 号 8 楼", "credit_limit": "50000", "grade": "A", "tags": ["重点"]}))]
pub struct PartyInput {
    pub code: String,
    pub name: String,
    pub kind: PartyKind,
    pub uscc: Option<String>,
    #[serde(default)]
    pub group_code: String,
    #[serde(default)]
    pub grade: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub owner_id: Option<String>,
    #[serde(default)]
    pub source: String,
    /// Code of a payment term.
    pub payment_term: Option<String>,
    pub credit_limit: Option<String>,
    pub currency: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub country: Option<String>,
    #[serde(default)]
    pub province: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub district: String,
    pub address: Option<String>,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub bank_accounts: Vec<BankAccount>,
    /// On update: the version read.
    #[serde(default)]
    pub version: i64,
}

fn normalized(field: &str, value: &str) -> String {
    if field == "email" { normalize_email(value) } else { normalize_phone(value) }
}

fn require_read(ctx: &Ctx, kind: PartyKind) -> Result<()> {
    let customer_ok = kind.is_customer() && ctx.may(CUSTOMER_READ);
    let supplier_ok = kind.is_supplier() && ctx.may(SUPPLIER_READ);
    if customer_ok || supplier_ok { Ok(()) } else { Err(Error::not_found("party.not_found")) }
}

fn require_write(ctx: &Ctx, kind: PartyKind) -> Result<()> {
    if kind.is_customer() {
        ctx.require(CUSTOMER_WRITE)?;
    }
    if kind.is_supplier() {
        ctx.require(SUPPLIER_WRITE)?;
    }
    Ok(())
}

/// Checks and normalises the input; every problem is reported against its field.
fn validate(ctx: &Ctx, input: &PartyInput) -> Result<(Money, String)> {
    let mut problems = Error::invalid("validation.failed");
    let mut bad = false;
    let code = input.code.trim();
    if code.is_empty() || code.chars().count() > 40 {
        problems = problems.with_field("code", "party.code_invalid");
        bad = true;
    }
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        problems = problems.with_field("name", "party.name_invalid");
        bad = true;
    }
    if let Some(code) = input.uscc.as_deref().map(str::trim).filter(|c| !c.is_empty())
        && !uscc::is_valid(&code.to_uppercase())
    {
        problems = problems.with_field("uscc", "party.uscc_invalid");
        bad = true;
    }
    if let Some(email) = input.email.as_deref().map(str::trim).filter(|e| !e.is_empty())
        && !email.split_once('@').is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
    {
        problems = problems.with_field("email", "party.email_invalid");
        bad = true;
    }
    for (field, value) in [("phone", &input.phone), ("mobile", &input.mobile)] {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            let digits = normalize_phone(v);
            if digits.len() < 5 || digits.len() > 20 {
                problems = problems.with_field(field, "party.phone_invalid");
                bad = true;
            }
        }
    }
    let currency = kernel::Currency::from_code(input.currency.as_deref().unwrap_or("CNY"));
    let currency = match currency {
        Ok(c) => c,
        Err(_) => {
            problems = problems.with_field("currency", "kernel.currency.unknown");
            bad = true;
            kernel::Currency::CNY
        }
    };
    let credit = match input.credit_limit.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => Money::zero(currency),
        Some(text) => match Money::parse(text, currency) {
            Ok(m) if m.minor() >= 0 => m,
            _ => {
                problems = problems.with_field("credit_limit", "party.credit_limit_invalid");
                bad = true;
                Money::zero(currency)
            }
        },
    };
    for (i, contact) in input.contacts.iter().enumerate() {
        if contact.name.trim().is_empty() {
            problems = problems.with_field(format!("contacts[{i}].name"), "party.contact_name_required");
            bad = true;
        }
    }
    let _ = ctx;
    if bad { Err(problems) } else { Ok((credit, currency.code().to_string())) }
}

fn encrypt_opt(vault: &Vault, value: Option<&str>) -> Result<Option<String>> {
    value.map(str::trim).filter(|v| !v.is_empty()).map(|v| vault.encrypt(v)).transpose()
}

fn index_opt(vault: &Vault, field: &str, value: Option<&str>) -> Option<String> {
    value.map(str::trim).filter(|v| !v.is_empty()).map(|v| vault.blind_index(field, &normalized(field, v)))
}

fn payment_term_id(tx: &mut Tx<'_>, ctx: &Ctx, code: Option<&str>) -> Result<Option<String>> {
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else { return Ok(None) };
    let row = tx
        .query_opt("select id from party_payment_term where company_id = $1 and code = $2", &[&ctx.company(), &code])?;
    row.map(|r| r.get(0))
        .transpose()?
        .map(Some)
        .ok_or_else(|| Error::field("payment_term", "party.payment_term_unknown"))
}

fn owner_id(tx: &mut Tx<'_>, ctx: &Ctx, owner: Option<&str>) -> Result<Option<UserId>> {
    let Some(text) = owner.map(str::trim).filter(|o| !o.is_empty()) else {
        // New parties belong to whoever creates them, unless said otherwise.
        return Ok(ctx.actor().user());
    };
    let id = UserId::parse(text).map_err(|_| Error::field("owner_id", "party.owner_unknown"))?;
    let n: i64 = tx.scalar(
        "select count(*) from kernel_membership where user_id = $1 and company_id = $2",
        &[&id, &ctx.company()],
    )?;
    if n == 0 {
        return Err(Error::field("owner_id", "party.owner_unknown"));
    }
    Ok(Some(id))
}

/// Parties that share a credit code, phone, mobile or email with the input.
pub fn find_duplicates(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    vault: &Vault,
    input: &PartyInput,
    except: Option<PartyId>,
) -> Result<Vec<DuplicateHint>> {
    let mut hints: Vec<DuplicateHint> = Vec::new();
    let except = except.map(|e| e.to_string()).unwrap_or_default();
    let mut push = |rows: Vec<Row>, matched: &str| -> Result<()> {
        for row in rows {
            let id: String = row.get(0)?;
            if id != except && !hints.iter().any(|h| h.party_id == id) {
                hints.push(DuplicateHint { party_id: id, name: row.get(1)?, matched_on: matched.to_string() });
            }
        }
        Ok(())
    };
    if let Some(code) = input.uscc.as_deref().map(|c| c.trim().to_uppercase()).filter(|c| !c.is_empty()) {
        push(
            tx.query(
                "select id, name from party_party where company_id = $1 and uscc = $2 and active = 1",
                &[&ctx.company(), &code],
            )?,
            "uscc",
        )?;
    }
    for (field, value) in [("phone", &input.phone), ("mobile", &input.mobile), ("email", &input.email)] {
        let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else { continue };
        let index_field = if field == "email" { "email" } else { "phone" };
        for index in vault.blind_indexes(index_field, &normalized(index_field, value)) {
            // A phone may match another party's phone or mobile.
            let sql = if field == "email" {
                "select id, name from party_party where company_id = $1 and email_bidx = $2 and active = 1"
            } else {
                // Two indexed lookups; an `or` across the columns would scan the table.
                "select id, name from party_party where company_id = $1 and phone_bidx = $2 and active = 1
                 union select id, name from party_party where company_id = $1 and mobile_bidx = $2 and active = 1"
            };
            push(tx.query(sql, &[&ctx.company(), &index])?, field)?;
        }
    }
    Ok(hints)
}

/// The columns that create and update both write, in this order.
const WRITTEN: [&str; 26] = [
    "code",
    "name",
    "name_key",
    "kind",
    "uscc",
    "group_code",
    "grade",
    "tags",
    "owner_id",
    "source",
    "payment_term_id",
    "credit_limit_minor",
    "currency",
    "phone_enc",
    "phone_bidx",
    "mobile_enc",
    "mobile_bidx",
    "email_enc",
    "email_bidx",
    "country",
    "province",
    "city",
    "district",
    "address_enc",
    "postal_code",
    "note",
];

/// The values of `WRITTEN` for an input: personal data encrypted and blind-indexed here.
fn written_values(
    vault: &Vault,
    input: &PartyInput,
    owner: Option<UserId>,
    term: Option<String>,
    credit: Money,
    currency: String,
) -> Result<Vec<Value>> {
    let name = input.name.trim();
    Ok(vec![
        input.code.trim().into_value(),
        name.into_value(),
        name.to_lowercase().into_value(),
        input.kind.code().into_value(),
        input.uscc.as_deref().map(|c| c.trim().to_uppercase()).filter(|c| !c.is_empty()).into_value(),
        input.group_code.trim().into_value(),
        input.grade.trim().into_value(),
        tags_text(&input.tags).into_value(),
        owner.map(|o| o.to_string()).into_value(),
        input.source.trim().into_value(),
        term.into_value(),
        Value::Int(credit.minor()),
        currency.into_value(),
        encrypt_opt(vault, input.phone.as_deref())?.into_value(),
        index_opt(vault, "phone", input.phone.as_deref()).into_value(),
        encrypt_opt(vault, input.mobile.as_deref())?.into_value(),
        index_opt(vault, "phone", input.mobile.as_deref()).into_value(),
        encrypt_opt(vault, input.email.as_deref())?.into_value(),
        index_opt(vault, "email", input.email.as_deref()).into_value(),
        input.country.as_deref().map(str::trim).filter(|c| !c.is_empty()).unwrap_or("CN").into_value(),
        input.province.trim().into_value(),
        input.city.trim().into_value(),
        input.district.trim().into_value(),
        encrypt_opt(vault, input.address.as_deref())?.into_value(),
        input.postal_code.trim().into_value(),
        input.note.trim().into_value(),
    ])
}

/// Creates a party with its contacts and bank accounts. Duplicates do not stop it; they come
/// back in `duplicates` for the caller to show.
pub fn create_party(tx: &mut Tx<'_>, ctx: &Ctx, vault: &Vault, input: &PartyInput) -> Result<Party> {
    let (id, duplicates) = insert_party(tx, ctx, vault, input)?;
    let mut party = get_party(tx, ctx, vault, id)?;
    party.duplicates = duplicates;
    Ok(party)
}

/// Creates a party and returns its id and likely duplicates, without reading it back (imports).
pub fn insert_party(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    vault: &Vault,
    input: &PartyInput,
) -> Result<(PartyId, Vec<DuplicateHint>)> {
    require_write(ctx, input.kind)?;
    let (credit, currency) = validate(ctx, input)?;
    let code = input.code.trim();
    let taken: i64 =
        tx.scalar("select count(*) from party_party where company_id = $1 and code = $2", &[&ctx.company(), &code])?;
    if taken > 0 {
        return Err(Error::field("code", "party.code_taken"));
    }
    let duplicates = find_duplicates(tx, ctx, vault, input, None)?;
    let term = payment_term_id(tx, ctx, input.payment_term.as_deref())?;
    let owner = owner_id(tx, ctx, input.owner_id.as_deref())?;
    let id = PartyId::new();
    let now = ctx.now_text();
    let mut params = vec![id.to_string().into_value(), ctx.company().to_string().into_value()];
    params.extend(written_values(vault, input, owner, term, credit, currency)?);
    params.push(now.into_value());
    params.push(ctx.actor().label().into_value());
    let refs: Vec<&dyn kernel::db::ToValue> = params.iter().map(|p| p as &dyn kernel::db::ToValue).collect();
    let placeholders: Vec<String> = (3..=WRITTEN.len() + 2).map(|i| format!("${i}")).collect();
    let (at, by) = (WRITTEN.len() + 3, WRITTEN.len() + 4);
    tx.execute(
        &format!(
            "insert into party_party (id, company_id, {}, active, created_at, created_by, updated_at, version)
             values ($1, $2, {}, 1, ${at}, ${by}, ${at}, 1)",
            WRITTEN.join(", "),
            placeholders.join(", ")
        ),
        &refs,
    )?;
    insert_children(tx, ctx, vault, id, input)?;
    audit::record(
        tx,
        ctx,
        "party.create",
        "party.party",
        &id,
        serde_json::json!({"code": code, "name": input.name.trim(), "kind": input.kind, "duplicates": duplicates.len()}),
    )?;
    Ok((id, duplicates))
}

trait IntoValue {
    fn into_value(self) -> Value;
}

impl IntoValue for &str {
    fn into_value(self) -> Value {
        Value::Text(self.to_string())
    }
}

impl IntoValue for String {
    fn into_value(self) -> Value {
        Value::Text(self)
    }
}

impl IntoValue for Option<String> {
    fn into_value(self) -> Value {
        self.map_or(Value::Null, Value::Text)
    }
}

fn tags_text(tags: &[String]) -> String {
    tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join(",")
}

/// Rewrites contacts and bank accounts from the input.
fn replace_children(tx: &mut Tx<'_>, ctx: &Ctx, vault: &Vault, id: PartyId, input: &PartyInput) -> Result<()> {
    tx.execute("delete from party_contact where company_id = $1 and party_id = $2", &[&ctx.company(), &id])?;
    tx.execute("delete from party_bank_account where company_id = $1 and party_id = $2", &[&ctx.company(), &id])?;
    insert_children(tx, ctx, vault, id, input)
}

fn insert_children(tx: &mut Tx<'_>, ctx: &Ctx, vault: &Vault, id: PartyId, input: &PartyInput) -> Result<()> {
    let now = ctx.now_text();
    for contact in &input.contacts {
        tx.execute(
            "insert into party_contact (id, company_id, party_id, name, title, phone_enc, phone_bidx, mobile_enc, mobile_bidx,
                email_enc, email_bidx, id_card_enc, id_card_bidx, is_primary, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
            &[
                &kernel::id::Uuid::now_v7(),
                &ctx.company(),
                &id,
                &contact.name.trim(),
                &contact.title.trim(),
                &encrypt_opt(vault, contact.phone.as_deref())?,
                &index_opt(vault, "phone", contact.phone.as_deref()),
                &encrypt_opt(vault, contact.mobile.as_deref())?,
                &index_opt(vault, "phone", contact.mobile.as_deref()),
                &encrypt_opt(vault, contact.email.as_deref())?,
                &index_opt(vault, "email", contact.email.as_deref()),
                &encrypt_opt(vault, contact.id_card.as_deref())?,
                &contact.id_card.as_deref().map(|c| vault.blind_index("id_card", &c.trim().to_uppercase())),
                &contact.is_primary,
                &now,
            ],
        )?;
    }
    for account in &input.bank_accounts {
        let number: String = account.account.chars().filter(|c| !c.is_whitespace()).collect();
        if number.is_empty() {
            return Err(Error::field("bank_accounts", "party.bank_account_invalid"));
        }
        tx.execute(
            "insert into party_bank_account (id, company_id, party_id, bank_name, holder, account_enc, account_bidx, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[&kernel::id::Uuid::now_v7(), &ctx.company(), &id, &account.bank_name.trim(), &account.holder.trim(), &vault.encrypt(&number)?, &vault.blind_index("bank", &number), &now],
        )?;
    }
    Ok(())
}

const COLUMNS: &str =
    "p.id, p.code, p.name, p.kind, p.uscc, p.group_code, p.grade, p.tags, p.owner_id, p.source, t.code,
    p.credit_limit_minor, p.currency, p.phone_enc, p.mobile_enc, p.email_enc, p.country, p.province, p.city, p.district,
    p.address_enc, p.postal_code, p.note, p.active, p.merged_into, p.created_at, p.updated_at, p.version";

fn reveal(vault: &Vault, stored: Option<String>, masked: bool) -> Result<Option<String>> {
    stored.map(|s| vault.decrypt(&s).map(|plain| if masked { mask(&plain) } else { plain })).transpose()
}

/// One party, as the caller may see it: within the company, within the caller's own records
/// when the role says so, personal data masked without `party.pii.view`.
pub fn get_party(tx: &mut Tx<'_>, ctx: &Ctx, vault: &Vault, id: PartyId) -> Result<Party> {
    let row = tx
        .query_opt(
            &format!("select {COLUMNS} from party_party p left join party_payment_term t on t.id = p.payment_term_id where p.company_id = $1 and p.id = $2"),
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("party.not_found"))?;
    let kind_code: String = row.get(3)?;
    let kind =
        PartyKind::parse(&kind_code).ok_or_else(|| Error::internal(format!("unknown party kind {kind_code}")))?;
    require_read(ctx, kind)?;
    let owner: Option<String> = row.get(8)?;
    if ctx.own_records_only() && owner != ctx.actor().user().map(|u| u.to_string()) {
        return Err(Error::not_found("party.not_found"));
    }
    let masked = !ctx.may(PII_VIEW);
    let currency = kernel::Currency::from_code(&row.get::<String>(12)?).unwrap_or(kernel::Currency::CNY);
    let contacts = tx
        .query(
            "select id, name, title, phone_enc, mobile_enc, email_enc, id_card_enc, is_primary from party_contact
             where company_id = $1 and party_id = $2 order by is_primary desc, name",
            &[&ctx.company(), &id],
        )?
        .iter()
        .map(|c| {
            Ok(Contact {
                id: c.get(0)?,
                name: c.get(1)?,
                title: c.get(2)?,
                phone: reveal(vault, c.get(3)?, masked)?,
                mobile: reveal(vault, c.get(4)?, masked)?,
                email: reveal(vault, c.get(5)?, masked)?,
                id_card: reveal(vault, c.get(6)?, masked)?,
                is_primary: c.get(7)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let bank_accounts = tx
        .query("select id, bank_name, holder, account_enc from party_bank_account where company_id = $1 and party_id = $2 order by bank_name", &[&ctx.company(), &id])?
        .iter()
        .map(|b| Ok(BankAccount { id: b.get(0)?, bank_name: b.get(1)?, holder: b.get(2)?, account: reveal(vault, b.get(3)?, masked)?.unwrap_or_default() }))
        .collect::<Result<Vec<_>>>()?;
    let tags: String = row.get(7)?;
    Ok(Party {
        id,
        code: row.get(1)?,
        name: row.get(2)?,
        kind,
        uscc: row.get(4)?,
        group_code: row.get(5)?,
        grade: row.get(6)?,
        tags: tags.split(',').filter(|t| !t.is_empty()).map(str::to_string).collect(),
        owner_id: owner,
        source: row.get(9)?,
        payment_term: row.get(10)?,
        credit_limit: Money::from_minor(row.get(11)?, currency).to_string(),
        currency: currency.code().to_string(),
        phone: reveal(vault, row.get(13)?, masked)?,
        mobile: reveal(vault, row.get(14)?, masked)?,
        email: reveal(vault, row.get(15)?, masked)?,
        country: row.get(16)?,
        province: row.get(17)?,
        city: row.get(18)?,
        district: row.get(19)?,
        address: reveal(vault, row.get(20)?, masked)?,
        postal_code: row.get(21)?,
        note: row.get(22)?,
        active: row.get(23)?,
        merged_into: row.get(24)?,
        masked,
        contacts,
        bank_accounts,
        created_at: row.get(25)?,
        updated_at: row.get(26)?,
        version: row.get(27)?,
        duplicates: Vec::new(),
    })
}

/// Updates a party (and replaces its contacts and bank accounts), guarded by the version.
/// Callers who see personal data masked cannot write it back: masked values are kept as they
/// were.
pub fn update_party(tx: &mut Tx<'_>, ctx: &Ctx, vault: &Vault, id: PartyId, input: &PartyInput) -> Result<Party> {
    let current = get_party(tx, ctx, vault, id)?;
    require_write(ctx, current.kind)?;
    require_write(ctx, input.kind)?;
    if !ctx.may(PII_VIEW) {
        return Err(Error::forbidden("auth.permission_denied").with_param("permission", PII_VIEW.name()));
    }
    let (credit, currency) = validate(ctx, input)?;
    let code = input.code.trim();
    let taken: i64 = tx.scalar(
        "select count(*) from party_party where company_id = $1 and code = $2 and id <> $3",
        &[&ctx.company(), &code, &id],
    )?;
    if taken > 0 {
        return Err(Error::field("code", "party.code_taken"));
    }
    let term = payment_term_id(tx, ctx, input.payment_term.as_deref())?;
    let owner = match input.owner_id.as_deref() {
        Some(o) if !o.trim().is_empty() => owner_id(tx, ctx, Some(o))?,
        _ => current.owner_id.as_deref().map(UserId::parse).transpose()?,
    };
    let name = input.name.trim();
    let mut params = written_values(vault, input, owner, term, credit, currency)?;
    params.extend([
        ctx.now_text().into_value(),
        ctx.company().to_string().into_value(),
        id.to_string().into_value(),
        Value::Int(input.version),
    ]);
    let refs: Vec<&dyn kernel::db::ToValue> = params.iter().map(|p| p as &dyn kernel::db::ToValue).collect();
    let assignments: Vec<String> =
        WRITTEN.iter().enumerate().map(|(i, column)| format!("{column} = ${}", i + 1)).collect();
    let n = WRITTEN.len();
    let changed = tx.execute(
        &format!(
            "update party_party set {}, updated_at = ${}, version = version + 1 where company_id = ${} and id = ${} and version = ${}",
            assignments.join(", "),
            n + 1,
            n + 2,
            n + 3,
            n + 4
        ),
        &refs,
    )?;
    if changed == 0 {
        return Err(Error::conflict("kernel.version_conflict"));
    }
    replace_children(tx, ctx, vault, id, input)?;
    audit::record(
        tx,
        ctx,
        "party.update",
        "party.party",
        &id,
        serde_json::json!({"name": [current.name, name], "kind": [current.kind, input.kind], "credit_limit": [current.credit_limit, credit.to_string()]}),
    )?;
    get_party(tx, ctx, vault, id)
}

/// Exact search by phone, mobile or email through the blind index (any key of the ring).
pub fn find_by_contact(tx: &mut Tx<'_>, ctx: &Ctx, vault: &Vault, value: &str) -> Result<Vec<Party>> {
    let field = if value.contains('@') { "email" } else { "phone" };
    let mut found = Vec::new();
    for index in vault.blind_indexes(field, &normalized(field, value)) {
        let sql = if field == "email" {
            "select id from party_party where company_id = $1 and email_bidx = $2
             union select party_id from party_contact where company_id = $1 and email_bidx = $2"
        } else {
            "select id from party_party where company_id = $1 and phone_bidx = $2
             union select id from party_party where company_id = $1 and mobile_bidx = $2
             union select party_id from party_contact where company_id = $1 and phone_bidx = $2
             union select party_id from party_contact where company_id = $1 and mobile_bidx = $2"
        };
        for row in tx.query(sql, &[&ctx.company(), &index])? {
            let id: PartyId = row.get(0)?;
            if found.iter().any(|p: &Party| p.id == id) {
                continue;
            }
            if let Ok(party) = get_party(tx, ctx, vault, id) {
                found.push(party);
            }
        }
    }
    Ok(found)
}

/// A customer or supplier by code, name or region (province, city, district; the street address is encrypted and not searchable).
pub static PARTY_SEARCH: kernel::search::SearchIndex = kernel::search::SearchIndex {
    kind: "party.party",
    source: "select p.id, p.company_id, p.code, p.name, p.province, p.city, p.district from party_party p",
    id: "p.id",
};

/// The party list of the web client and the API.
pub const PARTY_LIST: ListSpec = ListSpec {
    from: "party_party p left join kernel_user u on u.id = p.owner_id",
    id: "p.id",
    company: "p.company_id",
    columns: &[
        col("code", "p.code", true, Filter::Prefix),
        col("name", "p.name_key", true, Filter::Range),
        col("display_name", "p.name", false, Filter::None),
        col("kind", "p.kind", true, Filter::Equals),
        col("group_code", "p.group_code", true, Filter::Equals),
        col("grade", "p.grade", true, Filter::Equals),
        col("city", "p.city", true, Filter::Prefix),
        col("owner", "coalesce(u.display_name, '')", false, Filter::None),
        col("state", "case when p.active = 1 then 'active' else 'inactive' end", false, Filter::Equals),
        col("updated_at", "p.updated_at", true, Filter::None),
    ],
    search: &["p.name", "p.code"],
    index: Some(&PARTY_SEARCH),
    default_sort: "name",
    default_desc: false,
};

/// Lists parties the caller may see: the kinds it may read, its own records only when its
/// roles say so.
pub fn list_parties(tx: &mut Tx<'_>, ctx: &Ctx, query: &ListQuery) -> Result<ListPage> {
    let customers = ctx.may(CUSTOMER_READ);
    let suppliers = ctx.may(SUPPLIER_READ);
    let kinds = match (customers, suppliers) {
        (true, true) => "p.kind in ('customer', 'supplier', 'both')",
        (true, false) => "p.kind in ('customer', 'both')",
        (false, true) => "p.kind in ('supplier', 'both')",
        (false, false) => {
            return Err(Error::forbidden("auth.permission_denied").with_param("permission", CUSTOMER_READ.name()));
        }
    };
    match (ctx.own_records_only(), ctx.actor().user()) {
        (true, Some(user)) => PARTY_LIST.fetch(
            tx,
            ctx,
            query,
            Some((&format!("{kinds} and p.owner_id = {{}}"), vec![Value::Text(user.to_string())])),
        ),
        _ => PARTY_LIST.fetch(tx, ctx, query, Some((kinds, vec![]))),
    }
}

/// Merges `removed` into `kept`: contacts and bank accounts move over, empty fields of the
/// kept party are filled from the removed one, which becomes inactive and points to the kept
/// one. Modules that hold party ids re-point them in their reaction to `PartyMerged`.
pub fn merge_parties(tx: &mut Tx<'_>, ctx: &Ctx, vault: &Vault, kept: PartyId, removed: PartyId) -> Result<Party> {
    ctx.require(MERGE)?;
    if kept == removed {
        return Err(Error::invalid("party.merge_same"));
    }
    let keep = get_party(tx, ctx, vault, kept)?;
    let gone = get_party(tx, ctx, vault, removed)?;
    if !gone.active {
        return Err(Error::conflict("party.merge_inactive"));
    }
    tx.execute(
        "update party_contact set party_id = $1 where company_id = $2 and party_id = $3",
        &[&kept, &ctx.company(), &removed],
    )?;
    tx.execute(
        "update party_bank_account set party_id = $1 where company_id = $2 and party_id = $3",
        &[&kept, &ctx.company(), &removed],
    )?;
    // Fill what the kept party lacks, column by column, without decrypting anything.
    tx.execute(
        "update party_party set
            uscc = coalesce(party_party.uscc, g.uscc),
            phone_enc = coalesce(party_party.phone_enc, g.phone_enc), phone_bidx = coalesce(party_party.phone_bidx, g.phone_bidx),
            mobile_enc = coalesce(party_party.mobile_enc, g.mobile_enc), mobile_bidx = coalesce(party_party.mobile_bidx, g.mobile_bidx),
            email_enc = coalesce(party_party.email_enc, g.email_enc), email_bidx = coalesce(party_party.email_bidx, g.email_bidx),
            address_enc = coalesce(party_party.address_enc, g.address_enc),
            kind = case when party_party.kind <> g.kind then 'both' else party_party.kind end,
            updated_at = $1, version = party_party.version + 1
         from (select uscc, phone_enc, phone_bidx, mobile_enc, mobile_bidx, email_enc, email_bidx, address_enc, kind
               from party_party where company_id = $2 and id = $3) g
         where party_party.company_id = $2 and party_party.id = $4",
        &[&ctx.now_text(), &ctx.company(), &removed, &kept],
    )?;
    tx.execute(
        "update party_party set active = 0, merged_into = $1, uscc = null, updated_at = $2, version = version + 1 where company_id = $3 and id = $4",
        &[&kept, &ctx.now_text(), &ctx.company(), &removed],
    )?;
    audit::record(
        tx,
        ctx,
        "party.merge",
        "party.party",
        &kept,
        serde_json::json!({"removed": removed, "removed_name": gone.name, "kept_name": keep.name}),
    )?;
    audit::record(tx, ctx, "party.merged_away", "party.party", &removed, serde_json::json!({"into": kept}))?;
    tx.publish(ctx, &crate::events::PartyMerged { kept, removed })?;
    get_party(tx, ctx, vault, kept)
}
