//! The customer and supplier pickers' lookup: a code typed exactly comes first, then parties
//! whose code, name or region contain what was typed (through the search index), or for one
//! character the codes that start with it (through the code index). The caller's row rules
//! apply: a salesperson who sees only own customers is offered only those.

use kernel::db::{Row, ToValue, Tx, Value};
use kernel::{Ctx, Error, Result};

use crate::permissions::{CUSTOMER_READ, SUPPLIER_READ};

/// One customer or supplier offered by a picker.
#[derive(Clone, Debug)]
pub struct PartyChoice {
    pub id: String,
    pub code: String,
    pub name: String,
    pub city: String,
}

/// Which side a picker is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Customers,
    Suppliers,
}

/// At most `limit` active parties of `side` for what was typed.
pub fn lookup_parties(tx: &mut Tx<'_>, ctx: &Ctx, side: Side, typed: &str, limit: u32) -> Result<Vec<PartyChoice>> {
    let (permission, kinds) = match side {
        Side::Customers => (CUSTOMER_READ, "('customer', 'both')"),
        Side::Suppliers => (SUPPLIER_READ, "('supplier', 'both')"),
    };
    if !ctx.may(permission) {
        return Err(Error::forbidden("auth.permission_denied").with_param("permission", permission.name()));
    }
    let typed = typed.trim();
    let mut found: Vec<PartyChoice> = Vec::new();
    if typed.is_empty() {
        return Ok(found);
    }
    let owner = match (ctx.own_records_only(), ctx.actor().user()) {
        (true, Some(user)) => Value::Text(user.to_string()),
        _ => Value::Text(String::new()),
    };
    let base = format!(
        "select p.id, p.code, p.name, p.city from party_party p
         where p.company_id = $1 and p.active = 1 and p.kind in {kinds} and ($2 = '' or p.owner_id = $2)"
    );
    let company = ctx.company();
    let upper = typed.to_uppercase();
    let push = |rows: Vec<Row>, found: &mut Vec<PartyChoice>| -> Result<()> {
        for row in rows {
            let id: String = row.get(0)?;
            if !found.iter().any(|c| c.id == id) {
                found.push(PartyChoice { id, code: row.get(1)?, name: row.get(2)?, city: row.get(3)? });
            }
        }
        Ok(())
    };
    let exact = tx.query(&format!("{base} and p.code in ($3, $4)"), &[&company, &owner, &typed, &upper])?;
    push(exact, &mut found)?;
    match kernel::search::find(tx, ctx, "party.party", typed, None, limit.saturating_mul(3))? {
        Some(hits) if !hits.is_empty() => {
            let ids: Vec<String> = hits.into_iter().map(|h| h.record_id).collect();
            let marks: Vec<String> = (3..=ids.len() + 2).map(|n| format!("${n}")).collect();
            let mut params: Vec<&dyn ToValue> = vec![&company, &owner];
            params.extend(ids.iter().map(|id| id as &dyn ToValue));
            // Read by id: the company condition must not steer the plan (see `Backend::unindexed`).
            let by_id =
                base.replacen("p.company_id = $1", &format!("{} = $1", tx.backend().unindexed("p.company_id")), 1);
            let mut rows = tx.query(&format!("{by_id} and p.id in ({})", marks.join(", ")), &params)?;
            rows.sort_by_key(|row| ids.iter().position(|id| row.get::<String>(0).ok().as_deref() == Some(id)));
            push(rows, &mut found)?;
        }
        Some(_) => {}
        None => {
            for start in [typed.to_string(), upper.clone()] {
                let end = kernel::listing::prefix_upper_bound(&start);
                let rows = tx.query(
                    &format!("{base} and p.code >= $3 and p.code < $4 order by p.code limit $5"),
                    &[&company, &owner, &start, &end, &i64::from(limit)],
                )?;
                push(rows, &mut found)?;
            }
        }
    }
    found.truncate(limit as usize);
    Ok(found)
}

/// The code and name of each party in `ids` (of the caller's company), in one query: what a
/// page shows for the parties its rows name.
pub fn names_of(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    ids: &[String],
) -> Result<std::collections::HashMap<String, (String, String)>> {
    let mut names = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(names);
    }
    let company = ctx.company();
    let marks: Vec<String> = (2..=ids.len() + 1).map(|n| format!("${n}")).collect();
    let mut params: Vec<&dyn ToValue> = vec![&company];
    params.extend(ids.iter().map(|id| id as &dyn ToValue));
    let sql = format!(
        "select id, code, name from party_party where {} = $1 and id in ({})",
        tx.backend().unindexed("company_id"),
        marks.join(", ")
    );
    for row in tx.query(&sql, &params)? {
        names.insert(row.get(0)?, (row.get(1)?, row.get(2)?));
    }
    Ok(names)
}

/// The id of the party of the caller's company with this id or code, if there is one: what an
/// import or another module's form resolves a typed customer or supplier with.
pub fn party_id_by_key(tx: &mut Tx<'_>, ctx: &Ctx, key: &str) -> Result<Option<String>> {
    let key = key.trim();
    if key.is_empty() {
        return Ok(None);
    }
    let column = if kernel::id::Uuid::parse_str(key).is_ok() { "id" } else { "code" };
    tx.query_opt(
        &format!("select id from party_party where company_id = $1 and {column} = $2"),
        &[&ctx.company(), &key],
    )?
    .map(|r| r.get(0))
    .transpose()
}
