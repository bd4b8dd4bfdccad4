//! The page shell: top bar (search, notifications, company switcher, language, user menu),
//! navigation by module showing only what the user's roles allow, and the content.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use super::assets;
use super::guard::Page;

/// A module in the navigation: shown when the user holds any permission under `prefix`.
struct Module {
    label: &'static str,
    prefix: &'static str,
    href: &'static str,
    /// Sub-pages: (label, href, permission needed).
    pages: &'static [(&'static str, &'static str, &'static str)],
}

const MODULES: &[Module] = &[
    Module {
        label: "ui.nav.sales",
        prefix: "sales",
        href: "/sales/orders",
        pages: &[
            ("ui.sales.orders", "/sales/orders", "sales.order.read"),
            ("ui.sales.invoices", "/sales/invoices", "sales.invoice.read"),
        ],
    },
    Module {
        label: "ui.nav.purchasing",
        prefix: "purchasing",
        href: "/purchasing/orders",
        pages: &[
            ("ui.purchasing.orders", "/purchasing/orders", "purchasing.order.read"),
            ("ui.purchasing.bills", "/purchasing/bills", "purchasing.bill.read"),
        ],
    },
    Module {
        label: "ui.nav.inventory",
        prefix: "product",
        href: "/products",
        pages: &[
            ("ui.products", "/products", "product.product.read"),
            ("ui.product_setup", "/products/setup", "product.setup.read"),
            ("ui.transfer.title", "/imports?type=products", "product.product.write"),
            ("ui.inventory.pickings", "/inventory/pickings", "inventory.stock.read"),
            ("ui.inventory.stock", "/inventory/stock", "inventory.stock.read"),
            ("ui.inventory.summary", "/inventory/summary", "inventory.valuation.read"),
            ("ui.inventory.ledger", "/inventory/ledger", "inventory.valuation.read"),
            ("ui.inventory.lots", "/inventory/lots", "inventory.stock.read"),
            ("ui.inventory.replenishment", "/inventory/replenishment", "inventory.stock.read"),
            ("ui.inventory.setup", "/inventory/setup", "inventory.stock.read"),
            ("ui.scan.title", "/inventory/scan", "inventory.stock.move"),
        ],
    },
    Module {
        label: "ui.nav.production",
        prefix: "production",
        href: "/production/work-orders",
        pages: &[
            ("ui.production.work_orders", "/production/work-orders", "production.data.read"),
            ("ui.production.boms", "/production/boms", "production.data.read"),
            ("ui.production.routings", "/production/routings", "production.data.read"),
            ("ui.mrp.title", "/production/mrp", "production.data.read"),
            ("ui.mrp.capacity", "/production/capacity", "production.data.read"),
            ("ui.mrp.planning", "/production/planning", "production.data.read"),
            ("ui.shop.tablet", "/shop/tablet", "production.data.read"),
            ("ui.shop.board", "/shop/board", "production.data.read"),
        ],
    },
    Module {
        label: "ui.nav.finance",
        prefix: "ledger",
        href: "/finance/vouchers",
        pages: &[
            ("ui.ledger.vouchers", "/finance/vouchers", "ledger.voucher.read"),
            ("ui.ledger.trial_balance", "/finance/trial-balance", "ledger.voucher.read"),
            ("ui.ledger.balance_sheet", "/finance/statements/balance-sheet", "ledger.voucher.read"),
            ("ui.ledger.income_statement", "/finance/statements/income", "ledger.voucher.read"),
            ("ui.ledger.cash_flow", "/finance/statements/cash-flow", "ledger.voucher.read"),
            ("ui.ledger.account_book", "/finance/books/account", "ledger.voucher.read"),
            ("ui.ledger.journal", "/finance/books/journal", "ledger.voucher.read"),
            ("ui.ledger.general_book", "/finance/books/general", "ledger.voucher.read"),
            ("ui.bank.title", "/finance/bank", "ledger.voucher.read"),
            ("ui.opening.title", "/finance/opening", "ledger.voucher.read"),
        ],
    },
    Module { label: "ui.nav.hr", prefix: "hr", href: "/hr", pages: &[] },
    Module {
        label: "ui.nav.office",
        prefix: "office",
        href: "/office/tasks/board",
        pages: &[
            ("ui.approvals.title", "/office/approvals", "office.task.read"),
            ("ui.announcements.title", "/office/announcements", "office.task.read"),
            ("ui.calendar.title", "/office/calendar", "office.task.read"),
            ("ui.tasks.board", "/office/tasks/board", "office.task.read"),
            ("ui.tasks.list", "/office/tasks", "office.task.read"),
        ],
    },
    Module {
        label: "ui.nav.crm",
        prefix: "party",
        href: "/parties",
        pages: &[
            ("ui.parties", "/parties", "party.customer.read"),
            ("ui.crm.leads", "/crm/leads", "crm.record.read"),
            ("ui.crm.pipeline", "/crm/pipeline", "crm.record.read"),
            ("ui.crm.report", "/crm/report", "crm.record.read"),
            ("ui.crm.setup", "/crm/setup", "crm.record.read"),
            ("ui.transfer.title", "/imports?type=customers", "party.customer.write"),
            ("ui.party.terms", "/parties/terms", "party.customer.read"),
        ],
    },
    Module { label: "ui.nav.marketing", prefix: "marketing", href: "/marketing", pages: &[] },
    Module { label: "ui.nav.service", prefix: "support", href: "/service", pages: &[] },
    Module { label: "ui.nav.reports", prefix: "", href: "/", pages: &[] },
    Module {
        label: "ui.nav.settings",
        prefix: "kernel",
        href: "/settings/users",
        pages: &[
            ("ui.settings.users", "/settings/users", "kernel.user.read"),
            ("ui.settings.roles", "/settings/roles", "kernel.role.read"),
            ("ui.company.details", "/settings/company", "kernel.company.read"),
            ("ui.settings.companies", "/settings/companies", "kernel.company.read"),
            ("ui.settings.audit", "/settings/audit", "kernel.audit.read"),
            ("ui.settings.outbox", "/settings/outbox", "kernel.outbox.read"),
            ("ui.flows.title", "/settings/approvals", "office.approval.manage"),
        ],
    },
];

fn module_visible(page: &Page, module: &Module) -> bool {
    if module.prefix.is_empty() {
        return true;
    }
    let prefix = format!("{}.", module.prefix);
    page.principal.permissions.iter().any(|p| p.starts_with(&prefix))
}

fn is_current(page: &Page, href: &str) -> bool {
    if href == "/" { page.path == "/" } else { page.path == href || page.path.starts_with(&format!("{href}/")) }
}

/// The Content-Security-Policy of every page: nothing inline, nothing from elsewhere.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The pickers' labels as JSON, in the page's language.
fn lookup_labels(page: &Page) -> String {
    serde_json::json!({
        "on_hand": page.t("ui.lookup.on_hand"),
        "price": page.t("ui.lookup.price"),
        "remaining_credit": page.t("ui.lookup.remaining_credit"),
    })
    .to_string()
}

/// A full HTML page inside the shell.
pub fn shell(page: &Page, title: &str, content: Markup) -> Response {
    let visible: Vec<&Module> = MODULES.iter().filter(|m| module_visible(page, m)).collect();
    let markup = html! {
        (DOCTYPE)
        html lang=(page.locale.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="csrf-token" content=(page.csrf());
                // The words the pickers (app.js) put before a choice's key figure.
                meta name="lookup-labels" content=(lookup_labels(page));
                title { (title) " · 天工 Tiangong" }
                link rel="stylesheet" href=(assets::css_href());
                script src=(assets::js_href()) defer {}
            }
            body {
                header.topbar role="banner" {
                    a.brand href="/" { "天工" }
                    form.search role="search" method="get" action="/search" {
                        label.sr-only for="global-search" { (page.t("ui.search.label")) }
                        input #global-search type="search" name="q" placeholder=(page.t("ui.search.placeholder")) accesskey="k";
                    }
                    span.spacer {}
                    a.bell href="/notifications" aria-label=(page.t("ui.notifications")) title=(page.t("ui.notifications")) {
                        svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" {
                            path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z" {}
                        }
                        " " span.count { (page.unread) }
                    }
                    @if page.companies.len() > 1 {
                        form method="post" action="/ui/company" {
                            input type="hidden" name="_csrf" value=(page.csrf());
                            label.sr-only for="company-switch" { (page.t("ui.company.switch")) }
                            select #company-switch name="company" data-autosubmit {
                                @for (id, name) in &page.companies {
                                    option value=(id) selected[*id == page.principal.company] { (name) }
                                }
                            }
                            button type="submit" { (page.t("ui.company.switch")) }
                        }
                    } @else if let Some((_, name)) = page.companies.first() {
                        span { (name) }
                    }
                    details.menu {
                        summary { (page.principal.display_name) " ▾" }
                        div.menu-body {
                            form method="post" action="/ui/locale" {
                                input type="hidden" name="_csrf" value=(page.csrf());
                                label for="locale" { (page.t("ui.language")) } " "
                                select #locale name="locale" {
                                    option value="zh-CN" selected[page.locale.tag() == "zh-CN"] { "简体中文" }
                                    option value="en" selected[page.locale.tag() == "en"] { "English" }
                                }
                                " " button type="submit" { (page.t("ui.apply")) }
                            }
                            p { a href="/preferences" { (page.t("ui.preferences")) } }
                            form method="post" action="/logout" {
                                input type="hidden" name="_csrf" value=(page.csrf());
                                button.link type="submit" { (page.t("ui.logout")) }
                            }
                        }
                    }
                }
                div.layout {
                    nav.modules aria-label=(page.t("ui.nav.label")) {
                        @for module in &visible {
                            a href=(module.href) aria-current=[is_current(page, module.href).then_some("page")] { (page.t(module.label)) }
                            @if !module.pages.is_empty() {
                                div.sub {
                                    @for (label, href, permission) in module.pages {
                                        @if page.principal.permissions.iter().any(|p| p == *permission) {
                                            a href=(href) aria-current=[(page.path == *href).then_some("page")] { (page.t(label)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    main #main { (content) }
                }
            }
        }
    };
    html_response(StatusCode::OK, markup)
}

/// Headers every HTML answer carries.
pub fn html_response(status: StatusCode, markup: Markup) -> Response {
    let mut response = (status, markup).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An error page inside the shell, for a code whose text needs no parameters.
pub fn error_page(page: &Page, status: StatusCode, code: &str) -> Response {
    error_page_text(page, status, page.t(code))
}

/// An error page for an error, its message filled with the error's parameters.
pub fn error_page_for(page: &Page, status: StatusCode, error: &kernel::Error) -> Response {
    let params: Vec<(&'static str, String)> = error.params().iter().filter(|(n, _)| *n != "sql").cloned().collect();
    error_page_text(page, status, page.t_with(error.code(), &params))
}

fn error_page_text(page: &Page, status: StatusCode, text: String) -> Response {
    let mut response = shell(
        page,
        &text,
        html! {
            h1 { (status.as_u16()) }
            div.flash.error role="alert" { (text) }
            p { a href="/" { (page.t("ui.back_home")) } }
        },
    );
    *response.status_mut() = status;
    response
}

/// A flash message carried in the query string after a redirect (`?ok=...`).
pub fn flash(page: &Page, ok: Option<&str>, error: Option<&str>) -> Markup {
    html! {
        @if let Some(code) = ok { div.flash.ok role="status" { (page.t(code)) } }
        @if let Some(message) = error { div.flash.error role="alert" { (message) } }
    }
}
