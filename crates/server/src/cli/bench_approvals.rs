//! `tiangong bench approvals`: the approval engine's figures on a fresh database — evaluating a
//! purchase order's flow (its conditions, and approvers found through a five-level manager
//! chain, a role and a department head); the inbox page of an approver with 10,000 pending
//! tasks among 1,000,000 requests (`--rows`); and decisions per second through the API from
//! concurrent clients. The million requests are written in bulk with SQL (it is the reading
//! that is measured); the decisions go through the engine and the HTTP API.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::Context;
use kernel::Ctx;
use kernel::identity::{self, NewUser, UserId};
use serde_json::json;

use super::bench::{fresh, logged_in_server, timed};
use crate::runtime;
use crate::settings::Settings;

/// Pending tasks of the approver whose inbox is timed.
const PENDING: u64 = 10_000;
/// Requests decided through the API.
const DECISIONS: usize = 2_000;
const CLIENTS: usize = 16;

fn user(tx: &mut kernel::db::Tx<'_>, ctx: &Ctx, name: &str, roles: &[&str]) -> kernel::Result<UserId> {
    Ok(identity::create_user(
        tx,
        ctx,
        &NewUser {
            username: name.into(),
            display_name: name.into(),
            email: None,
            password: format!("{name}-password-1"),
            locale: None,
            roles: roles.iter().map(|r| r.to_string()).collect(),
        },
    )?
    .id)
}

pub fn approvals(settings: &Settings, rows: u64) -> anyhow::Result<serde_json::Value> {
    let (_data, prepared) = fresh(settings)?;
    let first = prepared.bootstrapped.clone().context("bench needs an empty database")?;
    let ctx: Ctx =
        runtime::system_ctx(prepared.state.clock.clone()).for_company(first.company, runtime::all_permissions());
    let db = &prepared.db;
    let admin = ctx.for_company(first.company, runtime::all_permissions());
    // The organisation: a buyer under five levels of managers, a finance role, a department head.
    let buyer = db.write(|tx| {
        let buyer = user(tx, &ctx, "buyer", &["purchasing"])?;
        let mut below = "buyer".to_string();
        for level in 1..=5 {
            let manager = format!("m{level}");
            user(tx, &ctx, &manager, &["purchasing"])?;
            let placement = office::org::Placement { department: None, manager: Some(manager.clone()) };
            office::org::place_member(tx, &admin, &below, &placement)?;
            below = manager;
        }
        user(tx, &ctx, "fin1", &["finance"])?;
        user(tx, &ctx, "fin2", &["finance"])?;
        office::org::save_department(
            tx,
            &admin,
            &office::org::Department {
                code: "PUR".into(),
                name: "采购部".into(),
                parent: None,
                head: Some("m2".into()),
            },
        )?;
        let placement = office::org::Placement { department: Some("PUR".into()), manager: Some("m1".into()) };
        office::org::place_member(tx, &admin, "buyer", &placement)?;
        Ok(buyer)
    })?;
    let definition: office::approval::FlowDefinition = serde_json::from_value(json!({
        "when": [{"field": "amount", "op": "gt", "value": "50000"}, {"field": "currency", "op": "in", "value": "CNY,USD"}],
        "steps": [
            {"name": "部门负责人", "mode": "any", "approvers": [{"kind": "department_head"}]},
            {"name": "各级主管", "mode": "any", "approvers": [{"kind": "manager_chain", "levels": 5}]},
            {"name": "财务会签", "mode": "all", "approvers": [{"kind": "role", "role": "finance"}],
             "when": [{"field": "amount", "op": "gt", "value": "100000"}]},
            {"name": "总经理", "mode": "any", "approvers": [{"kind": "user", "user": "admin"}],
             "when": [{"field": "supplier", "op": "eq", "value": "S-NEW"}]}
        ],
        "cc": [{"kind": "user", "user": "fin1"}]
    }))?;
    db.write(|tx| {
        office::approval::save_flow(
            tx,
            &admin,
            "purchasing.order",
            &office::approval::FlowInput { name: "采购审批".into(), active: true, definition: definition.clone() },
        )
    })?;
    let facts: BTreeMap<String, String> =
        [("amount", "123456.78"), ("currency", "CNY"), ("supplier", "S1"), ("buyer", "buyer")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    let subject = office::approval::Subject {
        kind: "purchasing.order".into(),
        id: kernel::id::Uuid::now_v7().to_string(),
        title: "PO-BENCH".into(),
        facts,
    };
    let as_buyer = Ctx::new(kernel::ctx::Actor::User(buyer), first.company, runtime::all_permissions())
        .with_clock(prepared.state.clock.clone());
    let mut planned_steps = 0;
    let (evaluate_p50, evaluate_p95) = timed(500, || {
        let evaluated = db.read(|tx| office::approval::request::evaluate(tx, &as_buyer, &subject, buyer))?;
        planned_steps = evaluated.map(|(_, steps)| steps.len()).unwrap_or(0);
        Ok(())
    })?;
    anyhow::ensure!(planned_steps == 7, "expected 1 + 5 + 1 steps, planned {planned_steps}");

    // A million requests, 10,000 of them waiting for the administrator, a one-step plan each.
    let started = Instant::now();
    let company = first.company;
    let admin_id = first.admin;
    let flow_id: String = db.read(|tx| tx.scalar("select id from office_flow where company_id = $1", &[&company]))?;
    let plan = serde_json::to_string(
        &json!([{"name": "审批", "mode": "any", "approvers": [admin_id.to_string()], "timeout_hours": null}]),
    )?;
    let base = ctx.now() - time::Duration::seconds(i64::try_from(rows).unwrap_or(i64::MAX));
    let mut pending_tasks = Vec::new();
    let chunk = 50_000;
    for start in (0..rows).step_by(chunk) {
        let ids = db.write(|tx| {
            let mut ids = Vec::new();
            for i in start..(start + chunk as u64).min(rows) {
                let request = kernel::id::Uuid::now_v7().to_string();
                let at = kernel::clock::format_timestamp(base + time::Duration::seconds(i as i64));
                let pending = i >= rows.saturating_sub(PENDING);
                let (state, submitter) = if pending { ("pending", buyer) } else { ("approved", buyer) };
                tx.execute(
                    "insert into office_approval_request (id, company_id, number, doc_kind, doc_id, title, submitter_id, flow_id, flow_version,
                         state, step, facts, plan, created_at)
                     values ($1, $2, $3, 'bench.doc', $4, $5, $6, $7, 1, $8, 0, '{}', $9, $10)",
                    &[&request, &company, &format!("AP-B-{i:07}"), &request, &format!("单据 {i}"), &submitter, &flow_id, &state, &plan, &at],
                )?;
                let task = kernel::id::Uuid::now_v7().to_string();
                tx.execute(
                    "insert into office_approval_task (id, company_id, request_id, step, approver_id, origin, state, created_at, decided_at)
                     values ($1, $2, $3, 0, $4, 'flow', $5, $6, $7)",
                    &[&task, &company, &request, &admin_id, &(if pending { "pending" } else { "approved" }), &at, &(if pending { None } else { Some(at.clone()) })],
                )?;
                if pending {
                    ids.push(task);
                }
            }
            Ok(ids)
        })?;
        pending_tasks.extend(ids);
    }
    let seeded_seconds = started.elapsed().as_secs_f64();
    let as_admin = Ctx::new(kernel::ctx::Actor::User(admin_id), company, runtime::all_permissions())
        .with_clock(prepared.state.clock.clone());
    let (inbox_p50, inbox_p95) = timed(50, || {
        let page =
            db.read(|tx| office::approval::inbox(tx, &as_admin, office::approval::inbox::Box::Todo, None, 50))?;
        anyhow::ensure!(page.len() == 50, "a full page");
        Ok(())
    })?;
    let (count_p50, _) = timed(20, || {
        db.read(|tx| office::approval::waiting_count(tx, &as_admin))?;
        Ok(())
    })?;
    let (_runtime, base_url, client) = logged_in_server(prepared.state.clone())?;
    let (page_p50, page_p95) = timed(50, || {
        let answer = client.get(format!("{base_url}/office/approvals")).send()?;
        anyhow::ensure!(answer.status().is_success(), "inbox page answered {}", answer.status());
        answer.bytes()?;
        Ok(())
    })?;

    // Decisions through the API: an API token, concurrent clients, the newest pending first.
    let token: String = reqwest::blocking::Client::new()
        .post(format!("{base_url}/api/v1/auth/token"))
        .json(&json!({"username": "admin", "password": "bench-password-1"}))
        .send()?
        .json::<serde_json::Value>()?["token"]
        .as_str()
        .context("token")?
        .to_string();
    let decisions: Vec<String> = pending_tasks.iter().rev().take(DECISIONS).cloned().collect();
    let started = Instant::now();
    let failures = std::thread::scope(|scope| {
        let handles: Vec<_> = decisions
            .chunks(decisions.len().div_ceil(CLIENTS))
            .map(|part| {
                let (base_url, token) = (base_url.clone(), token.clone());
                scope.spawn(move || -> anyhow::Result<usize> {
                    let client = reqwest::blocking::Client::new();
                    let mut failed = 0;
                    for task in part {
                        let answer = client
                            .post(format!("{base_url}/api/v1/approvals/tasks/{task}/decide"))
                            .bearer_auth(&token)
                            .json(&json!({"decision": "approve", "comment": "同意"}))
                            .send()?;
                        if !answer.status().is_success() {
                            failed += 1;
                        }
                    }
                    Ok(failed)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().map_err(|_| anyhow::anyhow!("a client thread panicked"))?)
            .sum::<anyhow::Result<usize>>()
    })?;
    let decide_seconds = started.elapsed().as_secs_f64();
    // With TIANGONG_SQL_PROFILE=1: where the time went, statement by statement.
    for line in kernel::db::profile::report(25) {
        eprintln!("{line}");
    }
    anyhow::ensure!(failures == 0, "{failures} decisions refused");
    let decided: i64 = db.read(|tx| {
        tx.scalar(
            "select count(*) from office_approval_request where company_id = $1 and state = 'approved'",
            &[&company],
        )
    })?;
    anyhow::ensure!(decided as u64 == rows - PENDING + DECISIONS as u64, "every decision recorded");
    Ok(json!({
        "scenario": "approvals",
        "invariants": super::bench::invariants(db)?,
        "backend": format!("{:?}", db.backend()).to_lowercase(),
        "evaluate": {"steps_planned": planned_steps, "manager_levels": 5, "ms": {"p50": evaluate_p50, "p95": evaluate_p95}},
        "inbox": {"requests": rows, "pending_for_approver": PENDING, "seed_seconds": (seeded_seconds * 10.0).round() / 10.0,
            "service_ms": {"p50": inbox_p50, "p95": inbox_p95}, "page_ms": {"p50": page_p50, "p95": page_p95},
            "waiting_count_ms": count_p50},
        "decisions": {"count": DECISIONS, "clients": CLIENTS, "seconds": (decide_seconds * 100.0).round() / 100.0,
            "per_second": (DECISIONS as f64 / decide_seconds).round()},
    }))
}
