//! Deny by default for pages, as `access` is for the API: every page route is mounted through
//! `UiRouter::page` with an `Access`. The guard finds the session (or sends the browser to the
//! login page), checks CSRF on every unsafe request (the `_csrf` form field, or the
//! `x-csrf-token` header for scripts), checks the permission (a 403 page otherwise), and loads
//! what the page shell shows (companies, unread notifications) in the same round trip.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;
use kernel::i18n::{Catalog, Locale};
use kernel::identity::{CompanyId, Principal, resolve_session};
use kernel::{Error, Permission};

use crate::access::{Access, CSRF_HEADER, session_cookie};
use crate::state::AppState;

/// Everything a page needs to render the shell around its content.
#[derive(Clone)]
pub struct Page {
    pub principal: Principal,
    pub locale: Locale,
    pub catalog: Arc<Catalog>,
    pub companies: Vec<(CompanyId, String)>,
    pub unread: i64,
    /// The requested path, for the active navigation entry.
    pub path: String,
}

impl Page {
    /// The label for `key` in the page's language.
    pub fn t(&self, key: &str) -> String {
        self.catalog.text(self.locale, key, &[])
    }

    pub fn t_with(&self, key: &str, params: &[(&'static str, String)]) -> String {
        self.catalog.text(self.locale, key, params)
    }

    pub fn may(&self, permission: Permission) -> bool {
        self.principal.permissions.contains(permission)
    }

    pub fn csrf(&self) -> &str {
        self.principal.csrf_token.as_deref().unwrap_or_default()
    }

    /// The caller's context for services.
    pub fn ctx(&self, state: &AppState) -> kernel::Ctx {
        state.ctx(&self.principal)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Response> {
        parts.extensions.get::<Page>().cloned().ok_or_else(|| Redirect::to("/login").into_response())
    }
}

/// The only way to mount pages.
pub struct UiRouter {
    router: Router<AppState>,
    state: AppState,
}

impl UiRouter {
    pub fn new(state: AppState) -> UiRouter {
        UiRouter { router: Router::new(), state }
    }

    pub fn page(mut self, path: &str, access: Access, method_router: MethodRouter<AppState>) -> UiRouter {
        let guarded = method_router.route_layer(from_fn_with_state(
            self.state.clone(),
            move |State(state): State<AppState>, request: Request, next: Next| guard(state, access, request, next),
        ));
        self.router = self.router.route(path, guarded);
        self
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The CSRF token a request carries: header, `_csrf` query parameter, or `_csrf` form field.
/// A form body is buffered and put back for the handler.
async fn csrf_of(request: Request, limit: usize) -> (Request, Option<String>) {
    if let Some(value) = request.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        let token = value.to_string();
        return (request, Some(token));
    }
    let from_query =
        request.uri().query().and_then(|q| url_pairs(q).into_iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v));
    if from_query.is_some() {
        return (request, from_query);
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/x-www-form-urlencoded"));
    if !is_form {
        return (request, None);
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, limit).await.unwrap_or_default();
    let token = url_pairs(&String::from_utf8_lossy(&bytes)).into_iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v);
    (Request::from_parts(parts, Body::from(bytes)), token)
}

/// Decodes `a=1&b=x%20y` pairs.
/// One value of a page's query string (`?ok=ui.saved`), when given and not empty.
pub fn query_param(query: Option<&str>, key: &str) -> Option<String> {
    url_pairs(query.unwrap_or_default()).into_iter().find(|(k, _)| k == key).map(|(_, v)| v).filter(|v| !v.is_empty())
}

pub fn url_pairs(text: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(text.as_bytes()).into_owned().collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Loads the session's principal and the shell data in one blocking call.
async fn load_page(state: &AppState, headers: &HeaderMap, path: String) -> Result<Option<Page>, Error> {
    let Some(secret) = session_cookie(headers) else { return Ok(None) };
    state
        .blocking(move |state| {
            let now = state.clock.now();
            state.db.read(|tx| {
                let Some(principal) = resolve_session(tx, now, &secret)? else { return Ok(None) };
                let ctx = state.ctx(&principal);
                let companies = tx
                    .query(
                        "select c.id, c.name from kernel_company c join kernel_membership m on m.company_id = c.id
                         where m.user_id = $1 order by c.name",
                        &[&principal.user],
                    )?
                    .iter()
                    .map(|r| Ok((r.get(0)?, r.get(1)?)))
                    .collect::<kernel::Result<Vec<_>>>()?;
                let unread = office::unread_count(tx, &ctx)?;
                Ok(Some(Page {
                    locale: principal.locale,
                    principal,
                    catalog: state.catalog.clone(),
                    companies,
                    unread,
                    path,
                }))
            })
        })
        .await
        .map_err(|e| e.0)
}

async fn guard(state: AppState, access: Access, request: Request, next: Next) -> Response {
    if access == Access::Public {
        return next.run(request).await;
    }
    let path = request.uri().path().to_string();
    let page = match load_page(&state, request.headers(), path.clone()).await {
        Ok(Some(page)) => page,
        Ok(None) => {
            let target = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let next_param: String = target
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"/-_.".contains(&b) {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            return Redirect::to(&format!("/login?next={next_param}")).into_response();
        }
        Err(error) => return crate::problem::ApiError(error).into_response(),
    };
    let (mut request, sent) =
        if is_safe(request.method()) { (request, None) } else { csrf_of(request, state.settings.max_body_bytes).await };
    if !is_safe(request.method()) {
        let expected = page.csrf().as_bytes();
        let ok = sent.as_deref().is_some_and(|s| !expected.is_empty() && constant_time_eq(s.as_bytes(), expected));
        if !ok {
            return super::layout::error_page(&page, StatusCode::FORBIDDEN, "http.csrf");
        }
    }
    let required = access.required();
    if !required.is_empty() && !required.iter().any(|p| page.may(*p)) {
        return super::layout::error_page(&page, StatusCode::FORBIDDEN, "auth.forbidden");
    }
    request.extensions_mut().insert(page);
    next.run(request).await
}
