//! What every record page shares: comments, attachments, notifications, list preferences and
//! saved filters, and the global search box.

use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kernel::Error;
use kernel::id::Uuid;
use kernel::listing::ListQuery;
use maud::html;

use super::{FormData, safe_back, see_other};
use crate::state::AppState;
use crate::ui::guard::{Page, url_pairs};
use crate::ui::layout::{error_page, error_page_for, shell};

pub async fn add_comment(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let back = safe_back(form.get("back"), "/");
    let (kind, id, body) = (form.text("kind"), form.text("id"), form.text("body"));
    let ctx = page.ctx(&state);
    let link = back.clone();
    match state
        .blocking(move |state| state.db.write(|tx| office::add_comment(tx, &ctx, &kind, &id, &body, &link)))
        .await
    {
        Ok(_) => see_other(&back, Some("ui.comment.added")),
        Err(error) => error_page_for(&page, StatusCode::UNPROCESSABLE_ENTITY, &error.0),
    }
}

pub async fn upload(
    State(state): State<AppState>,
    page: Page,
    RawQuery(query): RawQuery,
    mut multipart: Multipart,
) -> Response {
    let params = url_pairs(query.as_deref().unwrap_or_default());
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let back = safe_back(Some(&param("back")), "/");
    let (kind, id) = (param("kind"), param("id"));
    let mut file = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("file").to_string();
            match field.bytes().await {
                Ok(bytes) => file = Some((name, bytes)),
                Err(_) => return error_page(&page, StatusCode::PAYLOAD_TOO_LARGE, "http.payload_too_large"),
            }
        }
    }
    let Some((name, bytes)) = file else { return see_other(&back, None) };
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            // The record must be one the caller can see in this company: it has an audit trail here.
            state.db.write(|tx| {
                let known: i64 = tx.scalar(
                    "select count(*) from kernel_audit where company_id = $1 and subject_kind = $2 and subject_id = $3",
                    &[&ctx.company(), &kind, &id],
                )?;
                if known == 0 {
                    return Err(Error::not_found("http.not_found"));
                }
                state.attachments.add(tx, &ctx, &kind, &id, &name, &bytes)
            })
        })
        .await;
    match result {
        Ok(_) => see_other(&back, Some("ui.attachments.added")),
        Err(error) => {
            let code = error.0.fields().first().map(|f| f.code).unwrap_or(error.0.code());
            error_page(&page, StatusCode::UNPROCESSABLE_ENTITY, code)
        }
    }
}

pub async fn download(State(state): State<AppState>, page: Page, Path(id): Path<String>) -> Response {
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.read(|tx| state.attachments.read(tx, &ctx, &id))).await {
        Ok((attachment, _kind, bytes)) => {
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            if let Ok(value) = HeaderValue::from_str(&attachment.content_type) {
                headers.insert(header::CONTENT_TYPE, value);
            }
            let ascii: String = attachment
                .file_name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' })
                .collect();
            if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"")) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            response
        }
        Err(_) => error_page(&page, StatusCode::NOT_FOUND, "kernel.attachment.not_found"),
    }
}

pub async fn notifications(State(state): State<AppState>, page: Page) -> Response {
    let ctx = page.ctx(&state);
    let list = match state.blocking(move |state| state.db.read(|tx| office::list_notifications(tx, &ctx, 100))).await {
        Ok(list) => list,
        Err(error) => return error.into_response(),
    };
    let body = html! {
        h1 { (page.t("ui.notifications")) }
        div.panel {
            @if list.is_empty() { p { (page.t("ui.notifications.none")) } }
            ul {
                @for n in &list {
                    li {
                        form method="post" action=(format!("/notifications/{}", n.id)) {
                            input type="hidden" name="_csrf" value=(page.csrf());
                            button.link type="submit" { @if !n.read { strong { (n.title) } } @else { (n.title) } }
                            " " span.meta { (n.created_at.replace('T', " ").chars().take(16).collect::<String>()) }
                        }
                    }
                }
            }
        }
    };
    shell(&page, &page.t("ui.notifications"), body)
}

pub async fn open_notification(State(state): State<AppState>, page: Page, Path(id): Path<String>) -> Response {
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| office::mark_read(tx, &ctx, &id))).await {
        Ok(link) => see_other(&safe_back(Some(&link), "/"), None),
        Err(_) => error_page(&page, StatusCode::NOT_FOUND, "office.notification.not_found"),
    }
}

pub async fn save_columns(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let back = safe_back(form.get("back"), "/");
    let (view, columns) = (form.text("view"), form.all("columns").join(","));
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| {
                let user = ctx.actor().user();
                tx.execute(
                    "delete from web_preference where user_id = $1 and company_id = $2 and view = $3",
                    &[&user, &ctx.company(), &view],
                )?;
                tx.execute(
                    "insert into web_preference (user_id, company_id, view, columns) values ($1, $2, $3, $4)",
                    &[&user, &ctx.company(), &view, &columns],
                )?;
                Ok(())
            })
        })
        .await;
    match result {
        Ok(()) => see_other(&back, None),
        Err(error) => error.into_response(),
    }
}

pub async fn save_filter(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let base = safe_back(form.get("base"), "/");
    let (view, name, query) = (form.text("view"), form.text("name"), form.text("query"));
    if name.is_empty() {
        return see_other(&base, None);
    }
    let ctx = page.ctx(&state);
    let target = format!("{base}?{query}");
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| {
                tx.execute(
                    "insert into web_saved_filter (id, user_id, company_id, view, name, query, created_at) values ($1, $2, $3, $4, $5, $6, $7)",
                    &[&Uuid::now_v7(), &ctx.actor().user(), &ctx.company(), &view, &name, &query, &ctx.now_text()],
                )?;
                Ok(())
            })
        })
        .await;
    match result {
        Ok(()) => see_other(&target, Some("ui.list.filter_saved")),
        Err(error) => error.into_response(),
    }
}

pub async fn delete_filter(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let back = safe_back(form.get("back"), "/");
    let id = form.text("id");
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| {
                tx.execute(
                    "delete from web_saved_filter where id = $1 and user_id = $2 and company_id = $3",
                    &[&id, &ctx.actor().user(), &ctx.company()],
                )?;
                Ok(())
            })
        })
        .await;
    match result {
        Ok(()) => see_other(&back, None),
        Err(error) => error.into_response(),
    }
}

/// One hit of the global search.
struct Hit {
    kind: String,
    label: String,
    href: String,
}

/// A searchable list for the global search: the module's own list (so its permission check
/// and row rules apply), the columns that label a hit, and where a hit opens.
struct SearchedList {
    kind: &'static str,
    spec: &'static kernel::listing::ListSpec,
    list: fn(&mut kernel::db::Tx<'_>, &kernel::Ctx, &ListQuery) -> kernel::Result<kernel::listing::ListPage>,
    label: &'static [&'static str],
    href: &'static str,
}

const SEARCHED: &[SearchedList] = &[
    SearchedList {
        kind: "ui.search.party",
        spec: &party::PARTY_LIST,
        list: party::list_parties,
        label: &["code", "name"],
        href: "/parties/",
    },
    SearchedList {
        kind: "ui.search.product",
        spec: &product::PRODUCT_LIST,
        list: product::list_products,
        label: &["code", "name"],
        href: "/products/",
    },
    SearchedList {
        kind: "ui.search.sales_order",
        spec: &sales::ORDER_LIST,
        list: sales::order::list_orders,
        label: &["number", "customer"],
        href: "/sales/orders/",
    },
    SearchedList {
        kind: "ui.search.invoice",
        spec: &sales::INVOICE_LIST,
        list: sales::invoice::list_invoices,
        label: &["number", "customer"],
        href: "/sales/invoices/",
    },
    SearchedList {
        kind: "ui.search.purchase_order",
        spec: &purchasing::PURCHASE_LIST,
        list: purchasing::order::list_orders,
        label: &["number", "supplier"],
        href: "/purchasing/orders/",
    },
    SearchedList {
        kind: "ui.search.bill",
        spec: &purchasing::BILL_LIST,
        list: purchasing::bill::list_bills,
        label: &["number", "supplier"],
        href: "/purchasing/bills/",
    },
    SearchedList {
        kind: "ui.search.picking",
        spec: &inventory::PICKING_LIST,
        list: inventory::picking::list_pickings,
        label: &["number", "kind"],
        href: "/inventory/pickings/",
    },
    SearchedList {
        kind: "ui.search.task",
        spec: &office::TASK_LIST,
        list: office::task::list_tasks,
        label: &["number", "title"],
        href: "/office/tasks/",
    },
    SearchedList {
        kind: "ui.search.lead",
        spec: &crm::lead::LEAD_LIST,
        list: crm::lead::list_leads,
        label: &["contact_name", "organization"],
        href: "/crm/leads/",
    },
    SearchedList {
        kind: "ui.search.opportunity",
        spec: &crm::opportunity::OPPORTUNITY_LIST,
        list: crm::opportunity::list_opportunities,
        label: &["name", "customer"],
        href: "/crm/opportunities/",
    },
];

/// Every kind of record the user may read, through each list's search (the search index for
/// two characters or more), a few hits each; people by name.
pub async fn search(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let q = url_pairs(query.as_deref().unwrap_or_default())
        .into_iter()
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let ctx = page.ctx(&state);
    let needle = q.clone();
    let hits = state
        .blocking(move |state| {
            state.db.read(|tx| {
                let mut hits = Vec::new();
                if needle.is_empty() {
                    return Ok(hits);
                }
                let query = ListQuery { search: Some(needle.clone()), limit: Some(8), ..Default::default() };
                for searched in SEARCHED {
                    let rows = match (searched.list)(tx, &ctx, &query) {
                        Ok(page) => page.rows,
                        Err(error) if error.kind() == kernel::ErrorKind::Forbidden => continue,
                        Err(error) => return Err(error),
                    };
                    let at = |key: &str| searched.spec.columns.iter().position(|c| c.key == key);
                    for row in rows {
                        let id: String = row.get(searched.spec.columns.len())?;
                        let label: Vec<String> = searched
                            .label
                            .iter()
                            .filter_map(|key| at(key).and_then(|i| row.get::<Option<String>>(i).ok().flatten()))
                            .filter(|text| !text.is_empty())
                            .collect();
                        hits.push(Hit { kind: searched.kind.into(), label: label.join(" "), href: format!("{}{id}", searched.href) });
                    }
                }
                if ctx.may(kernel::identity::permissions::USER_READ) {
                    let like = format!("%{}%", needle.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
                    for row in tx.query(
                        "select u.id, u.username, u.display_name from kernel_user u join kernel_membership m on m.user_id = u.id
                         where m.company_id = $1 and (lower(u.username) like $2 escape '\\' or lower(u.display_name) like $2 escape '\\') order by u.username limit 20",
                        &[&ctx.company(), &like],
                    )? {
                        let id: String = row.get(0)?;
                        hits.push(Hit { kind: "ui.search.person".into(), label: format!("{} ({})", row.get::<String>(2)?, row.get::<String>(1)?), href: format!("/settings/users/{id}") });
                    }
                }
                Ok(hits)
            })
        })
        .await;
    let hits = match hits {
        Ok(h) => h,
        Err(error) => return error.into_response(),
    };
    let body = html! {
        h1 { (page.t("ui.search.results")) ": " (q) }
        div.panel {
            @if hits.is_empty() { p { (page.t("ui.search.none")) } }
            ul { @for hit in &hits { li { span.chip { (page.t(&hit.kind)) } " " a href=(hit.href) { (hit.label) } } } }
        }
    };
    shell(&page, &page.t("ui.search.results"), body)
}
