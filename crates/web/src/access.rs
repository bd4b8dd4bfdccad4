//! Deny by default: every API route is mounted through `ApiRouter::routes`, which demands an
//! `Access` declaration and wraps the route in the guard that enforces it. There is no other
//! way to add an API route, so a route without a declared permission cannot exist.
//!
//! The guard authenticates (bearer token, or session cookie plus CSRF header for unsafe
//! methods), checks the permission, hands the `Caller` to the handler, and honours
//! `Idempotency-Key` on POST. The declaration also lands in the OpenAPI document as
//! `x-permission`, which the access tests walk.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use kernel::identity::{Principal, remembered_session, remembered_token, resolve_session, resolve_token};
use kernel::{Error, ErrorKind, Permission};
use sha2::{Digest, Sha256};
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::SecurityRequirement;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use crate::extract::Caller;
use crate::problem::{ApiError, CallerLocale};
use crate::state::AppState;

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, unauthenticated (health, login, the API description).
    Public,
    /// Any logged-in user (their own profile, logout).
    Authenticated,
    /// Logged-in users holding this permission in the current company.
    Permission(Permission),
    /// Logged-in users holding any of these (customers or suppliers, say); the service then
    /// narrows what each caller sees.
    Any(&'static [Permission]),
}

impl Access {
    /// The permissions of which the caller must hold one (none for public and authenticated).
    pub fn required(&self) -> &[Permission] {
        match self {
            Access::Permission(permission) => std::slice::from_ref(permission),
            Access::Any(list) => list,
            Access::Public | Access::Authenticated => &[],
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Access::Public => "public",
            Access::Authenticated => "authenticated",
            Access::Permission(p) => p.name(),
            Access::Any(list) => list.first().map(|p| p.name()).unwrap_or("authenticated"),
        }
    }
}

pub const SESSION_COOKIE: &str = "tiangong_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The only way to mount API routes.
pub struct ApiRouter {
    inner: OpenApiRouter<AppState>,
    state: AppState,
}

fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch, &mut item.head, &mut item.options]
        .into_iter()
        .filter_map(Option::as_mut)
}

impl ApiRouter {
    pub fn new(state: AppState, openapi: utoipa::openapi::OpenApi) -> ApiRouter {
        ApiRouter { inner: OpenApiRouter::with_openapi(openapi), state }
    }

    /// Mounts the routes made by `utoipa_axum::routes!` behind the guard for `access`.
    pub fn routes(
        mut self,
        access: Access,
        (schemas, mut paths, method_router): UtoipaMethodRouter<AppState>,
    ) -> ApiRouter {
        for item in paths.paths.values_mut() {
            for operation in operations_mut(item) {
                let extensions = operation.extensions.get_or_insert_with(Default::default);
                extensions.insert("x-permission".to_string(), serde_json::Value::String(access.label().to_string()));
                if access != Access::Public {
                    operation.security = Some(vec![
                        SecurityRequirement::new("bearer", Vec::<String>::new()),
                        SecurityRequirement::new("session", Vec::<String>::new()),
                    ]);
                }
            }
        }
        let guarded = method_router.route_layer(from_fn_with_state(
            self.state.clone(),
            move |State(state): State<AppState>, request: Request, next: Next| guard(state, access, request, next),
        ));
        self.inner = self.inner.routes((schemas, paths, guarded));
        self
    }

    pub fn split(self) -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
        self.inner.split_for_parts()
    }
}

/// How the caller presented itself.
enum Credentials {
    Bearer(String),
    Cookie(String),
}

fn credentials(headers: &HeaderMap) -> Option<Credentials> {
    if let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let token = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer "))?;
        return Some(Credentials::Bearer(token.trim().to_string()));
    }
    session_cookie(headers).map(Credentials::Cookie)
}

/// The session secret from the `Cookie` header, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == SESSION_COOKIE && !value.is_empty()).then(|| value.to_string())
    })
}

/// Resolves the caller behind the request's credentials, if any.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Option<(Principal, bool)>, ApiError> {
    let Some(credentials) = credentials(headers) else {
        return Ok(None);
    };
    // Most requests come from a caller resolved a moment ago: no thread hop, no transaction.
    let now = state.clock.now();
    let remembered = match &credentials {
        Credentials::Bearer(token) => remembered_token(now, token).map(|p| (p, false)),
        Credentials::Cookie(secret) => remembered_session(now, secret).map(|p| (p, true)),
    };
    if remembered.is_some() {
        return Ok(remembered);
    }
    state
        .blocking(move |state| {
            let now = state.clock.now();
            state.db.read(|tx| match &credentials {
                Credentials::Bearer(token) => Ok(resolve_token(tx, now, token)?.map(|p| (p, false))),
                Credentials::Cookie(secret) => Ok(resolve_session(tx, now, secret)?.map(|p| (p, true))),
            })
        })
        .await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

async fn guard(state: AppState, access: Access, mut request: Request, next: Next) -> Response {
    if access == Access::Public {
        return next.run(request).await;
    }
    let (principal, via_cookie) = match authenticate(&state, request.headers()).await {
        Ok(Some(found)) => found,
        Ok(None) => return ApiError(Error::unauthenticated("auth.required")).into_response(),
        Err(error) => return error.into_response(),
    };
    let locale = CallerLocale(principal.locale);
    let refuse = |error: Error| {
        let mut response = ApiError(error).into_response();
        response.extensions_mut().insert(locale);
        response
    };
    if via_cookie && !is_safe(request.method()) {
        let sent = request.headers().get(CSRF_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
        let expected = principal.csrf_token.as_deref().unwrap_or_default().as_bytes();
        if expected.is_empty() || !constant_time_eq(sent, expected) {
            return refuse(Error::forbidden("http.csrf"));
        }
    }
    let required = access.required();
    if !required.is_empty() && !required.iter().any(|p| principal.permissions.contains(*p)) {
        return refuse(Error::forbidden("auth.permission_denied").with_param("permission", required[0].name()));
    }
    let idempotency_key = (request.method() == Method::POST)
        .then(|| request.headers().get("idempotency-key").map(|v| v.to_str().map(str::to_string)))
        .flatten();
    request.extensions_mut().insert(Caller(principal.clone()));
    let mut response = match idempotency_key {
        None => next.run(request).await,
        Some(Ok(key)) if valid_key(&key) => idempotent(&state, &principal, key, request, next).await,
        Some(_) => return refuse(Error::invalid("idempotency.key_invalid")),
    };
    response.extensions_mut().insert(locale);
    response
}

fn valid_key(key: &str) -> bool {
    (1..=200).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

enum Claim {
    New,
    Replay { status: u16, content_type: String, body: String },
    Mismatch,
    InProgress,
}

/// Runs a POST at most once per (user, key): the first answer is stored and replayed.
/// Error answers are not kept, so a corrected retry with the same key can succeed.
async fn idempotent(state: &AppState, principal: &Principal, key: String, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, state.settings.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return ApiError(
                Error::new(ErrorKind::PayloadTooLarge, "http.payload_too_large")
                    .with_param("limit", state.settings.max_body_bytes),
            )
            .into_response();
        }
    };
    let path = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    let mut hasher = Sha256::new();
    hasher.update(path.as_bytes());
    hasher.update([0]);
    hasher.update(&bytes);
    let request_hash = hex::encode(hasher.finalize());
    let user = principal.user;
    let company = principal.company;
    let claim_key = key.clone();
    let claimed = state
        .blocking(move |state| {
            let now = kernel::clock::format_timestamp(state.clock.now());
            state.db.write(|tx| {
                let existing = tx.query_opt(
                    "select request_hash, state, status, content_type, body from kernel_idempotency where user_id = $1 and idem_key = $2",
                    &[&user, &claim_key],
                )?;
                if let Some(row) = existing {
                    let hash: String = row.get(0)?;
                    let stage: String = row.get(1)?;
                    return Ok(if hash != request_hash {
                        Claim::Mismatch
                    } else if stage == "pending" {
                        Claim::InProgress
                    } else {
                        Claim::Replay {
                            status: u16::try_from(row.get::<i64>(2)?).unwrap_or(200),
                            content_type: row.get::<Option<String>>(3)?.unwrap_or_default(),
                            body: row.get::<Option<String>>(4)?.unwrap_or_default(),
                        }
                    });
                }
                tx.execute(
                    "insert into kernel_idempotency (user_id, idem_key, company_id, method, path, request_hash, state, created_at)
                     values ($1, $2, $3, 'POST', $4, $5, 'pending', $6)",
                    &[&user, &claim_key, &company, &path, &request_hash, &now],
                )?;
                Ok(Claim::New)
            })
        })
        .await;
    match claimed {
        Err(error) => return error.into_response(),
        Ok(Claim::Mismatch) => {
            return ApiError(Error::invalid("idempotency.key_reused")).into_response();
        }
        Ok(Claim::InProgress) => {
            return ApiError(Error::conflict("idempotency.in_progress")).into_response();
        }
        Ok(Claim::Replay { status, content_type, body }) => {
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = axum::http::StatusCode::from_u16(status).unwrap_or_default();
            if let Ok(value) = content_type.parse() {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            response.headers_mut().insert("idempotent-replayed", axum::http::HeaderValue::from_static("true"));
            return response;
        }
        Ok(Claim::New) => {}
    }
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let status = response.status();
    let (response_parts, response_body) = response.into_parts();
    let body = to_bytes(response_body, usize::MAX).await.unwrap_or_default();
    let content_type =
        response_parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let keep = status.is_success() || status.is_redirection();
    let stored_body = String::from_utf8_lossy(&body).into_owned();
    let outcome = state
        .blocking(move |state| {
            state.db.write(|tx| {
                if keep {
                    tx.execute(
                        "update kernel_idempotency set state = 'done', status = $1, content_type = $2, body = $3
                         where user_id = $4 and idem_key = $5",
                        &[&i64::from(status.as_u16()), &content_type, &stored_body, &user, &key],
                    )?;
                } else {
                    tx.execute("delete from kernel_idempotency where user_id = $1 and idem_key = $2", &[&user, &key])?;
                }
                Ok(())
            })
        })
        .await;
    if let Err(error) = outcome {
        tracing::error!(error = %error.0, "could not record the idempotent answer");
    }
    Response::from_parts(response_parts, Body::from(body))
}
