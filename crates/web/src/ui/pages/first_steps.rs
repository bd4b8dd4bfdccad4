//! The first steps of a new company (开账向导), shown on the home page to whoever manages the
//! company until every step is done: company details and taxpayer number, the bank account,
//! the chart of accounts, warehouses, users and roles, opening balances, and customers and
//! products. A step is done when the data says so (the taxpayer number is entered, a second
//! user exists, …) or when someone marks it done — for what the data cannot tell ("the chart is
//! right as it is") or a step skipped on purpose; the mark is kept per company and audited.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use kernel::db::Tx;
use kernel::identity::permissions::COMPANY_MANAGE;
use kernel::listing::{ListPage, ListQuery};
use kernel::{Ctx, Error};
use maud::{Markup, html};

use super::see_other;
use crate::state::AppState;
use crate::ui::guard::Page;

/// The steps in the order a company takes them: code and the page where it is done.
const STEPS: [(&str, &str); 7] = [
    ("company", "/settings/company"),
    ("bank", "/settings/company"),
    ("chart", "/finance/trial-balance"),
    ("warehouses", "/inventory/setup"),
    ("users", "/settings/users"),
    ("opening", "/finance/opening"),
    ("import", "/imports"),
];

/// One step as the home page shows it.
#[derive(Clone, Debug)]
pub struct Step {
    pub code: &'static str,
    pub href: &'static str,
    pub done: bool,
}

fn counted(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    list: fn(&mut Tx<'_>, &Ctx, &ListQuery) -> kernel::Result<ListPage>,
) -> kernel::Result<i64> {
    Ok(list(tx, ctx, &ListQuery { count: true, ..Default::default() })?.total.unwrap_or(0))
}

/// What the data says of one step.
fn done_by_data(tx: &mut Tx<'_>, ctx: &Ctx, code: &str, company: &kernel::identity::Company) -> kernel::Result<bool> {
    Ok(match code {
        "company" => !company.tax_number.is_empty() && !company.address.is_empty(),
        "bank" => !company.bank_name.is_empty() && !company.bank_account.is_empty(),
        // Once vouchers are booked the chart is the one the company lives with.
        "chart" => counted(tx, ctx, ledger::voucher::list_vouchers)? > 0,
        // Every company starts with one warehouse; a second one, or marking, says it was set up.
        "warehouses" => inventory::location::list_warehouses(tx, ctx)?.len() > 1,
        "users" => {
            tx.scalar::<i64>("select count(*) from kernel_membership where company_id = $1", &[&ctx.company()])? > 1
        }
        "import" => {
            counted(tx, ctx, party::party::list_parties)? > 0 && counted(tx, ctx, product::product::list_products)? > 0
        }
        // Opening balances are done when initialisation has ended (or when marked: a new
        // company with nothing to bring over).
        "opening" => ledger::opening::is_ended(tx, ctx)?,
        _ => false,
    })
}

/// The steps with their state, or none when the caller does not manage the company or every
/// step is done (the checklist then disappears for good).
pub fn steps(tx: &mut Tx<'_>, ctx: &Ctx) -> kernel::Result<Vec<Step>> {
    if !ctx.may(COMPANY_MANAGE) {
        return Ok(Vec::new());
    }
    let marked: Vec<String> = tx
        .query("select step from web_first_step where company_id = $1", &[&ctx.company()])?
        .iter()
        .map(|r| r.get(0))
        .collect::<kernel::Result<_>>()?;
    let company = kernel::identity::get_company(tx, ctx, ctx.company())?;
    let mut steps = Vec::new();
    for (code, href) in STEPS {
        let done = marked.iter().any(|m| m == code) || done_by_data(tx, ctx, code, &company)?;
        steps.push(Step { code, href, done });
    }
    if steps.iter().all(|s| s.done) {
        return Ok(Vec::new());
    }
    Ok(steps)
}

/// Whether to offer the demo company: the build can make one, the caller may create companies
/// and it does not exist yet.
pub fn offer_demo(tx: &mut Tx<'_>, ctx: &Ctx, code: Option<&str>) -> kernel::Result<bool> {
    let Some(code) = code.filter(|_| ctx.may(COMPANY_MANAGE)) else { return Ok(false) };
    Ok(tx.scalar::<i64>("select count(*) from kernel_company where code = $1", &[&code])? == 0)
}

/// The checklist panel (nothing when there are no steps to show), with the demo company's
/// button when it is offered.
pub fn panel(page: &Page, steps: &[Step], demo: bool) -> Markup {
    if steps.is_empty() {
        return html! {};
    }
    let done = steps.iter().filter(|s| s.done).count();
    html! {
        section.panel.first-steps data-first-steps {
            h2 { (page.t("ui.first_steps.title")) " " span.muted { (done) " / " (steps.len()) } }
            p.muted { (page.t("ui.first_steps.intro")) }
            ol.steps {
                @for step in steps {
                    li.done[step.done] data-step=(step.code) {
                        @if step.done { span.badge.ok { "✓" } " " }
                        a href=(step.href) { (page.t(&format!("ui.first_steps.{}", step.code))) }
                        span.muted { " — " (page.t(&format!("ui.first_steps.{}.hint", step.code))) }
                        @if !step.done {
                            form.inline method="post" action=(format!("/first-steps/{}/done", step.code)) {
                                input type="hidden" name="_csrf" value=(page.csrf());
                                " " button.link type="submit" { (page.t("ui.first_steps.mark_done")) }
                            }
                        }
                    }
                }
            }
            @if demo {
                form.inline method="post" action="/first-steps/demo" data-demo {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    p { (page.t("ui.demo.offer")) " " button type="submit" { (page.t("ui.demo.create")) } }
                }
            }
        }
    }
}

/// Creates the demo company (a few seconds' work, in one transaction) and goes home, where
/// the company switcher now offers it.
pub async fn create_demo(State(state): State<AppState>, page: Page) -> Response {
    let Some(maker) = state.demo.clone() else {
        return crate::problem::ApiError(Error::not_found("ui.demo.unavailable")).into_response();
    };
    let ctx = page.ctx(&state);
    let made = state
        .blocking(move |state| {
            ctx.require(COMPANY_MANAGE)?;
            (maker.create)(state)
        })
        .await;
    match made {
        Ok(_) => see_other("/", Some("ui.demo.created")),
        Err(error) => error.into_response(),
    }
}

/// Marks a step done by hand.
pub async fn mark_done(State(state): State<AppState>, page: Page, Path(code): Path<String>) -> Response {
    let Some((code, _)) = STEPS.iter().find(|(c, _)| *c == code) else {
        return crate::problem::ApiError(Error::not_found("ui.first_steps.unknown")).into_response();
    };
    let code: &'static str = code;
    let ctx = page.ctx(&state);
    let marked = state
        .blocking(move |state| {
            state.db.write(|tx| {
                ctx.require(COMPANY_MANAGE)?;
                tx.execute(
                    "insert into web_first_step (company_id, step, done_at, done_by) values ($1, $2, $3, $4)
                     on conflict (company_id, step) do nothing",
                    &[&ctx.company(), &code, &ctx.now_text(), &ctx.actor().label()],
                )?;
                kernel::audit::record(
                    tx,
                    &ctx,
                    "web.first_step.done",
                    "kernel.company",
                    &ctx.company(),
                    serde_json::json!({"step": code}),
                )
            })
        })
        .await;
    match marked {
        Ok(()) => see_other("/", None),
        Err(error) => error.into_response(),
    }
}
