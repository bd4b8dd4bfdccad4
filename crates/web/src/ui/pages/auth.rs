//! Logging in and out in the browser, the language switch, the company switcher and the
//! preferences page.
//!
//! Login is protected against CSRF by a double-submitted token (cookie + form field), and
//! against session fixation by always issuing a fresh session secret (any session cookie the
//! browser brought is ended). Logout deletes the session on the server.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kernel::i18n::Locale;
use kernel::identity::{self, CompanyId, token_hash};
use kernel::{Ctx, ErrorKind};
use maud::{DOCTYPE, Markup, html};

use super::{FormData, safe_back, see_other};
use crate::access::{SESSION_COOKIE, session_cookie};
use crate::api::ClientAddress;
use crate::state::AppState;
use crate::ui::assets;
use crate::ui::guard::{Page, query_param, url_pairs};
use crate::ui::layout::{flash, html_response, shell};

const LOGIN_CSRF_COOKIE: &str = "tiangong_login_csrf";

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().split_once('=').filter(|(k, _)| *k == name).map(|(_, v)| v.to_string()))
}

fn cookie(state: &AppState, name: &str, value: &str, max_age: i64, same_site: &str) -> HeaderValue {
    let secure = if state.settings.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age}{secure}"))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn locale_of(headers: &HeaderMap) -> Locale {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::from_accept_language)
        .unwrap_or_default()
}

fn login_page(
    state: &AppState,
    locale: Locale,
    token: &str,
    next: &str,
    message: Option<String>,
    username: &str,
) -> Markup {
    let t = |key: &str| state.catalog.text(locale, key, &[]);
    html! {
        (DOCTYPE)
        html lang=(locale.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (t("ui.login.title")) " · 天工 Tiangong" }
                link rel="stylesheet" href=(assets::css_href());
            }
            body {
                main.login {
                    h1 { "天工 Tiangong" }
                    div.panel {
                        @if let Some(message) = message { div.flash.error role="alert" { (message) } }
                        form method="post" action="/login" {
                            input type="hidden" name="_login_csrf" value=(token);
                            input type="hidden" name="next" value=(next);
                            div.field { label for="username" { (t("ui.login.username")) } input #username name="username" autocomplete="username" value=(username) required autofocus; }
                            div.field { label for="password" { (t("ui.login.password")) } input #password type="password" name="password" autocomplete="current-password" required; }
                            button.primary type="submit" { (t("ui.login.submit")) }
                        }
                    }
                }
            }
        }
    }
}

fn new_token() -> String {
    identity::generate_password() + &identity::generate_password()
}

pub async fn login_form(State(state): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let next = url_pairs(query.as_deref().unwrap_or_default()).into_iter().find(|(k, _)| k == "next").map(|(_, v)| v);
    let next = safe_back(next.as_deref(), "/");
    let token = new_token();
    let mut response = html_response(StatusCode::OK, login_page(&state, locale_of(&headers), &token, &next, None, ""));
    response.headers_mut().append(header::SET_COOKIE, cookie(&state, LOGIN_CSRF_COOKIE, &token, 3600, "Strict"));
    response
}

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    address: ClientAddress,
    form: FormData,
) -> Response {
    let locale = locale_of(&headers);
    let next = safe_back(form.get("next"), "/");
    let username = form.text("username");
    let again = |status: StatusCode, code: &str, params: &[(&'static str, String)]| {
        let token = new_token();
        let message = state.catalog.text(locale, code, params);
        let mut response = html_response(status, login_page(&state, locale, &token, &next, Some(message), &username));
        response.headers_mut().append(header::SET_COOKIE, cookie(&state, LOGIN_CSRF_COOKIE, &token, 3600, "Strict"));
        response
    };
    let expected = cookie_value(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || form.get("_login_csrf") != Some(expected.as_str()) {
        return again(StatusCode::FORBIDDEN, "http.csrf", &[]);
    }
    let password = form.get("password").unwrap_or_default().to_string();
    let previous = session_cookie(&headers);
    let name = username.clone();
    let outcome = state
        .blocking(move |state| {
            let user = identity::authenticate(
                &state.db,
                state.clock.as_ref(),
                &state.login_policy,
                &name,
                &password,
                &address.0,
            )?;
            let clock =
                Ctx::system(CompanyId(kernel::id::Uuid::nil()), Default::default()).with_clock(state.clock.clone());
            state.db.write(|tx| {
                if let Some(previous) = &previous {
                    identity::delete_session(tx, &token_hash(previous))?;
                }
                identity::create_session(tx, &clock, user, state.settings.session_ttl)
            })
        })
        .await;
    match outcome {
        Ok(session) => {
            let mut response = see_other(&next, None);
            let max_age = state.settings.session_ttl.whole_seconds();
            response
                .headers_mut()
                .append(header::SET_COOKIE, cookie(&state, SESSION_COOKIE, &session.secret, max_age, "Lax"));
            response.headers_mut().append(header::SET_COOKIE, cookie(&state, LOGIN_CSRF_COOKIE, "", 0, "Strict"));
            response
        }
        Err(error) => {
            let status = match error.0.kind() {
                ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
                ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
                _ => StatusCode::UNAUTHORIZED,
            };
            again(status, error.0.code(), error.0.params())
        }
    }
}

pub async fn logout(State(state): State<AppState>, page: Page) -> Response {
    if let Some(id) = page.principal.session_id.clone() {
        let _ = state.blocking(move |state| state.db.write(|tx| identity::delete_session(tx, &id))).await;
    }
    let mut response = see_other("/login", None);
    response.headers_mut().append(header::SET_COOKIE, cookie(&state, SESSION_COOKIE, "", 0, "Lax"));
    response
}

pub async fn set_locale(State(state): State<AppState>, page: Page, headers: HeaderMap, form: FormData) -> Response {
    let locale = Locale::parse(&form.text("locale")).unwrap_or_default();
    let session = page.principal.session_id.clone().unwrap_or_default();
    let user = page.principal.user;
    let result = state
        .blocking(move |state| {
            state.db.write(|tx| {
                identity::set_session_locale(tx, &session, locale)?;
                tx.execute("update kernel_user set locale = $1 where id = $2", &[&locale.tag(), &user])?;
                kernel::identity::security_changed();
                Ok(())
            })
        })
        .await;
    if let Err(error) = result {
        return error.into_response();
    }
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string())));
    see_other(&safe_back(back.as_deref(), "/"), None)
}

pub async fn switch_company(State(state): State<AppState>, page: Page, form: FormData) -> Response {
    let Ok(company) = CompanyId::parse(&form.text("company")) else {
        return see_other("/", None);
    };
    let session = page.principal.session_id.clone().unwrap_or_default();
    let user = page.principal.user;
    match state.blocking(move |state| state.db.write(|tx| identity::switch_company(tx, &session, user, company))).await
    {
        Ok(()) => see_other("/", None),
        Err(error) => error.into_response(),
    }
}

pub async fn preferences(page: Page, RawQuery(query): RawQuery) -> Response {
    let ok = query_param(query.as_deref(), "ok");
    let body = html! {
        h1 { (page.t("ui.preferences")) }
        (flash(&page, ok.as_deref(), None))
        div.panel {
            p { (page.t("ui.preferences.user")) ": " strong { (page.principal.display_name) } " (" (page.principal.username) ")" }
            form method="post" action="/ui/locale" {
                input type="hidden" name="_csrf" value=(page.csrf());
                label for="pref-locale" { (page.t("ui.language")) } " "
                select #pref-locale name="locale" {
                    option value="zh-CN" selected[page.locale.tag() == "zh-CN"] { "简体中文" }
                    option value="en" selected[page.locale.tag() == "en"] { "English" }
                }
                " " button.primary type="submit" { (page.t("ui.save")) }
            }
            h2 { (page.t("ui.shortcuts")) }
            ul {
                li { kbd { "Ctrl+S" } " " (page.t("ui.shortcut.save")) }
                li { kbd { "Alt+N" } " " (page.t("ui.shortcut.new")) }
                li { kbd { "/" } " " (page.t("ui.shortcut.search")) }
            }
        }
    };
    shell(&page, &page.t("ui.preferences"), body)
}
