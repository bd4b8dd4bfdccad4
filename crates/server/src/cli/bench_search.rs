//! `tiangong bench search`: the list search, the global search and the picker lookup at a
//! million products (issue figures: under 20 ms for the searches, under 10 ms for a lookup).
//!
//! The products are written in bulk, then the search index is filled the way a server fills it
//! at start-up for records it lacks (`kernel::search::backfill`), and that time is reported.
//! The queries mix what users type: two Chinese characters that a tenth of the products share,
//! a two-word query, a fragment of a code, of a barcode, a rare model number, Latin with a
//! symbol. Each is timed many times in the service (list search) and over HTTP (global search
//! page and picker), p50 and p95.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use kernel::db::Value;
use kernel::listing::ListQuery;
use serde_json::json;

use super::bench::{fresh, invariants, logged_in_server, percentile};
use crate::runtime;
use crate::settings::Settings;

const MATERIALS: [&str; 5] = ["不锈钢", "碳钢", "黄铜", "铝合金", "尼龙"];
const KINDS: [&str; 10] =
    ["六角螺栓", "平垫圈", "深沟球轴承", "三相电机", "控制板", "机箱", "压缩弹簧", "直齿轮", "密封圈", "联轴器"];
const SPECS: [&str; 6] = ["M6×20", "M8×30", "6204", "2.2kW", "24V", "A4"];

/// What the users type, and how many records of a million each finds (for the record).
const QUERIES: [&str; 7] = ["螺栓", "轴承 6204", "P0123456", "6900000123", "型号098765", "m8×30", "铝合金机箱"];

pub fn search(settings: &Settings, rows: u64) -> anyhow::Result<serde_json::Value> {
    let (_data, prepared) = fresh(settings)?;
    let first = prepared.bootstrapped.clone().context("bench needs an empty database")?;
    let ctx = runtime::system_ctx(Arc::new(kernel::clock::SystemClock))
        .for_company(first.company, runtime::all_permissions());
    let db = &prepared.db;
    let uom: String = db
        .read(|tx| tx.scalar("select id from product_uom where company_id = $1 and code = 'pcs'", &[&first.company]))?;
    let started = Instant::now();
    let mut written = 0_u64;
    while written < rows {
        let batch = (rows - written).min(50_000);
        db.write(|tx| {
            let rows: Vec<Vec<Value>> = (written..written + batch)
                .map(|i| {
                    let name = format!(
                        "{}{} {} 型号{i:06}",
                        MATERIALS[(i % 5) as usize],
                        KINDS[((i / 5) % 10) as usize],
                        SPECS[((i / 50) % 6) as usize]
                    );
                    vec![
                        Value::Text(kernel::id::Uuid::now_v7().to_string()),
                        Value::Text(first.company.to_string()),
                        Value::Text(format!("P{i:07}")),
                        Value::Text(name.to_lowercase()),
                        Value::Text(name),
                        Value::Text(uom.clone()),
                        Value::Text(format!("69{i:011}")),
                    ]
                })
                .collect();
            production::bulk::insert_rows(
                tx,
                "product_product (id, company_id, code, name_key, name, uom_id, barcode, kind, purchase_uom_id, sales_uom_id,
                     created_at, created_by, updated_at)",
                &format!(", 'stockable', '{uom}', '{uom}', '2026-01-01T00:00:00.000000Z', 'bench', '2026-01-01T00:00:00.000000Z'"),
                rows,
            )
        })?;
        written += batch;
    }
    let seed_seconds = started.elapsed().as_secs_f64();
    eprintln!("{rows} products in {seed_seconds:.1} s");
    let started = Instant::now();
    let indexed = kernel::search::backfill(db)?;
    let index_seconds = started.elapsed().as_secs_f64();
    eprintln!("search index of {indexed} records in {index_seconds:.1} s");
    // What autovacuum does after a load this size: the planner's statistics. SQLite is left
    // without statistics, as a database is in use: its default estimates are what the queries
    // are written for (statistics taken before a bulk load would mislead it afterwards).
    if db.backend() == kernel::db::Backend::Postgres {
        db.batch("analyze")?;
    }

    let mut found = serde_json::Map::new();
    let mut service_ms = Vec::new();
    let mut per_query = serde_json::Map::new();
    for query in QUERIES {
        let list = ListQuery { search: Some(query.into()), limit: Some(50), ..Default::default() };
        let hits = db.read(|tx| product::list_products(tx, &ctx, &list))?.rows.len();
        found.insert(query.into(), json!(hits));
        anyhow::ensure!(hits > 0, "{query} found nothing");
        let mut own = Vec::new();
        for _ in 0..30 {
            let one = Instant::now();
            db.read(|tx| product::list_products(tx, &ctx, &list))?;
            own.push(one.elapsed().as_secs_f64() * 1000.0);
        }
        own.sort_by(f64::total_cmp);
        per_query.insert(query.into(), json!(percentile(&own, 0.5)));
        service_ms.extend(own);
    }
    service_ms.sort_by(f64::total_cmp);

    let (_tokio, base_url, client) = logged_in_server(prepared.state.clone())?;
    let timed_get = |path: &str, times: &mut Vec<f64>| -> anyhow::Result<String> {
        let one = Instant::now();
        let answer = client.get(format!("{base_url}{path}")).send()?;
        anyhow::ensure!(answer.status().is_success(), "{path} answered {}", answer.status());
        let body = answer.text()?;
        times.push(one.elapsed().as_secs_f64() * 1000.0);
        Ok(body)
    };
    let encode = |q: &str| form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>();
    let (mut list_page_ms, mut global_ms, mut lookup_ms) = (Vec::new(), Vec::new(), Vec::new());
    for query in QUERIES {
        for _ in 0..20 {
            timed_get(&format!("/products?q={}", encode(query)), &mut list_page_ms)?;
            let page = timed_get(&format!("/search?q={}", encode(query)), &mut global_ms)?;
            anyhow::ensure!(page.contains("/products/"), "the global search found no product for {query}");
            let lookup = timed_get(&format!("/api/v1/lookup/products?q={}", encode(query)), &mut lookup_ms)?;
            anyhow::ensure!(lookup.contains("\"code\""), "the lookup found nothing for {query}");
        }
    }
    for times in [&mut list_page_ms, &mut global_ms, &mut lookup_ms] {
        times.sort_by(f64::total_cmp);
    }
    for line in kernel::db::profile::report(10) {
        eprintln!("{line}");
    }
    let p = |times: &[f64]| json!({"p50": percentile(times, 0.5), "p95": percentile(times, 0.95)});
    Ok(json!({
        "scenario": "search",
        "backend": format!("{:?}", db.backend()).to_lowercase(),
        "invariants": invariants(db)?,
        "products": rows,
        "seed_seconds": (seed_seconds * 10.0).round() / 10.0,
        "index_seconds": (index_seconds * 10.0).round() / 10.0,
        "hits_on_first_page": found,
        "list_search_service_ms": p(&service_ms),
        // The median of each query alone: which kinds of text cost what.
        "list_search_service_ms_by_query": per_query,
        "list_search_page_ms": p(&list_page_ms),
        "global_search_page_ms": p(&global_ms),
        "picker_lookup_ms": p(&lookup_ms),
    }))
}
