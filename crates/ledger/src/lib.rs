//! The general ledger (layer 2), Chinese GAAP: charts of accounts from the 小企业会计准则 and
//! 企业会计准则 templates with accounts found by role, vouchers (记账凭证) with gapless numbers per
//! period and word, review by someone else, posting, red-ink reversal, balances per account and
//! period, the trial balance, and automatic vouchers for other modules' events.
//!
//! Calls only the kernel; the glue from other modules' events to vouchers is listed in
//! `crates/server/src/wiring.rs`.

pub mod account;
pub mod balance;
pub mod bank;
pub mod books;
pub mod cash_flow;
pub mod chart;
pub mod dimension_balance;
pub mod events;
pub mod invariants;
pub mod open_items;
pub mod opening;
pub mod opening_import;
pub mod payment;
pub mod period;
pub mod permissions;
pub mod posting_rule;
pub mod reactions;
pub mod revaluation;
pub mod statements;
pub mod vat;
pub mod voucher;

pub use account::{Account, by_role, list_accounts};
pub use balance::{TrialBalance, trial_balance};
pub use events::{DocumentSettled, InitialisationEnded, InitialisationReopened};
pub use payment::{Direction, Payment, PaymentInput, register_payment};
pub use posting_rule::RuleFacts;
pub use voucher::{
    AutoLine, Voucher, VoucherId, VoucherInput, create_voucher, get_voucher, post, post_automatic, post_automatic_as,
    reverse, review,
};

pub const MIGRATIONS: kernel::db::ModuleMigrations = kernel::db::ModuleMigrations {
    module: "ledger",
    migrations: &[
        kernel::migration!(20261127050000, "ledger"),
        kernel::migration!(20261127060000, "open_items"),
        kernel::migration!(20261127070000, "payments"),
        kernel::migration!(20261127100000, "bank"),
        kernel::migration!(20261127110000, "currency"),
        kernel::migration!(20261127120000, "book_order"),
        kernel::migration!(20261127130000, "posting_rules"),
        kernel::migration!(20261207010000, "opening"),
    ],
};

pub const MESSAGES: &[kernel::i18n::Message] = &[
    kernel::msg!(
        "ledger.opening_ended",
        "初始化已结束，期初数据已锁定",
        "Initialisation has ended: the openings are locked"
    ),
    kernel::msg!("ledger.opening_not_ended", "初始化尚未结束", "Initialisation has not ended"),
    kernel::msg!(
        "ledger.opening_changed",
        "初始化状态已被他人修改，请刷新后重试",
        "Initialisation was changed meanwhile; reload and try again"
    ),
    kernel::msg!(
        "ledger.opening_first_period_closed",
        "启用期间 {period} 已结账，不能再反初始化",
        "The first period {period} is closed: initialisation cannot be reopened"
    ),
    kernel::msg!(
        "ledger.opening_unbalanced",
        "期初余额试算不平衡：借方 {debit}，贷方 {credit}",
        "The opening balances do not balance: debit {debit}, credit {credit}"
    ),
    kernel::msg!(
        "ledger.opening_ytd_unbalanced",
        "本年累计发生额不平衡：借方 {debit}，贷方 {credit}（损益类科目按其期初余额计）",
        "The year-to-date turnover does not balance: debit {debit}, credit {credit} (profit and loss counted at its balance)"
    ),
    kernel::msg!(
        "ledger.opening_ytd_january",
        "一月启用时没有本年累计发生额",
        "Starting in January there is no year-to-date turnover"
    ),
    kernel::msg!(
        "ledger.opening_item_after_start",
        "期初往来 {number} 的日期应早于启用期间",
        "The open item {number} is dated in or after the first period"
    ),
    kernel::msg!(
        "ledger.opening_vouchers_before",
        "启用期间之前（{period}）已有凭证",
        "There are vouchers before the first period ({period})"
    ),
    kernel::msg!(
        "ledger.opening_stock_mismatch",
        "期初库存金额 {stock} 与存货科目期初余额 {accounts} 不等",
        "The opening stock is worth {stock} but the stock accounts open at {accounts}"
    ),
    kernel::msg!(
        "ledger.opening_use_items",
        "应收、应付科目的期初按未结清单据逐笔录入（期初往来）",
        "Receivables and payables open as items, invoice by invoice"
    ),
    kernel::msg!("ledger.opening_partner_unknown", "往来单位不存在", "Unknown customer or supplier"),
    kernel::msg!("ledger.opening_product_unknown", "物料不存在", "Unknown product"),
    kernel::msg!(
        "ledger.opening_side_invalid",
        "方向应为 receivable（应收）或 payable（应付）",
        "The side is receivable or payable"
    ),
    kernel::msg!("ledger.opening_number_required", "请填写单据号", "The document number is required"),
    kernel::msg!(
        "ledger.opening_due_invalid",
        "到期日无效或早于单据日期",
        "Invalid due date, or before the document's date"
    ),
    kernel::msg!("ledger.opening_not_found", "期初数据不存在", "Opening entry not found"),
    kernel::msg!(
        "ledger.opening_voucher",
        "期初凭证只能通过反初始化修改",
        "Opening vouchers change only by reopening initialisation"
    ),
    kernel::msg!(
        "ledger.before_start",
        "账套从 {period} 启用，不能在之前的期间记账",
        "The books start in {period}: nothing posts before it"
    ),
    kernel::msg!(
        "ledger.template_unknown",
        "科目模板应为 small（小企业会计准则）或 enterprise（企业会计准则）",
        "The template is small or enterprise"
    ),
    kernel::msg!("ledger.role_missing", "科目表中没有承担“{role}”的科目", "No account plays the role {role}"),
    kernel::msg!("ledger.account_unknown", "科目不存在", "Unknown account"),
    kernel::msg!("ledger.account_not_postable", "只能记入末级科目", "Only accounts without sub-accounts take postings"),
    kernel::msg!("ledger.amount_invalid", "金额无效", "Invalid amount"),
    kernel::msg!("ledger.one_side", "每行只能填借方或贷方之一", "Each line has either a debit or a credit"),
    kernel::msg!("ledger.too_few_lines", "凭证至少需要两行", "A voucher needs at least two lines"),
    kernel::msg!(
        "ledger.unbalanced",
        "借贷不平：借方 {debit}，贷方 {credit}",
        "Debits {debit} do not equal credits {credit}"
    ),
    kernel::msg!("ledger.word_invalid", "凭证字应为 记、收、付、转", "The voucher word is 记, 收, 付 or 转"),
    kernel::msg!("ledger.date_invalid", "日期无效（YYYY-MM-DD）", "Invalid date (YYYY-MM-DD)"),
    kernel::msg!("ledger.period_invalid", "期间无效（YYYY-MM）", "Invalid period (YYYY-MM)"),
    kernel::msg!("ledger.period_closed", "会计期间 {period} 已结账", "Period {period} is closed"),
    kernel::msg!("ledger.voucher_not_found", "凭证不存在", "Voucher not found"),
    kernel::msg!("ledger.voucher_state", "凭证状态（{state}）不允许该操作", "Not allowed in state {state}"),
    kernel::msg!(
        "ledger.voucher_changed",
        "凭证已被他人修改，请刷新后重试",
        "The voucher was changed meanwhile; reload and try again"
    ),
    kernel::msg!("ledger.review_own", "审核人不能是制单人", "The reviewer cannot be the preparer"),
    kernel::msg!(
        "ledger.not_reversible",
        "只有已记账且未冲销的凭证可以红字冲销",
        "Only a posted voucher not yet reversed can be reversed"
    ),
    kernel::msg!("ledger.period_already_closed", "{period} 已结账", "{period} is already closed"),
    kernel::msg!("ledger.period_not_closed", "{period} 尚未结账", "{period} is not closed"),
    kernel::msg!(
        "ledger.unposted_vouchers",
        "本期还有 {count} 张凭证未记账",
        "{count} voucher(s) of the period are not posted"
    ),
    kernel::msg!("ledger.earlier_period_open", "请先结账 {period}", "Close {period} first"),
    kernel::msg!("ledger.later_period_closed", "请先反结账 {period}", "Reopen {period} first"),
    kernel::msg!(
        "ledger.statement_layout",
        "报表格式目前仅支持小企业会计准则",
        "The statements are in the 小企业会计准则 layouts only"
    ),
    kernel::msg!("ledger.dimension_required", "该科目要求填写辅助核算项", "This account needs this dimension"),
    kernel::msg!("ledger.dimension_unknown", "未知的辅助核算项：{dimension}", "Unknown dimension: {dimension}"),
    kernel::msg!(
        "ledger.sub_code_invalid",
        "下级科目代码应以 {parent} 开头并更长，只含数字",
        "A sub-account code starts with {parent}, is longer, digits only"
    ),
    kernel::msg!("ledger.name_required", "请填写科目名称", "A name is required"),
    kernel::msg!("ledger.code_taken", "科目代码已存在", "This code is already used"),
    kernel::msg!(
        "ledger.parent_has_postings",
        "上级科目已有发生额，不能再增加下级科目",
        "The parent already has postings"
    ),
    kernel::msg!(
        "ledger.template_in_use",
        "已有凭证，不能更换科目模板",
        "The chart cannot change once there are vouchers"
    ),
    kernel::msg!("ledger.line_not_found", "凭证行不存在或未记账", "Line not found or not posted"),
    kernel::msg!(
        "ledger.match_mismatch",
        "只能核销同一科目、同一往来单位的行",
        "Only lines of the same account and partner match"
    ),
    kernel::msg!("ledger.match_too_much", "核销金额超过未核销余额", "More than is open"),
    kernel::msg!(
        "ledger.account_automatic",
        "库存商品科目只由出入库单据自动记账",
        "The stock account is posted by stock documents only"
    ),
    kernel::msg!(
        "ledger.payment_account_invalid",
        "收付款科目应为银行存款或库存现金",
        "Money moves through a bank or cash account"
    ),
    kernel::msg!("ledger.partner_required", "请选择往来单位", "A partner is required"),
    kernel::msg!("ledger.currency_unknown", "币种不存在", "Unknown currency"),
    kernel::msg!("ledger.rate_invalid", "汇率应为正数", "The rate is a positive number"),
    kernel::msg!(
        "ledger.payment_currency_mismatch",
        "外币收付款只能核销同一币种的单据",
        "A foreign-currency payment settles documents in that currency only"
    ),
    kernel::msg!("ledger.bank_column_missing", "文件中没有列“{column}”", "The file has no column {column}"),
    kernel::msg!("ledger.bank_file_invalid", "文件内容无法读取", "The file cannot be read"),
    kernel::msg!(
        "ledger.bank_date_invalid",
        "日期无法识别（如 2026-11-05、2026/11/05、20261105）",
        "Unreadable date (2026-11-05, 2026/11/05, 20261105)"
    ),
    kernel::msg!("ledger.bank_amount_invalid", "金额无法识别", "Unreadable amount"),
    kernel::msg!("ledger.bank_statement_not_found", "银行对账单不存在", "Bank statement not found"),
    kernel::msg!("ledger.bank_line_not_found", "对账单行不存在或已处理", "Bank line not found or already settled"),
    kernel::msg!("ledger.already_revalued", "{period} 已做期末汇兑调整", "{period} is already revalued"),
    kernel::msg!(
        "ledger.rule_kind_invalid",
        "规则类型应为 product_category、warehouse、tax 或 payment_method",
        "The kind is product_category, warehouse, tax or payment_method"
    ),
    kernel::msg!("ledger.rule_key_required", "请填写匹配的编码", "The code to match is required"),
    kernel::msg!("ledger.rule_not_found", "过账规则不存在", "Posting rule not found"),
    kernel::msg!(
        "ledger.rule_account_in_use",
        "该科目已有发生额，不能作为（或不再作为）存货科目",
        "The account has postings: it cannot become (or stop being) a stock account"
    ),
    kernel::msg!(
        "ledger.bank_match_target",
        "请选择往来单位（收付款）或入账科目之一",
        "Choose either a partner (receipt or payment) or an account"
    ),
];
