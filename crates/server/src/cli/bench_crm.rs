//! `tiangong bench crm`: the CRM figures of the issue on a fresh database — the customer 360
//! page of a customer with 10,000 orders and invoices and 50,000 activities, rendered by the
//! server; the pipeline kanban over 100,000 open opportunities (paged per stage); and scoring
//! 100,000 leads (training on the labelled ones included). The history is written in bulk
//! with SQL (it is the reading that is measured); each figure is the p50/p95 of repeated runs.

use std::time::Instant;

use anyhow::Context;
use kernel::Ctx;
use serde_json::json;

use super::bench::{fresh, logged_in_server, timed};
use crate::runtime;
use crate::settings::Settings;

const ORDERS: i64 = 10_000;
const ACTIVITIES: i64 = 50_000;
const OPPORTUNITIES: i64 = 100_000;
const LEADS: i64 = 100_000;
/// Leads of the history: qualified and won, or lost.
const LABELLED: i64 = 5_000;

pub fn crm(settings: &Settings) -> anyhow::Result<serde_json::Value> {
    let (_data, prepared) = fresh(settings)?;
    let first = prepared.bootstrapped.clone().context("bench needs an empty database")?;
    let ctx: Ctx =
        runtime::system_ctx(prepared.state.clock.clone()).for_company(first.company, runtime::all_permissions());
    let db = &prepared.db;
    let vault = prepared.state.keys.vault()?;
    let started = Instant::now();
    let customer = db.write(|tx| {
        party::create_party(
            tx,
            &ctx,
            &vault,
            &party::PartyInput {
                code: "C-BIG".into(),
                name: "杭州大客户茶业有限公司".into(),
                kind: party::PartyKind::Customer,
                phone: Some("0571-88880000".into()),
                contacts: vec![party::Contact { name: "王经理".into(), is_primary: true, ..Default::default() }],
                ..Default::default()
            },
        )
    })?;
    let customer_id = customer.id.to_string();
    let stages = db.write(|tx| crm::stage::list_stages(tx, &ctx))?;
    let now = ctx.now_text();
    let company = first.company;
    let admin = first.admin.to_string();
    // Orders and their invoices, a year of them.
    db.write(|tx| {
        for i in 0..ORDERS {
            let order = kernel::id::Uuid::now_v7().to_string();
            let day = format!("2026-{:02}-{:02}", 1 + i % 11, 1 + i % 28);
            let untaxed = 10_000 + (i % 97) * 100;
            tx.execute(
                "insert into sales_order (id, company_id, number, state, customer_id, order_date, currency, untaxed, tax, total,
                     created_at, created_by, updated_at)
                 values ($1, $2, $3, 'done', $4, $5, 'CNY', $6, $7, $8, $9, $10, $9)",
                &[&order, &company, &format!("SO-B-{i:06}"), &customer_id, &day, &untaxed, &(untaxed * 13 / 100), &(untaxed * 113 / 100), &now, &admin],
            )?;
            tx.execute(
                "insert into sales_invoice (id, company_id, number, kind, state, order_id, customer_id, invoice_date, due_date,
                     currency, untaxed, tax, total, paid, created_at, created_by, updated_at)
                 values ($1, $2, $3, 'invoice', 'paid', $4, $5, $6, $6, 'CNY', $7, $8, $9, $9, $10, $11, $10)",
                &[&kernel::id::Uuid::now_v7(), &company, &format!("INV-B-{i:06}"), &order, &customer_id, &day, &untaxed, &(untaxed * 13 / 100), &(untaxed * 113 / 100), &now, &admin],
            )?;
        }
        Ok(())
    })?;
    let kinds = crm::activity::KINDS;
    db.write(|tx| {
        for i in 0..ACTIVITIES {
            let at = kernel::clock::format_timestamp(ctx.now() - time::Duration::minutes(ACTIVITIES - i));
            tx.execute(
                "insert into crm_activity (id, company_id, kind, subject, outcome, partner_id, done, owner_id, created_at, created_by)
                 values ($1, $2, $3, $4, '已沟通', $5, 1, $6, $7, $6)",
                &[&kernel::id::Uuid::now_v7(), &company, &kinds[(i % 6) as usize], &format!("跟进 {i}"), &customer_id, &admin, &at],
            )?;
        }
        Ok(())
    })?;
    db.write(|tx| {
        for i in 0..OPPORTUNITIES {
            let stage = &stages[(i % stages.len() as i64) as usize];
            tx.execute(
                "insert into crm_opportunity (id, company_id, name, partner_id, stage_id, state, expected_revenue, probability_bp,
                     expected_close, owner_id, created_at, created_by, updated_at)
                 values ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9, $10, $9, $10)",
                &[
                    &kernel::id::Uuid::now_v7(),
                    &company,
                    &format!("商机 {i}"),
                    &customer_id,
                    &stage.id,
                    &(100_000 + (i % 1000) * 1000),
                    &stage.probability_bp,
                    &format!("2027-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
                    &admin,
                    &now,
                ],
            )?;
        }
        Ok(())
    })?;
    let sources = ["web", "exhibition", "referral", "manual", "phone"];
    let industries = ["食品", "零售", "餐饮", "制造"];
    let regions = ["浙江", "江苏", "上海", "广东", "四川"];
    db.write(|tx| {
        for i in 0..LEADS {
            let state = if i < LABELLED { if i % 3 == 0 { "lost" } else { "qualified" } } else { "new" };
            let lead = kernel::id::Uuid::now_v7().to_string();
            let opportunity = (state == "qualified").then(|| kernel::id::Uuid::now_v7().to_string());
            if let Some(o) = &opportunity {
                // The history: exhibitions and referrals win more often.
                let won = matches!(i % 5, 1 | 2) || i % 7 == 0;
                tx.execute(
                    "insert into crm_opportunity (id, company_id, name, stage_id, state, probability_bp, created_at, created_by, updated_at)
                     values ($1, $2, '历史', $3, $4, 0, $5, 'bench', $5)",
                    &[o, &company, &stages[0].id, &(if won { "won" } else { "lost" }), &now],
                )?;
            }
            tx.execute(
                "insert into crm_lead (id, company_id, contact_name, organization, organization_key, source, industry, region, size,
                     state, owner_id, opportunity_id, created_at, created_by, updated_at)
                 values ($1, $2, $3, '', '', $4, $5, $6, $7, $8, $9, $10, $11, 'bench', $11)",
                &[
                    &lead,
                    &company,
                    &format!("联系人 {i}"),
                    &sources[(i % 5) as usize],
                    &industries[(i % 4) as usize],
                    &regions[(i % 5) as usize],
                    &(["small", "medium", "large"][(i % 3) as usize]),
                    &state,
                    &admin,
                    &opportunity,
                    &now,
                ],
            )?;
        }
        Ok(())
    })?;
    // The kanban's totals are kept by the services; after a bulk load they are computed once.
    db.write(|tx| crm::pipeline::rebuild_totals(tx, &ctx))?;
    let seeded_seconds = started.elapsed().as_secs_f64();

    // In process: the services alone.
    let (view_p50, view_p95) = timed(50, || {
        db.read(|tx| crm::customer360::customer_360(tx, &ctx, &vault, &customer_id))?;
        Ok(())
    })?;
    let query = crm::pipeline::BoardQuery { limit: Some(50), ..Default::default() };
    let (board_p50, board_p95) = timed(50, || {
        db.write(|tx| crm::pipeline::board(tx, &ctx, &query))?;
        Ok(())
    })?;
    let scoring_started = Instant::now();
    let training = db.write(|tx| crm::scoring::train(tx, &ctx))?;
    let scoring_seconds = scoring_started.elapsed().as_secs_f64();

    // Through the web client: the pages as the server renders them.
    let (_runtime, base_url, client) = logged_in_server(prepared.state.clone())?;
    let page = |path: String| {
        let (client, base_url) = (client.clone(), base_url.clone());
        move || -> anyhow::Result<()> {
            let answer = client.get(format!("{base_url}{path}")).send()?;
            anyhow::ensure!(answer.status().is_success(), "{path} answered {}", answer.status());
            answer.bytes()?;
            Ok(())
        }
    };
    let (page_p50, page_p95) = timed(50, page(format!("/parties/{customer_id}/360")))?;
    let (kanban_p50, kanban_p95) = timed(50, page("/crm/pipeline".to_string()))?;
    // With TIANGONG_SQL_PROFILE=1: where the time went, statement by statement.
    for line in kernel::db::profile::report(25) {
        eprintln!("{line}");
    }
    Ok(json!({
        "scenario": "crm",
        "invariants": super::bench::invariants(db)?,
        "backend": format!("{:?}", db.backend()).to_lowercase(),
        "seed_seconds": (seeded_seconds * 10.0).round() / 10.0,
        "customer_360": {"orders": ORDERS, "invoices": ORDERS, "activities": ACTIVITIES,
            "service_ms": {"p50": view_p50, "p95": view_p95}, "page_ms": {"p50": page_p50, "p95": page_p95}},
        "pipeline": {"open_opportunities": OPPORTUNITIES, "cards_per_stage": 50,
            "service_ms": {"p50": board_p50, "p95": board_p95}, "page_ms": {"p50": kanban_p50, "p95": kanban_p95}},
        "scoring": {"leads": LEADS, "trained_on": training.won + training.lost, "scored": training.scored,
            "seconds": (scoring_seconds * 1000.0).round() / 1000.0},
    }))
}
