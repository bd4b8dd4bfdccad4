//! One way to show a report: a table whose rows may open what they sum up (drill-down), shown
//! as a page, or exported as XLSX or PDF with the same title, columns and rows. The finance
//! books and statements fill in a [`Report`]; this file decides how it looks in each format, so
//! every report exports alike.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use print::{Align, Column, PrintDocument};

use crate::ui::guard::Page;
use crate::ui::layout::shell;

/// A column: its (translated) heading, whether it holds amounts (right-aligned), and its share
/// of the printed width.
pub struct ReportColumn {
    pub label: String,
    pub numeric: bool,
    pub width: f32,
}

impl ReportColumn {
    pub fn text(label: String, width: f32) -> ReportColumn {
        ReportColumn { label, numeric: false, width }
    }

    pub fn amount(label: String) -> ReportColumn {
        ReportColumn { label, numeric: true, width: 1.3 }
    }
}

/// A row: its cells, where its first cell leads (the page beneath it), and whether it is a
/// total printed in bold.
#[derive(Default)]
pub struct ReportRow {
    pub cells: Vec<String>,
    pub link: Option<String>,
    pub total: bool,
}

impl ReportRow {
    pub fn new(cells: Vec<String>) -> ReportRow {
        ReportRow { cells, ..ReportRow::default() }
    }

    pub fn linked(cells: Vec<String>, link: String) -> ReportRow {
        ReportRow { cells, link: Some(link), total: false }
    }
}

pub struct Report {
    /// 科目余额表, 明细账 …
    pub title: String,
    /// What it covers: "2026-11", "1122 应收账款 2026-01 – 2026-11".
    pub subtitle: String,
    /// The exported file's name without extension.
    pub file_stem: String,
    /// The company's name, the printed header.
    pub company: String,
    pub columns: Vec<ReportColumn>,
    pub rows: Vec<ReportRow>,
    /// Label/value pairs shown above the table (opening balance, totals …).
    pub facts: Vec<(String, String)>,
}

/// `format` is `xlsx`, `pdf` or absent (the page). `filters` is the form that chooses the
/// period or account; `here` the page's own address with its query, to which the export links
/// add `format`; `below` is anything the page shows under the table (paging).
pub fn respond(
    page: &Page,
    report: Report,
    format: Option<&str>,
    filters: Markup,
    here: &str,
    below: Markup,
) -> Response {
    match format {
        Some("xlsx") => xlsx(&report),
        Some("pdf") => pdf(&report),
        _ => html_page(page, &report, filters, here, below),
    }
}

fn xlsx(report: &Report) -> Response {
    let header: Vec<&str> = report.columns.iter().map(|c| c.label.as_str()).collect();
    let rows: Vec<Vec<String>> = report.rows.iter().map(|r| r.cells.clone()).collect();
    match kernel::import::table_bytes(&header, &rows, "xlsx") {
        Ok(bytes) => crate::download::attachment(bytes, crate::download::XLSX, &format!("{}.xlsx", report.file_stem)),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn pdf(report: &Report) -> Response {
    let document = PrintDocument {
        title: report.title.clone(),
        company: report.company.clone(),
        meta: std::iter::once(("期间".to_string(), report.subtitle.clone())).chain(report.facts.clone()).collect(),
        columns: report
            .columns
            .iter()
            .map(|c| Column::new(c.label.clone(), c.width, if c.numeric { Align::Right } else { Align::Left }))
            .collect(),
        rows: report.rows.iter().map(|r| r.cells.clone()).collect(),
        signatures: vec!["单位负责人".into(), "会计主管".into(), "制表".into()],
        ..PrintDocument::default()
    };
    match print::render(&document) {
        Ok(bytes) => crate::download::attachment(bytes, crate::download::PDF, &format!("{}.pdf", report.file_stem)),
        Err(error) => crate::problem::ApiError(error).into_response(),
    }
}

fn export_href(here: &str, format: &str) -> String {
    let joiner = if here.contains('?') { '&' } else { '?' };
    format!("{here}{joiner}format={format}")
}

fn html_page(page: &Page, report: &Report, filters: Markup, here: &str, below: Markup) -> Response {
    let body = html! {
        h1 { (report.title) " · " (report.subtitle) }
        (filters)
        p.actions {
            a.button href=(export_href(here, "xlsx")) { (page.t("ui.list.export_xlsx")) } " "
            a.button href=(export_href(here, "pdf")) { (page.t("ui.report.export_pdf")) }
        }
        @if !report.facts.is_empty() {
            dl.facts { @for (label, value) in &report.facts { dt { (label) } dd { (value) } } }
        }
        table.list.report {
            thead { tr { @for c in &report.columns { th.num[c.numeric] { (c.label) } } } }
            tbody {
                @for r in &report.rows {
                    tr.total[r.total] {
                        @for (i, cell) in r.cells.iter().enumerate() {
                            @let numeric = report.columns.get(i).is_some_and(|c| c.numeric);
                            td.num[numeric].red[numeric && cell.starts_with('-')] {
                                @match (&r.link, i) {
                                    (Some(link), 0) => a href=(link) { (cell) },
                                    _ => (cell),
                                }
                            }
                        }
                    }
                }
            }
        }
        (below)
    };
    shell(page, &report.title, body)
}
