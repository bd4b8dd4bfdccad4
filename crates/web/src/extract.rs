//! Request extractors whose rejections are problems with stable codes, never the framework's
//! plain-text answers: malformed JSON → 400, well-formed but wrong (unknown field, wrong type,
//! missing field) → 422, body too large → 413, wrong content type → 400.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use kernel::identity::Principal;
use kernel::{Error, ErrorKind};
use serde::de::DeserializeOwned;

use crate::problem::ApiError;

/// A JSON body.
pub struct ApiJson<T>(pub T);

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().chars().take(300).collect()
}

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let is_json =
            request.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
                let mime = v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !is_json {
            return Err(ApiError(Error::bad_request("http.unsupported_media_type")));
        }
        let bytes = axum::body::Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError(Error::new(ErrorKind::PayloadTooLarge, "http.payload_too_large"))
            } else {
                ApiError(Error::bad_request("http.bad_request"))
            }
        })?;
        // Two steps, so that well-formed JSON of the wrong shape is always 422, never 400.
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError(Error::bad_request("http.json_syntax").with_param("reason", first_line(&e.to_string())))
        })?;
        // PostgreSQL cannot store NUL in text, and no business text needs it: refused on both
        // backends alike, before any handler sees it.
        if holds_nul(&value) {
            return Err(ApiError(Error::invalid("http.json_nul")));
        }
        serde_json::from_value(value)
            .map(ApiJson)
            .map_err(|e| ApiError(Error::invalid("http.json_data").with_param("reason", first_line(&e.to_string()))))
    }
}

fn holds_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(text) => text.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(holds_nul),
        serde_json::Value::Object(fields) => fields.iter().any(|(key, item)| key.contains('\0') || holds_nul(item)),
        _ => false,
    }
}

/// Query parameters.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        // As in bodies: no NUL in text (PostgreSQL cannot compare or store it).
        if parts.uri.query().is_some_and(|query| query.contains("%00")) {
            return Err(ApiError(Error::invalid("http.json_nul")));
        }
        axum::extract::Query::<T>::from_request_parts(parts, state).await.map(|q| ApiQuery(q.0)).map_err(
            |e: QueryRejection| {
                ApiError(Error::invalid("http.query_invalid").with_param("reason", first_line(&e.body_text())))
            },
        )
    }
}

/// A path parameter; an id that cannot even be parsed names no record, so it is "not found".
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|_: PathRejection| ApiError(Error::not_found("http.not_found")))
    }
}

/// The authenticated caller, put in place by the access guard of the route.
#[derive(Clone, Debug)]
pub struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parts.extensions.get::<Caller>().cloned().ok_or_else(|| ApiError(Error::unauthenticated("auth.required")))
    }
}

/// The address a request came from, when the server was started with connection info (a
/// proxy's `X-Forwarded-For` is read by the handler that cares).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub Option<std::net::SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0)))
    }
}
