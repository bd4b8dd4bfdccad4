//! Parties (layer 1): customers and suppliers, shared by every business module, with their
//! contacts, addresses, bank accounts and payment terms. Personal data is encrypted at rest
//! (see `kernel::crypto`) and masked for roles without `party.pii.view`.
//!
//! Calls only the kernel. Emits `PartyMerged`.

pub mod events;
pub mod import;
pub mod lookup;
pub mod party;
pub mod payment_term;
pub mod permissions;
pub mod rotate;
pub mod terms;
pub use kernel::uscc;

pub use events::PartyMerged;
pub use party::{
    BankAccount, Contact, DuplicateHint, PARTY_LIST, Party, PartyId, PartyInput, PartyKind, create_party,
    find_by_contact, find_duplicates, get_party, insert_party, list_parties, merge_parties, update_party,
};
pub use payment_term::{PaymentTerm, create_term, list_terms};
pub use terms::{TradingTerms, require_terms, trading_terms};

pub const MIGRATIONS: kernel::db::ModuleMigrations =
    kernel::db::ModuleMigrations { module: "party", migrations: &[kernel::migration!(20261126003000, "party")] };

pub const MESSAGES: &[kernel::i18n::Message] = &[
    kernel::msg!("party.not_found", "客户/供应商不存在", "Customer or supplier not found"),
    kernel::msg!("party.code_invalid", "编码不能为空，最多 40 个字符", "The code must be 1 to 40 characters"),
    kernel::msg!("party.code_taken", "编码已被使用", "This code is already used"),
    kernel::msg!("party.name_invalid", "名称不能为空，最多 200 个字符", "The name must be 1 to 200 characters"),
    kernel::msg!(
        "party.uscc_invalid",
        "统一社会信用代码无效（18 位，校验位不符）",
        "Invalid unified social credit code (18 characters with a check character)"
    ),
    kernel::msg!("party.email_invalid", "邮箱地址无效", "Invalid email address"),
    kernel::msg!("party.phone_invalid", "电话号码无效", "Invalid phone number"),
    kernel::msg!(
        "party.credit_limit_invalid",
        "信用额度应为不小于 0 的金额",
        "The credit limit must be an amount of at least 0"
    ),
    kernel::msg!("party.contact_name_required", "联系人姓名不能为空", "A contact needs a name"),
    kernel::msg!("party.payment_term_unknown", "付款条件不存在", "Unknown payment term"),
    kernel::msg!("party.payment_term_invalid", "付款条件无效", "Invalid payment term"),
    kernel::msg!("party.owner_unknown", "负责人不是本公司用户", "The owner is not a user of this company"),
    kernel::msg!("party.bank_account_invalid", "银行账号不能为空", "The bank account number is missing"),
    kernel::msg!("party.merge_same", "不能与自身合并", "A party cannot be merged with itself"),
    kernel::msg!("party.merge_inactive", "该记录已被合并或停用", "That record was already merged or deactivated"),
    kernel::msg!(
        "party.kind_invalid",
        "类型应为 customer、supplier 或 both",
        "The kind must be customer, supplier or both"
    ),
];
pub use party::PARTY_SEARCH;
