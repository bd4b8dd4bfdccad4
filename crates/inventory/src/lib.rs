//! Inventory and warehouse (layer 2): warehouses with location trees and virtual locations,
//! stock documents whose every quantity change is a move between two locations, lots and
//! serials with FEFO, reservations that never oversell, stock counts, perpetual valuation
//! (moving average or FIFO) and the 进销存 reports.
//!
//! Calls the kernel and `product`; publishes `StockMoved` and `StockRevalued` for the ledger,
//! sales and purchasing; reacts to `CompanyCreated` by creating a company's locations.

pub mod count;
pub mod events;
pub mod invariants;
pub mod location;
pub mod lookup;
pub mod lot;
pub mod opening;
pub mod permissions;
pub mod picking;
pub mod planning;
pub mod reactions;
pub mod reorder;
pub mod report;
pub mod stock;
pub mod valuation;

pub use count::{CountInput, CountLineInput, create_count};
pub use events::{MovedQuantity, StockDocumentDone, StockMoved, StockRevalued, ValuedFlow};
pub use location::{
    Location, LocationId, LocationInput, LocationKind, Warehouse, WarehouseInput, create_location, create_warehouse,
    list_locations, list_warehouses, location_by_path,
};
pub use picking::{
    MoveInput, PICKING_LIST, Picking, PickingAction, PickingId, PickingInput, PickingKind, PickingState, Processed,
    ValidateInput, Validated, ValidatedIds, cancel, confirm, confirm_only, create_picking, get_picking, list_pickings,
    open_picking, pickings_of_origin, reserve, unreserve, validate, validate_only, validated_view,
};

pub const MIGRATIONS: kernel::db::ModuleMigrations = kernel::db::ModuleMigrations {
    module: "inventory",
    migrations: &[
        kernel::migration!(20261127030000, "inventory"),
        kernel::migration!(20261127210000, "lot_hold"),
        kernel::migration!(20261128140000, "lot_code"),
        kernel::migration!(20261207010100, "opening_stock"),
    ],
};

pub const MESSAGES: &[kernel::i18n::Message] = &[
    kernel::msg!(
        "inventory.opening_placed",
        "初始化已结束，期初库存已入库，不能再修改",
        "Initialisation has ended: the opening stock is in and locked"
    ),
    kernel::msg!(
        "inventory.opening_not_stockable",
        "只有库存商品有期初库存",
        "Only stocked products have opening stock"
    ),
    kernel::msg!(
        "inventory.opening_cost_invalid",
        "单位成本应为不小于零的金额",
        "The unit cost is an amount, zero or more"
    ),
    kernel::msg!("inventory.opening_not_found", "期初库存行不存在", "Opening stock line not found"),
    kernel::msg!(
        "inventory.opening_moved",
        "期初库存已被出库或移动，不能反初始化",
        "The opening stock has moved since: initialisation cannot be reopened"
    ),
    kernel::msg!(
        "inventory.location_code_invalid",
        "编码不能为空，最多 40 个字符，不能含 /",
        "The code must be 1 to 40 characters without /"
    ),
    kernel::msg!("inventory.location_exists", "库位 {path} 已存在", "Location {path} already exists"),
    kernel::msg!("inventory.location_unknown", "库位不存在：{path}", "Unknown location: {path}"),
    kernel::msg!(
        "inventory.location_kind_fixed",
        "只能新建内部库位或视图库位",
        "Only internal or view locations can be added"
    ),
    kernel::msg!(
        "inventory.location_not_in_warehouse",
        "上级库位不属于任何仓库",
        "The parent location is not in a warehouse"
    ),
    kernel::msg!("inventory.name_required", "请填写名称", "A name is required"),
    kernel::msg!("inventory.no_warehouse", "尚未建立仓库", "There is no warehouse yet"),
    kernel::msg!("inventory.product_unknown", "产品不存在：{product}", "Unknown product: {product}"),
    kernel::msg!("inventory.product_not_stockable", "该产品不是库存商品", "This product is not stockable"),
    kernel::msg!(
        "inventory.product_not_tracked",
        "该产品不按批次/序列号管理",
        "This product is not tracked by lot or serial"
    ),
    kernel::msg!(
        "inventory.quantity_invalid",
        "数量应为大于 0 的数，最多 4 位小数",
        "The quantity must be greater than 0 with up to 4 decimals"
    ),
    kernel::msg!(
        "inventory.unit_cost_invalid",
        "单位成本应为不小于 0 的数",
        "The unit cost must be a number of at least 0"
    ),
    kernel::msg!("inventory.date_invalid", "日期无效（YYYY-MM-DD）", "Invalid date (YYYY-MM-DD)"),
    kernel::msg!(
        "inventory.period_invalid",
        "结束日期不能早于开始日期",
        "The end date cannot be before the start date"
    ),
    kernel::msg!("inventory.lot_invalid", "批次号不能为空，最多 80 个字符", "The lot must be 1 to 80 characters"),
    kernel::msg!("inventory.lot_unknown", "批次/序列号不存在", "Unknown lot or serial number"),
    kernel::msg!("inventory.lot_required", "{product} 需要批次/序列号", "{product} needs a lot or serial number"),
    kernel::msg!(
        "inventory.serial_quantity",
        "{product} 按序列号管理：每个序列号数量为 1",
        "{product} is tracked by serial: one unit per serial number"
    ),
    kernel::msg!("inventory.serial_in_stock", "该序列号已在库存中", "This serial number is already in stock"),
    kernel::msg!("inventory.same_location", "来源库位与目标库位相同", "The source and destination are the same"),
    kernel::msg!("inventory.view_location", "视图库位不能存放货物", "A view location cannot hold goods"),
    kernel::msg!("inventory.no_lines", "请至少添加一行", "Add at least one line"),
    kernel::msg!("inventory.count_has_own_form", "盘点请使用盘点单", "Use a stock count for counting"),
    kernel::msg!("inventory.count_location_internal", "只能盘点内部库位", "Only internal locations can be counted"),
    kernel::msg!(
        "inventory.transit_target_invalid",
        "调拨目标应为另一仓库的内部库位",
        "The destination must be an internal location of another warehouse"
    ),
    kernel::msg!(
        "inventory.insufficient_stock",
        "库存不足：{product} 在 {location}",
        "Insufficient stock of {product} at {location}"
    ),
    kernel::msg!(
        "inventory.action_not_allowed",
        "当前状态（{state}）不允许该操作（{action}）",
        "Not allowed in state {state}: {action}"
    ),
    kernel::msg!(
        "inventory.picking_changed",
        "单据已被他人修改，请刷新后重试",
        "The document was changed meanwhile; reload and try again"
    ),
    kernel::msg!("inventory.picking_not_found", "库存单据不存在", "Stock document not found"),
    kernel::msg!("inventory.move_unknown", "该行不属于此单据", "This line is not part of the document"),
    kernel::msg!(
        "inventory.processed_too_much",
        "{product} 的处理数量超过需求数量",
        "More of {product} processed than asked for"
    ),
    kernel::msg!("inventory.nothing_processed", "没有处理任何数量", "Nothing was processed"),
    kernel::msg!(
        "inventory.reorder_max_below_min",
        "最大库存不能小于最小库存",
        "The maximum cannot be below the minimum"
    ),
];
pub use picking::PICKING_SEARCH;
