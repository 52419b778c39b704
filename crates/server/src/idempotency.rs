//! What makes a write request idempotent: its `Idempotency-Key` (header, or the body's
//! `idempotency_key` on create) and the fingerprint a reused key must match; and how a stored
//! answer is replayed.

use crate::error::{ApiError, ApiResult, Reply};
use crate::store::{Claim, Held, IdempotencyKey, Scope, StoredResponse};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use paylinks_api::rules::is_valid_idempotency_key;
use paylinks_api::ErrorCode;

/// What identifies a write request for idempotency.
pub struct WriteRequest<'a> {
    pub scope: Scope,
    pub method: &'a Method,
    pub path: &'a str,
    pub headers: &'a HeaderMap,
    /// Whether the body may carry its own `idempotency_key` (create), used when no header is sent.
    pub body_key_allowed: bool,
    pub body: &'a [u8],
}

impl<'a> WriteRequest<'a> {
    /// A write to `path` whose body may not carry its own key.
    pub fn new(scope: Scope, method: &'a Method, path: &'a str, headers: &'a HeaderMap, body: &'a [u8]) -> Self {
        WriteRequest { scope, method, path, headers, body_key_allowed: false, body }
    }

    /// The request id the server gave this request (`X-Request-Id`).
    pub fn request_id(&self) -> Option<String> {
        self.headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_string)
    }

    pub fn key(&self) -> ApiResult<Option<IdempotencyKey>> {
        let header =
            match self.headers.get("idempotency-key") {
                Some(value) => Some(value.to_str().ok().filter(|k| is_valid_idempotency_key(k)).ok_or_else(|| {
                    ApiError::field("Idempotency-Key", "must be 1 to 255 printable ASCII characters")
                })?),
                None => None,
            };
        // One parse of the body serves both the body's key and the fingerprint.
        let parsed = if header.is_some() || self.body_key_allowed {
            serde_json::from_slice::<serde_json::Value>(self.body).ok()
        } else {
            None
        };
        let body_key = || {
            let key = parsed.as_ref()?.get("idempotency_key")?.as_str()?;
            is_valid_idempotency_key(key).then(|| key.to_string())
        };
        let Some(key) = header.map(str::to_string).or_else(body_key) else {
            return Ok(None);
        };
        // Canonical JSON, so formatting differences do not make the same request look different;
        // a body that is not JSON counts as its raw text.
        let canonical = parsed.map_or_else(|| String::from_utf8_lossy(self.body).into_owned(), |v| canonical_json(&v));
        let (method, path) = (self.method, self.path);
        Ok(Some(IdempotencyKey {
            scope: self.scope,
            method: method.to_string(),
            path: path.to_string(),
            key,
            fingerprint: crate::ids::sha256_hex(format!("{method}\n{path}\n{canonical}").as_bytes()),
        }))
    }
}

/// JSON with object keys sorted at every level and no spacing. Sorted here, not by serde_json's
/// map: another crate in the build (thirtyfour) turns on its `preserve_order`, which keeps keys in
/// the order they were sent.
pub fn canonical_json(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let fields: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{}:{}", serde_json::Value::String(k.clone()), canonical_json(v)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        serde_json::Value::Array(items) => {
            format!("[{}]", items.iter().map(canonical_json).collect::<Vec<_>>().join(","))
        }
        scalar => scalar.to_string(),
    }
}

fn replay(stored: StoredResponse) -> Reply {
    crate::telemetry::idempotent_replay();
    let headers = stored
        .headers
        .into_iter()
        .filter_map(|(n, v)| Some((HeaderName::try_from(n).ok()?, HeaderValue::try_from(v).ok()?)))
        .chain([(HeaderName::from_static("idempotency-replayed"), HeaderValue::from_static("true"))])
        .collect();
    Reply { status: StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK), headers, body: stored.body }
}

/// Another request holds the key (or took it over from this one after its lease ran out).
pub fn in_progress() -> ApiError {
    ApiError::new(
        ErrorCode::IdempotencyInProgress,
        "A request with this Idempotency-Key is still running; retry shortly.",
    )
}

/// The hold to run under when the key is ours, else the answer the request gets.
pub fn answer(claim: Claim) -> Result<Held, Reply> {
    match claim {
        Claim::Claimed(held) => Ok(held),
        Claim::Replay(stored) => Err(replay(stored)),
        Claim::Mismatch => Err(ApiError::new(
            ErrorCode::IdempotencyConflict,
            "This Idempotency-Key was already used for a different request.",
        )
        .into()),
        Claim::InProgress => Err(in_progress().into()),
    }
}

/// A reply as its key stores it.
pub fn stored(reply: &Reply) -> StoredResponse {
    StoredResponse {
        status: reply.status.as_u16(),
        headers: reply
            .headers
            .iter()
            .filter_map(|(n, v)| Some((n.to_string(), v.to_str().ok()?.to_string())))
            .collect(),
        body: reply.body.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::canonical_json;

    #[test]
    fn canonical_json_sorts_keys_at_every_level_whatever_the_input_order() {
        let a: serde_json::Value =
            serde_json::from_str(r#"{"b": 1, "a": {"y": [2, {"d": 4, "c": 3}], "x": "é\""}}"#).unwrap();
        let b: serde_json::Value =
            serde_json::from_str(r#"{"a": {"x": "é\"", "y": [2, {"c": 3, "d": 4}]}, "b": 1}"#).unwrap();
        assert_eq!(canonical_json(&a), r#"{"a":{"x":"é\"","y":[2,{"c":3,"d":4}]},"b":1}"#);
        assert_eq!(canonical_json(&a), canonical_json(&b));
    }
}
