//! Code and name of many records by id in a few statements (one per 500 ids), for reports that
//! list partners or products by the id their lines keep: no query per row.

use std::collections::HashMap;

use super::{ToValue, Tx};
use crate::Result;
use crate::identity::CompanyId;

/// `table` must have `id`, `company_id`, `code` and `name` columns; unknown ids are left out.
pub fn codes_and_names(
    tx: &mut Tx<'_>,
    table: &'static str,
    company: CompanyId,
    ids: &[String],
) -> Result<HashMap<String, (String, String)>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let mut params: Vec<&dyn ToValue> = vec![&company];
        params.extend(chunk.iter().map(|id| id as &dyn ToValue));
        let sql = format!("select id, code, name from {table} where company_id = $1 and id in ({})", marks.join(", "));
        for r in tx.query(&sql, &params)? {
            out.insert(r.get(0)?, (r.get(1)?, r.get(2)?));
        }
    }
    Ok(out)
}
