//! One error type that every layer understands: a kind (which HTTP status, which CLI exit),
//! a stable code (`sales.order.empty`) that the UI translates, and named parameters for the
//! message. Module crates keep their own `thiserror` enums and convert into this at their edge.

use std::fmt;

use serde::Serialize;

/// What went wrong, in the terms a caller acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The input breaks a rule; fix it and try again (HTTP 422, or 400 for unreadable input).
    Invalid,
    /// Unreadable input: malformed JSON, wrong content type (HTTP 400).
    BadRequest,
    /// Not there, or not visible to this caller (HTTP 404).
    NotFound,
    /// No valid identity was presented (HTTP 401).
    Unauthenticated,
    /// Known caller, missing permission (HTTP 403).
    Forbidden,
    /// Someone else changed it first, or it is in the wrong state (HTTP 409).
    Conflict,
    /// Too many attempts; wait (HTTP 429).
    TooManyRequests,
    /// Body larger than allowed (HTTP 413).
    PayloadTooLarge,
    /// A fault of ours or of the infrastructure (HTTP 500); details go to the log only.
    Internal,
}

impl ErrorKind {
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::Invalid => 422,
            ErrorKind::BadRequest => 400,
            ErrorKind::NotFound => 404,
            ErrorKind::Unauthenticated => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::Conflict => 409,
            ErrorKind::TooManyRequests => 429,
            ErrorKind::PayloadTooLarge => 413,
            ErrorKind::Internal => 500,
        }
    }
}

/// A problem with one field of the input, shown beside that field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<(&'static str, String)>,
}

#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    code: &'static str,
    params: Vec<(&'static str, String)>,
    fields: Vec<FieldError>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, code: &'static str) -> Error {
        Error { kind, code, params: Vec::new(), fields: Vec::new(), source: None }
    }

    pub fn invalid(code: &'static str) -> Error {
        Error::new(ErrorKind::Invalid, code)
    }

    pub fn bad_request(code: &'static str) -> Error {
        Error::new(ErrorKind::BadRequest, code)
    }

    pub fn not_found(code: &'static str) -> Error {
        Error::new(ErrorKind::NotFound, code)
    }

    pub fn conflict(code: &'static str) -> Error {
        Error::new(ErrorKind::Conflict, code)
    }

    pub fn forbidden(code: &'static str) -> Error {
        Error::new(ErrorKind::Forbidden, code)
    }

    pub fn unauthenticated(code: &'static str) -> Error {
        Error::new(ErrorKind::Unauthenticated, code)
    }

    /// An internal fault; the source is logged, never shown to the caller.
    pub fn internal(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
        Error { source: Some(source.into()), ..Error::new(ErrorKind::Internal, "internal") }
    }

    /// A field-level validation error (the whole error is `Invalid`).
    pub fn field(field: impl Into<String>, code: &'static str) -> Error {
        Error::invalid("validation.failed").with_field(field, code)
    }

    pub fn with_param(mut self, name: &'static str, value: impl fmt::Display) -> Error {
        self.params.push((name, value.to_string()));
        self
    }

    pub fn with_field(mut self, field: impl Into<String>, code: &'static str) -> Error {
        self.fields.push(FieldError { field: field.into(), code, params: Vec::new() });
        self
    }

    pub fn with_source(mut self, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
        self.source = Some(source.into());
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn params(&self) -> &[(&'static str, String)] {
        &self.params
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }

    pub fn fields(&self) -> &[FieldError] {
        &self.fields
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        for (name, value) in &self.params {
            write!(f, " {name}={value}")?;
        }
        for field in &self.fields {
            write!(f, " [{}: {}]", field.field, field.code)?;
        }
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|s| s as &(dyn std::error::Error + 'static))
    }
}
