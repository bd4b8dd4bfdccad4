//! Leads (线索): people who may buy, entered by hand, imported, or sent from the public web
//! form. Each is checked against existing leads and customers (same email, phone or
//! organisation) when it comes in; qualification turns it into a customer with its contact and
//! an opportunity in one step. Contact details are personal data: encrypted at rest, found by
//! blind index, shown unmasked only to those allowed.

use kernel::crypto::{Vault, mask, normalize_email, normalize_phone};
use kernel::db::{Row, Tx};
use kernel::listing::{Filter, ListPage, ListQuery, ListSpec, col};
use kernel::{Ctx, Error, Result, audit};
use serde::{Deserialize, Serialize};

use crate::permissions::{READ, WRITE};

kernel::define_id!(
    /// A lead.
    LeadId
);

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"contact_name": "王经理", "organization": "宁波海曙茶叶有限公司", "phone": "13800138000",
    "email": "wang@example.cn", "source": "exhibition", "industry": "食品", "region": "浙江", "size": "small"}))]
pub struct LeadInput {
    pub contact_name: String,
    #[serde(default)]
    pub organization: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// web, import, manual, referral, exhibition… (manual by default).
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub industry: String,
    #[serde(default)]
    pub region: String,
    /// small, medium or large.
    #[serde(default)]
    pub size: String,
    #[serde(default)]
    pub note: String,
    /// The owning salesperson (a user id); the caller by default.
    pub owner_id: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Lead {
    pub id: String,
    pub contact_name: String,
    pub organization: String,
    /// Masked unless the caller may see personal data.
    pub email: Option<String>,
    pub phone: Option<String>,
    pub source: String,
    pub industry: String,
    pub region: String,
    pub size: String,
    pub note: String,
    pub state: String,
    pub lost_reason: Option<String>,
    pub owner_id: Option<String>,
    pub partner_id: Option<String>,
    pub opportunity_id: Option<String>,
    pub created_at: String,
}

/// Something the new lead may be the same as.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Duplicate {
    /// lead or customer
    pub kind: String,
    pub id: String,
    pub name: String,
    /// email, phone or organization
    pub matched_on: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LeadCreated {
    #[serde(flatten)]
    pub lead: Lead,
    pub duplicates: Vec<Duplicate>,
}

/// An organisation's name as compared for duplicates: no spaces or punctuation, lower case,
/// without the legal-form suffix (有限公司, 股份有限公司, Co., Ltd.).
pub fn organization_key(name: &str) -> String {
    let mut key: String = name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    for suffix in ["股份有限公司", "有限责任公司", "有限公司", "公司", "coltd", "ltd", "inc", "co"] {
        if key.len() > suffix.len()
            && let Some(stripped) = key.strip_suffix(suffix)
        {
            key = stripped.to_string();
            break;
        }
    }
    key
}

/// A lead by its contact or organisation.
pub static LEAD_SEARCH: kernel::search::SearchIndex = kernel::search::SearchIndex {
    kind: "crm.lead",
    source: "select l.id, l.company_id, l.contact_name, l.organization from crm_lead l",
    id: "l.id",
};

pub const LEAD_LIST: ListSpec = ListSpec {
    from: "crm_lead l",
    id: "l.id",
    company: "l.company_id",
    columns: &[
        col("contact_name", "l.contact_name", true, Filter::Prefix),
        col("organization", "l.organization", true, Filter::Prefix),
        col("source", "l.source", true, Filter::Equals),
        col("industry", "l.industry", true, Filter::Equals),
        col("region", "l.region", true, Filter::Equals),
        col("state", "l.state", true, Filter::Equals),
        col("owner_id", "coalesce(l.owner_id, '')", false, Filter::Equals),
        col("created_at", "l.created_at", true, Filter::Range),
    ],
    search: &["l.contact_name", "l.organization"],
    index: Some(&LEAD_SEARCH),
    default_sort: "created_at",
    default_desc: true,
};

/// The leads the caller may see: own ones under a role limited to own records.
pub fn list_leads(tx: &mut Tx<'_>, ctx: &Ctx, query: &ListQuery) -> Result<ListPage> {
    ctx.require(READ)?;
    let scope = crate::team::owner_scope(ctx, "l.owner_id");
    LEAD_LIST.fetch(tx, ctx, query, scope.as_ref().map(|(c, v)| (c.as_str(), v.clone())))
}

const COLUMNS: &str =
    "id, contact_name, organization, email_enc, phone_enc, source, industry, region, size, note, state,
     lost_reason, owner_id, partner_id, opportunity_id, created_at";

fn lead_of(ctx: &Ctx, vault: &Vault, r: &Row) -> Result<Lead> {
    let plain = ctx.may(party::permissions::PII_VIEW);
    let reveal = |stored: Option<String>| -> Result<Option<String>> {
        stored.map(|s| vault.decrypt(&s).map(|v| if plain { v } else { mask(&v) })).transpose()
    };
    Ok(Lead {
        id: r.get(0)?,
        contact_name: r.get(1)?,
        organization: r.get(2)?,
        email: reveal(r.get(3)?)?,
        phone: reveal(r.get(4)?)?,
        source: r.get(5)?,
        industry: r.get(6)?,
        region: r.get(7)?,
        size: r.get(8)?,
        note: r.get(9)?,
        state: r.get(10)?,
        lost_reason: r.get(11)?,
        owner_id: r.get(12)?,
        partner_id: r.get(13)?,
        opportunity_id: r.get(14)?,
        created_at: r.get(15)?,
    })
}

/// A lead the caller may see (own records only where the role says so).
pub fn get_lead(tx: &mut Tx<'_>, ctx: &Ctx, vault: &Vault, id: LeadId) -> Result<Lead> {
    ctx.require(READ)?;
    let r = tx
        .query_opt(
            &format!("select {COLUMNS} from crm_lead where company_id = $1 and id = $2"),
            &[&ctx.company(), &id],
        )?
        .ok_or_else(|| Error::not_found("crm.lead_not_found"))?;
    let lead = lead_of(ctx, vault, &r)?;
    if !crate::team::may_see(tx, ctx, lead.owner_id.as_deref())? {
        return Err(Error::not_found("crm.lead_not_found"));
    }
    Ok(lead)
}

fn clean(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

/// Leads and customers that share the email, the phone or the organisation's name.
pub fn find_duplicates(tx: &mut Tx<'_>, ctx: &Ctx, vault: &Vault, input: &LeadInput) -> Result<Vec<Duplicate>> {
    let mut found: Vec<Duplicate> = Vec::new();
    fn push(found: &mut Vec<Duplicate>, kind: &str, rows: Vec<Row>, matched: &str) -> Result<()> {
        for r in rows {
            let id: String = r.get(0)?;
            if !found.iter().any(|d| d.id == id) {
                found.push(Duplicate { kind: kind.into(), id, name: r.get(1)?, matched_on: matched.into() });
            }
        }
        Ok(())
    }
    if let Some(email) = clean(&input.email) {
        let index = vault.blind_index("email", &normalize_email(&email));
        let rows = tx.query(
            "select id, contact_name from crm_lead where company_id = $1 and email_idx = $2",
            &[&ctx.company(), &index],
        )?;
        push(&mut found, "lead", rows, "email")?;
    }
    if let Some(phone) = clean(&input.phone) {
        let index = vault.blind_index("phone", &normalize_phone(&phone));
        let rows = tx.query(
            "select id, contact_name from crm_lead where company_id = $1 and phone_idx = $2",
            &[&ctx.company(), &index],
        )?;
        push(&mut found, "lead", rows, "phone")?;
    }
    let key = organization_key(&input.organization);
    if !key.is_empty() {
        let rows = tx.query(
            "select id, contact_name from crm_lead where company_id = $1 and organization_key = $2",
            &[&ctx.company(), &key],
        )?;
        push(&mut found, "lead", rows, "organization")?;
    }
    // Customers: the party module's own duplicate check (phone, mobile, email), and the name.
    let as_party = party::PartyInput {
        name: input.organization.clone(),
        phone: clean(&input.phone),
        email: clean(&input.email),
        ..party::PartyInput::default()
    };
    for hint in party::find_duplicates(tx, ctx, vault, &as_party, None)? {
        if !found.iter().any(|d| d.id == hint.party_id) {
            found.push(Duplicate {
                kind: "customer".into(),
                id: hint.party_id,
                name: hint.name,
                matched_on: hint.matched_on,
            });
        }
    }
    if !key.is_empty() {
        // Names are compared by their key, so the customers are read by name prefix first.
        let prefix: String = input.organization.trim().chars().take(2).collect();
        let rows = tx.query(
            "select id, name from party_party where company_id = $1 and active = 1 and name like $2",
            &[&ctx.company(), &format!("{prefix}%")],
        )?;
        let same: Vec<Row> = rows
            .into_iter()
            .filter(|r| r.get::<String>(1).map(|n| organization_key(&n) == key).unwrap_or(false))
            .collect();
        push(&mut found, "customer", same, "organization")?;
    }
    Ok(found)
}

fn owner_of(tx: &mut Tx<'_>, ctx: &Ctx, owner: &Option<String>) -> Result<Option<String>> {
    match clean(owner) {
        Some(id) => {
            let n: i64 = tx.scalar(
                "select count(*) from kernel_membership where user_id = $1 and company_id = $2",
                &[&id, &ctx.company()],
            )?;
            if n == 0 { Err(Error::field("owner_id", "crm.owner_unknown")) } else { Ok(Some(id)) }
        }
        None => Ok(ctx.actor().user().map(|u| u.to_string())),
    }
}

/// Records a lead and tells what it may duplicate (it is kept either way: the salesperson
/// decides, and may merge by qualifying into the existing customer).
pub fn create_lead(tx: &mut Tx<'_>, ctx: &Ctx, vault: &Vault, input: &LeadInput) -> Result<LeadCreated> {
    ctx.require(WRITE)?;
    let owner = owner_of(tx, ctx, &input.owner_id)?;
    insert_lead(tx, ctx, vault, input, owner)
}

pub(crate) fn insert_lead(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    vault: &Vault,
    input: &LeadInput,
    owner: Option<String>,
) -> Result<LeadCreated> {
    let name = input.contact_name.trim();
    if name.is_empty() {
        return Err(Error::field("contact_name", "crm.required"));
    }
    let (email, phone) = (clean(&input.email), clean(&input.phone));
    if let Some(e) = &email
        && !e.contains('@')
    {
        return Err(Error::field("email", "crm.email_invalid"));
    }
    let duplicates = find_duplicates(tx, ctx, vault, input)?;
    // A lead nobody took (the web form, an import) goes to a team member by the rules.
    let owner = match owner {
        Some(owner) => Some(owner),
        None => crate::team::assign(tx, ctx, &input.region, &input.industry)?,
    };
    let id = LeadId::new();
    let source = if input.source.trim().is_empty() { "manual" } else { input.source.trim() };
    let email_enc = email.as_deref().map(|e| vault.encrypt(e)).transpose()?;
    let phone_enc = phone.as_deref().map(|p| vault.encrypt(p)).transpose()?;
    let email_idx = email.as_deref().map(|e| vault.blind_index("email", &normalize_email(e)));
    let phone_idx = phone.as_deref().map(|p| vault.blind_index("phone", &normalize_phone(p)));
    let now = ctx.now_text();
    tx.execute(
        "insert into crm_lead (id, company_id, contact_name, organization, organization_key, email_enc, email_idx, phone_enc,
             phone_idx, source, industry, region, size, note, state, owner_id, created_at, created_by, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'new', $15, $16, $17, $16)",
        &[
            &id,
            &ctx.company(),
            &name,
            &input.organization.trim(),
            &organization_key(&input.organization),
            &email_enc,
            &email_idx,
            &phone_enc,
            &phone_idx,
            &source,
            &input.industry.trim(),
            &input.region.trim(),
            &input.size.trim(),
            &input.note.trim(),
            &owner,
            &now,
            &ctx.actor().label(),
        ],
    )?;
    audit::record(tx, ctx, "crm.lead.create", "crm.lead", &id, serde_json::json!({"source": source}))?;
    Ok(LeadCreated { lead: get_lead(tx, &ctx.clone().with_own_records_only(false), vault, id)?, duplicates })
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"opportunity": "宁波海曙茶叶 年度采购", "expected_revenue": "120000", "expected_close": "2099-03-31"}))]
pub struct QualifyInput {
    /// An existing customer (id or code) to attach the lead to instead of creating one.
    pub customer: Option<String>,
    /// The customer's code when one is created (generated by default).
    pub customer_code: Option<String>,
    /// The opportunity's name (the organisation's by default).
    pub opportunity: Option<String>,
    /// CNY.
    pub expected_revenue: Option<String>,
    pub expected_close: Option<String>,
}

const CUSTOMER_NUMBERS: kernel::sequence::DocType = kernel::sequence::DocType { code: "crm.customer", prefix: "CUS" };

/// Qualification (转化): the lead becomes a customer (or joins an existing one) with the lead's
/// person as contact, and an opportunity in the first stage — in one transaction.
pub fn qualify(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    vault: &Vault,
    id: LeadId,
    input: &QualifyInput,
) -> Result<crate::opportunity::Opportunity> {
    ctx.require(WRITE)?;
    let lead = get_lead(tx, &ctx.with_granted(&[party::permissions::PII_VIEW]), vault, id)?;
    if lead.state != "new" {
        return Err(Error::conflict("crm.lead_state").with_param("state", &lead.state));
    }
    let partner_id = match clean(&input.customer) {
        Some(key) => {
            party::trading_terms(tx, ctx, &key)?.ok_or_else(|| Error::field("customer", "crm.customer_unknown"))?.id
        }
        None => {
            let code = match clean(&input.customer_code) {
                Some(code) => code,
                None => kernel::sequence::next_number(
                    tx,
                    ctx,
                    CUSTOMER_NUMBERS,
                    ctx.today(),
                    &kernel::id::DocRef::new("crm.lead", id),
                )?,
            };
            let name = if lead.organization.is_empty() { lead.contact_name.clone() } else { lead.organization.clone() };
            let created = party::create_party(
                tx,
                &ctx.with_granted(&[party::permissions::CUSTOMER_WRITE]),
                vault,
                &party::PartyInput {
                    code,
                    name,
                    kind: party::PartyKind::Customer,
                    owner_id: lead.owner_id.clone(),
                    source: lead.source.clone(),
                    phone: lead.phone.clone(),
                    email: lead.email.clone(),
                    province: lead.region.clone(),
                    tags: [lead.industry.clone()].into_iter().filter(|t| !t.is_empty()).collect(),
                    contacts: vec![party::Contact {
                        name: lead.contact_name.clone(),
                        mobile: lead.phone.clone(),
                        email: lead.email.clone(),
                        is_primary: true,
                        ..party::Contact::default()
                    }],
                    ..party::PartyInput::default()
                },
            )?;
            created.id.to_string()
        }
    };
    let name = clean(&input.opportunity).unwrap_or_else(|| {
        if lead.organization.is_empty() { lead.contact_name.clone() } else { lead.organization.clone() }
    });
    let opportunity = crate::opportunity::create_opportunity(
        tx,
        ctx,
        &crate::opportunity::OpportunityInput {
            name,
            customer: Some(partner_id.clone()),
            stage: None,
            expected_revenue: input.expected_revenue.clone(),
            probability: None,
            expected_close: input.expected_close.clone(),
            owner_id: lead.owner_id.clone(),
        },
        Some(id),
    )?;
    let changed = tx.execute(
        "update crm_lead set state = 'qualified', partner_id = $1, opportunity_id = $2, updated_at = $3, version = version + 1
         where company_id = $4 and id = $5 and state = 'new'",
        &[&partner_id, &opportunity.id, &ctx.now_text(), &ctx.company(), &id],
    )?;
    if changed == 0 {
        return Err(Error::conflict("crm.lead_state").with_param("state", "?"));
    }
    // The lead's history moves with it to the customer's timeline and the opportunity.
    tx.execute(
        "update crm_activity set partner_id = coalesce(partner_id, $1), opportunity_id = coalesce(opportunity_id, $2)
         where company_id = $3 and lead_id = $4",
        &[&partner_id, &opportunity.id, &ctx.company(), &id],
    )?;
    audit::record(tx, ctx, "crm.lead.qualify", "crm.lead", &id, serde_json::json!({"partner": partner_id}))?;
    Ok(opportunity)
}

/// A lead that will not buy: lost, with the reason (it counts in scoring as a lost example).
pub fn mark_lost(tx: &mut Tx<'_>, ctx: &Ctx, vault: &Vault, id: LeadId, reason: &str) -> Result<Lead> {
    ctx.require(WRITE)?;
    get_lead(tx, ctx, vault, id)?;
    let changed = tx.execute(
        "update crm_lead set state = 'lost', lost_reason = $1, updated_at = $2, version = version + 1
         where company_id = $3 and id = $4 and state = 'new'",
        &[&reason.trim(), &ctx.now_text(), &ctx.company(), &id],
    )?;
    if changed == 0 {
        return Err(Error::conflict("crm.lead_state").with_param("state", "qualified"));
    }
    audit::record(tx, ctx, "crm.lead.lost", "crm.lead", &id, serde_json::json!({"reason": reason}))?;
    get_lead(tx, ctx, vault, id)
}

#[cfg(test)]
mod tests {
    use super::organization_key;

    #[test]
    fn organisation_names_compare_without_legal_form_and_punctuation() {
        assert_eq!(organization_key("宁波海曙茶叶有限公司"), organization_key("宁波 海曙茶叶"));
        assert_eq!(organization_key("Boston Tea Co., Ltd."), organization_key("boston tea"));
        assert_ne!(organization_key("宁波海曙茶叶"), organization_key("宁波江北茶叶"));
    }
}

/// What the public web-to-lead form (留资表单) sends. `website` is a honeypot: hidden from
/// people by the page, filled in by bots.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "李女士", "organization": "苏州茶坊", "phone": "13900139000", "message": "想了解批发价"}))]
pub struct WebLeadInput {
    pub name: String,
    #[serde(default)]
    pub organization: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[serde(default)]
    pub message: String,
    /// 省份 / 行业 as the form asks them: what the assignment rules route by.
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub industry: String,
    #[serde(default)]
    pub website: String,
}

/// A lead from the public form, in the company the form belongs to, without an owner (the
/// assignment rules or a manager give it one). A bot that filled the honeypot is answered as
/// if all went well and nothing is stored. Needs an email or a phone to be worth a call back.
/// Submissions allowed per client in `WEB_WINDOW_MINUTES`.
pub const WEB_LIMIT: i64 = 5;
pub const WEB_WINDOW_MINUTES: i64 = 10;

pub fn submit_web_lead(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    vault: &Vault,
    client: &str,
    input: &WebLeadInput,
) -> Result<Option<LeadId>> {
    let since = kernel::clock::format_timestamp(ctx.now() - time::Duration::minutes(WEB_WINDOW_MINUTES));
    let recent: i64 = tx.scalar(
        "select count(*) from crm_web_submission where company_id = $1 and client_key = $2 and at > $3",
        &[&ctx.company(), &client, &since],
    )?;
    if recent >= WEB_LIMIT {
        return Err(Error::new(kernel::ErrorKind::TooManyRequests, "crm.too_many_requests"));
    }
    tx.execute(
        "insert into crm_web_submission (id, company_id, client_key, at) values ($1, $2, $3, $4)",
        &[&kernel::id::Uuid::now_v7(), &ctx.company(), &client, &ctx.now_text()],
    )?;
    if !input.website.trim().is_empty() {
        return Ok(None);
    }
    if clean(&input.email).is_none() && clean(&input.phone).is_none() {
        return Err(Error::field("phone", "crm.contact_required"));
    }
    let lead = LeadInput {
        contact_name: input.name.chars().take(100).collect(),
        organization: input.organization.chars().take(200).collect(),
        email: input.email.clone(),
        phone: input.phone.clone(),
        source: "web".into(),
        region: input.region.chars().take(50).collect(),
        industry: input.industry.chars().take(50).collect(),
        note: input.message.chars().take(2000).collect(),
        ..LeadInput::default()
    };
    let created = insert_lead(tx, ctx, vault, &lead, None)?;
    Ok(Some(LeadId::parse(&created.lead.id)?))
}
