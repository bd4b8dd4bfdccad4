//! The form view's parts, shared by every module: fields with their validation messages beside
//! them, read-only rendering by state, the state badge, action buttons derived from the
//! document's state machine intersected with the user's permissions, and the record's side
//! panel: timeline of changes (audit log) with comments and @mentions, and attachments.

use kernel::attachment::Attachment;
use kernel::audit::AuditEntry;
use kernel::{Error, Permission};
use maud::{Markup, html};
use office::Comment;

use super::guard::Page;

/// What kind of input a field is.
#[derive(Clone, Debug)]
pub enum Input {
    Text,
    Email,
    Password,
    Date,
    Decimal,
    TextArea,
    Select(Vec<(String, String)>),
    /// A record picked by its code through `/api/v1/lookup/<kind>` ("customers", "products",
    /// "users"…): search-as-you-type with app.js, a typed code without it.
    Lookup(&'static str),
    /// Several checkboxes with the same name.
    Multi(Vec<(String, String)>),
}

#[derive(Clone, Debug)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub input: Input,
    pub value: String,
    /// Selected values of a `Multi`.
    pub values: Vec<String>,
    pub required: bool,
    pub readonly: bool,
}

impl Field {
    pub fn new(name: &'static str, label: &'static str, input: Input, value: impl Into<String>) -> Field {
        Field { name, label, input, value: value.into(), values: Vec::new(), required: false, readonly: false }
    }

    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }

    pub fn readonly(mut self, readonly: bool) -> Field {
        self.readonly = readonly;
        self
    }

    pub fn values(mut self, values: Vec<String>) -> Field {
        self.values = values;
        self
    }
}

/// The message for `field` in an error, if the error names it.
fn field_error(page: &Page, error: Option<&Error>, field: &str) -> Option<String> {
    let error = error?;
    error.fields().iter().find(|f| f.field == field).map(|f| {
        let params = if f.params.is_empty() { error.params() } else { &f.params };
        page.t_with(f.code, params)
    })
}

/// The fields of a form, each with its label, input and (if any) its error.
pub fn fields(page: &Page, fields: &[Field], error: Option<&Error>) -> Markup {
    html! {
        div.form-grid {
            @for field in fields {
                @let message = field_error(page, error, field.name);
                @let id = format!("field-{}", field.name);
                div.field.invalid[message.is_some()] {
                    label for=(id) { (page.t(field.label)) @if field.required && !field.readonly { " *" } }
                    @if field.readonly {
                        @match &field.input {
                            Input::Select(options) => div.readonly-value #(id) { (options.iter().find(|(v, _)| *v == field.value).map(|(_, l)| l.clone()).unwrap_or(field.value.clone())) },
                            Input::Multi(options) => div.readonly-value #(id) { (options.iter().filter(|(v, _)| field.values.contains(v)).map(|(_, l)| l.as_str()).collect::<Vec<_>>().join("、")) },
                            Input::Password => div.readonly-value #(id) { "••••" },
                            _ => div.readonly-value #(id) { (if field.value.is_empty() { "—" } else { &field.value }) },
                        }
                    } @else {
                        @match &field.input {
                            Input::Text => input #(id) type="text" name=(field.name) value=(field.value) required[field.required] aria-invalid=[message.is_some().then_some("true")];
                            Input::Lookup(kind) => input #(id) type="text" name=(field.name) value=(field.value) data-lookup=(kind) required[field.required] aria-invalid=[message.is_some().then_some("true")];
                            Input::Email => input #(id) type="email" name=(field.name) value=(field.value) required[field.required];
                            Input::Password => input #(id) type="password" name=(field.name) autocomplete="new-password" required[field.required];
                            Input::Date => input #(id) type="date" name=(field.name) value=(field.value) required[field.required];
                            Input::Decimal => input #(id) type="text" inputmode="decimal" name=(field.name) value=(field.value) required[field.required];
                            Input::TextArea => textarea #(id) name=(field.name) required[field.required] { (field.value) },
                            Input::Select(options) => select #(id) name=(field.name) required[field.required] {
                                option value="" { "—" }
                                @for (value, label) in options { option value=(value) selected[*value == field.value] { (label) } }
                            },
                            Input::Multi(options) => div #(id) {
                                @for (value, label) in options {
                                    label { input type="checkbox" name=(field.name) value=(value) checked[field.values.contains(value)]; " " (label) } " "
                                }
                            },
                        }
                    }
                    @if let Some(message) = message { span.error role="alert" { (message) } }
                }
            }
        }
    }
}

/// A problem that names no field, shown above the form.
pub fn form_error(page: &Page, error: Option<&Error>) -> Markup {
    html! {
        @if let Some(error) = error {
            div.flash.error role="alert" { (page.t_with(error.code(), error.params())) }
        }
    }
}

/// The state badge.
pub fn badge(page: &Page, prefix: &str, state: &str) -> Markup {
    html! { span.badge.(state) { (page.t(&format!("{prefix}{state}"))) } }
}

/// The buttons of a document: the actions its state allows, each shown only if the user holds
/// its permission. Posted to `action_url` with `action=<code>`.
pub fn actions(page: &Page, action_url: &str, allowed: &[(&'static str, &'static str, Permission)]) -> Markup {
    html! {
        @let shown: Vec<_> = allowed.iter().filter(|(_, _, p)| page.may(*p)).collect();
        @if !shown.is_empty() {
            form.actions method="post" action=(action_url) {
                input type="hidden" name="_csrf" value=(page.csrf());
                @for (code, label, _) in shown {
                    button type="submit" name="action" value=(code) { (page.t(label)) }
                }
            }
        }
    }
}

/// The side panel of a record: its timeline (changes and comments, newest first), a comment
/// box with @mentions, and its attachments with an upload form.
pub fn side_panel(
    page: &Page,
    kind: &str,
    id: &str,
    changes: &[AuditEntry],
    comments: &[Comment],
    attachments: &[Attachment],
) -> Markup {
    enum Item<'a> {
        Change(&'a AuditEntry),
        Said(&'a Comment),
    }
    // A comment's own audit entry would repeat the comment: show the comment itself.
    let mut items: Vec<(String, Item)> =
        changes.iter().filter(|c| c.action != "office.comment.add").map(|c| (c.at.clone(), Item::Change(c))).collect();
    items.extend(comments.iter().map(|c| (c.created_at.clone(), Item::Said(c))));
    items.sort_by(|a, b| b.0.cmp(&a.0));
    let back = page.path.clone();
    html! {
        section.panel aria-labelledby="attachments-title" {
            h2 #attachments-title { (page.t("ui.attachments")) }
            ul {
                @for a in attachments {
                    li { a href=(format!("/attachments/{}", a.id)) { (a.file_name) } " " span.meta { "(" (a.size_bytes / 1024 + 1) " KB)" } }
                }
            }
            form method="post" enctype="multipart/form-data" action=(format!("/attachments?_csrf={}&kind={}&id={}&back={}", page.csrf(), kind, id, back)) {
                label for="file" { (page.t("ui.attachments.add")) }
                input #file type="file" name="file" required;
                button type="submit" { (page.t("ui.upload")) }
            }
        }
        section.panel aria-labelledby="timeline-title" {
            h2 #timeline-title { (page.t("ui.timeline")) }
            form method="post" action="/comments" {
                input type="hidden" name="_csrf" value=(page.csrf());
                input type="hidden" name="kind" value=(kind);
                input type="hidden" name="id" value=(id);
                input type="hidden" name="back" value=(back);
                label for="comment" { (page.t("ui.comment")) }
                textarea #comment name="body" placeholder=(page.t("ui.comment.placeholder")) required {}
                button type="submit" { (page.t("ui.comment.send")) }
            }
            ol.timeline {
                @for (at, item) in &items {
                    li {
                        @match item {
                            Item::Change(entry) => {
                                @let key = format!("ui.audit.{}", entry.action);
                                strong { (if page.catalog.contains(&key) { page.t(&key) } else { entry.action.clone() }) }
                                div.meta { (at.replace('T', " ").chars().take(19).collect::<String>()) " · " (entry.actor) }
                            },
                            Item::Said(comment) => {
                                strong { (comment.author) } ": " (comment.body)
                                div.meta { (at.replace('T', " ").chars().take(19).collect::<String>()) }
                            },
                        }
                    }
                }
            }
        }
    }
}
