//! Live payments' Stripe side: the fixed session parameters and attempt number, the session, the
//! slot a pending payment holds on a capped link, the Stripe events already handled, and the
//! pending payments the reconciler asks Stripe about.

use super::codec::{from_micros, from_text, json, to_micros};
use super::db::{Backend, Scope, Store, Tx};
use chrono::{DateTime, Duration, Utc};
use paylinks_api::payment::Payment;
use paylinks_api::WireEnum;
use sqlx::Row;
use uuid::Uuid;

/// What a live payment keeps for its Stripe Checkout Session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveAttempt {
    /// The session's parameters, in Stripe's bracket notation: fixed when the payment is recorded.
    pub params: Vec<(String, String)>,
    /// `n` in Stripe's Idempotency-Key `paylinks-{payment id}-{n}`.
    pub attempt: i64,
    pub session_id: Option<String>,
    pub session_url: Option<String>,
    /// The session's expiry: until then a pending payment holds a slot of a capped link.
    pub reserved_until: DateTime<Utc>,
}

/// A live payment, as the settling code reads it.
#[derive(Debug, Clone)]
pub struct LivePayment {
    pub scope: Scope,
    pub payment: Payment,
    pub live: LiveAttempt,
}

/// How long after its session's end a pending payment is first asked about, and then between
/// asks.
const RECONCILE_GRACE: Duration = Duration::seconds(60);

impl Tx {
    /// Serialises checkouts of one link on PostgreSQL (SQLite has one writer already), so that
    /// counting its open reservations and adding one is a single step.
    pub async fn lock_link(&mut self, link_id: Uuid) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT id FROM payment_links WHERE id = $1 FOR UPDATE")
                .bind(link_id.to_string())
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    /// Pending live payments on the link whose sessions are still open at `now`.
    pub async fn open_reservations(&mut self, link_id: Uuid, now: DateTime<Utc>) -> Result<i64, sqlx::Error> {
        sqlx::query("SELECT COUNT(*) FROM payments WHERE link_id = $1 AND status = 'pending' AND reserved_until > $2")
            .bind(link_id.to_string())
            .bind(to_micros(now))
            .fetch_one(self.conn())
            .await?
            .try_get(0)
    }

    /// Records a pending live payment with what its session will be made of.
    pub async fn insert_live_payment(
        &mut self,
        scope: Scope,
        payment: &Payment,
        live: &LiveAttempt,
    ) -> Result<(), sqlx::Error> {
        self.insert_payment(scope, payment).await?;
        sqlx::query(
            "UPDATE payments SET session_params = $1, stripe_attempt = $2, reserved_until = $3, reconcile_after = $4 \
             WHERE id = $5",
        )
        .bind(json(&live.params))
        .bind(live.attempt)
        .bind(to_micros(live.reserved_until))
        .bind(to_micros(live.reserved_until + RECONCILE_GRACE))
        .bind(&payment.id)
        .execute(self.conn())
        .await
        .map(drop)
    }

    /// The live payment `payment_id`, locked for this transaction on PostgreSQL.
    pub async fn live_payment(&mut self, payment_id: &str) -> Result<Option<LivePayment>, sqlx::Error> {
        let lock = if self.backend == Backend::Postgres { " FOR UPDATE" } else { "" };
        let row = sqlx::query(&format!("{LIVE_SELECT} WHERE id = $1 AND session_params IS NOT NULL{lock}"))
            .bind(payment_id)
            .fetch_optional(self.conn())
            .await?;
        row.map(|r| live_from(&r)).transpose()
    }

    /// The payment as it is once its session is made (`checkout_id` is the session's id), and the
    /// session's page, in one statement.
    pub async fn set_session(&mut self, payment: &Payment, url: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE payments SET session_id = $1, session_url = $2, status = $3, details = $4 WHERE id = $5")
            .bind(&payment.checkout_id)
            .bind(url)
            .bind(payment.status.as_str())
            .bind(json(payment))
            .bind(&payment.id)
            .execute(self.conn())
            .await
            .map(drop)
    }

    /// The session's parameters with a new expiry, and the slot held until then, under the next
    /// key: Stripe made no session under the current one.
    pub async fn refresh_session_expiry(
        &mut self,
        payment_id: &str,
        params: &[(String, String)],
        reserved_until: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE payments SET session_params = $1, stripe_attempt = stripe_attempt + 1, reserved_until = $2, \
             reconcile_after = $3 WHERE id = $4",
        )
        .bind(json(&params))
        .bind(to_micros(reserved_until))
        .bind(to_micros(reserved_until + RECONCILE_GRACE))
        .bind(payment_id)
        .execute(self.conn())
        .await
        .map(drop)
    }

    /// Stripe gave a definite failure under the current key: the next try uses the next one.
    pub async fn next_stripe_attempt(&mut self, payment_id: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE payments SET stripe_attempt = stripe_attempt + 1 WHERE id = $1")
            .bind(payment_id)
            .execute(self.conn())
            .await
            .map(drop)
    }

    /// Writes a payment's new state (status and details).
    pub async fn update_payment(&mut self, payment: &Payment) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE payments SET status = $1, details = $2 WHERE id = $3")
            .bind(payment.status.as_str())
            .bind(json(payment))
            .bind(&payment.id)
            .execute(self.conn())
            .await
            .map(drop)
    }

    /// Notes Stripe event `id` as handled in this transaction; `false` when it was already.
    pub async fn first_time_event(
        &mut self,
        id: &str,
        event_type: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        let done =
            sqlx::query("INSERT INTO stripe_events (id, type, received_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(event_type)
                .bind(to_micros(now))
                .execute(self.conn())
                .await?;
        Ok(done.rows_affected() == 1)
    }
}

const LIVE_SELECT: &str = "SELECT merchant_id, livemode, details, session_params, stripe_attempt, session_id, \
                           session_url, reserved_until FROM payments";

fn live_from(row: &sqlx::any::AnyRow) -> Result<LivePayment, sqlx::Error> {
    let merchant: String = row.try_get("merchant_id")?;
    let merchant_id = merchant.parse().map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(LivePayment {
        scope: Scope { merchant_id, livemode: super::codec::bool_col(row, "livemode")? },
        payment: from_text(row, "details")?,
        live: LiveAttempt {
            params: from_text(row, "session_params")?,
            attempt: row.try_get("stripe_attempt")?,
            session_id: row.try_get("session_id")?,
            session_url: row.try_get("session_url")?,
            reserved_until: from_micros(row.try_get("reserved_until")?),
        },
    })
}

impl Store {
    /// The live payment `payment_id`, from the read pool.
    pub async fn live_payment(&self, payment_id: &str) -> Result<Option<LivePayment>, sqlx::Error> {
        let row = sqlx::query(&format!("{LIVE_SELECT} WHERE id = $1 AND session_params IS NOT NULL"))
            .bind(payment_id)
            .fetch_optional(&self.reader)
            .await?;
        row.map(|r| live_from(&r)).transpose()
    }

    /// The live payment whose session is `session_id`, on the link `link_id`.
    pub async fn payment_by_session(
        &self,
        link_id: Uuid,
        session_id: &str,
    ) -> Result<Option<LivePayment>, sqlx::Error> {
        let row = sqlx::query(&format!("{LIVE_SELECT} WHERE session_id = $1 AND link_id = $2"))
            .bind(session_id)
            .bind(link_id.to_string())
            .fetch_optional(&self.reader)
            .await?;
        row.map(|r| live_from(&r)).transpose()
    }

    /// Up to `limit` pending live payments whose sessions have ended without word from Stripe,
    /// each claimed for a while (so another process's reconciler skips them meanwhile).
    pub async fn claim_for_reconcile(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<String>, sqlx::Error> {
        let skip_locked = if self.backend == Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
        let mut tx = self.begin().await?;
        let rows = sqlx::query(&format!(
            "SELECT id FROM payments WHERE status = 'pending' AND reconcile_after <= $1 \
             ORDER BY reconcile_after LIMIT {limit}{skip_locked}"
        ))
        .bind(to_micros(now))
        .fetch_all(tx.conn())
        .await?;
        let ids: Vec<String> = rows.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?;
        for id in &ids {
            sqlx::query("UPDATE payments SET reconcile_after = $1 WHERE id = $2")
                .bind(to_micros(now + RECONCILE_GRACE))
                .bind(id)
                .execute(tx.conn())
                .await?;
        }
        tx.commit().await?;
        Ok(ids)
    }
}
