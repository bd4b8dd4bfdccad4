//! Product categories as a tree (食品 › 饮料 › 茶): each keeps its path of codes from the root,
//! so a subtree is one indexed prefix query.

use kernel::db::Tx;
use kernel::{Ctx, Error, Result};
use serde::{Deserialize, Serialize};

use crate::permissions::{SETUP_READ, SETUP_WRITE};

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "TEA", "name": "茶叶", "parent": null}))]
pub struct Category {
    pub code: String,
    pub name: String,
    /// Code of the parent category; none for a root.
    pub parent: Option<String>,
    #[serde(default, skip_deserializing)]
    pub path: String,
}

pub fn create_category(tx: &mut Tx<'_>, ctx: &Ctx, input: &Category) -> Result<Category> {
    ctx.require(SETUP_WRITE)?;
    let code = input.code.trim();
    if code.is_empty() || code.contains('/') || input.name.trim().is_empty() {
        return Err(Error::field("code", "product.code_invalid"));
    }
    let taken: i64 = tx.scalar(
        "select count(*) from product_category where company_id = $1 and code = $2",
        &[&ctx.company(), &code],
    )?;
    if taken > 0 {
        return Err(Error::field("code", "product.code_taken"));
    }
    let (parent_id, path) = match input.parent.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => (None, code.to_string()),
        Some(parent) => {
            let row = tx
                .query_opt(
                    "select id, path from product_category where company_id = $1 and code = $2",
                    &[&ctx.company(), &parent],
                )?
                .ok_or_else(|| Error::field("parent", "product.category_unknown"))?;
            (Some(row.get::<String>(0)?), format!("{}/{code}", row.get::<String>(1)?))
        }
    };
    tx.execute(
        "insert into product_category (id, company_id, parent_id, code, name, path) values ($1, $2, $3, $4, $5, $6)",
        &[&kernel::id::Uuid::now_v7(), &ctx.company(), &parent_id, &code, &input.name.trim(), &path],
    )?;
    kernel::audit::record(
        tx,
        ctx,
        "product.category.create",
        "product.category",
        &code,
        serde_json::json!({"path": path}),
    )?;
    Ok(Category { code: code.into(), name: input.name.trim().into(), parent: input.parent.clone(), path })
}

/// Every category, in tree order (by path).
pub fn list_categories(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<Vec<Category>> {
    ctx.require(SETUP_READ)?;
    tx.query(
        "select c.code, c.name, p.code, c.path from product_category c left join product_category p on p.id = c.parent_id
         where c.company_id = $1 order by c.path",
        &[&ctx.company()],
    )?
    .iter()
    .map(|r| Ok(Category { code: r.get(0)?, name: r.get(1)?, parent: r.get(2)?, path: r.get(3)? }))
    .collect()
}

pub(crate) fn category_id(tx: &mut Tx<'_>, ctx: &Ctx, code: &str) -> Result<String> {
    tx.query_opt(
        "select id from product_category where company_id = $1 and code = $2",
        &[&ctx.company(), &code.trim()],
    )?
    .ok_or_else(|| Error::field("category", "product.category_unknown").with_param("code", code))?
    .get(0)
}
