//! Stored responses of idempotent requests. A key is claimed inside the same transaction as the
//! write it protects, so the two commit (or vanish) together. A write with phases commits its
//! recovery point on the key between them and holds the key for a lease meanwhile.

use super::codec::to_micros;
use super::db::{Backend, Scope, Store, Tx};
use crate::ids::random_base62;
use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

/// How long a key is remembered from first use.
const KEY_LIFETIME: Duration = Duration::hours(24);

/// How long a write between phases holds its key; after that a retry may take over (the holder
/// is presumed dead: a phase that calls another system must finish well within it).
const LEASE: Duration = Duration::seconds(60);

/// Where a newly claimed key starts.
pub const INITIAL_RECOVERY_POINT: &str = "started";

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

/// Ours to run: where to start from, and the token that proves the key is still ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub recovery_point: String,
    pub holder: String,
}

#[derive(Debug)]
pub enum Claim {
    /// The key is ours: run the request from its recovery point and store its response before
    /// committing.
    Claimed(Held),
    Replay(StoredResponse),
    /// The key was used for a different request.
    Mismatch,
    /// Another request holds the key and has not finished in time.
    InProgress,
}

const WHERE_KEY: &str = "merchant_id = $1 AND livemode = $2 AND method = $3 AND path = $4 AND idem_key = $5";

fn bind_key<'q>(sql: &'q str, k: &'q IdempotencyKey) -> super::codec::AnyQuery<'q> {
    sqlx::query(sql)
        .bind(k.scope.merchant_id.to_string())
        .bind(k.scope.livemode)
        .bind(k.method.as_str())
        .bind(k.path.as_str())
        .bind(k.key.as_str())
}

/// What a found row means for `k`: a replay, a mismatch, or (status 0, `None`) a write between
/// phases.
fn outcome(k: &IdempotencyKey, row: &sqlx::any::AnyRow) -> Result<Option<Claim>, sqlx::Error> {
    if row.try_get::<String, _>("fingerprint")? != k.fingerprint {
        return Ok(Some(Claim::Mismatch));
    }
    let status: i64 = row.try_get("status_code")?;
    if status == 0 {
        return Ok(None);
    }
    let headers: String = row.try_get("headers")?;
    Ok(Some(Claim::Replay(StoredResponse {
        status: u16::try_from(status).unwrap_or(500),
        headers: serde_json::from_str(&headers).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        body: row.try_get("body")?,
    })))
}

impl Tx {
    /// Claims `k` in this transaction, or says why it cannot be claimed. A key left between
    /// phases is taken over (from its recovery point) once its holder's lease has run out.
    pub async fn claim_key(&mut self, k: &IdempotencyKey, now: DateTime<Utc>) -> Result<Claim, sqlx::Error> {
        if self.backend == Backend::Postgres {
            // A concurrent holder of the same key blocks our insert until it commits; bound the wait.
            sqlx::query("SET LOCAL lock_timeout = '5s'").execute(self.conn()).await?;
        }
        let expired = format!("DELETE FROM idempotency_keys WHERE {WHERE_KEY} AND created_at <= $6");
        bind_key(&expired, k).bind(to_micros(now - KEY_LIFETIME)).execute(self.conn()).await?;
        let holder = random_base62(16);
        let insert = "INSERT INTO idempotency_keys (merchant_id, livemode, method, path, idem_key, fingerprint, \
                      status_code, headers, body, created_at, recovery_point, holder, locked_until) \
                      VALUES ($1, $2, $3, $4, $5, $6, 0, '[]', '', $7, $8, $9, $10) ON CONFLICT DO NOTHING";
        let inserted = bind_key(insert, k)
            .bind(&k.fingerprint)
            .bind(to_micros(now))
            .bind(INITIAL_RECOVERY_POINT)
            .bind(&holder)
            .bind(to_micros(now + LEASE))
            .execute(self.conn())
            .await;
        match inserted {
            Ok(done) if done.rows_affected() == 1 => {
                return Ok(Claim::Claimed(Held { recovery_point: INITIAL_RECOVERY_POINT.into(), holder }))
            }
            Ok(_) => {}
            Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("55P03") => return Ok(Claim::InProgress),
            Err(e) => return Err(e),
        }
        let select = format!(
            "SELECT fingerprint, status_code, headers, body, recovery_point FROM idempotency_keys WHERE {WHERE_KEY}"
        );
        let row = bind_key(&select, k).fetch_one(self.conn()).await?;
        if let Some(answer) = outcome(k, &row)? {
            return Ok(answer);
        }
        // Between phases: ours only if the holder's lease ran out, and only for one taker.
        let take = format!(
            "UPDATE idempotency_keys SET holder = $6, locked_until = $7 \
             WHERE {WHERE_KEY} AND status_code = 0 AND locked_until <= $8"
        );
        let taken = bind_key(&take, k)
            .bind(&holder)
            .bind(to_micros(now + LEASE))
            .bind(to_micros(now))
            .execute(self.conn())
            .await?;
        if taken.rows_affected() != 1 {
            return Ok(Claim::InProgress);
        }
        Ok(Claim::Claimed(Held { recovery_point: row.try_get("recovery_point")?, holder }))
    }

    /// Whether `held` still holds `k`, extending its lease from `now` (a write going on to its
    /// next phase). `false` when the lease ran out and another request took the key over.
    pub async fn renew_hold(
        &mut self,
        k: &IdempotencyKey,
        held: &Held,
        now: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        let sql = format!("UPDATE idempotency_keys SET locked_until = $6 WHERE {WHERE_KEY} AND holder = $7");
        let done = bind_key(&sql, k).bind(to_micros(now + LEASE)).bind(&held.holder).execute(self.conn()).await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records that the write holding `k` finished the phase before `recovery_point` (committed
    /// with the phase's own changes). `false` when it no longer holds the key.
    pub async fn set_recovery_point(
        &mut self,
        k: &IdempotencyKey,
        held: &Held,
        recovery_point: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        let sql = format!(
            "UPDATE idempotency_keys SET recovery_point = $6, locked_until = $7 WHERE {WHERE_KEY} AND holder = $8"
        );
        let done = bind_key(&sql, k)
            .bind(recovery_point)
            .bind(to_micros(now + LEASE))
            .bind(&held.holder)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Lets a retry take `k` over at once (from its recovery point): the write between phases
    /// gave up for now, with an answer that asks the client to retry.
    pub async fn release_hold(
        &mut self,
        k: &IdempotencyKey,
        held: &Held,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let sql = format!("UPDATE idempotency_keys SET locked_until = $6 WHERE {WHERE_KEY} AND holder = $7");
        bind_key(&sql, k).bind(to_micros(now)).bind(&held.holder).execute(self.conn()).await.map(drop)
    }

    /// Records the response of the key `held` holds (same transaction as the claim or the last
    /// phase). `false` when it no longer holds the key.
    pub async fn complete_key(
        &mut self,
        k: &IdempotencyKey,
        held: &Held,
        response: &StoredResponse,
    ) -> Result<bool, sqlx::Error> {
        let sql = format!(
            "UPDATE idempotency_keys SET status_code = $6, headers = $7, body = $8, locked_until = NULL \
             WHERE {WHERE_KEY} AND holder = $9"
        );
        let done = bind_key(&sql, k)
            .bind(i64::from(response.status))
            .bind(serde_json::to_string(&response.headers).expect("strings serialise"))
            .bind(&response.body)
            .bind(&held.holder)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Store {
    /// A completed, unexpired response for `k`, read without touching the writer.
    pub async fn find_idempotent(&self, k: &IdempotencyKey, now: DateTime<Utc>) -> Result<Option<Claim>, sqlx::Error> {
        let sql = format!(
            "SELECT fingerprint, status_code, headers, body FROM idempotency_keys \
             WHERE {WHERE_KEY} AND created_at > $6 AND status_code > 0"
        );
        let row = bind_key(&sql, k).bind(to_micros(now - KEY_LIFETIME)).fetch_optional(&self.reader).await?;
        Ok(row.map(|r| outcome(k, &r)).transpose()?.flatten())
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
