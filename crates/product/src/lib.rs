//! Products and their reference data (layer 1): taxes (VAT rates with their account roles),
//! currencies and exchange rates by date, units of measure with exact conversions, a category
//! tree, and products. Every business module prices, stocks and posts through these.
//!
//! Calls only the kernel; reacts to `CompanyCreated` by seeding a company's defaults.

pub mod amounts;
pub mod category;
pub mod currency;
pub mod import;
pub mod lookup;
pub mod permissions;
pub mod price_list;
pub mod product;
pub mod reactions;
pub mod supplier_price;
pub mod tax;
pub mod trade;
pub mod uom;
pub mod variant;
pub mod vat;

pub use category::{Category, create_category, list_categories};
pub use currency::{
    CurrencyInfo, ExchangeRate, add_currency, in_cny_text, list_currencies, list_rates, rate_on, set_rate,
};
pub use price_list::{
    PriceList, PriceListId, PriceListItem, Quote, create_price_list, list_price_lists, quote, set_item,
};
pub use product::{
    PRODUCT_LIST, Product, ProductId, ProductInput, create_product, get_product, insert_product, list_products,
    update_product,
};
pub use supplier_price::{SupplierPrice, price_for, set_supplier_price, supplier_prices};
pub use tax::{Tax, create_tax, list_taxes};
pub use trade::{TaxRate, TradeInfo, tax_rate, trade_info};
pub use uom::{Uom, convert, create_uom, digits_of_products, list_uoms};
pub use variant::{Attribute, VariantRequest, create_variants};

pub const MIGRATIONS: kernel::db::ModuleMigrations = kernel::db::ModuleMigrations {
    module: "product",
    migrations: &[
        kernel::migration!(20261126004000, "product"),
        kernel::migration!(20261126004100, "supplier_price"),
        kernel::migration!(20261126004200, "price_list"),
        kernel::migration!(20261126004300, "variant"),
        kernel::migration!(20261208000000, "uom_digits"),
    ],
};

pub const MESSAGES: &[kernel::i18n::Message] = &[
    kernel::msg!("product.not_found", "产品不存在", "Product not found"),
    kernel::msg!("product.code_invalid", "编码不能为空，最多 60 个字符", "The code must be 1 to 60 characters"),
    kernel::msg!("product.code_taken", "编码已被使用", "This code is already used"),
    kernel::msg!("product.name_invalid", "名称不能为空，最多 200 个字符", "The name must be 1 to 200 characters"),
    kernel::msg!("product.choice_invalid", "取值应为：{allowed}", "Allowed values: {allowed}"),
    kernel::msg!("product.shelf_life_invalid", "保质期天数无效", "Invalid shelf life"),
    kernel::msg!(
        "product.price_invalid",
        "价格应为不小于 0 的数，最多 6 位小数",
        "The price must be a number of at least 0 with up to 6 decimals"
    ),
    kernel::msg!("product.uom_unknown", "计量单位不存在：{code}", "Unknown unit: {code}"),
    kernel::msg!(
        "product.uom_incompatible",
        "单位 {from} 与 {to} 不属于同一类，不能换算",
        "Units {from} and {to} are of different kinds"
    ),
    kernel::msg!("product.uom_category_unknown", "单位类别不存在", "Unknown unit category"),
    kernel::msg!("product.uom_factor_invalid", "换算系数必须大于 0", "Conversion factors must be greater than 0"),
    kernel::msg!("product.uom_digits_invalid", "小数位数应为 0 到 4", "Decimals must be from 0 to 4"),
    kernel::msg!("product.category_unknown", "产品分类不存在", "Unknown category"),
    kernel::msg!("product.tax_unknown", "税率不存在：{code}", "Unknown tax: {code}"),
    kernel::msg!("product.tax_rate_invalid", "税率应在 0–100% 之间", "The rate must be between 0 and 100%"),
    kernel::msg!(
        "product.currency_minor_units",
        "该币种的最小单位位数为 {minor_units}",
        "This currency has {minor_units} minor unit digits"
    ),
    kernel::msg!("product.rate_invalid", "汇率应为大于 0 的数", "The rate must be a number greater than 0"),
    kernel::msg!("product.quantity_invalid", "数量不能为负", "The quantity cannot be negative"),
    kernel::msg!("product.lead_time_invalid", "交货期天数无效", "Invalid lead time"),
    kernel::msg!("product.supplier_unknown", "供应商不存在", "Unknown supplier"),
    kernel::msg!(
        "product.validity_invalid",
        "结束日期不能早于开始日期",
        "The end date cannot be before the start date"
    ),
    kernel::msg!("product.price_list_not_found", "价目表不存在", "Price list not found"),
    kernel::msg!("product.attributes_invalid", "请填写属性名称和取值", "Give each attribute a name and values"),
    kernel::msg!(
        "product.too_many_variants",
        "组合超过 500 个，请减少属性取值",
        "More than 500 combinations; use fewer values"
    ),
    kernel::msg!("product.no_price", "没有适用的价格", "No price applies"),
    kernel::msg!("product.rate_missing", "{currency} 在 {date} 没有汇率", "No {currency} rate on {date}"),
];
pub use product::PRODUCT_SEARCH;
