//! Runs a write in one transaction, under an `Idempotency-Key` when the request has one: the
//! claim of the key, the write and the stored response commit together.

use crate::error::{ApiError, ApiResult, Reply};
use crate::store::{claim, complete, Claim, Conn, IdempotencyKey, Scope, StoredResponse};
use crate::AppState;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use futures_util::future::BoxFuture;
use paylinks_api::validate::is_valid_idempotency_key;
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

impl WriteRequest<'_> {
    fn key(&self) -> ApiResult<Option<IdempotencyKey>> {
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
    let headers = stored
        .headers
        .into_iter()
        .filter_map(|(n, v)| Some((HeaderName::try_from(n).ok()?, HeaderValue::try_from(v).ok()?)))
        .chain([(HeaderName::from_static("idempotency-replayed"), HeaderValue::from_static("true"))])
        .collect();
    Reply { status: StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK), headers, body: stored.body }
}

fn answer(claim: Claim) -> Option<Reply> {
    match claim {
        Claim::Claimed => None,
        Claim::Replay(stored) => Some(replay(stored)),
        Claim::Mismatch => Some(
            ApiError::new(
                ErrorCode::IdempotencyConflict,
                "This Idempotency-Key was already used for a different request.",
            )
            .into(),
        ),
        Claim::InProgress => Some(
            ApiError::new(
                ErrorCode::IdempotencyInProgress,
                "A request with this Idempotency-Key is still running; retry shortly.",
            )
            .into(),
        ),
    }
}

/// Runs `work` on a write transaction and returns its reply. Under a key, a finished earlier
/// request is replayed instead; 2xx and 4xx replies are stored, 5xx roll everything back.
pub async fn run_write<F>(state: &AppState, request: WriteRequest<'_>, work: F) -> Reply
where
    F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, ApiResult<Reply>>,
{
    match try_run_write(state, request, work).await {
        Ok(reply) => reply,
        Err(err) => err.into(),
    }
}

async fn try_run_write<F>(state: &AppState, request: WriteRequest<'_>, work: F) -> ApiResult<Reply>
where
    F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, ApiResult<Reply>>,
{
    let key = request.key()?;
    let now = state.clock.now();
    if let Some(key) = &key {
        // Most retries find a finished response: answer them from the read pool.
        if let Some(reply) = state.store.find_idempotent(key, now).await?.and_then(answer) {
            return Ok(reply);
        }
    }
    let mut tx = state.store.begin().await?;
    if let Some(key) = &key {
        if let Some(reply) = answer(claim(&mut tx, state.store.backend(), key, now).await?) {
            return Ok(reply);
        }
    }
    // A savepoint, so a failed statement (a taken slug) does not poison the stored answer.
    let mut attempt = sqlx::Connection::begin(&mut *tx).await?;
    let reply = match work(&mut attempt).await {
        Ok(reply) => {
            attempt.commit().await?;
            reply
        }
        Err(err) => {
            attempt.rollback().await?;
            Reply::from(err)
        }
    };
    if reply.status.is_server_error() {
        return Ok(reply);
    }
    if let Some(key) = &key {
        let stored = StoredResponse {
            status: reply.status.as_u16(),
            headers: reply
                .headers
                .iter()
                .filter_map(|(n, v)| Some((n.to_string(), v.to_str().ok()?.to_string())))
                .collect(),
            body: reply.body.clone(),
        };
        complete(&mut tx, key, &stored).await?;
    }
    tx.commit().await?;
    Ok(reply)
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
