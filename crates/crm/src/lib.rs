//! CRM (layer 4), inside the ERP: leads with their duplicate check and qualification, the
//! opportunity pipeline with configurable stages and a kanban board, activities and
//! communication records on the customer's timeline with follow-up reminders, the customer 360
//! view, and the pipeline reports and forecast.
//!
//! Reads and writes the same customers (`party`), quotations and orders (`sales`), invoices and
//! balances (`ledger`) as everyone else — no copies, no synchronisation. Calls `party`, `sales`,
//! `ledger` and `office` (notifications) directly; reacts to `sales::OrderConfirmed` (the
//! opportunity it was quoted from is won), as listed in `wiring.rs`.

pub mod activity;
pub mod contract;
pub mod customer360;
pub mod import;
pub mod lead;
pub mod lifecycle;
pub mod opportunity;
pub mod permissions;
pub mod pipeline;
pub mod scoring;
pub mod stage;
pub mod team;

pub use activity::{Activity, ActivityId, ActivityInput, complete_activity, record_activity};
pub use lead::{Lead, LeadId, LeadInput, QualifyInput, create_lead, get_lead, qualify};
pub use opportunity::{Opportunity, OpportunityId, OpportunityInput, create_opportunity, get_opportunity};

pub const MIGRATIONS: kernel::db::ModuleMigrations =
    kernel::db::ModuleMigrations { module: "crm", migrations: &[kernel::migration!(20261127140000, "crm")] };

pub const MESSAGES: &[kernel::i18n::Message] = &[
    kernel::msg!("crm.required", "必填", "Required"),
    kernel::msg!("crm.email_invalid", "邮箱地址无效", "Invalid email address"),
    kernel::msg!("crm.contact_required", "请留下电话或邮箱", "Leave a phone number or an email address"),
    kernel::msg!("crm.owner_unknown", "负责人不是本公司用户", "The owner is not a user of this company"),
    kernel::msg!("crm.lead_not_found", "线索不存在", "Lead not found"),
    kernel::msg!("crm.lead_state", "线索状态（{state}）不允许该操作", "Not allowed for a lead in state {state}"),
    kernel::msg!("crm.customer_unknown", "客户不存在", "Unknown customer"),
    kernel::msg!("crm.customer_not_found", "客户不存在", "Customer not found"),
    kernel::msg!("crm.customer_required", "请先为商机指定客户", "The opportunity needs a customer first"),
    kernel::msg!("crm.stage_unknown", "销售阶段不存在", "Unknown stage"),
    kernel::msg!("crm.percent_invalid", "应为 0 到 100 之间的百分数", "A percentage from 0 to 100"),
    kernel::msg!("crm.amount_invalid", "金额无效", "Invalid amount"),
    kernel::msg!("crm.date_invalid", "日期无效（YYYY-MM-DD）", "Invalid date (YYYY-MM-DD)"),
    kernel::msg!("crm.opportunity_not_found", "商机不存在", "Opportunity not found"),
    kernel::msg!("crm.opportunity_closed", "商机已{state}，不能再修改", "The opportunity is {state} and cannot change"),
    kernel::msg!(
        "crm.opportunity_changed",
        "商机已被他人修改，请刷新后重试",
        "The opportunity was changed meanwhile; reload and try again"
    ),
    kernel::msg!("crm.reason_required", "请填写原因", "A reason is required"),
    kernel::msg!(
        "crm.activity_kind_invalid",
        "类型应为 电话、拜访、会议、邮件、微信 或 备注",
        "The kind is call, visit, meeting, email, wechat or note"
    ),
    kernel::msg!(
        "crm.activity_subject_required",
        "请选择客户、线索或商机",
        "Choose the customer, lead or opportunity it is about"
    ),
    kernel::msg!("crm.activity_not_found", "跟进记录不存在", "Activity not found"),
    kernel::msg!("crm.activity_done", "该跟进已完成", "This follow-up is already done"),
    kernel::msg!("crm.contract_not_found", "合同不存在", "Contract not found"),
    kernel::msg!(
        "crm.contract_state",
        "合同状态（{state}）不允许该操作",
        "Not allowed for a contract in state {state}"
    ),
    kernel::msg!("crm.end_before_start", "结束日期早于开始日期", "The end is before the start"),
    kernel::msg!(
        "crm.milestone_invalid",
        "付款节点需要名称、日期和金额",
        "A milestone needs a name, a date and an amount"
    ),
    kernel::msg!(
        "crm.milestones_sum",
        "付款节点金额之和应等于合同金额",
        "The milestones add up to the contract's amount"
    ),
    kernel::msg!("crm.milestone_not_found", "付款节点不存在", "Milestone not found"),
    kernel::msg!("crm.invoice_not_customers", "发票不属于该合同的客户", "The invoice is not the contract customer's"),
    kernel::msg!("crm.thresholds_invalid", "天数应为正数，且流失天数大于活跃天数", "Positive days, churn after active"),
    kernel::msg!("crm.satisfaction_kind_invalid", "类型应为 csat 或 nps", "The kind is csat or nps"),
    kernel::msg!("crm.score_out_of_range", "分值超出范围（CSAT 1–5，NPS 0–10）", "Out of range (CSAT 1–5, NPS 0–10)"),
    kernel::msg!("crm.team_not_found", "销售团队不存在", "Sales team not found"),
    kernel::msg!(
        "crm.rule_kind_invalid",
        "规则类型应为 round_robin（轮流）、region（地区）或 industry（行业）",
        "The kind is round_robin, region or industry"
    ),
    kernel::msg!("crm.too_many_requests", "提交过于频繁，请稍后再试", "Too many submissions; try again later"),
];
pub use lead::LEAD_SEARCH;
pub use opportunity::OPPORTUNITY_SEARCH;
