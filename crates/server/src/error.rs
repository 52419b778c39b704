//! One error type for every route, rendered as the contract's JSON error body, and `Reply`,
//! a finished response that idempotency can store and replay byte for byte.

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use paylinks_api::{ErrorBody, ErrorCode, FieldErrors};
use serde::Serialize;

#[derive(Debug)]
pub struct ApiError {
    /// Boxed: every fallible route returns this, and a small `Err` keeps their results small.
    pub body: Box<ErrorBody>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError { body: Box::new(ErrorBody::new(code, message)), retry_after: None }
    }

    pub fn invalid(errors: FieldErrors) -> Self {
        ApiError { body: Box::new(errors.into()), retry_after: None }
    }

    /// 409: the value of `field` is already held by another object (a slug).
    pub fn taken(field: &str, message: &str) -> Self {
        ApiError::conflict(FieldErrors::single(field, message))
    }

    /// 409: these fields cannot change (as they are now).
    pub fn conflict(errors: FieldErrors) -> Self {
        ApiError { body: Box::new(ErrorBody::for_fields(ErrorCode::Conflict, errors)), retry_after: None }
    }

    pub fn field(field: &str, message: &str) -> Self {
        ApiError::invalid(FieldErrors::single(field, message))
    }

    /// 404: the key has no `what` with this id.
    pub fn missing(what: &str) -> Self {
        ApiError::new(ErrorCode::ResourceMissing, format!("No such {what}."))
    }

    /// What a failed insert or update means: a unique-constraint violation is `field`'s value
    /// being taken (409 with `message`); anything else is the database's failure.
    pub fn unless_taken(field: &'static str, message: &'static str) -> impl Fn(sqlx::Error) -> ApiError {
        move |err| {
            if crate::store::is_unique_violation(&err) {
                ApiError::taken(field, message)
            } else {
                err.into()
            }
        }
    }

    pub fn not_found() -> Self {
        ApiError::new(ErrorCode::ResourceMissing, "No such payment link.")
    }

    pub fn unauthenticated() -> Self {
        ApiError::new(ErrorCode::Unauthenticated, "Missing, malformed, unknown or revoked API key (header x-api-key).")
    }

    pub fn unavailable() -> Self {
        ApiError {
            body: Box::new(ErrorBody::new(
                ErrorCode::ServiceUnavailable,
                "The service is briefly unavailable; retry shortly.",
            )),
            retry_after: Some(1),
        }
    }

    /// 429 with how many seconds to wait.
    pub fn rate_limited(seconds: u64) -> Self {
        crate::telemetry::rate_limited();
        ApiError {
            body: Box::new(ErrorBody::new(ErrorCode::RateLimited, format!("Too many requests; retry in {seconds} s."))),
            retry_after: Some(seconds),
        }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.body.error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// Database failures: a 503 when the database cannot be reached, else a 500 that leaks nothing.
impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        if crate::store::is_unavailable(&err) {
            tracing::warn!(error = %err, "database unavailable");
            return ApiError::unavailable();
        }
        tracing::error!(error = %err, "database error");
        ApiError::new(ErrorCode::InternalError, "Something went wrong on our side; it has been logged.")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        Reply::from(self).into_response()
    }
}

/// A complete JSON response: status, extra headers and the serialised body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: String,
}

impl Reply {
    pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Reply {
        let body = serde_json::to_string(value).expect("response types serialise");
        Reply { status, headers: Vec::new(), body }
    }

    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Reply {
        self.headers.push((name, value));
        self
    }
}

impl From<ApiError> for Reply {
    fn from(err: ApiError) -> Reply {
        let reply = Reply::json(err.status(), &err.body);
        match err.retry_after {
            Some(secs) => reply.with_header(header::RETRY_AFTER, HeaderValue::from(secs)),
            None => reply,
        }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
        for (name, value) in self.headers {
            headers.insert(name, value);
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Answers every route behind an API key may give besides its own (for the OpenAPI document).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // only its documentation is used
pub enum KeyErrors {
    #[response(status = 401, description = "Missing, malformed, unknown or revoked API key")]
    Unauthenticated(ErrorBody),
    #[response(status = 429, description = "Rate limited; Retry-After says when to retry")]
    RateLimited(ErrorBody),
    #[response(status = 503, description = "The database is briefly unavailable; Retry-After says when to retry")]
    Unavailable(ErrorBody),
}

/// Answers a write that takes no body may give for its `Idempotency-Key` alone (for the
/// OpenAPI document).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // only its documentation is used
pub enum IdempotencyErrors {
    #[response(status = 400, description = "Invalid Idempotency-Key header")]
    Invalid(ErrorBody),
    #[response(status = 409, description = "Idempotency-Key reused for another request")]
    Reused(ErrorBody),
}

/// The `Idempotency-Key` header every write accepts (for the OpenAPI document).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // only its documentation is used
pub struct IdempotencyKeyHeader {
    /// 1-255 printable ASCII; a retry with the same key replays the first response.
    #[param(rename = "Idempotency-Key", min_length = 1, max_length = 255, pattern = "^[ -~]+$")]
    idempotency_key: Option<String>,
}
