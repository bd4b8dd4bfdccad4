//! The demo company's CRM: leads from the web form, trade fairs and referrals across the
//! provinces — some qualified into customers with an opportunity, some lost, the newest still
//! new — and opportunities moving through the pipeline's stages, two won by a confirmed
//! quotation (which then ships like any order), two lost; every step with its call, visit or
//! WeChat on the timeline, open ones with a follow-up to do.

use crm::opportunity::{MoveInput, QuotationInput};
use crm::{ActivityInput, LeadId, LeadInput, OpportunityId, OpportunityInput, QualifyInput};
use kernel::db::Tx;
use kernel::{Ctx, Result};
use time::Duration;

use super::masters::Pays;
use super::names::{self, BRANDS, CITIES, INDUSTRIES};
use super::{Step as StoryStep, Story, iso};

const LEADS: usize = 25;
const STAGES: &[&str] = &["contact", "needs", "proposal", "negotiation", "commit"];
const QUALIFIED: &[usize] = &[1, 3, 6, 8, 11, 13, 16, 18];
const LOST_LEADS: &[(usize, &str)] =
    &[(2, "预算不足，明年再议"), (9, "已选择其他品牌"), (14, "需求为防爆电机，非我司产品"), (20, "联系不上")];

/// How far each opportunity gets: a stage to stop at, won (after negotiation) or lost (after
/// the proposal). The first eight come from qualified leads, the rest from customers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Goal {
    Stage(usize),
    Won,
    Lost,
}

const GOALS: &[Goal] = &[
    Goal::Stage(1),
    Goal::Stage(2),
    Goal::Stage(3),
    Goal::Stage(4),
    Goal::Stage(0),
    Goal::Lost,
    Goal::Stage(2),
    Goal::Stage(1),
    Goal::Won,
    Goal::Stage(3),
    Goal::Stage(2),
    Goal::Won,
    Goal::Lost,
    Goal::Stage(4),
    Goal::Stage(1),
];

#[derive(Debug)]
pub enum Step {
    Lead(usize),
    Qualify(usize),
    LoseLead(usize),
    Direct(usize),
    Move(usize, usize),
    Quote(usize),
    Win(usize),
    Lose(usize),
}

fn step(s: Step) -> StoryStep {
    StoryStep::Pipeline(s)
}

#[derive(Default)]
struct Opportunity {
    id: Option<OpportunityId>,
    /// The customer (an existing one, for those made directly).
    customer: Option<usize>,
    rep: usize,
    quotation: Option<sales::OrderId>,
}

#[derive(Default)]
pub struct State {
    leads: Vec<Option<LeadId>>,
    opportunities: Vec<Opportunity>,
    pub activities: usize,
}

pub fn plan(story: &mut Story<'_>) {
    story.pipeline.leads = vec![None; LEADS];
    for i in 0..LEADS {
        let date = story.day(1 + (i as i64) * 114 / LEADS as i64);
        story.at(date, step(Step::Lead(i)));
    }
    let first_direct = QUALIFIED.len();
    story.pipeline.opportunities = (0..GOALS.len()).map(|_| Opportunity::default()).collect();
    for j in first_direct..GOALS.len() {
        let date = story.day(8 + (j - first_direct) as i64 * 13);
        story.at(date, step(Step::Direct(j)));
    }
}

fn rep(story: &Story<'_>, index: usize) -> Ctx {
    story.people.sales[index % 2].clone()
}

fn activity(tx: &mut Tx<'_>, story: &mut Story<'_>, ctx: &Ctx, input: ActivityInput) -> Result<()> {
    crm::record_activity(tx, ctx, &input)?;
    story.pipeline.activities += 1;
    story.tick();
    Ok(())
}

pub fn run(tx: &mut Tx<'_>, story: &mut Story<'_>, s: Step) -> Result<()> {
    match s {
        Step::Lead(i) => lead(tx, story, i),
        Step::Qualify(i) => qualify(tx, story, i),
        Step::LoseLead(i) => {
            let ctx = rep(story, i);
            let (_, reason) = LOST_LEADS.iter().find(|(l, _)| *l == i).copied().unwrap_or((i, "暂无需求"));
            let id = story.pipeline.leads[i].ok_or_else(|| kernel::Error::internal("the demo's lead is missing"))?;
            crm::lead::mark_lost(tx, &ctx, story.vault, id, reason)?;
            story.tick();
            Ok(())
        }
        Step::Direct(k) => direct(tx, story, k),
        Step::Move(k, stage) => advance(tx, story, k, stage),
        Step::Quote(k) => quote(tx, story, k),
        Step::Win(k) => {
            let quotation = story.pipeline.opportunities[k].quotation;
            if let (Some(order), Some(customer)) = (quotation, story.pipeline.opportunities[k].customer) {
                sales::confirm_entered(tx, &story.people.sales[0].clone(), order, true)?;
                story.tick();
                super::trade::adopt(story, order, customer);
            }
            Ok(())
        }
        Step::Lose(k) => {
            let ctx = rep(story, story.pipeline.opportunities[k].rep);
            crm::opportunity::close(tx, &ctx, opportunity(story, k)?, false, "价格高于竞争对手约 8%")?;
            story.tick();
            Ok(())
        }
    }
}

fn opportunity(story: &Story<'_>, k: usize) -> Result<OpportunityId> {
    story.pipeline.opportunities[k].id.ok_or_else(|| kernel::Error::internal("the demo's opportunity is missing"))
}

fn lead(tx: &mut Tx<'_>, story: &mut Story<'_>, i: usize) -> Result<()> {
    let ctx = rep(story, i);
    let place = &CITIES[(i * 3 + 5) % CITIES.len()];
    let (industry, need) = INDUSTRIES[i % INDUSTRIES.len()];
    let rng = &mut story.rng;
    let contact = names::person(rng.range(0, 99) as usize, rng.range(0, 99) as usize);
    let organization =
        format!("{}{}{}有限公司", place.city.trim_end_matches('市'), BRANDS[(i * 11 + 7) % BRANDS.len()], industry);
    let source = *rng.pick(&["web", "exhibition", "referral", "phone", "web", "exhibition"]);
    let input = LeadInput {
        contact_name: contact,
        organization: organization.clone(),
        email: Some(format!("lead{:02}@prospect{:02}.example.cn", i + 1, i + 1)),
        phone: Some(format!("13{}{:08}", rng.range(5, 9), rng.range(0, 99_999_999))),
        source: source.into(),
        industry: industry.into(),
        region: place.province.into(),
        size: (*rng.pick(&["small", "medium", "large"])).into(),
        note: format!("关注{need}，年需求约 {} 台", rng.range(5, 40) * 10),
        owner_id: None,
    };
    let created = crm::create_lead(tx, &ctx, story.vault, &input)?;
    let id = LeadId::parse(&created.lead.id)?;
    story.pipeline.leads[i] = Some(id);
    story.tick();
    let offset = story.offset(story.date());
    let follow_up = (!QUALIFIED.contains(&i) && !LOST_LEADS.iter().any(|(l, _)| *l == i)).then(|| {
        let days = story.rng.range(3, 10);
        format!("{}T10:00", iso(story.date() + Duration::days(days)))
    });
    activity(
        tx,
        story,
        &ctx,
        ActivityInput {
            kind: if source == "exhibition" { "meeting" } else { "call" }.into(),
            subject: format!("首次沟通：{need}"),
            outcome: "介绍 YE3 系列电机及 RV 减速机，客户要求报价资料".into(),
            next_step: "发送产品样本和价格区间".into(),
            lead_id: Some(id.to_string()),
            due_at: follow_up,
            ..Default::default()
        },
    )?;
    if QUALIFIED.contains(&i) && offset < 100 {
        let days = story.rng.range(5, 9);
        story.after(days, step(Step::Qualify(i)));
    } else if LOST_LEADS.iter().any(|(l, _)| *l == i) {
        let days = story.rng.range(6, 12);
        story.after(days, step(Step::LoseLead(i)));
    }
    Ok(())
}

fn qualify(tx: &mut Tx<'_>, story: &mut Story<'_>, i: usize) -> Result<()> {
    let ctx = rep(story, i);
    let k = QUALIFIED.iter().position(|q| *q == i).unwrap_or(0);
    let id = story.pipeline.leads[i].ok_or_else(|| kernel::Error::internal("the demo's lead is missing"))?;
    let (_, need) = INDUSTRIES[i % INDUSTRIES.len()];
    let revenue = story.rng.range(8, 60) * 10_000;
    let made = crm::qualify(
        tx,
        &ctx,
        story.vault,
        id,
        &QualifyInput {
            opportunity: Some(format!("{need}项目")),
            expected_revenue: Some(revenue.to_string()),
            expected_close: Some(iso(story.date() + Duration::days(75))),
            ..Default::default()
        },
    )?;
    story.pipeline.opportunities[k].id = Some(OpportunityId::parse(&made.id)?);
    story.pipeline.opportunities[k].rep = i;
    story.tick();
    plan_next(story, k, 0);
    Ok(())
}

fn direct(tx: &mut Tx<'_>, story: &mut Story<'_>, k: usize) -> Result<()> {
    let fitting: Vec<usize> = story
        .masters
        .customers
        .iter()
        .enumerate()
        .filter(|(i, c)| c.pays == Pays::OnTime && i % 5 == k % 5)
        .map(|(i, _)| i)
        .collect();
    let customer = if fitting.is_empty() { 0 } else { fitting[(k * 3) % fitting.len()] };
    let c = &story.masters.customers[customer];
    let (code, name, rep_index) = (c.code.clone(), c.name.clone(), c.rep);
    let ctx = rep(story, rep_index);
    let revenue = story.rng.range(10, 80) * 10_000;
    let made = crm::create_opportunity(
        tx,
        &ctx,
        &OpportunityInput {
            name: format!("{} 2027 年度电机采购", name.trim_end_matches("有限公司")),
            customer: Some(code),
            stage: Some(STAGES[0].into()),
            expected_revenue: Some(revenue.to_string()),
            expected_close: Some(iso(story.date() + Duration::days(60))),
            ..Default::default()
        },
        None,
    )?;
    let o = &mut story.pipeline.opportunities[k];
    o.id = Some(OpportunityId::parse(&made.id)?);
    o.customer = Some(customer);
    o.rep = rep_index;
    story.tick();
    plan_next(story, k, 0);
    Ok(())
}

/// After reaching `stage`: the next move, the quotation that wins, or the loss.
fn plan_next(story: &mut Story<'_>, k: usize, stage: usize) {
    let days = story.rng.range(6, 12);
    let next = match GOALS[k] {
        Goal::Stage(goal) if stage < goal => Step::Move(k, stage + 1),
        Goal::Won if stage < 3 => Step::Move(k, stage + 1),
        Goal::Won => Step::Quote(k),
        Goal::Lost if stage < 2 => Step::Move(k, stage + 1),
        Goal::Lost => Step::Lose(k),
        Goal::Stage(_) => return,
    };
    story.after(days, step(next));
}

fn advance(tx: &mut Tx<'_>, story: &mut Story<'_>, k: usize, stage: usize) -> Result<()> {
    let ctx = rep(story, story.pipeline.opportunities[k].rep);
    let id = opportunity(story, k)?;
    crm::opportunity::move_stage(tx, &ctx, id, &MoveInput { stage: STAGES[stage].into(), version: None })?;
    story.tick();
    let (kind, subject, outcome) = match stage {
        1 => ("visit", "上门拜访，确认工况", "确认负载、转速和安装方式"),
        2 => ("email", "发送技术方案和报价", "客户技术部在评估"),
        3 => ("meeting", "商务谈判", "客户希望账期 60 天、价格再降 3%"),
        _ => ("wechat", "确认合同条款", "客户法务审核合同中"),
    };
    let last = matches!(GOALS[k], Goal::Stage(goal) if goal == stage);
    let due = last.then(|| format!("{}T14:00", iso(story.date() + Duration::days(7))));
    activity(
        tx,
        story,
        &ctx,
        ActivityInput {
            kind: kind.into(),
            subject: subject.into(),
            outcome: outcome.into(),
            next_step: if last { "下周回访，推进下一阶段".into() } else { String::new() },
            opportunity_id: Some(id.to_string()),
            due_at: due,
            ..Default::default()
        },
    )?;
    plan_next(story, k, stage);
    Ok(())
}

/// The quotation of an opportunity to be won: motors and reducers for the project.
fn quote(tx: &mut Tx<'_>, story: &mut Story<'_>, k: usize) -> Result<()> {
    let ctx = rep(story, story.pipeline.opportunities[k].rep);
    let id = opportunity(story, k)?;
    let rng = &mut story.rng;
    let lines = vec![
        sales::OrderLineInput {
            product: "FG-YE3-112M4".into(),
            quantity: rng.range(4, 10).to_string(),
            discount: Some("3".into()),
            ..Default::default()
        },
        sales::OrderLineInput {
            product: "FG-RV63".into(),
            quantity: rng.range(4, 10).to_string(),
            ..Default::default()
        },
        sales::OrderLineInput { product: "SV-INST".into(), quantity: "8".into(), ..Default::default() },
    ];
    let valid_until = Some(iso(story.date() + Duration::days(30)));
    let order =
        crm::opportunity::create_quotation(tx, &ctx, id, &QuotationInput { lines, valid_until, note: String::new() })?;
    story.pipeline.opportunities[k].quotation = Some(order.id);
    story.tick();
    let days = story.rng.range(3, 6);
    story.after(days, step(Step::Win(k)));
    Ok(())
}
