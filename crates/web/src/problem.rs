//! Errors on the wire: `application/problem+json` (RFC 9457) with the stable code and a
//! message in the caller's language.
//!
//! Handlers and extractors return `ApiError`, which only sets the status and stashes the error
//! in the response; `render_problems` (the outermost layer) writes the body, because only it
//! knows the catalogue and the caller's language. It also turns the plain-text errors of the
//! framework itself (unknown route, wrong method, body too large) into problems.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kernel::i18n::Locale;
use kernel::{Error, ErrorKind};
use serde::Serialize;

use crate::state::AppState;

/// An error on its way to becoming a problem response.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        ApiError(error)
    }
}

/// The error travelling inside a response until `render_problems` writes it.
#[derive(Clone)]
struct PendingProblem(Arc<Mutex<Option<Error>>>);

/// The caller's language as the guard learnt it (the user setting), for `render_problems`.
#[derive(Clone, Copy)]
pub struct CallerLocale(pub Locale);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.kind().http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if self.0.kind() == ErrorKind::Internal {
            tracing::error!(error = %self.0, "internal error");
        }
        let mut response = status.into_response();
        if let Some(seconds) = self.0.param("retry_after")
            && let Ok(value) = HeaderValue::from_str(seconds)
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response.extensions_mut().insert(PendingProblem(Arc::new(Mutex::new(Some(self.0)))));
        response
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// The body of every error answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `urn:tiangong:problem:<code>`
    #[serde(rename = "type")]
    pub kind: String,
    /// The translated message.
    pub title: String,
    pub status: u16,
    /// The stable code, e.g. `kernel.user.not_found`; the same in every language.
    pub code: String,
    pub detail: String,
    /// The path that was requested.
    pub instance: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// Values that the message mentions (e.g. `retry_after`).
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub params: serde_json::Map<String, serde_json::Value>,
}

/// The caller's language: `Accept-Language` when it names one we speak, else the user's
/// setting, else Chinese.
fn locale_for(accept_language: Option<&str>, caller: Option<CallerLocale>) -> Locale {
    accept_language.and_then(Locale::from_accept_language).or(caller.map(|c| c.0)).unwrap_or_default()
}

fn problem_body(state: &AppState, error: &Error, status: StatusCode, locale: Locale, instance: &str) -> Problem {
    // An internal error's parameters fill its message (a message never shows `{name}`) but are
    // not handed out as data; the SQL of a failed statement is in neither.
    let internal = error.kind() == ErrorKind::Internal;
    let shown: Vec<(&'static str, String)> =
        error.params().iter().filter(|(name, _)| *name != "sql").cloned().collect();
    let title = state.catalog.text(locale, error.code(), &shown);
    let params: &[(&'static str, String)] = if internal { &[] } else { &shown };
    let errors = error
        .fields()
        .iter()
        .map(|f| FieldProblem {
            field: f.field.clone(),
            code: f.code.to_string(),
            message: state.catalog.text(locale, f.code, if f.params.is_empty() { params } else { &f.params }),
        })
        .collect();
    let params =
        params.iter().map(|(name, value)| (name.to_string(), serde_json::Value::String(value.clone()))).collect();
    Problem {
        kind: format!("urn:tiangong:problem:{}", error.code()),
        detail: title.clone(),
        title,
        status: status.as_u16(),
        code: error.code().to_string(),
        instance: instance.to_string(),
        errors,
        params,
    }
}

/// The framework's own error answers, as codes.
fn framework_error(status: StatusCode) -> Error {
    match status {
        StatusCode::NOT_FOUND => Error::not_found("http.not_found"),
        StatusCode::METHOD_NOT_ALLOWED => Error::new(ErrorKind::BadRequest, "http.method_not_allowed"),
        StatusCode::PAYLOAD_TOO_LARGE => Error::new(ErrorKind::PayloadTooLarge, "http.payload_too_large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::bad_request("http.unsupported_media_type"),
        StatusCode::UNAUTHORIZED => Error::unauthenticated("auth.required"),
        StatusCode::FORBIDDEN => Error::forbidden("auth.forbidden"),
        s if s.is_server_error() => Error::internal(format!("framework answered {s}")),
        _ => Error::bad_request("http.bad_request"),
    }
}

/// The outermost layer: renders pending problems, and converts bare framework errors on
/// `/api` paths into problems too.
pub async fn render_problems(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let accept_language =
        request.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let path = request.uri().path().to_string();
    let is_api = path.starts_with("/api/") || path == "/healthz" || path == "/metrics";
    let response = next.run(request).await;
    let pending = response.extensions().get::<PendingProblem>().cloned();
    let status = response.status();
    let error = match pending {
        Some(pending) => pending.0.lock().ok().and_then(|mut e| e.take()),
        None if is_api && (status.is_client_error() || status.is_server_error()) => {
            let is_problem = response
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
            if is_problem { None } else { Some(framework_error(status)) }
        }
        None => None,
    };
    let Some(error) = error else { return response };
    let locale = locale_for(accept_language.as_deref(), response.extensions().get::<CallerLocale>().copied());
    let body = problem_body(&state, &error, status, locale, &path);
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    parts.headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(locale.tag()));
    parts.headers.remove(header::CONTENT_LENGTH);
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    Response::from_parts(parts, Body::from(bytes))
}

pub const MESSAGES: &[kernel::i18n::Message] = &[
    kernel::msg!("http.not_found", "地址不存在", "No such address"),
    kernel::msg!("http.method_not_allowed", "不支持该请求方法", "Method not allowed here"),
    // The limit is in the answer's `params` where the refusing layer knows it.
    kernel::msg!(
        "http.payload_too_large",
        "请求内容过大（上限见配置项 max_body_bytes）",
        "Request body too large (the limit is the setting max_body_bytes)"
    ),
    kernel::msg!(
        "http.metrics_address",
        "此地址不能读取运行指标（见配置项 metrics_allow）",
        "Metrics cannot be read from this address (see the setting metrics_allow)"
    ),
    kernel::msg!(
        "http.unsupported_media_type",
        "请求内容须为 application/json",
        "The request body must be application/json"
    ),
    kernel::msg!("http.bad_request", "请求无效", "Bad request"),
    kernel::msg!("http.json_syntax", "JSON 格式错误：{reason}", "Malformed JSON: {reason}"),
    kernel::msg!("http.json_data", "请求数据不符合要求：{reason}", "The request data does not fit: {reason}"),
    kernel::msg!("http.json_nul", "文本中不能含有空字符（\\u0000）", "Text cannot contain the NUL character (\\u0000)"),
    kernel::msg!("http.query_invalid", "查询参数无效：{reason}", "Invalid query parameters: {reason}"),
    kernel::msg!(
        "http.csrf",
        "表单已过期或来源不明，请刷新页面后重试",
        "The form expired or came from elsewhere; reload and try again"
    ),
    kernel::msg!(
        "idempotency.key_reused",
        "该 Idempotency-Key 已用于另一个请求",
        "This Idempotency-Key was used for a different request"
    ),
    kernel::msg!(
        "idempotency.in_progress",
        "相同 Idempotency-Key 的请求仍在处理中",
        "A request with this Idempotency-Key is still being processed"
    ),
    kernel::msg!(
        "idempotency.key_invalid",
        "Idempotency-Key 须为 1–200 个可见字符",
        "Idempotency-Key must be 1–200 visible characters"
    ),
];
