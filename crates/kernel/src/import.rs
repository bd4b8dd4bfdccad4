//! Importing master data from CSV and XLSX: read a sheet, check every row, report every bad
//! cell with its row, column and reason, and write nothing unless every row is good.
//!
//! An importer turns one row (header → value) into a service call inside the import's single
//! transaction; the service's own validation decides, so an import can never store what the
//! form would refuse. A dry run does all of it and rolls back.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::db::{Db, Tx};
use crate::i18n::{Catalog, Locale};
use crate::{Ctx, Error, Result};

/// A table of text cells with a header row.
#[derive(Clone, Debug, Default)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Sheet {
    /// Reads `.csv` (UTF-8, with or without BOM) or `.xlsx` (first worksheet).
    pub fn read(path: &Path) -> Result<Sheet> {
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_lowercase();
        let bytes =
            std::fs::read(path).map_err(|e| Error::invalid("kernel.import.unreadable").with_param("reason", e))?;
        Sheet::parse(&bytes, &extension)
    }

    pub fn parse(bytes: &[u8], format: &str) -> Result<Sheet> {
        match format {
            "csv" => {
                let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)).into_owned();
                let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
                let headers = reader
                    .headers()
                    .map_err(|e| Error::invalid("kernel.import.unreadable").with_param("reason", e))?
                    .iter()
                    .map(|h| h.trim().to_string())
                    .collect();
                let mut rows = Vec::new();
                for record in reader.records() {
                    let record =
                        record.map_err(|e| Error::invalid("kernel.import.unreadable").with_param("reason", e))?;
                    rows.push(record.iter().map(str::to_string).collect());
                }
                Ok(Sheet { headers, rows })
            }
            "xlsx" => {
                use calamine::{Data, Reader, Xlsx};
                let mut workbook = Xlsx::new(std::io::Cursor::new(bytes.to_vec()))
                    .map_err(|e| Error::invalid("kernel.import.unreadable").with_param("reason", e))?;
                let range = workbook
                    .worksheet_range_at(0)
                    .ok_or_else(|| Error::invalid("kernel.import.unreadable").with_param("reason", "no worksheet"))?
                    .map_err(|e| Error::invalid("kernel.import.unreadable").with_param("reason", e))?;
                let cell = |d: &Data| match d {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    // Numbers typed into Excel come back as floats; print them exactly as shown.
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => i.to_string(),
                    Data::Bool(b) => b.to_string(),
                    other => other.to_string(),
                };
                let mut rows = range.rows();
                let headers =
                    rows.next().map(|r| r.iter().map(|c| cell(c).trim().to_string()).collect()).unwrap_or_default();
                Ok(Sheet { headers, rows: rows.map(|r| r.iter().map(cell).collect()).collect() })
            }
            other => Err(Error::invalid("kernel.import.format").with_param("format", other)),
        }
    }
}

/// One column an importer understands.
#[derive(Clone, Copy, Debug)]
pub struct ImportColumn {
    pub key: &'static str,
    pub required: bool,
    pub example: &'static str,
}

/// A row as the importer sees it: cells by column key.
pub struct ImportRow<'a> {
    values: HashMap<&'a str, &'a str>,
}

impl ImportRow<'_> {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    pub fn text(&self, key: &str) -> String {
        self.get(key).unwrap_or_default().to_string()
    }
}

/// A kind of master data that can be imported.
pub trait Importer {
    /// The type name used on the command line (`customers`).
    fn name(&self) -> &'static str;
    fn columns(&self) -> &'static [ImportColumn];
    /// Stores one row; field errors name the column keys.
    fn import_row(&self, tx: &mut Tx<'_>, ctx: &Ctx, row: &ImportRow<'_>) -> Result<()>;
    /// Existing records in this importer's columns (so an export imports again): one page after
    /// the key `after` (the first column of the previous page's last row, empty for the first
    /// page). Small reference types may answer everything on the first page and nothing after.
    fn export_page(&self, tx: &mut Tx<'_>, ctx: &Ctx, after: &str, limit: i64) -> Result<Vec<Vec<String>>>;
}

/// Every record an importer can export, read page by page (each page its own short read).
pub fn export_all(db: &Db, ctx: &Ctx, importer: &dyn Importer) -> Result<Vec<Vec<String>>> {
    const PAGE: i64 = 5000;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut after = String::new();
    loop {
        let page = db.read(|tx| importer.export_page(tx, ctx, &after, PAGE))?;
        let Some(last) = page.last() else { break };
        after = last.first().cloned().unwrap_or_default();
        let done = (page.len() as i64) < PAGE;
        rows.extend(page);
        if done {
            break;
        }
    }
    Ok(rows)
}

/// A header and rows as a `csv` (UTF-8 with BOM, so Excel reads Chinese) or `xlsx` file, every
/// cell as text so codes like 001 keep their zeros.
pub fn table_bytes(header: &[&str], rows: &[Vec<String>], format: &str) -> Result<Vec<u8>> {
    let failed = |e: &dyn std::fmt::Display| Error::internal(format!("writing the {format} file: {e}"));
    match format {
        "csv" => {
            let mut writer = csv::Writer::from_writer(Vec::from("\u{feff}".as_bytes()));
            writer.write_record(header).map_err(|e| failed(&e))?;
            for row in rows {
                writer.write_record(row).map_err(|e| failed(&e))?;
            }
            writer.into_inner().map_err(|e| failed(&e))
        }
        "xlsx" => {
            let mut workbook = rust_xlsxwriter::Workbook::new();
            let sheet = workbook.add_worksheet();
            for (c, title) in header.iter().enumerate() {
                sheet.write_string(0, c as u16, *title).map_err(|e| failed(&e))?;
            }
            for (r, row) in rows.iter().enumerate() {
                for (c, value) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
                    sheet.write_string(r as u32 + 1, c as u16, value).map_err(|e| failed(&e))?;
                }
            }
            workbook.save_to_buffer().map_err(|e| failed(&e))
        }
        other => Err(Error::invalid("kernel.import.format").with_param("format", other)),
    }
}

/// A bad cell: the spreadsheet row number (the header is row 1), the column header and why.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ImportReport {
    pub rows: usize,
    pub imported: usize,
    pub dry_run: bool,
    pub errors: Vec<RowError>,
}

/// The CSV template of an importer: the header and one example row.
pub fn template(importer: &dyn Importer) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(importer.columns().iter().map(|c| c.key));
    let _ = writer.write_record(importer.columns().iter().map(|c| c.example));
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Checks and imports a sheet in one transaction. With `dry_run`, or when any row is bad,
/// nothing is written and the report lists every problem. `progress` is told each row done.
#[allow(clippy::too_many_arguments)] // each argument is a distinct input of the one operation
pub fn run(
    db: &Db,
    ctx: &Ctx,
    importer: &dyn Importer,
    sheet: &Sheet,
    dry_run: bool,
    catalog: &Catalog,
    locale: Locale,
    progress: &dyn Fn(usize),
) -> Result<ImportReport> {
    let mut errors = Vec::new();
    for column in importer.columns().iter().filter(|c| c.required) {
        if !sheet.headers.iter().any(|h| h == column.key) {
            errors.push(RowError {
                row: 1,
                column: column.key.to_string(),
                reason: catalog.text(locale, "kernel.import.column_missing", &[]),
            });
        }
    }
    for header in &sheet.headers {
        if !importer.columns().iter().any(|c| c.key == header) {
            errors.push(RowError {
                row: 1,
                column: header.clone(),
                reason: catalog.text(locale, "kernel.import.column_unknown", &[]),
            });
        }
    }
    if !errors.is_empty() {
        return Ok(ImportReport { rows: sheet.rows.len(), imported: 0, dry_run, errors });
    }
    let outcome = db.write(|tx| {
        let mut errors = Vec::new();
        for (i, cells) in sheet.rows.iter().enumerate() {
            let row_number = i + 2;
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let values = sheet.headers.iter().map(String::as_str).zip(cells.iter().map(String::as_str)).collect();
            let row = ImportRow { values };
            let mut missing = false;
            for column in importer.columns().iter().filter(|c| c.required) {
                if row.get(column.key).is_none() {
                    errors.push(RowError {
                        row: row_number,
                        column: column.key.into(),
                        reason: catalog.text(locale, "kernel.import.value_missing", &[]),
                    });
                    missing = true;
                }
            }
            if !missing && let Err(error) = importer.import_row(tx, ctx, &row) {
                if error.kind() == crate::ErrorKind::Internal {
                    return Err(error);
                }
                if error.fields().is_empty() {
                    errors.push(RowError {
                        row: row_number,
                        column: String::new(),
                        reason: catalog.text(locale, error.code(), error.params()),
                    });
                }
                for field in error.fields() {
                    let params = if field.params.is_empty() { error.params() } else { &field.params };
                    errors.push(RowError {
                        row: row_number,
                        column: field.field.clone(),
                        reason: catalog.text(locale, field.code, params),
                    });
                }
            }
            progress(i + 1);
        }
        if dry_run || !errors.is_empty() {
            // Roll the whole import back, keeping the report.
            return Err(Error::invalid("kernel.import.rolled_back").with_source(ImportErrors(errors)));
        }
        Ok(())
    });
    let rows = sheet.rows.len();
    match outcome {
        Ok(()) => Ok(ImportReport { rows, imported: rows, dry_run, errors: Vec::new() }),
        Err(error) if error.code() == "kernel.import.rolled_back" => {
            let errors = std::error::Error::source(&error)
                .and_then(|s| s.downcast_ref::<ImportErrors>())
                .map(|e| e.0.clone())
                .unwrap_or_default();
            Ok(ImportReport { rows, imported: 0, dry_run, errors })
        }
        Err(error) => Err(error),
    }
}

#[derive(Debug)]
struct ImportErrors(Vec<RowError>);

impl std::fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} bad rows", self.0.len())
    }
}

impl std::error::Error for ImportErrors {}

pub const MESSAGES: &[crate::i18n::Message] = &[
    crate::msg!("kernel.import.unreadable", "无法读取文件：{reason}", "Cannot read the file: {reason}"),
    crate::msg!(
        "kernel.import.format",
        "不支持的格式：{format}（可用 csv、xlsx）",
        "Unsupported format: {format} (csv or xlsx)"
    ),
    crate::msg!("kernel.import.column_missing", "缺少必需的列", "A required column is missing"),
    crate::msg!("kernel.import.column_unknown", "无法识别的列", "Unknown column"),
    crate::msg!("kernel.import.value_missing", "必填", "Required"),
    crate::msg!("kernel.import.rolled_back", "导入未执行", "Nothing was imported"),
    crate::msg!("kernel.import.unknown_type", "未知的导入类型：{type}", "Unknown import type: {type}"),
];
