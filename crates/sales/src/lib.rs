//! Sales (layer 3): quotations with their validity, sales orders whose confirmation checks the
//! credit limit and reserves stock, deliveries and returns through the warehouse, invoices and
//! credit notes that the ledger books, and payments that mark them paid.
//!
//! Calls `party`, `product`, `inventory` and `ledger` directly inside the business transaction;
//! reacts to `inventory::StockDocumentDone` (delivered, returned) and `ledger::DocumentSettled`
//! (paid); publishes `OrderConfirmed` and `InvoicePosted` (all listed in `wiring.rs`).

pub mod confirm;
pub mod customer;
pub mod delivery;
pub mod events;
pub mod invoice;
pub mod order;
pub mod permissions;
pub mod vat_report;

pub use confirm::{cancel_order, confirm_entered, confirm_order, remaining_credit};
pub use delivery::{ReturnInput, ReturnLineInput, create_return};
pub use events::{InvoicePosted, OrderConfirmed, TaxAmounts};
pub use invoice::{
    EInvoiceInput, INVOICE_LIST, Invoice, InvoiceBasis, InvoiceId, InvoiceRequest, book_invoice, cancel_invoice,
    draw_invoice, get_invoice, invoice_order, list_invoices, post_invoice, set_einvoice,
};
pub use order::{
    ORDER_LIST, OrderAction, OrderId, OrderInput, OrderLineInput, OrderState, SalesOrder, create_order, enter_order,
    get_order, list_orders, send_quotation, update_order,
};

pub const MIGRATIONS: kernel::db::ModuleMigrations = kernel::db::ModuleMigrations {
    module: "sales",
    migrations: &[kernel::migration!(20261127080000, "sales"), kernel::migration!(20261127150000, "customer_history")],
};

pub const MESSAGES: &[kernel::i18n::Message] = &[
    kernel::msg!(
        "sales.quotation_expired",
        "报价已于 {date} 过期，请更新有效期或价格后再确认",
        "The quotation expired on {date}: update it before confirming"
    ),
    kernel::msg!("sales.email_invalid", "邮箱地址无效", "Invalid email address"),
    kernel::msg!("sales.order_empty", "订单至少需要一行", "An order needs at least one line"),
    kernel::msg!("sales.customer_unknown", "客户不存在", "Unknown customer"),
    kernel::msg!("sales.product_unknown", "产品不存在", "Unknown product"),
    kernel::msg!("sales.quantity_invalid", "数量应为正数（最多 4 位小数）", "The quantity is a positive number"),
    kernel::msg!(
        "sales.discount_invalid",
        "折扣应为 0 到 100 之间的百分数",
        "The discount is a percentage from 0 to 100"
    ),
    kernel::msg!("sales.tax_unknown", "税率代码不存在", "Unknown tax code"),
    kernel::msg!("sales.price_invalid", "单价无效", "Invalid unit price"),
    kernel::msg!("sales.currency_unknown", "币种不存在", "Unknown currency"),
    kernel::msg!("sales.salesperson_unknown", "销售员不是本公司用户", "The salesperson is not a user of this company"),
    kernel::msg!(
        "sales.salesperson_not_own",
        "您只能管理自己的订单，不能指定其他销售员",
        "You handle only your own orders and cannot name another salesperson"
    ),
    kernel::msg!("sales.order_not_found", "销售订单不存在", "Sales order not found"),
    kernel::msg!(
        "sales.order_changed",
        "订单已被他人修改，请刷新后重试",
        "The order was changed meanwhile; reload and try again"
    ),
    kernel::msg!("sales.order_state", "订单状态（{state}）不允许“{action}”", "Not allowed in state {state}: {action}"),
    kernel::msg!(
        "sales.credit_limit_exceeded",
        "超出客户信用额度：额度 {limit}，确认后占用 {exposure}；需有超额放行权限",
        "Over the credit limit {limit} (would be {exposure}); needs the credit override permission"
    ),
    kernel::msg!("sales.order_delivered", "已有出库，不能取消；请办理退货", "Goods have left: return them instead"),
    kernel::msg!("sales.order_invoiced", "已开票，不能取消；请开红字发票", "Invoiced: issue a credit note instead"),
    kernel::msg!("sales.nothing_to_invoice", "没有可开票的数量", "Nothing to invoice"),
    kernel::msg!("sales.draft_invoice_exists", "该订单已有草稿发票，请先过账或作废", "The order has a draft invoice"),
    kernel::msg!("sales.invoice_not_found", "发票不存在", "Invoice not found"),
    kernel::msg!("sales.invoice_changed", "发票已被他人修改，请刷新后重试", "The invoice was changed meanwhile"),
    kernel::msg!(
        "sales.invoice_state",
        "发票状态（{state}）不允许“{action}”",
        "Not allowed in state {state}: {action}"
    ),
    kernel::msg!(
        "sales.einvoice_kind_invalid",
        "发票种类应为 special（专票）或 ordinary（普票）",
        "special or ordinary"
    ),
    kernel::msg!("sales.einvoice_number_invalid", "数电票号码为 20 位数字", "A 数电票 number has 20 digits"),
    kernel::msg!("sales.return_empty", "请填写退货行", "Which lines come back?"),
    kernel::msg!("sales.line_unknown", "订单行不存在或不是库存商品", "Unknown order line"),
    kernel::msg!(
        "sales.return_too_much",
        "退货数量超过已发货数量（最多 {max}）",
        "More than was delivered (at most {max})"
    ),
];
pub use invoice::INVOICE_SEARCH;
pub use order::ORDER_SEARCH;
