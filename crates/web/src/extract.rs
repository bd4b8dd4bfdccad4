//! Request extractors whose rejections are problems with stable codes, never the framework's
//! plain-text answers: malformed JSON → 400, well-formed but wrong (unknown field, wrong type,
//! missing field) → 422, body too large → 413, wrong content type → 400.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
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
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(ApiError(json_rejection(rejection))),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> Error {
    match rejection {
        JsonRejection::JsonSyntaxError(e) => Error::bad_request("http.json_syntax").with_param(
            "reason",
            first_line(&std::error::Error::source(&e).map(|s| s.to_string()).unwrap_or_else(|| e.body_text())),
        ),
        JsonRejection::JsonDataError(e) => Error::invalid("http.json_data").with_param(
            "reason",
            first_line(&std::error::Error::source(&e).map(|s| s.to_string()).unwrap_or_else(|| e.body_text())),
        ),
        JsonRejection::MissingJsonContentType(_) => Error::bad_request("http.unsupported_media_type"),
        JsonRejection::BytesRejection(e) => {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                Error::new(ErrorKind::PayloadTooLarge, "http.payload_too_large")
            } else {
                Error::bad_request("http.bad_request")
            }
        }
        other => Error::bad_request("http.bad_request").with_param("reason", other.body_text()),
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
