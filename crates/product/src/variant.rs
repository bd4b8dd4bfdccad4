//! Variants from attributes: from a template product and attributes with their values
//! (颜色: 红, 蓝; 尺码: S, M), one product per combination, inheriting the template's units,
//! tax, costing and tracking, coded `<template>-<value>-<value>`.

use kernel::db::Tx;
use kernel::{Ctx, Error, Result};
use serde::{Deserialize, Serialize};

use crate::permissions::PRODUCT_WRITE;
use crate::product::{Product, ProductId, ProductInput, get_product, insert_product};

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    pub name: String,
    pub values: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"attributes": [{"name": "颜色", "values": ["红", "蓝"]}, {"name": "尺码", "values": ["S", "M", "L"]}]}))]
pub struct VariantRequest {
    pub attributes: Vec<Attribute>,
}

/// Every combination of one value per attribute, in order.
pub fn combinations(attributes: &[Attribute]) -> Vec<Vec<(String, String)>> {
    let mut out: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for attribute in attributes {
        let mut next = Vec::new();
        for partial in &out {
            for value in &attribute.values {
                let mut combination = partial.clone();
                combination.push((attribute.name.trim().to_string(), value.trim().to_string()));
                next.push(combination);
            }
        }
        out = next;
    }
    out
}

/// Creates the variants of a template product; returns them.
pub fn create_variants(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    template: ProductId,
    request: &VariantRequest,
) -> Result<Vec<Product>> {
    ctx.require(PRODUCT_WRITE)?;
    let base = get_product(tx, ctx, template)?;
    let valid = !request.attributes.is_empty()
        && request.attributes.iter().all(|a| {
            !a.name.trim().is_empty() && !a.values.is_empty() && a.values.iter().all(|v| !v.trim().is_empty())
        });
    if !valid {
        return Err(Error::field("attributes", "product.attributes_invalid"));
    }
    let all = combinations(&request.attributes);
    if all.len() > 500 {
        return Err(Error::field("attributes", "product.too_many_variants"));
    }
    let mut created = Vec::with_capacity(all.len());
    for combination in all {
        let suffix: Vec<&str> = combination.iter().map(|(_, v)| v.as_str()).collect();
        let input = ProductInput {
            code: format!("{}-{}", base.code, suffix.join("-")),
            name: format!("{}（{}）", base.name, suffix.join("，")),
            kind: base.kind.clone(),
            category: base.category.clone(),
            uom: base.uom.clone(),
            purchase_uom: Some(base.purchase_uom.clone()),
            sales_uom: Some(base.sales_uom.clone()),
            barcode: None,
            tax: base.tax.clone(),
            costing: Some(base.costing.clone()),
            tracking: Some(base.tracking.clone()),
            shelf_life_days: base.shelf_life_days,
            list_price: Some(base.list_price.clone()),
            version: 0,
        };
        let id = insert_product(tx, ctx, &input)?;
        let attributes: serde_json::Map<String, serde_json::Value> =
            combination.into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect();
        tx.execute(
            "update product_product set template_id = $1, attributes = $2 where company_id = $3 and id = $4",
            &[&template, &serde_json::Value::Object(attributes), &ctx.company(), &id],
        )?;
        created.push(get_product(tx, ctx, id)?);
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_combination_once() {
        let attributes = vec![
            Attribute { name: "颜色".into(), values: vec!["红".into(), "蓝".into()] },
            Attribute { name: "尺码".into(), values: vec!["S".into(), "M".into(), "L".into()] },
        ];
        let all = combinations(&attributes);
        assert_eq!(all.len(), 6);
        assert_eq!(all[0], vec![("颜色".to_string(), "红".to_string()), ("尺码".to_string(), "S".to_string())]);
        assert_eq!(all[5], vec![("颜色".to_string(), "蓝".to_string()), ("尺码".to_string(), "L".to_string())]);
    }
}
