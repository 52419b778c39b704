//! Webhooks: the merchant's endpoints, the outbox of deliveries (one per event and endpoint,
//! written in the event's transaction), the worker's claims on due deliveries and the outcome of
//! each attempt.

use super::codec::{bind_all, bool_col, enum_col, from_micros, from_text, json, micros_col, to_micros, Bind};
use super::db::{Backend, Scope, Store, Tx};
use crate::ids::random_base62;
use chrono::{DateTime, Duration, Utc};
use paylinks_api::webhook::{
    wants, CircuitState, DeliveryStatus, EndpointStatus, WebhookDelivery, WebhookEndpoint, MAX_ATTEMPTS,
};
use paylinks_api::WireEnum;
use sqlx::any::AnyRow;
use sqlx::Row;

/// After a rotation the old secret keeps signing this long.
pub const ROTATION_OVERLAP: Duration = Duration::hours(24);
/// Dead letters in a row that open an endpoint's circuit.
const DEAD_LETTERS_TO_OPEN: i64 = 5;
/// Failing this long without a success opens an endpoint's circuit.
const FAILING_TO_OPEN: Duration = Duration::days(3);

/// Who gets deliveries of a new event.
#[derive(Debug, Clone, Copy)]
pub enum Recipients<'a> {
    /// Every enabled endpoint of the scope that subscribes to its type.
    Subscribers,
    /// This endpoint only (a test event).
    Only(&'a str),
}

/// An endpoint with what the API never shows.
#[derive(Debug, Clone)]
pub struct StoredEndpoint {
    pub endpoint: WebhookEndpoint,
    pub secret: String,
}

/// What a new endpoint is made of (checked by the route).
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    pub url: String,
    pub description: Option<String>,
    pub enabled_events: Vec<String>,
    pub secret: String,
}

/// A change to an endpoint: what is `Some` changes.
#[derive(Debug, Clone, Default)]
pub struct EndpointChange {
    pub url: Option<String>,
    pub description: Option<Option<String>>,
    pub enabled_events: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

/// A delivery the worker has claimed: everything it needs to send it.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub id: String,
    /// Attempts made before this one.
    pub attempts: i64,
    pub max_attempts: i64,
    pub livemode: bool,
    pub merchant_id: String,
    pub event_id: String,
    pub url: String,
    /// The secrets that sign it: the current one, and the previous one during its overlap.
    pub secrets: Vec<String>,
    /// The event's fixed body.
    pub body: String,
    /// The token that proves the claim is still this worker's.
    pub claim: String,
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub status_code: Option<i64>,
    /// The answer's start (a failure's), or what went wrong.
    pub error: Option<String>,
    pub error_code: Option<String>,
    pub duration_ms: i64,
    pub verdict: Verdict,
}

/// Where the delivery goes after an attempt.
#[derive(Debug, Clone)]
pub enum Verdict {
    Succeeded,
    /// Another attempt at this time.
    RetryAt(DateTime<Utc>),
    /// No attempt is left.
    DeadLetter(String),
    /// The endpoint said 410 Gone: it is disabled, and this delivery ends.
    Gone,
}

/// Filters of the delivery log.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub endpoint_id: Option<String>,
    pub event_id: Option<String>,
    pub status: Option<DeliveryStatus>,
    /// Deliveries older than this one.
    pub starting_after: Option<String>,
}

const ENDPOINT_COLUMNS: &str = "id, url, description, enabled_events, status, disabled_reason, circuit_state, \
     secret, total_deliveries, successful_deliveries, failed_deliveries, last_delivery_at, created_at, updated_at";

const DELIVERY_COLUMNS: &str = "id, endpoint_id, event_id, event_type, status, attempts, max_attempts, \
     next_attempt_at, last_status_code, last_error, last_error_code, last_duration_ms, last_attempt_at, \
     delivered_at, dead_lettered_at, dead_letter_reason, created_at, updated_at";

fn opt_micros(row: &AnyRow, column: &str) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    Ok(row.try_get::<Option<i64>, _>(column)?.map(from_micros))
}

fn endpoint_of(row: &AnyRow) -> Result<StoredEndpoint, sqlx::Error> {
    let endpoint = WebhookEndpoint {
        id: row.try_get("id")?,
        url: row.try_get("url")?,
        description: row.try_get("description")?,
        enabled_events: from_text(row, "enabled_events")?,
        status: enum_col(row, "status")?,
        secret: None,
        circuit_breaker_state: enum_col(row, "circuit_state")?,
        total_deliveries: row.try_get("total_deliveries")?,
        successful_deliveries: row.try_get("successful_deliveries")?,
        failed_deliveries: row.try_get("failed_deliveries")?,
        last_delivery_at: opt_micros(row, "last_delivery_at")?,
        disabled_reason: row.try_get("disabled_reason")?,
        created_at: micros_col(row, "created_at")?,
        updated_at: micros_col(row, "updated_at")?,
    };
    Ok(StoredEndpoint { endpoint, secret: row.try_get("secret")? })
}

fn delivery_of(row: &AnyRow) -> Result<WebhookDelivery, sqlx::Error> {
    let status: DeliveryStatus = enum_col(row, "status")?;
    let waiting = matches!(status, DeliveryStatus::Pending | DeliveryStatus::Failed);
    Ok(WebhookDelivery {
        id: row.try_get("id")?,
        object: "webhook_delivery".into(),
        endpoint_id: row.try_get("endpoint_id")?,
        event_id: row.try_get("event_id")?,
        event_type: row.try_get("event_type")?,
        status,
        attempts: row.try_get("attempts")?,
        max_attempts: row.try_get("max_attempts")?,
        last_status_code: row.try_get("last_status_code")?,
        last_error: row.try_get("last_error")?,
        last_error_code: row.try_get("last_error_code")?,
        last_duration_ms: row.try_get("last_duration_ms")?,
        last_attempt_at: opt_micros(row, "last_attempt_at")?,
        next_retry_at: if waiting { opt_micros(row, "next_attempt_at")? } else { None },
        delivered_at: opt_micros(row, "delivered_at")?,
        dead_lettered_at: opt_micros(row, "dead_lettered_at")?,
        dead_letter_reason: row.try_get("dead_letter_reason")?,
        created_at: micros_col(row, "created_at")?,
        updated_at: micros_col(row, "updated_at")?,
    })
}

impl Tx {
    /// Queues a delivery of the stored event `event_id` to each of `recipients` that is enabled and
    /// subscribes to its type; returns how many were queued.
    pub async fn queue_deliveries(
        &mut self,
        scope: Scope,
        event_id: &str,
        event_type: &str,
        now: DateTime<Utc>,
        recipients: Recipients<'_>,
    ) -> Result<u64, sqlx::Error> {
        let only = match recipients {
            Recipients::Subscribers => None,
            Recipients::Only(id) => Some(id.to_string()),
        };
        let rows = sqlx::query(
            "SELECT id, enabled_events FROM webhook_endpoints \
             WHERE merchant_id = $1 AND livemode = $2 AND status = 'enabled' AND ($3 IS NULL OR id = $3)",
        )
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .bind(only.clone())
        .fetch_all(self.conn())
        .await?;
        let mut queued = 0;
        for row in &rows {
            let enabled_events: Vec<String> = from_text(row, "enabled_events")?;
            if only.is_none() && !wants(&enabled_events, event_type) {
                continue;
            }
            let endpoint_id: String = row.try_get("id")?;
            sqlx::query(
                "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, merchant_id, livemode, event_type, status, \
                 max_attempts, next_attempt_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $8, $8)",
            )
            .bind(format!("whd_{}", random_base62(24)))
            .bind(endpoint_id)
            .bind(event_id)
            .bind(scope.merchant_id.to_string())
            .bind(scope.livemode)
            .bind(event_type)
            .bind(MAX_ATTEMPTS)
            .bind(to_micros(now))
            .execute(self.conn())
            .await?;
            queued += 1;
        }
        Ok(queued)
    }

    pub async fn insert_endpoint(
        &mut self,
        scope: Scope,
        new: &NewEndpoint,
        now: DateTime<Utc>,
    ) -> Result<StoredEndpoint, sqlx::Error> {
        let id = format!("we_{}", random_base62(24));
        sqlx::query(
            "INSERT INTO webhook_endpoints (id, merchant_id, livemode, url, description, enabled_events, status, \
             secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'enabled', $7, $8, $8)",
        )
        .bind(&id)
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .bind(&new.url)
        .bind(&new.description)
        .bind(json(&new.enabled_events))
        .bind(&new.secret)
        .bind(to_micros(now))
        .execute(self.conn())
        .await?;
        self.find_endpoint(scope, &id).await?.ok_or(sqlx::Error::RowNotFound)
    }

    /// The scope's endpoint `id`, locked for this transaction's change on PostgreSQL.
    pub async fn find_endpoint(&mut self, scope: Scope, id: &str) -> Result<Option<StoredEndpoint>, sqlx::Error> {
        let lock = if self.backend == Backend::Postgres { " FOR UPDATE" } else { "" };
        let row = sqlx::query(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1 AND merchant_id = $2 AND livemode = $3{lock}"
        ))
        .bind(id)
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .fetch_optional(self.conn())
        .await?;
        row.as_ref().map(endpoint_of).transpose()
    }

    /// Applies `change` to the scope's endpoint `id`; enabling it also closes its circuit.
    pub async fn update_endpoint(
        &mut self,
        scope: Scope,
        id: &str,
        change: &EndpointChange,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredEndpoint>, sqlx::Error> {
        let Some(current) = self.find_endpoint(scope, id).await? else { return Ok(None) };
        let before = &current.endpoint;
        let url = change.url.clone().unwrap_or_else(|| before.url.clone());
        let description = change.description.clone().unwrap_or_else(|| before.description.clone());
        let enabled_events = change.enabled_events.clone().unwrap_or_else(|| before.enabled_events.clone());
        let reenabled = change.enabled == Some(true);
        let status = match change.enabled {
            Some(true) => EndpointStatus::Enabled,
            Some(false) => EndpointStatus::Disabled,
            None => before.status,
        };
        sqlx::query(
            "UPDATE webhook_endpoints SET url = $1, description = $2, enabled_events = $3, status = $4, \
             updated_at = $5, \
             disabled_reason = CASE WHEN $6 OR $4 = 'disabled' THEN NULL ELSE disabled_reason END, \
             circuit_state = CASE WHEN $6 THEN 'closed' ELSE circuit_state END, \
             consecutive_dead_letters = CASE WHEN $6 THEN 0 ELSE consecutive_dead_letters END, \
             failing_since = CASE WHEN $6 THEN NULL ELSE failing_since END \
             WHERE id = $7",
        )
        .bind(url)
        .bind(description)
        .bind(json(&enabled_events))
        .bind(status.as_str())
        .bind(to_micros(now))
        .bind(reenabled)
        .bind(id)
        .execute(self.conn())
        .await?;
        self.find_endpoint(scope, id).await
    }

    /// Replaces the secret of the scope's endpoint `id`; the old one keeps signing for 24 hours.
    pub async fn rotate_secret(
        &mut self,
        scope: Scope,
        id: &str,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredEndpoint>, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = $1, secret = $2, \
             updated_at = $3 WHERE id = $4 AND merchant_id = $5 AND livemode = $6",
        )
        .bind(to_micros(now + ROTATION_OVERLAP))
        .bind(secret)
        .bind(to_micros(now))
        .bind(id)
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        self.find_endpoint(scope, id).await
    }

    /// Deletes the scope's endpoint `id` and its deliveries; whether it was there.
    pub async fn delete_endpoint(&mut self, scope: Scope, id: &str) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1 AND merchant_id = $2 AND livemode = $3")
            .bind(id)
            .bind(scope.merchant_id.to_string())
            .bind(scope.livemode)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Queues the scope's delivery `id` again, now, with one more attempt if none is left.
    pub async fn requeue_delivery(
        &mut self,
        scope: Scope,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<WebhookDelivery>, sqlx::Error> {
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1, claim = NULL, \
             max_attempts = CASE WHEN attempts >= max_attempts THEN attempts + 1 ELSE max_attempts END, \
             dead_lettered_at = NULL, dead_letter_reason = NULL, updated_at = $1 \
             WHERE id = $2 AND merchant_id = $3 AND livemode = $4 AND status <> 'succeeded'",
        )
        .bind(to_micros(now))
        .bind(id)
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .execute(self.conn())
        .await?;
        let row = sqlx::query(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1 AND merchant_id = $2 AND livemode = $3"
        ))
        .bind(id)
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .fetch_optional(self.conn())
        .await?;
        row.as_ref().map(delivery_of).transpose()
    }

    /// Records the outcome of an attempt on a claimed delivery, and what it means for its endpoint
    /// (counters, 410 Gone, the circuit). Returns `false`, changing nothing, when the claim was
    /// lost (the lease ran out and another worker took the delivery, or it was deleted).
    pub async fn record_attempt(
        &mut self,
        due: &DueDelivery,
        attempt: &Attempt,
        now: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        let at = to_micros(now);
        let (status, next, delivered, dead_reason) = match &attempt.verdict {
            Verdict::Succeeded => (DeliveryStatus::Succeeded, None, Some(at), None),
            Verdict::RetryAt(when) => (DeliveryStatus::Failed, Some(to_micros(*when)), None, None),
            Verdict::DeadLetter(reason) => (DeliveryStatus::DeadLettered, None, None, Some(reason.clone())),
            Verdict::Gone => {
                (DeliveryStatus::DeadLettered, None, None, Some("The endpoint answered 410 Gone.".to_string()))
            }
        };
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, next_attempt_at = $2, claim = NULL, \
             last_status_code = $3, last_error = $4, last_error_code = $5, last_duration_ms = $6, \
             last_attempt_at = $7, updated_at = $7, delivered_at = $8, \
             dead_lettered_at = CASE WHEN $9 IS NULL THEN NULL ELSE $7 END, dead_letter_reason = $9 \
             WHERE id = $10 AND claim = $11",
        )
        .bind(status.as_str())
        .bind(next)
        .bind(attempt.status_code)
        .bind(attempt.error.clone())
        .bind(attempt.error_code.clone())
        .bind(attempt.duration_ms)
        .bind(at)
        .bind(delivered)
        .bind(dead_reason)
        .bind(&due.id)
        .bind(&due.claim)
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let endpoint_id: String = sqlx::query("SELECT endpoint_id FROM webhook_deliveries WHERE id = $1")
            .bind(&due.id)
            .fetch_one(self.conn())
            .await?
            .try_get(0)?;
        let succeeded = matches!(attempt.verdict, Verdict::Succeeded);
        let dead = matches!(attempt.verdict, Verdict::DeadLetter(_));
        sqlx::query(
            "UPDATE webhook_endpoints SET total_deliveries = total_deliveries + 1, \
             successful_deliveries = successful_deliveries + CASE WHEN $1 THEN 1 ELSE 0 END, \
             failed_deliveries = failed_deliveries + CASE WHEN $1 THEN 0 ELSE 1 END, \
             last_delivery_at = $2, \
             last_success_at = CASE WHEN $1 THEN $2 ELSE last_success_at END, \
             failing_since = CASE WHEN $1 THEN NULL ELSE COALESCE(failing_since, $2) END, \
             consecutive_dead_letters = CASE WHEN $1 THEN 0 WHEN $3 THEN consecutive_dead_letters + 1 \
                 ELSE consecutive_dead_letters END \
             WHERE id = $4",
        )
        .bind(succeeded)
        .bind(at)
        .bind(dead)
        .bind(&endpoint_id)
        .execute(self.conn())
        .await?;
        if matches!(attempt.verdict, Verdict::Gone) {
            self.disable_endpoint(&endpoint_id, CircuitState::Closed, "The endpoint answered 410 Gone.", now).await?;
        } else if !succeeded {
            let row = sqlx::query(
                "SELECT consecutive_dead_letters, failing_since FROM webhook_endpoints WHERE id = $1 AND status = 'enabled'",
            )
            .bind(&endpoint_id)
            .fetch_optional(self.conn())
            .await?;
            if let Some(row) = row {
                let dead_in_a_row: i64 = row.try_get("consecutive_dead_letters")?;
                let failing_since = opt_micros(&row, "failing_since")?;
                let reason = if dead_in_a_row >= DEAD_LETTERS_TO_OPEN {
                    Some(format!("{dead_in_a_row} deliveries in a row used up every attempt."))
                } else if failing_since.is_some_and(|since| now - since >= FAILING_TO_OPEN) {
                    Some("No delivery has succeeded for 3 days.".to_string())
                } else {
                    None
                };
                if let Some(reason) = reason {
                    self.disable_endpoint(&endpoint_id, CircuitState::Open, &reason, now).await?;
                }
            }
        }
        Ok(true)
    }

    async fn disable_endpoint(
        &mut self,
        id: &str,
        circuit: CircuitState,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE webhook_endpoints SET status = 'disabled', circuit_state = $1, disabled_reason = $2, updated_at = $3 \
             WHERE id = $4",
        )
        .bind(circuit.as_str())
        .bind(reason)
        .bind(to_micros(now))
        .bind(id)
        .execute(self.conn())
        .await
        .map(drop)
    }
}

impl Store {
    pub async fn get_endpoint(&self, scope: Scope, id: &str) -> Result<Option<WebhookEndpoint>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1 AND merchant_id = $2 AND livemode = $3"
        ))
        .bind(id)
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.as_ref().map(endpoint_of).transpose()?.map(|s| s.endpoint))
    }

    /// A page of the scope's endpoints, newest first, and how many there are in all.
    pub async fn list_endpoints(
        &self,
        scope: Scope,
        status: Option<EndpointStatus>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<WebhookEndpoint>, i64), sqlx::Error> {
        let filter = "merchant_id = $1 AND livemode = $2 AND ($3 IS NULL OR status = $3)";
        let status = status.map(|s| s.as_str().to_string());
        let rows = sqlx::query(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE {filter} \
             ORDER BY created_at DESC, id DESC LIMIT {limit} OFFSET {offset}"
        ))
        .bind(scope.merchant_id.to_string())
        .bind(scope.livemode)
        .bind(status.clone())
        .fetch_all(&self.reader)
        .await?;
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM webhook_endpoints WHERE {filter}"))
            .bind(scope.merchant_id.to_string())
            .bind(scope.livemode)
            .bind(status)
            .fetch_one(&self.reader)
            .await?
            .try_get(0)?;
        let data = rows.iter().map(|r| endpoint_of(r).map(|s| s.endpoint)).collect::<Result<_, _>>()?;
        Ok((data, total))
    }

    pub async fn get_delivery(&self, scope: Scope, id: &str) -> Result<Option<WebhookDelivery>, sqlx::Error> {
        let (found, _) = self.delivery_page(scope, &DeliveryFilter::default(), 1, Some(id)).await?;
        Ok(found.into_iter().next())
    }

    /// A page of the scope's delivery log, newest first, and whether more follow.
    pub async fn list_deliveries(
        &self,
        scope: Scope,
        filter: &DeliveryFilter,
        limit: i64,
    ) -> Result<(Vec<WebhookDelivery>, bool), sqlx::Error> {
        self.delivery_page(scope, filter, limit, None).await
    }

    async fn delivery_page(
        &self,
        scope: Scope,
        filter: &DeliveryFilter,
        limit: i64,
        id: Option<&str>,
    ) -> Result<(Vec<WebhookDelivery>, bool), sqlx::Error> {
        let mut binds = scope.binds();
        let mut sql =
            format!("SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE merchant_id = $1 AND livemode = $2");
        let mut equal = |column: &str, value: Option<String>, binds: &mut Vec<Bind>| {
            if let Some(value) = value {
                binds.push(Bind::Text(value));
                sql += &format!(" AND {column} = ${}", binds.len());
            }
        };
        equal("id", id.map(String::from), &mut binds);
        equal("endpoint_id", filter.endpoint_id.clone(), &mut binds);
        equal("event_id", filter.event_id.clone(), &mut binds);
        equal("status", filter.status.map(|s| s.as_str().to_string()), &mut binds);
        if let Some(after) = &filter.starting_after {
            binds.push(Bind::Text(after.clone()));
            let n = binds.len();
            sql += &format!(
                " AND (created_at, id) < (SELECT a.created_at, a.id FROM webhook_deliveries a WHERE a.id = ${n} \
                 AND a.merchant_id = $1 AND a.livemode = $2)"
            );
        }
        sql += &format!(" ORDER BY created_at DESC, id DESC LIMIT {}", limit + 1);
        let rows = bind_all(sqlx::query(&sql), &binds).fetch_all(&self.reader).await?;
        let mut found = rows.iter().map(delivery_of).collect::<Result<Vec<_>, _>>()?;
        let has_more = found.len() as i64 > limit;
        found.truncate(limit as usize);
        Ok((found, has_more))
    }

    /// Claims up to `limit` deliveries due at `now` to enabled endpoints for `lease` (PostgreSQL:
    /// rows another server is claiming are skipped, so each attempt is made once).
    pub async fn claim_due_deliveries(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<DueDelivery>, sqlx::Error> {
        let skip_locked = if self.backend == Backend::Postgres { " FOR UPDATE OF d SKIP LOCKED" } else { "" };
        let claim = random_base62(16);
        let mut tx = self.begin().await?;
        let rows = sqlx::query(&format!(
            "SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
             WHERE d.status IN ('pending', 'failed') AND d.next_attempt_at <= $1 AND e.status = 'enabled' \
             ORDER BY d.next_attempt_at LIMIT {limit}{skip_locked}"
        ))
        .bind(to_micros(now))
        .fetch_all(tx.conn())
        .await?;
        let mut due = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: String = row.try_get("id")?;
            sqlx::query("UPDATE webhook_deliveries SET next_attempt_at = $1, claim = $2 WHERE id = $3")
                .bind(to_micros(now + lease))
                .bind(&claim)
                .bind(&id)
                .execute(tx.conn())
                .await?;
            let row = sqlx::query(
                "SELECT d.id, d.attempts, d.max_attempts, d.livemode, d.merchant_id, d.event_id, e.url, e.secret, \
                 e.previous_secret, e.previous_secret_until, ev.body \
                 FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
                 JOIN events ev ON ev.id = d.event_id WHERE d.id = $1",
            )
            .bind(&id)
            .fetch_one(tx.conn())
            .await?;
            let mut secrets = vec![row.try_get::<String, _>("secret")?];
            let previous: Option<String> = row.try_get("previous_secret")?;
            if let (Some(previous), Some(until)) = (previous, opt_micros(&row, "previous_secret_until")?) {
                if until > now {
                    secrets.push(previous);
                }
            }
            due.push(DueDelivery {
                id,
                attempts: row.try_get("attempts")?,
                max_attempts: row.try_get("max_attempts")?,
                livemode: bool_col(&row, "livemode")?,
                merchant_id: row.try_get("merchant_id")?,
                event_id: row.try_get("event_id")?,
                url: row.try_get("url")?,
                secrets,
                body: row.try_get("body")?,
                claim: claim.clone(),
            });
        }
        tx.commit().await?;
        Ok(due)
    }

    /// At a server's start on SQLite, makes every delivery still claimed due now: one process
    /// serves a SQLite file, so such a claim was cut by a crash of the last run and its attempt is
    /// made again at once. On PostgreSQL another running server may hold it; it runs out instead.
    pub async fn release_claims_of_last_run(&self, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        if self.backend == Backend::Postgres {
            return Ok(0);
        }
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET next_attempt_at = $1, claim = NULL \
             WHERE claim IS NOT NULL AND status IN ('pending', 'failed')",
        )
        .bind(to_micros(now))
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected())
    }

    /// Deliveries waiting to be made (due now or scheduled), for the backlog metric.
    pub async fn delivery_backlog(&self, now: DateTime<Utc>) -> Result<(i64, i64), sqlx::Error> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS waiting, COALESCE(SUM(CASE WHEN next_attempt_at <= $1 THEN 1 ELSE 0 END), 0) AS due \
             FROM webhook_deliveries WHERE status IN ('pending', 'failed')",
        )
        .bind(to_micros(now))
        .fetch_one(&self.reader)
        .await?;
        Ok((row.try_get("waiting")?, row.try_get("due")?))
    }
}
