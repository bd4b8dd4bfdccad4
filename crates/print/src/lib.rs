//! Printing business documents (quotations, sales orders, delivery notes, invoices, purchase
//! orders, accounting vouchers) to PDF, in Chinese.
//!
//! A module fills in a [`PrintDocument`] (all text, amounts already formatted) and calls
//! [`render`], which lays it out on A4 pages and writes a PDF with the used glyphs of the
//! CJK font embedded as a subset: the file prints and displays the same on any machine and stays
//! small (tens of KB). [`amount_in_chinese`] gives the 大写金额 line.
//!
//! The font is `TIANGONG_FONT`, else Noto Sans CJK SC from Debian's `fonts-noto-cjk`, else the
//! subset of it that the binary carries (`fonts/`), read once per process. Built on `pdf-writer`, `subsetter` and `ttf-parser` only: no shaping engine is
//! needed for Chinese, whose characters map one-to-one to glyphs.

mod amount;
mod canvas;
mod document;
mod embed;
mod font;
mod glyphs;
mod layout;
mod wrap;
mod writer;

pub use amount::amount_in_chinese;
pub use document::{Align, Column, PrintDocument};
pub use font::{EMBEDDED_FONT, FONT_ENV, FONT_PACKAGE};

use kernel::Result;

/// This crate's error codes in Chinese and English, for the server's catalog.
pub const MESSAGES: &[kernel::i18n::Message] = &[
    kernel::msg!(
        "print.font_missing",
        "TIANGONG_FONT 指定的字体文件不存在：{path}（取消该设置即用内置字体，或安装 {package}）",
        "The font file named by TIANGONG_FONT does not exist: {path} (unset it to use the built-in font, or install {package})"
    ),
    kernel::msg!("print.font_invalid", "打印字体文件无法读取：{path}", "The print font file cannot be read: {path}"),
];

/// Renders `doc` as an A4 portrait PDF.
///
/// Fails with `print.font_missing` only when `TIANGONG_FONT` names a file that does not exist,
/// and `print.font_invalid` when the configured file is not a usable font; with nothing
/// configured or installed the built-in font prints.
pub fn render(doc: &PrintDocument) -> Result<Vec<u8>> {
    let font = font::Font::shared()?;
    let mut canvas = canvas::Canvas::new(font);
    layout::lay_out(doc, &mut canvas);
    let title = [doc.title.as_str(), doc.number.as_str()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>();
    writer::write_pdf(canvas, &title.join(" "))
}
