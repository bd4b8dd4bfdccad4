//! Production and MES (layer 3) — first part: bills of materials in versions (multi-level,
//! scrap factors, phantom kits, by-products) with explosion and where-used; work centers with
//! capacity, shift calendar and rates; routings of operations; the cost roll-up from materials
//! and operations; and work orders with material issue, job reporting (报工) and finished-goods
//! receipt. Quality, traceability, MRP and labour costing build on these.
//!
//! Calls `product` (items) and `inventory` (stock documents for issues and receipts, stock
//! valuation for costing); emits no events yet — its stock documents post to the ledger.

pub mod board;
pub mod bom;
pub mod bulk;
pub mod costing;
pub mod events;
pub mod explode;
pub mod mrp;
pub mod permissions;
pub mod quality;
pub mod routing;
pub mod shop_floor;
pub mod trace;
pub mod work_order;
pub mod work_order_history;

pub use bom::{Bom, BomId, BomInput, create_bom, get_bom};
pub use explode::{Explosion, explode, where_used};
pub use shop_floor::SHOP_MESSAGES;

pub const MIGRATIONS: kernel::db::ModuleMigrations = kernel::db::ModuleMigrations {
    module: "production",
    migrations: &[
        kernel::migration!(20261127160000, "production"),
        kernel::migration!(20261127170000, "work_orders"),
        kernel::migration!(20261127180000, "traceability"),
        kernel::migration!(20261127190000, "labour_cost"),
        kernel::migration!(20261127200000, "quality"),
        kernel::migration!(20261128100000, "shop_floor"),
        kernel::migration!(20261128120000, "mrp"),
        kernel::migration!(20261128130000, "work_order_costs"),
        kernel::migration!(20261128150000, "trace_index"),
    ],
};

pub const MESSAGES: &[kernel::i18n::Message] = &[
    kernel::msg!("production.required", "必填", "Required"),
    kernel::msg!(
        "production.quantity_invalid",
        "数量应为正数（最多 4 位小数）",
        "A positive quantity (up to 4 decimals)"
    ),
    kernel::msg!("production.percent_invalid", "应为 0 到 1000 之间的百分数", "A percentage from 0 to 1000"),
    kernel::msg!("production.amount_invalid", "金额无效", "Invalid amount"),
    kernel::msg!("production.date_invalid", "日期无效（YYYY-MM-DD）", "Invalid date (YYYY-MM-DD)"),
    kernel::msg!("production.product_unknown", "产品不存在：{product}", "Unknown product: {product}"),
    kernel::msg!(
        "production.bom_kind_invalid",
        "类型应为 normal（普通）或 phantom（虚拟件）",
        "The kind is normal or phantom"
    ),
    kernel::msg!("production.validity_invalid", "失效日期早于生效日期", "Valid to is before valid from"),
    kernel::msg!("production.bom_empty", "物料清单至少需要一行", "A BOM needs at least one line"),
    kernel::msg!("production.bom_cycle", "物料清单不能（间接）包含产品自身", "A BOM cannot contain its own product"),
    kernel::msg!("production.bom_code_taken", "该产品已有此版本号", "This product already has this version"),
    kernel::msg!("production.bom_not_found", "物料清单不存在", "BOM not found"),
    kernel::msg!("production.no_bom", "该产品在此日期没有有效的物料清单", "The product has no BOM valid on that date"),
    kernel::msg!(
        "production.working_days_invalid",
        "工作日应为 7 位 0/1（周一在前）",
        "Seven 0/1 digits, Monday first"
    ),
    kernel::msg!("production.capacity_invalid", "产能或每日工时无效", "Invalid capacity or hours per day"),
    kernel::msg!("production.work_center_unknown", "工作中心不存在：{code}", "Unknown work center: {code}"),
    kernel::msg!("production.routing_empty", "工艺路线至少需要一道工序", "A routing needs at least one operation"),
    kernel::msg!("production.routing_not_found", "工艺路线不存在", "Routing not found"),
    kernel::msg!("production.lot_unknown", "批次不存在", "Unknown lot"),
    kernel::msg!(
        "production.serial_whole_units",
        "按序列号管理的产品只能按整数入库",
        "A product tracked by serial number is received in whole units"
    ),
    kernel::msg!(
        "production.serial_count",
        "序列号数量（{given}）与入库数量（{expected}）不一致",
        "{given} serial numbers for {expected} units"
    ),
    kernel::msg!("production.serial_repeated", "序列号重复：{serial}", "Serial number given twice: {serial}"),
    kernel::msg!(
        "production.serials_not_tracked",
        "该产品不按序列号管理，不能填写序列号",
        "The product is not tracked by serial number"
    ),
    kernel::msg!(
        "production.inspection_kind_invalid",
        "检验类型应为 iqc、first（首检）、patrol（巡检）、fqc 或 oqc",
        "The kind is iqc, first, patrol, fqc or oqc"
    ),
    kernel::msg!("production.limits_invalid", "下限大于上限", "The lower limit is above the upper"),
    kernel::msg!("production.plan_unknown", "检验方案不存在", "Unknown inspection plan"),
    kernel::msg!("production.value_missing", "缺少检验项目“{name}”的测量值", "No value for {name}"),
    kernel::msg!("production.nonconformance_not_found", "不合格品记录不存在", "Nonconformance not found"),
    kernel::msg!("production.nonconformance_disposed", "该不合格品已处置", "Already disposed of"),
    kernel::msg!(
        "production.disposition_invalid",
        "处置应为 rework（返工）、scrap（报废）或 concession（让步接收）",
        "The disposition is rework, scrap or concession"
    ),
    kernel::msg!(
        "production.first_article_required",
        "首检合格前不能报合格数量",
        "No good quantity before a first-article inspection has passed"
    ),
    kernel::msg!("production.times_invalid", "结束时间早于开始时间", "The end is before the start"),
    kernel::msg!("production.direction_invalid", "方向应为 backward（反向）或 forward（正向）", "backward or forward"),
    kernel::msg!("production.work_order_not_found", "生产工单不存在", "Work order not found"),
    kernel::msg!(
        "production.work_order_state",
        "工单状态（{state}）不允许该操作",
        "Not allowed for a work order in state {state}"
    ),
    kernel::msg!("production.nothing_to_issue", "计划物料已全部领出", "Every planned material is issued"),
    kernel::msg!("production.defect_reason_required", "有报废时请填写不良原因", "Give the defect reason of the scrap"),
    kernel::msg!("production.operation_unknown", "工单没有该工序", "The work order has no such operation"),
    kernel::msg!(
        "production.more_than_passed",
        "超过上道工序的合格数量（可用 {available}）",
        "More than the previous step passed ({available} available)"
    ),
    kernel::msg!(
        "production.procurement_invalid",
        "获取方式应为 make（自制）、buy（采购）或留空",
        "The procurement is make, buy or empty"
    ),
    kernel::msg!(
        "production.lot_policy_invalid",
        "批量规则应为 lot_for_lot（按需）、fixed（固定批量）、minimum（最小批量）或 multiple（倍数）",
        "The lot policy is lot_for_lot, fixed, minimum or multiple"
    ),
    kernel::msg!("production.lead_days_invalid", "提前期应为 0 到 3650 天", "Lead time from 0 to 3650 days"),
    kernel::msg!("production.forecast_not_found", "预测不存在", "Forecast not found"),
    kernel::msg!(
        "production.planned_order_not_found",
        "计划订单不存在或已确认",
        "Planned order not found or already confirmed"
    ),
];
