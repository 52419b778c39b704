//! Stored responses of idempotent requests. A key is claimed inside the same transaction as
//! the write it protects, so the two commit (or vanish) together.

use super::{to_micros, Backend, Conn, Scope, Store};
use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

/// How long a key is remembered from first use.
const KEY_LIFETIME: Duration = Duration::hours(24);

/// What identifies one idempotent request.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub scope: Scope,
    pub method: String,
    pub path: String,
    pub key: String,
    /// SHA-256 of method, path and canonical body: a reused key must carry the same request.
    pub fingerprint: String,
}

/// A response as it will be replayed, byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[derive(Debug)]
pub enum Claim {
    /// The key is ours: run the request and store its response before committing.
    Claimed,
    Replay(StoredResponse),
    /// The key was used for a different request.
    Mismatch,
    /// Another request holds the key and has not finished in time.
    InProgress,
}

const WHERE_KEY: &str = "merchant_id = $1 AND livemode = $2 AND method = $3 AND path = $4 AND idem_key = $5";

fn bind_key<'q>(sql: &'q str, k: &'q IdempotencyKey) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    sqlx::query(sql)
        .bind(k.scope.merchant_id.to_string())
        .bind(k.scope.livemode)
        .bind(k.method.as_str())
        .bind(k.path.as_str())
        .bind(k.key.as_str())
}

fn outcome(k: &IdempotencyKey, row: &sqlx::any::AnyRow) -> Result<Claim, sqlx::Error> {
    if row.try_get::<String, _>("fingerprint")? != k.fingerprint {
        return Ok(Claim::Mismatch);
    }
    let headers: String = row.try_get("headers")?;
    Ok(Claim::Replay(StoredResponse {
        status: u16::try_from(row.try_get::<i64, _>("status_code")?).unwrap_or(500),
        headers: serde_json::from_str(&headers).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        body: row.try_get("body")?,
    }))
}

/// Claims `k` on the transaction's connection, or says why it cannot be claimed.
pub async fn claim(
    conn: &mut Conn,
    backend: Backend,
    k: &IdempotencyKey,
    now: DateTime<Utc>,
) -> Result<Claim, sqlx::Error> {
    if backend == Backend::Postgres {
        // A concurrent holder of the same key blocks our insert until it commits; bound the wait.
        sqlx::query("SET LOCAL lock_timeout = '5s'").execute(&mut *conn).await?;
    }
    let expired = format!("DELETE FROM idempotency_keys WHERE {WHERE_KEY} AND created_at <= $6");
    bind_key(&expired, k).bind(to_micros(now - KEY_LIFETIME)).execute(&mut *conn).await?;
    let insert = "INSERT INTO idempotency_keys (merchant_id, livemode, method, path, idem_key, fingerprint, \
                  status_code, headers, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, '[]', '', $7) \
                  ON CONFLICT DO NOTHING";
    let inserted = match bind_key(insert, k).bind(&k.fingerprint).bind(to_micros(now)).execute(&mut *conn).await {
        Ok(done) => done.rows_affected() == 1,
        Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("55P03") => return Ok(Claim::InProgress),
        Err(e) => return Err(e),
    };
    if inserted {
        return Ok(Claim::Claimed);
    }
    let select = format!("SELECT fingerprint, status_code, headers, body FROM idempotency_keys WHERE {WHERE_KEY}");
    let row = bind_key(&select, k).fetch_one(&mut *conn).await?;
    outcome(k, &row)
}

/// Records the response of a claimed key (same transaction as the claim).
pub async fn complete(conn: &mut Conn, k: &IdempotencyKey, response: &StoredResponse) -> Result<(), sqlx::Error> {
    let sql = format!("UPDATE idempotency_keys SET status_code = $6, headers = $7, body = $8 WHERE {WHERE_KEY}");
    bind_key(&sql, k)
        .bind(i64::from(response.status))
        .bind(serde_json::to_string(&response.headers).expect("strings serialise"))
        .bind(&response.body)
        .execute(conn)
        .await
        .map(|_| ())
}

impl Store {
    /// A completed, unexpired response for `k`, read without touching the writer.
    pub async fn find_idempotent(&self, k: &IdempotencyKey, now: DateTime<Utc>) -> Result<Option<Claim>, sqlx::Error> {
        let sql = format!(
            "SELECT fingerprint, status_code, headers, body FROM idempotency_keys \
             WHERE {WHERE_KEY} AND created_at > $6 AND status_code > 0"
        );
        let row = bind_key(&sql, k).bind(to_micros(now - KEY_LIFETIME)).fetch_optional(&self.reader).await?;
        row.map(|r| outcome(k, &r)).transpose()
    }

    /// Deletes keys older than their lifetime; returns how many went.
    pub async fn purge_idempotency_keys(&self, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at <= $1")
            .bind(to_micros(now - KEY_LIFETIME))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }
}
