//! The demo company's tasks on the office board: a dozen pieces of work of its people, from the
//! supplier file set up in the first week (done) to the month-end check and the follow-ups of
//! the quality problems and the blocked bill (in progress or still to do), each moved through
//! the board's stages as the story goes.

use kernel::db::Tx;
use kernel::{Ctx, Result};
use office::{NewTask, TaskAction, TaskId};
use time::Duration;

use super::{Step as StoryStep, Story, iso};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reach {
    Todo,
    Doing,
    Review,
    Done,
}

#[derive(Clone, Copy)]
enum Who {
    SalesManager,
    Sales,
    Buyer,
    Warehouse,
    Production,
    Accountant,
}

/// Day (a negative day counts back from the last), title, description, who, days to the due
/// date, hours estimated, how far it gets.
const TASKS: &[(i64, &str, &str, Who, i64, &str, Reach)] = &[
    (3, "建立供应商评审档案", "按 ISO 9001 要求整理 20 家供应商的资质、样品和评分", Who::Buyer, 14, "12", Reach::Done),
    (10, "ISO 9001 内部审核准备", "生产、仓库、采购三个过程的内审检查表", Who::Production, 30, "16", Reach::Done),
    (35, "YE3 系列样本册更新（2027 版）", "补充 IE3 能效数据和安装尺寸图", Who::SalesManager, 20, "10", Reach::Review),
    (60, "上海成品仓季度盘点", "成品按批次逐一盘点，差异报财务", Who::Warehouse, 40, "6", Reach::Todo),
    (70, "数控加工中心保养计划", "主轴润滑、导轨清洁，停机窗口安排在周六", Who::Production, 10, "4", Reach::Review),
    (
        80,
        "铜线来料不合格：要求供应商提交 8D 报告",
        "击穿电压低于 3000V，已让步接收一批",
        Who::Buyer,
        10,
        "3",
        Reach::Doing,
    ),
    (90, "第三季度客户满意度回访", "电话回访全部 A 级客户并记录到客户跟进", Who::Sales, 15, "8", Reach::Done),
    (
        104,
        "YE3-112M 首件检验不合格原因分析",
        "温升超标、绝缘电阻偏低：排查浸漆工艺和绕组",
        Who::Production,
        7,
        "6",
        Reach::Doing,
    ),
    (108, "处理三单不符的供应商发票", "发票数量多于实收数量，联系供应商红冲或补货", Who::Buyer, 5, "2", Reach::Todo),
    (112, "2027 年度销售价格表", "铜价上涨，评估电机调价 3%–5%", Who::SalesManager, 25, "6", Reach::Todo),
    (
        -4,
        "上月结账：核对存货与总账、往来对账",
        "库存商品、生产成本与存货报表核对；应收应付与客户供应商对账",
        Who::Accountant,
        5,
        "8",
        Reach::Doing,
    ),
];

#[derive(Default)]
pub struct State {
    ids: Vec<Option<TaskId>>,
}

#[derive(Debug)]
pub enum Step {
    Create(usize),
    Act(usize, TaskAction),
}

fn step(s: Step) -> StoryStep {
    StoryStep::Tasks(s)
}

pub fn plan(story: &mut Story<'_>) {
    for (i, (day, ..)) in TASKS.iter().enumerate() {
        let date = if *day < 0 { story.last + Duration::days(*day) } else { story.day(*day) };
        story.at(date, step(Step::Create(i)));
    }
}

fn who(story: &Story<'_>, who: Who) -> Ctx {
    let people = &story.people;
    match who {
        Who::SalesManager => people.sales[0].clone(),
        Who::Sales => people.sales[1].clone(),
        Who::Buyer => people.buyer.clone(),
        Who::Warehouse => people.warehouse.clone(),
        Who::Production => people.production.clone(),
        Who::Accountant => people.accountant.clone(),
    }
}

fn task_id(story: &Story<'_>, i: usize) -> Result<TaskId> {
    story.tasks.ids.get(i).copied().flatten().ok_or_else(|| kernel::Error::internal("the demo's task is missing"))
}

pub fn run(tx: &mut Tx<'_>, story: &mut Story<'_>, s: Step) -> Result<()> {
    match s {
        Step::Create(i) => {
            let (_, title, description, assignee, due, hours, reach) = TASKS[i];
            let owner = who(story, assignee);
            let task = office::create_task(
                tx,
                &story.people.admin.clone(),
                &NewTask {
                    title: title.into(),
                    description: description.into(),
                    assignee_id: owner.actor().user().map(|u| u.to_string()),
                    due_date: Some(iso(story.date() + Duration::days(due))),
                    estimate_hours: Some(hours.parse()?),
                },
            )?;
            if story.tasks.ids.len() <= i {
                story.tasks.ids.resize(i + 1, None);
            }
            story.tasks.ids[i] = Some(task.id);
            story.tick();
            if reach > Reach::Todo {
                let days = story.rng.range(0, 2);
                story.after(days, step(Step::Act(i, TaskAction::Start)));
            }
            Ok(())
        }
        Step::Act(i, action) => {
            let (.., assignee, _, _, reach) = TASKS[i];
            let ctx = if action == TaskAction::Approve { story.people.admin.clone() } else { who(story, assignee) };
            office::act(tx, &ctx, task_id(story, i)?, action)?;
            story.tick();
            let next = match action {
                TaskAction::Start if reach > Reach::Doing => Some((TaskAction::Submit, story.rng.range(3, 8))),
                TaskAction::Submit if reach > Reach::Review => Some((TaskAction::Approve, story.rng.range(1, 3))),
                _ => None,
            };
            if let Some((action, days)) = next {
                story.after(days, step(Step::Act(i, action)));
            }
            Ok(())
        }
    }
}
