//! Purchasing (layer 3): requisitions by hand or from the reorder suggestions, requests for
//! quotation to several suppliers with a comparison table, purchase orders priced from the
//! supplier price lists, receipts through the warehouse at the order price (暂估), vendor bills
//! with the three-way match that blocks payment outside the tolerances, and returns to supplier.
//!
//! Calls `party`, `product`, `inventory` and `ledger`; reacts to `inventory::StockDocumentDone`
//! (received, returned) and `ledger::DocumentSettled` (paid, or refused while blocked);
//! publishes `BillPosted` (all listed in `wiring.rs`).

pub mod bill;
pub mod events;
pub mod order;
pub mod permissions;
pub mod receipt;
pub mod requisition;
pub mod rfq;

pub use bill::{
    BILL_LIST, Bill, BillId, BillRequest, Tolerances, bill_order, book_bill, draw_bill, get_bill, list_bills,
    post_bill, release_bill,
};
pub use events::{BillPosted, InputTax, RequisitionOrdered};
pub use order::{
    PURCHASE_LIST, PurchaseAction, PurchaseLineInput, PurchaseOrder, PurchaseOrderId, PurchaseOrderInput,
    PurchaseState, cancel_order, confirm_entered, confirm_order, create_order, enter_order, get_order, list_orders,
};
pub use receipt::{SupplierReturnInput, return_to_supplier};
pub use requisition::{Requisition, RequisitionId, RequisitionInput};
pub use rfq::{Rfq, RfqId, RfqInput};

pub const MIGRATIONS: kernel::db::ModuleMigrations = kernel::db::ModuleMigrations {
    module: "purchasing",
    migrations: &[kernel::migration!(20261127090000, "purchasing")],
};

pub const MESSAGES: &[kernel::i18n::Message] = &[
    kernel::msg!("purchasing.order_empty", "至少需要一行", "At least one line is needed"),
    kernel::msg!("purchasing.supplier_unknown", "供应商不存在", "Unknown supplier"),
    kernel::msg!("purchasing.supplier_missing", "请选择供应商", "Choose a supplier"),
    kernel::msg!("purchasing.supplier_not_asked", "未向该供应商询价", "This supplier was not asked"),
    kernel::msg!("purchasing.product_unknown", "产品不存在", "Unknown product"),
    kernel::msg!("purchasing.quantity_invalid", "数量应为正数（最多 4 位小数）", "The quantity is a positive number"),
    kernel::msg!("purchasing.tax_unknown", "税率代码不存在", "Unknown tax code"),
    kernel::msg!("purchasing.price_invalid", "单价无效", "Invalid unit price"),
    kernel::msg!(
        "purchasing.price_missing",
        "该供应商没有此产品的价格，请填写单价",
        "The supplier has no price for this product: give one"
    ),
    kernel::msg!("purchasing.currency_unknown", "币种不存在", "Unknown currency"),
    kernel::msg!("purchasing.order_not_found", "采购订单不存在", "Purchase order not found"),
    kernel::msg!("purchasing.order_changed", "订单已被他人修改，请刷新后重试", "The order was changed meanwhile"),
    kernel::msg!(
        "purchasing.order_state",
        "订单状态（{state}）不允许“{action}”",
        "Not allowed in state {state}: {action}"
    ),
    kernel::msg!("purchasing.order_received", "已有到货，不能取消；请办理退货", "Goods came in: return them instead"),
    kernel::msg!("purchasing.order_billed", "已登记发票，不能取消", "Billed: it cannot be cancelled"),
    kernel::msg!("purchasing.return_empty", "请填写退货行", "Which lines go back?"),
    kernel::msg!("purchasing.line_unknown", "订单行不存在", "Unknown order line"),
    kernel::msg!(
        "purchasing.return_too_much",
        "退货数量超过已收货数量（最多 {max}）",
        "More than was received (at most {max})"
    ),
    kernel::msg!("purchasing.tolerance_invalid", "容差应在 0 到 10000 个基点之间", "0 to 10,000 basis points"),
    kernel::msg!("purchasing.draft_bill_exists", "该订单已有草稿发票，请先过账或作废", "The order has a draft bill"),
    kernel::msg!("purchasing.nothing_to_bill", "没有可开票的数量", "Nothing to bill"),
    kernel::msg!("purchasing.bill_not_found", "供应商发票不存在", "Bill not found"),
    kernel::msg!("purchasing.bill_changed", "发票已被他人修改，请刷新后重试", "The bill was changed meanwhile"),
    kernel::msg!(
        "purchasing.bill_state",
        "发票状态（{state}）不允许“{action}”",
        "Not allowed in state {state}: {action}"
    ),
    kernel::msg!(
        "purchasing.bill_blocked",
        "发票 {bill} 三单不符，付款已冻结，需先放行",
        "Bill {bill} failed the three-way match: release it before paying"
    ),
    kernel::msg!("purchasing.requisition_not_found", "请购单不存在", "Requisition not found"),
    kernel::msg!("purchasing.requisition_state", "请购单状态（{state}）不允许该操作", "Not allowed in state {state}"),
    kernel::msg!("purchasing.nothing_to_reorder", "目前没有需要补货的产品", "Nothing needs reordering"),
    kernel::msg!("purchasing.rfq_not_found", "询价单不存在", "Request for quotation not found"),
    kernel::msg!("purchasing.rfq_state", "询价单状态（{state}）不允许该操作", "Not allowed in state {state}"),
    kernel::msg!(
        "purchasing.quote_missing",
        "所选供应商未对该行报价",
        "No quote from the chosen supplier for this line"
    ),
];
pub use bill::BILL_SEARCH;
pub use order::PURCHASE_SEARCH;
