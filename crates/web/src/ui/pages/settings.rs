//! Settings: users, roles with the permission matrix, companies, the audit log viewer and the
//! outbox viewer. Lists use the shared list view; forms the shared form parts.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kernel::Error;
use kernel::audit::AUDIT_LIST;
use kernel::identity::permissions::{COMPANY_MANAGE, ROLE_MANAGE, USER_MANAGE};
use kernel::identity::{self, NewCompany, NewUser, RoleUpdate, USER_LIST, UserId, UserUpdate};
use kernel::outbox::{OUTBOX_LIST, OutboxId};
use maud::html;

use super::{FormData, see_other};
use crate::state::AppState;
use crate::ui::form::{self, Field, Input};
use crate::ui::guard::{Page, query_param};
use crate::ui::layout::{error_page, error_page_for, flash, shell};
use crate::ui::list::{self, BulkAction, ColumnView, FilterField, FilterInput, ListParams, ListView, Show};

fn ok_param(query: &Option<String>) -> Option<String> {
    query_param(query.as_deref(), "ok")
}

const USER_COLUMNS: &[ColumnView] = &[
    ColumnView { key: "username", label: "ui.user.username", show: Show::Link },
    ColumnView { key: "display_name", label: "ui.user.display_name", show: Show::Text },
    ColumnView { key: "email", label: "ui.user.email", show: Show::Text },
    ColumnView { key: "state", label: "ui.state", show: Show::Badge("ui.user.state.") },
    ColumnView { key: "created_at", label: "ui.created_at", show: Show::Time },
];

pub async fn users(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let manage = page.may(USER_MANAGE);
    let view = ListView {
        key: "settings.users",
        title: "ui.settings.users",
        base: "/settings/users",
        spec: &USER_LIST,
        columns: USER_COLUMNS,
        filters: vec![FilterField {
            key: "state",
            label: "ui.state",
            input: FilterInput::Choice(vec![
                ("active".into(), page.t("ui.user.state.active")),
                ("inactive".into(), page.t("ui.user.state.inactive")),
            ]),
        }],
        bulk: if manage {
            vec![
                BulkAction { code: "activate", label: "ui.user.activate" },
                BulkAction { code: "deactivate", label: "ui.user.deactivate" },
            ]
        } else {
            vec![]
        },
        new_href: manage.then_some("/settings/users/new"),
    };
    list::handle(&state, &page, view, ListParams::parse(query.as_deref()), |tx, ctx, q| {
        ctx.require(identity::permissions::USER_READ)?;
        USER_LIST.fetch(tx, ctx, q, None)
    })
    .await
}

pub async fn users_bulk(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let active = form.get("action") == Some("activate");
    let ids: Vec<UserId> = form.all("ids").iter().filter_map(|id| UserId::parse(id).ok()).collect();
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| identity::set_active(tx, &ctx, &ids, active))).await {
        Ok(_) => see_other("/settings/users", Some("ui.saved")),
        Err(error) => error_page_for(&page, StatusCode::UNPROCESSABLE_ENTITY, &error.0),
    }
}

struct UserFormData {
    user: Option<identity::User>,
    roles: Vec<(String, String)>,
    history: Vec<kernel::audit::AuditEntry>,
    comments: Vec<office::Comment>,
    attachments: Vec<kernel::attachment::Attachment>,
}

async fn load_user_form(
    state: &AppState,
    page: &Page,
    id: Option<UserId>,
) -> Result<UserFormData, crate::problem::ApiError> {
    let ctx = page.ctx(state);
    let zh = page.locale.tag() == "zh-CN";
    state
        .blocking(move |state| {
            state.db.read(|tx| {
                let roles = identity::list_roles(tx, &ctx)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|r| (r.code, if zh { r.name_zh } else { r.name_en }))
                    .collect();
                let Some(id) = id else {
                    return Ok(UserFormData {
                        user: None,
                        roles,
                        history: vec![],
                        comments: vec![],
                        attachments: vec![],
                    });
                };
                let user = identity::get_user(tx, &ctx, id)?;
                let key = id.to_string();
                Ok(UserFormData {
                    user: Some(user),
                    roles,
                    history: kernel::audit::history(tx, &ctx, "kernel.user", &key, 50)?,
                    comments: office::list_comments(tx, &ctx, "kernel.user", &key)?,
                    attachments: state.attachments.list(tx, &ctx, "kernel.user", &key)?,
                })
            })
        })
        .await
}

fn user_page(
    page: &Page,
    data: &UserFormData,
    form_values: Option<&FormData>,
    error: Option<&Error>,
    ok: Option<&str>,
) -> Response {
    let manage = page.may(USER_MANAGE);
    let user = data.user.as_ref();
    let value = |name: &str, current: String| form_values.map(|f| f.text(name)).unwrap_or(current);
    let title = match user {
        Some(u) => u.display_name.clone(),
        None => page.t("ui.user.new"),
    };
    let mut fields = vec![
        Field::new(
            "username",
            "ui.user.username",
            Input::Text,
            value("username", user.map(|u| u.username.clone()).unwrap_or_default()),
        )
        .required()
        .readonly(user.is_some()),
        Field::new(
            "display_name",
            "ui.user.display_name",
            Input::Text,
            value("display_name", user.map(|u| u.display_name.clone()).unwrap_or_default()),
        )
        .required()
        .readonly(!manage),
        Field::new(
            "email",
            "ui.user.email",
            Input::Email,
            value("email", user.and_then(|u| u.email.clone()).unwrap_or_default()),
        )
        .readonly(!manage),
        Field::new(
            "locale",
            "ui.language",
            Input::Select(vec![("zh-CN".into(), "简体中文".into()), ("en".into(), "English".into())]),
            value("locale", user.map(|u| u.locale.clone()).unwrap_or_else(|| "zh-CN".into())),
        )
        .readonly(!manage),
        Field::new("roles", "ui.user.roles", Input::Multi(data.roles.clone()), "")
            .values(
                form_values
                    .map(|f| f.all("roles"))
                    .unwrap_or_else(|| user.map(|u| u.roles.clone()).unwrap_or_default()),
            )
            .readonly(!manage),
    ];
    if user.is_none() {
        fields.push(Field::new("password", "ui.user.password", Input::Password, "").required());
    }
    let action = match user {
        Some(u) => format!("/settings/users/{}", u.id),
        None => "/settings/users/new".into(),
    };
    let state_actions: Vec<(&'static str, &'static str, kernel::Permission)> = match user {
        Some(u) if u.active => vec![("deactivate", "ui.user.deactivate", USER_MANAGE)],
        Some(_) => vec![("activate", "ui.user.activate", USER_MANAGE)],
        None => vec![],
    };
    let body = html! {
        h1 {
            (title)
            @if let Some(u) = user { (form::badge(page, "ui.user.state.", if u.active { "active" } else { "inactive" })) }
        }
        (flash(page, ok, None))
        div.columns-2 {
            div {
                @if let Some(u) = user { (form::actions(page, &format!("/settings/users/{}", u.id), &state_actions)) }
                form.panel method="post" action=(action) data-save {
                    input type="hidden" name="_csrf" value=(page.csrf());
                    @if let Some(u) = user { input type="hidden" name="version" value=(u.version); }
                    (form::form_error(page, error.filter(|e| e.fields().is_empty())))
                    (form::fields(page, &fields, error))
                    @if manage { p { button.primary type="submit" { (page.t("ui.save")) } " " a href="/settings/users" { (page.t("ui.cancel")) } } }
                }
            }
            @if let Some(u) = user { div { (form::side_panel(page, "kernel.user", &u.id.to_string(), &data.history, &data.comments, &data.attachments)) } }
        }
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut response = shell(page, &page.t("ui.settings.users"), body);
    *response.status_mut() = status;
    response
}

pub async fn user_new(State(state): State<AppState>, page: Page) -> Response {
    match load_user_form(&state, &page, None).await {
        Ok(data) => user_page(&page, &data, None, None, None),
        Err(error) => error.into_response(),
    }
}

pub async fn user_create(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let input = NewUser {
        username: form.text("username"),
        display_name: form.text("display_name"),
        email: Some(form.text("email")).filter(|e| !e.is_empty()),
        password: form.get("password").unwrap_or_default().to_string(),
        locale: Some(form.text("locale")).filter(|l| !l.is_empty()),
        roles: form.all("roles"),
    };
    let ctx = page.ctx(&state);
    match state.blocking(move |state| state.db.write(|tx| identity::create_user(tx, &ctx, &input))).await {
        Ok(user) => see_other(&format!("/settings/users/{}", user.id), Some("ui.saved")),
        Err(error) => match load_user_form(&state, &page, None).await {
            Ok(data) => user_page(&page, &data, Some(&form), Some(&error.0), None),
            Err(e) => e.into_response(),
        },
    }
}

pub async fn user_form(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(id) = UserId::parse(&id) else { return error_page(&page, StatusCode::NOT_FOUND, "kernel.user.not_found") };
    match load_user_form(&state, &page, Some(id)).await {
        Ok(data) => user_page(&page, &data, None, None, ok_param(&query).as_deref()),
        Err(error) => error_page_for(&page, StatusCode::NOT_FOUND, &error.0),
    }
}

pub async fn user_save(State(state): State<AppState>, page: Page, Path(id): Path<String>, form: FormData) -> Response {
    let Ok(id) = UserId::parse(&id) else { return error_page(&page, StatusCode::NOT_FOUND, "kernel.user.not_found") };
    if !page.may(USER_MANAGE) {
        return error_page(&page, StatusCode::FORBIDDEN, "auth.forbidden");
    }
    let ctx = page.ctx(&state);
    let action = form.get("action").map(str::to_string);
    let update = UserUpdate {
        display_name: Some(form.text("display_name")),
        email: Some(form.text("email")),
        locale: Some(form.text("locale")),
        active: None,
        roles: Some(form.all("roles")),
        version: form.text("version").parse().unwrap_or(0),
    };
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| match action.as_deref() {
                Some(state_change) => identity::set_active(tx, &ctx, &[id], state_change == "activate").map(|_| ()),
                None => identity::update_user(tx, &ctx, id, &update).map(|_| ()),
            })
        })
        .await;
    match result {
        Ok(()) => see_other(&format!("/settings/users/{id}"), Some("ui.saved")),
        Err(error) => match load_user_form(&state, &page, Some(id)).await {
            Ok(data) => user_page(&page, &data, Some(&form), Some(&error.0), None),
            Err(e) => e.into_response(),
        },
    }
}

pub async fn roles(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let ctx = page.ctx(&state);
    let roles = match state.blocking(move |state| state.db.read(|tx| identity::list_roles(tx, &ctx))).await {
        Ok(roles) => roles,
        Err(error) => return error.into_response(),
    };
    let manage = page.may(ROLE_MANAGE);
    let zh = page.locale.tag() == "zh-CN";
    let body = html! {
        h1 { (page.t("ui.settings.roles")) }
        (flash(&page, ok_param(&query).as_deref(), None))
        form.panel method="post" action="/settings/roles/matrix" data-save {
            input type="hidden" name="_csrf" value=(page.csrf());
            div.toolbar { span { (page.t("ui.roles.matrix_hint")) } span.grow {} @if manage { button.primary type="submit" { (page.t("ui.save")) } } }
            div { table.list.matrix {
                caption.sr-only { (page.t("ui.roles.matrix")) }
                thead { tr {
                    th scope="col" { (page.t("ui.roles.permission")) }
                    @for role in &roles {
                        th scope="col" { (if zh { &role.name_zh } else { &role.name_en }) input type="hidden" name=(format!("version.{}", role.id)) value=(role.version); }
                    }
                } }
                tbody {
                    @for info in state.permissions.iter() {
                        tr {
                            th scope="row" { (if zh { info.zh } else { info.en }) br; code { (info.permission.name()) } }
                            @for role in &roles {
                                td {
                                    input type="checkbox" name="grant" value=(format!("{}|{}", role.id, info.permission.name()))
                                        checked[role.permissions.iter().any(|p| p == info.permission.name())]
                                        disabled[!manage || role.code == "admin"]
                                        aria-label=(format!("{} · {}", if zh { &role.name_zh } else { &role.name_en }, info.permission.name()));
                                }
                            }
                        }
                    }
                }
            } }
        }
    };
    shell(&page, &page.t("ui.settings.roles"), body)
}

/// Saves the whole matrix: every role (but admin, which holds everything) gets exactly the
/// ticked permissions, each role guarded by its version.
pub async fn roles_matrix_save(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let ctx = page.ctx(&state);
    let grants = form.all("grant");
    let versions: Vec<(String, i64)> = form
        .0
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("version.").map(|id| (id.to_string(), v.parse().unwrap_or(0))))
        .collect();
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| {
                for role in identity::list_roles(tx, &ctx)? {
                    if role.code == "admin" {
                        continue;
                    }
                    let key = role.id.to_string();
                    let version = versions.iter().find(|(id, _)| *id == key).map(|(_, v)| *v).unwrap_or(role.version);
                    let wanted: Vec<String> = grants
                        .iter()
                        .filter_map(|g| g.split_once('|'))
                        .filter(|(r, _)| *r == key)
                        .map(|(_, p)| p.to_string())
                        .collect();
                    let mut current = role.permissions.clone();
                    current.sort();
                    let mut sorted = wanted.clone();
                    sorted.sort();
                    if current != sorted {
                        identity::update_role(
                            tx,
                            &ctx,
                            role.id,
                            &RoleUpdate {
                                name_zh: None,
                                name_en: None,
                                permissions: Some(wanted),
                                own_records_only: None,
                                version,
                            },
                            &state.permissions,
                        )?;
                    }
                }
                Ok(())
            })
        })
        .await;
    match result {
        Ok(()) => see_other("/settings/roles", Some("ui.saved")),
        Err(error) => error_page(
            &page,
            StatusCode::from_u16(error.0.kind().http_status()).unwrap_or(StatusCode::CONFLICT),
            error.0.code(),
        ),
    }
}

pub async fn companies(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let ctx = page.ctx(&state);
    let companies = match state.blocking(move |state| state.db.read(|tx| identity::list_companies(tx, &ctx))).await {
        Ok(c) => c,
        Err(error) => return error.into_response(),
    };
    companies_page(&page, &companies, None, None, ok_param(&query).as_deref())
}

fn companies_page(
    page: &Page,
    companies: &[identity::Company],
    form: Option<&FormData>,
    error: Option<&Error>,
    ok: Option<&str>,
) -> Response {
    let value = |name: &str| form.map(|f| f.text(name)).unwrap_or_default();
    let body = html! {
        h1 { (page.t("ui.settings.companies")) }
        (flash(page, ok, None))
        table.list {
            thead { tr { th { (page.t("ui.company.code")) } th { (page.t("ui.company.name")) } th { (page.t("ui.company.currency")) } th { (page.t("ui.state")) } } }
            tbody {
                @for c in companies {
                    tr {
                        td { (c.code) } td { (c.name) @if c.id == page.principal.company { " " span.chip { (page.t("ui.company.current")) } } }
                        td { (c.base_currency) } td { (form::badge(page, "ui.user.state.", if c.active { "active" } else { "inactive" })) }
                    }
                }
            }
        }
        @if page.may(COMPANY_MANAGE) {
            form.panel method="post" action="/settings/companies" {
                h2 { (page.t("ui.company.new")) }
                input type="hidden" name="_csrf" value=(page.csrf());
                (form::form_error(page, error.filter(|e| e.fields().is_empty())))
                (form::fields(page, &[
                    Field::new("name", "ui.company.name", Input::Text, value("name")).required(),
                    Field::new("code", "ui.company.code", Input::Text, value("code")).required(),
                    Field::new("base_currency", "ui.company.currency", Input::Text, if value("base_currency").is_empty() { "CNY".to_string() } else { value("base_currency") }),
                ], error))
                p { button.primary type="submit" { (page.t("ui.save")) } }
            }
        }
    };
    let mut response = shell(page, &page.t("ui.settings.companies"), body);
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

pub async fn company_create(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let input = NewCompany {
        name: form.text("name"),
        code: form.text("code"),
        base_currency: Some(form.text("base_currency")).filter(|c| !c.is_empty()),
    };
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| state.db.write(|tx| identity::create_company(tx, &ctx, &input, &state.permissions)))
        .await;
    match result {
        Ok(_) => see_other("/settings/companies", Some("ui.saved")),
        Err(error) => {
            let ctx = page.ctx(&state);
            let companies = state
                .blocking(move |state| state.db.read(|tx| identity::list_companies(tx, &ctx)))
                .await
                .unwrap_or_default();
            companies_page(&page, &companies, Some(&form), Some(&error.0), None)
        }
    }
}

const AUDIT_COLUMNS: &[ColumnView] = &[
    ColumnView { key: "at", label: "ui.audit.at", show: Show::Time },
    ColumnView { key: "actor", label: "ui.audit.actor", show: Show::Text },
    ColumnView { key: "action", label: "ui.audit.action", show: Show::Text },
    ColumnView { key: "subject_kind", label: "ui.audit.subject_kind", show: Show::Text },
    ColumnView { key: "subject_id", label: "ui.audit.subject_id", show: Show::Text },
    ColumnView { key: "chain_seq", label: "ui.audit.seq", show: Show::Text },
];

pub async fn audit(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let view = ListView {
        key: "settings.audit",
        title: "ui.settings.audit",
        base: "/settings/audit",
        spec: &AUDIT_LIST,
        columns: AUDIT_COLUMNS,
        filters: vec![
            FilterField { key: "action", label: "ui.audit.action", input: FilterInput::Text },
            FilterField { key: "subject_kind", label: "ui.audit.subject_kind", input: FilterInput::Text },
            FilterField { key: "subject_id", label: "ui.audit.subject_id", input: FilterInput::Text },
            FilterField { key: "at", label: "ui.audit.date", input: FilterInput::Text },
        ],
        bulk: vec![],
        new_href: None,
    };
    list::handle(&state, &page, view, ListParams::parse(query.as_deref()), |tx, ctx, q| {
        ctx.require(identity::permissions::AUDIT_READ)?;
        AUDIT_LIST.fetch(tx, ctx, q, None)
    })
    .await
}

const OUTBOX_COLUMNS: &[ColumnView] = &[
    ColumnView { key: "created_at", label: "ui.created_at", show: Show::Time },
    ColumnView { key: "topic", label: "ui.outbox.topic", show: Show::Text },
    ColumnView { key: "state", label: "ui.state", show: Show::Badge("ui.outbox.state.") },
    ColumnView { key: "attempts", label: "ui.outbox.attempts", show: Show::Text },
    ColumnView { key: "next_attempt_at", label: "ui.outbox.next_attempt", show: Show::Time },
    ColumnView { key: "last_error", label: "ui.outbox.last_error", show: Show::Text },
];

pub async fn outbox(State(state): State<AppState>, page: Page, RawQuery(query): RawQuery) -> Response {
    let view = ListView {
        key: "settings.outbox",
        title: "ui.settings.outbox",
        base: "/settings/outbox",
        spec: &OUTBOX_LIST,
        columns: OUTBOX_COLUMNS,
        filters: vec![FilterField {
            key: "state",
            label: "ui.state",
            input: FilterInput::Choice(
                ["pending", "done", "dead"]
                    .iter()
                    .map(|s| (s.to_string(), page.t(&format!("ui.outbox.state.{s}"))))
                    .collect(),
            ),
        }],
        bulk: if page.may(kernel::identity::permissions::OUTBOX_MANAGE) {
            vec![BulkAction { code: "retry", label: "ui.outbox.retry" }]
        } else {
            vec![]
        },
        new_href: None,
    };
    list::handle(&state, &page, view, ListParams::parse(query.as_deref()), |tx, ctx, q| {
        ctx.require(identity::permissions::OUTBOX_READ)?;
        OUTBOX_LIST.fetch(tx, ctx, q, None)
    })
    .await
}

pub async fn outbox_bulk(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let ids: Vec<OutboxId> = form.all("ids").iter().filter_map(|id| OutboxId::parse(id).ok()).collect();
    let ctx = page.ctx(&state);
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| {
                for id in &ids {
                    kernel::outbox::retry(tx, &ctx, *id)?;
                }
                Ok(())
            })
        })
        .await;
    match result {
        Ok(()) => see_other("/settings/outbox", Some("ui.outbox.retried")),
        Err(error) => error_page_for(&page, StatusCode::CONFLICT, &error.0),
    }
}
