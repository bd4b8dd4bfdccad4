//! What a printed business document says, independent of how it is laid out.
//!
//! Every document the product prints (quotation, sales order, delivery note, invoice, purchase
//! order, accounting voucher) is the same shape on paper: a company header, a title and number,
//! label/value pairs, one table, totals, the amount in words, notes and signature lines. The
//! modules fill this in from their own records, already formatted as text (amounts through
//! `kernel::Money`'s `Display`, dates in the company's format), so this crate never does
//! arithmetic on money.

/// How a column's cells are aligned horizontally (numbers right, text left).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Align {
    #[default]
    Left,
    Right,
    Center,
}

/// One column of the document's table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Column {
    /// The header text, repeated on every page the table runs onto.
    pub label: String,
    /// The share of the table's width, relative to the other columns (3.0 is three times 1.0).
    pub width: f32,
    pub align: Align,
}

impl Column {
    pub fn new(label: impl Into<String>, width: f32, align: Align) -> Column {
        Column { label: label.into(), width, align }
    }
}

/// A document ready to print: all text, in reading order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PrintDocument {
    /// The document's kind as printed in large type: "销售发票", "记账凭证".
    pub title: String,
    /// The issuing company's name, the first line of the header.
    pub company: String,
    /// Further header lines under the company's name: address, phone, tax id. May be empty.
    pub company_lines: Vec<String>,
    /// The document number ("SO-2026-00042"), printed under the title as 编号.
    pub number: String,
    /// Label/value pairs printed in two columns under the title: 客户, 日期, 付款条件…
    pub meta: Vec<(String, String)>,
    pub columns: Vec<Column>,
    /// The table's body, one `Vec` per row with one cell per column (missing cells print empty).
    pub rows: Vec<Vec<String>>,
    /// Label/value pairs right-aligned under the table: 不含税金额, 税额, 价税合计.
    pub totals: Vec<(String, String)>,
    /// The grand total in Chinese capitals (see [`crate::amount_in_chinese`]), printed as
    /// "大写金额：…".
    pub amount_in_words: Option<String>,
    pub notes: Vec<String>,
    /// Labels printed at the bottom, each with a line to sign on: 制单, 审核, 记账…
    pub signatures: Vec<String>,
}
