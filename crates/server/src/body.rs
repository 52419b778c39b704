//! The JSON request body as raw bytes: checked for content type and size, parsed by the route
//! (so that parse errors name the field and idempotency can fingerprint the exact body).

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use paylinks_api::ErrorCode;

/// Request bodies above this are refused with 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub struct JsonBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = req.headers().get(CONTENT_TYPE).map(|v| v.to_str().unwrap_or_default().to_ascii_lowercase());
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(ErrorCode::PayloadTooLarge, format!("body: must be at most {MAX_BODY_BYTES} bytes"))
            } else {
                ApiError::field("body", "could not be read")
            }
        })?;
        let is_json =
            content_type.as_deref().is_some_and(|ct| ct.split(';').next().map(str::trim) == Some("application/json"));
        if !bytes.is_empty() && !is_json {
            return Err(ApiError::field("content-type", "must be application/json"));
        }
        Ok(JsonBody(bytes))
    }
}
