//! Import and export of every master data type from one page: the template, a dry run that
//! lists every bad cell (row, column, reason), the import itself (all or nothing), and export
//! in the import layout. With JavaScript the import streams its progress (server-sent events in
//! the answer to the upload itself, so any app server can take it); without, the page answers
//! when the import is done.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{Multipart, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kernel::import::{self, ImportReport, Sheet};
use maud::{Markup, html};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::download::{CSV, XLSX, attachment};
use crate::state::AppState;
use crate::transfer::{TRANSFER_TYPES, TransferType, importer_for, transfer_type};
use crate::ui::guard::{Page, url_pairs};
use crate::ui::layout::{error_page, error_page_for, shell};

fn chosen(query: Option<&str>) -> Option<&'static TransferType> {
    let pairs = url_pairs(query.unwrap_or_default());
    pairs.iter().find(|(k, _)| k == "type").and_then(|(_, v)| transfer_type(v))
}

/// The types this user may at least export, the first of them chosen by default.
fn readable(page: &Page) -> Vec<&'static TransferType> {
    TRANSFER_TYPES.iter().filter(|t| page.may(t.read)).collect()
}

/// What an import ended with: the report, or a problem with the file itself.
fn report_markup(page: &Page, outcome: Result<&ImportReport, String>) -> Markup {
    html! {
        @match outcome {
            Err(problem) => div.flash.error role="alert" { (problem) },
            Ok(report) if report.errors.is_empty() => div.flash.ok role="status" {
                @if report.dry_run { (page.t_with("ui.import.dry_ok", &[("rows", report.rows.to_string())])) }
                @else { (page.t_with("ui.import.done", &[("rows", report.imported.to_string())])) }
            },
            Ok(report) => {
                div.flash.error role="alert" { (page.t_with("ui.import.failed", &[("errors", report.errors.len().to_string())])) }
                table.list {
                    thead { tr { th { (page.t("ui.import.row")) } th { (page.t("ui.import.column")) } th { (page.t("ui.import.reason")) } } }
                    tbody { @for e in &report.errors { tr { td { (e.row) } td { (e.column) } td { (e.reason) } } } }
                }
            },
        }
    }
}

fn imports_page(page: &Page, current: &'static TransferType, report: Option<Markup>) -> Response {
    let types = readable(page);
    let may_write = page.may(current.write);
    let body = html! {
        h1 { (page.t("ui.transfer.title")) }
        nav.tabs aria-label=(page.t("ui.transfer.type")) {
            @for t in &types {
                a href=(format!("/imports?type={}", t.name)) aria-current=[(t.name == current.name).then_some("page")] { (page.t(t.label)) }
            }
        }
        section.panel {
            h2 { (page.t(current.label)) }
            p {
                a.button href=(format!("/imports/template?type={}", current.name)) { (page.t("ui.import.template")) } " "
                a.button href=(format!("/imports/export?type={}&format=xlsx", current.name)) { (page.t("ui.list.export_xlsx")) } " "
                a.button href=(format!("/imports/export?type={}&format=csv", current.name)) { (page.t("ui.list.export_csv")) }
            }
            @if may_write {
                form method="post" enctype="multipart/form-data" data-import action=(format!("/imports/run?_csrf={}", page.csrf())) {
                    input type="hidden" name="type" value=(current.name);
                    div.form-grid {
                        div.field { label for="import-file" { (page.t("ui.import.file")) } input #import-file type="file" name="file" accept=".csv,.xlsx" required; }
                        div.field { label { input type="checkbox" name="dry_run" value="1" checked; " " (page.t("ui.import.dry_run")) } }
                    }
                    p { button.primary type="submit" { (page.t("ui.import.run")) } }
                    div #import-progress-box hidden {
                        progress #import-progress aria-label=(page.t("ui.import.progress")) {}
                        " " span #import-progress-text {}
                    }
                }
            }
        }
        div #import-report aria-live="polite" { @if let Some(report) = report { (report) } }
    };
    shell(page, &page.t("ui.transfer.title"), body)
}

pub async fn show(page: Page, RawQuery(query): RawQuery) -> Response {
    let Some(current) = chosen(query.as_deref()).or_else(|| readable(&page).first().copied()) else {
        return error_page(&page, StatusCode::FORBIDDEN, "auth.forbidden");
    };
    if !page.may(current.read) {
        return error_page(&page, StatusCode::FORBIDDEN, "auth.forbidden");
    }
    imports_page(&page, current, None)
}

pub async fn template(page: Page, RawQuery(query): RawQuery) -> Response {
    let Some(current) = chosen(query.as_deref()).filter(|t| page.may(t.read)) else {
        return error_page(&page, StatusCode::NOT_FOUND, "http.not_found");
    };
    // A template holds no data: any key will do for the party importer.
    let Ok(vault) = kernel::crypto::Vault::new(&kernel::crypto::KeyRing::generate()) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Some(importer) = importer_for(current.name, &vault) else {
        return error_page(&page, StatusCode::NOT_FOUND, "http.not_found");
    };
    let csv = format!("\u{feff}{}", import::template(importer.as_ref()));
    attachment(csv.into_bytes(), CSV, &format!("{}-template.csv", current.name))
}

/// Every record of a type in the import layout, as CSV or XLSX (records the user may not see
/// stay out; personal data is masked without `party.pii.view`).
pub async fn export(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let Some(current) = chosen(query.as_deref()).filter(|t| page.may(t.read)) else {
        return error_page(&page, StatusCode::NOT_FOUND, "http.not_found");
    };
    let format = url_pairs(query.as_deref().unwrap_or_default())
        .into_iter()
        .find(|(k, _)| k == "format")
        .map(|(_, v)| v)
        .unwrap_or_else(|| "xlsx".into());
    let ctx = page.ctx(&state);
    let name = current.name;
    let fmt = format.clone();
    let result = state
        .blocking(move |state| {
            let vault = state.keys.vault()?;
            let importer = importer_for(name, &vault)
                .ok_or_else(|| kernel::Error::not_found("kernel.import.unknown_type").with_param("type", name))?;
            let header: Vec<&str> = importer.columns().iter().map(|c| c.key).collect();
            let rows = import::export_all(&state.db, &ctx, importer.as_ref())?;
            import::table_bytes(&header, &rows, &fmt)
        })
        .await;
    match (result, format.as_str()) {
        (Ok(bytes), "csv") => attachment(bytes, CSV, &format!("{name}.csv")),
        (Ok(bytes), _) => attachment(bytes, XLSX, &format!("{name}.xlsx")),
        (Err(error), _) => error_page_for(&page, StatusCode::BAD_REQUEST, &error.0),
    }
}

/// Server-sent events from the import's blocking thread.
struct Events(UnboundedReceiver<String>);

impl futures_core::Stream for Events {
    type Item = Result<String, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx).map(|message| message.map(Ok))
    }
}

fn event(sender: &UnboundedSender<String>, value: serde_json::Value) {
    // The browser may have gone away; the import goes on regardless.
    let _ = sender.send(format!("data: {value}\n\n"));
}

struct Upload {
    kind: String,
    dry_run: bool,
    file: Option<(String, Vec<u8>)>,
}

async fn read_upload(mut multipart: Multipart) -> Upload {
    let mut upload = Upload { kind: String::new(), dry_run: false, file: None };
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name().unwrap_or_default() {
            "file" => {
                let name = field.file_name().unwrap_or_default().to_lowercase();
                if let Ok(bytes) = field.bytes().await {
                    upload.file = Some((name, bytes.to_vec()));
                }
            }
            "type" => upload.kind = field.text().await.unwrap_or_default(),
            "dry_run" => upload.dry_run = true,
            _ => {}
        }
    }
    upload
}

/// Runs an upload: the whole page when it is done, or (asked with `Accept: text/event-stream`)
/// a stream of `{"done", "total"}` progress events ending with `{"html"}`, the report.
pub async fn run(State(state): State<AppState>, page: Page, headers: HeaderMap, multipart: Multipart) -> Response {
    let upload = read_upload(multipart).await;
    let Some(current) = transfer_type(&upload.kind) else {
        return error_page(&page, StatusCode::NOT_FOUND, "http.not_found");
    };
    if !page.may(current.write) {
        return error_page(&page, StatusCode::FORBIDDEN, "auth.forbidden");
    }
    let streaming =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/event-stream"));
    let sheet = match &upload.file {
        None => Err(page.t("ui.import.no_file")),
        Some((name, bytes)) => {
            let format = if name.ends_with(".xlsx") { "xlsx" } else { "csv" };
            Sheet::parse(bytes, format).map_err(|e| page.t_with(e.code(), e.params()))
        }
    };
    let sheet = match sheet {
        Ok(sheet) => sheet,
        Err(problem) if streaming => {
            let (sender, receiver) = unbounded_channel();
            event(&sender, serde_json::json!({"html": report_markup(&page, Err(problem)).into_string()}));
            return stream_response(receiver);
        }
        Err(problem) => return imports_page(&page, current, Some(report_markup(&page, Err(problem)))),
    };
    let (sender, receiver) = unbounded_channel();
    let total = sheet.rows.len();
    event(&sender, serde_json::json!({"done": 0, "total": total}));
    let ctx = page.ctx(&state);
    let (name, dry_run, locale) = (current.name, upload.dry_run, page.locale);
    let progress = sender.clone();
    // About a hundred progress events whatever the size.
    let step = (total / 100).max(1);
    let job = move |state: &AppState| {
        let vault = state.keys.vault()?;
        let importer = importer_for(name, &vault)
            .ok_or_else(|| kernel::Error::not_found("kernel.import.unknown_type").with_param("type", name))?;
        import::run(&state.db, &ctx, importer.as_ref(), &sheet, dry_run, &state.catalog, locale, &|done| {
            if done % step == 0 || done == total {
                event(&progress, serde_json::json!({"done": done, "total": total}));
            }
        })
    };
    if !streaming {
        let result = state.blocking(job).await;
        let markup = match &result {
            Ok(report) => report_markup(&page, Ok(report)),
            Err(error) => report_markup(&page, Err(page.t_with(error.0.code(), error.0.params()))),
        };
        return imports_page(&page, current, Some(markup));
    }
    tokio::spawn(async move {
        let result = state.blocking(job).await;
        let markup = match &result {
            Ok(report) => report_markup(&page, Ok(report)),
            Err(error) => report_markup(&page, Err(page.t_with(error.0.code(), error.0.params()))),
        };
        event(&sender, serde_json::json!({"html": markup.into_string()}));
    });
    stream_response(receiver)
}

fn stream_response(receiver: UnboundedReceiver<String>) -> Response {
    let mut response = Body::from_stream(Events(receiver)).into_response();
    let headers = response.headers_mut();
    // An event stream is never compressed (compression would hold the events back).
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
